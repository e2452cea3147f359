"""Search and correlation (GET /api/v1/intel/search, GET /api/v1/intel/correlations/{id}).

Objects are planted through TAXII by three member states A, B and C. B also
writes a TLP:RED object into a group collection of A and B only: it must never
reach C, by search, by correlation, or by a count. The server runs with
--correlation-max 3 and the fixture warninglists (tests/data/warninglists)."""
import json
import os
import uuid
from urllib.parse import quote

import pytest

from conftest import Server, free_countries

TAXII = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TS = "2026-01-02T03:04:05.000Z"
SHA256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
WARNINGLISTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "warninglists")


def indicator(pattern, tlp=GREEN):
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}", "created": TS,
            "modified": TS, "name": "planted", "pattern": pattern, "pattern_type": "stix", "valid_from": TS,
            "object_marking_refs": [tlp]}


def post(s, key, collection, objects):
    r = s.request("POST", f"/taxii2/alliance/collections/{collection}/objects/", raw=json.dumps({"objects": objects}).encode(),
                  key=key, content_type=TAXII)
    assert r.status == 202, r
    assert r.json["success_count"] == len(objects), r
    return [o["id"] for o in objects]


class World:
    pass


@pytest.fixture(scope="module")
def w():
    s = Server(["--auth-failures-per-minute", "100000", "--correlation-max", "3", "--warninglists", WARNINGLISTS]).start()
    countries = iter(free_countries())
    x = World()
    x.s = s
    x.a = s.create_member(country=next(countries))
    x.b = s.create_member(country=next(countries))
    x.c = s.create_member(country=next(countries))
    _, x.ka = s.actor(x.a["id"], ["analyst"])
    _, x.kb = s.actor(x.b["id"], ["analyst"])
    _, x.kc = s.actor(x.c["id"], ["analyst"])
    _, x.kdel = s.actor(x.a["id"], ["delegate"])
    _, x.kaud = s.actor(s.alliance_id(), ["auditor"])
    s.cli(["collection", "create", "--title", "A and B", "--audience", "group", "--alias", "ab-group",
           "--member", x.a["id"] + ":rw", "--member", x.b["id"] + ":rw"])

    # A: one address; B: the /24 around it, a domain, a URL, a hash, an e-mail; C: any subdomain of the domain
    [x.i1] = post(s, x.ka, "alliance", [indicator("[ipv4-addr:value = '198.51.100.7']")])
    [x.i2, x.dom, x.url, x.hash, x.mail] = post(s, x.kb, "alliance", [
        indicator("[ipv4-addr:value ISSUBSET '198.51.100.0/24']"),
        {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{uuid.uuid4()}", "value": "Evil.Example"},
        indicator("[url:value = 'HTTP://Evil.Example:80/a/%7epath']"),
        indicator(f"[file:hashes.'SHA-256' = '{SHA256}']"),
        indicator("[email-addr:value = 'Phisher@Evil.Example']"),
    ])
    [x.sub] = post(s, x.kc, "alliance", [indicator("[domain-name:value LIKE '%.evil.example']")])
    # B, RED, group collection: the same address plus one only it mentions
    [x.red] = post(s, x.kb, "ab-group", [indicator("[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '203.0.113.99']",
                                                   tlp=RED)])
    # 8.8.8.8 in four objects of three members: more than --correlation-max 3
    x.dns = post(s, x.ka, "alliance", [indicator("[ipv4-addr:value = '8.8.8.8' OR ipv4-addr:value = '192.0.2.55']")])
    x.dns += post(s, x.kb, "alliance", [indicator("[ipv4-addr:value = '8.8.8.8']")])
    x.dns += post(s, x.kc, "alliance", [indicator("[ipv4-addr:value = '8.8.8.8']"),
                                         indicator("[ipv4-addr:value = '8.8.8.8' OR ipv4-addr:value = '192.0.2.55']")])
    yield x
    s.cleanup()


def search(w, key, value, **params):
    q = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in {"value": value, **params}.items())
    return w.s.request("GET", "/api/v1/intel/search?" + q, key=key)


def ids(r):
    assert r.status == 200, r
    return {i["id"] for i in r.json["items"]}


def corr(w, key, object_id, collection="alliance", **params):
    q = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in {"collection": collection, **params}.items())
    return w.s.request("GET", f"/api/v1/intel/correlations/{object_id}?" + q, key=key)


def test_ip_in_cidr_and_cidr_containing_ip(w):
    # a network finds what lies inside it, and itself
    assert ids(search(w, w.kc, "198.51.100.0/24")) == {w.i1, w.i2}
    assert ids(search(w, w.kc, "198.51.100.0/25")) == {w.i1, w.i2}  # inside one, contained in the other
    assert ids(search(w, w.kc, "198.51.100.128/25")) == {w.i2}
    assert ids(search(w, w.kc, "198.51.0.0/16")) == {w.i1, w.i2}
    # an address finds the networks that contain it, in every notation
    assert ids(search(w, w.kc, "198.51.100.7")) == {w.i1, w.i2}
    assert ids(search(w, w.kc, "::ffff:198.51.100.7")) == {w.i1, w.i2}
    assert ids(search(w, w.kc, "198.51.100.200")) == {w.i2}
    assert ids(search(w, w.kc, "198.51.101.7")) == set()
    r = search(w, w.kc, "198.51.100.7")
    item = [i for i in r.json["items"] if i["id"] == w.i2][0]
    assert item["kind"] == "ip" and item["value"] == "198.51.100.0/24" and item["collection_id"]
    assert item["type"] == "indicator" and item["tlp"] == "TLP:GREEN" and item["version"] == TS
    assert item["date_added"].endswith("Z") and item["warninglist"] is None
    assert r.json["over_correlating"] is False and r.json["next"] is None


def test_domain_url_hash_email(w):
    # the domain, and the object that names it as "any subdomain of" (it mentions it; flagged)
    r = search(w, w.kc, "EVIL.example.")
    assert ids(r) == {w.dom, w.sub}
    assert {(i["id"], i["subdomains"]) for i in r.json["items"]} == {(w.dom, False), (w.sub, True)}
    # a subdomain is matched by the "any subdomain of" indicator only; badevil.example by nothing
    assert ids(search(w, w.kc, "www.evil.example")) == {w.sub}
    assert ids(search(w, w.kc, "badevil.example")) == set()
    assert ids(search(w, w.kc, "http://evil.example/a/~path")) == {w.url}
    assert ids(search(w, w.kc, "http://EVIL.example:80/a/%7Epath", kind="url")) == {w.url}
    assert ids(search(w, w.kc, SHA256.lower())) == {w.hash}
    assert ids(search(w, w.kc, SHA256, kind="sha256")) == {w.hash}
    assert ids(search(w, w.kc, "Phisher@evil.EXAMPLE")) == {w.mail}


def test_bad_values(w):
    for value, kind in [("198.51.100.7/24", None), ("evil.example", "ip"), (SHA256[:-1], "sha256"), ("x", "hash"), ("", None)]:
        r = search(w, w.kc, value, **({"kind": kind} if kind else {}))
        assert r.status == 400, (value, r)
    assert "did you mean 198.51.100.0/24" in search(w, w.kc, "198.51.100.7/24").json["error"]["message"]
    assert w.s.request("GET", "/api/v1/intel/search", key=w.kc).status == 400


def test_paging(w):
    seen, nxt, pages = [], None, 0
    while True:
        params = {"limit": 1}
        if nxt:
            params["next"] = nxt
        r = search(w, w.ka, "8.8.8.8", **params)
        assert r.status == 200 and len(r.json["items"]) <= 1
        seen += [i["id"] for i in r.json["items"]]
        nxt = r.json["next"]
        pages += 1
        if not nxt:
            break
    assert seen == w.dns and pages == 4  # in the order they were added, each once
    assert search(w, w.ka, "8.8.8.8", next="junk").status == 400
    assert search(w, w.ka, "8.8.8.8", limit=0).status == 400


def test_over_correlation_and_warninglist(w):
    r = search(w, w.kc, "8.8.8.8")
    assert r.json["over_correlating"] is True and ids(r) == set(w.dns)
    assert {i["warninglist"] for i in r.json["items"]} == {"Test resolvers"}
    # correlations do not expand 8.8.8.8: reported, with the count found (more than 3)
    r = corr(w, w.ka, w.dns[0])
    assert r.status == 200, r
    assert r.json["over_correlating"] == [{"kind": "ip", "value": "8.8.8.8", "count": 4}]
    # what they share besides it is expanded: 192.0.2.55 with C's second object
    assert [(i["id"], i["shared"]) for i in r.json["items"]] == [
        (w.dns[3], [{"kind": "ip", "value": "192.0.2.55", "subdomains": False}])]


def test_correlations_across_members(w):
    r = corr(w, w.kc, w.i1)
    assert r.status == 200, r
    assert r.json["object"]["id"] == w.i1 and r.json["object"]["tlp"] == "TLP:GREEN"
    assert [(i["id"], i["shared"]) for i in r.json["items"]] == [
        (w.i2, [{"kind": "ip", "value": "198.51.100.7", "subdomains": False}])]
    assert r.json["over_correlating"] == [] and r.json["truncated"] is False
    # A (in the group) also sees B's RED object; C never does
    assert {i["id"] for i in corr(w, w.ka, w.i1).json["items"]} == {w.i2, w.red}
    assert {i["id"] for i in corr(w, w.kc, w.i1, all_members="true").json["items"]} == {w.i2}
    # the object's own member's objects only with all_members=true
    assert {i["id"] for i in corr(w, w.kb, w.i2).json["items"]} == {w.i1}
    assert {i["id"] for i in corr(w, w.kb, w.i2, all_members="true").json["items"]} == {w.i1, w.red}
    # the domain and its subdomain indicator, across B and C
    r = corr(w, w.kc, w.sub)
    assert [(i["id"], i["shared"]) for i in r.json["items"]] == [
        (w.dom, [{"kind": "domain", "value": "evil.example", "subdomains": True}])]
    assert corr(w, w.kc, w.i1, all_members="maybe").status == 400
    assert w.s.request("GET", f"/api/v1/intel/correlations/{w.i1}", key=w.kc).status == 400  # collection required
    assert corr(w, w.kc, "indicator--" + str(uuid.uuid4())).status == 404
    assert corr(w, w.kc, "not-an-id").status == 400


def test_red_in_group_invisible_to_outsiders(w):
    # search: C gets neither the object nor a count
    assert ids(search(w, w.kc, "203.0.113.99")) == set()
    assert ids(search(w, w.ka, "203.0.113.99")) == {w.red}
    assert ids(search(w, w.kb, "198.51.100.7")) == {w.i1, w.i2, w.red}
    r = search(w, w.ka, "203.0.113.99")
    assert r.json["items"][0]["tlp"] == "TLP:RED"
    # correlations of the RED object: the group's members only; to C it does not exist
    assert corr(w, w.kc, w.red, collection="ab-group").status == 404
    assert corr(w, w.kc, w.red).status == 404  # not in the alliance collection
    r = corr(w, w.ka, w.red, collection="ab-group")
    assert r.status == 200 and {i["id"] for i in r.json["items"]} == {w.i1}  # i2 is B's own
    r = corr(w, w.ka, w.red, collection="ab-group", all_members="true")
    assert r.status == 200 and {i["id"] for i in r.json["items"]} == {w.i1, w.i2}


def test_who_may_ask(w):
    for path in ["/api/v1/intel/search?value=8.8.8.8", f"/api/v1/intel/correlations/{w.i1}?collection=alliance"]:
        assert w.s.request("GET", path).status == 401
        assert w.s.request("GET", path, key="cp_notakey").status == 401
        assert w.s.request("GET", path, key=w.kdel).status == 403
        assert w.s.request("GET", path, key=w.kaud).status == 403
        assert w.s.request("GET", path, key=w.s.admin_key).status == 200  # the secretariat handles intelligence
