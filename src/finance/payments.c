/*
 * payments.c — payments (allocated to the oldest open assessment first, or
 * to the one the payment names first; what is left over is held as credit)
 * and reversals (the correction of a payment, a spending or an unpaid
 * assessment by an entry with the negated legs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/ledger.h"
#include "finance/money.h"

typedef struct {
    char id[CP_UUID_LEN + 1];
    int64_t open;
    int year;
} open_item;

#define OPEN_MAX 256

/* Open assessments of a member, oldest first (named one first when given). */
static cp_status open_items(cp_conn *c, const char *member, const char *cur, const char *named, open_item *v, int *n,
                            cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, amount - paid, year FROM fin_assessment WHERE member_id = ? AND currency = ?"
                                   " AND cancelled = 0 AND paid < amount ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END, due, year, id",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member);
    cp_stmt_bind_text(s, 2, cur);
    cp_stmt_bind_text(s, 3, named ? named : "");
    *n = 0;
    cp_step r = CP_STEP_DONE;
    while (*n < OPEN_MAX && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        snprintf(v[*n].id, sizeof v[*n].id, "%s", cp_stmt_col_text(s, 0));
        v[*n].open = cp_stmt_col_int(s, 1);
        v[*n].year = (int)cp_stmt_col_int(s, 2);
        (*n)++;
    }
    if (*n < OPEN_MAX && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static cp_status allocate(cp_conn *c, const char *entry, const char *assessment, const char *member, int64_t amount,
                          int64_t day, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO fin_allocation (entry_id, assessment_id, member_id, amount, day) VALUES (?, ?, ?, ?, ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, entry);
    cp_stmt_bind_text(s, 2, assessment);
    cp_stmt_bind_text(s, 3, member);
    cp_stmt_bind_int(s, 4, amount);
    cp_stmt_bind_int(s, 5, day);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    if ((st = cp_stmt_prepare(c,
                              "UPDATE fin_assessment SET paid = paid + ?,"
                              " last_alloc = CASE WHEN last_alloc > ? THEN last_alloc ELSE ? END WHERE id = ?",
                              &s, err)))
        return st;
    cp_stmt_bind_int(s, 1, amount);
    cp_stmt_bind_int(s, 2, day);
    cp_stmt_bind_int(s, 3, day);
    cp_stmt_bind_text(s, 4, assessment);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

static cp_status pay(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"member_id", CP_JT_STRING, true, 64},  {"currency", CP_JT_STRING, false, 3},
                                  {"amount", CP_JT_STRING, false, 40},    {"amount_minor", CP_JT_INT, false, 0},
                                  {"date", CP_JT_STRING, true, 10},       {"reference", CP_JT_STRING, true, 200},
                                  {"payer", CP_JT_STRING, false, 200},    {"assessment_id", CP_JT_STRING, false, 64}};
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    fin_member m;
    if ((st = fin_member_get(c, cp_json_str(in, "member_id"), &m, err))) return st;
    char cur[4];
    int exp;
    if ((st = fin_currency_in(c, in, cur, &exp, err))) return st;
    int64_t amount, day;
    if ((st = fin_amount_in(in, "body", exp, &amount, err))) return st;
    if ((st = fin_date_in(in, "date", true, 0, &day, err))) return st;
    const char *ref = cp_json_str(in, "reference"), *payer = cp_json_str(in, "payer"), *named = cp_json_str(in, "assessment_id");
    if (!*ref) return cp_fail(err, CP_E_BAD_REQUEST, "body.reference must not be empty");
    if (!payer || !*payer) payer = m.name;
    static __thread open_item items[OPEN_MAX];
    int n = 0;
    if ((st = open_items(c, m.id, cur, named, items, &n, err))) return st;
    if (named && (n == 0 || strcmp(items[0].id, named) != 0))
        return cp_fail(err, CP_E_UNPROCESSABLE, "assessment %.40s is not an open assessment of this member in %s", named, cur);
    cp_ledger_tx t;
    if ((st = cp_ledger_open(c, cur, a->label, &t, err))) return st;
    char recv[64], credit[64], memo[300], id[CP_UUID_LEN + 1];
    fin_account(recv, sizeof recv, "receivable", m.id);
    fin_account(credit, sizeof credit, "credit", m.id);
    int64_t left = amount, applied = 0;
    int used = 0;
    for (int i = 0; i < n && left > 0; i++, used++) {
        int64_t x = items[i].open < left ? items[i].open : left;
        items[i].open = x; /* now: the part applied */
        left -= x;
        applied += x;
    }
    cp_leg legs[3];
    int nl = 0;
    legs[nl++] = (cp_leg){"cash", amount};
    if (applied) legs[nl++] = (cp_leg){recv, -applied};
    if (left) legs[nl++] = (cp_leg){credit, -left};
    snprintf(memo, sizeof memo, "payment %.200s", ref);
    cp_entry_in e = {"payment", day, m.id, NULL, memo, legs, nl};
    if ((st = cp_ledger_post(&t, &e, id, err))) return st;
    json_t *allocs = json_array();
    for (int i = 0; i < used && !st; i++) {
        st = allocate(c, id, items[i].id, m.id, items[i].open, day, err);
        json_t *o = json_pack("{ss si}", "assessment_id", items[i].id, "year", items[i].year);
        fin_put_amount(o, "amount", items[i].open, exp);
        json_array_append_new(allocs, o);
    }
    cp_stmt *s;
    if (!st && !(st = cp_stmt_prepare(c,
                                      "INSERT INTO fin_payment (id, member_id, currency, amount, day, reference, payer, credit)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                      &s, err))) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, m.id);
        cp_stmt_bind_text(s, 3, cur);
        cp_stmt_bind_int(s, 4, amount);
        cp_stmt_bind_int(s, 5, day);
        cp_stmt_bind_text(s, 6, ref);
        cp_stmt_bind_text(s, 7, payer);
        cp_stmt_bind_int(s, 8, left);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st) st = fin_daily_add(c, cur, "cash", day, amount, err);
    if (!st) st = fin_daily_add(c, cur, "collected", day, amount, err);
    if (st) {
        json_decref(allocs);
        return st;
    }
    json_t *o = json_pack("{ss ss ss ss ss so}", "id", id, "member_id", m.id, "currency", cur, "reference", ref, "payer",
                          payer, "allocations", allocs);
    fin_put_amount(o, "amount", amount, exp);
    fin_put_amount(o, "credit", left, exp);
    fin_put_date(o, "date", day);
    char target[64];
    snprintf(target, sizeof target, "member:%s", m.id);
    if ((st = cp_ledger_close(&t, "finance.payment", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_pay(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "payment", NULL, in, idem, pay, out, err);
}

cp_status cp_finance_pay_import(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                cp_err *err)
{
    const json_t *items = json_object_get(in, "payments");
    if (!json_is_array(items) || json_object_size(in) != 1 || json_array_size(items) == 0 ||
        json_array_size(items) > CP_FIN_IMPORT_MAX)
        return cp_fail(err, CP_E_BAD_REQUEST, "body must be {\"payments\": [...]} with 1 to %d payments", CP_FIN_IMPORT_MAX);
    json_t *res = NULL;
    cp_status st = cp_fin_write_many(c, a, "payment", items, idem, pay, &res, err);
    if (st) return st;
    *out = json_pack("{so}", "items", res);
    return CP_OK;
}

/* ---- reversals ---- */

typedef struct {
    char currency[4], kind[24], member[CP_UUID_LEN + 1];
    int64_t day;
    bool has_member;
    int n;
    char accounts[CP_LEDGER_LEGS_MAX][160];
    cp_leg legs[CP_LEDGER_LEGS_MAX];
} entry_row;

static cp_status load_entry(cp_conn *c, const char *id, entry_row *e, cp_err *err)
{
    memset(e, 0, sizeof *e);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT e.currency, e.kind, e.member_id, e.day, l.account, l.amount FROM fin_entry e"
                                   " JOIN fin_leg l ON l.entry_id = e.id WHERE e.id = ? ORDER BY l.n",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW && e->n < CP_LEDGER_LEGS_MAX) {
        snprintf(e->currency, sizeof e->currency, "%s", cp_stmt_col_text(s, 0));
        snprintf(e->kind, sizeof e->kind, "%s", cp_stmt_col_text(s, 1));
        e->has_member = !cp_stmt_col_is_null(s, 2);
        snprintf(e->member, sizeof e->member, "%s", e->has_member ? cp_stmt_col_text(s, 2) : "");
        e->day = cp_stmt_col_int(s, 3);
        snprintf(e->accounts[e->n], sizeof e->accounts[0], "%s", cp_stmt_col_text(s, 4));
        e->legs[e->n].account = e->accounts[e->n];
        e->legs[e->n].amount = -cp_stmt_col_int(s, 5); /* negated */
        e->n++;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (!st && e->n == 0) st = cp_fail(err, CP_E_NOT_FOUND, "no ledger entry %.40s", id);
    return st;
}

/* Negates the allocations a payment made (the payment's reversal owns them). */
static cp_status unallocate(cp_conn *c, const char *payment, const char *reversal, int64_t day, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT assessment_id, member_id, amount FROM fin_allocation WHERE entry_id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, payment);
    struct {
        char a[CP_UUID_LEN + 1], m[CP_UUID_LEN + 1];
        int64_t amount;
    } *v = NULL;
    size_t n = 0, cap = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n == cap) {
            void *w = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (!w) break;
            v = w;
        }
        snprintf(v[n].a, sizeof v[n].a, "%s", cp_stmt_col_text(s, 0));
        snprintf(v[n].m, sizeof v[n].m, "%s", cp_stmt_col_text(s, 1));
        v[n].amount = cp_stmt_col_int(s, 2);
        n++;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    for (size_t i = 0; i < n && !st; i++)
        st = allocate(c, reversal, v[i].a, v[i].m, -v[i].amount, day, err);
    free(v);
    return st;
}

static cp_status reverse(cp_conn *c, const cp_actor *a, const char *entry_id, const json_t *in, json_t **out,
                         cp_err *err)
{
    static const cp_jfield F[] = {{"reason", CP_JT_STRING, true, 300}, {"date", CP_JT_STRING, false, 10}};
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    const char *reason = cp_json_str(in, "reason");
    if (!*reason) return cp_fail(err, CP_E_BAD_REQUEST, "body.reason must say why");
    static __thread entry_row e;
    if ((st = load_entry(c, entry_id, &e, err))) return st;
    int64_t day;
    if ((st = fin_date_in(in, "date", false, cp_fin_day(cp_now_ms()), &day, err))) return st;
    if (day < e.day) return cp_fail(err, CP_E_UNPROCESSABLE, "a reversal cannot be dated before the entry it reverses");
    int64_t n_rev = 0;
    if ((st = fin_scalar(c, "SELECT COUNT(*) FROM fin_entry WHERE reverses = ?", &n_rev, err, "s", entry_id))) return st;
    if (n_rev) return cp_fail(err, CP_E_CONFLICT, "entry %.40s is already reversed", entry_id);
    int64_t amount = 0;
    if (strcmp(e.kind, "payment") == 0) {
        if ((st = fin_scalar(c, "SELECT amount FROM fin_payment WHERE id = ?", &amount, err, "s", entry_id))) return st;
        /* the part held as credit must still be there */
        int64_t credit_part = 0, held = 0;
        char credit[64];
        fin_account(credit, sizeof credit, "credit", e.member);
        if ((st = fin_scalar(c, "SELECT credit FROM fin_payment WHERE id = ?", &credit_part, err, "s", entry_id))) return st;
        if ((st = cp_ledger_balance(c, e.currency, credit, &held, err))) return st;
        if (credit_part > 0 && -held < credit_part)
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "the credit this payment left has since been applied to a later assessment; "
                           "record the correction as a new payment or reverse that assessment first");
    } else if (strcmp(e.kind, "spending") == 0) {
        if ((st = fin_scalar(c, "SELECT amount FROM fin_spending WHERE id = ?", &amount, err, "s", entry_id))) return st;
    } else if (strcmp(e.kind, "voluntary") == 0) {
        amount = -e.legs[0].amount; /* the negated cash leg */
    } else if (strcmp(e.kind, "assessment") == 0) {
        int64_t paid = 0;
        if ((st = fin_scalar(c, "SELECT paid FROM fin_assessment WHERE id = ?", &paid, err, "s", entry_id))) return st;
        if (paid)
            return cp_fail(err, CP_E_UNPROCESSABLE, "payments are allocated to this assessment; reverse them first");
        if ((st = fin_scalar(c, "SELECT amount FROM fin_assessment WHERE id = ?", &amount, err, "s", entry_id))) return st;
    } else
        return cp_fail(err, CP_E_UNPROCESSABLE, "a %s entry cannot be reversed on its own", e.kind);
    cp_ledger_tx t;
    if ((st = cp_ledger_open(c, e.currency, a->label, &t, err))) return st;
    char memo[400], id[CP_UUID_LEN + 1];
    snprintf(memo, sizeof memo, "reversal of %s: %.300s", e.kind, reason);
    cp_entry_in r = {"reversal", day, e.has_member ? e.member : NULL, entry_id, memo, e.legs, e.n};
    if ((st = cp_ledger_post(&t, &r, id, err))) return st;
    if (strcmp(e.kind, "payment") == 0) {
        if ((st = unallocate(c, entry_id, id, day, err)) || (st = fin_daily_add(c, e.currency, "cash", day, -amount, err)) ||
            (st = fin_daily_add(c, e.currency, "collected", day, -amount, err)))
            return st;
    } else if (strcmp(e.kind, "voluntary") == 0) {
        if ((st = fin_daily_add(c, e.currency, "cash", day, -amount, err)) ||
            (st = fin_daily_add(c, e.currency, "voluntary", day, -amount, err)))
            return st;
    } else if (strcmp(e.kind, "spending") == 0) {
        if ((st = fin_daily_add(c, e.currency, "cash", day, amount, err)) ||
            (st = fin_daily_add(c, e.currency, "spent", day, -amount, err)))
            return st;
    } else {
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, "UPDATE fin_assessment SET cancelled = 1 WHERE id = ?", &s, err))) return st;
        cp_stmt_bind_text(s, 1, entry_id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
        if (st || (st = fin_daily_add(c, e.currency, "assessed", day, -amount, err))) return st;
    }
    json_t *o = json_pack("{ss ss ss ss ss}", "id", id, "reverses", entry_id, "kind", e.kind, "currency", e.currency,
                          "reason", reason);
    fin_put_date(o, "date", day);
    fin_put_amount(o, "amount", amount, fin_exponent(e.currency));
    char target[64];
    snprintf(target, sizeof target, "finance:entry:%s", entry_id);
    if ((st = cp_ledger_close(&t, "finance.reverse", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_reverse(cp_conn *c, const cp_actor *a, const char *entry_id, const json_t *in, cp_fin_idem *idem,
                             json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "reverse", entry_id, in, idem, reverse, out, err);
}
