/*
 * users.h — the people (and machines) that act for a member organisation.
 *
 * Same conventions as members.h: domain functions take and return JSON in
 * the shapes of the API; a shape error is CP_E_BAD_REQUEST, a broken rule
 * CP_E_UNPROCESSABLE, a duplicate CP_E_CONFLICT, a missing user
 * CP_E_NOT_FOUND ("no such user", the same words the authorisation function
 * uses, so a 404 never tells whether the user exists). Every write runs in
 * one transaction with its audit entry. Input JSON is borrowed; *out is owned
 * by the caller. Who may call what is decided before, by cp_authz().
 *
 * A user:
 *   {"id", "member_id", "name", "email", "roles": [...], "status":
 *    "active"|"disabled", "has_password": bool, "created_at", "updated_at"}
 * name    the login name: 3 to 64 of [a-z0-9._-], unique in the store.
 * roles   a non-empty set of secretariat, delegate, analyst, auditor, with
 *         rules tied to the user's member organisation:
 *           secretariat, auditor  only for the alliance's own organisation;
 *           delegate              only for a member_state.
 * status  a disabled user's keys and sessions stop authenticating
 *         (members/auth.c checks the user's status on every request);
 *         disabling also ends its open sessions, so enabling the user again
 *         brings back its keys but not old browser sessions.
 * password optional (users of API keys need none); 12 to 1024 characters,
 *         stored only as an Argon2id hash (libsodium crypto_pwhash_str,
 *         OPSLIMIT/MEMLIMIT_INTERACTIVE). Never returned, never audited.
 *
 * Passwords arrive inside caller-owned JSON; wiping them afterwards is the
 * caller's business (the HTTP handlers and the CLI do).
 */
#ifndef CP_MEMBERS_USERS_H
#define CP_MEMBERS_USERS_H

#include <jansson.h>

#include "members/actor.h"
#include "store/db.h"

#define CP_USER_NAME_MIN 3
#define CP_USER_NAME_MAX 64
#define CP_PASSWORD_MIN_CHARS 12
#define CP_PASSWORD_MAX_BYTES 1024

/* Parses a JSON array of role names into a bitmask (*out). where names the
 * field in messages ("body.roles"). Not an array of strings: CP_E_BAD_REQUEST;
 * an unknown role or an empty set: CP_E_UNPROCESSABLE. Repeats are allowed. */
cp_status cp_roles_from_json(const json_t *arr, const char *where, unsigned *out, cp_err *err);

/* Splits a comma-separated list of role names ("analyst,delegate") into a
 * JSON array of strings (owned), unchecked, for callers that take roles as
 * text (the CLI); cp_roles_from_json() then judges them. NULL on allocation
 * failure. */
json_t *cp_roles_split(const char *csv);

/* in: {"member_id", "name", "roles": [...], "email"?, "password"?}. The
 * member must exist (else 422 "no member ...") and be active. */
cp_status cp_user_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);

/* The user with this id (CP_E_NOT_FOUND when none). */
cp_status cp_user_get(cp_conn *c, const char *id, json_t **out, cp_err *err);
/* The user with this id, or else with this login name (for the CLI). */
cp_status cp_user_find(cp_conn *c, const char *id_or_name, json_t **out, cp_err *err);

typedef struct {
    const char *member_id; /* NULL = every member */
    const char *role;      /* NULL = any; else users holding this role */
    int limit;             /* rows per page, >= 1 */
    const char *next;      /* opaque cursor from the previous page, or NULL */
} cp_user_filter;

/* Users ordered by name. *items: JSON array (owned); *next: malloc'd cursor
 * for the following page, or NULL on the last page. */
cp_status cp_user_list(cp_conn *c, const cp_user_filter *f, json_t **items, char **next, cp_err *err);

/* in: {"roles"?, "status"?: "active"|"disabled", "email"?: string|null}, at
 * least one of them. The role rules are checked against the user's member
 * as for create. */
cp_status cp_user_update(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err);

/* in: {"password"}. Replaces the password and ends the user's sessions
 * except the one making the request (when a is that user's own session). */
cp_status cp_user_set_password(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out,
                               cp_err *err);

#endif
