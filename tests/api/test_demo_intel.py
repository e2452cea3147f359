"""`cyberpact demo` seeds threat intelligence: public, alliance and group objects that
TAXII, search and the sharing rules show as they should."""
import json
import os
import tempfile

from conftest import STORE, Server, fresh_pg_database, run_cli

TAXII = {"Accept": "application/taxii+json;version=2.1"}


def demo_server():
    s = Server.__new__(Server)  # a server on a demo store instead of an `init` one
    s.dir = tempfile.mkdtemp(prefix="cp-demo-")
    s.data = os.path.join(s.dir, "data")
    s.db = fresh_pg_database() if STORE == "postgresql" else None
    s.extra, s.env, s.proc, s.port = [], {}, None, None
    s.log_path = os.path.join(s.dir, "server.log")
    run_cli(["demo", "--no-serve"], data=s.data, db=s.db)
    creds = json.load(open(os.path.join(s.data, "demo-credentials.json")))
    return s.start(), creds


def key_of(creds, user):
    return next(c["key"] for c in creds if c["user"] == user)


def objects(s, collection, key=None):
    r = s.request("GET", f"/taxii2/alliance/collections/{collection}/objects/", key=key, headers=TAXII)
    return r.status, (r.json or {}).get("objects", [])


def test_demo_intelligence_is_shared_by_the_rules():
    s, creds = demo_server()
    try:
        # anonymous: the public collection's TLP:CLEAR objects, nothing else
        st, pub = objects(s, "public")
        assert st == 200 and {o["type"] for o in pub} == {"identity", "indicator"}
        assert objects(s, "alliance")[0] == 401
        # an analyst of a member state in the group reads the alliance and the group
        group_analyst = next(c for c in creds if c["user"].startswith("analyst-") and c["user"] != "analyst-sahel")
        st, alliance = objects(s, "alliance", key=group_analyst["key"])
        assert st == 200 and len([o for o in alliance if o["type"] == "indicator"]) == 5
        st, group = objects(s, "csirt-group", key=group_analyst["key"])
        assert st == 200 and any("email-addr" in o.get("pattern", "") for o in group)
        # the sector member's analyst is outside the group: 404, and search never shows the RED object
        sahel = key_of(creds, "analyst-sahel")
        assert objects(s, "csirt-group", key=sahel)[0] == 404
        r = s.request("GET", "/api/v1/intel/search?value=minister.office@mail-secure.example", key=sahel)
        assert r.status == 200 and r.json["items"] == []
        r = s.request("GET", "/api/v1/intel/search?value=minister.office@mail-secure.example", key=group_analyst["key"])
        assert r.status == 200 and len(r.json["items"]) == 1 and r.json["items"][0]["tlp"] == "TLP:RED"
        # search: an address inside the demo's C2 range, a subdomain of the demo's bad domain
        r = s.request("GET", "/api/v1/intel/search?value=192.0.2.130", key=sahel)
        assert r.status == 200 and [i["value"] for i in r.json["items"]] == ["192.0.2.128/26"]
        r = s.request("GET", "/api/v1/intel/search?value=www.bad-updates.example", key=sahel)
        assert r.status == 200 and r.json["items"][0]["subdomains"] is True
        # the delegate does not read intelligence contents
        delegate = next(c["key"] for c in creds if c["user"].startswith("delegate-"))
        assert objects(s, "alliance", key=delegate)[0] == 403
    finally:
        s.cleanup()
