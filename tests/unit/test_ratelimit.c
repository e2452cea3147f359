/*
 * test_ratelimit.c — http/ratelimit.h, failed authentication per address in
 * fixed 60-second windows: the limit, Retry-After arithmetic, window reset,
 * independence of addresses, eviction of the stalest slot in a full set
 * (addresses chosen here to collide in one set), and concurrent use.
 *
 * Times are realistic epoch seconds: slot timestamps start at 0, so a test
 * clock at 0 would say nothing about real behaviour.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http/ratelimit.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

static void test_limit_and_window(void)
{
    cp_ratelimit *rl = cp_ratelimit_new(3);
    CHECK(rl != NULL);
    const char *a = "192.0.2.1";
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0), 0); /* never seen */
    cp_ratelimit_fail(rl, a, T0);
    cp_ratelimit_fail(rl, a, T0 + 1);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 1), 0); /* 2 of 3 */
    cp_ratelimit_fail(rl, a, T0 + 10);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 10), 50); /* 3 of 3: until the window ends */
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 59), 1);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 60), 0); /* a new window */
    /* the window was reset: two more failures are allowed */
    cp_ratelimit_fail(rl, a, T0 + 61);
    cp_ratelimit_fail(rl, a, T0 + 62);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 62), 0);
    cp_ratelimit_fail(rl, a, T0 + 63);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 63), 57); /* window started at T0 + 60 */

    /* other addresses are not affected */
    CHECK_INT(cp_ratelimit_blocked(rl, "192.0.2.2", T0 + 63), 0);
    CHECK_INT(cp_ratelimit_blocked(rl, "2001:db8::1", T0 + 63), 0);
    CHECK_INT(cp_ratelimit_blocked(rl, "192.0.2.10", T0 + 63), 0); /* a prefix match is not a match */
    cp_ratelimit_free(rl);
    cp_ratelimit_free(NULL);
}

static void test_window_is_fixed(void)
{
    cp_ratelimit *rl = cp_ratelimit_new(2);
    const char *a = "2001:db8:85a3::8a2e:370:7334";
    cp_ratelimit_fail(rl, a, T0);
    cp_ratelimit_fail(rl, a, T0 + 59); /* still the first window */
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 59), 1);
    CHECK_INT(cp_ratelimit_blocked(rl, a, T0 + 60), 0);

    /* failures in separate windows never add up */
    cp_ratelimit *r2 = cp_ratelimit_new(2);
    for (int i = 0; i < 10; i++) {
        cp_ratelimit_fail(r2, a, T0 + 60 * i);
        CHECK_INT(cp_ratelimit_blocked(r2, a, T0 + 60 * i), 0);
    }
    cp_ratelimit_free(r2);

    /* limit 1: the first failure blocks */
    cp_ratelimit *r1 = cp_ratelimit_new(1);
    cp_ratelimit_fail(r1, "10.0.0.1", T0);
    CHECK_INT(cp_ratelimit_blocked(r1, "10.0.0.1", T0), 60);
    cp_ratelimit_free(r1);

    /* going on failing while blocked does not extend the window */
    const char *b = "198.51.100.77";
    cp_ratelimit_fail(rl, b, T0 + 100);
    cp_ratelimit_fail(rl, b, T0 + 101);
    for (int i = 0; i < 50; i++) cp_ratelimit_fail(rl, b, T0 + 102 + i);
    CHECK_INT(cp_ratelimit_blocked(rl, b, T0 + 151), 9);
    CHECK_INT(cp_ratelimit_blocked(rl, b, T0 + 160), 0);
    cp_ratelimit_free(rl);
}

/* FNV-1a as in ratelimit.c, to find addresses that share a set. */
static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}
#define SETS (CP_RATELIMIT_SLOTS / 4)

static void test_eviction(void)
{
    /* five addresses in one set of four slots */
    char addr[5][32];
    int found = 0;
    uint32_t set = fnv("198.51.100.0") % SETS;
    for (int i = 0; i < 1000000 && found < 5; i++) {
        char a[32];
        snprintf(a, sizeof a, "198.51.%d.%d", i / 256, i % 256);
        if (fnv(a) % SETS == set) snprintf(addr[found++], sizeof addr[0], "%s", a);
    }
    CHECK_INT(found, 5);
    if (found < 5) return;

    cp_ratelimit *rl = cp_ratelimit_new(1);
    for (int i = 0; i < 4; i++) cp_ratelimit_fail(rl, addr[i], T0 + i); /* windows start T0..T0+3 */
    for (int i = 0; i < 4; i++) CHECK(cp_ratelimit_blocked(rl, addr[i], T0 + 4) > 0);
    /* the fifth takes the stalest slot: addr[0]'s */
    cp_ratelimit_fail(rl, addr[4], T0 + 5);
    CHECK(cp_ratelimit_blocked(rl, addr[4], T0 + 5) > 0);
    CHECK_INT(cp_ratelimit_blocked(rl, addr[0], T0 + 5), 0);
    for (int i = 1; i < 4; i++) CHECK(cp_ratelimit_blocked(rl, addr[i], T0 + 5) > 0);
    /* an unrelated address elsewhere is not disturbed by any of this */
    const char *other = fnv("203.0.113.9") % SETS != set ? "203.0.113.9" : "203.0.113.10";
    cp_ratelimit_fail(rl, other, T0);
    for (int i = 0; i < 5; i++) cp_ratelimit_fail(rl, addr[i], T0 + 6);
    CHECK(cp_ratelimit_blocked(rl, other, T0 + 6) > 0);
    cp_ratelimit_free(rl);

    /* every slot of the table can be in use at once */
    rl = cp_ratelimit_new(1);
    int blocked = 0;
    for (int i = 0; i < CP_RATELIMIT_SLOTS; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.%d.%d.1", i / 256, i % 256);
        cp_ratelimit_fail(rl, a, T0);
    }
    for (int i = 0; i < CP_RATELIMIT_SLOTS; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.%d.%d.1", i / 256, i % 256);
        blocked += cp_ratelimit_blocked(rl, a, T0) > 0;
    }
    /* sets fill unevenly: most, not all, are remembered */
    fprintf(stderr, "  %d of %d addresses remembered in a full table\n", blocked, CP_RATELIMIT_SLOTS);
    CHECK(blocked > CP_RATELIMIT_SLOTS / 2);
    CHECK(blocked <= CP_RATELIMIT_SLOTS);
    cp_ratelimit_free(rl);
}

/* An address longer than a slot holds (callers pass at most 63 bytes
 * today: cp_req.remote is char[64]). */
static void test_long_address(void)
{
    cp_ratelimit *rl = cp_ratelimit_new(2);
    char a[100];
    memset(a, 'f', 80);
    a[80] = 0;
    for (int i = 0; i < 5; i++) cp_ratelimit_fail(rl, a, T0);
    /* ratelimit.c stores the first 63 bytes and compares all of them with
     * strcmp: the slot never matches, so the address is never blocked. */
    CHECK(cp_ratelimit_blocked(rl, a, T0) > 0);
    /* 63 bytes: the longest that fits */
    a[63] = 0;
    for (int i = 0; i < 2; i++) cp_ratelimit_fail(rl, a, T0);
    CHECK(cp_ratelimit_blocked(rl, a, T0) > 0);
    cp_ratelimit_free(rl);
}

typedef struct {
    cp_ratelimit *rl;
    int id;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    char own[32];
    snprintf(own, sizeof own, "172.16.0.%d", w->id);
    for (int i = 0; i < 2000; i++) {
        cp_ratelimit_fail(w->rl, "172.16.255.255", T0); /* shared */
        if (i < 99) cp_ratelimit_fail(w->rl, own, T0);
        (void)cp_ratelimit_blocked(w->rl, own, T0);
    }
    return NULL;
}

static void test_concurrent(void)
{
    cp_ratelimit *rl = cp_ratelimit_new(100);
    pthread_t t[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){rl, i + 1};
        pthread_create(&t[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CHECK_INT(cp_ratelimit_blocked(rl, "172.16.255.255", T0 + 1), 59);
    for (int i = 1; i <= 4; i++) {
        char own[32];
        snprintf(own, sizeof own, "172.16.0.%d", i);
        CHECK_INT(cp_ratelimit_blocked(rl, own, T0), 0); /* 99 of 100: no lost or extra counts */
        cp_ratelimit_fail(rl, own, T0);
        CHECK_INT(cp_ratelimit_blocked(rl, own, T0), 60);
    }
    cp_ratelimit_free(rl);
}

int main(void)
{
    RUN(test_limit_and_window);
    RUN(test_window_is_fixed);
    RUN(test_eviction);
    RUN(test_long_address);
    RUN(test_concurrent);
    return harness_done();
}
