/*
 * intel_http.c — import, export and sightings over HTTP (the domain code is
 * import.c, export.c, sightings.c). Collection-level access is the gate's
 * (intel/tlp.h) through the same resolution as TAXII; objects are then
 * filtered or checked one by one inside the domain calls.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/media.h"
#include "http/routes.h"
#include "intel/collections.h"
#include "intel/export.h"
#include "intel/import.h"
#include "intel/sightings.h"
#include "intel/tlp.h"


/* The collection named by ref (named_by says where, for the message when
 * it is missing), with the collection-level gate applied. */
static cp_status open_collection(cp_req *r, const char *ref, const char *named_by, cp_collection_purpose p,
                                 cp_collection *col, cp_err *err)
{
    if (!ref || !*ref) return cp_fail(err, CP_E_BAD_REQUEST, "%s collection is required", named_by);
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    return cp_collection_open(c, ref, &r->actor, p, col, err);
}

static json_t *result_json(const cp_collection *col, const cp_ingest_result *res)
{
    return json_pack("{ss sI sI sI sI sO sO}", "collection_id", col->id, "total_count", (json_int_t)res->total,
                     "success_count", (json_int_t)res->success, "failure_count", (json_int_t)res->failure,
                     "stored_count", (json_int_t)res->stored, "successes", res->successes, "failures", res->failures);
}

static cp_status import(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, cp_query_get(&r->query, "collection"), "query parameter", CP_COLLECTION_WRITE, &col, err);
    if (st) return st;
    for (int i = 0; i < r->query.n; i++)
        if (strcmp(r->query.p[i].key, "collection") != 0)
            return cp_fail(err, CP_E_BAD_REQUEST, "unknown query parameter '%.64s'", r->query.p[i].key);
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    st = cp_intel_import_json(c, &r->actor, &col, r->body ? r->body : "", r->body_len,
                              (size_t)r->app->cfg->max_json_depth, &res, err);
    if (!st) cp_resp_json(r, 200, result_json(&col, &res));
    cp_ingest_result_free(&res);
    return st;
}

/* An export over HTTP is built in memory (the server does not stream
 * bodies); beyond this size the answer is 422 and the way out is TAXII
 * paging or `cyberpact export`, which streams to a file. At most
 * EXPORTS_AT_ONCE are built at the same time (503 beyond), so memory stays
 * bounded whatever the number of clients. */
#define EXPORT_HTTP_MAX ((size_t)256 << 20)
#define EXPORTS_AT_ONCE 2

static atomic_int exports_running;

typedef struct {
    char *buf;
    size_t len, cap;
    bool too_large;
} bytes;

static int to_buffer(const char *data, size_t len, void *ctx)
{
    bytes *b = ctx;
    if (b->len + len > EXPORT_HTTP_MAX) {
        b->too_large = true;
        return 1;
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len + 1) cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) return 1;
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    return 0;
}

static cp_status export_collection(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], "path segment", CP_COLLECTION_READ, &col, err);
    if (st) return st;
    const char *v = cp_query_get(&r->query, "versions");
    if (v && strcmp(v, "all") != 0 && strcmp(v, "last") != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter versions is 'last' or 'all', not '%.32s'", v);
    for (int i = 0; i < r->query.n; i++)
        if (strcmp(r->query.p[i].key, "versions") != 0)
            return cp_fail(err, CP_E_BAD_REQUEST, "unknown query parameter '%.64s'", r->query.p[i].key);
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    if (atomic_fetch_add(&exports_running, 1) >= EXPORTS_AT_ONCE) {
        atomic_fetch_sub(&exports_running, 1);
        cp_resp_header(r, "Retry-After", "5");
        return cp_fail(err, CP_E_UNAVAILABLE, "%d exports are being built already: try again shortly, or page through TAXII",
                       EXPORTS_AT_ONCE);
    }
    bytes b = {0};
    int64_t n = 0;
    st = cp_intel_export(c, &r->actor, &col, v && strcmp(v, "all") == 0, to_buffer, &b, &n, err);
    atomic_fetch_sub(&exports_running, 1);
    if (st) {
        free(b.buf);
        if (b.too_large)
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "the export is larger than %zu MiB: page through TAXII or use `cyberpact export`",
                           EXPORT_HTTP_MAX >> 20);
        return st == CP_E_IO ? cp_fail(err, CP_E_NOMEM, "out of memory") : st;
    }
    char count[24], disp[160];
    snprintf(count, sizeof count, "%lld", (long long)n);
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.json\"", col.alias[0] ? col.alias : col.id);
    cp_resp_header(r, "X-Object-Count", count);
    cp_resp_header(r, "Content-Disposition", disp);
    cp_resp_take(r, 200, CP_STIX_MEDIA, b.buf, b.len);
    return CP_OK;
}

static cp_status report_sighting(cp_req *r, cp_err *err)
{
    json_t *in;
    cp_status st = cp_req_json(r, &in, err);
    if (st) return st;
    json_t *ref = json_object_get(in, "collection");
    cp_collection col;
    if (ref && !json_is_string(ref)) st = cp_fail(err, CP_E_BAD_REQUEST, "field collection must be a string");
    else st = open_collection(r, json_string_value(ref), "field", CP_COLLECTION_READ, &col, err);
    if (!st) json_object_del(in, "collection");
    json_t *out = NULL;
    cp_conn *c = st ? NULL : cp_req_conn(r, err);
    if (!st && !c) st = CP_E_UNAVAILABLE;
    if (!st) st = cp_intel_sighting_report(c, &r->actor, &col, in, &out, err);
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 201, out);
    return CP_OK;
}

static cp_status sighting_counts(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, cp_query_get(&r->query, "collection"), "query parameter", CP_COLLECTION_READ, &col, err);
    if (st) return st;
    const char *ind = cp_query_get(&r->query, "indicator_id");
    if (!ind) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter indicator_id is required");
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *out;
    if ((st = cp_intel_sighting_counts(c, &r->actor, &col, ind, &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

const cp_route cp_intel_routes[] = {
    {"POST", "/api/v1/intel/import", import, CP_ROUTE_JSON_BODY | CP_ROUTE_INTEL_BODY},
    {"GET", "/api/v1/intel/collections/{id}/export", export_collection, CP_ROUTE_AUTH_OPTIONAL},
    {"POST", "/api/v1/intel/sightings", report_sighting, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/intel/sightings", sighting_counts, 0},
};
const int cp_intel_routes_count = sizeof cp_intel_routes / sizeof cp_intel_routes[0];
