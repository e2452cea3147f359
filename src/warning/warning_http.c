/*
 * warning_http.c — early warning over HTTP (docs/api.md, "Early warning:
 * events, alerts, webhooks"): POST /api/v1/events, the alerts of a member,
 * and its webhook. Parse, authorise (cp_authz event.*, alert.*, webhook.*),
 * call warning/, render.
 */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"
#include "members/members.h"
#include "warning/alerts.h"
#include "warning/events.h"
#include "warning/webhook.h"

static cp_status submit_events(cp_req *r, cp_err *err)
{
    int64_t received = cp_now_ms();
    cp_status st = cp_authz(&r->actor, CP_ACT_EVENT_SUBMIT, NULL, err);
    if (st) return st;
    if (!r->body) return cp_fail(err, CP_E_BAD_REQUEST, "a JSON body {\"events\": [...]} is required");
    cp_event_batch b;
    json_t *errors = NULL;
    st = cp_events_parse(r->body, r->body_len, (size_t)r->app->cfg->events_max_batch,
                         (size_t)r->app->cfg->max_json_depth, received, &b, &errors, err);
    if (st == CP_E_UNPROCESSABLE && errors) {
        json_t *e = json_pack("{s{ss ss ss so}}", "error", "code", cp_status_code(st), "message", err->msg,
                              "request_id", r->request_id, "errors", errors);
        cp_resp_json(r, 422, e);
        return CP_OK;
    }
    json_decref(errors);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) {
        cp_event_batch_free(&b);
        return CP_E_UNAVAILABLE;
    }
    cp_events_options o = {.window_ms = r->app->cfg->alert_window_s * 1000,
                           .stix_refresh_ms = r->app->cfg->alert_stix_refresh_s * 1000};
    cp_events_result res;
    st = cp_events_process(c, &r->actor, &b, &o, received, &res, err);
    cp_event_batch_free(&b);
    if (st) return st;
    char at[CP_RFC3339_MAX];
    cp_rfc3339_format(received, at);
    cp_resp_json(r, 200,
                 json_pack("{sI sI sI sI sI s{sI} ss}", "accepted", (json_int_t)res.accepted, "matched",
                           (json_int_t)res.matched, "routed", (json_int_t)res.routed, "unrouted",
                           (json_int_t)res.unrouted, "withheld_hits", (json_int_t)res.hidden_hits, "alerts", "queued",
                           (json_int_t)res.alerts_queued, "received_at", at));
    return CP_OK;
}

/* Read-your-writes: every batch received before this request is in alerts
 * (and their webhook deliveries) before it reads them, whether or not the
 * folder has come to it yet. */
static cp_status fold_first(cp_req *r, cp_conn *c, cp_err *err)
{
    cp_alerts_folded f;
    return cp_alerts_fold_pending(c, 0, (int64_t)r->app->cfg->alert_stix_refresh_s * 1000, &f, err);
}

static cp_status time_param(cp_req *r, const char *name, int64_t *out, cp_err *err)
{
    const char *v = cp_query_get(&r->query, name);
    *out = 0;
    if (!v) return CP_OK;
    if (cp_rfc3339_parse(v, out, err)) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s: %s", name, err->msg);
    if (*out <= 0) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s must be after 1970", name);
    return CP_OK;
}

static cp_status list_alerts(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_ALERT_LIST, NULL, err);
    if (st) return st;
    const char *scope, *user;
    cp_authz_scope(&r->actor, CP_ACT_ALERT_LIST, &scope, &user);
    cp_alert_filter f = {0};
    const char *member = cp_query_get(&r->query, "member");
    if (scope && member && strcmp(member, scope) != 0)
        return cp_fail(err, CP_E_FORBIDDEN, "you may list your own member's alerts only");
    f.member_id = scope ? scope : member;
    f.status = cp_query_get(&r->query, "status");
    f.indicator_id = cp_query_get(&r->query, "indicator");
    f.address = cp_query_get(&r->query, "address");
    f.classification = cp_query_get(&r->query, "classification");
    if ((st = time_param(r, "since", &f.since, err)) || (st = time_param(r, "until", &f.until, err))) return st;
    if ((st = cp_req_page(r, 100, &f.limit, &f.next, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    if ((st = fold_first(r, c, err))) return st;
    json_t *page;
    if ((st = cp_alerts_list(c, &f, &page, err))) return st;
    cp_resp_json(r, 200, page);
    return CP_OK;
}

/* Fetches {id} and authorises act on it (404 for another member's alert). */
static cp_status find_alert(cp_req *r, cp_action act, cp_conn **c, json_t **alert, cp_err *err)
{
    *alert = NULL;
    cp_status st = cp_authz(&r->actor, CP_ACT_ALERT_LIST, NULL, err); /* roles first: 403 before any lookup */
    if (st && act != CP_ACT_ALERT_UPDATE) return st;
    *c = cp_req_conn(r, err);
    if (!*c) return CP_E_UNAVAILABLE;
    if ((st = fold_first(r, *c, err))) return st;
    char member[CP_UUID_LEN + 1] = "";
    if ((st = cp_alert_get(*c, r->params[0], alert, member, err))) return st;
    cp_resource res = {.member_id = member};
    if ((st = cp_authz(&r->actor, act, &res, err))) {
        json_decref(*alert);
        *alert = NULL;
    }
    return st;
}

static cp_status get_alert(cp_req *r, cp_err *err)
{
    cp_conn *c;
    json_t *alert;
    cp_status st = find_alert(r, CP_ACT_ALERT_READ, &c, &alert, err);
    if (st) return st;
    cp_resp_json(r, 200, alert);
    return CP_OK;
}

static cp_status transition(cp_req *r, const char *to, cp_err *err)
{
    cp_conn *c;
    json_t *alert, *out;
    cp_status st = find_alert(r, CP_ACT_ALERT_UPDATE, &c, &alert, err);
    if (st) return st;
    json_decref(alert);
    if ((st = cp_alert_transition(c, &r->actor, r->params[0], to, &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status acknowledge(cp_req *r, cp_err *err) { return transition(r, "acknowledged", err); }
static cp_status close_alert(cp_req *r, cp_err *err) { return transition(r, "closed", err); }

/* --- webhooks: /api/v1/members/{id}/webhook --- */

static cp_status webhook_authz(cp_req *r, cp_action act, cp_conn **c, cp_err *err)
{
    cp_resource res = {.member_id = r->params[0]};
    cp_status st = cp_authz(&r->actor, act, &res, err);
    if (st) return st;
    *c = cp_req_conn(r, err);
    if (!*c) return CP_E_UNAVAILABLE;
    json_t *m;
    if ((st = cp_member_get(*c, r->params[0], &m, err))) return st;
    json_decref(m);
    return CP_OK;
}

static cp_status put_webhook(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = webhook_authz(r, CP_ACT_WEBHOOK_WRITE, &c, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    st = cp_webhook_set(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status get_webhook(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = webhook_authz(r, CP_ACT_WEBHOOK_READ, &c, err);
    if (st) return st;
    json_t *out;
    if ((st = cp_webhook_get(c, r->params[0], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status delete_webhook(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = webhook_authz(r, CP_ACT_WEBHOOK_WRITE, &c, err);
    if (st) return st;
    if ((st = cp_webhook_delete(c, &r->actor, r->params[0], err))) return st;
    cp_resp_json(r, 200, json_pack("{ss ss}", "member_id", r->params[0], "status", "removed"));
    return CP_OK;
}

static cp_status list_deliveries(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = webhook_authz(r, CP_ACT_WEBHOOK_READ, &c, err);
    if (st) return st;
    int limit;
    const char *next;
    if ((st = cp_req_page(r, 50, &limit, &next, err))) return st;
    if ((st = fold_first(r, c, err))) return st; /* the deliveries of alerts not folded yet */
    json_t *page;
    if ((st = cp_webhook_deliveries(c, r->params[0], cp_query_get(&r->query, "status"), limit, next, &page, err)))
        return st;
    cp_resp_json(r, 200, page);
    return CP_OK;
}

const cp_route cp_warning_routes[] = {
    {"POST", "/api/v1/events", submit_events, CP_ROUTE_JSON_BODY | CP_ROUTE_INTEL_BODY},
    {"GET", "/api/v1/alerts", list_alerts, 0},
    {"GET", "/api/v1/alerts/{id}", get_alert, 0},
    {"POST", "/api/v1/alerts/{id}/acknowledge", acknowledge, 0},
    {"POST", "/api/v1/alerts/{id}/close", close_alert, 0},
    {"PUT", "/api/v1/members/{id}/webhook", put_webhook, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/members/{id}/webhook", get_webhook, 0},
    {"DELETE", "/api/v1/members/{id}/webhook", delete_webhook, 0},
    {"GET", "/api/v1/members/{id}/webhook/deliveries", list_deliveries, 0},
};
const int cp_warning_routes_count = sizeof cp_warning_routes / sizeof cp_warning_routes[0];
