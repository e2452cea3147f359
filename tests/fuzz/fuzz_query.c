/*
 * fuzz_query.c — the query-string parser (http/query.h).
 *
 * Properties checked (abort on violation):
 *   - on success: at most CP_QUERY_MAX_PARAMS parameters; every key is
 *     non-empty, at most CP_QUERY_KEY_MAX bytes, every value at most
 *     CP_QUERY_VALUE_MAX bytes; both are valid UTF-8 without NUL and lie
 *     inside the result's one storage block; cp_query_get finds the first
 *     of each key and cp_query_count agrees with a recount;
 *   - on failure: the result is empty (no storage) and the message is not;
 *   - the outcome and every decoded pair equal those of an independent
 *     reference parser written here from the rules in query.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"

/* RFC 3629 UTF-8, written independently of query.c. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) need = 1;
        else if (c == 0xe0) need = 2, lo = 0xa0;
        else if (c == 0xed) need = 2, hi = 0x9f;
        else if (c >= 0xe1 && c <= 0xef) need = 2;
        else if (c == 0xf0) need = 3, lo = 0x90;
        else if (c == 0xf4) need = 3, hi = 0x8f;
        else if (c >= 0xf1 && c <= 0xf3) need = 3;
        else return false;
        if (i + need >= n) return false; /* truncated */
        if (s[i + 1] < lo || s[i + 1] > hi) return false;
        for (size_t k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
        i += need + 1;
    }
    return true;
}

static int hx(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes [p, p + n) into out; -1 on a bad escape. */
static long ref_decode(const uint8_t *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%') {
            if (n - i < 3 || hx(p[i + 1]) < 0 || hx(p[i + 2]) < 0) return -1;
            out[o++] = (char)(hx(p[i + 1]) * 16 + hx(p[i + 2]));
            i += 2;
        } else {
            out[o++] = p[i] == '+' ? ' ' : (char)p[i];
        }
    }
    return (long)o;
}

typedef struct {
    int n;
    char *k[CP_QUERY_MAX_PARAMS + 1], *v[CP_QUERY_MAX_PARAMS + 1];
    long kl[CP_QUERY_MAX_PARAMS + 1], vl[CP_QUERY_MAX_PARAMS + 1];
} ref_result;

static bool ref_parse(const uint8_t *d, size_t len, ref_result *r)
{
    memset(r, 0, sizeof *r);
    if (len > CP_QUERY_MAX_BYTES) return false;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && d[end] != '&') end++;
        if (end > i) {
            if (r->n == CP_QUERY_MAX_PARAMS) return false;
            const uint8_t *eq = memchr(d + i, '=', end - i);
            size_t kn = eq ? (size_t)(eq - (d + i)) : end - i;
            char *k = malloc(kn + 1), *v = malloc(end - i + 1);
            r->k[r->n] = k;
            r->v[r->n] = v;
            long kl = ref_decode(d + i, kn, k);
            long vl = eq ? ref_decode(eq + 1, (size_t)(d + end - eq - 1), v) : 0;
            r->kl[r->n] = kl;
            r->vl[r->n] = vl;
            r->n++;
            if (kl <= 0 || kl > CP_QUERY_KEY_MAX || !utf8_ok((unsigned char *)k, (size_t)kl)) return false;
            if (vl < 0 || vl > CP_QUERY_VALUE_MAX || !utf8_ok((unsigned char *)v, (size_t)vl)) return false;
        }
        i = end + 1;
    }
    return true;
}

static void ref_free(ref_result *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->k[i]);
        free(r->v[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_query q;
    cp_err err = {{0}};
    cp_status st = cp_query_parse((const char *)data, size, &q, &err);
    ref_result ref;
    bool ref_ok = ref_parse(data, size, &ref);

    if (st != CP_OK) {
        if (st != CP_E_BAD_REQUEST && st != CP_E_NOMEM) abort();
        if (q.n != 0 || q.storage != NULL || !err.msg[0]) abort();
        if (ref_ok) abort(); /* the reference accepts it */
        ref_free(&ref);
        return 0;
    }
    if (!ref_ok || q.n != ref.n) abort();
    if (q.n < 0 || q.n > CP_QUERY_MAX_PARAMS) abort();
    if (q.n > 0 && !q.storage) abort();
    const char *lo = q.storage, *hi = q.storage ? q.storage + size + 2 * CP_QUERY_MAX_PARAMS + 2 : NULL;
    for (int i = 0; i < q.n; i++) {
        const char *k = q.p[i].key, *v = q.p[i].value;
        if (!k || !v || k < lo || v < lo) abort();
        size_t kl = strlen(k), vl = strlen(v);
        if (k + kl >= hi || v + vl >= hi) abort();
        if (kl == 0 || kl > CP_QUERY_KEY_MAX || vl > CP_QUERY_VALUE_MAX) abort();
        if (!utf8_ok((const unsigned char *)k, kl) || !utf8_ok((const unsigned char *)v, vl)) abort();
        /* the same bytes as the reference */
        if ((long)kl != ref.kl[i] || memcmp(k, ref.k[i], kl) != 0) abort();
        if ((long)vl != ref.vl[i] || memcmp(v, ref.v[i], vl) != 0) abort();
        /* lookups */
        int first = 0, count = 0;
        while (strcmp(q.p[first].key, k) != 0) first++;
        for (int j = 0; j < q.n; j++) count += strcmp(q.p[j].key, k) == 0;
        if (cp_query_get(&q, k) != q.p[first].value || cp_query_count(&q, k) != count) abort();
    }
    ref_free(&ref);
    cp_query_free(&q);
    if (q.n != 0 || q.storage) abort();
    return 0;
}
