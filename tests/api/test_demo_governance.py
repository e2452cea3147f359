"""`cyberpact demo` seeds governance: a body, proposals in every state, ballots from many
member states, a proxy, a member state without the right to vote (from the finance demo's
ledger), next year's budget adopted and applied to finance; the demo delegate
can vote on the open proposal and the record rechecks every result."""
import shutil
import subprocess

from conftest import BIN
from test_demo_intel import demo_server, key_of

GOV = "/api/v1/governance"


def test_demo_governance():
    s, creds = demo_server()
    try:
        auditor = key_of(creds, "auditor")
        r = s.request("GET", GOV + "/proposals?limit=50", key=auditor)
        assert r.status == 200
        by_status = {}
        for p in r.json["items"]:
            by_status.setdefault(p["status"], []).append(p)
        assert set(by_status) == {"draft", "withdrawn", "open", "adopted", "rejected", "postponed"}, by_status.keys()
        draft = by_status["draft"][0]
        assert draft["version"] == 2
        policy = next(p for p in by_status["adopted"] if p["type"] == "policy")
        adopted = s.request("GET", GOV + f"/proposals/{policy['id']}/result", key=auditor).json["result"]
        assert adopted["participating"] >= 40 and adopted["outcome"] == "adopted"
        not_eligible = [v for v in adopted["eligibility"]["voters"] if not v["eligible"] and "arrears" in v["reason"]]
        assert len(not_eligible) == 1
        # next year's budget, adopted: its figures became finance's unit value and budget lines
        budget = next(p for p in by_status["adopted"] if p["type"] == "budget")
        assert budget["budget_effect"]["applied"] is True, budget
        year = budget["budget"]["year"]
        uv = [u for u in s.request("GET", "/api/v1/finance/unit-values", key=auditor).json["items"] if u["year"] == year]
        assert len(uv) == 1 and uv[0]["amount"] == "1350.00" and budget["id"] in uv[0]["decision_ref"], uv
        lines = s.request("GET", f"/api/v1/finance/budget-lines?year={year}", key=auditor).json["items"]
        assert len(lines) == 3 and all(budget["id"] in l["decision_ref"] for l in lines), lines
        r = s.request("GET", GOV + "/bodies", key=auditor)
        board = next(b for b in r.json["items"] if b["name"] == "Advisory Board")
        assert len(s.request("GET", GOV + f"/bodies/{board['id']}", key=auditor).json["seats"]) == 7
        proxies = s.request("GET", GOV + "/proxies", key=auditor).json["items"]
        assert len(proxies) == 1 and proxies[0]["proposal_id"]
        # a demo delegate votes on the open general-assembly proposal and gets a receipt
        delegate = next(c["key"] for c in creds if c["user"].startswith("delegate-"))
        ga_open = next(p for p in by_status["open"] if p["body_id"] == "general-assembly")
        r = s.request("POST", GOV + f"/proposals/{ga_open['id']}/ballots", {"choice": "yes"}, key=delegate)
        assert r.status == 201 and r.json["receipt"]["leaf_hash"]
    finally:
        s.stop()
        p = subprocess.run([BIN, "record", "verify", "--data", s.data] + (["--database", s.db] if s.db else []),
                           capture_output=True, text=True, timeout=120)
        shutil.rmtree(s.dir, ignore_errors=True)
    assert p.returncode == 0 and "results: 4 recomputed" in p.stdout, p.stdout + p.stderr
