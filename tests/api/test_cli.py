"""The binary's subcommands, as an administrator on the machine uses them."""
import json
import os
import stat
import subprocess
import tempfile
import uuid

import pytest

from conftest import BIN, STORE, Server, run_cli


def test_version():
    p = run_cli(["version"])
    assert p.stdout.startswith("cyberpact ")
    assert "sqlite" in p.stdout and "libmicrohttpd" in p.stdout


@pytest.mark.parametrize("cmd", ["init", "serve", "demo", "member", "user", "key", "verify", "backup"])
def test_every_subcommand_has_help(cmd):
    p = run_cli([cmd, "--help"])
    assert "usage" in p.stdout.lower()


def test_usage_errors_exit_2():
    assert run_cli([], check=False).returncode == 2
    assert run_cli(["frobnicate"], check=False).returncode == 2
    assert run_cli(["serve", "--no-such-flag"], check=False).returncode == 2
    assert run_cli(["serve", "--threads", "many"], check=False).returncode == 2


def test_init_prints_secret_last_and_refuses_twice(tmp_path):
    s = Server()
    try:
        assert s.admin_key.startswith("cpk_") and len(s.admin_key) == 80
        p = s.cli(["init"], check=False)
        assert p.returncode == 1 and "already initialised" in p.stderr
        if STORE == "sqlite":
            mode = stat.S_IMODE(os.stat(s.data).st_mode)
            assert mode == 0o700
    finally:
        s.cleanup()


def test_member_user_key_commands():
    s = Server()
    try:
        m = json.loads(s.cli(["member", "create", "--kind", "sector_member", "--name", "CLI Corp"]).stdout)
        assert m["kind"] == "sector_member"
        lst = json.loads(s.cli(["member", "list", "--kind", "sector_member"]).stdout)
        assert [x["id"] for x in lst] == [m["id"]]
        add = s.cli(["member", "constituency-add", m["id"], "--type", "domain", "--value", "cli.example"])
        assert json.loads(add.stdout)["value"] == "cli.example"
        u = json.loads(s.cli(["user", "create", "--member", m["id"], "--name", "cli-analyst",
                              "--roles", "analyst"]).stdout)
        assert u["roles"] == ["analyst"]
        key = s.cli(["key", "create", "--user", "cli-analyst"]).stdout
        assert key.endswith("\n") and key.count("\n") == 1 and key.startswith("cpk_")
        s.start()
        r = s.request("GET", "/api/v1/me", key=key.strip())
        assert r.status == 200 and r.json["user"] == "cli-analyst"
        sus = s.cli(["member", "suspend", m["id"], "--reason", "test"])
        assert json.loads(sus.stdout)["status"] == "suspended"
        assert s.request("GET", "/api/v1/members", key=key.strip()).status == 403
        bad = s.cli(["member", "create", "--kind", "member_state", "--name", "Nowhere", "--country", "QQ"],
                    check=False)
        assert bad.returncode == 1 and bad.stderr.startswith("error: ")
        audit = s.request("GET", "/api/v1/audit?limit=1000", key=s.admin_key).json["items"]
        assert any(e["actor"].startswith("cli:") and e["action"] == "member.create" for e in audit)
    finally:
        s.cleanup()


def test_config_precedence(tmp_path):
    """flags > environment > config file > defaults"""
    s = Server()
    try:
        os.makedirs(s.data, exist_ok=True)
        conf = os.path.join(s.data, "cyberpact.conf")
        with open(conf, "w") as f:
            f.write("# test\nmax-body-bytes = 2048\nlog-level = warn\n")
        s.start()
        big = {"kind": "observer", "name": "x" * 3000}
        assert s.request("POST", "/api/v1/members", big, key=s.admin_key).status == 413
        s.stop()
        s.env = {"CYBERPACT_MAX_BODY_BYTES": "8192"}
        s.start()
        r = s.request("POST", "/api/v1/members", big, key=s.admin_key)  # body fits; the name is too long
        assert r.status == 400 and "longer than 200 bytes" in r.json["error"]["message"]
        s.stop()
        s.extra = ["--max-body-bytes", "1024"]
        s.start()
        assert s.request("POST", "/api/v1/members", big, key=s.admin_key).status == 413
        s.stop()
        with open(conf, "w") as f:
            f.write("max-body-bytez = 1\n")
        p = s.cli(["verify"], check=False)
        assert p.returncode == 2 and "cyberpact.conf:1" in p.stderr and "max-body-bytez" in p.stderr
    finally:
        s.cleanup()


@pytest.mark.skipif(STORE != "sqlite", reason="the demo's data folder holds an SQLite store")
def test_demo_store(tmp_path):
    data = str(tmp_path / "demo")
    p = run_cli(["demo", "--no-serve"], data=data)
    cred_path = os.path.join(data, "demo-credentials.json")
    assert cred_path in p.stdout
    assert stat.S_IMODE(os.stat(cred_path).st_mode) == 0o600
    creds = json.load(open(cred_path))
    assert all({"user", "member", "roles", "key"} <= set(c) for c in creds)
    roles = {r for c in creds for r in c["roles"]}
    assert roles == {"secretariat", "delegate", "analyst", "auditor"}
    states = json.loads(run_cli(["member", "list", "--kind", "member_state"], data=data).stdout)
    assert len(states) == 146
    # deterministic: a second run draws the same states
    run_cli(["demo", "--no-serve"], data=data)
    again = json.loads(run_cli(["member", "list", "--kind", "member_state"], data=data).stdout)
    assert [m["country"] for m in again] == [m["country"] for m in states]
    assert run_cli(["verify"], data=data).returncode == 0
    # demo never replaces a store that is not a demo
    s = Server()
    try:
        p = run_cli(["demo", "--no-serve"], data=s.data, check=False)
        assert p.returncode == 1 and "not a demo" in p.stderr
    finally:
        s.cleanup()


def test_import_rir_assigns_country_ranges():
    """`member import-rir`: each country's ranges go to the member state with that code."""
    fixture = os.path.join(os.path.dirname(__file__), "..", "data", "delegated-test.txt")
    s = Server()
    try:
        fr = json.loads(s.cli(["member", "create", "--kind", "member_state", "--name", "France", "--country", "FR"]).stdout)
        de = json.loads(s.cli(["member", "create", "--kind", "member_state", "--name", "Germany", "--country", "DE"]).stdout)
        out = json.loads(s.cli(["member", "import-rir", fixture]).stdout)
        assert out["member_states"] == 2 and out["added"] > 0 and out["no_member_state"] > 0
        fr_entries = json.loads(s.cli(["member", "constituency", fr["id"]]).stdout)
        values = {e["value"] for e in fr_entries}
        assert {"2.0.0.0/12", "193.0.0.0/21", "2001:660::/32", "AS2200"} <= values
        assert all(e["source"] == "rir" for e in fr_entries)
        de_values = {e["value"] for e in json.loads(s.cli(["member", "constituency", de["id"]]).stdout)}
        assert {"5.1.0.0/22", "5.1.4.0/23", "2a00:1450::/29", "AS3320"} <= de_values  # 1536 = /22 + /23
        # importing again adds nothing
        again = json.loads(s.cli(["member", "import-rir", fixture]).stdout)
        assert again["added"] == 0 and again["already_present"] == out["added"]
        # a malformed file is refused whole, naming the line
        bad = os.path.join(s.dir, "bad.txt")
        with open(bad, "w") as f:
            f.write("2|ripencc|20260101|1|19830705|20251231|+0100\nripencc|FR|ipv4|300.0.0.0|256|20100101|allocated\n")
        p = s.cli(["member", "import-rir", bad], check=False)
        assert p.returncode == 1 and "line 2" in p.stderr
        v = s.cli(["verify"])
        assert v.returncode == 0
    finally:
        s.cleanup()
