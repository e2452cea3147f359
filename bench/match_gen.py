#!/usr/bin/env python3
"""match_gen.py — data for bench/match.sh: an indicator set and a day of logs
with a known number of planted hits.

usage: match_gen.py IPSUM OUTDIR [EVE_MB] [TEXT_MB] [INDICATORS]

Writes to OUTDIR:
  indicators.tsv   one "id<TAB>STIX pattern" per line (INDICATORS, default
                   1,000,000): every IPsum address, IPv4 /24 and IPv6 /48
                   networks, IPv6 addresses, domains (exact and '%.' subdomain),
                   URLs, MD5/SHA-1/SHA-256 hashes, e-mail addresses, AND
                   patterns, and FOLLOWEDBY patterns (skipped by design)
  literals.txt     the literal values for grep -F -f (the same values as they
                   appear in logs; networks cannot be literals)
  eve.json         Suricata-style JSON lines (flow, dns, http, tls, fileinfo,
                   alert), EVE_MB megabytes (default 1024)
  logs.txt         syslog-style plain text, TEXT_MB megabytes (default 256)
  expected.json    planted hit lines per file: each planted line holds exactly
                   one matching value (or both halves of an AND pattern); lines
                   with only one half of an AND pattern are planted as decoys
                   that must NOT match
Benign values are drawn from pools checked against the indicators, so the only
hits are the planted ones. Deterministic (fixed seed).
"""
import ipaddress
import json
import os
import random
import sys

R = random.Random(20261129)
HEX = "0123456789abcdef"
TLDS = ["com", "net", "org", "info", "io", "ru", "cn", "xyz", "top", "biz"]


def rhex(n):
    return "%0*x" % (n, R.getrandbits(4 * n))


def rword(n):
    return "".join(R.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def uid(i):
    return "indicator--%08x-%04x-4%03x-8%03x-%012x" % (i, i & 0xFFFF, i & 0xFFF, (i >> 12) & 0xFFF, i * 2654435761 % (1 << 48))


def main():
    ipsum, out = sys.argv[1], sys.argv[2]
    eve_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
    text_mb = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    total = int(sys.argv[5]) if len(sys.argv) > 5 else 1000000
    os.makedirs(out, exist_ok=True)
    ips = []
    with open(ipsum) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a = line.split()[0]
            try:
                ipaddress.IPv4Address(a)
                ips.append(a)
            except ValueError:
                pass
    bad_ips = set(ips)
    nets24 = set()
    while len(nets24) < 20000:
        n = "%d.%d.%d" % (R.randint(45, 223), R.randint(0, 255), R.randint(0, 255))
        nets24.add(n)
    nets24 = sorted(nets24)
    v6 = ["2a0%x:%x:%x::%x" % (R.randint(1, 15), R.getrandbits(16), R.getrandbits(16), R.getrandbits(16) | 1) for _ in range(30000)]
    v6nets = ["2a0%x:%x:%x::/48" % (R.randint(1, 15), R.getrandbits(16), R.getrandbits(16)) for _ in range(5000)]
    subs = ["x%s.%s" % (rword(9), R.choice(TLDS)) for _ in range(50000)]
    urls = ["http://u%s.%s/%s/%s.php" % (rword(7), R.choice(TLDS), rword(5), rword(6)) for _ in range(150000)]
    md5 = [rhex(32) for _ in range(100000)]
    sha1 = [rhex(40) for _ in range(50000)]
    sha256 = [rhex(64) for _ in range(100000)]
    emails = ["%s@m%s.%s" % (rword(6), rword(8), R.choice(TLDS)) for _ in range(30000)]
    ands = [("%d.%d.%d.%d" % (R.randint(1, 9), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)),
             "a%s.%s" % (rword(9), R.choice(TLDS))) for _ in range(10000)]
    fby = 5000
    fixed = len(ips) + len(nets24) + len(v6) + len(v6nets) + len(subs) + len(urls) + len(md5) + len(sha1) + len(sha256) + len(emails) + len(ands) + fby
    doms = ["d%s.%s" % (rword(10), R.choice(TLDS)) for _ in range(max(0, total - fixed))]

    i = 0
    with open(os.path.join(out, "indicators.tsv"), "w") as f, open(os.path.join(out, "literals.txt"), "w") as lit:
        def ind(pattern):
            nonlocal i
            i += 1
            f.write("%s\t%s\n" % (uid(i), pattern))
        for a in ips:
            ind("[ipv4-addr:value = '%s']" % a); lit.write(a + "\n")
        for n in nets24:
            ind("[ipv4-addr:value ISSUBSET '%s.0/24']" % n)
        for a in v6:
            ind("[ipv6-addr:value = '%s']" % a); lit.write(a + "\n")
        for n in v6nets:
            ind("[ipv6-addr:value ISSUBSET '%s']" % n)
        for d in doms:
            ind("[domain-name:value = '%s']" % d); lit.write(d + "\n")
        for d in subs:
            ind("[domain-name:value LIKE '%%.%s']" % d); lit.write("." + d + "\n")
        for u in urls:
            ind("[url:value = '%s']" % u); lit.write(u + "\n")
        for h in md5:
            ind("[file:hashes.MD5 = '%s']" % h); lit.write(h + "\n")
        for h in sha1:
            ind("[file:hashes.'SHA-1' = '%s']" % h); lit.write(h + "\n")
        for h in sha256:
            ind("[file:hashes.'SHA-256' = '%s']" % h); lit.write(h + "\n")
        for e in emails:
            ind("[email-addr:value = '%s']" % e); lit.write(e + "\n")
        for a, d in ands:
            ind("[ipv4-addr:value = '%s' AND domain-name:value = '%s']" % (a, d)); lit.write(a + "\n"); lit.write(d + "\n")
        for k in range(fby):
            ind("[ipv4-addr:value = '10.250.%d.%d'] FOLLOWEDBY [domain-name:value = 'f%d.example']" % (k // 250, k % 250 + 1, k))

    # benign pools, checked against the indicators
    and_ips = {a for a, _ in ands}
    net_set = set(nets24)
    def benign_ip():
        while True:
            a = "%d.%d.%d.%d" % (R.randint(11, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
            if a not in bad_ips and a not in and_ips and a.rsplit(".", 1)[0] not in net_set:
                return a
    pub = [benign_ip() for _ in range(50000)]
    priv = ["10.%d.%d.%d" % (R.randint(0, 249), R.randint(0, 255), R.randint(1, 254)) for _ in range(5000)] + \
           ["192.168.%d.%d" % (R.randint(0, 255), R.randint(1, 254)) for _ in range(2000)]
    bdom = ["%s%s.%s" % (R.choice(["www.", "cdn.", "api.", "mail.", ""]), "ok" + rword(8), R.choice(TLDS)) for _ in range(20000)]
    bpath = ["/%s/%s.%s" % (rword(5), rword(7), R.choice(["html", "js", "css", "png", "php"])) for _ in range(5000)]
    bmd5 = [rhex(32) for _ in range(5000)]
    bsha256 = [rhex(64) for _ in range(5000)]
    uas = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
           "curl/7.88.1", "Microsoft-CryptoAPI/10.0", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"]
    sigs = ["ET POLICY Observed DNS Query to .biz TLD", "ET INFO Observed Cloudflare DNS over HTTPS Domain",
            "SURICATA STREAM Packet with invalid ack", "ET SCAN Potential SSH Scan OUTBOUND"]

    expected = {}
    # ---- eve.json ----
    planted = decoys = 0
    target = eve_mb * 1000000
    size = 0
    n = 0
    ch = R.choice
    ri = R.randint
    with open(os.path.join(out, "eve.json"), "w") as f:
        buf = []
        while size < target:
            n += 1
            t = "2026-11-28T%02d:%02d:%02d.%06d+0000" % (n * 24 // 3200000 % 24, ri(0, 59), ri(0, 59), ri(0, 999999))
            src, dst = ch(priv), ch(pub)
            flow = ri(10**14, 10**15)
            sp, dp = ri(1024, 65535), ch([53, 80, 443, 22, 25, 8080])
            kind = ri(0, 99)
            plant = ri(0, 1999) == 0
            decoy = not plant and ri(0, 9999) == 0
            head = '{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"%%s","src_ip":"%s","src_port":%d,"dest_ip":"%%s","dest_port":%d,"proto":"%s"' % (
                t, flow, src, sp, dp, "UDP" if dp == 53 else "TCP")
            if plant:
                planted += 1
                p = ri(0, 8)
                if p == 0:
                    line = head % ("flow", ch(ips)) + ',"flow":{"pkts_toserver":%d,"pkts_toclient":%d,"bytes_toserver":%d,"bytes_toclient":%d,"state":"established"}}' % (ri(1, 99), ri(1, 99), ri(100, 99999), ri(100, 99999))
                elif p == 1:
                    line = head % ("flow", "%s.%d" % (ch(nets24), ri(0, 255))) + ',"flow":{"pkts_toserver":3,"pkts_toclient":2,"state":"new"}}'
                elif p == 2:
                    line = head % ("dns", dst) + ',"dns":{"type":"query","id":%d,"rrname":"%s","rrtype":"A","tx_id":0}}' % (ri(1, 65535), ch(doms))
                elif p == 3:
                    line = head % ("dns", dst) + ',"dns":{"type":"query","id":%d,"rrname":"www.%s","rrtype":"AAAA","tx_id":0}}' % (ri(1, 65535), ch(subs))
                elif p == 4:
                    u = ch(urls)[7:]
                    host, path = u.split("/", 1)
                    line = head % ("http", dst) + ',"http":{"hostname":"%s","url":"/%s","http_user_agent":"%s","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":%d}}' % (host, path, ch(uas), ri(100, 99999))
                elif p == 5:
                    line = head % ("fileinfo", dst) + ',"fileinfo":{"filename":"/%s.exe","md5":"%s","sha256":"%s","size":%d,"stored":false}}' % (rword(6), ch(md5).upper(), ch(bsha256), ri(100, 9999999))
                elif p == 6:
                    line = head % ("fileinfo", dst) + ',"fileinfo":{"filename":"/%s.bin","md5":"%s","sha256":"%s","size":%d,"stored":false}}' % (rword(6), ch(bmd5), ch(sha256), ri(100, 9999999))
                elif p == 7:
                    a, d = ch(ands)
                    line = head % ("dns", a) + ',"dns":{"type":"query","id":%d,"rrname":"%s","rrtype":"A","tx_id":0}}' % (ri(1, 65535), d)
                else:
                    line = head % ("flow", ch(v6)) + ',"flow":{"pkts_toserver":1,"pkts_toclient":0,"state":"new"}}'
            elif decoy:
                decoys += 1
                a, d = ch(ands)
                line = head % ("flow", a) + ',"flow":{"pkts_toserver":1,"pkts_toclient":1,"state":"closed"}}'
            elif kind < 40:
                line = head % ("flow", dst) + ',"flow":{"pkts_toserver":%d,"pkts_toclient":%d,"bytes_toserver":%d,"bytes_toclient":%d,"start":"%s","end":"%s","age":%d,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}' % (
                    ri(1, 999), ri(1, 999), ri(100, 999999), ri(100, 999999), t, t, ri(0, 300))
            elif kind < 65:
                d = ch(bdom)
                line = head % ("dns", dst) + ',"dns":{"version":2,"type":"answer","id":%d,"flags":"8180","qr":true,"rd":true,"ra":true,"rrname":"%s","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"%s","rrtype":"A","ttl":%d,"rdata":"%s"}]}}' % (
                    ri(1, 65535), d, d, ri(1, 86400), ch(pub))
            elif kind < 80:
                line = head % ("http", dst) + ',"tx_id":0,"http":{"hostname":"%s","url":"%s","http_user_agent":"%s","http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":%d}}' % (
                    ch(bdom), ch(bpath), ch(uas), ri(100, 99999))
            elif kind < 90:
                line = head % ("tls", dst) + ',"tls":{"subject":"CN=%s","issuerdn":"C=US, O=Let\'s Encrypt, CN=R3","serial":"%s","fingerprint":"%s","sni":"%s","version":"TLS 1.3","notbefore":"2026-10-01T00:00:00","notafter":"2026-12-30T00:00:00","ja3":{"hash":"%s"}}}' % (
                    ch(bdom), rhex(16).upper(), ":".join(rhex(40)[k:k + 2] for k in range(0, 40, 2)), ch(bdom), ch(bmd5))
            elif kind < 95:
                line = head % ("fileinfo", dst) + ',"fileinfo":{"filename":"%s","magic":"HTML document, ASCII text","md5":"%s","sha256":"%s","size":%d,"stored":false,"tx_id":0}}' % (
                    ch(bpath), ch(bmd5), ch(bsha256), ri(100, 9999999))
            else:
                line = head % ("alert", dst) + ',"alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":%d,"signature":"%s","category":"Misc activity","severity":3}}' % (
                    ri(2000000, 2999999), ri(1, 9), ch(sigs))
            buf.append(line)
            size += len(line) + 1
            if len(buf) >= 20000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
    expected["eve.json"] = {"lines": n, "planted": planted, "decoys": decoys}

    # ---- logs.txt ----
    planted = 0
    target = text_mb * 1000000
    size = 0
    n = 0
    with open(os.path.join(out, "logs.txt"), "w") as f:
        buf = []
        while size < target:
            n += 1
            ts = "Nov 28 %02d:%02d:%02d" % (n * 24 // 2000000 % 24, ri(0, 59), ri(0, 59))
            k = ri(0, 3)
            if ri(0, 1999) == 0:
                planted += 1
                p = ri(0, 4)
                if p == 0:
                    line = "%s gw sshd[%d]: Failed password for root from %s port %d ssh2" % (ts, ri(100, 99999), ch(ips), ri(1024, 65535))
                elif p == 1:
                    line = "%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <%s>: Relay access denied" % (ts, ri(100, 99999), ch(priv), ch(emails))
                elif p == 2:
                    line = "%s proxy squid[%d]: %d.%03d %d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/%s text/html" % (ts, ri(100, 99999), ri(1, 9), ri(0, 999), ri(1, 999), ch(priv), ri(100, 99999), ch(urls), ch(pub))
                elif p == 3:
                    line = "%s av clamd[%d]: /home/u/dl/%s.exe: sha1=%s FOUND" % (ts, ri(100, 99999), rword(6), ch(sha1))
                else:
                    line = "%s dns named[%d]: client %s#%d: query: sub.%s IN A + (%s)" % (ts, ri(100, 99999), ch(priv), ri(1024, 65535), ch(subs), ch(priv))
            elif k == 0:
                line = "%s gw sshd[%d]: Accepted publickey for admin from %s port %d ssh2: ED25519 SHA256:%s" % (ts, ri(100, 99999), ch(priv), ri(1024, 65535), rhex(20))
            elif k == 1:
                line = "%s mx postfix/smtpd[%d]: connect from %s[%s]" % (ts, ri(100, 99999), ch(bdom), ch(pub))
            elif k == 2:
                line = "%s proxy squid[%d]: %d.%03d %d %s TCP_MISS/200 %d GET http://%s%s - HIER_DIRECT/%s text/html" % (ts, ri(100, 99999), ri(1, 9), ri(0, 999), ri(1, 999), ch(priv), ri(100, 99999), ch(bdom), ch(bpath), ch(pub))
            else:
                line = "%s fw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s DST=%s LEN=60 TOS=0x00 PROTO=TCP SPT=%d DPT=%d" % (ts, ch(pub), ch(priv), ri(1024, 65535), ch([22, 23, 445, 3389]))
            buf.append(line)
            size += len(line) + 1
            if len(buf) >= 20000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
    expected["logs.txt"] = {"lines": n, "planted": planted, "decoys": 0}
    expected["indicators"] = i
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(json.dumps(expected))


if __name__ == "__main__":
    main()
