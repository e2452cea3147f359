"""Real STIX 2.1 data through TAXII: every object of every shared example bundle (and MITRE
ATT&CK for ICS) is posted as the very bytes it has in its file, comes back byte for byte,
and everything the server returns validates against the official JSON schemas
(../shared/tools/stix_schema_check.py, Debian's python3-jsonschema; scripts/install-deps.sh).

And the other way round: objects derived from the examples by taking one property away (or
cutting the timestamps to whole seconds) are posted; what the server accepts must validate
against the schemas too (the server's validator may be stricter than the schemas, never
more lenient).

Needs the shared data next to the checkout (../shared/data, or CP_SHARED_DATA pointing at
it); skipped with a message when it is absent (a user's clone has none)."""
import glob
import json
import os
import re
import subprocess
import tempfile
import uuid

import pytest

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("CP_SHARED_DATA") or os.path.join(HERE, "..", "..", "..", "shared", "data")
CHECKER = os.path.join(SHARED, "..", "tools", "stix_schema_check.py")
PYTHON = "/usr/bin/python3"  # the checker needs Debian's python3-jsonschema


def _why_skip():
    if not os.path.isdir(os.path.join(SHARED, "stix2")):
        return f"shared STIX data not found at {os.path.abspath(SHARED)} (set CP_SHARED_DATA to ../shared/data)"
    if not os.path.isfile(CHECKER):
        return f"schema checker not found at {os.path.abspath(CHECKER)}"
    if subprocess.run([PYTHON, "-c", "import jsonschema"], capture_output=True).returncode != 0:
        return f"{PYTHON} has no jsonschema module: install python3-jsonschema (scripts/install-deps.sh)"
    return None


WHY = _why_skip()
pytestmark = pytest.mark.skipif(WHY is not None, reason=WHY or "")


def bundles():
    if WHY:
        return []
    files = sorted(glob.glob(os.path.join(SHARED, "stix2", "examples", "**", "*.json"), recursive=True))
    files += sorted(glob.glob(os.path.join(SHARED, "stix2-docs-examples", "*.json")))
    files.append(os.path.join(SHARED, "attack", "ics-attack.json"))
    return [f for f in files if os.path.isfile(f)]


def name_of(path):
    return os.path.relpath(path, SHARED) if isinstance(path, str) else "none"


# ---- the raw text of each object in a file ---------------------------------------------

_DEC = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def _ws(text, i):
    return _WS.match(text, i).end()


def object_texts(text):
    """The exact text of each object of a bundle (its 'objects' elements), of a list, or of a
    file that is one object."""
    i = _ws(text, 0)
    if text[i] == "[":
        return _array_spans(text, i)
    if text[i] != "{":
        raise ValueError("not a JSON object or array")
    doc, end = _DEC.raw_decode(text, i)
    if not (isinstance(doc, dict) and isinstance(doc.get("objects"), list)):
        return [text[i:end]]
    i += 1
    while True:
        i = _ws(text, i)
        key, i = _DEC.raw_decode(text, i)
        i = _ws(text, i)
        assert text[i] == ":"
        i = _ws(text, i + 1)
        if key == "objects":
            return _array_spans(text, i)
        _, i = _DEC.raw_decode(text, i)
        i = _ws(text, i)
        assert text[i] == ","
        i += 1


def _array_spans(text, i):
    assert text[i] == "["
    spans = []
    i = _ws(text, i + 1)
    if text[i] == "]":
        return spans
    while True:
        _, end = _DEC.raw_decode(text, i)
        spans.append(text[i:end])
        i = _ws(text, end)
        if text[i] == "]":
            return spans
        assert text[i] == ","
        i = _ws(text, i + 1)


# ---- server helpers -----------------------------------------------------------------------

def group_collection(server, alliance, title):
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": title[:200], "audience": "group",
                        "members": [{"member_id": alliance, "read": True, "write": True}]}, key=server.admin_key)
    assert r.status == 201, r
    return f"/taxii2/alliance/collections/{r.json['id']}/"


def post_texts(server, col, texts):
    body = ("{\"objects\": [\n" + ",\n".join(texts) + "\n]}").encode("utf-8")
    r = server.request("POST", col + "objects/", raw=body, key=server.admin_key, content_type=MEDIA, headers=TAXII)
    assert r.status == 202, r
    return r.json


def read_pages(server, col):
    """Every version in the collection, through TAXII paging: the raw text of each page."""
    pages, url = [], col + "objects/?match[version]=all&limit=1000"
    while True:
        r = server.request("GET", url, key=server.admin_key, headers=TAXII)
        assert r.status == 200, r
        pages.append(r.raw)
        if not r.json["more"]:
            return pages
        url = col + "objects/?match[version]=all&limit=1000&next=" + r.json["next"]


def schema_check(pages, tmp):
    """Writes the pages as returned (TAXII envelopes) to files and runs the official schemas
    over them. Returns (passed, failed, skipped, output)."""
    files = []
    for n, raw in enumerate(pages):
        f = os.path.join(tmp, f"page-{n:04d}.json")
        with open(f, "w", encoding="utf-8") as out:
            out.write(raw)
        files.append(f)
    p = subprocess.run([PYTHON, CHECKER] + files, capture_output=True, text=True, timeout=600)
    lines = p.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", lines[-1] if lines else "")
    assert m, f"checker output not understood (exit {p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    passed, failed, skipped = map(int, m.groups())
    assert (failed == 0) == (p.returncode == 0), p.stdout[-2000:]
    return passed, failed, skipped, p.stdout


# ---- every example, byte for byte, schema-valid ---------------------------------------------

@pytest.mark.parametrize("path", bundles(), ids=name_of)
def test_bundle_loads_byte_for_byte_and_validates(server, alliance, path, tmp_path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    texts = object_texts(text)
    objects = [json.loads(t) for t in texts]
    assert objects, "an example with no objects"
    col = group_collection(server, alliance, name_of(path))
    st = post_texts(server, col, texts)
    assert st["failure_count"] == 0, st.get("failures", [])[:5]
    assert st["success_count"] == len(objects) == st["total_count"]
    pages = read_pages(server, col)
    back = [o for raw in pages for o in json.loads(raw).get("objects", [])]
    versions = {(o["id"], o.get("modified", o.get("created", ""))) for o in objects}
    assert len(back) == len(versions), "one object returned per stored version"
    everything = "".join(pages)
    missing = [t for t in texts if t not in everything]
    assert not missing, f"{len(missing)} of {len(texts)} objects did not come back byte for byte, e.g.:\n" \
                        f"{missing[0][:400]}"
    passed, failed, skipped, out = schema_check(pages, str(tmp_path))
    assert failed == 0, f"returned objects fail the official schemas:\n{out[-3000:]}"
    assert passed + skipped == len(back)
    assert passed > 0 or all(o["type"].startswith("x-") for o in back)


# ---- what the server accepts, the schemas accept ---------------------------------------------

def _seconds(ts):
    return re.sub(r"\.\d+Z$", "Z", ts)


def mutations(obj, kind):
    """Objects derived from one: each top-level property taken away in turn ("without"), or
    given a value of another JSON type ("retyped"), or the timestamps cut to whole seconds
    ("seconds"). Each gets a fresh id so that none is a
    version of another."""
    def fresh(o):
        o = dict(o)
        o["id"] = f"{obj['type']}--{uuid.uuid4()}"
        return o
    for k in obj if kind == "without" else ():
        if k in ("type", "id"):
            continue
        o = fresh({kk: vv for kk, vv in obj.items() if kk != k})
        yield f"{obj['type']} {obj['id'][-12:]} without '{k}'", o
    for k, v in obj.items() if kind == "retyped" else ():
        if k in ("type", "id") or k.startswith("x_"):
            continue
        o = fresh(obj)
        o[k] = 12345 if isinstance(v, str) else "yes" if isinstance(v, bool) else "text"
        yield f"{obj['type']} {obj['id'][-12:]} with '{k}' as {type(o[k]).__name__}", o
    if kind == "seconds" and ("created" in obj or "modified" in obj):
        o = fresh(obj)
        for k in ("created", "modified"):
            if k in o:
                o[k] = _seconds(o[k])
        yield f"{obj['type']} {obj['id'][-12:]} with timestamps to the second", o


def small_bundles():
    return [p for p in bundles() if not p.endswith("ics-attack.json")]


@pytest.mark.parametrize("kind", ["without", "retyped", "seconds"])
def test_what_is_accepted_is_schema_valid(server, alliance, kind, tmp_path):
    made = {}
    for path in small_bundles():
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        objects = doc.get("objects", []) if isinstance(doc, dict) and doc.get("type") == "bundle" else \
            doc if isinstance(doc, list) else [doc]
        for o in objects:
            for what, m in mutations(o, kind):
                made[m["id"]] = (f"{name_of(path)}: {what}", m)
    assert len(made) > 100
    col = group_collection(server, alliance, f"{kind} mutations of the examples")
    st = post_texts(server, col, [json.dumps(m) for _, m in made.values()])
    assert st["total_count"] == len(made)
    assert st["success_count"] + st["failure_count"] == len(made)
    for f in st.get("failures", []):
        assert f.get("message"), f
    if st["success_count"] == 0:
        return
    passed, failed, skipped, out = schema_check(read_pages(server, col), str(tmp_path))
    if failed:
        bad = []
        for line in out.splitlines()[:-1]:
            oid = line.split(":", 1)[0]
            bad.append(f"{made.get(oid, ('?',))[0]}: {line[len(oid) + 2:][:160]}")
        pytest.fail(f"the server accepted {failed} objects the official schemas refuse, e.g.:\n" + "\n".join(bad[:8]))
