"""The governance record over HTTP and `cyberpact record verify`, on both stores.

Everything the server says is checked here with an independent implementation of
RFC 9162 in Python (hashlib): leaf hashes from the served entry bytes, roots from
the leaves, inclusion and consistency proofs with the RFC's verification
algorithms, and the Ed25519 signature of the tree head over the documented bytes.
Entries are appended with `cyberpact record note` (the record's own CLI); sealing
is arranged by setting an entry's sealed_until / visible_to_member in the store,
which changes no hash. Tampering is done the same way, in the store or in an
export file, and `record verify` must name what is wrong and exit 1.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import STORE, msg, new_state

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


# --- an independent RFC 9162 implementation ----------------------------------

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2 (0 < first < second); equal sizes need an empty proof."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or first > second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def test_python_reference_against_the_ct_vectors():
    """The Python reference itself agrees with the published CT test tree."""
    data = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                       "606162636465666768696a6b6c6d6e6f")]
    leaves = [leaf_hash(d) for d in data]
    assert mth(leaves).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert mth(leaves[:3]).hex() == "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"
    proof = [bytes.fromhex(h) for h in ("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    assert verify_inclusion(5, 8, leaves[5], proof, mth(leaves))
    assert not verify_inclusion(4, 8, leaves[5], proof, mth(leaves))
    cons = [bytes.fromhex(h) for h in ("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                       "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    assert verify_consistency(2, 5, mth(leaves[:2]), mth(leaves[:5]), cons)
    assert not verify_consistency(2, 5, mth(leaves[:3]), mth(leaves[:5]), cons)


# --- helpers -----------------------------------------------------------------

def note(server, text):
    p = server.cli(["record", "note", text])
    return json.loads(p.stdout)


def sql(server, statement):
    """Runs one statement on the server's store (the test's way to seal or tamper)."""
    if STORE == "postgresql":
        subprocess.run(["psql", server.db, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        con = sqlite3.connect(os.path.join(server.data, "cyberpact.db"), timeout=30)
        with con:
            con.execute(statement)
        con.close()


def get(server, path, key):
    return server.request("GET", path, key=key)


def all_entries(server, key):
    head = get(server, "/api/v1/record/tree-head", key).json
    out = []
    while len(out) < head["tree_size"]:
        r = get(server, f"/api/v1/record/entries?start={len(out)}&end={head['tree_size'] - 1}", key)
        assert r.status == 200, r
        assert r.json["entries"], r
        out += r.json["entries"]
    return head, out


def verify_cli(server, *args, check=False):
    return server.cli(["record", "verify"] + list(args), check=check)


@pytest.fixture(scope="module")
def rec(server):
    """The module's server with 21 notes in its record, and readers of each role."""
    receipts = [note(server, f"statement {i} \u00e9 \"quoted\"") for i in range(21)]
    alliance = server.alliance_id()
    state = new_state(server)
    other = new_state(server)
    _, delegate = server.actor(state["id"], ["delegate"])
    _, other_delegate = server.actor(other["id"], ["delegate"])
    _, analyst = server.actor(other["id"], ["analyst"])
    _, auditor = server.actor(alliance, ["auditor"])
    return {"receipts": receipts, "state": state, "other": other, "delegate": delegate,
            "other_delegate": other_delegate, "analyst": analyst, "auditor": auditor}


# --- who may read ------------------------------------------------------------

ROUTES = ["/api/v1/record/tree-head", "/api/v1/record/entries?start=0&end=3",
          "/api/v1/record/proof/inclusion?leaf=0&size=2", "/api/v1/record/proof/consistency?first=1&second=3"]


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_and_bad_credentials_are_refused(server, rec, path):
    r = server.request("GET", path)
    assert r.status == 401, r
    r = server.request("GET", path, key="cpk_00000000000000000000000000000000_" + "A" * 43)
    assert r.status == 401, r


@pytest.mark.parametrize("who", ["delegate", "analyst", "auditor", "secretariat"])
def test_every_role_reads_the_record(server, rec, who):
    key = server.admin_key if who == "secretariat" else rec[who]
    for path in ROUTES:
        r = get(server, path, key)
        assert r.status == 200, (path, r)


def test_a_suspended_member_reads_nothing(server):
    state = new_state(server)
    _, key = server.actor(state["id"], ["delegate"])
    assert get(server, "/api/v1/record/tree-head", key).status == 200
    r = server.request("POST", f"/api/v1/members/{state['id']}/status", {"status": "suspended", "reason": "test"},
                       key=server.admin_key)
    assert r.status in (200, 201), r
    r = get(server, "/api/v1/record/tree-head", key)
    assert r.status == 403, r


def test_the_public_key_is_public(server, rec):
    r = server.request("GET", "/api/v1/record/public-key")
    assert r.status == 200, r
    assert len(r.json["public_key"]) == 64 and int(r.json["public_key"], 16) >= 0
    assert r.json["algorithm"] == "Ed25519"
    # the one init printed
    p = server.cli(["record", "tree-head"])
    assert json.loads(p.stdout)["public_key"] == r.json["public_key"]


# --- what is served is what the RFC says ----------------------------------------

def test_entries_hash_to_their_leaves_and_the_root_to_the_head(server, rec):
    head, entries = all_entries(server, rec["delegate"])
    assert head["tree_size"] >= 21
    assert set(head) == {"tree_size", "root_hash", "timestamp", "time", "signature"}
    leaves = []
    for i, e in enumerate(entries):
        assert e["index"] == i
        data = e["entry"].encode()
        assert leaf_hash(data).hex() == e["leaf_hash"]
        leaves.append(leaf_hash(data))
        doc = json.loads(e["entry"])
        # canonical: keys sorted, no whitespace
        assert e["entry"] == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert mth(leaves).hex() == head["root_hash"]
    for i, r in enumerate(rec["receipts"]):
        assert entries[r["index"]]["leaf_hash"] == r["leaf_hash"]
        assert json.loads(entries[r["index"]]["entry"])["type"] == "note"


def test_the_head_signature_verifies_over_the_documented_bytes(server, rec):
    ed = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    pub = server.request("GET", "/api/v1/record/public-key").json["public_key"]
    head = get(server, "/api/v1/record/tree-head", rec["auditor"]).json
    key = ed.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub))
    message = f"cyberpact-record-tree-head-v1\n{head['tree_size']}\n{head['timestamp']}\n{head['root_hash']}\n"
    key.verify(bytes.fromhex(head["signature"]), message.encode())
    with pytest.raises(Exception):
        key.verify(bytes.fromhex(head["signature"]), message.replace("\n", "\n1", 1).encode())


def test_inclusion_proofs_verify_for_every_leaf_and_size(server, rec):
    head, entries = all_entries(server, rec["analyst"])
    leaves = [bytes.fromhex(e["leaf_hash"]) for e in entries]
    n = head["tree_size"]
    for size in range(1, n + 1):
        root = mth(leaves[:size])
        for i in range(size):
            r = get(server, f"/api/v1/record/proof/inclusion?leaf={i}&size={size}", rec["analyst"])
            assert r.status == 200, r
            assert r.json["leaf_index"] == i and r.json["tree_size"] == size
            assert r.json["leaf_hash"] == entries[i]["leaf_hash"]
            proof = [bytes.fromhex(h) for h in r.json["proof"]]
            assert verify_inclusion(i, size, leaves[i], proof, root), (i, size)
            if size > 1:
                assert not verify_inclusion(i, size, leaves[i], proof, mth(leaves[:size - 1]))
    # by leaf hash (either case), at the current size by default
    h = entries[7]["leaf_hash"]
    for form in (h, h.upper()):
        r = get(server, f"/api/v1/record/proof/inclusion?leaf={form}", rec["analyst"])
        assert r.status == 200, r
        assert r.json["leaf_index"] == 7 and r.json["tree_size"] == n
        assert verify_inclusion(7, n, leaves[7], [bytes.fromhex(x) for x in r.json["proof"]], mth(leaves))


def test_consistency_proofs_verify_for_every_pair(server, rec):
    head, entries = all_entries(server, rec["auditor"])
    leaves = [bytes.fromhex(e["leaf_hash"]) for e in entries]
    n = head["tree_size"]
    for second in range(1, n + 1):
        for first in range(1, second + 1):
            r = get(server, f"/api/v1/record/proof/consistency?first={first}&second={second}", rec["auditor"])
            assert r.status == 200, r
            assert (r.json["first"], r.json["second"]) == (first, second)
            proof = [bytes.fromhex(h) for h in r.json["proof"]]
            assert verify_consistency(first, second, mth(leaves[:first]), mth(leaves[:second]), proof)
    r = get(server, "/api/v1/record/proof/consistency?first=3", rec["auditor"])
    assert r.json["second"] == n


def test_entries_are_paged_and_bounded(server, rec):
    head = get(server, "/api/v1/record/tree-head", rec["delegate"]).json
    n = head["tree_size"]
    r = get(server, "/api/v1/record/entries?start=0", rec["delegate"])
    assert [e["index"] for e in r.json["entries"]] == list(range(n))
    r = get(server, f"/api/v1/record/entries?start=3&end={10 ** 15}", rec["delegate"])
    assert [e["index"] for e in r.json["entries"]] == list(range(3, n))
    r = get(server, "/api/v1/record/entries?start=5&end=5", rec["delegate"])
    assert [e["index"] for e in r.json["entries"]] == [5]


BAD = [
    ("/api/v1/record/entries", "start is required"),
    ("/api/v1/record/entries?start=abc", "must be a non-negative integer"),
    ("/api/v1/record/entries?start=-1", "must be a non-negative integer"),
    ("/api/v1/record/entries?start=5&end=4", "after end"),
    ("/api/v1/record/entries?start=100000", "beyond the tree"),
    ("/api/v1/record/entries?start=1&start=2", "more than once"),
    ("/api/v1/record/entries?start=99999999999999999999", "must be a non-negative integer"),
    ("/api/v1/record/proof/inclusion", "leaf (a leaf index or a leaf hash in hex) is required"),
    ("/api/v1/record/proof/inclusion?leaf=xyz", "leaf index (decimal) or a leaf hash"),
    ("/api/v1/record/proof/inclusion?leaf=" + "g" * 64, "not a 64-digit hex"),
    ("/api/v1/record/proof/inclusion?leaf=0&size=100000", "beyond the tree"),
    ("/api/v1/record/proof/inclusion?leaf=5&size=5", "not in the tree of size 5"),
    ("/api/v1/record/proof/inclusion?leaf=0&size=0", "at least 1"),
    ("/api/v1/record/proof/inclusion?leaf=0&size=1.5", "must be a non-negative integer"),
    ("/api/v1/record/proof/consistency", "first is required"),
    ("/api/v1/record/proof/consistency?first=4&second=3", "larger than second"),
    ("/api/v1/record/proof/consistency?first=0&second=3", "at least 1"),
    ("/api/v1/record/proof/consistency?first=1&second=100000", "beyond the tree"),
    ("/api/v1/record/proof/consistency?first=x", "must be a non-negative integer"),
]


@pytest.mark.parametrize("path,says", BAD)
def test_bad_parameters_get_a_precise_400(server, rec, path, says):
    r = get(server, path, rec["delegate"])
    assert r.status == 400, r
    assert says in msg(r), msg(r)


def test_an_unknown_leaf_hash_is_404(server, rec):
    r = get(server, "/api/v1/record/proof/inclusion?leaf=" + "ab" * 32, rec["delegate"])
    assert r.status == 404, r


# --- sealing ---------------------------------------------------------------------

def test_sealed_entries_are_withheld_until_they_unseal(server, rec):
    r = note(server, "a sealed ballot")
    idx = r["index"]
    future = int(time.time() * 1000) + 3600 * 1000
    sql(server, f"UPDATE record_entries SET sealed_until = {future}, visible_to_member = '{rec['state']['id']}'"
                f" WHERE idx = {idx}")
    path = f"/api/v1/record/entries?start={idx}&end={idx}"
    seen = {}
    for who, key in [("own delegate", rec["delegate"]), ("other delegate", rec["other_delegate"]),
                     ("analyst", rec["analyst"]), ("auditor", rec["auditor"]), ("secretariat", server.admin_key)]:
        e = get(server, path, key).json["entries"][0]
        assert e["leaf_hash"] == r["leaf_hash"]
        assert e["sealed_until"].endswith("Z")
        seen[who] = e["entry"] is not None
        if e["entry"] is not None:
            assert leaf_hash(e["entry"].encode()).hex() == r["leaf_hash"]
    assert seen == {"own delegate": True, "other delegate": False, "analyst": False, "auditor": True,
                    "secretariat": False}
    # the sealed leaf is provably in the tree for anyone
    head = get(server, "/api/v1/record/tree-head", rec["other_delegate"]).json
    p = get(server, f"/api/v1/record/proof/inclusion?leaf={r['leaf_hash']}", rec["other_delegate"]).json
    assert verify_inclusion(idx, head["tree_size"], bytes.fromhex(r["leaf_hash"]),
                            [bytes.fromhex(h) for h in p["proof"]], bytes.fromhex(head["root_hash"]))
    # verify as the other member: the sealed entry is counted, the log still checks out
    out = verify_cli(server, "--server", f"http://127.0.0.1:{server.port}", "--key", rec["other_delegate"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 sealed" in out.stdout
    # an export for publication withholds it; --all does not
    export = os.path.join(server.dir, "sealed.jsonl")
    server.cli(["record", "export", export])
    lines = [json.loads(x) for x in open(export)]
    assert lines[idx + 1]["entry"] is None and lines[idx + 1]["leaf_hash"] == r["leaf_hash"]
    server.cli(["record", "export", export, "--all"])
    lines = [json.loads(x) for x in open(export)]
    assert lines[idx + 1]["entry"] is not None
    # once the time has passed, everyone reads it
    sql(server, f"UPDATE record_entries SET sealed_until = {int(time.time() * 1000) - 1} WHERE idx = {idx}")
    e = get(server, path, rec["other_delegate"]).json["entries"][0]
    assert e["entry"] is not None and "sealed_until" not in e


# --- record verify ---------------------------------------------------------------

def write(path, value):
    with open(path, "w") as f:
        json.dump(value, f)
    return path


def test_verify_a_server_with_receipts_and_a_saved_head(server, rec):
    url = f"http://127.0.0.1:{server.port}"
    saved = os.path.join(server.dir, "head.json")
    out = verify_cli(server, "--server", url, "--key", rec["delegate"], "--save-head", saved)
    assert out.returncode == 0, out.stdout + out.stderr
    # the results line: honest either way (before and after the governance part installs its recheck)
    results = [line for line in out.stdout.splitlines() if line.startswith("results: ")]
    assert len(results) == 1, out.stdout
    assert results[0] in ("results: not rechecked (governance recheck not built)",
                          "results: 0 recomputed from the logged ballots, 0 skipped, 0 different"), results
    before = json.load(open(saved))
    for i in range(3):
        note(server, f"later {i}")
    receipt = write(os.path.join(server.dir, "receipt.json"), rec["receipts"][4])
    pub = server.request("GET", "/api/v1/record/public-key").json["public_key"]
    out = verify_cli(server, "--server", url, "--key", rec["delegate"], "--receipt", receipt, "--previous-head", saved,
                     "--public-key", pub)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "inclusion proof" in out.stdout and "consistency proof from size %d" % before["tree_size"] in out.stdout
    # a receipt the log does not hold
    forged = write(os.path.join(server.dir, "forged.json"), {"index": 4, "leaf_hash": "00" * 32})
    out = verify_cli(server, "--server", url, "--key", rec["delegate"], "--receipt", forged)
    assert out.returncode == 1
    assert "different leaf hash" in out.stdout and "inclusion proof for entry 4 fails" in out.stdout
    beyond = write(os.path.join(server.dir, "beyond.json"), {"index": 10 ** 6, "leaf_hash": "00" * 32})
    out = verify_cli(server, "--server", url, "--key", rec["delegate"], "--receipt", beyond)
    assert out.returncode == 1 and "beyond the tree" in out.stdout
    # a key other than the server's
    out = verify_cli(server, "--server", url, "--key", rec["delegate"], "--public-key", "11" * 32)
    assert out.returncode == 1
    assert "different public key" in out.stdout and "signature does not verify" in out.stdout
    # without credentials the server refuses, and verify says so
    out = verify_cli(server, "--server", url)
    assert out.returncode == 1 and "401" in out.stderr


def test_verify_usage_errors(server):
    for args in (["--server", "x", "--file", "y"], ["--key", "k"], ["--bogus", "1"]):
        out = verify_cli(server, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
    out = verify_cli(server, "--server", "ftp://x")
    assert out.returncode == 1 and "http://" in out.stderr


def test_verify_detects_a_tampered_entry_a_dropped_entry_and_a_bad_signature(fresh_server):
    s = fresh_server()
    receipts = [note(s, f"ballot {i}") for i in range(9)]
    url = f"http://127.0.0.1:{s.port}"
    key = s.admin_key
    export = os.path.join(s.dir, "export.jsonl")
    s.cli(["record", "export", export])
    assert verify_cli(s, "--server", url, "--key", key).returncode == 0
    assert verify_cli(s, "--file", export).returncode == 0
    assert verify_cli(s).returncode == 0  # the store itself

    # an entry edited in the store
    sql(s, "UPDATE record_entries SET entry = REPLACE(entry, 'ballot 5', 'ballot 6') WHERE idx = 5")
    for args in (["--server", url, "--key", key], []):
        out = verify_cli(s, *args)
        assert out.returncode == 1, out.stdout
        assert "entry 5: its bytes do not hash to its leaf hash" in out.stdout
        assert "differs from the tree head" in out.stdout
    # the routine `cyberpact verify` runs the same checks on the store
    out = s.cli(["verify"], check=False)
    assert out.returncode == 1 and "entry 5: its bytes do not hash to its leaf hash" in out.stdout, out.stdout
    # the export made before still verifies, and a tampered copy of it does not
    lines = open(export).read().splitlines()
    tampered = os.path.join(s.dir, "tampered.jsonl")
    e = json.loads(lines[3])
    e["entry"] = e["entry"].replace("ballot 2", "ballot 3")
    open(tampered, "w").write("\n".join(lines[:3] + [json.dumps(e)] + lines[4:]) + "\n")
    out = verify_cli(s, "--file", tampered)
    assert out.returncode == 1 and "entry 2: its bytes do not hash" in out.stdout
    # a dropped line in the export
    dropped = os.path.join(s.dir, "dropped.jsonl")
    open(dropped, "w").write("\n".join(lines[:4] + lines[5:]) + "\n")
    out = verify_cli(s, "--file", dropped)
    assert out.returncode == 1, out.stdout
    assert "entry 3 is missing" in out.stdout and "says 9 entries but 8 were served" in out.stdout
    # a receipt for the dropped entry
    r3 = write(os.path.join(s.dir, "r3.json"), receipts[3])
    out = verify_cli(s, "--file", dropped, "--receipt", r3)
    assert "receipt" in out.stdout and out.returncode == 1

    # an entry deleted from the store (restore the edit first)
    sql(s, "UPDATE record_entries SET entry = REPLACE(entry, 'ballot 6', 'ballot 5') WHERE idx = 5")
    assert verify_cli(s, "--server", url, "--key", key).returncode == 0
    sql(s, "DELETE FROM record_entries WHERE idx = 7")
    out = verify_cli(s, "--server", url, "--key", key)
    assert out.returncode == 1
    assert "entry 7 is missing" in out.stdout

    # a forged signature on the head
    sql(s, "UPDATE record_head SET signature = '" + "ab" * 64 + "'")
    out = verify_cli(s, "--file", export)  # the export still carries the good signature
    assert out.returncode == 0, out.stdout
    bad_sig = os.path.join(s.dir, "badsig.jsonl")
    h = json.loads(lines[0])
    h["tree_head"]["signature"] = "cd" * 64
    open(bad_sig, "w").write("\n".join([json.dumps(h)] + lines[1:]) + "\n")
    out = verify_cli(s, "--file", bad_sig)
    assert out.returncode == 1 and "signature does not verify" in out.stdout
    out = verify_cli(s, "--server", url, "--key", key)
    assert out.returncode == 1 and "signature does not verify" in out.stdout


def test_verify_detects_rewritten_history_against_a_saved_head(fresh_server):
    s = fresh_server()
    for i in range(6):
        note(s, f"decision {i}")
    saved = os.path.join(s.dir, "head.json")
    url = f"http://127.0.0.1:{s.port}"
    assert verify_cli(s, "--server", url, "--key", s.admin_key, "--save-head", saved).returncode == 0
    export = os.path.join(s.dir, "export.jsonl")
    s.cli(["record", "export", export])
    lines = open(export).read().splitlines()
    # a copy where entry 2 was rewritten consistently (new leaf hash) and the head's
    # root recomputed: its own root matches, but not the head seen before
    e = json.loads(lines[3])
    e["entry"] = e["entry"].replace("decision 2", "decision X")
    e["leaf_hash"] = leaf_hash(e["entry"].encode()).hex()
    items = [json.loads(x) for x in lines[1:3]] + [e] + [json.loads(x) for x in lines[4:]]
    h = json.loads(lines[0])
    h["tree_head"]["root_hash"] = mth([bytes.fromhex(i["leaf_hash"]) for i in items]).hex()
    rewritten = os.path.join(s.dir, "rewritten.jsonl")
    open(rewritten, "w").write("\n".join([json.dumps(h)] + [json.dumps(i) for i in items]) + "\n")
    out = verify_cli(s, "--file", rewritten, "--previous-head", saved)
    assert out.returncode == 1
    assert "is not a prefix of this log" in out.stdout
    assert "signature does not verify" in out.stdout  # the server's key did not sign this root
    # a head from the future (the log shrank)
    big = json.load(open(saved))
    big["tree_size"] = 100
    out = verify_cli(s, "--file", export, "--previous-head", write(os.path.join(s.dir, "big.json"), big))
    assert out.returncode == 1 and "the log shrank" in out.stdout


def test_concurrent_appends_never_fork_the_log(fresh_server):
    """Several writers at once (separate processes, as several servers would be)."""
    s = fresh_server()

    def member(i):
        r = s.request("POST", "/api/v1/members", {"kind": "observer", "name": f"Concurrent {i}"}, key=s.admin_key)
        return r.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        notes = [pool.submit(note, s, f"concurrent {i}") for i in range(24)]
        members = [pool.submit(member, i) for i in range(24)]  # audited writes at the same time
        got = [f.result() for f in notes]
        assert all(f.result() == 201 for f in members)
    assert sorted(r["index"] for r in got) == list(range(24))
    s.cli(["verify"])  # the audit chain is intact too
    head, entries = all_entries(s, s.admin_key)
    assert head["tree_size"] == 24
    assert mth([leaf_hash(e["entry"].encode()) for e in entries]).hex() == head["root_hash"]
    assert verify_cli(s, "--server", f"http://127.0.0.1:{s.port}", "--key", s.admin_key).returncode == 0


def test_a_damaged_subtree_hash_is_named_by_the_store_check_and_fails_proofs(fresh_server):
    s = fresh_server()
    receipts = [note(s, f"entry {i}") for i in range(9)]
    url = f"http://127.0.0.1:{s.port}"
    out = verify_cli(s)
    assert out.returncode == 0 and "subtree hashes:" in out.stdout and "match the leaves" in out.stdout, out.stdout
    # node key 3 is the perfect subtree of leaves 0..3, part of entry 5's audit path
    sql(s, "UPDATE record_nodes SET hash = (CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END)"
           " || substr(hash, 2) WHERE k = 3")
    out = verify_cli(s)
    assert out.returncode == 1 and "stored subtree hash 3 differs" in out.stdout, out.stdout
    r5 = write(os.path.join(s.dir, "r5.json"), receipts[5])
    out = verify_cli(s, "--server", url, "--key", s.admin_key, "--receipt", r5)
    assert out.returncode == 1 and "inclusion proof for entry 5 fails" in out.stdout, out.stdout


def test_verify_over_https_trusts_only_the_ca_it_is_given(fresh_server, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    s = fresh_server(["--tls-cert", str(cert), "--tls-key", str(key)])
    note(s, "over TLS")
    url = f"https://127.0.0.1:{s.port}"
    out = verify_cli(s, "--server", url, "--key", s.admin_key)  # a self-signed certificate is not trusted
    assert out.returncode == 1 and "certificate" in out.stderr.lower(), out.stderr
    out = verify_cli(s, "--server", url, "--key", s.admin_key, "--cacert", str(cert))
    assert out.returncode == 0, out.stdout + out.stderr
    out = verify_cli(s, "--file", "x", "--cacert", str(cert))
    assert out.returncode == 2
