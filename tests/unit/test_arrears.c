/*
 * test_arrears.c — payments, arrears and voting rights with the worked
 * examples of docs/finance.md: oldest-first allocation, a payment naming its
 * assessment, overpayment held as credit and applied to the next year,
 * reversal, aging buckets as of any date, the two-year rule at its exact
 * edge (by amount and by date), an exemption, a repayment plan, and the
 * eligibility source governance asks.
 */
#include "harness.h"
#include "finance_fixture.h"
#include "finance/eligibility_ledger.h"

/* One member state of 1 unit, unit value 1,000.00 CHF, assessed for
 * first..last (each due 31 March). */
static void one_member(ffx *f, char *m, int first, int last)
{
    ffx_open(f);
    ffx_member(f, "member_state", "Ruritania", "2015-01-01", m);
    CHECK_INT(ffx_class(f, m, "1", "2015-01-01", NULL), CP_OK);
    for (int y = first; y <= last; y++) {
        CHECK_INT(ffx_unit(f, y, 100000), CP_OK);
        CHECK_INT(ffx_assess(f, y, NULL, NULL), CP_OK);
    }
}

static cp_fin_right right(ffx *f, const char *m, const char *day)
{
    cp_fin_right r;
    memset(&r, 0, sizeof r);
    CHECK_INT(cp_finance_vote_right(f->c, m, ffx_day(day), &r, &f->err), CP_OK);
    return r;
}

static const char *id_of(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void test_oldest_first_and_named(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2023, 2025);
    json_t *p = NULL;
    /* 1,500.00: 2023 in full, then half of 2024 */
    CHECK_INT(ffx_pay(&f, m, 150000, "2025-05-01", NULL, &p), CP_OK);
    CHECK_INT(ffx_assessment(&f, m, 2023, "paid"), 100000);
    CHECK_INT(ffx_assessment(&f, m, 2024, "paid"), 50000);
    CHECK_INT(ffx_assessment(&f, m, 2025, "paid"), 0);
    CHECK_INT(json_array_size(json_object_get(p, "allocations")), 2);
    json_decref(p);
    /* a payment naming 2025 goes there first, the rest oldest first */
    json_t *items = NULL;
    CHECK_INT(cp_finance_assessments(f.c, "CHF", 2025, m, &items, &f.err), CP_OK);
    const char *a2025 = id_of(json_array_get(items, 0), "id");
    CHECK_INT(ffx_pay(&f, m, 120000, "2025-05-02", a2025, &p), CP_OK);
    CHECK_INT(ffx_assessment(&f, m, 2025, "paid"), 100000);
    CHECK_INT(ffx_assessment(&f, m, 2024, "paid"), 70000);
    json_decref(p);
    /* naming an assessment that is settled or another member's is refused */
    CHECK_INT(ffx_pay(&f, m, 100, "2025-05-03", a2025, &p), CP_E_UNPROCESSABLE);
    json_decref(items);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

static void test_overpayment_credit(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2025, 2025);
    json_t *p = NULL;
    CHECK_INT(ffx_pay(&f, m, 130000, "2025-02-01", NULL, &p), CP_OK); /* 300.00 too much */
    CHECK_INT(json_integer_value(json_object_get(p, "credit_minor")), 30000);
    json_decref(p);
    int64_t bal;
    char acc[64];
    snprintf(acc, sizeof acc, "credit:%s", m);
    CHECK_INT(cp_ledger_balance(f.c, "CHF", acc, &bal, &f.err), CP_OK);
    CHECK_INT(bal, -30000);
    /* the next year's assessment takes the credit at once */
    CHECK_INT(ffx_unit(&f, 2026, 100000), CP_OK);
    CHECK_INT(ffx_assess(&f, 2026, NULL, NULL), CP_OK);
    CHECK_INT(ffx_assessment(&f, m, 2026, "paid"), 30000);
    CHECK_INT(cp_ledger_balance(f.c, "CHF", acc, &bal, &f.err), CP_OK);
    CHECK_INT(bal, 0);
    /* the statement: opening 0, 1000 charged, 1300 paid, 1000 charged (credit moves within) */
    json_t *s = NULL;
    CHECK_INT(cp_finance_statement(f.c, m, "CHF", ffx_day("2025-01-01"), ffx_day("2026-12-31"), &s, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(s, "opening_balance_minor")), 0);
    CHECK_INT(json_integer_value(json_object_get(s, "charges_minor")), 200000);
    CHECK_INT(json_integer_value(json_object_get(s, "payments_minor")), 130000);
    CHECK_INT(json_integer_value(json_object_get(s, "closing_balance_minor")), 70000);
    CHECK_INT(json_array_size(json_object_get(s, "lines")), 3);
    size_t len = 0;
    char *csv = cp_finance_statement_csv(s, &len);
    CHECK(csv && strstr(csv, "closing balance,,,700.00\r\n") != NULL);
    free(csv);
    json_decref(s);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

static void test_reversal(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2024, 2025);
    json_t *p = NULL, *r = NULL;
    CHECK_INT(ffx_pay(&f, m, 150000, "2025-02-01", NULL, &p), CP_OK);
    const char *pid = id_of(p, "id");
    json_t *in = json_pack("{ss ss}", "reason", "bounced cheque", "date", "2025-02-20");
    cp_fin_idem idem = {"rev-1", false};
    CHECK_INT(cp_finance_reverse(f.c, &f.a, pid, in, &idem, &r, &f.err), CP_OK);
    CHECK_STR(id_of(r, "reverses"), pid);
    CHECK_INT(ffx_assessment(&f, m, 2024, "paid"), 0);
    CHECK_INT(ffx_assessment(&f, m, 2025, "paid"), 0);
    /* the original is still there, unchanged; the reversal names it */
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_entry WHERE kind = 'payment'"), 1);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_entry WHERE kind = 'reversal' AND reverses IS NOT NULL"), 1);
    /* arrears as of a day between: paid; after: unpaid again */
    CHECK_INT(right(&f, m, "2025-02-10").arrears, 0);
    CHECK_INT(right(&f, m, "2025-02-21").arrears, 100000); /* 2024 overdue; 2025 not yet due */
    json_decref(r);
    idem.key = "rev-2";
    CHECK_INT(cp_finance_reverse(f.c, &f.a, pid, in, &idem, &r, &f.err), CP_E_CONFLICT); /* once only */
    /* an assessment with payments on it cannot be reversed; an unpaid one can */
    json_t *items = NULL;
    CHECK_INT(ffx_pay(&f, m, 100, "2025-03-01", NULL, NULL), CP_OK);
    CHECK_INT(cp_finance_assessments(f.c, "CHF", 2024, m, &items, &f.err), CP_OK);
    idem.key = "rev-3";
    CHECK_INT(cp_finance_reverse(f.c, &f.a, id_of(json_array_get(items, 0), "id"), in, &idem, &r, &f.err), CP_E_UNPROCESSABLE);
    json_decref(items);
    CHECK_INT(cp_finance_assessments(f.c, "CHF", 2025, m, &items, &f.err), CP_OK);
    idem.key = "rev-4";
    json_t *in2 = json_pack("{ss ss}", "reason", "assessed in error", "date", "2025-03-05");
    CHECK_INT(cp_finance_reverse(f.c, &f.a, id_of(json_array_get(items, 0), "id"), in2, &idem, &r, &f.err), CP_OK);
    CHECK_INT(ffx_assessment(&f, m, 2025, "amount"), -1); /* cancelled */
    json_decref(r);
    json_decref(items);
    json_decref(in);
    json_decref(in2);
    json_decref(p);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

static void test_aging(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2023, 2025);
    json_t *a = NULL;
    /* as of 2025-05-15: 2025 is 45 days late, 2024 410 days, 2023 776 days */
    CHECK_INT(cp_finance_arrears(f.c, "CHF", ffx_day("2025-05-15"), &a, &f.err), CP_OK);
    json_t *ag = json_object_get(a, "aging");
    CHECK_INT(json_integer_value(json_object_get(ag, "1-30_minor")), 0);
    CHECK_INT(json_integer_value(json_object_get(ag, "31-90_minor")), 100000);
    CHECK_INT(json_integer_value(json_object_get(ag, "91-365_minor")), 0);
    CHECK_INT(json_integer_value(json_object_get(ag, "over-365_minor")), 200000);
    json_decref(a);
    /* as of 2024-04-30 (in the past): 2024 is 30 days late, 2023 396 */
    CHECK_INT(cp_finance_arrears(f.c, "CHF", ffx_day("2024-04-30"), &a, &f.err), CP_OK);
    ag = json_object_get(a, "aging");
    CHECK_INT(json_integer_value(json_object_get(ag, "1-30_minor")), 100000);
    CHECK_INT(json_integer_value(json_object_get(ag, "over-365_minor")), 100000);
    CHECK_INT(json_integer_value(json_object_get(a, "total_minor")), 200000);
    json_decref(a);
    /* a payment made later does not change the past */
    CHECK_INT(ffx_pay(&f, m, 300000, "2025-06-01", NULL, NULL), CP_OK);
    CHECK_INT(cp_finance_arrears(f.c, "CHF", ffx_day("2024-04-30"), &a, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(a, "total_minor")), 200000);
    json_decref(a);
    CHECK_INT(cp_finance_arrears(f.c, "CHF", ffx_day("2025-06-01"), &a, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(a, "total_minor")), 0);
    json_decref(a);
    ffx_close(&f);
}

/* docs/finance.md, worked example 3: the two-year rule at its exact edge. */
static void test_two_year_rule_edge(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2023, 2025);
    CHECK_INT(ffx_pay(&f, m, 100000, "2023-03-01", NULL, NULL), CP_OK); /* 2023 paid on time */
    /* 31 March 2025 (2025's due date): only 2024 is overdue: 1,000 < 2,000 */
    cp_fin_right r = right(&f, m, "2025-03-31");
    CHECK_INT(r.arrears, 100000);
    CHECK_INT(r.threshold, 200000); /* 2023 + 2024 */
    CHECK(r.has_right);
    /* 1 April 2025: 2024 and 2025 overdue: 2,000 >= 2,000: no vote */
    r = right(&f, m, "2025-04-01");
    CHECK_INT(r.arrears, 200000);
    CHECK(!r.has_right);
    CHECK_INT(r.min_payment, 1); /* one centime restores it */
    CHECK(strstr(r.reason, "reach") != NULL);
    /* paying exactly that on 1 April restores the vote that day */
    CHECK_INT(ffx_pay(&f, m, 1, "2025-04-01", NULL, NULL), CP_OK);
    r = right(&f, m, "2025-04-01");
    CHECK_INT(r.arrears, 199999);
    CHECK(r.has_right);
    /* 1 January 2026: the two preceding years are now 2024 and 2025 (2,000.00), arrears 1,999.99 */
    r = right(&f, m, "2026-01-01");
    CHECK_INT(r.threshold, 200000);
    CHECK(r.has_right);
    /* a member with nothing assessed for the two preceding years keeps its vote */
    r = right(&f, m, "2023-06-01");
    CHECK_INT(r.threshold, 0);
    CHECK(r.has_right);
    /* the same answer through governance's interface */
    const cp_eligibility_source *src = cp_finance_eligibility_source();
    CHECK_STR(src->name, "ledger");
    cp_vote_right v;
    CHECK_INT(src->right_to_vote(src->ctx, f.c, m, ffx_day("2025-03-31") + 3600000, &v, &f.err), CP_OK);
    CHECK(v.has_right);
    CHECK_INT(v.threshold, 200000);
    CHECK_STR(v.currency, "CHF");
    ffx_close(&f);
}

static void test_exemption(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2023, 2025);
    CHECK(!right(&f, m, "2025-05-01").has_right);
    json_t *in = json_pack("{ss ss ss ss}", "member_id", m, "decision_ref", "GA-2025-04 (natural disaster)", "from",
                           "2025-04-15", "until", "2025-06-30");
    CHECK_INT(ffx_do(&f, cp_finance_exemption, in, NULL), CP_OK);
    CHECK(!right(&f, m, "2025-04-14").has_right);
    cp_fin_right r = right(&f, m, "2025-06-30");
    CHECK(r.has_right && r.exempt);
    CHECK(strstr(r.reason, "GA-2025-04") != NULL);
    CHECK(!right(&f, m, "2025-07-01").has_right);
    in = json_pack("{ss ss ss ss}", "member_id", m, "decision_ref", "x", "from", "2025-07-01", "until", "2025-06-30");
    CHECK_INT(ffx_do(&f, cp_finance_exemption, in, NULL), CP_E_UNPROCESSABLE);
    ffx_close(&f);
}

/* docs/finance.md, worked example 4: a repayment plan. */
static void test_repayment_plan(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2023, 2025);
    /* as of 2025-05-01 arrears 3,000 >= 2,000: no vote. The plan covers the 3,000 in three installments. */
    json_t *in = json_pack("{ss ss ss s[{ss sI} {ss sI} {ss sI}]}", "member_id", m, "decision_ref", "GA-2025-05",
                           "start", "2025-05-01", "installments", "due", "2025-06-30", "amount_minor", (json_int_t)100000,
                           "due", "2025-09-30", "amount_minor", (json_int_t)100000, "due", "2025-12-31", "amount_minor",
                           (json_int_t)100000);
    CHECK_INT(ffx_do(&f, cp_finance_plan, in, NULL), CP_OK);
    /* respected before the first installment falls due: the plan's balance is not counted */
    cp_fin_right r = right(&f, m, "2025-06-15");
    CHECK(r.plan_respected && r.has_right);
    CHECK_INT(r.counted, 0);
    /* first installment missed: not respected, all arrears count */
    r = right(&f, m, "2025-07-01");
    CHECK(!r.plan_respected && !r.has_right);
    CHECK_INT(r.counted, 300000);
    /* paid late (on 2025-07-10): respected again from that day */
    CHECK_INT(ffx_pay(&f, m, 100000, "2025-07-10", NULL, NULL), CP_OK);
    CHECK(!right(&f, m, "2025-07-09").has_right);
    r = right(&f, m, "2025-07-10");
    CHECK(r.plan_respected && r.has_right);
    CHECK_INT(r.arrears, 200000);
    CHECK_INT(r.counted, 0);
    /* bad plans */
    in = json_pack("{ss ss ss s[]}", "member_id", m, "decision_ref", "x", "start", "2025-05-01", "installments");
    CHECK_INT(ffx_do(&f, cp_finance_plan, in, NULL), CP_E_BAD_REQUEST);
    in = json_pack("{ss ss ss s[{ss sI}]}", "member_id", m, "decision_ref", "x", "start", "2025-05-01", "installments",
                   "due", "2025-04-01", "amount_minor", (json_int_t)5);
    CHECK_INT(ffx_do(&f, cp_finance_plan, in, NULL), CP_E_UNPROCESSABLE);
    ffx_close(&f);
}

static void test_reports(void)
{
    ffx f;
    char m[CP_UUID_LEN + 1];
    one_member(&f, m, 2024, 2025);
    json_t *line = NULL, *rep = NULL;
    CHECK_INT(ffx_pay(&f, m, 100000, "2024-03-01", NULL, NULL), CP_OK);
    CHECK_INT(ffx_do(&f, cp_finance_budget_line,
                     json_pack("{si ss ss ss ss}", "year", 2025, "code", "early-warning", "name", "Early warning",
                               "amount", "1200.00", "decision_ref", "GA-2024-9"),
                     &line),
              CP_OK);
    for (int mo = 1; mo <= 12; mo++) {
        char d[16];
        snprintf(d, sizeof d, "2025-%02d-15", mo);
        CHECK_INT(ffx_do(&f, cp_finance_spend,
                         json_pack("{ss ss ss ss}", "line_id", id_of(line, "id"), "amount", "5.00", "date", d, "reference", "hosting"),
                         NULL),
                  CP_OK);
    }
    /* a voluntary contribution, reversed: cash and the year's voluntary total go back */
    json_t *gift = NULL, *rev = NULL;
    CHECK_INT(ffx_do(&f, cp_finance_voluntary,
                     json_pack("{ss ss ss ss}", "amount", "250.00", "date", "2025-05-05", "reference", "grant 1", "donor", "Foundation X"),
                     &gift),
              CP_OK);
    json_t *rin = json_pack("{ss ss}", "reason", "returned", "date", "2025-06-01");
    cp_fin_idem rk = {"rev-gift", false};
    CHECK_INT(cp_finance_reverse(f.c, &f.a, id_of(gift, "id"), rin, &rk, &rev, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(rev, "amount_minor")), 25000);
    json_decref(rin);
    json_decref(rev);
    json_decref(gift);
    CHECK_INT(cp_finance_sustainability(f.c, "CHF", ffx_day("2025-05-31"), 90, &rep, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(rep, "voluntary_year_to_date_minor")), 25000);
    json_decref(rep);
    CHECK_INT(ffx_do(&f, cp_finance_voluntary,
                     json_pack("{ss ss ss}", "amount", "250.00", "date", "2025-05-05", "reference", "grant 2"), NULL),
              CP_E_BAD_REQUEST); /* the donor is required */
    CHECK_INT(cp_finance_sustainability(f.c, "CHF", ffx_day("2025-12-31"), 90, &rep, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(rep, "voluntary_year_to_date_minor")), 0);
    CHECK_INT(json_integer_value(json_object_get(rep, "assessed_minor")), 100000);
    CHECK_INT(json_integer_value(json_object_get(rep, "collected_minor")), 0);
    CHECK_INT(json_integer_value(json_object_get(rep, "cash_minor")), 100000 - 6000);
    CHECK_INT(json_integer_value(json_object_get(rep, "monthly_spending_minor")), 500);
    CHECK(json_real_value(json_object_get(rep, "runway_months")) == 188.0); /* 940.00 / 5.00 */
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(rep, "budget_execution"), 0), "spent_minor")), 6000);
    /* 2025 overdue (1,000) reaches the contributions due for 2023 and 2024 (only 2024 was assessed: 1,000) */
    CHECK_INT(json_array_size(json_object_get(rep, "members_without_vote")), 1);
    /* 2026: 2026's contribution falls due on 31 March; with 2025 unpaid that reaches 2,000 = 2024 + 2025 */
    json_decref(rep);
    CHECK_INT(ffx_unit(&f, 2026, 100000), CP_OK);
    CHECK_INT(ffx_assess(&f, 2026, NULL, NULL), CP_OK);
    CHECK_INT(cp_finance_sustainability(f.c, "CHF", ffx_day("2026-01-15"), 90, &rep, &f.err), CP_OK);
    CHECK_INT(json_array_size(json_object_get(rep, "members_at_risk")), 1);
    json_decref(rep);
    CHECK_INT(cp_finance_sustainability(f.c, "CHF", ffx_day("2026-04-01"), 90, &rep, &f.err), CP_OK);
    json_t *nov = json_object_get(rep, "members_without_vote");
    CHECK_INT(json_array_size(nov), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(nov, 0), "min_payment_to_restore_minor")), 1);
    size_t len = 0;
    char *csv = cp_finance_sustainability_csv(rep, &len);
    CHECK(csv && strstr(csv, "without_vote,Ruritania,") != NULL);
    free(csv);
    static const char *const CHARTS[] = {"collection", "arrears", "runway"};
    for (int i = 0; i < 3; i++) {
        char *svg = cp_finance_chart_svg(CHARTS[i], rep, &len);
        CHECK(svg && strncmp(svg, "<svg ", 5) == 0 && strstr(svg, "</svg>") != NULL && !strstr(svg, "<script"));
        free(svg);
    }
    CHECK(cp_finance_chart_svg("nope", rep, &len) == NULL);
    json_decref(rep);
    CHECK_INT(cp_finance_transparency(f.c, "CHF", ffx_day("2026-04-01"), &rep, &f.err), CP_OK);
    CHECK_INT(json_array_size(json_object_get(rep, "members_without_vote")), 1);
    CHECK(json_object_get(rep, "budget_execution") == NULL); /* the aggregate picture only */
    json_decref(rep);
    json_decref(line);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

int main(void)
{
    RUN(test_oldest_first_and_named);
    RUN(test_overpayment_credit);
    RUN(test_reversal);
    RUN(test_aging);
    RUN(test_two_year_rule_edge);
    RUN(test_exemption);
    RUN(test_repayment_plan);
    RUN(test_reports);
    return harness_done();
}
