#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "http/routes.h"

#define ROUTES_MAX 256 /* every route of every part; add() refuses to drop one */

static cp_route all[ROUTES_MAX];
static cp_router router = {all, 0};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add(const cp_route *t, int n)
{
    if (router.n + n > ROUTES_MAX) { /* a programming error: fail loudly at the first request, never drop a route */
        fprintf(stderr, "cyberpact: %d routes exceed ROUTES_MAX (%d) in src/http/routes.c\n", router.n + n, ROUTES_MAX);
        abort();
    }
    for (int i = 0; i < n; i++) all[router.n++] = t[i];
}

static void build(void)
{
    add(cp_system_routes, cp_system_routes_count);
    add(cp_members_routes, cp_members_routes_count);
    add(cp_users_routes, cp_users_routes_count);
    add(cp_collections_routes, cp_collections_routes_count);
    add(cp_taxii_routes, cp_taxii_routes_count);
    add(cp_intel_routes, cp_intel_routes_count);
    add(cp_search_routes, cp_search_routes_count);
    add(cp_finance_routes, cp_finance_routes_count);
    add(cp_record_routes, cp_record_routes_count);
    add(cp_governance_routes, cp_governance_routes_count);
    add(cp_warning_routes, cp_warning_routes_count);
}

const cp_router *cp_routes_all(void)
{
    pthread_once(&once, build);
    return &router;
}
