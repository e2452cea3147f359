#!/bin/sh
# The member-side matcher benchmark (docs/benchmarks.md, "Early warning").
#
# Generates (bench/match_gen.py) a day of logs with a known number of planted
# hits — Suricata-style JSON lines and syslog-style text — and 1,000,000 mixed
# indicators using the IPsum blocklist for real addresses; compiles the set
# (bench/match_build.c: build time, memory); then, in the same run:
#   cyberpact match --indicators SET --quiet FILE   per file: MB/s and lines/s
#       of wall time and per core (bytes / (user + system CPU time)); the run
#       FAILS unless exactly the planted hit lines are found (decoys: lines with
#       one half of an AND indicator, which must not match)
#   grep -F -c -f literals.txt FILE   the same literal values (networks and
#       subdomain semantics cannot be literals): a floor for speed, not a rival
#       in meaning; its pattern compilation is timed apart (grep over an empty
#       file) and its scan speed given without it
# usage: bench/match.sh [EVE_MB] [TEXT_MB]     (default 1024 and 256)
# Data is kept in $CP_BENCH_DIR (default /tmp/cyberpact-match-bench) and reused
# when the sizes match; REGEN=1 regenerates it.
set -eu
cd "$(dirname "$0")/.."
EVE_MB=${1:-1024}
TEXT_MB=${2:-256}
IPSUM=${CP_SHARED_DATA:-../shared/data}/blocklists/ipsum.txt
if [ ! -f "$IPSUM" ]; then
    echo "bench/match.sh: skipped: $IPSUM not found (the shared data folder is absent)"
    exit 0
fi
DIR=${CP_BENCH_DIR:-/tmp/cyberpact-match-bench}
mkdir -p "$DIR"
need_mb=$(( (EVE_MB + TEXT_MB) * 2 + 600 ))
free_mb=$(df -Pm "$DIR" | awk 'NR==2 {print $4}')
if [ "$free_mb" -lt "$need_mb" ]; then
    echo "bench/match.sh: need about $need_mb MB free in $DIR, have $free_mb MB" >&2
    exit 1
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target cyberpact match_build >/dev/null
BIN=$(pwd)/build-bench/cyberpact

stamp="$EVE_MB $TEXT_MB"
if [ "${REGEN:-0}" = 1 ] || [ ! -f "$DIR/expected.json" ] || [ "$(cat "$DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "generating $EVE_MB MB of JSON lines, $TEXT_MB MB of text, 1,000,000 indicators in $DIR ..." >&2
    python3 bench/match_gen.py "$IPSUM" "$DIR" "$EVE_MB" "$TEXT_MB" 1000000 >/dev/null
    echo "$stamp" > "$DIR/stamp"
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start (shared machine)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
echo "## set build (1,000,000 indicators)"
build-bench/match_build "$DIR/indicators.tsv" "$DIR/set.cpiset" | tee "$DIR/build.json"
ls -l "$DIR/set.cpiset" | awk '{printf "compiled file: %.1f MB\n", $5 / 1e6}'

empty=$DIR/empty.txt
: > "$empty"
status=0
echo
echo "| file | size | lines | matcher MB/s (wall) | matcher MB/s per core (CPU) | matcher lines/s per core | hits found / planted | grep -F MB/s (scan) | grep total s | grep count | speed-up |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for f in eve.json logs.txt; do
    path=$DIR/$f
    cat "$path" > /dev/null # into the page cache, for both tools alike
    /usr/bin/time -f "%U %S %e %M" -o "$DIR/time.txt" "$BIN" match --indicators "$DIR/set.cpiset" --quiet --no-progress "$path" \
        2> "$DIR/summary.txt" > /dev/null || true
    summary=$(grep '^{"summary"' "$DIR/summary.txt")
    # hits printed (not --quiet) must be the same count
    printed=$("$BIN" match --indicators "$DIR/set.cpiset" --no-progress "$path" 2>/dev/null | wc -l)
    /usr/bin/time -f "%U %S %e %M" -o "$DIR/gtime0.txt" grep -F -c -f "$DIR/literals.txt" "$empty" > /dev/null || true
    /usr/bin/time -f "%U %S %e %M" -o "$DIR/gtime.txt" grep -F -c -f "$DIR/literals.txt" "$path" > "$DIR/gcount.txt" || true
    python3 - "$f" "$DIR" "$summary" "$printed" <<'PY' || status=1
import json, sys
f, d, summary, printed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])["summary"], int(sys.argv[4])
exp = json.load(open(d + "/expected.json"))[f]
u, s, e, m = open(d + "/time.txt").read().splitlines()[-1].split()[:4]
gu0, gs0, ge0, _ = open(d + "/gtime0.txt").read().splitlines()[-1].split()[:4]
gu, gs, ge, gm = open(d + "/gtime.txt").read().splitlines()[-1].split()[:4]
mb = summary["bytes"] / 1e6
# the matcher's own scan time and CPU time exclude loading the set (given apart)
scan_s = summary["seconds"]
cpu = max(summary["cpu_seconds"], 1e-9)
g_scan = max(float(ge) - float(ge0), 1e-9)
ok = summary["hit_lines"] == exp["planted"] and summary["hits"] == exp["planted"] and printed == exp["planted"]
print("| %s | %.0f MB | %d | %.0f | %.0f | %.0f | %d / %d %s | %.1f | %.1f | %s | %.1fx |" % (
    f, mb, summary["lines"], mb / scan_s, mb / cpu, summary["lines"] / cpu, summary["hits"], exp["planted"],
    "ok" if ok else "MISMATCH", mb / g_scan, float(ge), open(d + "/gcount.txt").read().strip(), (mb / scan_s) / (mb / g_scan)))
print("    matcher: set load %.2f s, scan %.2f s, CPU %.2f s, max RSS %d MB; grep: pattern compile %.1f s, max RSS %d MB" % (
    summary["indicators_load_seconds"], scan_s, cpu, int(m) // 1024, float(ge0), int(gm) // 1024), file=sys.stderr)
if not ok:
    print("FAIL: %s: found %d hits on %d lines (%d printed), planted %d" % (f, summary["hits"], summary["hit_lines"], printed, exp["planted"]), file=sys.stderr)
    sys.exit(1)
PY
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
