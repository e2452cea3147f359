/*
 * metrics.h — request counters and latency histograms for GET /metrics
 * (Prometheus text exposition format 0.0.4). Lock-free: relaxed atomics.
 *
 * Series:
 *   cyberpact_http_requests_total{route,method,status}   counter
 *   cyberpact_http_request_duration_seconds{route}        histogram
 *   cyberpact_store_queries_total, _query_seconds_total,
 *   cyberpact_store_commits_total, _commit_seconds_total, _errors_total
 *   cyberpact_build_info{version,revision,store}          gauge 1
 *   cyberpact_process_start_time_seconds                  gauge
 * A route is its pattern ("/api/v1/members/{id}"), never the raw path, so the
 * number of series is bounded; requests that match no route count as "other".
 */
#ifndef CP_HTTP_METRICS_H
#define CP_HTTP_METRICS_H

#include <stdint.h>

#include "store/db.h"

typedef struct cp_metrics cp_metrics;

/* routes: the route patterns (borrowed for the lifetime of m), n of them. */
cp_metrics *cp_metrics_new(const char *const *route_names, const char *const *route_methods, int n);
void cp_metrics_free(cp_metrics *m);
/* route_index -1 = no route matched. */
void cp_metrics_observe(cp_metrics *m, int route_index, int http_status, uint64_t duration_us);
/* Renders the exposition into a malloc'd string. */
char *cp_metrics_render(cp_metrics *m, const cp_db *db);

#endif
