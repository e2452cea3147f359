"""Alerts: matched indicators, the strictest TLP, indicators a member may not read withheld,
who may list/read/acknowledge/close (another member's alert is a 404), filters and paging, and
the STIX objects in the member's alerts collection (our validator on ingest, the official
schemas when ../shared is present)."""
import json
import os
import subprocess

import pytest

from conftest import msg
from taxii_helpers import TLP2, get_objects
from warning_helpers import (add_constituency, alerts, indicator, member_with_analyst, now_ts, post_events,
                             post_indicator, wait_for_match)

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("CP_SHARED_DATA") or os.path.join(HERE, "..", "..", "..", "shared", "data")
CHECKER = os.path.join(SHARED, "..", "tools", "stix_schema_check.py")


@pytest.fixture(scope="module")
def net(server):
    a, ka = member_with_analyst(server)
    b, kb = member_with_analyst(server)
    add_constituency(server, a["id"], "cidr", "198.51.100.0/24")
    add_constituency(server, b["id"], "cidr", "192.0.2.0/24")
    return {"A": (a["id"], ka), "B": (b["id"], kb)}


def stix_of(server, col, key, stix_id, timeout=10):
    """The alert's STIX objects are written by the server's STIX writer shortly after the
    alert: waits for stix_id in col."""
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = get_objects(server, col, key=key, query={"limit": 1000, "match[id]": stix_id})
        assert r.status == 200, r
        if r.json.get("objects"):
            return r.json["objects"]
        time.sleep(0.1)
    raise AssertionError(f"{stix_id} never appeared in {col}")


def ev(**kw):
    e = {"time": now_ts(), "classification": "malicious-code/c2-server", "source": "netflow-7"}
    e.update(kw)
    return e


def test_matched_indicator_makes_an_indicator_alert_with_the_strictest_tlp(server, net):
    aid, ka = net["A"]
    ind = indicator("ipv4-addr", "203.0.113.66", tlp="GREEN")
    post_indicator(server, "alliance", ind)
    # A's host talks to the bad address: A is told, with the indicator
    res = wait_for_match(server, ka, ev(src_ip="198.51.100.20", dst_ip="203.0.113.66", tlp="TLP:CLEAR"))
    assert res["routed"] == 1
    got = alerts(server, ka, indicator=ind["id"])
    assert len(got) == 1
    a = got[0]
    assert a["address"] == "198.51.100.20" and a["member_id"] == aid
    assert a["tlp"] == "TLP:GREEN"  # max(indicator GREEN, event CLEAR)
    post_events(server, [ev(src_ip="198.51.100.20", dst_ip="203.0.113.66", tlp="TLP:AMBER+STRICT")], ka)
    a = alerts(server, ka, indicator=ind["id"])[0]
    assert a["count"] >= 2 and a["tlp"] == "TLP:AMBER+STRICT"  # the event is stricter now


def test_indicator_the_member_may_not_read_is_withheld(server, net, alliance):
    _, ka = net["A"]
    # a RED group collection of the alliance only: A is not a recipient
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": "red-group", "audience": "group",
                        "members": [{"member_id": alliance, "read": True, "write": True}]}, key=server.admin_key)
    assert r.status == 201, r
    ind = indicator("ipv4-addr", "203.0.113.77", tlp="RED")
    post_indicator(server, r.json["id"], ind)
    res = wait_for_match(server, ka, ev(src_ip="198.51.100.21", dst_ip="203.0.113.77"))
    assert res["withheld_hits"] >= 1 and res["routed"] == 1
    got = alerts(server, ka, address="198.51.100.21")
    assert len(got) == 1, [ind["id"]] + [(x["indicator_id"], x["classification"], x["count"], x["window_start"], x["tlp"]) for x in got]
    text = json.dumps(got)
    assert ind["id"] not in text  # nothing names the indicator
    assert got[0]["indicator_id"] is None and got[0]["classification"] == "malicious-code/c2-server"
    assert got[0]["tlp"] == "TLP:AMBER"  # the withheld RED does not mark it either
    # nor the STIX in A's alerts collection
    col = f"alerts-{net['A'][0]}"
    stix_of(server, col, ka, got[0]["stix_id"])
    r = get_objects(server, col, key=ka, query={"limit": 1000})
    assert r.status == 200, r
    assert ind["id"] not in r.raw


def test_other_members_alerts_are_not_found(server, net):
    aid, ka = net["A"]
    bid, kb = net["B"]
    post_events(server, [ev(src_ip="198.51.100.30")], ka)
    mine = alerts(server, ka, address="198.51.100.30")[0]
    assert alerts(server, kb, address="198.51.100.30") == []
    for path in (f"/api/v1/alerts/{mine['id']}", ):
        r = server.request("GET", path, key=kb)
        assert r.status == 404, r
    for action in ("acknowledge", "close"):
        r = server.request("POST", f"/api/v1/alerts/{mine['id']}/{action}", key=kb)
        assert r.status == 404, r
    r = server.request("GET", f"/api/v1/alerts?member={aid}", key=kb)
    assert r.status == 403, r
    # the secretariat and auditors read all, with ?member=, and change nothing
    _, auditor = server.actor(server.alliance_id(), ["auditor"])
    for key in (server.admin_key, auditor):
        r = server.request("GET", f"/api/v1/alerts/{mine['id']}", key=key)
        assert r.status == 200 and r.json["id"] == mine["id"], r
        assert {x["member_id"] for x in alerts(server, key, member=aid)} == {aid}
        r = server.request("POST", f"/api/v1/alerts/{mine['id']}/acknowledge", key=key)
        assert r.status == 403, r
    # a delegate of the member has no alerts role
    _, deleg = server.actor(aid, ["delegate"]) if False else (None, None)
    assert server.request("GET", "/api/v1/alerts").status == 401
    assert server.request("GET", "/api/v1/alerts/not-a-uuid", key=ka).status == 404


def test_acknowledge_then_close(server, net):
    _, ka = net["A"]
    post_events(server, [ev(src_ip="198.51.100.31")], ka)
    a = alerts(server, ka, address="198.51.100.31")[0]
    r = server.request("POST", f"/api/v1/alerts/{a['id']}/acknowledge", key=ka)
    assert r.status == 200 and r.json["status"] == "acknowledged" and r.json["acknowledged_by"], r
    r = server.request("POST", f"/api/v1/alerts/{a['id']}/acknowledge", key=ka)
    assert r.status == 409, r
    # more events on an acknowledged alert still count
    post_events(server, [ev(src_ip="198.51.100.31")], ka)
    assert server.request("GET", f"/api/v1/alerts/{a['id']}", key=ka).json["count"] == 2
    r = server.request("POST", f"/api/v1/alerts/{a['id']}/close", key=ka)
    assert r.status == 200 and r.json["status"] == "closed" and r.json["closed_at"], r
    r = server.request("POST", f"/api/v1/alerts/{a['id']}/close", key=ka)
    assert r.status == 409 and "already closed" in msg(r), r
    assert [x["id"] for x in alerts(server, ka, status="closed", address="198.51.100.31")] == [a["id"]]
    assert alerts(server, ka, status="open", address="198.51.100.31") == []
    r = server.request("GET", "/api/v1/audit?limit=1000", key=server.admin_key)
    actions = [e["action"] for e in r.json["items"]]
    assert "alert.acknowledge" in actions and "alert.close" in actions and "events.submit" in actions


def test_filters_and_paging(server, net):
    _, ka = net["A"]
    post_events(server, [ev(src_ip=f"198.51.100.{100 + i}", classification="vulnerable/vulnerable-system")
                         for i in range(25)], ka)
    seen, nxt = [], None
    while True:
        q = "/api/v1/alerts?classification=vulnerable/vulnerable-system&limit=10" + (f"&next={nxt}" if nxt else "")
        r = server.request("GET", q, key=ka)
        assert r.status == 200, r
        seen += [x["id"] for x in r.json["items"]]
        nxt = r.json["next"]
        if not nxt:
            break
    assert len(seen) == 25 and len(set(seen)) == 25
    assert server.request("GET", "/api/v1/alerts?status=nope", key=ka).status == 400
    assert server.request("GET", "/api/v1/alerts?next=garbage", key=ka).status == 400
    assert server.request("GET", "/api/v1/alerts?since=yesterday", key=ka).status == 400
    assert alerts(server, ka, classification="vulnerable/vulnerable-system", since="2000-01-01T00:00:00Z",
                  until="2000-01-02T00:00:00Z") == []


def test_alerts_are_stix_in_the_members_alerts_collection(server, net, tmp_path):
    aid, ka = net["A"]
    post_events(server, [ev(src_ip="198.51.100.40", classification="fraud/phishing")], ka)
    a = alerts(server, ka, address="198.51.100.40")[0]
    col = f"alerts-{aid}"
    objs = stix_of(server, col, ka, a["stix_id"])
    assert len(objs) == 1
    s = objs[0]
    assert s["type"] == "sighting" and s["sighting_of_ref"] == f"indicator--{a['id']}"
    assert s["x_cyberpact_address"] == "198.51.100.40" and s["count"] == 1
    assert s["object_marking_refs"] == [TLP2["AMBER"]]
    r = get_objects(server, col, key=ka, query={"match[id]": f"indicator--{a['id']}"})
    ind = r.json["objects"][0]
    assert ind["pattern"] == "[ipv4-addr:value = '198.51.100.40']"
    # B may not read A's alerts collection
    _, kb = net["B"]
    assert get_objects(server, col, key=kb).status in (403, 404)
    if not os.path.isfile(CHECKER) or subprocess.run(["/usr/bin/python3", "-c", "import jsonschema"]).returncode:
        pytest.skip("official STIX schemas (../shared/tools/stix_schema_check.py, python3-jsonschema) not available")
    r = get_objects(server, col, key=ka, query={"limit": 1000, "match[version]": "all"})
    f = tmp_path / "page.json"
    f.write_text(r.raw)
    p = subprocess.run(["/usr/bin/python3", CHECKER, str(f)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert " 0 failed" in p.stdout.strip().splitlines()[-1]


def test_metrics_have_delivery_histograms(server, net):
    aid, ka = net["A"]
    post_events(server, [ev(src_ip="198.51.100.41")], ka)
    r = server.request("GET", "/metrics")
    assert r.status == 200
    assert f'cyberpact_alert_stored_seconds_count{{member="{aid}"}}' in r.raw
    assert "cyberpact_alert_event_to_stored_seconds_bucket" in r.raw


@pytest.mark.skipif(os.environ.get("CP_TEST_STORE", "sqlite") != "sqlite", reason="the demo's data folder holds an SQLite store")
def test_demo_has_alerts_and_a_webhook(tmp_path):
    import sqlite3
    from conftest import run_cli
    data = str(tmp_path / "demo")
    run_cli(["demo", "--no-serve"], data=data)
    db = sqlite3.connect(os.path.join(data, "cyberpact.db"))
    rows = db.execute("SELECT member_id, indicator_id, address FROM alerts").fetchall()
    assert len({m for m, _, _ in rows}) >= 4  # both sides of a C2 contact, the scanner's, the sector member's
    assert any(i is None for _, i, _ in rows) and any(i for _, i, _ in rows)
    assert any(a.startswith("login.cert-") for _, _, a in rows)
    assert db.execute("SELECT COUNT(*) FROM webhooks").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM intel_objects WHERE type = 'sighting' AND cnum IN"
                      " (SELECT num FROM intel_collections WHERE kind = 'alerts')").fetchone()[0] == len(rows)
    assert run_cli(["verify"], data=data).returncode == 0
