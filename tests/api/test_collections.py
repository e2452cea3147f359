"""Intelligence collections, admin API (/api/v1/intel/collections...) and CLI:
every route with grants and denials per role, and the 400/404/409/422 cases.

Roles: secretariat (the alliance), the owner's analyst, another member's analyst,
an auditor, a delegate (of a group member and of an outsider), anonymous, and a
suspended member's analyst (named in the group, and not)."""
import json
import uuid

import pytest

from conftest import msg, new_state

BASE = "/api/v1/intel/collections"


class World:
    pass


@pytest.fixture(scope="module")
def w(server, alliance):
    x = World()
    x.alliance = alliance
    x.owner = new_state(server)            # owns the group collection, is in it
    x.peer = new_state(server)             # in the group, read only
    x.outsider = new_state(server)         # not in the group
    x.susp_in = new_state(server)          # named in the group, then suspended
    x.susp_out = new_state(server)         # not in the group, then suspended
    _, x.an_owner = server.actor(x.owner["id"], ["analyst"])
    _, x.an_peer = server.actor(x.peer["id"], ["analyst"])
    _, x.an_out = server.actor(x.outsider["id"], ["analyst"])
    _, x.del_owner = server.actor(x.owner["id"], ["delegate"])
    _, x.del_out = server.actor(x.outsider["id"], ["delegate"])
    _, x.auditor = server.actor(alliance, ["auditor"])
    _, x.an_susp_in = server.actor(x.susp_in["id"], ["analyst"])
    _, x.an_susp_out = server.actor(x.susp_out["id"], ["analyst"])
    r = server.request("POST", BASE, {
        "title": "Owner's group", "alias": "owners-group", "audience": "group",
        "members": [{"member_id": x.owner["id"], "read": True, "write": True},
                    {"member_id": x.peer["id"]},
                    {"member_id": x.susp_in["id"], "read": True, "write": True}]}, key=x.an_owner)
    assert r.status == 201, r
    x.group = r.json
    r = server.request("POST", BASE, {"title": "Owner's alliance-wide", "alias": "owners-wide",
                                      "audience": "alliance"}, key=x.an_owner)
    assert r.status == 201, r
    x.wide = r.json
    for m in (x.susp_in, x.susp_out):
        r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended", "reason": "test"},
                           key=server.admin_key)
        assert r.status == 200, r
    return x


def keys(server, w):
    """Every credential by role name (None = anonymous)."""
    return {"secretariat": server.admin_key, "owner": w.an_owner, "peer": w.an_peer, "outsider": w.an_out,
            "auditor": w.auditor, "delegate": w.del_owner, "delegate_out": w.del_out, "anonymous": None,
            "susp_in": w.an_susp_in, "susp_out": w.an_susp_out}


def aliases(r):
    return {c["alias"] for c in r.json["items"]}


# ---- the collections every store has -------------------------------------------

def test_init_made_alliance_and_alerts(server, alliance):
    r = server.request("GET", f"{BASE}/alliance", key=server.admin_key)
    assert r.status == 200, r
    c = r.json
    assert c["audience"] == "alliance" and c["kind"] == "shared" and c["owner_member_id"] == alliance
    assert c["default_read"] is True and c["default_write"] is True and c["default_tlp"] == "TLP:AMBER"
    assert set(c) == {"id", "alias", "kind", "title", "description", "audience", "default_tlp", "default_read",
                      "default_write", "owner_member_id", "members", "created_at", "updated_at"}
    a = server.request("GET", f"{BASE}/alerts-{alliance}", key=server.admin_key)
    assert a.status == 200 and a.json["kind"] == "alerts"


def test_new_member_gets_its_alerts_collection(server):
    m = server.create_member(kind="observer")
    r = server.request("GET", f"{BASE}/alerts-{m['id']}", key=server.admin_key)
    assert r.status == 200, r
    c = r.json
    assert c["audience"] == "group" and c["kind"] == "alerts" and c["default_tlp"] == "TLP:AMBER"
    assert c["members"] == [{"member_id": m["id"], "read": True, "write": False}]
    assert c["owner_member_id"] == server.alliance_id()
    # by its UUID too, upper-case included
    assert server.request("GET", f"{BASE}/{c['id']}", key=server.admin_key).json == c
    assert server.request("GET", f"{BASE}/{c['id'].upper()}", key=server.admin_key).status == 200


# ---- list -----------------------------------------------------------------------

def test_list_per_role(server, w):
    k = keys(server, w)
    own_alerts, out_alerts = f"alerts-{w.owner['id']}", f"alerts-{w.outsider['id']}"
    for who in ("secretariat", "auditor"):
        r = server.request("GET", BASE, key=k[who])
        assert r.status == 200, (who, r)
        assert r.json["next"] is None
        assert {"alliance", "owners-group", "owners-wide", own_alerts, out_alerts} <= aliases(r), who
    r = server.request("GET", BASE, key=w.an_owner)
    assert r.status == 200
    got = aliases(r)
    assert {"alliance", "owners-group", "owners-wide", own_alerts} <= got
    assert out_alerts not in got
    r = server.request("GET", BASE, key=w.an_out)
    got = aliases(r)
    assert "owners-wide" in got and "alliance" in got and out_alerts in got
    assert "owners-group" not in got and own_alerts not in got, "a group must not leak to an outsider"
    for who, status in (("delegate", 403), ("anonymous", 401), ("susp_in", 403), ("susp_out", 403)):
        assert server.request("GET", BASE, key=k[who]).status == status, who


# ---- get ------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [
    ("secretariat", 200), ("owner", 200), ("peer", 200), ("auditor", 200),
    ("outsider", 404), ("delegate", 403), ("delegate_out", 404), ("anonymous", 401),
    ("susp_in", 403), ("susp_out", 404),
])
def test_get_group_collection(server, w, who, status):
    for ref in ("owners-group", w.group["id"]):
        r = server.request("GET", f"{BASE}/{ref}", key=keys(server, w)[who])
        assert r.status == status, (who, ref, r)
    if status == 200:
        assert r.json["members"] and r.json["id"] == w.group["id"]
    if status == 404:
        assert "owners-group" not in r.raw and "no such collection" in msg(r)


@pytest.mark.parametrize("who,status", [
    ("secretariat", 200), ("owner", 200), ("outsider", 200), ("auditor", 200),
    ("delegate", 403), ("anonymous", 401), ("susp_out", 403),
])
def test_get_alliance_wide_collection(server, w, who, status):
    r = server.request("GET", f"{BASE}/owners-wide", key=keys(server, w)[who])
    assert r.status == status, (who, r)


def test_get_missing(server, w):
    for ref in ("no-such-collection", str(uuid.uuid4()), "x" * 300):
        r = server.request("GET", f"{BASE}/{ref}", key=server.admin_key)
        assert r.status == 404, r
    assert "no-such-collection" in msg(server.request("GET", f"{BASE}/no-such-collection", key=w.an_owner))


# ---- create ---------------------------------------------------------------------

def test_create_by_secretariat(server, w, alliance):
    r = server.request("POST", BASE, {"title": "Sec group", "description": "d", "audience": "group",
                                      "default_tlp": "tlp:red",
                                      "members": [{"member_id": w.peer["id"], "read": True, "write": True}]},
                       key=server.admin_key)
    assert r.status == 201, r
    c = r.json
    assert uuid.UUID(c["id"]) and c["alias"] is None and c["owner_member_id"] == alliance
    assert c["default_tlp"] == "TLP:RED" and c["default_read"] is True and c["default_write"] is False
    assert c["members"] == [{"member_id": w.peer["id"], "read": True, "write": True}]
    # for another owner
    r = server.request("POST", BASE, {"title": "For the outsider", "audience": "alliance",
                                      "owner_member_id": w.outsider["id"]}, key=server.admin_key)
    assert r.status == 201 and r.json["owner_member_id"] == w.outsider["id"]
    # audited
    audit = server.request("GET", "/api/v1/audit?limit=1000", key=server.admin_key).raw
    assert f"collection:{c['id']}" in audit


def test_create_by_analyst(server, w):
    r = server.request("POST", BASE, {"title": "Mine", "audience": "public", "default_tlp": "TLP:CLEAR"},
                       key=w.an_out)
    assert r.status == 201, r
    assert r.json["owner_member_id"] == w.outsider["id"]
    assert r.json["members"] == [{"member_id": w.outsider["id"], "read": True, "write": True}]
    r = server.request("POST", BASE, {"title": "Mine too", "audience": "alliance",
                                      "owner_member_id": w.outsider["id"]}, key=w.an_out)
    assert r.status == 201, r
    # for another member: 403
    r = server.request("POST", BASE, {"title": "Theirs", "audience": "alliance", "owner_member_id": w.owner["id"]},
                       key=w.an_out)
    assert r.status == 403 and "own organisation" in msg(r)
    # a group that does not name its own organisation gets it, with both rights
    r = server.request("POST", BASE, {"title": "Added", "audience": "group",
                                      "members": [{"member_id": w.peer["id"], "read": True, "write": False}]},
                       key=w.an_out)
    assert r.status == 201, r
    assert {"member_id": w.outsider["id"], "read": True, "write": True} in r.json["members"]
    # named with fewer rights: 422
    r = server.request("POST", BASE, {"title": "Read only", "audience": "group",
                                      "members": [{"member_id": w.outsider["id"], "read": True}]}, key=w.an_out)
    assert r.status == 422 and "read and write" in msg(r)


@pytest.mark.parametrize("who,status", [
    ("auditor", 403), ("delegate", 403), ("anonymous", 401), ("susp_in", 403),
])
def test_create_denied(server, w, who, status):
    r = server.request("POST", BASE, {"title": "Nope", "audience": "alliance"}, key=keys(server, w)[who])
    assert r.status == status, (who, r)
    # the body is not even looked at
    r = server.request("POST", BASE, {"colour": "red"}, key=keys(server, w)[who])
    assert r.status == status, (who, r)


@pytest.mark.parametrize("body,status,words", [
    ({"title": "T", "audience": "alliance", "colour": "red"}, 400, "unknown field 'colour'"),
    ({"audience": "alliance"}, 400, "missing required field body.title"),
    ({"title": "T"}, 400, "missing required field body.audience"),
    ({"title": 5, "audience": "alliance"}, 400, "body.title must be a string"),
    ({"title": "T", "audience": "alliance", "default_write": "yes"}, 400, "body.default_write"),
    ({"title": "T", "audience": "group", "members": {"a": 1}}, 400, "body.members must be an array"),
    ({"title": "T", "audience": "group", "members": [{"member": "x"}]}, 400, "body.members[0]"),
    ({"title": "T", "audience": "galaxy"}, 422, "body.audience: unknown audience 'galaxy'"),
    ({"title": "T", "audience": "alliance", "default_tlp": "TLP:PURPLE"}, 422, "body.default_tlp"),
    ({"title": "", "audience": "alliance"}, 422, "body.title"),
    ({"title": "T", "audience": "alliance", "alias": "Has Space"}, 422, "body.alias"),
    ({"title": "T", "audience": "alliance", "alias": "a" * 65}, 422, "body.alias must be 1 to 64"),
    ({"title": "T", "audience": "alliance", "alias": "alerts-x"}, 422, "reserved"),
    ({"title": "T", "audience": "alliance", "alias": str(uuid.uuid4())}, 422, "UUID"),
    ({"title": "T", "audience": "alliance", "owner_member_id": str(uuid.uuid4())}, 422, "body.owner_member_id"),
    ({"title": "T", "audience": "group", "members": [{"member_id": str(uuid.uuid4())}]}, 422,
     "body.members[0].member_id"),
])
def test_create_rejects(server, body, status, words):
    r = server.request("POST", BASE, body, key=server.admin_key)
    assert r.status == status, r
    assert words in msg(r), msg(r)


def test_create_duplicate_alias_conflict(server, w):
    r = server.request("POST", BASE, {"title": "A", "audience": "alliance", "alias": "dup-alias"},
                       key=server.admin_key)
    assert r.status == 201
    r = server.request("POST", BASE, {"title": "B", "audience": "alliance", "alias": "dup-alias"}, key=w.an_owner)
    assert r.status == 409 and "dup-alias" in msg(r)
    r = server.request("POST", BASE, {"title": "C", "audience": "alliance", "alias": "alliance"},
                       key=server.admin_key)
    assert r.status == 409


def test_create_not_json(server):
    r = server.request("POST", BASE, raw=b"{not json", key=server.admin_key)
    assert r.status == 400
    r = server.request("POST", BASE, raw=b"title=x", key=server.admin_key, content_type="text/plain")
    assert r.status == 415


# ---- patch ----------------------------------------------------------------------

@pytest.mark.parametrize("who,target,status", [
    ("secretariat", "owners-group", 200), ("owner", "owners-group", 200), ("owner", "owners-wide", 200),
    ("peer", "owners-group", 403), ("outsider", "owners-group", 404), ("outsider", "owners-wide", 403),
    ("auditor", "owners-group", 403), ("delegate", "owners-group", 403), ("delegate_out", "owners-group", 404),
    ("anonymous", "owners-group", 401), ("susp_in", "owners-group", 403), ("susp_out", "owners-group", 404),
    ("outsider", "alliance", 403), ("owner", "alliance", 403),
])
def test_patch_per_role(server, w, who, target, status):
    title = f"Renamed by {who} {uuid.uuid4().hex[:6]}"
    r = server.request("PATCH", f"{BASE}/{target}", {"title": title}, key=keys(server, w)[who])
    assert r.status == status, (who, target, r)
    if status == 200:
        assert r.json["title"] == title
        assert title in server.request("GET", "/api/v1/audit?limit=1000", key=server.admin_key).raw
    else:
        g = server.request("GET", f"{BASE}/{target}", key=server.admin_key)
        assert g.json["title"] != title


def test_patch_values(server, w):
    r = server.request("PATCH", f"{BASE}/owners-wide", {"description": "now described", "default_tlp": "GREEN",
                                                        "audience": "public"}, key=w.an_owner)
    assert r.status == 200, r
    c = r.json
    assert c["description"] == "now described" and c["default_tlp"] == "TLP:GREEN" and c["audience"] == "public"
    assert c["updated_at"] >= c["created_at"]
    r = server.request("PATCH", f"{BASE}/owners-wide", {"description": None, "audience": "alliance"}, key=w.an_owner)
    assert r.status == 200 and r.json["description"] is None
    # the owner's own row keeps its rights whatever the defaults become
    assert {"member_id": w.owner["id"], "read": True, "write": True} in c["members"]
    r = server.request("PATCH", f"{BASE}/owners-wide", {"default_write": False}, key=w.an_owner)
    assert r.status == 200 and r.json["default_write"] is False
    r = server.request("PATCH", f"{BASE}/owners-wide", {"default_write": True}, key=w.an_owner)
    assert r.status == 200 and r.json["default_write"] is True


@pytest.mark.parametrize("body,status,words", [
    ({}, 400, "changes nothing"),
    ({"alias": "x"}, 400, "unknown field 'alias'"),
    ({"default_read": 1}, 400, "body.default_read"),
    ({"audience": "galaxy"}, 422, "body.audience"),
    ({"default_tlp": "chartreuse"}, 422, "body.default_tlp"),
    ({"title": "   \u0001"}, 422, "control character"),
])
def test_patch_rejects(server, w, body, status, words):
    r = server.request("PATCH", f"{BASE}/owners-group", body, key=server.admin_key)
    assert r.status == status, r
    assert words in msg(r), msg(r)


def test_patch_missing(server):
    assert server.request("PATCH", f"{BASE}/no-such", {"title": "x"}, key=server.admin_key).status == 404


# ---- members --------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [
    ("secretariat", 200), ("owner", 200), ("peer", 403), ("outsider", 404), ("auditor", 403),
    ("delegate", 403), ("anonymous", 401), ("susp_in", 403), ("susp_out", 404),
])
def test_member_rights_per_role(server, w, who, status):
    k = keys(server, w)[who]
    extra = server.create_member(kind="observer")
    r = server.request("PUT", f"{BASE}/owners-group/members/{extra['id']}", {"read": True, "write": False}, key=k)
    assert r.status == status, (who, r)
    if status == 200:
        assert {"member_id": extra["id"], "read": True, "write": False} in r.json["members"]
        r = server.request("PUT", f"{BASE}/owners-group/members/{extra['id']}", {"read": True, "write": True}, key=k)
        assert {"member_id": extra["id"], "read": True, "write": True} in r.json["members"]
        r = server.request("DELETE", f"{BASE}/owners-group/members/{extra['id']}", key=k)
        assert r.status == 200 and extra["id"] not in json.dumps(r.json["members"])
        acts = server.request("GET", "/api/v1/audit?limit=1000", key=server.admin_key).raw
        assert "collection.member.set" in acts and "collection.member.remove" in acts
    else:
        # the secretariat adds it, the denied actor may not remove it
        assert server.request("PUT", f"{BASE}/owners-group/members/{extra['id']}", {"read": True, "write": False},
                              key=server.admin_key).status == 200
        r = server.request("DELETE", f"{BASE}/owners-group/members/{extra['id']}", key=k)
        assert r.status == status, (who, r)
        g = server.request("GET", f"{BASE}/owners-group", key=server.admin_key).json
        assert extra["id"] in json.dumps(g["members"])


def test_member_rights_errors(server, w):
    path = f"{BASE}/owners-group/members"
    ghost = str(uuid.uuid4())
    r = server.request("PUT", f"{path}/{ghost}", {"read": True, "write": True}, key=server.admin_key)
    assert r.status == 404 and ghost in msg(r)
    r = server.request("PUT", f"{path}/{w.peer['id']}", {"read": True}, key=server.admin_key)
    assert r.status == 400 and "body.write" in msg(r)
    r = server.request("PUT", f"{path}/{w.peer['id']}", {"read": True, "write": True, "admin": True},
                       key=server.admin_key)
    assert r.status == 400 and "unknown field 'admin'" in msg(r)
    r = server.request("DELETE", f"{path}/{w.outsider['id']}", key=server.admin_key)
    assert r.status == 404 and "no row" in msg(r)
    r = server.request("PUT", f"{BASE}/no-such/members/{w.peer['id']}", {"read": True, "write": True},
                       key=server.admin_key)
    assert r.status == 404
    # the owner keeps its rights, whoever asks
    r = server.request("PUT", f"{path}/{w.owner['id']}", {"read": True, "write": False}, key=w.an_owner)
    assert r.status == 422 and "read and write" in msg(r)
    r = server.request("DELETE", f"{path}/{w.owner['id']}", key=server.admin_key)
    assert r.status == 422
    g = server.request("GET", f"{BASE}/owners-group", key=server.admin_key).json
    assert {"member_id": w.owner["id"], "read": True, "write": True} in g["members"]


def test_group_membership_changes_visibility(server, w):
    assert server.request("GET", f"{BASE}/owners-group", key=w.an_out).status == 404
    r = server.request("PUT", f"{BASE}/owners-group/members/{w.outsider['id']}", {"read": True, "write": False},
                       key=w.an_owner)
    assert r.status == 200
    assert server.request("GET", f"{BASE}/owners-group", key=w.an_out).status == 200
    assert "owners-group" in aliases(server.request("GET", BASE, key=w.an_out))
    assert server.request("DELETE", f"{BASE}/owners-group/members/{w.outsider['id']}", key=w.an_owner).status == 200
    assert server.request("GET", f"{BASE}/owners-group", key=w.an_out).status == 404


# ---- CLI ------------------------------------------------------------------------

def test_cli(server, w):
    p = server.cli(["collection", "create", "--title", "CLI group", "--audience", "group", "--alias", "cli-group",
                    "--default-tlp", "amber+strict", "--member", f"{w.peer['id']}:rw", "--member", w.owner["id"]])
    c = json.loads(p.stdout)
    assert c["alias"] == "cli-group" and c["default_tlp"] == "TLP:AMBER+STRICT"
    assert c["owner_member_id"] == server.alliance_id()
    assert sorted((m["member_id"], m["read"], m["write"]) for m in c["members"]) == sorted(
        [(w.peer["id"], True, True), (w.owner["id"], True, False)])
    assert json.loads(server.cli(["collection", "show", "cli-group"]).stdout) == c
    assert "cli-group" in {x["alias"] for x in json.loads(server.cli(["collection", "list"]).stdout)}
    s = json.loads(server.cli(["collection", "set", "cli-group", "--title", "CLI group 2",
                               "--default-read", "false"]).stdout)
    assert s["title"] == "CLI group 2" and s["default_read"] is False
    g = json.loads(server.cli(["collection", "grant", "cli-group", w.outsider["id"], "--write"]).stdout)
    assert {"member_id": w.outsider["id"], "read": False, "write": True} in g["members"]
    g = json.loads(server.cli(["collection", "grant", "cli-group", w.outsider["id"]]).stdout)
    assert {"member_id": w.outsider["id"], "read": True, "write": False} in g["members"]
    g = json.loads(server.cli(["collection", "revoke", "cli-group", w.outsider["id"]]).stdout)
    assert w.outsider["id"] not in json.dumps(g["members"])
    # the API sees what the CLI did
    assert server.request("GET", f"{BASE}/cli-group", key=server.admin_key).json["title"] == "CLI group 2"


@pytest.mark.parametrize("args,code,words", [
    (["collection", "create", "--title", "x"], 2, "wrong flags"),
    (["collection", "create", "--title", "x", "--audience", "galaxy"], 1, "body.audience"),
    (["collection", "create", "--title", "x", "--audience", "group", "--member", "abc:x"], 1, "r, w or rw"),
    (["collection", "show", "no-such"], 1, "no-such"),
    (["collection", "set", "alliance"], 1, "changes nothing"),
    (["collection", "set", "alliance", "--default-read", "maybe"], 1, "--default-read must be true or false"),
    (["collection", "grant", "alliance"], 2, "wrong flags"),
    (["collection", "frobnicate"], 2, "unknown action"),
])
def test_cli_errors(server, args, code, words):
    p = server.cli(args, check=False)
    assert p.returncode == code, p
    assert words in p.stderr, p.stderr


@pytest.mark.parametrize("action", ["list", "show", "create", "set", "grant", "revoke"])
def test_cli_help(server, action):
    p = server.cli(["collection", action, "--help"])
    assert "usage: cyberpact collection" in p.stdout and action in p.stdout
