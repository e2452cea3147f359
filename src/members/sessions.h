/*
 * sessions.h — browser sessions: log in with a user name and password, get
 * a cookie; log out.
 *
 * The cookie value is 256 random bits, base64url (43 characters); the store
 * keeps only its SHA-256 (sessions.id_hash), so a copy of the store does not
 * let anyone in. Each session has its own CSRF token (256 random bits,
 * base64url), which the client sends in X-CSRF-Token on every state-changing
 * request (checked in http/auth.c). members/auth.c verifies the cookie on
 * each request: the session must not be ended or expired and its user must
 * be active.
 *
 * Login failures say one thing only: "invalid user name or password", for an
 * unknown user, a disabled user, a user without a password and a wrong
 * password alike, and take comparable time (an unknown user or one without a
 * password is checked against a dummy Argon2id hash). Counting failures
 * against the client address is the HTTP layer's business (ratelimit.h).
 *
 * Login and logout are audited (actor and target "user:<id>"); the detail
 * never holds the cookie, its hash or the CSRF token.
 */
#ifndef CP_MEMBERS_SESSIONS_H
#define CP_MEMBERS_SESSIONS_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"

#define CP_SESSION_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */

/* Verifies name and password and opens a session lasting ttl_s seconds.
 * On success fills cookie and csrf (CP_SESSION_TOKEN_LEN + 1 bytes each),
 * *expires_ms, and *user (the user, as users.h renders it; owned). */
cp_status cp_session_login(cp_conn *c, const char *name, const char *password, int64_t ttl_s,
                           char cookie[CP_SESSION_TOKEN_LEN + 1], char csrf[CP_SESSION_TOKEN_LEN + 1],
                           int64_t *expires_ms, json_t **user, cp_err *err);

/* Ends the session with this cookie value. CP_E_NOT_FOUND when there is no
 * open session with it. */
cp_status cp_session_logout(cp_conn *c, const char *cookie, cp_err *err);

/* The open session with this cookie value:
 * {"user": {...}, "csrf_token", "expires_at"} (owned). CP_E_NOT_FOUND when
 * none is open at now_ms. */
cp_status cp_session_info(cp_conn *c, const char *cookie, int64_t now_ms, json_t **out, cp_err *err);

#endif
