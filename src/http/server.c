/*
 * server.c — libmicrohttpd glue: request state, limits, dispatch, responses,
 * the request log line and metrics.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "http/auth.h"
#include "http/media.h"
#include "http/metrics.h"
#include "http/router.h"

/* How much of an oversized chunked body is read (and discarded) to be able to
 * answer 413, as a multiple of the body limit, before the connection is cut. */
#define CP_DISCARD_FACTOR 8

struct cp_server {
    struct MHD_Daemon *d;
    cp_app *app;
    int port;
    _Atomic int in_flight;
    char *tls_cert, *tls_key;
};

/* Per-request state, created by the URI logger and freed on completion. */
typedef struct {
    cp_req req;
    cp_server *srv;
    char *raw_uri;
    char *body;
    size_t body_len, body_cap;
    bool started, too_large, counted;
    size_t discarded;        /* body bytes thrown away after too_large */
    uint64_t t0_us;
    int route_index;
    int64_t body_max;        /* the limit for this route (intel routes take more) */
    size_t body_expected;    /* Content-Length when given: the body buffer is sized once */
    char seg_buf[CP_PATH_MAX_BYTES];
    char path_buf[CP_PATH_MAX_BYTES];
} req_state;

static const char *header_of(cp_req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->mhd_connection, MHD_HEADER_KIND, name);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
    cp_server *srv = cls;
    req_state *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->srv = srv;
    st->raw_uri = strdup(uri ? uri : "");
    st->t0_us = cp_mono_us();
    st->route_index = -1;
    st->body_max = srv->app->cfg->max_body_bytes;
    st->req.app = srv->app;
    st->req.mhd_connection = con;
    st->req.header = header_of;
    atomic_fetch_add(&srv->in_flight, 1);
    st->counted = true;
    return st;
}

static void set_request_id(cp_req *r)
{
    const char *given = r->header(r, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        bool ok = n > 0 && n <= 64;
        for (size_t i = 0; ok && i < n; i++) {
            char ch = given[i];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '_' || ch == '.';
        }
        if (ok) {
            memcpy(r->request_id, given, n + 1);
            return;
        }
    }
    unsigned char rnd[16];
    cp_random_bytes(rnd, sizeof rnd);
    cp_hex(rnd, sizeof rnd, r->request_id);
}

static void set_remote(cp_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info((struct MHD_Connection *)r->mhd_connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->remote, sizeof r->remote, "unknown");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->remote, sizeof r->remote);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->remote, sizeof r->remote);
}

/* Renders the one error shape into the response. */
/* TAXII routes, and any path under /taxii2/, answer errors as TAXII 2.1
 * error resources (§3.6.1) in the TAXII media type. */
static bool is_taxii(const cp_req *r)
{
    if (r->route) return (r->route->flags & CP_ROUTE_TAXII) != 0;
    return r->path && strncmp(r->path, "/taxii2/", 8) == 0;
}

static const char *taxii_title(cp_status st)
{
    switch (cp_status_http(st)) {
    case 400: return "Bad request";
    case 401: return "Authentication required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 406: return "Not acceptable";
    case 409: return "Conflict";
    case 413: return "Request entity too large";
    case 415: return "Unsupported media type";
    case 422: return "Unprocessable entity";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    default: return "Internal error";
    }
}

static void set_error(cp_req *r, cp_status st, const char *msg)
{
    const char *text = msg && *msg ? msg : cp_status_code(st);
    if (is_taxii(r)) {
        char http_status[8];
        snprintf(http_status, sizeof http_status, "%d", cp_status_http(st));
        json_t *e = json_pack("{ss ss ss ss s{ss}}", "title", taxii_title(st), "description", text, "error_code",
                              cp_status_code(st), "http_status", http_status, "details", "request_id", r->request_id);
        cp_resp_json(r, cp_status_http(st), e);
        r->resp_type = CP_TAXII_MEDIA;
    } else {
        json_t *e = json_pack("{s{ss ss ss}}", "error", "code", cp_status_code(st), "message", text, "request_id",
                              r->request_id);
        cp_resp_json(r, cp_status_http(st), e);
    }
    if (st == CP_E_UNAUTHENTICATED) {
        /* No Basic challenge to a browser session: it would pop up the
         * browser's own login dialog. */
        const char *cookie = r->header ? r->header(r, "Cookie") : NULL;
        bool browser = cookie && strstr(cookie, "cp_session=");
        cp_resp_header(r, "WWW-Authenticate",
                       browser ? "Bearer realm=\"cyberpact\"" : "Bearer realm=\"cyberpact\", Basic realm=\"cyberpact\"");
    }
}

static void log_request(req_state *st, uint64_t dur_us)
{
    cp_req *r = &st->req;
    if (!cp_log_enabled(CP_LOG_INFO)) return;
    json_t *o = json_pack("{ss ss ss ss ss si sf ss}", "event", "request", "request_id", r->request_id, "method",
                          r->method ? r->method : "", "path", r->path ? r->path : "", "route",
                          r->route ? r->route->pattern : "", "status", r->status, "ms", (double)dur_us / 1000.0,
                          "remote", r->remote);
    if (r->actor.kind != CP_ACTOR_NONE) json_object_set_new(o, "actor", json_string(r->actor.label));
    cp_log_obj(r->status >= 500 ? CP_LOG_ERROR : CP_LOG_INFO, o);
}

static enum MHD_Result send_response(req_state *st, struct MHD_Connection *con)
{
    cp_req *r = &st->req;
    if (!r->resp_body) set_error(r, CP_E_INTERNAL, "handler produced no response");
    bool head = r->method && strcmp(r->method, "HEAD") == 0;
    struct MHD_Response *resp;
    if (head) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body, MHD_RESPMEM_MUST_FREE);
        r->resp_body = NULL; /* MHD owns it now */
    }
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->resp_type ? r->resp_type : "application/json");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (st->srv->app->tls) MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    for (int i = 0; i < r->n_resp_headers; i++) MHD_add_response_header(resp, r->resp_headers[i][0], r->resp_headers[i][1]);
    if (st->srv->app->draining) MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    uint64_t dur = cp_mono_us() - st->t0_us;
    if (st->srv->app->metrics) cp_metrics_observe(st->srv->app->metrics, st->route_index, r->status, dur);
    log_request(st, dur);
    return ok;
}

/* JSON bodies: application/json, or a STIX bundle as application/stix+json. */
static bool is_json_type(const char *ct)
{
    return cp_media_is(ct, "application/json") || cp_media_is(ct, "application/stix+json");
}

/* First call for a request: everything that can be decided from the request
 * line and headers. Returns CP_OK to go on reading the body. */
static cp_status begin_request(req_state *st, const char *url, const char *method, cp_err *err)
{
    cp_req *r = &st->req;
    r->method = method;
    set_request_id(r);
    set_remote(r);
    if (strlen(url) >= sizeof st->path_buf) return cp_fail(err, CP_E_BAD_REQUEST, "path longer than %d bytes", CP_PATH_MAX_BYTES - 1);
    memcpy(st->path_buf, url, strlen(url) + 1);
    r->path = st->path_buf;
    const char *q = strchr(st->raw_uri, '?');
    if (q) {
        cp_status s = cp_query_parse(q + 1, strlen(q + 1), &r->query, err);
        if (s) return s;
    }
    const cp_router *rt = cp_routes_all();
    char allow[128];
    int idx = -1;
    cp_match m = cp_router_match(rt, method, r->path, st->seg_buf, &idx, r->params, &r->n_params, allow, sizeof allow);
    if (m == CP_MATCH_NO_PATH) return cp_fail(err, CP_E_NOT_FOUND, "no such endpoint: %.200s", r->path);
    if (m == CP_MATCH_NO_METHOD) {
        cp_resp_header(r, "Allow", allow);
        return cp_fail(err, CP_E_METHOD, "%s is not allowed on %.200s (allowed: %s)", method, r->path, allow);
    }
    st->route_index = idx;
    r->route = &rt->routes[idx];
    if (r->route->flags & CP_ROUTE_INTEL_BODY) st->body_max = r->app->cfg->intel_max_body_bytes;
    if ((r->route->flags & CP_ROUTE_TAXII) && !cp_media_accepts(r->header(r, "Accept"), "application/taxii+json"))
        return cp_fail(err, CP_E_NOT_ACCEPTABLE, "this endpoint answers only %s; the Accept header does not admit it",
                       CP_TAXII_MEDIA);
    const char *cl = r->header(r, "Content-Length");
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno || *end) return cp_fail(err, CP_E_BAD_REQUEST, "bad Content-Length header");
        if (n > (unsigned long long)st->body_max)
            return cp_fail(err, CP_E_TOO_LARGE, "request body of %llu bytes exceeds the limit of %lld bytes", n,
                           (long long)st->body_max);
        st->body_expected = (size_t)n;
    }
    if (r->route->flags & CP_ROUTE_TAXII_BODY) {
        const char *ct = r->header(r, "Content-Type");
        if (!cp_media_is(ct, "application/taxii+json"))
            return cp_fail(err, CP_E_MEDIA_TYPE, "Content-Type must be %s, not '%.80s'", CP_TAXII_MEDIA,
                           ct ? ct : "(none)");
    } else if (r->route->flags & CP_ROUTE_JSON_BODY) {
        const char *ct = r->header(r, "Content-Type");
        if (!is_json_type(ct))
            return cp_fail(err, CP_E_MEDIA_TYPE, "Content-Type must be application/json (or application/stix+json for a STIX bundle), not '%.80s'",
                           ct ? ct : "(none)");
    }
    return CP_OK;
}

static void dispatch(req_state *st)
{
    cp_req *r = &st->req;
    cp_err err = {{0}};
    if (st->too_large) {
        set_error(r, cp_fail(&err, CP_E_TOO_LARGE, "request body exceeds the limit of %lld bytes",
                             (long long)st->body_max),
                  err.msg);
        return;
    }
    r->body = st->body;
    r->body_len = st->body_len;
    cp_status s = cp_http_authenticate(r, &err);
    if (!s && r->actor.kind == CP_ACTOR_NONE && !(r->route->flags & (CP_ROUTE_PUBLIC | CP_ROUTE_AUTH_OPTIONAL)))
        s = cp_fail(&err, CP_E_UNAUTHENTICATED, "credentials are required (Bearer API key, Basic, or a session)");
    if (!s) s = r->route->handler(r, &err);
    if (s) {
        free(r->resp_body);
        r->resp_body = NULL;
        if (cp_status_http(s) >= 500) cp_log(CP_LOG_ERROR, "handler_error", "request %s: %s %s: %s", r->request_id, r->method, r->path, err.msg);
        set_error(r, s, cp_status_http(s) >= 500 && s != CP_E_UNAVAILABLE ? "internal error; see the server log for this request id" : err.msg);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    req_state *st = *con_cls;
    if (!st) return MHD_NO; /* allocation failed in uri_logger */
    cp_req *r = &st->req;
    if (!st->started) {
        st->started = true;
        cp_err err = {{0}};
        cp_status s = begin_request(st, url, method, &err);
        if (s) {
            set_error(r, s, err.msg);
            return send_response(st, con);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        size_t max = (size_t)st->body_max;
        if (st->too_large || st->body_len + n > max) {
            /* A body without Content-Length that outgrows the limit: libmicrohttpd
             * can only answer once the body has been read, so discard it and
             * answer 413; but an endless body is cut off (connection closed,
             * no answer) once it passes CP_DISCARD_FACTOR times the limit. */
            st->too_large = true;
            st->discarded += n;
            return st->discarded > CP_DISCARD_FACTOR * max ? MHD_NO : MHD_YES;
        }
        if (st->body_len + n + 1 > st->body_cap) {
            size_t cap = st->body_cap ? st->body_cap : st->body_expected >= n ? st->body_expected + 1 : 4096;
            while (cap < st->body_len + n + 1) cap *= 2;
            if (cap > max + 1) cap = max + 1;
            char *nb = realloc(st->body, cap);
            if (!nb) return MHD_NO;
            st->body = nb;
            st->body_cap = cap;
        }
        memcpy(st->body + st->body_len, upload_data, n);
        st->body_len += n;
        st->body[st->body_len] = 0;
        return MHD_YES;
    }
    dispatch(st);
    return send_response(st, con);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    req_state *st = *con_cls;
    if (!st) return;
    cp_req *r = &st->req;
    free(r->resp_body);
    for (int i = 0; i < r->n_resp_headers; i++) free((void *)r->resp_headers[i][1]);
    cp_query_free(&r->query);
    cp_wipe(&r->actor, sizeof r->actor);
    free(st->body);
    free(st->raw_uri);
    if (st->counted) atomic_fetch_sub(&st->srv->in_flight, 1);
    free(st);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    cp_log(CP_LOG_WARN, "httpd", "%s", msg);
}

static char *read_file(const char *path, cp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cp_fail(err, CP_E_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    return buf;
}

static cp_status parse_listen(const char *listen, struct sockaddr_storage *ss, cp_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || strlen(colon + 1) == 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "listen address '%s' must be ADDR:PORT", listen);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return cp_fail(err, CP_E_BAD_REQUEST, "bad port in '%s'", listen);
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host) return cp_fail(err, CP_E_BAD_REQUEST, "bad listen address '%s'", listen);
    memcpy(host, listen, hl);
    host[hl] = 0;
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
    } else {
        return cp_fail(err, CP_E_BAD_REQUEST, "listen address '%s' is not a numeric IPv4 or IPv6 address", host);
    }
    return CP_OK;
}

void cp_server_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int cp_server_wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return sig;
}

cp_status cp_server_start(cp_app *app, cp_server **out, cp_err *err)
{
    const cp_config *cfg = app->cfg;
    struct sockaddr_storage ss;
    cp_status s = parse_listen(cfg->listen, &ss, err);
    if (s) return s;
    cp_server *srv = calloc(1, sizeof *srv);
    if (!srv) return cp_fail(err, CP_E_NOMEM, "out of memory");
    srv->app = app;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (cfg->tls_cert[0] || cfg->tls_key[0]) {
        if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
            free(srv);
            return cp_fail(err, CP_E_BAD_REQUEST, "TLS needs both --tls-cert and --tls-key");
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            free(srv);
            return cp_fail(err, CP_E_UNPROCESSABLE, "this libmicrohttpd was built without TLS support");
        }
        srv->tls_cert = read_file(cfg->tls_cert, err);
        srv->tls_key = srv->tls_cert ? read_file(cfg->tls_key, err) : NULL;
        if (!srv->tls_key) {
            free(srv->tls_cert);
            free(srv);
            return CP_E_IO;
        }
        flags |= MHD_USE_TLS;
        app->tls = true;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)(cores > 0 ? cores : 1);
    struct MHD_OptionItem tls_opts[] = {
        {srv->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)cfg->max_header_bytes, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout_s,
        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!srv->d) {
        free(srv->tls_cert);
        free(srv->tls_key);
        free(srv);
        return cp_fail(err, CP_E_UNAVAILABLE, "cannot listen on %s (address in use, or not permitted)", cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    *out = srv;
    return CP_OK;
}

int cp_server_port(const cp_server *s) { return s->port; }

void cp_server_stop(cp_server *srv)
{
    if (!srv) return;
    srv->app->draining = 1;
    MHD_socket fd = MHD_quiesce_daemon(srv->d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    uint64_t deadline = cp_mono_us() + (uint64_t)srv->app->cfg->drain_timeout_s * 1000000u;
    while (atomic_load(&srv->in_flight) > 0 && cp_mono_us() < deadline) usleep(10000);
    int left = atomic_load(&srv->in_flight);
    if (left > 0) cp_log(CP_LOG_WARN, "drain_timeout", "%d requests still in flight after the drain timeout", left);
    MHD_stop_daemon(srv->d);
    free(srv->tls_cert);
    free(srv->tls_key);
    free(srv);
}
