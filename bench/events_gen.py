#!/usr/bin/env python3
"""events_gen.py — the data of bench/events.sh: a member set with constituencies, an indicator
set from a real blocklist, and batches of sensor events.

usage: events_gen.py OUT IPSUM BATCHES [--states 140] [--sectors 10] [--indicators 100000]
                     [--hosts 20000] [--seed 1]

Writes to OUT:
  members.json     [{"kind", "name", "country"?}]  (140 member states, 10 sector members)
  rir.txt          an RIR delegated-stats file giving each state 24 IPv4 allocations
                   (/16 to /24, disjoint, inside 1.0.0.0-223.255.255.255 minus the blocklist's
                   addresses' /16s so that attackers stay outside), one IPv6 /32, two AS numbers
  extra.json       [{"member": index into members.json, "type", "value"}]: every state two
                   domains; each sector member four ranges inside a state's ranges (more
                   specific: they win routing there) and one domain
  env-NNNN.json    TAXII envelopes of 1,000 indicators ([ipv4-addr:value = 'A'] for the
                   blocklist's first --indicators addresses), TLP:GREEN
  batch-NNNN.json  BATCHES bodies {"events": [1,000 events]}
  meta.json        counts, and one probe event (an indicator address) for warm-up

Events (what a national sensor network would send): dst_ip is one of --hosts addresses inside
the constituencies (drawn with a Zipf-like skew: a few hosts are hit often), src_ip is a
blocklisted address 40% of the time (it matches an indicator) and a random address otherwise,
dst_port and proto from a small set, classification from five RSIT types, time = now minus up
to 10 minutes (generated just before the run).
"""
import bisect
import datetime
import ipaddress
import json
import os
import random
import sys
import uuid

CLASSES = ["information-gathering/scanner", "intrusion-attempts/brute-force", "malicious-code/c2-server",
           "intrusion-attempts/exploit", "vulnerable/vulnerable-system"]
PORTS = [22, 23, 80, 443, 445, 3389, 8080, 5900]


def arg(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    out, ipsum, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
    states, sectors = arg("--states", 140), arg("--sectors", 10)
    n_ind, n_hosts = arg("--indicators", 100000), arg("--hosts", 20000)
    rnd = random.Random(arg("--seed", 1))
    os.makedirs(out, exist_ok=True)

    bad = []
    with open(ipsum) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            bad.append(line.split()[0])
    bad_16 = {a.rsplit(".", 2)[0] for a in bad}

    with open("/usr/share/iso-codes/json/iso_3166-1.json") as f:
        countries = [c["alpha_2"] for c in json.load(f)["3166-1"]]
    rnd.shuffle(countries)
    members = [{"kind": "member_state", "name": f"Bench State {cc}", "country": cc} for cc in countries[:states]]
    members += [{"kind": "sector_member", "name": f"Bench Operator {i}"} for i in range(sectors)]

    # disjoint IPv4 allocations: whole /16s (never one holding a blocklisted address), split
    used16, ranges, rir = set(), {}, ["2|bench|20261128|0|19700101|20261128|+0000"]
    for s in range(states):
        cc = members[s]["country"]
        ranges[s] = []
        for k in range(24):
            while True:
                a, b = rnd.randint(1, 223), rnd.randint(0, 255)
                key = f"{a}.{b}"
                if a in (10, 127) or key in used16 or key in bad_16 or (a == 100 and 64 <= b < 128):
                    continue
                used16.add(key)
                break
            plen = rnd.choice([16, 17, 18, 19, 20, 22, 24])
            net = ipaddress.ip_network(f"{a}.{b}.0.0/{plen}")
            ranges[s].append(net)
            rir.append(f"bench|{cc}|ipv4|{net.network_address}|{net.num_addresses}|20200101|allocated")
        rir.append(f"bench|{cc}|ipv6|2001:{0x1000 + s:x}::|32|20200101|allocated")
        rir.append(f"bench|{cc}|asn|{64512 + 2 * s}|2|20200101|assigned")
    with open(os.path.join(out, "rir.txt"), "w") as f:
        f.write("\n".join(rir) + "\n")

    extra = []
    for s in range(states):
        cc = members[s]["country"].lower()
        extra.append({"member": s, "type": "domain", "value": f"gov-{cc}.example"})
        extra.append({"member": s, "type": "domain", "value": f"cert-{cc}.example"})
    for i in range(sectors):
        m = states + i
        for k in range(4):
            net = rnd.choice(ranges[rnd.randrange(states)])
            sub = list(net.subnets(new_prefix=min(net.prefixlen + 4, 28)))
            extra.append({"member": m, "type": "cidr", "value": str(rnd.choice(sub))})
        extra.append({"member": m, "type": "domain", "value": f"operator{i}.example"})
    with open(os.path.join(out, "members.json"), "w") as f:
        json.dump(members, f)
    with open(os.path.join(out, "extra.json"), "w") as f:
        json.dump(extra, f)

    now = datetime.datetime.now(datetime.timezone.utc)
    ts = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    inds = bad[:n_ind]
    for e in range(0, len(inds), 1000):
        objs = [{"type": "indicator", "spec_version": "2.1",
                 "id": "indicator--" + str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                 "created": ts, "modified": ts, "pattern": f"[ipv4-addr:value = '{a}']", "pattern_type": "stix",
                 "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": [green]} for a in inds[e:e + 1000]]
        with open(os.path.join(out, f"env-{e // 1000:04d}.json"), "w") as f:
            json.dump({"objects": objs}, f)

    # hosts inside the constituencies, hit with a Zipf-like skew
    all_ranges = [net for s in ranges for net in ranges[s]]
    hosts = []
    for _ in range(n_hosts):
        net = rnd.choice(all_ranges)
        hosts.append(str(net.network_address + rnd.randrange(1, net.num_addresses - 1)))
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_hosts)]
    cum, t = [], 0.0
    for w in weights:
        t += w
        cum.append(t)

    def pick_host():
        return hosts[bisect.bisect_left(cum, rnd.random() * t)]

    matched = 0
    for bi in range(batches):
        evs = []
        for _ in range(1000):
            if rnd.random() < 0.4:
                src = rnd.choice(inds)
                matched += 1
            else:
                src = f"{rnd.randint(1, 223)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
            t_ev = now - datetime.timedelta(seconds=rnd.randint(0, 600))
            evs.append({"time": t_ev.strftime("%Y-%m-%dT%H:%M:%SZ"), "src_ip": src, "dst_ip": pick_host(),
                        "src_port": rnd.randint(1024, 65535), "dst_port": rnd.choice(PORTS),
                        "proto": "tcp", "classification": rnd.choice(CLASSES), "source": f"sensor-{bi % 8}"})
        with open(os.path.join(out, f"batch-{bi:04d}.json"), "w") as f:
            json.dump({"events": evs}, f, separators=(",", ":"))
    meta = {"members": len(members), "ranges": states * 24 + sectors * 4, "indicators": len(inds),
            "batches": batches, "events": batches * 1000, "matched_src": matched, "hosts": n_hosts,
            "probe": {"time": ts, "src_ip": inds[0], "dst_ip": hosts[0]}}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
