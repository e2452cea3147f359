/*
 * users.c — users: create, read, list, update, password. Keys are in
 * keys.c, browser sessions in sessions.c.
 */
#include "members/users.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "members/cursor.h"
#include "members/rows.h"

#define USER_COLUMNS                                                                                                   \
    "id, member_id, name, email, roles, status, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END,"                    \
    " created_at, updated_at"

static json_t *user_row(cp_stmt *s)
{
    return json_pack("{ss ss ss so so ss sb so so}", "id", cp_stmt_col_text(s, 0), "member_id", cp_stmt_col_text(s, 1),
                     "name", cp_stmt_col_text(s, 2), "email", cp_col_text_or_null(s, 3), "roles",
                     cp_roles_json((unsigned)cp_stmt_col_int(s, 4)), "status", cp_stmt_col_text(s, 5), "has_password",
                     cp_stmt_col_int(s, 6) != 0, "created_at", cp_time_json(cp_stmt_col_int(s, 7)), "updated_at",
                     cp_time_json(cp_stmt_col_int(s, 8)));
}

/* Runs a prepared single-row user query (parameter 1 bound to key). */
static cp_status user_by(cp_conn *c, const char *sql, const char *key, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, key);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW)
        *out = user_row(s);
    else
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such user") : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_user_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    if (!cp_uuid_valid(id)) return cp_fail(err, CP_E_NOT_FOUND, "no such user");
    return user_by(c, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", id, out, err);
}

cp_status cp_user_find(cp_conn *c, const char *id_or_name, json_t **out, cp_err *err)
{
    cp_status st = cp_user_get(c, id_or_name, out, err);
    if (st != CP_E_NOT_FOUND) return st;
    st = user_by(c, "SELECT " USER_COLUMNS " FROM users WHERE name = ?", id_or_name, out, err);
    if (st == CP_E_NOT_FOUND) return cp_fail(err, CP_E_NOT_FOUND, "no user with id or name '%.64s'", id_or_name);
    return st;
}

cp_status cp_roles_from_json(const json_t *arr, const char *where, unsigned *out, cp_err *err)
{
    *out = 0;
    if (!json_is_array(arr)) return cp_fail(err, CP_E_BAD_REQUEST, "%s must be an array of role names", where);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *name = json_string_value(json_array_get(arr, i));
        if (!name) return cp_fail(err, CP_E_BAD_REQUEST, "%s[%zu] must be a string", where, i);
        unsigned bit = cp_role_parse(name);
        if (!bit)
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "%s[%zu] '%.32s' is not a role (secretariat, delegate, analyst, auditor)", where, i, name);
        *out |= bit;
    }
    if (!*out) return cp_fail(err, CP_E_UNPROCESSABLE, "%s must name at least one role", where);
    return CP_OK;
}

json_t *cp_roles_split(const char *csv)
{
    json_t *a = json_array();
    for (const char *p = csv; a && *p;) {
        size_t n = strcspn(p, ",");
        if (n) json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

static cp_status check_login_name(const char *name, cp_err *err)
{
    size_t n = strlen(name);
    if (n < CP_USER_NAME_MIN || n > CP_USER_NAME_MAX)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.name must be %d to %d characters long", CP_USER_NAME_MIN,
                       CP_USER_NAME_MAX);
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.name may hold only a-z, 0-9, '.', '_' and '-'");
    return CP_OK;
}

static cp_status check_email(const json_t *in, cp_err *err)
{
    const char *email = cp_json_str(in, "email");
    if (email && !cp_email_plausible(email))
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.email '%.80s' is not an e-mail address", email);
    return CP_OK;
}

/* Validates a new password and hashes it into hash (crypto_pwhash_STRBYTES). */
static cp_status hash_password(const char *pw, char *hash, cp_err *err)
{
    size_t bytes = strlen(pw), chars = 0;
    for (const char *p = pw; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) chars++; /* count UTF-8 lead bytes */
    if (chars < CP_PASSWORD_MIN_CHARS || bytes > CP_PASSWORD_MAX_BYTES)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.password must be at least %d characters and at most %d bytes",
                       CP_PASSWORD_MIN_CHARS, CP_PASSWORD_MAX_BYTES);
    if (crypto_pwhash_str(hash, pw, bytes, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return cp_fail(err, CP_E_NOMEM, "out of memory while hashing the password");
    return CP_OK;
}

/* What the role rules need to know about a member organisation. */
typedef struct {
    bool alliance, state, active;
} member_facts;

/* 422 when the member does not exist: for a user it is a reference in the
 * body, not the resource addressed. */
static cp_status load_member(cp_conn *c, const char *member_id, member_facts *m, cp_err *err)
{
    if (!cp_uuid_valid(member_id)) return cp_fail(err, CP_E_UNPROCESSABLE, "no member with id '%.40s'", member_id);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT kind, status, is_alliance FROM members WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        m->state = strcmp(cp_stmt_col_text(s, 0), "member_state") == 0;
        m->active = strcmp(cp_stmt_col_text(s, 1), "active") == 0;
        m->alliance = cp_stmt_col_int(s, 2) != 0;
    } else {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_UNPROCESSABLE, "no member with id '%s'", member_id)
                               : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

static cp_status check_roles_for_member(unsigned roles, const member_facts *m, cp_err *err)
{
    if ((roles & (CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR)) && !m->alliance)
        return cp_fail(err, CP_E_UNPROCESSABLE,
                       "the secretariat and auditor roles are only for users of the alliance's own organisation");
    if ((roles & CP_ROLE_DELEGATE) && !m->state)
        return cp_fail(err, CP_E_UNPROCESSABLE, "the delegate role is only for users of a member_state");
    return CP_OK;
}

/* Appends the audit entry of a user write and commits; rolls back on failure.
 * detail is borrowed. */
static cp_status audit_commit(cp_conn *c, const cp_actor *a, const char *action, const char *id, const json_t *detail,
                              cp_err *err)
{
    char target[64];
    snprintf(target, sizeof target, "user:%s", id);
    cp_status st = cp_audit_append(c, a->label, action, target, detail, err);
    if (!st) st = cp_conn_commit(c, err);
    if (st) cp_conn_rollback(c);
    return st;
}

static cp_status insert_user(cp_conn *c, const cp_actor *a, const json_t *in, unsigned roles, const char *hash,
                             json_t **out, cp_err *err)
{
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    int64_t now = cp_now_ms();
    const char *name = cp_json_str(in, "name");
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "INSERT INTO users (id, member_id, name, email, roles, password_hash, status, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                         &s, err);
    if (st) goto fail;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, cp_json_str(in, "member_id"));
    cp_stmt_bind_text(s, 3, name);
    cp_stmt_bind_text(s, 4, cp_json_str(in, "email"));
    cp_stmt_bind_int(s, 5, roles);
    cp_stmt_bind_text(s, 6, hash);
    cp_stmt_bind_int(s, 7, now);
    cp_stmt_bind_int(s, 8, now);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st == CP_E_CONFLICT) st = cp_fail(err, CP_E_CONFLICT, "a user named '%s' already exists", name);
    if (st) goto fail;
    if ((st = cp_user_get(c, id, out, err))) goto fail;
    return audit_commit(c, a, "user.create", id, *out, err);
fail:
    cp_conn_rollback(c);
    return st;
}

cp_status cp_user_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"member_id", CP_JT_STRING, true, 64},
        {"name", CP_JT_STRING, true, 256},
        {"roles", CP_JT_STRING_ARRAY, true, 16},
        {"email", CP_JT_STRING_NULL, false, 254},
        {"password", CP_JT_STRING, false, 4 * CP_PASSWORD_MAX_BYTES},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    unsigned roles;
    member_facts m;
    if ((st = check_login_name(cp_json_str(in, "name"), err))) return st;
    if ((st = cp_roles_from_json(json_object_get(in, "roles"), "body.roles", &roles, err))) return st;
    if ((st = check_email(in, err))) return st;
    if ((st = load_member(c, cp_json_str(in, "member_id"), &m, err))) return st;
    if (!m.active) return cp_fail(err, CP_E_UNPROCESSABLE, "the member is not active; it cannot get new users");
    if ((st = check_roles_for_member(roles, &m, err))) return st;
    char hash[crypto_pwhash_STRBYTES] = "";
    const char *pw = cp_json_str(in, "password");
    /* Hash before the transaction: Argon2id takes a while; the write lock should not. */
    if (pw && (st = hash_password(pw, hash, err))) return st;
    st = insert_user(c, a, in, roles, pw ? hash : NULL, out, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_user_list(cp_conn *c, const cp_user_filter *f, json_t **items, char **next, cp_err *err)
{
    *items = NULL;
    *next = NULL;
    char after_name[CP_USER_NAME_MAX + 1] = "", after_id[CP_UUID_LEN + 1] = "";
    if (f->next && cp_cursor_decode(f->next, after_name, sizeof after_name, after_id, sizeof after_id) != CP_OK)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next is not a cursor this server issued");
    unsigned role = f->role ? cp_role_parse(f->role) : 0;
    if (f->role && !role) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter role '%.32s' is not a role", f->role);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT " USER_COLUMNS " FROM users"
                                   " WHERE (CAST(? AS TEXT) IS NULL OR member_id = ?) AND (? = 0 OR (roles & ?) <> 0)"
                                   " AND (? = '' OR name > ? OR (name = ? AND id > ?))"
                                   " ORDER BY name, id LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, f->member_id);
    cp_stmt_bind_text(s, 2, f->member_id);
    cp_stmt_bind_int(s, 3, role);
    cp_stmt_bind_int(s, 4, role);
    for (int i = 5; i <= 7; i++)
        cp_stmt_bind_text(s, i, after_name);
    cp_stmt_bind_text(s, 8, after_id);
    cp_stmt_bind_int(s, 9, f->limit + 1);
    json_t *arr = json_array();
    cp_step r;
    int n = 0;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n++ == f->limit) {
            json_t *last = json_array_get(arr, json_array_size(arr) - 1);
            *next = cp_cursor_encode(cp_json_str(last, "name"), cp_json_str(last, "id"));
            break;
        }
        json_array_append_new(arr, user_row(s));
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

/* Validates an update against the current user cur; *roles is 0 when the
 * roles do not change. */
static cp_status check_update(cp_conn *c, const json_t *in, const json_t *cur, unsigned *roles, cp_err *err)
{
    *roles = 0;
    cp_status st = check_email(in, err);
    if (st) return st;
    const char *status = cp_json_str(in, "status");
    if (status && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.status must be active or disabled");
    const json_t *r = json_object_get(in, "roles");
    if (!r) return CP_OK;
    if ((st = cp_roles_from_json(r, "body.roles", roles, err))) return st;
    member_facts m;
    if ((st = load_member(c, cp_json_str(cur, "member_id"), &m, err))) return st;
    return check_roles_for_member(*roles, &m, err);
}

/* Ends the open sessions of user id, except the one whose CSRF token is keep
 * (NULL: all). *ended: how many. Inside the caller's transaction. */
static cp_status end_sessions(cp_conn *c, const char *id, const char *keep, int64_t *ended, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"
                                   " AND (CAST(? AS TEXT) IS NULL OR csrf_token <> ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cp_now_ms());
    cp_stmt_bind_text(s, 2, id);
    cp_stmt_bind_text(s, 3, keep);
    cp_stmt_bind_text(s, 4, keep);
    st = cp_stmt_run(s, err);
    *ended = st ? 0 : cp_stmt_changes(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_user_update(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"roles", CP_JT_STRING_ARRAY, false, 16},
        {"status", CP_JT_STRING, false, 16},
        {"email", CP_JT_STRING_NULL, false, 254},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    if (json_object_size(in) == 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "body must hold at least one of roles, status, email");
    json_t *cur;
    if ((st = cp_user_get(c, id, &cur, err))) return st;
    unsigned roles;
    st = check_update(c, in, cur, &roles, err);
    json_decref(cur);
    if (st) return st;
    const char *status = cp_json_str(in, "status");
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "UPDATE users SET roles = CASE WHEN ? = 0 THEN roles ELSE ? END,"
                         " status = COALESCE(?, status), email = CASE WHEN ? = 1 THEN ? ELSE email END,"
                         " updated_at = ? WHERE id = ?",
                         &s, err);
    if (st) goto fail;
    cp_stmt_bind_int(s, 1, roles);
    cp_stmt_bind_int(s, 2, roles);
    cp_stmt_bind_text(s, 3, status);
    cp_stmt_bind_int(s, 4, json_object_get(in, "email") ? 1 : 0);
    cp_stmt_bind_text(s, 5, cp_json_str(in, "email"));
    cp_stmt_bind_int(s, 6, cp_now_ms());
    cp_stmt_bind_text(s, 7, id);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) goto fail;
    int64_t ended = 0;
    if (status && strcmp(status, "disabled") == 0 && (st = end_sessions(c, id, NULL, &ended, err))) goto fail;
    if ((st = cp_user_get(c, id, out, err))) goto fail;
    json_t *d = json_pack("{sO sO sI}", "change", in, "result", *out, "sessions_ended", (json_int_t)ended);
    st = audit_commit(c, a, "user.update", id, d, err);
    json_decref(d);
    goto done;
fail:
    cp_conn_rollback(c);
done:
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

/* A browser session changing its own password proves it knows the current
 * one (when there is one), so a session left open on a shared machine cannot
 * take the account over. */
static cp_status check_current_password(cp_conn *c, const char *id, const json_t *in, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT password_hash FROM users WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    char stored[crypto_pwhash_STRBYTES] = "";
    if (cp_stmt_step(s, err) == CP_STEP_ROW && !cp_stmt_col_is_null(s, 0))
        snprintf(stored, sizeof stored, "%s", cp_stmt_col_text(s, 0));
    cp_stmt_finalize(s);
    if (!stored[0]) return CP_OK;
    const char *given = cp_json_str(in, "current_password");
    if (!given) return cp_fail(err, CP_E_UNPROCESSABLE, "body.current_password is required to change your own password");
    if (crypto_pwhash_str_verify(stored, given, strlen(given)) != 0)
        return cp_fail(err, CP_E_FORBIDDEN, "body.current_password is wrong");
    return CP_OK;
}

cp_status cp_user_set_password(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out,
                               cp_err *err)
{
    static const cp_jfield F[] = {{"password", CP_JT_STRING, true, 4 * CP_PASSWORD_MAX_BYTES},
                                  {"current_password", CP_JT_STRING, false, 4 * CP_PASSWORD_MAX_BYTES}};
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    json_t *cur;
    if ((st = cp_user_get(c, id, &cur, err))) return st;
    json_decref(cur);
    if (a->kind == CP_ACTOR_SESSION && strcmp(a->user_id, id) == 0 && (st = check_current_password(c, id, in, err)))
        return st;
    char hash[crypto_pwhash_STRBYTES];
    if ((st = hash_password(cp_json_str(in, "password"), hash, err))) return st;
    /* The request's own session survives: it is identified by its CSRF token. */
    const char *keep = a->kind == CP_ACTOR_SESSION && strcmp(a->user_id, id) == 0 ? a->csrf_token : NULL;
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", &s, err);
    if (st) goto fail;
    cp_stmt_bind_text(s, 1, hash);
    cp_stmt_bind_int(s, 2, cp_now_ms());
    cp_stmt_bind_text(s, 3, id);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    int64_t ended = 0;
    if (!st) st = end_sessions(c, id, keep, &ended, err);
    if (!st) st = cp_user_get(c, id, out, err);
    if (st) goto fail;
    json_t *d = json_pack("{sI}", "sessions_ended", (json_int_t)ended);
    st = audit_commit(c, a, "user.password", id, d, err);
    json_decref(d);
    if (st) goto done;
    return CP_OK;
fail:
    cp_conn_rollback(c);
done:
    json_decref(*out);
    *out = NULL;
    return st;
}
