"""The sharing matrix of docs/sharing.md, through TAXII: every audience × TLP × reader, for
reading (the list and the single object) and for writing. The gate itself is unit-tested
cell by cell (tests/unit/test_tlp.c); this proves the TAXII paths ask it, denials included."""
import json
import uuid

import pytest

from conftest import new_state

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
TLP = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    "AMBER-1.0": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "RED-1.0": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
    "unmarked": None,
}
READERS = ["anon", "sec", "aud", "an", "an_ro", "an_0", "del", "out", "susp", "susp_out"]

# docs/sharing.md, "Reading: the matrix" (the columns this fixture has)
READ = {
    "public": {"anon": 200, "sec": 200, "aud": 200, "an": 200, "an_ro": 200, "an_0": 200, "del": 200, "out": 200,
               "susp": 200, "susp_out": 200},
    "alliance": {"anon": 401, "sec": 200, "aud": 403, "an": 200, "an_ro": 200, "an_0": 403, "del": 403, "out": 200,
                 "susp": 403, "susp_out": 403},
    "group": {"anon": 401, "sec": 403, "aud": 403, "an": 200, "an_ro": 200, "an_0": 403, "del": 403, "out": 404,
              "susp": 403, "susp_out": 404},
}
# docs/sharing.md, "Who may write": the collection-level answer, then per object
WRITE = {
    "public": {"anon": 401, "sec": 202, "aud": 403, "an": 202, "an_ro": 403, "an_0": 403, "del": 403, "out": 202,
               "susp": 403, "susp_out": 403},
    "alliance": {"anon": 401, "sec": 202, "aud": 403, "an": 202, "an_ro": 403, "an_0": 403, "del": 403, "out": 202,
                 "susp": 403, "susp_out": 403},
    "group": {"anon": 401, "sec": 403, "aud": 403, "an": 202, "an_ro": 403, "an_0": 403, "del": 403, "out": 404,
              "susp": 403, "susp_out": 404},
}
ACCEPTS = {  # which markings each audience takes (422 per object otherwise)
    "public": {"CLEAR", "unmarked"},  # unmarked: this fixture configured the default as TLP:CLEAR
    "alliance": {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "AMBER-1.0", "unmarked"},
    "group": set(TLP),
}


def obj(marking):
    o = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "pattern_type": "stix",
         "pattern": "[domain-name:value = 'matrix.example']", "valid_from": "2026-01-01T00:00:00Z"}
    if TLP[marking]:
        o["object_marking_refs"] = [TLP[marking]]
    return o


class World:
    pass


@pytest.fixture(scope="module")
def w(server, alliance):
    x = World()
    owner, ro, none, out, susp, susp_out = (new_state(server) for _ in range(6))
    x.keys = {"anon": None, "sec": server.admin_key}
    _, x.keys["aud"] = server.actor(alliance, ["auditor"])
    _, x.keys["an"] = server.actor(owner["id"], ["analyst"])
    _, x.keys["del"] = server.actor(owner["id"], ["delegate"])
    _, x.keys["an_ro"] = server.actor(ro["id"], ["analyst"])
    _, x.keys["an_0"] = server.actor(none["id"], ["analyst"])
    _, x.keys["out"] = server.actor(out["id"], ["analyst"])
    _, x.keys["susp"] = server.actor(susp["id"], ["analyst"])
    _, x.keys["susp_out"] = server.actor(susp_out["id"], ["analyst"])
    rows = [{"member_id": ro["id"], "read": True, "write": False},
            {"member_id": none["id"], "read": False, "write": False},
            {"member_id": susp["id"], "read": True, "write": True}]
    x.cols = {}
    for audience, extra in (("public", {"default_tlp": "TLP:CLEAR", "default_write": True,
                                        "members": rows + [{"member_id": alliance, "read": True, "write": True}]}),
                            ("alliance", {"members": rows}),
                            ("group", {"members": rows + [{"member_id": owner["id"], "read": True, "write": True}]})):
        body = {"title": f"matrix {audience}", "audience": audience}
        body.update(extra)
        r = server.request("POST", "/api/v1/intel/collections", body, key=x.keys["an"])
        assert r.status == 201, r
        x.cols[audience] = f"/taxii2/alliance/collections/{r.json['id']}/"
    # one object per accepted marking, posted by the owner's analyst
    x.objs = {}
    for audience, col in x.cols.items():
        objs = {m: obj(m) for m in ACCEPTS[audience]}
        r = server.request("POST", col + "objects/", raw=json.dumps({"objects": list(objs.values())}).encode(),
                           key=x.keys["an"], content_type=MEDIA, headers=TAXII)
        assert r.status == 202 and r.json["failure_count"] == 0, r
        x.objs[audience] = objs
    for m in (susp, susp_out):
        r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended", "reason": "test"},
                           key=server.admin_key)
        assert r.status == 200, r
    return x


def cells():
    for audience in ("public", "alliance", "group"):
        for marking in sorted(ACCEPTS[audience]):
            for reader in READERS:
                yield audience, marking, reader


@pytest.mark.parametrize("audience,marking,reader", list(cells()))
def test_read(server, w, audience, marking, reader):
    col, o = w.cols[audience], w.objs[audience][marking]
    expected = READ[audience][reader]
    # public collections: only CLEAR is public; the rest of the table is alliance-like
    one = server.request("GET", col + f"objects/{o['id']}/", key=w.keys[reader], headers=TAXII)
    assert one.status == expected, (audience, marking, reader, one)
    page = server.request("GET", col + "objects/?limit=1000", key=w.keys[reader], headers=TAXII)
    if expected == 200:
        assert page.status == 200 and o["id"] in {x["id"] for x in page.json.get("objects", [])}
    else:
        assert page.status == expected and page.json["http_status"] == str(expected)
    # the manifest and the versions follow the same gate
    man = server.request("GET", col + "manifest/", key=w.keys[reader], headers=TAXII)
    assert man.status == expected
    if expected == 200:
        assert o["id"] in {x["id"] for x in man.json.get("objects", [])}


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("reader", READERS)
def test_write(server, w, audience, reader):
    col = w.cols[audience]
    objs = {m: obj(m) for m in TLP}
    r = server.request("POST", col + "objects/", raw=json.dumps({"objects": list(objs.values())}).encode(),
                       key=w.keys[reader], content_type=MEDIA, headers=TAXII)
    expected = WRITE[audience][reader]
    assert r.status == expected, (audience, reader, r)
    if expected != 202:
        return
    ok = {s["id"] for s in r.json.get("successes", [])}
    failed = {f["id"]: f["message"] for f in r.json.get("failures", [])}
    for m, o in objs.items():
        if m in ACCEPTS[audience]:
            assert o["id"] in ok, (m, failed.get(o["id"]))
        else:
            assert o["id"] in failed and "TLP" in failed[o["id"]], (m, failed)


def test_alerts_collection_is_its_members_only(server, w):
    cols = server.request("GET", "/taxii2/alliance/collections/", key=w.keys["an"], headers=TAXII).json["collections"]
    mine = [c for c in cols if c.get("alias", "").startswith("alerts-")]
    assert len(mine) == 1 and mine[0]["can_read"] and not mine[0]["can_write"]
    alias = mine[0]["alias"]
    path = f"/taxii2/alliance/collections/{alias}/objects/"
    assert server.request("GET", path, key=w.keys["an"], headers=TAXII).status == 200
    assert server.request("GET", path, key=w.keys["out"], headers=TAXII).status == 404
    assert server.request("GET", path, headers=TAXII).status == 401
    assert server.request("GET", path, key=w.keys["sec"], headers=TAXII).status == 403
    post = server.request("POST", path, raw=b'{"objects": []}', key=w.keys["an"], content_type=MEDIA, headers=TAXII)
    assert post.status == 403
