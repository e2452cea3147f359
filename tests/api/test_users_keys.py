"""Users and API keys: create, read, list, update, revoke, and who may do each.

Black-box: everything goes through the HTTP API of a real server. Each test
makes its own members and users, so the tests do not depend on each other's
order. Authentication mechanics (sessions, CSRF, rate limiting, /me) are in
test_auth.py.
"""
import base64
import datetime
import hashlib
import re
import time
import uuid

import pytest

from conftest import STORE, msg, new_state

PW = "correct horse battery staple"
SECRET_RE = re.compile(r"cpk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})")
USER_FIELDS = {"id", "member_id", "name", "email", "roles", "status", "has_password", "created_at", "updated_at"}
KEY_FIELDS = {"id", "user_id", "roles", "label", "created_at", "created_by", "expires_at", "revoked_at"}




def uname():
    return "u-" + uuid.uuid4().hex[:12]


def get_user(server, uid):
    r = server.request("GET", f"/api/v1/users/{uid}", key=server.admin_key)
    assert r.status == 200, r
    return r.json


def rfc3339(ts):
    """Unix time → RFC 3339 UTC with milliseconds, as the server renders it."""
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def audit_entries(server):
    items, nxt = [], None
    while True:
        r = server.request("GET", "/api/v1/audit?limit=1000" + (f"&next={nxt}" if nxt else ""), key=server.admin_key)
        assert r.status == 200, r
        items += r.json["items"]
        nxt = r.json["next"]
        if not nxt:
            return items


def all_audit_text(server):
    """The raw text of every page of the audit log."""
    texts, nxt = [], None
    while True:
        r = server.request("GET", "/api/v1/audit?limit=1000" + (f"&next={nxt}" if nxt else ""), key=server.admin_key)
        assert r.status == 200, r
        texts.append(r.raw)
        nxt = r.json["next"]
        if not nxt:
            return "\n".join(texts)


# --------------------------------------------------------------------------
# Users: create and validate


def test_create_user_shape(server):
    m = new_state(server)
    name = uname()
    r = server.request("POST", "/api/v1/users",
                       {"member_id": m["id"], "name": name, "roles": ["analyst", "delegate", "analyst"],
                        "email": "analyst@example.org", "password": PW}, key=server.admin_key)
    assert r.status == 201, r
    u = r.json
    assert set(u) == USER_FIELDS
    assert uuid.UUID(u["id"])
    assert u["member_id"] == m["id"] and u["name"] == name and u["email"] == "analyst@example.org"
    assert sorted(u["roles"]) == ["analyst", "delegate"]  # repeats collapse
    assert u["status"] == "active" and u["has_password"] is True
    assert u["created_at"] == u["updated_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", u["created_at"])
    assert PW not in r.raw and "argon2" not in r.raw
    assert get_user(server, u["id"]) == u


def test_create_user_without_password_or_email(server, alliance):
    r = server.request("POST", "/api/v1/users", {"member_id": alliance, "name": uname(),
                                                 "roles": ["secretariat", "auditor"]}, key=server.admin_key)
    assert r.status == 201, r
    assert r.json["has_password"] is False and r.json["email"] is None
    assert sorted(r.json["roles"]) == ["auditor", "secretariat"]


def test_user_name_boundaries_accepted(server):
    m = new_state(server)
    for name in ("abc", "a" * 60 + uuid.uuid4().hex[:4], "x.y_z-0" + uuid.uuid4().hex[:6]):
        r = server.request("POST", "/api/v1/users", {"member_id": m["id"], "name": name, "roles": ["analyst"]},
                           key=server.admin_key)
        assert r.status == 201, (name, r)
        assert r.json["name"] == name


@pytest.mark.parametrize("change,status,words", [
    ({"name": "Upper"}, 422, "may hold only a-z, 0-9"),
    ({"name": "with space"}, 422, "may hold only"),
    ({"name": "semi;colon"}, 422, "may hold only"),
    ({"name": "ab"}, 422, "3 to 64 characters"),
    ({"name": "a" * 65}, 422, "3 to 64 characters"),
    ({"name": "a" * 257}, 400, "body.name is longer than 256 bytes"),
    ({"name": 7}, 400, "body.name must be a string"),
    ({"roles": ["admin"]}, 422, "'admin' is not a role"),
    ({"roles": []}, 422, "at least one role"),
    ({"roles": "analyst"}, 400, "body.roles must be an array of strings"),
    ({"roles": [1]}, 400, "body.roles[0] must be a string"),
    ({"colour": "red"}, 400, "unknown field 'colour'"),
    ({"member_id": None}, 400, "body.member_id must be a string"),
    ({"member_id": "DROP"}, 400, "missing required field body.member_id"),
    ({"member_id": "RANDOM"}, 422, "no member with id"),
    ({"member_id": "not-a-uuid"}, 422, "no member with id"),
    ({"email": "not-an-email"}, 422, "is not an e-mail address"),
    ({"password": "short"}, 422, "at least 12 characters"),
    ({"roles": ["secretariat"]}, 422, "only for users of the alliance"),
    ({"roles": ["auditor", "analyst"]}, 422, "only for users of the alliance"),
    ({"member_id": "ALLIANCE", "roles": ["delegate"]}, 422, "delegate role is only for users of a member_state"),
    ({"member_id": "SECTOR", "roles": ["delegate"]}, 422, "delegate role is only for users of a member_state"),
    ({"member_id": "SECTOR", "roles": ["auditor"]}, 422, "only for users of the alliance"),
])
def test_create_user_rejects(server, alliance, change, status, words):
    state = new_state(server)
    sector = server.create_member(kind="sector_member")
    ids = {"ALLIANCE": alliance, "SECTOR": sector["id"], "RANDOM": str(uuid.uuid4())}
    name = uname()
    body = {"member_id": state["id"], "name": name, "roles": ["analyst"]}
    for k, v in change.items():
        if v == "DROP":
            del body[k]
        else:
            body[k] = ids.get(v, v) if isinstance(v, str) else v
    r = server.request("POST", "/api/v1/users", body, key=server.admin_key)
    assert r.status == status, r
    assert words in msg(r), r
    lst = server.request("GET", "/api/v1/users?limit=1000", key=server.admin_key)
    assert name not in {u["name"] for u in lst.json["items"]}, "a rejected user was created"


def test_roles_fit_the_member_when_they_do(server, alliance):
    state = new_state(server)
    sector = server.create_member(kind="sector_member")
    for member_id, roles in [(alliance, ["secretariat"]), (alliance, ["auditor"]), (alliance, ["analyst"]),
                             (state["id"], ["delegate", "analyst"]), (sector["id"], ["analyst"])]:
        u = server.create_user(member_id, roles)
        assert sorted(u["roles"]) == sorted(roles)


def test_user_for_inactive_member_is_422(server):
    m = new_state(server)
    r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended"}, key=server.admin_key)
    assert r.status == 200, r
    r = server.request("POST", "/api/v1/users", {"member_id": m["id"], "name": uname(), "roles": ["analyst"]},
                       key=server.admin_key)
    assert r.status == 422 and "not active" in msg(r), r


def test_duplicate_user_name_is_409(server):
    a, b = new_state(server), server.create_member(kind="academia")
    name = uname()
    server.create_user(a["id"], ["analyst"], name=name)
    for member in (a, b):  # names are unique in the whole store, not per member
        r = server.request("POST", "/api/v1/users", {"member_id": member["id"], "name": name, "roles": ["analyst"]},
                           key=server.admin_key)
        assert r.status == 409, r
        assert name in msg(r)


def test_only_the_secretariat_creates_users(server, alliance):
    state = new_state(server)
    _, analyst = server.actor(state["id"], ["analyst"])
    _, delegate = server.actor(state["id"], ["delegate"])
    _, auditor = server.actor(alliance, ["auditor"])
    for key in (analyst, delegate, auditor):
        name = uname()
        r = server.request("POST", "/api/v1/users", {"member_id": state["id"], "name": name, "roles": ["analyst"]},
                           key=key)
        assert r.status == 403, r
        assert r.json["error"]["code"] == "forbidden"
        assert server.request("GET", "/api/v1/users?limit=1000", key=server.admin_key).raw.count(name) == 0


# --------------------------------------------------------------------------
# Users: read, list, update


def test_get_user_visibility(server, alliance):
    a, b = new_state(server), new_state(server)
    ua, analyst_a = server.actor(a["id"], ["analyst"])
    _, delegate_a = server.actor(a["id"], ["delegate"])
    ub = server.create_user(b["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])
    # Same member: visible to analyst and delegate alike.
    for key in (analyst_a, delegate_a):
        r = server.request("GET", f"/api/v1/users/{ua['id']}", key=key)
        assert r.status == 200 and r.json["id"] == ua["id"], r
    # Another member's user is indistinguishable from a missing one.
    missing = server.request("GET", f"/api/v1/users/{uuid.uuid4()}", key=analyst_a)
    assert missing.status == 404
    for key in (analyst_a, delegate_a):
        r = server.request("GET", f"/api/v1/users/{ub['id']}", key=key)
        assert r.status == 404, r
        assert msg(r) == msg(missing) == "no such user"
    # Readers of everything.
    for key in (auditor, server.admin_key):
        r = server.request("GET", f"/api/v1/users/{ub['id']}", key=key)
        assert r.status == 200 and r.json == ub, r
    assert server.request("GET", "/api/v1/users/not-a-uuid", key=server.admin_key).status == 404


def test_list_scoping(server, alliance):
    a, b = new_state(server), new_state(server)
    a_ids = {server.create_user(a["id"], ["analyst"])["id"] for _ in range(2)}
    b_ids = {server.create_user(b["id"], ["analyst"])["id"] for _ in range(2)}
    me_a, analyst_a = server.actor(a["id"], ["analyst"])
    _, delegate_a = server.actor(a["id"], ["delegate"])
    a_ids.add(me_a["id"])
    _, auditor = server.actor(alliance, ["auditor"])

    def ids(path, key):
        r = server.request("GET", path, key=key)
        assert r.status == 200, r
        return {u["id"] for u in r.json["items"]}, r.json["items"]

    got, items = ids("/api/v1/users?limit=1000", analyst_a)
    assert all(u["member_id"] == a["id"] for u in items)
    assert a_ids <= got and not (got & b_ids)
    got, _ = ids("/api/v1/users?limit=1000", delegate_a)
    assert a_ids <= got and not (got & b_ids)
    # Asking for another member does not widen the scope: nothing.
    got, _ = ids(f"/api/v1/users?member_id={b['id']}", analyst_a)
    assert got == set()
    got, _ = ids(f"/api/v1/users?member_id={a['id']}", analyst_a)
    assert a_ids <= got and len(got) == len(a_ids) + 1  # + the delegate
    # Auditor and secretariat see every member.
    for key in (auditor, server.admin_key):
        got, _ = ids(f"/api/v1/users?member_id={b['id']}", key)
        assert got == b_ids
        got, _ = ids("/api/v1/users?limit=1000", key)
        assert a_ids | b_ids <= got


def test_list_role_filter(server):
    m = new_state(server)
    d = server.create_user(m["id"], ["delegate"])
    both = server.create_user(m["id"], ["delegate", "analyst"])
    an = server.create_user(m["id"], ["analyst"])
    r = server.request("GET", f"/api/v1/users?member_id={m['id']}&role=delegate", key=server.admin_key)
    assert r.status == 200
    assert {u["id"] for u in r.json["items"]} == {d["id"], both["id"]}
    r = server.request("GET", f"/api/v1/users?member_id={m['id']}&role=analyst", key=server.admin_key)
    assert {u["id"] for u in r.json["items"]} == {an["id"], both["id"]}
    r = server.request("GET", "/api/v1/users?role=king", key=server.admin_key)
    assert r.status == 400 and "role" in msg(r)


def test_list_paging(server):
    m = server.create_member(kind="academia")
    made = {server.create_user(m["id"], ["analyst"], name=f"page-{uuid.uuid4().hex[:8]}")["id"] for _ in range(7)}
    seen, nxt, pages = [], None, 0
    while True:
        r = server.request("GET", f"/api/v1/users?member_id={m['id']}&limit=3" + (f"&next={nxt}" if nxt else ""),
                           key=server.admin_key)
        assert r.status == 200, r
        assert len(r.json["items"]) <= 3
        seen += r.json["items"]
        pages += 1
        nxt = r.json["next"]
        if not nxt:
            break
    assert pages == 3
    assert [u["id"] for u in seen if u["id"] in made] == [u["id"] for u in seen]
    assert {u["id"] for u in seen} == made and len(seen) == 7
    names = [u["name"] for u in seen]
    assert names == sorted(names)
    for bad in ("limit=0", "limit=-1", "limit=abc", "limit=1001", "next=bm90LWEtY3Vyc29y"):
        r = server.request("GET", f"/api/v1/users?{bad}", key=server.admin_key)
        assert r.status == 400, (bad, r)


def test_patch_user(server):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst"], email="old@example.org")
    time.sleep(0.002)
    r = server.request("PATCH", f"/api/v1/users/{u['id']}", {"roles": ["analyst", "delegate"]}, key=server.admin_key)
    assert r.status == 200, r
    assert sorted(r.json["roles"]) == ["analyst", "delegate"]
    assert r.json["email"] == "old@example.org" and r.json["status"] == "active"
    assert r.json["updated_at"] > u["updated_at"] and r.json["created_at"] == u["created_at"]
    r = server.request("PATCH", f"/api/v1/users/{u['id']}", {"email": None}, key=server.admin_key)
    assert r.status == 200 and r.json["email"] is None and sorted(r.json["roles"]) == ["analyst", "delegate"]
    assert get_user(server, u["id"]) == r.json


@pytest.mark.parametrize("body,status,words", [
    ({}, 400, "at least one of roles, status, email"),
    ({"name": "renamed"}, 400, "unknown field 'name'"),
    ({"password": PW}, 400, "unknown field 'password'"),
    ({"roles": []}, 422, "at least one role"),
    ({"roles": ["wizard"]}, 422, "is not a role"),
    ({"roles": ["secretariat"]}, 422, "only for users of the alliance"),
    ({"status": "gone"}, 422, "active or disabled"),
    ({"status": None}, 400, "body.status must be a string"),
    ({"email": "nope"}, 422, "e-mail"),
])
def test_patch_user_rejects(server, body, status, words):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    r = server.request("PATCH", f"/api/v1/users/{u['id']}", body, key=server.admin_key)
    assert r.status == status, r
    assert words in msg(r), r
    assert get_user(server, u["id"]) == u


def test_patch_user_authorisation(server, alliance):
    a, b = new_state(server), new_state(server)
    target = server.create_user(a["id"], ["analyst"])
    _, analyst_a = server.actor(a["id"], ["analyst"])
    _, delegate_a = server.actor(a["id"], ["delegate", "analyst"])
    _, analyst_b = server.actor(b["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])
    body = {"roles": ["analyst", "delegate"]}
    for key, status in [(analyst_a, 403), (delegate_a, 403), (auditor, 403), (analyst_b, 404)]:
        r = server.request("PATCH", f"/api/v1/users/{target['id']}", body, key=key)
        assert r.status == status, r
    assert get_user(server, target["id"])["roles"] == ["analyst"]
    # Not even on oneself: a user cannot grant itself roles.
    me, own = server.actor(a["id"], ["analyst"])
    r = server.request("PATCH", f"/api/v1/users/{me['id']}", body, key=own)
    assert r.status == 403
    r = server.request("PATCH", f"/api/v1/users/{target['id']}", body, key=server.admin_key)
    assert r.status == 200


def test_disable_user_stops_keys_and_sessions(server):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst"], password=PW)
    key = server.create_key(u["id"])
    login = server.request("POST", "/api/v1/session", {"name": u["name"], "password": PW})
    assert login.status == 200
    cookie = {"Cookie": "cp_session=" + re.search(r"cp_session=([^;]*)", login.header("Set-Cookie")).group(1)}
    assert server.request("GET", "/api/v1/me", key=key).status == 200
    assert server.request("GET", "/api/v1/me", headers=cookie).status == 200

    r = server.request("PATCH", f"/api/v1/users/{u['id']}", {"status": "disabled"}, key=server.admin_key)
    assert r.status == 200 and r.json["status"] == "disabled", r
    r = server.request("GET", "/api/v1/me", key=key)
    assert r.status == 401 and r.header("WWW-Authenticate"), r
    assert server.request("GET", "/api/v1/me", headers=cookie).status == 401
    # No new keys for a disabled user.
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key)
    assert r.status == 422 and "disabled" in msg(r), r
    # The audit entry says how many sessions ended.
    entries = [e for e in audit_entries(server) if e["target"] == f"user:{u['id']}" and e["action"] == "user.update"]
    assert [e["detail"]["sessions_ended"] for e in entries] == [1]

    # Enabled again: the keys come back, the old session does not.
    r = server.request("PATCH", f"/api/v1/users/{u['id']}", {"status": "active"}, key=server.admin_key)
    assert r.status == 200 and r.json["status"] == "active"
    assert server.request("GET", "/api/v1/me", key=key).status == 200
    assert server.request("GET", "/api/v1/me", headers=cookie).status == 401


# --------------------------------------------------------------------------
# Keys: create, secrets, roles


def test_create_key_returns_the_secret_once(server):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst"], password=PW)
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"], "label": "ingest robot"}, key=server.admin_key)
    assert r.status == 201, r
    k = r.json
    assert set(k) == KEY_FIELDS | {"secret"}
    secret = k["secret"]
    mt = SECRET_RE.fullmatch(secret)
    assert mt and mt.group(1) == k["id"].replace("-", ""), secret
    assert k["user_id"] == u["id"] and k["roles"] == ["analyst"] and k["label"] == "ingest robot"
    assert k["expires_at"] is None and k["revoked_at"] is None
    admin_key_id = server.request("GET", "/api/v1/me", key=server.admin_key).json["key_id"]
    assert k["created_by"] == f"key:{admin_key_id}"
    me = server.request("GET", "/api/v1/me", key=secret)
    assert me.status == 200 and me.json["key_id"] == k["id"]

    digest = hashlib.sha256(secret.encode()).hexdigest()
    tail = mt.group(2)
    shown = []
    g = server.request("GET", f"/api/v1/keys/{k['id']}", key=server.admin_key)
    assert g.status == 200
    assert g.json == {f: k[f] for f in KEY_FIELDS}
    shown.append(g.raw)
    for path in ("/api/v1/keys?limit=1000", f"/api/v1/keys?user_id={u['id']}"):
        lst = server.request("GET", path, key=server.admin_key)
        assert lst.status == 200 and k["id"] in {x["id"] for x in lst.json["items"]}
        assert all(set(x) == KEY_FIELDS for x in lst.json["items"])
        shown.append(lst.raw)
    own = server.request("GET", f"/api/v1/keys/{k['id']}", key=secret)
    assert own.status == 200
    shown.append(own.raw)
    shown.append(server.request("GET", f"/api/v1/users/{u['id']}", key=server.admin_key).raw)
    audit = all_audit_text(server)
    assert f"key:{k['id']}" in audit  # the key.create entry is there ...
    shown.append(audit)
    for text in shown:  # ... but no secret, no part of one, no hash of one, no password hash
        assert secret not in text and tail not in text and digest not in text
        assert "cpk_" not in text
        assert "argon2" not in text and PW not in text
    log = open(server.log_path, errors="replace").read()
    assert "cpk_" not in log and PW not in log


def test_key_roles_are_a_subset_of_the_users(server, alliance):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst", "delegate"])
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key)
    assert r.status == 201 and sorted(r.json["roles"]) == ["analyst", "delegate"]
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"], "roles": ["delegate"]}, key=server.admin_key)
    assert r.status == 201 and r.json["roles"] == ["delegate"]
    for roles, status, words in [(["auditor"], 422, "subset of the user's roles"),
                                 (["analyst", "secretariat"], 422, "subset of the user's roles"),
                                 ([], 422, "at least one role"),
                                 (["root"], 422, "is not a role"),
                                 ("analyst", 400, "array")]:
        r = server.request("POST", "/api/v1/keys", {"user_id": u["id"], "roles": roles}, key=server.admin_key)
        assert r.status == status, (roles, r)
        assert words in msg(r)
    # The secretariat may hand out roles it does not hold itself.
    aud = server.create_user(alliance, ["auditor"])
    r = server.request("POST", "/api/v1/keys", {"user_id": aud["id"], "roles": ["auditor"]}, key=server.admin_key)
    assert r.status == 201 and r.json["roles"] == ["auditor"]


@pytest.mark.parametrize("body,status,words", [
    ({"colour": "red"}, 400, "unknown field 'colour'"),
    ({"user_id": 5}, 400, "body.user_id"),
    ({"label": 5}, 400, "body.label must be a string or null"),
    ({"expires_at": "tomorrow"}, 400, "body.expires_at"),
    ({"expires_at": "2001-02-03T04:05:06Z"}, 422, "must be in the future"),
    ({"expires_at": "PAST"}, 422, "must be in the future"),
])
def test_create_key_rejects(server, body, status, words):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    full = {"user_id": u["id"]}
    full.update(body)
    if full.get("expires_at") == "PAST":
        full["expires_at"] = rfc3339(time.time() - 1)
    r = server.request("POST", "/api/v1/keys", full, key=server.admin_key)
    assert r.status == status, r
    assert words in msg(r)
    lst = server.request("GET", f"/api/v1/keys?user_id={u['id']}", key=server.admin_key)
    assert lst.json["items"] == []


def test_non_secretariat_hands_out_only_its_own_roles(server):
    m = new_state(server)
    me = server.create_user(m["id"], ["analyst", "delegate"])
    narrow = server.create_key(me["id"], roles=["analyst"])
    wide = server.create_key(me["id"])
    # With a key carrying analyst only, a new key for oneself defaults to analyst ...
    r = server.request("POST", "/api/v1/keys", {"user_id": me["id"]}, key=narrow)
    assert r.status == 201 and r.json["roles"] == ["analyst"], r
    assert r.json["created_by"].startswith("key:")
    # ... and may not include delegate, which the user holds but the key does not.
    r = server.request("POST", "/api/v1/keys", {"user_id": me["id"], "roles": ["delegate"]}, key=narrow)
    assert r.status == 422 and "role you do not hold yourself" in msg(r), r
    r = server.request("POST", "/api/v1/keys", {"user_id": me["id"], "roles": ["analyst", "delegate"]}, key=narrow)
    assert r.status == 422
    # A key with both roles hands out both.
    r = server.request("POST", "/api/v1/keys", {"user_id": me["id"]}, key=wide)
    assert r.status == 201 and sorted(r.json["roles"]) == ["analyst", "delegate"]
    # The new key works.
    assert server.request("GET", "/api/v1/me", key=r.json["secret"]).status == 200


def test_key_create_for_others(server, alliance):
    a, b = new_state(server), new_state(server)
    other_a = server.create_user(a["id"], ["analyst"])
    user_b = server.create_user(b["id"], ["analyst"])
    _, analyst_a = server.actor(a["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])
    ghost = str(uuid.uuid4())
    cases = [
        (analyst_a, other_a["id"], 403, None),           # same member: may know, may not act
        (analyst_a, user_b["id"], 404, "no such user"),  # another member: does not exist for it
        (analyst_a, ghost, 404, "no such user"),         # a missing user looks the same
        (auditor, other_a["id"], 403, None),             # auditors change nothing
        (server.admin_key, ghost, 422, "no user with id"),
        (server.admin_key, "not-a-uuid", 422, "no user with id"),
    ]
    for key, uid, status, words in cases:
        r = server.request("POST", "/api/v1/keys", {"user_id": uid}, key=key)
        assert r.status == status, (uid, r)
        if words:
            assert words in msg(r)
    for uid in (other_a["id"], user_b["id"]):
        assert server.request("GET", f"/api/v1/keys?user_id={uid}", key=server.admin_key).json["items"] == []


def test_expiring_key_stops_working(server):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst"])
    until = time.time() + 1.5
    at = rfc3339(until)
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"], "expires_at": at}, key=server.admin_key)
    assert r.status == 201, r
    assert r.json["expires_at"] == at
    secret = r.json["secret"]
    assert server.request("GET", "/api/v1/me", key=secret).status == 200
    time.sleep(max(0.0, until - time.time()) + 0.2)
    r = server.request("GET", "/api/v1/me", key=secret)
    assert r.status == 401 and msg(r) == "invalid, expired or revoked API key", r
    # Still listed, with its expiry.
    lst = server.request("GET", f"/api/v1/keys?user_id={u['id']}", key=server.admin_key)
    assert [k["expires_at"] for k in lst.json["items"]] == [at]


def test_expires_at_with_offset(server):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"], "expires_at": "2999-01-01T02:00:00+02:00"},
                       key=server.admin_key)
    assert r.status == 201, r
    assert r.json["expires_at"] == "2999-01-01T00:00:00.000Z"


# --------------------------------------------------------------------------
# Keys: read, list, revoke


def test_revoke_key(server):
    m = new_state(server)
    u = server.create_user(m["id"], ["analyst"])
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key)
    kid, secret = r.json["id"], r.json["secret"]
    assert server.request("GET", "/api/v1/me", key=secret).status == 200
    r = server.request("DELETE", f"/api/v1/keys/{kid}", key=server.admin_key)
    assert r.status == 200, r
    assert r.json["id"] == kid and r.json["revoked_at"] is not None and "secret" not in r.json
    r = server.request("GET", "/api/v1/me", key=secret)
    assert r.status == 401 and msg(r) == "invalid, expired or revoked API key"
    assert "Bearer" in r.header("WWW-Authenticate")
    # Revocation is final: a second one is a conflict, by either route.
    r = server.request("DELETE", f"/api/v1/keys/{kid}", key=server.admin_key)
    assert r.status == 409 and "already revoked" in msg(r), r
    r = server.request("POST", f"/api/v1/keys/{kid}/revoke", key=server.admin_key)
    assert r.status == 409
    g = server.request("GET", f"/api/v1/keys/{kid}", key=server.admin_key)
    assert g.status == 200 and g.json["revoked_at"] is not None
    for path in (f"/api/v1/keys/{uuid.uuid4()}", "/api/v1/keys/not-a-uuid"):
        assert server.request("DELETE", path, key=server.admin_key).status == 404


def test_revoke_by_post_route(server):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    secret = server.create_key(u["id"])
    kid = server.request("GET", "/api/v1/me", key=secret).json["key_id"]
    r = server.request("POST", f"/api/v1/keys/{kid}/revoke", key=server.admin_key)
    assert r.status == 200 and r.json["revoked_at"]
    assert server.request("GET", "/api/v1/me", key=secret).status == 401


def test_revoke_authorisation(server, alliance):
    a, b = new_state(server), new_state(server)
    me, mine = server.actor(a["id"], ["analyst"])
    other_a = server.create_user(a["id"], ["analyst"])
    user_b = server.create_user(b["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])

    def key_id(user):
        r = server.request("POST", "/api/v1/keys", {"user_id": user["id"]}, key=server.admin_key)
        return r.json["id"], r.json["secret"]

    ka, sa = key_id(other_a)
    kb, sb = key_id(user_b)
    for kid in (ka, kb):
        r = server.request("DELETE", f"/api/v1/keys/{kid}", key=mine)
        assert r.status == 404 and msg(r) == "no such key", r
        r = server.request("POST", f"/api/v1/keys/{kid}/revoke", key=mine)
        assert r.status == 404
        r = server.request("DELETE", f"/api/v1/keys/{kid}", key=auditor)
        assert r.status == 403, r
    assert server.request("GET", "/api/v1/me", key=sa).status == 200
    assert server.request("GET", "/api/v1/me", key=sb).status == 200
    # Own key: yes, even with the key itself.
    own_id = server.request("GET", "/api/v1/me", key=mine).json["key_id"]
    r = server.request("DELETE", f"/api/v1/keys/{own_id}", key=mine)
    assert r.status == 200
    assert server.request("GET", "/api/v1/me", key=mine).status == 401
    r = server.request("DELETE", f"/api/v1/keys/{kb}", key=server.admin_key)
    assert r.status == 200
    assert server.request("GET", "/api/v1/me", key=sb).status == 401


def test_key_read_and_list_scope(server, alliance):
    a = new_state(server)
    me, mine = server.actor(a["id"], ["analyst"])
    second = server.create_key(me["id"])
    other = server.create_user(a["id"], ["analyst"])
    other_secret = server.create_key(other["id"])
    other_kid = server.request("GET", "/api/v1/me", key=other_secret).json["key_id"]
    my_kids = {server.request("GET", "/api/v1/me", key=s).json["key_id"] for s in (mine, second)}
    _, auditor = server.actor(alliance, ["auditor"])

    r = server.request("GET", "/api/v1/keys", key=mine)
    assert r.status == 200
    assert {k["id"] for k in r.json["items"]} == my_kids
    r = server.request("GET", f"/api/v1/keys?user_id={other['id']}", key=mine)
    assert r.status == 200 and r.json == {"items": [], "next": None}
    r = server.request("GET", f"/api/v1/keys/{other_kid}", key=mine)
    assert r.status == 404 and msg(r) == "no such key"
    for kid in my_kids:
        assert server.request("GET", f"/api/v1/keys/{kid}", key=mine).status == 200
    r = server.request("GET", f"/api/v1/keys?user_id={other['id']}", key=auditor)
    assert r.status == 200 and [k["id"] for k in r.json["items"]] == [other_kid]
    assert server.request("GET", f"/api/v1/keys/{other_kid}", key=auditor).status == 200


def test_key_list_paging(server):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    made = [server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key).json["id"]
            for _ in range(5)]
    seen, nxt = [], None
    while True:
        r = server.request("GET", f"/api/v1/keys?user_id={u['id']}&limit=2" + (f"&next={nxt}" if nxt else ""),
                           key=server.admin_key)
        assert r.status == 200 and len(r.json["items"]) <= 2, r
        seen += r.json["items"]
        nxt = r.json["next"]
        if not nxt:
            break
    # Each once, oldest first (keys made in the same millisecond: by id).
    assert sorted(k["id"] for k in seen) == sorted(made) and len(seen) == 5
    assert [(k["created_at"], k["id"]) for k in seen] == sorted((k["created_at"], k["id"]) for k in seen)
    r = server.request("GET", "/api/v1/keys?next=bm90LWEtY3Vyc29y", key=server.admin_key)
    assert r.status == 400


def test_effective_roles_follow_the_user(server, alliance):
    u = server.create_user(alliance, ["auditor", "analyst"])
    k = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key).json
    secret = k["secret"]
    only_auditor = server.create_key(u["id"], roles=["auditor"])
    assert server.request("GET", "/api/v1/audit?limit=1", key=secret).status == 200
    r = server.request("PATCH", f"/api/v1/users/{u['id']}", {"roles": ["analyst"]}, key=server.admin_key)
    assert r.status == 200
    r = server.request("GET", "/api/v1/audit?limit=1", key=secret)
    assert r.status == 403 and r.json["error"]["code"] == "forbidden", r
    me = server.request("GET", "/api/v1/me", key=secret).json
    assert me["roles"] == ["analyst"]
    # The key keeps its own roles on record; they act only as far as the user's reach.
    assert sorted(server.request("GET", f"/api/v1/keys/{k['id']}", key=server.admin_key).json["roles"]) == \
        ["analyst", "auditor"]
    # A key left with no role authenticates (for /me) but may do nothing else.
    me = server.request("GET", "/api/v1/me", key=only_auditor)
    assert me.status == 200 and me.json["roles"] == []
    r = server.request("GET", "/api/v1/members", key=only_auditor)
    assert r.status == 403 and "no role" in msg(r)
    # Giving the role back gives it back to the keys.
    server.request("PATCH", f"/api/v1/users/{u['id']}", {"roles": ["analyst", "auditor"]}, key=server.admin_key)
    assert server.request("GET", "/api/v1/audit?limit=1", key=secret).status == 200


# --------------------------------------------------------------------------
# Keys over HTTP Basic


def b64(s):
    return base64.b64encode(s.encode()).decode()


def test_basic_auth_with_key_id(server):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    k = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key).json
    kid, secret = k["id"], k["secret"]
    for user in (kid, kid.replace("-", ""), kid.upper(), kid.replace("-", "").upper()):
        r = server.request("GET", "/api/v1/me", basic=(user, secret))
        assert r.status == 200, (user, r)
        assert r.json["authenticated_by"] == "api_key" and r.json["key_id"] == kid and r.json["user_id"] == u["id"]
    # Works for writes too (no CSRF: not a cookie).
    r = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, basic=(kid, secret))
    assert r.status == 201


def test_basic_auth_rejects(server):
    m = server.create_member(kind="observer")
    u = server.create_user(m["id"], ["analyst"])
    k = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key).json
    other = server.request("POST", "/api/v1/keys", {"user_id": u["id"]}, key=server.admin_key).json
    kid, secret = k["id"], k["secret"]
    cases = [
        (other["id"], secret),            # a real key id, but not this secret's
        (str(uuid.uuid4()), secret),      # an unknown key id
        ("robot", secret),                # not a key id at all
        (kid[:-1], secret),               # truncated id
        (kid, other["secret"]),           # the id of one key, the secret of another
        (kid, secret[:-1] + ("A" if secret[-1] != "A" else "B")),  # wrong secret
        (kid, ""),
    ]
    for user, pw in cases:
        r = server.request("GET", "/api/v1/me", basic=(user, pw))
        assert r.status == 401, (user, r)
        assert msg(r) == "invalid, expired or revoked API key"
        assert 'Basic realm="cyberpact"' in r.header("WWW-Authenticate")
    for value in ("Basic " + b64(kid + secret),  # no colon
                  "Basic !!!not-base64!!!",
                  "Basic ",
                  "Basic " + "QUFB" * 100):     # too long
        r = server.request("GET", "/api/v1/me", headers={"Authorization": value})
        assert r.status == 401, (value, r)
        assert r.header("WWW-Authenticate")
