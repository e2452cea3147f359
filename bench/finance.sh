#!/bin/sh
# bench/finance.sh — the finance benchmark (bench/finance_bench.c): posting
# rate of assessments and payments, the sustainability report and the full
# ledger verification at alliance scale, with a plain-INSERT baseline in the
# same run and store.
#
# usage: bench/finance.sh [SCALE] [STORE_URL]
#   SCALE 1 (default) = 10,000 members x 20 years, 1,000,000 payments;
#   use 0.1 on a busy machine. STORE_URL: an SQLite path or a PostgreSQL URL
#   (an empty database); default a temporary SQLite file.
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-1}
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target finance_bench >/dev/null
echo "== finance benchmark, scale $SCALE, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
if [ $# -ge 2 ]; then
    exec build/finance_bench --scale "$SCALE" --store "$2"
fi
exec build/finance_bench --scale "$SCALE"
