/*
 * http.c (members) — routes for members and constituencies. Parse,
 * authorise, call the domain, render; nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"
#include "members/members.h"

/* Authorises act on member id; the member must exist (404 otherwise). */
static cp_status member_authz(cp_req *r, cp_action act, cp_err *err)
{
    cp_resource res = {.member_id = r->params[0]};
    return cp_authz(&r->actor, act, &res, err);
}

static cp_status list_members(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_MEMBER_LIST, NULL, err);
    if (st) return st;
    cp_member_filter f = {
        .kind = cp_query_get(&r->query, "kind"),
        .status = cp_query_get(&r->query, "status"),
        .country = cp_query_get(&r->query, "country"),
    };
    if ((st = cp_req_page(r, 100, &f.limit, &f.next, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    char *page;
    size_t len;
    if ((st = cp_member_list(c, &f, &page, &len, err))) return st;
    cp_resp_take(r, 200, "application/json", page, len);
    return CP_OK;
}

static cp_status create_member(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_MEMBER_CREATE, NULL, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    st = c ? cp_member_create(c, &r->actor, in, &out, err) : CP_E_UNAVAILABLE;
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 201, out);
    return CP_OK;
}

static cp_status get_member(cp_req *r, cp_err *err)
{
    cp_status st = member_authz(r, CP_ACT_MEMBER_READ, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *out;
    if ((st = cp_member_get(c, r->params[0], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status update_member(cp_req *r, cp_err *err)
{
    bool full = cp_authz(&r->actor, CP_ACT_MEMBER_UPDATE, NULL, NULL) == CP_OK;
    cp_status st = full ? CP_OK : member_authz(r, CP_ACT_MEMBER_CONTACT_UPDATE, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    st = c ? cp_member_update(c, &r->actor, r->params[0], in, !full, &out, err) : CP_E_UNAVAILABLE;
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

/* The shape of a write on one member: (member id, JSON body) → JSON result. */
typedef cp_status (*member_write_fn)(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in,
                                     json_t **out, cp_err *err);

/* Authorises act on the member, decodes the body, runs fn, renders ok_status. */
static cp_status member_write(cp_req *r, cp_action act, member_write_fn fn, int ok_status, cp_err *err)
{
    cp_status st = member_authz(r, act, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    st = c ? fn(c, &r->actor, r->params[0], in, &out, err) : CP_E_UNAVAILABLE;
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, ok_status, out);
    return CP_OK;
}

/* The shape of a read of one member's list: (member id) → JSON array. */
typedef cp_status (*member_list_fn)(cp_conn *c, const char *member_id, json_t **items, cp_err *err);

/* Authorises act, answers 404 for an unknown member, renders {"items", "next": null}. */
static cp_status member_list(cp_req *r, cp_action act, member_list_fn fn, cp_err *err)
{
    cp_status st = member_authz(r, act, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *m, *items;
    if ((st = cp_member_get(c, r->params[0], &m, err))) return st;
    json_decref(m);
    if ((st = fn(c, r->params[0], &items, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, NULL));
    return CP_OK;
}

static cp_status set_status(cp_req *r, cp_err *err)
{
    return member_write(r, CP_ACT_MEMBER_STATUS, cp_member_set_status, 200, err);
}

static cp_status status_history(cp_req *r, cp_err *err)
{
    return member_list(r, CP_ACT_MEMBER_READ, cp_member_status_history, err);
}

static cp_status list_constituency(cp_req *r, cp_err *err)
{
    return member_list(r, CP_ACT_CONSTITUENCY_READ, cp_constituency_list, err);
}

static cp_status add_constituency(cp_req *r, cp_err *err)
{
    return member_write(r, CP_ACT_CONSTITUENCY_WRITE, cp_constituency_add, 201, err);
}

static cp_status remove_constituency(cp_req *r, cp_err *err)
{
    cp_status st = member_authz(r, CP_ACT_CONSTITUENCY_WRITE, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    if ((st = cp_constituency_remove(c, &r->actor, r->params[0], r->params[1], err))) return st;
    cp_resp_json(r, 200, json_pack("{ss ss}", "id", r->params[1], "status", "removed"));
    return CP_OK;
}

const cp_route cp_members_routes[] = {
    {"GET", "/api/v1/members", list_members, 0},
    {"POST", "/api/v1/members", create_member, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/members/{id}", get_member, 0},
    {"PATCH", "/api/v1/members/{id}", update_member, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/members/{id}/status", set_status, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/members/{id}/status", status_history, 0},
    {"GET", "/api/v1/members/{id}/constituency", list_constituency, 0},
    {"POST", "/api/v1/members/{id}/constituency", add_constituency, CP_ROUTE_JSON_BODY},
    {"DELETE", "/api/v1/members/{id}/constituency/{entry}", remove_constituency, 0},
};
const int cp_members_routes_count = sizeof cp_members_routes / sizeof cp_members_routes[0];
