#!/bin/sh
# Benchmarks a vote of 193 member states with 10 ballot changes each, closed
# and verified, through the governance domain API (bench/governance_bench.c),
# on a temporary SQLite store and, when CP_BENCH_PG_URL names an empty
# PostgreSQL database (e.g. from scripts/pg-test-cluster.sh), on PostgreSQL too.
# The baseline (one audited write transaction per ballot) is measured in the
# same run on the same store.
# With --http first, the same vote over HTTP instead (bench/governance_http.py: the real
# server, 8 concurrent clients, closed by the scheduler, `record verify --server`).
# usage: bench/governance.sh [--http] [STATES] [CHANGES]   (defaults 193 and 10)
set -eu
cd "$(dirname "$0")/.."
HTTP=""
if [ "${1:-}" = "--http" ]; then HTTP=1; shift; fi
STATES=${1:-193}
CHANGES=${2:-10}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target governance_bench cyberpact >/dev/null
WORK=$(mktemp -d /tmp/cyberpact-gov-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(uname -m); load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$HTTP" ]; then
    exec /usr/bin/python3 bench/governance_http.py build-bench/cyberpact "$STATES" "$CHANGES"
fi
build-bench/governance_bench "sqlite:$WORK/bench.db" "$STATES" "$CHANGES"
if [ -n "${CP_BENCH_PG_URL:-}" ]; then
    build-bench/governance_bench "$CP_BENCH_PG_URL" "$STATES" "$CHANGES"
fi
