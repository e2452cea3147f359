"""Governance over HTTP (issue 5): bodies and seats, proposals and their
lifecycle, ballots (authorisation with denials, secrecy until closing, signed
ballots, receipts), proxies, eligibility through the placeholder source,
automatic closing by the scheduler, results with their eligibility snapshot,
concurrency of ballots from one member, and `record verify` recomputing every
result from the record."""
import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

from conftest import msg, new_state, BIN

GOV = "/api/v1/governance"


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class World:
    """Member states A..F with one delegate key each, a sector member with an
    analyst, an auditor and the secretariat (the admin key)."""

    def __init__(self, server):
        self.s = server
        self.admin = server.admin_key
        alliance = server.alliance_id()
        self.states, self.delegates = [], []
        for _ in range(6):
            m = new_state(server)
            _, k = server.actor(m["id"], ["delegate"])
            self.states.append(m["id"])
            self.delegates.append(k)
        self.sector = server.create_member(kind="sector_member")["id"]
        _, self.analyst = server.actor(self.sector, ["analyst"])
        _, self.auditor = server.actor(alliance, ["auditor"])

    def req(self, method, path, body=None, key=None):
        return self.s.request(method, GOV + path, body, key=key or self.admin)

    def proposal(self, closes_in=3600, rule="simple", body_id=None, **extra):
        b = {"type": "policy", "title": "Adopt the incident taxonomy", "text": "The alliance adopts ...", "rule": rule}
        if body_id:
            b["body_id"] = body_id
        b.update(extra)
        r = self.req("POST", "/proposals", b)
        assert r.status == 201, r
        pid = r.json["id"]
        r = self.req("POST", f"/proposals/{pid}/open", {"closes_at": iso(closes_in)})
        assert r.status == 200, r
        return pid

    def vote(self, pid, i, choice, **extra):
        body = {"choice": choice}
        body.update(extra)
        return self.req("POST", f"/proposals/{pid}/ballots", body, key=self.delegates[i])

    def wait_closed(self, pid, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            r = self.req("GET", f"/proposals/{pid}")
            if r.json["status"] not in ("open",):
                return r.json
            time.sleep(0.25)
        raise AssertionError(f"proposal {pid} was not closed by the scheduler")


@pytest.fixture(scope="module")
def w(server):
    return World(server)


def test_bodies_and_seats(w):
    r = w.req("GET", "/bodies", key=w.analyst)
    assert r.status == 200 and any(b["id"] == "general-assembly" for b in r.json["items"])
    # only the secretariat creates bodies
    for k in (w.delegates[0], w.auditor, w.analyst):
        assert w.req("POST", "/bodies", {"name": "x"}, key=k).status == 403
    r = w.req("POST", "/bodies", {"name": "Advisory Board", "seats": [{"member_id": w.states[0]}, {"member_id": w.states[1]}]})
    assert r.status == 201, r
    body = r.json
    assert {s["member_id"] for s in body["seats"]} == {w.states[0], w.states[1]}
    assert all(s["current"] for s in body["seats"])
    # a second body with the same name, an unknown field, a seat for a sector member, an overlapping seat
    assert w.req("POST", "/bodies", {"name": "Advisory Board"}).status == 409
    r = w.req("POST", "/bodies", {"name": "B2", "colour": "red"})
    assert r.status == 400 and "colour" in msg(r)
    r = w.req("POST", f"/bodies/{body['id']}/seats", {"member_id": w.sector})
    assert r.status == 422 and "member states" in msg(r)
    assert w.req("POST", f"/bodies/{body['id']}/seats", {"member_id": w.states[0]}).status == 409
    r = w.req("POST", f"/bodies/{body['id']}/seats", {"member_id": w.states[2], "term_end": iso(3600)})
    assert r.status == 201 and r.json["term_end"]
    assert w.req("POST", "/bodies/general-assembly/seats", {"member_id": w.states[2]}).status == 422
    assert w.req("GET", "/bodies/nope").status == 404
    # ending a term keeps the row
    r = w.req("DELETE", f"/bodies/{body['id']}/seats/{r.json['id']}")
    assert r.status == 200
    r = w.req("GET", f"/bodies/{body['id']}")
    assert len(r.json["seats"]) == 3 and sum(s["current"] for s in r.json["seats"]) == 2


def test_proposal_lifecycle_and_versions(w):
    r = w.req("POST", "/proposals", {"type": "budget", "title": "Budget 2027", "text": "v1", "rule": "two_thirds",
                                     "links": ["https://example.org/budget.pdf"]})
    assert r.status == 201, r
    p = r.json
    assert p["status"] == "draft" and p["version"] == 1 and p["quorum"] == {"num": 1, "den": 2, "strict": True}
    # amendments to a draft are versions
    r = w.req("PATCH", f"/proposals/{p['id']}", {"text": "v2", "note": "typo"})
    assert r.status == 200 and r.json["version"] == 2 and r.json["text"] == "v2"
    r = w.req("GET", f"/proposals/{p['id']}/versions", key=w.auditor)
    assert [v["version"] for v in r.json["items"]] == [1, 2]
    assert r.json["items"][0]["proposal"]["text"] == "v1" and r.json["items"][1]["note"] == "typo"
    # bad input says what and where
    for bad, where in [({"type": "lunch", "title": "t", "text": "x", "rule": "simple"}, "body.type"),
                       ({"type": "policy", "title": "t", "text": "x", "rule": "most"}, "body.rule"),
                       ({"type": "policy", "title": "t", "text": "x", "rule": "simple", "quorum": {"num": 3, "den": 2}}, "body.quorum"),
                       ({"type": "policy", "title": "t", "text": "x", "rule": "simple", "links": ["ftp://x"]}, "body.links[0]"),
                       ({"type": "policy", "title": "t", "rule": "simple"}, "text"),
                       ({"type": "policy", "title": "t", "text": "x", "rule": "simple", "body_id": "nope"}, "body.body_id")]:
        r = w.req("POST", "/proposals", bad)
        assert r.status in (400, 422) and where in msg(r), (bad, r)
    # only the secretariat writes proposals
    for k in (w.delegates[0], w.auditor, w.analyst):
        assert w.req("POST", "/proposals", {"type": "policy", "title": "t", "text": "x", "rule": "simple"}, key=k).status == 403
        assert w.req("POST", f"/proposals/{p['id']}/open", {"closes_at": iso(60)}, key=k).status == 403
    # opening needs a closing time in the future; then the rule is fixed
    r = w.req("POST", f"/proposals/{p['id']}/open")
    assert r.status == 422 and "closes_at" in msg(r)
    r = w.req("POST", f"/proposals/{p['id']}/open", {"closes_at": iso(-10)})
    assert r.status == 422
    r = w.req("POST", f"/proposals/{p['id']}/open", {"closes_at": iso(3600)})
    assert r.status == 200 and r.json["status"] == "open" and r.json["round"] == 1
    r = w.req("PATCH", f"/proposals/{p['id']}", {"rule": "simple"})
    assert r.status == 409 and "draft" in msg(r)
    assert w.req("POST", f"/proposals/{p['id']}/withdraw").status == 409
    # the secretariat may close only after the closing time
    r = w.req("POST", f"/proposals/{p['id']}/close")
    assert r.status == 409 and "closing time" in msg(r)
    assert w.req("GET", f"/proposals/{p['id']}/result").status == 409
    # a draft may be withdrawn, once
    r = w.req("POST", "/proposals", {"type": "other", "title": "t", "text": "x", "rule": "consensus"})
    d = r.json["id"]
    assert w.req("POST", f"/proposals/{d}/withdraw").json["status"] == "withdrawn"
    assert w.req("POST", f"/proposals/{d}/withdraw").status == 409
    assert w.req("POST", f"/proposals/{d}/open", {"closes_at": iso(60)}).status == 409
    r = w.req("GET", "/proposals?status=withdrawn", key=w.analyst)
    assert r.status == 200 and any(x["id"] == d for x in r.json["items"])
    assert w.req("GET", "/proposals?status=maybe").status == 400
    assert w.req("GET", "/proposals/00000000-0000-4000-8000-000000000000").status == 404


def test_ballot_authorisation(w):
    pid = w.proposal()
    # the secretariat cannot vote for a member, the auditor reads only, an analyst does not vote
    r = w.req("POST", f"/proposals/{pid}/ballots", {"choice": "yes"})
    assert r.status == 403 and "secretariat" in msg(r)
    r = w.req("POST", f"/proposals/{pid}/ballots", {"choice": "yes", "member_id": w.states[0]})
    assert r.status == 403
    assert w.req("POST", f"/proposals/{pid}/ballots", {"choice": "yes"}, key=w.auditor).status == 403
    assert w.req("POST", f"/proposals/{pid}/ballots", {"choice": "yes"}, key=w.analyst).status == 403
    # a delegate votes only for its own member (no proxy held)
    r = w.vote(pid, 1, "yes", member_id=w.states[0])
    assert r.status == 403 and "proxy" in msg(r)
    assert w.vote(pid, 0, "maybe").status == 400
    assert w.vote(pid, 0, "object").status == 422  # not a choice under a majority rule
    r = w.vote(pid, 0, "yes")
    assert r.status == 201, r
    b = r.json
    assert b["member_id"] == w.states[0] and b["change"] == 1 and b["receipt"]["index"] >= 0
    assert len(b["receipt"]["leaf_hash"]) == 64
    # a change is a new ballot; the last counts
    r = w.vote(pid, 0, "no")
    assert r.status == 201 and r.json["change"] == 2 and r.json["seq"] > b["seq"]
    # secret until closing: another member sees nothing of it, the voter its own, the auditor all
    r = w.req("GET", f"/proposals/{pid}/ballots", key=w.delegates[1])
    assert r.json["visible"] == "own" and r.json["items"] == []
    r = w.req("GET", f"/proposals/{pid}/ballots", key=w.delegates[0])
    assert [x["choice"] for x in r.json["items"]] == ["yes", "no"]
    assert w.req("GET", f"/proposals/{pid}/ballots").json["items"] == []  # the secretariat does not see them either
    assert len(w.req("GET", f"/proposals/{pid}/ballots", key=w.auditor).json["items"]) == 2
    # a draft takes no ballot
    r = w.req("POST", "/proposals", {"type": "other", "title": "t", "text": "x", "rule": "simple"})
    assert w.vote(r.json["id"], 0, "yes").status == 409


def test_public_ballots_and_comments(w):
    pid = w.proposal(public_ballots=True)
    assert w.vote(pid, 2, "abstain").status == 201
    r = w.req("GET", f"/proposals/{pid}/ballots", key=w.delegates[3])
    assert r.json["visible"] == "all" and r.json["items"][0]["choice"] == "abstain"
    # other member kinds comment; the auditor changes nothing
    r = w.req("POST", f"/proposals/{pid}/comments", {"text": "We support the intent."}, key=w.analyst)
    assert r.status == 201 and r.json["member_id"] == w.sector
    assert w.req("POST", f"/proposals/{pid}/comments", {"text": "x"}, key=w.auditor).status == 403
    assert w.req("POST", f"/proposals/{pid}/comments", {"text": ""}, key=w.delegates[0]).status == 400
    r = w.req("GET", f"/proposals/{pid}/comments", key=w.delegates[0])
    assert [c["text"] for c in r.json["items"]] == ["We support the intent."]


def sign(priv, pid, rnd, member, cast_by, choice, change):
    text = (f"cyberpact-ballot-v1\nproposal={pid}\nround={rnd}\nmember={member}\ncast_by={cast_by}\n"
            f"choice={choice}\nchange={change}\n")
    return priv.sign(text.encode()).hex()


def test_signed_ballots(w):
    priv = Ed25519PrivateKey.generate()
    pub = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    assert w.req("POST", "/keys", {"public_key": pub}, key=w.auditor).status == 403
    assert w.req("POST", "/keys", {"public_key": "zz" * 32}, key=w.delegates[4]).status == 400
    r = w.req("POST", "/keys", {"public_key": pub, "label": "laptop"}, key=w.delegates[4])
    assert r.status == 201, r
    key_id = r.json["id"]
    pid = w.proposal()
    me = w.states[4]
    good = sign(priv, pid, 1, me, me, "yes", 1)
    # a signature over another choice, or replayed for a later change, does not verify
    r = w.vote(pid, 4, "no", signature=good)
    assert r.status == 422 and "does not verify" in msg(r)
    r = w.vote(pid, 4, "yes", signature=good)
    assert r.status == 201 and r.json["signed"] and r.json["key_id"] == key_id
    r = w.vote(pid, 4, "yes", signature=good)
    assert r.status == 422  # change 2 needs its own signature
    assert w.vote(pid, 4, "no", signature=sign(priv, pid, 1, me, me, "no", 2)).status == 201
    # the record keeps the signature: the member can prove its vote
    r = w.req("GET", f"/proposals/{pid}/ballots", key=w.delegates[4])
    assert [x["signature"] is not None for x in r.json["items"]] == [True, True]


def test_proxies(w):
    pid = w.proposal(public_ballots=True)
    A, B, C = 0, 1, 2
    assert w.req("POST", "/proxies", {"holder": w.states[B], "proposal_id": pid}).status == 403  # not the secretariat
    assert w.req("POST", "/proxies", {"holder": w.states[A], "proposal_id": pid}, key=w.delegates[A]).status == 422
    r = w.req("POST", "/proxies", {"holder": w.states[B], "proposal_id": pid}, key=w.delegates[A])
    assert r.status == 201, r
    px = r.json
    assert px["in_force"] and px["giver"] == w.states[A]
    # a member holds at most one proxy at a time
    r = w.req("POST", "/proxies", {"holder": w.states[B], "proposal_id": pid}, key=w.delegates[C])
    assert r.status == 409 and "at most one" in msg(r)
    # only the giver revokes
    assert w.req("POST", f"/proxies/{px['id']}/revoke", key=w.delegates[B]).status == 403
    # B votes for A, then A can no longer revoke it, but A may still vote itself
    r = w.vote(pid, B, "yes", member_id=w.states[A])
    assert r.status == 201 and r.json["cast_by"] == w.states[B]
    r = w.req("POST", f"/proxies/{px['id']}/revoke", key=w.delegates[A])
    assert r.status == 409 and "used" in msg(r)
    assert w.vote(pid, A, "no").status == 201
    # once A voted itself, B can no longer vote for A
    r = w.vote(pid, B, "yes", member_id=w.states[A])
    assert r.status == 409 and "cancels" in msg(r)
    # revoking before use
    pid2 = w.proposal()
    r = w.req("POST", "/proxies", {"holder": w.states[3], "proposal_id": pid2}, key=w.delegates[C])
    assert r.status == 201
    r = w.req("POST", f"/proxies/{r.json['id']}/revoke", key=w.delegates[C])
    assert r.status == 200 and r.json["revoked_at"] and not r.json["in_force"]
    assert w.vote(pid2, 3, "yes", member_id=w.states[C]).status == 403
    r = w.req("GET", "/proxies", key=w.delegates[3])
    assert all(w.states[3] in (p["giver"], p["holder"]) for p in r.json["items"]) and r.json["items"]


FIN = "/api/v1/finance"


def fin_post(w, path, body, key=None):
    return w.s.request("POST", FIN + path, body, key=key or w.admin,
                       headers={"Idempotency-Key": "t-" + uuid.uuid4().hex})


@pytest.fixture(scope="module")
def ledger(w):
    """Real ledger data (the eligibility source the server installs): two more member
    states X and Y (indices 6 and 7), members since 2015, with one contributory unit each since 2015, and the
    financial years 2024 and 2025 assessed at CHF 1,000.00 per unit, due 31 March, nothing
    paid. Only members with a class are assessed, so A..F keep their vote. Today X and Y
    owe CHF 2,000.00 = the contributions of the two preceding years: no vote."""
    for _ in range(2):
        m = w.s.create_member(country=next(w.s._countries), joined_at="2015-01-01T00:00:00Z")
        _, k = w.s.actor(m["id"], ["delegate"])
        w.states.append(m["id"])
        w.delegates.append(k)
        r = fin_post(w, f"/members/{m['id']}/classes", {"units": "1", "effective": "2015-01-01"})
        assert r.status == 201, r
    for y in (2024, 2025):
        r = fin_post(w, "/unit-values", {"year": y, "amount": "1000.00", "decision_ref": f"budget proposal {y}"})
        assert r.status == 201, r
        r = fin_post(w, "/assessments", {"year": y, "due_date": f"{y}-03-31"})
        assert r.status == 201 and r.json["members"] == 2, r
    return {"X": 6, "Y": 7}


def test_eligibility_from_the_ledger(w, ledger):
    X = ledger["X"]
    # the placeholder's flags are refused while the ledger decides
    r = w.req("POST", f"/eligibility/{w.states[X]}", {"state": "clear", "reason": "paid"})
    assert r.status == 409 and "ledger" in msg(r)
    r = w.req("GET", f"/eligibility/{w.states[X]}", key=w.delegates[X])
    assert r.status == 200 and r.json["source"] == "ledger", r
    right = r.json["right_to_vote"]
    assert not right["has_right"] and right["arrears"] == 200000 and right["threshold"] == 200000, right
    assert right["currency"] == "CHF"
    assert w.req("GET", f"/eligibility/{w.states[X]}", key=w.delegates[0]).status == 403  # another member's
    r = w.req("GET", f"/eligibility/{w.states[0]}", key=w.delegates[0])
    assert r.json["right_to_vote"]["has_right"], r  # no class, nothing assessed
    pid = w.proposal()
    r = w.vote(pid, X, "yes")
    assert r.status == 403 and "arrears" in msg(r), r
    # the two-year rule at its edge: one centime paid is enough (arrears 1,999.99 < 2,000.00)
    vr = w.s.request("GET", f"{FIN}/members/{w.states[X]}/voting-right", key=w.admin).json
    assert vr["has_vote"] is False and vr["min_payment_to_restore"] == "0.01", vr
    pay = fin_post(w, "/payments", {"member_id": w.states[X], "amount": "0.01", "date": "2026-11-01",
                                     "reference": "SWIFT X-1"})
    assert pay.status == 201, pay
    assert w.vote(pid, X, "yes").status == 201
    # the payment was recorded in error: its reversal takes the vote away again
    r = fin_post(w, f"/entries/{pay.json['id']}/reversal", {"reason": "recorded against the wrong member"})
    assert r.status == 201, r
    r = w.vote(pid, X, "no")
    assert r.status == 403 and "arrears" in msg(r)
    # an exemption decided by the governing body keeps the right despite the arrears
    r = fin_post(w, "/exemptions", {"member_id": w.states[X], "decision_ref": "GA decision 2026/12",
                                    "from": "2026-01-01", "until": "2027-12-31"})
    assert r.status == 201, r
    assert w.vote(pid, X, "no").status == 201
    r = w.req("GET", f"/eligibility/{w.states[X]}", key=w.auditor)
    assert r.json["right_to_vote"]["has_right"] and r.json["right_to_vote"]["arrears"] == 200000


def test_closing_result_and_lost_eligibility(w, ledger, server):
    """Member states A..E and Y; the scheduler closes at the closing time. Y pays its
    arrears, votes yes, and then the payment is reversed before closing: its ballot is
    not counted and it leaves the denominator. 3 yes, 1 no, 1 abstain: adopted."""
    Y = ledger["Y"]
    pay = fin_post(w, "/payments", {"member_id": w.states[Y], "amount": "2000.00", "date": "2026-11-02",
                                     "reference": "SWIFT Y-1"})
    assert pay.status == 201, pay
    pid = w.proposal(closes_in=3)
    for i, c in zip([0, 1, 2, 3, 4, Y], ["yes", "yes", "no", "abstain", "yes", "yes"]):
        assert w.vote(pid, i, c).status == 201, i
    assert fin_post(w, f"/entries/{pay.json['id']}/reversal", {"reason": "the transfer bounced"}).status == 201
    p = w.wait_closed(pid)
    assert p["status"] == "adopted", p
    res = w.req("GET", f"/proposals/{pid}/result", key=w.delegates[0]).json["result"]
    assert res["counts"] == {"yes": 3, "no": 1, "abstain": 1, "object": 0}
    assert res["not_counted"] == 1 and res["quorum_reached"]
    snap = {v["member"]: v for v in res["eligibility"]["voters"]}
    assert not snap[w.states[Y]]["eligible"] and "arrears" in snap[w.states[Y]]["reason"], snap[w.states[Y]]
    assert snap[w.states[0]]["eligible"]
    assert res["eligibility"]["source"] == "ledger"
    assert any("not counted" in x for x in res["reasons"])
    # after closing: every ballot is visible, no more ballots, no second closing
    r = w.req("GET", f"/proposals/{pid}/ballots", key=w.delegates[1])
    assert r.json["visible"] == "all" and len(r.json["items"]) == 6
    assert w.vote(pid, 0, "no").status == 409
    assert w.req("POST", f"/proposals/{pid}/close").status == 409


def test_adopted_budget_sets_the_unit_value(w, ledger):
    """A budget proposal carries its figures; adopted, they become finance's unit value and
    budget lines for the year, with the proposal as the decision. Bad figures are refused
    when the proposal is written, not when the vote closes."""
    budget = {"year": 2027, "currency": "CHF", "unit_value": "1100.00",
              "lines": [{"code": "early-warning", "name": "Early warning", "amount": "330000.00"},
                        {"code": "operations", "name": "Operations", "amount": "150000.00"}]}
    # refused at once: figures on a non-budget proposal, bad figures, a year already set
    r = w.req("POST", "/proposals", {"type": "policy", "title": "t", "text": "t", "rule": "simple", "budget": budget})
    assert r.status == 400 and "body.budget" in msg(r)
    for bad, where in (({"currency": "CHF", "unit_value": "1.00"}, "year"),
                       (dict(budget, unit_value="12,5"), "unit_value"),
                       (dict(budget, currency="XXY"), "currency"),
                       (dict(budget, lines=[{"code": "x", "name": "x", "amount": "-5.00"}]), "lines[0]")):
        r = w.req("POST", "/proposals", {"type": "budget", "title": "t", "text": "t", "rule": "simple", "budget": bad})
        assert r.status in (400, 422) and "body.budget" in msg(r) and where in msg(r), (bad, r)
    r = w.req("POST", "/proposals", {"type": "budget", "title": "t", "text": "t", "rule": "simple",
                                     "budget": dict(budget, year=2025)})
    assert r.status == 409 and "already set" in msg(r), r
    assert w.s.request("GET", f"{FIN}/unit-values", key=w.admin).json["items"][-1]["year"] != 2027  # nothing written
    # two proposals for 2027: the first adopted sets it; the second, adopted later, cannot
    first = w.proposal(closes_in=3, type="budget", budget=budget)
    second = w.proposal(closes_in=4, type="budget", budget=dict(budget, unit_value="1200.00"))
    assert w.req("GET", f"/proposals/{first}").json["budget"]["unit_value"] == "1100.00"
    for pid in (first, second):
        for i, c in enumerate(["yes", "yes", "yes", "no", "abstain"]):
            assert w.vote(pid, i, c).status == 201
    p = w.wait_closed(first)
    assert p["status"] == "adopted" and p["budget_effect"]["applied"] is True, p
    uv = [u for u in w.s.request("GET", f"{FIN}/unit-values", key=w.delegates[0]).json["items"] if u["year"] == 2027]
    assert len(uv) == 1 and uv[0]["amount"] == "1100.00" and first in uv[0]["decision_ref"], uv
    lines = w.s.request("GET", f"{FIN}/budget-lines?year=2027", key=w.admin).json["items"]
    assert sorted(l["code"] for l in lines) == ["early-warning", "operations"], lines
    assert all(first in l["decision_ref"] for l in lines)
    p = w.wait_closed(second)
    assert p["status"] == "adopted", p  # the vote is a fact ...
    assert p["budget_effect"]["applied"] is False and "already set" in p["budget_effect"]["error"], p
    uv = [u for u in w.s.request("GET", f"{FIN}/unit-values", key=w.admin).json["items"] if u["year"] == 2027]
    assert len(uv) == 1 and uv[0]["amount"] == "1100.00"  # ... and the ledger's data did not change
    v = w.s.request("GET", f"{FIN}/verify", key=w.auditor)
    assert v.status == 200 and v.json["intact"] is True


def test_postponed_and_reopened(w):
    body = w.req("POST", "/bodies", {"name": "Board for rounds",
                                     "seats": [{"member_id": m} for m in w.states[:4]]}).json["id"]
    pid = w.proposal(closes_in=2, body_id=body, rule="consensus")
    assert w.vote(pid, 0, "yes").status == 201
    assert w.vote(pid, 0, "no").status == 422  # consensus: yes, abstain or object
    assert w.vote(pid, 5, "yes").status == 403  # no seat in this body
    p = w.wait_closed(pid)
    assert p["status"] == "postponed" and "quorum not reached" in p["result"]["reasons"][0]
    r = w.req("POST", f"/proposals/{pid}/reopen", {"closes_at": iso(2)})
    assert r.status == 200 and r.json["round"] == 2 and r.json["status"] == "open"
    for i, c in enumerate(["yes", "object", "abstain"]):
        assert w.vote(pid, i, c).status == 201
    p = w.wait_closed(pid)
    assert p["status"] == "rejected" and p["result"]["counts"]["object"] == 1


def test_concurrent_ballots_same_member(w):
    pid = w.proposal(public_ballots=True)
    choices = ["yes", "no", "abstain"] * 7

    def cast(c):
        return w.vote(pid, 3, c)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        results = list(ex.map(cast, choices))
    assert all(r.status == 201 for r in results), [r for r in results if r.status != 201][:2]
    seqs = sorted(r.json["seq"] for r in results)
    changes = sorted(r.json["change"] for r in results)
    assert len(set(seqs)) == len(choices) and changes == list(range(1, len(choices) + 1))
    items = w.req("GET", f"/proposals/{pid}/ballots").json["items"]
    mine = [x for x in items if x["member_id"] == w.states[3]]
    assert len(mine) == len(choices) and [x["seq"] for x in mine] == seqs
    last = max(results, key=lambda r: r.json["seq"]).json
    assert mine[-1]["choice"] == last["choice"] and mine[-1]["change"] == len(choices)


def test_record_verify_rechecks_results(w, server):
    """Every result so far is recomputed from the record alone."""
    env = dict(os.environ)
    args = [BIN, "record", "verify", "--data", server.data]
    if server.db:
        args += ["--database", server.db]
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.search(r"results: (\d+) recomputed from the logged ballots, (\d+) skipped, (\d+) different", p.stdout)
    assert m, p.stdout
    # adopted, postponed, rejected (two rounds of one proposal) at least
    assert int(m.group(1)) >= 3 and m.group(3) == "0", p.stdout


def test_cli_tally_and_list(w, server, tmp_path):
    """`cyberpact governance tally FILE`: the worked example 1 of docs/governance.md."""
    here = os.path.dirname(__file__)
    p = subprocess.run([BIN, "governance", "tally", os.path.join(here, "../data/governance/example1.json")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["outcome"] == "adopted" and res["quorum_needed"] == 6 and res["majority_needed"] == 3
    bad = tmp_path / "bad.json"
    bad.write_text('{"rule": "simple", "ballots": [{"member": "A", "choice": "object", "seq": 1}]}')
    p = subprocess.run([BIN, "governance", "tally", str(bad)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "ballots[0].choice" in p.stderr
    p = server.cli(["governance", "list", "--status", "adopted"])
    assert p.returncode == 0 and json.loads(p.stdout) and all(x["status"] == "adopted" for x in json.loads(p.stdout))
    pid = w.proposal()
    p = server.cli(["governance", "close", pid], check=False)
    assert p.returncode == 1 and "closing time" in p.stderr


def test_two_servers_close_once(w, server, tmp_path):
    """Two servers on one store, both with the scheduler: a vote closes once
    (one eligibility snapshot and one result in the record)."""
    cmd = [BIN, "serve", "--listen", "127.0.0.1:0", "--data", str(tmp_path / "second")]
    if server.db:
        cmd += ["--database", server.db]
    else:
        cmd += ["--database", "sqlite:" + os.path.join(server.data, "cyberpact.db")]
    log = open(tmp_path / "second.log", "wb")
    second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
    try:
        assert b"listening" in second.stdout.readline()
        pids = [w.proposal(closes_in=2) for _ in range(3)]
        for pid in pids:
            assert w.vote(pid, 0, "yes").status == 201
        for pid in pids:
            assert w.wait_closed(pid)["status"] == "postponed"
        time.sleep(1.5)  # both schedulers have passed the closing time at least once more
    finally:
        second.terminate()
        assert second.wait(timeout=30) == 0
        second.stdout.close()
        log.close()
    out = tmp_path / "export.jsonl"
    server.cli(["record", "export", str(out), "--all"])
    entries = [json.loads(json.loads(line)["entry"]) for line in out.read_text().splitlines()[1:]]
    for pid in pids:
        kinds = [e["type"] for e in entries if e.get("proposal") == pid]
        assert kinds.count("result") == 1 and kinds.count("eligibility") == 1, kinds


def test_more_denials_and_bad_input(w):
    pid = w.proposal()
    # re-opening is for postponed proposals only; the secretariat's own key is not a delegate's
    r = w.req("POST", f"/proposals/{pid}/reopen", {"closes_at": iso(60)})
    assert r.status == 409 and "postponed" in msg(r)
    r = w.req("POST", f"/proposals/{pid}/open", {"closes_at": "tomorrow"})
    assert r.status == 400 and "closes_at" in msg(r)
    r = w.req("POST", f"/proposals/{pid}/close", {"force": True})
    assert r.status == 400
    # a period proxy needs an end; a proposal and a period together are refused
    r = w.req("POST", "/proxies", {"holder": w.states[4]}, key=w.delegates[3])
    assert r.status == 400 and "until" in msg(r)
    r = w.req("POST", "/proxies", {"holder": w.states[4], "proposal_id": pid, "until": iso(60)}, key=w.delegates[3])
    assert r.status == 400 and "not both" in msg(r)
    assert w.req("POST", "/proxies/00000000-0000-4000-8000-000000000000/revoke", key=w.delegates[3]).status == 404
    # eligibility: analysts do not read it; a bad date is named
    assert w.req("GET", "/eligibility", key=w.analyst).status == 403
    r = w.req("GET", f"/eligibility/{w.states[0]}?at=yesterday", key=w.auditor)
    assert r.status == 400 and "at" in msg(r)
    # keys: another user's key cannot be revoked by a delegate (404), the secretariat can
    priv = Ed25519PrivateKey.generate()
    pub = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    k = w.req("POST", "/keys", {"public_key": pub}, key=w.delegates[2]).json["id"]
    assert w.req("DELETE", f"/keys/{k}", key=w.delegates[1]).status == 404
    assert w.req("GET", "/keys", key=w.delegates[1]).json["items"] == [] or all(
        x["id"] != k for x in w.req("GET", "/keys", key=w.delegates[1]).json["items"])
    r = w.req("DELETE", f"/keys/{k}")
    assert r.status == 200 and r.json["revoked_at"]
    # a signature with a revoked key does not verify any more
    sig = sign(priv, pid, 1, w.states[2], w.states[2], "yes", 1)
    r = w.vote(pid, 2, "yes", signature=sig)
    assert r.status == 422
    # unauthenticated
    assert w.s.request("GET", GOV + "/proposals").status == 401
    assert w.s.request("POST", GOV + f"/proposals/{pid}/ballots", {"choice": "yes"}).status == 401


def test_concurrent_proxies_to_one_holder(server):
    """Several member states give their proxy to the same holder at the same instant:
    exactly one succeeds (a member holds at most one proxy at a time)."""
    holder = new_state(server)["id"]
    server.actor(holder, ["delegate"])
    givers = []
    for _ in range(6):
        m = new_state(server)["id"]
        givers.append(server.actor(m, ["delegate"])[1])
    until = iso(3600)

    def give(k):
        return server.request("POST", GOV + "/proxies", {"holder": holder, "until": until}, key=k)

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as ex:
        results = list(ex.map(give, givers))
    assert sorted(r.status for r in results) == [201] + [409] * 5, [(r.status, r.body) for r in results]
    r = server.request("GET", GOV + "/proxies", key=server.admin_key)
    held = [p for p in r.json["items"] if p["holder"] == holder and p["in_force"]]
    assert len(held) == 1
