"""The TAXII 2.1 endpoints (docs/taxii.md): discovery, API root, collections, media types,
errors, adding objects and their status, filters and paging, versions, deletion,
byte-faithful storage and credentials."""
import json
import threading
import urllib.parse
import uuid

import pytest

from conftest import new_state
from taxii_helpers import (ROOT, STIX, TAXII, TLP2, all_pages, create_collection, get_objects, indicator,
                           key_id_of, objects_path, post, taxii, ts)


@pytest.fixture(scope="module")
def env(server, alliance):
    """Two member states with analysts, a public and a group collection."""
    a = new_state(server)
    b = new_state(server)
    _, a_key = server.actor(a["id"], ["analyst"])
    _, a_key2 = server.actor(a["id"], ["analyst"])
    _, b_key = server.actor(b["id"], ["analyst"])
    pub = create_collection(server, "Public feed", "public", alias="pub-" + uuid.uuid4().hex[:6],
                            members=[(a["id"], True, True)])
    grp = create_collection(server, "Group A", "group", alias="grp-" + uuid.uuid4().hex[:6],
                            members=[(a["id"], True, True), (b["id"], True, False)])
    return {"a": a, "b": b, "a_key": a_key, "a_key2": a_key2, "b_key": b_key, "pub": pub, "grp": grp,
            "alliance": alliance}


def new_group(server, env):
    """A collection of its own for a test that counts what a collection holds."""
    return create_collection(server, "G " + uuid.uuid4().hex[:6], "group",
                             members=[(env["a"]["id"], True, True), (env["b"]["id"], True, False)])


def assert_taxii_error(r, status, code=None, words=None):
    assert r.status == status, r
    assert r.header("Content-Type") == TAXII, r.headers
    j = r.json
    assert j is not None, r
    assert isinstance(j["title"], str) and j["title"]
    assert isinstance(j["description"], str) and j["description"]
    assert j["http_status"] == str(status)
    assert isinstance(j["error_code"], str) and j["error_code"]
    if code:
        assert j["error_code"] == code, j
    assert isinstance(j["details"]["request_id"], str) and j["details"]["request_id"]
    if words:
        assert words in j["description"], j


# ----------------------------------------------------------------------------------
# Discovery, API root, collections

def test_discovery_anonymous(server):
    r = taxii(server, "GET", "/taxii2/")
    assert r.status == 200, r
    assert r.header("Content-Type") == TAXII
    root = f"http://127.0.0.1:{server.port}/taxii2/alliance/"
    assert r.json["api_roots"] == [root]
    assert r.json["default"] == root
    assert r.json["title"]
    assert "description" in r.json


def test_discovery_uses_host_header(server):
    r = taxii(server, "GET", "/taxii2/", headers={"Host": "taxii.example.org:8443"})
    assert r.status == 200, r
    assert r.json["api_roots"] == ["http://taxii.example.org:8443/taxii2/alliance/"]


def test_api_root(server):
    for key in (None, server.admin_key):
        r = taxii(server, "GET", ROOT + "/", key=key)
        assert r.status == 200, r
        assert r.header("Content-Type") == TAXII
        assert r.json["versions"] == [TAXII]
        assert type(r.json["max_content_length"]) is int and r.json["max_content_length"] == 32 * 1024 * 1024
        assert r.json["title"]


def test_collections_list_and_get(server, env):
    r = taxii(server, "GET", "collections/", key=env["a_key"])
    assert r.status == 200, r
    cols = {c["id"]: c for c in r.json["collections"]}
    assert env["pub"] in cols and env["grp"] in cols
    by_alias = {c.get("alias"): c for c in cols.values()}
    assert "alliance" in by_alias
    for c in cols.values():
        assert c["media_types"] == [STIX]
        assert isinstance(c["can_read"], bool) and isinstance(c["can_write"], bool)
        assert uuid.UUID(c["id"])
    assert cols[env["grp"]]["can_read"] and cols[env["grp"]]["can_write"]
    assert by_alias["alliance"]["can_read"] and by_alias["alliance"]["can_write"]
    # The same collection by UUID and by alias.
    for ref in (by_alias["alliance"]["id"], "alliance"):
        g = taxii(server, "GET", f"collections/{ref}/", key=env["a_key"])
        assert g.status == 200, g
        assert g.json == by_alias["alliance"]  # the list shows the same resource, description included
        assert g.json["description"]
    alias = cols[env["grp"]]["alias"]
    assert taxii(server, "GET", f"collections/{alias}/", key=env["a_key"]).json["id"] == env["grp"]
    # A member with read only: can_write false.
    g = taxii(server, "GET", f"collections/{env['grp']}/", key=env["b_key"])
    assert g.status == 200 and g.json["can_read"] is True and g.json["can_write"] is False, g


def test_collection_list_entry_equals_collection(server, env):
    """A collection resource is the same in the list and alone (description included)."""
    r = taxii(server, "GET", "collections/", key=env["a_key"])
    listed = [c for c in r.json["collections"] if c.get("alias") == "alliance"][0]
    alone = taxii(server, "GET", "collections/alliance/", key=env["a_key"]).json
    assert listed == alone


def test_collections_anonymous_sees_public_only(server, env):
    r = taxii(server, "GET", "collections/")
    assert r.status == 200, r
    ids = {c["id"] for c in r.json.get("collections", [])}
    assert env["pub"] in ids
    assert env["grp"] not in ids
    aliases = {c.get("alias") for c in r.json.get("collections", [])}
    assert "alliance" not in aliases
    assert_taxii_error(taxii(server, "GET", "collections/alliance/"), 401)


def test_unknown_collection_and_path(server):
    r = taxii(server, "GET", "collections/nosuch/", key=server.admin_key)
    assert_taxii_error(r, 404, "not_found", "nosuch")
    r = taxii(server, "GET", f"collections/{uuid.uuid4()}/objects/", key=server.admin_key)
    assert_taxii_error(r, 404)
    r = taxii(server, "GET", "/taxii2/alliance/nothing-here/", key=server.admin_key)
    assert_taxii_error(r, 404)
    r = taxii(server, "GET", "/taxii2/otherroot/", key=server.admin_key)
    assert_taxii_error(r, 404)


# ----------------------------------------------------------------------------------
# Media types

@pytest.mark.parametrize("accept,status", [
    (None, 200),
    ("*/*", 200),
    ("application/*", 200),
    ("application/taxii+json", 200),
    ("application/taxii+json;version=2.1", 200),
    ("text/html", 406),
    ("application/json", 406),
    ("application/taxii+json;version=2.0", 406),
    ("application/taxii+json;version=2.1;q=0", 406),
    ("text/html, application/taxii+json;version=2.1;q=0.5", 200),
    ("application/taxii+json;q=0, */*", 406),
])
def test_accept(server, accept, status):
    for path in (ROOT + "/", ROOT + "/collections/alliance/objects/"):
        r = taxii(server, "GET", path, key=server.admin_key, accept=accept)
        if status == 200:
            assert r.status == 200, (accept, path, r)
            assert r.header("Content-Type") == TAXII
        else:
            assert_taxii_error(r, 406)


@pytest.mark.parametrize("ctype,status", [
    ("application/json", 415),
    ("text/plain", 415),
    ("application/stix+json;version=2.1", 415),
    ("application/taxii+json;version=2.0", 415),
    ("application/taxii+json", 202),
    (TAXII, 202),
])
def test_post_content_type(server, env, ctype, status):
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"], content_type=ctype,
              raw=json.dumps({"objects": [indicator()]}).encode())
    if status == 202:
        assert r.status == 202, r
        assert r.json["success_count"] == 1
    else:
        assert_taxii_error(r, status)


def test_body_too_large(fresh_server):
    s = fresh_server(["--intel-max-body-bytes", "2048"])
    r = taxii(s, "GET", ROOT + "/", key=s.admin_key)
    assert r.json["max_content_length"] == 2048
    objs = [indicator() for _ in range(20)]
    body = json.dumps({"objects": objs}).encode()
    assert len(body) > 2048
    assert_taxii_error(taxii(s, "POST", objects_path("alliance"), key=s.admin_key, raw=body), 413)
    # Nothing stored; a small envelope still goes in.
    assert taxii(s, "GET", objects_path("alliance"), key=s.admin_key).json == {"more": False}
    r = taxii(s, "POST", objects_path("alliance"), key=s.admin_key, objects=objs[:1])
    assert r.status == 202 and r.json["success_count"] == 1, r


@pytest.mark.parametrize("raw,status", [
    (b"not json", 400),
    (b'{"objects": [', 400),
    (b"[]", 422),
    (b"{}", 422),
    (b'{"objects": {}}', 422),
    (b'{"objects": [], "colour": "red"}', 422),
])
def test_post_bad_envelope(server, env, raw, status):
    assert_taxii_error(taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"], raw=raw), status)


def test_post_envelope_more_next_tolerated(server, env):
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"],
              raw=json.dumps({"more": False, "next": "x", "objects": [indicator()]}).encode())
    assert r.status == 202 and r.json["success_count"] == 1, r


# ----------------------------------------------------------------------------------
# Adding objects: per-object results and the status resource

def test_post_mix_valid_and_invalid(server, env):
    coll = new_group(server, env)
    good = [indicator(tlp="GREEN"), indicator(), indicator(tlp="RED")]
    bad_id = indicator(oid="indicator--not-a-uuid")
    bad_ts = indicator()
    bad_ts["created"] = "2026-13-45T99:00:00Z"
    bad_pattern = indicator(pattern="[ipv4-addr:value = ")
    missing = indicator()
    del missing["pattern_type"]
    objs = [good[0], bad_id, good[1], bad_ts, bad_pattern, missing, good[2]]
    r = post(server, coll, objs, env["a_key"])
    assert r.status == 202, r
    assert r.header("Content-Type") == TAXII
    s = r.json
    assert s["status"] == "complete" and s["pending_count"] == 0
    assert (s["total_count"], s["success_count"], s["failure_count"]) == (7, 3, 4)
    assert uuid.UUID(s["id"]) and s["request_timestamp"].endswith("Z")
    assert [x["id"] for x in s["successes"]] == [o["id"] for o in good]
    assert all(x["version"] == o["modified"] for x, o in zip(s["successes"], good))
    fails = {f["id"]: f["message"] for f in s["failures"]}
    assert set(fails) == {bad_id["id"], bad_ts["id"], bad_pattern["id"], missing["id"]}
    assert "id" in fails[bad_id["id"]]
    assert "created" in fails[bad_ts["id"]]
    assert "pattern" in fails[bad_pattern["id"]]
    assert "pattern_type" in fails[missing["id"]]
    # The good ones are stored, the bad ones are not.
    got = get_objects(server, coll, env["a_key"], "match[version]=all").json["objects"]
    assert sorted(o["id"] for o in got) == sorted(o["id"] for o in good)
    # The status later: the same answer, for the writer's organisation and the secretariat.
    for key in (env["a_key"], env["a_key2"], server.admin_key):
        g = taxii(server, "GET", f"status/{s['id']}/", key=key)
        assert g.status == 200, g
        assert g.json == s
    # Another member (even one in the collection), anonymous, a made-up id.
    assert_taxii_error(taxii(server, "GET", f"status/{s['id']}/", key=env["b_key"]), 404)
    assert_taxii_error(taxii(server, "GET", f"status/{s['id']}/"), 401)
    assert_taxii_error(taxii(server, "GET", f"status/{uuid.uuid4()}/", key=env["a_key"]), 404)


def test_post_empty_envelope(server, env):
    r = post(server, env["grp"], [], env["a_key"])
    assert r.status == 202, r
    assert (r.json["total_count"], r.json["success_count"], r.json["failure_count"]) == (0, 0, 0)


def test_post_non_object_element_fails_alone(server, env):
    good = indicator()
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"],
              raw=json.dumps({"objects": [good, 5, "x"]}).encode())
    assert r.status == 202, r
    assert (r.json["total_count"], r.json["success_count"], r.json["failure_count"]) == (3, 1, 2)


# ----------------------------------------------------------------------------------
# Paging, added_after, headers

def test_paging_under_concurrent_inserts(server, env):
    coll = new_group(server, env)
    first = [indicator() for _ in range(240)]
    for i in range(0, 240, 60):
        assert post(server, coll, first[i:i + 60], env["a_key"]).json["success_count"] == 60
    stop = threading.Event()
    added = []

    def writer():
        while not stop.is_set():
            o = [indicator() for _ in range(5)]
            r = post(server, coll, o, env["a_key"])
            assert r.json["success_count"] == 5
            added.extend(x["id"] for x in o)

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen, dates, nxt, pages = [], [], None, 0
        while True:
            q = "limit=25" + (f"&next={urllib.parse.quote(nxt)}" if nxt else "")
            r = taxii(server, "GET", objects_path(coll, query=q, suffix="manifest"), key=env["a_key"])
            assert r.status == 200, r
            page = r.json.get("objects", [])
            assert len(page) <= 25
            if page:
                assert r.header("X-TAXII-Date-Added-First") == page[0]["date_added"]
                assert r.header("X-TAXII-Date-Added-Last") == page[-1]["date_added"]
            seen += [e["id"] for e in page]
            dates += [e["date_added"] for e in page]
            pages += 1
            if not r.json["more"]:
                assert "next" not in r.json
                break
            assert len(page) == 25, "a page that is not the last is full"
            nxt = r.json["next"]
            if pages > 200:
                break
    finally:
        stop.set()
        t.join()
    assert len(seen) == len(set(seen)), "a version appeared on two pages"
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert set(o["id"] for o in first) <= set(seen), "a version present from the start was skipped"
    # No gaps: what was seen is exactly the prefix (by date added) of the whole collection.
    everything = all_pages(server, coll, env["a_key"], suffix="manifest", limit=1000)
    assert [e["id"] for e in everything[:len(seen)]] == seen
    assert len(everything) == 240 + len(added)


def test_added_after_is_exclusive(server, env):
    coll = new_group(server, env)
    objs = [indicator() for _ in range(7)]
    for o in objs:  # one envelope each: seven distinct dates added, in this order
        assert post(server, coll, [o], env["a_key"]).json["success_count"] == 1
    r = get_objects(server, coll, env["a_key"], "limit=3")
    assert r.status == 200 and r.json["more"] is True and r.json["next"]
    assert [o["id"] for o in r.json["objects"]] == [o["id"] for o in objs[:3]]
    first, last = r.header("X-TAXII-Date-Added-First"), r.header("X-TAXII-Date-Added-Last")
    assert first and last and first < last
    assert len(last) == len("2026-11-28T15:30:00.123456Z") and last.endswith("Z")
    r2 = get_objects(server, coll, env["a_key"], {"added_after": last})
    assert [o["id"] for o in r2.json["objects"]] == [o["id"] for o in objs[3:]]
    assert r2.header("X-TAXII-Date-Added-First") > last
    # Exclusive even for the first one.
    r3 = get_objects(server, coll, env["a_key"], {"added_after": first})
    assert [o["id"] for o in r3.json["objects"]] == [o["id"] for o in objs[1:]]
    # After the last: empty, no headers.
    r4 = get_objects(server, coll, env["a_key"], {"added_after": r2.header("X-TAXII-Date-Added-Last")})
    assert r4.status == 200 and r4.json == {"more": False}
    assert r4.header("X-TAXII-Date-Added-First") is None and r4.header("X-TAXII-Date-Added-Last") is None
    # The manifest agrees.
    m = taxii(server, "GET", objects_path(coll, query={"added_after": last}, suffix="manifest"), key=env["a_key"])
    assert [e["id"] for e in m.json["objects"]] == [o["id"] for o in objs[3:]]


def test_limit_capped(server, env):
    coll = new_group(server, env)
    assert post(server, coll, [indicator() for _ in range(5)], env["a_key"]).json["success_count"] == 5
    r = get_objects(server, coll, env["a_key"], "limit=1000000")
    assert r.status == 200 and len(r.json["objects"]) == 5 and r.json["more"] is False


@pytest.mark.parametrize("query,words", [
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=abc", "limit"),
    ("limit=", "limit"),
    ("next=junk", "next"),
    ("next=bm90LWEtY3Vyc29y", "next"),
    ("added_after=yesterday", "added_after"),
    ("added_after=2026-02-30T00:00:00Z", "added_after"),
    ("colour=red", "colour"),
    ("match[colour]=red", "match[colour]"),
    ("match[version]=sometimes", "version"),
])
def test_bad_query(server, query, words):
    for suffix in ("objects", "manifest"):
        r = taxii(server, "GET", objects_path("alliance", query=query, suffix=suffix), key=server.admin_key)
        assert_taxii_error(r, 400, "bad_request")
        assert words in r.json["description"], r


# ----------------------------------------------------------------------------------
# Filters and single objects

@pytest.fixture(scope="module")
def versioned(server, env):
    """A collection with an indicator in three versions, a malware, and an SCO."""
    coll = new_group(server, env)
    iid = f"indicator--{uuid.uuid4()}"
    v = [indicator(oid=iid, version=i) for i in (10, 20, 30)]
    mal = {"type": "malware", "spec_version": "2.1", "id": f"malware--{uuid.uuid4()}", "created": ts(0),
           "modified": ts(0), "name": "Bad", "is_family": True}
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "203.0.113.7"}
    other = indicator()
    # The middle version arrives last: date added order is v0, v2, mal, sco, other, v1.
    for batch in ([v[0]], [v[2]], [mal, sco, other], [v[1]]):
        r = post(server, coll, batch, env["a_key"])
        assert r.json["failure_count"] == 0, r
    return {"coll": coll, "iid": iid, "v": v, "mal": mal, "sco": sco, "other": other}


def q(server, env, coll, query, suffix="objects"):
    r = taxii(server, "GET", objects_path(coll, query=query, suffix=suffix), key=env["a_key"])
    assert r.status == 200, r
    return r.json


def test_match_id_and_type(server, env, versioned):
    c = versioned["coll"]
    got = q(server, env, c, {"match[id]": versioned["mal"]["id"]})["objects"]
    assert [o["id"] for o in got] == [versioned["mal"]["id"]]
    got = q(server, env, c, {"match[id]": versioned["mal"]["id"] + "," + versioned["sco"]["id"]})["objects"]
    assert {o["id"] for o in got} == {versioned["mal"]["id"], versioned["sco"]["id"]}
    got = q(server, env, c, f"match[id]={versioned['mal']['id']}&match[id]={versioned['other']['id']}")["objects"]
    assert {o["id"] for o in got} == {versioned["mal"]["id"], versioned["other"]["id"]}
    got = q(server, env, c, {"match[type]": "malware,ipv4-addr"})["objects"]
    assert {o["id"] for o in got} == {versioned["mal"]["id"], versioned["sco"]["id"]}
    got = q(server, env, c, {"match[type]": "indicator"})["objects"]
    assert {o["id"] for o in got} == {versioned["iid"], versioned["other"]["id"]}
    assert q(server, env, c, {"match[type]": "campaign"}) == {"more": False}
    assert q(server, env, c, {"match[id]": f"indicator--{uuid.uuid4()}"}) == {"more": False}


def test_match_version(server, env, versioned):
    c, iid, v = versioned["coll"], versioned["iid"], versioned["v"]

    def versions_of(query):
        got = q(server, env, c, dict(query, **{"match[id]": iid})).get("objects", [])
        return [o["modified"] for o in got]

    assert versions_of({}) == [v[2]["modified"]]
    assert versions_of({"match[version]": "last"}) == [v[2]["modified"]]
    assert versions_of({"match[version]": "first"}) == [v[0]["modified"]]
    assert sorted(versions_of({"match[version]": "all"})) == [x["modified"] for x in v]
    assert versions_of({"match[version]": v[1]["modified"]}) == [v[1]["modified"]]
    assert sorted(versions_of({"match[version]": "first,last"})) == [v[0]["modified"], v[2]["modified"]]
    assert versions_of({"match[version]": "2030-01-01T00:00:00.000Z"}) == []
    # SCOs have no version; last/first/all all give the one.
    for mv in ("last", "first", "all"):
        got = q(server, env, c, {"match[id]": versioned["sco"]["id"], "match[version]": mv})["objects"]
        assert len(got) == 1
    # all: every version of every object of the collection.
    assert len(q(server, env, c, {"match[version]": "all"})["objects"]) == 6


def test_match_spec_version(server, env, versioned):
    c = versioned["coll"]
    assert q(server, env, c, {"match[spec_version]": "2.0"}) == {"more": False}
    assert len(q(server, env, c, {"match[spec_version]": "2.1"})["objects"]) == 4
    assert len(q(server, env, c, {"match[spec_version]": "2.0,2.1"})["objects"]) == 4
    assert q(server, env, c, {"match[spec_version]": "2.0"}, suffix="manifest") == {"more": False}


def test_object_and_versions(server, env, versioned):
    c, iid, v = versioned["coll"], versioned["iid"], versioned["v"]
    r = taxii(server, "GET", objects_path(c, iid), key=env["a_key"])
    assert r.status == 200 and r.header("Content-Type") == TAXII, r
    assert r.json["more"] is False and [o["modified"] for o in r.json["objects"]] == [v[2]["modified"]]
    r = taxii(server, "GET", objects_path(c, iid, {"match[version]": "all"}), key=env["a_key"])
    assert sorted(o["modified"] for o in r.json["objects"]) == [x["modified"] for x in v]
    assert json.loads(json.dumps(r.json["objects"][0])) in v
    r = taxii(server, "GET", objects_path(c, iid, {"match[version]": v[0]["modified"]}), key=env["a_key"])
    assert r.json["objects"] == [v[0]]
    r = taxii(server, "GET", objects_path(c, iid) + "versions/", key=env["a_key"])
    assert r.status == 200, r
    assert r.json["more"] is False
    assert sorted(r.json["versions"]) == [x["modified"] for x in v]
    # paging through versions
    got = all_pages(server, c, env["a_key"], limit=1, suffix=f"objects/{iid}/versions")
    assert sorted(got) == [x["modified"] for x in v]
    # unknown object: 404 in the TAXII shape
    for suffix in ("", "versions/"):
        r = taxii(server, "GET", objects_path(c, f"indicator--{uuid.uuid4()}") + suffix, key=env["a_key"])
        assert_taxii_error(r, 404)
    # an object of another collection is not found through this one
    r = taxii(server, "GET", objects_path(env["grp"], iid), key=env["a_key"])
    assert_taxii_error(r, 404)


def test_manifest(server, env, versioned):
    c, iid, v = versioned["coll"], versioned["iid"], versioned["v"]
    r = taxii(server, "GET", objects_path(c, query={"match[version]": "all"}, suffix="manifest"), key=env["a_key"])
    assert r.status == 200 and r.header("Content-Type") == TAXII, r
    entries = r.json["objects"]
    assert len(entries) == 6
    for e in entries:
        assert set(e) == {"id", "date_added", "version", "media_type"}, e
        assert e["media_type"] == STIX
        assert e["date_added"].endswith("Z") and len(e["date_added"]) == 27
    dates = [e["date_added"] for e in entries]
    assert dates == sorted(dates)
    assert [e["version"] for e in entries if e["id"] == iid] == [v[0]["modified"], v[2]["modified"], v[1]["modified"]]
    sco = [e for e in entries if e["id"] == versioned["sco"]["id"]][0]
    assert sco["version"] == sco["date_added"], "an SCO's version is its date added"
    assert r.header("X-TAXII-Date-Added-First") == dates[0] and r.header("X-TAXII-Date-Added-Last") == dates[-1]


# ----------------------------------------------------------------------------------
# Versioning rules

def test_versioning_rules(server, env):
    coll = new_group(server, env)
    k = env["a_key"]
    o1 = indicator(version=1)
    assert post(server, coll, [o1], k).json["success_count"] == 1
    # identical re-post: success, nothing stored
    r = post(server, coll, [o1], k).json
    assert (r["success_count"], r["failure_count"]) == (1, 0)
    assert "already stored" in json.dumps(r["successes"])
    assert len(get_objects(server, coll, k, {"match[version]": "all"}).json["objects"]) == 1
    # same version, different content
    changed = dict(o1, name="changed")
    r = post(server, coll, [changed], k).json
    assert (r["success_count"], r["failure_count"]) == (0, 1)
    assert "later 'modified'" in r["failures"][0]["message"]
    # a newer modified: a new version
    o2 = dict(o1, modified=ts(2), name="v2")
    r = post(server, coll, [o2], k).json
    assert (r["success_count"], r["failure_count"]) == (1, 0)
    assert [x["modified"] for x in get_objects(server, coll, k, {"match[version]": "all"}).json["objects"]] == \
        [o1["modified"], o2["modified"]]
    # an older one is history: accepted
    o0 = dict(o1, modified=ts(0), name="v0")
    assert post(server, coll, [o0], k).json["success_count"] == 1
    assert len(get_objects(server, coll, k, {"match[version]": "all"}).json["objects"]) == 3
    # revoked is final
    o3 = dict(o1, modified=ts(3), revoked=True)
    assert post(server, coll, [o3], k).json["success_count"] == 1
    o4 = dict(o1, modified=ts(4), name="after revocation")
    r = post(server, coll, [o4], k).json
    assert (r["success_count"], r["failure_count"]) == (0, 1)
    assert "revoked" in r["failures"][0]["message"]
    # SCO immutable
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "192.0.2.1"}
    assert post(server, coll, [sco], k).json["success_count"] == 1
    assert post(server, coll, [sco], k).json["success_count"] == 1  # identical: idempotent
    r = post(server, coll, [dict(sco, value="192.0.2.2")], k).json
    assert (r["success_count"], r["failure_count"]) == (0, 1)
    got = taxii(server, "GET", objects_path(coll, sco["id"], {"match[version]": "all"}), key=k).json["objects"]
    assert got == [sco]


def test_repost_whole_envelope_idempotent(server, env):
    coll = new_group(server, env)
    objs = [indicator() for _ in range(10)]
    a = post(server, coll, objs, env["a_key"]).json
    b = post(server, coll, objs, env["a_key"]).json
    assert a["success_count"] == b["success_count"] == 10 and b["failure_count"] == 0
    assert len(all_pages(server, coll, env["a_key"], "match[version]=all")) == 10


# ----------------------------------------------------------------------------------
# Deleting

def test_delete(server, env):
    coll = new_group(server, env)
    iid = f"indicator--{uuid.uuid4()}"
    v = [indicator(oid=iid, version=i) for i in (1, 2, 3)]
    keep = indicator()
    assert post(server, coll, v + [keep], env["a_key"]).json["success_count"] == 4
    path = objects_path(coll, iid)
    # the write right is needed
    assert_taxii_error(taxii(server, "DELETE", path, key=env["b_key"]), 403)
    assert_taxii_error(taxii(server, "DELETE", path), 401)
    # delete the last version: the previous one becomes the last
    r = taxii(server, "DELETE", objects_path(coll, iid, {"match[version]": v[2]["modified"]}), key=env["a_key"])
    assert r.status == 200, r
    got = taxii(server, "GET", path, key=env["a_key"]).json["objects"]
    assert [o["modified"] for o in got] == [v[1]["modified"]]
    assert sorted(taxii(server, "GET", path + "versions/", key=env["b_key"]).json["versions"]) == \
        [v[0]["modified"], v[1]["modified"]]
    # deleting it again: nothing matched
    r = taxii(server, "DELETE", objects_path(coll, iid, {"match[version]": v[2]["modified"]}), key=env["a_key"])
    assert_taxii_error(r, 404)
    # delete the first: the middle one is first and last
    r = taxii(server, "DELETE", objects_path(coll, iid, {"match[version]": "first"}), key=env["a_key"])
    assert r.status == 200, r
    for mv in ("first", "last", "all"):
        got = taxii(server, "GET", objects_path(coll, iid, {"match[version]": mv}), key=env["a_key"]).json
        assert [o["modified"] for o in got["objects"]] == [v[1]["modified"]], mv
    # delete everything
    assert taxii(server, "DELETE", path, key=env["a_key"]).status == 200
    assert_taxii_error(taxii(server, "GET", path, key=env["a_key"]), 404)
    assert_taxii_error(taxii(server, "GET", path + "versions/", key=env["a_key"]), 404)
    assert_taxii_error(taxii(server, "DELETE", path, key=env["a_key"]), 404)
    # the other object is untouched; the id can be used again
    assert [o["id"] for o in get_objects(server, coll, env["a_key"]).json["objects"]] == [keep["id"]]
    assert post(server, coll, [v[0]], env["a_key"]).json["success_count"] == 1


# ----------------------------------------------------------------------------------
# Byte-faithful storage

def test_byte_faithful(server, env):
    oid = f"indicator--{uuid.uuid4()}"
    text = ('{"type":"indicator", "id":"' + oid + '","spec_version":"2.1",\n'
            '  "x_acme_score": 1.0, "x_acme_big":1e2 ,"x_acme_frac":0.10,"x_acme_int":9007199254740993,'
                        '"name":"caf\\u00e9 \\u00E9\\/\\t","created":"2026-01-01T00:00:00.012345Z",'
            '"modified":"2026-01-01T00:00:00.100Z","pattern_type":"stix",'
            '"pattern":"[domain-name:value = \'example.com\']","valid_from":"2026-01-01T00:00:00Z",'
            '"x_acme_nested":{"z":[1.50, -0.0, 1E+2],"a":null,"m":{}}}')
    other = json.dumps(indicator())
    body = ('{ "objects" : [ ' + other + ' ,\n ' + text + '\n] }').encode()
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"], raw=body)
    assert r.status == 202 and r.json["success_count"] == 2, r.raw
    for path in (objects_path(env["grp"], oid), objects_path(env["grp"], query={"match[id]": oid})):
        g = taxii(server, "GET", path, key=env["a_key"])
        assert g.status == 200, g
        assert text in g.raw, g.raw
        assert g.json["objects"][0]["x_acme_int"] == 9007199254740993
    # The response is still valid JSON with the whole list.
    g = taxii(server, "GET", objects_path(env["grp"], query={"match[id]": oid + "," + json.loads(other)["id"]}),
              key=env["a_key"])
    assert other in g.raw and text in g.raw and len(g.json["objects"]) == 2


def test_byte_faithful_integer_beyond_int64(server, env):
    """docs/decisions.md: integers beyond 64 bits are refused (400, JSON syntax), the envelope
    stores nothing; 9007199254740993 (beyond a double) is kept exactly (test_byte_faithful)."""
    oid = f"indicator--{uuid.uuid4()}"
    text = json.dumps(indicator(oid=oid))[:-1] + ', "x_acme_huge": 12345678901234567890}'
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"], raw=('{"objects":[' + text + ']}').encode())
    assert r.status == 400 and "integer" in r.json["description"], r
    assert taxii(server, "GET", objects_path(env["grp"], oid), key=env["a_key"]).status == 404


def test_custom_object_kept_whole(server, env):
    oid = f"x-acme-thing--{uuid.uuid4()}"
    text = ('{"type":"x-acme-thing","spec_version":"2.1","id":"' + oid + '","created":"2026-01-01T00:00:00.000Z",'
            '"modified":"2026-01-01T00:00:00.000Z","x_payload":{"deep":[1,2.50,{"k":"v"}]}}')
    r = taxii(server, "POST", objects_path(env["grp"]), key=env["a_key"], raw=('{"objects":[' + text + ']}').encode())
    assert r.status == 202, r
    if r.json["success_count"] == 1:
        assert text in taxii(server, "GET", objects_path(env["grp"], oid), key=env["a_key"]).raw


# ----------------------------------------------------------------------------------
# Credentials

def test_bearer_and_basic(server, env):
    o = indicator()
    assert post(server, env["grp"], [o], env["a_key"]).json["success_count"] == 1
    kid = key_id_of(server, env["a_key"])
    for cred in ({"key": env["a_key"]}, {"basic": (kid, env["a_key"])}):
        r = taxii(server, "GET", objects_path(env["grp"], o["id"]), **cred)
        assert r.status == 200 and r.json["objects"] == [o], (cred, r)
        r = taxii(server, "GET", "collections/", **cred)
        assert env["grp"] in {c["id"] for c in r.json["collections"]}
    # Basic can write too.
    o2 = indicator()
    r = post(server, env["grp"], [o2], None, basic=(kid, env["a_key"]))
    assert r.status == 202 and r.json["success_count"] == 1, r


@pytest.mark.parametrize("path", ["/taxii2/", ROOT + "/", ROOT + "/collections/", ROOT + "/collections/alliance/objects/"])
def test_wrong_credentials_401(server, env, path):
    kid = key_id_of(server, env["a_key"])
    bad = env["a_key"][:-2] + ("xx" if not env["a_key"].endswith("xx") else "yy")
    for cred in ({"key": bad}, {"key": "cpk_nonsense"}, {"basic": (kid, bad)}, {"basic": ("nobody", "nothing")}):
        r = taxii(server, "GET", path, **cred)
        assert_taxii_error(r, 401)


def test_anonymous(server, env):
    clear = indicator(tlp="CLEAR")
    r = post(server, env["pub"], [clear, indicator(tlp="GREEN"), indicator()], env["a_key"])
    assert r.status == 202 and (r.json["success_count"], r.json["failure_count"]) == (1, 2), r
    got = all_pages(server, env["pub"], None, "match[version]=all")
    assert clear in got
    for o in got:
        assert "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" in o.get("object_marking_refs", []) or \
            o["type"] == "marking-definition"
    assert taxii(server, "GET", objects_path(env["pub"], clear["id"])).json["objects"] == [clear]
    assert taxii(server, "GET", objects_path(env["pub"], suffix="manifest")).status == 200
    # Anonymous cannot write, even CLEAR to a public collection.
    assert_taxii_error(post(server, env["pub"], [indicator(tlp="CLEAR")], None), 401)
    # Everything else: 401.
    for path in ("collections/alliance/", objects_path("alliance"), objects_path("alliance", suffix="manifest"),
                 f"collections/{env['grp']}/", objects_path(env["grp"])):
        assert_taxii_error(taxii(server, "GET", path), 401)
    assert_taxii_error(post(server, "alliance", [indicator()], None), 401)
