#include "finance/money.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- currencies ---- */

#define ISO4217_MAX 400
static char codes[ISO4217_MAX][4];
static size_t n_codes;
static int loaded; /* 0 not yet, 1 ok, -1 failed */
static char load_error[CP_ERR_MSG_MAX];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* The minor-unit exponents that are not 2 (ISO 4217 table A.1). iso-codes
 * lists codes and names only, so the exceptions live here. Codes with no
 * minor unit at all (funds, metals, SDR, test and "no currency" codes) cannot
 * carry a ledger. */
static const struct {
    const char *code;
    int exp;
} EXCEPTIONS[] = {
    {"BIF", 0}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"ISK", 0}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0},
    {"PYG", 0}, {"RWF", 0}, {"UGX", 0}, {"UYI", 0}, {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0},
    {"XPF", 0}, {"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
    {"CLF", 4}, {"UYW", 4},
    /* -1: no minor unit (metals, funds, test and "no currency" codes such as XTS and XXX) */
    {"XAU", -1}, {"XAG", -1}, {"XPT", -1}, {"XPD", -1}, {"XDR", -1}, {"XBA", -1}, {"XBB", -1},
    {"XBC", -1}, {"XBD", -1}, {"XTS", -1}, {"XXX", -1}, {"XSU", -1}, {"XUA", -1}, {"BOV", -1},
    {"CHE", -1}, {"CHW", -1}, {"COU", -1}, {"MXV", -1}, {"USN", -1},
};

static int cmp_code(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static cp_status load(const char *path, cp_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) return cp_fail(err, CP_E_IO, "cannot read ISO 4217 data %s: %s", path, je.text);
    json_t *list = json_object_get(root, "4217");
    cp_status st = CP_OK;
    if (!json_is_array(list)) st = cp_fail(err, CP_E_IO, "%s has no \"4217\" list", path);
    for (size_t i = 0; !st && i < json_array_size(list) && n_codes < ISO4217_MAX; i++) {
        const char *a3 = json_string_value(json_object_get(json_array_get(list, i), "alpha_3"));
        if (!a3 || strlen(a3) != 3) continue;
        memcpy(codes[n_codes++], a3, 4);
    }
    json_decref(root);
    if (!st && n_codes == 0) st = cp_fail(err, CP_E_IO, "%s lists no currency", path);
    qsort(codes, n_codes, sizeof codes[0], cmp_code);
    return st;
}

cp_status cp_fin_currencies_load(const char *path, cp_err *err)
{
    pthread_mutex_lock(&mu);
    if (!loaded) {
        cp_err e = {{0}};
        loaded = load(path ? path : CP_ISO4217_DEFAULT_PATH, &e) == CP_OK ? 1 : -1;
        memcpy(load_error, e.msg, sizeof load_error);
    }
    int ok = loaded;
    pthread_mutex_unlock(&mu);
    if (ok > 0) return CP_OK;
    return cp_fail(err, CP_E_IO, "%s (install Debian's iso-codes package)", load_error);
}

cp_status cp_fin_currency(const char *code, int *exponent, cp_err *err)
{
    if (!code || strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' ||
        code[2] < 'A' || code[2] > 'Z')
        return cp_fail(err, CP_E_UNPROCESSABLE, "currency must be an ISO 4217 code of three upper-case letters, not '%.16s'",
                       code ? code : "");
    cp_status st = cp_fin_currencies_load(NULL, err);
    if (st) return st;
    if (!bsearch(code, codes, n_codes, sizeof codes[0], cmp_code))
        return cp_fail(err, CP_E_UNPROCESSABLE, "currency '%s' is not an ISO 4217 code", code);
    int e = 2;
    for (size_t i = 0; i < sizeof EXCEPTIONS / sizeof EXCEPTIONS[0]; i++)
        if (strcmp(EXCEPTIONS[i].code, code) == 0) e = EXCEPTIONS[i].exp;
    if (e < 0) return cp_fail(err, CP_E_UNPROCESSABLE, "currency '%s' has no minor unit (a fund, metal or test code)", code);
    if (exponent) *exponent = e;
    return CP_OK;
}

/* ---- amounts ---- */

cp_status cp_fin_amount_parse(const char *text, int exponent, bool zero_ok, int64_t *out, cp_err *err)
{
    if (!text || !*text) return cp_fail(err, CP_E_BAD_REQUEST, "amount is empty");
    const char *p = text;
    int64_t v = 0;
    int digits = 0, decimals = -1;
    for (; *p; p++) {
        if (*p == '.') {
            if (decimals >= 0 || digits == 0)
                return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s' is not a decimal number", text);
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s': unexpected character at position %d (digits and one '.' only)",
                           text, (int)(p - text) + 1);
        if (decimals >= 0 && ++decimals > exponent)
            return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s' has more than %d decimals for this currency", text, exponent);
        if (++digits > 16) return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s' is too large", text);
        v = v * 10 + (*p - '0');
    }
    if (decimals == 0) return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s' ends with '.'", text);
    for (int i = decimals < 0 ? 0 : decimals; i < exponent && v <= CP_FIN_AMOUNT_MAX; i++)
        v *= 10;
    if (v > CP_FIN_AMOUNT_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "amount '%.40s' is too large", text);
    if (v == 0 && !zero_ok) return cp_fail(err, CP_E_BAD_REQUEST, "amount must be greater than zero");
    *out = v;
    return CP_OK;
}

void cp_fin_amount_format(int64_t minor, int exponent, char *buf, size_t cap)
{
    const char *sign = minor < 0 ? "-" : "";
    uint64_t u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    if (exponent == 0) snprintf(buf, cap, "%s%llu", sign, (unsigned long long)u);
    else
        snprintf(buf, cap, "%s%llu.%0*llu", sign, (unsigned long long)(u / scale), exponent,
                 (unsigned long long)(u % scale));
}

/* ---- rationals ---- */

static int64_t gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Vulgar-fraction glyphs: their UTF-8 bytes and value. */
static const struct {
    const char *utf8;
    int num, den;
} GLYPHS[] = {
    {"\xc2\xbd", 1, 2}, {"\xc2\xbc", 1, 4}, {"\xc2\xbe", 3, 4}, {"\xe2\x85\x9b", 1, 8},
    {"\xe2\x85\x9c", 3, 8}, {"\xe2\x85\x9d", 5, 8}, {"\xe2\x85\x9e", 7, 8},
};

static int read_int(const char **p, int64_t *v, int max_digits)
{
    int n = 0;
    *v = 0;
    while (**p >= '0' && **p <= '9') {
        if (++n > max_digits) return -1;
        *v = *v * 10 + (**p - '0');
        (*p)++;
    }
    return n;
}

static bool is_slash(const char **p)
{
    if (**p == '/') {
        (*p)++;
        return true;
    }
    if (strncmp(*p, "\xe2\x81\x84", 3) == 0) { /* U+2044 FRACTION SLASH */
        *p += 3;
        return true;
    }
    return false;
}

static int glyph(const char **p, int64_t *num, int64_t *den)
{
    for (size_t i = 0; i < sizeof GLYPHS / sizeof GLYPHS[0]; i++) {
        size_t l = strlen(GLYPHS[i].utf8);
        if (strncmp(*p, GLYPHS[i].utf8, l) == 0) {
            *p += l;
            *num = GLYPHS[i].num;
            *den = GLYPHS[i].den;
            return 1;
        }
    }
    return 0;
}

cp_status cp_fin_ratio_parse(const char *text, int64_t *num, int64_t *den, cp_err *err)
{
    if (!text) return cp_fail(err, CP_E_BAD_REQUEST, "number is missing");
    const char *p = text;
    while (*p == ' ') p++;
    int64_t whole = 0, n = 0, d = 1, fn, fd;
    int nd = read_int(&p, &whole, 7);
    if (nd < 0) goto bad;
    if (nd > 0 && *p == '.') { /* decimal */
        p++;
        int64_t frac = 0;
        int k = 0;
        while (*p >= '0' && *p <= '9') {
            if (++k > 4) goto bad;
            frac = frac * 10 + (*p++ - '0');
        }
        if (k == 0) goto bad;
        d = 1;
        for (int i = 0; i < k; i++)
            d *= 10;
        n = whole * d + frac;
    } else if (nd > 0 && is_slash(&p)) { /* a/b */
        if (read_int(&p, &d, 5) <= 0) goto bad;
        n = whole;
    } else if (glyph(&p, &fn, &fd)) { /* [whole]½ */
        n = whole * fd + fn;
        d = fd;
    } else if (nd > 0) {
        n = whole;
        const char *q = p;
        while (*q == ' ') q++;
        if (q != p && *q >= '0' && *q <= '9') { /* "1 1/2" */
            p = q;
            if (read_int(&p, &fn, 5) <= 0 || !is_slash(&p) || read_int(&p, &fd, 5) <= 0 || fd == 0 || fn >= fd) goto bad;
            n = whole * fd + fn;
            d = fd;
        } else if (q != p && glyph(&q, &fn, &fd)) { /* "1 ½" */
            p = q;
            n = whole * fd + fn;
            d = fd;
        }
    } else
        goto bad;
    while (*p == ' ') p++;
    if (*p || d == 0 || d > 10000) goto bad;
    if (n <= 0) return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' must be greater than zero", text);
    int64_t g = gcd(n, d);
    *num = n / g;
    *den = d / g;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST,
                   "'%.40s' is not a number of units (examples: 3, 1½, 1 1/2, 1/16, 0.25)", text);
}

cp_status cp_fin_units_parse(const char *text, int64_t *units16, cp_err *err)
{
    int64_t n, d;
    cp_status st = cp_fin_ratio_parse(text, &n, &d, err);
    if (st) return st;
    if (16 % d != 0) return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' is not a whole number of sixteenths of a unit", text);
    if (n > CP_FIN_UNITS16_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' units is too many (at most 1000)", text);
    int64_t v = n * (16 / d);
    if (v > CP_FIN_UNITS16_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' units is too many (at most 1000)", text);
    *units16 = v;
    return CP_OK;
}

void cp_fin_units_format(int64_t u16, char *buf, size_t cap)
{
    int64_t whole = u16 / 16, rest = u16 % 16;
    if (!rest) {
        snprintf(buf, cap, "%lld", (long long)whole);
        return;
    }
    int64_t g = gcd(rest, 16);
    if (whole) snprintf(buf, cap, "%lld %lld/%lld", (long long)whole, (long long)(rest / g), (long long)(16 / g));
    else snprintf(buf, cap, "%lld/%lld", (long long)(rest / g), (long long)(16 / g));
}

/* ---- dates ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t cp_fin_date(int year, int month, int day) { return days_from_civil(year, (unsigned)month, (unsigned)day) * CP_FIN_DAY_MS; }
int64_t cp_fin_year_start(int year) { return cp_fin_date(year, 1, 1); }
int64_t cp_fin_day(int64_t ms) { return floor_div(ms, CP_FIN_DAY_MS) * CP_FIN_DAY_MS; }

int cp_fin_year_of(int64_t ms)
{
    int y, m, d;
    civil_from_days(floor_div(ms, CP_FIN_DAY_MS), &y, &m, &d);
    return y;
}

int cp_fin_month_of(int64_t ms)
{
    int y, m, d;
    civil_from_days(floor_div(ms, CP_FIN_DAY_MS), &y, &m, &d);
    return m;
}

cp_status cp_fin_date_parse(const char *t, int64_t *out, cp_err *err)
{
    if (!t || strlen(t) != 10 || t[4] != '-' || t[7] != '-') goto bad;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9')) goto bad;
    int y = atoi(t), m = (t[5] - '0') * 10 + (t[6] - '0'), d = (t[8] - '0') * 10 + (t[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) goto bad;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) goto bad;
    *out = cp_fin_date(y, m, d);
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' is not a date YYYY-MM-DD (1970..2999)", t ? t : "");
}

void cp_fin_date_format(int64_t ms, char *buf, size_t cap)
{
    int y, m, d;
    civil_from_days(floor_div(ms, CP_FIN_DAY_MS), &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}
