/*
 * request.c — helpers handlers use to read a request and write a response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "http/http.h"

cp_conn *cp_req_conn(cp_req *r, cp_err *err) { return cp_db_thread_conn(r->app->db, err); }

cp_status cp_req_json(cp_req *r, json_t **out, cp_err *err)
{
    cp_status st = cp_json_parse(r->body ? r->body : "", r->body_len, (size_t)r->app->cfg->max_json_depth, out, err);
    if (st) return st;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return cp_fail(err, CP_E_BAD_REQUEST, "request body must be a JSON object");
    }
    return CP_OK;
}

cp_status cp_req_page(cp_req *r, int def, int *limit, const char **next, cp_err *err)
{
    int max = (int)r->app->cfg->page_limit_max;
    *limit = def > max ? max : def;
    *next = cp_query_get(&r->query, "next");
    if (*next && !**next) *next = NULL;
    const char *l = cp_query_get(&r->query, "limit");
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > max)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter limit must be an integer from 1 to %d, not '%.32s'",
                           max, l);
        *limit = (int)v;
    }
    return CP_OK;
}

void cp_resp_json(cp_req *r, int status, json_t *body)
{
    free(r->resp_body);
    r->status = status;
    r->resp_type = "application/json";
    r->resp_body = body ? json_dumps(body, CP_RESP_JSON_FLAGS) : NULL;
    r->resp_len = r->resp_body ? strlen(r->resp_body) : 0;
    if (!r->resp_body) { /* allocation failure or no body: say so in the shape clients expect */
        r->status = 500;
        r->resp_body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"response could not be rendered\"}}");
        r->resp_len = r->resp_body ? strlen(r->resp_body) : 0;
    }
    json_decref(body);
}

void cp_resp_text(cp_req *r, int status, const char *type, const char *text, size_t len)
{
    free(r->resp_body);
    r->status = status;
    r->resp_type = type;
    r->resp_body = malloc(len + 1);
    if (r->resp_body) {
        memcpy(r->resp_body, text, len);
        r->resp_body[len] = 0;
    }
    r->resp_len = r->resp_body ? len : 0;
}

void cp_resp_take(cp_req *r, int status, const char *type, char *body, size_t len)
{
    free(r->resp_body);
    r->status = status;
    r->resp_type = type;
    r->resp_body = body;
    r->resp_len = len;
}

void cp_resp_header(cp_req *r, const char *name, const char *value)
{
    for (int i = 0; i < r->n_resp_headers; i++) {
        if (strcmp(r->resp_headers[i][0], name) == 0) {
            free((void *)r->resp_headers[i][1]);
            r->resp_headers[i][1] = strdup(value);
            return;
        }
    }
    if (r->n_resp_headers >= CP_RESP_HEADERS_MAX) return;
    r->resp_headers[r->n_resp_headers][0] = name;
    r->resp_headers[r->n_resp_headers][1] = strdup(value);
    r->n_resp_headers++;
}

json_t *cp_page_json(json_t *items, const char *next)
{
    return json_pack("{so ss?}", "items", items, "next", next);
}
