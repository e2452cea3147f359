#include "http/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "http/ratelimit.h"
#include "members/auth.h"

bool cp_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';') p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= cap) return false;
            memcpy(out, p + nl + 1, vl);
            out[vl] = 0;
            return true;
        }
        p = end;
    }
    return false;
}

static cp_status from_basic(cp_req *r, cp_conn *c, const char *b64, cp_err *err)
{
    char decoded[256];
    size_t len = strlen(b64);
    /* Basic uses standard base64 with padding; convert to URL-safe, unpadded. */
    char tmp[344];
    if (len >= sizeof tmp) return cp_fail(err, CP_E_UNAUTHENTICATED, "Basic credentials too long");
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = b64[i];
        if (ch == '=') break;
        tmp[j++] = ch == '+' ? '-' : ch == '/' ? '_' : ch;
    }
    tmp[j] = 0;
    long n = cp_b64url_decode(tmp, j, decoded, sizeof decoded - 1);
    if (n < 0) return cp_fail(err, CP_E_UNAUTHENTICATED, "malformed Basic credentials");
    decoded[n] = 0;
    char *colon = strchr(decoded, ':');
    if (!colon) return cp_fail(err, CP_E_UNAUTHENTICATED, "malformed Basic credentials");
    *colon = 0;
    cp_status st = cp_auth_key(c, colon + 1, decoded[0] ? decoded : NULL, cp_now_ms(), &r->actor, err);
    cp_wipe(decoded, sizeof decoded);
    return st;
}

static bool is_safe_method(const char *m) { return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0; }

cp_status cp_http_authenticate(cp_req *r, cp_err *err)
{
    const char *authz = r->header(r, "Authorization");
    const char *cookies = r->header(r, "Cookie");
    char session[64];
    /* Public routes (health, metrics, login) ignore credentials altogether: a
     * stale cookie or a bad header must not stand in the way of logging in
     * again, nor make a health check fail. */
    if (r->route && (r->route->flags & CP_ROUTE_PUBLIC)) return CP_OK;
    bool has_session = cookies && cp_cookie_get(cookies, CP_SESSION_COOKIE, session, sizeof session);
    if (!authz && !has_session) return CP_OK;

    int64_t now_s = cp_now_ms() / 1000;
    int wait = cp_ratelimit_blocked(r->app->ratelimit, r->remote, now_s);
    if (wait > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", wait);
        cp_resp_header(r, "Retry-After", secs);
        return cp_fail(err, CP_E_RATE_LIMITED, "too many failed authentication attempts from %s; retry in %d s",
                       r->remote, wait);
    }
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    cp_status st;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) == 0) {
            const char *tok = authz + 7;
            while (*tok == ' ') tok++;
            st = cp_auth_key(c, tok, NULL, cp_now_ms(), &r->actor, err);
        } else if (strncasecmp(authz, "Basic ", 6) == 0) {
            st = from_basic(r, c, authz + 6, err);
        } else {
            st = cp_fail(err, CP_E_UNAUTHENTICATED, "unsupported Authorization scheme (use Bearer or Basic)");
        }
    } else {
        st = cp_auth_session(c, session, cp_now_ms(), &r->actor, err);
        cp_wipe(session, sizeof session);
        if (!st && !is_safe_method(r->method)) {
            const char *csrf = r->header(r, "X-CSRF-Token");
            size_t n = strlen(r->actor.csrf_token);
            if (!csrf || strlen(csrf) != n || !cp_ct_equal(csrf, r->actor.csrf_token, n)) {
                memset(&r->actor, 0, sizeof r->actor);
                return cp_fail(err, CP_E_FORBIDDEN,
                               "missing or wrong X-CSRF-Token header (required with a session cookie on %s)",
                               r->method);
            }
        }
    }
    /* Only guessable credentials count: a stale 256-bit session cookie is no
     * guess, and counting it would lock out a browser tab that polls. */
    if (st == CP_E_UNAUTHENTICATED && authz) cp_ratelimit_fail(r->app->ratelimit, r->remote, now_s);
    if (st) memset(&r->actor, 0, sizeof r->actor);
    return st;
}
