#include "base/net.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Parses a dotted-quad IPv4 address of exactly len bytes. */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (i >= len || !isdigit((unsigned char)s[i])) return false;
        unsigned v = 0;
        size_t start = i;
        while (i < len && isdigit((unsigned char)s[i])) {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 255 || i - start >= 3) return false;
            i++;
        }
        if (i - start > 1 && s[start] == '0') return false; /* leading zero */
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.') return false;
            i++;
        }
    }
    return i == len;
}

static int hexdig(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses an IPv6 address of exactly len bytes (RFC 4291 text forms). */
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t words[8];
    int n = 0, gap = -1;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == len) goto done;
    } else if (len >= 1 && s[0] == ':') {
        return false;
    }
    while (i < len) {
        if (n >= 8) return false;
        /* An IPv4 tail takes the last two words. */
        size_t j = i;
        while (j < len && s[j] != ':') j++;
        if (memchr(s + i, '.', j - i)) {
            if (j != len || n > 6) return false;
            uint8_t v4[4];
            if (!parse_v4(s + i, j - i, v4)) return false;
            words[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
            words[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = j;
            break;
        }
        if (j - i < 1 || j - i > 4) return false;
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int d = hexdig(s[k]);
            if (d < 0) return false;
            v = v * 16 + (unsigned)d;
        }
        words[n++] = (uint16_t)v;
        i = j;
        if (i == len) break;
        i++; /* the ':' */
        if (i < len && s[i] == ':') {
            if (gap >= 0) return false; /* two "::" */
            gap = n;
            i++;
            if (i == len) break;
        } else if (i == len) {
            return false; /* trailing single ':' */
        }
    }
done:
    if (gap < 0 && n != 8) return false;
    if (gap >= 0 && n > 7) return false;
    memset(out, 0, 16);
    int tail = gap >= 0 ? n - gap : 0;
    int head = gap >= 0 ? gap : n;
    for (int k = 0; k < head; k++) {
        out[2 * k] = (uint8_t)(words[k] >> 8);
        out[2 * k + 1] = (uint8_t)words[k];
    }
    for (int k = 0; k < tail; k++) {
        int w = 8 - tail + k;
        out[2 * w] = (uint8_t)(words[gap + k] >> 8);
        out[2 * w + 1] = (uint8_t)words[gap + k];
    }
    return true;
}

static void mask(uint8_t *addr, int bytes, int prefix, uint8_t *net)
{
    for (int i = 0; i < bytes; i++) {
        int bits = prefix - 8 * i;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        net[i] = addr[i] & m;
    }
}

cp_status cp_cidr_parse(const char *s, size_t len, cp_cidr *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    const char *shown = s;
    int shown_len = len > 80 ? 80 : (int)len;
    if (len == 0) return cp_fail(err, CP_E_BAD_REQUEST, "empty address");
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (alen <= 15 && memchr(s, '.', alen) && !memchr(s, ':', alen) && parse_v4(s, alen, out->addr)) {
        out->family = 4;
    } else if (alen <= 45 && memchr(s, ':', alen) && parse_v6(s, alen, out->addr)) {
        out->family = 6;
    } else {
        return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' is not an IPv4 or IPv6 address", slash ? (int)alen : shown_len, shown);
    }
    int max = out->family == 4 ? 32 : 128;
    int prefix = max;
    if (slash) {
        const char *p = slash + 1;
        size_t plen = len - alen - 1;
        if (plen == 0 || plen > 3 || (plen > 1 && p[0] == '0')) goto bad_prefix;
        prefix = 0;
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)p[i])) goto bad_prefix;
            prefix = prefix * 10 + (p[i] - '0');
        }
        if (prefix > max) goto bad_prefix;
    }
    out->prefix = (uint8_t)prefix;
    uint8_t net[16];
    mask(out->addr, out->family == 4 ? 4 : 16, prefix, net);
    if (memcmp(net, out->addr, out->family == 4 ? 4 : 16) != 0) {
        cp_cidr fixed = *out;
        memcpy(fixed.addr, net, 16);
        char want[CP_CIDR_TEXT_MAX];
        cp_cidr_format(&fixed, want, sizeof want);
        return cp_fail(err, CP_E_BAD_REQUEST, "host bits set in %.*s; did you mean %s?", shown_len, shown, want);
    }
    return CP_OK;
bad_prefix:
    return cp_fail(err, CP_E_BAD_REQUEST, "bad prefix length in '%.*s' (0 to %d)", shown_len, shown, max);
}

void cp_cidr_format(const cp_cidr *c, char *buf, size_t cap)
{
    char a[48];
    if (c->family == 4) {
        snprintf(a, sizeof a, "%u.%u.%u.%u", c->addr[0], c->addr[1], c->addr[2], c->addr[3]);
    } else if (memcmp(c->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
        /* IPv4-mapped: mixed notation, as RFC 5952 section 5 recommends. */
        snprintf(a, sizeof a, "::ffff:%u.%u.%u.%u", c->addr[12], c->addr[13], c->addr[14], c->addr[15]);
    } else {
        uint16_t w[8];
        for (int i = 0; i < 8; i++) w[i] = (uint16_t)(c->addr[2 * i] << 8 | c->addr[2 * i + 1]);
        int best = -1, best_len = 0;
        for (int i = 0; i < 8;) {
            if (w[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && !w[j]) j++;
            if (j - i > best_len) best = i, best_len = j - i;
            i = j;
        }
        if (best_len < 2) best = -1; /* RFC 5952: never compress a single zero field */
        size_t o = 0;
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                o += (size_t)snprintf(a + o, sizeof a - o, "::");
                i += best_len - 1;
                continue;
            }
            if (o > 0 && a[o - 1] != ':') a[o++] = ':';
            o += (size_t)snprintf(a + o, sizeof a - o, "%x", w[i]);
        }
        a[o] = 0;
    }
    snprintf(buf, cap, "%s/%u", a, c->prefix);
}

void cp_cidr_range_hex(const cp_cidr *c, char lo[33], char hi[33])
{
    uint8_t l[16], h[16];
    int prefix = c->prefix;
    if (c->family == 4) {
        memset(l, 0, 10);
        l[10] = l[11] = 0xff;
        memcpy(l + 12, c->addr, 4);
        prefix += 96;
    } else {
        memcpy(l, c->addr, 16);
    }
    for (int i = 0; i < 16; i++) {
        int bits = prefix - 8 * i;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        l[i] &= m;
        h[i] = (uint8_t)(l[i] | (uint8_t)~m);
    }
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        lo[2 * i] = hx[l[i] >> 4];
        lo[2 * i + 1] = hx[l[i] & 15];
        hi[2 * i] = hx[h[i] >> 4];
        hi[2 * i + 1] = hx[h[i] & 15];
    }
    lo[32] = hi[32] = 0;
}

bool cp_cidr_contains(const cp_cidr *outer, const cp_cidr *inner)
{
    if (outer->family != inner->family || inner->prefix < outer->prefix) return false;
    uint8_t a[16], b[16];
    int bytes = outer->family == 4 ? 4 : 16;
    mask((uint8_t *)outer->addr, bytes, outer->prefix, a);
    mask((uint8_t *)inner->addr, bytes, outer->prefix, b);
    return memcmp(a, b, (size_t)bytes) == 0;
}

cp_status cp_asn_parse(const char *s, size_t len, uint32_t *out, cp_err *err)
{
    int shown = len > 40 ? 40 : (int)len;
    const char *p = s;
    size_t n = len;
    if (n >= 2 && (p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's')) p += 2, n -= 2;
    if (n == 0 || n > 11) goto bad;
    uint64_t v = 0, hi = 0;
    bool dot = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '.' && !dot && i > 0 && i + 1 < n) {
            dot = true;
            hi = v;
            v = 0;
            continue;
        }
        if (!isdigit((unsigned char)p[i])) goto bad;
        v = v * 10 + (uint64_t)(p[i] - '0');
        if (v > 4294967295ull) goto bad;
    }
    if (dot) {
        if (hi > 65535 || v > 65535) goto bad;
        v = hi * 65536 + v;
    }
    if (v == 0) return cp_fail(err, CP_E_BAD_REQUEST, "AS0 is reserved and names no network");
    *out = (uint32_t)v;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' is not an AS number (e.g. AS64500, 1 to 4294967295)", shown, s);
}

cp_status cp_domain_normalize(const char *s, size_t len, char *out, size_t cap, cp_err *err)
{
    int shown = len > 80 ? 80 : (int)len;
    if (len > 0 && s[len - 1] == '.') len--;
    if (len == 0) return cp_fail(err, CP_E_BAD_REQUEST, "empty domain name");
    if (len > 253 || len + 1 > cap) return cp_fail(err, CP_E_BAD_REQUEST, "domain name longer than 253 bytes");
    int label = 1, labels = 1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '.';
        if (c == '.') {
            size_t l = i - start;
            if (l == 0) return cp_fail(err, CP_E_BAD_REQUEST, "label %d of '%.*s' is empty", label, shown, s);
            if (l > 63) return cp_fail(err, CP_E_BAD_REQUEST, "label %d of '%.*s' is longer than 63 bytes", label, shown, s);
            if (s[start] == '-' || s[i - 1] == '-')
                return cp_fail(err, CP_E_BAD_REQUEST, "label %d ('%.*s') starts or ends with a hyphen", label, (int)l, s + start);
            if (i < len) labels++;
            label++;
            start = i + 1;
            if (i < len) out[i] = '.';
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-')
            return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' has a character not allowed in a domain name at byte %zu "
                           "(letters, digits, '-' and '.'; use punycode xn-- for other scripts)", shown, s, i);
        out[i] = (char)tolower((unsigned char)c);
    }
    out[len] = 0;
    const char *tld = strrchr(out, '.');
    tld = tld ? tld + 1 : out;
    if (strspn(tld, "0123456789") == strlen(tld))
        return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' ends in an all-digit label: an IP address is not a domain name", shown, s);
    if (labels < 2) return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' needs at least two labels (e.g. example.org)", shown, s);
    return CP_OK;
}
