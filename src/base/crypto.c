#include "base/crypto.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

cp_status cp_crypto_init(cp_err *err)
{
    if (sodium_init() < 0) return cp_fail(err, CP_E_INTERNAL, "libsodium failed to initialise");
    return CP_OK;
}

void cp_random_bytes(void *buf, size_t n) { randombytes_buf(buf, n); }

/* 16 bytes as a UUID with version v and the RFC 4122 variant, lower-case. */
static void uuid_format(uint8_t b[16], int v, char out[CP_UUID_LEN + 1])
{
    b[6] = (uint8_t)((b[6] & 0x0f) | (v << 4));
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    static const char hx[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hx[b[i] >> 4];
        out[o++] = hx[b[i] & 15];
    }
    out[o] = 0;
}

void cp_uuid4(char out[CP_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    uuid_format(b, 4, out);
}

void cp_uuid7(uint64_t ms, char out[CP_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    for (int i = 0; i < 6; i++) b[i] = (uint8_t)(ms >> (40 - 8 * i));
    uuid_format(b, 7, out);
}

bool cp_uuid_valid(const char *s)
{
    if (!s || strlen(s) != CP_UUID_LEN) return false;
    for (int i = 0; i < CP_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* SHA-1 (FIPS 180-4), only for version 5 UUIDs: libsodium has none. */
typedef struct {
    uint32_t h[5];
    uint64_t bytes;
    uint8_t block[64];
    size_t used;
} sha1_ctx;

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(sha1_ctx *c, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (b & cc) | (~b & d), k = 0x5a827999;
        else if (i < 40) f = b ^ cc ^ d, k = 0x6ed9eba1;
        else if (i < 60) f = (b & cc) | (b & d) | (cc & d), k = 0x8f1bbcdc;
        else f = b ^ cc ^ d, k = 0xca62c1d6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = cc, cc = rol(b, 30), b = a, a = t;
    }
    c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_update(sha1_ctx *c, const uint8_t *p, size_t n)
{
    c->bytes += n;
    while (n) {
        size_t k = 64 - c->used < n ? 64 - c->used : n;
        memcpy(c->block + c->used, p, k);
        c->used += k, p += k, n -= k;
        if (c->used == 64) sha1_block(c, c->block), c->used = 0;
    }
}

static void sha1_final(sha1_ctx *c, uint8_t out[20])
{
    uint64_t bits = c->bytes * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha1_update(c, &pad, 1);
    while (c->used != 56) sha1_update(c, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(c, len, 8);
    for (int i = 0; i < 20; i++) out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

static int hexval(char ch) { return isdigit((unsigned char)ch) ? ch - '0' : (tolower((unsigned char)ch) - 'a' + 10); }

bool cp_uuid5(const char *ns, const void *name, size_t n, char out[CP_UUID_LEN + 1])
{
    if (!cp_uuid_valid(ns)) return false;
    uint8_t nsb[16], h[20];
    for (int i = 0, j = 0; i < 16; j++) {
        if (ns[j] == '-') continue;
        nsb[i++] = (uint8_t)(hexval(ns[j]) << 4 | hexval(ns[j + 1]));
        j++;
    }
    sha1_ctx c = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}, 0, {0}, 0};
    sha1_update(&c, nsb, sizeof nsb);
    sha1_update(&c, name, n);
    sha1_final(&c, h);
    uuid_format(h, 5, out);
    return true;
}


void cp_hex(const void *bytes, size_t n, char *out) { sodium_bin2hex(out, 2 * n + 1, bytes, n); }

void cp_sha256_hex(const void *data, size_t n, char out[CP_SHA256_HEX_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    cp_hex(h, sizeof h, out);
}

bool cp_ct_equal(const void *a, const void *b, size_t n) { return sodium_memcmp(a, b, n) == 0; }

size_t cp_b64url_len(size_t n)
{
    return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void cp_b64url_encode(const void *bytes, size_t n, char *out)
{
    sodium_bin2base64(out, cp_b64url_len(n), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

long cp_b64url_decode(const char *s, size_t len, void *out, size_t cap)
{
    /* libsodium 1.0.18 reads every byte >= 0x80 as '_': check the alphabet first. */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(alphabet, s[i])) return -1;
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, cap, s, len, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    if (end != s + len) return -1;
    return (long)got;
}

void cp_wipe(void *p, size_t n) { sodium_memzero(p, n); }
