/*
 * test_worker.c — store/worker.h: steps run at once while more is due, then
 * after the interval or a kick; a failing step gets a fresh connection; stop
 * joins and no step runs after it.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "store/db.h"
#include "store/worker.h"

typedef struct {
    atomic_int calls;
    int more_until;   /* say "more" while calls < this */
    int fail_at;      /* fail the call with this number (1-based; 0: never) */
    cp_conn *seen[64];
} probe;

static cp_status step(cp_conn *c, void *ctx, bool *more, cp_err *err)
{
    probe *p = ctx;
    int n = atomic_fetch_add(&p->calls, 1) + 1;
    if (n <= 64) p->seen[n - 1] = c;
    /* the connection works */
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1", &s, err);
    if (st) return st;
    cp_step r = cp_stmt_step(s, err);
    cp_stmt_finalize(s);
    if (r != CP_STEP_ROW) return cp_fail(err, CP_E_STORE, "SELECT 1 gave no row");
    *more = n < p->more_until;
    if (n == p->fail_at) return cp_fail(err, CP_E_STORE, "step %d fails on purpose", n);
    return CP_OK;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 2 s for at least want calls. */
static bool await_calls(probe *p, int want)
{
    for (int i = 0; i < 200 && atomic_load(&p->calls) < want; i++) sleep_ms(10);
    return atomic_load(&p->calls) >= want;
}

static cp_db *db;

static void test_more_interval_kick_stop(void)
{
    probe p = {.more_until = 4};
    cp_worker *w;
    cp_err err = {{0}};
    CHECK_INT(cp_worker_start(db, "test_worker", step, &p, 60000, &w, &err), CP_OK);
    CHECK(await_calls(&p, 4)); /* 3 "more" answers: 4 steps without waiting */
    sleep_ms(100);
    CHECK_INT(atomic_load(&p.calls), 4); /* then it waits for the (long) interval */
    cp_worker_kick(w);
    CHECK(await_calls(&p, 5)); /* a kick runs one step now */
    sleep_ms(50);
    CHECK_INT(atomic_load(&p.calls), 5);
    cp_worker_stop(w);
    int after = atomic_load(&p.calls);
    cp_worker_kick(NULL);
    cp_worker_stop(NULL);
    sleep_ms(50);
    CHECK_INT(atomic_load(&p.calls), after); /* nothing runs after stop */
}

static void test_interval_and_failure(void)
{
    probe p = {.more_until = 0, .fail_at = 2};
    cp_worker *w;
    cp_err err = {{0}};
    CHECK_INT(cp_worker_start(db, "test_worker", step, &p, 20, &w, &err), CP_OK);
    CHECK(await_calls(&p, 5)); /* every 20 ms */
    cp_worker_stop(w);
    /* the steps before the failure shared one connection; the steps after it had a working
     * one again (each ran SELECT 1), kept from then on */
    CHECK(p.seen[0] == p.seen[1]);
    CHECK(p.seen[2] != NULL && p.seen[3] == p.seen[2] && p.seen[4] == p.seen[2]);
}

int main(void)
{
    char dir[] = "/tmp/cp-worker-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    cp_err err = {{0}};
    if (cp_db_open(url, &db, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    RUN(test_more_interval_kick_stop);
    RUN(test_interval_and_failure);
    cp_db_close(db);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}
