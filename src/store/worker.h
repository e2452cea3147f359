/*
 * worker.h — a background thread with its own store connection.
 *
 * The server's background work (the governance scheduler, the alerts' STIX
 * writer, webhook deliveries, the indicator set's rebuilds, ...) has one
 * shape: run a step, then again at once when the step says more is due, else
 * after an interval or as soon as someone kicks the worker, until stopped.
 * This is that loop, once. The step runs on a connection the worker owns
 * (opened on first use); when a step fails, the error is logged under the
 * worker's name, the connection is closed (a PostgreSQL server restarted,
 * say) and reopened at the next step. Stopping waits for a step in flight.
 */
#ifndef CP_STORE_WORKER_H
#define CP_STORE_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

/* One pass of the work. *more: run again at once (a batch was full). */
typedef cp_status (*cp_worker_step)(cp_conn *c, void *ctx, bool *more, cp_err *err);

typedef struct cp_worker cp_worker;

/* Starts the thread: the first step runs at once. name (static storage)
 * names the log lines; interval_ms (>= 1) is the wait between passes that
 * found nothing more to do. */
cp_status cp_worker_start(cp_db *db, const char *name, cp_worker_step step, void *ctx, int64_t interval_ms,
                          cp_worker **out, cp_err *err);
/* Runs the next step now (or right after the one in flight). NULL is ignored. */
void cp_worker_kick(cp_worker *w);
/* Stops and joins the thread, frees w. NULL is ignored. */
void cp_worker_stop(cp_worker *w);

#endif
