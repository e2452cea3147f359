/*
 * test_net.c — base/net.h: CIDR (IPv4, IPv6), range bounds, containment, AS
 * numbers, domain names.
 *
 * Besides table-driven cases, random addresses are cross-checked against the
 * C library (inet_pton / inet_ntop): the parser must agree with inet_pton on
 * which strings are addresses and on their bytes, and the canonical IPv6 text
 * must equal glibc's RFC 5952 output (outside the mixed IPv4 notation, see
 * CP_KNOWN_BUG_V4MAPPED_MIXED below).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"
#include "harness.h"

/* ---- helpers --------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static cp_status parse(const char *s, cp_cidr *c, cp_err *err)
{
    err->msg[0] = 0;
    return cp_cidr_parse(s, strlen(s), c, err);
}

static void fmt(const cp_cidr *c, char *buf) { cp_cidr_format(c, buf, CP_CIDR_TEXT_MAX); }

/* in parses, formats as want, and want parses back to the same value. */
static void canon(const char *in, const char *want)
{
    cp_cidr c, again;
    cp_err err;
    char buf[CP_CIDR_TEXT_MAX];
    cp_status st = parse(in, &c, &err);
    if (st) fprintf(stderr, "  '%s': %s\n", in, err.msg);
    CHECK_INT(st, CP_OK);
    if (st) return;
    fmt(&c, buf);
    CHECK_STR(buf, want);
    CHECK_INT(parse(buf, &again, &err), CP_OK);
    CHECK(memcmp(&c, &again, sizeof c) == 0);
}

/* in is rejected with CP_E_BAD_REQUEST and a message containing part. */
static void reject(const char *in, const char *part)
{
    cp_cidr c;
    cp_err err;
    cp_status st = parse(in, &c, &err);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  '%s' was accepted\n", in);
    if (part && !strstr(err.msg, part)) {
        fprintf(stderr, "  '%s': message \"%s\" lacks \"%s\"\n", in, err.msg, part);
        CHECK(strstr(err.msg, part) != NULL);
    }
}

static cp_cidr must(const char *s)
{
    cp_cidr c;
    cp_err err;
    cp_status st = parse(s, &c, &err);
    if (st) fprintf(stderr, "  must('%s'): %s\n", s, err.msg);
    CHECK_INT(st, CP_OK);
    return c;
}

/* ---- IPv4 ------------------------------------------------------------ */

static void test_v4_valid(void)
{
    canon("192.0.2.0/24", "192.0.2.0/24");
    canon("192.0.2.1", "192.0.2.1/32");
    canon("192.0.2.1/32", "192.0.2.1/32");
    canon("0.0.0.0/0", "0.0.0.0/0");
    canon("0.0.0.0", "0.0.0.0/32");
    canon("255.255.255.255", "255.255.255.255/32");
    canon("10.0.0.0/8", "10.0.0.0/8");
    canon("128.0.0.0/1", "128.0.0.0/1");
    canon("192.0.2.128/25", "192.0.2.128/25");
    canon("100.64.0.0/10", "100.64.0.0/10");

    cp_cidr c = must("198.51.100.7");
    CHECK_INT(c.family, 4);
    CHECK_INT(c.prefix, 32);
    CHECK(c.addr[0] == 198 && c.addr[1] == 51 && c.addr[2] == 100 && c.addr[3] == 7);
    for (int i = 4; i < 16; i++) CHECK_INT(c.addr[i], 0);
    c = must("0.0.0.0/0");
    CHECK_INT(c.prefix, 0);
    CHECK_INT(c.family, 4);

    /* len bounds the input: no NUL needed, bytes after len ignored */
    cp_err err;
    CHECK_INT(cp_cidr_parse("10.0.0.0/8garbage", 10, &c, &err), CP_OK);
    CHECK_INT(c.prefix, 8);
}

static void test_v4_invalid(void)
{
    const char *not_addr = "is not an IPv4 or IPv6 address";
    reject("", "empty address");
    reject("010.0.0.1", not_addr); /* leading zero: not guessed as octal */
    reject("1.2.3.04", not_addr);
    reject("00.0.0.0", not_addr);
    reject("1.02.3.4", not_addr);
    reject("256.0.0.0", not_addr);
    reject("1.2.3.256", not_addr);
    reject("1.2.3.1000", not_addr);
    reject("1.2.3", not_addr);
    reject("1.2.3.4.5", not_addr);
    reject("1..2.3", not_addr);
    reject("1.2.3.", not_addr);
    reject(".1.2.3", not_addr);
    reject(" 1.2.3.4", not_addr);
    reject("1.2.3.4 ", not_addr);
    reject("1.2.3.-4", not_addr);
    reject("0x1.2.3.4", not_addr);
    reject("1.2.3.4a", not_addr);
    reject("a.b.c.d", not_addr);
    reject("1,2,3,4", not_addr);
    reject("/24", not_addr);
    reject("example.org", not_addr);
    reject("4294967295", not_addr);
    reject("1.2.3.4%eth0", not_addr);
    static const char nul[] = "1.2.3.4\0";
    cp_cidr c;
    cp_err err;
    CHECK_INT(cp_cidr_parse(nul, sizeof nul - 1, &c, &err), CP_E_BAD_REQUEST);

    const char *bad_prefix = "bad prefix length";
    reject("1.2.3.4/33", bad_prefix);
    reject("1.2.3.4/", bad_prefix);
    reject("1.2.3.4/01", bad_prefix);
    reject("1.2.3.0/00", bad_prefix);
    reject("1.2.3.4/-1", bad_prefix);
    reject("1.2.3.4/+8", bad_prefix);
    reject("1.2.3.4/1000", bad_prefix);
    reject("1.2.3.4/3a", bad_prefix);
    reject("1.2.3.4/ 32", bad_prefix);
    reject("1.2.3.4//32", bad_prefix);
    reject("1.2.3.0/24/24", bad_prefix);
    reject("1.2.3.4/33", "(0 to 32)");
    reject("::/129", "(0 to 128)");
}

static void test_host_bits(void)
{
    reject("192.0.2.1/24", "host bits set in 192.0.2.1/24; did you mean 192.0.2.0/24?");
    reject("10.1.2.3/8", "did you mean 10.0.0.0/8?");
    reject("1.2.3.4/0", "did you mean 0.0.0.0/0?");
    reject("192.0.2.128/24", "did you mean 192.0.2.0/24?");
    reject("192.0.2.129/31", "did you mean 192.0.2.128/31?");
    reject("2001:db8::1/32", "did you mean 2001:db8::/32?");
    reject("::1/0", "did you mean ::/0?");
    reject("2001:db8:1:2:3:4:5:6/64", "did you mean 2001:db8:1:2::/64?");
    reject("2001:DB8:0:0:4000::/65", "did you mean 2001:db8::/65?");
    reject("fe80::1:2/112", "did you mean fe80::1:0/112?");
}

/* ---- IPv6 ------------------------------------------------------------ */

static void test_v6_valid(void)
{
    canon("::/0", "::/0");
    canon("::", "::/128");
    canon("::1", "::1/128");
    canon("::1/128", "::1/128");
    canon("2001:db8::/32", "2001:db8::/32");
    canon("2001:db8::1:0:0:1", "2001:db8::1:0:0:1/128"); /* two equal runs: the first is compressed */
    canon("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128");
    canon("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128");
    canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128"); /* one zero field is never compressed */
    canon("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::/128");     /* the longer run wins */
    canon("1:0:0:2:0:0:0:3", "1:0:0:2::3/128");
    canon("0:0:1::", "0:0:1::/128");
    canon("1::", "1::/128");
    canon("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128");
    canon("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8/128");
    canon("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128");
    canon("fe80::/10", "fe80::/10");
    canon("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    canon("2001:db8:abcd:12::/64", "2001:db8:abcd:12::/64");
    canon("0000:0000:0000:0000:0000:0000:255.255.255.255", "::ffff:ffff/128");
    canon("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128");
    canon("64:ff9b::192.0.2.33", "64:ff9b::c000:221/128");
    canon("::ffff:0:0/96", "::ffff:0.0.0.0/96");

    cp_cidr c = must("::ffff:1.2.3.4");
    CHECK_INT(c.family, 6);
    CHECK_INT(c.prefix, 128);
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4};
    CHECK(memcmp(c.addr, mapped, 16) == 0);
    char buf[CP_CIDR_TEXT_MAX];
    fmt(&c, buf);
    cp_cidr again = must(buf); /* whatever the text, it round-trips */
    CHECK(memcmp(&c, &again, sizeof c) == 0);
    /* RFC 5952 section 5: an IPv4-mapped address is RECOMMENDED in mixed
     * notation, as inet_ntop writes it. The formatter writes ::ffff:102:304. */
    CHECK_STR(buf, "::ffff:1.2.3.4/128");
}

static void test_v6_invalid(void)
{
    const char *not_addr = "is not an IPv4 or IPv6 address";
    reject(":::", not_addr);
    reject("1:::2", not_addr);
    reject("1::2::3", not_addr);
    reject("::1::", not_addr);
    reject(":1::", not_addr);
    reject(":1:2:3:4:5:6:7", not_addr);
    reject("1::2:", not_addr);
    reject("1:2:3:4:5:6:7:", not_addr);
    reject("1:2:3:4:5:6:7:8:9", not_addr);
    reject("1:2:3:4:5:6:7", not_addr);
    reject("1:2:3:4:5:6:7:8::", not_addr);
    reject("::1:2:3:4:5:6:7:8", not_addr);
    reject("12345::", not_addr);
    reject("g::", not_addr);
    reject("::ffff:1.2.3", not_addr);
    reject("::1.2.3.4:5", not_addr);
    reject("1.2.3.4::", not_addr);
    reject("::01.2.3.4", not_addr);
    reject("::1.2.3.256", not_addr);
    reject("1:2:3:4:5:6:7:1.2.3.4", not_addr);
    reject("fe80::1%eth0", not_addr);
    reject("[::1]", not_addr);
    reject("::1 ", not_addr);
    reject(" ::1", not_addr);
    reject("0000:0000:0000:0000:0000:0000:0000:0000:0", not_addr);
    reject("::/", "bad prefix length");
    reject("::/0128", "bad prefix length");
}

/* Random IPv6 addresses with zero runs, through inet_ntop text, upper-case
 * text and fully expanded text. */
static void test_v6_crosscheck(void)
{
    int mismatches = 0, mixed_differs = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t a[16];
        for (int i = 0; i < 16; i++) a[i] = (uint8_t)rnd();
        /* zero some words to make runs of every length and position */
        int start = (int)(rnd() % 9), len = (int)(rnd() % 9);
        for (int w = start; w < start + len && w < 8; w++) a[2 * w] = a[2 * w + 1] = 0;
        if (rnd() % 4 == 0) /* and sometimes scattered single zero words */
            for (int w = 0; w < 8; w++)
                if (rnd() % 3 == 0) a[2 * w] = a[2 * w + 1] = 0;
        if (iter < 64) { /* the IPv4-mapped and IPv4-compatible ranges */
            memset(a, 0, 10);
            if (iter % 2) a[10] = a[11] = 0xff;
        }
        char text[INET6_ADDRSTRLEN];
        CHECK(inet_ntop(AF_INET6, a, text, sizeof text) != NULL);

        cp_cidr c;
        cp_err err;
        if (parse(text, &c, &err) != CP_OK || c.family != 6 || c.prefix != 128 || memcmp(c.addr, a, 16) != 0) {
            if (mismatches++ < 5) fprintf(stderr, "  parse('%s') disagrees with inet_pton: %s\n", text, err.msg);
            continue;
        }
        char buf[CP_CIDR_TEXT_MAX], want[INET6_ADDRSTRLEN + 8];
        fmt(&c, buf);
        if (strchr(text, '.')) {
            mixed_differs++; /* glibc writes mixed notation here; see test_v6_valid */
        } else {
            snprintf(want, sizeof want, "%s/128", text);
            if (strcmp(buf, want) != 0 && mismatches++ < 5)
                fprintf(stderr, "  format: '%s', inet_ntop: '%s'\n", buf, want);
        }
        /* upper case */
        char up[INET6_ADDRSTRLEN];
        for (size_t i = 0; i <= strlen(text); i++) up[i] = (char)toupper((unsigned char)text[i]);
        cp_cidr u;
        if (parse(up, &u, &err) != CP_OK || memcmp(&u, &c, sizeof c) != 0) {
            if (mismatches++ < 5) fprintf(stderr, "  upper-case '%s' not equal\n", up);
        }
        /* fully expanded, with leading zeros */
        char full[48];
        snprintf(full, sizeof full, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
                 a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
                 a[15]);
        cp_cidr f;
        if (parse(full, &f, &err) != CP_OK || memcmp(&f, &c, sizeof c) != 0) {
            if (mismatches++ < 5) fprintf(stderr, "  expanded '%s' not equal\n", full);
        }
    }
    CHECK_INT(mismatches, 0);
    CHECK(mixed_differs > 0); /* the IPv4-mapped cases ran */
}

static void test_v4_crosscheck(void)
{
    int mismatches = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint32_t v = (uint32_t)rnd();
        if (iter < 8) v = iter < 4 ? (uint32_t)iter : 0xffffffffu - (uint32_t)iter;
        uint8_t a[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        char text[INET_ADDRSTRLEN], want[INET_ADDRSTRLEN + 4], buf[CP_CIDR_TEXT_MAX];
        CHECK(inet_ntop(AF_INET, a, text, sizeof text) != NULL);
        cp_cidr c;
        cp_err err;
        if (parse(text, &c, &err) != CP_OK || c.family != 4 || memcmp(c.addr, a, 4) != 0) {
            if (mismatches++ < 5) fprintf(stderr, "  parse('%s'): %s\n", text, err.msg);
            continue;
        }
        fmt(&c, buf);
        snprintf(want, sizeof want, "%s/32", text);
        if (strcmp(buf, want) != 0 && mismatches++ < 5) fprintf(stderr, "  format '%s' != '%s'\n", buf, want);
        /* the network of a random prefix parses; one host bit more is rejected */
        int p = (int)(rnd() % 33);
        uint32_t m = p ? 0xffffffffu << (32 - p) : 0;
        uint32_t net = v & m;
        char t2[40];
        snprintf(t2, sizeof t2, "%u.%u.%u.%u/%d", net >> 24, (net >> 16) & 255, (net >> 8) & 255, net & 255, p);
        if (parse(t2, &c, &err) != CP_OK && mismatches++ < 5) fprintf(stderr, "  '%s': %s\n", t2, err.msg);
        if (p < 32) {
            uint32_t h = net | (1u << (rnd() % (uint64_t)(32 - p)));
            snprintf(t2, sizeof t2, "%u.%u.%u.%u/%d", h >> 24, (h >> 16) & 255, (h >> 8) & 255, h & 255, p);
            if (parse(t2, &c, &err) != CP_E_BAD_REQUEST || !strstr(err.msg, "host bits")) {
                if (mismatches++ < 5) fprintf(stderr, "  '%s' accepted with host bits\n", t2);
            }
        }
    }
    CHECK_INT(mismatches, 0);
}

/* Random strings over the address alphabet: cp_cidr_parse (without a
 * prefix) accepts exactly what inet_pton accepts, with the same bytes. */
static void test_differential_inet_pton(void)
{
    static const char alpha[] = "0123456789abcdefABCDEF:.:.::..0000ffff";
    int disagreements = 0, accepted = 0;
    for (int iter = 0; iter < 300000; iter++) {
        char s[48];
        int n = 1 + (int)(rnd() % 24);
        for (int i = 0; i < n; i++) s[i] = alpha[rnd() % (sizeof alpha - 1)];
        s[n] = 0;
        uint8_t b4[4], b6[16];
        int ok4 = inet_pton(AF_INET, s, b4) == 1, ok6 = inet_pton(AF_INET6, s, b6) == 1;
        cp_cidr c;
        cp_err err;
        bool ours = parse(s, &c, &err) == CP_OK;
        bool same = ours ? (c.family == 4 ? ok4 && memcmp(c.addr, b4, 4) == 0 : ok6 && memcmp(c.addr, b6, 16) == 0)
                         : !ok4 && !ok6;
        accepted += ours;
        if (!same && disagreements++ < 5)
            fprintf(stderr, "  '%s': cp_cidr_parse %s, inet_pton v4 %d v6 %d\n", s, ours ? "accepts" : "rejects", ok4,
                    ok6);
    }
    CHECK_INT(disagreements, 0);
    CHECK(accepted > 100); /* the alphabet does produce addresses */
}

/* ---- range bounds and containment ------------------------------------ */

static void range(const char *s, const char *lo_want, const char *hi_want)
{
    cp_cidr c = must(s);
    char lo[33], hi[33];
    cp_cidr_range_hex(&c, lo, hi);
    CHECK_STR(lo, lo_want);
    CHECK_STR(hi, hi_want);
}

static void test_range_hex(void)
{
    range("0.0.0.0/0", "00000000000000000000ffff00000000", "00000000000000000000ffffffffffff");
    range("192.0.2.0/24", "00000000000000000000ffffc0000200", "00000000000000000000ffffc00002ff");
    range("192.0.2.7", "00000000000000000000ffffc0000207", "00000000000000000000ffffc0000207");
    range("255.255.255.255", "00000000000000000000ffffffffffff", "00000000000000000000ffffffffffff");
    range("::/0", "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff");
    range("::1", "00000000000000000000000000000001", "00000000000000000000000000000001");
    range("2001:db8::/32", "20010db8000000000000000000000000", "20010db8ffffffffffffffffffffffff");
    range("2001:db8:8000::/33", "20010db8800000000000000000000000", "20010db8ffffffffffffffffffffffff");
    range("fe80::/10", "fe800000000000000000000000000000", "febfffffffffffffffffffffffffffff");
}

static void random_cidr(cp_cidr *c)
{
    memset(c, 0, sizeof *c);
    c->family = rnd() % 2 ? 4 : 6;
    int bytes = c->family == 4 ? 4 : 16, max = c->family == 4 ? 32 : 128;
    for (int i = 0; i < bytes; i++) c->addr[i] = (uint8_t)rnd();
    c->prefix = (uint8_t)(rnd() % (uint64_t)(max + 1));
    for (int i = 0; i < bytes; i++) {
        int bits = c->prefix - 8 * i;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        c->addr[i] &= m;
    }
}

/* 128-bit position of an address in the range space. */
static void mapped(const cp_cidr *c, uint8_t out[16])
{
    if (c->family == 4) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, c->addr, 4);
    } else {
        memcpy(out, c->addr, 16);
    }
}

static bool contains_ref(const cp_cidr *o, const cp_cidr *in)
{
    if (o->family != in->family || in->prefix < o->prefix) return false;
    for (int b = 0; b < o->prefix; b++)
        if (((o->addr[b / 8] >> (7 - b % 8)) & 1) != ((in->addr[b / 8] >> (7 - b % 8)) & 1)) return false;
    return true;
}

static void test_range_order_property(void)
{
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        cp_cidr a, b;
        random_cidr(&a);
        random_cidr(&b);
        if (iter % 3 == 0) { /* b inside a */
            b = a;
            int max = a.family == 4 ? 32 : 128;
            b.prefix = (uint8_t)(a.prefix + rnd() % (uint64_t)(max - a.prefix + 1));
            for (int bit = a.prefix; bit < b.prefix; bit++)
                if (rnd() % 2) b.addr[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
        }
        char alo[33], ahi[33], blo[33], bhi[33];
        cp_cidr_range_hex(&a, alo, ahi);
        cp_cidr_range_hex(&b, blo, bhi);
        uint8_t ma[16], mb[16];
        mapped(&a, ma);
        mapped(&b, mb);
        int c1 = strcmp(alo, blo), c2 = memcmp(ma, mb, 16);
        bool order_ok = (c1 < 0) == (c2 < 0) && (c1 == 0) == (c2 == 0);
        bool lohi_ok = strcmp(alo, ahi) <= 0 && strlen(alo) == 32 && strlen(ahi) == 32;
        bool contains = cp_cidr_contains(&a, &b);
        bool cont_ok = contains == contains_ref(&a, &b) && cp_cidr_contains(&a, &a);
        /* containment within one family is exactly nesting of [lo, hi] */
        bool nest = strcmp(alo, blo) <= 0 && strcmp(bhi, ahi) <= 0;
        bool nest_ok = a.family != b.family || nest == contains;
        char abuf[CP_CIDR_TEXT_MAX];
        cp_cidr again;
        cp_err err;
        fmt(&a, abuf);
        bool round_ok = parse(abuf, &again, &err) == CP_OK && memcmp(&again, &a, sizeof a) == 0;
        if (!(order_ok && lohi_ok && cont_ok && nest_ok && round_ok) && bad++ < 5) {
            char bbuf[CP_CIDR_TEXT_MAX];
            fmt(&b, bbuf);
            fprintf(stderr, "  a=%s b=%s order %d lohi %d contains %d nest %d roundtrip %d\n", abuf, bbuf, order_ok,
                    lohi_ok, cont_ok, nest_ok, round_ok);
        }
    }
    CHECK_INT(bad, 0);
}

static void test_contains(void)
{
    struct {
        const char *outer, *inner;
        bool want;
    } cases[] = {
        {"10.0.0.0/8", "10.1.0.0/16", true},
        {"10.0.0.0/8", "10.255.255.255", true},
        {"10.0.0.0/8", "10.0.0.0/8", true},
        {"10.0.0.0/8", "11.0.0.0/16", false},
        {"10.0.0.0/8", "0.0.0.0/0", false},
        {"10.0.0.0/8", "10.0.0.0/7", false},
        {"10.0.0.0/9", "10.127.255.255", true},
        {"10.0.0.0/9", "10.128.0.0/9", false},
        {"0.0.0.0/0", "255.255.255.255", true},
        {"0.0.0.0/0", "0.0.0.0/0", true},
        {"0.0.0.0/0", "::/0", false},
        {"::/0", "0.0.0.0/0", false},
        {"::/0", "2001:db8::1", true},
        {"::/0", "::ffff:1.2.3.4", true},
        {"::ffff:0.0.0.0/96", "1.2.3.4", false}, /* families differ, whatever the range space says */
        {"2001:db8::/32", "2001:db8:ffff::/48", true},
        {"2001:db8::/32", "2001:db9::/48", false},
        {"2001:db8::/32", "2001:db8::/31", false},
        {"2001:db8::1", "2001:db8::1", true},
        {"2001:db8::1", "2001:db8::2", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cp_cidr o = must(cases[i].outer), in = must(cases[i].inner);
        bool got = cp_cidr_contains(&o, &in);
        if (got != cases[i].want) fprintf(stderr, "  contains(%s, %s) = %d\n", cases[i].outer, cases[i].inner, got);
        CHECK(got == cases[i].want);
    }
}

/* ---- AS numbers ------------------------------------------------------ */

static void asn_ok(const char *s, uint32_t want)
{
    uint32_t v = 0;
    cp_err err = {{0}};
    cp_status st = cp_asn_parse(s, strlen(s), &v, &err);
    if (st) fprintf(stderr, "  asn '%s': %s\n", s, err.msg);
    CHECK_INT(st, CP_OK);
    CHECK_INT(v, want);
}

static void asn_bad(const char *s, const char *part)
{
    uint32_t v = 12345;
    cp_err err = {{0}};
    cp_status st = cp_asn_parse(s, strlen(s), &v, &err);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  asn '%s' accepted as %u\n", s, v);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    CHECK_INT(v, 12345); /* not written on failure */
    if (!strstr(err.msg, part)) fprintf(stderr, "  asn '%s': \"%s\" lacks \"%s\"\n", s, err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
}

static void test_asn(void)
{
    asn_ok("AS64500", 64500);
    asn_ok("as64500", 64500);
    asn_ok("aS1", 1);
    asn_ok("As65535", 65535);
    asn_ok("64500", 64500);
    asn_ok("1", 1);
    asn_ok("4294967295", 4294967295u);
    asn_ok("AS4294967295", 4294967295u);
    asn_ok("1.10", 65546); /* asdot */
    asn_ok("AS1.10", 65546);
    asn_ok("0.1", 1);
    asn_ok("1.0", 65536);
    asn_ok("65535.65535", 4294967295u);
    asn_ok("AS65535.65535", 4294967295u);

    const char *not_asn = "is not an AS number";
    asn_bad("", not_asn);
    asn_bad("AS", not_asn);
    asn_bad("as", not_asn);
    asn_bad("0", "AS0 is reserved");
    asn_bad("AS0", "AS0 is reserved");
    asn_bad("0.0", "AS0 is reserved");
    asn_bad("4294967296", not_asn);           /* overflow by one */
    asn_bad("AS4294967296", not_asn);
    asn_bad("99999999999", not_asn);          /* 11 digits: overflow */
    asn_bad("123456789012", not_asn);         /* 12 digits: too long */
    asn_bad("18446744073709551617", not_asn); /* would wrap a 64-bit accumulator */
    asn_bad("65536.0", not_asn);
    asn_bad("1.65536", not_asn);
    asn_bad("65535.65536", not_asn);
    asn_bad("1.", not_asn);
    asn_bad(".1", not_asn);
    asn_bad("1..1", not_asn);
    asn_bad("1.2.3", not_asn);
    asn_bad("AS-1", not_asn);
    asn_bad("-1", not_asn);
    asn_bad("+1", not_asn);
    asn_bad("AS 1", not_asn);
    asn_bad(" 1", not_asn);
    asn_bad("1 ", not_asn);
    asn_bad("ASN1", not_asn);
    asn_bad("A1", not_asn);
    asn_bad("S1", not_asn);
    asn_bad("ASAS1", not_asn);
    asn_bad("AS1a", not_asn);
    asn_bad("0x10", not_asn);
    asn_bad("1e3", not_asn);

    /* len bounds the input */
    uint32_t v = 0;
    cp_err err;
    CHECK_INT(cp_asn_parse("AS123456", 5, &v, &err), CP_OK);
    CHECK_INT(v, 123);
    static const char nul[] = "AS1\0" "2";
    CHECK_INT(cp_asn_parse(nul, sizeof nul - 1, &v, &err), CP_E_BAD_REQUEST);
}

/* ---- domains --------------------------------------------------------- */

static void dom_ok(const char *s, const char *want)
{
    char out[300], again[300];
    cp_err err = {{0}};
    cp_status st = cp_domain_normalize(s, strlen(s), out, sizeof out, &err);
    if (st) fprintf(stderr, "  domain '%.60s': %s\n", s, err.msg);
    CHECK_INT(st, CP_OK);
    if (st) return;
    CHECK_STR(out, want);
    CHECK_INT(cp_domain_normalize(out, strlen(out), again, sizeof again, &err), CP_OK);
    CHECK_STR(again, out); /* idempotent */
}

static void dom_bad(const char *s, size_t len, const char *part)
{
    char out[300];
    cp_err err = {{0}};
    cp_status st = cp_domain_normalize(s, len, out, sizeof out, &err);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  domain '%.60s' accepted\n", s);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    if (!strstr(err.msg, part)) fprintf(stderr, "  domain '%.60s': \"%s\" lacks \"%s\"\n", s, err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
}
#define DOM_BAD(s, part) dom_bad(s, strlen(s), part)

static void test_domain(void)
{
    dom_ok("example.org", "example.org");
    dom_ok("Example.ORG", "example.org");
    dom_ok("example.org.", "example.org");
    dom_ok("a.b", "a.b");
    dom_ok("WWW.Sub.Example.Co.UK", "www.sub.example.co.uk");
    dom_ok("xn--bcher-kva.example", "xn--bcher-kva.example");
    dom_ok("a-b.c-d.org", "a-b.c-d.org");
    dom_ok("a--b.org", "a--b.org");
    dom_ok("123.example", "123.example");
    dom_ok("cert.europa.eu", "cert.europa.eu");

    /* label of 63 bytes is fine, 64 is not */
    char l63[80], l64[80], buf[400];
    memset(l63, 'a', 63);
    l63[63] = 0;
    memset(l64, 'b', 64);
    l64[64] = 0;
    snprintf(buf, sizeof buf, "%s.org", l63);
    dom_ok(buf, buf);
    snprintf(buf, sizeof buf, "%s.org", l64);
    DOM_BAD(buf, "label 1 of");
    DOM_BAD(buf, "longer than 63 bytes");
    snprintf(buf, sizeof buf, "x.%s.org", l64);
    DOM_BAD(buf, "label 2 of");

    /* 253 bytes in all is fine (also with the trailing dot), 254 is not */
    char name[300];
    snprintf(name, sizeof name, "%s.%s.%s.", l63, l63, l63); /* 192 */
    size_t n = strlen(name);
    memset(name + n, 'c', 253 - n - 4);
    memcpy(name + 253 - 4, ".org", 5);
    CHECK_INT(strlen(name), 253);
    dom_ok(name, name);
    char dotted[310];
    snprintf(dotted, sizeof dotted, "%s.", name);
    dom_ok(dotted, name);
    char longer[310];
    snprintf(longer, sizeof longer, "c%s", name);
    DOM_BAD(longer, "longer than 253 bytes");

    DOM_BAD("", "empty domain name");
    DOM_BAD(".", "empty domain name");
    DOM_BAD("example", "needs at least two labels");
    DOM_BAD("example.", "needs at least two labels");
    DOM_BAD("..org", "label 1 of '..org' is empty");
    DOM_BAD(".a.b", "label 1 of");
    DOM_BAD("a..b", "label 2 of 'a..b' is empty");
    DOM_BAD("a.b..", "label 3 of");
    DOM_BAD("-a.org", "label 1 ('-a') starts or ends with a hyphen");
    DOM_BAD("a-.org", "label 1 ('a-') starts or ends with a hyphen");
    DOM_BAD("a.-b", "label 2 ('-b')");
    DOM_BAD("a.b-", "label 2 ('b-')");
    DOM_BAD("ex ample.org", "at byte 2");
    DOM_BAD("ex_ample.org", "character not allowed");
    DOM_BAD("ex\xc3\xa4mple.org", "use punycode");
    DOM_BAD("a.b/c", "at byte 3");
    DOM_BAD("*.example.org", "at byte 0");
    DOM_BAD("example.org:80", "character not allowed");
    dom_bad("a.b\0c", 5, "at byte 3");

    /* the output buffer must hold the name */
    char small[5];
    cp_err err;
    CHECK_INT(cp_domain_normalize("example.org", 11, small, sizeof small, &err), CP_E_BAD_REQUEST);
    char exact[12];
    CHECK_INT(cp_domain_normalize("example.org", 11, exact, sizeof exact, &err), CP_OK);
    CHECK_STR(exact, "example.org");
}

int main(void)
{
    RUN(test_v4_valid);
    RUN(test_v4_invalid);
    RUN(test_host_bits);
    RUN(test_v6_valid);
    RUN(test_v6_invalid);
    RUN(test_v6_crosscheck);
    RUN(test_v4_crosscheck);
    RUN(test_differential_inet_pton);
    RUN(test_range_hex);
    RUN(test_range_order_property);
    RUN(test_contains);
    RUN(test_asn);
    RUN(test_domain);
    return harness_done();
}
