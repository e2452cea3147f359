/*
 * finance_http.c — /api/v1/finance/...: parse, authorise (cp_authz
 * finance.*), call finance/, render. Every write needs an Idempotency-Key
 * header; a replay answers with the first result and the header
 * "Idempotent-Replayed: true". There are no PUT/PATCH/DELETE routes on
 * entries: nobody edits or deletes (the router answers 405).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/ledger.h"
#include "finance/money.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/media.h"
#include "http/routes.h"

static cp_status conn(cp_req *r, cp_conn **c, cp_err *err)
{
    *c = cp_req_conn(r, err);
    return *c ? CP_OK : CP_E_UNAVAILABLE;
}

static cp_status as_of(cp_req *r, const char *name, int64_t *day, cp_err *err)
{
    const char *v = cp_query_get(&r->query, name);
    if (!v) {
        *day = cp_fin_day(cp_now_ms());
        return CP_OK;
    }
    cp_status st = cp_fin_date_parse(v, day, err);
    if (st) {
        char where[48];
        snprintf(where, sizeof where, "query parameter %s", name);
        return cp_fail_prefix(err, st, where);
    }
    return CP_OK;
}

static cp_status currency(cp_req *r, cp_conn *c, char cur[4], cp_err *err)
{
    const char *v = cp_query_get(&r->query, "currency");
    if (!v) return cp_finance_default_currency(c, cur, err);
    cp_status st = cp_fin_currency(v, NULL, err);
    if (st) return cp_fail_prefix(err, CP_E_BAD_REQUEST, "query parameter currency");
    snprintf(cur, 4, "%s", v);
    return CP_OK;
}

static bool wants_csv(cp_req *r)
{
    const char *f = cp_query_get(&r->query, "format");
    if (f && strcmp(f, "csv") == 0) return true;
    const char *acc = r->header(r, "Accept");
    return acc && strcasestr(acc, "text/csv") && cp_media_accepts(acc, "text/csv");
}

/* out (stolen) as JSON, or as CSV through to_csv when the client asks for CSV. */
static cp_status json_or_csv(cp_req *r, json_t *out, char *(*to_csv)(const json_t *, size_t *), cp_err *err)
{
    if (!wants_csv(r)) {
        cp_resp_json(r, 200, out);
        return CP_OK;
    }
    size_t len;
    char *csv = to_csv(out, &len);
    json_decref(out);
    if (!csv) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_resp_take(r, 200, "text/csv; charset=utf-8", csv, len);
    return CP_OK;
}

/* Writes: role first, then the body, then the domain call. */
typedef cp_status (*writer)(cp_conn *, const cp_actor *, const json_t *, cp_fin_idem *, json_t **, cp_err *);
typedef cp_status (*writer_arg)(cp_conn *, const cp_actor *, const char *, const json_t *, cp_fin_idem *, json_t **,
                                cp_err *);

static cp_status write(cp_req *r, writer fn, writer_arg fna, int status, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_WRITE, NULL, err);
    if (st) return st;
    cp_fin_idem idem = {r->header(r, "Idempotency-Key"), false};
    if ((st = cp_fin_idem_key_check(idem.key, err))) return st;
    json_t *in = NULL, *out = NULL;
    cp_conn *c;
    if ((st = cp_req_json(r, &in, err)) || (st = conn(r, &c, err))) {
        json_decref(in);
        return st;
    }
    st = fn ? fn(c, &r->actor, in, &idem, &out, err) : fna(c, &r->actor, r->params[0], in, &idem, &out, err);
    json_decref(in);
    if (st) return st;
    if (idem.replayed) cp_resp_header(r, "Idempotent-Replayed", "true");
    cp_resp_json(r, status, out);
    return CP_OK;
}

static cp_status post_unit_value(cp_req *r, cp_err *err) { return write(r, cp_finance_unit_value_set_json, NULL, 201, err); }
static cp_status post_assessments(cp_req *r, cp_err *err) { return write(r, cp_finance_assess_year, NULL, 201, err); }
static cp_status post_payment(cp_req *r, cp_err *err) { return write(r, cp_finance_pay, NULL, 201, err); }
static cp_status post_payment_import(cp_req *r, cp_err *err) { return write(r, cp_finance_pay_import, NULL, 201, err); }
static cp_status post_voluntary(cp_req *r, cp_err *err) { return write(r, cp_finance_voluntary, NULL, 201, err); }
static cp_status post_budget_line(cp_req *r, cp_err *err) { return write(r, cp_finance_budget_line, NULL, 201, err); }
static cp_status post_spending(cp_req *r, cp_err *err) { return write(r, cp_finance_spend, NULL, 201, err); }
static cp_status post_exemption(cp_req *r, cp_err *err) { return write(r, cp_finance_exemption, NULL, 201, err); }
static cp_status post_plan(cp_req *r, cp_err *err) { return write(r, cp_finance_plan, NULL, 201, err); }
static cp_status put_scale(cp_req *r, cp_err *err) { return write(r, cp_finance_scale_load, NULL, 200, err); }
static cp_status put_profile(cp_req *r, cp_err *err) { return write(r, NULL, cp_finance_profile_set, 200, err); }
static cp_status post_class(cp_req *r, cp_err *err) { return write(r, NULL, cp_finance_class_set, 201, err); }
static cp_status post_reversal(cp_req *r, cp_err *err) { return write(r, NULL, cp_finance_reverse, 201, err); }

/* ---- reads ---- */

static cp_status get_scale(cp_req *r, cp_err *err)
{
    cp_conn *c;
    json_t *out;
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_SCALE_READ, NULL, err);
    if (st || (st = conn(r, &c, err)) || (st = cp_finance_scale_json(c, &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status get_unit_values(cp_req *r, cp_err *err)
{
    cp_conn *c;
    json_t *items;
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_SCALE_READ, NULL, err);
    if (st || (st = conn(r, &c, err)) || (st = cp_finance_unit_values(c, &items, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, NULL));
    return CP_OK;
}

static cp_status member_read(cp_req *r, cp_conn **c, cp_err *err)
{
    cp_resource res = {.member_id = r->params[0]};
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_MEMBER_READ, &res, err);
    if (st) return st;
    return conn(r, c, err);
}

static cp_status get_member(cp_req *r, cp_err *err)
{
    cp_conn *c;
    json_t *out;
    cp_status st = member_read(r, &c, err);
    if (st || (st = cp_finance_member_json(c, r->params[0], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status get_statement(cp_req *r, cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int64_t to, from;
    cp_status st = member_read(r, &c, err);
    if (st || (st = as_of(r, "to", &to, err)) || (st = currency(r, c, cur, err))) return st;
    if (!cp_query_get(&r->query, "from")) from = cp_fin_year_start(cp_fin_year_of(to));
    else if ((st = as_of(r, "from", &from, err))) return st;
    json_t *out;
    if ((st = cp_finance_statement(c, r->params[0], cur, from, to, &out, err))) return st;
    return json_or_csv(r, out, cp_finance_statement_csv, err);
}

static cp_status get_voting_right(cp_req *r, cp_err *err)
{
    cp_conn *c;
    int64_t day;
    cp_fin_right v;
    cp_status st = member_read(r, &c, err);
    if (st || (st = as_of(r, "as_of", &day, err)) || (st = cp_finance_vote_right(c, r->params[0], day, &v, err))) return st;
    int exp = 2;
    cp_fin_currency(v.currency, &exp, err);
    char a[40], t[40], m[40], d[16];
    cp_fin_amount_format(v.counted, exp, a, sizeof a);
    cp_fin_amount_format(v.threshold, exp, t, sizeof t);
    cp_fin_amount_format(v.min_payment, exp, m, sizeof m);
    cp_fin_date_format(day, d, sizeof d);
    cp_resp_json(r, 200, json_pack("{ss ss sb ss ss ss ss sb sb ss}", "member_id", r->params[0], "as_of", d, "has_vote",
                                   v.has_right, "currency", v.currency, "arrears_counted", a, "threshold", t,
                                   "min_payment_to_restore", m, "exempt", v.exempt, "plan_respected", v.plan_respected,
                                   "reason", v.reason));
    return CP_OK;
}

static cp_status reader(cp_req *r, cp_conn **c, char cur[4], int64_t *day, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_READ, NULL, err);
    if (st || (st = conn(r, c, err)) || (st = currency(r, *c, cur, err))) return st;
    return day ? as_of(r, "as_of", day, err) : CP_OK;
}

static cp_status year_param(cp_req *r, int *year, cp_err *err)
{
    const char *y = cp_query_get(&r->query, "year");
    *year = 0;
    if (!y) return CP_OK;
    char *end;
    long v = strtol(y, &end, 10);
    if (!*y || *end || v < 1970 || v > 2999)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter year must be 1970..2999, not '%.16s'", y);
    *year = (int)v;
    return CP_OK;
}

static cp_status get_assessments(cp_req *r, cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int year;
    json_t *items;
    cp_status st = reader(r, &c, cur, NULL, err);
    if (st || (st = year_param(r, &year, err)) ||
        (st = cp_finance_assessments(c, cur, year, cp_query_get(&r->query, "member_id"), &items, err)))
        return st;
    cp_resp_json(r, 200, cp_page_json(items, NULL));
    return CP_OK;
}

static cp_status get_budget_lines(cp_req *r, cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int year;
    json_t *items;
    cp_status st = reader(r, &c, cur, NULL, err);
    if (st || (st = year_param(r, &year, err)) || (st = cp_finance_budget_lines(c, cur, year, &items, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, NULL));
    return CP_OK;
}

static cp_status get_entry(cp_req *r, cp_err *err)
{
    cp_conn *c;
    json_t *out;
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_READ, NULL, err);
    if (st || (st = conn(r, &c, err)) || (st = cp_ledger_entry_json(c, r->params[0], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

/* A finance reader's view as of ?as_of= (default today) in ?currency=. */
static cp_status day_view(cp_req *r, cp_status (*fn)(cp_conn *, const char *, int64_t, json_t **, cp_err *), cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int64_t day;
    json_t *out;
    cp_status st = reader(r, &c, cur, &day, err);
    if (st || (st = fn(c, cur, day, &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status get_arrears(cp_req *r, cp_err *err) { return day_view(r, cp_finance_arrears, err); }

static cp_status get_voting_rights(cp_req *r, cp_err *err) { return day_view(r, cp_finance_voting_rights, err); }

static cp_status report(cp_req *r, json_t **out, cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int64_t day;
    cp_status st = reader(r, &c, cur, &day, err);
    if (st) return st;
    int risk = 90;
    const char *rd = cp_query_get(&r->query, "risk_days");
    if (rd) {
        char *end;
        long v = strtol(rd, &end, 10);
        if (!*rd || *end || v < 0 || v > 3650)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter risk_days must be 0..3650, not '%.16s'", rd);
        risk = (int)v;
    }
    return cp_finance_sustainability(c, cur, day, risk, out, err);
}

static cp_status get_sustainability(cp_req *r, cp_err *err)
{
    json_t *out;
    cp_status st = report(r, &out, err);
    return st ? st : json_or_csv(r, out, cp_finance_sustainability_csv, err);
}

static cp_status get_chart(cp_req *r, cp_err *err)
{
    const char *name = r->params[0];
    size_t n = strlen(name);
    char which[32];
    if (n < 5 || n - 4 >= sizeof which || strcmp(name + n - 4, ".svg") != 0)
        return cp_fail(err, CP_E_NOT_FOUND, "no chart '%.40s' (collection.svg, arrears.svg, runway.svg)", name);
    snprintf(which, sizeof which, "%.*s", (int)(n - 4), name);
    if (strcmp(which, "collection") && strcmp(which, "arrears") && strcmp(which, "runway"))
        return cp_fail(err, CP_E_NOT_FOUND, "no chart '%.40s' (collection.svg, arrears.svg, runway.svg)", name);
    json_t *out;
    cp_status st = report(r, &out, err);
    if (st) return st;
    size_t len;
    char *svg = cp_finance_chart_svg(which, out, &len);
    json_decref(out);
    if (!svg) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_resp_take(r, 200, "image/svg+xml", svg, len);
    return CP_OK;
}

static cp_status get_verify(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = cp_authz(&r->actor, CP_ACT_FIN_READ, NULL, err);
    if (st || (st = conn(r, &c, err))) return st;
    cp_ledger_report rep;
    if ((st = cp_conn_begin(c, CP_TX_READ, err))) return st;
    st = cp_ledger_verify(c, &rep, err);
    cp_conn_rollback(c);
    if (st) return st;
    cp_resp_json(r, 200, json_pack("{sb sI sI sI sI sI sI ss?}", "intact", rep.problems == 0, "ledgers", (json_int_t)rep.ledgers,
                                   "entries", (json_int_t)rep.entries, "legs", (json_int_t)rep.legs, "debits_minor",
                                   (json_int_t)rep.debits, "credits_minor", (json_int_t)rep.credits, "problems",
                                   (json_int_t)rep.problems, "first_problem", rep.problems ? rep.problem : NULL));
    return CP_OK;
}

/* Public: no key. The aggregate picture and the members without a vote.
 * Anyone may ask, so answers are kept for TRANSPARENCY_TTL_MS per (currency,
 * day): a flood of anonymous requests costs one report a minute per day asked. */
#define TRANSPARENCY_SLOTS 16
#define TRANSPARENCY_TTL_MS 60000
static struct {
    char cur[4];
    int64_t day, at;
    char *body;
    size_t len;
} tcache[TRANSPARENCY_SLOTS];
static pthread_mutex_t tcache_mu = PTHREAD_MUTEX_INITIALIZER;

static cp_status get_transparency(cp_req *r, cp_err *err)
{
    cp_conn *c;
    char cur[4];
    int64_t day, now = cp_now_ms();
    json_t *out;
    cp_status st = conn(r, &c, err);
    if (st || (st = currency(r, c, cur, err)) || (st = as_of(r, "as_of", &day, err))) return st;
    pthread_mutex_lock(&tcache_mu);
    for (int i = 0; i < TRANSPARENCY_SLOTS; i++)
        if (tcache[i].body && tcache[i].day == day && strcmp(tcache[i].cur, cur) == 0 && now - tcache[i].at < TRANSPARENCY_TTL_MS) {
            char *copy = malloc(tcache[i].len);
            size_t len = tcache[i].len;
            if (copy) memcpy(copy, tcache[i].body, len);
            pthread_mutex_unlock(&tcache_mu);
            if (!copy) return cp_fail(err, CP_E_NOMEM, "out of memory");
            cp_resp_take(r, 200, "application/json", copy, len);
            return CP_OK;
        }
    pthread_mutex_unlock(&tcache_mu);
    if ((st = cp_finance_transparency(c, cur, day, &out, err))) return st;
    char *text = json_dumps(out, CP_RESP_JSON_FLAGS);
    json_decref(out);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    size_t len = strlen(text);
    char *keep = malloc(len);
    if (keep) {
        memcpy(keep, text, len);
        pthread_mutex_lock(&tcache_mu);
        int slot = 0;
        for (int i = 1; i < TRANSPARENCY_SLOTS; i++)
            if (!tcache[i].body || tcache[i].at < tcache[slot].at) slot = i;
        free(tcache[slot].body);
        snprintf(tcache[slot].cur, sizeof tcache[slot].cur, "%s", cur);
        tcache[slot].day = day;
        tcache[slot].at = now;
        tcache[slot].body = keep;
        tcache[slot].len = len;
        pthread_mutex_unlock(&tcache_mu);
    }
    cp_resp_take(r, 200, "application/json", text, len);
    return CP_OK;
}

const cp_route cp_finance_routes[] = {
    {"GET", "/api/v1/finance/scale", get_scale, 0},
    {"PUT", "/api/v1/finance/scale", put_scale, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/unit-values", get_unit_values, 0},
    {"POST", "/api/v1/finance/unit-values", post_unit_value, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/members/{id}", get_member, 0},
    {"PUT", "/api/v1/finance/members/{id}/profile", put_profile, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/members/{id}/classes", post_class, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/members/{id}/statement", get_statement, 0},
    {"GET", "/api/v1/finance/members/{id}/voting-right", get_voting_right, 0},
    {"GET", "/api/v1/finance/assessments", get_assessments, 0},
    {"POST", "/api/v1/finance/assessments", post_assessments, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/payments", post_payment, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/payments/import", post_payment_import, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/voluntary-contributions", post_voluntary, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/entries/{id}", get_entry, 0},
    {"POST", "/api/v1/finance/entries/{id}/reversal", post_reversal, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/budget-lines", get_budget_lines, 0},
    {"POST", "/api/v1/finance/budget-lines", post_budget_line, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/spending", post_spending, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/exemptions", post_exemption, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/finance/repayment-plans", post_plan, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/finance/arrears", get_arrears, 0},
    {"GET", "/api/v1/finance/voting-rights", get_voting_rights, 0},
    {"GET", "/api/v1/finance/reports/sustainability", get_sustainability, 0},
    {"GET", "/api/v1/finance/reports/charts/{name}", get_chart, 0},
    {"GET", "/api/v1/finance/verify", get_verify, 0},
    {"GET", "/api/v1/finance/transparency", get_transparency, CP_ROUTE_PUBLIC},
};
const int cp_finance_routes_count = sizeof cp_finance_routes / sizeof cp_finance_routes[0];
