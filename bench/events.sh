#!/bin/sh
# The early-warning benchmark of docs/benchmarks.md ("Early warning: events"), on SQLite and on
# PostgreSQL, with its floors measured in the same run:
#
#   setup     150 members (140 member states given 24 IPv4 allocations, an IPv6 /32 and two AS
#             numbers each by an RIR delegated-stats import, two domains each; 10 sector members
#             with 4 more-specific ranges inside states' ranges and a domain), and INDICATORS
#             (100,000) indicators, one per address of ../shared/data/blocklists/ipsum.txt,
#             posted by TAXII; bench/events_gen.py makes the data.
#   pass 1    BATCHES (300) bodies of 1,000 events POSTed to /api/v1/events over CONNS (4)
#             connections (bench/events_post.py; each answer must say accepted 1000): dst_ip one
#             of 20,000 hosts inside the constituencies (skewed), src_ip blocklisted 40% of the
#             time (matched), five classifications. A fresh store: alerts are created as the
#             (member, indicator or classification, host) keys are first seen.
#   pass 2    the same bodies again: every key exists in its window, every alert is updated
#             (the steady state of a sensor network inside one aggregation window).
#             After each pass: the folder's backlog (batches journaled, not yet in alerts), the
#             seconds it took to drain, and events/s counting them (events_per_s_folded); then
#             the STIX writer's backlog (alerts whose sighting is due and not
#             yet written) and the seconds it took to drain.
#   floor (a) the same bodies POSTed to bench/baseline_post.c (a bare libmicrohttpd server that
#             reads the body and answers {"status":"ok"}): the HTTP transfer alone.
#   floor (b) SQLite only: the rows pass 1 stored in alerts, copied by the sqlite3 shell into an
#             empty table of the same schema (same PRAGMAs), in one transaction: rows/s, the
#             store's own write floor for what we store.
#
# usage: bench/events.sh [BATCHES] [STORES]
# environment: CONNS (4), THREADS (server threads; nproc), INDICATORS (100000)
set -eu
cd "$(dirname "$0")/.."
BATCHES=${1:-300}
STORES=${2:-sqlite postgresql}
CONNS=${CONNS:-4}
THREADS=${THREADS:-$(nproc)}
INDICATORS=${INDICATORS:-100000}
IPSUM=${IPSUM:-../shared/data/blocklists/ipsum.txt}
[ -f "$IPSUM" ] || { echo "blocklist $IPSUM not found (set IPSUM)" >&2; exit 2; }

scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$THREADS" --target cyberpact baseline_post >/dev/null
BIN=$(pwd)/build-bench/cyberpact
WORK=$(mktemp -d /tmp/cyberpact-events.XXXXXX)
chmod 755 "$WORK"
SPID=""
cleanup() {
    rc=$?
    if [ "$rc" != 0 ]; then
        for f in "$WORK"/*.log; do [ -s "$f" ] && { echo "--- $f:" >&2; tail -n 15 "$f" >&2; }; done
    fi
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true
    scripts/pg-test-cluster.sh stop "$WORK/pg" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# alerts whose STIX version is due and not yet written (the STIX writer's backlog)
stix_due() {
    if [ "$STORE" = sqlite ]; then
        sqlite3 "$DATA/cyberpact.db" "SELECT COUNT(*) FROM alert_stix_queue WHERE due_at <= CAST(strftime('%s','now') AS INTEGER) * 1000"
    else
        psql "$URL" -tAc "SELECT COUNT(*) FROM alert_stix_queue WHERE due_at <= extract(epoch from now()) * 1000"
    fi
}
# batches journaled and not yet folded into alerts (the folder's backlog)
journal_due() {
    if [ "$STORE" = sqlite ]; then
        sqlite3 "$DATA/cyberpact.db" "SELECT COUNT(*) FROM alert_journal"
    else
        psql "$URL" -tAc "SELECT COUNT(*) FROM alert_journal"
    fi
}
# alerts created and updated by the folder so far (from its audit entries)
fold_totals() {
    if [ "$STORE" = sqlite ]; then
        sqlite3 -separator ' ' "$DATA/cyberpact.db" "SELECT COALESCE(SUM(json_extract(detail, '\$.alerts_created')), 0), COALESCE(SUM(json_extract(detail, '\$.alerts_updated')), 0) FROM audit_log WHERE action = 'alerts.fold'"
    else
        psql "$URL" -tA -F ' ' -c "SELECT COALESCE(SUM((detail::json->>'alerts_created')::bigint), 0), COALESCE(SUM((detail::json->>'alerts_updated')::bigint), 0) FROM audit_log WHERE action = 'alerts.fold'"
    fi
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating $BATCHES batches of 1,000 events and $INDICATORS indicators..."
python3 bench/events_gen.py "$WORK/gen" "$IPSUM" "$BATCHES" --indicators "$INDICATORS" >"$WORK/gen.log"
cat "$WORK/gen.log"

for STORE in $STORES; do
    DATA="$WORK/data-$STORE"
    DBARG=""
    if [ "$STORE" = postgresql ]; then
        URL=$(scripts/pg-test-cluster.sh start "$WORK/pg" 2>"$WORK/pg.log" | tail -n 1)
        DBARG="--database $URL"
    fi
    # shellcheck disable=SC2086
    KEY=$("$BIN" init --data "$DATA" $DBARG | tail -n 1)
    PORT=$(free_port)
    # shellcheck disable=SC2086
    "$BIN" serve --data "$DATA" $DBARG --listen "127.0.0.1:$PORT" --threads "$THREADS" \
        --log-level warn --max-connections 64 >"$WORK/serve-$STORE.log" 2>&1 &
    SPID=$!
    for _ in $(seq 1 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
        sleep 0.1
    done
    BASE="http://127.0.0.1:$PORT"
    # members and their constituencies
    python3 - "$BASE" "$KEY" "$WORK/gen" <<'EOF'
import http.client, json, sys, urllib.parse
base, key, gen = sys.argv[1:4]
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
def req(method, path, body):
    c.request(method, path, body=json.dumps(body), headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read()
    if r.status not in (200, 201): sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)
ids = [req("POST", "/api/v1/members", m)["id"] for m in json.load(open(gen + "/members.json"))]
for e in json.load(open(gen + "/extra.json")):
    req("POST", f"/api/v1/members/{ids[e['member']]}/constituency", {"type": e["type"], "value": e["value"]})
EOF
    # shellcheck disable=SC2086
    "$BIN" member import-rir "$WORK/gen/rir.txt" --data "$DATA" $DBARG >"$WORK/rir-$STORE.log"
    python3 bench/events_post.py "$BASE/taxii2/alliance/collections/alliance/objects/" "$KEY" "$WORK/gen" env- \
        --expect 202 --content-type "application/taxii+json;version=2.1" --label indicators-$STORE >"$WORK/ind.log"
    echo "$STORE: $(tail -n 1 "$WORK/ind.log")"
    # wait until the indicator set holds the indicators (the service thread rebuilds it)
    python3 - "$BASE" "$KEY" "$WORK/gen/meta.json" <<'EOF'
import datetime, http.client, json, sys, time, urllib.parse
base, key, meta = sys.argv[1:4]
probe = json.load(open(meta))["probe"]
u = urllib.parse.urlparse(base)
for _ in range(600):
    probe["time"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("POST", "/api/v1/events", body=json.dumps({"events": [probe]}),
              headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = json.loads(c.getresponse().read())
    if r.get("matched"):
        sys.exit(0)
    time.sleep(0.5)
sys.exit("the indicators never reached the matcher")
EOF
    for PASS in 1 2; do
        before=$(cpu_s "$SPID")
        totals0=$(fold_totals)
        out=$(python3 bench/events_post.py "$BASE/api/v1/events" "$KEY" "$WORK/gen" batch- --conns "$CONNS" \
            --check-events --label "$STORE-pass$PASS" | tail -n 1)
        t0=$(date +%s.%N)
        jbacklog=$(journal_due)
        while [ "$(journal_due)" != 0 ]; do sleep 0.05; done
        jdrain=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
        cpu=$(awk -v a="$before" -v b="$(cpu_s "$SPID")" 'BEGIN {printf "%.1f", b - a}')
        totals1=$(fold_totals)
        created=$(( ${totals1% *} - ${totals0% *} ))
        updated=$(( ${totals1#* } - ${totals0#* } ))
        secs=$(field "$out" seconds)
        # events/s counting the time until every batch is folded into alerts
        folded=$(awk -v n="$(field "$out" events)" -v a="$secs" -v b="$jdrain" 'BEGIN {printf "%.0f", n / (a + b)}')
        t0=$(date +%s.%N)
        backlog=$(stix_due)
        while [ "$(stix_due)" != 0 ]; do sleep 0.2; done
        drain=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
        echo "$out journal_backlog=$jbacklog journal_drained_s=$jdrain events_per_s_folded=$folded created=$created updated=$updated server_cpu_s=$cpu rss_mib=$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' /proc/$SPID/status) stix_backlog=$backlog stix_drained_s=$drain"
    done
    kill "$SPID"
    wait "$SPID" 2>/dev/null || true
    SPID=""
    if [ "$STORE" = sqlite ]; then
        DB="$DATA/cyberpact.db"
        rows=$(sqlite3 "$DB" "SELECT COUNT(*) FROM alerts")
        schema=$(sqlite3 "$DB" ".schema alerts")
        rm -f "$WORK/floor.db"
        t0=$(date +%s.%N)
        sqlite3 "$WORK/floor.db" "PRAGMA journal_mode=WAL;" "PRAGMA synchronous=FULL;" "$schema" \
            "ATTACH '$DB' AS s;" "BEGIN;" "INSERT INTO main.alerts SELECT * FROM s.alerts;" "COMMIT;" >/dev/null
        t1=$(date +%s.%N)
        echo "RESULT label=floor-sqlite-insert rows=$rows seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') rows_per_s=$(awk -v a="$t0" -v b="$t1" -v n="$rows" 'BEGIN {printf "%.0f", n / (b - a)}')"
    else
        scripts/pg-test-cluster.sh stop "$WORK/pg" >/dev/null 2>&1 || true
    fi
done

PORT=$(free_port)
build-bench/baseline_post "$PORT" "$THREADS" >/dev/null 2>&1 &
SPID=$!
sleep 0.5
python3 bench/events_post.py "http://127.0.0.1:$PORT/api/v1/events" "$KEY" "$WORK/gen" batch- --conns "$CONNS" \
    --label floor-http-baseline_post | tail -n 1
