/*
 * rights.c — arrears with aging, and the voting-rights rule, for every
 * member at once (rights.h has the definitions).
 */
#include "finance/rights.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/money.h"

static int cmp_row(const void *a, const void *b) { return strcmp(((const fin_row *)a)->id, ((const fin_row *)b)->id); }

static fin_row *find(fin_row *v, size_t n, const char *id)
{
    fin_row key;
    snprintf(key.id, sizeof key.id, "%s", id);
    return bsearch(&key, v, n, sizeof *v, cmp_row);
}

static cp_status load_members(cp_conn *c, const char *only, fin_row **out, size_t *n, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT m.id, m.name, m.kind, COALESCE(m.country, ''), COALESCE(p.region, '')"
                                   " FROM members m LEFT JOIN fin_member_profile p ON p.member_id = m.id"
                                   " WHERE m.is_alliance = 0 AND (? = '' OR m.id = ?) ORDER BY m.id",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, only ? only : "");
    cp_stmt_bind_text(s, 2, only ? only : "");
    size_t cap = 256;
    fin_row *v = calloc(cap, sizeof *v);
    *n = 0;
    cp_step r = CP_STEP_DONE;
    while (v && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (*n == cap) {
            fin_row *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) {
                free(v);
                v = NULL;
                break;
            }
            v = w;
        }
        fin_row *m = &v[(*n)++];
        memset(m, 0, sizeof *m);
        snprintf(m->id, sizeof m->id, "%s", cp_stmt_col_text(s, 0));
        snprintf(m->name, sizeof m->name, "%s", cp_stmt_col_text(s, 1));
        snprintf(m->kind, sizeof m->kind, "%s", cp_stmt_col_text(s, 2));
        snprintf(m->country, sizeof m->country, "%s", cp_stmt_col_text(s, 3));
        snprintf(m->region, sizeof m->region, "%s", cp_stmt_col_text(s, 4));
    }
    st = !v ? cp_fail(err, CP_E_NOMEM, "out of memory") : r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        free(v);
        return st;
    }
    /* sorted here, in byte order, for find(): ORDER BY follows the database's collation,
     * which on PostgreSQL outside the C locale does not sort '-' as strcmp does */
    qsort(v, *n, sizeof *v, cmp_row);
    *out = v;
    return CP_OK;
}

static cp_status load_arrears(cp_conn *c, const char *cur, int64_t day, int64_t horizon, const char *only, fin_row *v,
                              size_t n, cp_err *err)
{
    cp_stmt *s;
    /* Skips what was settled by D for good (fully paid, no allocation dated after D). */
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT a.member_id, a.due, a.amount - CASE WHEN a.last_alloc <= ? THEN a.paid ELSE"
                                   " COALESCE((SELECT SUM(x.amount) FROM fin_allocation x WHERE x.assessment_id = a.id AND x.day <= ?), 0) END"
                                   " FROM fin_assessment a WHERE a.currency = ? AND a.cancelled = 0 AND a.due < ?"
                                   " AND NOT (a.paid = a.amount AND a.last_alloc <= ?) AND (? = '' OR a.member_id = ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, day);
    cp_stmt_bind_int(s, 2, day);
    cp_stmt_bind_text(s, 3, cur);
    cp_stmt_bind_int(s, 4, horizon > day ? horizon : day);
    cp_stmt_bind_int(s, 5, day);
    cp_stmt_bind_text(s, 6, only ? only : "");
    cp_stmt_bind_text(s, 7, only ? only : "");
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        fin_row *m = find(v, n, cp_stmt_col_text(s, 0));
        int64_t open = cp_stmt_col_int(s, 2), due = cp_stmt_col_int(s, 1);
        if (!m || open <= 0) continue;
        m->arrears_future += open;
        if (due >= day) continue;
        m->right.arrears += open;
        int64_t late = (day - due) / CP_FIN_DAY_MS;
        m->buckets[late <= 30 ? 0 : late <= 90 ? 1 : late <= 365 ? 2 : 3] += open;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status load_thresholds(cp_conn *c, const char *cur, int64_t day, int64_t horizon, const char *only,
                                 fin_row *v, size_t n, cp_err *err)
{
    int y = cp_fin_year_of(day), yh = cp_fin_year_of(horizon);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT member_id, year, SUM(amount) FROM fin_assessment WHERE currency = ? AND cancelled = 0"
                                   " AND year >= ? AND year <= ? AND (? = '' OR member_id = ?) GROUP BY member_id, year",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, cur);
    cp_stmt_bind_int(s, 2, y - 2);
    cp_stmt_bind_int(s, 3, yh - 1);
    cp_stmt_bind_text(s, 4, only ? only : "");
    cp_stmt_bind_text(s, 5, only ? only : "");
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        fin_row *m = find(v, n, cp_stmt_col_text(s, 0));
        if (!m) continue;
        int year = (int)cp_stmt_col_int(s, 1);
        int64_t a = cp_stmt_col_int(s, 2);
        if (year == y - 1 || year == y - 2) m->right.threshold += a;
        if (year == yh - 1 || year == yh - 2) m->threshold_future += a;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status load_exemptions(cp_conn *c, int64_t day, int64_t horizon, fin_row *v, size_t n, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT member_id, decision_ref, start_day, end_day FROM fin_exemption"
                                   " WHERE start_day <= ? AND end_day >= ? ORDER BY end_day",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, horizon > day ? horizon : day);
    cp_stmt_bind_int(s, 2, day);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        fin_row *m = find(v, n, cp_stmt_col_text(s, 0));
        if (!m) continue;
        int64_t from = cp_stmt_col_int(s, 2), to = cp_stmt_col_int(s, 3);
        if (from <= day && to >= day) {
            m->right.exempt = true;
            char until[16];
            cp_fin_date_format(to, until, sizeof until);
            snprintf(m->exemption_ref, sizeof m->exemption_ref, "%.150s until %s", cp_stmt_col_text(s, 1), until);
        }
        if (from <= horizon && to >= horizon) m->exempt_future = true;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* The latest plan started on or before D of each member: respected on D when
 * the payments made since its start (net of reversals dated by D) cover every
 * installment due by D. */
static cp_status load_plans(cp_conn *c, const char *cur, int64_t day, fin_row *v, size_t n, int64_t *outstanding,
                            cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT p.member_id, p.total,"
                                   " COALESCE((SELECT SUM(i.amount) FROM fin_plan_installment i WHERE i.plan_id = p.id AND i.due <= ?), 0),"
                                   " COALESCE((SELECT SUM(y.amount) FROM fin_payment y WHERE y.member_id = p.member_id"
                                   "  AND y.currency = p.currency AND y.day >= p.start_day AND y.day <= ?"
                                   "  AND NOT EXISTS (SELECT 1 FROM fin_entry r WHERE r.reverses = y.id AND r.day <= ?)), 0)"
                                   " FROM fin_plan p WHERE p.currency = ? AND p.start_day <= ?"
                                   " ORDER BY p.member_id, p.start_day, p.created_at",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, day);
    cp_stmt_bind_int(s, 2, day);
    cp_stmt_bind_int(s, 3, day);
    cp_stmt_bind_text(s, 4, cur);
    cp_stmt_bind_int(s, 5, day);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) { /* later plans overwrite earlier ones */
        fin_row *m = find(v, n, cp_stmt_col_text(s, 0));
        if (!m) continue;
        int64_t total = cp_stmt_col_int(s, 1), due = cp_stmt_col_int(s, 2), paid = cp_stmt_col_int(s, 3);
        m->right.plan_respected = paid >= due;
        outstanding[m - v] = total > paid ? total - paid : 0;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static void set_reason(cp_fin_right *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(cp_fin_right *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

static void decide(fin_row *m, int64_t outstanding, const char *cur, int64_t day)
{
    cp_fin_right *r = &m->right;
    snprintf(r->currency, sizeof r->currency, "%s", cur);
    r->counted = r->arrears;
    if (r->plan_respected) r->counted = r->arrears > outstanding ? r->arrears - outstanding : 0;
    char a[32], t[32];
    cp_fin_amount_format(r->counted, fin_exponent(cur), a, sizeof a);
    cp_fin_amount_format(r->threshold, fin_exponent(cur), t, sizeof t);
    bool over = r->threshold > 0 && r->counted >= r->threshold;
    r->has_right = !over || r->exempt;
    r->min_payment = over && !r->exempt ? r->counted - r->threshold + 1 : 0;
    int y = cp_fin_year_of(day);
    if (over && r->exempt)
        set_reason(r, "arrears %s %s reach the contributions of %d-%d (%s) but an exemption applies: %.90s",
                 a, cur, y - 2, y - 1, t, m->exemption_ref);
    else if (over)
        set_reason(r, "arrears %s %s reach the contributions due for %d and %d (%s %s)", a, cur, y - 2,
                 y - 1, t, cur);
    else if (r->threshold == 0)
        set_reason(r, "no contributions were assessed for %d and %d", y - 2, y - 1);
    else if (r->plan_respected && r->counted < r->arrears)
        set_reason(r, "arrears under a respected repayment plan; counted %s of %s %s", a, t, cur);
    else
        set_reason(r, "arrears %s %s are below the contributions due for %d and %d (%s %s)", a, cur,
                 y - 2, y - 1, t, cur);
    int64_t fut = m->arrears_future;
    if (r->plan_respected) fut = fut > outstanding ? fut - outstanding : 0;
    m->at_risk = r->has_right && !r->exempt && !m->exempt_future && m->threshold_future > 0 && fut >= m->threshold_future &&
                 !over;
}

cp_status fin_rights_rows(cp_conn *c, const char *cur, int64_t day, int64_t horizon, const char *only, fin_row **rows,
                          size_t *n, cp_err *err)
{
    fin_row *v = NULL;
    cp_status st = load_members(c, only, &v, n, err);
    if (st) return st;
    int64_t *outstanding = calloc(*n ? *n : 1, sizeof *outstanding);
    if (!outstanding) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    if (!st) st = load_arrears(c, cur, day, horizon, only, v, *n, err);
    if (!st) st = load_thresholds(c, cur, day, horizon, only, v, *n, err);
    if (!st) st = load_exemptions(c, day, horizon, v, *n, err);
    if (!st) st = load_plans(c, cur, day, v, *n, outstanding, err);
    if (!st)
        for (size_t i = 0; i < *n; i++)
            decide(&v[i], outstanding[i], cur, day);
    free(outstanding);
    if (st) {
        free(v);
        return st;
    }
    *rows = v;
    return CP_OK;
}

cp_status cp_finance_vote_right(cp_conn *c, const char *member_id, int64_t day, cp_fin_right *out, cp_err *err)
{
    char cur[4];
    cp_status st = cp_finance_default_currency(c, cur, err);
    if (st) return st;
    fin_row *v = NULL;
    size_t n = 0;
    if ((st = fin_rights_rows(c, cur, cp_fin_day(day), cp_fin_day(day), member_id, &v, &n, err))) return st;
    if (n == 0) {
        free(v);
        return cp_fail(err, CP_E_NOT_FOUND, "no member %.40s", member_id);
    }
    *out = v[0].right;
    free(v);
    return CP_OK;
}

cp_status cp_finance_vote_rights(cp_conn *c, const char *const *ids, size_t n, int64_t day, cp_fin_right *out,
                                 cp_err *err)
{
    char cur[4];
    cp_status st = cp_finance_default_currency(c, cur, err);
    if (st) return st;
    fin_row *v = NULL;
    size_t nv = 0;
    if ((st = fin_rights_rows(c, cur, cp_fin_day(day), cp_fin_day(day), NULL, &v, &nv, err))) return st;
    for (size_t i = 0; i < n && !st; i++) {
        const fin_row *r = find(v, nv, ids[i]);
        if (r) out[i] = r->right;
        else st = cp_fail(err, CP_E_NOT_FOUND, "no member %.40s", ids[i]);
    }
    free(v);
    return st;
}
