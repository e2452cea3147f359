"""cyberpact match and cyberpact indicators (member-side early warning), run as the real
binary: the compiled set exported from a store, matched over log files in every format
with grep-like exit codes; the set fetched from a TAXII collection; sightings reported only
with --report; damaged compiled files refused; the server's set rebuilt when indicators
change."""
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import BIN, assert_no_sanitizer_report, new_state

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


def ind(pattern, marking=GREEN, **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "pattern_type": "stix",
         "pattern": pattern, "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": [marking]}
    o.update(extra)
    return o


def imp(server, key, collection, objs):
    body = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs}).encode()
    r = server.request("POST", f"/api/v1/intel/import?collection={collection}", raw=body, key=key)
    assert r.status in (200, 201), r
    return r


def match(args, input=None):
    p = subprocess.run([BIN, "match", "--no-progress"] + args, capture_output=True, text=True, input=input, timeout=120)
    assert_no_sanitizer_report(p.stderr, "cyberpact match")
    hits = [json.loads(line) for line in p.stdout.splitlines()]
    summary = None
    for line in p.stderr.splitlines():
        if line.startswith('{"summary"'):
            summary = json.loads(line)["summary"]
    return p, hits, summary


class W:
    pass


@pytest.fixture(scope="module")
def w(server, tmp_path_factory):
    x = W()
    x.dir = tmp_path_factory.mktemp("match")
    x.a = new_state(server)
    _, x.an_a = server.actor(x.a["id"], ["analyst"])
    x.ip = ind("[ipv4-addr:value = '198.51.100.7']")
    x.net = ind("[ipv4-addr:value ISSUBSET '203.0.113.0/24']")
    x.sub = ind("[domain-name:value LIKE '%.c2.example']")
    x.url = ind("[url:value = 'http://dl.example/payload.exe']")
    x.md5 = ind("[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']")
    x.mail = ind("[email-addr:value = 'boss@phish.example']")
    x.both = ind("[ipv4-addr:value = '192.0.2.50' AND domain-name:value = 'pair.example']")
    x.v6 = ind("[ipv6-addr:value = '2001:db8::bad']")
    x.fby = ind("[ipv4-addr:value = '192.0.2.60'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.61']")
    x.expired = ind("[ipv4-addr:value = '192.0.2.70']", valid_until="2026-02-01T00:00:00Z")
    x.future = ind("[ipv4-addr:value = '192.0.2.71']", valid_from="2099-01-01T00:00:00Z")
    x.revoked = ind("[ipv4-addr:value = '192.0.2.72']")
    imp(server, x.an_a, "alliance", [x.ip, x.net, x.sub, x.url, x.md5, x.mail, x.both, x.v6, x.fby, x.expired, x.future,
                                     x.revoked])
    rev = dict(x.revoked, modified="2026-01-02T00:00:00.000Z", revoked=True)
    imp(server, x.an_a, "alliance", [rev])
    # a RED indicator in a group collection: the set is the alliance's, every collection
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": "A's group", "audience": "group",
                        "members": [{"member_id": x.a["id"], "read": True, "write": True}]}, key=x.an_a)
    assert r.status == 201, r
    x.group = r.json["id"]
    x.red = ind("[domain-name:value = 'red.example']", marking=RED)
    imp(server, x.an_a, x.group, [x.red])
    x.set = str(x.dir / "set.cpiset")
    p = server.cli(["indicators", "export", "--compiled", x.set])
    assert "9 indicators compiled" in p.stderr, p.stderr
    x.eve = x.dir / "eve.json"
    x.eve.write_text(
        '{"timestamp":"2026-11-28T10:00:00.000000+0000","event_type":"flow","src_ip":"10.0.0.1","dest_ip":"198.51.100.7"}\n'
        '{"event_type":"dns","dns":{"rrname":"www.c2.example","answers":[{"rdata":"203.0.113.9"}]}}\n'
        '{"event_type":"http","http":{"hostname":"dl.example","url":"/payload.exe"}}\n'
        '{"event_type":"flow","dest_ip":"192.0.2.50"}\n'
        '{"event_type":"dns","dest_ip":"192.0.2.50","dns":{"rrname":"pair.example"}}\n'
        '{"event_type":"flow","dest_ip":"192.0.2.70","src_ip":"192.0.2.71","x":"192.0.2.72","y":"192.0.2.60"}\n'
        '{"event_type":"dns","dns":{"rrname":"c2.example","q":"badc2.example"}}\n'
        '{"broken":\n')
    x.logs = x.dir / "logs.txt"
    x.logs.write_text("Nov 28 10:00:00 mx postfix: reject <boss@phish.example> from [2001:db8::bad]\n"
                      "Nov 28 10:00:01 av: /tmp/a.exe md5=0123456789ABCDEF0123456789ABCDEF FOUND\n"
                      "Nov 28 10:00:02 dns: query red.example\n"
                      "Nov 28 10:00:03 nothing to see at 192.0.2.1\n")
    x.clean = x.dir / "clean.txt"
    x.clean.write_text("nothing here 192.0.2.1 example.org\n")
    return x


def test_indicators_stats(server, w):
    p = server.cli(["indicators", "stats"])
    st = json.loads(p.stdout)
    assert st["source"] == "store" and st["indicators"] == 9
    assert st["skipped_multi_event"] == 1 and st["expired"] == 2
    assert st["stale_at"].startswith("2099-01-01")
    p = server.cli(["indicators", "stats", "--compiled", w.set])
    assert json.loads(p.stdout)["indicators"] == 9
    assert server.cli(["indicators", "export"], check=False).returncode == 2
    assert server.cli(["indicators", "frobnicate"], check=False).returncode == 2


def test_match_files_from_the_compiled_set(w):
    p, hits, s = match(["--indicators", w.set, str(w.eve), str(w.logs)])
    assert p.returncode == 0, p.stderr
    got = {(h["file"].rsplit("/", 1)[-1], h["line"], h["indicator"], h["field"], h["value"]) for h in hits}
    assert got == {
        ("eve.json", 1, w.ip["id"], "dest_ip", "198.51.100.7"),
        ("eve.json", 2, w.sub["id"], "dns.rrname", "www.c2.example"),
        ("eve.json", 2, w.net["id"], "dns.answers.rdata", "203.0.113.9"),
        ("eve.json", 3, w.url["id"], "http.url", "http://dl.example/payload.exe"),
        ("eve.json", 5, w.both["id"], "dest_ip", "192.0.2.50"),
        ("logs.txt", 1, w.mail["id"], "text", "boss@phish.example"),
        ("logs.txt", 1, w.v6["id"], "text", "2001:db8::bad"),
        ("logs.txt", 2, w.md5["id"], "text", "0123456789ABCDEF0123456789ABCDEF"),
        ("logs.txt", 3, w.red["id"], "text", "red.example"),
    }
    first = [h for h in hits if h["line"] == 1 and h["file"].endswith("eve.json")][0]
    assert first["kind"] == "ip" and first["text"].startswith('{"timestamp"')
    assert s["files"] == 2 and s["lines"] == 12 and s["hits"] == 9 and s["hit_lines"] == 7
    assert s["skipped"]["malformed"] == 1 and s["indicators"] == 9
    assert s["bytes"] == os.path.getsize(w.eve) + os.path.getsize(w.logs)
    for k in ("seconds", "mb_per_s", "lines_per_s"):
        assert k in s


def test_exit_codes_like_grep(w):
    p, hits, s = match(["--indicators", w.set, str(w.clean)])
    assert p.returncode == 1 and hits == [] and s["lines"] == 1
    p, _, _ = match(["--indicators", w.set, str(w.clean), str(w.dir / "missing.log")])
    assert p.returncode == 2 and "missing.log" in p.stderr
    p, _, _ = match(["--indicators", w.set])
    assert p.returncode == 2 and "no file" in p.stderr
    p, _, _ = match(["--indicators", w.set, "--format", "xml", str(w.clean)])
    assert p.returncode == 2 and "--format" in p.stderr
    p, _, _ = match(["--indicators", w.set, "--bogus", str(w.clean)])
    assert p.returncode == 2


def test_stdin_formats_and_quiet(w):
    p, hits, s = match(["--indicators", w.set, "-"], input=w.logs.read_text())
    assert p.returncode == 0 and len(hits) == 4 and hits[0]["file"] == "(standard input)"
    p, hits, s = match(["--indicators", w.set, "--quiet", str(w.logs)])
    assert p.returncode == 0 and hits == [] and s["hits"] == 4
    # the JSON file read as text: whole lines, field "text", the composed URL is not there
    p, hits, s = match(["--indicators", w.set, "--format", "text", str(w.eve)])
    assert {h["field"] for h in hits} == {"text"}
    assert w.url["id"] not in {h["indicator"] for h in hits}
    csv = w.dir / "x.csv"
    csv.write_text('time,src,dst,note\n1,10.0.0.1,198.51.100.7,"a, ""b"""\n')
    p, hits, s = match(["--indicators", w.set, str(csv)])
    assert [(h["field"], h["line"]) for h in hits] == [("dst", 2)]
    zeek = w.dir / "conn.log"
    zeek.write_text("#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\n#types\ttime\taddr\taddr\n1.0\t10.0.0.1\t203.0.113.77\n")
    p, hits, s = match(["--indicators", w.set, str(zeek)])
    assert [(h["field"], h["indicator"]) for h in hits] == [("id.resp_h", w.net["id"])]
    cef = w.dir / "fw.cef"
    cef.write_text("Nov 28 fw CEF:0|Acme|FW|1|100|block|5|src=10.0.0.1 dst=198.51.100.7 request=http://dl.example/payload.exe\n")
    p, hits, s = match(["--indicators", w.set, str(cef)])
    assert sorted(h["field"] for h in hits) == ["dst", "request"]


def test_bad_lines_are_skipped_and_counted(w):
    bad = w.dir / "bad.log"
    bad.write_bytes(b"198.51.100.7 " + b"a" * 5000 + b"\n"
                    b"198.51.100.7 \x00 binary\n"
                    b"198.51.100.7 caf\xe9\n"
                    b"198.51.100.7 fine\n")
    p, hits, s = match(["--indicators", w.set, "--max-line", "1000", str(bad)])
    assert p.returncode == 0 and [h["line"] for h in hits] == [4]
    assert s["skipped"]["huge"] == 1 and s["skipped"]["binary"] == 1 and s["skipped"]["not_utf8"] == 1
    trunc = w.dir / "trunc.json"
    trunc.write_bytes(b'{"dest_ip":"198.51.100.7"}\n{"dest_ip":"198.51.100.7"')
    p, hits, s = match(["--indicators", w.set, str(trunc)])
    assert [h["line"] for h in hits] == [1] and s["skipped"]["truncated"] == 1


def test_damaged_compiled_files_are_refused(w):
    data = open(w.set, "rb").read()
    cases = {"truncated": data[: len(data) // 2], "flipped": data[:100] + bytes([data[100] ^ 1]) + data[101:],
             "empty": b"", "text": b"not a compiled file at all\n" * 10}
    for name, content in cases.items():
        f = w.dir / f"damaged-{name}"
        f.write_bytes(content)
        p, hits, s = match(["--indicators", str(f), str(w.logs)])
        assert p.returncode == 2 and "compiled indicators:" in p.stderr, (name, p.stderr)
        assert hits == [] and s is None
    p, _, _ = match(["--indicators", str(w.dir / "nope.cpiset"), str(w.logs)])
    assert p.returncode == 2 and "cannot read" in p.stderr


def test_indicators_from_a_taxii_collection(server, w):
    url = f"http://127.0.0.1:{server.port}/taxii2/alliance/collections/alliance/"
    p, hits, s = match(["--indicators", url, "--key", w.an_a, str(w.logs)])
    assert p.returncode == 0, p.stderr
    # the alliance collection only: the RED indicator of the group collection is not in it
    assert {h["indicator"] for h in hits} == {w.mail["id"], w.v6["id"], w.md5["id"]}
    assert s["indicators"] == 8
    p, hits, s = match(["--indicators", url, "--key", "wrong", str(w.logs)])
    assert p.returncode == 2 and "HTTP 401" in p.stderr


def test_report_posts_sightings_only_when_asked(server, w):
    def seen(i):
        r = server.request("GET", f"/api/v1/intel/sightings?collection=alliance&indicator_id={i['id']}", key=w.an_a)
        assert r.status == 200, r
        return r.json["seen"]
    before = seen(w.ip)
    p, hits, s = match(["--indicators", w.set, str(w.eve), str(w.eve)])
    assert p.returncode == 0 and seen(w.ip) == before  # nothing leaves the machine
    base = f"http://127.0.0.1:{server.port}"
    p, hits, s = match(["--indicators", w.set, "--report", "--server", base, "--key", w.an_a,
                        "--collection", "alliance", str(w.eve), str(w.eve)])
    assert p.returncode == 0, p.stderr
    assert seen(w.ip) == before + 2  # one sighting per indicator, counting both hits
    assert "reported 5 sightings" in p.stderr
    p, _, _ = match(["--indicators", w.set, "--report", str(w.eve)])
    assert p.returncode == 2 and "--server" in p.stderr
    # a key that may not write sightings: the failure is reported, exit 2
    p, _, _ = match(["--indicators", w.set, "--report", "--server", base, "--key", "bad-key", str(w.eve)])
    assert p.returncode == 2 and "HTTP 401" in p.stderr


def test_match_without_indicators_reads_the_local_store(server, w):
    p = subprocess.run([BIN, "match", "--no-progress", "--data", server.data] +
                       (["--database", server.db] if server.db else []) + [str(w.logs)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.splitlines()) == 4


def test_server_rebuilds_its_set_when_indicators_change(server, w):
    log = open(server.log_path).read()
    assert "iset_built" in log and "startup" in log
    imp(server, w.an_a, "alliance", [ind("[ipv4-addr:value = '192.0.2.99']")])
    deadline = time.time() + 10
    while time.time() < deadline:
        if "indicators changed" in open(server.log_path).read():
            break
        time.sleep(0.2)
    assert "indicators changed" in open(server.log_path).read()


def test_parallel_files_give_the_same_hits(w):
    files = [str(w.eve), str(w.logs), str(w.clean), str(w.eve)]
    p1, h1, s1 = match(["--indicators", w.set, "-j", "1"] + files)
    p2, h2, s2 = match(["--indicators", w.set, "-j", "3"] + files)
    assert p1.returncode == p2.returncode == 0
    key = lambda h: (h["file"], h["line"], h["indicator"])
    assert sorted(h1, key=key) == sorted(h2, key=key) and len(h1) == 2 * 5 + 4
    # the hits of one file stay in order
    eve = [h["line"] for h in h2 if h["file"] == str(w.eve)]
    assert eve[:5] == sorted(eve[:5])
    for k in ("lines", "bytes", "hits", "hit_lines", "events"):
        assert s1[k] == s2[k]
    p, _, _ = match(["--indicators", w.set, "-j", "0", str(w.eve)])
    assert p.returncode == 2 and "-j" in p.stderr


def test_server_rebuilds_when_a_validity_boundary_passes(server, w):
    import datetime
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    imp(server, w.an_a, "alliance", [ind("[ipv4-addr:value = '192.0.2.98']", valid_until=soon)])
    deadline = time.time() + 12
    while time.time() < deadline:
        if "validity began or ended" in open(server.log_path).read():
            break
        time.sleep(0.2)
    assert "validity began or ended" in open(server.log_path).read()


def test_taxii_indicators_over_several_pages(server, w):
    r = server.request("POST", "/api/v1/intel/collections", {"title": "many", "audience": "alliance"}, key=w.an_a)
    assert r.status == 201, r
    col = r.json["id"]
    objs = [ind(f"[ipv4-addr:value = '10.77.{i // 250}.{i % 250 + 1}']") for i in range(260)]
    imp(server, w.an_a, col, objs)
    log = w.dir / "many.log"
    log.write_text("first 10.77.0.1\nlast 10.77.1.10\nnone 10.77.1.11\n")
    url = f"http://127.0.0.1:{server.port}/taxii2/alliance/collections/{col}/objects/"
    p, hits, s = match(["--indicators", url, "--key", w.an_a, str(log)])
    assert p.returncode == 0, p.stderr
    assert s["indicators"] == 260  # three pages of 100
    assert [h["line"] for h in hits] == [1, 2]
