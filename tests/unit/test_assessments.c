/*
 * test_assessments.c — the scale (units as exact rationals, the scale file,
 * class rules) and the yearly assessment, with the worked examples of
 * docs/finance.md: pro-rating by month for joiners and leavers, sector
 * members on their own scale, and the rounding remainder allocated by the
 * largest-remainder method so the total equals the budget exactly.
 */
#include "harness.h"
#include "finance_fixture.h"
#include "finance/scale.h"

static void test_units(void)
{
    static const struct {
        const char *in;
        int64_t u16;
    } OK[] = {{"3", 48},       {"40", 640},     {"1½", 24},      {"1 1/2", 24},   {"1 ½", 24},    {"1/16", 1},
              {"1⁄16", 1},     {"½", 8},        {"¼", 4},        {"⅛", 2},        {"0.25", 4},   {"1.5", 24},
              {"2/4", 8},      {" 5 ", 80},     {"0.0625", 1},   {"1000", 16000}};
    cp_err err;
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
        int64_t u = -1;
        CHECK_INT(cp_fin_units_parse(OK[i].in, &u, &err), CP_OK);
        CHECK_INT(u, OK[i].u16);
    }
    static const char *const BAD[] = {"0", "-1", "1/3", "1/0", "abc", "1//2", "1.", ".5", "1/2/3", "1001", "", "1 1",
                                      "1 3/2", "0.03125", "½½", "1e2", "١"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        int64_t u = -1;
        cp_status st = cp_fin_units_parse(BAD[i], &u, &err);
        if (st == CP_OK) fprintf(stderr, "  accepted '%s' as %lld\n", BAD[i], (long long)u);
        CHECK_INT(st, CP_E_BAD_REQUEST);
    }
    char t[24];
    cp_fin_units_format(24, t, sizeof t);
    CHECK_STR(t, "1 1/2");
    cp_fin_units_format(1, t, sizeof t);
    CHECK_STR(t, "1/16");
    cp_fin_units_format(640, t, sizeof t);
    CHECK_STR(t, "40");
}

static void test_amounts_and_currencies(void)
{
    cp_err err;
    int exp = -1;
    CHECK_INT(cp_fin_currency("CHF", &exp, &err), CP_OK);
    CHECK_INT(exp, 2);
    CHECK_INT(cp_fin_currency("JPY", &exp, &err), CP_OK);
    CHECK_INT(exp, 0);
    CHECK_INT(cp_fin_currency("KWD", &exp, &err), CP_OK);
    CHECK_INT(exp, 3);
    CHECK_INT(cp_fin_currency("XAU", &exp, &err), CP_E_UNPROCESSABLE); /* gold has no minor unit */
    CHECK_INT(cp_fin_currency("ABC", &exp, &err), CP_E_UNPROCESSABLE);
    CHECK_INT(cp_fin_currency("chf", &exp, &err), CP_E_UNPROCESSABLE);
    int64_t v;
    CHECK_INT(cp_fin_amount_parse("1250.5", 2, false, &v, &err), CP_OK);
    CHECK_INT(v, 125050);
    CHECK_INT(cp_fin_amount_parse("1250", 0, false, &v, &err), CP_OK);
    CHECK_INT(v, 1250);
    CHECK_INT(cp_fin_amount_parse("1.234", 3, false, &v, &err), CP_OK);
    CHECK_INT(v, 1234);
    CHECK_INT(cp_fin_amount_parse("1.234", 2, false, &v, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_amount_parse("-5", 2, false, &v, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_amount_parse("0", 2, false, &v, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_amount_parse("1,000", 2, false, &v, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_amount_parse("1e3", 2, false, &v, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_amount_parse("99999999999999999", 2, false, &v, &err), CP_E_BAD_REQUEST);
    char t[40];
    cp_fin_amount_format(-125050, 2, t, sizeof t);
    CHECK_STR(t, "-1250.50");
    cp_fin_amount_format(7, 3, t, sizeof t);
    CHECK_STR(t, "0.007");
    int64_t d;
    CHECK_INT(cp_fin_date_parse("2024-02-29", &d, &err), CP_OK);
    CHECK_INT(cp_fin_date_parse("2025-02-29", &d, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_date_parse("2025-13-01", &d, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_date_parse("2025-1-01", &d, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_fin_date_parse("2025-06-15", &d, &err), CP_OK);
    CHECK_INT(cp_fin_year_of(d), 2025);
    CHECK_INT(cp_fin_month_of(d), 6);
    cp_fin_date_format(d, t, sizeof t);
    CHECK_STR(t, "2025-06-15");
}

static void test_scale_file(void)
{
    cp_scale s;
    cp_err err;
    CHECK_INT(cp_scale_parse(cp_scale_default_text, strlen(cp_scale_default_text), &s, &err), CP_OK);
    CHECK_INT(s.n, 18);
    CHECK_INT(s.cls[0].units16, 640);
    CHECK_INT(s.cls[17].units16, 1);
    CHECK(s.cls[17].ldc_only && s.cls[16].ldc_only && !s.cls[15].ldc_only);
    CHECK_INT(s.sector_num, 1);
    CHECK_INT(s.sector_den, 5);
    CHECK_INT(s.sector_min16, 8);
    /* the compiled-in default is the shipped file */
    const char *dir = getenv("CP_TEST_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/../../data/finance/scale-default.txt", dir ? dir : "tests/data");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        static char buf[CP_SCALE_TEXT_MAX + 1];
        size_t n = fread(buf, 1, CP_SCALE_TEXT_MAX, f);
        fclose(f);
        buf[n] = 0;
        CHECK_STR(buf, cp_scale_default_text);
    }
    static const char *const BAD[] = {"", "# only a comment\n", "class 3\nclass 5\n", "class 3\nclass 3\n",
                                      "klass 3\n", "class 1/3\n", "class 3 lcd\n", "sector-unit 0\nclass 1\n",
                                      "sector-unit 1/5\nsector-unit 1/4\nclass 1\n", "class\n"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        CHECK(cp_scale_parse(BAD[i], strlen(BAD[i]), &s, &err) != CP_OK);
    const char *ok = "class 3\nclass 1 1/2  # comment\nclass 1/16 ldc\n";
    CHECK_INT(cp_scale_parse(ok, strlen(ok), &s, &err), CP_OK);
    CHECK_INT(s.n, 3);
    CHECK_INT(s.cls[1].units16, 24);
}

static void test_lowering_rule(void)
{
    cp_scale s;
    cp_err err;
    cp_scale_parse(cp_scale_default_text, strlen(cp_scale_default_text), &s, &err);
    static const struct {
        int64_t from, lowest;
    } L[] = {{640, 560}, {480, 400}, {160, 128}, {80, 64}, {64, 48}, {48, 48}, {32, 24}, {24, 16}, {16, 8}, {8, 4}, {4, 2}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        int64_t low = cp_scale_lowest_without_decision(&s, L[i].from);
        if (low != L[i].lowest) fprintf(stderr, "  from %lld: %lld\n", (long long)L[i].from, (long long)low);
        CHECK_INT(low, L[i].lowest);
    }
    /* choices */
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 0, 640, false, &err), CP_OK);
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 160, 80, false, &err), CP_E_UNPROCESSABLE);
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 160, 80, true, &err), CP_OK);
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 160, 640, false, &err), CP_OK); /* raising: any time */
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 0, 1, false, &err), CP_E_UNPROCESSABLE); /* LDC only */
    CHECK_INT(cp_scale_check_choice(&s, "member_state", true, 0, 1, false, &err), CP_OK);
    CHECK_INT(cp_scale_check_choice(&s, "member_state", false, 0, 40, false, &err), CP_E_UNPROCESSABLE); /* 2.5: no class */
    CHECK_INT(cp_scale_check_choice(&s, "sector_member", false, 0, 4, false, &err), CP_E_UNPROCESSABLE); /* below ½ */
    CHECK_INT(cp_scale_check_choice(&s, "sector_member", true, 0, 1, false, &err), CP_E_UNPROCESSABLE);
    CHECK_INT(cp_scale_check_choice(&s, "academia", false, 0, 8, false, &err), CP_OK);
    CHECK_INT(cp_scale_check_choice(&s, "observer", false, 0, 16, false, &err), CP_E_UNPROCESSABLE);
}

static void test_class_history(void)
{
    ffx f;
    ffx_open(&f);
    char st[CP_UUID_LEN + 1], sec[CP_UUID_LEN + 1];
    ffx_member(&f, "member_state", "Aland", "2020-01-01", st);
    ffx_member(&f, "sector_member", "Telco", "2020-01-01", sec);
    CHECK_INT(ffx_class(&f, st, "10", "2021-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, st, "5", "2022-01-01", NULL), CP_E_UNPROCESSABLE); /* 50 %: too far without a decision */
    CHECK(strstr(f.err.msg, "decision") != NULL);
    CHECK_INT(ffx_class(&f, st, "8", "2022-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, st, "5", "2023-01-01", "GA-2022-17"), CP_OK);
    CHECK_INT(ffx_class(&f, st, "40", "2022-06-01", NULL), CP_E_UNPROCESSABLE); /* before a recorded change */
    CHECK_INT(ffx_class(&f, st, "1/16", "2024-01-01", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(ffx_class(&f, sec, "1/4", "2021-01-01", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(ffx_class(&f, sec, "1/2", "2021-01-01", NULL), CP_OK);
    /* the LDC flag opens the smallest classes, for member states only */
    json_t *o = NULL;
    cp_fin_idem idem = {"p1", false};
    json_t *in = json_pack("{sb}", "ldc", 1);
    CHECK_INT(cp_finance_profile_set(f.c, &f.a, sec, in, &idem, &o, &f.err), CP_E_UNPROCESSABLE);
    idem.key = "p2";
    CHECK_INT(cp_finance_profile_set(f.c, &f.a, st, in, &idem, &o, &f.err), CP_OK);
    json_decref(o);
    json_decref(in);
    CHECK_INT(ffx_class(&f, st, "1/16", "2024-01-01", "GA-2023-3"), CP_OK);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_member_class"), 5);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM audit_log WHERE action = 'finance.class.set'"), 5);
    ffx_close(&f);
}

static int64_t amount_of(ffx *f, const char *m) { return ffx_assessment(f, m, 2025, "amount"); }

/* docs/finance.md, worked example 1. */
static void test_prorating(void)
{
    ffx f;
    ffx_open(&f);
    char a[CP_UUID_LEN + 1], b[CP_UUID_LEN + 1], c[CP_UUID_LEN + 1], s[CP_UUID_LEN + 1], w[CP_UUID_LEN + 1],
        o[CP_UUID_LEN + 1], late[CP_UUID_LEN + 1];
    ffx_member(&f, "member_state", "A", "2020-01-01", a);
    ffx_member(&f, "member_state", "B", "2025-04-15", b);
    ffx_member(&f, "member_state", "C", "2020-01-01", c);
    ffx_member(&f, "sector_member", "S", "2020-01-01", s);
    ffx_member(&f, "member_state", "W", "2020-01-01", w);
    ffx_member(&f, "observer", "O", "2020-01-01", o);
    ffx_member(&f, "member_state", "Late", "2026-01-10", late);
    ffx_withdraw(&f, w, "2025-08-10");
    json_t *in = json_pack("{sb}", "ldc", 1), *out = NULL;
    cp_fin_idem idem = {"ldc-c", false};
    CHECK_INT(cp_finance_profile_set(f.c, &f.a, c, in, &idem, &out, &f.err), CP_OK);
    json_decref(in);
    json_decref(out);
    CHECK_INT(ffx_class(&f, a, "3", "2020-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, b, "1", "2025-04-15", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, c, "1/16", "2020-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, s, "½", "2020-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, w, "2", "2020-01-01", NULL), CP_OK);
    CHECK_INT(ffx_class(&f, late, "1", "2026-01-10", NULL), CP_OK);
    CHECK_INT(ffx_assess(&f, 2025, NULL, &out), CP_E_UNPROCESSABLE); /* no unit value yet */
    CHECK_INT(ffx_unit(&f, 2025, 100000), CP_OK);                    /* 1,000.00 CHF */
    CHECK_INT(ffx_unit(&f, 2025, 100001), CP_E_CONFLICT);            /* set once */
    CHECK_INT(ffx_assess(&f, 2025, NULL, &out), CP_OK);
    CHECK_INT(amount_of(&f, a), 300000);  /* 3 × 12/12 × 1000 */
    CHECK_INT(amount_of(&f, b), 75000);   /* 1 × 9/12 (April..December) */
    CHECK_INT(amount_of(&f, c), 6250);    /* 1/16 */
    CHECK_INT(amount_of(&f, s), 10000);   /* ½ of a sector unit = ½ × 1/5 × 1000 */
    CHECK_INT(amount_of(&f, w), 133333);  /* 2 × 8/12 (January..August) = 1333.33⅓ */
    CHECK_INT(amount_of(&f, o), -1);      /* observers do not contribute */
    CHECK_INT(amount_of(&f, late), -1);   /* joined after the year */
    CHECK_INT(json_integer_value(json_object_get(out, "total_minor")), 524583);
    CHECK_INT(ffx_count(&f, "SELECT SUM(amount) FROM fin_assessment WHERE year = 2025"), 524583);
    CHECK_STR(json_string_value(json_object_get(out, "due_date")), "2025-03-31");
    /* B joined after the due date: 30 days from its first month */
    CHECK_INT(ffx_assessment(&f, b, 2025, "due"), ffx_day("2025-05-15"));
    json_decref(out);
    /* a second run finds nobody new */
    CHECK_INT(ffx_assess(&f, 2025, NULL, &out), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(out, "members")), 0);
    json_decref(out);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

/* docs/finance.md, worked example 2: three members from June, one unit each. */
static void test_rounding_remainder(void)
{
    ffx f;
    ffx_open(&f);
    char m[3][CP_UUID_LEN + 1];
    for (int i = 0; i < 3; i++) {
        char name[8] = {'M', (char)('1' + i), 0};
        ffx_member(&f, "member_state", name, "2025-06-01", m[i]);
        CHECK_INT(ffx_class(&f, m[i], "1", "2025-06-01", NULL), CP_OK);
    }
    CHECK_INT(ffx_unit(&f, 2025, 100000), CP_OK);
    json_t *out = NULL;
    CHECK_INT(ffx_assess(&f, 2025, "2025-07-31", &out), CP_OK);
    /* exact share 7/12 × 1000 = 583.33⅓ each; total 1750.00 exactly */
    CHECK_INT(json_integer_value(json_object_get(out, "total_minor")), 175000);
    int64_t sum = 0, big = 0;
    const char *lowest = strcmp(m[0], m[1]) < 0 ? (strcmp(m[0], m[2]) < 0 ? m[0] : m[2]) : (strcmp(m[1], m[2]) < 0 ? m[1] : m[2]);
    for (int i = 0; i < 3; i++) {
        int64_t v = amount_of(&f, m[i]);
        sum += v;
        CHECK(v == 58333 || v == 58334);
        if (v == 58334) {
            big++;
            CHECK_STR(m[i], lowest); /* equal remainders and shares: the lowest member id */
        }
    }
    CHECK_INT(sum, 175000);
    CHECK_INT(big, 1);
    json_decref(out);
    ffx_close(&f);
}

/* Larger: random classes and join months; the total always equals the rounded exact sum
 * and every share is within one minor unit of its exact value. */
static void test_remainder_property(void)
{
    ffx f;
    ffx_open(&f);
    static const char *const U[] = {"40", "25", "10", "3", "1½", "1", "½", "¼"};
    int64_t u16[] = {640, 400, 160, 48, 24, 16, 8, 4};
    enum { N = 60 };
    char ids[N][CP_UUID_LEN + 1];
    int months[N], cls[N];
    for (int i = 0; i < N; i++) {
        char name[16], joined[16];
        snprintf(name, sizeof name, "P%02d", i);
        months[i] = 12 - (i * 7) % 12;
        cls[i] = (i * 5) % 8;
        snprintf(joined, sizeof joined, "2025-%02d-03", 13 - months[i]);
        ffx_member(&f, "member_state", name, joined, ids[i]);
        CHECK_INT(ffx_class(&f, ids[i], U[cls[i]], joined, NULL), CP_OK);
    }
    CHECK_INT(ffx_unit(&f, 2025, 1234567), CP_OK);
    json_t *out = NULL;
    CHECK_INT(ffx_assess(&f, 2025, "2025-12-31", &out), CP_OK);
    __int128 exact = 0;
    int64_t sum = 0;
    for (int i = 0; i < N; i++) {
        __int128 num = (__int128)u16[cls[i]] * months[i] * 1234567; /* / 192 */
        exact += num;
        int64_t v = amount_of(&f, ids[i]);
        sum += v;
        CHECK((__int128)v * 192 > num - 192 && (__int128)v * 192 < num + 192);
    }
    int64_t total = (int64_t)((exact * 2 + 192) / 384);
    CHECK_INT(sum, total);
    CHECK_INT(json_integer_value(json_object_get(out, "total_minor")), total);
    json_decref(out);
    ffx_close(&f);
}

int main(void)
{
    RUN(test_units);
    RUN(test_amounts_and_currencies);
    RUN(test_scale_file);
    RUN(test_lowering_rule);
    RUN(test_class_history);
    RUN(test_prorating);
    RUN(test_rounding_remainder);
    RUN(test_remainder_property);
    return harness_done();
}
