"""Members, their status and their constituencies, with every role."""
import uuid

import pytest


def test_create_member_state(server, country):
    r = server.request("POST", "/api/v1/members",
                       {"kind": "member_state", "name": f"State {country}", "country": country.lower(),
                        "csirt": {"team": "CERT", "email": "cert@example.org", "phone": "+41 22 730 5111",
                         "pgp_fingerprint": "0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567"}},
                       key=server.admin_key)
    assert r.status == 201, r
    m = r.json
    assert uuid.UUID(m["id"])
    assert m["country"] == country and len(m["country3"]) == 3
    assert m["status"] == "active" and m["alliance"] is False
    assert m["csirt"]["email"] == "cert@example.org"
    g = server.request("GET", f"/api/v1/members/{m['id']}", key=server.admin_key)
    assert g.status == 200 and g.json == m


@pytest.mark.parametrize("body,status,words", [
    ({"kind": "member_state", "name": "No Country"}, 422, "country"),
    ({"kind": "member_state", "name": "Bad Country", "country": "QQ"}, 422, "QQ"),
    ({"kind": "observer", "name": "Obs", "country": "FR"}, 422, "only a member_state"),
    ({"kind": "planet", "name": "Mars"}, 422, "kind"),
    ({"kind": "observer"}, 400, "missing required field body.name"),
    ({"kind": "observer", "name": "X", "colour": "red"}, 400, "unknown field 'colour'"),
    ({"kind": "observer", "name": 5}, 400, "body.name must be a string"),
    ({"kind": "observer", "name": "X", "csirt": {"email": "not-an-email"}}, 422, "e-mail"),
    ({"kind": "observer", "name": "X", "csirt": {"pgp_fingerprint": "abc"}}, 422, "pgp"),
    ({"kind": "observer", "name": "X", "csirt": {"fax": "1"}}, 400, "unknown field 'fax'"),
    ({"kind": "observer", "name": " padded "}, 422, "spaces"),
    ({"kind": "observer", "name": ""}, 422, "name"),
])
def test_create_member_rejects(server, body, status, words):
    r = server.request("POST", "/api/v1/members", body, key=server.admin_key)
    assert r.status == status, r
    assert words in r.json["error"]["message"]


def test_duplicate_state_and_name_conflict(server, country):
    server.create_member(name=f"Dup {country}", country=country)
    r = server.request("POST", "/api/v1/members", {"kind": "member_state", "name": "Other", "country": country},
                       key=server.admin_key)
    assert r.status == 409
    r = server.request("POST", "/api/v1/members", {"kind": "observer", "name": f"Dup {country}"},
                       key=server.admin_key)
    assert r.status == 409


def test_list_pages_and_filters(server):
    tag = uuid.uuid4().hex[:6]
    made = {server.create_member(kind="academia", name=f"Academy {tag} {i:02d}")["id"] for i in range(7)}
    seen, nxt, pages = [], None, 0
    while True:
        path = "/api/v1/members?kind=academia&limit=3" + (f"&next={nxt}" if nxt else "")
        r = server.request("GET", path, key=server.admin_key)
        assert r.status == 200
        assert len(r.json["items"]) <= 3
        seen += r.json["items"]
        pages += 1
        nxt = r.json["next"]
        if not nxt:
            break
    ids = [m["id"] for m in seen]
    assert made <= set(ids)
    assert len(ids) == len(set(ids)), "a member appeared on two pages"
    names = [m["name"] for m in seen]
    assert names == sorted(names)
    assert all(m["kind"] == "academia" for m in seen)
    assert pages >= 3


def test_bad_cursor_and_filter(server):
    r = server.request("GET", "/api/v1/members?next=bm90LWEtY3Vyc29y", key=server.admin_key)
    assert r.status == 400 and "cursor" in r.json["error"]["message"]
    r = server.request("GET", "/api/v1/members?kind=planet", key=server.admin_key)
    assert r.status == 400


def test_unknown_member_is_404(server):
    for path in (f"/api/v1/members/{uuid.uuid4()}", "/api/v1/members/not-a-uuid"):
        r = server.request("GET", path, key=server.admin_key)
        assert r.status == 404


def test_update_member(server, country):
    m = server.create_member(name=f"Upd {country}", country=country)
    r = server.request("PATCH", f"/api/v1/members/{m['id']}",
                       {"name": f"Updated {country}", "csirt": {"team": "New Team"}}, key=server.admin_key)
    assert r.status == 200, r
    assert r.json["name"] == f"Updated {country}" and r.json["csirt"]["team"] == "New Team"
    r = server.request("PATCH", f"/api/v1/members/{m['id']}", {"csirt": {"team": None}}, key=server.admin_key)
    assert r.json["csirt"]["team"] is None
    r = server.request("PATCH", f"/api/v1/members/{m['id']}", {"kind": "observer"}, key=server.admin_key)
    assert r.status == 400


def test_status_changes_and_history(server):
    m = server.create_member(kind="sector_member")
    u, key = server.actor(m["id"], ["analyst"])
    assert server.request("GET", "/api/v1/members", key=key).status == 200
    r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended", "reason": "arrears"},
                       key=server.admin_key)
    assert r.status == 200 and r.json["status"] == "suspended"
    # A suspended member's users may only read /me.
    assert server.request("GET", "/api/v1/me", key=key).status == 200
    r = server.request("GET", "/api/v1/members", key=key)
    assert r.status == 403 and "not active" in r.json["error"]["message"]
    r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "suspended"}, key=server.admin_key)
    assert r.status == 409
    server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "active"}, key=server.admin_key)
    assert server.request("GET", "/api/v1/members", key=key).status == 200
    h = server.request("GET", f"/api/v1/members/{m['id']}/status", key=server.admin_key)
    assert [x["status"] for x in h.json["items"]] == ["active", "suspended", "active"]
    assert h.json["items"][0]["reason"] == "admitted"
    assert h.json["items"][1]["reason"] == "arrears"
    server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "withdrawn"}, key=server.admin_key)
    r = server.request("POST", f"/api/v1/members/{m['id']}/status", {"status": "active"}, key=server.admin_key)
    assert r.status == 422


def test_alliance_cannot_be_suspended(server):
    r = server.request("POST", f"/api/v1/members/{server.alliance_id()}/status", {"status": "suspended"},
                       key=server.admin_key)
    assert r.status == 422


def test_constituency(server, country):
    m = server.create_member(country=country)
    base = f"/api/v1/members/{m['id']}/constituency"
    added = []
    for typ, value, canon in [("cidr", "192.0.2.0/24", "192.0.2.0/24"),
                              ("cidr", "2001:DB8:0:0::/32", "2001:db8::/32"),
                              ("cidr", "198.51.100.7", "198.51.100.7/32"),
                              ("asn", "as64500", "AS64500"),
                              ("domain", "CERT.Example.ORG.", "cert.example.org")]:
        r = server.request("POST", base, {"type": typ, "value": value}, key=server.admin_key)
        assert r.status == 201, r
        assert r.json["value"] == canon and r.json["type"] == typ and r.json["source"] == "manual"
        added.append(r.json["id"])
    r = server.request("POST", base, {"type": "cidr", "value": "192.0.2.0/24"}, key=server.admin_key)
    assert r.status == 409
    for typ, value in [("cidr", "10.1.2.3/8"), ("cidr", "300.1.1.1"), ("asn", "AS0"), ("domain", "-bad-.org"),
                       ("domain", "localhost"), ("email", "a@b.c")]:
        r = server.request("POST", base, {"type": typ, "value": value}, key=server.admin_key)
        assert r.status == 422, (typ, value, r)
    lst = server.request("GET", base, key=server.admin_key)
    assert {e["id"] for e in lst.json["items"]} == set(added)
    r = server.request("DELETE", f"{base}/{added[0]}", key=server.admin_key)
    assert r.status == 200
    r = server.request("DELETE", f"{base}/{added[0]}", key=server.admin_key)
    assert r.status == 404
    assert len(server.request("GET", base, key=server.admin_key).json["items"]) == len(added) - 1


def test_roles_on_members(server, country):
    """Grants and denials for every role."""
    state = server.create_member(country=country)
    other = server.create_member(kind="sector_member")
    alliance = server.alliance_id()
    _, analyst = server.actor(state["id"], ["analyst"])
    _, delegate = server.actor(state["id"], ["delegate"])
    _, outsider = server.actor(other["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])
    new = {"kind": "observer", "name": "Obs " + uuid.uuid4().hex[:6]}
    cons = f"/api/v1/members/{state['id']}/constituency"
    server.request("POST", cons, {"type": "asn", "value": "AS65001"}, key=server.admin_key)

    # Everyone authenticated reads the directory.
    for k in (analyst, delegate, outsider, auditor):
        assert server.request("GET", "/api/v1/members", key=k).status == 200
        assert server.request("GET", f"/api/v1/members/{state['id']}", key=k).status == 200
    # Only the secretariat creates, suspends, changes constituencies.
    for k in (analyst, delegate, outsider, auditor):
        assert server.request("POST", "/api/v1/members", new, key=k).status == 403
        assert server.request("POST", f"/api/v1/members/{state['id']}/status", {"status": "suspended"},
                              key=k).status == 403
        assert server.request("POST", cons, {"type": "asn", "value": "AS65002"}, key=k).status == 403
        assert server.request("PATCH", f"/api/v1/members/{state['id']}", {"name": "Hijack"}, key=k).status in (400, 403)
    # The member's own analyst may update its CSIRT contact, and only that.
    r = server.request("PATCH", f"/api/v1/members/{state['id']}", {"csirt": {"phone": "+1 555 0100"}}, key=analyst)
    assert r.status == 200 and r.json["csirt"]["phone"] == "+1 555 0100"
    assert server.request("PATCH", f"/api/v1/members/{state['id']}", {"name": "Renamed"}, key=analyst).status == 400
    assert server.request("PATCH", f"/api/v1/members/{state['id']}", {"csirt": {"phone": "1"}}, key=outsider).status == 403
    assert server.request("PATCH", f"/api/v1/members/{state['id']}", {"csirt": {"phone": "1"}}, key=delegate).status == 403
    # Constituency: own users and auditors read; other members do not.
    assert server.request("GET", cons, key=analyst).status == 200
    assert server.request("GET", cons, key=delegate).status == 200
    assert server.request("GET", cons, key=auditor).status == 200
    assert server.request("GET", cons, key=outsider).status == 403
    # Nothing without credentials.
    r = server.request("GET", "/api/v1/members")
    assert r.status == 401 and "Bearer" in r.header("WWW-Authenticate")
