/*
 * alerts.c — applying a batch's aggregated changes to the alerts (one upsert
 * per alert: the partial unique index on open alerts does the aggregation
 * across batches and servers), then the STIX versions and webhook
 * deliveries the changes call for.
 */
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

static const char UPSERT[] =
    "INSERT INTO alerts (id, member_id, akey, indicator_id, classification, address, address_kind, window_start,"
    " status, count, first_seen, last_seen, tlp, source, reported_by, event, received_at, created_at, updated_at, seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (member_id, akey, address, window_start) WHERE status <> 'closed' DO UPDATE SET"
    " count = alerts.count + excluded.count,"
    " first_seen = CASE WHEN excluded.first_seen < alerts.first_seen THEN excluded.first_seen ELSE alerts.first_seen END,"
    " last_seen = CASE WHEN excluded.last_seen > alerts.last_seen THEN excluded.last_seen ELSE alerts.last_seen END,"
    " tlp = CASE WHEN excluded.tlp > alerts.tlp THEN excluded.tlp ELSE alerts.tlp END,"
    " updated_at = excluded.updated_at"
    " RETURNING id, count, first_seen, last_seen, tlp, created_at, stix_at";

typedef struct {
    char id[CP_UUID_LEN + 1];
    int64_t count, first_seen, last_seen, created_at, stix_at;
    int tlp;
    bool created;
} upserted;

static cp_status upsert_one(cp_stmt *s, const cp_alert_delta *d, const char *reported_by, int64_t received_ms,
                            int64_t now, upserted *u, cp_err *err)
{
    char id[CP_UUID_LEN + 1], akey[300];
    cp_uuid4(id);
    if (d->indicator_id) snprintf(akey, sizeof akey, "indicator:%s", d->indicator_id);
    else snprintf(akey, sizeof akey, "classification:%s", d->classification);
    char *event = NULL;
    json_t *ej = d->sample ? cp_event_json(d->sample) : json_object();
    event = cp_json_dump(ej);
    json_decref(ej);
    if (!event) return cp_fail(err, CP_E_NOMEM, "out of memory");
    int64_t seq = now * 1000 + (int64_t)(atomic_fetch_add(&g_seq_counter, 1) % 1000);
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, d->member_id);
    cp_stmt_bind_text(s, 3, akey);
    cp_stmt_bind_text(s, 4, d->indicator_id);
    cp_stmt_bind_text(s, 5, d->classification);
    cp_stmt_bind_text(s, 6, d->address);
    cp_stmt_bind_text(s, 7, d->address_kind);
    cp_stmt_bind_int(s, 8, d->window_start);
    cp_stmt_bind_int(s, 9, d->count);
    cp_stmt_bind_int(s, 10, d->first_seen);
    cp_stmt_bind_int(s, 11, d->last_seen);
    cp_stmt_bind_int(s, 12, d->tlp);
    cp_stmt_bind_text(s, 13, d->sample ? d->sample->source : NULL);
    cp_stmt_bind_text(s, 14, reported_by && *reported_by ? reported_by : NULL);
    cp_stmt_bind_text(s, 15, event);
    cp_stmt_bind_int(s, 16, received_ms);
    cp_stmt_bind_int(s, 17, now);
    cp_stmt_bind_int(s, 18, now);
    cp_stmt_bind_int(s, 19, seq);
    cp_status st = CP_OK;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        snprintf(u->id, sizeof u->id, "%s", cp_stmt_col_text(s, 0));
        u->count = cp_stmt_col_int(s, 1);
        u->first_seen = cp_stmt_col_int(s, 2);
        u->last_seen = cp_stmt_col_int(s, 3);
        u->tlp = (int)cp_stmt_col_int(s, 4);
        u->created_at = cp_stmt_col_int(s, 5);
        u->stix_at = cp_stmt_col_is_null(s, 6) ? 0 : cp_stmt_col_int(s, 6);
        u->created = strcmp(u->id, id) == 0;
        while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        }
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    else if (!u->id[0]) st = cp_fail(err, CP_E_STORE, "the alert upsert returned no row");
    free(event);
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

cp_status cp_alerts_apply(cp_conn *c, const cp_actor *submitter, cp_alert_delta *d, size_t n,
                          int64_t received_ms, int64_t stix_refresh_ms, cp_alerts_applied *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!n) return CP_OK;
    int64_t now = cp_now_ms();
    upserted *u = calloc(n, sizeof *u);
    cp_alert_stix *sx = calloc(n, sizeof *sx);
    if (!u || !sx) {
        free(u);
        free(sx);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    cp_status st = CP_OK;
    for (size_t i = 0; !st && i < n; i++) { /* prepared once per connection (db.h caches by text) */
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, UPSERT, &s, err))) break;
        st = upsert_one(s, &d[i], submitter->member_id, received_ms, now, &u[i], err);
        cp_stmt_finalize(s);
    }

    size_t ns = 0;
    for (size_t i = 0; !st && i < n; i++) {
        if (u[i].created) out->created++;
        else out->updated++;
        bool due = u[i].created || !u[i].stix_at || now - u[i].stix_at >= stix_refresh_ms;
        if (!due) continue;
        sx[ns++] = (cp_alert_stix){.id = u[i].id, .member_id = d[i].member_id, .indicator_id = d[i].indicator_id,
                                   .classification = d[i].classification, .address = d[i].address,
                                   .address_kind = d[i].address_kind, .count = u[i].count,
                                   .first_seen = u[i].first_seen, .last_seen = u[i].last_seen,
                                   .created_at = u[i].created_at, .prev_stix_at = u[i].stix_at, .tlp = u[i].tlp,
                                   .created = u[i].created};
    }
    if (!st && ns) {
        st = cp_alerts_stix_write(c, sx, ns, now, err);
        out->stix_written = (int64_t)ns;
    }

    /* Webhook deliveries for new alerts of members that have a webhook. */
    id_set hooks = {0};
    if (!st && out->created) st = webhook_members(c, &hooks, err);
    for (size_t i = 0; !st && i < n && hooks.n; i++) {
        if (!u[i].created || !in_set(&hooks, d[i].member_id)) continue;
        json_t *alert;
        if ((st = cp_alert_fetch(c, u[i].id, &alert, NULL, err))) break;
        st = cp_webhook_enqueue(c, d[i].member_id, u[i].id, alert, received_ms, err);
        json_decref(alert);
        if (!st) out->webhooks_queued++;
    }
    free(hooks.ids);
    for (size_t i = 0; !st && i < n; i++) {
        d[i].created = u[i].created;
        d[i].stored_ms = now;
    }
    free(u);
    free(sx);
    return st;
}
