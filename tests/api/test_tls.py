"""HTTPS served by the binary itself (--tls-cert / --tls-key)."""
import subprocess

import pytest


@pytest.fixture
def tls_files(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    return str(cert), str(key)


def test_https_with_hsts_and_secure_cookie(fresh_server, tls_files):
    cert, key = tls_files
    s = fresh_server(["--tls-cert", cert, "--tls-key", key])
    r = s.request("GET", "/healthz")
    assert r.status == 200
    assert r.header("Strict-Transport-Security").startswith("max-age=")
    admin = s.request("GET", "/api/v1/me", key=s.admin_key).json
    s.request("PUT", f"/api/v1/users/{admin['user_id']}/password", {"password": "correct horse battery"},
              key=s.admin_key)
    r = s.request("POST", "/api/v1/session", {"name": admin["user"], "password": "correct horse battery"})
    assert r.status == 200, r
    cookie = r.header("Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_tls_needs_both_files(fresh_server, tls_files):
    s = fresh_server(start=False)
    p = s.cli(["serve", "--tls-cert", tls_files[0]], check=False)
    assert p.returncode == 1 and "--tls-key" in p.stderr
