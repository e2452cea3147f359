/*
 * crypto.h — randomness, identifiers, digests and encodings (libsodium).
 * cp_crypto_init() must run once before any other function here.
 */
#ifndef CP_BASE_CRYPTO_H
#define CP_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_UUID_LEN 36      /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */
#define CP_SHA256_HEX_LEN 64

cp_status cp_crypto_init(cp_err *err);
void cp_random_bytes(void *buf, size_t n);
/* A random (version 4) UUID, lower-case, into out (37 bytes with the NUL). */
void cp_uuid4(char out[CP_UUID_LEN + 1]);
/* A time-ordered (version 7, RFC 9562) UUID: 48 bits of ms since the epoch,
 * then random bits; ids made later sort after earlier ones (keys that grow at
 * the end of their index). */
void cp_uuid7(uint64_t ms, char out[CP_UUID_LEN + 1]);
/* A name-based (version 5, RFC 4122 section 4.3: SHA-1) UUID of name in the
 * namespace ns (a canonical UUID text), lower-case. False when ns is not a
 * UUID. STIX 2.1 derives SCO ids this way (section 2.9). */
bool cp_uuid5(const char *ns, const void *name, size_t n, char out[CP_UUID_LEN + 1]);
/* True when s is a canonical lower- or upper-case UUID of 36 characters. */
bool cp_uuid_valid(const char *s);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void cp_hex(const void *bytes, size_t n, char *out);
/* SHA-256 of data as 64 hex chars + NUL. */
void cp_sha256_hex(const void *data, size_t n, char out[CP_SHA256_HEX_LEN + 1]);
/* Constant-time equality of two equal-length buffers. */
bool cp_ct_equal(const void *a, const void *b, size_t n);
/* URL-safe base64 without padding. out needs cp_b64url_len(n) bytes. */
size_t cp_b64url_len(size_t n);
void cp_b64url_encode(const void *bytes, size_t n, char *out);
/* Decodes into out (cap bytes); returns the decoded length, or -1 when s is
 * not valid base64url or does not fit. */
long cp_b64url_decode(const char *s, size_t len, void *out, size_t cap);
/* Wipes a secret from memory. */
void cp_wipe(void *p, size_t n);

#endif
