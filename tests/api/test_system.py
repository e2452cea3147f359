"""Operational endpoints, the error shape, request ids, limits."""
import http.client
import json
import re
import socket


def test_healthz_is_public_and_json(server):
    r = server.request("GET", "/healthz")
    assert r.status == 200
    assert r.json == {"status": "ok"}
    assert r.header("Content-Type") == "application/json"


def test_readyz_reports_store(server):
    r = server.request("GET", "/readyz")
    assert r.status == 200
    assert r.json["status"] == "ready"
    assert r.json["store"].startswith(("sqlite:", "postgresql:"))
    assert "password" not in r.json["store"]


def test_request_id_generated_and_echoed(server):
    r = server.request("GET", "/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", r.header("X-Request-Id"))
    r = server.request("GET", "/healthz", headers={"X-Request-Id": "trace-abc.123"})
    assert r.header("X-Request-Id") == "trace-abc.123"
    # A hostile id is replaced, not echoed.
    r = server.request("GET", "/healthz", headers={"X-Request-Id": "bad id<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.header("X-Request-Id"))


def test_error_shape_and_404(server):
    r = server.request("GET", "/api/v1/nothing-here", key=server.admin_key,
                       headers={"X-Request-Id": "req-404"})
    assert r.status == 404
    assert set(r.json) == {"error"}
    e = r.json["error"]
    assert e["code"] == "not_found"
    assert "/api/v1/nothing-here" in e["message"]
    assert e["request_id"] == "req-404"


def test_405_lists_allowed_methods(server):
    r = server.request("PUT", "/api/v1/members", body={}, key=server.admin_key)
    assert r.status == 405
    assert r.json["error"]["code"] == "method_not_allowed"
    assert set(x.strip() for x in r.header("Allow").split(",")) == {"GET", "POST"}


def test_metrics_prometheus_text(server):
    server.request("GET", "/healthz")
    server.request("GET", "/api/v1/members", key=server.admin_key)
    r = server.request("GET", "/metrics")
    assert r.status == 200
    assert r.header("Content-Type").startswith("text/plain; version=0.0.4")
    text = r.raw
    assert re.search(r'cyberpact_http_requests_total\{route="/healthz",method="GET",status="200"\} \d+', text)
    assert re.search(r'cyberpact_http_requests_total\{route="/api/v1/members",method="GET",status="200"\} \d+', text)
    assert 'cyberpact_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="+Inf"}' in text
    assert re.search(r"cyberpact_store_queries_total \d+", text)
    assert re.search(r'cyberpact_build_info\{version="[^"]+",revision="[^"]+",store="(sqlite|postgresql)"\} 1', text)


def test_malformed_json_says_where(server):
    r = server.request("POST", "/api/v1/members", raw=b'{"kind": "observer",\n "name": }', key=server.admin_key)
    assert r.status == 400
    msg = r.json["error"]["message"]
    assert "line 2" in msg and "column" in msg and "byte" in msg


def test_wrong_content_type_is_415(server):
    r = server.request("POST", "/api/v1/members", raw=b'{"kind":"observer","name":"x"}',
                       key=server.admin_key, content_type="text/plain")
    assert r.status == 415
    assert "application/json" in r.json["error"]["message"]


def read_response(s):
    data = b""
    s.settimeout(10)
    try:
        while b"\r\n\r\n" not in data:
            part = s.recv(65536)
            if not part:
                break
            data += part
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def test_body_too_large_is_413_before_reading(server):
    """A Content-Length over the limit is refused before the body is read."""
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(("POST /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Authorization: Bearer {server.admin_key}\r\nContent-Length: {3 << 20}\r\n\r\n").encode())
    data = read_response(s)
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b"payload_too_large" in data or b"Content-Length" not in data[:0]


def test_chunked_body_over_limit_is_413(server):
    """No Content-Length: the limit is enforced while reading."""
    s = socket.create_connection(("127.0.0.1", server.port))
    head = ("POST /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {server.admin_key}\r\nTransfer-Encoding: chunked\r\n\r\n")
    s.sendall(head.encode())
    chunk = b"a" * 65536
    try:
        for _ in range(40):
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = read_response(s)
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


def test_deep_json_rejected(server):
    deep = b"[" * 100 + b"]" * 100
    r = server.request("POST", "/api/v1/members", raw=b'{"kind":"observer","name":"x","csirt":' + deep + b"}",
                       key=server.admin_key)
    assert r.status == 400
    assert "deeper" in r.json["error"]["message"]


def test_bad_query_string_is_400(server):
    r = server.request("GET", "/api/v1/members?limit=%zz", key=server.admin_key)
    assert r.status == 400
    r = server.request("GET", "/api/v1/members?limit=0", key=server.admin_key)
    assert r.status == 400 and "limit" in r.json["error"]["message"]
    r = server.request("GET", "/api/v1/members?limit=100000", key=server.admin_key)
    assert r.status == 400


def test_huge_header_rejected_without_crash(server):
    r = server.request("GET", "/healthz", headers={"X-Big": "a" * 100000})
    assert r.status in (413, 431, 400)
    assert server.request("GET", "/healthz").status == 200


def test_head_request(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port)
    c.request("HEAD", "/healthz")
    r = c.getresponse()
    assert r.status == 200
    assert r.read() == b""
    c.close()


def test_sigterm_drains_and_exits_zero(fresh_server):
    s = fresh_server()
    assert s.request("GET", "/healthz").status == 200
    assert s.stop() == 0
    log = open(s.log_path).read()
    lines = [json.loads(l) for l in log.splitlines() if l.startswith("{")]
    assert any(l.get("event") == "stopped" for l in lines)
    # one structured line per request, with its id, route, status and time
    reqs = [l for l in lines if l.get("event") == "request"]
    assert reqs and all({"request_id", "method", "path", "route", "status", "ms", "ts"} <= set(l) for l in reqs)


def test_endless_chunked_body_is_cut_off(server):
    """An oversized body without Content-Length is not read forever: past 8x the limit the connection closes."""
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(("POST /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Authorization: Bearer {server.admin_key}\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
    chunk = b"a" * 65536
    sent = 0
    try:
        s.settimeout(10)
        while sent < 64 << 20:
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    s.close()
    assert sent < 64 << 20, "the server kept reading an endless body"
    assert server.request("GET", "/healthz").status == 200


def test_sigterm_lets_an_in_flight_request_finish(fresh_server):
    """SIGTERM during a request: the request completes and is kept, then the server exits 0."""
    import json as _json
    import signal
    import time
    s = fresh_server()
    body = _json.dumps({"kind": "observer", "name": "Drained Observer"}).encode()
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.sendall(("POST /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Authorization: Bearer {s.admin_key}\r\nContent-Length: {len(body)}\r\n\r\n").encode())
    sock.sendall(body[:10])
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert s.proc.poll() is None, "the server exited with a request in flight"
    sock.sendall(body[10:])
    data = read_response(sock)
    sock.close()
    assert data.startswith(b"HTTP/1.1 201"), data[:200]
    assert s.proc.wait(timeout=10) == 0
    s.proc.stdout.close()
    s.log.close()
    s.proc = None
    s.start()
    names = [m["name"] for m in s.request("GET", "/api/v1/members", key=s.admin_key).json["items"]]
    assert "Drained Observer" in names
