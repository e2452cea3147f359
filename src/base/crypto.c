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

void cp_uuid4(char out[CP_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
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
