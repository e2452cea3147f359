"""Helpers shared by the early-warning tests (test_events.py, test_alerts.py, test_webhooks.py)."""
import datetime
import time
import uuid

from taxii_helpers import TLP2, post


def now_ts(offset_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def add_constituency(server, member_id, kind, value):
    r = server.request("POST", f"/api/v1/members/{member_id}/constituency", {"type": kind, "value": value},
                       key=server.admin_key)
    assert r.status == 201, r
    return r.json


def post_events(server, events, key):
    return server.request("POST", "/api/v1/events", {"events": events}, key=key)


def alerts(server, key, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    r = server.request("GET", "/api/v1/alerts" + ("?" + q if q else ""), key=key)
    assert r.status == 200, r
    return r.json["items"]


def member_with_analyst(server, kind="sector_member", country=None):
    m = server.create_member(kind=kind, country=country) if country else server.create_member(kind=kind)
    _, key = server.actor(m["id"], ["analyst"])
    return m, key


def indicator(value_type, value, tlp="GREEN"):
    now = now_ts()
    return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}", "created": now,
            "modified": now, "pattern": f"[{value_type}:value = '{value}']", "pattern_type": "stix",
            "valid_from": now_ts(-3600), "object_marking_refs": [TLP2[tlp]]}


def post_indicator(server, coll, obj):
    r = post(server, coll, [obj], server.admin_key)
    assert r.status == 202 and r.json["success_count"] == 1, r


def wait_for_match(server, key, event, timeout=15):
    """The indicator set is rebuilt by a thread shortly after indicators change: posts the
    event until it matches (each post that does not match is still an event)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = post_events(server, [event], key)
        assert r.status == 200, r
        if r.json["matched"] or r.json["withheld_hits"]:
            return r.json
        time.sleep(0.3)
    raise AssertionError(f"event never matched: {event}")
