/*
 * router.h — matching a method and a decoded path against the route tables.
 *
 * Patterns are literal segments and {name} placeholders, each matching one
 * non-empty segment ("/api/v1/members/{id}/constituency"). A trailing slash
 * is significant (TAXII needs it). Matching is a linear scan: the table has
 * a few dozen rows, and a scan over them costs less than one hash of the
 * path would save.
 */
#ifndef CP_HTTP_ROUTER_H
#define CP_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

#define CP_PATH_MAX_BYTES 2048

typedef struct {
    const cp_route *routes;
    int n;
} cp_router;

/* Every route of the server, in one table built from each capability's list
 * (routes.c). */
const cp_router *cp_routes_all(void);

typedef enum { CP_MATCH_OK, CP_MATCH_NO_PATH, CP_MATCH_NO_METHOD } cp_match;

/* Matches path; on CP_MATCH_OK *index is the route and params[] point into
 * seg_buf (which must hold CP_PATH_MAX_BYTES). On CP_MATCH_NO_METHOD, allow
 * receives the methods the path accepts ("GET, POST"). */
cp_match cp_router_match(const cp_router *rt, const char *method, const char *path, char *seg_buf, int *index,
                         const char **params, int *n_params, char *allow, size_t allow_cap);

#endif
