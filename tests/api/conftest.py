"""Harness for the API tests: the real cyberpact binary on a loopback port.

CYBERPACT_BIN   path to the binary (CTest sets it)
CP_TEST_STORE   "sqlite" (default) or "postgresql"
CP_TEST_PG_URL  a PostgreSQL server URL (scripts/run-tests.sh starts one);
                each server in a test gets a fresh database on it
CP_REQUIRE_PG   "1": fail instead of skipping when CP_TEST_PG_URL is unset
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import pytest

BIN = os.environ.get("CYBERPACT_BIN", os.path.join(os.path.dirname(__file__), "../../build/cyberpact"))
STORE = os.environ.get("CP_TEST_STORE", "sqlite")
PG_URL = os.environ.get("CP_TEST_PG_URL", "")


def pytest_configure(config):
    if STORE == "postgresql" and not PG_URL:
        if os.environ.get("CP_REQUIRE_PG") == "1":
            raise pytest.UsageError("CP_TEST_STORE=postgresql but CP_TEST_PG_URL is not set")
        print("skipping: CP_TEST_PG_URL is not set (scripts/run-tests.sh starts a PostgreSQL)", file=sys.stderr)
        pytest.exit("no PostgreSQL server", returncode=77)


def fresh_pg_database():
    """Creates an empty database on the test server and returns its URL."""
    name = "cp_" + uuid.uuid4().hex[:16]
    subprocess.run(["psql", PG_URL, "-q", "-c", f"CREATE DATABASE {name}"], check=True,
                   stdout=subprocess.DEVNULL)
    return urllib.parse.urlparse(PG_URL)._replace(path="/" + name).geturl()


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def assert_no_sanitizer_report(text, what):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError(f"sanitizer report from {what}:\n{text[-4000:]}")


def run_cli(args, env=None, data=None, db=None, check=True, input=None):
    cmd = [BIN] + args
    if data:
        cmd += ["--data", data]
    if db:
        cmd += ["--database", db]
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, input=input, timeout=120)
    assert_no_sanitizer_report(p.stderr, " ".join(cmd))
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<Response {self.status} {self.raw[:300]!r}>"


class Server:
    """One cyberpact process with its own fresh store."""

    def __init__(self, extra_args=None, env=None):
        self.dir = tempfile.mkdtemp(prefix="cp-api-")
        self.data = os.path.join(self.dir, "data")
        self.db = fresh_pg_database() if STORE == "postgresql" else None
        self.extra = extra_args or []
        self.env = env or {}
        self.proc = None
        self.port = None
        p = run_cli(["init"], data=self.data, db=self.db)
        self.admin_key = p.stdout.strip().splitlines()[-1]
        self.log_path = os.path.join(self.dir, "server.log")

    def cli(self, args, check=True, input=None):
        return run_cli(args, data=self.data, db=self.db, check=check, input=input, env=self.env)

    def start(self):
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", "--data", self.data] + self.extra
        if self.db:
            cmd += ["--database", self.db]
        e = dict(os.environ)
        e.update(self.env)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=e)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on https?://[^ ]*:(\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"server did not start: {line!r}\n{open(self.log_path).read()}")
        self.port = int(m.group(1))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        finally:
            self.proc.stdout.close()
            self.log.close()
            self.proc = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        rc = self.stop() if self.proc else 0
        log = open(self.log_path, errors="replace").read() if os.path.exists(self.log_path) else ""
        shutil.rmtree(self.dir, ignore_errors=True)
        assert_no_sanitizer_report(log, "the server")
        assert rc == 0, f"server exited {rc} on SIGTERM\n{log[-2000:]}"

    def request(self, method, path, body=None, key=None, headers=None, raw=None, basic=None, content_type=None):
        """body: a JSON value (encoded here); raw: bytes sent as is."""
        h = {}
        if key:
            h["Authorization"] = "Bearer " + key
        if basic:
            h["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
            h.setdefault("Content-Type", "application/json")
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        if "--tls-cert" in self.extra:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        finally:
            c.close()

    # Conveniences used by many tests -----------------------------------
    def create_member(self, kind="member_state", name=None, country=None, key=None, **extra):
        body = {"kind": kind, "name": name or f"Member {uuid.uuid4().hex[:8]}"}
        if country:
            body["country"] = country
        body.update(extra)
        r = self.request("POST", "/api/v1/members", body, key=key or self.admin_key)
        assert r.status == 201, r
        return r.json

    def alliance_id(self):
        r = self.request("GET", "/api/v1/me", key=self.admin_key)
        return r.json["member"]["id"]

    def create_user(self, member_id, roles, name=None, key=None, **extra):
        body = {"member_id": member_id, "name": name or "u-" + uuid.uuid4().hex[:10], "roles": roles}
        body.update(extra)
        r = self.request("POST", "/api/v1/users", body, key=key or self.admin_key)
        assert r.status == 201, r
        return r.json

    def create_key(self, user_id, roles=None, key=None):
        body = {"user_id": user_id}
        if roles is not None:
            body["roles"] = roles
        r = self.request("POST", "/api/v1/keys", body, key=key or self.admin_key)
        assert r.status == 201, r
        return r.json["secret"]

    def actor(self, member_id, roles):
        """A new user with these roles and a key; returns (user, secret)."""
        u = self.create_user(member_id, roles)
        return u, self.create_key(u["id"])


_COUNTRIES = None


def free_countries():
    """ISO alpha-2 codes not yet used by a test server (each server is fresh,
    but one server is shared per module, so hand out distinct codes)."""
    global _COUNTRIES
    if _COUNTRIES is None:
        with open("/usr/share/iso-codes/json/iso_3166-1.json") as f:
            _COUNTRIES = [c["alpha_2"] for c in json.load(f)["3166-1"]]
    return _COUNTRIES


@pytest.fixture(scope="module")
def server():
    """One server per test module. Many tests fail authentication on purpose, so
    the per-address limiter is set out of the way here; it is tested on fresh
    servers (test_auth.py)."""
    s = Server(["--auth-failures-per-minute", "100000"]).start()
    s._countries = iter(free_countries())
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def alliance(server):
    return server.alliance_id()


def msg(r):
    """The message of an error response."""
    return r.json["error"]["message"]


def new_state(server):
    """A new member state with a country no other test of the module used."""
    return server.create_member(country=next(server._countries))


@pytest.fixture
def country(server):
    return next(server._countries)


@pytest.fixture
def fresh_server():
    made = []

    def make(extra_args=None, env=None, start=True):
        s = Server(extra_args, env)
        made.append(s)
        return s.start() if start else s

    yield make
    for s in made:
        s.cleanup()
