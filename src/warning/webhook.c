/*
 * webhook.c — members' webhook settings, the delivery queue and its listing
 * (webhook.h). The delivery thread is webhook_worker.c.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/net.h"
#include "base/timeutil.h"
#include "members/cursor.h"
#include "members/members.h"
#include "warning/webhook.h"

void cp_webhook_sign(const char *secret, int64_t ts, const char *body, size_t len, char out[CP_WEBHOOK_SIG_HEX + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char t[32];
    int tl = snprintf(t, sizeof t, "%" PRId64 ".", ts);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, (unsigned long long)tl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    cp_hex(mac, sizeof mac, out);
}

/* https://..., or http:// to a loopback host. */
static cp_status check_url(const char *url, cp_err *err)
{
    size_t n = strlen(url);
    if (n > CP_WEBHOOK_URL_MAX) return cp_fail(err, CP_E_UNPROCESSABLE, "body.url is longer than %d bytes", CP_WEBHOOK_URL_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return cp_fail(err, CP_E_UNPROCESSABLE, "body.url must not contain spaces or control characters");
    bool https = strncasecmp(url, "https://", 8) == 0, http = strncasecmp(url, "http://", 7) == 0;
    if (!https && !http) return cp_fail(err, CP_E_UNPROCESSABLE, "body.url must be an https:// URL");
    const char *host = url + (https ? 8 : 7);
    size_t hl = strcspn(host, "/?#");
    const char *at = memchr(host, '@', hl);
    if (at) return cp_fail(err, CP_E_UNPROCESSABLE, "body.url must not carry credentials (the signature authenticates)");
    if (hl == 0) return cp_fail(err, CP_E_UNPROCESSABLE, "body.url has no host");
    if (http) {
        char h[256];
        size_t k = hl < sizeof h - 1 ? hl : sizeof h - 1;
        memcpy(h, host, k);
        h[k] = 0;
        if (h[0] == '[') {
            char *close = strchr(h, ']');
            if (close) *close = 0;
            memmove(h, h + 1, strlen(h));
        } else {
            char *colon = strchr(h, ':');
            if (colon) *colon = 0;
        }
        bool loop = strcasecmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 || strncmp(h, "127.", 4) == 0;
        if (!loop)
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "body.url must be https:// (plain http:// is accepted only to a loopback address)");
    }
    return CP_OK;
}

static cp_status member_exists(cp_conn *c, const char *member_id, cp_err *err)
{
    json_t *m;
    cp_status st = cp_member_get(c, member_id, &m, err);
    json_decref(m);
    return st;
}

cp_status cp_webhook_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                         cp_err *err)
{
    static const cp_jfield F[] = {{"url", CP_JT_STRING, true, CP_WEBHOOK_URL_MAX + 1}};
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, 1, err);
    if (st) return st;
    const char *url = cp_json_str(in, "url");
    if ((st = check_url(url, err))) return st;
    if ((st = member_exists(c, member_id, err))) return st;
    unsigned char raw[32];
    char secret[CP_WEBHOOK_SECRET_LEN + 1];
    cp_random_bytes(raw, sizeof raw);
    cp_b64url_encode(raw, sizeof raw, secret);
    cp_wipe(raw, sizeof raw);
    int64_t now = cp_now_ms();
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    int64_t created = now;
    cp_stmt *s;
    if (!(st = cp_stmt_prepare(c, "SELECT created_at FROM webhooks WHERE member_id = ?", &s, err))) {
        cp_stmt_bind_text(s, 1, member_id);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) created = cp_stmt_col_int(s, 0);
        else if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    if (!st && !(st = cp_stmt_prepare(c, "DELETE FROM webhooks WHERE member_id = ?", &s, err))) {
        cp_stmt_bind_text(s, 1, member_id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st && !(st = cp_stmt_prepare(c,
                                      "INSERT INTO webhooks (member_id, url, secret, created_at, updated_at, updated_by)"
                                      " VALUES (?, ?, ?, ?, ?, ?)",
                                      &s, err))) {
        cp_stmt_bind_text(s, 1, member_id);
        cp_stmt_bind_text(s, 2, url);
        cp_stmt_bind_text(s, 3, secret);
        cp_stmt_bind_int(s, 4, created);
        cp_stmt_bind_int(s, 5, now);
        cp_stmt_bind_text(s, 6, a->label);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    char ca[CP_RFC3339_MAX], ua[CP_RFC3339_MAX], target[64];
    cp_rfc3339_format(created, ca);
    cp_rfc3339_format(now, ua);
    if (!st) {
        snprintf(target, sizeof target, "member:%s", member_id);
        json_t *d = json_pack("{ss ss}", "url", url, "secret", "(new, not recorded)");
        st = cp_audit_append(c, a->label, "webhook.set", target, d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    if (!st)
        *out = json_pack("{ss ss ss ss ss}", "member_id", member_id, "url", url, "secret", secret, "created_at", ca,
                         "updated_at", ua);
    sodium_memzero(secret, sizeof secret);
    return st;
}

static cp_status count_status(cp_conn *c, const char *member_id, json_t *o, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT status, COUNT(*) FROM webhook_deliveries WHERE member_id = ? GROUP BY status",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    json_object_set_new(o, "pending", json_integer(0));
    json_object_set_new(o, "delivered", json_integer(0));
    json_object_set_new(o, "failed", json_integer(0));
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        json_object_set_new(o, cp_stmt_col_text(s, 0), json_integer(cp_stmt_col_int(s, 1)));
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_webhook_get(cp_conn *c, const char *member_id, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT url, secret, created_at, updated_at, updated_by FROM webhooks WHERE member_id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        char ca[CP_RFC3339_MAX], ua[CP_RFC3339_MAX], hint[8];
        cp_rfc3339_format(cp_stmt_col_int(s, 2), ca);
        cp_rfc3339_format(cp_stmt_col_int(s, 3), ua);
        snprintf(hint, sizeof hint, "%.4s", cp_stmt_col_text(s, 1));
        *out = json_pack("{ss ss ss ss ss ss}", "member_id", member_id, "url", cp_stmt_col_text(s, 0), "secret_hint",
                         hint, "created_at", ca, "updated_at", ua, "updated_by", cp_stmt_col_text(s, 4));
    } else {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "this member has no webhook") : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    if (!st) st = count_status(c, member_id, *out, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_webhook_delete(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err)
{
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    if (!(st = cp_stmt_prepare(c, "DELETE FROM webhooks WHERE member_id = ?", &s, err))) {
        cp_stmt_bind_text(s, 1, member_id);
        st = cp_stmt_run(s, err);
        if (!st && cp_stmt_changes(s) == 0) st = cp_fail(err, CP_E_NOT_FOUND, "this member has no webhook");
        cp_stmt_finalize(s);
    }
    if (!st) {
        char target[64];
        snprintf(target, sizeof target, "member:%s", member_id);
        st = cp_audit_append(c, a->label, "webhook.delete", target, NULL, err);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    return st;
}

cp_status cp_webhook_enqueue(cp_conn *c, const char *member_id, const char *alert_id, const json_t *alert,
                             int64_t received_ms, cp_err *err)
{
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    json_t *body = json_pack("{ss ss sO}", "type", "alert.created", "delivery_id", id, "alert", alert);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO webhook_deliveries (id, member_id, alert_id, event, body, status, attempts,"
                                   " next_at, received_at, created_at) VALUES (?, ?, ?, 'alert.created', ?, 'pending', 0,"
                                   " ?, ?, ?)",
                                   &s, err);
    if (!st) {
        int64_t now = cp_now_ms();
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, member_id);
        cp_stmt_bind_text(s, 3, alert_id);
        cp_stmt_bind_text(s, 4, text);
        cp_stmt_bind_int(s, 5, now);
        cp_stmt_bind_int(s, 6, received_ms);
        cp_stmt_bind_int(s, 7, now);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    free(text);
    return st;
}

static json_t *ts_json(cp_stmt *s, int col)
{
    if (cp_stmt_col_is_null(s, col)) return json_null();
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_stmt_col_int(s, col), t);
    return json_string(t);
}

static cp_status attempt_log(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT attempt, at, http_status, error, duration_ms FROM webhook_attempts"
                                   " WHERE delivery_id = ? ORDER BY attempt",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *e = cp_stmt_col_text(s, 3);
        json_array_append_new(*out, json_pack("{sI so so so sI}", "attempt", (json_int_t)cp_stmt_col_int(s, 0), "at",
                                              ts_json(s, 1), "http_status",
                                              cp_stmt_col_is_null(s, 2) ? json_null() : json_integer(cp_stmt_col_int(s, 2)),
                                              "error", e ? json_string(e) : json_null(), "duration_ms",
                                              (json_int_t)cp_stmt_col_int(s, 4)));
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_webhook_deliveries(cp_conn *c, const char *member_id, const char *status, int limit, const char *next,
                                json_t **page, cp_err *err)
{
    *page = NULL;
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "delivered") != 0 && strcmp(status, "failed") != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "status must be pending, delivered or failed, not '%.32s'", status);
    char after_key[32] = "", after_id[CP_UUID_LEN + 1] = "";
    int64_t after = 0;
    if (next) {
        char *end = NULL;
        if (cp_cursor_decode(next, after_key, sizeof after_key, after_id, sizeof after_id) != CP_OK ||
            (after = strtoll(after_key, &end, 10)) <= 0 || !end || *end)
            return cp_fail(err, CP_E_BAD_REQUEST, "next is not a cursor this list gave out");
    }
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, alert_id, status, attempts, next_at, created_at, delivered_at, last_error,"
                                   " last_http_status FROM webhook_deliveries WHERE member_id = ?"
                                   " AND (CAST(? AS TEXT) IS NULL OR status = CAST(? AS TEXT))"
                                   " AND (CAST(? AS BIGINT) = 0 OR created_at < CAST(? AS BIGINT)"
                                   " OR (created_at = CAST(? AS BIGINT) AND id < CAST(? AS TEXT)))"
                                   " ORDER BY created_at DESC, id DESC LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_stmt_bind_text(s, 2, status);
    cp_stmt_bind_text(s, 3, status);
    cp_stmt_bind_int(s, 4, after);
    cp_stmt_bind_int(s, 5, after);
    cp_stmt_bind_int(s, 6, after);
    cp_stmt_bind_text(s, 7, after_id);
    cp_stmt_bind_int(s, 8, limit + 1);
    json_t *items = json_array();
    bool more = false;
    int64_t last_at = 0;
    char last_id[CP_UUID_LEN + 1] = "";
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            break;
        }
        const char *e = cp_stmt_col_text(s, 7);
        bool pending = strcmp(cp_stmt_col_text(s, 2), "pending") == 0;
        json_t *o = json_pack("{ss ss ss sI so so so so so}", "id", cp_stmt_col_text(s, 0), "alert_id",
                              cp_stmt_col_text(s, 1), "status", cp_stmt_col_text(s, 2), "attempts",
                              (json_int_t)cp_stmt_col_int(s, 3), "next_attempt_at",
                              pending ? ts_json(s, 4) : json_null(), "created_at", ts_json(s, 5), "delivered_at",
                              ts_json(s, 6), "last_error", e ? json_string(e) : json_null(), "last_http_status",
                              cp_stmt_col_is_null(s, 8) ? json_null() : json_integer(cp_stmt_col_int(s, 8)));
        json_array_append_new(items, o);
        last_at = cp_stmt_col_int(s, 5);
        snprintf(last_id, sizeof last_id, "%s", cp_stmt_col_text(s, 0));
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    for (size_t i = 0; !st && i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i), *log;
        if (!(st = attempt_log(c, json_string_value(json_object_get(o, "id")), &log, err)))
            json_object_set_new(o, "attempt_log", log);
        else
            json_decref(log);
    }
    if (st) {
        json_decref(items);
        return st;
    }
    char *cur = NULL;
    if (more) {
        char k[32];
        snprintf(k, sizeof k, "%" PRId64, last_at);
        cur = cp_cursor_encode(k, last_id);
    }
    *page = json_pack("{so so}", "items", items, "next", cur ? json_string(cur) : json_null());
    free(cur);
    return CP_OK;
}
