"""Real STIX 2.1 data loads completely, comes back byte for byte, and everything the server
returns validates against the official JSON schemas (../shared/tools/stix_schema_check.py).

Needs the shared data next to the checkout (../shared, or CP_SHARED_DATA pointing at its
data folder); skipped with a message when it is absent (a user's clone has none)."""
import glob
import json
import os
import subprocess
import tempfile

import pytest

MEDIA = "application/taxii+json;version=2.1"
TAXII = {"Accept": MEDIA}
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("CP_SHARED_DATA") or os.path.join(HERE, "..", "..", "..", "shared", "data")
CHECKER = os.path.join(SHARED, "..", "tools", "stix_schema_check.py")

pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "stix2")),
                                reason=f"shared STIX data not found at {SHARED} (set CP_SHARED_DATA)")


def bundles():
    files = sorted(glob.glob(os.path.join(SHARED, "stix2", "examples", "**", "*.json"), recursive=True))
    files += sorted(glob.glob(os.path.join(SHARED, "stix2-docs-examples", "*.json")))
    files.append(os.path.join(SHARED, "attack", "ics-attack.json"))
    return [f for f in files if os.path.isfile(f)]


def group_collection(server, alliance, name):
    r = server.request("POST", "/api/v1/intel/collections",
                       {"title": name, "audience": "group",
                        "members": [{"member_id": alliance, "read": True, "write": True}]}, key=server.admin_key)
    assert r.status == 201, r
    return f"/taxii2/alliance/collections/{r.json['id']}/"


def read_all(server, col):
    """Every version in the collection, through TAXII paging; the raw page texts too."""
    objs, raws, url = [], [], col + "objects/?match[version]=all&limit=1000"
    while True:
        r = server.request("GET", url, key=server.admin_key, headers=TAXII)
        assert r.status == 200, r
        objs += r.json.get("objects", [])
        raws.append(r.raw)
        if not r.json["more"]:
            return objs, "".join(raws)
        url = col + "objects/?match[version]=all&limit=1000&next=" + r.json["next"]


@pytest.mark.parametrize("path", bundles(), ids=lambda p: os.path.relpath(p, SHARED) if isinstance(p, str) else "none")
def test_bundle_loads_and_validates(server, alliance, path):
    doc = json.load(open(path))
    if isinstance(doc, list):
        objects = doc
    elif doc.get("type") == "bundle":
        objects = doc.get("objects", [])
    else:
        objects = [doc]  # one object on its own
    col = group_collection(server, alliance, os.path.basename(path))
    texts = [json.dumps(o, ensure_ascii=False) for o in objects]
    body = ('{"objects": [' + ", ".join(texts) + "]}").encode()
    r = server.request("POST", col + "objects/", raw=body, key=server.admin_key, content_type=MEDIA, headers=TAXII)
    assert r.status == 202, r
    st = r.json
    assert st["failure_count"] == 0, st.get("failures", [])[:5]
    assert st["success_count"] == len(objects)
    back, raw = read_all(server, col)
    versions = {(o["id"], o.get("modified", o.get("created", ""))) for o in objects}
    assert len(back) == len(versions)
    missing = [t for t in texts if t not in raw]
    assert not missing, f"{len(missing)} objects did not come back byte for byte, e.g. {missing[0][:200]}"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"objects": back}, f)
    try:
        p = subprocess.run(["/usr/bin/python3", CHECKER, f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    summary = p.stdout.strip().splitlines()[-1]
    assert " 0 failed" in summary and p.returncode == 0, p.stdout[-2000:]
