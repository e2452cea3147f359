"""docs/sharing.md's matrices, cell by cell, through TAXII: who may write what into public,
alliance and group collections, and who reads what back (lists and single objects).

One module-scoped server; the members, readers, collections and objects are made once
(fixture `world`). Read collections that must hold what their audience would no longer
accept (the table's footnote ¹) are filled as group collections and then given their
final audience, as an owner changing the audience would."""
import uuid

import pytest

from conftest import new_state
from taxii_helpers import (TLP1, TLP2, all_pages, create_collection, grant, indicator, objects_path, post,
                           set_collection, suspend, taxii)

READERS = ["anon", "sec", "sec+g", "aud", "an", "an-ro", "an-0", "del", "out", "susp", "susp-out"]

# Object variants: name -> (marking ids, granular marking ids, effective TLP)
VARIANTS = {
    "CLEAR": ([TLP2["CLEAR"]], [], "CLEAR"),
    "GREEN": ([TLP2["GREEN"]], [], "GREEN"),
    "AMBER": ([TLP2["AMBER"]], [], "AMBER"),
    "AMBER+STRICT": ([TLP2["AMBER+STRICT"]], [], "AMBER+STRICT"),
    "RED": ([TLP2["RED"]], [], "RED"),
    "unmarked": ([], [], "unmarked"),
    "TLP1:WHITE": ([TLP1["WHITE"]], [], "CLEAR"),
    "TLP1:GREEN": ([TLP1["GREEN"]], [], "GREEN"),
    "TLP1:AMBER": ([TLP1["AMBER"]], [], "AMBER"),
    "TLP1:RED": ([TLP1["RED"]], [], "RED"),
    "CLEAR+granular RED": ([TLP2["CLEAR"]], [TLP2["RED"]], "RED"),
    "GREEN+AMBER": ([TLP2["GREEN"], TLP2["AMBER"]], [], "AMBER"),
    "CLEAR+RED": ([TLP2["CLEAR"], TLP2["RED"]], [], "RED"),
    # ids compare case-insensitively: an upper-case RED id cannot pass for "unmarked"
    "RED upper-case id": (["marking-definition--" + TLP2["RED"].split("--")[1].upper()], [], "RED"),
}

NOT_CLEAR_ROW = {"anon": 401, "sec": "ok", "sec+g": "ok", "aud": 403, "an": "ok", "an-ro": "ok", "an-0": 403,
                 "del": 403, "out": "ok", "susp": 403, "susp-out": 403}
RED_ROW = {"anon": 401, "sec": 404, "sec+g": 404, "aud": 403, "an": 404, "an-ro": 404, "an-0": 403,
           "del": 403, "out": 404, "susp": 403, "susp-out": 403}
GROUP_ROW = {"anon": 401, "sec": 403, "sec+g": "ok", "aud": 403, "an": "ok", "an-ro": "ok", "an-0": 403,
             "del": 403, "out": 404, "susp": 403, "susp-out": 404}


def read_cell(audience, eff, reader):
    """The reading matrix of docs/sharing.md."""
    if audience == "group":
        return GROUP_ROW[reader]
    if audience == "public" and eff == "CLEAR":
        return "ok"
    return RED_ROW[reader] if eff == "RED" else NOT_CLEAR_ROW[reader]


W_OK = {"anon": 401, "sec": "ok", "sec+g": "ok", "aud": 403, "an": "ok", "an-ro": 403, "an-0": 403, "del": 403,
        "out": "ok", "susp": 403, "susp-out": 403}
W_GROUP = {"anon": 401, "sec": 403, "sec+g": "ok", "aud": 403, "an": "ok", "an-ro": 403, "an-0": 403, "del": 403,
           "out": 404, "susp": 403, "susp-out": 404}


def write_cell(audience, eff, writer):
    """The writing matrix of docs/sharing.md."""
    if audience == "group":
        return W_GROUP[writer]
    refused = (audience == "public" and eff != "CLEAR") or eff == "RED"
    cell = W_OK[writer]
    return 422 if refused and cell == "ok" else cell


def make_object(variant):
    refs, granular, _ = VARIANTS[variant]
    o = indicator(tlp_ids=refs)
    if granular:
        o["granular_markings"] = [{"marking_ref": m, "selectors": ["pattern"]} for m in granular]
    return o


@pytest.fixture(scope="module")
def world(server, alliance):
    A, B, C = new_state(server), new_state(server), new_state(server)   # rw, read-only, no rights
    O = new_state(server)                                                # not in the group
    S, SO = new_state(server), new_state(server)                         # suspended: named, not named
    keys = {"anon": None, "sec": server.admin_key, "sec+g": server.admin_key}
    keys["aud"] = server.actor(alliance, ["auditor"])[1]
    keys["an"] = server.actor(A["id"], ["analyst"])[1]
    keys["an-ro"] = server.actor(B["id"], ["analyst"])[1]
    keys["an-0"] = server.actor(C["id"], ["analyst"])[1]
    keys["del"] = server.actor(A["id"], ["delegate"])[1]
    keys["out"] = server.actor(O["id"], ["analyst"])[1]
    keys["susp"] = server.actor(S["id"], ["analyst"])[1]
    keys["susp-out"] = server.actor(SO["id"], ["analyst"])[1]
    rows = [(A["id"], True, True), (B["id"], True, False), (C["id"], False, False), (S["id"], True, True)]

    def coll(audience, with_alliance=False, fill=False):
        """A collection with the rows above. fill: made as a group, filled by A with
        every variant, then given its audience. Returns (id, {variant: object})."""
        r = rows + ([(alliance, True, True)] if with_alliance else [])
        tag = uuid.uuid4().hex[:6]
        if audience == "group":
            cid = create_collection(server, f"{audience} {tag}", "group", members=r,
                                    default_read=False, default_write=False)
        elif fill:
            cid = create_collection(server, f"{audience} {tag}", "group", members=r,
                                    default_read=True, default_write=True)
        else:
            cid = create_collection(server, f"{audience} {tag}", audience, members=r,
                                    default_read=True, default_write=True)
        objs = {}
        if fill:
            objs = {v: make_object(v) for v in VARIANTS}
            res = post(server, cid, list(objs.values()), keys["an"])
            assert res.status == 202 and res.json["failure_count"] == 0, res
            if audience != "group":
                set_collection(server, cid, audience=audience)
        return cid, objs

    read = {
        "public": coll("public", fill=True),
        "alliance": coll("alliance", fill=True),
        "group": coll("group", fill=True),
        "group+sec": coll("group", with_alliance=True, fill=True),
    }
    write = {
        "public": coll("public")[0],
        "alliance": coll("alliance")[0],
        "group": coll("group")[0],
        "group+sec": coll("group", with_alliance=True)[0],
    }
    suspend(server, S["id"])
    suspend(server, SO["id"])
    return {"keys": keys, "read": read, "write": write, "A": A, "O": O, "alliance": alliance}


def family(audience, reader):
    return "group+sec" if audience == "group" and reader == "sec+g" else audience


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("reader", READERS)
def test_read_one_object(server, world, audience, variant, reader):
    cid, objs = world["read"][family(audience, reader)]
    o = objs[variant]
    want = read_cell(audience, VARIANTS[variant][2], reader)
    if want != "ok" and collection_level(audience, reader) == 200:
        # docs/sharing.md, "Every read path goes through the gate": the collection-level
        # answer first; then "a single object the reader may not read is 404, the same as a
        # missing one". In a public collection everyone passes the collection level.
        want = 404
    r = taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"][reader])
    if want == "ok":
        assert r.status == 200, r
        assert r.json["objects"] == [o]
    else:
        assert r.status == want, r
        assert r.json["http_status"] == str(want)
    # versions/ answers the same way
    r = taxii(server, "GET", objects_path(cid, o["id"]) + "versions/", key=world["keys"][reader])
    assert r.status == (200 if want == "ok" else want), r


def collection_level(audience, reader):
    """What a list request answers for the whole collection: 200 when the reader may
    read something there, else the status of a non-RED cell."""
    if audience == "public":
        return 200
    cell = read_cell(audience, "AMBER", reader)
    return 200 if cell == "ok" else cell


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("reader", READERS)
def test_read_lists(server, world, audience, reader):
    cid, objs = world["read"][family(audience, reader)]
    key = world["keys"][reader]
    want = {o["id"] for v, o in objs.items() if read_cell(audience, VARIANTS[v][2], reader) == "ok"}
    status = collection_level(audience, reader)
    for suffix in ("objects", "manifest"):
        r = taxii(server, "GET", objects_path(cid, query="limit=3", suffix=suffix), key=key)
        if status != 200:
            assert r.status == status, (suffix, r)
            continue
        assert r.status == 200, r
        got = all_pages(server, cid, key, "match[version]=all", limit=3, suffix=suffix)
        assert {o["id"] for o in got} == want, suffix
        assert len(got) == len(want)
        # Pages stay full: unreadable objects are not counted.
        if len(want) > 3:
            assert len(r.json["objects"]) == 3 and r.json["more"] is True
    # The list of collections: those the reader may know exist, each entry the same resource
    # as GET collections/{id}/ (can_read / can_write included) for this reader.
    listed = taxii(server, "GET", "collections/", key=key)
    assert listed.status == 200, listed
    ids = {c["id"] for c in listed.json.get("collections", [])}
    knows = not (reader == "anon" and audience != "public") and \
        not (audience == "group" and reader in ("out", "susp-out"))
    assert (cid in ids) is knows, (reader, audience)
    if knows:
        entry = [c for c in listed.json["collections"] if c["id"] == cid][0]
        assert entry == taxii(server, "GET", f"collections/{cid}/", key=key).json, (reader, audience)


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("reader", READERS)
def test_collection_resource(server, world, audience, reader):
    cid, _ = world["read"][family(audience, reader)]
    key = world["keys"][reader]
    # The collection itself (docs/sharing.md, "Every read path"): 401 anonymous on a
    # non-public collection, 404 where the reader may not know it exists, otherwise 200 with
    # can_read / can_write saying what the gate allows.
    r = taxii(server, "GET", f"collections/{cid}/", key=key)
    want_status = collection_get_status(audience, reader)
    assert r.status == want_status, r
    if want_status == 200:
        assert r.json["can_read"] is (audience == "public" or read_cell(audience, "AMBER", reader) == "ok"), r
        assert r.json["can_write"] is (write_cell(audience, "CLEAR", reader) == "ok"), r


def collection_get_status(audience, reader):
    if audience == "public":
        return 200
    if reader == "anon":
        return 401
    if audience == "group" and reader in ("out", "susp-out"):
        return 404
    return 200


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("writer", READERS)
def test_write(server, world, audience, variant, writer):
    cid = world["write"][family(audience, writer)]
    want = write_cell(audience, VARIANTS[variant][2], writer)
    o = make_object(variant)
    r = post(server, cid, [o], world["keys"][writer])
    if want in ("ok", 422):
        assert r.status == 202, r
        s = r.json
        if want == "ok":
            assert (s["success_count"], s["failure_count"]) == (1, 0), s
            g = taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"]["an"] if writer != "sec+g"
                      else server.admin_key)
            assert g.status == 200 and g.json["objects"] == [o], g
        else:
            assert (s["success_count"], s["failure_count"]) == (0, 1), s
            assert s["failures"][0]["id"] == o["id"]
            assert s["failures"][0]["message"]
    else:
        assert r.status == want, r
        assert r.json["http_status"] == str(want)


@pytest.mark.parametrize("writer", ["an", "sec"])
def test_write_mixed_envelope(server, world, writer):
    """In one envelope each object is taken or refused on its own."""
    cid = world["write"]["alliance"]
    objs = [make_object(v) for v in VARIANTS]
    r = post(server, cid, objs, world["keys"][writer])
    assert r.status == 202, r
    ok = [o["id"] for o, v in zip(objs, VARIANTS) if write_cell("alliance", VARIANTS[v][2], writer) == "ok"]
    assert [x["id"] for x in r.json["successes"]] == ok
    assert r.json["failure_count"] == len(objs) - len(ok)


def test_public_default_clear_accepts_unmarked(server, world):
    cid = create_collection(server, "Public clear default", "public", default_tlp="TLP:CLEAR",
                            default_read=True, default_write=True)
    o = make_object("unmarked")
    r = post(server, cid, [o], world["keys"]["an"])
    assert r.status == 202 and r.json["success_count"] == 1, r
    assert taxii(server, "GET", objects_path(cid, o["id"])).json["objects"] == [o]


def test_delete_follows_write_rights(server, world):
    cid, _ = world["write"]["group"], None
    o = make_object("AMBER")
    assert post(server, cid, [o], world["keys"]["an"]).json["success_count"] == 1
    for w in READERS:
        want = write_cell("group", "AMBER", w)
        if want == "ok":
            continue
        r = taxii(server, "DELETE", objects_path(cid, o["id"]), key=world["keys"][w])
        assert r.status == want, (w, r)
    assert taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"]["an"]).status == 200
    assert taxii(server, "DELETE", objects_path(cid, o["id"]), key=world["keys"]["an"]).status == 200


def test_rights_change_takes_effect(server, world):
    # a group of its own: naming O here must not change world["write"]["group"] for other tests
    A = world["A"]["id"]
    cid = create_collection(server, "rights " + uuid.uuid4().hex[:6], "group", members=[(A, True, True)],
                            default_read=False, default_write=False)
    o = make_object("GREEN")
    assert post(server, cid, [o], world["keys"]["an"]).json["success_count"] == 1
    O = world["O"]["id"]
    assert taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"]["out"]).status == 404
    grant(server, cid, O, True, False)
    try:
        r = taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"]["out"])
        assert r.status == 200 and r.json["objects"] == [o], r
        assert post(server, cid, [make_object("GREEN")], world["keys"]["out"]).status == 403
    finally:
        grant(server, cid, O, False, False)
    assert taxii(server, "GET", objects_path(cid, o["id"]), key=world["keys"]["out"]).status == 403


@pytest.mark.parametrize("reader,status", [
    ("an", 200), ("del", 403), ("an-ro", 404), ("out", 404), ("sec", 403), ("aud", 403), ("anon", 401),
    ("susp-out", 404),
])
def test_alerts_collection(server, world, reader, status):
    alias = f"alerts-{world['A']['id']}"
    key = world["keys"][reader]
    r = taxii(server, "GET", objects_path(alias), key=key)
    assert r.status == status, r
    if status == 200:
        assert r.json["more"] is False
        c = taxii(server, "GET", f"collections/{alias}/", key=key)
        assert c.status == 200 and c.json["can_read"] is True and c.json["can_write"] is False, c


def test_alerts_collection_not_writable(server, world):
    alias = f"alerts-{world['A']['id']}"
    for w, status in (("an", 403), ("out", 404), ("sec", 403), ("anon", 401)):
        r = post(server, alias, [make_object("AMBER")], world["keys"][w])
        assert r.status == status, (w, r)


@pytest.mark.parametrize("audience", ["public", "alliance", "group"])
@pytest.mark.parametrize("writer", READERS)
def test_delete_matrix(server, world, audience, writer):
    """DELETE is a write (docs/sharing.md, "Who may write"): the collection-level answer for
    every writer, then only what the writer may read is deleted (404 when nothing matched)."""
    cid = world["write"][family(audience, writer)]
    owner = world["keys"]["an"] if writer != "sec+g" else server.admin_key
    objs = {v: make_object(v) for v in VARIANTS if write_cell(audience, VARIANTS[v][2], "an") == "ok"}
    r = post(server, cid, list(objs.values()), owner)
    assert r.status == 202 and r.json["failure_count"] == 0, r
    wrong = []
    for v, o in objs.items():
        level = write_cell(audience, "CLEAR", writer)  # the collection-level answer for writing
        if level == "ok":
            want = 200 if read_cell(audience, VARIANTS[v][2], writer) == "ok" else 404
        else:
            want = level
        d = taxii(server, "DELETE", objects_path(cid, o["id"]), key=world["keys"][writer])
        if d.status != want:
            wrong.append(f"{v}: DELETE expected {want}, got {d.status} {d.raw[:100]}")
        still = taxii(server, "GET", objects_path(cid, o["id"]), key=owner).status
        if still != (404 if want == 200 else 200):
            wrong.append(f"{v}: after DELETE answered {d.status}, the owner reads {still}")
    assert not wrong, (audience, writer, wrong)


def test_alerts_listed_only_for_their_member(server, world):
    """Each reader's list holds its own member's alerts collection and no other member's."""
    own = {"an": world["A"]["id"], "out": world["O"]["id"]}
    for reader, member in own.items():
        listed = taxii(server, "GET", "collections/", key=world["keys"][reader]).json.get("collections", [])
        alerts = [c["alias"] for c in listed if c.get("alias", "").startswith("alerts-")]
        assert alerts == [f"alerts-{member}"], (reader, alerts)
    # a suspended member may know its own alerts exist and reads nothing from them
    me = server.request("GET", "/api/v1/me", key=world["keys"]["susp"]).json["member"]["id"]
    r = taxii(server, "GET", objects_path(f"alerts-{me}"), key=world["keys"]["susp"])
    assert r.status == 403, r
