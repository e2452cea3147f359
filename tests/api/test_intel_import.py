"""Import (STIX bundles and MISP events, over HTTP and the CLI), export as a bundle, and
sightings: grants and denials."""
import json
import os
import uuid

import pytest

from conftest import new_state, run_cli

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
FEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "misp-feed")


def ind(marking=GREEN, value="198.51.100.50"):
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "pattern_type": "stix",
            "pattern": f"[ipv4-addr:value = '{value}']", "valid_from": "2026-01-01T00:00:00Z",
            "object_marking_refs": [marking]}


def bundle(objs):
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs}


class World:
    pass


@pytest.fixture(scope="module")
def w(server, alliance):
    x = World()
    x.a, x.b = new_state(server), new_state(server)
    _, x.an_a = server.actor(x.a["id"], ["analyst"])
    _, x.an_b = server.actor(x.b["id"], ["analyst"])
    _, x.del_a = server.actor(x.a["id"], ["delegate"])
    _, x.aud = server.actor(alliance, ["auditor"])
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": "A's group", "audience": "group",
                        "members": [{"member_id": x.a["id"], "read": True, "write": True}]}, key=x.an_a)
    assert r.status == 201, r
    x.group = r.json["id"]
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": "read-only for B", "audience": "alliance", "default_write": False}, key=x.an_a)
    assert r.status == 201, r
    x.ro = r.json["id"]
    return x


def imp(server, key, collection, doc, raw=None):
    body = raw if raw is not None else json.dumps(doc).encode()
    return server.request("POST", f"/api/v1/intel/import?collection={collection}", raw=body, key=key)


def test_import_bundle_then_again_is_idempotent(server, w):
    objs = [ind(), ind(value="198.51.100.51")]
    r = imp(server, w.an_a, "alliance", bundle(objs))
    assert r.status == 200, r
    assert (r.json["total_count"], r.json["success_count"], r.json["stored_count"], r.json["failure_count"]) == (2, 2, 2, 0)
    r = imp(server, w.an_a, "alliance", bundle(objs))
    assert r.json["success_count"] == 2 and r.json["stored_count"] == 0
    # the objects are there, for another member too, byte for byte
    got = server.request("GET", f"/taxii2/alliance/collections/alliance/objects/{objs[0]['id']}/", key=w.an_b,
                         headers=TAXII)
    assert got.status == 200 and json.dumps(objs[0]) in got.raw


def test_import_refuses_what_the_collection_may_not_hold(server, w):
    r = imp(server, w.an_a, "alliance", bundle([ind(marking=RED), ind()]))
    assert r.status == 200 and r.json["failure_count"] == 1 and "RED" in r.json["failures"][0]["message"]
    r = imp(server, w.an_a, w.group, bundle([ind(marking=RED)]))
    assert r.json["stored_count"] == 1
    assert imp(server, w.an_a, "alliance", None, raw=b"{nope").status == 400
    assert imp(server, w.an_a, "alliance", {"hello": "world"}).status == 422
    assert server.request("POST", "/api/v1/intel/import", raw=b"{}", key=w.an_a).status == 400  # no collection


def test_import_denials(server, w):
    doc = bundle([ind()])
    assert imp(server, None, "alliance", doc).status == 401
    assert imp(server, w.del_a, "alliance", doc).status == 403
    assert imp(server, w.aud, "alliance", doc).status == 403
    assert imp(server, w.an_b, w.ro, doc).status == 403      # no write right
    assert imp(server, w.an_b, w.group, doc).status == 404   # a group B is not in
    assert imp(server, w.an_a, "no-such-collection", doc).status == 404


def test_import_misp_event_markings(server, w):
    raw = open(os.path.join(FEED, "5f0c1d2e-1111-4a4a-9b9b-000000000001.json"), "rb").read()
    r = imp(server, w.an_a, w.group, None, raw=raw)
    assert r.status == 200 and r.json["failure_count"] == 0 and r.json["stored_count"] == 9
    objs = server.request("GET", f"/taxii2/alliance/collections/{w.group}/objects/?match[type]=indicator&limit=100",
                          key=w.an_a, headers=TAXII).json["objects"]
    ip = next(o for o in objs if "203.0.113.77" in o["pattern"])
    assert ip["object_marking_refs"] == [RED]
    again = imp(server, w.an_a, w.group, None, raw=raw)
    assert again.json["stored_count"] == 0 and again.json["success_count"] == 9


def test_cli_import_feed_and_export(fresh_server):
    s = fresh_server(start=False)
    # into the alliance collection: the RED attribute fails alone, the rest is stored
    p = s.cli(["import", FEED], check=False)
    last = p.stdout.splitlines()[-1]
    assert p.returncode == 1 and "total: 2 files" in last and "12 stored" in last and "1 failed" in last
    assert "TLP:RED is accepted only in group collections" in p.stderr
    again = s.cli(["import", FEED], check=False)
    assert "0 stored, 13 already there, 1 failed" in again.stdout.splitlines()[-1]
    out = os.path.join(s.dir, "export.json")
    s.cli(["export", "--collection", "alliance", "--out", out])
    b = json.load(open(out))
    assert b["type"] == "bundle" and len(b["objects"]) == 12
    assert s.cli(["import", os.path.join(s.dir, "nope.json")], check=False).returncode == 1
    assert s.cli(["export"], check=False).returncode == 2


def test_export_follows_the_reader(server, w):
    red = ind(marking=RED, value="198.51.100.77")
    assert imp(server, w.an_a, w.group, bundle([red])).json["stored_count"] == 1
    r = server.request("GET", f"/api/v1/intel/collections/{w.group}/export", key=w.an_a)
    assert r.status == 200 and r.headers and r.json["type"] == "bundle"
    assert red["id"] in {o["id"] for o in r.json["objects"]}
    assert server.request("GET", f"/api/v1/intel/collections/{w.group}/export", key=w.an_b).status == 404
    assert server.request("GET", f"/api/v1/intel/collections/{w.group}/export").status == 401
    assert server.request("GET", "/api/v1/intel/collections/alliance/export", key=w.del_a).status == 403
    pub = server.request("GET", "/api/v1/intel/collections/alliance/export?versions=bogus", key=w.an_a)
    assert pub.status == 400
    r = server.request("GET", "/api/v1/intel/collections/alliance/export?colour=red", key=w.an_a)
    assert r.status == 400 and "colour" in r.json["error"]["message"], r


def test_sightings_seen_and_false_positive(server, w):
    target = ind(value="198.51.100.99")
    assert imp(server, w.an_a, "alliance", bundle([target])).json["stored_count"] == 1
    r = server.request("POST", "/api/v1/intel/sightings",
                       {"collection": "alliance", "indicator_id": target["id"], "count": 3, "note": "seen at the border"},
                       key=w.an_b)
    assert r.status == 201, r
    s = r.json["sighting"]
    assert s["type"] == "sighting" and s["sighting_of_ref"] == target["id"] and s["count"] == 3
    assert s["created_by_ref"] == f"identity--{w.b['id']}" and s["object_marking_refs"] == [GREEN]
    assert r.json["counts"]["seen"] == 3 and r.json["counts"]["false_positive"] == 0
    r = server.request("POST", "/api/v1/intel/sightings",
                       {"collection": "alliance", "indicator_id": target["id"], "false_positive": True}, key=w.an_a)
    assert r.status == 201 and r.json["counts"] == {**r.json["counts"], "seen": 4, "false_positive": 1}
    c = server.request("GET", f"/api/v1/intel/sightings?collection=alliance&indicator_id={target['id']}", key=w.an_b)
    assert c.status == 200 and c.json["seen"] == 4 and c.json["false_positive"] == 1
    # the sighting is an object of the collection, readable by TAXII
    got = server.request("GET", f"/taxii2/alliance/collections/alliance/objects/?match[type]=sighting&limit=100",
                         key=w.an_b, headers=TAXII)
    assert s["id"] in {o["id"] for o in got.json["objects"]}


def test_sighting_denials(server, w):
    red = ind(marking=RED, value="198.51.100.98")
    imp(server, w.an_a, w.group, bundle([red]))
    body = {"collection": w.group, "indicator_id": red["id"]}
    assert server.request("POST", "/api/v1/intel/sightings", body, key=w.an_b).status == 404
    assert server.request("POST", "/api/v1/intel/sightings", body).status == 401
    assert server.request("POST", "/api/v1/intel/sightings", body, key=w.del_a).status == 403
    missing = {"collection": "alliance", "indicator_id": f"indicator--{uuid.uuid4()}"}
    assert server.request("POST", "/api/v1/intel/sightings", missing, key=w.an_a).status == 404
    bad = {"collection": "alliance", "indicator_id": "indicator--x", "count": 0}
    r = server.request("POST", "/api/v1/intel/sightings", bad, key=w.an_a)
    assert r.status == 400
    r = server.request("POST", "/api/v1/intel/sightings", {"indicator_id": red["id"]}, key=w.an_a)
    assert r.status == 400 and "field collection is required" in r.json["error"]["message"], r
    extra = {"collection": "alliance", "indicator_id": red["id"], "colour": "red"}
    assert server.request("POST", "/api/v1/intel/sightings", extra, key=w.an_a).status == 400
    assert server.request("GET", f"/api/v1/intel/sightings?collection={w.group}&indicator_id={red['id']}",
                          key=w.an_b).status == 404
    # a member with the read right only may still report what it saw
    ro_ind = ind(value="198.51.100.97")
    assert imp(server, w.an_a, w.ro, bundle([ro_ind])).json["stored_count"] == 1
    r = server.request("POST", "/api/v1/intel/sightings", {"collection": w.ro, "indicator_id": ro_ind["id"]}, key=w.an_b)
    assert r.status == 201 and r.json["counts"]["seen"] == 1


def test_cli_feed_manifest_missing_event_and_export_failure(fresh_server, tmp_path):
    s = fresh_server(start=False)
    feed = tmp_path / "feed"
    feed.mkdir()
    manifest = json.load(open(os.path.join(FEED, "manifest.json")))
    for name in manifest:
        (feed / f"{name}.json").write_bytes(open(os.path.join(FEED, f"{name}.json"), "rb").read())
    missing = "5f0c1d2e-3333-4a4a-9b9b-000000000003"
    manifest[missing] = {"info": "listed, not there"}
    (feed / "manifest.json").write_text(json.dumps(manifest))
    # the manifest itself names the feed; the listed event that is not there is a failed file
    p = s.cli(["import", "--collection", "alliance", str(feed / "manifest.json")], check=False)
    assert p.returncode == 1
    assert f"event {missing} is listed in" in p.stderr and "its file is missing" in p.stderr
    assert "total: 3 files (1 unreadable)" in p.stdout.splitlines()[-1]
    # an export that cannot be written leaves nothing behind and says why
    out = tmp_path / "no-such-dir" / "x.json"
    p = s.cli(["export", "--collection", "alliance", "--out", str(out)], check=False)
    assert p.returncode == 1 and "No such file or directory" in p.stderr and not out.exists()
    # more paths than the command takes is an error, not a silent cut
    p = s.cli(["import"] + [str(feed)] * 257, check=False)
    assert p.returncode == 2 and ("too many arguments" in p.stderr or "more than 256 paths" in p.stderr)


SHARED = os.environ.get("CP_SHARED_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                                            "shared", "data")
needs_shared = pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "stix2")),
                                  reason=f"shared data not found at {SHARED} (set CP_SHARED_DATA): "
                                         "the real-data import tests did not run")


def shared_bundles():
    if not os.path.isdir(SHARED):
        return []
    import glob
    files = sorted(glob.glob(os.path.join(SHARED, "stix2", "examples", "**", "*.json"), recursive=True))
    files += sorted(glob.glob(os.path.join(SHARED, "stix2-docs-examples", "*.json")))
    files.append(os.path.join(SHARED, "attack", "ics-attack.json"))
    return files


@needs_shared
@pytest.mark.parametrize("path", shared_bundles(), ids=lambda p: os.path.relpath(p, SHARED) if isinstance(p, str) else "none")
def test_shared_bundle_imports_over_http(server, w, path):
    raw = open(path, "rb").read()
    doc = json.loads(raw)
    objects = doc["objects"] if doc.get("type") == "bundle" else [doc]  # one example is a lone object
    n = len(objects)
    # a group collection of its own: every TLP level is accepted there
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": f"import {os.path.basename(path)}", "audience": "group",
                        "members": [{"member_id": w.a["id"], "read": True, "write": True}]}, key=w.an_a)
    assert r.status == 201, r
    col = r.json["id"]
    r = imp(server, w.an_a, col, None, raw=raw)
    assert r.status == 200, r
    assert r.json["failure_count"] == 0, r.json["failures"][:5]
    assert r.json["total_count"] == n and r.json["success_count"] == n
    again = imp(server, w.an_a, col, None, raw=raw)
    assert again.json["failure_count"] == 0 and again.json["stored_count"] == 0
    # what comes out is what went in: every object, byte for byte
    exp = server.request("GET", f"/api/v1/intel/collections/{col}/export", key=w.an_a)
    assert exp.status == 200 and int(exp.header("X-Object-Count")) == r.json["stored_count"]
    by_id = {}
    for o in objects:
        by_id.setdefault(o["id"], []).append(o)
    for o in exp.json["objects"]:
        assert o in by_id[o["id"]]


@needs_shared
def test_shared_misp_events_import(server, w, fresh_server):
    folder = os.path.join(SHARED, "misp")
    events = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
    assert events
    for name in events:
        raw = open(os.path.join(folder, name), "rb").read()
        r = imp(server, w.an_a, w.group, None, raw=raw)
        assert r.status == 200, r
        assert r.json["failure_count"] == 0 and r.json["total_count"] >= 2, r.json
        assert r.json["success_count"] == r.json["total_count"]
    # TLP from the event's tag: tlp:white is TLP:CLEAR on every object but the identity
    xorist = server.request("GET", f"/taxii2/alliance/collections/{w.group}/objects/?match[type]=report&limit=100",
                            key=w.an_a, headers=TAXII).json["objects"]
    rep = next(o for o in xorist if o["name"] == "Ransomware - Xorist")
    assert rep["object_marking_refs"] == ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]
    assert len(rep["object_refs"]) == 1 + 5 + 2  # identity, 5 indicators, comment and text kept
    # and the same folder through the CLI, twice: the second time stores nothing
    s = fresh_server(start=False)
    p = s.cli(["import", folder], check=False)
    assert p.returncode == 0, p.stderr
    assert " 0 failed" in p.stdout.splitlines()[-1]
    p = s.cli(["import", folder], check=False)
    assert p.returncode == 0 and ", 0 stored," in p.stdout.splitlines()[-1]


@needs_shared
def test_shared_data_through_the_cli(fresh_server):
    s = fresh_server(start=False)
    s.cli(["collection", "create", "--title", "shared", "--audience", "group", "--alias", "shared"])
    paths = [os.path.join(SHARED, "stix2-docs-examples"), os.path.join(SHARED, "stix2", "examples"),
             os.path.join(SHARED, "attack", "ics-attack.json")]
    p = s.cli(["import", "--collection", "shared"] + paths, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    last = p.stdout.splitlines()[-1]
    assert "(0 unreadable)" in last and " 0 failed" in last, last
    ics = next(line for line in p.stdout.splitlines() if "ics-attack.json" in line)
    total = len(json.load(open(paths[2]))["objects"])
    assert f": {total} objects" in ics and " 0 failed" in ics
    out = os.path.join(s.dir, "shared.json")
    s.cli(["export", "--collection", "shared", "--out", out])
    b = json.load(open(out))
    assert b["type"] == "bundle" and len(b["objects"]) >= total
