#include "http/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const int STATUSES[] = {200, 201, 202, 204, 400, 401, 403, 404, 405, 406,
                               409, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define N_STATUS (int)(sizeof STATUSES / sizeof STATUSES[0])
static const double BUCKETS_S[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                   0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5, 5};
#define N_BUCKETS (int)(sizeof BUCKETS_S / sizeof BUCKETS_S[0])

typedef struct {
    _Atomic uint64_t by_status[N_STATUS];
    _Atomic uint64_t buckets[N_BUCKETS]; /* non-cumulative; rendered cumulative */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
} route_stats;

struct cp_metrics {
    int n;
    const char *const *names;
    const char *const *methods;
    route_stats *routes; /* n + 1: the last is "other" */
    time_t started;
};

cp_metrics *cp_metrics_new(const char *const *route_names, const char *const *route_methods, int n)
{
    cp_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->routes = calloc((size_t)n + 1, sizeof *m->routes);
    if (!m->routes) {
        free(m);
        return NULL;
    }
    m->n = n;
    m->names = route_names;
    m->methods = route_methods;
    m->started = time(NULL);
    return m;
}

void cp_metrics_free(cp_metrics *m)
{
    if (!m) return;
    free(m->routes);
    free(m);
}

void cp_metrics_observe(cp_metrics *m, int route_index, int http_status, uint64_t duration_us)
{
    route_stats *r = &m->routes[route_index >= 0 && route_index < m->n ? route_index : m->n];
    int si = N_STATUS - 1;
    for (int i = 0; i < N_STATUS - 1; i++)
        if (STATUSES[i] == http_status) si = i;
    atomic_fetch_add_explicit(&r->by_status[si], 1, memory_order_relaxed);
    double s = (double)duration_us / 1e6;
    int b = 0;
    while (b < N_BUCKETS && s > BUCKETS_S[b]) b++;
    if (b < N_BUCKETS) atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_us, duration_us, memory_order_relaxed);
}

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

static void out(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *nb = realloc(b->buf, cap);
        if (!nb) return;
        b->buf = nb;
        b->cap = cap;
    }
}

char *cp_metrics_render(cp_metrics *m, const cp_db *db)
{
    sbuf b = {malloc(16384), 0, 16384};
    if (!b.buf) return NULL;
    b.buf[0] = 0;
    out(&b, "# HELP cyberpact_http_requests_total HTTP requests by route, method and status.\n"
            "# TYPE cyberpact_http_requests_total counter\n");
    for (int i = 0; i <= m->n; i++) {
        const char *name = i < m->n ? m->names[i] : "other";
        const char *method = i < m->n ? m->methods[i] : "any";
        for (int s = 0; s < N_STATUS; s++) {
            uint64_t v = atomic_load_explicit(&m->routes[i].by_status[s], memory_order_relaxed);
            if (!v) continue;
            char st[8];
            if (STATUSES[s]) snprintf(st, sizeof st, "%d", STATUSES[s]);
            else snprintf(st, sizeof st, "other");
            out(&b, "cyberpact_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n", name,
                method, st, (unsigned long long)v);
        }
    }
    out(&b, "# HELP cyberpact_http_request_duration_seconds Time from request start to response queued.\n"
            "# TYPE cyberpact_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= m->n; i++) {
        route_stats *r = &m->routes[i];
        uint64_t count = atomic_load_explicit(&r->count, memory_order_relaxed);
        if (!count) continue;
        const char *name = i < m->n ? m->names[i] : "other";
        const char *method = i < m->n ? m->methods[i] : "any";
        uint64_t cum = 0;
        for (int k = 0; k < N_BUCKETS; k++) {
            cum += atomic_load_explicit(&r->buckets[k], memory_order_relaxed);
            out(&b, "cyberpact_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n",
                name, method, BUCKETS_S[k], (unsigned long long)cum);
        }
        out(&b, "cyberpact_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
            name, method, (unsigned long long)count);
        out(&b, "cyberpact_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", name, method,
            (double)atomic_load_explicit(&r->sum_us, memory_order_relaxed) / 1e6);
        out(&b, "cyberpact_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", name, method,
            (unsigned long long)count);
    }
    if (db) {
        cp_db_stats s;
        cp_db_stats_get(db, &s);
        out(&b,
            "# HELP cyberpact_store_queries_total Statement steps run on the store.\n"
            "# TYPE cyberpact_store_queries_total counter\ncyberpact_store_queries_total %llu\n"
            "# HELP cyberpact_store_query_seconds_total Time spent in statement steps.\n"
            "# TYPE cyberpact_store_query_seconds_total counter\ncyberpact_store_query_seconds_total %.6f\n"
            "# HELP cyberpact_store_commits_total Transactions committed.\n"
            "# TYPE cyberpact_store_commits_total counter\ncyberpact_store_commits_total %llu\n"
            "# HELP cyberpact_store_commit_seconds_total Time spent committing.\n"
            "# TYPE cyberpact_store_commit_seconds_total counter\ncyberpact_store_commit_seconds_total %.6f\n"
            "# HELP cyberpact_store_errors_total Store operations that failed.\n"
            "# TYPE cyberpact_store_errors_total counter\ncyberpact_store_errors_total %llu\n",
            (unsigned long long)s.queries, (double)s.query_us / 1e6, (unsigned long long)s.commits,
            (double)s.commit_us / 1e6, (unsigned long long)s.errors);
    }
    out(&b,
        "# HELP cyberpact_build_info Build of the running binary.\n# TYPE cyberpact_build_info gauge\n"
        "cyberpact_build_info{version=\"%s\",revision=\"%s\",store=\"%s\"} 1\n"
        "# HELP cyberpact_process_start_time_seconds Start time of the process since the epoch.\n"
        "# TYPE cyberpact_process_start_time_seconds gauge\ncyberpact_process_start_time_seconds %lld\n",
        CP_VERSION, CP_GIT_REV, db ? (cp_db_dialect(db) == CP_DIALECT_PG ? "postgresql" : "sqlite") : "none",
        (long long)m->started);
    return b.buf;
}
