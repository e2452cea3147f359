#!/bin/sh
# Benchmarks the governance record and prints its figures (docs/benchmarks.md):
#  1. bench/record_bench.c: a pure in-memory tree of N_MEMORY entries (proof
#     generation, full verification, with plain SHA-256 of the same bytes as the
#     floor, in the same run), then a temporary SQLite store of N_STORE entries built
#     through cp_record_append (append rate, proofs and verification from the store);
#  2. over HTTP on that same store: `cyberpact record verify --server` of every entry,
#     and wrk on GET /api/v1/record/proof/inclusion (random leaves) against two floors
#     on the same server: GET /healthz and GET /api/v1/record/tree-head (authenticated,
#     one row).
# usage: bench/record.sh [N_MEMORY] [N_STORE] [SECONDS] [CONNECTIONS]
#        (defaults 1000000 1000000 10 16)
set -eu
cd "$(dirname "$0")/.."
N_MEMORY=${1:-1000000}
N_STORE=${2:-1000000}
DUR=${3:-10}
CONNS=${4:-16}
THREADS=$(nproc)
scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$THREADS" --target record_bench cyberpact >/dev/null
BIN=$(pwd)/build-bench/cyberpact
WORK=$(mktemp -d /tmp/cyberpact-record-bench.XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(git rev-parse --short HEAD), $THREADS cores, $(uname -m); load: $(cut -d' ' -f1-3 /proc/loadavg)"
build-bench/record_bench "$N_MEMORY" "$N_STORE" "$WORK" keep
[ "$N_STORE" -gt 0 ] || exit 0

echo "== over HTTP, the same store (server threads $THREADS; wrk -t1 -c$CONNS -d${DUR}s)"
DB="sqlite:$WORK/record-bench.db"
"$BIN" init --data "$WORK/data" --database "$DB" >"$WORK/init.out"
KEY=$(tail -n 1 "$WORK/init.out")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data "$WORK/data" --database "$DB" --listen "127.0.0.1:$PORT" --threads "$THREADS" \
    >/dev/null 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.1
done
SIZE=$(curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/v1/record/tree-head" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')

start=$(date +%s%N)
"$BIN" record verify --server "http://127.0.0.1:$PORT" --key "$KEY" >"$WORK/verify.out" || {
    cat "$WORK/verify.out"
    exit 1
}
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
printf 'record verify --server, %s entries (HTTP pages + check): %d.%03d s\n' "$SIZE" $((ms / 1000)) $((ms % 1000))

measure() { # label url [lua args...]
    label=$1
    url=$2
    shift 2
    if [ $# -gt 0 ]; then
        out=$(wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $KEY" -s bench/record_proof.lua "$url" "$@")
    else
        out=$(wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $KEY" "$url")
    fi
    echo "$out" | grep -q "Non-2xx" && { echo "non-2xx responses:" >&2; echo "$out" >&2; exit 1; }
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '/^ +50%/ {print $2}')
    p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
    printf '%-52s %10s req/s  p50 %8s  p99 %8s\n' "$label" "$rps" "$p50" "$p99"
}
measure "floor: GET /healthz" "http://127.0.0.1:$PORT/healthz"
measure "floor: GET /api/v1/record/tree-head (key, 1 row)" "http://127.0.0.1:$PORT/api/v1/record/tree-head"
measure "GET /api/v1/record/proof/inclusion (random leaf)" "http://127.0.0.1:$PORT/api/v1/record/proof/inclusion" "$SIZE"
