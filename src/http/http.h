/*
 * http.h — what a request handler sees. The only header a capability's
 * http.c needs besides its own domain headers.
 *
 * A request travels: socket → server.c (limits, request id, body, query)
 * → router.c (route, 404/405) → auth.c (who: key, Basic, session; 401/429)
 * → the route's handler, which does exactly four things:
 *     parse   the body/query/path into domain types (400 on bad input)
 *     authorise with cp_authz() (403, or 404 when the actor may not know
 *             the resource exists)
 *     call    the domain function (plain C over db.h, shared with the CLI)
 *     render  cp_resp_json()
 * and returns a cp_status. On failure the server renders the one error shape
 *     {"error": {"code": "...", "message": "...", "request_id": "..."}}
 * from the status and err->msg.
 *
 * Memory: everything hanging off cp_req is freed by the server after the
 * response is sent. Handlers hand JSON over with cp_resp_json() (stolen).
 */
#ifndef CP_HTTP_HTTP_H
#define CP_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "base/status.h"
#include "http/query.h"
#include "members/actor.h"
#include "store/db.h"

typedef struct cp_app cp_app;
typedef struct cp_req cp_req;
typedef cp_status (*cp_handler)(cp_req *r, cp_err *err);

#define CP_ROUTE_PARAMS_MAX 4
#define CP_RESP_HEADERS_MAX 8

/* Route flags. */
enum {
    CP_ROUTE_PUBLIC = 1,     /* no credentials needed (healthz, login) */
    CP_ROUTE_JSON_BODY = 2,  /* needs a JSON body (415 otherwise) */
    CP_ROUTE_AUTH_OPTIONAL = 4, /* credentials checked when given; anonymous allowed (TAXII, public data) */
    CP_ROUTE_TAXII = 8,      /* TAXII 2.1: Accept must admit the TAXII type (406), errors as TAXII error resources */
    CP_ROUTE_TAXII_BODY = 16, /* body must be application/taxii+json;version=2.1 (415) */
    CP_ROUTE_INTEL_BODY = 32, /* body limit is intel-max-body-bytes instead of max-body-bytes */
};

typedef struct {
    const char *method;   /* "GET", "POST", ... */
    const char *pattern;  /* "/api/v1/members/{id}"; {x} matches one segment */
    cp_handler handler;
    unsigned flags;
} cp_route;

/* The process-wide context handed to every request. */
struct cp_app {
    cp_db *db;
    const cp_config *cfg;
    struct cp_metrics *metrics;
    struct cp_ratelimit *ratelimit;
    bool tls;
    volatile int draining;
};

struct cp_req {
    cp_app *app;
    const char *method;
    const char *path;          /* decoded path, without the query */
    cp_query query;
    const char *body;          /* NUL-terminated copy; NULL when none */
    size_t body_len;
    const char *params[CP_ROUTE_PARAMS_MAX]; /* {x} segments, in order */
    int n_params;
    const cp_route *route;
    char request_id[65];
    char remote[64];           /* peer address */
    cp_actor actor;
    /* header lookups (borrowed, valid during the request) */
    const char *(*header)(cp_req *r, const char *name);
    void *mhd_connection;      /* private to server.c */
    /* the response */
    int status;
    char *resp_body;           /* owned */
    size_t resp_len;
    const char *resp_type;
    const char *resp_headers[CP_RESP_HEADERS_MAX][2]; /* names static, values owned */
    int n_resp_headers;
};

/* The calling thread's store connection (opened on first use). */
cp_conn *cp_req_conn(cp_req *r, cp_err *err);
/* Parses the request body as a JSON object (depth and size already bounded). */
cp_status cp_req_json(cp_req *r, json_t **out, cp_err *err);
/* Reads ?limit= (default def, 1..page-limit-max) and ?next= (opaque). */
cp_status cp_req_page(cp_req *r, int def, int *limit, const char **next, cp_err *err);

/* Sets a JSON response; steals body. */
void cp_resp_json(cp_req *r, int status, json_t *body);
/* How cp_resp_json writes JSON (for a handler that caches the text itself):
 * compact, in insertion order, reals with 15 significant digits (10.3 reads
 * "10.3", not "10.300000000000001"). */
#define CP_RESP_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))
/* Sets a plain response with a copy of text. */
void cp_resp_text(cp_req *r, int status, const char *type, const char *text, size_t len);
/* Sets a response whose body (malloc'd, len bytes) the server takes over. */
void cp_resp_take(cp_req *r, int status, const char *type, char *body, size_t len);
/* Adds a response header (name must be static; value is copied). */
void cp_resp_header(cp_req *r, const char *name, const char *value);

/* {"items": items, "next": next-or-null}; steals items. */
json_t *cp_page_json(json_t *items, const char *next);

#endif
