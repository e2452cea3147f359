/*
 * users_http.c — routes for users, API keys and browser sessions. Parse,
 * authorise (cp_authz, always), call the domain, render; nothing else.
 *
 * Existence: a user or key the actor may not know of answers 404 with the
 * words a missing one gets, whatever the method; so every handler on one
 * user or key asks cp_authz for the read action first, then for its own.
 *
 * Secrets in requests (passwords) are wiped from the body and the parsed
 * JSON once the domain call has returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "http/auth.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "http/routes.h"
#include "members/auth.h"
#include "members/keys.h"
#include "members/sessions.h"
#include "members/users.h"

/* Parses a body that may hold a password, then wipes the raw body. */
static cp_status secret_body(cp_req *r, json_t **in, cp_err *err)
{
    cp_status st = cp_req_json(r, in, err);
    if (r->body) cp_wipe((void *)r->body, r->body_len);
    return st;
}

/* Wipes a "password" or "secret" string inside v, then releases v. */
static void drop_secret_json(json_t *v)
{
    const char *fields[] = {"password", "secret"};
    for (size_t i = 0; i < 2; i++) {
        const char *p = cp_json_str(v, fields[i]);
        if (p) cp_wipe((void *)p, strlen(p));
    }
    json_decref(v);
}

/* Both scopes of a list: the one the actor is held to (scope, may be NULL)
 * and the one asked for (asked, may be NULL). *none: they exclude each other. */
static const char *narrow(const char *scope, const char *asked, bool *none)
{
    *none = scope && asked && strcmp(scope, asked) != 0;
    return scope ? scope : asked;
}

/* Reads user id and authorises act on it (after the read, see above).
 * *out: the user (owned) when allowed. */
static cp_status user_authz(cp_req *r, cp_conn *c, cp_action act, json_t **out, cp_err *err)
{
    json_t *u;
    cp_status st = cp_user_get(c, r->params[0], &u, err);
    if (st) return st;
    cp_resource res = {.member_id = cp_json_str(u, "member_id"), .user_id = cp_json_str(u, "id")};
    st = cp_authz(&r->actor, CP_ACT_USER_READ, &res, err);
    if (!st && act != CP_ACT_USER_READ) st = cp_authz(&r->actor, act, &res, err);
    if (st)
        json_decref(u);
    else
        *out = u;
    return st;
}

static cp_status list_users(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_USER_LIST, NULL, err);
    if (st) return st;
    const char *scope_member, *scope_user;
    cp_authz_scope(&r->actor, CP_ACT_USER_LIST, &scope_member, &scope_user);
    bool none;
    cp_user_filter f = {
        .member_id = narrow(scope_member, cp_query_get(&r->query, "member_id"), &none),
        .role = cp_query_get(&r->query, "role"),
    };
    if ((st = cp_req_page(r, 100, &f.limit, &f.next, err))) return st;
    if (none) {
        cp_resp_json(r, 200, cp_page_json(json_array(), NULL));
        return CP_OK;
    }
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *items;
    char *next;
    if ((st = cp_user_list(c, &f, &items, &next, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, next));
    free(next);
    return CP_OK;
}

static cp_status create_user(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_USER_CREATE, NULL, err);
    if (st) return st;
    json_t *in, *out;
    if ((st = secret_body(r, &in, err))) return st;
    cp_conn *c = cp_req_conn(r, err);
    st = c ? cp_user_create(c, &r->actor, in, &out, err) : CP_E_UNAVAILABLE;
    drop_secret_json(in);
    if (st) return st;
    cp_resp_json(r, 201, out);
    return CP_OK;
}

static cp_status get_user(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *u;
    cp_status st = user_authz(r, c, CP_ACT_USER_READ, &u, err);
    if (st) return st;
    cp_resp_json(r, 200, u);
    return CP_OK;
}

static cp_status update_user(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *u, *in, *out;
    cp_status st = user_authz(r, c, CP_ACT_USER_UPDATE, &u, err);
    if (st) return st;
    json_decref(u);
    if ((st = cp_req_json(r, &in, err))) return st;
    st = cp_user_update(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status set_password(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *u, *in, *out;
    cp_status st = user_authz(r, c, CP_ACT_USER_PASSWORD, &u, err);
    if (st) return st;
    json_decref(u);
    if ((st = secret_body(r, &in, err))) return st;
    st = cp_user_set_password(c, &r->actor, r->params[0], in, &out, err);
    drop_secret_json(in);
    /* A wrong current password is a guess: it counts like a failed login. */
    if (st == CP_E_FORBIDDEN) cp_ratelimit_fail(r->app->ratelimit, r->remote, cp_now_ms() / 1000);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status list_keys(cp_req *r, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_KEY_LIST, NULL, err);
    if (st) return st;
    const char *scope_member, *scope_user;
    cp_authz_scope(&r->actor, CP_ACT_KEY_LIST, &scope_member, &scope_user);
    bool none;
    cp_key_filter f = {.user_id = narrow(scope_user, cp_query_get(&r->query, "user_id"), &none)};
    if ((st = cp_req_page(r, 100, &f.limit, &f.next, err))) return st;
    if (none) {
        cp_resp_json(r, 200, cp_page_json(json_array(), NULL));
        return CP_OK;
    }
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *items;
    char *next;
    if ((st = cp_key_list(c, &f, &items, &next, err))) return st;
    cp_resp_json(r, 200, cp_page_json(items, next));
    free(next);
    return CP_OK;
}

static cp_status create_key(cp_req *r, cp_err *err)
{
    json_t *in, *u = NULL, *out;
    cp_status st = cp_req_json(r, &in, err);
    if (st) return st;
    const char *uid = cp_json_str(in, "user_id");
    cp_conn *c = cp_req_conn(r, err);
    if (!uid)
        st = cp_fail(err, CP_E_BAD_REQUEST, "missing required field body.user_id (a string)");
    else if (!c)
        st = CP_E_UNAVAILABLE;
    else
        st = cp_user_get(c, uid, &u, err);
    /* A missing user is authorised like one of another member: 404 for those
     * who may not know, and the domain's 422 for those who may. */
    if (st == CP_E_NOT_FOUND) st = CP_OK;
    cp_resource res = {.member_id = cp_json_str(u, "member_id"), .user_id = uid};
    if (!st) st = cp_authz(&r->actor, CP_ACT_KEY_CREATE, &res, err);
    json_decref(u);
    if (!st) st = cp_key_create(c, &r->actor, in, &out, err);
    json_decref(in);
    if (st) return st;
    json_incref(out);
    cp_resp_json(r, 201, out); /* serialised here: from now on the secret is only in the response */
    drop_secret_json(out);
    return CP_OK;
}

/* Reads key id and authorises act on it (after the read). *out: the key. */
static cp_status key_authz(cp_req *r, cp_conn *c, cp_action act, json_t **out, cp_err *err)
{
    json_t *k;
    cp_status st = cp_key_get(c, r->params[0], &k, err);
    if (st) return st;
    cp_resource res = {.user_id = cp_json_str(k, "user_id")};
    st = cp_authz(&r->actor, CP_ACT_KEY_READ, &res, err);
    if (!st && act != CP_ACT_KEY_READ) st = cp_authz(&r->actor, act, &res, err);
    if (st)
        json_decref(k);
    else
        *out = k;
    return st;
}

static cp_status get_key(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *k;
    cp_status st = key_authz(r, c, CP_ACT_KEY_READ, &k, err);
    if (st) return st;
    cp_resp_json(r, 200, k);
    return CP_OK;
}

static cp_status revoke_key(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    json_t *k, *out;
    cp_status st = key_authz(r, c, CP_ACT_KEY_REVOKE, &k, err);
    if (st) return st;
    json_decref(k);
    if ((st = cp_key_revoke(c, &r->actor, r->params[0], &out, err))) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static void set_session_cookie(cp_req *r, const char *value, int64_t max_age_s)
{
    char v[160];
    snprintf(v, sizeof v, CP_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", value,
             (long long)max_age_s, r->app->tls ? "; Secure" : "");
    cp_resp_header(r, "Set-Cookie", v);
    cp_wipe(v, sizeof v);
}

static cp_status login(cp_req *r, cp_err *err)
{
    static const cp_jfield F[] = {
        {"name", CP_JT_STRING, true, 256},
        {"password", CP_JT_STRING, true, 4 * CP_PASSWORD_MAX_BYTES},
    };
    int64_t now_s = cp_now_ms() / 1000;
    int wait = cp_ratelimit_blocked(r->app->ratelimit, r->remote, now_s);
    if (wait > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", wait);
        cp_resp_header(r, "Retry-After", secs);
        return cp_fail(err, CP_E_RATE_LIMITED, "too many failed log-ins from %s; retry in %d s", r->remote, wait);
    }
    json_t *in, *user;
    cp_status st = secret_body(r, &in, err);
    if (st) return st;
    if ((st = cp_json_check(in, "body", F, 2, err))) goto out;
    cp_conn *c = cp_req_conn(r, err);
    if (!c) {
        st = CP_E_UNAVAILABLE;
        goto out;
    }
    char cookie[CP_SESSION_TOKEN_LEN + 1], csrf[CP_SESSION_TOKEN_LEN + 1];
    int64_t ttl_s = r->app->cfg->session_ttl_s, expires;
    st = cp_session_login(c, cp_json_str(in, "name"), cp_json_str(in, "password"), ttl_s, cookie, csrf, &expires, &user,
                          err);
    if (st == CP_E_UNAUTHENTICATED) cp_ratelimit_fail(r->app->ratelimit, r->remote, now_s);
    if (st) goto out;
    set_session_cookie(r, cookie, ttl_s);
    char at[CP_RFC3339_MAX];
    cp_rfc3339_format(expires, at);
    cp_resp_json(r, 200, json_pack("{so ss ss}", "user", user, "csrf_token", csrf, "expires_at", at));
    cp_wipe(cookie, sizeof cookie);
    cp_wipe(csrf, sizeof csrf);
out:
    drop_secret_json(in);
    return st;
}

/* The session cookie of a request authenticated by it, into cookie (64
 * bytes); 404 when the request is authenticated otherwise. */
static cp_status own_session(cp_req *r, char cookie[64], cp_err *err)
{
    cp_status st = cp_authz(&r->actor, CP_ACT_ME, NULL, err);
    if (st) return st;
    const char *h = r->header(r, "Cookie");
    if (r->actor.kind != CP_ACTOR_SESSION || !h || !cp_cookie_get(h, CP_SESSION_COOKIE, cookie, 64))
        return cp_fail(err, CP_E_NOT_FOUND, "no session: this request is not authenticated by a session cookie");
    return CP_OK;
}

static cp_status logout(cp_req *r, cp_err *err)
{
    char cookie[64];
    cp_status st = own_session(r, cookie, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    st = c ? cp_session_logout(c, cookie, err) : CP_E_UNAVAILABLE;
    cp_wipe(cookie, sizeof cookie);
    if (st) return st;
    set_session_cookie(r, "", 0);
    cp_resp_json(r, 200, json_pack("{ss}", "status", "logged_out"));
    return CP_OK;
}

static cp_status session_info(cp_req *r, cp_err *err)
{
    char cookie[64];
    cp_status st = own_session(r, cookie, err);
    if (st) return st;
    cp_conn *c = cp_req_conn(r, err);
    json_t *out;
    st = c ? cp_session_info(c, cookie, cp_now_ms(), &out, err) : CP_E_UNAVAILABLE;
    cp_wipe(cookie, sizeof cookie);
    if (st) return st;
    cp_resp_json(r, 200, out);
    return CP_OK;
}

const cp_route cp_users_routes[] = {
    {"GET", "/api/v1/users", list_users, 0},
    {"POST", "/api/v1/users", create_user, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/users/{id}", get_user, 0},
    {"PATCH", "/api/v1/users/{id}", update_user, CP_ROUTE_JSON_BODY},
    {"PUT", "/api/v1/users/{id}/password", set_password, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/keys", list_keys, 0},
    {"POST", "/api/v1/keys", create_key, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/keys/{id}", get_key, 0},
    {"DELETE", "/api/v1/keys/{id}", revoke_key, 0},
    {"POST", "/api/v1/keys/{id}/revoke", revoke_key, 0},
    {"POST", "/api/v1/session", login, CP_ROUTE_PUBLIC | CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/session", session_info, 0},
    {"DELETE", "/api/v1/session", logout, 0},
};
const int cp_users_routes_count = sizeof cp_users_routes / sizeof cp_users_routes[0];
