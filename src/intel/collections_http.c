/*
 * collections_http.c — the admin API of intelligence collections
 * (/api/v1/intel/collections...). Parse, authorise (cp_authz collection.*),
 * call intel/collections.c, render; nothing else. Reading and writing a
 * collection's objects is TAXII's, behind cp_intel_may_read/_write.
 */
#include <string.h>

#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"
#include "intel/collections.h"

/* Resolves {id} (UUID or alias) and authorises act on it: 404 when it does
 * not exist or the actor may not know it exists. */
static cp_status find(cp_req *r, cp_action act, cp_conn **c, cp_collection *col, cp_err *err)
{
    *c = cp_req_conn(r, err);
    if (!*c) return CP_E_UNAVAILABLE;
    cp_status st = cp_collection_resolve(*c, r->params[0], &r->actor, col, err);
    if (st) return st;
    cp_resource res = {.member_id = col->owner_member_id, .hidden = !cp_collection_visible(&r->actor, col)};
    return cp_authz(&r->actor, act, &res, err);
}

static cp_status list_collections(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_COLLECTION_LIST, NULL, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *items;
    if ((st = cp_collection_list_json(c, &r->actor, &items, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, NULL));
    return CP_OK;
}

static cp_status create_collection(cp_req *r, cp_err *err)
{
    /* Roles first (the actor's own organisation as owner), so that nobody
     * who may not create any collection learns about the body's problems. */
    cp_resource own = {.member_id = r->actor.member_id};
    cp_status st = cp_authz(&r->actor, CP_ACT_COLLECTION_CREATE, &own, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    /* Then the owner named in the body, if any. */
    const json_t *owner = json_object_get(in, "owner_member_id");
    cp_resource res = {.member_id = !owner ? r->actor.member_id : json_is_string(owner) ? json_string_value(owner) : ""};
    st = cp_authz(&r->actor, CP_ACT_COLLECTION_CREATE, &res, err);
    cp_conn *c = st ? NULL : cp_req_conn(r, err);
    if (!st) st = c ? cp_collection_create(c, &r->actor, "shared", in, &out, err) : CP_E_UNAVAILABLE;
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 201, out);
    return CP_OK;
}

static cp_status get_collection(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_collection col;
    cp_status st = find(r, CP_ACT_COLLECTION_READ, &c, &col, err);
    if (st) return st;
    json_t *out;
    if ((st = cp_collection_json(c, col.id, &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status update_collection(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_collection col;
    cp_status st = find(r, CP_ACT_COLLECTION_UPDATE, &c, &col, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    st = cp_collection_update(c, &r->actor, col.id, in, &out, err);
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status set_member(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_collection col;
    cp_status st = find(r, CP_ACT_COLLECTION_MEMBERS, &c, &col, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = cp_req_json(r, &in, err))) return st;
    st = cp_collection_member_set(c, &r->actor, col.id, r->params[1], in, &out, err);
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status remove_member(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_collection col;
    cp_status st = find(r, CP_ACT_COLLECTION_MEMBERS, &c, &col, err);
    if (st) return st;
    json_t *out;
    if ((st = cp_collection_member_remove(c, &r->actor, col.id, r->params[1], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

const cp_route cp_collections_routes[] = {
    {"GET", "/api/v1/intel/collections", list_collections, 0},
    {"POST", "/api/v1/intel/collections", create_collection, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/intel/collections/{id}", get_collection, 0},
    {"PATCH", "/api/v1/intel/collections/{id}", update_collection, CP_ROUTE_JSON_BODY},
    {"PUT", "/api/v1/intel/collections/{id}/members/{member}", set_member, CP_ROUTE_JSON_BODY},
    {"DELETE", "/api/v1/intel/collections/{id}/members/{member}", remove_member, 0},
};
const int cp_collections_routes_count = sizeof cp_collections_routes / sizeof cp_collections_routes[0];
