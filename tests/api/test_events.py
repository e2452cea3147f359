"""POST /api/v1/events: validation (per-event errors, the batch refused whole), constituency
routing (longest prefix, ties, IPv4-mapped IPv6, AS fallback, subdomains), unmatched events
still delivered, aggregation, roles."""
import pytest

from conftest import msg
from warning_helpers import (add_constituency, alerts, member_with_analyst, now_ts, post_events)


@pytest.fixture(scope="module")
def net(server):
    """A: 198.51.100.0/24, AS64500, example.org; B inside A: 198.51.100.128/25, mail.example.org;
    C and D both claim 203.0.113.0/24; E: 2001:db8:e::/48."""
    a, ka = member_with_analyst(server)
    b, kb = member_with_analyst(server)
    c, kc = member_with_analyst(server)
    d, kd = member_with_analyst(server)
    e, ke = member_with_analyst(server)
    add_constituency(server, a["id"], "cidr", "198.51.100.0/24")
    add_constituency(server, a["id"], "asn", "AS64500")
    add_constituency(server, a["id"], "domain", "example.org")
    add_constituency(server, b["id"], "cidr", "198.51.100.128/25")
    add_constituency(server, b["id"], "domain", "mail.example.org")
    add_constituency(server, c["id"], "cidr", "203.0.113.0/24")
    add_constituency(server, d["id"], "cidr", "203.0.113.0/24")
    add_constituency(server, e["id"], "cidr", "2001:db8:e::/48")
    return {"A": (a["id"], ka), "B": (b["id"], kb), "C": (c["id"], kc), "D": (d["id"], kd), "E": (e["id"], ke)}


def ev(**kw):
    e = {"time": now_ts(), "classification": "information-gathering/scanner", "source": "honeypot-1"}
    e.update(kw)
    return e


def test_unmatched_event_is_delivered_to_the_member_holding_the_address(server, net):
    mid, key = net["A"]
    r = post_events(server, [ev(src_ip="198.51.100.7", dst_ip="192.0.2.99", dst_port=22, proto="tcp")], key)
    assert r.status == 200, r
    assert r.json["accepted"] == 1 and r.json["routed"] == 1 and r.json["matched"] == 0
    mine = alerts(server, key, address="198.51.100.7")
    assert len(mine) == 1
    a = mine[0]
    assert a["member_id"] == mid and a["indicator_id"] is None
    assert a["classification"] == "information-gathering/scanner"
    assert a["count"] == 1 and a["status"] == "open" and a["tlp"] == "TLP:AMBER"
    assert a["event"]["dst_port"] == 22 and a["event"]["source"] == "honeypot-1"
    assert a["delivery"]["stored_ms"] >= 0


def test_longest_prefix_wins(server, net):
    _, ka = net["A"]
    bid, kb = net["B"]
    r = post_events(server, [ev(src_ip="198.51.100.200")], ka)
    assert r.status == 200 and r.json["routed"] == 1, r
    assert [x["member_id"] for x in alerts(server, kb, address="198.51.100.200")] == [bid]
    assert alerts(server, ka, address="198.51.100.200") == []  # A's /24 loses to B's /25


def test_equal_claims_all_receive(server, net):
    cid, kc = net["C"]
    did, kd = net["D"]
    r = post_events(server, [ev(dst_ip="203.0.113.50")], kc)
    assert r.status == 200 and r.json["routed"] == 1, r
    assert [x["member_id"] for x in alerts(server, kc, address="203.0.113.50")] == [cid]
    assert [x["member_id"] for x in alerts(server, kd, address="203.0.113.50")] == [did]


def test_ipv4_mapped_ipv6_routes_as_ipv4(server, net):
    _, ka = net["A"]
    r = post_events(server, [ev(src_ip="::ffff:198.51.100.8")], ka)
    assert r.status == 200 and r.json["routed"] == 1, r
    got = alerts(server, ka, address="198.51.100.8")
    assert len(got) == 1 and got[0]["address"] == "198.51.100.8"
    assert got[0]["event"]["src_ip"] == "::ffff:198.51.100.8"  # the event as the sensor sent it


def test_ipv6_range(server, net):
    eid, ke = net["E"]
    r = post_events(server, [ev(src_ip="2001:DB8:E:0:0:0:0:1")], ke)
    assert r.status == 200 and r.json["routed"] == 1, r
    assert len(alerts(server, ke, address="2001:db8:e::1")) == 1
    r = post_events(server, [ev(src_ip="2001:db8:f::1")], ke)
    assert r.json["unrouted"] == 1


def test_asn_only_when_no_range_holds_the_address(server, net):
    _, ka = net["A"]
    r = post_events(server, [ev(src_ip="192.0.2.77", src_asn="AS64500")], ka)
    assert r.json["routed"] == 1, r
    assert len(alerts(server, ka, address="192.0.2.77")) == 1
    r = post_events(server, [ev(src_ip="192.0.2.78", src_asn=64501)], ka)
    assert r.json["unrouted"] == 1, r
    # a range beats the AS: 203.0.113.0/24 is C's and D's whatever the AS says
    _, kc = net["C"]
    r = post_events(server, [ev(src_ip="203.0.113.51", src_asn=64500)], ka)
    assert r.json["routed"] == 1
    assert alerts(server, ka, address="203.0.113.51") == []
    assert len(alerts(server, kc, address="203.0.113.51")) == 1


def test_subdomains_and_their_edges(server, net):
    _, ka = net["A"]
    _, kb = net["B"]
    r = post_events(server, [ev(domain="www.Example.ORG."), ev(domain="badexample.org"), ev(domain="a.mail.example.org"),
                             ev(url="https://login.example.org:8443/x?y=1"), ev(email="ceo@example.org")], ka)
    assert r.status == 200, r
    assert r.json["routed"] == 4 and r.json["unrouted"] == 1
    assert len(alerts(server, ka, address="www.example.org")) == 1
    assert len(alerts(server, ka, address="login.example.org")) == 1
    assert len(alerts(server, ka, address="example.org")) == 1  # the e-mail's domain
    assert alerts(server, ka, address="badexample.org") == []
    assert len(alerts(server, kb, address="a.mail.example.org")) == 1
    assert alerts(server, ka, address="a.mail.example.org") == []


def test_affected_side(server, net):
    _, ka = net["A"]
    _, kc = net["C"]
    r = post_events(server, [ev(src_ip="203.0.113.60", dst_ip="198.51.100.60", affected="dst")], ka)
    assert r.json["routed"] == 1
    assert len(alerts(server, ka, address="198.51.100.60")) == 1
    assert alerts(server, kc, address="203.0.113.60") == []
    # any (the default): both sides
    r = post_events(server, [ev(src_ip="203.0.113.61", dst_ip="198.51.100.61")], ka)
    assert len(alerts(server, ka, address="198.51.100.61")) == 1
    assert len(alerts(server, kc, address="203.0.113.61")) == 1


def test_aggregation_within_the_window(server, net):
    _, ka = net["A"]
    e = ev(src_ip="198.51.100.9", classification="intrusion-attempts/brute-force")
    r = post_events(server, [e, dict(e), dict(e)], ka)
    assert r.json["alerts"] == {"queued": 1}, r  # one aggregate of three events, journaled for the folder
    assert len(alerts(server, ka, address="198.51.100.9")) == 1  # read-your-writes: the alert is there
    r = post_events(server, [dict(e, time=now_ts(-1))], ka)
    assert r.json["alerts"] == {"queued": 1}, r
    got = alerts(server, ka, address="198.51.100.9")
    assert len(got) == 1 and got[0]["count"] == 4
    assert got[0]["first_seen"] <= got[0]["last_seen"]
    # another classification is another alert; a closed alert is final: the next event opens a new one
    post_events(server, [dict(e, classification="malicious-code/c2-server")], ka)
    assert len(alerts(server, ka, address="198.51.100.9")) == 2
    r = server.request("POST", f"/api/v1/alerts/{got[0]['id']}/close", key=ka)
    assert r.status == 200 and r.json["status"] == "closed", r
    r = post_events(server, [dict(e)], ka)
    assert r.json["alerts"]["queued"] == 1
    again = alerts(server, ka, address="198.51.100.9", classification="intrusion-attempts/brute-force")
    assert sorted(x["status"] for x in again) == ["closed", "open"]


def test_event_tlp_is_carried(server, net):
    _, ka = net["A"]
    post_events(server, [ev(src_ip="198.51.100.10", tlp="TLP:RED")], ka)
    assert alerts(server, ka, address="198.51.100.10")[0]["tlp"] == "TLP:RED"


def test_a_bad_event_refuses_the_whole_batch(server, net):
    _, ka = net["A"]
    before = len(alerts(server, ka, limit=1000))
    good = ev(src_ip="198.51.100.11")
    bad = [
        ev(src_ip="198.51.100.300"),
        ev(src_ip="198.51.100.0/24"),
        ev(classification="malicious-code/c2"),
        ev(domain="exa mple.org"),
        ev(dst_port=70000, src_ip="198.51.100.12"),
        ev(hashes={"sha256": "abc"}),
        {"src_ip": "198.51.100.13"},
        ev(src_ip="198.51.100.14", colour="blue"),
        ev(time="2026-01-01", src_ip="198.51.100.15"),
        ev(time=now_ts(3600), src_ip="198.51.100.16"),
        ev(),
        ev(url="not a url"),
        ev(email="nobody"),
        ev(src_ip="198.51.100.17", tlp="TLP:PURPLE"),
        ev(dst_ip="198.51.100.18", affected="src"),
        "not an object",
        ev(url="http://x.example.org:4444444444444444444444444/"),
    ]
    r = post_events(server, [good] + bad, ka)
    assert r.status == 422, r
    errs = r.json["error"]["errors"]
    fields = {(x["index"], x["field"]) for x in errs}
    for want in [(1, "src_ip"), (2, "src_ip"), (3, "classification"), (4, "domain"), (5, "dst_port"),
                 (6, "hashes.sha256"), (7, "time"), (8, "colour"), (9, "time"), (10, "time"), (11, ""),
                 (12, "url"), (13, "email"), (14, "tlp"), (15, "affected"), (16, ""), (17, "url")]:
        assert want in fields, (want, errs)
    assert all(x["index"] != 0 for x in errs)
    assert "nothing was stored" in msg(r)
    assert len(alerts(server, ka, limit=1000)) == before  # the good event was not stored either


def test_body_shape_errors(server, net):
    _, ka = net["A"]
    assert server.request("POST", "/api/v1/events", raw=b"{", key=ka).status == 400
    assert server.request("POST", "/api/v1/events", {"event": []}, key=ka).status == 400
    assert server.request("POST", "/api/v1/events", {"events": {}}, key=ka).status == 400
    r = server.request("POST", "/api/v1/events", {"events": []}, key=ka)
    assert r.status == 422 and "1 to" in msg(r)
    r = server.request("POST", "/api/v1/events", {"events": [ev(src_ip="198.51.100.1")] * 10001}, key=ka)
    assert r.status in (413, 422), r


def test_roles(server, net):
    aid, _ = net["A"]
    _, delegate_key = server.actor(server.create_member(country=next(server._countries))["id"], ["delegate"])
    _, auditor_key = server.actor(server.alliance_id(), ["auditor"])
    for key in (delegate_key, auditor_key):
        r = post_events(server, [ev(src_ip="198.51.100.19")], key)
        assert r.status == 403, r
    assert server.request("POST", "/api/v1/events", {"events": [ev(src_ip="198.51.100.19")]}).status == 401
    # the secretariat submits (the alliance's own sensors)
    r = post_events(server, [ev(src_ip="198.51.100.19")], server.admin_key)
    assert r.status == 200 and r.json["routed"] == 1, r


def test_concurrent_batches_count_exactly(server, net):
    """Several sensors posting overlapping batches at once: every event is counted once, in
    one alert per key (the store aggregates; PostgreSQL takes the rows in one order)."""
    import random
    import threading
    _, ka = net["A"]
    addrs = [f"198.51.100.{70 + i}" for i in range(20)]  # A's /24 below B's /25
    base = [ev(src_ip=a, classification="intrusion-attempts/exploit") for a in addrs]
    errors = []

    def sensor(seed):
        rnd = random.Random(seed)
        for _ in range(5):
            batch = [dict(e) for e in base]
            rnd.shuffle(batch)
            r = post_events(server, batch, ka)
            if r.status != 200:
                errors.append(r)

    threads = [threading.Thread(target=sensor, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = [x for x in alerts(server, ka, classification="intrusion-attempts/exploit", limit=1000)
           if x["address"] in addrs]
    assert len(got) == 20
    assert all(x["count"] == 20 for x in got), [x["count"] for x in got]
