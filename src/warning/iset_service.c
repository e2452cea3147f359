/*
 * iset_service.c — the server keeps its compiled set current.
 *
 * A thread polls once a second: the audit head's sequence (one small row;
 * every write of the store appends an audit entry, so an unchanged head
 * means nothing changed), and when it moved, the indicators' signature (the
 * latest seq and the row count of intel_objects rows of type indicator: a
 * new version, a revocation or a TAXII DELETE each change it). A changed
 * signature, a poke, or a validity boundary passing (cp_iset_next_change)
 * rebuilds the set from the store and installs it; matching goes on against
 * the previous set meanwhile. intel/ knows nothing of this: the poll needs
 * no hook (cp_iset_service_poke is there for one, should a caller want the
 * rebuild sooner).
 */
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "warning/iset.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond;
static pthread_t g_thread;
static bool g_running, g_stop, g_poke;
static cp_db *g_db;

typedef struct {
    int64_t audit, max_seq, count;
} signature;

static cp_status read_audit(cp_conn *c, int64_t *out, cp_err *err)
{
    cp_stmt *st;
    cp_status rc = cp_stmt_prepare(c, "SELECT seq FROM audit_head WHERE id = 1", &st, err);
    if (rc) return rc;
    *out = cp_stmt_step(st, err) == CP_STEP_ROW ? cp_stmt_col_int(st, 0) : -1;
    rc = cp_stmt_status(st);
    cp_stmt_finalize(st);
    return rc;
}

static cp_status read_indicators(cp_conn *c, signature *s, cp_err *err)
{
    cp_stmt *st;
    cp_status rc = cp_stmt_prepare(c, "SELECT MAX(seq), COUNT(*) FROM intel_objects WHERE " CP_ISET_SOURCE_WHERE, &st, err);
    if (rc) return rc;
    if (cp_stmt_step(st, err) == CP_STEP_ROW) {
        s->max_seq = cp_stmt_col_int(st, 0);
        s->count = cp_stmt_col_int(st, 1);
    }
    rc = cp_stmt_status(st);
    cp_stmt_finalize(st);
    return rc;
}

static cp_status rebuild(cp_conn *c, const char *why)
{
    cp_err err = {{0}};
    uint64_t t0 = cp_mono_us();
    cp_iset *s;
    cp_status rc = cp_iset_build_from_store(c, cp_now_ms(), &s, &err);
    if (rc) {
        cp_log(CP_LOG_ERROR, "iset_build_failed", "%s (the previous set stays in use)", err.msg);
        return rc;
    }
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    cp_log(CP_LOG_INFO, "iset_built",
           "%s: %llu indicators, %llu skipped (multi-event), %llu skipped (other), %llu expired, %llu warninglisted values, "
           "%llu bytes, %.3f s",
           why, (unsigned long long)st.indicators, (unsigned long long)st.skipped_multi_event,
           (unsigned long long)st.skipped_other, (unsigned long long)st.expired, (unsigned long long)st.warninglisted,
           (unsigned long long)st.bytes, (double)(cp_mono_us() - t0) / 1e6);
    cp_iset_install(s);
    return CP_OK;
}

/* The signature read just before the startup build: whatever changes after
 * it, the thread sees. */
static signature g_first;

static void *loop(void *arg)
{
    (void)arg;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(g_db, &err);
    signature last = g_first;
    pthread_mutex_lock(&g_lock);
    while (!g_stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        if (!g_poke) pthread_cond_timedwait(&g_cond, &g_lock, &until);
        if (g_stop) break;
        bool poked = g_poke;
        g_poke = false;
        pthread_mutex_unlock(&g_lock);
        if (!c) c = cp_db_thread_conn(g_db, &err);
        if (c) {
            signature now = last;
            const char *why = poked ? "poked" : NULL;
            if (!read_audit(c, &now.audit, &err) && now.audit != last.audit) {
                if (!read_indicators(c, &now, &err) && (now.max_seq != last.max_seq || now.count != last.count))
                    why = "indicators changed";
            }
            cp_iset *cur = cp_iset_acquire();
            int64_t next = cp_iset_next_change(cur);
            cp_iset_release(cur);
            if (!why && next && cp_now_ms() >= next) why = "an indicator's validity began or ended";
            if (why && rebuild(c, why) == CP_OK) last = now;
            else if (!why) last.audit = now.audit;
        }
        pthread_mutex_lock(&g_lock);
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

cp_status cp_iset_service_start(cp_db *db, cp_err *err)
{
    cp_conn *c = cp_db_thread_conn(db, err);
    if (!c) return CP_E_UNAVAILABLE;
    /* the signature first, then the build: a change in between is seen by
     * the thread (and costs one more build), never missed */
    g_first = (signature){0};
    cp_status rc = read_audit(c, &g_first.audit, err);
    if (!rc) rc = read_indicators(c, &g_first, err);
    if (rc) return rc;
    rc = rebuild(c, "startup");
    if (rc) return cp_fail(err, rc, "cannot compile the indicator set");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g_cond, &ca);
    pthread_condattr_destroy(&ca);
    g_db = db;
    g_stop = g_poke = false;
    if (pthread_create(&g_thread, NULL, loop, NULL) != 0) return cp_fail(err, CP_E_INTERNAL, "cannot start the indicator set thread");
    g_running = true;
    return CP_OK;
}

void cp_iset_service_poke(void)
{
    pthread_mutex_lock(&g_lock);
    g_poke = true;
    if (g_running) pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

void cp_iset_service_stop(void)
{
    if (!g_running) return;
    pthread_mutex_lock(&g_lock);
    g_stop = true;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    pthread_join(g_thread, NULL);
    g_running = false;
}
