/*
 * taxii_http.c — the TAXII 2.1 endpoints (OASIS TAXII Version 2.1, §4–§5)
 * over the object store (objects.h) and collections (collections.h).
 *
 * One API root, /taxii2/alliance/. Every route takes credentials when given
 * and serves anonymous readers what public collections hold as TLP:CLEAR.
 * The server (http/server.c) checks Accept (406) and Content-Type (415) and
 * renders errors as TAXII error resources for these routes. Access is decided
 * only by cp_intel_may_read / cp_intel_may_write (intel/tlp.h): first for the
 * collection, then per object in the query (by recorded TLP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/jsonspan.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "http/http.h"
#include "http/media.h"
#include "http/routes.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/stix.h"
#include "intel/tlp.h"

#define API_ROOT_PATH "/taxii2/alliance/"
#define NEXT_PREFIX "cp1."

static void taxii_json(cp_req *r, int status, json_t *body)
{
    cp_resp_json(r, status, body);
    r->resp_type = CP_TAXII_MEDIA;
}

/* ---- discovery and API root ---- */

static void base_url(cp_req *r, char *out, size_t cap)
{
    const char *host = r->header(r, "Host");
    bool ok = host && *host && strlen(host) < 256;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
             *p == '-' || *p == ':' || *p == '[' || *p == ']';
    snprintf(out, cap, "%s://%s", r->app->tls ? "https" : "http", ok ? host : "localhost");
}

static cp_status discovery(cp_req *r, cp_err *err)
{
    (void)err;
    char base[300], root[400];
    base_url(r, base, sizeof base);
    snprintf(root, sizeof root, "%s%s", base, API_ROOT_PATH);
    json_t *d = json_pack("{ss ss ss s[s]}", "title", "cyberpact TAXII 2.1 server", "description",
                          "Threat intelligence shared by the members of the alliance (STIX 2.1, TLP enforced).",
                          "default", root, "api_roots", root);
    taxii_json(r, 200, d);
    return CP_OK;
}

static cp_status api_root(cp_req *r, cp_err *err)
{
    (void)err;
    json_t *d = json_pack("{ss ss s[s] sI}", "title", "alliance",
                          "description", "The alliance's shared threat intelligence: the alliance-wide collection, "
                                         "group and public collections, and each member's private alerts collection.",
                          "versions", CP_TAXII_MEDIA, "max_content_length",
                          (json_int_t)r->app->cfg->intel_max_body_bytes);
    taxii_json(r, 200, d);
    return CP_OK;
}

/* ---- collections ---- */

static bool may(cp_status st) { return st == CP_OK; }

static bool can_read(const cp_actor *a, const cp_collection *col)
{
    cp_err e;
    return may(cp_intel_may_read(a, &col->policy, CP_TLP_CLEAR, &e)) && cp_intel_readable_tlps(a, col) != 0;
}

static bool can_write(const cp_actor *a, const cp_collection *col)
{
    cp_err e;
    return may(cp_intel_may_write(a, &col->policy, CP_TLP_CLEAR, NULL, &e)) ||
           may(cp_intel_may_write(a, &col->policy, CP_TLP_GREEN, NULL, &e));
}

static json_t *collection_json(const cp_actor *a, const cp_collection *col, const char *description)
{
    json_t *o = json_pack("{ss ss}", "id", col->id, "title", col->title);
    if (description && *description) json_object_set_new(o, "description", json_string(description));
    if (col->alias[0]) json_object_set_new(o, "alias", json_string(col->alias));
    json_object_set_new(o, "can_read", json_boolean(can_read(a, col)));
    json_object_set_new(o, "can_write", json_boolean(can_write(a, col)));
    json_object_set_new(o, "media_types", json_pack("[s]", CP_STIX_MEDIA));
    return o;
}

typedef struct {
    const cp_actor *a;
    json_t *list;
    cp_conn *c;
} list_ctx;

static int add_collection(const cp_collection *col, void *ctx)
{
    list_ctx *l = ctx;
    /* the same resource as GET collections/{id}/, description included */
    json_t *full = NULL;
    cp_err e;
    const char *description = NULL;
    if (l->c && cp_collection_json(l->c, col->id, &full, &e) == CP_OK)
        description = json_string_value(json_object_get(full, "description"));
    json_array_append_new(l->list, collection_json(l->a, col, description));
    json_decref(full);
    return 0;
}

static cp_status collections(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    list_ctx l = {&r->actor, json_array(), c};
    cp_status st = cp_collection_each(c, &r->actor, add_collection, &l, err);
    if (st) {
        json_decref(l.list);
        return st;
    }
    json_t *d = json_object();
    if (json_array_size(l.list)) json_object_set_new(d, "collections", l.list);
    else json_decref(l.list);
    taxii_json(r, 200, d);
    return CP_OK;
}


/* The collection of the path, with the collection-level gate applied. */
static cp_status open_collection(cp_req *r, const char *ref, cp_collection_purpose p, cp_collection *col,
                                 cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    return cp_collection_open(c, ref, &r->actor, p, col, err);
}

static cp_status collection(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], CP_COLLECTION_INFO, &col, err);
    if (st) return st;
    json_t *full = NULL;
    cp_conn *c = cp_req_conn(r, err);
    if (c && cp_collection_json(c, col.id, &full, err) == CP_OK) {
        taxii_json(r, 200, collection_json(&r->actor, &col, json_string_value(json_object_get(full, "description"))));
        json_decref(full);
        return CP_OK;
    }
    taxii_json(r, 200, collection_json(&r->actor, &col, NULL));
    return CP_OK;
}

/* ---- filters ---- */

typedef struct {
    cp_intel_filter f;
    char buf[4 * CP_QUERY_VALUE_MAX + 16]; /* comma lists split in place */
    size_t used;
} filter_parse;

/* Every value of key (repeated or comma-separated), written into out[]. */
static cp_status split_values(cp_req *r, filter_parse *fp, const char *key, const char **out, int *n, cp_err *err)
{
    *n = 0;
    for (int i = 0; i < r->query.n; i++) {
        if (strcmp(r->query.p[i].key, key) != 0) continue;
        const char *v = r->query.p[i].value;
        size_t len = strlen(v);
        if (fp->used + len + 1 > sizeof fp->buf)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s: too many values", key);
        char *copy = fp->buf + fp->used;
        memcpy(copy, v, len + 1);
        fp->used += len + 1;
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') tok++;
            size_t tl = strlen(tok);
            while (tl > 0 && tok[tl - 1] == ' ') tok[--tl] = 0;
            if (!*tok) continue;
            if (*n >= CP_FILTER_LIST_MAX)
                return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s: more than %d values", key,
                               CP_FILTER_LIST_MAX);
            out[(*n)++] = tok;
        }
        if (*n == 0) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s is empty", key);
    }
    return CP_OK;
}

static cp_status parse_next(const char *next, int64_t *seq, cp_err *err)
{
    size_t pl = strlen(NEXT_PREFIX);
    if (strncmp(next, NEXT_PREFIX, pl) != 0 || !next[pl] || strlen(next) > pl + 19) goto bad;
    int64_t v = 0;
    for (const char *p = next + pl; *p; p++) {
        if (*p < '0' || *p > '9') goto bad;
        v = v * 10 + (*p - '0');
    }
    *seq = v;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next: '%.60s' is not a token this server handed out", next);
}

/* Parses the TAXII filters of a request. with_paging: limit/next apply. */
static cp_status parse_filters(cp_req *r, filter_parse *fp, bool with_paging, cp_err *err)
{
    memset(&fp->f, 0, sizeof fp->f);
    fp->used = 0;
    cp_intel_filter *f = &fp->f;
    static const char *const known[] = {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]",
                                        "match[spec_version]"};
    for (int i = 0; i < r->query.n; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) ok = ok || strcmp(r->query.p[i].key, known[k]) == 0;
        if (!ok) return cp_fail(err, CP_E_BAD_REQUEST, "unknown query parameter '%.64s'", r->query.p[i].key);
        if (!with_paging && (strcmp(r->query.p[i].key, "limit") == 0 || strcmp(r->query.p[i].key, "next") == 0))
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter %s does not apply here", r->query.p[i].key);
    }
    int max = (int)r->app->cfg->page_limit_max;
    int def = (int)r->app->cfg->taxii_page_default;
    f->limit = def < max ? def : max;
    const char *v;
    if ((v = cp_query_get(&r->query, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (!*v || *end || n < 1)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter limit must be a positive integer, not '%.32s'", v);
        f->limit = n > max ? max : (int)n; /* a larger limit is capped (TAXII 2.1 §3.4.1) */
    }
    if (!with_paging) f->limit = 1000000;
    if ((v = cp_query_get(&r->query, "next")) && *v) {
        cp_status st = parse_next(v, &f->after_seq, err);
        if (st) return st;
    }
    if ((v = cp_query_get(&r->query, "added_after"))) {
        cp_status st = cp_taxii_ts_parse(v, &f->added_after, err);
        if (st) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter added_after: %s", err->msg);
    }
    cp_status st;
    if ((st = split_values(r, fp, "match[id]", f->ids, &f->n_ids, err))) return st;
    if ((st = split_values(r, fp, "match[type]", f->types, &f->n_types, err))) return st;
    const char *vals[CP_FILTER_LIST_MAX];
    int n;
    if ((st = split_values(r, fp, "match[version]", vals, &n, err))) return st;
    for (int i = 0; i < n; i++) {
        if (strcmp(vals[i], "last") == 0) f->v_last = true;
        else if (strcmp(vals[i], "first") == 0) f->v_first = true;
        else if (strcmp(vals[i], "all") == 0) f->v_all = true;
        else {
            int64_t us;
            if (cp_taxii_ts_parse(vals[i], &us, err))
                return cp_fail(err, CP_E_BAD_REQUEST,
                               "match[version] values are last, first, all or a timestamp, not '%.40s'", vals[i]);
            f->v_at[f->n_v_at++] = us;
        }
    }
    if ((st = split_values(r, fp, "match[spec_version]", vals, &n, err))) return st;
    if (n > 0) {
        bool has21 = false;
        for (int i = 0; i < n; i++) has21 = has21 || strcmp(vals[i], "2.1") == 0;
        f->spec_none = !has21;
    }
    return CP_OK;
}

/* ---- envelopes ---- */

typedef enum { OUT_OBJECTS, OUT_MANIFEST, OUT_VERSIONS } out_kind;

typedef struct {
    cp_jw *w;
    out_kind kind;
    int64_t first, last;
    int n;
} page_ctx;

static int emit_row(const cp_intel_row *row, void *ctx)
{
    page_ctx *p = ctx;
    if (p->n == 0) p->first = row->seq;
    p->last = row->seq;
    p->n++;
    char ts[CP_TAXII_TS_MAX];
    switch (p->kind) {
    case OUT_OBJECTS:
        cp_jw_raw(p->w, row->body, strlen(row->body));
        break;
    case OUT_VERSIONS: /* an object without created/modified: its date added (as in the manifest) */
        cp_taxii_ts_format(row->seq, ts);
        cp_jw_str(p->w, row->version[0] ? row->version : ts);
        break;
    case OUT_MANIFEST:
        cp_taxii_ts_format(row->seq, ts);
        cp_jw_obj(p->w);
        cp_jw_key(p->w, "id");
        cp_jw_str(p->w, row->stix_id);
        cp_jw_key(p->w, "date_added");
        cp_jw_str(p->w, ts);
        cp_jw_key(p->w, "version");
        /* An object without created/modified (an SCO) has one version: its
         * date added stands for it. */
        cp_jw_str(p->w, row->version[0] ? row->version : ts);
        cp_jw_key(p->w, "media_type");
        cp_jw_str(p->w, CP_STIX_MEDIA);
        cp_jw_end_obj(p->w);
        break;
    }
    return 0;
}

/* Runs the query and renders {"<key>": [...], "more", "next"?} (written in
 * one pass: the list first, then what the query learnt about the rest),
 * with the X-TAXII-Date-Added-First/Last headers; an empty page is
 * {"more": false}. */
static cp_status serve_page(cp_req *r, const cp_collection *col, const cp_intel_filter *f, out_kind kind,
                            bool not_found_when_empty, const char *what, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    cp_jw w;
    cp_jw_init(&w);
    page_ctx p = {.w = &w, .kind = kind};
    cp_jw_obj(&w);
    cp_jw_key(&w, kind == OUT_VERSIONS ? "versions" : "objects");
    cp_jw_arr(&w);
    bool more = false;
    cp_status st = cp_intel_query(c, col, &r->actor, f, emit_row, &p, &more, err);
    if (st) {
        cp_jw_free(&w);
        return st;
    }
    if (p.n == 0) {
        cp_jw_free(&w);
        if (not_found_when_empty) return cp_fail(err, CP_E_NOT_FOUND, "no %s in this collection", what);
        cp_jw_init(&w);
        cp_jw_obj(&w);
    } else {
        cp_jw_end_arr(&w);
    }
    cp_jw_key(&w, "more");
    cp_jw_bool(&w, more);
    if (more) {
        char next[48];
        snprintf(next, sizeof next, NEXT_PREFIX "%lld", (long long)p.last);
        cp_jw_key(&w, "next");
        cp_jw_str(&w, next);
    }
    cp_jw_end_obj(&w);
    size_t len;
    char *body = cp_jw_finish(&w, &len);
    if (!body) return cp_fail(err, CP_E_NOMEM, "out of memory");
    if (p.n > 0) {
        char ts[CP_TAXII_TS_MAX];
        cp_taxii_ts_format(p.first, ts);
        cp_resp_header(r, "X-TAXII-Date-Added-First", ts);
        cp_taxii_ts_format(p.last, ts);
        cp_resp_header(r, "X-TAXII-Date-Added-Last", ts);
    }
    cp_resp_take(r, 200, CP_TAXII_MEDIA, body, len);
    return CP_OK;
}

/* GET objects/ and manifest/: the collection's versions, filtered and paged. */
static cp_status list_versions(cp_req *r, out_kind kind, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], CP_COLLECTION_READ, &col, err);
    if (st) return st;
    filter_parse *fp = malloc(sizeof *fp);
    if (!fp) return cp_fail(err, CP_E_NOMEM, "out of memory");
    st = parse_filters(r, fp, true, err);
    if (!st) st = serve_page(r, &col, &fp->f, kind, false, "objects", err);
    free(fp);
    return st;
}

static cp_status get_objects(cp_req *r, cp_err *err) { return list_versions(r, OUT_OBJECTS, err); }
static cp_status get_manifest(cp_req *r, cp_err *err) { return list_versions(r, OUT_MANIFEST, err); }

static bool plausible_id(const char *id)
{
    const char *dd = strstr(id, "--");
    return dd && dd != id && strlen(dd + 2) == 36 && strlen(id) <= CP_STIX_ID_MAX;
}

/* GET objects/{id}/ and objects/{id}/versions/: the filters apply, match[id]
 * is the path's id. */
static cp_status one_object(cp_req *r, out_kind kind, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], CP_COLLECTION_READ, &col, err);
    if (st) return st;
    if (!plausible_id(r->params[1])) return cp_fail(err, CP_E_NOT_FOUND, "no object '%.100s'", r->params[1]);
    filter_parse *fp = malloc(sizeof *fp);
    if (!fp) return cp_fail(err, CP_E_NOMEM, "out of memory");
    st = parse_filters(r, fp, true, err);
    if (!st && fp->f.n_ids > 0) st = cp_fail(err, CP_E_BAD_REQUEST, "match[id] does not apply to a single object");
    if (!st && kind == OUT_VERSIONS && (fp->f.v_last || fp->f.v_first || fp->f.n_v_at > 0))
        st = cp_fail(err, CP_E_BAD_REQUEST, "match[version] does not apply to the versions endpoint");
    if (!st) {
        fp->f.ids[0] = r->params[1];
        fp->f.n_ids = 1;
        if (kind == OUT_VERSIONS) fp->f.v_all = true;
        st = serve_page(r, &col, &fp->f, kind, true, "such object", err);
    }
    free(fp);
    return st;
}

static cp_status get_object(cp_req *r, cp_err *err) { return one_object(r, OUT_OBJECTS, err); }
static cp_status get_versions(cp_req *r, cp_err *err) { return one_object(r, OUT_VERSIONS, err); }

static cp_status delete_object(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], CP_COLLECTION_WRITE, &col, err);
    if (st) return st;
    if (!plausible_id(r->params[1])) return cp_fail(err, CP_E_NOT_FOUND, "no object '%.100s'", r->params[1]);
    filter_parse *fp = malloc(sizeof *fp);
    if (!fp) return cp_fail(err, CP_E_NOMEM, "out of memory");
    st = parse_filters(r, fp, false, err);
    if (!st && (fp->f.n_ids > 0 || fp->f.n_types > 0 || fp->f.added_after))
        st = cp_fail(err, CP_E_BAD_REQUEST, "DELETE takes only match[version] and match[spec_version]");
    int64_t deleted = 0;
    cp_conn *c = st ? NULL : cp_req_conn(r, err);
    if (!st && !c) st = CP_E_UNAVAILABLE;
    if (!st) st = cp_intel_delete(c, &r->actor, &col, r->params[1], &fp->f, &deleted, err);
    free(fp);
    if (st) return st;
    taxii_json(r, 200, json_object());
    return CP_OK;
}

/* ---- adding objects ---- */

static json_t *status_json(const char *id, const char *request_ts, int64_t total, int64_t success, int64_t failure,
                           json_t *successes, json_t *failures)
{
    json_t *o = json_pack("{ss ss ss sI sI sI sI}", "id", id, "status", "complete", "request_timestamp", request_ts,
                          "total_count", (json_int_t)total, "success_count", (json_int_t)success, "failure_count",
                          (json_int_t)failure, "pending_count", (json_int_t)0);
    if (json_array_size(successes)) json_object_set(o, "successes", successes);
    if (json_array_size(failures)) json_object_set(o, "failures", failures);
    return o;
}

/* Keeps the status table bounded: statuses older than the retention go,
 * a few at a time, on every POST. */
static void purge_statuses(cp_req *r, cp_conn *c)
{
    cp_stmt *s;
    cp_err e;
    if (cp_stmt_prepare(c,
                        "DELETE FROM taxii_status WHERE id IN (SELECT id FROM taxii_status WHERE created_at < ? "
                        "ORDER BY created_at LIMIT 100)",
                        &s, &e))
        return;
    cp_stmt_bind_int(s, 1, cp_now_ms() - r->app->cfg->taxii_status_hours * 3600 * 1000);
    cp_stmt_run(s, &e);
    cp_stmt_finalize(s);
}

static cp_status post_objects(cp_req *r, cp_err *err)
{
    cp_collection col;
    cp_status st = open_collection(r, r->params[0], CP_COLLECTION_WRITE, &col, err);
    if (st) return st;
    json_t *env;
    if ((st = cp_json_parse(r->body ? r->body : "", r->body_len, (size_t)r->app->cfg->max_json_depth, &env, err)))
        return st;
    if (!json_is_object(env)) { /* valid JSON, but not an envelope */
        json_decref(env);
        return cp_fail(err, CP_E_UNPROCESSABLE, "the body must be a TAXII envelope: {\"objects\": [...]}");
    }
    const char *key;
    json_t *v;
    json_object_foreach(env, key, v) {
        if (strcmp(key, "objects") != 0 && strcmp(key, "more") != 0 && strcmp(key, "next") != 0) {
            st = cp_fail(err, CP_E_UNPROCESSABLE, "an envelope has 'objects' (and optionally 'more', 'next'), not '%.64s'",
                         key);
            json_decref(env); /* key points into env */
            return st;
        }
    }
    json_t *objects = json_object_get(env, "objects");
    if (!json_is_array(objects)) {
        json_decref(env);
        return cp_fail(err, CP_E_UNPROCESSABLE, "the envelope needs an 'objects' list");
    }
    size_t n = json_array_size(objects);
    if (n > CP_INGEST_MAX_OBJECTS) {
        json_decref(env);
        return cp_fail(err, CP_E_UNPROCESSABLE, "%zu objects in one envelope; at most %d", n, CP_INGEST_MAX_OBJECTS);
    }
    cp_span *spans = NULL;
    size_t ns = 0;
    st = cp_json_array_spans(r->body, r->body_len, "objects", &spans, &ns, err);
    if (!st && ns != n) st = cp_fail(err, CP_E_INTERNAL, "envelope scan found %zu objects, the parser %zu", ns, n);
    cp_intel_item *items = st ? NULL : calloc(n ? n : 1, sizeof *items);
    if (!st && !items) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        items[i].obj = json_array_get(objects, i);
        items[i].raw = r->body + spans[i].off;
        items[i].raw_len = spans[i].len;
    }
    char status_id[CP_UUID_LEN + 1];
    cp_uuid4(status_id);
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    cp_conn *c = st ? NULL : cp_req_conn(r, err);
    if (!st && !c) st = CP_E_UNAVAILABLE;
    if (!st) st = cp_intel_ingest(c, &r->actor, &col, items, n, status_id, &res, err);
    if (!st) {
        purge_statuses(r, c);
        char ts[CP_TAXII_TS_MAX];
        cp_taxii_ts_format(res.request_ms * 1000, ts); /* as the stored status says */
        taxii_json(r, 202, status_json(status_id, ts, res.total, res.success, res.failure, res.successes, res.failures));
    }
    cp_ingest_result_free(&res);
    free(items);
    free(spans);
    json_decref(env);
    return st;
}

static cp_status get_status(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    if (r->actor.kind == CP_ACTOR_NONE) return cp_fail(err, CP_E_UNAUTHENTICATED, "credentials are required for a status");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT member_id, request_timestamp, total, success, failure, detail FROM taxii_status "
                                   "WHERE id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, r->params[0]);
    cp_step step = cp_stmt_step(s, err);
    if (step != CP_STEP_ROW) {
        st = step == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_NOT_FOUND, "no status '%.64s'", r->params[0]);
        cp_stmt_finalize(s);
        return st;
    }
    /* The writer's organisation, the secretariat and the operator only. */
    const char *member = cp_stmt_col_text(s, 0);
    bool mine = member && r->actor.member_id[0] && strcmp(member, r->actor.member_id) == 0;
    bool allowed = r->actor.kind == CP_ACTOR_CLI || mine || (r->actor.roles & CP_ROLE_SECRETARIAT);
    if (!allowed) {
        cp_stmt_finalize(s);
        return cp_fail(err, CP_E_NOT_FOUND, "no status '%.64s'", r->params[0]);
    }
    json_t *detail = json_loads(cp_stmt_col_text(s, 5), 0, NULL);
    json_t *o = status_json(r->params[0], cp_stmt_col_text(s, 1), cp_stmt_col_int(s, 2), cp_stmt_col_int(s, 3),
                            cp_stmt_col_int(s, 4), json_object_get(detail, "successes"), json_object_get(detail, "failures"));
    json_decref(detail);
    cp_stmt_finalize(s);
    taxii_json(r, 200, o);
    return CP_OK;
}

#define T (CP_ROUTE_AUTH_OPTIONAL | CP_ROUTE_TAXII)
const cp_route cp_taxii_routes[] = {
    {"GET", "/taxii2/", discovery, T},
    {"GET", API_ROOT_PATH, api_root, T},
    {"GET", API_ROOT_PATH "status/{id}/", get_status, T},
    {"GET", API_ROOT_PATH "collections/", collections, T},
    {"GET", API_ROOT_PATH "collections/{id}/", collection, T},
    {"GET", API_ROOT_PATH "collections/{id}/manifest/", get_manifest, T},
    {"GET", API_ROOT_PATH "collections/{id}/objects/", get_objects, T},
    {"POST", API_ROOT_PATH "collections/{id}/objects/", post_objects, T | CP_ROUTE_TAXII_BODY | CP_ROUTE_INTEL_BODY},
    {"GET", API_ROOT_PATH "collections/{id}/objects/{object}/", get_object, T},
    {"DELETE", API_ROOT_PATH "collections/{id}/objects/{object}/", delete_object, T},
    {"GET", API_ROOT_PATH "collections/{id}/objects/{object}/versions/", get_versions, T},
};
const int cp_taxii_routes_count = sizeof cp_taxii_routes / sizeof cp_taxii_routes[0];
