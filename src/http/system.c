/*
 * system.c — operational endpoints: liveness, readiness, metrics, the
 * caller's identity and the audit log.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/metrics.h"
#include "warning/alerts.h"
#include "http/routes.h"
#include "members/rows.h"

static cp_status healthz(cp_req *r, cp_err *err)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    cp_resp_text(r, 200, "application/json", ok, sizeof ok - 1);
    return CP_OK;
}

static cp_status readyz(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    cp_status st = c ? cp_conn_ping(c, err) : CP_E_UNAVAILABLE;
    if (st) return cp_fail_prefix(err, CP_E_UNAVAILABLE, "store unreachable");
    if (r->app->draining) return cp_fail(err, CP_E_UNAVAILABLE, "shutting down");
    cp_resp_json(r, 200, json_pack("{ss ss}", "status", "ready", "store", cp_db_describe(r->app->db)));
    return CP_OK;
}

static cp_status metrics(cp_req *r, cp_err *err)
{
    char *text = cp_metrics_render(r->app->metrics, r->app->db);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    char *alerts = cp_alerts_metrics_render(); /* early warning: delivery times per member */
    if (alerts) {
        size_t a = strlen(text), b = strlen(alerts);
        char *both = realloc(text, a + b + 1);
        if (both) {
            memcpy(both + a, alerts, b + 1);
            text = both;
        }
        free(alerts);
    }
    cp_resp_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
    return CP_OK;
}

static cp_status me(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_ME, NULL, err);
    if (st) return st;
    const cp_actor *a = &r->actor;
    const char *via = a->kind == CP_ACTOR_KEY ? "api_key" : a->kind == CP_ACTOR_SESSION ? "session" : "cli";
    cp_resp_json(r, 200,
                 json_pack("{ss ss s{ss ss sb sb} so ss so?}", "user_id", a->user_id, "user", a->user_name, "member",
                           "id", a->member_id, "kind", a->member_kind, "active", a->member_active, "alliance",
                           a->member_is_alliance, "roles", cp_roles_json(a->roles), "authenticated_by", via, "key_id",
                           a->kind == CP_ACTOR_KEY ? json_string(a->key_id) : NULL));
    return CP_OK;
}

static cp_status audit_list(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_AUDIT_READ, NULL, err);
    if (st) return st;
    int limit;
    const char *next;
    st = cp_req_page(r, 100, &limit, &next, err);
    if (st) return st;
    long long after = 0;
    const char *a = next ? next : cp_query_get(&r->query, "after");
    if (a) {
        char *end;
        after = strtoll(a, &end, 10);
        if (!*a || *end || after < 0) return cp_fail(err, CP_E_BAD_REQUEST, "'next'/'after' must be a sequence number");
    }
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *items;
    int more;
    st = cp_audit_list(c, after, limit, &items, &more, err);
    if (st) return st;
    char nbuf[32] = "";
    size_t n = json_array_size(items);
    if (more && n) snprintf(nbuf, sizeof nbuf, "%lld", (long long)json_integer_value(json_object_get(json_array_get(items, n - 1), "seq")));
    cp_resp_json(r, 200, cp_page_json(items, more ? nbuf : NULL));
    return CP_OK;
}

const cp_route cp_system_routes[] = {
    {"GET", "/healthz", healthz, CP_ROUTE_PUBLIC},
    {"GET", "/readyz", readyz, CP_ROUTE_PUBLIC},
    {"GET", "/metrics", metrics, CP_ROUTE_PUBLIC},
    {"GET", "/api/v1/me", me, 0},
    {"GET", "/api/v1/audit", audit_list, 0},
};
const int cp_system_routes_count = sizeof cp_system_routes / sizeof cp_system_routes[0];
