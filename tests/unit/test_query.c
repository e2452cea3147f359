/*
 * test_query.c — http/query.h, the query-string parser: decoding ('+',
 * %XX), empty pieces, repeated keys, and every documented rejection with the
 * position of the parameter in the message; on failure the result is empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http/query.h"

static cp_status parse(const char *qs, cp_query *q, cp_err *err)
{
    err->msg[0] = 0;
    return cp_query_parse(qs, strlen(qs), q, err);
}

/* qs parses into exactly the pairs in want ("k", "v", "k", "v", ..., NULL). */
static void pairs(const char *qs, const char *const *want)
{
    cp_query q;
    cp_err err;
    cp_status st = parse(qs, &q, &err);
    if (st) fprintf(stderr, "  '%.60s': %s\n", qs, err.msg);
    CHECK_INT(st, CP_OK);
    int n = 0;
    while (want[2 * n]) n++;
    CHECK_INT(q.n, n);
    for (int i = 0; i < q.n && i < n; i++) {
        CHECK_STR(q.p[i].key, want[2 * i]);
        CHECK_STR(q.p[i].value, want[2 * i + 1]);
    }
    cp_query_free(&q);
}
#define PAIRS(qs, ...)                                          \
    do {                                                        \
        static const char *const w_[] = {__VA_ARGS__, NULL};    \
        pairs(qs, w_);                                          \
    } while (0)

static void rejected_len(const char *qs, size_t len, const char *part)
{
    cp_query q;
    cp_err err = {{0}};
    memset(&q, 0x5a, sizeof q);
    cp_status st = cp_query_parse(qs, len, &q, &err);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  '%.60s' accepted\n", qs);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    CHECK_INT(q.n, 0); /* empty, needs no free */
    CHECK(q.storage == NULL);
    if (!strstr(err.msg, part)) fprintf(stderr, "  '%.60s': \"%s\" lacks \"%s\"\n", qs, err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
    if (st == CP_OK) cp_query_free(&q);
}
#define REJECTED(qs, part) rejected_len(qs, strlen(qs), part)

static void test_documented_example(void)
{
    PAIRS("a=1&b=x%20y&c&d=", "a", "1", "b", "x y", "c", "", "d", "");
}

static void test_decoding(void)
{
    PAIRS("q=a+b", "q", "a b");
    PAIRS("q=a%2Bb", "q", "a+b");
    PAIRS("q=%41%62%7e", "q", "Ab~");
    PAIRS("q=%e2%82%ac", "q", "\xe2\x82\xac"); /* lower-case hex, EURO SIGN */
    PAIRS("q=%E2%82%AC", "q", "\xe2\x82\xac");
    PAIRS("q=\xe2\x82\xac", "q", "\xe2\x82\xac"); /* raw UTF-8 */
    PAIRS("a%5Bb%5D=1", "a[b]", "1");
    PAIRS("a+b=c+d", "a b", "c d");
    PAIRS("a=1=2", "a", "1=2");
    PAIRS("a==", "a", "=");
    PAIRS("a=%26&b=%3D", "a", "&", "b", "=");
    PAIRS("q=%f0%9f%98%80", "q", "\xf0\x9f\x98\x80");   /* 4-byte */
    PAIRS("q=%c3%a9", "q", "\xc3\xa9");                 /* 2-byte */
    PAIRS("q=%ef%bf%bf", "q", "\xef\xbf\xbf");          /* U+FFFF */
    PAIRS("q=%f4%8f%bf%bf", "q", "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
    PAIRS("q=%c2%80", "q", "\xc2\x80");                 /* U+0080, smallest 2-byte */
    PAIRS("q=%ed%9f%bf", "q", "\xed\x9f\xbf");          /* U+D7FF, below the surrogates */
}

static void test_pieces(void)
{
    PAIRS("a=1&&b=2", "a", "1", "b", "2");
    PAIRS("&a=1&", "a", "1");
    PAIRS("a", "a", "");
    PAIRS("a&b&c", "a", "", "b", "", "c", "");

    cp_query q;
    cp_err err;
    CHECK_INT(parse("", &q, &err), CP_OK);
    CHECK_INT(q.n, 0);
    cp_query_free(&q);
    CHECK_INT(parse("&&&", &q, &err), CP_OK);
    CHECK_INT(q.n, 0);
    cp_query_free(&q);

    /* len bounds the input */
    CHECK_INT(cp_query_parse("a=1&b=2", 3, &q, &err), CP_OK);
    CHECK_INT(q.n, 1);
    CHECK_STR(q.p[0].value, "1");
    cp_query_free(&q);
    CHECK_INT(q.n, 0); /* free leaves it empty, so a second free is harmless */
    cp_query_free(&q);
}

static void test_get_count(void)
{
    cp_query q;
    cp_err err;
    CHECK_INT(parse("a=1&b=2&a=3&A=4&c", &q, &err), CP_OK);
    CHECK_STR(cp_query_get(&q, "a"), "1"); /* the first */
    CHECK_INT(cp_query_count(&q, "a"), 2);
    CHECK_STR(cp_query_get(&q, "A"), "4"); /* case-sensitive */
    CHECK_STR(cp_query_get(&q, "c"), "");
    CHECK(cp_query_get(&q, "d") == NULL);
    CHECK_INT(cp_query_count(&q, "d"), 0);
    CHECK_INT(cp_query_count(&q, "b"), 1);
    cp_query_free(&q);
}

static void test_rejections(void)
{
    REJECTED("=1", "query parameter 1 has an empty name");
    REJECTED("a=1&=2", "query parameter 2 has an empty name");
    REJECTED("a=1&&=2", "query parameter 2 has an empty name"); /* empty pieces are not counted */
    REJECTED("%", "query parameter 1 has a bad %-escape in its name");
    REJECTED("%4", "a bad %-escape in its name");
    REJECTED("%zz=1", "a bad %-escape in its name");
    REJECTED("a%4=1", "a bad %-escape in its name");
    REJECTED("a=%", "a bad %-escape in its value");
    REJECTED("a=%4", "a bad %-escape in its value");
    REJECTED("a=%G1", "a bad %-escape in its value");
    REJECTED("a=%1G", "a bad %-escape in its value");
    REJECTED("a=%%41", "a bad %-escape in its value");
    REJECTED("a=1&b=x%", "query parameter 2 has a bad %-escape in its value");
    REJECTED("a=%00", "a value that is not UTF-8 (or holds a NUL)");
    REJECTED("%00=1", "a name that is not UTF-8 (or holds a NUL)");
    rejected_len("a=\0", 3, "a value that is not UTF-8");
    rejected_len("a\0=1", 4, "a name that is not UTF-8");
    REJECTED("a=%ff", "not UTF-8");
    REJECTED("a=%fe", "not UTF-8");
    REJECTED("a=%80", "not UTF-8");            /* lone continuation byte */
    REJECTED("a=%c0%af", "not UTF-8");         /* overlong '/' */
    REJECTED("a=%c1%bf", "not UTF-8");         /* overlong */
    REJECTED("a=%e0%80%af", "not UTF-8");      /* overlong 3-byte */
    REJECTED("a=%f0%80%80%af", "not UTF-8");   /* overlong 4-byte */
    REJECTED("a=%ed%a0%80", "not UTF-8");      /* surrogate U+D800 */
    REJECTED("a=%ed%bf%bf", "not UTF-8");      /* surrogate U+DFFF */
    REJECTED("a=%f4%90%80%80", "not UTF-8");   /* U+110000 */
    REJECTED("a=%f5%80%80%80", "not UTF-8");
    REJECTED("a=%e2%82", "not UTF-8");         /* truncated */
    REJECTED("a=%e2%82x", "not UTF-8");
    REJECTED("a=\xc3", "not UTF-8");           /* raw, truncated */
    REJECTED("%ff=1", "a name that is not UTF-8");
}

static void test_limits(void)
{
    char *buf = malloc(CP_QUERY_MAX_BYTES + 64);
    char key[CP_QUERY_KEY_MAX + 2];

    /* key: 64 bytes fine, 65 not */
    memset(key, 'k', CP_QUERY_KEY_MAX);
    key[CP_QUERY_KEY_MAX] = 0;
    snprintf(buf, CP_QUERY_MAX_BYTES, "%s=1", key);
    cp_query q;
    cp_err err;
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(strlen(q.p[0].key), CP_QUERY_KEY_MAX);
    cp_query_free(&q);
    snprintf(buf, CP_QUERY_MAX_BYTES, "a=1&%sk=1", key);
    REJECTED(buf, "query parameter 2 has a name longer than 64 bytes");
    /* the bound is on decoded bytes: 64 escapes are 192 bytes of text */
    buf[0] = 0;
    for (int i = 0; i < CP_QUERY_KEY_MAX; i++) strcat(buf, "%41");
    strcat(buf, "=1");
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    cp_query_free(&q);

    /* value: 2048 fine, 2049 not */
    strcpy(buf, "v=");
    memset(buf + 2, 'x', CP_QUERY_VALUE_MAX);
    buf[2 + CP_QUERY_VALUE_MAX] = 0;
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(strlen(cp_query_get(&q, "v")), CP_QUERY_VALUE_MAX);
    cp_query_free(&q);
    strcat(buf, "x");
    REJECTED(buf, "query parameter 1 has a value longer than 2048 bytes");
    /* 2048 decoded bytes from 6144 bytes of escapes */
    strcpy(buf, "v=");
    for (int i = 0; i < CP_QUERY_VALUE_MAX; i++) strcat(buf, "%7E");
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(strlen(cp_query_get(&q, "v")), CP_QUERY_VALUE_MAX);
    cp_query_free(&q);

    /* 32 parameters fine, 33 not; empty pieces do not count */
    buf[0] = 0;
    for (int i = 0; i < CP_QUERY_MAX_PARAMS; i++) {
        char piece[16];
        snprintf(piece, sizeof piece, "&p%d=%d&", i, i);
        strcat(buf, piece);
    }
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(q.n, CP_QUERY_MAX_PARAMS);
    CHECK_STR(cp_query_get(&q, "p31"), "31");
    cp_query_free(&q);
    strcat(buf, "x");
    REJECTED(buf, "more than 32 query parameters");
    /* 32 single-letter names: the most NULs per input byte */
    buf[0] = 0;
    for (int i = 0; i < CP_QUERY_MAX_PARAMS; i++) strcat(buf, i ? "&a" : "a");
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(cp_query_count(&q, "a"), CP_QUERY_MAX_PARAMS);
    cp_query_free(&q);

    /* whole query: 8192 fine, 8193 not */
    memset(buf, 0, CP_QUERY_MAX_BYTES + 64);
    for (int i = 0; i < 4; i++) {
        size_t o = strlen(buf);
        if (i) buf[o++] = '&';
        buf[o++] = (char)('a' + i);
        buf[o++] = '=';
        size_t room = (size_t)CP_QUERY_MAX_BYTES - o;
        size_t n = i < 3 ? 2045 : room; /* the last one: 2046 */
        memset(buf + o, 'v', n);
        buf[o + n] = 0;
    }
    CHECK_INT(strlen(buf), CP_QUERY_MAX_BYTES);
    CHECK_INT(parse(buf, &q, &err), CP_OK);
    CHECK_INT(q.n, 4);
    cp_query_free(&q);
    strcat(buf, "v");
    REJECTED(buf, "query string longer than 8192 bytes");
    free(buf);
}

int main(void)
{
    RUN(test_documented_example);
    RUN(test_decoding);
    RUN(test_pieces);
    RUN(test_get_count);
    RUN(test_rejections);
    RUN(test_limits);
    return harness_done();
}
