#include "http/query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes in[0..n) into out; returns the decoded length or -1. */
static long decode(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '+') {
            out[o++] = ' ';
        } else if (c == '%') {
            if (i + 2 >= n) return -1;
            int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
            if (h < 0 || l < 0) return -1;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = c;
        }
    }
    out[o] = 0;
    return (long)o;
}

/* True when s[0..n) is well-formed UTF-8 without NUL bytes. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        int len;
        unsigned cp;
        if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
        else return false;
        if (i + (size_t)len > n) return false;
        for (int k = 1; k < len; k++) {
            if ((s[i + (size_t)k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + (size_t)k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += (size_t)len;
    }
    return true;
}

cp_status cp_query_parse(const char *qs, size_t len, cp_query *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0) return CP_OK;
    if (len > CP_QUERY_MAX_BYTES)
        return cp_fail(err, CP_E_BAD_REQUEST, "query string longer than %d bytes", CP_QUERY_MAX_BYTES);
    /* Decoding never grows: len bytes plus a NUL per key and value suffice. */
    char *store = malloc(len + 2 * CP_QUERY_MAX_PARAMS + 2);
    if (!store) return cp_fail(err, CP_E_NOMEM, "out of memory");
    size_t used = 0, i = 0;
    int pos = 0;
    while (i <= len) {
        size_t end = i;
        while (end < len && qs[end] != '&') end++;
        size_t plen = end - i;
        if (plen > 0) {
            pos++;
            if (out->n >= CP_QUERY_MAX_PARAMS) {
                free(store);
                memset(out, 0, sizeof *out);
                return cp_fail(err, CP_E_BAD_REQUEST, "more than %d query parameters", CP_QUERY_MAX_PARAMS);
            }
            const char *piece = qs + i;
            const char *eq = memchr(piece, '=', plen);
            size_t klen = eq ? (size_t)(eq - piece) : plen;
            size_t vlen = eq ? plen - klen - 1 : 0;
            char *k = store + used;
            long kd = decode(piece, klen, k);
            const char *what = NULL;
            if (kd < 0) what = "a bad %-escape in its name";
            else if (kd == 0) what = "an empty name";
            else if (kd > CP_QUERY_KEY_MAX) what = "a name longer than 64 bytes";
            else if (!valid_utf8((unsigned char *)k, (size_t)kd)) what = "a name that is not UTF-8 (or holds a NUL)";
            char *v = NULL;
            long vd = 0;
            if (!what) {
                used += (size_t)kd + 1;
                v = store + used;
                vd = decode(eq ? eq + 1 : "", vlen, v);
                if (vd < 0) what = "a bad %-escape in its value";
                else if (vd > CP_QUERY_VALUE_MAX) what = "a value longer than 2048 bytes";
                else if (!valid_utf8((unsigned char *)v, (size_t)vd)) what = "a value that is not UTF-8 (or holds a NUL)";
            }
            if (what) {
                free(store);
                memset(out, 0, sizeof *out);
                return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %d has %s", pos, what);
            }
            used += (size_t)vd + 1;
            out->p[out->n].key = k;
            out->p[out->n].value = v;
            out->n++;
        }
        i = end + 1;
    }
    out->storage = store;
    return CP_OK;
}

const char *cp_query_get(const cp_query *q, const char *key)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->p[i].key, key) == 0) return q->p[i].value;
    return NULL;
}

int cp_query_count(const cp_query *q, const char *key)
{
    int n = 0;
    for (int i = 0; i < q->n; i++) n += strcmp(q->p[i].key, key) == 0;
    return n;
}

void cp_query_free(cp_query *q)
{
    free(q->storage);
    memset(q, 0, sizeof *q);
}
