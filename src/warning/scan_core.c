/*
 * scan_core.c — candidates in text, their lookups, and one line's hits
 * (rules in scan_core.h and docs/early-warning.md).
 */
#include "warning/scan_core.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "warning/normalise.h"

enum { C_ALPHA = 1, C_DIGIT = 2, C_HEXA = 4, C_DOT = 8, C_DASH = 16, C_COLON = 32, C_UNDER = 64 };

static uint8_t CLS[256];  /* run characters and what they are */
static uint8_t URLCH[256]; /* characters a URL in text runs over */
static uint8_t LOCALCH[256]; /* characters of an e-mail local part */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (int c = 'a'; c <= 'z'; c++) CLS[c] = c <= 'f' ? C_HEXA : C_ALPHA;
    for (int c = 'A'; c <= 'Z'; c++) CLS[c] = c <= 'F' ? C_HEXA : C_ALPHA;
    for (int c = '0'; c <= '9'; c++) CLS[c] = C_DIGIT;
    CLS['.'] = C_DOT;
    CLS['-'] = C_DASH;
    CLS[':'] = C_COLON;
    CLS['_'] = C_UNDER;
    for (int c = 0x21; c < 0x7f; c++) URLCH[c] = 1;
    for (const char *p = "\"<>\\^`{|}'"; *p; p++) URLCH[(unsigned char)*p] = 0;
    for (int c = 0x21; c < 0x7f; c++) LOCALCH[c] = (CLS[c] & (C_ALPHA | C_DIGIT | C_HEXA)) != 0;
    /* RFC 5322 allows = / ? & # too, but in logs they separate keys, paths
     * and queries from the address ("user=boss@example.org") */
    for (const char *p = "!$%'*+^_`{|}~.-"; *p; p++) LOCALCH[(unsigned char)*p] = 1;
}

static const char *const SKIP_NAMES[CP_SKIP__COUNT] = {"huge", "binary", "not_utf8", "malformed", "truncated"};

const char *cp_skip_reason_name(cp_skip_reason r) { return (unsigned)r < CP_SKIP__COUNT ? SKIP_NAMES[r] : "?"; }

cp_scanner *cp_scanner_new(const cp_iset *s)
{
    pthread_once(&g_once, init_tables);
    cp_scanner *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->arena = malloc(CP_SCAN_ARENA);
    if (!sc->arena) {
        free(sc);
        return NULL;
    }
    sc->set = s;
    sc->ev.s = s;
    return sc;
}

void cp_scanner_free(cp_scanner *sc)
{
    if (!sc) return;
    cpi_event_release(&sc->ev);
    free(sc->raw);
    free(sc->hits);
    free(sc->arena);
    free(sc);
}

void cp_scan_line_begin(cp_scanner *sc)
{
    sc->n_vals = 0;
    sc->arena_len = 0;
    sc->ev.n = 0;
    sc->n_hits = sc->n_total = 0;
    sc->field = "text";
    sc->field_len = 4;
    sc->path_n = 0;
}

void cp_scan_set_field(cp_scanner *sc, const char *name, size_t len)
{
    sc->field = name;
    sc->field_len = len;
    sc->path_n = 0;
}

void cp_scan_set_path(cp_scanner *sc, const char *const *names, const size_t *lens, int n)
{
    if (n > CP_SCAN_FIELD_DEPTH) n = CP_SCAN_FIELD_DEPTH;
    for (int i = 0; i < n; i++) {
        sc->path[i] = names[i];
        sc->path_len[i] = lens[i];
    }
    sc->path_n = n;
    sc->field = NULL;
    sc->field_len = 0;
}

char *cp_scan_keep(cp_scanner *sc, const char *bytes, size_t len)
{
    if (len > CP_SCAN_ARENA - sc->arena_len) return NULL;
    char *p = sc->arena + sc->arena_len;
    memcpy(p, bytes, len);
    sc->arena_len += len;
    return p;
}

/* The current field's name (a path joined on first use). */
static void current_field(cp_scanner *sc, const char **f, size_t *fl)
{
    if (!sc->field && sc->path_n) {
        size_t need = 0;
        for (int i = 0; i < sc->path_n; i++) need += sc->path_len[i] + 1;
        if (need <= CP_SCAN_ARENA - sc->arena_len) {
            char *p = sc->arena + sc->arena_len, *w = p;
            for (int i = 0; i < sc->path_n; i++) {
                if (i) *w++ = '.';
                memcpy(w, sc->path[i], sc->path_len[i]);
                w += sc->path_len[i];
            }
            sc->arena_len += (size_t)(w - p);
            sc->field = p;
            sc->field_len = (size_t)(w - p);
        } else {
            sc->field = "?";
            sc->field_len = 1;
        }
    }
    *f = sc->field ? sc->field : "";
    *fl = sc->field_len;
}

/* After a lookup that may have added touches for value index sc->n_vals:
 * keep the value, or take the touches back when the value table is full. */
static void settle(cp_scanner *sc, uint32_t before, const char *val, size_t vlen, int kind)
{
    if (sc->ev.n == before) return;
    if (sc->n_vals >= CP_SCAN_VALUES_MAX) {
        sc->ev.n = before;
        sc->dropped++;
        return;
    }
    cp_scan_val *v = &sc->vals[sc->n_vals++];
    current_field(sc, &v->field, &v->field_len);
    v->value = val;
    v->value_len = vlen;
    v->kind = kind;
}

static void look_ip(cp_scanner *sc, const uint8_t addr[16], const char *val, size_t vlen)
{
    uint32_t before = sc->ev.n;
    cpi_event_ip(&sc->ev, addr, sc->n_vals);
    settle(sc, before, val, vlen, CPI_K_IP);
}

static void look_domain(cp_scanner *sc, const char *name, size_t n, const char *val, size_t vlen)
{
    uint32_t before = sc->ev.n;
    cpi_event_domain(&sc->ev, name, n, sc->n_vals);
    settle(sc, before, val, vlen, CPI_K_DOMAIN);
}

static void look_key(cp_scanner *sc, int kind, const char *key, size_t n, const char *val, size_t vlen)
{
    uint32_t before = sc->ev.n;
    cpi_event_key(&sc->ev, kind, key, n, sc->n_vals);
    settle(sc, before, val, vlen, kind);
}

/* A part without ':' or '_'. bits: its byte classes when the caller knows
 * them (a superset is fine), else 0. */
static void part(cp_scanner *sc, const char *s, size_t n, uint8_t bits)
{
    while (n && (*s == '.' || *s == '-')) s++, n--;
    while (n && (s[n - 1] == '.' || s[n - 1] == '-')) n--;
    if (n < 4) return;
    if (!bits)
        for (size_t i = 0; i < n; i++) bits |= CLS[(unsigned char)s[i]];
    char buf[CPI_KEY_MAX];
    if (n >= 32) {
        /* hex runs between dots and hyphens */
        size_t i = 0;
        while (i < n) {
            size_t j = i;
            while (j < n && s[j] != '.' && s[j] != '-') j++;
            size_t l = j - i;
            if (l == 32 || l == 40 || l == 64 || l == 128) {
                int k = cp_norm_hash(s + i, l, buf);
                if (k >= 0) look_key(sc, k, buf, l, s + i, l);
            }
            i = j + 1;
        }
    }
    if (!(bits & C_DOT)) return;
    if (!(bits & ~(C_DIGIT | C_DOT))) {
        uint8_t addr[16];
        if (cp_norm_ipv4(s, n, addr)) look_ip(sc, addr, s, n);
        return;
    }
    size_t dn = cp_norm_domain(s, n, buf);
    if (!dn) return;
    look_domain(sc, buf, dn, s, n);
}

/* The domain s[0..n) right after '@': with the local part before it, an
 * e-mail address. */
static void email(cp_scanner *sc, const char *text, const char *s, size_t n)
{
    const char *at = s - 1, *l = at;
    while (l > text && at - l < 64 && LOCALCH[(unsigned char)l[-1]]) l--;
    char buf[CPI_KEY_MAX];
    size_t en;
    if (l < at && (en = cp_norm_email(l, (size_t)(s + n - l), buf))) look_key(sc, CPI_K_EMAIL, buf, en, l, (size_t)(s + n - l));
}

/* A run of [A-Za-z0-9._:-]. */
static void run(cp_scanner *sc, const char *text, const char *s, size_t n, uint8_t bits)
{
    if (!(bits & (C_DOT | C_COLON)) && n < 32) return;
    if (bits & C_COLON) {
        if (!(bits & ~(C_DIGIT | C_HEXA | C_COLON | C_DOT)) && n >= 2) {
            size_t colons = 0;
            bool gap = false; /* "::" */
            for (size_t i = 0; i < n; i++)
                if (s[i] == ':') {
                    colons++;
                    if (i + 1 < n && s[i + 1] == ':') gap = true;
                }
            /* eight groups, or fewer with "::" (an IPv4 tail counts two):
             * times (10:00:01) and MAC addresses never get to inet_pton */
            bool shaped = colons >= 2 && colons <= 7 && (gap || colons == 7 || (colons == 6 && (bits & C_DOT)));
            uint8_t addr[16];
            if (shaped && cp_norm_ipv6(s, n, addr)) {
                look_ip(sc, addr, s, n);
                return;
            }
        }
    }
    if (!(bits & (C_COLON | C_UNDER))) {
        /* the usual case (an address, a name): one part, its classes known */
        if (s > text && s[-1] == '@') email(sc, text, s, n);
        part(sc, s, n, bits);
        return;
    }
    /* parts between ':' and '_' */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ':' && s[j] != '_') j++;
        if (j > i) {
            if (i == 0 && s > text && s[-1] == '@') email(sc, text, s, j);
            part(sc, s + i, j - i, 0);
        }
        i = j + 1;
    }
}

static void url_at(cp_scanner *sc, const char *start, const char *end)
{
    while (end > start && strchr(".,;:!?)]", end[-1])) end--;
    char buf[CPI_KEY_MAX];
    size_t n = cp_norm_url(start, (size_t)(end - start), buf, NULL, NULL);
    if (n) look_key(sc, CPI_K_URL, buf, n, start, (size_t)(end - start));
}

void cp_scan_text(cp_scanner *sc, const char *text, size_t len)
{
    if (!sc->set->n_keys) return;
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    while (p < end) {
        while (p < end && !CLS[*p]) p++;
        if (p >= end) break;
        const unsigned char *s = p;
        uint8_t bits = 0, c;
        while (p < end && (c = CLS[*p])) {
            bits |= c;
            p++;
        }
        if ((bits & C_COLON) && p[-1] == ':' && end - p >= 2 && p[0] == '/' && p[1] == '/') {
            /* scheme:// — the scheme is the letters, digits, + - . before ':' */
            const unsigned char *sch = p - 1;
            while (sch > s && (CLS[sch[-1]] & (C_ALPHA | C_HEXA | C_DIGIT | C_DOT | C_DASH))) sch--;
            while (sch < p - 1 && !(CLS[*sch] & (C_ALPHA | C_HEXA))) sch++;
            if (sch < p - 1) {
                const unsigned char *q = p + 2;
                while (q < end && URLCH[*q]) q++;
                url_at(sc, (const char *)sch, (const char *)q);
            }
            if (sch > s + 1) run(sc, text, (const char *)s, (size_t)(sch - 1 - s), bits);
            continue; /* the host and path are scanned as text from "//" on */
        }
        if ((bits & (C_DOT | C_COLON)) || p - s >= 32) run(sc, text, (const char *)s, (size_t)(p - s), bits);
    }
}

void cp_scan_url(cp_scanner *sc, const char *text, size_t len)
{
    if (!sc->set->n_keys) return;
    url_at(sc, text, text + len);
}

size_t cp_scan_line_end(cp_scanner *sc)
{
    sc->dropped += sc->ev.dropped;
    sc->ev.dropped = 0;
    if (sc->ev.n == 0) return 0;
    if (sc->ev.n > sc->hits_cap) {
        /* at most one hit per touched indicator: room for every touch */
        size_t cap = sc->hits_cap ? sc->hits_cap : 64;
        while (cap < sc->ev.n) cap *= 2;
        cp_iset_hit *r = realloc(sc->raw, cap * sizeof *r);
        if (r) sc->raw = r;
        cp_scan_hit *h = r ? realloc(sc->hits, cap * sizeof *h) : NULL;
        if (h) {
            sc->hits = h;
            sc->hits_cap = cap;
        }
    }
    size_t n = cpi_event_finish(&sc->ev, sc->raw, sc->hits_cap);
    size_t w = n < sc->hits_cap ? n : sc->hits_cap;
    for (size_t i = 0; i < w; i++) {
        const cp_scan_val *v = &sc->vals[sc->raw[i].value];
        sc->hits[i] = (cp_scan_hit){sc->raw[i].indicator, v->kind, v->field, v->field_len, v->value, v->value_len};
    }
    sc->n_hits = w;
    sc->n_total = n;
    return w;
}

/* ---- line checks ---- */

#define K20 0x2020202020202020ULL
#define K80 0x8080808080808080ULL

int cp_scan_check_line(const char *text, size_t len, cp_skip_reason *why)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(((w - K20) | w) & K80)) {
                p += 8;
                continue;
            }
        }
        unsigned char c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\v' && c != '\f') || c == 0x7f) {
                *why = CP_SKIP_BINARY;
                return -1;
            }
            p++;
            continue;
        }
        /* UTF-8: no overlongs, no surrogates, nothing past U+10FFFF */
        size_t need;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07;
        else goto bad;
        if ((size_t)(end - p) <= need) goto bad;
        for (size_t k = 1; k <= need; k++) {
            if ((p[k] & 0xc0) != 0x80) goto bad;
            cp = (cp << 6) | (p[k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            goto bad;
        p += need + 1;
    }
    return 0;
bad:
    *why = CP_SKIP_NOT_UTF8;
    return -1;
}
