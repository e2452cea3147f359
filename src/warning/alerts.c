/*
 * alerts.c — applying a batch's aggregated changes to the alerts (upserts:
 * the partial unique index on open alerts does the aggregation across
 * batches and servers), then the STIX versions and webhook deliveries the
 * changes call for.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "warning/alerts.h"
#include "warning/alerts_internal.h"
#include "warning/webhook.h"

static _Atomic uint32_t g_seq_counter;

/* Upserts go up to UPSERT_ROWS at a time in one statement, in chunks whose
 * sizes are powers of two (few statement shapes to cache); one statement per row
 * cost more in preparing and stepping than in the writes themselves); rows of
 * one statement never share a key (the batch was aggregated), which
 * PostgreSQL requires of ON CONFLICT DO UPDATE. RETURNING order is not
 * defined: rows are matched back by their key. */
#define UPSERT_ROWS 256
#define UPSERT_COLS 19

static const char UPSERT_HEAD[] =
    "INSERT INTO alerts (id, member_id, akey, indicator_id, classification, address, address_kind, window_start,"
    " status, count, first_seen, last_seen, tlp, source, reported_by, event, received_at, created_at, updated_at, seq)"
    " VALUES ";
static const char UPSERT_ROW[] = "(?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char UPSERT_TAIL[] =
    " ON CONFLICT (member_id, akey, address, window_start) WHERE status <> 'closed' DO UPDATE SET"
    " count = alerts.count + excluded.count,"
    " first_seen = CASE WHEN excluded.first_seen < alerts.first_seen THEN excluded.first_seen ELSE alerts.first_seen END,"
    " last_seen = CASE WHEN excluded.last_seen > alerts.last_seen THEN excluded.last_seen ELSE alerts.last_seen END,"
    " tlp = CASE WHEN excluded.tlp > alerts.tlp THEN excluded.tlp ELSE alerts.tlp END,"
    " updated_at = excluded.updated_at"
    " RETURNING id, member_id, akey, address, window_start, count, first_seen, last_seen, tlp, created_at";

#define QUEUE_ROWS 512
static char *g_sql[UPSERT_ROWS + 1], *g_queue_sql[QUEUE_ROWS + 1];
static pthread_once_t g_sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
    static const char QH[] = "INSERT INTO alert_stix_queue (alert_id, due_at) VALUES ";
    /* a row a writer has claimed is un-claimed: the version it is writing may
     * miss this change, so the row must stay for the next one */
    static const char QT[] = " ON CONFLICT (alert_id) DO UPDATE SET claimed = 0, due_at = excluded.due_at"
                             " WHERE alert_stix_queue.claimed <> 0";
    for (int rows = 1; rows <= QUEUE_ROWS; rows *= 2) {
        size_t len = sizeof QH + (size_t)rows * 16 + sizeof QT;
        char *q = malloc(len);
        if (!q) continue;
        size_t at = (size_t)snprintf(q, len, "%s", QH);
        for (int r = 0; r < rows; r++) at += (size_t)snprintf(q + at, len - at, "%s(?, ?)", r ? ", " : "");
        snprintf(q + at, len - at, "%s", QT);
        g_queue_sql[rows] = q;
    }
    for (int rows = 1; rows <= UPSERT_ROWS; rows *= 2) {
        size_t len = sizeof UPSERT_HEAD + (size_t)rows * (sizeof UPSERT_ROW + 2) + sizeof UPSERT_TAIL;
        char *q = malloc(len);
        if (!q) continue;
        size_t at = (size_t)snprintf(q, len, "%s", UPSERT_HEAD);
        for (int r = 0; r < rows; r++) at += (size_t)snprintf(q + at, len - at, "%s%s", r ? ", " : "", UPSERT_ROW);
        snprintf(q + at, len - at, "%s", UPSERT_TAIL);
        g_sql[rows] = q;
    }
}

static size_t key_hash(const char *member, const char *akey, const char *addr, int64_t window)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[3] = {member, akey, addr};
    for (int p = 0; p < 3; p++) {
        for (const char *c = parts[p]; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    h ^= (uint64_t)window;
    h *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29));
}

/* The largest power of two <= min(left, max). */
static size_t chunk(size_t left, size_t max)
{
    size_t c = 1;
    while (c * 2 <= left && c * 2 <= max) c *= 2;
    return c;
}

typedef struct {
    char id[CP_UUID_LEN + 1];
    int64_t count, first_seen, last_seen, created_at;
    int tlp;
    bool created, seen;
} upserted;

static void akey_of(const cp_alert_delta *d, char *out, size_t cap)
{
    if (d->indicator_id) snprintf(out, cap, "indicator:%s", d->indicator_id);
    else snprintf(out, cap, "classification:%s", d->classification);
}

void cp_alerts_prepare(cp_alert_delta *d, size_t n)
{
    /* one call for the randomness of every id (a call per id cost a system call each) */
    uint8_t r[16 * 64];
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        if (i % 64 == 0) cp_random_bytes(r, sizeof r);
        uint8_t *b = r + 16 * (i % 64);
        b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
        b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
        int o = 0;
        for (int k = 0; k < 16; k++) {
            if (k == 4 || k == 6 || k == 8 || k == 10) d[i].new_id[o++] = '-';
            d[i].new_id[o++] = hx[b[k] >> 4];
            d[i].new_id[o++] = hx[b[k] & 15];
        }
        d[i].new_id[o] = 0;
    }
}

int cp_alert_delta_cmp(const void *x, const void *y)
{
    const cp_alert_delta *a = x, *b = y;
    int c = strcmp(a->member_id, b->member_id);
    if (!c) c = strcmp(a->indicator_id ? a->indicator_id : "", b->indicator_id ? b->indicator_id : "");
    if (!c && !a->indicator_id) c = strcmp(a->classification, b->classification);
    if (!c) c = strcmp(a->address, b->address);
    if (!c) c = a->window_start < b->window_start ? -1 : a->window_start > b->window_start;
    return c;
}

/* Upserts d[0..rows) in one statement; fills u[0..rows). */
static cp_status upsert_chunk(cp_conn *c, cp_alert_delta *d, upserted *u, int rows, int64_t now, cp_err *err)
{
    pthread_once(&g_sql_once, build_sql);
    if (!g_sql[rows]) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, g_sql[rows], &s, err);
    if (st) return st;
    char (*akeys)[300] = malloc((size_t)rows * sizeof *akeys);
    if (!akeys) {
        cp_stmt_finalize(s);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    for (int r = 0; r < rows; r++) {
        const cp_alert_delta *x = &d[r];
        int p = r * UPSERT_COLS;
        akey_of(x, akeys[r], sizeof akeys[r]);
        int64_t seq = now * 1000 + (int64_t)(atomic_fetch_add(&g_seq_counter, 1) % 1000);
        cp_stmt_bind_text(s, p + 1, x->new_id);
        cp_stmt_bind_text(s, p + 2, x->member_id);
        cp_stmt_bind_text(s, p + 3, akeys[r]);
        cp_stmt_bind_text(s, p + 4, x->indicator_id);
        cp_stmt_bind_text(s, p + 5, x->classification);
        cp_stmt_bind_text(s, p + 6, x->address);
        cp_stmt_bind_text(s, p + 7, x->address_kind);
        cp_stmt_bind_int(s, p + 8, x->window_start);
        cp_stmt_bind_int(s, p + 9, x->count);
        cp_stmt_bind_int(s, p + 10, x->first_seen);
        cp_stmt_bind_int(s, p + 11, x->last_seen);
        cp_stmt_bind_int(s, p + 12, x->tlp);
        cp_stmt_bind_text(s, p + 13, x->source);
        cp_stmt_bind_text(s, p + 14, x->reported_by && *x->reported_by ? x->reported_by : NULL);
        if (x->event) cp_stmt_bind_textn(s, p + 15, x->event, x->event_len);
        else cp_stmt_bind_text(s, p + 15, "{}");
        cp_stmt_bind_int(s, p + 16, x->received_ms);
        cp_stmt_bind_int(s, p + 17, now);
        cp_stmt_bind_int(s, p + 18, now);
        cp_stmt_bind_int(s, p + 19, seq);
    }
    /* the rows of this chunk by key, to match RETURNING's rows back */
    size_t cap = 16;
    while (cap < (size_t)rows * 2) cap *= 2;
    int *slot = calloc(cap, sizeof *slot);
    if (!slot) {
        cp_stmt_finalize(s);
        free(akeys);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    for (int r = 0; r < rows; r++) {
        size_t h = key_hash(d[r].member_id, akeys[r], d[r].address, d[r].window_start) & (cap - 1);
        while (slot[h]) h = (h + 1) & (cap - 1);
        slot[h] = r + 1;
    }
    cp_step step;
    int got = 0;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *member = cp_stmt_col_text(s, 1), *akey = cp_stmt_col_text(s, 2), *addr = cp_stmt_col_text(s, 3);
        int64_t window = cp_stmt_col_int(s, 4);
        size_t h = key_hash(member, akey, addr, window) & (cap - 1);
        int r = -1;
        for (; slot[h]; h = (h + 1) & (cap - 1)) {
            int k = slot[h] - 1;
            if (!u[k].seen && d[k].window_start == window && strcmp(d[k].address, addr) == 0 &&
                strcmp(d[k].member_id, member) == 0 && strcmp(akeys[k], akey) == 0) {
                r = k;
                break;
            }
        }
        if (r < 0) continue; /* cannot happen: every row returned is one of ours */
        upserted *x = &u[r];
        x->seen = true;
        snprintf(x->id, sizeof x->id, "%s", cp_stmt_col_text(s, 0));
        x->count = cp_stmt_col_int(s, 5);
        x->first_seen = cp_stmt_col_int(s, 6);
        x->last_seen = cp_stmt_col_int(s, 7);
        x->tlp = (int)cp_stmt_col_int(s, 8);
        x->created_at = cp_stmt_col_int(s, 9);
        x->created = strcmp(x->id, d[r].new_id) == 0;
        got++;
    }
    free(slot);
    if (step == CP_STEP_ERROR) st = cp_stmt_status(s);
    else if (got != rows) st = cp_fail(err, CP_E_STORE, "the alert upsert returned %d rows for %d alerts", got, rows);
    cp_stmt_finalize(s);
    free(akeys);
    return st;
}

/* Members that have a webhook (one query per batch). */
typedef struct {
    char (*ids)[CP_UUID_LEN + 1];
    size_t n;
} id_set;

static cp_status webhook_members(cp_conn *c, id_set *set, cp_err *err)
{
    memset(set, 0, sizeof *set);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT member_id FROM webhooks", &s, err);
    if (st) return st;
    size_t cap = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (set->n == cap) {
            cap = cap ? cap * 2 : 16;
            void *g = realloc(set->ids, cap * sizeof *set->ids);
            if (!g) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory");
                break;
            }
            set->ids = g;
        }
        snprintf(set->ids[set->n++], CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static bool in_set(const id_set *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->ids[i], id) == 0) return true;
    return false;
}

cp_status cp_alerts_apply(cp_conn *c, cp_alert_delta *d, size_t n, int64_t stix_refresh_ms, cp_alerts_applied *out,
                          cp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!n) return CP_OK;
    int64_t now = cp_now_ms();
    upserted *u = calloc(n, sizeof *u);
    if (!u) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_status st = CP_OK;
    for (size_t i = 0, rows; !st && i < n; i += rows) {
        rows = chunk(n - i, UPSERT_ROWS);
        st = upsert_chunk(c, d + i, u + i, (int)rows, now, err);
    }

    for (size_t i = 0; !st && i < n; i++) {
        if (u[i].created) out->created++;
        else out->updated++;
    }
    /* The STIX versions are written by the STIX writer (alerts_stix.c), from
     * this queue: a new alert at once, a grown one stix_refresh_ms after it
     * grew; a row already queued keeps its (earlier) time, so an alert has at
     * most one version pending and a version at most stix_refresh_ms after
     * any change. */
    for (size_t i = 0, rows; !st && i < n; i += rows) {
        rows = chunk(n - i, QUEUE_ROWS);
        pthread_once(&g_sql_once, build_sql);
        if (!g_queue_sql[rows]) {
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            break;
        }
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, g_queue_sql[rows], &s, err))) break;
        for (int r = 0; r < (int)rows; r++) {
            const upserted *x = &u[i + (size_t)r];
            cp_stmt_bind_text(s, 2 * r + 1, x->id);
            cp_stmt_bind_int(s, 2 * r + 2, x->created ? now : now + stix_refresh_ms);
        }
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    out->stix_queued = (int64_t)n;

    /* Webhook deliveries for new alerts of members that have a webhook. */
    id_set hooks = {0};
    if (!st && out->created) st = webhook_members(c, &hooks, err);
    for (size_t i = 0; !st && i < n && hooks.n; i++) {
        if (!u[i].created || !in_set(&hooks, d[i].member_id)) continue;
        json_t *alert;
        if ((st = cp_alert_fetch(c, u[i].id, &alert, NULL, err))) break;
        st = cp_webhook_enqueue(c, d[i].member_id, u[i].id, alert, d[i].received_ms, err);
        json_decref(alert);
        if (!st) out->webhooks_queued++;
    }
    free(hooks.ids);
    for (size_t i = 0; !st && i < n; i++) {
        d[i].created = u[i].created;
        d[i].stored_ms = now;
    }
    free(u);
    return st;
}
