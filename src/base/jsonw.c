#include "base/jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

void cp_jw_init(cp_jw *w) { memset(w, 0, sizeof *w); }

static bool reserve(cp_jw *w, size_t more)
{
    if (w->failed) return false;
    if (w->len + more + 1 <= w->cap) return true;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + more + 1) cap *= 2;
    char *nb = realloc(w->buf, cap);
    if (!nb) {
        w->failed = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

static void put(cp_jw *w, const char *s, size_t n)
{
    if (!reserve(w, n)) return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Separates values: a comma before every value but the first of a container
 * (a value after a key needs none: the key wrote it). */
static void value_start(cp_jw *w)
{
    if (w->need_comma[w->depth]) put(w, ",", 1);
    w->need_comma[w->depth] = true;
}

static void open(cp_jw *w, char c)
{
    value_start(w);
    put(w, &c, 1);
    if (w->depth < CP_JW_DEPTH_MAX) w->depth++;
    else w->failed = true;
    w->need_comma[w->depth] = false;
}

static void close_(cp_jw *w, char c)
{
    put(w, &c, 1);
    if (w->depth > 0) w->depth--;
}

void cp_jw_obj(cp_jw *w) { open(w, '{'); }
void cp_jw_end_obj(cp_jw *w) { close_(w, '}'); }
void cp_jw_arr(cp_jw *w) { open(w, '['); }
void cp_jw_end_arr(cp_jw *w) { close_(w, ']'); }

static void escaped(cp_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    if (!reserve(w, n + 2)) return;
    w->buf[w->len++] = '"';
    size_t run = 0; /* start of bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(w, s + run, i - run);
        char e[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        }
        put(w, e, el);
        run = i + 1;
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

void cp_jw_key(cp_jw *w, const char *key)
{
    value_start(w);
    escaped(w, key);
    put(w, ":", 1);
    w->need_comma[w->depth] = false; /* the value follows without a comma */
}

/* After a value written right after a key, the next key needs a comma. */
static void value_done(cp_jw *w) { w->need_comma[w->depth] = true; }

void cp_jw_str(cp_jw *w, const char *s)
{
    if (!s) {
        cp_jw_null(w);
        return;
    }
    value_start(w);
    escaped(w, s);
    value_done(w);
}

void cp_jw_int(cp_jw *w, int64_t v)
{
    value_start(w);
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    put(w, out, (size_t)n);
    value_done(w);
}

void cp_jw_bool(cp_jw *w, bool v)
{
    value_start(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
    value_done(w);
}

void cp_jw_null(cp_jw *w)
{
    value_start(w);
    put(w, "null", 4);
    value_done(w);
}

void cp_jw_time(cp_jw *w, int64_t ms)
{
    char buf[CP_RFC3339_MAX];
    cp_rfc3339_format(ms, buf);
    cp_jw_str(w, buf);
}

void cp_jw_raw(cp_jw *w, const char *json, size_t len)
{
    value_start(w);
    put(w, json, len);
    value_done(w);
}

char *cp_jw_finish(cp_jw *w, size_t *len)
{
    char *out = NULL;
    if (!w->failed && reserve(w, 0)) {
        w->buf[w->len] = 0;
        out = w->buf;
        if (len) *len = w->len;
        w->buf = NULL;
    }
    cp_jw_free(w);
    return out;
}

void cp_jw_free(cp_jw *w)
{
    free(w->buf);
    cp_jw_init(w);
}
