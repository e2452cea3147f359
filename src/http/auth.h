/*
 * auth.h — who sent this request: reads the credentials of a request and
 * fills r->actor (see members/auth.h for what a credential is).
 *
 * Order: an Authorization header (Bearer <secret> or Basic <key-id:secret>)
 * wins over a session cookie. No credentials leaves the actor anonymous (the
 * route decides whether that is enough). Credentials that do not verify are
 * a 401 and count against the address in the rate limiter; an address over
 * its limit gets 429 with Retry-After before its credentials are checked.
 * Public routes ignore the session cookie (an ended session's cookie must
 * not block POST /api/v1/session, the login).
 * A request authenticated by session cookie that changes state (any method
 * but GET and HEAD) must carry the session's X-CSRF-Token header, or 403.
 */
#ifndef CP_HTTP_AUTH_H
#define CP_HTTP_AUTH_H

#include "http/http.h"

cp_status cp_http_authenticate(cp_req *r, cp_err *err);

/* Extracts the value of cookie `name` from a Cookie header into out. */
bool cp_cookie_get(const char *header, const char *name, char *out, size_t cap);

#endif
