/*
 * serve.c — `cyberpact serve`: open the store, start the HTTP server, wait
 * for SIGTERM/SIGINT, drain, exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/serve.h"
#include "governance/record.h"
#include "governance/scheduler.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "http/server.h"
#include "intel/collections.h"
#include "intel/warninglist.h"
#include "store/worker.h"
#include "warning/alerts.h"
#include "warning/iset.h"
#include "warning/webhook.h"

int cp_cli_serve_store(cp_config *cfg, cp_db *db)
{
    const cp_router *rt = cp_routes_all();
    const char **names = calloc((size_t)rt->n, sizeof *names);
    const char **methods = calloc((size_t)rt->n, sizeof *methods);
    if (!names || !methods) return cp_cli_fail("out of memory");
    for (int i = 0; i < rt->n; i++) {
        names[i] = rt->routes[i].pattern;
        methods[i] = rt->routes[i].method;
    }
    cp_app app = {
        .db = db,
        .cfg = cfg,
        .metrics = cp_metrics_new(names, methods, rt->n),
        .ratelimit = cp_ratelimit_new((int)cfg->auth_failures_per_minute),
    };
    int rc = CP_EXIT_OK;
    cp_server *srv = NULL;
    cp_worker *gov_clock = NULL; /* governance: closes votes at their closing time, reminders */
    cp_err err = {{0}};
    if (!app.metrics || !app.ratelimit) {
        rc = cp_cli_fail("out of memory");
        goto out;
    }
    /* The collections every store has (a store made by an older binary, or
     * members added while no hook ran, gets them here) before listening. */
    cp_actor system;
    cp_actor_cli(&system);
    cp_conn *c = cp_db_thread_conn(db, &err);
    int made = 0;
    if (!c || cp_collections_ensure(c, &system, &made, &err)) {
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    if (made) cp_log(CP_LOG_INFO, "collections", "created %d missing intelligence collections", made);
    if (cp_record_setup(c, NULL, &err)) { /* the governance record's key, for a store made before it existed */
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    /* early warning: the compiled indicator set, kept current by a thread (warning/iset.h) */
    if (cp_iset_service_start(db, &err)) {
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    /* early warning: the webhook delivery thread (warning/webhook.h) */
    cp_webhook_options wo = {.max_attempts = cfg->webhook_max_attempts, .retry_base_ms = cfg->webhook_retry_base_ms,
                             .timeout_ms = cfg->webhook_timeout_s * 1000};
    if (cp_webhook_worker_start(db, &wo, &err) || cp_alerts_stix_worker_start(db, &err)) {
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    /* early warning: the folder of the alert journal (warning/alerts.h); folds what an earlier run left first */
    if (cp_alerts_fold_worker_start(db, (int64_t)cfg->alert_stix_refresh_s * 1000, &err)) {
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    if (cp_server_start(&app, &srv, &err)) {
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    if (cp_worker_start(db, "governance.scheduler", cp_gov_scheduler_step, NULL, 1000, &gov_clock, &err)) {
        cp_server_stop(srv);
        rc = cp_cli_fail(err.msg);
        goto out;
    }
    char where[160];
    snprintf(where, sizeof where, "%s", cfg->listen);
    char *colon = strrchr(where, ':');
    if (colon) snprintf(colon, sizeof where - (size_t)(colon - where), ":%d", cp_server_port(srv));
    printf("cyberpact listening on %s://%s (store %s)\n", app.tls ? "https" : "http", where, cp_db_describe(db));
    fflush(stdout);
    cp_log(CP_LOG_INFO, "listening", "%s://%s store=%s", app.tls ? "https" : "http", where, cp_db_describe(db));
    int sig = cp_server_wait_for_signal();
    cp_log(CP_LOG_INFO, "shutdown", "signal %d: draining in-flight requests", sig);
    cp_worker_stop(gov_clock);
    cp_server_stop(srv);
    cp_log(CP_LOG_INFO, "stopped", "all requests finished");
out:
    cp_iset_service_stop(); /* no-op when it never started */
    cp_alerts_fold_worker_stop(); /* folds what the last requests journaled; no-op when never started */
    cp_webhook_worker_stop(); /* waits for an attempt in flight; no-op when never started */
    cp_alerts_stix_worker_stop();
    cp_metrics_free(app.metrics);
    cp_ratelimit_free(app.ratelimit);
    free(names);
    free(methods);
    return rc;
}

static const char USAGE[] = "usage: cyberpact serve [--listen ADDR:PORT] [--data DIR] [--database URL] [--threads N] [flags]\nServes the HTTP API until SIGTERM or SIGINT, then drains in-flight requests and exits 0.\nAll flags: cyberpact --help.\n";

int cp_cli_serve(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {NULL};
    static const cp_cli_action actions[] = {{"serve", 0, 0, 0}};
    cp_cli_args o;
    int parsed = cp_cli_parse(argc, argv, flags, actions, 1, USAGE, &o);
    if (parsed >= 0) return parsed;
    cp_server_block_signals();
    cp_err err = {{0}};
    if (cp_warninglists_load_global(cfg->warninglists, &err)) return cp_cli_fail(err.msg);
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    int rc = db ? cp_cli_serve_store(cfg, db) : CP_EXIT_STORE;
    cp_db_close(db);
    cp_warninglists_free(cp_warninglists_set_global(NULL)); /* every request has finished */
    return rc;
}
