/*
 * test_rir.c — members/rir.h, the RIR delegated-stats parser.
 *
 * The fixture tests/data/delegated-test.txt (found through CP_TEST_DATA, set
 * by CTest) is a small file in the official extended format: version line,
 * summaries, comments, a blank line, IPv4 counts that are and are not powers
 * of two, IPv6, AS ranges, available/reserved/ZZ records, and CRLF on some
 * lines. Malformed lines are checked one by one for their "line N: ..."
 * message, and the IPv4 decomposition is checked against an independent
 * minimal cover on random ranges.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "members/rir.h"

/* ---- collecting callback -------------------------------------------- */

#define MAX_ENTRIES 4096

typedef struct {
    char text[MAX_ENTRIES][128]; /* "FR 2.0.0.0/12", "NL AS1100+3" */
    cp_rir_entry e[MAX_ENTRIES];
    int n;
    int fail_at; /* return an error on this entry (1-based); 0 = never */
} collect;

static cp_status on_entry(void *ctx, const cp_rir_entry *e, cp_err *err)
{
    collect *c = ctx;
    if (c->fail_at && c->n + 1 == c->fail_at) return cp_fail(err, CP_E_CONFLICT, "callback says stop");
    if (c->n >= MAX_ENTRIES) return cp_fail(err, CP_E_INTERNAL, "too many entries for the test");
    c->e[c->n] = *e;
    if (e->kind == CP_RIR_ASN) {
        snprintf(c->text[c->n], sizeof c->text[0], "%s AS%u+%u", e->cc, e->asn_first, e->asn_count);
    } else {
        char buf[CP_CIDR_TEXT_MAX];
        cp_cidr_format(&e->cidr, buf, sizeof buf);
        snprintf(c->text[c->n], sizeof c->text[0], "%s %s%s", e->cc, buf,
                 (e->kind == CP_RIR_IPV4) == (e->cidr.family == 4) ? "" : " (kind/family mismatch)");
    }
    c->n++;
    return CP_OK;
}

static collect *new_collect(void) { return calloc(1, sizeof(collect)); }

static cp_status run(const char *buf, size_t len, collect *c, cp_rir_stats *st, cp_err *err)
{
    memset(c, 0, sizeof *c);
    err->msg[0] = 0;
    return cp_rir_parse(buf, len, on_entry, c, st, err);
}

static char *read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("CP_TEST_DATA");
    if (!dir) dir = "tests/data";
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s (is CP_TEST_DATA set?)\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/* ---- the fixture ---------------------------------------------------- */

static const char *const FIXTURE_WANT[] = {
    "FR AS2200+1",
    "DE AS3320+1",
    "NL AS1100+3",
    "FR 2.0.0.0/12",                                      /* 1048576: a power of two */
    "DE 5.1.0.0/22", "DE 5.1.4.0/23",                     /* 1536 = 1024 + 512 */
    "NL 31.3.2.0/23", "NL 31.3.4.0/22",                   /* 1536 from a /23 boundary */
    "BE 46.4.0.0/23", "BE 46.4.2.0/24",                   /* 768 */
    "IT 62.1.3.0/26", "IT 62.1.3.64/27", "IT 62.1.3.96/30", /* 100 = 64 + 32 + 4 */
    "ES 80.58.0.1/32", "ES 80.58.0.2/31",                 /* 3 from an odd address */
    "EU 194.1.1.255/32", "EU 194.1.2.0/24", "EU 194.1.3.0/32", /* 258 across two /24 */
    "FR 193.0.0.0/21",
    "FR 2001:660::/32",
    "DE 2a00:1450::/29",
    "NL 2a02:a400::/40",
};
#define FIXTURE_N (int)(sizeof FIXTURE_WANT / sizeof FIXTURE_WANT[0])

static void check_fixture_result(const char *what, const char *buf, size_t len)
{
    collect *c = new_collect();
    cp_rir_stats st;
    cp_err err;
    cp_status s = run(buf, len, c, &st, &err);
    if (s) fprintf(stderr, "  %s: %s\n", what, err.msg);
    CHECK_INT(s, CP_OK);
    CHECK_INT(c->n, FIXTURE_N);
    for (int i = 0; i < c->n && i < FIXTURE_N; i++) {
        if (strcmp(c->text[i], FIXTURE_WANT[i]) != 0) fprintf(stderr, "  %s: entry %d\n", what, i);
        CHECK_STR(c->text[i], FIXTURE_WANT[i]);
    }
    CHECK_INT(st.lines, 28);
    CHECK_INT(st.records, 20); /* as the version line says */
    CHECK_INT(st.ranges, FIXTURE_N);
    CHECK_INT(st.skipped, 6); /* 2 asn, 3 ipv4, 1 ipv6: available, reserved, ZZ */
    /* kinds */
    for (int i = 0; i < c->n; i++) {
        int want = i < 3 ? CP_RIR_ASN : i < FIXTURE_N - 3 ? CP_RIR_IPV4 : CP_RIR_IPV6;
        CHECK_INT(c->e[i].kind, want);
        CHECK_INT(strlen(c->e[i].cc), 2);
    }
    free(c);
}

static void test_fixture(void)
{
    size_t len;
    char *buf = read_fixture("delegated-test.txt", &len);
    CHECK(buf != NULL);
    if (!buf) return;
    CHECK(memchr(buf, '\r', len) != NULL); /* the fixture does carry CRLF lines */
    check_fixture_result("fixture", buf, len);

    /* the same file with every line ending in CRLF */
    char *crlf = malloc(2 * len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\r') continue;
        if (buf[i] == '\n') crlf[o++] = '\r';
        crlf[o++] = buf[i];
    }
    check_fixture_result("all CRLF", crlf, o);

    /* and with LF only, without the final newline */
    o = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != '\r') crlf[o++] = buf[i];
    CHECK(crlf[o - 1] == '\n');
    check_fixture_result("LF, no final newline", crlf, o - 1);
    free(crlf);
    free(buf);
}

/* ---- small inputs ---------------------------------------------------- */

#define V "2|ripencc|20260101|1|19830705|20251231|+0100\n"

static void bad(const char *input, const char *part);

static void test_small_inputs(void)
{
    collect *c = new_collect();
    cp_rir_stats st;
    cp_err err;

    CHECK_INT(run("", 0, c, &st, &err), CP_OK);
    CHECK_INT(st.lines + st.records + st.ranges + st.skipped, 0);
    CHECK_INT(c->n, 0);

    const char *only_comments = "# nothing\n\n#\n";
    CHECK_INT(run(only_comments, strlen(only_comments), c, &st, &err), CP_OK);
    CHECK_INT(st.lines, 3);
    CHECK_INT(c->n, 0);

    /* no version line at all: records are still records */
    const char *bare = "apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n";
    CHECK_INT(run(bare, strlen(bare), c, &st, &err), CP_OK);
    CHECK_INT(c->n, 1);
    CHECK_STR(c->text[0], "JP 1.0.16.0/20");

    /* the whole IPv4 space in one record */
    const char *all = V "arin|US|ipv4|0.0.0.0|4294967296|20000101|assigned\n";
    CHECK_INT(run(all, strlen(all), c, &st, &err), CP_OK);
    CHECK_INT(c->n, 1);
    CHECK_STR(c->text[0], "US 0.0.0.0/0");

    /* the last address, one address */
    const char *last = V "arin|US|ipv4|255.255.255.255|1|20000101|assigned\n";
    CHECK_INT(run(last, strlen(last), c, &st, &err), CP_OK);
    CHECK_STR(c->text[0], "US 255.255.255.255/32");

    /* non-extended (7 fields), the last AS number, the largest block accepted */
    const char *asn = V "lacnic|BR|asn|4294967295|1|20000101|allocated\nlacnic|BR|asn|1|65536|20000101|allocated\n";
    CHECK_INT(run(asn, strlen(asn), c, &st, &err), CP_OK);
    CHECK_INT(c->n, 2);
    CHECK_STR(c->text[0], "BR AS4294967295+1");
    CHECK_STR(c->text[1], "BR AS1+65536");
    /* a block larger than CP_RIR_ASN_COUNT_MAX would be that many rows: refused */
    const char *huge = V "lacnic|BR|asn|1|4294967295|20000101|allocated\n";
    CHECK_INT(run(huge, strlen(huge), c, &st, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "line 2: an AS block of 4294967295 numbers") != NULL);

    /* IPv6 /0 and /128 */
    const char *v6 = V "afrinic|ZA|ipv6|::|0|20000101|allocated\nafrinic|ZA|ipv6|2c0f:f000::1|128|20000101|assigned\n";
    CHECK_INT(run(v6, strlen(v6), c, &st, &err), CP_OK);
    CHECK_INT(c->n, 2);
    CHECK_STR(c->text[0], "ZA ::/0");
    CHECK_STR(c->text[1], "ZA 2c0f:f000::1/128");

    /* exactly 12 fields, a line of exactly CP_RIR_LINE_MAX bytes */
    const char *twelve = V "ripencc|FR|asn|5|1|20000101|allocated|a|b|c|d|e\n";
    CHECK_INT(run(twelve, strlen(twelve), c, &st, &err), CP_OK);
    char line[CP_RIR_LINE_MAX + 64];
    int n = snprintf(line, sizeof line, "ripencc|FR|asn|6|1|20000101|allocated|");
    memset(line + n, 'x', (size_t)(CP_RIR_LINE_MAX - n));
    line[CP_RIR_LINE_MAX] = '\r'; /* the CR does not count */
    line[CP_RIR_LINE_MAX + 1] = '\n';
    CHECK_INT(run(line, CP_RIR_LINE_MAX + 2, c, &st, &err), CP_OK);
    CHECK_INT(c->n, 1);

    /* a version line with a dotted version; a second version-looking line is a record */
    const char *v23 = "2.3|lacnic|20260101|1|19830705|20251231|-0300\n";
    CHECK_INT(run(v23, strlen(v23), c, &st, &err), CP_OK);
    CHECK_INT(st.records, 0);
    free(c);
    /* only the first version-looking line is the version line */
    bad("2.3|lacnic|20260101|1|19830705|20251231|-0300\n2|lacnic|20260101|1|19830705|20251231|-0300\n",
        "line 2: field 3 (type) is '20260101'");
}

/* ---- malformed lines ------------------------------------------------- */

static void bad(const char *input, const char *part)
{
    collect *c = new_collect();
    cp_rir_stats st;
    cp_err err;
    cp_status s = run(input, strlen(input), c, &st, &err);
    if (s != CP_E_BAD_REQUEST) fprintf(stderr, "  accepted: %s", input);
    CHECK_INT(s, CP_E_BAD_REQUEST);
    if (!strstr(err.msg, part)) fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
    free(c);
}

static void test_malformed(void)
{
    bad(V "ripencc|FR|ipv5|1.2.3.0|256|20100101|allocated\n", "line 2: field 3 (type) is 'ipv5', not ipv4, ipv6 or asn");
    bad(V "ripencc|FR|ipv4|1.2.3.0|256|20100101|allocatd\n", "line 2: field 7 (status) is 'allocatd'");
    bad(V "ripencc|FR|ipv4|1.2.3.0|256\n", "line 2: a record has at least 7 fields, this one 5");
    bad(V "ripencc|FR|ipv4|1.2.3.0|256|20100101\n", "this one 6");
    bad(V "garbage\n", "line 2: not a delegated-stats line");
    bad(V "ripencc|fr|ipv4|1.2.3.0|256|20100101|allocated\n", "line 2: field 2 (country) 'fr' is not two upper-case letters");
    bad(V "ripencc||ipv4|1.2.3.0|256|20100101|allocated\n", "line 2: field 2 (country) '' is not");
    bad(V "ripencc|FRA|ipv4|1.2.3.0|256|20100101|allocated\n", "field 2 (country) 'FRA'");
    bad(V "ripencc|F1|ipv4|1.2.3.0|256|20100101|allocated\n", "field 2 (country)");
    bad(V "ripencc|FR|ipv4|1.2.3|256|20100101|allocated\n", "line 2: field 4 (start) '1.2.3' is not an IPv4 address");
    bad(V "ripencc|FR|ipv4|2001:db8::|256|20100101|allocated\n", "field 4 (start) '2001:db8::' is not an IPv4 address");
    bad(V "ripencc|FR|ipv6|1.2.3.0|32|20100101|allocated\n", "field 4 (start) '1.2.3.0' is not an IPv6 address");
    bad(V "ripencc|FR|ipv4|1.2.3.0|0|20100101|allocated\n", "line 2: field 5 (address count) '0' is not a count that fits after 1.2.3.0");
    bad(V "ripencc|FR|ipv4|1.2.3.0|-1|20100101|allocated\n", "field 5 (address count) '-1'");
    bad(V "ripencc|FR|ipv4|1.2.3.0|abc|20100101|allocated\n", "field 5 (address count) 'abc'");
    bad(V "ripencc|FR|ipv4|1.2.3.0||20100101|allocated\n", "field 5 (address count) ''");
    bad(V "ripencc|FR|ipv4|255.255.255.0|257|20100101|allocated\n", "fits after 255.255.255.0");
    bad(V "ripencc|FR|ipv4|0.0.0.0|4294967297|20100101|allocated\n", "field 5 (address count)");
    bad(V "ripencc|FR|ipv4|0.0.0.1|4294967296|20100101|allocated\n", "field 5 (address count)");
    bad(V "ripencc|FR|ipv4|1.2.3.0|99999999999999999999999|20100101|allocated\n", "field 5 (address count)");
    bad(V "ripencc|FR|ipv6|2001:db8::|129|20100101|allocated\n", "line 2: field 5 (prefix length) '129' is not 0..128");
    bad(V "ripencc|FR|ipv6|2001:db8::|x|20100101|allocated\n", "field 5 (prefix length) 'x'");
    bad(V "ripencc|FR|ipv6|2001:db8::1|32|20100101|allocated\n", "line 2: host bits set in 2001:db8::1/32; did you mean 2001:db8::/32?");
    bad(V "ripencc|FR|asn|0|1|20100101|allocated\n", "line 2: bad AS range '0|1'");
    bad(V "ripencc|FR|asn|1|0|20100101|allocated\n", "bad AS range '1|0'");
    bad(V "ripencc|FR|asn|4294967295|2|20100101|allocated\n", "bad AS range '4294967295|2'");
    bad(V "ripencc|FR|asn|4294967296|1|20100101|allocated\n", "bad AS range");
    bad(V "ripencc|FR|asn|AS1|1|20100101|allocated\n", "bad AS range 'AS1|1'");
    bad(V "ripencc|FR|asn|1.10|1|20100101|allocated\n", "bad AS range");
    bad(V "ripencc|FR|asn|1|1|20100101|allocated|a|b|c|d|e|f\n", "line 2: more than 12 fields");

    /* the line number counts comments, blank lines, summaries and CRLF lines */
    bad(V "# comment\r\n\r\nripencc|*|ipv4|*|1|summary\r\nripencc|FR|asn|2200|1|19930901|allocated\r\n"
          "ripencc|FR|ipv4|1.2.3.0|256|20100101|allocatd\r\n",
        "line 6: field 7 (status)");

    /* a type error is reported even for records that would be skipped */
    bad(V "ripencc|ZZ|ipv7|1.2.3.0|256||available\n", "field 3 (type)");

    /* over-long line, NUL byte */
    char line[CP_RIR_LINE_MAX + 64];
    int n = snprintf(line, sizeof line, V "ripencc|FR|asn|6|1|20000101|allocated|");
    int body = n - (int)strlen(V);
    memset(line + n, 'x', (size_t)(CP_RIR_LINE_MAX + 1 - body));
    line[strlen(V) + CP_RIR_LINE_MAX + 1] = '\n';
    line[strlen(V) + CP_RIR_LINE_MAX + 2] = 0;
    bad(line, "line 2: longer than 1024 bytes");
    collect *c = new_collect();
    cp_rir_stats st;
    cp_err err;
    static const char nul[] = V "ripencc|FR|asn|6|1|2000\0" "0101|allocated\n";
    CHECK_INT(run(nul, sizeof nul - 1, c, &st, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "line 2: contains a NUL byte") != NULL);

    /* nothing is half-imported: the error comes before later lines, and
     * no callback runs for the bad line */
    const char *mid = V "ripencc|FR|asn|1|1|2000|allocated\nripencc|FR|asn|x|1|2000|allocated\nripencc|FR|asn|3|1|2000|allocated\n";
    CHECK_INT(run(mid, strlen(mid), c, &st, &err), CP_E_BAD_REQUEST);
    CHECK_INT(c->n, 1);
    CHECK(strstr(err.msg, "line 3:") != NULL);
    free(c);
}

/* A start field that is a CIDR rather than an address. */
static void test_start_with_prefix(void)
{
    collect *c = new_collect();
    cp_rir_stats st;
    cp_err err;
    const char *in = V "ripencc|FR|ipv4|10.0.0.0/8|256|20100101|allocated\n";
    cp_status s = run(in, strlen(in), c, &st, &err);
    (void)s;
    /* rir.c hands field 4 to cp_cidr_parse, which takes "10.0.0.0/8" as a
     * CIDR: the line is accepted and 10.0.0.0/24 emitted. */
    CHECK_INT(s, CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "field 4 (start)") != NULL);
    const char *v6 = V "ripencc|FR|ipv6|2001:db8::/32|32|20100101|allocated\n";
    CHECK_INT(run(v6, strlen(v6), c, &st, &err), CP_E_BAD_REQUEST);
    free(c);
}

static void test_callback_error(void)
{
    size_t len;
    char *buf = read_fixture("delegated-test.txt", &len);
    CHECK(buf != NULL);
    if (!buf) return;
    for (int at = 1; at <= FIXTURE_N; at += 4) {
        collect *c = new_collect();
        cp_rir_stats st;
        cp_err err = {{0}};
        c->fail_at = at;
        cp_status s = cp_rir_parse(buf, len, on_entry, c, &st, &err);
        CHECK_INT(s, CP_E_CONFLICT); /* returned as is */
        CHECK_STR(err.msg, "callback says stop");
        CHECK_INT(c->n, at - 1);
        free(c);
    }
    free(buf);
}

/* ---- IPv4 decomposition against an independent minimal cover --------- */

/* Fewest aligned blocks covering [lo, hi] inside the block (base, bits). */
static int min_cover(uint64_t base, int bits, uint64_t lo, uint64_t hi)
{
    uint64_t end = base + (1ull << bits) - 1;
    if (end < lo || base > hi) return 0;
    if (lo <= base && end <= hi) return 1;
    return min_cover(base, bits - 1, lo, hi) + min_cover(base + (1ull << (bits - 1)), bits - 1, lo, hi);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_decomposition_property(void)
{
    collect *c = new_collect();
    int bad_ranges = 0;
    for (int iter = 0; iter < 3000; iter++) {
        uint32_t start = (uint32_t)rnd();
        uint64_t count;
        switch (iter % 4) {
        case 0: count = 1 + rnd() % 70000; break;
        case 1: start &= ~0xffu, count = 256 * (1 + rnd() % 64); break; /* like real allocations */
        case 2: count = 1 + rnd() % 300; break;
        default: count = 1 + rnd() % (1ull << 32); break;
        }
        if (start + count - 1 > 0xffffffffull) count = 0x100000000ull - start;
        char text[200], a[INET_ADDRSTRLEN];
        uint8_t b[4] = {(uint8_t)(start >> 24), (uint8_t)(start >> 16), (uint8_t)(start >> 8), (uint8_t)start};
        inet_ntop(AF_INET, b, a, sizeof a);
        snprintf(text, sizeof text, V "ripencc|FR|ipv4|%s|%llu|20100101|allocated\n", a, (unsigned long long)count);
        cp_rir_stats st;
        cp_err err;
        if (run(text, strlen(text), c, &st, &err) != CP_OK) {
            if (bad_ranges++ < 5) fprintf(stderr, "  %s: %s\n", text, err.msg);
            continue;
        }
        uint64_t next = start, sum = 0;
        bool ok = c->n == (int)st.ranges;
        for (int i = 0; i < c->n; i++) {
            const cp_cidr *ci = &c->e[i].cidr;
            uint64_t addr = (uint64_t)ci->addr[0] << 24 | (uint64_t)ci->addr[1] << 16 | (uint64_t)ci->addr[2] << 8 | ci->addr[3];
            uint64_t size = 1ull << (32 - ci->prefix);
            ok = ok && ci->family == 4 && addr == next && (addr & (size - 1)) == 0;
            next = addr + size;
            sum += size;
        }
        ok = ok && sum == count && c->n == min_cover(0, 32, start, start + count - 1);
        if (!ok && bad_ranges++ < 5) fprintf(stderr, "  %s -> %d ranges, not a minimal aligned cover\n", text, c->n);
    }
    CHECK_INT(bad_ranges, 0);
    free(c);
}

int main(void)
{
    RUN(test_fixture);
    RUN(test_small_inputs);
    RUN(test_malformed);
    RUN(test_start_with_prefix);
    RUN(test_callback_error);
    RUN(test_decomposition_property);
    return harness_done();
}
