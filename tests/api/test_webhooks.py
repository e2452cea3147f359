"""Webhooks: who may set, read and remove a member's webhook; the signed POST of each new alert
(HMAC-SHA256 over timestamp "." body, checked here as a receiver would); retries with back-off
after failures, every attempt visible; the queue survives a restart; failures after the last
attempt."""
import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest

from conftest import Server, msg
from warning_helpers import add_constituency, member_with_analyst, now_ts, post_events


class Receiver:
    """A loopback HTTP receiver: verifies each request's signature with the secret it is given,
    answers 500 to the first `fail_first` requests, records what it accepted."""

    def __init__(self, fail_first=0):
        self.secret = None
        self.fail_first = fail_first
        self.requests = []   # every request: (verified, headers, body)
        self.accepted = []   # bodies answered 2xx
        recv = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                ts = self.headers.get("X-Cyberpact-Timestamp", "")
                sig = self.headers.get("X-Cyberpact-Signature", "")
                ok = False
                if recv.secret and ts and sig.startswith("sha256="):
                    want = hmac.new(recv.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                    ok = hmac.compare_digest(want, sig[7:]) and abs(time.time() - int(ts)) <= 300
                recv.requests.append((ok, dict(self.headers), body))
                if not ok:
                    self.send_response(401)
                elif len(recv.requests) <= recv.fail_first:
                    self.send_response(500)
                else:
                    recv.accepted.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def wait(pred, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def fast(request):
    s = Server(["--auth-failures-per-minute", "100000", "--webhook-retry-base-ms", "200",
                "--webhook-max-attempts", "4", "--webhook-timeout", "2"]).start()
    yield s
    s.cleanup()


def setup_member(s, cidr):
    m, key = member_with_analyst(s)
    add_constituency(s, m["id"], "cidr", cidr)
    return m["id"], key


def test_who_may_set_read_and_remove(fast):
    mid, key = setup_member(fast, "198.51.100.0/24")
    other, okey = setup_member(fast, "192.0.2.0/24")
    _, delegate = fast.actor(fast.create_member(country="FR")["id"], ["delegate"])
    _, auditor = fast.actor(fast.alliance_id(), ["auditor"])
    path = f"/api/v1/members/{mid}/webhook"
    assert fast.request("GET", path, key=key).status == 404  # none yet
    r = fast.request("PUT", path, {"url": "https://hooks.example.net/cp"}, key=key)
    assert r.status == 200 and len(r.json["secret"]) == 43, r
    secret = r.json["secret"]
    g = fast.request("GET", path, key=key)
    assert g.status == 200 and g.json["url"] == "https://hooks.example.net/cp"
    assert "secret" not in g.json and g.json["secret_hint"] == secret[:4]
    assert secret not in fast.request("GET", "/api/v1/audit?limit=1000", key=fast.admin_key).raw
    for k in (okey, delegate):  # another member's analyst, a delegate of another member
        assert fast.request("PUT", path, {"url": "https://evil.example.net/"}, key=k).status == 403
        assert fast.request("GET", path, key=k).status == 403
        assert fast.request("DELETE", path, key=k).status == 403
    assert fast.request("GET", path, key=auditor).status == 200
    assert fast.request("PUT", path, {"url": "https://a.example.net/"}, key=auditor).status == 403
    # the secretariat may set it; a new secret each time
    r = fast.request("PUT", path, {"url": "https://hooks.example.net/cp2"}, key=fast.admin_key)
    assert r.status == 200 and r.json["secret"] != secret
    # bad URLs
    for bad in ("http://hooks.example.net/", "ftp://x.example/", "https://user:pw@x.example/", "https://", "x" * 3000):
        r = fast.request("PUT", path, {"url": bad}, key=key)
        assert r.status in (400, 422), (bad, r)
    assert fast.request("PUT", path, {"url": "https://x.example/", "secret": "mine"}, key=key).status == 400
    assert fast.request("PUT", "/api/v1/members/00000000-0000-4000-8000-000000000000/webhook",
                        {"url": "https://x.example/"}, key=fast.admin_key).status == 404
    assert fast.request("DELETE", path, key=key).status == 200
    assert fast.request("GET", path, key=key).status == 404


def test_signed_delivery_after_retries(fast):
    recv = Receiver(fail_first=2)
    try:
        mid, key = setup_member(fast, "203.0.113.0/24")
        r = fast.request("PUT", f"/api/v1/members/{mid}/webhook", {"url": recv.url}, key=key)
        assert r.status == 200, r
        recv.secret = r.json["secret"]
        r = post_events(fast, [{"time": now_ts(), "src_ip": "203.0.113.5", "classification": "malicious-code/c2-server"}],
                        key)
        assert r.status == 200 and r.json["alerts"]["queued"] == 1, r
        got = wait(lambda: recv.accepted)
        assert len(recv.requests) == 3 and all(ok for ok, _, _ in recv.requests)
        body = got[0]
        assert body["type"] == "alert.created" and body["alert"]["address"] == "203.0.113.5"
        assert body["alert"]["member_id"] == mid
        headers = recv.requests[-1][1]
        assert headers["X-Cyberpact-Delivery"] == body["delivery_id"]
        # the same delivery id on every attempt (the receiver de-duplicates on it)
        assert {h["X-Cyberpact-Delivery"] for _, h, _ in recv.requests} == {body["delivery_id"]}
        d = wait(lambda: [x for x in fast.request("GET", f"/api/v1/members/{mid}/webhook/deliveries", key=key).json["items"]
                          if x["status"] == "delivered"])
        d = d[0]
        assert d["attempts"] == 3 and d["alert_id"] == body["alert"]["id"]
        log = d["attempt_log"]
        assert [a["http_status"] for a in log] == [500, 500, 204]
        assert log[0]["error"] and log[2]["error"] is None
        # back-off: the second wait is longer than the first (200 ms, then 400 ms, up to 10% more)
        t = [time.mktime(time.strptime(a["at"][:19], "%Y-%m-%dT%H:%M:%S")) + int(a["at"][20:23]) / 1000 for a in log]
        assert t[1] - t[0] >= 0.19 and t[2] - t[1] >= 0.39
        a = fast.request("GET", f"/api/v1/alerts/{body['alert']['id']}", key=key).json
        assert a["delivery"]["webhook_delivered_at"] and a["delivery"]["webhook_ms"] >= 0
        assert "cyberpact_alert_webhook_seconds_count" in fast.request("GET", "/metrics").raw
        # an aggregated update is not a new alert: no second delivery
        post_events(fast, [{"time": now_ts(), "src_ip": "203.0.113.5", "classification": "malicious-code/c2-server"}], key)
        time.sleep(0.5)
        assert len(recv.accepted) == 1
    finally:
        recv.close()


def test_failures_are_visible_and_final(fast):
    recv = Receiver(fail_first=100)
    try:
        mid, key = setup_member(fast, "100.64.0.0/16")
        r = fast.request("PUT", f"/api/v1/members/{mid}/webhook", {"url": recv.url}, key=key)
        recv.secret = r.json["secret"]
        post_events(fast, [{"time": now_ts(), "dst_ip": "100.64.1.1"}], key)
        d = wait(lambda: [x for x in fast.request("GET", f"/api/v1/members/{mid}/webhook/deliveries?status=failed",
                                                  key=key).json["items"]])[0]
        assert d["attempts"] == 4 and len(d["attempt_log"]) == 4
        assert d["last_http_status"] == 500 and "500" in d["last_error"]
        assert fast.request("GET", f"/api/v1/members/{mid}/webhook", key=key).json["failed"] == 1
        time.sleep(0.5)
        assert len(recv.requests) == 4  # nothing after the last attempt
    finally:
        recv.close()


def test_wrong_secret_is_refused_by_the_receiver(fast):
    recv = Receiver()
    try:
        mid, key = setup_member(fast, "100.65.0.0/16")
        r = fast.request("PUT", f"/api/v1/members/{mid}/webhook", {"url": recv.url}, key=key)
        recv.secret = r.json["secret"][::-1]  # the receiver holds another secret: every signature fails
        post_events(fast, [{"time": now_ts(), "dst_ip": "100.65.1.1"}], key)
        wait(lambda: len(recv.requests) >= 1)
        assert not recv.requests[0][0] and recv.accepted == []
    finally:
        recv.close()


def test_queue_survives_a_restart(fresh_server):
    recv = Receiver()
    s = fresh_server(["--webhook-retry-base-ms", "200"], start=False)
    try:
        s.start()
        mid, key = setup_member(s, "198.18.0.0/15")
        # the receiver is down when the alert is raised: the delivery waits in the queue
        down_url = recv.url.replace(str(recv.httpd.server_address[1]), "1")
        r = s.request("PUT", f"/api/v1/members/{mid}/webhook", {"url": down_url}, key=key)
        secret = r.json["secret"]
        post_events(s, [{"time": now_ts(), "src_ip": "198.18.0.1"}], key)
        wait(lambda: s.request("GET", f"/api/v1/members/{mid}/webhook/deliveries", key=key).json["items"][0]["attempts"] >= 1)
        s.kill9()
        # point the webhook at the live receiver (same secret kept? no: a new one) while stopped
        s.start()
        r = s.request("PUT", f"/api/v1/members/{mid}/webhook", {"url": recv.url}, key=key)
        recv.secret = r.json["secret"]
        got = wait(lambda: recv.accepted)
        assert got[0]["alert"]["address"] == "198.18.0.1"
        assert secret != recv.secret
    finally:
        recv.close()
