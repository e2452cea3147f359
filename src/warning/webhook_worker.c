/*
 * webhook_worker.c — the delivery of queued webhooks (webhook.h): claim a due
 * delivery (so that several servers on one PostgreSQL never send it twice at
 * once), POST it signed with libcurl, record the attempt, deliver or
 * reschedule with exponential back-off, or fail it after the last attempt.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/worker.h"
#include "warning/alerts.h"
#include "warning/webhook.h"

#define CLAIM_LEASE_MS (5 * 60 * 1000)
#define BACKOFF_CAP_MS (3600 * 1000LL)
#define RESPONSE_KEEP 512

typedef struct {
    char id[CP_UUID_LEN + 1];
    char member_id[CP_UUID_LEN + 1];
    char alert_id[CP_UUID_LEN + 1];
    char *body;
    int64_t attempts, next_at, received_at;
} due;

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    size_t *seen = ctx;
    *seen += size * n;
    return *seen > (1 << 20) ? 0 : size * n; /* a receiver has no reason to answer with more than 1 MiB */
}

/* POSTs once; *http 0 when no HTTP answer; err_text set unless 2xx. */
static void post(const char *url, const char *secret, const due *d, int64_t timeout_ms, long *http, char *err_text,
                 size_t cap)
{
    *http = 0;
    err_text[0] = 0;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err_text, cap, "cannot initialise the HTTP client");
        return;
    }
    int64_t ts = (int64_t)time(NULL);
    size_t len = strlen(d->body);
    char sig[CP_WEBHOOK_SIG_HEX + 1], hs[128], ht[64], hd[80];
    cp_webhook_sign(secret, ts, d->body, len, sig);
    snprintf(hs, sizeof hs, "X-Cyberpact-Signature: sha256=%s", sig);
    snprintf(ht, sizeof ht, "X-Cyberpact-Timestamp: %lld", (long long)ts);
    snprintf(hd, sizeof hd, "X-Cyberpact-Delivery: %s", d->id);
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "X-Cyberpact-Event: alert.created");
    hdr = curl_slist_append(hdr, hs);
    hdr = curl_slist_append(hdr, ht);
    hdr = curl_slist_append(hdr, hd);
    hdr = curl_slist_append(hdr, "Expect:");
    size_t seen = 0;
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cyberpact-webhook/1");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 5000 ? timeout_ms : 5000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &seen);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK || rc == CURLE_WRITE_ERROR) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, http);
    if (rc != CURLE_OK && !*http) snprintf(err_text, cap, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
    else if (*http < 200 || *http > 299) snprintf(err_text, cap, "the receiver answered HTTP %ld", *http);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
}

static cp_status load_due(cp_conn *c, int64_t now, int max, due **out, int *n, cp_err *err)
{
    *out = calloc((size_t)max, sizeof **out);
    *n = 0;
    if (!*out) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, member_id, alert_id, body, attempts, next_at, received_at"
                                   " FROM webhook_deliveries WHERE status = 'pending' AND next_at <= ?"
                                   " ORDER BY next_at LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, now);
    cp_stmt_bind_int(s, 2, max);
    cp_step r;
    while (*n < max && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        due *d = &(*out)[*n];
        snprintf(d->id, sizeof d->id, "%s", cp_stmt_col_text(s, 0));
        snprintf(d->member_id, sizeof d->member_id, "%s", cp_stmt_col_text(s, 1));
        snprintf(d->alert_id, sizeof d->alert_id, "%s", cp_stmt_col_text(s, 2));
        d->body = strdup(cp_stmt_col_text(s, 3));
        d->attempts = cp_stmt_col_int(s, 4);
        d->next_at = cp_stmt_col_int(s, 5);
        d->received_at = cp_stmt_col_int(s, 6);
        if (!d->body) {
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

/* Takes the delivery for this attempt: pushes next_at out by a lease, only
 * if nobody else did since it was read. */
static cp_status claim(cp_conn *c, const due *d, int64_t now, bool *mine, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "UPDATE webhook_deliveries SET next_at = ? WHERE id = ? AND status = 'pending'"
                                   " AND next_at = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, now + CLAIM_LEASE_MS);
    cp_stmt_bind_text(s, 2, d->id);
    cp_stmt_bind_int(s, 3, d->next_at);
    st = cp_stmt_run(s, err);
    *mine = !st && cp_stmt_changes(s) == 1;
    cp_stmt_finalize(s);
    return st;
}

static cp_status hook_of(cp_conn *c, const char *member_id, char *url, size_t ucap, char *secret, size_t scap,
                         bool *found, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT url, secret FROM webhooks WHERE member_id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_step r = cp_stmt_step(s, err);
    *found = r == CP_STEP_ROW;
    if (*found) {
        snprintf(url, ucap, "%s", cp_stmt_col_text(s, 0));
        snprintf(secret, scap, "%s", cp_stmt_col_text(s, 1));
    } else if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

static int64_t backoff_ms(const cp_webhook_options *o, int64_t attempts)
{
    int64_t d = o->retry_base_ms;
    for (int64_t i = 1; i < attempts && d < BACKOFF_CAP_MS; i++) d *= 2;
    if (d > BACKOFF_CAP_MS) d = BACKOFF_CAP_MS;
    uint32_t r;
    cp_random_bytes(&r, sizeof r);
    return d + (int64_t)(r % (uint32_t)(d / 10 + 1));
}

static cp_status record(cp_conn *c, const due *d, const cp_webhook_options *o, long http, const char *error,
                        int64_t started, int64_t now, bool *delivered, cp_err *err)
{
    int64_t attempt = d->attempts + 1;
    *delivered = !error[0];
    bool failed = !*delivered && attempt >= o->max_attempts;
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    if (!(st = cp_stmt_prepare(c,
                               "INSERT INTO webhook_attempts (delivery_id, attempt, at, http_status, error, duration_ms)"
                               " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               &s, err))) {
        cp_stmt_bind_text(s, 1, d->id);
        cp_stmt_bind_int(s, 2, attempt);
        cp_stmt_bind_int(s, 3, started);
        if (http) cp_stmt_bind_int(s, 4, http);
        else cp_stmt_bind_null(s, 4);
        cp_stmt_bind_text(s, 5, error[0] ? error : NULL);
        cp_stmt_bind_int(s, 6, now - started);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st && !(st = cp_stmt_prepare(c,
                                      "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?,"
                                      " delivered_at = ?, last_error = ?, last_http_status = ? WHERE id = ?",
                                      &s, err))) {
        cp_stmt_bind_text(s, 1, *delivered ? "delivered" : failed ? "failed" : "pending");
        cp_stmt_bind_int(s, 2, attempt);
        cp_stmt_bind_int(s, 3, *delivered || failed ? now : now + backoff_ms(o, attempt));
        if (*delivered) cp_stmt_bind_int(s, 4, now);
        else cp_stmt_bind_null(s, 4);
        cp_stmt_bind_text(s, 5, error[0] ? error : NULL);
        if (http) cp_stmt_bind_int(s, 6, http);
        else cp_stmt_bind_null(s, 6);
        cp_stmt_bind_text(s, 7, d->id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st && *delivered && !(st = cp_stmt_prepare(c, "UPDATE alerts SET webhook_at = ? WHERE id = ? AND webhook_at IS NULL",
                                                    &s, err))) {
        cp_stmt_bind_int(s, 1, now);
        cp_stmt_bind_text(s, 2, d->alert_id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    return st;
}

cp_status cp_webhook_run_once(cp_conn *c, const cp_webhook_options *o, int max, int *done, cp_err *err)
{
    *done = 0;
    due *list = NULL;
    int n = 0;
    cp_status st = load_due(c, cp_now_ms(), max, &list, &n, err);
    for (int i = 0; !st && i < n; i++) {
        due *d = &list[i];
        bool mine = false;
        int64_t started = cp_now_ms();
        if ((st = claim(c, d, started, &mine, err)) || !mine) continue;
        char url[CP_WEBHOOK_URL_MAX + 1], secret[CP_WEBHOOK_SECRET_LEN + 8], error[512] = "";
        bool found = false;
        long http = 0;
        if ((st = hook_of(c, d->member_id, url, sizeof url, secret, sizeof secret, &found, err))) break;
        if (!found) snprintf(error, sizeof error, "the member has no webhook any more");
        else post(url, secret, d, o->timeout_ms, &http, error, sizeof error);
        int64_t now = cp_now_ms();
        bool delivered = false;
        if ((st = record(c, d, o, http, error, started, now, &delivered, err))) break;
        if (delivered) cp_alerts_observe_webhook(d->member_id, now - d->received_at);
        (*done)++;
    }
    for (int i = 0; i < n; i++) free(list[i].body);
    free(list);
    return st;
}

/* --- the thread --- */

static cp_worker *g_worker;
static cp_webhook_options g_opts;

/* Up to 16 due deliveries; at once again while there were some. */
static cp_status worker_step(cp_conn *c, void *ctx, bool *more, cp_err *err)
{
    (void)ctx;
    int done = 0;
    cp_status st = cp_webhook_run_once(c, &g_opts, 16, &done, err);
    if (st) return cp_fail_prefix(err, st, "delivery");
    *more = done > 0;
    return CP_OK;
}

cp_status cp_webhook_worker_start(cp_db *db, const cp_webhook_options *o, cp_err *err)
{
    if (g_worker) return CP_OK;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cp_fail(err, CP_E_INTERNAL, "cannot initialise libcurl");
    g_opts = *o;
    /* polled twice per smallest back-off (at most every 500 ms) so retries are on time */
    int64_t interval = g_opts.retry_base_ms < 1000 ? g_opts.retry_base_ms / 2 + 1 : 500;
    cp_status st = cp_worker_start(db, "webhook", worker_step, NULL, interval, &g_worker, err);
    if (st) curl_global_cleanup();
    return st;
}

void cp_webhook_worker_stop(void)
{
    if (!g_worker) return;
    cp_worker_stop(g_worker); /* waits for an attempt in flight */
    g_worker = NULL;
    curl_global_cleanup();
}

void cp_webhook_notify(void)
{
    cp_worker_kick(g_worker);
}
