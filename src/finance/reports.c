/*
 * reports.c — arrears, voting rights, the sustainability report, the public
 * transparency summary and a member's statement, all "as of" any day.
 *
 * Speed: the report reads maintained aggregates (fin_daily per day and
 * metric, fin_account balances, fin_assessment.paid/last_alloc) plus the
 * allocations of assessments that were still open on the day asked, so it
 * stays well under a second at 10,000 members × 20 years (docs/benchmarks.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/money.h"
#include "finance/rights.h"

static const char *const BUCKETS[4] = {"1-30", "31-90", "91-365", "over-365"};

static json_t *member_right_json(const fin_row *m, int exp)
{
    json_t *o = json_pack("{ss ss ss ss ss sb sb sb ss}", "member_id", m->id, "name", m->name, "kind", m->kind, "country",
                          m->country, "region", m->region, "has_vote", m->right.has_right, "exempt", m->right.exempt,
                          "plan_respected", m->right.plan_respected, "reason", m->right.reason);
    fin_put_amount(o, "arrears", m->right.arrears, exp);
    fin_put_amount(o, "counted", m->right.counted, exp);
    fin_put_amount(o, "threshold", m->right.threshold, exp);
    fin_put_amount(o, "min_payment_to_restore", m->right.min_payment, exp);
    return o;
}

cp_status cp_finance_arrears(cp_conn *c, const char *cur, int64_t day, json_t **out, cp_err *err)
{
    fin_row *v = NULL;
    size_t n = 0;
    cp_status st = fin_rights_rows(c, cur, day, day, NULL, &v, &n, err);
    if (st) return st;
    int exp = fin_exponent(cur);
    int64_t tb[4] = {0}, total = 0;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!v[i].right.arrears) continue;
        json_t *o = json_pack("{ss ss ss ss}", "member_id", v[i].id, "name", v[i].name, "kind", v[i].kind, "region",
                              v[i].region);
        fin_put_amount(o, "arrears", v[i].right.arrears, exp);
        json_t *b = json_object();
        for (int k = 0; k < 4; k++) {
            fin_put_amount(b, BUCKETS[k], v[i].buckets[k], exp);
            tb[k] += v[i].buckets[k];
        }
        json_object_set_new(o, "aging", b);
        json_array_append_new(items, o);
        total += v[i].right.arrears;
    }
    free(v);
    json_t *o = json_pack("{ss so}", "currency", cur, "items", items);
    fin_put_date(o, "as_of", day);
    fin_put_amount(o, "total", total, exp);
    json_t *b = json_object();
    for (int k = 0; k < 4; k++)
        fin_put_amount(b, BUCKETS[k], tb[k], exp);
    json_object_set_new(o, "aging", b);
    *out = o;
    return CP_OK;
}

cp_status cp_finance_voting_rights(cp_conn *c, const char *cur, int64_t day, json_t **out, cp_err *err)
{
    fin_row *v = NULL;
    size_t n = 0;
    cp_status st = fin_rights_rows(c, cur, day, day, NULL, &v, &n, err);
    if (st) return st;
    int exp = fin_exponent(cur);
    json_t *without = json_array(), *with = json_array();
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].kind, "member_state") != 0) continue;
        json_array_append_new(v[i].right.has_right ? with : without, member_right_json(&v[i], exp));
    }
    free(v);
    *out = json_pack("{ss so so}", "currency", cur, "without_vote", without, "with_vote", with);
    fin_put_date(*out, "as_of", day);
    return CP_OK;
}

/* ---- sums over the maintained aggregates ---- */

static cp_status daily_sum(cp_conn *c, const char *cur, const char *metric, int64_t from, int64_t to, int64_t *out,
                           cp_err *err)
{
    return fin_scalar(c, "SELECT COALESCE(SUM(amount), 0) FROM fin_daily WHERE currency = ? AND metric = ? AND day >= ? AND day <= ?",
                      out, err, "ssii", cur, metric, from, to);
}

/* assessed and collected (allocations by day) for one financial year */
static cp_status year_figures(cp_conn *c, const char *cur, int year, int64_t day, int64_t *assessed, int64_t *collected,
                              cp_err *err)
{
    /* a past year's assessments are all dated before day; only day's own year needs the entry dates */
    cp_status st = year < cp_fin_year_of(day)
                       ? fin_scalar(c, "SELECT COALESCE(SUM(amount), 0) FROM fin_assessment WHERE currency = ? AND year = ? AND cancelled = 0",
                                    assessed, err, "si", cur, (int64_t)year)
                       : fin_scalar(c,
                                    "SELECT COALESCE(SUM(amount), 0) FROM fin_assessment a WHERE currency = ? AND year = ?"
                                    " AND cancelled = 0 AND EXISTS (SELECT 1 FROM fin_entry e WHERE e.id = a.id AND e.day <= ?)",
                                    assessed, err, "sii", cur, (int64_t)year, day);
    if (st) return st;
    /* settled for good by day: paid; otherwise the allocations dated by day */
    return fin_scalar(c,
                      "SELECT COALESCE(SUM(CASE WHEN a.last_alloc <= ? THEN a.paid ELSE"
                      " COALESCE((SELECT SUM(x.amount) FROM fin_allocation x WHERE x.assessment_id = a.id AND x.day <= ?), 0) END), 0)"
                      " FROM fin_assessment a WHERE a.currency = ? AND a.year = ? AND a.cancelled = 0",
                      collected, err, "iisi", day, day, cur, (int64_t)year);
}

static int64_t pct10(int64_t part, int64_t whole) /* tenths of a percent, rounded half up */
{
    if (whole <= 0) return 0;
    return (int64_t)(((__int128)part * 2000 + whole) / (2 * (__int128)whole));
}

static json_t *pct_json(int64_t tenths) { return json_real((double)tenths / 10.0); }

static cp_status budget_execution(cp_conn *c, const char *cur, int year, int64_t day, json_t **items, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT b.code, b.name, b.amount, COALESCE((SELECT SUM(l.amount) FROM fin_leg l"
                                   " WHERE l.currency = b.currency AND l.account = 'expense:' || CAST(b.year AS TEXT) || ':' || b.code"
                                   " AND l.day <= ?), 0) FROM fin_budget_line b WHERE b.currency = ? AND b.year = ? ORDER BY b.code",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, day);
    cp_stmt_bind_text(s, 2, cur);
    cp_stmt_bind_int(s, 3, year);
    int exp = fin_exponent(cur);
    *items = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t budget = cp_stmt_col_int(s, 2), spent = cp_stmt_col_int(s, 3);
        json_t *o = json_pack("{ss ss so}", "code", cp_stmt_col_text(s, 0), "name", cp_stmt_col_text(s, 1), "execution_pct",
                              pct_json(pct10(spent, budget)));
        fin_put_amount(o, "budget", budget, exp);
        fin_put_amount(o, "spent", spent, exp);
        json_array_append_new(*items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* cash at each of the last 24 month ends up to day (for the runway chart), in one pass over the daily totals */
static cp_status cash_history(cp_conn *c, const char *cur, int64_t day, int exp, json_t **items, cp_err *err)
{
    int64_t ends[24];
    int y = cp_fin_year_of(day), m = cp_fin_month_of(day);
    for (int k = 23; k >= 0; k--) {
        int mm = m - k, yy = y;
        while (mm <= 0) {
            mm += 12;
            yy--;
        }
        int ny = mm == 12 ? yy + 1 : yy, nm = mm == 12 ? 1 : mm + 1;
        int64_t end = cp_fin_date(ny, nm, 1) - CP_FIN_DAY_MS;
        ends[23 - k] = end > day ? day : end;
    }
    int64_t before = 0;
    cp_status st = fin_scalar(c, "SELECT COALESCE(SUM(amount), 0) FROM fin_daily WHERE currency = ? AND metric = 'cash' AND day < ?",
                              &before, err, "si", cur, ends[0] - 40 * CP_FIN_DAY_MS);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c, "SELECT day, amount FROM fin_daily WHERE currency = ? AND metric = 'cash' AND day >= ? AND day <= ?"
                                 " ORDER BY day", &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, cur);
    cp_stmt_bind_int(s, 2, ends[0] - 40 * CP_FIN_DAY_MS);
    cp_stmt_bind_int(s, 3, day);
    *items = json_array();
    int k = 0;
    int64_t cash = before;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t d = cp_stmt_col_int(s, 0);
        for (; k < 24 && d > ends[k]; k++) {
            json_t *o = json_object();
            fin_put_date(o, "date", ends[k]);
            fin_put_amount(o, "cash", cash, exp);
            json_array_append_new(*items, o);
        }
        cash += cp_stmt_col_int(s, 1);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    for (; !st && k < 24; k++) {
        json_t *o = json_object();
        fin_put_date(o, "date", ends[k]);
        fin_put_amount(o, "cash", cash, exp);
        json_array_append_new(*items, o);
    }
    return st;
}

cp_status cp_finance_sustainability(cp_conn *c, const char *cur, int64_t day, int risk_days, json_t **out, cp_err *err)
{
    int exp = fin_exponent(cur), year = cp_fin_year_of(day);
    int64_t assessed = 0, collected = 0, cash = 0, spent12 = 0, receipts = 0, voluntary = 0;
    cp_status st = year_figures(c, cur, year, day, &assessed, &collected, err);
    if (!st) st = daily_sum(c, cur, "cash", 0, day, &cash, err);
    if (!st) st = daily_sum(c, cur, "spent", day - 365 * CP_FIN_DAY_MS + CP_FIN_DAY_MS, day, &spent12, err);
    if (!st) st = daily_sum(c, cur, "collected", cp_fin_year_start(year), day, &receipts, err);
    if (!st) st = daily_sum(c, cur, "voluntary", cp_fin_year_start(year), day, &voluntary, err);
    if (st) return st;
    /* collection over the years (the chart): the ten years up to this one */
    json_t *years = json_array();
    int64_t first = 0;
    if ((st = fin_scalar(c, "SELECT COALESCE(MIN(year), 0) FROM fin_assessment WHERE currency = ?", &first, err, "s", cur))) {
        json_decref(years);
        return st;
    }
    for (int y = first && first > year - 9 ? (int)first : year - 9; first && y <= year && !st; y++) {
        int64_t a = 0, col = 0;
        st = year_figures(c, cur, y, day, &a, &col, err);
        json_t *o = json_pack("{si so}", "year", y, "collection_rate_pct", pct_json(pct10(col, a)));
        fin_put_amount(o, "assessed", a, exp);
        fin_put_amount(o, "collected", col, exp);
        json_array_append_new(years, o);
    }
    fin_row *v = NULL;
    size_t n = 0;
    int64_t horizon = day + (int64_t)risk_days * CP_FIN_DAY_MS;
    if (st || (st = fin_rights_rows(c, cur, day, horizon, NULL, &v, &n, err))) {
        json_decref(years);
        return st;
    }
    int64_t arrears = 0, tb[4] = {0};
    json_t *regions = json_object(), *without = json_array(), *risk = json_array(), *top = json_array();
    /* top 20 members by arrears (selection, n is small enough) */
    int picked[20];
    int np = 0;
    for (size_t i = 0; i < n; i++) {
        fin_row *m = &v[i];
        if (m->right.arrears) {
            arrears += m->right.arrears;
            for (int k = 0; k < 4; k++)
                tb[k] += m->buckets[k];
            const char *rg = m->region[0] ? m->region : "unassigned";
            json_t *r = json_object_get(regions, rg);
            int64_t prev = r ? json_integer_value(json_object_get(r, "arrears_minor")) : 0;
            json_t *nr = json_object();
            fin_put_amount(nr, "arrears", prev + m->right.arrears, exp);
            json_object_set_new(regions, rg, nr);
            /* keep the 20 largest */
            if (np < 20) picked[np++] = (int)i;
            else {
                int lo = 0;
                for (int k = 1; k < 20; k++)
                    if (v[picked[k]].right.arrears < v[picked[lo]].right.arrears) lo = k;
                if (v[picked[lo]].right.arrears < m->right.arrears) picked[lo] = (int)i;
            }
        }
        if (strcmp(m->kind, "member_state") != 0) continue;
        if (!m->right.has_right) json_array_append_new(without, member_right_json(m, exp));
        else if (m->at_risk) {
            json_t *o = member_right_json(m, exp);
            int64_t fut = m->arrears_future;
            fin_put_amount(o, "arrears_on_horizon", fut, exp);
            fin_put_amount(o, "threshold_on_horizon", m->threshold_future, exp);
            json_array_append_new(risk, o);
        }
    }
    for (int a = 0; a < np; a++) /* sort picked by arrears, largest first */
        for (int b = a + 1; b < np; b++)
            if (v[picked[b]].right.arrears > v[picked[a]].right.arrears) {
                int t = picked[a];
                picked[a] = picked[b];
                picked[b] = t;
            }
    for (int k = 0; k < np; k++) {
        json_t *o = json_pack("{ss ss}", "member_id", v[picked[k]].id, "name", v[picked[k]].name);
        fin_put_amount(o, "arrears", v[picked[k]].right.arrears, exp);
        json_array_append_new(top, o);
    }
    free(v);
    json_t *lines = NULL, *cashh = NULL;
    if ((st = budget_execution(c, cur, year, day, &lines, err)) || (st = cash_history(c, cur, day, exp, &cashh, err))) {
        json_decref(years);
        json_decref(regions);
        json_decref(without);
        json_decref(risk);
        json_decref(top);
        json_decref(lines);
        return st;
    }
    int64_t monthly = spent12 / 12;
    json_t *o = json_pack("{ss si so si}", "currency", cur, "financial_year", year, "collection_rate_pct",
                          pct_json(pct10(collected, assessed)), "risk_days", risk_days);
    fin_put_date(o, "as_of", day);
    fin_put_amount(o, "assessed", assessed, exp);
    fin_put_amount(o, "collected", collected, exp);
    fin_put_amount(o, "receipts_year_to_date", receipts, exp);
    fin_put_amount(o, "voluntary_year_to_date", voluntary, exp);
    fin_put_amount(o, "arrears", arrears, exp);
    json_t *b = json_object();
    for (int k = 0; k < 4; k++)
        fin_put_amount(b, BUCKETS[k], tb[k], exp);
    json_object_set_new(o, "arrears_aging", b);
    json_object_set_new(o, "arrears_by_region", regions);
    fin_put_amount(o, "cash", cash, exp);
    fin_put_amount(o, "monthly_spending", monthly, exp);
    /* months of runway, in tenths: cash / monthly spending (null when nothing is spent) */
    json_object_set_new(o, "runway_months",
                        monthly > 0 ? json_real((double)(cash > 0 ? (cash * 10 / monthly) : 0) / 10.0) : json_null());
    json_object_set_new(o, "budget_execution", lines);
    json_object_set_new(o, "members_without_vote", without);
    json_object_set_new(o, "members_at_risk", risk);
    json_object_set_new(o, "arrears_by_member_top", top);
    json_object_set_new(o, "collection_by_year", years);
    json_object_set_new(o, "cash_by_month", cashh);
    *out = o;
    return CP_OK;
}

cp_status cp_finance_transparency(cp_conn *c, const char *cur, int64_t day, json_t **out, cp_err *err)
{
    json_t *r = NULL;
    cp_status st = cp_finance_sustainability(c, cur, day, 0, &r, err);
    if (st) return st;
    json_t *names = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r, "members_without_vote"), i, m)
        json_array_append_new(names, json_pack("{sO sO}", "name", json_object_get(m, "name"), "country", json_object_get(m, "country")));
    static const char *const KEEP[] = {"currency", "as_of", "financial_year", "assessed", "assessed_minor", "collected",
                                       "collected_minor", "collection_rate_pct", "cash", "cash_minor", "monthly_spending",
                                       "monthly_spending_minor", "runway_months", "arrears", "arrears_minor"};
    json_t *o = json_object();
    for (size_t k = 0; k < sizeof KEEP / sizeof KEEP[0]; k++)
        json_object_set(o, KEEP[k], json_object_get(r, KEEP[k]));
    json_object_set_new(o, "members_without_vote", names);
    json_decref(r);
    *out = o;
    return CP_OK;
}

/* ---- a member's statement ---- */

cp_status cp_finance_statement(cp_conn *c, const char *member_id, const char *cur, int64_t from, int64_t to,
                               json_t **out, cp_err *err)
{
    fin_member m;
    cp_status st = fin_member_get(c, member_id, &m, err);
    if (st) return st;
    if (to < from) return cp_fail(err, CP_E_BAD_REQUEST, "'to' is before 'from'");
    char recv[64], credit[64];
    fin_account(recv, sizeof recv, "receivable", m.id);
    fin_account(credit, sizeof credit, "credit", m.id);
    int exp = fin_exponent(cur);
    int64_t opening = 0;
    if ((st = fin_scalar(c, "SELECT COALESCE(SUM(amount), 0) FROM fin_leg WHERE currency = ? AND account IN (?, ?) AND day < ?",
                         &opening, err, "sssi", cur, recv, credit, from)))
        return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT e.id, e.day, e.kind, e.memo, e.reverses, SUM(l.amount),"
                              " (SELECT p.reference FROM fin_payment p WHERE p.id = e.id),"
                              " (SELECT a.year FROM fin_assessment a WHERE a.id = e.id)"
                              " FROM fin_entry e JOIN fin_leg l ON l.entry_id = e.id"
                              " WHERE l.currency = ? AND l.account IN (?, ?) AND l.day >= ? AND l.day <= ?"
                              " GROUP BY e.id, e.day, e.kind, e.memo, e.reverses, e.seq ORDER BY e.day, e.seq",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, cur);
    cp_stmt_bind_text(s, 2, recv);
    cp_stmt_bind_text(s, 3, credit);
    cp_stmt_bind_int(s, 4, from);
    cp_stmt_bind_int(s, 5, to);
    json_t *lines = json_array();
    int64_t bal = opening, charges = 0, credits = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t net = cp_stmt_col_int(s, 5);
        if (net == 0) continue; /* e.g. credit applied: moves between the member's own accounts */
        bal += net;
        if (net > 0) charges += net;
        else credits -= net;
        json_t *o = json_pack("{ss ss ss ss? ss?}", "entry_id", cp_stmt_col_text(s, 0), "kind", cp_stmt_col_text(s, 2),
                              "description", cp_stmt_col_text(s, 3), "reverses", cp_stmt_col_text(s, 4), "reference",
                              cp_stmt_col_text(s, 6));
        if (!cp_stmt_col_is_null(s, 7)) json_object_set_new(o, "year", json_integer(cp_stmt_col_int(s, 7)));
        fin_put_date(o, "date", cp_stmt_col_int(s, 1));
        fin_put_amount(o, "debit", net > 0 ? net : 0, exp);
        fin_put_amount(o, "credit", net < 0 ? -net : 0, exp);
        fin_put_amount(o, "balance", bal, exp);
        json_array_append_new(lines, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        json_decref(lines);
        return st;
    }
    json_t *o = json_pack("{ss ss ss so}", "member_id", m.id, "member", m.name, "currency", cur, "lines", lines);
    fin_put_date(o, "from", from);
    fin_put_date(o, "to", to);
    fin_put_amount(o, "opening_balance", opening, exp);
    fin_put_amount(o, "charges", charges, exp);
    fin_put_amount(o, "payments", credits, exp);
    fin_put_amount(o, "closing_balance", bal, exp);
    /* the vote as of the statement's last day, for member states */
    if (strcmp(m.kind, "member_state") == 0) {
        fin_row *v = NULL;
        size_t n = 0;
        if (!(st = fin_rights_rows(c, cur, to, to, m.id, &v, &n, err)) && n == 1)
            json_object_set_new(o, "voting_right", member_right_json(&v[0], exp));
        free(v);
        if (st) {
            json_decref(o);
            return st;
        }
    }
    *out = o;
    return CP_OK;
}
