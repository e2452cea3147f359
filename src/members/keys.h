/*
 * keys.h — API keys: the credentials of programs (and of people using curl).
 *
 * Conventions as in users.h (400 shape, 422 rule, 409 conflict, 404 "no such
 * key"; one transaction with its audit entry per write; input borrowed,
 * *out owned by the caller).
 *
 * A key:
 *   {"id", "user_id", "roles": [...], "label", "created_at", "created_by",
 *    "expires_at", "revoked_at"}
 * and, only in the answer of cp_key_create, "secret": the one time the
 * secret is shown. The store keeps its SHA-256 (members/auth.h gives the
 * secret format); the audit log records the key without it.
 *
 * Roles: a key carries a non-empty subset of its user's roles. A key made by
 * anyone but the secretariat also carries no role its maker does not hold,
 * so nobody hands out more than they have. Default: every role of the user
 * that the maker may hand out. The roles a key acts with are its own AND its
 * user's current ones (members/auth.c).
 *
 * A key works until it expires (expires_at, optional, in the future when
 * set) or is revoked; revocation is final.
 */
#ifndef CP_MEMBERS_KEYS_H
#define CP_MEMBERS_KEYS_H

#include <jansson.h>

#include "members/actor.h"
#include "store/db.h"

/* in: {"user_id", "roles"?: [...], "label"?, "expires_at"?: RFC 3339}. The
 * user must exist (422 otherwise) and be active. *out includes "secret";
 * the caller should wipe it once delivered. */
cp_status cp_key_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);

cp_status cp_key_get(cp_conn *c, const char *id, json_t **out, cp_err *err);

typedef struct {
    const char *user_id; /* NULL = every user */
    int limit;           /* rows per page, >= 1 */
    const char *next;    /* opaque cursor from the previous page, or NULL */
} cp_key_filter;

/* Keys, oldest first (revoked and expired ones included). *items: JSON
 * array (owned); *next: malloc'd cursor or NULL on the last page. */
cp_status cp_key_list(cp_conn *c, const cp_key_filter *f, json_t **items, char **next, cp_err *err);

/* Revokes the key at once; CP_E_CONFLICT when it already is. *out: the key. */
cp_status cp_key_revoke(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err);

#endif
