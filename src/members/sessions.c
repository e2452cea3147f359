/*
 * sessions.c — log in, log out, read the current session.
 */
#include "members/sessions.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "members/users.h"

static const char BAD_LOGIN[] = "invalid user name or password";

/* A hash of a random password nobody knows, made with the same parameters as
 * real ones, so checking against it costs what checking a real one does. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static bool dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char pw[32];
    cp_random_bytes(pw, sizeof pw);
    dummy_ok = crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
    cp_wipe(pw, sizeof pw);
}

/* 32 random bytes as base64url into out (CP_SESSION_TOKEN_LEN + 1). */
static void new_token(char out[CP_SESSION_TOKEN_LEN + 1])
{
    unsigned char rnd[32];
    cp_random_bytes(rnd, sizeof rnd);
    cp_b64url_encode(rnd, sizeof rnd, out);
    cp_wipe(rnd, sizeof rnd);
}

/* Checks name and password; on success copies the user id into id. Always
 * runs one Argon2id verification, whatever is wrong. */
static cp_status check_password(cp_conn *c, const char *name, const char *password, char id[CP_UUID_LEN + 1],
                                cp_err *err)
{
    pthread_once(&dummy_once, make_dummy);
    if (!dummy_ok) return cp_fail(err, CP_E_NOMEM, "out of memory while preparing password checks");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT id, status, password_hash FROM users WHERE name = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, name);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
        cp_stmt_finalize(s);
        return st;
    }
    bool found = r == CP_STEP_ROW && !cp_stmt_col_is_null(s, 2);
    bool active = found && strcmp(cp_stmt_col_text(s, 1), "active") == 0;
    char hash[crypto_pwhash_STRBYTES];
    snprintf(hash, sizeof hash, "%s", found ? cp_stmt_col_text(s, 2) : dummy_hash);
    if (found) snprintf(id, CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
    cp_stmt_finalize(s);
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    return found && active && ok ? CP_OK : cp_fail(err, CP_E_UNAUTHENTICATED, "%s", BAD_LOGIN);
}

static cp_status audit_session(cp_conn *c, const char *user_id, const char *action, const json_t *detail, cp_err *err)
{
    char who[64];
    snprintf(who, sizeof who, "user:%s", user_id);
    return cp_audit_append(c, who, action, who, detail, err);
}

cp_status cp_session_login(cp_conn *c, const char *name, const char *password, int64_t ttl_s,
                           char cookie[CP_SESSION_TOKEN_LEN + 1], char csrf[CP_SESSION_TOKEN_LEN + 1],
                           int64_t *expires_ms, json_t **user, cp_err *err)
{
    *user = NULL;
    char id[CP_UUID_LEN + 1];
    cp_status st = check_password(c, name, password, id, err);
    if (st) return st;
    new_token(cookie);
    new_token(csrf);
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(cookie, CP_SESSION_TOKEN_LEN, hash);
    int64_t now = cp_now_ms();
    *expires_ms = now + ttl_s * 1000;
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) goto fail_out;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ended_at)"
                         " VALUES (?, ?, ?, ?, ?, NULL)",
                         &s, err);
    if (st) goto fail;
    cp_stmt_bind_text(s, 1, hash);
    cp_stmt_bind_text(s, 2, id);
    cp_stmt_bind_text(s, 3, csrf);
    cp_stmt_bind_int(s, 4, now);
    cp_stmt_bind_int(s, 5, *expires_ms);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (!st) st = cp_user_get(c, id, user, err);
    if (!st) {
        char at[CP_RFC3339_MAX];
        cp_rfc3339_format(*expires_ms, at);
        json_t *d = json_pack("{ss}", "expires_at", at);
        st = audit_session(c, id, "session.login", d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    if (!st) return CP_OK;
fail:
    cp_conn_rollback(c);
fail_out:
    json_decref(*user);
    *user = NULL;
    cp_wipe(cookie, CP_SESSION_TOKEN_LEN + 1);
    cp_wipe(csrf, CP_SESSION_TOKEN_LEN + 1);
    return st;
}

cp_status cp_session_logout(cp_conn *c, const char *cookie, cp_err *err)
{
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(cookie, strlen(cookie), hash);
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL RETURNING user_id",
                         &s, err);
    if (st) goto fail;
    cp_stmt_bind_int(s, 1, cp_now_ms());
    cp_stmt_bind_text(s, 2, hash);
    char user_id[CP_UUID_LEN + 1] = "";
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW)
        snprintf(user_id, sizeof user_id, "%s", cp_stmt_col_text(s, 0));
    else
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such session") : cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (!st) st = audit_session(c, user_id, "session.logout", NULL, err);
    if (!st) st = cp_conn_commit(c, err);
    if (!st) return CP_OK;
fail:
    cp_conn_rollback(c);
    return st;
}

cp_status cp_session_info(cp_conn *c, const char *cookie, int64_t now_ms, json_t **out, cp_err *err)
{
    *out = NULL;
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(cookie, strlen(cookie), hash);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT user_id, csrf_token, expires_at FROM sessions"
                                   " WHERE id_hash = ? AND ended_at IS NULL AND expires_at > ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, hash);
    cp_stmt_bind_int(s, 2, now_ms);
    cp_step r = cp_stmt_step(s, err);
    char user_id[CP_UUID_LEN + 1] = "", csrf[64] = "";
    int64_t expires = 0;
    if (r == CP_STEP_ROW) {
        snprintf(user_id, sizeof user_id, "%s", cp_stmt_col_text(s, 0));
        snprintf(csrf, sizeof csrf, "%s", cp_stmt_col_text(s, 1));
        expires = cp_stmt_col_int(s, 2);
    } else {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such session") : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    json_t *user = NULL;
    if (!st) st = cp_user_get(c, user_id, &user, err);
    if (!st) {
        char at[CP_RFC3339_MAX];
        cp_rfc3339_format(expires, at);
        *out = json_pack("{so ss ss}", "user", user, "csrf_token", csrf, "expires_at", at);
    }
    cp_wipe(csrf, sizeof csrf);
    return st;
}
