/*
 * test_iset_file.c — the compiled indicator file (warning/iset.h): a saved
 * set loads back with the same answers and figures; damaged and hostile
 * files (truncated, a flipped byte, a wrong version, a valid checksum over
 * out-of-range indexes or non-canonical keys) are refused with a message
 * saying what is wrong, never loaded, never a crash.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "harness.h"
#include "intel/tlp.h"
#include "warning/iset.h"

static cp_iset *build(void)
{
    static const char *const P[][2] = {
        {"indicator--a", "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"},
        {"indicator--b", "[domain-name:value LIKE '%.c2.example']"},
        {"indicator--c", "[ipv4-addr:value = '192.0.2.50' AND (domain-name:value = 'pair.example' OR url:value = 'http://p.example/')]"},
        {"indicator--d", "[file:hashes.'SHA-256' = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']"},
        {"indicator--e", "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2']"},
    };
    cp_iset_builder *b = cp_iset_builder_new();
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++)
        CHECK(cp_iset_builder_add_pattern(b, P[i][0], P[i][1], strlen(P[i][1]), i == 0 ? CP_TLP_RED : CP_TLP_GREEN, (int64_t)i + 10,
                                          NULL, NULL) == CP_OK);
    return cp_iset_builder_finish(b, NULL);
}

static size_t hits(const cp_iset *s, cp_val_kind k, const char *v, uint32_t *ind)
{
    cp_val val = {k, v, strlen(v)};
    cp_iset_hit h[4];
    size_t n = cp_iset_match(s, &val, 1, h, 4);
    if (n && ind) *ind = h[0].indicator;
    return n;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    if (fread(b, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return b;
}

/* Re-seals a modified body so the checksum passes and the loader's other
 * checks must catch the damage. */
static void reseal(unsigned char *b, size_t len)
{
    crypto_generichash(b + 24, 32, b + 64, len - 64, NULL, 0);
}

static cp_status load(const unsigned char *b, size_t len, cp_err *err)
{
    cp_iset *s = NULL;
    cp_status st = cp_iset_load_mem(b, len, &s, err);
    if (s) cp_iset_release(s);
    return st;
}

static void test_round_trip_and_damage(void)
{
    cp_iset *s = build();
    char path[] = "/tmp/cp-iset-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    cp_err err = {{0}};
    CHECK(cp_iset_save(s, path, &err) == CP_OK);
    cp_iset *l = NULL;
    CHECK(cp_iset_load(path, &l, &err) == CP_OK);
    cp_iset_stats a, b;
    cp_iset_stats_get(s, &a);
    cp_iset_stats_get(l, &b);
    CHECK_INT(b.indicators, 4);
    CHECK_INT(b.skipped_multi_event, 1);
    CHECK_INT(a.bytes, b.bytes);
    CHECK_INT(cp_iset_built_at(l), cp_iset_built_at(s));
    uint32_t ind = 99;
    CHECK_INT(hits(l, CP_VAL_IPV4, "203.0.113.200", &ind), 1);
    CHECK_STR(cp_iset_indicator_id(l, ind), "indicator--a");
    CHECK_INT(cp_iset_indicator_tlp(l, ind), CP_TLP_RED);
    CHECK_INT(cp_iset_indicator_collection(l, ind), 10);
    CHECK_INT(hits(l, CP_VAL_DOMAIN, "x.c2.example", NULL), 1);
    CHECK_INT(hits(l, CP_VAL_DOMAIN, "c2.example", NULL), 0);
    CHECK_INT(hits(l, CP_VAL_SHA256, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL), 1);
    cp_val ev[] = {{CP_VAL_IPV4, "192.0.2.50", 10}, {CP_VAL_URL, "HTTP://p.example", 16}};
    cp_iset_hit h[4];
    CHECK_INT(cp_iset_match(l, ev, 2, h, 4), 1);
    CHECK_INT(cp_iset_match(l, ev, 1, h, 4), 0);
    cp_iset_release(l);

    size_t len = 0;
    unsigned char *file = slurp(path, &len);
    CHECK(file && len > 64);
    unsigned char *c = malloc(len);
    /* every truncation is refused */
    for (size_t cut = 0; cut < len; cut += (cut < 128 ? 1 : 37)) {
        err.msg[0] = 0;
        CHECK(load(file, cut, &err) == CP_E_UNPROCESSABLE);
        CHECK(strstr(err.msg, "compiled indicators: ") == err.msg);
    }
    /* any flipped byte in the body breaks the checksum */
    memcpy(c, file, len);
    c[len / 2] ^= 0x40;
    CHECK(load(c, len, &err) == CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "checksum") != NULL);
    /* magic and version */
    memcpy(c, file, len);
    c[0] = 'X';
    CHECK(load(c, len, &err) == CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "magic") != NULL);
    memcpy(c, file, len);
    c[8] = 2;
    CHECK(load(c, len, &err) == CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "version 2") != NULL);
    /* with a valid checksum: the indicator count beyond the file */
    memcpy(c, file, len);
    c[64 + 64] = 0xff, c[64 + 65] = 0xff, c[64 + 66] = 0xff;
    reseal(c, len);
    CHECK(load(c, len, &err) == CP_E_UNPROCESSABLE);
    /* with a valid checksum: every single-byte change of the body is either
     * refused or loads a set that still answers (no crash, no overread) */
    int refused = 0;
    for (size_t i = 64; i < len; i++) {
        memcpy(c, file, len);
        c[i] ^= 0xff;
        reseal(c, len);
        cp_iset *x = NULL;
        if (cp_iset_load_mem(c, len, &x, &err) != CP_OK) {
            refused++;
            CHECK(strstr(err.msg, "compiled indicators: ") == err.msg);
        } else {
            hits(x, CP_VAL_IPV4, "203.0.113.200", NULL);
            hits(x, CP_VAL_DOMAIN, "a.c2.example", NULL);
            cp_iset_release(x);
        }
    }
    CHECK(refused > (int)(len - 64) / 2);
    /* garbage after the last key */
    unsigned char *g = malloc(len + 3);
    memcpy(g, file, len);
    memset(g + len, 0, 3);
    g[16] = (unsigned char)(g[16] + 3);
    reseal(g, len + 3);
    CHECK(load(g, len + 3, &err) == CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "garbage") != NULL);
    free(g);
    /* not a file */
    CHECK(cp_iset_load("/nonexistent/x.cpiset", &l, &err) == CP_E_IO);
    CHECK(cp_iset_load("/tmp", &l, &err) == CP_E_IO);
    free(c);
    free(file);
    unlink(path);
    cp_iset_release(s);
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    RUN(test_round_trip_and_damage);
    return harness_done();
}
