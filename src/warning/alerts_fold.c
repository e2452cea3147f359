/*
 * alerts_fold.c — the folder (alerts.h): takes pending alert_journal rows,
 * merges their deltas per (member, key, address, window) across batches,
 * applies them to alerts (cp_alerts_apply: upserts, STIX queue, webhook
 * deliveries) and deletes the rows, all in one write transaction with one
 * audit entry. A row is applied exactly once: it disappears in the
 * transaction that applies it; a folder that dies leaves it for the next.
 *
 * The thread of serve folds when FOLD_KICK batches are pending or every
 * FOLD_INTERVAL_MS, at most FOLD_ROWS rows per transaction (so a batch
 * waiting for the write lock waits for one bounded fold, not for a backlog).
 * Large folds are cheaper per event (a hot alert is written once for many
 * batches; a page of alerts is written to the WAL once per fold) and let the
 * STIX writer work in larger flushes; readers never wait for the interval
 * (they fold themselves), webhooks and STIX see at most about that delay.
 *
 * On SQLite the CPU work of a fold (reading and decoding the rows, merging,
 * sorting, new ids) is done before the write lock is taken; under it, each
 * row is deleted first and must still be there (a reader may have folded it
 * meanwhile: then the fold starts again). On PostgreSQL the rows are taken
 * with FOR UPDATE (SKIP LOCKED for the thread) inside the transaction.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/worker.h"
#include "warning/alerts.h"
#include "warning/webhook.h"

#define FOLD_ROWS 256
#define FOLD_KICK 64
#define FOLD_INTERVAL_MS 500
#define FOLD_BYTES (64u << 20) /* journal text per fold (a row of 10,000 events is ~2 MB) */

typedef struct {
    char *id, *reported_by, *text;
    int64_t events;
} jrow;

static void free_rows(jrow *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].id);
        free(r[i].reported_by);
        free(r[i].text);
    }
    free(r);
}

static cp_status take_rows(cp_conn *c, int64_t upto, int max, bool wait, jrow **out, size_t *n, cp_err *err)
{
    *out = NULL;
    *n = 0;
    bool pg = cp_conn_dialect(c) == CP_DIALECT_PG;
    const char *sql = !pg   ? "SELECT id, reported_by, events, deltas FROM alert_journal WHERE received_at <= ?"
                              " ORDER BY received_at, id LIMIT ?"
                      : wait ? "SELECT id, reported_by, events, deltas FROM alert_journal WHERE received_at <= ?"
                               " ORDER BY received_at, id LIMIT ? FOR UPDATE"
                             : "SELECT id, reported_by, events, deltas FROM alert_journal WHERE received_at <= ?"
                               " ORDER BY received_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, upto);
    cp_stmt_bind_int(s, 2, max);
    jrow *r = calloc((size_t)max, sizeof *r);
    if (!r) {
        cp_stmt_finalize(s);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    size_t k = 0, bytes = 0;
    cp_step step = CP_STEP_DONE;
    while (k < (size_t)max && bytes < FOLD_BYTES && (step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *rb = cp_stmt_col_text(s, 1);
        r[k].id = strdup(cp_stmt_col_text(s, 0));
        r[k].reported_by = rb ? strdup(rb) : NULL;
        r[k].events = cp_stmt_col_int(s, 2);
        r[k].text = strdup(cp_stmt_col_text(s, 3));
        bytes += r[k].text ? strlen(r[k].text) : 0;
        if (!r[k].id || !r[k].text || (rb && !r[k].reported_by)) {
            k++;
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            break;
        }
        k++;
    }
    if (!st && step == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) {
        free_rows(r, k);
        return st;
    }
    *out = r;
    *n = k;
    return CP_OK;
}

/* --- merging deltas across batches --- */

static uint64_t key_hash(const cp_alert_delta *d)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[4] = {d->member_id, d->indicator_id ? d->indicator_id : "", d->indicator_id ? "" : d->classification,
                            d->address};
    for (int p = 0; p < 4; p++) {
        for (const char *s = parts[p]; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    return (h ^ (uint64_t)d->window_start) * 0x9e3779b97f4a7c15ULL;
}

/* Merges n deltas (in journal order) into *out (the first delta of each key
 * keeps its event, submitter and receipt: the alert's first event). */
static cp_status merge(const cp_alert_delta *d, size_t n, cp_alert_delta **out, size_t *n_out, cp_err *err)
{
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    uint32_t *slot = calloc(cap, sizeof *slot);
    cp_alert_delta *m = malloc((n ? n : 1) * sizeof *m);
    if (!slot || !m) {
        free(slot);
        free(m);
        return cp_fail(err, CP_E_NOMEM, "out of memory merging alert changes");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const cp_alert_delta *x = &d[i];
        size_t h = key_hash(x) & (cap - 1);
        cp_alert_delta *y = NULL;
        for (; slot[h]; h = (h + 1) & (cap - 1)) {
            cp_alert_delta *z = &m[slot[h] - 1];
            if (cp_alert_delta_cmp(x, z) == 0) {
                y = z;
                break;
            }
        }
        if (!y) {
            m[k] = *x;
            slot[h] = (uint32_t)++k;
            continue;
        }
        y->count += x->count;
        if (x->first_seen < y->first_seen) y->first_seen = x->first_seen;
        if (x->last_seen > y->last_seen) y->last_seen = x->last_seen;
        if (x->tlp > y->tlp) y->tlp = x->tlp;
    }
    free(slot);
    *out = m;
    *n_out = k;
    return CP_OK;
}

/* What one fold takes: journal rows, their deltas, merged, sorted, prepared. */
typedef struct {
    jrow *rows;
    size_t nr;
    cp_alert_delta *all, *merged;
    size_t n_all, n_merged;
    int64_t events;
} gathered;

static void gathered_free(gathered *g)
{
    free(g->merged);
    free(g->all);
    free_rows(g->rows, g->nr);
    memset(g, 0, sizeof *g);
}

/* Reads up to max rows and does all the CPU work of folding them (decode,
 * merge, sort, new ids): on SQLite before the write lock is taken. */
static cp_status gather(cp_conn *c, int64_t upto, int max, bool wait, gathered *g, cp_err *err)
{
    memset(g, 0, sizeof *g);
    cp_status st = take_rows(c, upto, max, wait, &g->rows, &g->nr, err);
    if (st || !g->nr) return st;
    for (size_t i = 0; !st && i < g->nr; i++) {
        cp_alert_delta *d;
        size_t n;
        if ((st = cp_alert_journal_decode(g->rows[i].text, strlen(g->rows[i].text), 0, g->rows[i].reported_by, &d, &n,
                                          err))) {
            cp_log(CP_LOG_ERROR, "alerts_fold", "journal row %s: %s", g->rows[i].id, err->msg);
            break;
        }
        cp_alert_delta *x = realloc(g->all, (g->n_all + n + 1) * sizeof *g->all);
        if (!x) {
            free(d);
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            break;
        }
        g->all = x;
        memcpy(g->all + g->n_all, d, n * sizeof *d);
        g->n_all += n;
        free(d);
        g->events += g->rows[i].events;
    }
    if (!st) st = merge(g->all, g->n_all, &g->merged, &g->n_merged, err);
    if (!st) {
        qsort(g->merged, g->n_merged, sizeof *g->merged, cp_alert_delta_cmp);
        cp_alerts_prepare(g->merged, g->n_merged);
    }
    if (st) gathered_free(g);
    return st;
}

/* Inside the write transaction: deletes the rows (each must still be there:
 * CP_E_CONFLICT when another folder took one meanwhile), applies the merged
 * deltas, appends the audit entry. */
static cp_status apply_gathered(cp_conn *c, gathered *g, int64_t stix_refresh_ms, cp_alerts_folded *out, cp_err *err)
{
    cp_status st = CP_OK;
    for (size_t i = 0; !st && i < g->nr; i++) {
        cp_stmt *s; /* (prepared forms are cached: one per row costs nothing) */
        if ((st = cp_stmt_prepare(c, "DELETE FROM alert_journal WHERE id = ?", &s, err))) break;
        cp_stmt_bind_text(s, 1, g->rows[i].id);
        st = cp_stmt_run(s, err);
        if (!st && cp_stmt_changes(s) != 1)
            st = cp_fail(err, CP_E_CONFLICT, "journal row %s was folded by someone else meanwhile", g->rows[i].id);
        cp_stmt_finalize(s);
    }
    cp_alerts_applied ap = {0};
    if (!st) st = cp_alerts_apply(c, g->merged, g->n_merged, stix_refresh_ms, &ap, err);
    if (!st) {
        json_t *d = json_pack("{sI sI sI sI sI}", "batches", (json_int_t)g->nr, "events", (json_int_t)g->events,
                              "aggregates", (json_int_t)g->n_all, "alerts_created", (json_int_t)ap.created,
                              "alerts_updated", (json_int_t)ap.updated);
        st = cp_audit_append(c, "system:early-warning", "alerts.fold", "alerts", d, err);
        json_decref(d);
    }
    if (!st) {
        out->batches += (int64_t)g->nr;
        out->events += g->events;
        out->aggregates += (int64_t)g->n_all;
        out->created += ap.created;
        out->updated += ap.updated;
        out->webhooks_queued += ap.webhooks_queued;
        for (size_t i = 0; i < g->n_merged; i++)
            if (g->merged[i].created)
                cp_alerts_observe_stored(g->merged[i].member_id, g->merged[i].stored_ms - g->merged[i].received_ms,
                                         g->merged[i].stored_ms - g->merged[i].event_time);
    }
    return st;
}

cp_status cp_alerts_fold_tx(cp_conn *c, int64_t upto_ms, int max_rows, bool wait, int64_t stix_refresh_ms,
                            cp_alerts_folded *out, cp_err *err)
{
    gathered g;
    cp_status st = gather(c, upto_ms ? upto_ms : cp_now_ms(), max_rows, wait, &g, err);
    if (st || !g.nr) return st;
    st = apply_gathered(c, &g, stix_refresh_ms, out, err);
    gathered_free(&g);
    return st;
}

void cp_alerts_fold_notify(const cp_alerts_folded *f)
{
    if (f->webhooks_queued) cp_webhook_notify();
    if (f->created) cp_alerts_stix_kick();
}

static cp_status pending(cp_conn *c, int64_t upto, bool *any, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1 FROM alert_journal WHERE received_at <= ? LIMIT 1", &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, upto);
    cp_step r = cp_stmt_step(s, err);
    *any = r == CP_STEP_ROW;
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

/* One fold at a time in this process: readers that arrive together would
 * otherwise each read and merge the same rows, and all but one find them
 * gone (on SQLite the write lock serialises the folds anyway). */
static pthread_mutex_t g_fold_mu = PTHREAD_MUTEX_INITIALIZER;

static cp_status fold_step(cp_conn *c, int64_t upto, bool wait, int64_t stix_refresh_ms, cp_alerts_folded *f,
                           bool *done, cp_err *err);

/* Folds rows received up to upto, one bounded transaction at a time, until
 * none is left (wait) or none can be taken (skip locked). */
static cp_status fold_all(cp_conn *c, int64_t upto, bool wait, int64_t stix_refresh_ms, cp_alerts_folded *out,
                          cp_err *err)
{
    for (;;) {
        cp_alerts_folded f = {0};
        bool done = false;
        pthread_mutex_lock(&g_fold_mu);
        cp_status st = fold_step(c, upto, wait, stix_refresh_ms, &f, &done, err);
        pthread_mutex_unlock(&g_fold_mu);
        if (st || done) return st;
        cp_alerts_fold_notify(&f);
        out->batches += f.batches;
        out->events += f.events;
        out->aggregates += f.aggregates;
        out->created += f.created;
        out->updated += f.updated;
        out->webhooks_queued += f.webhooks_queued;
    }
}

/* One fold transaction; *done when nothing (more) can be folded. */
static cp_status fold_step(cp_conn *c, int64_t upto, bool wait, int64_t stix_refresh_ms, cp_alerts_folded *out,
                           bool *done, cp_err *err)
{
    for (;;) {
        bool any;
        cp_status st = pending(c, upto, &any, err);
        if (st || !any) {
            *done = true;
            return st;
        }
        cp_alerts_folded f = {0};
        if (cp_conn_dialect(c) == CP_DIALECT_PG) {
            /* rows are taken with FOR UPDATE inside the transaction */
            if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
            st = cp_alerts_fold_tx(c, upto, FOLD_ROWS, wait, stix_refresh_ms, &f, err);
        } else {
            /* SQLite: the CPU work before the write lock, then the rows must still be there */
            gathered g;
            if ((st = gather(c, upto, FOLD_ROWS, wait, &g, err))) return st;
            if (!g.nr) {
                *done = true;
                return CP_OK;
            }
            if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) {
                gathered_free(&g);
                return st;
            }
            st = apply_gathered(c, &g, stix_refresh_ms, &f, err);
            gathered_free(&g);
        }
        if (!st) st = cp_conn_commit(c, err);
        else cp_conn_rollback(c);
        if (st == CP_E_CONFLICT && cp_conn_dialect(c) != CP_DIALECT_PG) continue; /* another process folded some: again */
        if (st) return st;
        *out = f;
        *done = !f.batches; /* what is left is being folded by another server */
        return CP_OK;
    }
}

cp_status cp_alerts_fold_pending(cp_conn *c, int64_t upto_ms, int64_t stix_refresh_ms, cp_alerts_folded *out,
                                 cp_err *err)
{
    cp_alerts_folded f = {0};
    cp_status st = fold_all(c, upto_ms ? upto_ms : cp_now_ms(), true, stix_refresh_ms, &f, err);
    if (out) *out = f;
    return st;
}

/* --- the thread: a store/worker.h step --- */

static cp_worker *g_worker;
static cp_db *g_db;
static atomic_int g_pending;
static int64_t g_refresh_ms;

static cp_status folder_step(cp_conn *c, void *ctx, bool *more, cp_err *err)
{
    (void)ctx;
    *more = false; /* fold_all folds until nothing is left */
    atomic_store(&g_pending, 0);
    cp_alerts_folded f = {0};
    cp_status st = fold_all(c, cp_now_ms(), false, g_refresh_ms, &f, err);
    return st ? cp_fail_prefix(err, st, "folding the alert journal") : CP_OK;
}

cp_status cp_alerts_fold_worker_start(cp_db *db, int64_t stix_refresh_ms, cp_err *err)
{
    if (g_worker) return CP_OK;
    g_db = db;
    g_refresh_ms = stix_refresh_ms;
    return cp_worker_start(db, "alerts_fold", folder_step, NULL, FOLD_INTERVAL_MS, &g_worker, err);
}

void cp_alerts_fold_worker_stop(void)
{
    if (!g_worker) return;
    cp_worker_stop(g_worker);
    g_worker = NULL;
    /* once more after the stop: what was journaled until then */
    cp_conn *c;
    cp_err err = {{0}};
    cp_alerts_folded f = {0};
    if (cp_db_connect(g_db, &c, &err) == CP_OK) {
        if (fold_all(c, cp_now_ms(), false, g_refresh_ms, &f, &err))
            cp_log(CP_LOG_WARN, "alerts_fold", "folding the alert journal at stop: %s", err.msg);
        cp_conn_close(c);
    } else {
        cp_log(CP_LOG_WARN, "alerts_fold", "cannot reach the store at stop: %s", err.msg);
    }
}

void cp_alerts_fold_kick(void)
{
    if (g_worker && atomic_fetch_add(&g_pending, 1) + 1 == FOLD_KICK) cp_worker_kick(g_worker);
}
