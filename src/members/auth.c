#include "members/auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"

void cp_key_secret_new(const char *key_id, char *out, char *hash)
{
    char hex[33];
    int j = 0;
    for (const char *p = key_id; *p && j < 32; p++)
        if (*p != '-') hex[j++] = (char)tolower((unsigned char)*p);
    hex[j] = 0;
    unsigned char rnd[32];
    cp_random_bytes(rnd, sizeof rnd);
    char b64[44];
    cp_b64url_encode(rnd, sizeof rnd, b64);
    cp_wipe(rnd, sizeof rnd);
    snprintf(out, CP_KEY_SECRET_LEN + 1, CP_KEY_SECRET_PREFIX "%s_%s", hex, b64);
    cp_wipe(b64, sizeof b64);
    cp_sha256_hex(out, strlen(out), hash);
}

/* "0123...ef" (32 hex) or a dashed UUID → canonical dashed lower-case UUID. */
static bool id_from_hex(const char *s, size_t len, char out[CP_UUID_LEN + 1])
{
    char hex[32];
    int j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-' && len == CP_UUID_LEN) continue;
        if (!isxdigit((unsigned char)s[i]) || j >= 32) return false;
        hex[j++] = (char)tolower((unsigned char)s[i]);
    }
    if (j != 32) return false;
    snprintf(out, CP_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return true;
}

#define ACTOR_SQL_COLUMNS "u.id, u.name, u.roles, u.status, m.id, m.kind, m.status, m.is_alliance"

static void fill_actor(cp_stmt *s, int col0, cp_actor *a)
{
    snprintf(a->user_id, sizeof a->user_id, "%s", cp_stmt_col_text(s, col0));
    snprintf(a->user_name, sizeof a->user_name, "%s", cp_stmt_col_text(s, col0 + 1));
    a->roles = (unsigned)cp_stmt_col_int(s, col0 + 2);
    a->user_roles = a->roles;
    snprintf(a->member_id, sizeof a->member_id, "%s", cp_stmt_col_text(s, col0 + 4));
    snprintf(a->member_kind, sizeof a->member_kind, "%s", cp_stmt_col_text(s, col0 + 5));
    a->member_active = strcmp(cp_stmt_col_text(s, col0 + 6), "active") == 0;
    a->member_is_alliance = cp_stmt_col_int(s, col0 + 7) != 0;
}

cp_status cp_auth_key(cp_conn *c, const char *secret, const char *claimed_id, int64_t now_ms, cp_actor *out,
                      cp_err *err)
{
    static const char *bad = "invalid, expired or revoked API key";
    memset(out, 0, sizeof *out);
    size_t n = strlen(secret);
    if (n != CP_KEY_SECRET_LEN || strncmp(secret, CP_KEY_SECRET_PREFIX, 4) != 0 || secret[36] != '_')
        return cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
    char key_id[CP_UUID_LEN + 1];
    if (!id_from_hex(secret + 4, 32, key_id)) return cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
    if (claimed_id) {
        char claimed[CP_UUID_LEN + 1];
        if (!id_from_hex(claimed_id, strlen(claimed_id), claimed) || strcmp(claimed, key_id) != 0)
            return cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
    }
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT k.secret_hash, k.roles, k.expires_at, k.revoked_at, " ACTOR_SQL_COLUMNS
                                   " FROM api_keys k JOIN users u ON u.id = k.user_id"
                                   " JOIN members m ON m.id = u.member_id WHERE k.id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, key_id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
        cp_stmt_finalize(s);
        return st;
    }
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(secret, n, hash);
    bool ok = r == CP_STEP_ROW;
    if (ok) {
        const char *stored = cp_stmt_col_text(s, 0);
        ok = stored && strlen(stored) == CP_SHA256_HEX_LEN && cp_ct_equal(stored, hash, CP_SHA256_HEX_LEN);
        ok = ok && (cp_stmt_col_is_null(s, 2) || cp_stmt_col_int(s, 2) > now_ms);
        ok = ok && cp_stmt_col_is_null(s, 3);
        ok = ok && strcmp(cp_stmt_col_text(s, 7), "active") == 0;
    }
    if (ok) {
        unsigned key_roles = (unsigned)cp_stmt_col_int(s, 1);
        fill_actor(s, 4, out);
        out->roles &= key_roles;
        out->kind = CP_ACTOR_KEY;
        snprintf(out->key_id, sizeof out->key_id, "%s", key_id);
        snprintf(out->label, sizeof out->label, "key:%s", key_id);
    }
    cp_stmt_finalize(s);
    return ok ? CP_OK : cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
}

cp_status cp_auth_session(cp_conn *c, const char *cookie, int64_t now_ms, cp_actor *out, cp_err *err)
{
    static const char *bad = "invalid or expired session; log in again";
    memset(out, 0, sizeof *out);
    if (strlen(cookie) != 43) return cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(cookie, strlen(cookie), hash);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT s.csrf_token, " ACTOR_SQL_COLUMNS
                                   " FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " JOIN members m ON m.id = u.member_id"
                                   " WHERE s.id_hash = ? AND s.ended_at IS NULL AND s.expires_at > ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, hash);
    cp_stmt_bind_int(s, 2, now_ms);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
        cp_stmt_finalize(s);
        return st;
    }
    bool ok = r == CP_STEP_ROW && strcmp(cp_stmt_col_text(s, 4), "active") == 0;
    if (ok) {
        fill_actor(s, 1, out);
        snprintf(out->csrf_token, sizeof out->csrf_token, "%s", cp_stmt_col_text(s, 0));
        out->kind = CP_ACTOR_SESSION;
        snprintf(out->label, sizeof out->label, "user:%s", out->user_id);
    }
    cp_stmt_finalize(s);
    return ok ? CP_OK : cp_fail(err, CP_E_UNAUTHENTICATED, "%s", bad);
}

cp_status cp_actor_load_user(cp_conn *c, const char *user_id, cp_actor *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(
        c, "SELECT " ACTOR_SQL_COLUMNS " FROM users u JOIN members m ON m.id = u.member_id WHERE u.id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, user_id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        fill_actor(s, 0, out);
        snprintf(out->label, sizeof out->label, "user:%s", out->user_id);
    } else {
        st = r == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_NOT_FOUND, "no such user");
    }
    cp_stmt_finalize(s);
    return st;
}
