/*
 * normalise.c — fast canonical forms for the matcher (normalise.h).
 */
#include "warning/normalise.h"

#include <arpa/inet.h>
#include <string.h>

#include "intel/observables.h"
#include "warning/iset_internal.h"

static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool cp_norm_ipv4(const char *s, size_t len, uint8_t out[16])
{
    if (len < 7 || len > 15) return false;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint8_t b[4];
    for (int k = 0; k < 4; k++) {
        if (p >= end || (unsigned)(*p - '0') > 9) return false;
        unsigned v = (unsigned)(*p++ - '0');
        if (p < end && (unsigned)(*p - '0') <= 9) {
            if (v == 0) return false; /* leading zero */
            v = v * 10 + (unsigned)(*p++ - '0');
            if (p < end && (unsigned)(*p - '0') <= 9) {
                v = v * 10 + (unsigned)(*p++ - '0');
                if (v > 255) return false;
            }
        }
        b[k] = (uint8_t)v;
        if (k < 3) {
            if (p >= end || *p != '.') return false;
            p++;
        }
    }
    if (p != end) return false;
    memcpy(out, MAPPED, 12);
    memcpy(out + 12, b, 4);
    return true;
}

bool cp_norm_ipv6(const char *s, size_t len, uint8_t out[16])
{
    if (len < 2 || len > 45) return false;
    char buf[48];
    memcpy(buf, s, len);
    buf[len] = 0;
    if (inet_pton(AF_INET6, buf, out) != 1) return false;
    /* inet_pton accepts a leading-zero IPv4 tail ("::ffff:01.2.3.4") on
     * some libcs: refuse what cp_cidr_parse would refuse. */
    const char *dot = memchr(buf, '.', len);
    if (dot) {
        const char *colon = strrchr(buf, ':');
        uint8_t tmp[16];
        if (!colon || !cp_norm_ipv4(colon + 1, len - (size_t)(colon + 1 - buf), tmp)) return false;
    }
    return true;
}

bool cp_norm_ip(const char *s, size_t len, uint8_t out[16])
{
    return memchr(s, ':', len) ? cp_norm_ipv6(s, len, out) : cp_norm_ipv4(s, len, out);
}

static const uint8_t LDH[256] = {
    ['-'] = 1, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3, ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3,
    ['k'] = 3, ['l'] = 3, ['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3,
    ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3, ['y'] = 3, ['z'] = 3, ['A'] = 4, ['B'] = 4, ['C'] = 4, ['D'] = 4,
    ['E'] = 4, ['F'] = 4, ['G'] = 4, ['H'] = 4, ['I'] = 4, ['J'] = 4, ['K'] = 4, ['L'] = 4, ['M'] = 4, ['N'] = 4,
    ['O'] = 4, ['P'] = 4, ['Q'] = 4, ['R'] = 4, ['S'] = 4, ['T'] = 4, ['U'] = 4, ['V'] = 4, ['W'] = 4, ['X'] = 4,
    ['Y'] = 4, ['Z'] = 4,
};

size_t cp_norm_domain(const char *s, size_t len, char *out)
{
    if (len > 0 && s[len - 1] == '.') len--;
    if (len == 0 || len > 253) return 0;
    size_t start = 0;
    int labels = 1;
    bool tld_digits = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            size_t l = i - start;
            if (l == 0 || l > 63 || s[start] == '-' || s[i - 1] == '-') return 0;
            labels++;
            start = i + 1;
            tld_digits = true;
            out[i] = '.';
            continue;
        }
        uint8_t k = LDH[c];
        if (!k) return 0;
        if (k != 2) tld_digits = false;
        out[i] = k == 4 ? (char)(c | 0x20) : (char)c;
    }
    size_t l = len - start;
    if (l == 0 || l > 63 || s[start] == '-' || s[len - 1] == '-' || tld_digits || labels < 2) return 0;
    out[len] = 0;
    return len;
}

static const int8_t HEXV[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2,
    ['E'] = 2, ['F'] = 2,
};

int cp_norm_hash(const char *s, size_t len, char *out)
{
    int kind;
    switch (len) {
    case 32: kind = CPI_K_MD5; break;
    case 40: kind = CPI_K_SHA1; break;
    case 64: kind = CPI_K_SHA256; break;
    case 128: kind = CPI_K_SHA512; break;
    default: return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int8_t k = HEXV[c];
        if (!k) return -1;
        out[i] = k == 2 ? (char)(c | 0x20) : (char)c;
    }
    return kind;
}

size_t cp_norm_email(const char *s, size_t len, char *out)
{
    const char *at = NULL;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    if (!at) return 0;
    size_t llen = (size_t)(at - s);
    if (llen == 0 || llen > 64) return 0;
    for (size_t i = 0; i < llen; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return 0;
    memcpy(out, s, llen);
    out[llen] = '@';
    size_t dl = cp_norm_domain(at + 1, len - llen - 1, out + llen + 1);
    if (!dl) return 0;
    return llen + 1 + dl;
}

/* The common case, already canonical: a lower-case scheme other than one
 * with a default port written out, "://", a lower-case LDH host without a
 * port, userinfo or trailing dot, then '/' and printable ASCII without '%'
 * (or nothing: the canonical form adds the '/'). */
static size_t url_fast(const char *s, size_t len, char *out, const char **host, size_t *host_len)
{
    size_t i = 0;
    while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'))))
        i++;
    if (i == 0 || i > 32 || len - i < 4 || memcmp(s + i, "://", 3) != 0) return 0;
    size_t h = i + 3, e = h;
    while (e < len && ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= '0' && s[e] <= '9') || s[e] == '-' || s[e] == '.')) e++;
    if (e == h || s[e - 1] == '.' || (e < len && s[e] != '/')) return 0;
    for (size_t k = e; k < len; k++)
        if ((unsigned char)s[k] <= 0x20 || (unsigned char)s[k] >= 0x7f || s[k] == '%') return 0;
    if (len + 2 > CPI_KEY_MAX) return 0;
    memcpy(out, s, len);
    size_t n = len;
    if (e == len) out[n++] = '/';
    out[n] = 0;
    if (host) {
        *host = out + h;
        *host_len = e - h;
    }
    return n;
}

size_t cp_norm_url(const char *s, size_t len, char *out, const char **host, size_t *host_len)
{
    size_t fast = url_fast(s, len, out, host, host_len);
    if (fast) return fast;
    if (len >= CP_OBS_VALUE_MAX) return 0;
    cp_observable o;
    if (cp_observable_make(CP_OBS_URL, s, len, &o, NULL)) return 0;
    size_t n = strlen(o.value);
    if (n >= CPI_KEY_MAX) return 0;
    memcpy(out, o.value, n + 1);
    if (host) {
        /* scheme://[userinfo@]host[:port]/... */
        const char *p = strstr(out, "://") + 3, *end = p;
        while (*end && *end != '/') end++;
        const char *at = NULL;
        for (const char *q = p; q < end; q++)
            if (*q == '@') at = q;
        if (at) p = at + 1;
        const char *hend = p;
        if (*p == '[') {
            p++;
            hend = memchr(p, ']', (size_t)(end - p));
            if (!hend) hend = p;
        } else {
            while (hend < end && *hend != ':') hend++;
        }
        *host = p;
        *host_len = (size_t)(hend - p);
    }
    return n;
}
