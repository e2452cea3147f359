/*
 * objects.c — the STIX object store: ingest and queries (see objects.h).
 */
#include "intel/objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "audit/audit.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "intel/observables.h"
#include "intel/stix.h"
#include "intel/tlp.h"
#include "intel/warninglist.h"

/* The key of the intel write lock on PostgreSQL (pg_advisory_xact_lock):
 * seq values are taken under it, so a reader that has seen seq N has seen
 * every committed row below N. SQLite's BEGIN IMMEDIATE does the same. */
#define INTEL_LOCK_KEY 0x63707374 /* "cpst" */

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

/* ---- timestamps ---- */

void cp_taxii_ts_format(int64_t us, char buf[CP_TAXII_TS_MAX])
{
    time_t secs = (time_t)(us / 1000000);
    int frac = (int)(us % 1000000);
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, CP_TAXII_TS_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

cp_status cp_taxii_ts_parse(const char *s, int64_t *us, cp_err *err)
{
    size_t len = s ? strlen(s) : 0;
    if (len < 20 || len > 30 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        goto bad;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2), mi = digits(s + 14, 2),
        se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) goto bad;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)) goto bad;
    size_t i = 19;
    int64_t frac = 0;
    if (s[i] == '.') {
        i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (i - start < 6) frac = frac * 10 + (s[i] - '0');
            i++;
        }
        size_t nd = i - start;
        if (nd == 0 || nd > 9) goto bad;
        for (size_t k = nd; k < 6; k++) frac *= 10;
    }
    if (i + 1 != len || (s[i] != 'Z' && s[i] != 'z')) goto bad;
    if (se == 60) se = 59; /* a leap second sorts with the second before it */
    *us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000000) + frac;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)",
                   s ? s : "");
}

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* ---- small statement helpers ---- */

static cp_status run_stmt(cp_stmt *s, cp_err *err)
{
    cp_status st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

static cp_status take_lock_and_base(cp_conn *c, int64_t *base, cp_err *err)
{
    cp_stmt *s;
    cp_status st;
    if (cp_conn_dialect(c) == CP_DIALECT_PG) {
        if ((st = cp_stmt_prepare(c, "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", &s, err))) return st;
        cp_stmt_bind_int(s, 1, INTEL_LOCK_KEY);
        if (cp_stmt_step(s, err) == CP_STEP_ERROR) {
            st = cp_stmt_status(s);
            cp_stmt_finalize(s);
            return st;
        }
        cp_stmt_finalize(s);
    }
    if ((st = cp_stmt_prepare(c, "SELECT MAX(seq) FROM intel_objects", &s, err))) return st;
    int64_t last = 0;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) last = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) return st;
    int64_t now = now_us();
    *base = now > last ? now : last + 1;
    return CP_OK;
}

/* ---- ingest ---- */

typedef struct {
    int64_t count, max_us, min_us;
    bool revoked;
} versions_info;

static cp_status lookup_versions(cp_conn *c, int64_t cnum, const char *id, versions_info *v, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT COUNT(*), MAX(version_us), MIN(version_us), MAX(revoked) FROM intel_objects "
                                   "WHERE cnum = ? AND stix_id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cnum);
    cp_stmt_bind_text(s, 2, id);
    memset(v, 0, sizeof *v);
    if (cp_stmt_step(s, err) == CP_STEP_ROW) {
        v->count = cp_stmt_col_int(s, 0);
        v->max_us = cp_stmt_col_int(s, 1);
        v->min_us = cp_stmt_col_int(s, 2);
        v->revoked = cp_stmt_col_int(s, 3) != 0;
    } else {
        st = cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

/* Whether the stored version (cnum, id, version_us) is the same object as
 * obj (compared as JSON values: whitespace and key order do not matter).
 * *found false when no such version is stored. */
static cp_status same_version(cp_conn *c, int64_t cnum, const char *id, int64_t vus, const json_t *obj, bool *found,
                              bool *same, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT body FROM intel_objects WHERE cnum = ? AND stix_id = ? AND version_us = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cnum);
    cp_stmt_bind_text(s, 2, id);
    cp_stmt_bind_int(s, 3, vus);
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

static cp_status clear_flag(cp_conn *c, int64_t cnum, const char *id, bool last, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   last ? "UPDATE intel_objects SET is_last = 0 WHERE cnum = ? AND stix_id = ? AND is_last = 1"
                                        : "UPDATE intel_objects SET is_first = 0 WHERE cnum = ? AND stix_id = ? AND is_first = 1",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cnum);
    cp_stmt_bind_text(s, 2, id);
    return run_stmt(s, err);
}

#define OBS_BATCH CP_OBS_PER_OBJECT_MAX

typedef struct {
    cp_observable *items;
    int n;
    const char *warned; /* first warninglist hit */
    const cp_warninglists *lists;
} obs_collect;

static int collect_obs(const cp_observable *o, void *ctx)
{
    obs_collect *oc = ctx;
    if (oc->n >= OBS_BATCH) return 1;
    oc->items[oc->n] = *o;
    oc->n++;
    return 0;
}

static cp_status store_observables(cp_conn *c, int64_t seq, int64_t cnum, obs_collect *oc, cp_err *err)
{
    for (int i = 0; i < oc->n; i++) {
        const cp_observable *o = &oc->items[i];
        const char *wl = oc->lists ? cp_warninglists_match(oc->lists, o) : NULL;
        cp_stmt *s;
        cp_status st = cp_stmt_prepare(c,
                                       "INSERT INTO intel_observables (seq, cnum, kind, value, ip_lo, ip_hi, warninglist) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       &s, err);
        if (st) return st;
        cp_stmt_bind_int(s, 1, seq);
        cp_stmt_bind_int(s, 2, cnum);
        cp_stmt_bind_text(s, 3, cp_obs_kind_name(o->kind));
        cp_stmt_bind_text(s, 4, o->value);
        cp_stmt_bind_text(s, 5, o->kind == CP_OBS_IP ? o->ip_lo : NULL);
        cp_stmt_bind_text(s, 6, o->kind == CP_OBS_IP ? o->ip_hi : NULL);
        cp_stmt_bind_text(s, 7, wl);
        if ((st = run_stmt(s, err))) return st;
    }
    return CP_OK;
}

/* Sighting counts per indicator: a stored sighting adds its count (1 when
 * absent) to "seen", and 1 to "false_positive" when it carries
 * x_cyberpact_false_positive: true. */
static cp_status count_sighting(cp_conn *c, int64_t cnum, const json_t *obj, int64_t seen_ms, cp_err *err)
{
    const char *ref = json_string_value(json_object_get(obj, "sighting_of_ref"));
    if (!ref) return CP_OK;
    json_t *cnt = json_object_get(obj, "count");
    int64_t seen = json_is_integer(cnt) ? json_integer_value(cnt) : 1;
    int64_t fp = json_is_true(json_object_get(obj, "x_cyberpact_false_positive")) ? 1 : 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO intel_sightings (cnum, indicator_id, seen, false_positive, last_seen) "
                                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cnum, indicator_id) DO UPDATE SET "
                                   "seen = intel_sightings.seen + excluded.seen, "
                                   "false_positive = intel_sightings.false_positive + excluded.false_positive, "
                                   "last_seen = excluded.last_seen",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cnum);
    cp_stmt_bind_text(s, 2, ref);
    cp_stmt_bind_int(s, 3, seen);
    cp_stmt_bind_int(s, 4, fp);
    cp_stmt_bind_int(s, 5, seen_ms);
    return run_stmt(s, err);
}

static void add_failure(cp_ingest_result *res, const char *id, const char *version, const char *msg)
{
    json_t *f = json_object();
    json_object_set_new(f, "id", json_string(id && *id ? id : "(unknown)"));
    if (version && *version) json_object_set_new(f, "version", json_string(version));
    json_object_set_new(f, "message", json_string(msg));
    json_array_append_new(res->failures, f);
    res->failure++;
}

static void add_success(cp_ingest_result *res, const char *id, const char *version, const char *msg)
{
    json_t *f = json_object();
    json_object_set_new(f, "id", json_string(id));
    if (version && *version) json_object_set_new(f, "version", json_string(version));
    if (msg) json_object_set_new(f, "message", json_string(msg));
    json_array_append_new(res->successes, f);
    res->success++;
}

/* The id of an object that failed validation, when it has a usable one. */
static const char *id_for_report(const json_t *obj)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    return id && strlen(id) <= CP_STIX_ID_MAX ? id : NULL;
}

typedef struct {
    cp_conn *c;
    const cp_actor *writer;
    const cp_collection *col;
    cp_ingest_result *res;
    int64_t next_seq;
    int64_t now_ms;
    const cp_warninglists *lists;
    cp_observable obs[OBS_BATCH];
} ingest_ctx;

/* One object. Returns a store error only; everything about the object
 * itself is a failure entry in res. */
static cp_status ingest_one(ingest_ctx *x, const cp_intel_item *it)
{
    cp_ingest_result *res = x->res;
    cp_err oerr = {{0}};
    cp_stix_info info;
    res->total++;
    if (!json_is_object(it->obj)) {
        add_failure(res, NULL, NULL, "not a JSON object");
        return CP_OK;
    }
    if (cp_stix_validate(it->obj, &info, &oerr)) {
        add_failure(res, id_for_report(it->obj), json_string_value(json_object_get(it->obj, "modified")), oerr.msg);
        return CP_OK;
    }
    if (info.kind == CP_STIX_BUNDLE) {
        add_failure(res, info.id, NULL, "a bundle cannot be stored as an object; post its objects");
        return CP_OK;
    }
    const char *version = info.modified[0] ? info.modified : info.created;
    int64_t vus = 0;
    if (version[0] && cp_taxii_ts_parse(version, &vus, &oerr)) {
        add_failure(res, info.id, version, oerr.msg);
        return CP_OK;
    }
    cp_tlp own = cp_tlp_of_object(it->obj), eff = CP_TLP_NONE;
    if (cp_intel_may_write(x->writer, &x->col->policy, own, &eff, &oerr)) {
        add_failure(res, info.id, version, oerr.msg);
        return CP_OK;
    }
    if (eff == CP_TLP_NONE) eff = cp_tlp_default(&x->col->policy);

    cp_err err = {{0}};
    versions_info vi;
    cp_status st = lookup_versions(x->c, x->col->num, info.id, &vi, &err);
    if (st) goto store_error;
    if (vi.count > 0) {
        bool found, same;
        if ((st = same_version(x->c, x->col->num, info.id, vus, it->obj, &found, &same, &err))) goto store_error;
        if (found) {
            if (same) add_success(res, info.id, version, "already stored (identical version)");
            else
                add_failure(res, info.id, version,
                            "a different object with this id and version is already stored; a new version needs a later "
                            "'modified'");
            return CP_OK;
        }
        if (info.kind == CP_STIX_SCO) {
            add_failure(res, info.id, version, "a cyber-observable object is immutable: this id is already stored");
            return CP_OK;
        }
        if (vi.revoked && vus > vi.max_us) {
            add_failure(res, info.id, version, "the object has been revoked: no later version is accepted");
            return CP_OK;
        }
    }
    bool is_last = vi.count == 0 || vus > vi.max_us, is_first = vi.count == 0 || vus < vi.min_us;
    if (vi.count > 0 && is_last && (st = clear_flag(x->c, x->col->num, info.id, true, &err))) goto store_error;
    if (vi.count > 0 && is_first && (st = clear_flag(x->c, x->col->num, info.id, false, &err))) goto store_error;

    obs_collect oc = {.items = x->obs, .lists = x->lists};
    cp_observables_of_object(it->obj, collect_obs, &oc);
    const char *warned = NULL;
    for (int i = 0; i < oc.n && x->lists && !warned; i++) warned = cp_warninglists_match(x->lists, &oc.items[i]);

    char *dumped = NULL;
    const char *body = it->raw;
    size_t body_len = it->raw_len;
    if (!body) {
        dumped = json_dumps(it->obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!dumped) {
            st = cp_fail(&err, CP_E_NOMEM, "out of memory");
            goto store_error;
        }
        body = dumped;
        body_len = strlen(dumped);
    }
    int64_t seq = x->next_seq++;
    cp_stmt *s;
    st = cp_stmt_prepare(x->c,
                         "INSERT INTO intel_objects (seq, cnum, stix_id, type, version, version_us, spec_version, tlp, "
                         "is_last, is_first, revoked, warninglist, member_id, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s, &err);
    if (st) {
        free(dumped);
        goto store_error;
    }
    cp_stmt_bind_int(s, 1, seq);
    cp_stmt_bind_int(s, 2, x->col->num);
    cp_stmt_bind_text(s, 3, info.id);
    cp_stmt_bind_text(s, 4, info.type);
    cp_stmt_bind_text(s, 5, version);
    cp_stmt_bind_int(s, 6, vus);
    cp_stmt_bind_text(s, 7, info.spec_version[0] ? info.spec_version : "2.1");
    cp_stmt_bind_int(s, 8, eff);
    cp_stmt_bind_int(s, 9, is_last);
    cp_stmt_bind_int(s, 10, is_first);
    cp_stmt_bind_int(s, 11, info.revoked);
    cp_stmt_bind_text(s, 12, warned);
    cp_stmt_bind_text(s, 13, x->writer->member_id[0] ? x->writer->member_id : NULL);
    cp_stmt_bind_textn(s, 14, body, body_len);
    st = run_stmt(s, &err);
    free(dumped);
    if (st) goto store_error;
    if ((st = store_observables(x->c, seq, x->col->num, &oc, &err))) goto store_error;
    if (strcmp(info.type, "sighting") == 0 && (st = count_sighting(x->c, x->col->num, it->obj, x->now_ms, &err)))
        goto store_error;
    res->stored++;
    add_success(res, info.id, version, warned ? "stored; a value is on a warninglist" : NULL);
    return CP_OK;
store_error:
    cp_log(CP_LOG_ERROR, "intel_ingest", "object %s: %s", info.id, err.msg);
    return st;
}

static cp_status write_status(cp_conn *c, const cp_actor *w, const cp_collection *col, const char *status_id,
                              int64_t now_ms, const cp_ingest_result *res, cp_err *err)
{
    char ts[CP_TAXII_TS_MAX];
    cp_taxii_ts_format(now_ms * 1000, ts);
    json_t *detail = json_pack("{sO sO}", "successes", res->successes, "failures", res->failures);
    char *text = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO taxii_status (id, cnum, member_id, actor, created_at, request_timestamp, "
                                   "total, success, failure, pending, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                                   &s, err);
    if (st) {
        free(text);
        return st;
    }
    cp_stmt_bind_text(s, 1, status_id);
    cp_stmt_bind_int(s, 2, col->num);
    cp_stmt_bind_text(s, 3, w->member_id[0] ? w->member_id : NULL);
    cp_stmt_bind_text(s, 4, w->label);
    cp_stmt_bind_int(s, 5, now_ms);
    cp_stmt_bind_text(s, 6, ts);
    cp_stmt_bind_int(s, 7, res->total);
    cp_stmt_bind_int(s, 8, res->success);
    cp_stmt_bind_int(s, 9, res->failure);
    cp_stmt_bind_text(s, 10, text);
    st = run_stmt(s, err);
    free(text);
    return st;
}

cp_status cp_intel_ingest(cp_conn *c, const cp_actor *writer, const cp_collection *col, const cp_intel_item *items,
                          size_t n, const char *status_id, cp_ingest_result *res, cp_err *err)
{
    if (n > CP_INGEST_MAX_OBJECTS)
        return cp_fail(err, CP_E_UNPROCESSABLE, "%zu objects in one request; at most %d", n, CP_INGEST_MAX_OBJECTS);
    bool own_tx = !cp_conn_in_tx(c);
    cp_status st = own_tx ? cp_conn_begin(c, CP_TX_WRITE, err) : CP_OK;
    if (st) return st;
    ingest_ctx *x = malloc(sizeof *x);
    if (!x) {
        if (own_tx) cp_conn_rollback(c);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    x->c = c;
    x->writer = writer;
    x->col = col;
    x->res = res;
    x->now_ms = cp_now_ms();
    x->lists = cp_warninglists_global();
    st = take_lock_and_base(c, &x->next_seq, err);
    for (size_t i = 0; !st && i < n; i++) st = ingest_one(x, &items[i]);
    if (!st && status_id) st = write_status(c, writer, col, status_id, x->now_ms, res, err);
    if (!st) {
        json_t *d = json_pack("{ss sI sI sI sI}", "collection", col->id, "total", (json_int_t)res->total, "success",
                              (json_int_t)res->success, "failure", (json_int_t)res->failure, "stored",
                              (json_int_t)res->stored);
        if (status_id) json_object_set_new(d, "status_id", json_string(status_id));
        st = cp_audit_append(c, writer->label, "intel.ingest", col->id, d, err);
        json_decref(d);
    }
    if (!st && own_tx) st = cp_conn_commit(c, err);
    if (st && own_tx) cp_conn_rollback(c);
    if (st && !err->msg[0]) cp_fail(err, st, "store error while ingesting");
    free(x);
    return st;
}

/* ---- queries ---- */

unsigned cp_intel_readable_tlps(const cp_actor *reader, const cp_collection *col)
{
    unsigned mask = 0;
    for (int t = CP_TLP_CLEAR; t <= CP_TLP_RED; t++) {
        cp_err e;
        if (cp_intel_may_read(reader, &col->policy, (cp_tlp)t, &e) == CP_OK) mask |= 1u << t;
    }
    return mask;
}

/* IN lists are padded to a power of two (repeating the last value) so the
 * number of distinct statements (each cached per connection) stays small. */
static int padded(int n)
{
    int p = 1;
    while (p < n) p *= 2;
    return p;
}

typedef struct {
    char sql[4096];
    size_t len;
    int nparams;
    /* parameters, in order: kind 0 int, 1 text */
    struct {
        int kind;
        int64_t i;
        const char *t;
    } p[8 + 3 * 128 + 8];
} qbuild;

static void q_add(qbuild *q, const char *text) { q->len += (size_t)snprintf(q->sql + q->len, sizeof q->sql - q->len, "%s", text); }
static void q_int(qbuild *q, int64_t v)
{
    q->p[q->nparams].kind = 0;
    q->p[q->nparams++].i = v;
}
static void q_text(qbuild *q, const char *t)
{
    q->p[q->nparams].kind = 1;
    q->p[q->nparams++].t = t;
}

static void q_in_text(qbuild *q, const char *col, const char *const *vals, int n)
{
    int m = padded(n);
    q_add(q, " AND ");
    q_add(q, col);
    q_add(q, " IN (");
    for (int i = 0; i < m; i++) {
        q_add(q, i ? ", ?" : "?");
        q_text(q, vals[i < n ? i : n - 1]);
    }
    q_add(q, ")");
}

/* The WHERE conditions every query over a collection shares: collection,
 * readable TLP levels, match[id], match[type], match[version]. */
static void q_filters(qbuild *q, const cp_collection *col, unsigned tlps, const cp_intel_filter *f, bool versions)
{
    q_add(q, " WHERE cnum = ? AND tlp IN (?, ?, ?, ?, ?)");
    q_int(q, col->num);
    for (int t = CP_TLP_CLEAR; t <= CP_TLP_RED; t++) q_int(q, (tlps & (1u << t)) ? t : -1);
    int64_t after = f->added_after > f->after_seq ? f->added_after : f->after_seq;
    if (after > 0) {
        q_add(q, " AND seq > ?");
        q_int(q, after);
    }
    if (f->n_ids > 0) q_in_text(q, "stix_id", f->ids, f->n_ids);
    if (f->n_types > 0) q_in_text(q, "type", f->types, f->n_types);
    if (!versions || f->v_all) return;
    bool any = f->v_first || f->n_v_at > 0;
    if (!any || (f->v_last && !f->v_first && f->n_v_at == 0)) {
        q_add(q, " AND is_last = 1");
        return;
    }
    q_add(q, " AND (0 = 1");
    if (f->v_last) q_add(q, " OR is_last = 1");
    if (f->v_first) q_add(q, " OR is_first = 1");
    if (f->n_v_at > 0) {
        int m = padded(f->n_v_at);
        q_add(q, " OR version_us IN (");
        for (int i = 0; i < m; i++) {
            q_add(q, i ? ", ?" : "?");
            q_int(q, f->v_at[i < f->n_v_at ? i : f->n_v_at - 1]);
        }
        q_add(q, ")");
    }
    q_add(q, ")");
}

static cp_status q_prepare(cp_conn *c, qbuild *q, cp_stmt **s, cp_err *err)
{
    if (q->len >= sizeof q->sql - 1) return cp_fail(err, CP_E_BAD_REQUEST, "too many filter values");
    cp_status st = cp_stmt_prepare(c, q->sql, s, err);
    if (st) return st;
    for (int i = 0; i < q->nparams; i++) {
        if (q->p[i].kind == 0) cp_stmt_bind_int(*s, i + 1, q->p[i].i);
        else cp_stmt_bind_text(*s, i + 1, q->p[i].t);
    }
    return CP_OK;
}

cp_status cp_intel_query(cp_conn *c, const cp_collection *col, const cp_actor *reader, const cp_intel_filter *f,
                         cp_intel_row_fn fn, void *ctx, bool *more, cp_err *err)
{
    *more = false;
    if (f->spec_none || f->limit <= 0) return CP_OK;
    unsigned tlps = cp_intel_readable_tlps(reader, col);
    if (!tlps) return CP_OK;
    qbuild *q = malloc(sizeof *q);
    if (!q) return cp_fail(err, CP_E_NOMEM, "out of memory");
    q->len = 0;
    q->nparams = 0;
    q->sql[0] = 0;
    q_add(q, "SELECT seq, stix_id, type, version, version_us, body, tlp, warninglist FROM intel_objects");
    q_filters(q, col, tlps, f, true);
    q_add(q, " ORDER BY seq LIMIT ?");
    q_int(q, f->limit + 1);
    cp_stmt *s;
    cp_status st = q_prepare(c, q, &s, err);
    if (st) {
        free(q);
        return st;
    }
    int got = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (got == f->limit) {
            *more = true;
            break;
        }
        cp_intel_row row = {
            .seq = cp_stmt_col_int(s, 0),
            .stix_id = cp_stmt_col_text(s, 1),
            .type = cp_stmt_col_text(s, 2),
            .version = cp_stmt_col_text(s, 3),
            .version_us = cp_stmt_col_int(s, 4),
            .body = cp_stmt_col_text(s, 5),
            .tlp = (int)cp_stmt_col_int(s, 6),
            .warninglist = cp_stmt_col_is_null(s, 7) ? NULL : cp_stmt_col_text(s, 7),
        };
        got++;
        if (fn(&row, ctx)) break;
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    free(q); /* the SQL text lives until the statement is finalized */
    return st;
}

cp_status cp_intel_delete(cp_conn *c, const cp_actor *writer, const cp_collection *col, const char *stix_id,
                          const cp_intel_filter *f, int64_t *deleted, cp_err *err)
{
    *deleted = 0;
    unsigned tlps = cp_intel_readable_tlps(writer, col);
    if (!tlps || f->spec_none) return cp_fail(err, CP_E_NOT_FOUND, "no object %s in this collection", stix_id);
    cp_intel_filter g = *f;
    g.ids[0] = stix_id;
    g.n_ids = 1;
    g.n_types = 0;
    g.added_after = g.after_seq = 0;
    if (!g.v_last && !g.v_first && !g.v_all && g.n_v_at == 0) g.v_all = true; /* DELETE default: every version */
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    qbuild *q = malloc(sizeof *q);
    if (!q) {
        cp_conn_rollback(c);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    /* The observables of the versions that go, then the versions. */
    static const char *const targets[2][2] = {
        {"DELETE FROM intel_observables WHERE seq IN (SELECT seq FROM intel_objects", ")"},
        {"DELETE FROM intel_objects", ""},
    };
    for (int k = 0; k < 2 && !st; k++) {
        q->len = 0;
        q->nparams = 0;
        q->sql[0] = 0;
        q_add(q, targets[k][0]);
        q_filters(q, col, tlps, &g, true);
        q_add(q, targets[k][1]);
        cp_stmt *s;
        if ((st = q_prepare(c, q, &s, err))) break;
        st = cp_stmt_run(s, err);
        if (!st && k == 1) *deleted = cp_stmt_changes(s);
        cp_stmt_finalize(s);
    }
    free(q);
    if (!st && *deleted == 0) st = cp_fail(err, CP_E_NOT_FOUND, "no matching version of %s in this collection", stix_id);
    if (!st) {
        /* The first/last flags of what remains. */
        cp_stmt *s;
        st = cp_stmt_prepare(c,
                             "UPDATE intel_objects SET "
                             "is_last = CASE WHEN version_us = (SELECT MAX(o.version_us) FROM intel_objects o WHERE o.cnum = ? AND o.stix_id = ?) THEN 1 ELSE 0 END, "
                             "is_first = CASE WHEN version_us = (SELECT MIN(o.version_us) FROM intel_objects o WHERE o.cnum = ? AND o.stix_id = ?) THEN 1 ELSE 0 END "
                             "WHERE cnum = ? AND stix_id = ?",
                             &s, err);
        if (!st) {
            for (int i = 0; i < 3; i++) {
                cp_stmt_bind_int(s, 2 * i + 1, col->num);
                cp_stmt_bind_text(s, 2 * i + 2, stix_id);
            }
            st = run_stmt(s, err);
        }
    }
    if (!st) {
        json_t *d = json_pack("{ss ss sI}", "collection", col->id, "id", stix_id, "deleted", (json_int_t)*deleted);
        st = cp_audit_append(c, writer->label, "intel.delete", col->id, d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    if (st) cp_conn_rollback(c);
    return st;
}
