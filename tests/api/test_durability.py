"""Nothing acknowledged is lost; the audit chain detects tampering."""
import concurrent.futures
import os
import sqlite3
import subprocess
import uuid

import pytest

from conftest import STORE


def sql(server, statement):
    """Runs one statement directly on the server's store (as an attacker or a crash would)."""
    if STORE == "postgresql":
        subprocess.run(["psql", server.db, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        db = sqlite3.connect(os.path.join(server.data, "cyberpact.db"))
        db.execute(statement)
        db.commit()
        db.close()


def test_acknowledged_writes_survive_kill9(fresh_server):
    s = fresh_server()
    names = [f"Durable {uuid.uuid4().hex[:10]}" for _ in range(60)]

    def create(name):
        r = s.request("POST", "/api/v1/members", {"kind": "observer", "name": name}, key=s.admin_key)
        return r.status, r.json

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(create, names))
    assert all(st == 201 for st, _ in results)
    s.kill9()  # right after the last acknowledgement
    s.start()
    for _, m in results:
        r = s.request("GET", f"/api/v1/members/{m['id']}", key=s.admin_key)
        assert r.status == 200 and r.json["name"] == m["name"]
    s.stop()
    v = s.cli(["verify"])
    assert v.stdout.startswith("ok: audit chain intact")
    # two audit entries per acknowledged member (the member, its alerts
    # collection) plus init's six (alliance, user, key, the alliance-wide
    # collection, the alliance's own alerts collection, the record's signing key)
    n = int(v.stdout.split("intact, ")[1].split(" entries")[0])
    assert n == 2 * len(names) + 6


def test_verify_detects_edit_delete_reorder(fresh_server):
    s = fresh_server()
    for i in range(5):
        s.create_member(kind="observer", name=f"Obs {i} {uuid.uuid4().hex[:6]}")
    s.stop()
    assert s.cli(["verify"]).returncode == 0

    sql(s, "UPDATE audit_log SET detail = replace(detail, '\"', '\"x') WHERE seq = 6")
    v = s.cli(["verify"], check=False)
    assert v.returncode == 1 and "entry 6" in v.stdout and "BROKEN" in v.stdout


def test_verify_detects_deleted_and_reordered(fresh_server):
    s = fresh_server()
    for i in range(4):
        s.create_member(kind="observer", name=f"Obs {i} {uuid.uuid4().hex[:6]}")
    s.stop()
    sql(s, "DELETE FROM audit_log WHERE seq = 5")
    v = s.cli(["verify"], check=False)
    assert v.returncode == 1 and "entry 5" in v.stdout

    s2 = fresh_server()
    for i in range(4):
        s2.create_member(kind="observer", name=f"Obs {i} {uuid.uuid4().hex[:6]}")
    s2.stop()
    sql(s2, "UPDATE audit_log SET seq = -seq WHERE seq IN (5, 6)")
    sql(s2, "UPDATE audit_log SET seq = 6 WHERE seq = -5")
    sql(s2, "UPDATE audit_log SET seq = 5 WHERE seq = -6")
    v = s2.cli(["verify"], check=False)
    assert v.returncode == 1 and "entry 5" in v.stdout

    s3 = fresh_server()
    s3.create_member(kind="observer", name=f"Obs {uuid.uuid4().hex[:6]}")
    s3.stop()
    sql(s3, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    v = s3.cli(["verify"], check=False)
    assert v.returncode == 1 and "deleted" in v.stdout


def test_audit_endpoint(server):
    r = server.request("GET", "/api/v1/audit?limit=2", key=server.admin_key)
    assert r.status == 200
    items = r.json["items"]
    assert [e["seq"] for e in items] == [1, 2]
    assert items[0]["action"] == "member.create" and items[0]["prev_hash"] == "0" * 64
    assert items[1]["prev_hash"] == items[0]["hash"]
    r2 = server.request("GET", f"/api/v1/audit?limit=2&next={r.json['next']}", key=server.admin_key)
    assert r2.json["items"][0]["seq"] == 3
    # No secret in the audit log, ever.
    everything = server.request("GET", "/api/v1/audit?limit=1000", key=server.admin_key).raw
    assert server.admin_key not in everything and "cpk_" not in everything
    member = server.create_member(kind="observer")
    _, analyst = server.actor(member["id"], ["analyst"])
    assert server.request("GET", "/api/v1/audit", key=analyst).status == 403
    _, auditor = server.actor(server.alliance_id(), ["auditor"])
    assert server.request("GET", "/api/v1/audit", key=auditor).status == 200


@pytest.mark.skipif(STORE != "sqlite", reason="online backup is SQLite's; PostgreSQL uses pg_dump")
def test_backup_while_serving(server, tmp_path):
    server.create_member(kind="observer", name="Before backup " + uuid.uuid4().hex[:6])
    out = tmp_path / "copy.db"
    p = server.cli(["backup", str(out)])
    assert "backup written" in p.stdout
    db = sqlite3.connect(str(out))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM members").fetchone()[0] >= 2
    db.close()
    assert server.cli(["backup", str(out)], check=False).returncode == 1  # never overwrites


def test_acknowledged_event_batches_survive_kill9(fresh_server):
    """A batch answered 200 is in the alert journal; killed before the folder applied it, the
    server applies it when it starts again: every event counted once, one alert per key."""
    from warning_helpers import add_constituency, alerts, member_with_analyst, now_ts, post_events
    s = fresh_server()
    m, key = member_with_analyst(s)
    add_constituency(s, m["id"], "cidr", "198.18.0.0/15")
    hosts = [f"198.18.0.{i}" for i in range(1, 41)]

    def send(k):
        batch = [{"time": now_ts(-1), "src_ip": h, "classification": "intrusion-attempts/brute-force"} for h in hosts]
        r = post_events(s, batch, key)
        return r.status, r.json

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(send, range(12)))
    assert all(st == 200 and j["alerts"]["queued"] == len(hosts) for st, j in results), results
    s.kill9()  # right after the last acknowledgement: the folder waits up to 500 ms
    s.start()
    got = alerts(s, key, limit=1000)  # read-your-writes: folded by now
    assert len(got) == len(hosts)
    assert sorted(a["address"] for a in got) == sorted(hosts)
    assert all(a["count"] == 12 for a in got), [a["count"] for a in got]
    s.stop()
    v = s.cli(["verify"])
    assert v.stdout.startswith("ok: audit chain intact")
