/*
 * record_http.c — the governance record over HTTP (docs/api.md, "Governance
 * record"): tree head, entries, inclusion and consistency proofs, public key.
 * Every route but the public key needs credentials (any role of an active
 * member: cp_authz CP_ACT_RECORD_READ); sealed entries are withheld by
 * cp_record_entries for whoever may not read them yet.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/merkle.h"
#include "governance/record.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"

/* A non-negative decimal query parameter. *present says whether it was given. */
static cp_status num_param(cp_req *r, const char *name, bool required, int64_t *out, bool *present, cp_err *err)
{
    const char *v = cp_query_get(&r->query, name);
    if (present) *present = v != NULL;
    if (!v) return required ? cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s is required", name) : CP_OK;
    if (cp_query_count(&r->query, name) > 1)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s is given more than once", name);
    size_t n = strlen(v);
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s must be a non-negative integer, not '%.40s'", name, v);
    *out = strtoll(v, NULL, 10);
    return CP_OK;
}

static cp_status open_read(cp_req *r, cp_conn **c, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_RECORD_READ, NULL, err);
    if (st) return st;
    *c = cp_req_conn(r, err);
    return *c ? CP_OK : CP_E_UNAVAILABLE;
}

static cp_status tree_head(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = open_read(r, &c, err);
    if (st) return st;
    cp_record_head h;
    if ((st = cp_record_head_get(c, &h, err))) return st;
    cp_resp_json(r, 200, cp_record_head_json(&h));
    return CP_OK;
}

static cp_status public_key(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    char pub[CP_RECORD_HEX];
    cp_status st = cp_record_public_key(c, pub, err);
    if (st) return st;
    cp_resp_json(r, 200,
                 json_pack("{ss ss ss}", "public_key", pub, "algorithm", "Ed25519", "signed_message",
                           "cyberpact-record-tree-head-v1\\n<tree_size>\\n<timestamp>\\n<root_hash>\\n"));
    return CP_OK;
}

static cp_status entries(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = open_read(r, &c, err);
    if (st) return st;
    int64_t start = 0, end = 0;
    bool has_end;
    if ((st = num_param(r, "start", true, &start, NULL, err))) return st;
    if ((st = num_param(r, "end", false, &end, &has_end, err))) return st;
    if (!has_end) end = start + CP_RECORD_PAGE_MAX - 1;
    const cp_actor *a = &r->actor;
    cp_record_reader rd = {.member_id = a->member_id, .auditor = (a->roles & CP_ROLE_AUDITOR) != 0};
    char *text = NULL;
    size_t len = 0;
    if ((st = cp_record_entries_page(c, &rd, start, end, &text, &len, err))) return st;
    cp_resp_take(r, 200, "application/json", text, len);
    return CP_OK;
}

static cp_status current_size(cp_conn *c, int64_t *size, cp_err *err)
{
    cp_record_head h;
    cp_status st = cp_record_head_get(c, &h, err);
    if (!st) *size = h.tree_size;
    return st;
}

static cp_status inclusion(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = open_read(r, &c, err);
    if (st) return st;
    const char *leaf = cp_query_get(&r->query, "leaf");
    if (!leaf || !leaf[0])
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter leaf (a leaf index or a leaf hash in hex) is required");
    if (cp_query_count(&r->query, "leaf") > 1)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter leaf is given more than once");
    int64_t size = 0, index = 0;
    bool has_size;
    if ((st = num_param(r, "size", false, &size, &has_size, err))) return st;
    size_t n = strlen(leaf);
    if (n == 64) {
        uint8_t h[CP_MERKLE_HASH];
        char lower[CP_RECORD_HEX];
        if (!cp_merkle_unhex(leaf, h))
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter leaf: '%.64s' is not a 64-digit hex leaf hash", leaf);
        cp_merkle_hex(h, lower);
        if ((st = cp_record_find_leaf(c, lower, &index, err))) return st;
    } else if (n <= 18 && strspn(leaf, "0123456789") == n) {
        index = strtoll(leaf, NULL, 10);
    } else {
        return cp_fail(err, CP_E_BAD_REQUEST,
                       "query parameter leaf must be a leaf index (decimal) or a leaf hash (64 hex digits), not '%.40s'",
                       leaf);
    }
    if (!has_size && (st = current_size(c, &size, err))) return st;
    char leaf_hex[CP_RECORD_HEX];
    json_t *proof = NULL;
    if ((st = cp_record_inclusion(c, index, size, leaf_hex, &proof, err))) return st;
    cp_resp_json(r, 200,
                 json_pack("{sI sI ss so}", "leaf_index", (json_int_t)index, "tree_size", (json_int_t)size,
                           "leaf_hash", leaf_hex, "proof", proof));
    return CP_OK;
}

static cp_status consistency(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = open_read(r, &c, err);
    if (st) return st;
    int64_t first = 0, second = 0;
    bool has_second;
    if ((st = num_param(r, "first", true, &first, NULL, err))) return st;
    if ((st = num_param(r, "second", false, &second, &has_second, err))) return st;
    if (!has_second && (st = current_size(c, &second, err))) return st;
    json_t *proof = NULL;
    if ((st = cp_record_consistency(c, first, second, &proof, err))) return st;
    cp_resp_json(r, 200,
                 json_pack("{sI sI so}", "first", (json_int_t)first, "second", (json_int_t)second, "proof", proof));
    return CP_OK;
}

const cp_route cp_record_routes[] = {
    {"GET", "/api/v1/record/tree-head", tree_head, 0},
    {"GET", "/api/v1/record/entries", entries, 0},
    {"GET", "/api/v1/record/proof/inclusion", inclusion, 0},
    {"GET", "/api/v1/record/proof/consistency", consistency, 0},
    {"GET", "/api/v1/record/public-key", public_key, CP_ROUTE_PUBLIC},
};
const int cp_record_routes_count = sizeof cp_record_routes / sizeof cp_record_routes[0];
