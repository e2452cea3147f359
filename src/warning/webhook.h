/*
 * webhook.h — members' webhooks: where a member's new alerts are POSTed, the
 * persistent delivery queue, and the delivery thread of `cyberpact serve`.
 *
 * A member has at most one webhook: an https:// URL (http:// only to a
 * loopback host, for tests and local relays) and a secret the server
 * generates (32 random bytes, base64url: 43 characters), shown once when set.
 *
 * Each new alert of a member with a webhook is queued (webhook_deliveries) in
 * the transaction that creates it, so nothing is lost on restart. The body is
 * fixed at enqueue:
 *   {"type": "alert.created", "delivery_id": "<uuid>", "alert": {...}}
 * and POSTed with
 *   Content-Type: application/json
 *   X-Cyberpact-Delivery: <delivery id>      (the receiver de-duplicates on it)
 *   X-Cyberpact-Event: alert.created
 *   X-Cyberpact-Timestamp: <unix seconds at this attempt>
 *   X-Cyberpact-Signature: sha256=<hex HMAC-SHA256(key = the secret's 43
 *                          ASCII characters, message = timestamp "." body)>
 * The receiver recomputes the HMAC over the exact bytes received, compares in
 * constant time, and refuses a timestamp more than 5 minutes from its clock
 * (a replayed request carries an old timestamp, and a new timestamp needs the
 * secret).
 *
 * A 2xx answer delivers. Anything else (status, connection error, timeout) is
 * recorded as an attempt and retried after base * 2^(attempts-1) (capped at
 * one hour, plus up to 10% jitter) until webhook-max-attempts, then the
 * delivery is failed. Every attempt is listed by GET .../webhook/deliveries.
 */
#ifndef CP_WARNING_WEBHOOK_H
#define CP_WARNING_WEBHOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_WEBHOOK_SECRET_LEN 43
#define CP_WEBHOOK_URL_MAX 2048
#define CP_WEBHOOK_SIG_HEX 64

/* in: {"url": "..."}. Sets (or replaces, with a new secret) the member's
 * webhook; audit entry (without the secret). *out: {"member_id", "url",
 * "secret", "created_at", "updated_at"} — the only time the secret is shown. */
cp_status cp_webhook_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                         cp_err *err);
/* {"member_id", "url", "secret_hint" (first 4 characters), "created_at",
 * "updated_at", "pending", "delivered", "failed"}; 404 when none. */
cp_status cp_webhook_get(cp_conn *c, const char *member_id, json_t **out, cp_err *err);
/* Removes it (pending deliveries then fail on their next attempt); 404 when none. */
cp_status cp_webhook_delete(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err);

/* Queues alert (borrowed) for member_id, inside the caller's transaction. */
cp_status cp_webhook_enqueue(cp_conn *c, const char *member_id, const char *alert_id, const json_t *alert,
                             int64_t received_ms, cp_err *err);

/* The member's deliveries, newest first: {"items": [{"id", "alert_id", "status",
 * "attempts", "next_attempt_at", "created_at", "delivered_at", "last_error",
 * "last_http_status", "attempt_log": [{"attempt", "at", "http_status",
 * "error", "duration_ms"}]}], "next"}. status: pending, delivered, failed;
 * NULL for any. */
cp_status cp_webhook_deliveries(cp_conn *c, const char *member_id, const char *status, int limit, const char *next,
                                json_t **page, cp_err *err);

/* The signature header value's hex part for (secret, timestamp, body). */
void cp_webhook_sign(const char *secret, int64_t ts, const char *body, size_t len, char out[CP_WEBHOOK_SIG_HEX + 1]);

typedef struct {
    int64_t max_attempts;
    int64_t retry_base_ms;
    int64_t timeout_ms;
} cp_webhook_options;

/* Delivers what is due now (at most max), on c; *done = attempts made.
 * For the delivery thread and tests. */
cp_status cp_webhook_run_once(cp_conn *c, const cp_webhook_options *o, int max, int *done, cp_err *err);

/* The delivery thread of serve: start after the store is open, stop before
 * it closes (waits for the attempt in flight). notify() wakes it when new
 * deliveries were committed. */
cp_status cp_webhook_worker_start(cp_db *db, const cp_webhook_options *o, cp_err *err);
void cp_webhook_worker_stop(void);
void cp_webhook_notify(void);

#endif
