"""TAXII 2.1 core behaviour (docs/taxii.md): media types, error resources, the status of a
POST, paging and filters, versioning rules and byte-faithful storage."""
import json
import re
import threading
import uuid

import pytest

from conftest import new_state

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
ROOT = "/taxii2/alliance/"
COL = ROOT + "collections/alliance/"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def ind(value=None, id=None, modified="2026-01-01T00:00:00.000Z", **extra):
    o = {"type": "indicator", "spec_version": "2.1", "id": id or f"indicator--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00.000Z", "modified": modified, "pattern_type": "stix",
         "pattern": f"[ipv4-addr:value = '{value or '198.51.100.1'}']", "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": [GREEN]}
    o.update(extra)
    return o


def post(s, objects, key=None, raw=None, collection=COL):
    body = raw if raw is not None else json.dumps({"objects": objects}).encode()
    return s.request("POST", collection + "objects/", raw=body, key=key or s.admin_key, content_type=MEDIA,
                     headers=TAXII)


def get(s, path, key=None, **headers):
    h = dict(TAXII)
    h.update(headers)
    return s.request("GET", path, key=key or s.admin_key, headers=h)


def header(r, name):
    return next((v for k, v in r.headers if k.lower() == name.lower()), None)


def test_discovery_and_api_root(server):
    r = server.request("GET", "/taxii2/", headers=TAXII)
    assert r.status == 200 and header(r, "Content-Type") == MEDIA
    assert r.json["api_roots"] == [f"http://127.0.0.1:{server.port}{ROOT}"] and r.json["default"] == r.json["api_roots"][0]
    r = server.request("GET", ROOT, headers=TAXII)
    assert r.status == 200 and r.json["versions"] == [MEDIA] and isinstance(r.json["max_content_length"], int)


def test_collections_by_uuid_and_alias(server):
    r = get(server, ROOT + "collections/")
    col = next(c for c in r.json["collections"] if c.get("alias") == "alliance")
    assert col["can_read"] and col["can_write"] and col["media_types"] == ["application/stix+json;version=2.1"]
    by_id = get(server, ROOT + f"collections/{col['id']}/")
    assert by_id.status == 200 and by_id.json["id"] == col["id"]
    assert get(server, COL).json["id"] == col["id"]
    r = get(server, ROOT + "collections/no-such-thing/")
    assert r.status == 404 and r.json["http_status"] == "404" and r.json["error_code"] == "not_found"


@pytest.mark.parametrize("accept", ["text/html", "application/json", "application/taxii+json;version=2.0",
                                    "application/taxii+json;q=0, */*"])
def test_unacceptable_accept_is_406(server, accept):
    r = server.request("GET", COL + "objects/", key=server.admin_key, headers={"Accept": accept})
    assert r.status == 406 and header(r, "Content-Type") == MEDIA
    assert set(r.json) >= {"title", "description", "error_code", "http_status", "details"}
    assert r.json["http_status"] == "406" and r.json["details"]["request_id"]


@pytest.mark.parametrize("accept", [None, "*/*", "application/*", "application/taxii+json", MEDIA])
def test_acceptable_accept(server, accept):
    r = server.request("GET", COL + "objects/?limit=1", key=server.admin_key, headers={"Accept": accept} if accept else {})
    assert r.status == 200


def test_wrong_content_type_is_415_and_bad_envelopes(server):
    r = server.request("POST", COL + "objects/", raw=json.dumps({"objects": []}).encode(), key=server.admin_key,
                       content_type="application/json", headers=TAXII)
    assert r.status == 415 and MEDIA in r.json["description"]
    assert post(server, None, raw=b"{not json").status == 400
    r = post(server, None, raw=b'{"objects": {}}')
    assert r.status == 422 and "objects" in r.json["description"]
    r = post(server, None, raw=b'{"objects": [], "extra": 1}')
    assert r.status == 422 and "extra" in r.json["description"]


def test_too_large_is_413(fresh_server):
    s = fresh_server(["--intel-max-body-bytes", "4096"])
    assert get(s, ROOT).json["max_content_length"] == 4096
    r = post(s, [ind() for _ in range(20)])
    assert r.status == 413 and r.json["http_status"] == "413"
    assert post(s, [ind()]).status == 202


def test_post_status_counts_each_object_alone(server):
    good = [ind(), ind()]
    bad = [
        dict(ind(), id="indicator--not-a-uuid"),
        dict(ind(), modified="yesterday"),
        dict(ind(), pattern="[ipv4-addr:value = ]"),
        {k: v for k, v in ind().items() if k != "pattern"},
    ]
    r = post(server, good[:1] + bad + good[1:])
    assert r.status == 202 and header(r, "Content-Type") == MEDIA
    st = r.json
    assert st["status"] == "complete" and st["total_count"] == 6 and st["success_count"] == 2
    assert st["failure_count"] == 4 and st["pending_count"] == 0
    assert {x["id"] for x in st["successes"]} == {o["id"] for o in good}
    reasons = [f["message"] for f in st["failures"]]
    assert any("id" in m for m in reasons) and any("modified" in m for m in reasons)
    assert any("pattern" in m for m in reasons)
    # the status resource says the same later, to the writer only
    later = get(server, ROOT + f"status/{st['id']}/")
    assert later.status == 200 and later.json["failure_count"] == 4 and later.json["successes"] == st["successes"]
    other = new_state(server)
    user = server.create_user(other["id"], ["analyst"])
    key = server.create_key(user["id"])
    assert get(server, ROOT + f"status/{st['id']}/", key=key).status == 404
    for o in good:
        assert get(server, COL + f"objects/{o['id']}/").status == 200


def test_paging_is_stable_under_concurrent_inserts(fresh_server):
    s = fresh_server()
    first = [ind(f"10.0.0.{i}") for i in range(50)]
    assert post(s, first).json["success_count"] == 50
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            post(s, [ind(f"10.1.{i // 250}.{i % 250}") for i in range(20)])

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen, url, pages = [], COL + "objects/?limit=7", 0
        while True:
            r = get(s, url)
            assert r.status == 200
            objs = r.json.get("objects", [])
            seen += [o["id"] for o in objs]
            pages += 1
            if not r.json["more"]:
                break
            assert header(r, "X-TAXII-Date-Added-Last")
            url = COL + "objects/?limit=7&next=" + r.json["next"]
            if len(seen) > 400:
                break
    finally:
        stop.set()
        t.join()
    assert len(seen) == len(set(seen)), "a page repeated an object"
    assert seen[:50] == [o["id"] for o in first], "the first objects in the order added, none skipped"


def test_added_after_and_headers(fresh_server):
    s = fresh_server()
    a = [ind() for _ in range(3)]
    post(s, a)
    r = get(s, COL + "objects/")
    last = header(r, "X-TAXII-Date-Added-Last")
    assert header(r, "X-TAXII-Date-Added-First") <= last
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", last)
    assert get(s, COL + f"objects/?added_after={last}").json == {"more": False}
    b = [ind()]
    post(s, b)
    r = get(s, COL + f"objects/?added_after={last}")
    assert [o["id"] for o in r.json["objects"]] == [b[0]["id"]]
    assert get(s, COL + "objects/?added_after=yesterday").status == 400
    assert get(s, COL + "objects/?limit=0").status == 400
    assert get(s, COL + "objects/?limit=x").status == 400
    assert get(s, COL + "objects/?next=garbage").status == 400
    assert get(s, COL + "objects/?colour=red").status == 400
    assert get(s, COL + "objects/?limit=100000").status == 200  # capped, not refused


def test_match_filters_and_manifest(fresh_server):
    s = fresh_server()
    i1, i2 = ind(), ind()
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "198.51.100.9",
           "object_marking_refs": [GREEN]}
    post(s, [i1, i2, sco])
    ids = lambda r: [o["id"] for o in r.json.get("objects", [])]
    assert ids(get(s, COL + f"objects/?match[id]={i1['id']},{sco['id']}")) == [i1["id"], sco["id"]]
    assert ids(get(s, COL + "objects/?match[type]=ipv4-addr")) == [sco["id"]]
    assert len(ids(get(s, COL + "objects/?match[type]=indicator,ipv4-addr"))) == 3
    assert get(s, COL + "objects/?match[spec_version]=2.0").json == {"more": False}
    assert len(ids(get(s, COL + "objects/?match[spec_version]=2.0,2.1"))) == 3
    man = get(s, COL + "manifest/").json["objects"]
    assert {m["id"] for m in man} == {i1["id"], i2["id"], sco["id"]}
    assert all(set(m) == {"id", "date_added", "version", "media_type"} for m in man)
    assert next(m for m in man if m["id"] == i1["id"])["version"] == i1["modified"]


def test_versions(fresh_server):
    s = fresh_server()
    v1 = ind()
    oid = v1["id"]
    v2 = dict(v1, modified="2026-02-01T00:00:00.000Z", name="second")
    v3 = dict(v1, modified="2026-03-01T00:00:00.000Z", name="third")
    st = post(s, [v1, v2, v3]).json
    assert st["success_count"] == 3
    # identical re-post: success, no new version
    again = post(s, [v2]).json
    assert again["success_count"] == 1 and "identical" in again["successes"][0]["message"]
    # same version, other content: fails
    clash = post(s, [dict(v2, name="changed")]).json
    assert clash["failure_count"] == 1 and "different object" in clash["failures"][0]["message"]
    vs = get(s, COL + f"objects/{oid}/versions/").json["versions"]
    assert vs == [v1["modified"], v2["modified"], v3["modified"]]
    one = lambda q: get(s, COL + f"objects/{oid}/{q}").json["objects"]
    assert [o["modified"] for o in one("")] == [v3["modified"]]
    assert [o["modified"] for o in one("?match[version]=first")] == [v1["modified"]]
    assert len(one("?match[version]=all")) == 3
    assert [o["modified"] for o in one("?match[version]=2026-02-01T00:00:00Z")] == [v2["modified"]]
    # revoked is final
    rv = dict(v1, modified="2026-04-01T00:00:00.000Z", revoked=True)
    assert post(s, [rv]).json["success_count"] == 1
    late = post(s, [dict(v1, modified="2026-05-01T00:00:00.000Z")]).json
    assert late["failure_count"] == 1 and "revoked" in late["failures"][0]["message"]
    # an SCO is immutable
    sco = {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{uuid.uuid4()}", "value": "a.example",
           "object_marking_refs": [GREEN]}
    assert post(s, [sco]).json["success_count"] == 1
    assert post(s, [sco]).json["success_count"] == 1
    changed = post(s, [dict(sco, value="b.example")]).json
    assert changed["failure_count"] == 1 and "immutable" in changed["failures"][0]["message"]
    # delete one version, then the rest
    r = s.request("DELETE", COL + f"objects/{oid}/?match[version]=first", key=s.admin_key, headers=TAXII)
    assert r.status == 200
    assert len(get(s, COL + f"objects/{oid}/versions/").json["versions"]) == 3
    assert s.request("DELETE", COL + f"objects/{oid}/", key=s.admin_key, headers=TAXII).status == 200
    assert get(s, COL + f"objects/{oid}/").status == 404


def test_objects_come_back_byte_for_byte(server):
    oid = f"x-demo-thing--{uuid.uuid4()}"
    text = ('{"z_last_first": 1.0, "type": "x-demo-thing", "spec_version": "2.1", "id": "%s", '
            '"created": "2026-01-01T00:00:00.1000Z", "modified": "2026-01-01T00:00:00.1000Z", "a": 1e2, '
            '"f": 0.10, "big": 9007199254740993, "s": "caf\\u00e9 \\"q\\"", "x_custom": {"k": [true, null]}, '
            '"object_marking_refs": ["%s"]}') % (oid, GREEN)
    r = post(server, None, raw=('{"objects": [' + text + ']}').encode())
    assert r.json["success_count"] == 1
    back = get(server, COL + f"objects/{oid}/")
    assert back.status == 200 and text in back.raw


def test_basic_and_bearer_and_anonymous(server):
    secret = server.admin_key
    key_id = secret.split("_")[1]
    assert server.request("GET", COL + "objects/?limit=1", basic=(key_id, secret), headers=TAXII).status == 200
    assert server.request("GET", COL + "objects/?limit=1", key=secret, headers=TAXII).status == 200
    assert server.request("GET", "/taxii2/", key=secret + "x", headers=TAXII).status == 401
    r = server.request("GET", COL + "objects/", headers=TAXII)
    assert r.status == 401 and r.json["http_status"] == "401"
    pub = server.request("GET", ROOT + "collections/", headers=TAXII)
    assert pub.status == 200
    assert all(c.get("alias") != "alliance" for c in pub.json.get("collections", []))
