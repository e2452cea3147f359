/*
 * keys.c — API keys: create (the only time a secret exists outside its
 * holder), read, list, revoke.
 */
#include "members/keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "members/auth.h"
#include "members/cursor.h"
#include "members/rows.h"
#include "members/users.h"

#define KEY_COLUMNS "id, user_id, roles, label, created_at, created_by, expires_at, revoked_at"

static json_t *key_row(cp_stmt *s)
{
    return json_pack("{ss ss so so so ss so so}", "id", cp_stmt_col_text(s, 0), "user_id", cp_stmt_col_text(s, 1),
                     "roles", cp_roles_json((unsigned)cp_stmt_col_int(s, 2)), "label", cp_col_text_or_null(s, 3),
                     "created_at", cp_time_json(cp_stmt_col_int(s, 4)), "created_by", cp_stmt_col_text(s, 5),
                     "expires_at", cp_col_time_or_null(s, 6), "revoked_at", cp_col_time_or_null(s, 7));
}

cp_status cp_key_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    if (!cp_uuid_valid(id)) return cp_fail(err, CP_E_NOT_FOUND, "no such key");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW)
        *out = key_row(s);
    else
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such key") : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

/* The roles the new key gets, checked against its user and its maker. */
static cp_status key_roles(const cp_actor *a, const json_t *in, unsigned user_roles, unsigned *out, cp_err *err)
{
    bool sec = (a->roles & CP_ROLE_SECRETARIAT) != 0;
    unsigned grantable = sec ? CP_ROLE_ALL : a->roles;
    const json_t *asked = json_object_get(in, "roles");
    if (!asked) {
        *out = user_roles & grantable;
        if (!*out) return cp_fail(err, CP_E_UNPROCESSABLE, "you hold none of the user's roles; name body.roles");
        return CP_OK;
    }
    cp_status st = cp_roles_from_json(asked, "body.roles", out, err);
    if (st) return st;
    if (*out & ~user_roles) return cp_fail(err, CP_E_UNPROCESSABLE, "body.roles must be a subset of the user's roles");
    if (*out & ~grantable)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.roles may not include a role you do not hold yourself");
    return CP_OK;
}

/* Reads the key's user: must exist (422: it is a reference in the body) and
 * be active. */
static cp_status key_user(cp_conn *c, const char *user_id, unsigned *roles, cp_err *err)
{
    json_t *u;
    cp_status st = cp_user_get(c, user_id, &u, err);
    if (st == CP_E_NOT_FOUND) return cp_fail(err, CP_E_UNPROCESSABLE, "no user with id '%.40s'", user_id);
    if (st) return st;
    if (strcmp(cp_json_str(u, "status"), "active") != 0)
        st = cp_fail(err, CP_E_UNPROCESSABLE, "the user is disabled; it cannot get new keys");
    else
        st = cp_roles_from_json(json_object_get(u, "roles"), "user.roles", roles, err);
    json_decref(u);
    return st;
}

static cp_status insert_key(cp_conn *c, const cp_actor *a, const char *id, const char *user_id, unsigned roles,
                            const char *label, const int64_t *expires, const char *hash, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO api_keys (id, user_id, roles, secret_hash, label, created_at,"
                                   " created_by, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, user_id);
    cp_stmt_bind_int(s, 3, roles);
    cp_stmt_bind_text(s, 4, hash);
    cp_stmt_bind_text(s, 5, label);
    cp_stmt_bind_int(s, 6, cp_now_ms());
    cp_stmt_bind_text(s, 7, a->label);
    if (expires)
        cp_stmt_bind_int(s, 8, *expires);
    else
        cp_stmt_bind_null(s, 8);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_key_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"user_id", CP_JT_STRING, true, 64},
        {"roles", CP_JT_STRING_ARRAY, false, 16},
        {"label", CP_JT_STRING_NULL, false, 200},
        {"expires_at", CP_JT_STRING, false, 40},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    int64_t expires = 0;
    const char *exp = cp_json_str(in, "expires_at");
    if (exp && cp_rfc3339_parse(exp, &expires, err))
        return cp_fail_prefix(err, CP_E_BAD_REQUEST, "body.expires_at");
    if (exp && expires <= cp_now_ms()) return cp_fail(err, CP_E_UNPROCESSABLE, "body.expires_at must be in the future");
    const char *user_id = cp_json_str(in, "user_id");
    unsigned user_roles, roles;
    if ((st = key_user(c, user_id, &user_roles, err))) return st;
    if ((st = key_roles(a, in, user_roles, &roles, err))) return st;

    char id[CP_UUID_LEN + 1], secret[CP_KEY_SECRET_LEN + 1], hash[CP_SHA256_HEX_LEN + 1];
    cp_uuid4(id);
    cp_key_secret_new(id, secret, hash);
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) goto out;
    st = insert_key(c, a, id, user_id, roles, cp_json_str(in, "label"), exp ? &expires : NULL, hash, err);
    if (!st) st = cp_key_get(c, id, out, err);
    char target[64];
    snprintf(target, sizeof target, "key:%s", id);
    /* Audited before the secret is added to *out. */
    if (!st) st = cp_audit_append(c, a->label, "key.create", target, *out, err);
    if (!st) st = cp_conn_commit(c, err);
    if (st) {
        cp_conn_rollback(c);
        json_decref(*out);
        *out = NULL;
    } else {
        json_object_set_new(*out, "secret", json_string(secret));
    }
out:
    cp_wipe(secret, sizeof secret);
    return st;
}

cp_status cp_key_list(cp_conn *c, const cp_key_filter *f, json_t **items, char **next, cp_err *err)
{
    *items = NULL;
    *next = NULL;
    char after_key[32] = "", after_id[CP_UUID_LEN + 1] = "";
    int64_t after_at = -1;
    if (f->next) {
        char *end;
        if (cp_cursor_decode(f->next, after_key, sizeof after_key, after_id, sizeof after_id) != CP_OK ||
            (after_at = strtoll(after_key, &end, 10), !*after_key || *end || after_at < 0))
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next is not a cursor this server issued");
    }
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT " KEY_COLUMNS " FROM api_keys WHERE (CAST(? AS TEXT) IS NULL OR user_id = ?)"
                                   " AND (CAST(? AS BIGINT) < 0 OR created_at > ? OR (created_at = ? AND id > ?))"
                                   " ORDER BY created_at, id LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, f->user_id);
    cp_stmt_bind_text(s, 2, f->user_id);
    for (int i = 3; i <= 5; i++)
        cp_stmt_bind_int(s, i, after_at);
    cp_stmt_bind_text(s, 6, after_id);
    cp_stmt_bind_int(s, 7, f->limit + 1);
    json_t *arr = json_array();
    cp_step r;
    int n = 0;
    int64_t last_at = 0;
    char last_id[CP_UUID_LEN + 1] = "";
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n++ == f->limit) {
            char k[32];
            snprintf(k, sizeof k, "%" PRId64, last_at);
            *next = cp_cursor_encode(k, last_id);
            break;
        }
        last_at = cp_stmt_col_int(s, 4);
        snprintf(last_id, sizeof last_id, "%s", cp_stmt_col_text(s, 0));
        json_array_append_new(arr, key_row(s));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        json_decref(arr);
        free(*next);
        *next = NULL;
        return st;
    }
    *items = arr;
    return CP_OK;
}

cp_status cp_key_revoke(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    json_t *cur;
    cp_status st = cp_key_get(c, id, &cur, err);
    if (st) return st;
    json_decref(cur);
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", &s, err);
    if (st) goto fail;
    cp_stmt_bind_int(s, 1, cp_now_ms());
    cp_stmt_bind_text(s, 2, id);
    st = cp_stmt_run(s, err);
    /* Checked inside the write transaction, so two revokers cannot both win. */
    if (!st && cp_stmt_changes(s) == 0) st = cp_fail(err, CP_E_CONFLICT, "the key is already revoked");
    cp_stmt_finalize(s);
    if (!st) st = cp_key_get(c, id, out, err);
    char target[64];
    snprintf(target, sizeof target, "key:%s", id);
    if (!st) st = cp_audit_append(c, a->label, "key.revoke", target, *out, err);
    if (!st) st = cp_conn_commit(c, err);
    if (!st) return CP_OK;
fail:
    cp_conn_rollback(c);
    json_decref(*out);
    *out = NULL;
    return st;
}
