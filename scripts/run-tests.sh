#!/bin/sh
# The whole test suite, as CI runs it: install what is needed, build, start a
# throw-away PostgreSQL, run every test on SQLite and on PostgreSQL, then again
# under AddressSanitizer + UndefinedBehaviorSanitizer, and compile a Release
# build (-O3 finds "may be used uninitialized" that -O2 does not; warnings are
# errors). Removes the cluster at the end, whatever happens.
# Usage: scripts/run-tests.sh [--quick] (no ASan pass, no Release build)
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
JOBS=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh

PGDIR=$(mktemp -d /tmp/cyberpact-pg.XXXXXX)
cleanup() { scripts/pg-test-cluster.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
CP_TEST_PG_URL=$(scripts/pg-test-cluster.sh start "$PGDIR" | tail -n 1)
export CP_TEST_PG_URL CP_REQUIRE_PG=1
echo "run-tests: PostgreSQL at $CP_TEST_PG_URL"

run_suite() { # build-dir, extra cmake flags...
    dir=$1; shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$JOBS"
    ctest --test-dir "$dir" --output-on-failure -j"$JOBS"
}

run_suite build
if [ "$QUICK" = 0 ]; then
    # Leaks are reported by the sanitizer's leak checker too.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_suite build-asan -DCP_SANITIZE=ON
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-release -j"$JOBS" --target cyberpact
fi
echo "run-tests: all tests passed"
