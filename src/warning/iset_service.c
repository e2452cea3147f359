/*
 * iset_service.c — the server keeps its compiled set current.
 *
 * A store/worker.h thread polls once a second: the audit head's sequence (one small row;
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
#include <stdatomic.h>
#include <stdbool.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "store/worker.h"
#include "warning/iset.h"

static cp_worker *g_worker;
static atomic_bool g_poke;

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

/* The signature of the last build (first: read just before the startup
 * build, so whatever changes after it, the thread sees). */
static signature g_last;

static cp_status poll_step(cp_conn *c, void *ctx, bool *more, cp_err *err)
{
    (void)ctx;
    *more = false;
    signature now = g_last;
    const char *why = atomic_exchange(&g_poke, false) ? "poked" : NULL;
    cp_status st = read_audit(c, &now.audit, err);
    if (st) return st;
    if (now.audit != g_last.audit) {
        if ((st = read_indicators(c, &now, err))) return st;
        if (now.max_seq != g_last.max_seq || now.count != g_last.count) why = "indicators changed";
    }
    cp_iset *cur = cp_iset_acquire();
    int64_t next = cp_iset_next_change(cur);
    cp_iset_release(cur);
    if (!why && next && cp_now_ms() >= next) why = "an indicator's validity began or ended";
    if (why && rebuild(c, why) == CP_OK) g_last = now; /* a failed build is logged; the next pass tries again */
    else if (!why) g_last.audit = now.audit;
    return CP_OK;
}

cp_status cp_iset_service_start(cp_db *db, cp_err *err)
{
    if (g_worker) return CP_OK;
    cp_conn *c = cp_db_thread_conn(db, err);
    if (!c) return CP_E_UNAVAILABLE;
    /* the signature first, then the build: a change in between is seen by
     * the thread (and costs one more build), never missed */
    g_last = (signature){0};
    cp_status rc = read_audit(c, &g_last.audit, err);
    if (!rc) rc = read_indicators(c, &g_last, err);
    if (rc) return rc;
    rc = rebuild(c, "startup");
    if (rc) return cp_fail(err, rc, "cannot compile the indicator set");
    atomic_store(&g_poke, false);
    return cp_worker_start(db, "iset", poll_step, NULL, 1000, &g_worker, err);
}

void cp_iset_service_poke(void)
{
    atomic_store(&g_poke, true);
    cp_worker_kick(g_worker);
}

void cp_iset_service_stop(void)
{
    cp_worker_stop(g_worker);
    g_worker = NULL;
}
