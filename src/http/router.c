#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Compares pattern against path segment by segment. Placeholder values are
 * copied into seg_buf (NUL-separated) and pointed at from params. */
static bool match_one(const char *pattern, const char *path, char *seg_buf, const char **params, int *n_params)
{
    const char *p = pattern, *u = path;
    size_t used = 0;
    *n_params = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *end = strchr(u, '/');
            size_t len = end ? (size_t)(end - u) : strlen(u);
            if (!close || len == 0 || *n_params >= CP_ROUTE_PARAMS_MAX || used + len + 1 > CP_PATH_MAX_BYTES)
                return false;
            memcpy(seg_buf + used, u, len);
            seg_buf[used + len] = 0;
            params[(*n_params)++] = seg_buf + used;
            used += len + 1;
            p = close + 1;
            u += len;
            continue;
        }
        if (*p != *u) return false;
        p++;
        u++;
    }
    return *p == 0 && *u == 0;
}

cp_match cp_router_match(const cp_router *rt, const char *method, const char *path, char *seg_buf, int *index,
                         const char **params, int *n_params, char *allow, size_t allow_cap)
{
    bool path_found = false;
    size_t used = 0;
    allow[0] = 0;
    for (int i = 0; i < rt->n; i++) {
        const cp_route *r = &rt->routes[i];
        if (!match_one(r->pattern, path, seg_buf, params, n_params)) continue;
        bool same = strcmp(r->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
        if (same) {
            *index = i;
            return CP_MATCH_OK;
        }
        if (!strstr(allow, r->method) && used < allow_cap)
            used += (size_t)snprintf(allow + used, allow_cap - used, "%s%s", used ? ", " : "", r->method);
        path_found = true;
    }
    return path_found ? CP_MATCH_NO_METHOD : CP_MATCH_NO_PATH;
}
