/*
 * ingest.c — storing an envelope of STIX objects (cp_intel_ingest, see
 * objects.h for the rules).
 *
 * An envelope goes through four passes inside one write transaction:
 *   1. check   each object alone: STIX validation, TLP against the
 *              collection, its version; its observables are extracted and
 *              matched against the warninglists;
 *   2. look up the stored versions of every id in the envelope with a few
 *              batched queries (ids 128 at a time), into a hash table;
 *   3. decide  object by object, in order: idempotent repeat, conflicting
 *              version, immutable SCO, revoked, first/last flags (objects of
 *              the same id inside one envelope see each other);
 *   4. write   the new versions and their observables with multi-row INSERTs
 *              (32 rows per statement), then the status and the audit entry.
 * Batching matters on PostgreSQL, where each statement is a round trip; on
 * SQLite it saves statement steps. Ids that already exist take the slow,
 * per-object path (exact-version comparison), which only re-posts hit.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "audit/audit.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "intel/objects.h"
#include "intel/observables.h"
#include "intel/stix.h"
#include "intel/tlp.h"
#include "intel/warninglist.h"

/* The key of the intel write lock on PostgreSQL (pg_advisory_xact_lock):
 * seq values are taken under it, so a reader that has seen seq N has seen
 * every committed row below N. SQLite's BEGIN IMMEDIATE does the same. */
#define INTEL_LOCK_KEY 0x63707374 /* "cpst" */
#define LOOKUP_BATCH 128
#define INSERT_BATCH 32

void cp_ingest_result_init(cp_ingest_result *r)
{
    memset(r, 0, sizeof *r);
    r->successes = json_array();
    r->failures = json_array();
}

void cp_ingest_result_free(cp_ingest_result *r)
{
    json_decref(r->successes);
    json_decref(r->failures);
    memset(r, 0, sizeof *r);
}

static void add_entry(json_t *list, const char *id, const char *version, const char *msg)
{
    json_t *f = json_object();
    json_object_set_new(f, "id", json_string(id && *id ? id : "(unknown)"));
    if (version && *version) json_object_set_new(f, "version", json_string(version));
    if (msg) json_object_set_new(f, "message", json_string(msg));
    json_array_append_new(list, f);
}

static void add_failure(cp_ingest_result *res, const char *id, const char *version, const char *msg)
{
    add_entry(res->failures, id, version, msg);
    res->failure++;
}

static void add_success(cp_ingest_result *res, const char *id, const char *version, const char *msg)
{
    add_entry(res->successes, id, version, msg);
    res->success++;
}

static cp_status run_stmt(cp_stmt *s, cp_err *err)
{
    cp_status st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

/* ---- per-object state ---- */

typedef enum { C_FAILED, C_CHECKED, C_INSERT, C_DONE } cand_state;

typedef struct {
    cand_state state;
    const cp_intel_item *item;
    cp_stix_info info;
    const char *version; /* points into info */
    int64_t vus;
    cp_tlp eff;
    bool is_last, is_first;
    int64_t seq;
    const char *warned;
    size_t obs_from, obs_n; /* in the envelope's observable list */
    int next_same;          /* the previous candidate of the same id (chain), -1 */
} cand;

/* An observable as stored (the value copied out of the 2 KiB cp_observable). */
typedef struct {
    int64_t ci;             /* candidate index */
    cp_obs_kind kind;
    bool subdomains;
    char *value;            /* malloc'd */
    char ip_lo[33], ip_hi[33];
    const char *warninglist;
} obs_row;

/* Stored and pending versions of one id. */
typedef struct {
    const char *id;         /* NULL: empty slot */
    int64_t stored, max_us, min_us;
    int64_t revoked_us;     /* earliest revoked version, INT64_MAX when none */
    int pending_last, pending_first; /* candidate holding the flag, -1 */
    int chain;              /* last candidate of this id, -1 */
    int64_t pending;
} id_entry;

typedef struct {
    cp_conn *c;
    const cp_actor *writer;
    const cp_collection *col;
    cp_ingest_result *res;
    const cp_warninglists *lists;
    int64_t now_ms, next_seq;
    cand *cands;
    size_t n;
    obs_row *obs;
    size_t obs_n, obs_cap;
    id_entry *map;
    size_t map_cap;
} ingest;

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static id_entry *entry_of(ingest *g, const char *id, bool create)
{
    size_t i = (size_t)hash_id(id) & (g->map_cap - 1);
    while (g->map[i].id) {
        if (strcmp(g->map[i].id, id) == 0) return &g->map[i];
        i = (i + 1) & (g->map_cap - 1);
    }
    if (!create) return NULL;
    id_entry *e = &g->map[i];
    e->id = id;
    e->revoked_us = INT64_MAX;
    e->pending_last = e->pending_first = e->chain = -1;
    return e;
}

/* ---- pass 1: check ---- */

typedef struct {
    ingest *g;
    size_t ci;
    int count;
} obs_ctx;

static int take_obs(const cp_observable *o, void *ctx)
{
    obs_ctx *x = ctx;
    ingest *g = x->g;
    if (g->obs_n == g->obs_cap) {
        size_t cap = g->obs_cap ? g->obs_cap * 2 : 1024;
        obs_row *nb = realloc(g->obs, cap * sizeof *nb);
        if (!nb) return 1;
        g->obs = nb;
        g->obs_cap = cap;
    }
    char *value = strdup(o->value);
    if (!value) return 1;
    obs_row *r = &g->obs[g->obs_n++];
    r->ci = (int64_t)x->ci;
    r->kind = o->kind;
    r->subdomains = o->subdomains;
    r->value = value;
    memcpy(r->ip_lo, o->ip_lo, sizeof r->ip_lo);
    memcpy(r->ip_hi, o->ip_hi, sizeof r->ip_hi);
    r->warninglist = g->lists ? cp_warninglists_match(g->lists, o) : NULL;
    x->count++;
    return 0;
}

static void check_one(ingest *g, size_t i)
{
    cand *k = &g->cands[i];
    const json_t *obj = k->item->obj;
    cp_err e = {{0}};
    k->next_same = -1;
    if (!json_is_object(obj)) {
        k->state = C_FAILED;
        add_failure(g->res, NULL, NULL, "not a JSON object");
        return;
    }
    if (cp_stix_validate(obj, &k->info, &e)) {
        const char *id = json_string_value(json_object_get(obj, "id"));
        k->state = C_FAILED;
        add_failure(g->res, id && strlen(id) <= CP_STIX_ID_MAX ? id : NULL,
                    json_string_value(json_object_get(obj, "modified")), e.msg);
        return;
    }
    k->version = k->info.modified[0] ? k->info.modified : k->info.created;
    if (k->info.kind == CP_STIX_BUNDLE) {
        k->state = C_FAILED;
        add_failure(g->res, k->info.id, NULL, "a bundle cannot be stored as an object; post its objects");
        return;
    }
    if (k->version[0] && cp_taxii_ts_parse(k->version, &k->vus, &e)) {
        k->state = C_FAILED;
        add_failure(g->res, k->info.id, k->version, e.msg);
        return;
    }
    cp_tlp own = cp_tlp_of_object(obj);
    if (cp_intel_may_write(g->writer, &g->col->policy, own, &k->eff, &e)) {
        k->state = C_FAILED;
        add_failure(g->res, k->info.id, k->version, e.msg);
        return;
    }
    if (k->eff == CP_TLP_NONE) k->eff = cp_tlp_default(&g->col->policy);
    k->obs_from = g->obs_n;
    obs_ctx x = {g, i, 0};
    cp_observables_of_object(obj, take_obs, &x);
    k->obs_n = g->obs_n - k->obs_from;
    for (size_t j = k->obs_from; j < g->obs_n && !k->warned; j++) k->warned = g->obs[j].warninglist;
    k->state = C_CHECKED;
}

/* ---- pass 2: look up stored versions ---- */

static int padded(int n)
{
    int p = 1;
    while (p < n) p *= 2;
    return p;
}

static cp_status lookup_batch(ingest *g, const char **ids, int n, cp_err *err)
{
    char sql[128 + 3 * LOOKUP_BATCH];
    int m = padded(n);
    size_t len = (size_t)snprintf(sql, sizeof sql,
                                  "SELECT stix_id, version_us, revoked FROM intel_objects WHERE cnum = ? AND id_hash IN (");
    for (int i = 0; i < m; i++) len += (size_t)snprintf(sql + len, sizeof sql - len, i ? ",?" : "?");
    snprintf(sql + len, sizeof sql - len, ")");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(g->c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, g->col->num);
    for (int i = 0; i < m; i++) cp_stmt_bind_int(s, i + 2, cp_intel_id_hash(ids[i < n ? i : n - 1]));
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        id_entry *e = entry_of(g, cp_stmt_col_text(s, 0), false);
        if (!e) continue;
        int64_t v = cp_stmt_col_int(s, 1);
        if (e->stored == 0 || v > e->max_us) e->max_us = v;
        if (e->stored == 0 || v < e->min_us) e->min_us = v;
        if (cp_stmt_col_int(s, 2) && v < e->revoked_us) e->revoked_us = v;
        e->stored++;
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static cp_status lookup_all(ingest *g, cp_err *err)
{
    const char *batch[LOOKUP_BATCH];
    int nb = 0;
    for (size_t i = 0; i < g->n; i++) {
        cand *k = &g->cands[i];
        if (k->state != C_CHECKED) continue;
        id_entry *e = entry_of(g, k->info.id, false);
        if (e) continue; /* already asked for */
        entry_of(g, k->info.id, true);
        batch[nb++] = k->info.id;
        if (nb == LOOKUP_BATCH) {
            cp_status st = lookup_batch(g, batch, nb, err);
            if (st) return st;
            nb = 0;
        }
    }
    return nb ? lookup_batch(g, batch, nb, err) : CP_OK;
}

/* ---- pass 3: decide ---- */

/* Whether the stored version (id, vus) exists and equals obj. */
static cp_status stored_version(ingest *g, const char *id, int64_t vus, const json_t *obj, bool *found, bool *same,
                                cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(g->c, "SELECT body FROM intel_objects WHERE cnum = ? AND id_hash = ? AND version_us = ? AND stix_id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, g->col->num);
    cp_stmt_bind_int(s, 2, cp_intel_id_hash(id));
    cp_stmt_bind_int(s, 3, vus);
    cp_stmt_bind_text(s, 4, id);
    *found = *same = false;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        *found = true;
        const char *body = cp_stmt_col_text(s, 0);
        json_t *old = body ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
        *same = old && json_equal(old, obj);
        json_decref(old);
    } else if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

static cp_status clear_stored_flag(ingest *g, const char *id, bool last, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(
        g->c,
        last ? "UPDATE intel_objects SET is_last = 0 WHERE cnum = ? AND id_hash = ? AND stix_id = ? AND is_last = 1"
             : "UPDATE intel_objects SET is_first = 0 WHERE cnum = ? AND id_hash = ? AND stix_id = ? AND is_first = 1",
        &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, g->col->num);
    cp_stmt_bind_int(s, 2, cp_intel_id_hash(id));
    cp_stmt_bind_text(s, 3, id);
    return run_stmt(s, err);
}

static const char *MSG_CONFLICT =
    "a different object with this id and version is already stored; a new version needs a later 'modified'";
static const char *MSG_SAME = "already stored (identical version)";
static const char *MSG_IMMUTABLE = "a cyber-observable object is immutable: this id is already stored";

static cp_status decide_one(ingest *g, int i, cp_err *err)
{
    cand *k = &g->cands[i];
    id_entry *e = entry_of(g, k->info.id, false);
    const char *id = k->info.id;
    /* the same version, stored or earlier in this envelope */
    if (e->stored > 0) {
        bool found, same;
        cp_status st = stored_version(g, id, k->vus, k->item->obj, &found, &same, err);
        if (st) return st;
        if (found) {
            k->state = C_DONE;
            if (same) add_success(g->res, id, k->version, MSG_SAME);
            else add_failure(g->res, id, k->version, k->info.kind == CP_STIX_SCO ? MSG_IMMUTABLE : MSG_CONFLICT);
            return CP_OK;
        }
    }
    for (int j = e->chain; j >= 0; j = g->cands[j].next_same) {
        if (g->cands[j].vus != k->vus) continue;
        k->state = C_DONE;
        if (json_equal(g->cands[j].item->obj, k->item->obj)) add_success(g->res, id, k->version, MSG_SAME);
        else add_failure(g->res, id, k->version, k->info.kind == CP_STIX_SCO ? MSG_IMMUTABLE : MSG_CONFLICT);
        return CP_OK;
    }
    int64_t count = e->stored + e->pending;
    if (count > 0 && k->info.kind == CP_STIX_SCO) {
        k->state = C_DONE;
        add_failure(g->res, id, k->version, MSG_IMMUTABLE);
        return CP_OK;
    }
    if (k->vus > e->revoked_us) {
        k->state = C_DONE;
        add_failure(g->res, id, k->version, "the object has been revoked: no later version is accepted");
        return CP_OK;
    }
    k->is_last = count == 0 || k->vus > e->max_us;
    k->is_first = count == 0 || k->vus < e->min_us;
    if (count > 0 && k->is_last) {
        if (e->pending_last >= 0) g->cands[e->pending_last].is_last = false;
        else {
            cp_status st = clear_stored_flag(g, id, true, err);
            if (st) return st;
        }
    }
    if (count > 0 && k->is_first) {
        if (e->pending_first >= 0) g->cands[e->pending_first].is_first = false;
        else {
            cp_status st = clear_stored_flag(g, id, false, err);
            if (st) return st;
        }
    }
    if (k->is_last) e->pending_last = i, e->max_us = k->vus;
    if (k->is_first) e->pending_first = i, e->min_us = k->vus;
    if (k->info.revoked && k->vus < e->revoked_us) e->revoked_us = k->vus;
    k->next_same = e->chain;
    e->chain = i;
    e->pending++;
    k->seq = g->next_seq++;
    k->state = C_INSERT;
    g->res->stored++;
    add_success(g->res, id, k->version, k->warned ? "stored; a value is on a warninglist" : NULL);
    return CP_OK;
}

/* ---- pass 4: write ---- */

#define OBJ_COLS 15
#define OBS_COLS 9

/* "INSERT INTO t (cols) VALUES (?,..),(?,..)" for rows rows of ncols. */
static char *insert_sql(const char *head, int ncols, int rows)
{
    size_t cap = strlen(head) + (size_t)rows * (size_t)(ncols * 2 + 4) + 16;
    char *sql = malloc(cap);
    if (!sql) return NULL;
    size_t len = (size_t)snprintf(sql, cap, "%s", head);
    for (int r = 0; r < rows; r++) {
        len += (size_t)snprintf(sql + len, cap - len, r ? ",(" : " VALUES (");
        for (int c = 0; c < ncols; c++) len += (size_t)snprintf(sql + len, cap - len, c ? ",?" : "?");
        len += (size_t)snprintf(sql + len, cap - len, ")");
    }
    return sql;
}

static void bind_object(ingest *g, cp_stmt *s, int base, const cand *k)
{
    cp_stmt_bind_int(s, base + 1, k->seq);
    cp_stmt_bind_int(s, base + 2, g->col->num);
    cp_stmt_bind_text(s, base + 3, k->info.id);
    cp_stmt_bind_int(s, base + 4, cp_intel_id_hash(k->info.id));
    cp_stmt_bind_text(s, base + 5, k->info.type);
    cp_stmt_bind_text(s, base + 6, k->version);
    cp_stmt_bind_int(s, base + 7, k->vus);
    cp_stmt_bind_text(s, base + 8, k->info.spec_version[0] ? k->info.spec_version : "2.1");
    cp_stmt_bind_int(s, base + 9, k->eff);
    cp_stmt_bind_int(s, base + 10, k->is_last);
    cp_stmt_bind_int(s, base + 11, k->is_first);
    cp_stmt_bind_int(s, base + 12, k->info.revoked);
    cp_stmt_bind_text(s, base + 13, k->warned);
    cp_stmt_bind_text(s, base + 14, g->writer->member_id[0] ? g->writer->member_id : NULL);
    cp_stmt_bind_textn(s, base + 15, k->item->raw, k->item->raw_len);
}

static void bind_obs(ingest *g, cp_stmt *s, int base, const obs_row *o)
{
    cp_stmt_bind_int(s, base + 1, g->cands[o->ci].seq);
    cp_stmt_bind_int(s, base + 2, g->col->num);
    cp_stmt_bind_text(s, base + 3, cp_obs_kind_name(o->kind));
    cp_stmt_bind_text(s, base + 4, o->value);
    cp_stmt_bind_int(s, base + 5, cp_obs_value_hash(o->kind, o->value));
    cp_stmt_bind_int(s, base + 6, o->subdomains);
    cp_stmt_bind_text(s, base + 7, o->kind == CP_OBS_IP ? o->ip_lo : NULL);
    cp_stmt_bind_text(s, base + 8, o->kind == CP_OBS_IP ? o->ip_hi : NULL);
    cp_stmt_bind_text(s, base + 9, o->warninglist);
}

static const char *OBJ_HEAD = "INSERT INTO intel_objects (seq, cnum, stix_id, id_hash, type, version, version_us, spec_version, "
                              "tlp, is_last, is_first, revoked, warninglist, member_id, body)";
static const char *OBS_HEAD = "INSERT INTO intel_observables (seq, cnum, kind, value, vhash, subdomains, ip_lo, ip_hi, warninglist)";

/* Writes rows [0, total) in statements of INSERT_BATCH rows, then of the
 * largest power of two that fits (so a handful of SQL shapes in all). */
typedef void (*bind_row_fn)(ingest *g, cp_stmt *s, int base, size_t row);

static cp_status write_rows(ingest *g, const char *head, int ncols, size_t total, bind_row_fn bind, cp_err *err)
{
    size_t done = 0;
    while (done < total) {
        int rows = INSERT_BATCH;
        while ((size_t)rows > total - done) rows /= 2;
        char *sql = insert_sql(head, ncols, rows);
        if (!sql) return cp_fail(err, CP_E_NOMEM, "out of memory");
        cp_stmt *s;
        cp_status st = cp_stmt_prepare(g->c, sql, &s, err);
        if (!st) {
            for (int r = 0; r < rows; r++) bind(g, s, r * ncols, done + (size_t)r);
            st = cp_stmt_run(s, err);
            cp_stmt_finalize(s);
        }
        free(sql);
        if (st) return st;
        done += (size_t)rows;
    }
    return CP_OK;
}

/* Rows to insert, as indexes into cands / obs. */
typedef struct {
    size_t *objs, n_objs;
    size_t *obs, n_obs;
} insert_list;

/* The ingest with its insert lists; the bind callbacks get the ingest and
 * reach the lists through it (base is the first member). */
typedef struct {
    ingest base;
    insert_list rows;
} ingest_w;

static void bind_object_row(ingest *g, cp_stmt *s, int base, size_t row)
{
    insert_list *l = &((ingest_w *)g)->rows;
    bind_object(g, s, base, &g->cands[l->objs[row]]);
}

static void bind_obs_row(ingest *g, cp_stmt *s, int base, size_t row)
{
    insert_list *l = &((ingest_w *)g)->rows;
    bind_obs(g, s, base, &g->obs[l->obs[row]]);
}

/* Sighting counts per indicator: a stored sighting adds its count (1 when
 * absent) to "seen", and 1 to "false_positive" when it carries
 * x_cyberpact_false_positive: true. */
static cp_status count_sighting(ingest *g, const json_t *obj, cp_err *err)
{
    const char *ref = json_string_value(json_object_get(obj, "sighting_of_ref"));
    if (!ref) return CP_OK;
    json_t *cnt = json_object_get(obj, "count");
    int64_t seen = json_is_integer(cnt) ? json_integer_value(cnt) : 1;
    int64_t fp = json_is_true(json_object_get(obj, "x_cyberpact_false_positive")) ? 1 : 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(g->c,
                                   "INSERT INTO intel_sightings (cnum, indicator_id, seen, false_positive, last_seen) "
                                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cnum, indicator_id) DO UPDATE SET "
                                   "seen = intel_sightings.seen + excluded.seen, "
                                   "false_positive = intel_sightings.false_positive + excluded.false_positive, "
                                   "last_seen = excluded.last_seen",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, g->col->num);
    cp_stmt_bind_text(s, 2, ref);
    cp_stmt_bind_int(s, 3, seen);
    cp_stmt_bind_int(s, 4, fp);
    cp_stmt_bind_int(s, 5, g->now_ms);
    return run_stmt(s, err);
}

static cp_status write_all(ingest_w *w, cp_err *err)
{
    ingest *g = &w->base;
    insert_list *l = &w->rows;
    l->objs = malloc((g->n ? g->n : 1) * sizeof *l->objs);
    l->obs = malloc((g->obs_n ? g->obs_n : 1) * sizeof *l->obs);
    if (!l->objs || !l->obs) return cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n; i++) {
        cand *k = &g->cands[i];
        if (k->state != C_INSERT) continue;
        l->objs[l->n_objs++] = i;
        for (size_t j = k->obs_from; j < k->obs_from + k->obs_n; j++) l->obs[l->n_obs++] = j;
    }
    cp_status st = write_rows(g, OBJ_HEAD, OBJ_COLS, l->n_objs, bind_object_row, err);
    if (!st) st = write_rows(g, OBS_HEAD, OBS_COLS, l->n_obs, bind_obs_row, err);
    for (size_t i = 0; !st && i < l->n_objs; i++) {
        cand *k = &g->cands[l->objs[i]];
        if (strcmp(k->info.type, "sighting") == 0) st = count_sighting(g, k->item->obj, err);
    }
    return st;
}

/* ---- the whole envelope ---- */

static cp_status take_lock_and_base(cp_conn *c, int64_t *base, cp_err *err)
{
    cp_stmt *s;
    cp_status st;
    if (cp_conn_dialect(c) == CP_DIALECT_PG) {
        if ((st = cp_stmt_prepare(c, "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", &s, err))) return st;
        cp_stmt_bind_int(s, 1, INTEL_LOCK_KEY);
        if (cp_stmt_step(s, err) == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
        if (st) return st;
    }
    if ((st = cp_stmt_prepare(c, "SELECT MAX(seq) FROM intel_objects", &s, err))) return st;
    int64_t last = 0;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) last = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) return st;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int64_t now = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    *base = now > last ? now : last + 1;
    return CP_OK;
}

static cp_status write_status(ingest *g, const char *status_id, cp_err *err)
{
    char ts[CP_TAXII_TS_MAX];
    cp_taxii_ts_format(g->now_ms * 1000, ts);
    json_t *detail = json_pack("{sO sO}", "successes", g->res->successes, "failures", g->res->failures);
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(g->c,
                                   "INSERT INTO taxii_status (id, cnum, member_id, actor, created_at, request_timestamp, "
                                   "total, success, failure, pending, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                                   &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, status_id);
        cp_stmt_bind_int(s, 2, g->col->num);
        cp_stmt_bind_text(s, 3, g->writer->member_id[0] ? g->writer->member_id : NULL);
        cp_stmt_bind_text(s, 4, g->writer->label);
        cp_stmt_bind_int(s, 5, g->now_ms);
        cp_stmt_bind_text(s, 6, ts);
        cp_stmt_bind_int(s, 7, g->res->total);
        cp_stmt_bind_int(s, 8, g->res->success);
        cp_stmt_bind_int(s, 9, g->res->failure);
        cp_stmt_bind_text(s, 10, text);
        st = run_stmt(s, err);
    }
    free(text);
    return st;
}

static cp_status audit(ingest *g, const char *status_id, cp_err *err)
{
    const cp_ingest_result *r = g->res;
    json_t *d = json_pack("{ss sI sI sI sI}", "collection", g->col->id, "total", (json_int_t)r->total, "success",
                          (json_int_t)r->success, "failure", (json_int_t)r->failure, "stored", (json_int_t)r->stored);
    if (status_id) json_object_set_new(d, "status_id", json_string(status_id));
    cp_status st = cp_audit_append(g->c, g->writer->label, "intel.ingest", g->col->id, d, err);
    json_decref(d);
    return st;
}

/* PostgreSQL plans from statistics that autovacuum refreshes at most once a
 * minute; a bulk load queried right away was planned as an empty table (a
 * page of 100 read the whole collection: 2 pages/s at 1,000,000 objects,
 * measured). So after a commit that grew the intelligence tables by a
 * quarter since this process last analysed them (and by at least 10,000
 * rows), it analyses them itself. SQLite's planner needs no statistics for
 * these queries. */
#define ANALYZE_MIN_ROWS 10000
static _Atomic int64_t g_since_analyze, g_analyzed_rows;

static void analyze_if_grown(cp_conn *c, int64_t stored)
{
    if (cp_conn_dialect(c) != CP_DIALECT_PG || stored <= 0) return;
    int64_t since = atomic_fetch_add(&g_since_analyze, stored) + stored;
    if (since < ANALYZE_MIN_ROWS || since * 4 < atomic_load(&g_analyzed_rows)) return;
    if (!atomic_compare_exchange_strong(&g_since_analyze, &since, 0)) return; /* another thread does it */
    atomic_fetch_add(&g_analyzed_rows, since);
    cp_err e = {{0}};
    if (cp_conn_exec(c, "ANALYZE intel_objects; ANALYZE intel_observables", &e))
        cp_log(CP_LOG_WARN, "intel_analyze", "ANALYZE failed: %s", e.msg);
}

cp_status cp_intel_ingest(cp_conn *c, const cp_actor *writer, const cp_collection *col, const cp_intel_item *items,
                          size_t n, const char *status_id, cp_ingest_result *res, cp_err *err)
{
    if (n > CP_INGEST_MAX_OBJECTS)
        return cp_fail(err, CP_E_UNPROCESSABLE, "%zu objects in one request; at most %d", n, CP_INGEST_MAX_OBJECTS);
    ingest_w w = {0};
    ingest *g = &w.base;
    g->c = c;
    g->writer = writer;
    g->col = col;
    g->res = res;
    g->lists = cp_warninglists_global();
    g->now_ms = cp_now_ms();
    res->request_ms = g->now_ms;
    g->n = n;
    g->map_cap = 16;
    while (g->map_cap < 2 * n) g->map_cap *= 2;
    g->cands = calloc(n ? n : 1, sizeof *g->cands);
    g->map = calloc(g->map_cap, sizeof *g->map);
    cp_status st = g->cands && g->map ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
    bool own_tx = !cp_conn_in_tx(c);
    int64_t stored_before = res->stored;

    /* 1. check (outside the write lock: it is CPU work on the request) */
    for (size_t i = 0; !st && i < n; i++) {
        g->cands[i].item = &items[i];
        res->total++;
        check_one(g, i);
    }
    char **dumped = NULL;
    if (!st) { /* objects without their exact text are stored as Jansson writes them */
        dumped = calloc(n ? n : 1, sizeof *dumped);
        if (!dumped) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    cp_intel_item *own_items = NULL;
    for (size_t i = 0; !st && i < n; i++) {
        if (items[i].raw || g->cands[i].state != C_CHECKED) continue;
        if (!own_items) {
            own_items = malloc(n * sizeof *own_items);
            if (!own_items) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory");
                break;
            }
            memcpy(own_items, items, n * sizeof *own_items);
            for (size_t j = 0; j < n; j++) g->cands[j].item = &own_items[j];
        }
        dumped[i] = json_dumps(items[i].obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!dumped[i]) st = cp_fail(err, CP_E_NOMEM, "out of memory");
        else {
            own_items[i].raw = dumped[i];
            own_items[i].raw_len = strlen(dumped[i]);
        }
    }

    /* 2–4 under the write lock */
    if (!st && own_tx) st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (!st) st = take_lock_and_base(c, &g->next_seq, err);
    if (!st) st = lookup_all(g, err);
    for (size_t i = 0; !st && i < n; i++)
        if (g->cands[i].state == C_CHECKED) st = decide_one(g, (int)i, err);
    if (!st) st = write_all(&w, err);
    if (!st && status_id) st = write_status(g, status_id, err);
    if (!st) st = audit(g, status_id, err);
    if (!st && own_tx) st = cp_conn_commit(c, err);
    if (!st && own_tx) analyze_if_grown(c, g->res->stored - stored_before);
    if (st && own_tx) cp_conn_rollback(c);
    if (st) {
        if (!err->msg[0]) cp_fail(err, st, "store error while ingesting");
        cp_log(CP_LOG_ERROR, "intel_ingest", "collection %s: %s", col->id, err->msg);
    }
    for (size_t i = 0; dumped && i < n; i++) free(dumped[i]);
    free(dumped);
    free(own_items);
    free(w.rows.objs);
    free(w.rows.obs);
    for (size_t i = 0; i < g->obs_n; i++) free(g->obs[i].value);
    free(g->obs);
    free(g->map);
    free(g->cands);
    return st;
}
