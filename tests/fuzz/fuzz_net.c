/*
 * fuzz_net.c — the constituency value parsers of base/net.h, each fed the
 * whole input: cp_cidr_parse, cp_asn_parse, cp_domain_normalize.
 *
 * Properties checked (abort on violation):
 *   CIDR, when the parse succeeds:
 *     - family 4 or 6, prefix within 0..32 / 0..128, no host bits, and the
 *       IPv4 value leaves addr[4..15] zero;
 *     - format then parse yields an identical cp_cidr, and formatting that
 *       again yields the same text (the canonical form is a fixed point);
 *     - range_hex gives lo <= hi (32 lower-case hex digits each), and the
 *       block size matches the prefix;
 *     - contains(self, self); the first half-block is contained in it and
 *       does not contain it;
 *   CIDR, without a '/': accepted exactly when inet_pton accepts the text
 *     (AF_INET or AF_INET6), with the same bytes;
 *   AS number, when the parse succeeds: 1..4294967295, and "AS<n>" and the
 *     asdot form parse back to it;
 *   domain, when it succeeds: lower-case LDH, at most 253 bytes, two or more
 *     labels, no trailing dot, and it re-normalizes to itself (also from
 *     upper case and with a trailing dot);
 *   any failure carries a message.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"

static int hx_digit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void fuzz_cidr(const char *s, size_t n)
{
    cp_cidr c;
    cp_err err = {{0}};
    cp_status st = cp_cidr_parse(s, n, &c, &err);

    /* oracle: inet_pton on inputs without a prefix and without NUL bytes */
    if (n < 64 && !memchr(s, '/', n) && !memchr(s, 0, n)) {
        char z[64];
        memcpy(z, s, n);
        z[n] = 0;
        uint8_t b[16];
        int v4 = inet_pton(AF_INET, z, b) == 1;
        if (v4) {
            if (st || c.family != 4 || c.prefix != 32 || memcmp(c.addr, b, 4) != 0) abort();
        } else if (inet_pton(AF_INET6, z, b) == 1) {
            if (st || c.family != 6 || c.prefix != 128 || memcmp(c.addr, b, 16) != 0) abort();
        } else if (st == CP_OK) {
            abort(); /* accepted what the C library refuses */
        }
    }
    if (st) {
        if (st != CP_E_BAD_REQUEST || !err.msg[0]) abort();
        return;
    }
    int max = c.family == 4 ? 32 : c.family == 6 ? 128 : -1;
    if (max < 0 || c.prefix > max) abort();
    int bytes = max / 8;
    for (int i = bytes; i < 16; i++)
        if (c.addr[i]) abort();
    for (int bit = c.prefix; bit < max; bit++)
        if (c.addr[bit / 8] & (0x80 >> (bit % 8))) abort(); /* host bits */

    char text[CP_CIDR_TEXT_MAX], again[CP_CIDR_TEXT_MAX];
    cp_cidr_format(&c, text, sizeof text);
    if (strlen(text) >= CP_CIDR_TEXT_MAX - 1) abort();
    cp_cidr back;
    if (cp_cidr_parse(text, strlen(text), &back, &err) != CP_OK) abort();
    if (back.family != c.family || back.prefix != c.prefix || memcmp(back.addr, c.addr, 16) != 0) abort();
    cp_cidr_format(&back, again, sizeof again);
    if (strcmp(text, again) != 0) abort();
    for (const char *p = text; *p; p++)
        if (isupper((unsigned char)*p)) abort();

    char lo[33], hi[33];
    cp_cidr_range_hex(&c, lo, hi);
    if (strlen(lo) != 32 || strlen(hi) != 32 || strcmp(lo, hi) > 0) abort();
    if (strspn(lo, "0123456789abcdef") != 32 || strspn(hi, "0123456789abcdef") != 32) abort();
    /* hi - lo + 1 == 2^(max - prefix): the low (max - prefix) bits are 0 in lo, 1 in hi */
    int host = max - c.prefix;
    for (int bit = 0; bit < 128; bit++) { /* bit 0 = least significant */
        int nib = 31 - bit / 4, sh = bit % 4;
        int lb = (hx_digit(lo[nib]) >> sh) & 1, hb = (hx_digit(hi[nib]) >> sh) & 1;
        if (bit < host ? (lb != 0 || hb != 1) : lb != hb) abort();
    }

    if (!cp_cidr_contains(&c, &c)) abort();
    if (c.prefix < max) {
        cp_cidr half = c;
        half.prefix++;
        if (!cp_cidr_contains(&c, &half) || cp_cidr_contains(&half, &c)) abort();
        half.addr[c.prefix / 8] |= (uint8_t)(0x80 >> (c.prefix % 8)); /* the second half */
        if (!cp_cidr_contains(&c, &half)) abort();
    }
    cp_cidr other = c;
    other.family = c.family == 4 ? 6 : 4;
    if (cp_cidr_contains(&c, &other)) abort();
}

static void fuzz_asn(const char *s, size_t n)
{
    uint32_t v = 0;
    cp_err err = {{0}};
    cp_status st = cp_asn_parse(s, n, &v, &err);
    if (st) {
        if (st != CP_E_BAD_REQUEST || !err.msg[0]) abort();
        return;
    }
    if (v == 0) abort();
    char text[32];
    uint32_t back = 0;
    snprintf(text, sizeof text, "AS%u", v);
    if (cp_asn_parse(text, strlen(text), &back, &err) != CP_OK || back != v) abort();
    snprintf(text, sizeof text, "%u.%u", v >> 16, v & 0xffff);
    if (cp_asn_parse(text, strlen(text), &back, &err) != CP_OK || back != v) abort();
    /* only digits, one optional dot and an optional AS prefix were accepted */
    size_t i = n >= 2 && (s[0] | 0x20) == 'a' && (s[1] | 0x20) == 's' ? 2 : 0;
    int dots = 0;
    for (; i < n; i++) {
        if (s[i] == '.') dots++;
        else if (!isdigit((unsigned char)s[i])) abort();
    }
    if (dots > 1) abort();
}

static void fuzz_domain(const char *s, size_t n)
{
    char out[260], again[260];
    cp_err err = {{0}};
    cp_status st = cp_domain_normalize(s, n, out, sizeof out, &err);
    if (st) {
        if (st != CP_E_BAD_REQUEST || !err.msg[0]) abort();
        return;
    }
    size_t len = strlen(out);
    if (len == 0 || len > 253 || out[len - 1] == '.' || out[0] == '.') abort();
    int labels = 1;
    size_t label_len = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = out[i];
        if (ch == '.') {
            if (label_len == 0 || out[i - 1] == '-') abort();
            labels++;
            label_len = 0;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) abort();
        if (label_len == 0 && ch == '-') abort();
        if (++label_len > 63) abort();
    }
    if (labels < 2 || out[len - 1] == '-') abort();
    /* equal, case-insensitively, to the input without one trailing dot */
    size_t in_len = n && s[n - 1] == '.' ? n - 1 : n;
    if (in_len != len) abort();
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)s[i]) != out[i]) abort();
    /* a fixed point, whatever the case or a trailing dot */
    if (cp_domain_normalize(out, len, again, sizeof again, &err) != CP_OK || strcmp(out, again) != 0) abort();
    char up[260];
    for (size_t i = 0; i <= len; i++) up[i] = (char)toupper((unsigned char)out[i]);
    up[len] = '.';
    if (cp_domain_normalize(up, len + 1, again, sizeof again, &err) != CP_OK || strcmp(out, again) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fuzz_cidr(s, size);
    fuzz_asn(s, size);
    fuzz_domain(s, size);
    return 0;
}
