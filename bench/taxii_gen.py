#!/usr/bin/env python3
"""taxii_gen.py — pre-generates the TAXII ingestion benchmark's data.

usage: taxii_gen.py OUTDIR N [--per-envelope 1000] [--seed 1] [--schema DDL_FILE] [--self-check]

Writes, for N distinct, valid STIX 2.1 indicators (pattern_type "stix", marked TLP:GREEN):

  OUTDIR/env-000000.json ...   TAXII envelopes {"objects": [...]} of --per-envelope objects,
                               in the order they are to be posted
  OUTDIR/baseline.sql          the same objects as rows of a table shaped like intel_objects
                               (src/store/schema.c, migration 2), inserted by the sqlite3
                               shell in ONE transaction: the ingestion floor. With --schema,
                               the table and its indexes are created by DDL_FILE (bench/taxii.sh
                               passes `sqlite3 STORE '.schema intel_objects'` of a store the
                               server under test just created, so the floor follows schema
                               changes); a NOT NULL column this script has no value for is an
                               error, not a silent difference.
  OUTDIR/ids.txt               every 1000th id (wrk's match[id] script picks from it)
  OUTDIR/meta.json             {"n", "envelopes", "per_envelope", "mid_id", "bytes"}

Objects are deterministic for a seed: the same N and seed give the same bytes. Ids are random
version-4 UUIDs except that the object's index is in their low 48 bits, so they are distinct
by construction and in no particular order, like real ones; every pattern
names a distinct value: indicator i has an IPv4 address (i % 3 == 0), a domain name
(i % 3 == 1) or a SHA-256 file hash (i % 3 == 2) derived from i.

Generation is plain string formatting (no json.dumps per object) so that 1,000,000 objects
take seconds; taxii_gen.py --self-check N parses everything back and checks it.
"""
import hashlib
import json
import os
import random
import sys

TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"  # TLP 2.0 GREEN
CP_TLP_GREEN = 2  # src/intel/tlp.h: NONE, CLEAR, GREEN, ...
BASE_MS = 1767225600000  # 2026-01-01T00:00:00.000Z


def uuid4_for(rng, i):
    """A canonical version-4 UUID: 74 random bits (so ids arrive in random order, as real
    ones do, and land on random pages of an index), then i in the low 48 bits (so they are
    distinct by construction for i < 2**48)."""
    v = (rng.getrandbits(80) << 48) | (i & ((1 << 48) - 1))
    v &= ~(0xF << 76)
    v |= 0x4 << 76          # version 4
    v &= ~(0x3 << 62)
    v |= 0x2 << 62          # variant 10xx
    h = "%032x" % v
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def ts(ms):
    s, frac = divmod(ms, 1000)
    days, rem = divmod(s, 86400)
    # civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    hh, rem = divmod(rem, 3600)
    mm, ss = divmod(rem, 60)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (y, m, d, hh, mm, ss, frac)


def pattern_for(i, seed):
    k = i % 3
    if k == 0:
        a = 0x0B000000 + i  # 11.0.0.0 onwards: distinct addresses
        ip = "%d.%d.%d.%d" % ((a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255, a & 255)
        return "[ipv4-addr:value = '%s']" % ip, "IPv4 %s" % ip
    if k == 1:
        dom = "h%07d.s%d.bench.example" % (i, seed)
        return "[domain-name:value = '%s']" % dom, "domain %s" % dom
    h = hashlib.sha256(b"%d:%d" % (seed, i)).hexdigest()
    return "[file:hashes.'SHA-256' = '%s']" % h, "file %s" % h[:16]


def indicator(i, seed, rng):
    oid = "indicator--" + uuid4_for(rng, i)
    t = ts(BASE_MS + i)
    pat, what = pattern_for(i, seed)
    text = (
        '{"type":"indicator","spec_version":"2.1","id":"%s","created":"%s","modified":"%s",'
        '"name":"Benchmark indicator %d: %s","description":"Synthetic indicator for the cyberpact TAXII benchmark.",'
        '"indicator_types":["malicious-activity"],"pattern":"%s","pattern_type":"stix","pattern_version":"2.1",'
        '"valid_from":"%s","labels":["benchmark"],"confidence":50,"object_marking_refs":["%s"]}'
        % (oid, t, t, i, what, pat, t, TLP_GREEN)
    )
    return oid, t, text


def sql_quote(s):
    return "'" + s.replace("'", "''") + "'"


# migration 2 as first written; bench/taxii.sh passes the live one with --schema
DEFAULT_DDL = """CREATE TABLE intel_objects (seq INTEGER PRIMARY KEY, cnum BIGINT NOT NULL, stix_id TEXT NOT NULL,
 type TEXT NOT NULL, version TEXT NOT NULL, version_us BIGINT NOT NULL, spec_version TEXT NOT NULL,
 tlp INTEGER NOT NULL, is_last INTEGER NOT NULL, is_first INTEGER NOT NULL, revoked INTEGER NOT NULL,
 warninglist TEXT, member_id TEXT, body TEXT NOT NULL);
CREATE UNIQUE INDEX intel_objects_version ON intel_objects (cnum, stix_id, version_us);
CREATE INDEX intel_objects_last ON intel_objects (cnum, seq) WHERE is_last = 1;
CREATE INDEX intel_objects_type ON intel_objects (cnum, type, seq);
"""
KNOWN = {"seq", "cnum", "stix_id", "id_hash", "type", "version", "version_us", "spec_version", "tlp",
         "is_last", "is_first", "revoked", "member_id", "body"}


def table_columns(ddl):
    """[(name, notnull)] of intel_objects as ddl creates it; refuses NOT NULL columns it cannot fill."""
    import sqlite3
    db = sqlite3.connect(":memory:")
    db.executescript(ddl)
    cols = [(r[1], bool(r[3] or r[5])) for r in db.execute("PRAGMA table_info(intel_objects)")]
    db.close()
    if not cols:
        raise SystemExit("taxii_gen: the schema creates no intel_objects table")
    unknown = [c for c, notnull in cols if notnull and c not in KNOWN]
    if unknown:
        raise SystemExit("taxii_gen: intel_objects has NOT NULL columns this generator cannot fill: %s "
                         "(teach taxii_gen.py their values)" % ", ".join(unknown))
    return cols


def id_hash(oid):
    """A signed 64-bit hash of the id (the floor only needs a value spread like the server's)."""
    return int.from_bytes(hashlib.blake2b(oid.encode(), digest_size=8).digest(), "big", signed=True)


def generate(outdir, n, per, seed, schema=None):
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(seed)
    envelopes = (n + per - 1) // per
    total_bytes = 0
    mid_id = None
    seq0 = 1780000000000000  # µs; the baseline's seq (date added), strictly increasing
    ddl = open(schema).read() if schema else DEFAULT_DDL
    columns = table_columns(ddl)
    with open(os.path.join(outdir, "baseline.sql"), "w") as sql, open(os.path.join(outdir, "ids.txt"), "w") as ids:
        sql.write(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;\n"
            + ddl.strip() + "\nBEGIN;\n"
        )
        sql_head = "INSERT INTO intel_objects (" + ",".join(c for c, _ in columns) + ") VALUES "
        i = 0
        for e in range(envelopes):
            parts = []
            rows = []
            for _ in range(min(per, n - i)):
                oid, t, text = indicator(i, seed, rng)
                parts.append(text)
                if i == n // 2:
                    mid_id = oid
                if i % 1000 == 0:
                    ids.write(oid + "\n")
                val = {
                    "seq": str(seq0 + i), "cnum": "1", "stix_id": "'%s'" % oid, "id_hash": str(id_hash(oid)),
                    "type": "'indicator'", "version": "'%s'" % t, "version_us": str((BASE_MS + i) * 1000),
                    "spec_version": "'2.1'", "tlp": str(CP_TLP_GREEN), "is_last": "1", "is_first": "1",
                    "revoked": "0", "member_id": "'bench'", "body": sql_quote(text),
                }
                rows.append("(" + ",".join(val.get(c, "NULL") for c, _ in columns) + ")")
                i += 1
            body = '{"objects":[' + ",".join(parts) + "]}"
            total_bytes += len(body)
            with open(os.path.join(outdir, "env-%06d.json" % e), "w") as f:
                f.write(body)
            sql.write(sql_head + ",\n".join(rows) + ";\n")
        sql.write("COMMIT;\n")
    meta = {"n": n, "envelopes": envelopes, "per_envelope": per, "mid_id": mid_id, "bytes": total_bytes}
    with open(os.path.join(outdir, "meta.json"), "w") as f:
        json.dump(meta, f)
    return meta


def self_check(outdir):
    """Parses every envelope back: valid JSON, distinct ids, the fields the benchmark relies on."""
    meta = json.load(open(os.path.join(outdir, "meta.json")))
    seen = set()
    values = set()
    count = 0
    for e in range(meta["envelopes"]):
        doc = json.load(open(os.path.join(outdir, "env-%06d.json" % e)))
        assert list(doc) == ["objects"], "envelope has only 'objects'"
        for o in doc["objects"]:
            assert o["type"] == "indicator" and o["spec_version"] == "2.1" and o["pattern_type"] == "stix"
            assert o["object_marking_refs"] == [TLP_GREEN]
            assert o["id"] not in seen, "duplicate id " + o["id"]
            assert o["pattern"] not in values, "duplicate pattern " + o["pattern"]
            seen.add(o["id"])
            values.add(o["pattern"])
            count += 1
    assert count == meta["n"], (count, meta["n"])
    assert meta["mid_id"] in seen
    return count


def main(argv):
    args = list(argv[1:])
    per, seed, check, schema = 1000, 1, False, None
    if "--schema" in args:
        k = args.index("--schema")
        schema = args[k + 1]
        del args[k : k + 2]
    for flag in ("--per-envelope", "--seed"):
        if flag in args:
            k = args.index(flag)
            val = int(args[k + 1])
            del args[k : k + 2]
            if flag == "--per-envelope":
                per = val
            else:
                seed = val
    if "--self-check" in args:
        args.remove("--self-check")
        check = True
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    outdir, n = args[0], int(args[1])
    if n < 2 or per < 1:
        sys.stderr.write("N must be at least 2 and --per-envelope at least 1\n")
        return 2
    meta = generate(outdir, n, per, seed, schema)
    print("taxii_gen: %d objects in %d envelopes, %.1f MB" % (n, meta["envelopes"], meta["bytes"] / 1e6))
    if check:
        print("taxii_gen: self-check: %d objects parsed back, ids and patterns distinct" % self_check(outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
