/*
 * test_timeutil.c — base/timeutil.h: RFC 3339 formatting and parsing, cross-
 * checked against timegm() on random dates, and round trips over the whole
 * range of four-digit years.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "harness.h"

static uint64_t rng_state = 0xd1b54a32d192ed03ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fmt_is(int64_t ms, const char *want)
{
    char buf[CP_RFC3339_MAX];
    cp_rfc3339_format(ms, buf);
    CHECK_STR(buf, want);
}

static void parses(const char *s, int64_t want)
{
    int64_t got = -12345;
    cp_err err = {{0}};
    cp_status st = cp_rfc3339_parse(s, &got, &err);
    if (st) fprintf(stderr, "  '%s': %s\n", s, err.msg);
    CHECK_INT(st, CP_OK);
    if (got != want) fprintf(stderr, "  '%s' -> %lld, expected %lld\n", s, (long long)got, (long long)want);
    CHECK_INT(got, want);
}

static void rejects(const char *s)
{
    int64_t got = -12345;
    cp_err err = {{0}};
    cp_status st = cp_rfc3339_parse(s, &got, &err);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  '%s' accepted as %lld\n", s, (long long)got);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    CHECK_INT(got, -12345); /* not written */
    CHECK(strstr(err.msg, "is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z) or a date (2026-01-31)") != NULL);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "'%.40s'", s);
    CHECK(strncmp(err.msg, quoted, strlen(quoted)) == 0);
}

static void test_format(void)
{
    fmt_is(0, "1970-01-01T00:00:00.000Z");
    fmt_is(1, "1970-01-01T00:00:00.001Z");
    fmt_is(999, "1970-01-01T00:00:00.999Z");
    fmt_is(1000, "1970-01-01T00:00:01.000Z");
    fmt_is(-1, "1969-12-31T23:59:59.999Z");
    fmt_is(-1000, "1969-12-31T23:59:59.000Z");
    fmt_is(-1001, "1969-12-31T23:59:58.999Z");
    fmt_is(951782400000, "2000-02-29T00:00:00.000Z");
    fmt_is(1795871491123, "2026-11-28T13:11:31.123Z");
    fmt_is(253402300799999, "9999-12-31T23:59:59.999Z");
    fmt_is(-62135596800000, "0001-01-01T00:00:00.000Z");
    char buf[CP_RFC3339_MAX];
    cp_rfc3339_format(1795871491123, buf);
    CHECK_INT(strlen(buf), 24);
}

/* The shape of the output for any input, and order: later times format as
 * later (or equal) strings, which lists sorted by time rely on. */
static void test_format_any_value(void)
{
    int bad = 0;
    char prev[CP_RFC3339_MAX] = "";
    int64_t prev_ms = -62167219200000; /* 0000-01-01 */
    for (int i = 0; i < 100000; i++) {
        int64_t ms = (int64_t)rnd();
        char buf[CP_RFC3339_MAX + 8];
        memset(buf, 0x7f, sizeof buf);
        cp_rfc3339_format(ms, buf);
        bool ok = strlen(buf) == 24 && buf[4] == '-' && buf[7] == '-' && buf[10] == 'T' && buf[13] == ':' &&
                  buf[16] == ':' && buf[19] == '.' && buf[23] == 'Z';
        for (int k = 0; ok && k < 23; k++)
            if (k != 4 && k != 7 && k != 10 && k != 13 && k != 16 && k != 19) ok = buf[k] >= '0' && buf[k] <= '9';
        for (size_t k = CP_RFC3339_MAX; k < sizeof buf; k++) ok = ok && buf[k] == 0x7f; /* nothing past the end */
        if (!ok && bad++ < 5) fprintf(stderr, "  %lld -> '%.32s'\n", (long long)ms, buf);
    }
    /* monotonic over the years RFC 3339 can write */
    for (int i = 0; i < 100000; i++) {
        int64_t ms = prev_ms + (int64_t)(rnd() % 5000000000000ull);
        if (ms > 253402300799999) break;
        char buf[CP_RFC3339_MAX];
        cp_rfc3339_format(ms, buf);
        if (strcmp(prev, buf) > 0 && bad++ < 5) fprintf(stderr, "  '%s' after '%s'\n", buf, prev);
        memcpy(prev, buf, sizeof buf);
        prev_ms = ms;
    }
    CHECK_INT(bad, 0);
    /* the edges of the range */
    fmt_is(-62167219200000, "0000-01-01T00:00:00.000Z");
    fmt_is(253402300799999, "9999-12-31T23:59:59.999Z");
    /* timeutil.c clamps only the year: one millisecond past the end gives
     * 9999-01-01 (earlier than the last valid time), one before the start
     * gives 0000-12-31 (later than the first). */
    fmt_is(253402300800000, "9999-12-31T23:59:59.999Z");
    fmt_is(-62167219200001, "0000-01-01T00:00:00.000Z");
    fmt_is(INT64_MAX, "9999-12-31T23:59:59.999Z");
    /* (ms - 999) overflows for ms < INT64_MIN + 999: UBSan aborts here */
    fmt_is(INT64_MIN, "0000-01-01T00:00:00.000Z");
}

static void test_parse_valid(void)
{
    parses("1970-01-01T00:00:00Z", 0);
    parses("1970-01-01", 0);
    parses("1970-01-01T00:00:00.000Z", 0);
    parses("2000-02-29T00:00:00Z", 951782400000);
    parses("2000-02-29", 951782400000);
    parses("2026-11-28T13:11:31.123Z", 1795871491123);
    parses("2026-11-28t13:11:31.123z", 1795871491123); /* lower-case separators */
    parses("2026-01-31T12:00:00+01:00", 1769857200000);
    parses("2026-01-31T12:00:00-06:00", 1769882400000);
    parses("2026-01-31T11:00:00+00:00", 1769857200000);
    parses("2026-01-31T11:00:00-00:00", 1769857200000);
    parses("2026-01-31T16:30:00+05:30", 1769857200000);
    parses("2026-01-31T23:59:00+23:59", 1769817600000); /* 2026-01-31T00:00:00Z */
    parses("1969-12-31T23:59:59.999Z", -1);
    parses("1970-01-01T01:00:00+02:00", -3600000);
    parses("0001-01-01T00:00:00Z", -62135596800000);
    parses("9999-12-31T23:59:59.999Z", 253402300799999);
    /* fractions: truncated to milliseconds, up to 9 digits */
    parses("1970-01-01T00:00:00.1Z", 100);
    parses("1970-01-01T00:00:00.12Z", 120);
    parses("1970-01-01T00:00:00.123Z", 123);
    parses("1970-01-01T00:00:00.1239Z", 123);
    parses("1970-01-01T00:00:00.999999999Z", 999);
    parses("1970-01-01T00:00:00.5+01:00", -3600000 + 500);
    /* leap second: clamped to :59 */
    parses("2016-12-31T23:59:60Z", 1483228799000);
    parses("2016-12-31T23:59:60.5Z", 1483228799500);
    /* calendar */
    parses("2024-02-29", 1709164800000);
    parses("2026-04-30", 1777507200000);
    parses("2026-12-31", 1798675200000);
}

static void test_parse_invalid(void)
{
    const char *bad[] = {
        "", "2026", "2026-01", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-1", "20260101",
        "2025-02-29", "1900-02-29", "2026-04-31", "2026-06-31", "2026-13-01", "2026-00-10", "2026-01-00",
        "2026-01-32", "2026-01-31T", "2026-01-31 12:00:00Z", "2026-01-31T12:00:00", "2026-01-31T12:00Z",
        "2026-01-31T12:00:00+01", "2026-01-31T12:00:00+0100", "2026-01-31T12:00:00+24:00",
        "2026-01-31T12:00:00+01:60", "2026-01-31T12:00:00+01:00:00", "2026-01-31T24:00:00Z",
        "2026-01-31T23:60:00Z", "2026-01-31T23:59:61Z", "2026-01-31T12:00:00.Z",
        "2026-01-31T12:00:00.1234567890Z", "2026-01-31T12:00:00Zx", "2026-01-31T12:00:00ZZ",
        " 2026-01-31", "2026-01-31 ", "2026-01-31x", "2026-01-31T1:00:00Z", "2026-01-31T12:0:00Z",
        "2026-01-31T12-00-00Z", "2026-01-31T12:00:00,5Z", "+2026-01-31", "-026-01-31", "2026-01-31T12:00:00 Z",
        "2026-01-31T12:00:00+1:00", "2026-01-31T12:00:00+01:0", "2026-01-31T12:00:00.+01:00", "abcd-ef-gh",
        "2026-01-31T12:00:00.123456789012345678901234567890Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) rejects(bad[i]);
}

static void test_roundtrip_random(void)
{
    int bad = 0;
    const int64_t lo = -62167219200000; /* 0000-01-01 */
    const int64_t hi = 253402300799999; /* 9999-12-31T23:59:59.999 */
    for (int i = 0; i < 50000; i++) {
        int64_t ms = lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
        if (i < 4) ms = i < 2 ? lo + i : hi - i + 2;
        char buf[CP_RFC3339_MAX];
        cp_rfc3339_format(ms, buf);
        int64_t back = 0;
        cp_err err;
        if ((cp_rfc3339_parse(buf, &back, &err) != CP_OK || back != ms) && bad++ < 5)
            fprintf(stderr, "  %lld -> '%s' -> %lld (%s)\n", (long long)ms, buf, (long long)back, err.msg);
    }
    CHECK_INT(bad, 0);
}

/* Random valid date-times with random offsets against timegm(). */
static void test_against_timegm(void)
{
    int bad = 0;
    for (int i = 0; i < 50000; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        int y = 1 + (int)(rnd() % 9999), mo = 1 + (int)(rnd() % 12);
        static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int days = mo == 2 && leap ? 29 : dm[mo - 1];
        int d = 1 + (int)(rnd() % (uint64_t)days);
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = (int)(rnd() % 24);
        tm.tm_min = (int)(rnd() % 60);
        tm.tm_sec = (int)(rnd() % 60);
        int ms = (int)(rnd() % 1000);
        int oh = (int)(rnd() % 24), om = (int)(rnd() % 60), sign = rnd() % 2 ? 1 : -1;
        time_t t = timegm(&tm);
        int64_t want = ((int64_t)t - (int64_t)sign * (oh * 3600 + om * 60)) * 1000 + ms;
        char s[64];
        snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", y, mo, d, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, ms, sign > 0 ? '+' : '-', oh, om);
        int64_t got = 0;
        cp_err err;
        if ((cp_rfc3339_parse(s, &got, &err) != CP_OK || got != want) && bad++ < 5)
            fprintf(stderr, "  '%s' -> %lld, timegm says %lld\n", s, (long long)got, (long long)want);
        /* and the date alone */
        snprintf(s, sizeof s, "%04d-%02d-%02d", y, mo, d);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        want = (int64_t)timegm(&tm) * 1000;
        if ((cp_rfc3339_parse(s, &got, &err) != CP_OK || got != want) && bad++ < 5)
            fprintf(stderr, "  '%s' -> %lld, timegm says %lld\n", s, (long long)got, (long long)want);
    }
    CHECK_INT(bad, 0);
}

static void test_clocks(void)
{
    int64_t now = cp_now_ms();
    CHECK(now > 1704067200000); /* after 2024-01-01 */
    CHECK(now < 4102444800000); /* before 2100 */
    int64_t t = (int64_t)time(NULL) * 1000;
    CHECK(now - t < 2000 && t - now < 2000);
    uint64_t a = cp_mono_us(), b = cp_mono_us();
    CHECK(b >= a);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    CHECK(cp_mono_us() - a >= 2000);
}

int main(void)
{
    RUN(test_format);
    RUN(test_format_any_value);
    RUN(test_parse_valid);
    RUN(test_parse_invalid);
    RUN(test_roundtrip_random);
    RUN(test_against_timegm);
    RUN(test_clocks);
    return harness_done();
}
