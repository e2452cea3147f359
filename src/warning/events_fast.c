/*
 * events_fast.c — the streaming scanner of an events batch
 * (events_internal.h): one pass over the body, no tree, strings decoded into
 * one arena. It reads only the shape sensors send — {"events": [ {...} ]}
 * with string and integer fields and a "hashes" object of strings — and
 * only what it can read exactly as Jansson does; for anything else it gives
 * up and the body is parsed by Jansson (events_parse.c), whose answers (400
 * with line and column, 422 with every event's errors) stay the reference.
 * tests/fuzz/fuzz_events.c checks that both readings agree.
 */
#include <string.h>

#include "warning/events_internal.h"

typedef struct {
    const char *p, *end;
    char *arena;
} scan;

static const char *const FIELDS[CP_EV_FIELDS_MAX] = {
    "time",   "src_ip", "dst_ip", "src_port", "dst_port",       "proto",    "src_asn", "dst_asn",     "domain",
    "url",    "hashes", "email",  "classification", "affected", "tlp",      "source",  "description"};
static const char *const HASHES[CP_EV_HASHES_MAX] = {"md5", "sha1", "sha256", "sha512"};
#define HASHES_FIELD 10

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

static bool eat(scan *s, char c)
{
    ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* A key (no escapes, ASCII) looked up in names; -1 when not one of them. */
static int key(scan *s, const char *const *names, int n)
{
    ws(s);
    if (s->p >= s->end || *s->p != '"') return -1;
    const char *k = ++s->p;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if (c == '\\' || c < 0x20 || c >= 0x80) return -1;
        s->p++;
    }
    if (s->p >= s->end) return -1;
    size_t len = (size_t)(s->p - k);
    s->p++;
    if (!eat(s, ':')) return -1;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], k, len) == 0) return i;
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(scan *s, unsigned *out)
{
    if (s->end - s->p < 4) return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s->p[i]);
        if (h < 0) return false;
        v = v * 16 + (unsigned)h;
    }
    s->p += 4;
    *out = v;
    return true;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf) return 0;
    return n;
}

/* A string value, decoded into the arena (NUL-terminated). */
static bool string(scan *s, cp_ev_val *v)
{
    ws(s);
    if (s->p >= s->end || *s->p != '"') return false;
    s->p++;
    char *out = s->arena, *start = out;
    for (;;) {
        /* the plain run up to a quote, an escape, a control or a non-ASCII byte */
        const char *q = s->p;
        while (q < s->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80) q++;
        memcpy(out, s->p, (size_t)(q - s->p));
        out += q - s->p;
        s->p = q;
        if (s->p >= s->end) return false;
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            break;
        }
        if (c < 0x20) return false;
        if (c >= 0x80) {
            size_t n = utf8_seq((const unsigned char *)s->p, (const unsigned char *)s->end);
            if (!n) return false;
            memcpy(out, s->p, n);
            out += n;
            s->p += n;
            continue;
        }
        /* an escape */
        if (s->end - s->p < 2) return false;
        char e = s->p[1];
        s->p += 2;
        switch (e) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '/': *out++ = '/'; break;
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case 'n': *out++ = '\n'; break;
        case 'r': *out++ = '\r'; break;
        case 't': *out++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(s, &cp) || cp == 0) return false; /* \u0000: Jansson refuses it */
            if (cp >= 0xdc00 && cp <= 0xdfff) return false;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u') return false;
                s->p += 2;
                if (!hex4(s, &lo) || lo < 0xdc00 || lo > 0xdfff) return false;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp < 0x80) *out++ = (char)cp;
            else if (cp < 0x800) {
                *out++ = (char)(0xc0 | (cp >> 6));
                *out++ = (char)(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                *out++ = (char)(0xe0 | (cp >> 12));
                *out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                *out++ = (char)(0x80 | (cp & 0x3f));
            } else {
                *out++ = (char)(0xf0 | (cp >> 18));
                *out++ = (char)(0x80 | ((cp >> 12) & 0x3f));
                *out++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                *out++ = (char)(0x80 | (cp & 0x3f));
            }
            break;
        }
        default: return false;
        }
    }
    *out++ = 0;
    v->kind = CP_EV_STRING;
    v->s = start;
    v->len = (size_t)(out - start - 1);
    s->arena = out;
    return true;
}

/* An integer that fits 64 bits (Jansson's json_int_t); reals are not read. */
static bool integer(scan *s, cp_ev_val *v)
{
    ws(s);
    bool neg = s->p < s->end && *s->p == '-';
    if (neg) s->p++;
    if (s->p >= s->end || *s->p < '0' || *s->p > '9') return false;
    if (*s->p == '0' && s->p + 1 < s->end && s->p[1] >= '0' && s->p[1] <= '9') return false;
    uint64_t u = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        unsigned d = (unsigned)(*s->p - '0');
        if (u > (UINT64_MAX - d) / 10) return false;
        u = u * 10 + d;
        s->p++;
    }
    if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')) return false;
    if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX) return false;
    v->kind = CP_EV_INT;
    v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static bool hashes(scan *s, cp_ev_pair *pairs, size_t *n)
{
    if (!eat(s, '{')) return false;
    unsigned seen = 0;
    *n = 0;
    do {
        int k = key(s, HASHES, CP_EV_HASHES_MAX);
        if (k < 0 || (seen & (1u << k))) return false;
        seen |= 1u << k;
        pairs[*n].key = HASHES[k];
        if (!string(s, &pairs[*n].v)) return false;
        (*n)++;
    } while (eat(s, ','));
    return eat(s, '}');
}

bool cp_events_scan(const char *body, size_t len, size_t max_events, char *arena, cp_ev_scan_fn fn, void *ctx)
{
    scan s = {body, body + len, arena};
    static const char *const TOP[1] = {"events"};
    if (!eat(&s, '{') || key(&s, TOP, 1) != 0 || !eat(&s, '[')) return false;
    size_t n = 0;
    do {
        if (++n > max_events) return false;
        ws(&s);
        const char *raw = s.p;
        if (!eat(&s, '{')) return false;
        cp_ev_pair pairs[CP_EV_FIELDS_MAX];
        cp_ev_pair hp[CP_EV_HASHES_MAX];
        size_t np = 0;
        uint32_t seen = 0;
        do {
            int k = key(&s, FIELDS, CP_EV_FIELDS_MAX);
            if (k < 0 || (seen & (1u << k))) return false;
            seen |= 1u << k;
            cp_ev_pair *p = &pairs[np++];
            memset(p, 0, sizeof *p);
            p->key = FIELDS[k];
            ws(&s);
            if (s.p >= s.end) return false;
            if (k == HASHES_FIELD && *s.p == '{') {
                size_t nh;
                if (!hashes(&s, hp, &nh)) return false;
                p->v.kind = CP_EV_OBJECT;
                p->v.pairs = hp;
                p->v.n_pairs = nh;
            } else if (*s.p == '"') {
                if (!string(&s, &p->v)) return false;
            } else if (!integer(&s, &p->v)) {
                return false;
            }
        } while (eat(&s, ','));
        if (!eat(&s, '}')) return false;
        if (!fn(ctx, pairs, np, raw, (size_t)(s.p - raw))) return false;
    } while (eat(&s, ','));
    if (!eat(&s, ']') || !eat(&s, '}')) return false;
    ws(&s);
    return s.p == s.end;
}
