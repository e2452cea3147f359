"""Every object of the STIX 2.1 example bundles (../shared/data) goes through TAXII into a
group collection and comes back byte for byte; what comes back passes the official STIX 2.1
JSON schemas (../shared/tools/stix_schema_check.py)."""
import glob
import json
import os
import re
import subprocess
import urllib.parse
import uuid

import pytest

from taxii_helpers import create_collection, objects_path, taxii

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("CP_SHARED_DATA") or os.path.join(REPO, "..", "shared", "data")
CHECKER = os.path.join(SHARED, "..", "tools", "stix_schema_check.py")


def example_files():
    return sorted(glob.glob(os.path.join(SHARED, "stix2", "examples", "*.json")) +
                  glob.glob(os.path.join(SHARED, "stix2-docs-examples", "*.json")))


pytestmark = pytest.mark.skipif(not example_files(),
                                reason=f"no STIX examples: {SHARED} is absent (set CP_SHARED_DATA "
                                       "or put the shared data beside the repository)")


def object_spans(text):
    """The exact text of each object of a bundle (or of the one object a file holds)."""
    doc = json.loads(text)
    if not (isinstance(doc, dict) and isinstance(doc.get("objects"), list)):
        return [text.strip()], [doc]
    dec = json.JSONDecoder()
    m = re.search(r'"objects"\s*:\s*\[', text)
    i, spans = m.end(), []
    while True:
        while text[i] in " \t\r\n,":
            i += 1
        if text[i] == "]":
            break
        obj, end = dec.raw_decode(text, i)
        spans.append(text[i:end])
        i = end
    assert [json.loads(s) for s in spans] == doc["objects"], "span scan disagrees with the parser"
    return spans, doc["objects"]


@pytest.fixture(scope="module")
def loaded(server, alliance):
    cid = create_collection(server, "STIX examples " + uuid.uuid4().hex[:6], "group",
                            members=[(alliance, True, True)])
    posted = {}   # (id, version) -> exact text
    for path in example_files():
        with open(path, encoding="utf-8") as f:
            text = f.read()
        spans, objs = object_spans(text)
        body = ('{"objects": [' + ",\n".join(spans) + "]}").encode("utf-8")
        r = taxii(server, "POST", objects_path(cid), key=server.admin_key, raw=body)
        assert r.status == 202, (path, r)
        assert r.json["total_count"] == len(objs), path
        assert r.json["failure_count"] == 0, (path, r.json.get("failures"))
        for s, o in zip(spans, objs):
            # A version posted again (identical content, another spelling) is already
            # stored: the first spelling is the one kept.
            posted.setdefault((o["id"], o.get("modified") or o.get("created")), s)
    return cid, posted


def read_all(server, cid):
    raws, objs, nxt = [], [], None
    while True:
        q = "match[version]=all&limit=37" + (f"&next={urllib.parse.quote(nxt)}" if nxt else "")
        r = taxii(server, "GET", objects_path(cid, query=q), key=server.admin_key)
        assert r.status == 200, r
        raws.append(r.raw)
        objs += r.json.get("objects", [])
        if not r.json["more"]:
            return raws, objs
        nxt = r.json["next"]


def test_examples_round_trip_byte_identical(server, loaded):
    cid, posted = loaded
    assert len(posted) > 300
    raws, objs = read_all(server, cid)
    keys = [(o["id"], o.get("modified") or o.get("created")) for o in objs]
    assert len(keys) == len(set(keys)), "a version came back twice"
    assert set(keys) == set(posted), "versions missing or extra"
    whole = "\n".join(raws)
    missing = [k for k, text in posted.items() if text not in whole]
    assert not missing, f"{len(missing)} objects not byte-identical, e.g. {missing[:3]}"


def test_examples_pass_the_schemas(server, loaded, tmp_path):
    if not os.path.exists(CHECKER):
        pytest.skip(f"{CHECKER} is absent")
    try:
        subprocess.run(["/usr/bin/python3", "-c", "import jsonschema"], check=True, capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.fail("python3-jsonschema is not installed (scripts/install-deps.sh)")
    cid, posted = loaded
    _, objs = read_all(server, cid)
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs}))
    p = subprocess.run(["/usr/bin/python3", CHECKER, str(bundle)], capture_output=True, text=True, timeout=300)
    assert " 0 failed" in p.stdout, p.stdout[-3000:] + p.stderr[-2000:]
    assert p.returncode == 0, p.stdout[-3000:]
    assert re.search(r"^(\d+) passed", p.stdout.splitlines()[-1]).group(1) != "0"
