/*
 * search_http.c — GET /api/v1/intel/search and
 * GET /api/v1/intel/correlations/{object-id} (docs/api.md). Who may ask:
 * cp_authz(CP_ACT_INTEL_SEARCH) (analysts and the secretariat); what each
 * one sees: cp_intel_may_read, object by object, inside search.c.
 */
#include <stdlib.h>
#include <string.h>

#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"
#include "intel/search.h"

static cp_status search(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_INTEL_SEARCH, NULL, err);
    if (st) return st;
    const char *value = cp_query_get(&r->query, "value"), *kind = cp_query_get(&r->query, "kind");
    if (!value || !value[0]) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter value is required");
    cp_observable *q = malloc(sizeof *q);
    if (!q) return cp_fail(err, CP_E_NOMEM, "out of memory");
    st = cp_observable_parse(value, kind, q, err);
    if (st) {
        free(q);
        return cp_fail_prefix(err, st, "query parameter value");
    }
    int limit;
    const char *next;
    cp_conn *c = NULL;
    json_t *out = NULL;
    if (!(st = cp_req_page(r, 100, &limit, &next, err))) {
        c = cp_req_conn(r, err);
        st = c ? cp_intel_search(c, &r->actor, q, limit, next, r->app->cfg->correlation_max, &out, err) : CP_E_UNAVAILABLE;
    }
    free(q);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status correlations(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_INTEL_SEARCH, NULL, err);
    if (st) return st;
    const char *col = cp_query_get(&r->query, "collection"), *all = cp_query_get(&r->query, "all_members");
    if (!col || !col[0])
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter collection (the collection's id or alias) is required");
    bool all_members = false;
    if (all) {
        if (strcmp(all, "true") == 0) all_members = true;
        else if (strcmp(all, "false") != 0)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter all_members must be true or false");
    }
    const char *id = r->params[0];
    const char *dash = strstr(id, "--");
    if (!dash || dash == id || strlen(dash + 2) != CP_UUID_LEN || strlen(id) > 300)
        return cp_fail(err, CP_E_BAD_REQUEST, "'%.80s' is not a STIX id (type--UUID)", id);
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *out = NULL;
    st = cp_intel_correlations(c, &r->actor, col, id, all_members, r->app->cfg->correlation_max, &out, err);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

const cp_route cp_search_routes[] = {
    {"GET", "/api/v1/intel/search", search, 0},
    {"GET", "/api/v1/intel/correlations/{id}", correlations, 0},
};
const int cp_search_routes_count = sizeof cp_search_routes / sizeof cp_search_routes[0];
