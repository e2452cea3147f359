#!/bin/sh
# Benchmarks the governance record (bench/record_bench.c) and prints its figures:
# a pure in-memory tree of N_MEMORY entries (proof generation, full verification,
# with plain SHA-256 of the same bytes as the floor, in the same run) and a
# temporary SQLite store of N_STORE entries built through cp_record_append
# (append rate, proofs and verification from the store).
# usage: bench/record.sh [N_MEMORY] [N_STORE]   (defaults 1000000 and 1000000)
set -eu
cd "$(dirname "$0")/.."
N_MEMORY=${1:-1000000}
N_STORE=${2:-1000000}
scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target record_bench >/dev/null
WORK=$(mktemp -d /tmp/cyberpact-record-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(uname -m); load: $(cut -d' ' -f1-3 /proc/loadavg)"
build-bench/record_bench "$N_MEMORY" "$N_STORE" "$WORK"
