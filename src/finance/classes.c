/*
 * classes.c — reference data: the scale in force, members' financial
 * profiles (least developed country, region), their classes with effective
 * dates, and the value of a unit per financial year.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/money.h"
#include "finance/scale.h"
#include "store/meta.h"

cp_status cp_finance_default_currency(cp_conn *c, char *out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT currency FROM fin_unit_value ORDER BY year DESC, created_at DESC LIMIT 1", &s, err);
    if (st) return st;
    snprintf(out, 4, "%s", CP_FIN_DEFAULT_CURRENCY);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(out, 4, "%s", cp_stmt_col_text(s, 0));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* ---- the scale ---- */

static cp_status scale_load(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"text", CP_JT_STRING, true, CP_SCALE_TEXT_MAX}};
    cp_status st = cp_json_check(in, "body", F, 1, err);
    if (st) return st;
    const char *text = json_string_value(json_object_get(in, "text"));
    cp_scale sc;
    if ((st = cp_scale_parse(text, strlen(text), &sc, err))) return st;
    if ((st = cp_meta_put(c, "finance.scale", text, err))) return st;
    char dg[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(text, strlen(text), dg);
    json_t *d = json_pack("{ss si}", "sha256", dg, "classes", sc.n);
    st = cp_audit_append(c, a->label, "finance.scale.load", "finance:scale", d, err);
    json_decref(d);
    if (st) return st;
    return cp_finance_scale_json(c, out, err);
}

cp_status cp_finance_scale_load(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                cp_err *err)
{
    return cp_fin_write(c, a, "scale.load", NULL, in, idem, scale_load, out, err);
}

cp_status cp_finance_scale_json(cp_conn *c, json_t **out, cp_err *err)
{
    cp_scale sc;
    cp_status st = cp_scale_current(c, &sc, err);
    if (st) return st;
    json_t *cls = json_array();
    char t[24];
    for (int i = 0; i < sc.n; i++) {
        cp_fin_units_format(sc.cls[i].units16, t, sizeof t);
        json_array_append_new(cls, json_pack("{ss sI sb}", "units", t, "units16", (json_int_t)sc.cls[i].units16,
                                             "ldc_only", sc.cls[i].ldc_only));
    }
    char frac[48];
    snprintf(frac, sizeof frac, "%lld/%lld", (long long)sc.sector_num, (long long)sc.sector_den);
    cp_fin_units_format(sc.sector_min16, t, sizeof t);
    *out = json_pack("{so ss ss}", "classes", cls, "sector_unit", frac, "sector_minimum", t);
    return CP_OK;
}

/* ---- profile ---- */

static cp_status profile_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                             cp_err *err)
{
    static const cp_jfield F[] = {{"ldc", CP_JT_BOOL, false, 0}, {"region", CP_JT_STRING, false, 60},
                                  {"contributes_from", CP_JT_STRING, false, 10}};
    cp_status st = cp_json_check(in, "body", F, 3, err);
    if (st) return st;
    fin_member m;
    if ((st = fin_member_get(c, member_id, &m, err))) return st;
    const json_t *ldc = json_object_get(in, "ldc");
    const char *region = cp_json_str(in, "region");
    bool new_ldc = ldc ? json_is_true(ldc) : m.ldc;
    int64_t since;
    if ((st = fin_date_in(in, "contributes_from", false, m.contributes_from, &since, err))) return st;
    if (new_ldc && strcmp(m.kind, "member_state") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "only a member state can be a least developed country");
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_member_profile (member_id, ldc, region, contributes_from, updated_at) VALUES (?, ?, ?, ?, ?)"
                              " ON CONFLICT (member_id) DO UPDATE SET ldc = excluded.ldc, region = excluded.region,"
                              " contributes_from = excluded.contributes_from,"
                              " updated_at = excluded.updated_at",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_stmt_bind_int(s, 2, new_ldc ? 1 : 0);
    cp_stmt_bind_text(s, 3, region ? region : m.region);
    cp_stmt_bind_int(s, 4, since);
    cp_stmt_bind_int(s, 5, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    char target[64];
    snprintf(target, sizeof target, "member:%s", member_id);
    json_t *d = json_pack("{ss sb ss}", "member_id", member_id, "ldc", new_ldc, "region", region ? region : m.region);
    fin_put_date(d, "contributes_from", since);
    st = cp_audit_append(c, a->label, "finance.profile.set", target, d, err);
    if (st) {
        json_decref(d);
        return st;
    }
    *out = d;
    return CP_OK;
}

cp_status cp_finance_profile_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in,
                                 cp_fin_idem *idem, json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "profile.set", member_id, in, idem, profile_set, out, err);
}

/* ---- classes ---- */

/* The class in effect on day (0 when none). */
static cp_status class_on(cp_conn *c, const char *member_id, int64_t day, int64_t *u16, cp_err *err)
{
    return fin_scalar(c,
                      "SELECT units16 FROM fin_member_class WHERE member_id = ? AND effective <= ?"
                      " ORDER BY effective DESC, created_at DESC LIMIT 1",
                      u16, err, "si", member_id, day);
}

static cp_status class_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                           cp_err *err)
{
    static const cp_jfield F[] = {{"units", CP_JT_STRING, true, 32},
                                  {"effective", CP_JT_STRING, true, 10},
                                  {"decision_ref", CP_JT_STRING, false, 200}};
    cp_status st = cp_json_check(in, "body", F, 3, err);
    if (st) return st;
    fin_member m;
    if ((st = fin_member_get(c, member_id, &m, err))) return st;
    if (m.alliance) return cp_fail(err, CP_E_UNPROCESSABLE, "the alliance's own organisation does not contribute");
    int64_t u16, eff;
    if ((st = cp_fin_units_parse(cp_json_str(in, "units"), &u16, err))) return cp_fail_prefix(err, st, "body.units");
    if ((st = fin_date_in(in, "effective", true, 0, &eff, err))) return st;
    const char *decision = cp_json_str(in, "decision_ref");
    if (decision && !*decision) decision = NULL;
    cp_scale sc;
    if ((st = cp_scale_current(c, &sc, err))) return st;
    /* The class the change is measured against: the one in effect just before, and no
     * later-dated class may already exist (changes are recorded in date order). */
    int64_t cur = 0, later = 0;
    if ((st = class_on(c, member_id, eff, &cur, err))) return st;
    if ((st = fin_scalar(c, "SELECT COUNT(*) FROM fin_member_class WHERE member_id = ? AND effective > ?", &later, err,
                         "si", member_id, eff)))
        return st;
    if (later) return cp_fail(err, CP_E_UNPROCESSABLE, "a class with a later effective date is already recorded");
    if ((st = cp_scale_check_choice(&sc, m.kind, m.ldc, cur, u16, decision != NULL, err))) return st;
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_member_class (id, member_id, units16, effective, decision_ref, actor, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, member_id);
    cp_stmt_bind_int(s, 3, u16);
    cp_stmt_bind_int(s, 4, eff);
    cp_stmt_bind_text(s, 5, decision);
    cp_stmt_bind_text(s, 6, a->label);
    cp_stmt_bind_int(s, 7, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    char t[24], target[64];
    cp_fin_units_format(u16, t, sizeof t);
    json_t *o = json_pack("{ss ss ss sI ss?}", "id", id, "member_id", member_id, "units", t, "units16", (json_int_t)u16,
                          "decision_ref", decision);
    fin_put_date(o, "effective", eff);
    if (cur) {
        cp_fin_units_format(cur, t, sizeof t);
        json_object_set_new(o, "previous_units", json_string(t));
    }
    snprintf(target, sizeof target, "member:%s", member_id);
    if ((st = cp_audit_append(c, a->label, "finance.class.set", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_class_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in,
                               cp_fin_idem *idem, json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "class.set", member_id, in, idem, class_set, out, err);
}

cp_status cp_finance_member_json(cp_conn *c, const char *member_id, json_t **out, cp_err *err)
{
    fin_member m;
    cp_status st = fin_member_get(c, member_id, &m, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT id, units16, effective, decision_ref, actor FROM fin_member_class WHERE member_id = ?"
                              " ORDER BY effective, created_at",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, member_id);
    json_t *items = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        char t[24];
        cp_fin_units_format(cp_stmt_col_int(s, 1), t, sizeof t);
        json_t *o = json_pack("{ss ss sI ss? ss}", "id", cp_stmt_col_text(s, 0), "units", t, "units16",
                              (json_int_t)cp_stmt_col_int(s, 1), "decision_ref", cp_stmt_col_text(s, 3), "actor",
                              cp_stmt_col_text(s, 4));
        fin_put_date(o, "effective", cp_stmt_col_int(s, 2));
        json_array_append_new(items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        json_decref(items);
        return st;
    }
    json_t *prof = json_pack("{sb ss}", "ldc", m.ldc, "region", m.region);
    fin_put_date(prof, "contributes_from", m.contributes_from);
    *out = json_pack("{ss ss ss so so}", "member_id", member_id, "name", m.name, "kind", m.kind, "profile", prof, "classes",
                     items);
    return CP_OK;
}

/* ---- unit values ---- */

typedef struct {
    int year;
    char currency[4];
    int64_t amount;
    const char *decision;
} unit_value_args;

static cp_status unit_value_apply(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out,
                                  cp_err *err)
{
    static const cp_jfield F[] = {{"year", CP_JT_INT, true, 0},
                                  {"currency", CP_JT_STRING, false, 3},
                                  {"amount", CP_JT_STRING, false, 40},
                                  {"amount_minor", CP_JT_INT, false, 0},
                                  {"decision_ref", CP_JT_STRING, true, 200}};
    cp_status st = cp_json_check(in, "body", F, 5, err);
    if (st) return st;
    json_int_t year = json_integer_value(json_object_get(in, "year"));
    if (year < 1970 || year > 2999) return cp_fail(err, CP_E_BAD_REQUEST, "body.year must be 1970..2999");
    char cur[4];
    int exp;
    if ((st = fin_currency_in(c, in, cur, &exp, err))) return st;
    int64_t amount;
    if ((st = fin_amount_in(in, "body", exp, &amount, err))) return st;
    const char *decision = cp_json_str(in, "decision_ref");
    if (!decision || !*decision) return cp_fail(err, CP_E_BAD_REQUEST, "body.decision_ref must name the decision");
    int64_t have = 0;
    if ((st = fin_scalar(c, "SELECT COUNT(*) FROM fin_unit_value WHERE currency = ? AND year = ?", &have, err, "si", cur,
                         (int64_t)year)))
        return st;
    if (have)
        return cp_fail(err, CP_E_CONFLICT, "the unit value for %lld in %s is already set; it cannot change",
                       (long long)year, cur);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "INSERT INTO fin_unit_value (currency, year, amount, decision_ref, actor, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, cur);
    cp_stmt_bind_int(s, 2, year);
    cp_stmt_bind_int(s, 3, amount);
    cp_stmt_bind_text(s, 4, decision);
    cp_stmt_bind_text(s, 5, a->label);
    cp_stmt_bind_int(s, 6, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    json_t *o = json_pack("{sI ss ss}", "year", (json_int_t)year, "currency", cur, "decision_ref", decision);
    fin_put_amount(o, "amount", amount, exp);
    char target[32];
    snprintf(target, sizeof target, "finance:unit-value:%lld", (long long)year);
    if ((st = cp_audit_append(c, a->label, "finance.unit_value.set", target, o, err))) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CP_OK;
}

cp_status cp_finance_unit_value_set_json(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem,
                                         json_t **out, cp_err *err)
{
    return cp_fin_write(c, a, "unit_value.set", NULL, in, idem, unit_value_apply, out, err);
}

cp_status cp_finance_set_unit_value(cp_conn *c, const cp_actor *a, int year, const char *currency,
                                    int64_t amount_minor, const char *decision_ref, cp_fin_idem *idem, json_t **out,
                                    cp_err *err)
{
    json_t *in = json_pack("{si ss sI ss}", "year", year, "currency", currency ? currency : CP_FIN_DEFAULT_CURRENCY,
                           "amount_minor", (json_int_t)amount_minor, "decision_ref", decision_ref ? decision_ref : "");
    if (!in) return cp_fail(err, CP_E_BAD_REQUEST, "unit value: bad arguments");
    cp_status st = cp_finance_unit_value_set_json(c, a, in, idem, out, err);
    json_decref(in);
    return st;
}

cp_status cp_finance_unit_values(cp_conn *c, json_t **items, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT currency, year, amount, decision_ref, actor FROM fin_unit_value ORDER BY year, currency",
                                   &s, err);
    if (st) return st;
    *items = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        json_t *o = json_pack("{ss sI ss ss}", "currency", cp_stmt_col_text(s, 0), "year", (json_int_t)cp_stmt_col_int(s, 1),
                              "decision_ref", cp_stmt_col_text(s, 3), "actor", cp_stmt_col_text(s, 4));
        fin_put_amount(o, "amount", cp_stmt_col_int(s, 2), fin_exponent(cp_stmt_col_text(s, 0)));
        json_array_append_new(*items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
