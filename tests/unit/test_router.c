/*
 * test_router.c — http/router.h: matching a method and a decoded path
 * against a small table defined here (literal segments, {placeholders},
 * significant trailing slash, first match wins, HEAD as GET, 405 with the
 * Allow list), bounds on segment and Allow buffers (heap buffers of the
 * documented size, so ASan sees any overrun), and a sanity pass over the
 * server's real table: every route reachable, none shadowed or duplicated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http/router.h"

static cp_status h(cp_req *r, cp_err *err)
{
    (void)r;
    (void)err;
    return CP_OK;
}

static const cp_route ROUTES[] = {
    /* 0 */ {"GET", "/healthz", h, CP_ROUTE_PUBLIC},
    /* 1 */ {"GET", "/api/v1/members", h, 0},
    /* 2 */ {"POST", "/api/v1/members", h, CP_ROUTE_JSON_BODY},
    /* 3 */ {"GET", "/api/v1/members/me", h, 0}, /* literal before placeholder */
    /* 4 */ {"GET", "/api/v1/members/{id}", h, 0},
    /* 5 */ {"PATCH", "/api/v1/members/{id}", h, CP_ROUTE_JSON_BODY},
    /* 6 */ {"GET", "/api/v1/members/{id}/constituency", h, 0},
    /* 7 */ {"DELETE", "/api/v1/members/{id}/constituency/{entry}", h, 0},
    /* 8 */ {"GET", "/taxii2/", h, 0},
    /* 9 */ {"GET", "/taxii2/{root}/collections/{cid}/objects/", h, 0},
    /* 10 */ {"GET", "/files/v{version}", h, 0}, /* a literal prefix, then the placeholder */
    /* 11 */ {"POST", "/api/v1/keys/{id}/revoke", h, 0},
    /* 12 */ {"DELETE", "/api/v1/keys/{id}", h, 0},
    /* 13 */ {"GET", "/api/v1/keys/{id}", h, 0},
};
static const cp_router RT = {ROUTES, (int)(sizeof ROUTES / sizeof ROUTES[0])};

typedef struct {
    cp_match m;
    int index;
    const char *params[CP_ROUTE_PARAMS_MAX];
    int n_params;
    char allow[128];
    char *seg;
} result;

static result *match_rt(const cp_router *rt, const char *method, const char *path)
{
    static result r;
    free(r.seg);
    memset(&r, 0, sizeof r);
    r.seg = malloc(CP_PATH_MAX_BYTES); /* exactly the documented size */
    r.index = -1;
    r.m = cp_router_match(rt, method, path, r.seg, &r.index, r.params, &r.n_params, r.allow, sizeof r.allow);
    return &r;
}
#define MATCH(method, path) match_rt(&RT, method, path)

static void ok(const char *method, const char *path, int index, const char *p0, const char *p1)
{
    result *r = MATCH(method, path);
    if (r->m != CP_MATCH_OK || r->index != index)
        fprintf(stderr, "  %s %s -> match %d index %d, expected route %d\n", method, path, r->m, r->index, index);
    CHECK_INT(r->m, CP_MATCH_OK);
    CHECK_INT(r->index, index);
    int n = p1 ? 2 : p0 ? 1 : 0;
    CHECK_INT(r->n_params, n);
    if (p0 && r->n_params >= 1) CHECK_STR(r->params[0], p0);
    if (p1 && r->n_params >= 2) CHECK_STR(r->params[1], p1);
}

static void no_path(const char *method, const char *path)
{
    result *r = MATCH(method, path);
    if (r->m != CP_MATCH_NO_PATH) fprintf(stderr, "  %s %s matched (%d, route %d)\n", method, path, r->m, r->index);
    CHECK_INT(r->m, CP_MATCH_NO_PATH);
    CHECK_STR(r->allow, "");
}

static void no_method(const char *method, const char *path, const char *allow)
{
    result *r = MATCH(method, path);
    CHECK_INT(r->m, CP_MATCH_NO_METHOD);
    CHECK_STR(r->allow, allow);
}

static void test_match(void)
{
    ok("GET", "/healthz", 0, NULL, NULL);
    ok("GET", "/api/v1/members", 1, NULL, NULL);
    ok("POST", "/api/v1/members", 2, NULL, NULL);
    ok("GET", "/api/v1/members/me", 3, NULL, NULL);
    ok("GET", "/api/v1/members/m-42", 4, "m-42", NULL);
    ok("PATCH", "/api/v1/members/m-42", 5, "m-42", NULL);
    ok("PATCH", "/api/v1/members/me", 5, "me", NULL); /* the literal route is GET only */
    ok("GET", "/api/v1/members/m-42/constituency", 6, "m-42", NULL);
    ok("DELETE", "/api/v1/members/m-42/constituency/e-7", 7, "m-42", "e-7");
    ok("GET", "/taxii2/", 8, NULL, NULL);
    ok("GET", "/taxii2/api1/collections/c9/objects/", 9, "api1", "c9");
    ok("GET", "/files/v2.json", 10, "2.json", NULL); /* a placeholder takes the rest of its segment */
    ok("GET", "/files/vv", 10, "v", NULL);
    ok("POST", "/api/v1/keys/k1/revoke", 11, "k1", NULL);
    ok("DELETE", "/api/v1/keys/k1", 12, "k1", NULL);
    ok("GET", "/api/v1/keys/k1", 13, "k1", NULL);
    /* decoded bytes of any kind are a segment's value */
    ok("GET", "/api/v1/members/a b%20c?x=\xc3\xa9", 4, "a b%20c?x=\xc3\xa9", NULL);
    ok("GET", "/api/v1/members/{id}", 4, "{id}", NULL);
}

static void test_head(void)
{
    ok("HEAD", "/healthz", 0, NULL, NULL);
    ok("HEAD", "/api/v1/members/x", 4, "x", NULL);
    no_method("HEAD", "/api/v1/keys/k1/revoke", "POST");
}

static void test_no_path(void)
{
    no_path("GET", "/");
    no_path("GET", "");
    no_path("GET", "/nope");
    no_path("GET", "/healthz/");           /* trailing slash is significant */
    no_path("GET", "/taxii2");             /* ... both ways */
    no_path("GET", "/api/v1/members/");    /* a placeholder needs a non-empty segment */
    no_path("GET", "/api/v1/members//constituency");
    no_path("GET", "/api/v1/members/x/y"); /* one segment only */
    no_path("GET", "/api/v1/members/x/constituency/");
    no_path("GET", "/API/v1/members");     /* case-sensitive */
    no_path("GET", "/api/v1/membersx");
    no_path("GET", "/api/v1/member");
    no_path("GET", "//healthz");
    no_path("GET", "/healthz?x=1");        /* the path comes without the query */
    no_path("GET", "/files/v");            /* empty placeholder after a literal prefix */
    no_path("GET", "/files/x2");
    no_path("GET", "/taxii2/r/collections//objects/");
}

static void test_no_method(void)
{
    no_method("DELETE", "/api/v1/members", "GET, POST");
    no_method("PUT", "/api/v1/members/x", "GET, PATCH");
    no_method("POST", "/api/v1/members/me", "GET, PATCH"); /* every route that matches, once each */
    no_method("POST", "/healthz", "GET");
    no_method("GET", "/api/v1/members/x/constituency/y", "DELETE");
    no_method("PATCH", "/api/v1/keys/k1", "DELETE, GET");
    no_method("get", "/healthz", "GET"); /* methods are case-sensitive */
}

/* A segment as long as the buffer allows, and one byte more. */
static void test_segment_bounds(void)
{
    size_t plen = strlen("/api/v1/members/");
    char *path = malloc(plen + CP_PATH_MAX_BYTES + 2);
    strcpy(path, "/api/v1/members/");
    memset(path + plen, 'x', CP_PATH_MAX_BYTES - 1);
    path[plen + CP_PATH_MAX_BYTES - 1] = 0;
    result *r = MATCH("GET", path);
    CHECK_INT(r->m, CP_MATCH_OK);
    CHECK_INT(r->index, 4);
    CHECK_INT(strlen(r->params[0]), CP_PATH_MAX_BYTES - 1);
    path[plen + CP_PATH_MAX_BYTES - 1] = 'x';
    path[plen + CP_PATH_MAX_BYTES] = 0;
    r = MATCH("GET", path);
    CHECK_INT(r->m, CP_MATCH_NO_PATH); /* does not fit: no match, no overrun */
    free(path);

    /* two placeholders sharing the buffer */
    path = malloc(3 * CP_PATH_MAX_BYTES);
    snprintf(path, 3 * CP_PATH_MAX_BYTES, "/api/v1/members/%01200d/constituency/%0846d", 1, 2);
    r = MATCH("DELETE", path);
    CHECK_INT(r->m, CP_MATCH_OK); /* 1201 + 847 = 2048 */
    snprintf(path, 3 * CP_PATH_MAX_BYTES, "/api/v1/members/%01200d/constituency/%0847d", 1, 2);
    r = MATCH("DELETE", path);
    CHECK_INT(r->m, CP_MATCH_NO_PATH);
    free(path);
}

/* More placeholders than CP_ROUTE_PARAMS_MAX never write past params[]. */
static void test_params_bound(void)
{
    static const cp_route many[] = {{"GET", "/{a}/{b}/{c}/{d}/{e}", h, 0}, {"GET", "/{a}/{b}/{c}/{d}", h, 0}};
    cp_router rt = {many, 2};
    result *r = match_rt(&rt, "GET", "/1/2/3/4/5");
    CHECK_INT(r->m, CP_MATCH_NO_PATH);
    r = match_rt(&rt, "GET", "/1/2/3/4");
    CHECK_INT(r->m, CP_MATCH_OK);
    CHECK_INT(r->index, 1);
    CHECK_INT(r->n_params, 4);
    CHECK_STR(r->params[3], "4");
}

/* A tiny Allow buffer is cut, not overrun. */
static void test_allow_bound(void)
{
    static const cp_route r5[] = {
        {"GET", "/x", h, 0}, {"POST", "/x", h, 0}, {"PUT", "/x", h, 0}, {"PATCH", "/x", h, 0}, {"DELETE", "/x", h, 0},
    };
    cp_router rt = {r5, 5};
    char *seg = malloc(CP_PATH_MAX_BYTES);
    const char *params[CP_ROUTE_PARAMS_MAX];
    int index = -1, n = 0;
    for (size_t cap = 1; cap <= 40; cap++) {
        char *allow = malloc(cap);
        cp_match m = cp_router_match(&rt, "OPTIONS", "/x", seg, &index, params, &n, allow, cap);
        CHECK_INT(m, CP_MATCH_NO_METHOD);
        CHECK(strlen(allow) < cap);
        if (cap == 40) CHECK_STR(allow, "GET, POST, PUT, PATCH, DELETE");
        free(allow);
    }
    free(seg);
}

/* The server's own table. */
static void test_real_table(void)
{
    const cp_router *rt = cp_routes_all();
    CHECK(rt->n >= 20);
    CHECK(cp_routes_all() == rt);
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (int i = 0; i < rt->n; i++) {
        const cp_route *r = &rt->routes[i];
        bool known = false;
        for (size_t k = 0; k < 5; k++) known |= strcmp(r->method, methods[k]) == 0;
        CHECK(known);
        CHECK(r->handler != NULL);
        CHECK(r->pattern[0] == '/');
        /* placeholders: balanced, whole segments, at most CP_ROUTE_PARAMS_MAX */
        int n = 0;
        char path[512];
        size_t o = 0;
        for (const char *p = r->pattern; *p && o < sizeof path - 8;) {
            if (*p == '{') {
                const char *close = strchr(p, '}');
                CHECK(close != NULL);
                if (!close) break;
                n++;
                o += (size_t)snprintf(path + o, sizeof path - o, "v%d", n);
                p = close + 1;
            } else {
                path[o++] = *p++;
            }
        }
        path[o] = 0;
        CHECK(n <= CP_ROUTE_PARAMS_MAX);
        /* reachable: this method and a path made from the pattern find this very route */
        result *m = match_rt(rt, r->method, path);
        if (m->m != CP_MATCH_OK || m->index != i)
            fprintf(stderr, "  %s %s (route %d) is shadowed by route %d\n", r->method, r->pattern, i, m->index);
        CHECK_INT(m->m, CP_MATCH_OK);
        CHECK_INT(m->index, i);
        CHECK_INT(m->n_params, n);
        /* no duplicate method + pattern */
        for (int j = 0; j < i; j++)
            CHECK(strcmp(rt->routes[j].method, r->method) != 0 || strcmp(rt->routes[j].pattern, r->pattern) != 0);
    }
    /* known answers */
    result *m = match_rt(rt, "GET", "/healthz");
    CHECK_INT(m->m, CP_MATCH_OK);
    CHECK(rt->routes[m->index].flags & CP_ROUTE_PUBLIC);
    m = match_rt(rt, "GET", "/api/v1/members");
    CHECK(!(rt->routes[m->index].flags & CP_ROUTE_PUBLIC));
    m = match_rt(rt, "PUT", "/api/v1/members");
    CHECK_INT(m->m, CP_MATCH_NO_METHOD);
    CHECK_STR(m->allow, "GET, POST");
    m = match_rt(rt, "GET", "/api/v1/nothing-here");
    CHECK_INT(m->m, CP_MATCH_NO_PATH);
}

int main(void)
{
    RUN(test_match);
    RUN(test_head);
    RUN(test_no_path);
    RUN(test_no_method);
    RUN(test_segment_bounds);
    RUN(test_params_bound);
    RUN(test_allow_bound);
    RUN(test_real_table);
    free(match_rt(&RT, "GET", "/")->seg); /* the last buffer */
    return harness_done();
}
