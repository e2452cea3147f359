#!/usr/bin/env python3
"""events_post.py — posts pre-generated bodies (events_gen.py's batch-NNNN.json, or TAXII
envelopes) to a URL over keep-alive connections, and reports the rate.

usage: events_post.py URL KEY DIR PREFIX [--conns 4] [--expect 200] [--content-type T] [--label L]
                      [--check-events]

Every file DIR/PREFIX*.json is posted once, in order, spread over --conns connections (one
thread each; bodies read from disk before the clock starts). Every answer must have status
--expect or the run stops (exit 1) with the answer printed. With --check-events each answer
must also say "accepted": 1000. Last line:

  RESULT label=L requests=N events=E seconds=S events_per_s=R requests_per_s=Q queued=A

(A: the alert aggregates the answers said were journaled for the folder.)
"""
import glob
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def opt(name, default):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def main():
    url, key, folder, prefix = sys.argv[1:5]
    conns = int(opt("--conns", "4"))
    expect = int(opt("--expect", "200"))
    ctype = opt("--content-type", "application/json")
    label = opt("--label", prefix)
    check = "--check-events" in sys.argv
    files = sorted(glob.glob(os.path.join(folder, prefix + "*.json")))
    bodies = [open(f, "rb").read() for f in files]
    u = urllib.parse.urlparse(url)
    lock = threading.Lock()
    state = {"next": 0, "failed": None, "queued": 0}

    def worker():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
        while True:
            with lock:
                i = state["next"]
                if i >= len(bodies) or state["failed"]:
                    break
                state["next"] = i + 1
            c.request("POST", u.path, body=bodies[i],
                      headers={"Authorization": "Bearer " + key, "Content-Type": ctype, "Accept": ctype})
            r = c.getresponse()
            data = r.read()
            ok = r.status == expect
            if ok and check:
                j = json.loads(data)
                ok = j.get("accepted") == 1000
                with lock:
                    state["queued"] += j["alerts"]["queued"]
            if not ok:
                with lock:
                    state["failed"] = f"{files[i]}: HTTP {r.status}: {data[:500]!r}"
                break
        c.close()

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.time() - t0
    if state["failed"]:
        print("FAILED " + state["failed"], file=sys.stderr)
        sys.exit(1)
    n = len(bodies)
    print(f"RESULT label={label} requests={n} events={n * 1000} seconds={dt:.2f} events_per_s={n * 1000 / dt:.0f} "
          f"requests_per_s={n / dt:.1f} queued={state['queued']}")


if __name__ == "__main__":
    main()
