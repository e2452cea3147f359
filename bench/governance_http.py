#!/usr/bin/env python3
"""The governance vote over HTTP: 193 member states x 10 ballot changes cast by their
delegates through POST /api/v1/governance/proposals/{id}/ballots (8 concurrent
keep-alive clients), closed by the server's scheduler, and verified with
`cyberpact record verify --server`. Baseline in the same run, same clients: one
audited write per request (POST .../comments on another open proposal).

usage: governance_http.py BIN [STATES] [CHANGES]   (run by bench/governance.sh --http)
"""
import concurrent.futures
import datetime
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
STATES = int(sys.argv[2]) if len(sys.argv) > 2 else 193
CHANGES = int(sys.argv[3]) if len(sys.argv) > 3 else 10
CLIENTS = 8
tls = threading.local()


def iso(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def req(method, path, body=None, key=None):
    c = getattr(tls, "c", None)
    if c is None:
        c = tls.c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    h = {"Authorization": "Bearer " + key}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read()
    return r.status, (json.loads(text) if text else None)


work = tempfile.mkdtemp(prefix="cp-gov-http-")
data = os.path.join(work, "data")
admin = subprocess.run([BIN, "init", "--data", data], capture_output=True, text=True, check=True).stdout.split()[-1]
srv = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--auth-failures-per-minute", "100000"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
PORT = int(re.search(r":(\d+)", srv.stdout.readline().decode().split("listening on ")[1]).group(1))
try:
    codes = [c["alpha_2"] for c in json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"] if c["alpha_2"] != "AQ"]
    keys = []
    for i in range(STATES):
        st, m = req("POST", "/api/v1/members", {"kind": "member_state", "name": f"State {i}", "country": codes[i]}, admin)
        assert st == 201, m
        st, u = req("POST", "/api/v1/users", {"member_id": m["id"], "name": f"bench-delegate-{i:03d}", "roles": ["delegate"]}, admin)
        assert st == 201, u
        st, k = req("POST", "/api/v1/keys", {"user_id": u["id"]}, admin)
        keys.append(k["secret"])

    def proposal(closes):
        st, p = req("POST", "/api/v1/governance/proposals",
                    {"type": "policy", "title": "bench", "text": "bench", "rule": "simple"}, admin)
        st, p = req("POST", f"/api/v1/governance/proposals/{p['id']}/open", {"closes_at": iso(closes)}, admin)
        assert st == 200, p
        return p["id"]

    def run(fn, n):
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as ex:
            statuses = list(ex.map(fn, range(n)))
        bad = [s for s in statuses if s != 201]
        assert not bad, bad[:3]
        return time.time() - t0

    n = STATES * CHANGES
    base_p = proposal(time.time() + 3600)
    t_base = run(lambda j: req("POST", f"/api/v1/governance/proposals/{base_p}/comments", {"text": f"c{j}"},
                               keys[j % STATES])[0], n)
    closes = time.time() + 3 * t_base + 5
    pid = proposal(closes)
    choices = ["yes", "no", "abstain"]
    # ballots in rounds of changes: every state's k-th ballot before any (k+1)-th
    t_cast = 0.0
    for k in range(CHANGES):
        t_cast += run(lambda i: req("POST", f"/api/v1/governance/proposals/{pid}/ballots",
                                    {"choice": choices[(i * 7 + k * 3) % 3]}, keys[i])[0], STATES)
    assert time.time() < closes, "casting outlasted the closing time; rerun on a quieter machine"
    while True:
        st, p = req("GET", f"/api/v1/governance/proposals/{pid}", key=admin)
        if p["status"] != "open":
            break
        time.sleep(0.02)
    close_lag = time.time() - closes
    want = [0, 0, 0]
    for i in range(STATES):
        want[(i * 7 + (CHANGES - 1) * 3) % 3] += 1
    counts = p["result"]["counts"]
    ok = [counts["yes"], counts["no"], counts["abstain"]] == want
    t0 = time.time()
    v = subprocess.run([BIN, "record", "verify", "--server", f"http://127.0.0.1:{PORT}", "--key", admin],
                       capture_output=True, text=True)
    t_verify = time.time() - t0
    line = next((l for l in v.stdout.splitlines() if l.startswith("results:")), "")
    print(f"HTTP, SQLite, {CLIENTS} clients: {STATES} states x {CHANGES} changes = {n} ballots; result {p['status']} "
          f"{counts}: {'as expected' if ok else 'UNEXPECTED'}")
    print("| step | total | per request |\n|---|---|---|")
    print(f"| baseline: POST a comment (audited write) | {t_base:.3f} s | {t_base / n * 1e6:.0f} µs ({n / t_base:.0f}/s) |")
    print(f"| POST a ballot | {t_cast:.3f} s | {t_cast / n * 1e6:.0f} µs ({n / t_cast:.0f}/s) |")
    print(f"| closed by the scheduler after the closing time | {close_lag * 1e3:.0f} ms | |")
    print(f"| record verify --server (every entry, signature, results) | {t_verify:.2f} s | |")
    print(f"verify: exit {v.returncode}; {line}")
    sys.exit(0 if ok and v.returncode == 0 else 1)
finally:
    srv.terminate()
    srv.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
