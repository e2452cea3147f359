#include "base/timeutil.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t cp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t cp_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Inverse of days_from_civil (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* Pure arithmetic: no gmtime_r (which takes the time-zone lock) and no
 * printf, because list responses format thousands of these. */
void cp_rfc3339_format(int64_t ms, char buf[CP_RFC3339_MAX])
{
    /* RFC 3339 covers years 0000 to 9999: clamp to that range first. */
    if (ms < -62167219200000) ms = -62167219200000;
    if (ms > 253402300799999) ms = 253402300799999;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    unsigned milli = (unsigned)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    unsigned sod = (unsigned)(secs - days * 86400);
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    put2(buf + 2, (unsigned)(y % 100));
    buf[4] = '-';
    put2(buf + 5, mo);
    buf[7] = '-';
    put2(buf + 8, d);
    buf[10] = 'T';
    put2(buf + 11, sod / 3600);
    buf[13] = ':';
    put2(buf + 14, sod / 60 % 60);
    buf[16] = ':';
    put2(buf + 17, sod % 60);
    buf[19] = '.';
    buf[20] = (char)('0' + milli / 100);
    put2(buf + 21, milli % 100);
    buf[23] = 'Z';
    buf[24] = 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

cp_status cp_rfc3339_parse(const char *s, int64_t *out_ms, cp_err *err)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac_ms = 0, off_min = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) goto bad;
    const char *p = s + 10;
    if (*p) {
        if ((*p != 'T' && *p != 't') || strlen(p) < 9 || digits(p + 1, 2, &h) || p[3] != ':' ||
            digits(p + 4, 2, &mi) || p[6] != ':' || digits(p + 7, 2, &se))
            goto bad;
        if (h > 23 || mi > 59 || se > 60) goto bad;
        p += 9;
        if (*p == '.') {
            p++;
            int nd = 0, scale = 100;
            while (isdigit((unsigned char)*p)) {
                if (++nd > 9) goto bad;
                frac_ms += (*p - '0') * scale;
                scale /= 10;
                p++;
            }
            if (nd == 0) goto bad;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (strlen(p) != 6 || digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
                oh > 23 || om > 59)
                goto bad;
            off_min = (oh * 60 + om) * (*p == '+' ? 1 : -1);
            p += 6;
        } else {
            goto bad;
        }
        if (*p) goto bad;
    }
    if (se == 60) se = 59; /* leap second: clamp */
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off_min * 60;
    *out_ms = secs * 1000 + frac_ms;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST,
                   "'%.40s' is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z) or a date (2026-01-31)", s);
}
