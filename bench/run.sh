#!/bin/sh
# Benchmarks the HTTP hot paths under wrk on loopback and prints the table of
# docs/benchmarks.md. Everything is measured in this one run:
#   baseline   a bare libmicrohttpd server (bench/baseline_mhd.c), same threads
#   cyberpact  GET /healthz, and GET /api/v1/members?limit=100 with an API key
#              (key verification + a 100-row page from the store), on SQLite
#              and on PostgreSQL, with request logging on (to a file).
# usage: bench/run.sh [SECONDS] [CONNECTIONS]   (defaults 10 s, 32 connections)
set -eu
cd "$(dirname "$0")/.."
DUR=${1:-10}
CONNS=${2:-32}
THREADS=$(nproc)

scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$THREADS" --target cyberpact baseline_mhd >/dev/null
BIN=$(pwd)/build-bench/cyberpact
WORK=$(mktemp -d /tmp/cyberpact-bench.XXXXXX)
chmod 755 "$WORK" # the PostgreSQL cluster runs as the postgres user when we are root
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    scripts/pg-test-cluster.sh stop "$WORK/pg" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
        sleep 0.1
    done
    echo "server on port $1 did not come up" >&2
    exit 1
}

# wrk → "req/s p50 p99"
measure() { # url [header]
    if [ $# -gt 1 ]; then out=$(wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "$2" "$1")
    else out=$(wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$1"); fi
    echo "$out" | grep -q "Non-2xx" && { echo "non-2xx responses during benchmark:" >&2; echo "$out" >&2; exit 1; }
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '/^ +50%/ {print $2}')
    p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
    echo "$rps $p50 $p99"
}

row() { set -- $2; printf '| %-52s | %10s | %8s | %8s |\n' "$LABEL" "$1" "$2" "$3"; }

serve_store() { # name database-url-or-empty
    data="$WORK/$1"
    if [ -n "$2" ]; then db="--database $2"; else db=""; fi
    # shellcheck disable=SC2086
    "$BIN" demo --no-serve --data "$data" $db >/dev/null
    key=$(python3 -c 'import json,sys; print([c["key"] for c in json.load(open(sys.argv[1])) if c["user"]=="secretariat"][0])' "$data/demo-credentials.json")
    port=$(free_port)
    # shellcheck disable=SC2086
    "$BIN" serve --data "$data" $db --listen "127.0.0.1:$port" --threads "$THREADS" >/dev/null 2>"$WORK/$1.log" &
    PIDS="$PIDS $!"
    wait_port "$port"
    LABEL="cyberpact GET /healthz ($1)"; row x "$(measure "http://127.0.0.1:$port/healthz")"
    LABEL="cyberpact GET /api/v1/members?limit=100 ($1)"
    row x "$(measure "http://127.0.0.1:$port/api/v1/members?limit=100" "Authorization: Bearer $key")"
}

echo "cyberpact $($BIN version | head -1); $(nproc) cores; wrk -t1 -c$CONNS -d${DUR}s; server threads $THREADS"
echo
printf '| %-52s | %10s | %8s | %8s |\n' "endpoint" "requests/s" "p50" "p99"
printf '|%s|%s|%s|%s|\n' "------------------------------------------------------" "------------" "----------" "----------"

port=$(free_port)
build-bench/baseline_mhd "$port" "$THREADS" >/dev/null &
PIDS="$PIDS $!"
wait_port "$port"
LABEL="baseline: bare libmicrohttpd, fixed JSON"; row x "$(measure "http://127.0.0.1:$port/")"

serve_store sqlite ""
PGURL=$(scripts/pg-test-cluster.sh start "$WORK/pg" | tail -n 1)
serve_store postgresql "$PGURL"
