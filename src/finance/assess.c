/*
 * assess.c — a financial year's assessments, every member in one
 * transaction (docs/finance.md, "Assessments").
 *
 * A member's exact share is units × months/12 × unit value (× the sector
 * unit's fraction for members that are not states), a rational with the
 * common denominator 16 × 12 × sector_den. The run's total is the sum of the
 * exact shares rounded half up to a minor unit; each member first gets its
 * share rounded down, and the minor units left over go one each to the
 * members with the largest fractional remainders (ties: the larger share,
 * then the lower member id): the largest-remainder method. So the total
 * assessed equals the budget exactly and no member is off by a minor unit or
 * more from its exact share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/ledger.h"
#include "finance/money.h"
#include "finance/scale.h"

typedef struct {
    char id[CP_UUID_LEN + 1];
    bool state;
    int64_t start, units16, months, due;
    __int128 num; /* exact share × den */
    int64_t amount;
    __int128 rem;
} share;

static int by_remainder(const void *a, const void *b)
{
    const share *x = a, *y = b;
    if (x->rem != y->rem) return x->rem > y->rem ? -1 : 1;
    if (x->num != y->num) return x->num > y->num ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b) { return strcmp(((const share *)a)->id, ((const share *)b)->id); }

/* Members to assess: every contributing member (not the alliance, not
 * observers) that was a member during the year, has a class by the year's
 * end, and is not yet assessed for (year, currency). */
static cp_status candidates(cp_conn *c, const char *cur, int year, share **out, size_t *n, cp_err *err)
{
    int64_t y0 = cp_fin_year_start(year), y1 = cp_fin_year_start(year + 1);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT m.id, m.kind, COALESCE(p.contributes_from, m.joined_at), m.status, m.status_since,"
                                   " (SELECT MIN(k.effective) FROM fin_member_class k WHERE k.member_id = m.id)"
                                   " FROM members m LEFT JOIN fin_member_profile p ON p.member_id = m.id"
                                   " WHERE m.is_alliance = 0 AND m.kind <> 'observer' AND COALESCE(p.contributes_from, m.joined_at) < ?"
                                   " AND NOT (m.status = 'withdrawn' AND m.status_since < ?)"
                                   " AND EXISTS (SELECT 1 FROM fin_member_class k WHERE k.member_id = m.id AND k.effective < ?)"
                                   " AND NOT EXISTS (SELECT 1 FROM fin_assessment a WHERE a.member_id = m.id AND a.currency = ?"
                                   " AND a.year = ? AND a.cancelled = 0) ORDER BY m.id",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, y1);
    cp_stmt_bind_int(s, 2, y0);
    cp_stmt_bind_int(s, 3, y1);
    cp_stmt_bind_text(s, 4, cur);
    cp_stmt_bind_int(s, 5, year);
    size_t cap = 64;
    share *v = malloc(cap * sizeof *v);
    *n = 0;
    cp_step r;
    while (v && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (*n == cap) {
            share *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) break;
            v = w;
        }
        share *m = &v[*n];
        memset(m, 0, sizeof *m);
        snprintf(m->id, sizeof m->id, "%s", cp_stmt_col_text(s, 0));
        m->state = strcmp(cp_stmt_col_text(s, 1), "member_state") == 0;
        int64_t join = cp_fin_day(cp_stmt_col_int(s, 2)), first_class = cp_stmt_col_int(s, 5);
        int64_t start = y0;
        if (join > start) start = join;
        if (first_class > start) start = first_class;
        int64_t end = y1 - CP_FIN_DAY_MS; /* last day of the year */
        if (strcmp(cp_stmt_col_text(s, 3), "withdrawn") == 0 && cp_fin_day(cp_stmt_col_int(s, 4)) < end)
            end = cp_fin_day(cp_stmt_col_int(s, 4));
        if (end < start) continue;
        m->start = start;
        m->months = cp_fin_month_of(end) - cp_fin_month_of(start) + 1;
        (*n)++;
    }
    if (!v) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    else if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) {
        free(v);
        return st;
    }
    /* each one's class on its first assessed day */
    for (size_t i = 0; i < *n && !st; i++)
        st = fin_scalar(c,
                        "SELECT units16 FROM fin_member_class WHERE member_id = ? AND effective <= ?"
                        " ORDER BY effective DESC, created_at DESC LIMIT 1",
                        &v[i].units16, err, "si", v[i].id, v[i].start);
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    return CP_OK;
}

/* Shares of the total by the largest-remainder method; returns the total. */
static int64_t apportion(share *v, size_t n, int64_t unit, const cp_scale *sc, __int128 *exact_num, __int128 *den_out)
{
    __int128 den = (__int128)16 * 12 * sc->sector_den, sum = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 f = v[i].state ? sc->sector_den : sc->sector_num;
        v[i].num = (__int128)v[i].units16 * v[i].months * unit * f;
        v[i].amount = (int64_t)(v[i].num / den);
        v[i].rem = v[i].num % den;
        sum += v[i].num;
    }
    int64_t total = (int64_t)((sum * 2 + den) / (den * 2)); /* half up */
    int64_t floors = 0;
    for (size_t i = 0; i < n; i++)
        floors += v[i].amount;
    int64_t left = total - floors;
    qsort(v, n, sizeof *v, by_remainder);
    for (size_t i = 0; i < n && left > 0; i++, left--)
        v[i].amount++;
    qsort(v, n, sizeof *v, by_id);
    *exact_num = sum;
    *den_out = den;
    return total;
}

static cp_status post_one(cp_ledger_tx *t, const share *m, int year, int64_t unit, int64_t due, int exp, cp_err *err)
{
    char recv[64], credit[64], memo[160], id[CP_UUID_LEN + 1], units[24];
    fin_account(recv, sizeof recv, "receivable", m->id);
    fin_account(credit, sizeof credit, "credit", m->id);
    cp_fin_units_format(m->units16, units, sizeof units);
    snprintf(memo, sizeof memo, "contribution %d: %s units, %lld month(s)", year, units, (long long)m->months);
    cp_leg legs[2] = {{recv, m->amount}, {"revenue:contributions", -m->amount}};
    cp_entry_in e = {"assessment", m->start, m->id, NULL, memo, legs, 2};
    cp_status st = cp_ledger_post(t, &e, id, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(t->c,
                              "INSERT INTO fin_assessment (id, member_id, currency, year, units16, unit_value, months, amount, due)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, m->id);
    cp_stmt_bind_text(s, 3, t->currency);
    cp_stmt_bind_int(s, 4, year);
    cp_stmt_bind_int(s, 5, m->units16);
    cp_stmt_bind_int(s, 6, unit);
    cp_stmt_bind_int(s, 7, m->months);
    cp_stmt_bind_int(s, 8, m->amount);
    cp_stmt_bind_int(s, 9, due);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    if ((st = fin_daily_add(t->c, t->currency, "assessed", m->start, m->amount, err))) return st;
    /* Credit held from overpayments goes to the new assessment at once. */
    int64_t held = 0;
    if ((st = cp_ledger_balance(t->c, t->currency, credit, &held, err))) return st;
    int64_t use = held < 0 ? (-held < m->amount ? -held : m->amount) : 0;
    if (use == 0) return CP_OK;
    (void)exp;
    char cid[CP_UUID_LEN + 1];
    snprintf(memo, sizeof memo, "credit held applied to contribution %d", year);
    cp_leg l2[2] = {{credit, use}, {recv, -use}};
    cp_entry_in e2 = {"credit_apply", m->start, m->id, NULL, memo, l2, 2};
    if ((st = cp_ledger_post(t, &e2, cid, err))) return st;
    if ((st = cp_stmt_prepare(t->c,
                              "INSERT INTO fin_allocation (entry_id, assessment_id, member_id, amount, day) VALUES (?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, cid);
    cp_stmt_bind_text(s, 2, id);
    cp_stmt_bind_text(s, 3, m->id);
    cp_stmt_bind_int(s, 4, use);
    cp_stmt_bind_int(s, 5, m->start);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    if ((st = cp_stmt_prepare(t->c, "UPDATE fin_assessment SET paid = ?, last_alloc = ? WHERE id = ?", &s, err))) return st;
    cp_stmt_bind_int(s, 1, use);
    cp_stmt_bind_int(s, 2, m->start);
    cp_stmt_bind_text(s, 3, id);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

static void i128_text(__int128 v, char *buf, size_t cap)
{
    char t[64];
    int i = 63;
    t[i] = 0;
    bool neg = v < 0;
    if (neg) v = -v;
    do {
        t[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v && i > 1);
    if (neg) t[--i] = '-';
    snprintf(buf, cap, "%s", t + i);
}

static cp_status assess(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"year", CP_JT_INT, true, 0}, {"currency", CP_JT_STRING, false, 3},
                                  {"due_date", CP_JT_STRING, false, 10}};
    cp_status st = cp_json_check(in, "body", F, 3, err);
    if (st) return st;
    json_int_t yv = json_integer_value(json_object_get(in, "year"));
    if (yv < 1970 || yv > 2998) return cp_fail(err, CP_E_BAD_REQUEST, "body.year must be 1970..2998");
    int year = (int)yv;
    char cur[4];
    int exp;
    if ((st = fin_currency_in(c, in, cur, &exp, err))) return st;
    int64_t due;
    if ((st = fin_date_in(in, "due_date", false, cp_fin_date(year, 3, 31), &due, err))) return st;
    if (cp_fin_year_of(due) < year) return cp_fail(err, CP_E_UNPROCESSABLE, "body.due_date falls before the financial year");
    int64_t unit = 0;
    if ((st = fin_scalar(c, "SELECT amount FROM fin_unit_value WHERE currency = ? AND year = ?", &unit, err, "si", cur,
                         (int64_t)year)))
        return st;
    if (!unit)
        return cp_fail(err, CP_E_UNPROCESSABLE, "no unit value is set for %d in %s (an adopted budget sets it)", year, cur);
    cp_scale sc;
    if ((st = cp_scale_current(c, &sc, err))) return st;
    share *v = NULL;
    size_t n = 0;
    if ((st = candidates(c, cur, year, &v, &n, err))) return st;
    __int128 exact = 0, den = 1;
    int64_t total = apportion(v, n, unit, &sc, &exact, &den);
    cp_ledger_tx t;
    if ((st = cp_ledger_open(c, cur, a->label, &t, err))) goto out;
    for (size_t i = 0; i < n && !st; i++) {
        int64_t d = due;
        if (v[i].start + 30 * CP_FIN_DAY_MS > d) d = v[i].start + 30 * CP_FIN_DAY_MS; /* joiners get 30 days */
        v[i].due = d;
        if (v[i].amount > 0) st = post_one(&t, &v[i], year, unit, d, exp, err);
    }
    if (st) goto out;
    char ex[64], dn[64], target[48];
    i128_text(exact, ex, sizeof ex);
    i128_text(den, dn, sizeof dn);
    json_t *o = json_pack("{si ss si}", "year", year, "currency", cur, "members", (int)n);
    json_object_set_new(o, "exact_total", json_sprintf("%s/%s", ex, dn));
    fin_put_amount(o, "total", total, exp);
    fin_put_amount(o, "unit_value", unit, exp);
    fin_put_date(o, "due_date", due);
    snprintf(target, sizeof target, "finance:assessments:%d", year);
    if ((st = cp_ledger_close(&t, "finance.assess", target, o, err))) {
        json_decref(o);
        goto out;
    }
    json_object_set_new(o, "ledger_head", json_string(t.hash));
    *out = o;
out:
    free(v);
    return st;
}

cp_status cp_finance_assess_year(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                 cp_err *err)
{
    return cp_fin_write(c, a, "assess", NULL, in, idem, assess, out, err);
}

cp_status cp_finance_assessments(cp_conn *c, const char *currency, int year, const char *member_id, json_t **items,
                                 cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT a.id, a.member_id, m.name, a.year, a.units16, a.months, a.amount, a.paid, a.due,"
                                   " a.cancelled, a.unit_value FROM fin_assessment a JOIN members m ON m.id = a.member_id"
                                   " WHERE a.currency = ? AND (? = 0 OR a.year = ?) AND (? = '' OR a.member_id = ?)"
                                   " ORDER BY a.year, m.name",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_stmt_bind_int(s, 2, year);
    cp_stmt_bind_int(s, 3, year);
    cp_stmt_bind_text(s, 4, member_id ? member_id : "");
    cp_stmt_bind_text(s, 5, member_id ? member_id : "");
    int exp = fin_exponent(currency);
    *items = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        char u[24];
        cp_fin_units_format(cp_stmt_col_int(s, 4), u, sizeof u);
        json_t *o = json_pack("{ss ss ss sI ss sI sb ss}", "id", cp_stmt_col_text(s, 0), "member_id", cp_stmt_col_text(s, 1),
                              "member", cp_stmt_col_text(s, 2), "year", (json_int_t)cp_stmt_col_int(s, 3), "units", u,
                              "months", (json_int_t)cp_stmt_col_int(s, 5), "cancelled", cp_stmt_col_int(s, 9) != 0,
                              "currency", currency);
        fin_put_amount(o, "amount", cp_stmt_col_int(s, 6), exp);
        fin_put_amount(o, "paid", cp_stmt_col_int(s, 7), exp);
        fin_put_amount(o, "open", cp_stmt_col_int(s, 9) ? 0 : cp_stmt_col_int(s, 6) - cp_stmt_col_int(s, 7), exp);
        fin_put_amount(o, "unit_value", cp_stmt_col_int(s, 10), exp);
        fin_put_date(o, "due_date", cp_stmt_col_int(s, 8));
        json_array_append_new(*items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
