#!/bin/sh
# Builds the libFuzzer targets with clang and fuzzes each for a bounded time.
# New inputs go to a scratch corpus (build-fuzz/corpus/NAME), never into the
# repo's seed corpus; copy an input there by hand when it is worth keeping.
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, all)
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
[ $# -gt 0 ] && shift
scripts/install-deps.sh
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
targets=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
for t in $targets; do
    mkdir -p "build-fuzz/corpus/$t"
    echo "== $t ($SECS s)"
    "build-fuzz/tests/$t" -max_total_time="$SECS" -print_final_stats=1 \
        "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t"
done
