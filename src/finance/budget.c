/*
 * budget.c — budget lines per financial year (per service and operations,
 * adopted by governance: each carries its decision's reference), spending
 * recorded against them, and the two decisions that bear on voting rights:
 * exemptions and repayment plans.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/ledger.h"
#include "finance/money.h"

static bool code_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 40) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')) return false;
    return true;
}

static cp_status line_apply(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"year", CP_JT_INT, true, 0},          {"currency", CP_JT_STRING, false, 3},
                                  {"code", CP_JT_STRING, true, 40},      {"name", CP_JT_STRING, true, 200},
                                  {"amount", CP_JT_STRING, false, 40},   {"amount_minor", CP_JT_INT, false, 0},
                                  {"decision_ref", CP_JT_STRING, true, 200}};
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    json_int_t year = json_integer_value(json_object_get(in, "year"));
    if (year < 1970 || year > 2999) return cp_fail(err, CP_E_BAD_REQUEST, "body.year must be 1970..2999");
    const char *code = cp_json_str(in, "code"), *name = cp_json_str(in, "name"), *dec = cp_json_str(in, "decision_ref");
    if (!code_ok(code)) return cp_fail(err, CP_E_BAD_REQUEST, "body.code: lower-case letters, digits, '-' and '_' only");
    if (!*name || !*dec) return cp_fail(err, CP_E_BAD_REQUEST, "body.name and body.decision_ref must not be empty");
    char cur[4];
    int exp;
    int64_t amount;
    if ((st = fin_currency_in(c, in, cur, &exp, err)) || (st = fin_amount_in(in, "body", exp, &amount, err))) return st;
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_budget_line (id, currency, year, code, name, amount, decision_ref, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, cur);
    cp_stmt_bind_int(s, 3, year);
    cp_stmt_bind_text(s, 4, code);
    cp_stmt_bind_text(s, 5, name);
    cp_stmt_bind_int(s, 6, amount);
    cp_stmt_bind_text(s, 7, dec);
    cp_stmt_bind_int(s, 8, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st == CP_E_CONFLICT)
        return cp_fail(err, CP_E_CONFLICT, "budget line '%s' for %lld in %s already exists", code, (long long)year, cur);
    if (st) return st;
    json_t *o = json_pack("{ss sI ss ss ss ss}", "id", id, "year", (json_int_t)year, "currency", cur, "code", code, "name",
                          name, "decision_ref", dec);
    fin_put_amount(o, "amount", amount, exp);
    char target[64];
    snprintf(target, sizeof target, "finance:budget-line:%s", id);
    if ((st = cp_audit_append(c, a->label, "finance.budget_line.create", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_budget_line(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                 cp_err *err)
{
    return cp_fin_write(c, a, "budget_line", NULL, in, idem, line_apply, out, err);
}

static cp_status spend(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"line_id", CP_JT_STRING, true, 64},   {"amount", CP_JT_STRING, false, 40},
                                  {"amount_minor", CP_JT_INT, false, 0}, {"date", CP_JT_STRING, true, 10},
                                  {"reference", CP_JT_STRING, true, 200}};
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    const char *line = cp_json_str(in, "line_id"), *ref = cp_json_str(in, "reference");
    if (!*ref) return cp_fail(err, CP_E_BAD_REQUEST, "body.reference must not be empty");
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c, "SELECT currency, year, code FROM fin_budget_line WHERE id = ?", &s, err))) return st;
    cp_stmt_bind_text(s, 1, line);
    char cur[4] = "", code[48] = "";
    int64_t year = 0;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        snprintf(cur, sizeof cur, "%s", cp_stmt_col_text(s, 0));
        year = cp_stmt_col_int(s, 1);
        snprintf(code, sizeof code, "%s", cp_stmt_col_text(s, 2));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) return st;
    if (r != CP_STEP_ROW) return cp_fail(err, CP_E_UNPROCESSABLE, "body.line_id names no budget line");
    int exp = fin_exponent(cur);
    int64_t amount, day;
    if ((st = fin_amount_in(in, "body", exp, &amount, err)) || (st = fin_date_in(in, "date", true, 0, &day, err))) return st;
    char account[96], memo[300], id[CP_UUID_LEN + 1];
    snprintf(account, sizeof account, "expense:%lld:%s", (long long)year, code);
    snprintf(memo, sizeof memo, "spending on %s %lld: %.200s", code, (long long)year, ref);
    cp_ledger_tx t;
    if ((st = cp_ledger_open(c, cur, a->label, &t, err))) return st;
    cp_leg legs[2] = {{account, amount}, {"cash", -amount}};
    cp_entry_in e = {"spending", day, NULL, NULL, memo, legs, 2};
    if ((st = cp_ledger_post(&t, &e, id, err))) return st;
    if ((st = cp_stmt_prepare(c, "INSERT INTO fin_spending (id, line_id, amount, day, reference) VALUES (?, ?, ?, ?, ?)", &s,
                              err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, line);
    cp_stmt_bind_int(s, 3, amount);
    cp_stmt_bind_int(s, 4, day);
    cp_stmt_bind_text(s, 5, ref);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st || (st = fin_daily_add(c, cur, "cash", day, -amount, err)) || (st = fin_daily_add(c, cur, "spent", day, amount, err)))
        return st;
    json_t *o = json_pack("{ss ss ss ss}", "id", id, "line_id", line, "currency", cur, "reference", ref);
    fin_put_amount(o, "amount", amount, exp);
    fin_put_date(o, "date", day);
    char target[64];
    snprintf(target, sizeof target, "finance:budget-line:%s", line);
    if ((st = cp_ledger_close(&t, "finance.spend", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_spend(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "spend", NULL, in, idem, spend, out, err);
}

cp_status cp_finance_budget_lines(cp_conn *c, const char *currency, int year, json_t **items, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT b.id, b.year, b.code, b.name, b.amount, b.decision_ref, COALESCE(a.balance, 0)"
                                   " FROM fin_budget_line b LEFT JOIN fin_account a ON a.currency = b.currency"
                                   " AND a.code = 'expense:' || CAST(b.year AS TEXT) || ':' || b.code"
                                   " WHERE b.currency = ? AND (CAST(? AS BIGINT) = 0 OR b.year = CAST(? AS BIGINT))"
                                   " ORDER BY b.year, b.code",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_stmt_bind_int(s, 2, year);
    cp_stmt_bind_int(s, 3, year);
    int exp = fin_exponent(currency);
    *items = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        json_t *o = json_pack("{ss sI ss ss ss ss}", "id", cp_stmt_col_text(s, 0), "year", (json_int_t)cp_stmt_col_int(s, 1),
                              "code", cp_stmt_col_text(s, 2), "name", cp_stmt_col_text(s, 3), "decision_ref",
                              cp_stmt_col_text(s, 5), "currency", currency);
        fin_put_amount(o, "amount", cp_stmt_col_int(s, 4), exp);
        fin_put_amount(o, "spent", cp_stmt_col_int(s, 6), exp);
        json_array_append_new(*items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* ---- voluntary contributions ---- */

static cp_status voluntary(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"currency", CP_JT_STRING, false, 3},  {"amount", CP_JT_STRING, false, 40},
                                  {"amount_minor", CP_JT_INT, false, 0}, {"date", CP_JT_STRING, true, 10},
                                  {"reference", CP_JT_STRING, true, 200}, {"donor", CP_JT_STRING, true, 200},
                                  {"member_id", CP_JT_STRING, false, 64}};
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    const char *member = cp_json_str(in, "member_id"), *ref = cp_json_str(in, "reference"), *donor = cp_json_str(in, "donor");
    if (!*ref || !*donor) return cp_fail(err, CP_E_BAD_REQUEST, "body.reference and body.donor must not be empty");
    fin_member m;
    if (member && (st = fin_member_get(c, member, &m, err))) return st;
    char cur[4];
    int exp;
    int64_t amount, day;
    if ((st = fin_currency_in(c, in, cur, &exp, err)) || (st = fin_amount_in(in, "body", exp, &amount, err)) ||
        (st = fin_date_in(in, "date", true, 0, &day, err)))
        return st;
    cp_ledger_tx t;
    if ((st = cp_ledger_open(c, cur, a->label, &t, err))) return st;
    char memo[450], id[CP_UUID_LEN + 1];
    snprintf(memo, sizeof memo, "voluntary contribution from %.200s: %.200s", donor, ref);
    cp_leg legs[2] = {{"cash", amount}, {"revenue:voluntary", -amount}};
    cp_entry_in e = {"voluntary", day, member, NULL, memo, legs, 2};
    if ((st = cp_ledger_post(&t, &e, id, err)) || (st = fin_daily_add(c, cur, "cash", day, amount, err)) ||
        (st = fin_daily_add(c, cur, "voluntary", day, amount, err)))
        return st;
    json_t *o = json_pack("{ss ss ss ss ss?}", "id", id, "currency", cur, "reference", ref, "donor", donor, "member_id", member);
    fin_put_amount(o, "amount", amount, exp);
    fin_put_date(o, "date", day);
    if ((st = cp_ledger_close(&t, "finance.voluntary", "finance:voluntary", o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_voluntary(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                               cp_err *err)
{
    return cp_fin_write(c, a, "voluntary", NULL, in, idem, voluntary, out, err);
}

/* ---- exemptions and repayment plans ---- */

static cp_status exemption(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"member_id", CP_JT_STRING, true, 64}, {"decision_ref", CP_JT_STRING, true, 200},
                                  {"from", CP_JT_STRING, true, 10},      {"until", CP_JT_STRING, true, 10}};
    cp_status st = cp_json_check(in, "body", F, 4, err);
    if (st) return st;
    fin_member m;
    if ((st = fin_member_get(c, cp_json_str(in, "member_id"), &m, err))) return st;
    const char *dec = cp_json_str(in, "decision_ref");
    if (!*dec) return cp_fail(err, CP_E_BAD_REQUEST, "body.decision_ref must name the governing body's decision");
    int64_t from, until;
    if ((st = fin_date_in(in, "from", true, 0, &from, err)) || (st = fin_date_in(in, "until", true, 0, &until, err))) return st;
    if (until < from) return cp_fail(err, CP_E_UNPROCESSABLE, "body.until is before body.from");
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_exemption (id, member_id, decision_ref, start_day, end_day, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, m.id);
    cp_stmt_bind_text(s, 3, dec);
    cp_stmt_bind_int(s, 4, from);
    cp_stmt_bind_int(s, 5, until);
    cp_stmt_bind_int(s, 6, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    json_t *o = json_pack("{ss ss ss}", "id", id, "member_id", m.id, "decision_ref", dec);
    fin_put_date(o, "from", from);
    fin_put_date(o, "until", until);
    char target[64];
    snprintf(target, sizeof target, "member:%s", m.id);
    if ((st = cp_audit_append(c, a->label, "finance.exemption.create", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_exemption(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                               cp_err *err)
{
    return cp_fin_write(c, a, "exemption", NULL, in, idem, exemption, out, err);
}

#define PLAN_INSTALLMENTS_MAX 120

static cp_status plan(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"member_id", CP_JT_STRING, true, 64}, {"currency", CP_JT_STRING, false, 3},
                                  {"decision_ref", CP_JT_STRING, true, 200}, {"start", CP_JT_STRING, true, 10},
                                  {"installments", CP_JT_OBJECT, true, 0}};
    /* installments is an array: checked by hand below (cp_json_check knows string arrays only) */
    json_t *copy = json_deep_copy(in);
    json_object_del(copy, "installments");
    cp_status st = cp_json_check(copy, "body", F, 4, err);
    json_decref(copy);
    if (st) return st;
    const json_t *inst = json_object_get(in, "installments");
    if (!json_is_array(inst) || json_array_size(inst) == 0 || json_array_size(inst) > PLAN_INSTALLMENTS_MAX)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.installments must be an array of 1 to %d {\"due\", \"amount\"}",
                       PLAN_INSTALLMENTS_MAX);
    fin_member m;
    if ((st = fin_member_get(c, cp_json_str(in, "member_id"), &m, err))) return st;
    const char *dec = cp_json_str(in, "decision_ref");
    if (!*dec) return cp_fail(err, CP_E_BAD_REQUEST, "body.decision_ref must name the decision");
    char cur[4];
    int exp;
    int64_t start;
    if ((st = fin_currency_in(c, in, cur, &exp, err)) || (st = fin_date_in(in, "start", true, 0, &start, err))) return st;
    int64_t dues[PLAN_INSTALLMENTS_MAX], amounts[PLAN_INSTALLMENTS_MAX], total = 0;
    size_t n = json_array_size(inst);
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(inst, i);
        char where[48];
        snprintf(where, sizeof where, "body.installments[%zu]", i);
        static const cp_jfield IF[] = {{"due", CP_JT_STRING, true, 10}, {"amount", CP_JT_STRING, false, 40},
                                       {"amount_minor", CP_JT_INT, false, 0}};
        if ((st = cp_json_check(x, where, IF, 3, err))) return st;
        if ((st = fin_date_in(x, "due", true, 0, &dues[i], err))) return cp_fail_prefix(err, st, where);
        if ((st = fin_amount_in(x, where, exp, &amounts[i], err))) return st;
        if (dues[i] < start || (i && dues[i] <= dues[i - 1]))
            return cp_fail(err, CP_E_UNPROCESSABLE, "%s.due must be on or after start and after the previous installment", where);
        total += amounts[i];
    }
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_plan (id, member_id, currency, decision_ref, start_day, total, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, m.id);
    cp_stmt_bind_text(s, 3, cur);
    cp_stmt_bind_text(s, 4, dec);
    cp_stmt_bind_int(s, 5, start);
    cp_stmt_bind_int(s, 6, total);
    cp_stmt_bind_int(s, 7, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    json_t *list = json_array();
    for (size_t i = 0; i < n && !st; i++) {
        if ((st = cp_stmt_prepare(c, "INSERT INTO fin_plan_installment (plan_id, due, amount) VALUES (?, ?, ?)", &s, err)))
            break;
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_int(s, 2, dues[i]);
        cp_stmt_bind_int(s, 3, amounts[i]);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
        json_t *o = json_object();
        fin_put_date(o, "due", dues[i]);
        fin_put_amount(o, "amount", amounts[i], exp);
        json_array_append_new(list, o);
    }
    if (st) {
        json_decref(list);
        return st;
    }
    json_t *o = json_pack("{ss ss ss ss so}", "id", id, "member_id", m.id, "currency", cur, "decision_ref", dec,
                          "installments", list);
    fin_put_date(o, "start", start);
    fin_put_amount(o, "total", total, exp);
    char target[64];
    snprintf(target, sizeof target, "member:%s", m.id);
    if ((st = cp_audit_append(c, a->label, "finance.plan.create", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_plan(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "plan", NULL, in, idem, plan, out, err);
}

/* ---- an adopted budget (governance) ---- */

static cp_status adopt(cp_conn *c, const cp_actor *a, const char *decision, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"year", CP_JT_INT, true, 0},          {"currency", CP_JT_STRING, false, 3},
                                  {"unit_value", CP_JT_STRING, false, 40}, {"unit_value_minor", CP_JT_INT, false, 0},
                                  {"lines", CP_JT_OBJECT, false, 0}};
    json_t *copy = json_deep_copy(in);
    json_object_del(copy, "lines");
    cp_status st = cp_json_check(copy, "budget", F, 4, err);
    json_decref(copy);
    if (st) return st;
    const json_t *lines = json_object_get(in, "lines");
    if (lines && (!json_is_array(lines) || json_array_size(lines) > 100))
        return cp_fail(err, CP_E_BAD_REQUEST, "budget.lines must be an array of at most 100 lines");
    if (!decision || !*decision) return cp_fail(err, CP_E_BAD_REQUEST, "an adopted budget needs its decision's reference");
    /* the unit value, then each line, through the same operations (inside this transaction) */
    json_t *uv = json_pack("{sO ss}", "year", json_object_get(in, "year"), "decision_ref", decision), *uv_out = NULL;
    if (json_object_get(in, "currency")) json_object_set(uv, "currency", json_object_get(in, "currency"));
    if (json_object_get(in, "unit_value")) json_object_set(uv, "amount", json_object_get(in, "unit_value"));
    if (json_object_get(in, "unit_value_minor")) json_object_set(uv, "amount_minor", json_object_get(in, "unit_value_minor"));
    /* inner keys derive from the decision: one decision is adopted once */
    char dg[CP_SHA256_HEX_LEN + 1], key[CP_FIN_IDEM_KEY_MAX + 1];
    cp_sha256_hex(decision, strlen(decision), dg);
    snprintf(key, sizeof key, "budget:%.32s/unit-value", dg);
    cp_fin_idem k = {key, false};
    st = cp_finance_unit_value_set_json(c, a, uv, &k, &uv_out, err);
    json_decref(uv);
    if (st) return cp_fail_prefix(err, st, "budget.unit_value");
    json_t *made = json_array();
    for (size_t i = 0; lines && i < json_array_size(lines) && !st; i++) {
        const json_t *l = json_array_get(lines, i);
        if (!json_is_object(l)) {
            st = cp_fail(err, CP_E_BAD_REQUEST, "budget.lines[%zu] must be an object", i);
            break;
        }
        json_t *li = json_deep_copy(l), *lo = NULL;
        json_object_set(li, "year", json_object_get(in, "year"));
        if (json_object_get(in, "currency")) json_object_set(li, "currency", json_object_get(in, "currency"));
        json_object_set_new(li, "decision_ref", json_string(decision));
        snprintf(key, sizeof key, "budget:%.32s/line/%zu", dg, i);
        k.key = key;
        st = cp_finance_budget_line(c, a, li, &k, &lo, err);
        json_decref(li);
        if (st) {
            char where[40];
            snprintf(where, sizeof where, "budget.lines[%zu]", i);
            cp_fail_prefix(err, st, where);
        } else
            json_array_append_new(made, lo);
    }
    if (st) {
        json_decref(uv_out);
        json_decref(made);
        return st;
    }
    *out = json_pack("{so so ss}", "unit_value", uv_out, "lines", made, "decision_ref", decision);
    return CP_OK;
}

cp_status cp_finance_adopt_budget(cp_conn *c, const cp_actor *a, const json_t *budget, const char *decision_ref,
                                  cp_fin_idem *idem, json_t **out, cp_err *err)
{
    if (!json_is_object(budget)) return cp_fail(err, CP_E_BAD_REQUEST, "the budget must be an object");
    return cp_fin_write(c, a, "budget.adopt", decision_ref, budget, idem, adopt, out, err);
}
