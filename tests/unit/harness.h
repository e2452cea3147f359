/*
 * harness.h — the unit-test harness: one header, no framework.
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(test_something); return harness_done(); }
 *
 * A failed CHECK prints file:line and the expression and marks the test
 * failed; the run goes on so one run shows every failure. Exit status is
 * non-zero when anything failed, 77 (CTest "skipped") only when a test calls
 * SKIP_ALL.
 */
#ifndef CP_TEST_HARNESS_H
#define CP_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failures;
static int harness_checks;
static const char *harness_current = "";

#define CHECK(expr)                                                                    \
    do {                                                                               \
        harness_checks++;                                                              \
        if (!(expr)) {                                                                 \
            harness_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__,      \
                    harness_current, #expr);                                           \
        }                                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                \
    do {                                                                               \
        const char *ha_ = (a), *hb_ = (b);                                             \
        harness_checks++;                                                              \
        if (!ha_ || !hb_ || strcmp(ha_, hb_) != 0) {                                   \
            harness_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", \
                    __FILE__, __LINE__, harness_current, #a, ha_ ? ha_ : "(null)",     \
                    hb_ ? hb_ : "(null)");                                             \
        }                                                                              \
    } while (0)

#define CHECK_INT(a, b)                                                                \
    do {                                                                               \
        long long ha_ = (long long)(a), hb_ = (long long)(b);                          \
        harness_checks++;                                                              \
        if (ha_ != hb_) {                                                              \
            harness_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: CHECK_INT failed: %s == %lld, expected %lld\n", \
                    __FILE__, __LINE__, harness_current, #a, ha_, hb_);                \
        }                                                                              \
    } while (0)

#define RUN(fn)                                                                        \
    do {                                                                               \
        harness_current = #fn;                                                         \
        int before_ = harness_failures;                                                \
        fn();                                                                          \
        fprintf(stderr, "%s %s\n", harness_failures == before_ ? "ok  " : "FAIL", #fn); \
    } while (0)

#define SKIP_ALL(why)                                                                  \
    do {                                                                               \
        fprintf(stderr, "skipped: %s\n", why);                                         \
        exit(77);                                                                      \
    } while (0)

static inline int harness_done(void)
{
    fprintf(stderr, "%d checks, %d failed\n", harness_checks, harness_failures);
    return harness_failures ? 1 : 0;
}

#endif
