#!/usr/bin/env python3
"""taxii_ingest.py — posts the pre-generated envelopes of taxii_gen.py to a TAXII 2.1 server.

usage: taxii_ingest.py URL KEY DIR [--conns 4] [--step 100000] [--pid PID] [--label NAME]

  URL   the collection's objects endpoint, e.g.
        http://127.0.0.1:8080/taxii2/alliance/collections/<id>/objects/
  KEY   an API key (sent as Authorization: Bearer KEY)
  DIR   taxii_gen.py's output folder (env-NNNNNN.json, meta.json)

Posts every envelope once, in order, over --conns keep-alive connections (one thread each;
the bodies are read from files already written, so the client does JSON parsing of the
status resources only). Each answer must be 202 with a status resource whose
success_count equals the envelope's object count and failure_count is 0, or the run stops
with the first failures printed (exit 1).

Prints one line per --step objects acknowledged: objects/s over that step, cumulative
objects/s, and, with --pid, the server's RSS from /proc/PID/status: VmRSS, split into RssAnon
(heap: buffers, SQLite's page cache) and RssFile (mapped files: the binary, libraries, and the
pages of the SQLite store read through mmap), and VmHWM (peak RSS); and the bytes the server
wrote to storage per object over the step (/proc/PID/io write_bytes: for SQLite, the WAL and
the checkpoints into the database file).
The last line is machine-readable:

  RESULT objects=N seconds=S objects_per_s=R min_step=R max_step=R vmhwm_kb=K max_anon_kb=K
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def proc_mem(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def proc_written(pid):
    """Bytes the process has caused to be written to storage (/proc/PID/io write_bytes)."""
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv):
    args = list(argv[1:])
    opts = {"--conns": "4", "--step": "100000", "--pid": "0", "--label": ""}
    for flag in list(opts):
        if flag in args:
            k = args.index(flag)
            opts[flag] = args[k + 1]
            del args[k : k + 2]
    if len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    url, key, folder = args
    conns, step, pid, label = int(opts["--conns"]), int(opts["--step"]), int(opts["--pid"]), opts["--label"]
    meta = json.load(open(os.path.join(folder, "meta.json")))
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    headers = {
        "Authorization": "Bearer " + key,
        "Content-Type": "application/taxii+json;version=2.1",
        "Accept": "application/taxii+json;version=2.1",
    }

    lock = threading.Lock()
    state = {"next": 0, "done": 0, "error": None, "marks": []}
    t0 = time.monotonic()
    last = [t0, 0, proc_written(pid) if pid else 0]
    step_rates = []

    def report_progress(done):
        # called with the lock held, whenever `done` crosses a multiple of step
        now = time.monotonic()
        rate = (done - last[1]) / (now - last[0])
        cum = done / (now - t0)
        step_rates.append(rate)
        mem = proc_mem(pid) if pid else {}
        extra = ""
        if mem:
            extra = "  server RSS %6.1f MiB (anon %6.1f, file %6.1f), peak %6.1f MiB" % (
                mem.get("VmRSS", 0) / 1024, mem.get("RssAnon", 0) / 1024, mem.get("RssFile", 0) / 1024,
                mem.get("VmHWM", 0) / 1024)
            state["max_anon"] = max(state.get("max_anon", 0), mem.get("RssAnon", 0))
            w = proc_written(pid)
            extra += ", wrote %5.1f KB/object" % ((w - last[2]) / 1024 / max(1, done - last[1]))
            last[2] = w
        print("%s%9d objects: %9.0f objects/s this step, %9.0f cumulative%s"
              % (label + " " if label else "", done, rate, cum, extra), flush=True)
        last[0], last[1] = now, done

    def worker():
        c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=600)
        while True:
            with lock:
                if state["error"] or state["next"] >= meta["envelopes"]:
                    break
                e = state["next"]
                state["next"] += 1
            with open(os.path.join(folder, "env-%06d.json" % e), "rb") as f:
                body = f.read()
            expect = min(meta["per_envelope"], meta["n"] - e * meta["per_envelope"])
            try:
                c.request("POST", path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as ex:
                with lock:
                    state["error"] = "envelope %d: %s" % (e, ex)
                break
            err = None
            if r.status != 202:
                err = "envelope %d: HTTP %d: %s" % (e, r.status, data[:500].decode("utf-8", "replace"))
            else:
                st = json.loads(data)
                if st.get("success_count") != expect or st.get("failure_count") != 0 or st.get("total_count") != expect:
                    err = "envelope %d: total %s success %s failure %s (expected %d successes); first failures: %s" % (
                        e, st.get("total_count"), st.get("success_count"), st.get("failure_count"), expect,
                        json.dumps(st.get("failures", [])[:3]))
            with lock:
                if err:
                    state["error"] = err
                    break
                before = state["done"]
                state["done"] += expect
                if state["done"] // step != before // step or state["done"] == meta["n"]:
                    report_progress(state["done"])
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if state["error"]:
        print("taxii_ingest: FAILED: " + state["error"], file=sys.stderr)
        return 1
    secs = time.monotonic() - t0
    mem = proc_mem(pid) if pid else {}
    print("RESULT objects=%d seconds=%.2f objects_per_s=%.0f min_step=%.0f max_step=%.0f vmhwm_kb=%d max_anon_kb=%d"
          % (state["done"], secs, state["done"] / secs, min(step_rates), max(step_rates), mem.get("VmHWM", 0),
             state.get("max_anon", 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
