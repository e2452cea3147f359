"""Contributions and sustainability over HTTP (docs/api.md "Finance"): the
flow from classes to the sustainability report, idempotency (replay, a
different payload under the same key, concurrent retries), the roles (the
secretariat writes; a member's delegates and analysts read only their own
member's statement; auditors read everything; nobody edits or deletes; the
transparency endpoint needs no key), bad input, and `cyberpact verify`."""
import concurrent.futures
import csv
import io
import re
import uuid

import pytest

from conftest import msg


def key():
    return "t-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def fin(server, alliance):
    s = server
    adm = s.admin_key

    def post(path, body, k=None, idem=None):
        return s.request("POST", path, body, key=k or adm, headers={"Idempotency-Key": idem or key()})

    a = s.create_member(country=next(s._countries), joined_at="2015-01-01T00:00:00Z")
    b = s.create_member(country=next(s._countries), joined_at="2015-01-01T00:00:00Z")
    sector = s.create_member(kind="sector_member", joined_at="2015-01-01T00:00:00Z")
    for m, units in ((a, "3"), (b, "1"), (sector, "½")):
        r = post(f"/api/v1/finance/members/{m['id']}/classes", {"units": units, "effective": "2015-01-01"})
        assert r.status == 201, r
    for y in (2024, 2025):
        r = post("/api/v1/finance/unit-values", {"year": y, "amount": "1000.00", "decision_ref": f"budget proposal {y}"})
        assert r.status == 201, r
        r = post("/api/v1/finance/assessments", {"year": y})
        assert r.status == 201, r
        assert r.json["members"] == 3
    _, delegate_a = s.actor(a["id"], ["delegate"])
    _, analyst_a = s.actor(a["id"], ["analyst"])
    _, analyst_b = s.actor(b["id"], ["analyst"])
    _, auditor = s.actor(alliance, ["auditor"])
    return {"a": a, "b": b, "sector": sector, "post": post, "delegate_a": delegate_a, "analyst_a": analyst_a,
            "analyst_b": analyst_b, "auditor": auditor}


def test_assessments_listed(server, fin):
    r = server.request("GET", "/api/v1/finance/assessments?year=2025", key=server.admin_key)
    assert r.status == 200, r
    amounts = sorted(i["amount_minor"] for i in r.json["items"])
    # 1 unit, 3 units, and ½ of a sector unit (1/5 of the member-state unit)
    assert amounts == [10000, 100000, 300000]


def test_payment_oldest_first_and_statement(server, fin):
    a = fin["a"]["id"]
    r = fin["post"]("/api/v1/finance/payments", {"member_id": a, "amount": "4500.00", "date": "2025-02-01",
                                                   "reference": "SWIFT 1"})
    assert r.status == 201, r
    years = [x["year"] for x in r.json["allocations"]]
    assert years == [2024, 2025]  # 3,000 for 2024 first, then 1,500 for 2025
    r = server.request("GET", f"/api/v1/finance/members/{a}/statement?from=2024-01-01&to=2025-12-31",
                       key=fin["delegate_a"])
    assert r.status == 200, r
    assert r.json["closing_balance_minor"] == 600000 - 450000
    assert r.json["voting_right"]["has_vote"] is True
    r = server.request("GET", f"/api/v1/finance/members/{a}/statement?from=2024-01-01&to=2025-12-31",
                       key=fin["analyst_a"], headers={"Accept": "text/csv"})
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.raw)))
    assert rows[0] == ["date", "entry_id", "kind", "description", "debit", "credit", "balance"]
    assert rows[-1][-1] == "1500.00"


def test_idempotency_over_http(server, fin):
    b = fin["b"]["id"]
    k = key()
    body = {"member_id": b, "amount_minor": 1234, "date": "2025-03-01", "reference": "retry"}
    r1 = fin["post"]("/api/v1/finance/payments", body, idem=k)
    r2 = fin["post"]("/api/v1/finance/payments", body, idem=k)
    assert r1.status == r2.status == 201
    assert r1.json == r2.json and r2.header("Idempotent-Replayed") == "true"
    r3 = fin["post"]("/api/v1/finance/payments", dict(body, amount_minor=1235), idem=k)
    assert r3.status == 409, r3
    r = server.request("POST", "/api/v1/finance/payments", body, key=server.admin_key)
    assert r.status == 400 and "Idempotency-Key" in msg(r)


def test_concurrent_retries_over_http(server, fin):
    b = fin["b"]["id"]
    k = key()
    body = {"member_id": b, "amount_minor": 777, "date": "2025-03-02", "reference": "network retry"}

    def one(_):
        return fin["post"]("/api/v1/finance/payments", body, idem=k)

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(one, range(16)))
    ok = [r for r in rs if r.status == 201]
    # every retry either gets the first result or is told the key is still in use (409); one payment exists
    assert ok and all(r.json["id"] == ok[0].json["id"] for r in ok)
    assert all(r.status in (201, 409) for r in rs)
    st = server.request("GET", f"/api/v1/finance/members/{b}/statement?from=2025-03-02&to=2025-03-02",
                        key=server.admin_key)
    assert len([l for l in st.json["lines"] if l["kind"] == "payment"]) == 1


def test_roles(server, fin):
    a, b = fin["a"]["id"], fin["b"]["id"]
    pay = {"member_id": a, "amount": "1.00", "date": "2025-03-01", "reference": "x"}
    for who in ("delegate_a", "analyst_a", "auditor"):
        r = fin["post"]("/api/v1/finance/payments", pay, k=fin[who])
        assert r.status == 403, (who, r)
        r = fin["post"]("/api/v1/finance/assessments", {"year": 2026}, k=fin[who])
        assert r.status == 403, (who, r)
    # another member's statement: denied to delegates and analysts; auditors read everything
    r = server.request("GET", f"/api/v1/finance/members/{a}/statement", key=fin["analyst_b"])
    assert r.status == 403, r
    r = server.request("GET", f"/api/v1/finance/members/{b}/voting-right", key=fin["delegate_a"])
    assert r.status == 403, r
    r = server.request("GET", f"/api/v1/finance/members/{a}/statement", key=fin["auditor"])
    assert r.status == 200, r
    for path in ("/api/v1/finance/reports/sustainability", "/api/v1/finance/arrears", "/api/v1/finance/voting-rights",
                 "/api/v1/finance/assessments", "/api/v1/finance/verify"):
        assert server.request("GET", path, key=fin["auditor"]).status == 200, path
        assert server.request("GET", path, key=fin["delegate_a"]).status == 403, path
        assert server.request("GET", path).status == 401, path
    # nobody edits or deletes an entry
    r = server.request("GET", "/api/v1/finance/assessments?year=2024", key=server.admin_key)
    entry = r.json["items"][0]["id"]
    assert server.request("GET", f"/api/v1/finance/entries/{entry}", key=fin["auditor"]).status == 200
    for method in ("DELETE", "PUT", "PATCH"):
        r = server.request(method, f"/api/v1/finance/entries/{entry}", {} if method != "DELETE" else None,
                           key=server.admin_key)
        assert r.status == 405, (method, r)
    # the public picture needs no key
    r = server.request("GET", "/api/v1/finance/transparency")
    assert r.status == 200 and "runway_months" in r.json and "members_without_vote" in r.json
    assert not re.search(r"\d\.\d{15,}", r.raw), r.raw  # the cached text is written as cp_resp_json writes
    assert "budget_execution" not in r.json


def test_bad_input(server, fin):
    a = fin["a"]["id"]
    post = fin["post"]
    cases = [
        ({"member_id": a, "amount": "1,000.00", "date": "2025-01-01", "reference": "x"}, 400, "amount"),
        ({"member_id": a, "amount": "10.001", "date": "2025-01-01", "reference": "x"}, 400, "decimals"),
        ({"member_id": a, "amount": "10", "amount_minor": 1000, "date": "2025-01-01", "reference": "x"}, 400, "exactly one"),
        ({"member_id": a, "amount": "10", "date": "2025-02-30", "reference": "x"}, 400, "date"),
        ({"member_id": a, "amount": "10", "date": "2025-01-01", "reference": "x", "colour": "red"}, 400, "colour"),
        ({"member_id": a, "amount": "10", "date": "2025-01-01", "reference": "x", "currency": "ZZZ"}, 422, "ISO 4217"),
        ({"member_id": str(uuid.uuid4()), "amount": "10", "date": "2025-01-01", "reference": "x"}, 404, "member"),
    ]
    for body, status, word in cases:
        r = post("/api/v1/finance/payments", body)
        assert r.status == status, (body, r)
        assert word in msg(r), (body, msg(r))
    r = post(f"/api/v1/finance/members/{a}/classes", {"units": "1/3", "effective": "2026-01-01"})
    assert r.status == 400 and "units" in msg(r)
    r = post(f"/api/v1/finance/members/{a}/classes", {"units": "1/16", "effective": "2026-01-01"})
    assert r.status == 422 and "least developed" in msg(r)
    r = post(f"/api/v1/finance/members/{a}/classes", {"units": "1", "effective": "2026-01-01"})
    assert r.status == 422 and "decision_ref" in msg(r)  # 3 → 1 is more than the permitted step
    r = server.request("GET", "/api/v1/finance/reports/sustainability?as_of=yesterday", key=server.admin_key)
    assert r.status == 400 and "as_of" in msg(r)
    r = server.request("GET", "/api/v1/finance/reports/charts/pie.svg", key=server.admin_key)
    assert r.status == 404
    r = fin["post"]("/api/v1/finance/entries/" + str(uuid.uuid4()) + "/reversal", {"reason": "x"})
    assert r.status == 404


def test_reports_csv_svg_and_verify(server, fin):
    b = fin["b"]["id"]
    r = fin["post"]("/api/v1/finance/budget-lines", {"year": 2025, "code": "operations", "name": "Operations",
                                                      "amount": "2000.00", "decision_ref": "GA-2024-12"})
    assert r.status == 201, r
    line = r.json["id"]
    r = fin["post"]("/api/v1/finance/spending", {"line_id": line, "amount": "100.00", "date": "2025-04-30",
                                                  "reference": "invoice 17"})
    assert r.status == 201, r
    r = server.request("GET", "/api/v1/finance/reports/sustainability?as_of=2025-12-31", key=fin["auditor"])
    assert r.status == 200, r
    rep = r.json
    assert rep["financial_year"] == 2025 and rep["assessed_minor"] == 410000
    assert not re.search(r"\d\.\d{15,}", r.raw), r.raw  # reals as people write them (10.3, not 10.300000000000001)
    assert rep["budget_execution"][0]["spent_minor"] == 10000
    # B (1 unit) paid only small amounts: 2024 and 2025 overdue = 2,000 ≥ 1,000 (2024 only was assessed before 2025)
    names = [m["member_id"] for m in rep["members_without_vote"]]
    assert b in names
    r = server.request("GET", "/api/v1/finance/reports/sustainability?as_of=2025-12-31", key=fin["auditor"],
                       headers={"Accept": "text/csv"})
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    assert "summary,assessed,4100.00" in r.raw
    for chart in ("collection", "arrears", "runway"):
        r = server.request("GET", f"/api/v1/finance/reports/charts/{chart}.svg?as_of=2025-12-31", key=fin["auditor"])
        assert r.status == 200 and r.header("Content-Type") == "image/svg+xml"
        assert r.raw.startswith("<svg ") and "<script" not in r.raw
    r = server.request("GET", f"/api/v1/finance/members/{b}/voting-right?as_of=2025-12-31", key=server.admin_key)
    assert r.status == 200 and r.json["has_vote"] is False
    restore = r.json["min_payment_to_restore"]
    r = fin["post"]("/api/v1/finance/payments", {"member_id": b, "amount": restore, "date": "2025-12-31",
                                                   "reference": "restore"})
    assert r.status == 201
    r = server.request("GET", f"/api/v1/finance/members/{b}/voting-right?as_of=2025-12-31", key=server.admin_key)
    assert r.json["has_vote"] is True, r
    r = server.request("GET", "/api/v1/finance/verify", key=fin["auditor"])
    assert r.status == 200 and r.json["intact"] is True and r.json["debits_minor"] == r.json["credits_minor"]
    p = server.cli(["verify"])
    assert p.stdout.startswith("ok: audit chain intact") and "ledger:" in p.stdout


def test_payment_import_is_atomic_and_idempotent(server, fin):
    a, b = fin["a"]["id"], fin["b"]["id"]
    good = [{"member_id": a, "amount": "10.00", "date": "2025-06-01", "reference": "stmt 1/1"},
            {"member_id": b, "amount": "20.00", "date": "2025-06-01", "reference": "stmt 1/2"}]
    bad = good + [{"member_id": b, "amount": "oops", "date": "2025-06-01", "reference": "stmt 1/3"}]
    before = server.request("GET", "/api/v1/finance/verify", key=server.admin_key).json["entries"]
    r = fin["post"]("/api/v1/finance/payments/import", {"payments": bad})
    assert r.status == 400 and "item 2" in msg(r), r
    assert server.request("GET", "/api/v1/finance/verify", key=server.admin_key).json["entries"] == before
    k = key()
    r1 = fin["post"]("/api/v1/finance/payments/import", {"payments": good}, idem=k)
    assert r1.status == 201 and len(r1.json["items"]) == 2, r1
    r2 = fin["post"]("/api/v1/finance/payments/import", {"payments": good}, idem=k)
    assert r2.json == r1.json and r2.header("Idempotent-Replayed") == "true"
    assert server.request("GET", "/api/v1/finance/verify", key=server.admin_key).json["entries"] == before + 2
    r = fin["post"]("/api/v1/finance/payments/import", {"payments": good}, k=fin["auditor"])
    assert r.status == 403


def test_verify_finds_a_tampered_ledger(fresh_server):
    """`cyberpact verify` fails (exit 1) and names the ledger when a leg is edited behind its back."""
    import os
    import sqlite3
    from conftest import STORE
    if STORE != "sqlite":
        pytest.skip("tampering is done through the SQLite file")
    s = fresh_server()
    m = s.create_member(country="FR", joined_at="2015-01-01T00:00:00Z")
    hdr = lambda: {"Idempotency-Key": key()}
    assert s.request("POST", f"/api/v1/finance/members/{m['id']}/classes", {"units": "2", "effective": "2015-01-01"},
                     key=s.admin_key, headers=hdr()).status == 201
    assert s.request("POST", "/api/v1/finance/unit-values", {"year": 2025, "amount": "500.00", "decision_ref": "D"},
                     key=s.admin_key, headers=hdr()).status == 201
    assert s.request("POST", "/api/v1/finance/assessments", {"year": 2025}, key=s.admin_key, headers=hdr()).status == 201
    s.stop()
    assert s.cli(["verify"]).returncode == 0
    db = sqlite3.connect(os.path.join(s.data, "cyberpact.db"))
    db.execute("UPDATE fin_leg SET amount = amount + 1 WHERE amount > 0")
    db.commit()
    db.close()
    p = s.cli(["verify"], check=False)
    assert p.returncode == 1 and "ledger is BROKEN" in p.stdout, p.stdout


def test_reference_data_and_decisions_endpoints(server, fin):
    """Scale, profile, unit values, budget lines, exemptions and repayment plans over HTTP."""
    a = fin["a"]["id"]
    post = fin["post"]
    r = server.request("GET", "/api/v1/finance/scale", key=fin["analyst_b"])
    assert r.status == 200 and r.json["classes"][0]["units"] == "40" and r.json["sector_unit"] == "1/5"
    bad = server.request("PUT", "/api/v1/finance/scale", {"text": "class 3\nclass 5\n"}, key=server.admin_key,
                         headers={"Idempotency-Key": key()})
    assert bad.status == 400 and "line 2" in msg(bad)
    denied = server.request("PUT", "/api/v1/finance/scale", {"text": "class 1\n"}, key=fin["auditor"],
                            headers={"Idempotency-Key": key()})
    assert denied.status == 403
    r = server.request("PUT", f"/api/v1/finance/members/{a}/profile", {"region": "Europe"}, key=server.admin_key,
                       headers={"Idempotency-Key": key()})
    assert r.status == 200 and r.json["region"] == "Europe" and r.json["ldc"] is False
    r = server.request("GET", f"/api/v1/finance/members/{a}", key=fin["analyst_a"])
    assert r.status == 200 and r.json["profile"]["region"] == "Europe" and r.json["classes"][0]["units"] == "3"
    assert server.request("GET", f"/api/v1/finance/members/{a}", key=fin["analyst_b"]).status == 403
    r = server.request("GET", "/api/v1/finance/unit-values", key=fin["delegate_a"])
    assert r.status == 200 and [v["year"] for v in r.json["items"]][:2] == [2024, 2025]
    r = post("/api/v1/finance/unit-values", {"year": 2025, "amount": "1.00", "decision_ref": "again"})
    assert r.status == 409
    r = post("/api/v1/finance/budget-lines", {"year": 2026, "code": "training", "name": "Training",
                                              "amount": "500.00", "decision_ref": "GA-2025-3"})
    assert r.status == 201
    r = post("/api/v1/finance/budget-lines", {"year": 2026, "code": "training", "name": "Training again",
                                              "amount": "5.00", "decision_ref": "GA-2025-3"})
    assert r.status == 409
    r = post("/api/v1/finance/budget-lines", {"year": 2026, "code": "Bad Code", "name": "x", "amount": "5.00",
                                              "decision_ref": "x"})
    assert r.status == 400
    r = server.request("GET", "/api/v1/finance/budget-lines?year=2026", key=fin["auditor"])
    assert r.status == 200 and [l["code"] for l in r.json["items"]] == ["training"]
    # the sector member (½ of a 1/5 unit = 100.00 a year) pays nothing: no vote is at stake (not a state),
    # but its arrears show; A gets an exemption and a plan through the API
    r = post("/api/v1/finance/exemptions", {"member_id": a, "decision_ref": "GA-2025-8", "from": "2025-01-01",
                                            "until": "2025-12-31"})
    assert r.status == 201 and r.json["until"] == "2025-12-31"
    r = post("/api/v1/finance/repayment-plans", {"member_id": a, "decision_ref": "GA-2025-9", "start": "2025-06-01",
                                                 "installments": [{"due": "2025-07-01", "amount": "100.00"},
                                                                  {"due": "2025-08-01", "amount_minor": 10000}]})
    assert r.status == 201 and r.json["total_minor"] == 20000, r
    r = post("/api/v1/finance/repayment-plans", {"member_id": a, "decision_ref": "x", "start": "2025-06-01",
                                                 "installments": [{"due": "2025-05-01", "amount": "1.00"}]})
    assert r.status == 422
    gift = {"amount": "75.00", "date": "2025-07-07", "reference": "grant", "donor": "Foundation X"}
    assert post("/api/v1/finance/voluntary-contributions", gift, k=fin["auditor"]).status == 403
    r = post("/api/v1/finance/voluntary-contributions", gift)
    assert r.status == 201 and r.json["amount_minor"] == 7500, r
    r = server.request("GET", "/api/v1/finance/reports/sustainability?as_of=2025-12-31", key=fin["auditor"])
    assert r.json["voluntary_year_to_date_minor"] == 7500
    r = server.request("GET", "/api/v1/finance/arrears?as_of=2025-12-31", key=fin["auditor"])
    assert r.status == 200 and set(r.json["aging"]) >= {"1-30", "31-90", "91-365", "over-365"}
    assert any(i["member_id"] == fin["sector"]["id"] for i in r.json["items"])
    r = server.request("GET", "/api/v1/finance/voting-rights?as_of=2025-06-30", key=server.admin_key)
    assert r.status == 200
    mine = [m for m in r.json["with_vote"] + r.json["without_vote"] if m["member_id"] == a][0]
    assert mine["exempt"] is True and mine["has_vote"] is True
