"""The sharing matrix of docs/sharing.md through TAXII: audience (public, alliance, group) ×
TLP (CLEAR, GREEN, AMBER, AMBER+STRICT, RED, unmarked, the TLP 1.0 markings, RED given by a
granular marking, by a second marking or in upper case) × reader (anonymous, secretariat
outside and inside the group, auditor, analyst with read+write, read-only, no rights,
delegate, another member's analyst, suspended members named and not named), for reading
(objects list, one object, its versions, the manifest, the collection and the collections
list) and for writing (POST per object, DELETE), denials included.

The tables below are copied from docs/sharing.md ("Reading: the matrix", "Who may write");
what TAXII makes of a cell follows "Every read path goes through the gate": the
collection-level answer first (for the whole request), then each object filtered by its
recorded TLP, a refused object dropped from lists and 404 on its own.

The gate is unit-tested cell by cell (tests/unit/test_tlp.c); this proves the TAXII paths
ask it, for every cell, with real markings on real objects."""
import json
import uuid

import pytest

from conftest import new_state

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
ROOT = "/taxii2/alliance/"

ID = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    "WHITE-1.0": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "GREEN-1.0": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "AMBER-1.0": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "RED-1.0": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
# marking name -> (what to put on the object, its level; None = unmarked)
MARKINGS = {
    "CLEAR": ({"object_marking_refs": [ID["CLEAR"]]}, "CLEAR"),
    "WHITE-1.0": ({"object_marking_refs": [ID["WHITE-1.0"]]}, "CLEAR"),
    "GREEN": ({"object_marking_refs": [ID["GREEN"]]}, "GREEN"),
    "GREEN-1.0": ({"object_marking_refs": [ID["GREEN-1.0"]]}, "GREEN"),
    "AMBER": ({"object_marking_refs": [ID["AMBER"]]}, "AMBER"),
    "AMBER-1.0": ({"object_marking_refs": [ID["AMBER-1.0"]]}, "AMBER"),
    "AMBER+STRICT": ({"object_marking_refs": [ID["AMBER+STRICT"]]}, "AMBER+STRICT"),
    "RED": ({"object_marking_refs": [ID["RED"]]}, "RED"),
    "RED-1.0": ({"object_marking_refs": [ID["RED-1.0"]]}, "RED"),
    "CLEAR+RED": ({"object_marking_refs": [ID["CLEAR"], ID["RED"]]}, "RED"),
    "RED-granular": ({"object_marking_refs": [ID["GREEN"]], "description": "the RED part",
                      "granular_markings": [{"marking_ref": ID["RED"], "selectors": ["description"]}]}, "RED"),
    "RED-upper": ({"object_marking_refs": ["marking-definition--" + ID["RED"].split("--")[1].upper()]}, "RED"),
    "unmarked": ({}, None),
}
READERS = ["anon", "sec", "aud", "an", "an_ro", "an_0", "del", "out", "susp", "susp_out"]
COLUMNS = ["anon", "sec", "sec+g", "aud", "an", "an-ro", "an-0", "del", "out", "susp", "susp-out"]
OK = 200


def row(*cells):
    assert len(cells) == len(COLUMNS)
    return dict(zip(COLUMNS, cells))


# docs/sharing.md, "Reading: the matrix"
READ = {
    ("public", "CLEAR"): row(*[OK] * 11),
    ("public", "other"): row(401, OK, OK, 403, OK, OK, 403, 403, OK, 403, 403),
    ("public", "RED"): row(401, 404, 404, 403, 404, 404, 403, 403, 404, 403, 403),
    ("alliance", "other"): row(401, OK, OK, 403, OK, OK, 403, 403, OK, 403, 403),
    ("alliance", "RED"): row(401, 404, 404, 403, 404, 404, 403, 403, 404, 403, 403),
    ("group", "any"): row(401, 403, OK, 403, OK, OK, 403, 403, 404, 403, 404),
}
# docs/sharing.md, "Who may write" (OK = accepted, 422 = refused for its TLP, per object)
WRITE = {
    ("public", "CLEAR"): row(401, OK, OK, 403, OK, 403, 403, 403, OK, 403, 403),
    ("public", "other"): row(401, 422, 422, 403, 422, 403, 403, 403, 422, 403, 403),
    ("alliance", "other"): row(401, OK, OK, 403, OK, 403, 403, 403, OK, 403, 403),
    ("alliance", "RED"): row(401, 422, 422, 403, 422, 403, 403, 403, 422, 403, 403),
    ("group", "any"): row(401, 403, OK, 403, OK, 403, 403, 403, 404, 403, 404),
}
# docs/sharing.md, "Every read path": GET .../collections/{id}/ answers as the gate's checks 2-5
INFO = {
    "public": row(*[OK] * 11),
    "alliance": row(401, OK, OK, OK, OK, OK, OK, OK, OK, 403, 403),
    "group": row(401, 403, OK, 403, OK, OK, OK, OK, 404, 403, 404),
}


def column(reader, col):
    c = {"an_ro": "an-ro", "an_0": "an-0", "susp_out": "susp-out"}.get(reader, reader)
    return "sec+g" if c == "sec" and col["sec_in_group"] else c


def effective(marking, col):
    return MARKINGS[marking][1] or col["default_tlp"]


def read_cell(col, level, reader):
    a = col["audience"]
    if a == "group":
        key = (a, "any")
    elif a == "public" and level == "CLEAR":
        key = (a, "CLEAR")
    else:
        key = (a, "RED" if level == "RED" else "other")
    return READ[key][column(reader, col)]


def write_cell(col, level, reader):
    a = col["audience"]
    if a == "group":
        key = (a, "any")
    elif a == "public":
        key = (a, "CLEAR" if level == "CLEAR" else "other")
    else:
        key = (a, "RED" if level == "RED" else "other")
    return WRITE[key][column(reader, col)]


def collection_read(col, reader):
    """The collection-level answer for reading: the gate for an object it could hold as CLEAR."""
    return read_cell(col, "CLEAR", reader)


def collection_write(col, reader):
    if not col["default_write"] and col["audience"] != "group" and reader in ("sec", "out"):
        return 403  # a "late" collection made as a group keeps a group's default: no write right unless named
    return write_cell(col, "CLEAR", reader)


def obj(marking, tag):
    o = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": tag,
         "pattern_type": "stix", "pattern": "[domain-name:value = 'matrix.example']",
         "valid_from": "2026-01-01T00:00:00Z"}
    o.update(MARKINGS[marking][0])
    return o


def taxii(server, method, path, key, objects=None):
    body = json.dumps({"objects": objects}).encode() if objects is not None else None
    return server.request(method, path, raw=body, key=key, headers=TAXII,
                          content_type=MEDIA if body is not None else None)


def accepted(col, marking):
    a, level = col["audience"], effective(marking, col)
    return level == "CLEAR" if a == "public" else level != "RED" if a == "alliance" else True


# Collections: name -> how it is made. "late" ones are made with another audience, filled,
# then changed by their owner (the only way a public collection can hold non-CLEAR objects
# or an alliance or public one RED objects: the ¹ rows of the matrix).
SPECS = {
    "pub": dict(audience="public", default_tlp="CLEAR", default_write=True),
    "pub-amber": dict(audience="public", default_tlp="AMBER", default_write=True),
    "pub-late": dict(audience="alliance", default_tlp="AMBER", then="public"),
    "pub-red": dict(audience="group", default_tlp="AMBER", then="public"),
    "all": dict(audience="alliance", default_tlp="AMBER"),
    "all-red": dict(audience="group", default_tlp="AMBER", then="alliance"),
    "grp": dict(audience="group", default_tlp="AMBER"),
    "grp-sec": dict(audience="group", default_tlp="AMBER", sec_in_group=True),
}
WRITABLE = ["pub", "pub-amber", "all", "grp", "grp-sec"]  # made with the audience they keep


class World:
    pass


@pytest.fixture(scope="module")
def w(server, alliance):
    x = World()
    owner, ro, none, out, susp, susp_out = (new_state(server) for _ in range(6))
    x.members = {"owner": owner, "ro": ro, "none": none, "out": out, "susp": susp, "susp_out": susp_out}
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
            {"member_id": susp["id"], "read": True, "write": True},
            {"member_id": owner["id"], "read": True, "write": True}]
    x.cols, x.marks = {}, {}  # marks: object id -> (collection name, marking)
    for name, spec in SPECS.items():
        members = list(rows)
        if spec.get("sec_in_group"):
            members.append({"member_id": alliance, "read": True, "write": True})
        body = {"title": f"matrix {name}", "audience": spec["audience"], "default_tlp": "TLP:" + spec["default_tlp"],
                "members": members}
        if "default_write" in spec:
            body["default_write"] = spec["default_write"]
        r = server.request("POST", "/api/v1/intel/collections", body, key=x.keys["an"])
        assert r.status == 201, (name, r)
        col = {"name": name, "id": r.json["id"], "path": f"{ROOT}collections/{r.json['id']}/",
               "audience": spec["audience"], "default_tlp": spec["default_tlp"],
               "sec_in_group": bool(spec.get("sec_in_group")), "objs": {}, "dels": {},
               "default_write": r.json["default_write"]}
        # one object per marking the collection accepts, and one per reader and marking to delete
        wanted = [m for m in MARKINGS if accepted(col, m)]
        if spec.get("then") == "public" and spec["audience"] == "alliance":
            wanted = [m for m in wanted if m != "RED"]
        if spec.get("then") and spec["audience"] == "group":
            wanted = [m for m in wanted if effective(m, col) == "RED"]  # the RED¹ rows
        objs = {m: obj(m, f"{name} {m}") for m in wanted}
        dels = {rd: {m: obj(m, f"{name} {m} delete by {rd}") for m in wanted} for rd in READERS}
        everything = list(objs.values()) + [o for d in dels.values() for o in d.values()]
        r = taxii(server, "POST", col["path"] + "objects/", x.keys["an"], everything)
        assert r.status == 202 and r.json["failure_count"] == 0, (name, r.json.get("failures"))
        col["objs"], col["dels"] = objs, dels
        for m, o in objs.items():
            x.marks[o["id"]] = (name, m)
        for d in dels.values():
            for m, o in d.items():
                x.marks[o["id"]] = (name, m)
        if spec.get("then"):
            r = server.request("PATCH", f"/api/v1/intel/collections/{col['id']}", {"audience": spec["then"]},
                               key=x.keys["an"])
            assert r.status == 200, (name, r)
            col["audience"] = spec["then"]
        x.cols[name] = col
    for m in (susp, susp_out):
        r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended", "reason": "test"},
                           key=server.admin_key)
        assert r.status == 200, r
    return x


def cells(names):
    return [(c, r) for c in names for r in READERS]


# ---- reading ------------------------------------------------------------------------

@pytest.mark.parametrize("name,reader", cells(SPECS))
def test_read(server, w, name, reader):
    col, key = w.cols[name], w.keys[reader]
    coll = collection_read(col, reader)
    wrong = []
    lst = taxii(server, "GET", col["path"] + "objects/?limit=1000&match[version]=all", key)
    man = taxii(server, "GET", col["path"] + "manifest/?limit=1000&match[version]=all", key)
    if coll != OK:
        for what, r in (("list", lst), ("manifest", man)):
            if r.status != coll or (r.json or {}).get("http_status") != str(coll):
                wrong.append(f"{what}: expected {coll}, got {r.status}")
        for m, o in col["objs"].items():
            for suffix in ("", "versions/"):
                r = taxii(server, "GET", col["path"] + f"objects/{o['id']}/{suffix}", key)
                if r.status != coll:
                    wrong.append(f"{m} objects/{{id}}/{suffix}: expected {coll} for the collection, got {r.status}")
        assert not wrong, (name, reader, wrong)
        return
    assert lst.status == OK and man.status == OK, (lst, man)
    listed = [o["id"] for o in lst.json.get("objects", [])]
    in_manifest = [m["id"] for m in man.json.get("objects", [])]
    assert not lst.json["more"] and not man.json["more"]
    for m, o in col["objs"].items():
        level = effective(m, col)
        cell = read_cell(col, level, reader)
        expected = OK if cell == OK else 404  # a single object the reader may not read is 404
        for suffix in ("", "versions/"):
            r = taxii(server, "GET", col["path"] + f"objects/{o['id']}/{suffix}", key)
            if r.status != expected:
                wrong.append(f"{m} ({level}, cell {cell}) objects/{{id}}/{suffix}: expected {expected}, got {r.status}")
        if (o["id"] in listed) != (cell == OK):
            wrong.append(f"{m} ({level}, cell {cell}): {'missing from' if cell == OK else 'leaked into'} the list")
        if (o["id"] in in_manifest) != (cell == OK):
            wrong.append(f"{m} ({level}, cell {cell}): {'missing from' if cell == OK else 'leaked into'} the manifest")
    # nothing the reader may not read, whichever object of the collection it is
    for oid in set(listed) | set(in_manifest):
        if oid in w.marks:
            cname, m = w.marks[oid]
            assert cname == name, f"{oid} of {cname} listed in {name}"
            if read_cell(col, effective(m, col), reader) != OK:
                wrong.append(f"{oid} ({m}) leaked")
    assert not wrong, (name, reader, wrong)


@pytest.mark.parametrize("name,reader", cells(SPECS))
def test_collection_resource(server, w, name, reader):
    col, key = w.cols[name], w.keys[reader]
    expected = INFO[col["audience"]][column(reader, col)]
    r = taxii(server, "GET", col["path"], key)
    assert r.status == expected, (name, reader, r)
    lst = taxii(server, "GET", ROOT + "collections/", key)
    if lst.status == 403 and reader in ("susp", "susp_out"):
        return  # a suspended member may be refused the list as a whole
    assert lst.status == OK, lst
    mine = [c for c in lst.json.get("collections", []) if c["id"] == col["id"]]
    if expected in (401, 404):
        assert not mine, f"{reader} may not know {name} exists"
        return
    if reader in ("susp", "susp_out") and not mine:
        return
    assert len(mine) == 1, f"{reader} should see {name} listed"
    c = mine[0]
    if expected == OK:
        assert r.json == c, "one collection resource, listed or fetched"
    assert c["can_read"] == (collection_read(col, reader) == OK), (name, reader, c)
    assert c["can_write"] == (collection_write(col, reader) == OK), (name, reader, c)


# ---- writing ------------------------------------------------------------------------

@pytest.mark.parametrize("name,reader", cells(WRITABLE))
def test_write(server, w, name, reader):
    col, key = w.cols[name], w.keys[reader]
    objs = {m: obj(m, f"{name} {m} posted by {reader}") for m in MARKINGS}
    r = taxii(server, "POST", col["path"] + "objects/", key, list(objs.values()))
    coll = collection_write(col, reader)
    expected = 202 if coll == OK else coll
    assert r.status == expected, (name, reader, r)
    if expected != 202:
        assert r.json["http_status"] == str(expected)
        return
    st = r.json
    ok = {s["id"] for s in st.get("successes", [])}
    failed = {f["id"]: f["message"] for f in st.get("failures", [])}
    wrong = []
    for m, o in objs.items():
        level = effective(m, col)
        cell = write_cell(col, level, reader)
        if cell == OK and o["id"] not in ok:
            wrong.append(f"{m} ({level}) refused: {failed.get(o['id'])}")
        if cell == 422:
            if o["id"] not in failed:
                wrong.append(f"{m} ({level}) accepted")
            elif "tlp" not in failed[o["id"]].lower():
                wrong.append(f"{m} ({level}) refused without saying it is its TLP: {failed[o['id']]}")
        if o["id"] in ok:
            w.marks[o["id"]] = (name, m)
    assert st["success_count"] + st["failure_count"] == len(objs) == st["total_count"]
    assert not wrong, (name, reader, wrong)


@pytest.mark.parametrize("name,reader", cells(WRITABLE))
def test_delete(server, w, name, reader):
    col, key = w.cols[name], w.keys[reader]
    coll = collection_write(col, reader)
    wrong = []
    for m, o in col["dels"][reader].items():
        path = col["path"] + f"objects/{o['id']}/"
        r = taxii(server, "DELETE", path, key)
        if coll != OK:
            expected = coll
        else:  # deletes what the writer may read; 404 when nothing matched
            expected = OK if read_cell(col, effective(m, col), reader) == OK else 404
        if r.status != expected:
            wrong.append(f"{m}: expected {expected}, got {r.status} {r.raw[:120]}")
        still = taxii(server, "GET", path, w.keys["an"]).status
        if still != (404 if expected == OK else OK):
            wrong.append(f"{m}: after DELETE ({r.status}) the owner gets {still}")
    assert not wrong, (name, reader, wrong)


# ---- the per-member alerts collection ------------------------------------------------------

def test_alerts_collection_is_its_members_only(server, w):
    owner = w.members["owner"]["id"]
    alias = f"alerts-{owner}"
    path = f"{ROOT}collections/{alias}/"
    cols = taxii(server, "GET", ROOT + "collections/", w.keys["an"]).json["collections"]
    mine = [c for c in cols if c.get("alias", "").startswith("alerts-")]
    assert [c["alias"] for c in mine] == [alias]
    assert mine[0]["can_read"] is True and mine[0]["can_write"] is False
    by_uuid = f"{ROOT}collections/{mine[0]['id']}/"
    for p in (path, by_uuid):
        assert taxii(server, "GET", p + "objects/", w.keys["an"]).status == 200
        assert taxii(server, "GET", p + "manifest/", w.keys["an"]).status == 200
    expected = {"anon": 401, "sec": 403, "aud": 403, "del": 403, "an_ro": 404, "an_0": 404, "out": 404,
                "susp_out": 404}
    for reader, status in expected.items():
        for p in (path, by_uuid):
            r = taxii(server, "GET", p + "objects/", w.keys[reader])
            assert r.status == status, (reader, r)
    # other members' analysts do not see it listed
    for reader in ("out", "an_ro", "an_0"):
        listed = taxii(server, "GET", ROOT + "collections/", w.keys[reader]).json.get("collections", [])
        assert alias not in {c.get("alias") for c in listed}, reader
        assert [c["alias"] for c in listed if c.get("alias", "").startswith("alerts-")] == \
            [f"alerts-{w.members[{'out': 'out', 'an_ro': 'ro', 'an_0': 'none'}[reader]]['id']}"]
    # nobody writes into it over TAXII, not even its member (the server writes alerts)
    o = obj("GREEN", "alert")
    for reader, status in {"an": 403, "sec": 403, "out": 404, "anon": 401, "del": 403}.items():
        r = taxii(server, "POST", path + "objects/", w.keys[reader], [o])
        assert r.status == status, (reader, r)
    # a suspended member's own alerts: it may know they exist, and reads nothing
    r = taxii(server, "GET", f"{ROOT}collections/alerts-{w.members['susp']['id']}/objects/", w.keys["susp"])
    assert r.status == 403, r
