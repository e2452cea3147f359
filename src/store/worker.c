/*
 * worker.c — the background loop of worker.h.
 */
#include "store/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"

struct cp_worker {
    cp_db *db;
    const char *name;
    cp_worker_step step;
    void *ctx;
    int64_t interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC: a clock set back does not stall the worker */
    bool stop, kicked;
};

static void *run(void *arg)
{
    cp_worker *w = arg;
    char tname[16]; /* "cp-<name>", as top -H and perf show it (15 bytes at most) */
    snprintf(tname, sizeof tname, "cp-%s", w->name);
    pthread_setname_np(pthread_self(), tname);
    cp_conn *c = NULL;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        bool stop = w->stop;
        w->kicked = false;
        pthread_mutex_unlock(&w->mu);
        if (stop) break;
        cp_err err = {{0}};
        bool more = false;
        if (!c && cp_db_connect(w->db, &c, &err)) {
            cp_log(CP_LOG_WARN, w->name, "cannot reach the store: %s", err.msg);
            c = NULL;
        } else if (w->step(c, w->ctx, &more, &err)) {
            cp_log(CP_LOG_WARN, w->name, "%s", err.msg);
            cp_conn_close(c); /* reopened at the next step */
            c = NULL;
            more = false;
        }
        if (more) continue;
        pthread_mutex_lock(&w->mu);
        if (!w->stop && !w->kicked) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + (w->interval_ms % 1000) * 1000000;
            ts.tv_sec += (time_t)(w->interval_ms / 1000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&w->cv, &w->mu, &ts); /* a spurious wake-up is one early pass */
        }
        pthread_mutex_unlock(&w->mu);
    }
    if (c) cp_conn_close(c);
    return NULL;
}

cp_status cp_worker_start(cp_db *db, const char *name, cp_worker_step step, void *ctx, int64_t interval_ms,
                          cp_worker **out, cp_err *err)
{
    *out = NULL;
    cp_worker *w = calloc(1, sizeof *w);
    if (!w) return cp_fail(err, CP_E_NOMEM, "out of memory");
    *w = (cp_worker){.db = db, .name = name, .step = step, .ctx = ctx, .interval_ms = interval_ms < 1 ? 1 : interval_ms};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return cp_fail(err, CP_E_INTERNAL, "cannot start the %s thread", name);
    }
    *out = w;
    return CP_OK;
}

void cp_worker_kick(cp_worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->kicked = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void cp_worker_stop(cp_worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
