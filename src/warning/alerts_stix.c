/*
 * alerts_stix.c — alerts as STIX 2.1 in each member's private alerts
 * collection ("alerts-<member id>", intel/collections.h), so a TAXII client
 * can poll them; written from alert_stix_queue by a thread of serve (the
 * events request only queues), many alerts per ingest.
 *
 * Per alert: a `sighting` with id "sighting--<alert id>" (a new version,
 * same id, when the count has grown and the last version is older than
 * alert-stix-refresh), sighting_of_ref = the indicator the events matched;
 * for an alert derived from the classification only, an `indicator` with id
 * "indicator--<alert id>" and a pattern on the member's address or name is
 * written with the first version, and the sighting refers to it. Both carry
 * the alert's TLP marking, created_by_ref the alliance's identity, and
 * x_cyberpact_alert_id / x_cyberpact_address / x_cyberpact_classification.
 * They go through the ordinary ingest (validation, TLP acceptance, audit).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/tlp.h"
#include "members/members.h"
#include "warning/alerts.h"
#include "warning/alerts_internal.h"

#define STIX_COUNT_MAX 999999999 /* STIX 2.1 sighting count */

static void system_actor(cp_actor *a)
{
    memset(a, 0, sizeof *a);
    a->kind = CP_ACTOR_CLI;
    a->roles = a->user_roles = CP_ROLE_ALL;
    a->member_active = true;
    snprintf(a->label, sizeof a->label, "system:early-warning");
}

static json_t *marking(int tlp)
{
    const char *m = cp_tlp_marking_id((cp_tlp)tlp);
    return m ? json_pack("[s]", m) : NULL;
}

static json_t *indicator_for(const cp_alert_stix *a, const char *created, const char *identity)
{
    char pattern[400], name[400], id[64];
    const char *type = strcmp(a->address_kind, "domain") == 0 ? "domain-name"
                       : strchr(a->address, ':')             ? "ipv6-addr"
                                                             : "ipv4-addr";
    snprintf(pattern, sizeof pattern, "[%s:value = '%s']", type, a->address);
    snprintf(name, sizeof name, "%s: %s", a->classification, a->address);
    snprintf(id, sizeof id, "indicator--%s", a->id);
    char first[CP_RFC3339_MAX];
    cp_rfc3339_format(a->first_seen, first);
    json_t *o = json_pack("{ss ss ss ss ss ss ss ss ss ss}", "type", "indicator", "spec_version", "2.1", "id", id,
                          "created", created, "modified", created, "created_by_ref", identity, "name", name, "pattern",
                          pattern, "pattern_type", "stix", "valid_from", first);
    json_t *m = marking(a->tlp);
    if (m) json_object_set_new(o, "object_marking_refs", m);
    return o;
}

static json_t *sighting_for(const cp_alert_stix *a, const char *modified, const char *identity)
{
    char id[64], of[128], created[CP_RFC3339_MAX], first[CP_RFC3339_MAX], last[CP_RFC3339_MAX], desc[512];
    snprintf(id, sizeof id, "sighting--%s", a->id);
    if (a->indicator_id) snprintf(of, sizeof of, "%s", a->indicator_id);
    else snprintf(of, sizeof of, "indicator--%s", a->id);
    cp_rfc3339_format(a->created_at, created);
    cp_rfc3339_format(a->first_seen, first);
    cp_rfc3339_format(a->last_seen, last);
    snprintf(desc, sizeof desc, "%s concerning %s: %lld event(s)", a->classification, a->address, (long long)a->count);
    json_t *o = json_pack("{ss ss ss ss ss ss ss sI ss ss ss ss ss ss}", "type", "sighting", "spec_version", "2.1", "id",
                          id, "created", created, "modified", modified, "created_by_ref", identity, "sighting_of_ref", of,
                          "count", (json_int_t)(a->count > STIX_COUNT_MAX ? STIX_COUNT_MAX : a->count), "first_seen",
                          first, "last_seen", last, "description", desc, "x_cyberpact_alert_id", a->id,
                          "x_cyberpact_address", a->address, "x_cyberpact_classification", a->classification);
    json_t *m = marking(a->tlp);
    if (m) json_object_set_new(o, "object_marking_refs", m);
    return o;
}

static cp_status write_member(cp_conn *c, const cp_actor *sys, cp_alert_stix *a, size_t n, int64_t now_ms,
                              const char *identity, cp_err *err)
{
    char alias[CP_COLLECTION_ALIAS_MAX + 1];
    snprintf(alias, sizeof alias, "alerts-%s", a[0].member_id);
    cp_collection col;
    cp_status st = cp_collection_resolve(c, alias, sys, &col, err);
    if (st == CP_E_NOT_FOUND) { /* a member created while no hook ran: make it now */
        int made;
        if ((st = cp_collections_ensure(c, sys, &made, err))) return st;
        st = cp_collection_resolve(c, alias, sys, &col, err);
    }
    if (st) return st;
    json_t **objs = calloc(2 * n, sizeof *objs);
    cp_intel_item *items = calloc(2 * n, sizeof *items);
    if (!objs || !items) {
        free(objs);
        free(items);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* each version strictly later than the previous one */
        int64_t v = now_ms > a[i].prev_stix_at ? now_ms : a[i].prev_stix_at + 1;
        if (v < a[i].created_at) v = a[i].created_at;
        char modified[CP_RFC3339_MAX], created[CP_RFC3339_MAX];
        cp_rfc3339_format(v, modified);
        cp_rfc3339_format(a[i].created_at, created);
        if (!a[i].indicator_id && a[i].created) objs[k++] = indicator_for(&a[i], created, identity);
        objs[k++] = sighting_for(&a[i], modified, identity);
        a[i].prev_stix_at = v;
    }
    for (size_t i = 0; i < k; i++) items[i].obj = objs[i];
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    st = cp_intel_ingest(c, sys, &col, items, k, NULL, &res, err);
    if (!st && res.failure) {
        json_t *f = json_array_get(res.failures, 0);
        st = cp_fail(err, CP_E_INTERNAL, "an alert's STIX object was refused: %s: %s",
                     json_string_value(json_object_get(f, "id")), json_string_value(json_object_get(f, "message")));
    }
    cp_ingest_result_free(&res);
    for (size_t i = 0; i < k; i++) json_decref(objs[i]);
    free(objs);
    free(items);
    if (st) return st;
    for (size_t i = 0; !st && i < n; i++) {
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c,
                                  "INSERT INTO alert_stix_state (alert_id, stix_at) VALUES (?, ?)"
                                  " ON CONFLICT (alert_id) DO UPDATE SET stix_at = excluded.stix_at",
                                  &s, err)))
            break;
        cp_stmt_bind_text(s, 1, a[i].id);
        cp_stmt_bind_int(s, 2, a[i].prev_stix_at);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    return st;
}

static int by_member(const void *x, const void *y)
{
    const cp_alert_stix *a = x, *b = y;
    int c = strcmp(a->member_id, b->member_id);
    return c ? c : strcmp(a->id, b->id);
}

cp_status cp_alerts_stix_write(cp_conn *c, cp_alert_stix *a, size_t n, int64_t now_ms, cp_err *err)
{
    if (!n) return CP_OK;
    char alliance[CP_UUID_LEN + 1], identity[64];
    cp_status st = cp_member_alliance_id(c, alliance, err);
    if (st) return st;
    snprintf(identity, sizeof identity, "identity--%s", alliance);
    cp_actor sys;
    system_actor(&sys);
    qsort(a, n, sizeof *a, by_member);
    /* one version per alert and batch (the last upsert's figures are the latest) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && strcmp(a[k - 1].id, a[i].id) == 0) {
            bool created = a[k - 1].created || a[i].created;
            a[k - 1] = a[i].count > a[k - 1].count ? a[i] : a[k - 1];
            a[k - 1].created = created;
        } else {
            a[k++] = a[i];
        }
    }
    n = k;
    size_t i = 0;
    while (!st && i < n) {
        size_t j = i + 1;
        while (j < n && strcmp(a[j].member_id, a[i].member_id) == 0) j++;
        st = write_member(c, &sys, a + i, j - i, now_ms, identity, err);
        i = j;
    }
    return st;
}

/* --- the STIX writer: the queue filled by cp_alerts_apply --- */

typedef struct {
    char id[CP_UUID_LEN + 1], member[CP_UUID_LEN + 1], indicator[128], cls[128], address[256], kind[16];
} stix_row;

/* Claims up to max due rows for this writer (a short transaction of its own,
 * so that batches never wait on the ingest): the claim is a lease; if the
 * writer dies, the rows are due again when it expires. */
#define CLAIM_LEASE_MS (5 * 60 * 1000)
static cp_status claim_due(cp_conn *c, int64_t now_ms, int max, int64_t lease, char (**ids)[CP_UUID_LEN + 1], int *n,
                           cp_err *err)
{
    *n = 0;
    *ids = calloc((size_t)max, sizeof **ids);
    if (!*ids) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    /* PostgreSQL: rows a batch holds are skipped (taking them in due order
     * while the batch takes them in key order could deadlock); SQLite has one
     * writer at a time and no row locks. */
    bool pg = cp_conn_dialect(c) == CP_DIALECT_PG;
    st = cp_stmt_prepare(c,
                         pg ? "UPDATE alert_stix_queue SET claimed = CAST(? AS BIGINT), due_at = CAST(? AS BIGINT)"
                              " WHERE alert_id IN (SELECT alert_id FROM alert_stix_queue WHERE due_at <= CAST(? AS BIGINT)"
                              " ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING alert_id"
                            : "UPDATE alert_stix_queue SET claimed = CAST(? AS BIGINT), due_at = CAST(? AS BIGINT)"
                              " WHERE alert_id IN (SELECT alert_id FROM alert_stix_queue WHERE due_at <= CAST(? AS BIGINT)"
                              " ORDER BY due_at LIMIT ?) RETURNING alert_id",
                         &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, lease);
        cp_stmt_bind_int(s, 2, now_ms + CLAIM_LEASE_MS);
        cp_stmt_bind_int(s, 3, now_ms);
        cp_stmt_bind_int(s, 4, max);
        cp_step r;
        while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
            if (*n < max) snprintf((*ids)[(*n)++], CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
        if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    return st;
}

/* Removes this writer's claimed rows that no batch has touched since. */
#define RELEASE_IDS 64
static cp_status release_claimed(cp_conn *c, char (*ids)[CP_UUID_LEN + 1], int n, int64_t lease, cp_err *err)
{
    /* PostgreSQL: a row a batch holds is skipped (the batch is un-claiming
     * it: it must stay queued anyway), so the writer, which holds the audit
     * head by now, never waits on a batch that will wait for the head. */
    bool pg = cp_conn_dialect(c) == CP_DIALECT_PG;
    char sql[256 + RELEASE_IDS * 3];
    size_t at = (size_t)snprintf(sql, sizeof sql, "%s",
                                 pg ? "DELETE FROM alert_stix_queue WHERE alert_id IN (SELECT alert_id FROM alert_stix_queue"
                                      " WHERE claimed = CAST(? AS BIGINT) AND alert_id IN ("
                                    : "DELETE FROM alert_stix_queue WHERE claimed = CAST(? AS BIGINT) AND alert_id IN (");
    for (int k = 0; k < RELEASE_IDS; k++) at += (size_t)snprintf(sql + at, sizeof sql - at, "%s?", k ? ", " : "");
    snprintf(sql + at, sizeof sql - at, "%s", pg ? ") FOR UPDATE SKIP LOCKED)" : ")");
    cp_status st = CP_OK;
    for (int i = 0; !st && i < n; i += RELEASE_IDS) {
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, sql, &s, err))) break;
        cp_stmt_bind_int(s, 1, lease);
        for (int k = 0; k < RELEASE_IDS; k++) cp_stmt_bind_text(s, k + 2, i + k < n ? ids[i + k] : "");
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    return st;
}

static cp_status load_alert(cp_conn *c, const char *id, stix_row *row, cp_alert_stix *a, bool *found, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, member_id, indicator_id, classification, address, address_kind, count,"
                                   " first_seen, last_seen, created_at,"
                                   " (SELECT x.stix_at FROM alert_stix_state x WHERE x.alert_id = alerts.id), tlp"
                                   " FROM alerts WHERE id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    *found = r == CP_STEP_ROW;
    if (*found) {
        snprintf(row->id, sizeof row->id, "%s", cp_stmt_col_text(s, 0));
        snprintf(row->member, sizeof row->member, "%s", cp_stmt_col_text(s, 1));
        bool ind = !cp_stmt_col_is_null(s, 2);
        snprintf(row->indicator, sizeof row->indicator, "%s", ind ? cp_stmt_col_text(s, 2) : "");
        snprintf(row->cls, sizeof row->cls, "%s", cp_stmt_col_text(s, 3));
        snprintf(row->address, sizeof row->address, "%s", cp_stmt_col_text(s, 4));
        snprintf(row->kind, sizeof row->kind, "%s", cp_stmt_col_text(s, 5));
        *a = (cp_alert_stix){.id = row->id, .member_id = row->member, .indicator_id = ind ? row->indicator : NULL,
                             .classification = row->cls, .address = row->address, .address_kind = row->kind,
                             .count = cp_stmt_col_int(s, 6), .first_seen = cp_stmt_col_int(s, 7),
                             .last_seen = cp_stmt_col_int(s, 8), .created_at = cp_stmt_col_int(s, 9),
                             .prev_stix_at = cp_stmt_col_is_null(s, 10) ? 0 : cp_stmt_col_int(s, 10),
                             .tlp = (int)cp_stmt_col_int(s, 11), .created = cp_stmt_col_is_null(s, 10)};
    } else if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_alerts_stix_flush(cp_conn *c, int64_t now_ms, int max, int *written, cp_err *err)
{
    *written = 0;
    if (max < 1) return CP_OK;
    char(*ids)[CP_UUID_LEN + 1] = NULL;
    stix_row *rows = NULL;
    cp_alert_stix *a = NULL;
    int n = 0, k = 0;
    int64_t lease = 0;
    while (lease <= 0) {
        cp_random_bytes(&lease, sizeof lease);
        lease &= INT64_MAX;
    }
    cp_status st = claim_due(c, now_ms, max, lease, &ids, &n, err);
    if (!st && !n) {
        free(ids);
        return CP_OK;
    }
    if (!st) st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (!st) {
        rows = calloc((size_t)n, sizeof *rows);
        a = calloc((size_t)n, sizeof *a);
        if (!rows || !a) st = cp_fail(err, CP_E_NOMEM, "out of memory");
        for (int i = 0; !st && i < n; i++) {
            bool found = false;
            st = load_alert(c, ids[i], &rows[k], &a[k], &found, err);
            if (!st && found) k++;
        }
        if (!st && k) st = cp_alerts_stix_write(c, a, (size_t)k, now_ms, err);
        if (!st) st = release_claimed(c, ids, n, lease, err); /* last: batches wait on these rows until commit */
        if (!st) st = cp_conn_commit(c, err);
        else cp_conn_rollback(c);
    }
    if (!st) *written = k;
    free(ids);
    free(rows);
    free(a);
    return st;
}

static pthread_t g_thread;
static bool g_running, g_stop, g_kick;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static cp_db *g_db;

#define FLUSH_MAX 2000

static void *writer(void *arg)
{
    (void)arg;
    cp_conn *c = NULL;
    cp_err err = {{0}};
    for (;;) {
        pthread_mutex_lock(&g_lock);
        bool stop = g_stop;
        g_kick = false;
        pthread_mutex_unlock(&g_lock);
        if (stop) break;
        if (!c && cp_db_connect(g_db, &c, &err)) {
            cp_log(CP_LOG_WARN, "alerts_stix", "cannot reach the store: %s", err.msg);
            c = NULL;
        }
        int written = 0;
        if (c && cp_alerts_stix_flush(c, cp_now_ms(), FLUSH_MAX, &written, &err)) {
            cp_log(CP_LOG_WARN, "alerts_stix", "writing alerts as STIX: %s", err.msg);
            cp_conn_close(c);
            c = NULL;
            written = 0;
        }
        if (written == FLUSH_MAX) continue; /* more are due */
        pthread_mutex_lock(&g_lock);
        if (!g_stop && !g_kick) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 250 * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&g_cond, &g_lock, &ts);
        }
        pthread_mutex_unlock(&g_lock);
    }
    if (c) cp_conn_close(c);
    return NULL;
}

cp_status cp_alerts_stix_worker_start(cp_db *db, cp_err *err)
{
    if (g_running) return CP_OK;
    g_db = db;
    g_stop = false;
    if (pthread_create(&g_thread, NULL, writer, NULL) != 0)
        return cp_fail(err, CP_E_INTERNAL, "cannot start the alerts' STIX writer");
    g_running = true;
    return CP_OK;
}

void cp_alerts_stix_worker_stop(void)
{
    if (!g_running) return;
    pthread_mutex_lock(&g_lock);
    g_stop = true;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    pthread_join(g_thread, NULL);
    g_running = false;
}

void cp_alerts_stix_kick(void)
{
    pthread_mutex_lock(&g_lock);
    g_kick = true;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
}
