/*
 * scan_jsonl.c — one JSON object per line (Suricata eve.json, Zeek JSON),
 * scanned without building a tree: strings are found with memchr, structure
 * is tracked with a small stack, and every string VALUE is handed to the
 * candidate finder with its key path as the field ("dest_ip",
 * "http.hostname", "dns.answers.rdata"). An object holding both a host
 * ("hostname"/"host") and a path ("url"/"uri" starting with '/') also
 * offers the URL http://host/path (field "<object>.url"), as Suricata and
 * Zeek split it.
 *
 * A line that is not one JSON object is skipped as malformed (truncated when
 * it is the last, newline-less line of the input and merely incomplete).
 * Validation is not the goal: numbers and literals are skipped over, not
 * checked; nesting is bounded by JSONL_DEPTH.
 */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "warning/scan_file.h"

#define JSONL_DEPTH 32

typedef struct {
    char type; /* '{' or '[' */
    bool has_key;
    const char *key;
    size_t key_len;
    const char *host, *path;
    size_t host_len, path_len;
} level;

/* The next '"' or '\\' in [p, end), eight bytes at a time (JSON strings in
 * logs are short: a call to memchr costs more than it saves). */
static inline const char *find_quote(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)));
        if (m) return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = w ^ 0x2222222222222222ULL, y = w ^ 0x5c5c5c5c5c5c5c5cULL;
        uint64_t t = ((x - 0x0101010101010101ULL) & ~x) | ((y - 0x0101010101010101ULL) & ~y);
        t &= 0x8080808080808080ULL;
        if (t) return p + (__builtin_ctzll(t) >> 3);
        p += 8;
    }
#endif
    while (p < end && *p != '"' && *p != '\\') p++;
    return p < end ? p : NULL;
}

/* Structural bytes; everything else between strings (white space, numbers,
 * literals) is skipped over. */
enum { J_NONE, J_QUOTE, J_OPEN, J_CLOSE_OBJ, J_OPEN_ARR, J_CLOSE_ARR, J_COMMA, J_COLON };
static const uint8_t JS[256] = {['"'] = J_QUOTE, ['{'] = J_OPEN,      ['}'] = J_CLOSE_OBJ, ['['] = J_OPEN_ARR,
                                [']'] = J_CLOSE_ARR, [','] = J_COMMA, [':'] = J_COLON};
/* A value shorter than a hash holds a candidate only with a dot or a colon. */
static const uint8_t DOTCOLON[256] = {['.'] = 1, [':'] = 1};

/* The next structural byte at or after p[i] (n when none). */
static inline size_t next_structural(const char *p, size_t n, size_t i)
{
#ifdef __SSE2__
    const __m128i q = _mm_set1_epi8('"'), ob = _mm_set1_epi8('{'), cb = _mm_set1_epi8('}'), oa = _mm_set1_epi8('['),
                  ca = _mm_set1_epi8(']'), co = _mm_set1_epi8(','), cl = _mm_set1_epi8(':');
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i a = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, ob)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, cb), _mm_cmpeq_epi8(v, oa)));
        __m128i b = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, ca), _mm_cmpeq_epi8(v, co)), _mm_cmpeq_epi8(v, cl));
        int m = _mm_movemask_epi8(_mm_or_si128(a, b));
        if (m) return i + (size_t)__builtin_ctz((unsigned)m);
        i += 16;
    }
#endif
    while (i < n && !JS[(unsigned char)p[i]]) i++;
    return i;
}

static inline bool maybe_candidate(const char *v, size_t n)
{
    if (n >= 32) return true;
    for (size_t i = 0; i < n; i++)
        if (DOTCOLON[(unsigned char)v[i]]) return true;
    return false;
}

static int hexd(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Unescapes a JSON string into the arena. Escapes of characters outside
 * ASCII become a space: no candidate contains them. NULL when an escape is
 * malformed; the text as it is when the arena is full (a line of huge
 * escaped strings is still scanned, its escapes left in). */
static const char *unescape(cp_scanner *sc, const char *s, size_t n, size_t *out_len)
{
    if (n > CP_SCAN_ARENA - sc->arena_len) {
        *out_len = n;
        return s;
    }
    char *w0 = sc->arena + sc->arena_len, *w = w0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            *w++ = c;
            continue;
        }
        if (++i >= n) return NULL;
        switch (s[i]) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': case 'f': case 'n': case 'r': case 't': *w++ = ' '; break;
        case 'u': {
            if (n - i < 5) return NULL;
            int v = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexd(s[i + (size_t)k]);
                if (h < 0) return NULL;
                v = v * 16 + h;
            }
            *w++ = v >= 0x20 && v < 0x7f ? (char)v : ' ';
            i += 4;
            break;
        }
        default: return NULL;
        }
    }
    sc->arena_len += (size_t)(w - w0);
    *out_len = (size_t)(w - w0);
    return w0;
}

static void set_path(cp_scanner *sc, const level *st, int d)
{
    const char *names[CP_SCAN_FIELD_DEPTH];
    size_t lens[CP_SCAN_FIELD_DEPTH];
    int n = 0;
    for (int i = 0; i < d && n < CP_SCAN_FIELD_DEPTH; i++)
        if (st[i].type == '{' && st[i].has_key) {
            names[n] = st[i].key;
            lens[n++] = st[i].key_len;
        }
    cp_scan_set_path(sc, names, lens, n);
}

/* The object at st[d] closes: host + path -> a URL. */
static void compose(cp_scanner *sc, level *st, int d)
{
    level *l = &st[d];
    if (!l->host || !l->path || l->path_len == 0 || l->path[0] != '/' || l->host_len == 0) return;
    size_t n = 7 + l->host_len + l->path_len;
    if (n > CP_SCAN_ARENA - sc->arena_len) return;
    char *u = sc->arena + sc->arena_len;
    memcpy(u, "http://", 7);
    memcpy(u + 7, l->host, l->host_len);
    memcpy(u + 7 + l->host_len, l->path, l->path_len);
    sc->arena_len += n;
    const char *names[CP_SCAN_FIELD_DEPTH];
    size_t lens[CP_SCAN_FIELD_DEPTH];
    int k = 0;
    for (int i = 0; i < d && k < CP_SCAN_FIELD_DEPTH - 1; i++)
        if (st[i].type == '{' && st[i].has_key) {
            names[k] = st[i].key;
            lens[k++] = st[i].key_len;
        }
    names[k] = "url";
    lens[k++] = 3;
    cp_scan_set_path(sc, names, lens, k);
    cp_scan_url(sc, u, n);
}

/* Remembers a value of an object's "hostname"/"host" or "url"/"uri" key. */
static inline void note_url_part(level *top, const char *v, size_t vl)
{
    const char *k = top->key;
    switch (top->key_len) {
    case 3:
        if (memcmp(k, "url", 3) == 0 || memcmp(k, "uri", 3) == 0) top->path = v, top->path_len = vl;
        break;
    case 4:
        if (memcmp(k, "host", 4) == 0) top->host = v, top->host_len = vl;
        break;
    case 8:
        if (memcmp(k, "hostname", 8) == 0) top->host = v, top->host_len = vl;
        break;
    default: break;
    }
}

int cp_scan_jsonl_line(cp_scanner *sc, const char *p, size_t n, bool incomplete, cp_skip_reason *why)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')) i++;
    if (i == n) return 0;
    if (p[i] != '{') {
        *why = CP_SKIP_MALFORMED;
        return -1;
    }
    level st[JSONL_DEPTH];
    int d = 0;
    bool expect_key = false;
    while (i < n) {
        if (!JS[(unsigned char)p[i]]) i = next_structural(p, n, i);
        if (i >= n) break;
        switch (JS[(unsigned char)p[i]]) {
        case J_QUOTE: {
            size_t j = i + 1;
            bool esc = false;
            for (;;) {
                const char *q = find_quote(p + j, p + n);
                if (!q) goto cut;
                j = (size_t)(q - p);
                if (*q == '"') break;
                esc = true; /* a backslash: it and the byte it escapes */
                j += 2;
                if (j > n) goto cut;
            }
            const char *s = p + i + 1;
            size_t len = j - i - 1;
            if (d == 0) goto malformed;
            level *top = &st[d - 1];
            if (top->type == '{' && expect_key) {
                top->key = s;
                top->key_len = len;
                top->has_key = true;
                expect_key = false;
            } else {
                const char *v = s;
                size_t vl = len;
                if (esc && !(v = unescape(sc, s, len, &vl))) goto malformed;
                if (maybe_candidate(v, vl)) {
                    set_path(sc, st, d);
                    cp_scan_text(sc, v, vl);
                }
                if (top->type == '{' && top->has_key) note_url_part(top, v, vl);
            }
            i = j + 1;
            continue;
        }
        case J_OPEN:
        case J_OPEN_ARR:
            if (d == JSONL_DEPTH) goto malformed;
            st[d] = (level){p[i], false, NULL, 0, NULL, NULL, 0, 0};
            d++;
            expect_key = p[i] == '{';
            break;
        case J_CLOSE_OBJ:
        case J_CLOSE_ARR:
            if (d == 0 || st[d - 1].type != (p[i] == '}' ? '{' : '[')) goto malformed;
            if (p[i] == '}') compose(sc, st, d - 1);
            d--;
            expect_key = false;
            if (d == 0) {
                /* the object is complete: only white space may follow */
                for (i++; i < n; i++)
                    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') goto malformed;
                return 1;
            }
            break;
        case J_COMMA:
            expect_key = st[d - 1].type == '{';
            break;
        default: /* ':' */
            expect_key = false;
            break;
        }
        i++;
    }
cut:
    *why = incomplete ? CP_SKIP_TRUNCATED : CP_SKIP_MALFORMED;
    return -1;
malformed:
    *why = CP_SKIP_MALFORMED;
    return -1;
}
