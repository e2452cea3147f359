/*
 * alerts.h — alerts raised for a member from events (store side).
 *
 * An alert aggregates the events of one (member, key, address, window):
 *   key      "indicator:<stix id>" when events matched an indicator the member
 *            may read, else "classification:<RSIT class/type>";
 *   address  the member's own address or name the events concern;
 *   window   aligned multiples of alert-window (ms since the epoch), decided
 *            by the event's time.
 * with count, first_seen, last_seen (event times) and the strictest TLP of
 * what it was derived from. Status: open → acknowledged → closed (or open →
 * closed); a closed alert is final, and a later event with its key opens a
 * new one.
 *
 * Changes reach alerts through the alert journal (below). Every changed alert is queued (alert_stix_queue, in the caller's write
 * transaction) for its STIX 2.1 version in the member's private alerts
 * collection: a new alert at once, a grown one once its last version is
 * older than the refresh interval. The STIX writer (cp_alerts_stix_flush,
 * run by a thread of serve) writes them in batches per member. A new alert
 * is queued for the member's webhook (webhook.h) in the same transaction.
 *
 * The alert as the API renders it: see docs/api.md ("Early warning").
 */
#ifndef CP_WARNING_ALERTS_H
#define CP_WARNING_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"
#include "warning/events.h"

/* One aggregated change for one alert, from one batch (or, in the folder,
 * from every pending batch). */
typedef struct {
    const char *member_id;
    const char *indicator_id;    /* NULL: keyed by classification */
    const char *classification;
    const char *address;
    const char *address_kind;    /* "ip" or "domain" */
    int64_t window_start;
    int64_t count;
    int64_t first_seen, last_seen;
    int tlp;                     /* cp_tlp, resolved (never NONE) */
    /* the first event for this alert (what a new alert keeps), and its batch: */
    const char *source;          /* the sensor's name; NULL */
    const char *event;           /* the event's exact text; NULL = "{}" */
    size_t event_len;
    int64_t event_time;          /* its time (ms) */
    const char *reported_by;     /* the submitter's member; NULL */
    int64_t received_ms;         /* when the server received the batch */
    /* filled by cp_alerts_prepare (outside the write transaction): */
    char new_id[CP_UUID_LEN + 1];
    /* out: */
    bool created;                /* the delta opened a new alert */
    int64_t stored_ms;           /* when it was written (commit pending) */
} cp_alert_delta;

typedef struct {
    int64_t created, updated, stix_queued, webhooks_queued;
} cp_alerts_applied;

/* The CPU work of applying deltas, done before the write transaction opens
 * (the ids of alerts the deltas may create). */
void cp_alerts_prepare(cp_alert_delta *d, size_t n);

/* Applies prepared deltas (sorted by key: cp_alert_delta_cmp) inside the
 * caller's open write transaction (see above). Fills each delta's created
 * and stored_ms (the caller observes delivery times after commit). */
cp_status cp_alerts_apply(cp_conn *c, cp_alert_delta *d, size_t n, int64_t stix_refresh_ms,
                          cp_alerts_applied *out, cp_err *err);
/* A total order on alert keys (member, key, address, window): writers that
 * lock alert rows in this order never deadlock on PostgreSQL. qsort shape. */
int cp_alert_delta_cmp(const void *a, const void *b);

/* --- the alert journal (alerts_journal.c, alerts_fold.c) ---
 *
 * POST /api/v1/events does not touch alerts: it commits one alert_journal
 * row per batch (the batch's deltas as text) with its audit entry. The
 * folder merges the pending rows of many batches, applies them with
 * cp_alerts_apply and deletes them, in one write transaction (exactly once).
 * A reader of alerts (the HTTP handlers of list, get, transition) first
 * folds what was received before it (read-your-writes). */

/* The text of a batch's deltas (malloc'd, NUL-terminated; NULL when out of
 * memory). sample[i] numbers the distinct first events (any int, equal for
 * deltas sharing one event), so each event's text is stored once. */
char *cp_alert_journal_encode(const cp_alert_delta *d, const uint32_t *sample, size_t n, size_t *len);
/* Decodes text (modified in place: the deltas point into it) into *d
 * (malloc'd, *n of them); received_ms and reported_by are the row's.
 * CP_E_STORE with a message when the text is not a journal's. */
cp_status cp_alert_journal_decode(char *text, size_t len, int64_t received_ms, const char *reported_by,
                                  cp_alert_delta **d, size_t *n, cp_err *err);

typedef struct {
    int64_t batches, events, aggregates; /* journal rows folded, their events, their deltas */
    int64_t created, updated, webhooks_queued;
} cp_alerts_folded;

/* Folds up to max_rows pending journal rows received at or before upto_ms
 * (0: any) inside the caller's open write transaction. wait: on PostgreSQL,
 * wait for rows another server is folding (a reader that must see them);
 * otherwise skip them (SKIP LOCKED). Adds to *out. Call
 * cp_alerts_fold_notify(out) after commit. */
cp_status cp_alerts_fold_tx(cp_conn *c, int64_t upto_ms, int max_rows, bool wait, int64_t stix_refresh_ms,
                            cp_alerts_folded *out, cp_err *err);
void cp_alerts_fold_notify(const cp_alerts_folded *f);
/* Folds everything received at or before upto_ms (0: now), in write
 * transactions of its own; a no-op read when nothing is pending. What a
 * reader of alerts calls first (the HTTP handlers do). */
cp_status cp_alerts_fold_pending(cp_conn *c, int64_t upto_ms, int64_t stix_refresh_ms, cp_alerts_folded *out,
                                 cp_err *err);
/* The folder thread of serve: folds when enough batches are pending or
 * every 200 ms, and everything pending when it starts and stops. */
cp_status cp_alerts_fold_worker_start(cp_db *db, int64_t stix_refresh_ms, cp_err *err);
void cp_alerts_fold_worker_stop(void);
/* A batch was journaled (wakes the folder when enough are pending). */
void cp_alerts_fold_kick(void);

typedef struct {
    const char *member_id;       /* NULL = every member (secretariat, auditor) */
    const char *status;          /* open, acknowledged, closed; NULL = any */
    const char *indicator_id;
    const char *address;
    const char *classification;
    int64_t since, until;        /* event times overlapping [since, until); 0 = unbounded */
    int limit;
    const char *next;
} cp_alert_filter;

/* One page {"items": [...], "next": cursor|null}, newest first. 400 for a bad
 * filter or cursor. */
cp_status cp_alerts_list(cp_conn *c, const cp_alert_filter *f, json_t **page, cp_err *err);
/* The alert and its member (for the authorisation decision). 404 when none. */
cp_status cp_alert_get(cp_conn *c, const char *id, json_t **out, char member_id[CP_UUID_LEN + 1], cp_err *err);
/* to: "acknowledged" or "closed"; 409 when the alert is not in a state that
 * allows it; audit entry in the same transaction. *out the alert after. */
cp_status cp_alert_transition(cp_conn *c, const cp_actor *a, const char *id, const char *to, json_t **out,
                              cp_err *err);

/* The STIX writer: takes up to max queued alerts that are due at now_ms,
 * writes their STIX versions (one ingest per member, never locking an alert row), in
 * one write transaction; *written = alerts written (0: nothing was due).
 * Several servers may run it on one store: each row is taken by one. */
cp_status cp_alerts_stix_flush(cp_conn *c, int64_t now_ms, int max, int *written, cp_err *err);
/* The thread of serve that runs it (every 250 ms, or when kicked). */
cp_status cp_alerts_stix_worker_start(cp_db *db, cp_err *err);
void cp_alerts_stix_worker_stop(void);
void cp_alerts_stix_kick(void);

/* Delivery figures for the service report: histograms per member of
 * receipt→stored, event time→stored, receipt→webhook delivered, rendered as
 * Prometheus text (appended to /metrics). */
void cp_alerts_observe_stored(const char *member_id, int64_t receipt_to_stored_ms, int64_t event_to_stored_ms);
void cp_alerts_observe_webhook(const char *member_id, int64_t receipt_to_delivered_ms);
char *cp_alerts_metrics_render(void);

#endif
