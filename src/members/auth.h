/*
 * auth.h — turning a credential into an actor.
 *
 * API key secrets have the form
 *     cpk_<32 hex: the key id without dashes>_<43 base64url chars: 256 random bits>
 * so the key row is found by id and the whole secret compared by SHA-256 in
 * constant time; the store keeps only the hash. (The secret carries 256
 * random bits, so a fast hash is enough; passwords, which people choose, use
 * Argon2id instead.) HTTP Basic carries the key id (with or without dashes)
 * as user name and the secret as password.
 *
 * A key authenticates while: it is not revoked, not expired, its user is
 * active. Its effective roles are the key's roles AND the user's current
 * roles, so taking a role from a user takes it from every key at once. A
 * member that is suspended or withdrawn still authenticates (so its users can
 * read /api/v1/me) but the authorisation function denies everything else.
 *
 * Sessions: the cookie value is 256 random bits (base64url); the store keeps
 * its SHA-256. Each session has its own CSRF token, required in the
 * X-CSRF-Token header on every state-changing request made with the cookie.
 */
#ifndef CP_MEMBERS_AUTH_H
#define CP_MEMBERS_AUTH_H

#include <stdint.h>

#include "members/actor.h"
#include "store/db.h"

#define CP_KEY_SECRET_PREFIX "cpk_"
#define CP_KEY_SECRET_LEN (4 + 32 + 1 + 43)
#define CP_SESSION_COOKIE "cp_session"

/* Makes a new secret for key_id into out (CP_KEY_SECRET_LEN + 1 bytes) and
 * its hash into hash (65 bytes). */
void cp_key_secret_new(const char *key_id, char *out, char *hash);

/* Verifies secret; claimed_id (may be NULL) must then name the same key.
 * CP_E_UNAUTHENTICATED when anything does not hold, without saying which. */
cp_status cp_auth_key(cp_conn *c, const char *secret, const char *claimed_id, int64_t now_ms, cp_actor *out,
                      cp_err *err);

/* Verifies a session cookie value. */
cp_status cp_auth_session(cp_conn *c, const char *cookie, int64_t now_ms, cp_actor *out, cp_err *err);

/* Fills the member and user part of an actor from user_id (roles: the
 * user's). Used by session auth and tests. */
cp_status cp_actor_load_user(cp_conn *c, const char *user_id, cp_actor *out, cp_err *err);

#endif
