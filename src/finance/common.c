/*
 * common.c — the helpers of internal.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/money.h"

cp_status fin_member_get(cp_conn *c, const char *id, fin_member *m, cp_err *err)
{
    memset(m, 0, sizeof *m);
    if (!id || !cp_uuid_valid(id)) return cp_fail(err, CP_E_NOT_FOUND, "no member %.40s", id ? id : "");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT m.kind, m.name, m.country, m.status, m.status_since, m.joined_at, m.is_alliance,"
                                   " p.ldc, p.region, COALESCE(p.contributes_from, m.joined_at) FROM members m LEFT JOIN fin_member_profile p ON p.member_id = m.id"
                                   " WHERE m.id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        snprintf(m->id, sizeof m->id, "%s", id);
        snprintf(m->kind, sizeof m->kind, "%s", cp_stmt_col_text(s, 0));
        snprintf(m->name, sizeof m->name, "%s", cp_stmt_col_text(s, 1));
        snprintf(m->country, sizeof m->country, "%s", cp_stmt_col_is_null(s, 2) ? "" : cp_stmt_col_text(s, 2));
        snprintf(m->status, sizeof m->status, "%s", cp_stmt_col_text(s, 3));
        m->status_since = cp_stmt_col_int(s, 4);
        m->joined_at = cp_stmt_col_int(s, 5);
        m->alliance = cp_stmt_col_int(s, 6) != 0;
        m->ldc = cp_stmt_col_int(s, 7) != 0;
        snprintf(m->region, sizeof m->region, "%s", cp_stmt_col_is_null(s, 8) ? "" : cp_stmt_col_text(s, 8));
        m->contributes_from = cp_fin_day(cp_stmt_col_int(s, 9));
    }
    st = r == CP_STEP_ROW ? CP_OK : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no member %.40s", id) : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status fin_amount_in(const json_t *in, const char *where, int exponent, int64_t *out, cp_err *err)
{
    const json_t *a = json_object_get(in, "amount"), *m = json_object_get(in, "amount_minor");
    if ((a != NULL) == (m != NULL))
        return cp_fail(err, CP_E_BAD_REQUEST, "%s: give exactly one of amount (a decimal string) and amount_minor (an integer)", where);
    if (a) {
        if (!json_is_string(a)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.amount must be a decimal string such as \"1250.00\"", where);
        cp_status st = cp_fin_amount_parse(json_string_value(a), exponent, false, out, err);
        return st ? cp_fail_prefix(err, st, where) : CP_OK;
    }
    if (!json_is_integer(m)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.amount_minor must be an integer", where);
    json_int_t v = json_integer_value(m);
    if (v <= 0 || v > CP_FIN_AMOUNT_MAX)
        return cp_fail(err, CP_E_BAD_REQUEST, "%s.amount_minor must be between 1 and %lld", where, (long long)CP_FIN_AMOUNT_MAX);
    *out = v;
    return CP_OK;
}

cp_status fin_date_in(const json_t *in, const char *field, bool required, int64_t def, int64_t *out, cp_err *err)
{
    const json_t *v = json_object_get(in, field);
    if (!v) {
        if (required) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s (a date YYYY-MM-DD) is required", field);
        *out = def;
        return CP_OK;
    }
    if (!json_is_string(v)) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s must be a date string YYYY-MM-DD", field);
    cp_status st = cp_fin_date_parse(json_string_value(v), out, err);
    if (st) {
        char where[64];
        snprintf(where, sizeof where, "body.%s", field);
        return cp_fail_prefix(err, st, where);
    }
    return CP_OK;
}

cp_status fin_currency_in(cp_conn *c, const json_t *in, char cur[4], int *exponent, cp_err *err)
{
    const json_t *v = json_object_get(in, "currency");
    cp_status st;
    if (v) {
        if (!json_is_string(v)) return cp_fail(err, CP_E_BAD_REQUEST, "body.currency must be a string (ISO 4217)");
        st = cp_fin_currency(json_string_value(v), exponent, err);
        if (st) return st;
        snprintf(cur, 4, "%s", json_string_value(v));
        return CP_OK;
    }
    if ((st = cp_finance_default_currency(c, cur, err))) return st;
    return cp_fin_currency(cur, exponent, err);
}

cp_status fin_text_in(const json_t *in, const char *field, size_t max, bool required, const char **out, cp_err *err)
{
    const json_t *v = json_object_get(in, field);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s is required", field);
        return CP_OK;
    }
    if (!json_is_string(v)) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s must be a string", field);
    size_t n = json_string_length(v);
    if (n == 0 || n > max) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s must be 1 to %zu bytes", field, max);
    if (memchr(json_string_value(v), 0, n)) return cp_fail(err, CP_E_BAD_REQUEST, "body.%s contains a NUL byte", field);
    *out = json_string_value(v);
    return CP_OK;
}

void fin_put_amount(json_t *o, const char *key, int64_t minor, int exponent)
{
    char t[40], k[64];
    cp_fin_amount_format(minor, exponent, t, sizeof t);
    json_object_set_new(o, key, json_string(t));
    snprintf(k, sizeof k, "%s_minor", key);
    json_object_set_new(o, k, json_integer(minor));
}

void fin_put_date(json_t *o, const char *key, int64_t day)
{
    char t[16];
    cp_fin_date_format(day, t, sizeof t);
    json_object_set_new(o, key, json_string(t));
}

void fin_account(char *buf, size_t cap, const char *prefix, const char *member_id)
{
    snprintf(buf, cap, "%s:%s", prefix, member_id);
}

int fin_exponent(const char *currency)
{
    int e = 2;
    cp_err err;
    if (cp_fin_currency(currency, &e, &err)) return 2;
    return e;
}

cp_status fin_daily_add(cp_conn *c, const char *currency, const char *metric, int64_t day, int64_t amount, cp_err *err)
{
    if (amount == 0) return CP_OK;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO fin_daily (currency, metric, day, amount) VALUES (?, ?, ?, ?)"
                                   " ON CONFLICT (currency, metric, day) DO UPDATE SET amount = fin_daily.amount + excluded.amount",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_stmt_bind_text(s, 2, metric);
    cp_stmt_bind_int(s, 3, day);
    cp_stmt_bind_int(s, 4, amount);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

/* fmt: one letter per parameter, 's' text, 'i' int64. */
cp_status fin_scalar(cp_conn *c, const char *sql, int64_t *out, cp_err *err, const char *fmt, ...)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 's') cp_stmt_bind_text(s, i + 1, va_arg(ap, const char *));
        else cp_stmt_bind_int(s, i + 1, va_arg(ap, int64_t));
    }
    va_end(ap);
    *out = 0;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = cp_stmt_col_int(s, 0);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
