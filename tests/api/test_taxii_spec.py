"""TAXII 2.1 as the OASIS specification and docs/taxii.md say, endpoint by endpoint, written
from the specification and the contract (intel-contract.md), not from the implementation:
discovery and the API root, collections, content negotiation and the error resource, the
status of a POST with exact counts, paging (limit/next, added_after, the X-TAXII-Date-Added
headers) including under concurrent inserts, every match[] filter and their comma lists,
one object and its versions, the manifest, DELETE, the versioning rules, byte-faithful
storage, and credentials (Bearer, Basic, anonymous, bad).

test_taxii.py and test_taxii_core.py cover the same endpoints; this file holds what they do
not: Accept/Content-Type variants on every endpoint, 413 at the byte and before the body is
read, the TAXII body limit apart from the general one, 405, more kinds of invalid objects,
millisecond precision of created/modified, exact page sizes and headers, paging at the tail
under three concurrent writers (next, then added_after), the page size flags, added_after
at every date (and 1 µs before it), polling resumption, filter combinations, re-serialised
re-posts, the revocation and SCO corner cases, Unicode and whitespace kept byte for byte,
Basic credential spellings, WWW-Authenticate, and hidden objects not counted for anonymous
readers. Integers beyond 64 bits are refused by decision (docs/decisions.md), not tested here.

One server for the module (plus one with small limits); every test makes its own
collection, so tests do not see each other's objects."""
import base64
import datetime
import http.client
import json
import re
import socket
import threading
import uuid

import pytest

from conftest import Server, new_state

MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
TAXII = {"Accept": MEDIA}
ROOT = "/taxii2/alliance/"
TLP = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
}
GREEN = TLP["GREEN"]
TS_US = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TS_ANY = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


# ---- helpers -----------------------------------------------------------------------

def ind(value="198.51.100.1", id=None, created="2026-01-01T00:00:00.000Z", modified=None, marking=GREEN, **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": id or f"indicator--{uuid.uuid4()}",
         "created": created, "modified": modified or created, "pattern_type": "stix",
         "pattern": f"[ipv4-addr:value = '{value}']", "valid_from": "2026-01-01T00:00:00Z"}
    if marking:
        o["object_marking_refs"] = [marking]
    o.update(extra)
    return o


def envelope(objects):
    return json.dumps({"objects": objects}).encode()


def post(s, col, objects=None, raw=None, key="admin", content_type=MEDIA, accept=MEDIA):
    key = s.admin_key if key == "admin" else key
    return s.request("POST", col + "objects/", raw=raw if raw is not None else envelope(objects), key=key,
                     content_type=content_type, headers={"Accept": accept} if accept else {})


def get(s, path, key="admin", headers=None):
    key = s.admin_key if key == "admin" else key
    h = dict(TAXII)
    h.update(headers or {})
    return s.request("GET", path, key=key, headers=h)


def delete(s, path, key="admin"):
    key = s.admin_key if key == "admin" else key
    return s.request("DELETE", path, key=key, headers=TAXII)


def exact(s, method, path, headers, body=None):
    """A request with exactly these headers (the conftest helper adds a Content-Type)."""
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    try:
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if not any(k.lower() == "host" for k in headers):
            c.putheader("Host", f"127.0.0.1:{s.port}")
        for k, v in headers.items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        from conftest import Response
        return Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
    finally:
        c.close()


def ids(r):
    assert r.status == 200, r
    return [o["id"] for o in r.json.get("objects", [])]


def new_collection(s, audience="alliance", key=None, **extra):
    body = {"title": f"taxii test {uuid.uuid4().hex[:8]}", "audience": audience}
    if audience == "group" and "members" not in extra:
        body["members"] = [{"member_id": s.alliance_id(), "read": True, "write": True}]
    body.update(extra)
    r = s.request("POST", "/api/v1/intel/collections", body, key=key or s.admin_key)
    assert r.status == 201, r
    return ROOT + f"collections/{r.json['id']}/"


def assert_taxii_error(r, status):
    assert r.status == status, r
    assert r.header("Content-Type") == MEDIA, (r.status, r.header("Content-Type"))
    e = r.json
    assert isinstance(e, dict), r
    assert isinstance(e.get("title"), str) and e["title"], e
    assert e.get("http_status") == str(status), e
    assert isinstance(e.get("error_code"), str) and e["error_code"], e
    assert isinstance(e.get("description"), str) and e["description"], e
    assert isinstance(e.get("details"), dict) and e["details"].get("request_id"), e
    return e


def parse_ts(t):
    assert TS_ANY.fullmatch(t), t
    base, _, frac = t[:-1].partition(".")
    d = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return d + datetime.timedelta(microseconds=int((frac + "000000")[:6])) if frac else d


def fmt_us(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def manifest_all(s, col, key="admin", query="match[version]=all"):
    out, url = [], col + f"manifest/?limit=1000&{query}"
    while True:
        r = get(s, url, key=key)
        assert r.status == 200, r
        out += r.json.get("objects", [])
        if not r.json["more"]:
            return out
        url = col + f"manifest/?limit=1000&{query}&next={r.json['next']}"


@pytest.fixture(scope="module")
def small():
    """A server with small limits: 4 KiB envelopes, pages of 3 by default, at most 5."""
    s = Server(["--auth-failures-per-minute", "100000", "--intel-max-body-bytes", "4096",
                "--taxii-page-default", "3", "--page-limit-max", "5"]).start()
    yield s
    s.cleanup()


# ---- discovery, API root -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/taxii2/nosuch/", ROOT + "nosuch/", ROOT + "collections/alliance/nosuch/",
                                  ROOT + "collections/nosuch/objects/", ROOT + "collections/nosuch/manifest/",
                                  ROOT + f"collections/{uuid.uuid4()}/"])
def test_unknown_paths_are_taxii_404(server, path):
    assert_taxii_error(get(server, path), 404)


def test_unknown_status_is_404(server):
    assert_taxii_error(get(server, ROOT + f"status/{uuid.uuid4()}/"), 404)
    assert_taxii_error(get(server, ROOT + "status/not-a-status/"), 404)


# ---- collections -----------------------------------------------------------------------

def test_collection_paths_by_alias_and_uuid_reach_the_same_objects(server):
    alias = f"a-{uuid.uuid4().hex[:8]}"
    col = new_collection(server, alias=alias)
    o = ind()
    assert post(server, ROOT + f"collections/{alias}/", [o]).json["success_count"] == 1
    assert ids(get(server, col + "objects/")) == [o["id"]]
    assert get(server, ROOT + f"collections/{alias}/objects/{o['id']}/").status == 200


# ---- content negotiation, errors ------------------------------------------------------

ENDPOINTS = ["/taxii2/", ROOT, ROOT + "collections/", ROOT + "collections/alliance/",
             ROOT + "collections/alliance/objects/", ROOT + "collections/alliance/manifest/"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("accept", ["text/html", "application/json", "application/stix+json;version=2.1",
                                    "application/taxii+json;version=2.0", "application/xml, text/*",
                                    "*/*;q=0", "application/taxii+json;version=2.1;q=0",
                                    "application/*;q=0, text/html"])
def test_unacceptable_accept_406_everywhere(server, path, accept):
    r = server.request("GET", path, key=server.admin_key, headers={"Accept": accept})
    assert_taxii_error(r, 406)


@pytest.mark.parametrize("accept", ["text/html, application/taxii+json;version=2.1;q=0.5",
                                    "application/taxii+json; version=2.1",
                                    "text/html;q=0.9, */*;q=0.1",
                                    "application/taxii+json;version=2.1;q=0.1, */*;q=0",
                                    "APPLICATION/TAXII+JSON;version=2.1"])
def test_acceptable_accept_variants(server, accept):
    r = server.request("GET", ROOT + "collections/alliance/objects/?limit=1", key=server.admin_key,
                       headers={"Accept": accept})
    assert r.status == 200, (accept, r)
    assert r.header("Content-Type") == MEDIA


@pytest.mark.parametrize("ctype", ["application/json", STIX_MEDIA, "text/plain", "application/taxii+json;version=2.0",
                                   "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(server, ctype):
    h = {"Accept": MEDIA, "Authorization": "Bearer " + server.admin_key}
    if ctype:
        h["Content-Type"] = ctype
    r = exact(server, "POST", ROOT + "collections/alliance/objects/", h, envelope([ind()]))
    assert_taxii_error(r, 415)


@pytest.mark.parametrize("ctype", ["application/taxii+json", MEDIA, "application/taxii+json; version=2.1",
                                   "Application/TAXII+JSON;version=2.1"])
def test_right_content_types(server, ctype):
    r = post(server, ROOT + "collections/alliance/", [ind()], content_type=ctype)
    assert r.status == 202 and r.json["success_count"] == 1, (ctype, r)


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400),
    (b"", 400),
    (b'{"objects": [', 400),
    (b"[]", 422),
    (b'"objects"', 422),
    (b"{}", 422),
    (b'{"objects": {}}', 422),
    (b'{"objects": "x"}', 422),
    (b'{"objects": null}', 422),
    (b'{"objects": [], "type": "bundle"}', 422),
])
def test_bad_envelopes(server, body, status):
    assert_taxii_error(post(server, ROOT + "collections/alliance/", raw=body), status)


def test_too_large_is_413_at_the_byte(small):
    col = ROOT + "collections/alliance/"
    assert get(small, ROOT).json["max_content_length"] == 4096
    body = envelope([ind()])
    at_limit = body[:-1] + b" " * (4096 - len(body)) + b"}"
    assert len(at_limit) == 4096
    r = post(small, col, raw=at_limit)
    assert r.status == 202 and r.json["success_count"] == 1, r
    over = body[:-1] + b" " * (4097 - len(body)) + b"}"
    assert_taxii_error(post(small, col, raw=over), 413)


def test_413_is_decided_before_reading_the_body(small):
    """A client announcing a huge body gets 413 at once, without sending it."""
    with socket.create_connection(("127.0.0.1", small.port), timeout=10) as sock:
        sock.sendall((f"POST {ROOT}collections/alliance/objects/ HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {small.admin_key}\r\nAccept: {MEDIA}\r\n"
                      f"Content-Type: {MEDIA}\r\nContent-Length: 1000000000\r\n\r\n").encode())
        head = sock.recv(4096).decode(errors="replace")
    assert head.startswith("HTTP/1.1 413"), head[:200]


def test_taxii_body_limit_is_not_the_general_one(server):
    """--max-body-bytes (1 MiB) is for the rest of the API; TAXII takes max_content_length."""
    col = new_collection(server)
    objs = [ind(f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", description="x" * 200) for i in range(5000)]
    body = envelope(objs)
    assert 1024 * 1024 < len(body) < 32 * 1024 * 1024
    r = post(server, col, raw=body)
    assert r.status == 202, r
    assert r.json["success_count"] == 5000 and r.json["failure_count"] == 0


def test_post_needs_credentials_and_a_known_collection(server):
    assert_taxii_error(post(server, ROOT + "collections/alliance/", [ind()], key=None), 401)
    assert_taxii_error(post(server, ROOT + f"collections/{uuid.uuid4()}/", [ind()]), 404)
    assert_taxii_error(post(server, ROOT + "collections/no-such-alias/", [ind()]), 404)


def test_405_for_other_methods(server):
    r = server.request("PUT", ROOT + "collections/alliance/objects/", raw=envelope([]), key=server.admin_key,
                       content_type=MEDIA, headers=TAXII)
    assert r.status == 405 and r.header("Allow"), r
    assert "POST" in r.header("Allow") and "GET" in r.header("Allow")


# ---- POST: the status resource ------------------------------------------------------------

def test_post_status_exact_counts_and_reasons(server):
    col = new_collection(server)
    good = [ind(f"192.0.2.{i}") for i in range(4)]
    no_pattern = ind()
    del no_pattern["pattern"]
    no_type = ind()
    del no_type["type"]
    bad = {
        "id": dict(ind(), id="indicator--not-a-uuid"),
        "id-type": dict(ind(), id=f"malware--{uuid.uuid4()}"),
        "modified": dict(ind(), modified="yesterday"),
        "created-month": dict(ind(), created="2026-13-01T00:00:00Z", modified="2026-13-01T00:00:00Z"),
        "no-zone": dict(ind(), created="2026-01-01T00:00:00", modified="2026-01-01T00:00:00"),
        "pattern": dict(ind(), pattern="[ipv4-addr:value = ]"),
        "pattern-and": dict(ind(), pattern="[ipv4-addr:value = 'x' AND]"),
        "missing-pattern": no_pattern,
        "spec_version": dict(ind(), spec_version="2.0"),
        "modified<created": dict(ind(), created="2026-02-01T00:00:00.000Z", modified="2026-01-01T00:00:00.000Z"),
        "marking-ref": dict(ind(), object_marking_refs=["not-a-ref"]),
    }
    mixed = [good[0], bad["id"], bad["id-type"], good[1], bad["modified"], bad["created-month"], bad["no-zone"],
             bad["pattern"], good[2], bad["pattern-and"], bad["missing-pattern"], bad["spec_version"],
             bad["modified<created"], bad["marking-ref"], good[3]]
    r = post(server, col, mixed)
    assert r.status == 202 and r.header("Content-Type") == MEDIA, r
    st = r.json
    assert set(st) <= {"id", "status", "request_timestamp", "total_count", "success_count", "successes",
                       "failure_count", "failures", "pending_count", "pendings"}, st
    assert uuid.UUID(st["id"])
    assert st["status"] == "complete" and TS_ANY.fullmatch(st["request_timestamp"])
    assert st["total_count"] == len(mixed)
    assert st["success_count"] == len(good) and st["failure_count"] == len(bad) and st["pending_count"] == 0
    assert len(st["successes"]) == len(good) and len(st["failures"]) == len(bad)
    assert [x["id"] for x in st["successes"]] == [o["id"] for o in good]
    for x in st["successes"]:
        assert x["version"] == "2026-01-01T00:00:00.000Z", x
    failed = {}
    for f in st["failures"]:
        assert isinstance(f.get("message"), str) and f["message"], f
        failed.setdefault(f["id"], []).append(f["message"])
    # every failure names its object and says what was wrong with it
    for name, o in bad.items():
        if name == "id":
            continue  # an invalid id cannot be a reliable key
        assert o["id"] in failed, (name, st["failures"])
    def why(name):
        return " ".join(failed[bad[name]["id"]]).lower()
    assert "modified" in why("modified")
    assert "created" in why("created-month")
    assert "pattern" in why("pattern") and "pattern" in why("pattern-and") and "pattern" in why("missing-pattern")
    assert "spec_version" in why("spec_version")
    assert "id" in why("id-type") or "type" in why("id-type")
    assert "marking" in why("marking-ref")
    assert any("id" in m.lower() for f in st["failures"] for m in [f["message"]] if "not-a-uuid" in json.dumps(f))
    # only the good ones were stored
    stored = ids(get(server, col + "objects/"))
    assert stored == [o["id"] for o in good]
    # the status resource, later, is the same document
    later = get(server, ROOT + f"status/{st['id']}/")
    assert later.status == 200 and later.header("Content-Type") == MEDIA
    assert later.json == st


@pytest.mark.parametrize("created,modified", [("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                                              ("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.1Z"),
                                              ("2026-01-01T00:00:00.12Z", "2026-01-01T00:00:00.120Z")])
def test_created_and_modified_need_millisecond_precision(server, created, modified):
    """STIX 2.1: created and modified "MUST be precise to the nearest millisecond" (the official
    schema: T..:..:..\\.\\d{3,}Z). Accepting less would store objects that fail the schemas."""
    o = ind(created=created, modified=modified)
    r = post(server, new_collection(server), [o]).json
    assert (r["success_count"], r["failure_count"]) == (0, 1), r
    m = r["failures"][0]["message"]
    assert "created" in m or "modified" in m, m


def test_status_is_the_writers_organisation_and_the_secretariats(server):
    col = new_collection(server)
    m = new_state(server)
    _, writer = server.actor(m["id"], ["analyst"])
    _, colleague = server.actor(m["id"], ["analyst"])
    _, other = server.actor(new_state(server)["id"], ["analyst"])
    _, auditor = server.actor(server.alliance_id(), ["auditor"])
    r = post(server, col, [ind(), dict(ind(), pattern="nope")], key=writer)
    assert r.status == 202, r
    path = ROOT + f"status/{r.json['id']}/"
    same = lambda a: {k: v for k, v in a.items() if k != "request_timestamp"}  # compared in the test above
    assert same(get(server, path, key=writer).json) == same(r.json)
    assert same(get(server, path, key=colleague).json) == same(r.json)
    assert same(get(server, path).json) == same(r.json)  # the secretariat
    assert_taxii_error(get(server, path, key=other), 404)
    assert_taxii_error(get(server, path, key=auditor), 404)
    assert_taxii_error(get(server, path, key=None), 401)


# ---- paging ------------------------------------------------------------------------------

def test_limit_and_next_walk_every_object_once(server):
    col = new_collection(server)
    objs = [ind(f"203.0.113.{i}") for i in range(23)]
    post(server, col, objs[:10])
    post(server, col, objs[10:])
    man = manifest_all(server, col)
    added = {m["id"]: m["date_added"] for m in man}
    seen, url, sizes = [], col + "objects/?limit=5", []
    while True:
        r = get(server, url)
        assert r.status == 200, r
        page = r.json["objects"]
        sizes.append(len(page))
        assert r.header("X-TAXII-Date-Added-First") == added[page[0]["id"]]
        assert r.header("X-TAXII-Date-Added-Last") == added[page[-1]["id"]]
        seen += [o["id"] for o in page]
        if not r.json["more"]:
            assert "next" not in r.json
            break
        assert isinstance(r.json["next"], str) and r.json["next"]
        url = col + "objects/?limit=5&next=" + urllib_quote(r.json["next"])
    assert sizes == [5, 5, 5, 5, 3]
    assert seen == [o["id"] for o in objs]


def urllib_quote(s):
    import urllib.parse
    return urllib.parse.quote(s, safe="")


def test_paging_under_concurrent_inserts_no_gap_no_duplicate(server):
    """Three writers add envelopes while a reader pages at the tail of the collection, by
    next while there is more and by added_after=X-TAXII-Date-Added-Last when there is not
    (the two ways the specification gives). Nothing may be missed or repeated: a version
    committed after a page was read must not sort before that page's last one."""
    col = new_collection(server)
    first = [ind(f"10.9.0.{i}") for i in range(20)]
    assert post(server, col, first).json["success_count"] == 20
    stop = threading.Event()
    errors = []

    def writer(w):
        i = 0
        while not stop.is_set():
            r = post(server, col, [ind(f"10.{8 - w}.{(i + k) // 250}.{(i + k) % 250}") for k in range(5)])
            if r.status != 202 or r.json["failure_count"]:
                errors.append(r)
            i += 5

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    seen, cursor, pages = [], "", 0

    def read_page():
        nonlocal cursor
        r = get(server, col + "objects/?limit=7" + cursor)
        assert r.status == 200, r
        page = [o["id"] for o in r.json.get("objects", [])]
        if r.json["more"]:
            assert len(page) == 7 and r.json["next"]
            cursor = "&next=" + urllib_quote(r.json["next"])
        elif page:
            assert "next" not in r.json
            cursor = "&added_after=" + r.header("X-TAXII-Date-Added-Last")
        return page

    try:
        while pages < 120:
            seen += read_page()
            pages += 1
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:2]
    while True:  # the writers have stopped: read on to the end
        page = read_page()
        if not page:
            break
        seen += page
    everything = [m["id"] for m in manifest_all(server, col)]
    assert len(everything) > 100, "the writers did write"
    assert len(seen) == len(set(seen)), "an object came on two pages"
    assert len(seen) == len(everything), f"{len(everything) - len(seen)} objects were never on a page"
    assert seen == everything, "pages reordered objects"
    assert seen[:20] == [o["id"] for o in first]


def test_default_and_maximum_page_sizes(small):
    col = new_collection(small)
    objs = [ind(f"10.7.0.{i}") for i in range(12)]
    for i in range(0, 12, 4):
        assert post(small, col, objs[i:i + 4]).json["success_count"] == 4
    r = get(small, col + "objects/")
    assert ids(r) == [o["id"] for o in objs[:3]] and r.json["more"] is True  # --taxii-page-default 3
    r = get(small, col + "objects/?limit=100")
    assert len(ids(r)) == 5 and r.json["more"] is True  # capped at --page-limit-max 5
    r = get(small, col + "manifest/?limit=100")
    assert len(r.json["objects"]) == 5 and r.json["more"] is True
    r = get(small, col + "objects/?limit=12")
    assert len(ids(r)) == 5


@pytest.mark.parametrize("q", ["limit=0", "limit=-1", "limit=abc", "limit=", "limit=1.5", "next=garbage",
                               "added_after=yesterday", "added_after=2026-01-01", "match[version]=latest",
                               "match[foo]=x", "type=indicator", "match[id]="])
def test_bad_query_parameters_are_400(server, q):
    assert_taxii_error(get(server, ROOT + "collections/alliance/objects/?" + q), 400)


def test_added_after_is_exclusive(server):
    col = new_collection(server)
    objs = [ind(f"10.6.0.{i}") for i in range(6)]
    post(server, col, objs[:3])
    post(server, col, objs[3:])
    man = manifest_all(server, col)
    assert [m["id"] for m in man] == [o["id"] for o in objs]
    dates = [m["date_added"] for m in man]
    assert all(TS_US.fullmatch(d) for d in dates), dates
    assert dates == sorted(dates) and len(set(dates)) == len(dates), "date_added strictly increasing"
    for i, d in enumerate(dates):
        r = get(server, col + f"objects/?added_after={d}")
        assert ids(r) == [o["id"] for o in objs[i + 1:]], i
        just_before = fmt_us(parse_ts(d) - datetime.timedelta(microseconds=1))
        assert ids(get(server, col + f"objects/?added_after={just_before}")) == [o["id"] for o in objs[i:]], i
        assert [m["id"] for m in get(server, col + f"manifest/?added_after={d}").json.get("objects", [])] == \
            [o["id"] for o in objs[i + 1:]]
    # an empty page: {"more": false}, and no date headers
    r = get(server, col + f"objects/?added_after={dates[-1]}")
    assert r.json == {"more": False}
    assert r.header("X-TAXII-Date-Added-First") is None and r.header("X-TAXII-Date-Added-Last") is None
    # timestamps with less precision are timestamps too
    assert ids(get(server, col + "objects/?added_after=2000-01-01T00:00:00Z")) == [o["id"] for o in objs]
    assert ids(get(server, col + "objects/?added_after=2000-01-01T00:00:00.000Z")) == [o["id"] for o in objs]


def test_polling_with_the_last_header_resumes_exactly(server):
    col = new_collection(server)
    got, after = [], None
    sent = []
    for round_ in range(4):
        batch = [ind(f"10.5.{round_}.{i}") for i in range(5)]
        sent += batch
        post(server, col, batch)
        while True:
            q = "objects/?limit=3" + (f"&added_after={after}" if after else "")
            r = get(server, col + q)
            page = ids(r)
            if not page:
                break
            got += page
            after = r.header("X-TAXII-Date-Added-Last")
    assert got == [o["id"] for o in sent]


def test_added_after_with_next(server):
    col = new_collection(server)
    objs = [ind(f"10.4.0.{i}") for i in range(9)]
    post(server, col, objs)
    d = manifest_all(server, col)[2]["date_added"]
    r = get(server, col + f"objects/?added_after={d}&limit=4")
    got = ids(r)
    r = get(server, col + f"objects/?added_after={d}&limit=4&next={urllib_quote(r.json['next'])}")
    got += ids(r)
    assert r.json["more"] is False
    assert got == [o["id"] for o in objs[3:]]


# ---- filters --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def filtered(server):
    """One collection: an indicator in three versions, a malware, an SCO, a relationship."""
    col = new_collection(server)
    x = ind("10.3.0.1")
    x2 = dict(x, modified="2026-02-01T00:00:00.000Z", name="v2")
    x3 = dict(x, modified="2026-03-01T00:00:00.000Z", name="v3")
    mal = {"type": "malware", "spec_version": "2.1", "id": f"malware--{uuid.uuid4()}", "created": "2026-01-05T00:00:00.000Z",
           "modified": "2026-01-05T00:00:00.000Z", "name": "Poison", "is_family": False, "object_marking_refs": [GREEN]}
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "10.3.0.1",
           "object_marking_refs": [GREEN]}
    rel = {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{uuid.uuid4()}",
           "created": "2026-01-06T00:00:00.000Z", "modified": "2026-01-06T00:00:00.000Z", "relationship_type": "indicates",
           "source_ref": x["id"], "target_ref": mal["id"], "object_marking_refs": [GREEN]}
    r = post(server, col, [x, mal, x2, sco, rel, x3])
    assert r.json["success_count"] == 6, r
    return col, x, x2, x3, mal, sco, rel


def versions_of(r):
    assert r.status == 200, r
    return [(o["id"], o.get("modified")) for o in r.json.get("objects", [])]


def test_match_id(server, filtered):
    col, x, x2, x3, mal, sco, rel = filtered
    # listed in date_added order, whatever the order of the list
    assert ids(get(server, col + f"objects/?match[id]={sco['id']},{mal['id']}")) == [mal["id"], sco["id"]]
    assert ids(get(server, col + f"objects/?match[id]={sco['id']}&match[id]={mal['id']}")) == [mal["id"], sco["id"]]
    assert ids(get(server, col + f"objects/?match[id]={x['id']}")) == [x["id"]]
    assert get(server, col + f"objects/?match[id]=indicator--{uuid.uuid4()}").json == {"more": False}
    assert [m["id"] for m in get(server, col + f"manifest/?match[id]={rel['id']}").json["objects"]] == [rel["id"]]


def test_match_type(server, filtered):
    col, x, x2, x3, mal, sco, rel = filtered
    assert ids(get(server, col + "objects/?match[type]=malware")) == [mal["id"]]
    assert ids(get(server, col + "objects/?match[type]=ipv4-addr,relationship")) == [sco["id"], rel["id"]]
    assert ids(get(server, col + "objects/?match[type]=malware&match[type]=indicator")) == [mal["id"], x["id"]]
    assert get(server, col + "objects/?match[type]=campaign").json == {"more": False}
    # filters combine (AND between fields, OR within one)
    assert ids(get(server, col + f"objects/?match[type]=malware,indicator&match[id]={x['id']},{sco['id']}")) == \
        [x["id"]]


def test_match_version(server, filtered):
    col, x, x2, x3, mal, sco, rel = filtered
    url = col + f"objects/?match[id]={x['id']},{mal['id']}"
    last = [(mal["id"], mal["modified"]), (x["id"], x3["modified"])]
    assert versions_of(get(server, url)) == last
    assert versions_of(get(server, url + "&match[version]=last")) == last
    assert versions_of(get(server, url + "&match[version]=first")) == [(x["id"], x["modified"]), (mal["id"], mal["modified"])]
    every = versions_of(get(server, url + "&match[version]=all"))
    assert every == [(x["id"], x["modified"]), (mal["id"], mal["modified"]), (x["id"], x2["modified"]),
                     (x["id"], x3["modified"])]
    assert versions_of(get(server, url + f"&match[version]={x2['modified']}")) == [(x["id"], x2["modified"])]
    # the same instant in another spelling of the timestamp
    assert versions_of(get(server, url + "&match[version]=2026-02-01T00:00:00Z")) == [(x["id"], x2["modified"])]
    assert sorted(versions_of(get(server, url + "&match[version]=first,last"))) == \
        sorted([(x["id"], x["modified"]), (x["id"], x3["modified"]), (mal["id"], mal["modified"])])
    assert sorted(versions_of(get(server, url + f"&match[version]={x['modified']},{x3['modified']}"))) == \
        sorted([(x["id"], x["modified"]), (x["id"], x3["modified"])])
    assert get(server, url + "&match[version]=2020-01-01T00:00:00.000Z").json == {"more": False}
    # the manifest honours it too
    man = get(server, col + f"manifest/?match[id]={x['id']}&match[version]=all").json["objects"]
    assert [m["version"] for m in man] == [x["modified"], x2["modified"], x3["modified"]]
    assert [m["version"] for m in get(server, col + f"manifest/?match[id]={x['id']}").json["objects"]] == [x3["modified"]]


# ---- one object, versions, manifest ----------------------------------------------------------

def test_one_object_and_its_versions(server, filtered):
    col, x, x2, x3, mal, sco, rel = filtered
    one = col + f"objects/{x['id']}/"
    r = get(server, one)
    assert r.status == 200 and set(r.json) <= {"more", "next", "objects"} and r.json["more"] is False
    assert [o["modified"] for o in r.json["objects"]] == [x3["modified"]]
    assert r.header("X-TAXII-Date-Added-First") and r.header("X-TAXII-Date-Added-Last")
    assert [o["modified"] for o in get(server, one + "?match[version]=all").json["objects"]] == \
        [x["modified"], x2["modified"], x3["modified"]]
    v = get(server, one + "versions/")
    assert v.status == 200 and v.header("Content-Type") == MEDIA
    assert set(v.json) <= {"more", "next", "versions"} and v.json["more"] is False
    assert v.json["versions"] == [x["modified"], x2["modified"], x3["modified"]]
    assert TS_US.fullmatch(v.header("X-TAXII-Date-Added-First")) and TS_US.fullmatch(v.header("X-TAXII-Date-Added-Last"))
    assert v.header("X-TAXII-Date-Added-First") < v.header("X-TAXII-Date-Added-Last")
    # paging the versions
    p1 = get(server, one + "versions/?limit=2")
    assert p1.json["versions"] == [x["modified"], x2["modified"]] and p1.json["more"] is True
    p2 = get(server, one + f"versions/?limit=2&next={urllib_quote(p1.json['next'])}")
    assert p2.json["versions"] == [x3["modified"]] and p2.json["more"] is False
    # an SCO has one version
    sv = get(server, col + f"objects/{sco['id']}/versions/").json["versions"]
    assert len(sv) == 1 and TS_ANY.fullmatch(sv[0])
    # unknown ids, in this collection or at all
    for oid in (f"indicator--{uuid.uuid4()}", "not-an-id", f"malware--{uuid.uuid4()}"):
        assert_taxii_error(get(server, col + f"objects/{oid}/"), 404)
        assert_taxii_error(get(server, col + f"objects/{oid}/versions/"), 404)
    other = new_collection(server)
    assert_taxii_error(get(server, other + f"objects/{x['id']}/"), 404)


# ---- DELETE -----------------------------------------------------------------------------

def test_delete(server):
    m = new_state(server)
    _, reader = server.actor(m["id"], ["analyst"])
    _, writer = server.actor(new_state(server)["id"], ["analyst"])
    col = new_collection(server)
    cid = col.split("/")[-2]
    r = server.request("PUT", f"/api/v1/intel/collections/{cid}/members/{m['id']}", {"read": True, "write": False},
                       key=server.admin_key)
    assert r.status == 200, r
    v1 = ind()
    v2 = dict(v1, modified="2026-02-01T00:00:00.000Z")
    v3 = dict(v1, modified="2026-03-01T00:00:00.000Z")
    other = ind()
    post(server, col, [v1, v2, v3, other])
    one = col + f"objects/{v1['id']}/"
    assert get(server, one, key=reader).status == 200
    assert_taxii_error(delete(server, one, key=reader), 403)
    assert_taxii_error(delete(server, one, key=None), 401)
    assert_taxii_error(delete(server, col + f"objects/indicator--{uuid.uuid4()}/", key=writer), 404)
    assert_taxii_error(delete(server, one + "?limit=1", key=writer), 400)
    # one version by its timestamp
    r = delete(server, one + f"?match[version]={v2['modified']}", key=writer)
    assert r.status == 200 and r.header("Content-Type") == MEDIA, r
    assert get(server, one + "versions/").json["versions"] == [v1["modified"], v3["modified"]]
    # the last version
    assert delete(server, one + "?match[version]=last", key=writer).status == 200
    assert [o["modified"] for o in get(server, one).json["objects"]] == [v1["modified"]]
    # a deleted version may come back
    assert post(server, col, [v3]).json["success_count"] == 1
    assert [o["modified"] for o in get(server, one).json["objects"]] == [v3["modified"]]
    # all the rest (no match[version]: every version)
    assert delete(server, one, key=writer).status == 200
    assert_taxii_error(get(server, one), 404)
    assert_taxii_error(get(server, one + "versions/"), 404)
    assert [m["id"] for m in manifest_all(server, col)] == [other["id"]]
    assert ids(get(server, col + "objects/")) == [other["id"]]
    assert_taxii_error(delete(server, one, key=writer), 404)


# ---- versioning -------------------------------------------------------------------------

def test_identical_repost_is_idempotent(server):
    col = new_collection(server)
    o = ind()
    first = post(server, col, [o]).json
    before = manifest_all(server, col)
    last = get(server, col + "objects/").header("X-TAXII-Date-Added-Last")
    again = post(server, col, [o]).json
    assert (again["success_count"], again["failure_count"]) == (1, 0)
    assert [(x["id"], x["version"]) for x in again["successes"]] == \
        [(x["id"], x["version"]) for x in first["successes"]]
    assert manifest_all(server, col) == before, "an identical re-post added nothing"
    assert get(server, col + f"objects/?added_after={last}").json == {"more": False}
    # the same object re-serialised (other spacing, other key order) is still the same object
    text = json.dumps(dict(reversed(list(o.items()))), indent=2)
    r = post(server, col, raw=('{"objects":[' + text + "]}").encode()).json
    assert (r["success_count"], r["failure_count"]) == (1, 0), r
    assert manifest_all(server, col) == before
    # twice in one envelope: two successes, one version
    p = ind()
    r = post(server, col, [p, p]).json
    assert (r["total_count"], r["success_count"], r["failure_count"]) == (2, 2, 0), r
    assert get(server, col + f"objects/{p['id']}/versions/").json["versions"] == [p["modified"]]


def test_same_version_other_content_fails_and_changes_nothing(server):
    col = new_collection(server)
    o = ind(name="original")
    text = json.dumps(o)
    post(server, col, raw=('{"objects":[' + text + "]}").encode())
    r = post(server, col, [dict(o, name="changed")]).json
    assert (r["success_count"], r["failure_count"]) == (0, 1), r
    assert r["failures"][0]["id"] == o["id"] and r["failures"][0]["message"]
    back = get(server, col + f"objects/{o['id']}/")
    assert text in back.raw and back.json["objects"][0]["name"] == "original"
    # in one envelope: the first is taken, the second refused
    p = ind(name="a")
    r = post(server, col, [p, dict(p, name="b")]).json
    assert (r["success_count"], r["failure_count"]) == (1, 1), r
    assert get(server, col + f"objects/{p['id']}/").json["objects"][0]["name"] == "a"


def test_newer_and_older_versions_are_added(server):
    col = new_collection(server)
    v2 = ind(modified="2026-02-01T00:00:00.000Z")
    post(server, col, [v2])
    v3 = dict(v2, modified="2026-03-01T00:00:00.000Z")
    v1 = dict(v2, modified="2026-01-01T00:00:00.000Z")
    r = post(server, col, [v3, v1]).json
    assert r["success_count"] == 2 and [s["version"] for s in r["successes"]] == [v3["modified"], v1["modified"]]
    assert sorted(get(server, col + f"objects/{v2['id']}/versions/").json["versions"]) == \
        [v1["modified"], v2["modified"], v3["modified"]]
    # millisecond and microsecond precision are different versions
    v3b = dict(v2, modified="2026-03-01T00:00:00.001Z")
    assert post(server, col, [v3b]).json["success_count"] == 1
    assert len(get(server, col + f"objects/{v2['id']}/versions/").json["versions"]) == 4


def test_sco_is_immutable(server):
    col = new_collection(server)
    sco = {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{uuid.uuid4()}", "value": "a.example",
           "object_marking_refs": [GREEN]}
    assert post(server, col, [sco]).json["success_count"] == 1
    before = manifest_all(server, col)
    r = post(server, col, [sco]).json
    assert (r["success_count"], r["failure_count"]) == (1, 0)
    assert manifest_all(server, col) == before
    for changed in (dict(sco, value="b.example"), dict(sco, x_note="added"), {k: v for k, v in sco.items()
                                                                               if k != "object_marking_refs"}):
        r = post(server, col, [changed]).json
        assert (r["success_count"], r["failure_count"]) == (0, 1), (changed, r)
        assert r["failures"][0]["id"] == sco["id"]
    assert get(server, col + f"objects/{sco['id']}/").json["objects"] == [sco]
    assert len(get(server, col + f"objects/{sco['id']}/versions/").json["versions"]) == 1


def test_revoked_is_final(server):
    col = new_collection(server)
    v1 = ind()
    v2 = dict(v1, modified="2026-02-01T00:00:00.000Z", revoked=True)
    assert post(server, col, [v1, v2]).json["success_count"] == 2
    r = post(server, col, [dict(v1, modified="2026-03-01T00:00:00.000Z")]).json
    assert (r["success_count"], r["failure_count"]) == (0, 1)
    assert "revoked" in r["failures"][0]["message"]
    # a later version that is revoked too is still a later version
    r = post(server, col, [dict(v1, modified="2026-04-01T00:00:00.000Z", revoked=True)]).json
    assert r["failure_count"] == 1
    assert post(server, col, [v2]).json["success_count"] == 1  # the revoked version again: identical
    assert [o.get("revoked") for o in get(server, col + f"objects/{v1['id']}/").json["objects"]] == [True]
    # history before the revocation may still arrive
    r = post(server, col, [dict(v1, modified="2026-01-15T00:00:00.000Z")]).json
    assert r["success_count"] == 1, r
    assert sorted(get(server, col + f"objects/{v1['id']}/versions/").json["versions"]) == \
        [v1["modified"], "2026-01-15T00:00:00.000Z", v2["modified"]]


# ---- bytes -----------------------------------------------------------------------------

def test_objects_come_back_byte_for_byte(server):
    col = new_collection(server)
    oid = f"indicator--{uuid.uuid4()}"
    text = ('{\n  "x_first": {"nested": [1.0, 1e2, 1E+2, -0.0, 0.1, 0.10, 1.5e-300, -7, 9007199254740993]},\n'
            '  "type": "indicator",\t"spec_version": "2.1", "id": "%s",\n'
            '  "created": "2026-01-01T00:00:00.012345Z", "modified": "2026-01-01T00:00:00.1000Z",\n'
            '  "name": "caf\\u00e9 \\ud83d\\ude00 \\"quoted\\" back\\\\slash \\/ tab\\t",\n'
            '  "description": "raw UTF-8: caf\u00e9 \U0001F600 \u4e2d\u6587",\n'
            '  "pattern_type": "stix", "pattern": "[ipv4-addr:value = \'198.51.100.77\']",\n'
            '  "valid_from": "2026-01-01T00:00:00Z", "confidence": 85,\n'
            '  "object_marking_refs": ["%s"], "x_empty": {}, "x_list": [], "x_null_in_list": [null, true, false],\n'
            '  "x_zz": 3.14159265358979323846264338327950288419716939937510\n}') % (oid, GREEN)
    r = post(server, col, raw=('{"objects": [' + text + ']}').encode("utf-8"))
    assert r.status == 202 and r.json["success_count"] == 1, r
    for path in (col + "objects/", col + f"objects/{oid}/", col + f"objects/{oid}/?match[version]=all",
                 col + f"objects/?match[id]={oid}", col + "objects/?match[type]=indicator"):
        back = get(server, path)
        assert back.status == 200, back
        assert text in back.raw, (path, back.raw[:500])
        assert back.json["objects"] == [json.loads(text)]
    # the version is the instant of 'modified', whatever its spelling
    man = get(server, col + "manifest/").json["objects"][0]
    assert parse_ts(man["version"]) == parse_ts("2026-01-01T00:00:00.100Z")
    assert parse_ts(get(server, col + f"objects/{oid}/versions/").json["versions"][0]) == parse_ts(man["version"])
    assert get(server, col + f"objects/{oid}/?match[version]=2026-01-01T00:00:00.100Z").status == 200


# ---- credentials ------------------------------------------------------------------------

def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_and_bearer(server):
    secret = server.admin_key
    key_id = secret.split("_")[1]
    dashed = str(uuid.UUID(key_id))
    col = ROOT + "collections/alliance/objects/?limit=1"
    for user in (key_id, dashed, key_id.upper(), dashed.upper(), ""):
        r = exact(server, "GET", col, {"Accept": MEDIA, "Authorization": basic(user, secret)})
        assert r.status == 200, (user, r)
    r = exact(server, "GET", col, {"Accept": MEDIA, "Authorization": "bearer " + secret})
    assert r.status == 200, r
    # POST over Basic as a TAXII client would
    r = exact(server, "POST", ROOT + "collections/alliance/objects/",
              {"Accept": MEDIA, "Content-Type": MEDIA, "Authorization": basic(key_id, secret)}, envelope([ind()]))
    assert r.status == 202 and r.json["success_count"] == 1, r


@pytest.mark.parametrize("path", ["/taxii2/", ROOT, ROOT + "collections/", ROOT + "collections/alliance/",
                                  ROOT + "collections/alliance/objects/", ROOT + "collections/alliance/manifest/",
                                  ROOT + f"status/{uuid.uuid4()}/"])
def test_bad_credentials_are_401_everywhere(server, path):
    secret = server.admin_key
    key_id = secret.split("_")[1]
    _, other_key = server.actor(server.alliance_id(), ["analyst"])
    bad = ["Bearer " + secret[:-1] + ("A" if secret[-1] != "A" else "B"),
           "Bearer cpk_" + "0" * 32 + "_" + "A" * 43,
           "Bearer nonsense",
           basic(key_id, secret + "x"),
           basic(other_key.split("_")[1], secret),  # names another key
           basic("someone", secret),
           "Digest username=x",
           "Basic !!!"]
    for auth in bad:
        r = exact(server, "GET", path, {"Accept": MEDIA, "Authorization": auth})
        assert_taxii_error(r, 401)
        assert r.header("WWW-Authenticate"), r


def test_bad_credentials_are_401_on_public_data(server):
    col = new_collection(server, audience="public",
                         members=[{"member_id": server.alliance_id(), "read": True, "write": True}])
    assert post(server, col, [ind(marking=TLP["CLEAR"])]).json["success_count"] == 1
    assert len(ids(server.request("GET", col + "objects/", headers=TAXII))) == 1
    r = server.request("GET", col + "objects/", key=server.admin_key + "x", headers=TAXII)
    assert_taxii_error(r, 401)


def test_anonymous_sees_only_public_clear(server):
    # an alliance collection with objects of several TLPs, then made public by its owner
    col = new_collection(server)
    clear1, green, clear2, unmarked, amber = (ind(marking=TLP["CLEAR"]), ind(marking=GREEN),
                                              ind(marking=TLP["CLEAR"]), ind(marking=None), ind(marking=TLP["AMBER"]))
    r = post(server, col, [clear1, green, clear2, unmarked, amber])
    assert r.json["success_count"] == 5, r
    cid = col.split("/")[-2]
    r = server.request("PATCH", f"/api/v1/intel/collections/{cid}", {"audience": "public"}, key=server.admin_key)
    assert r.status == 200, r
    # anonymous: discovery, the API root, the public collections, and their CLEAR objects
    assert server.request("GET", "/taxii2/", headers=TAXII).status == 200
    assert server.request("GET", ROOT, headers=TAXII).status == 200
    listed = server.request("GET", ROOT + "collections/", headers=TAXII).json.get("collections", [])
    assert cid in {c["id"] for c in listed}
    assert all(c.get("alias") != "alliance" for c in listed)
    mine = next(c for c in listed if c["id"] == cid)
    assert mine["can_read"] is True and mine["can_write"] is False
    assert server.request("GET", col, headers=TAXII).status == 200
    anon = server.request("GET", col + "objects/", headers=TAXII)
    assert ids(anon) == [clear1["id"], clear2["id"]]
    man = server.request("GET", col + "manifest/", headers=TAXII).json["objects"]
    assert [m["id"] for m in man] == [clear1["id"], clear2["id"]]
    # what anonymous may not read is not counted in more, next or the headers
    p1 = server.request("GET", col + "objects/?limit=1", headers=TAXII)
    assert ids(p1) == [clear1["id"]] and p1.json["more"] is True
    p2 = server.request("GET", col + f"objects/?limit=1&next={urllib_quote(p1.json['next'])}", headers=TAXII)
    assert ids(p2) == [clear2["id"]] and p2.json["more"] is False
    assert p2.header("X-TAXII-Date-Added-Last") == man[1]["date_added"]
    after = server.request("GET", col + f"objects/?added_after={man[1]['date_added']}", headers=TAXII)
    assert after.json == {"more": False}
    # the other objects, one by one: the collection-level answer (public: readable) came first, then
    # "a single object the reader may not read is 404, the same as a missing one" (docs/sharing.md)
    for o in (green, unmarked, amber):
        assert_taxii_error(server.request("GET", col + f"objects/{o['id']}/", headers=TAXII), 404)
        assert_taxii_error(server.request("GET", col + f"objects/{o['id']}/versions/", headers=TAXII), 404)
    assert server.request("GET", col + f"objects/{clear1['id']}/", headers=TAXII).status == 200
    assert server.request("GET", col + f"objects/{clear1['id']}/versions/", headers=TAXII).status == 200
    # members still read them as in an alliance collection
    assert ids(get(server, col + "objects/")) == [o["id"] for o in (clear1, green, clear2, unmarked, amber)]
    # anonymous never writes, nor reads statuses or non-public collections
    assert_taxii_error(post(server, col, [ind(marking=TLP["CLEAR"])], key=None), 401)
    assert_taxii_error(server.request("GET", ROOT + "collections/alliance/", headers=TAXII), 401)
    assert_taxii_error(server.request("GET", ROOT + "collections/alliance/objects/", headers=TAXII), 401)
    assert_taxii_error(server.request("GET", ROOT + f"status/{uuid.uuid4()}/", headers=TAXII), 401)
