#include "members/cursor.h"

#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

#define CURSOR_MAX_BYTES 512

char *cp_cursor_encode(const char *key, const char *id)
{
    size_t kl = strlen(key), il = strlen(id);
    if (kl + il + 1 > CURSOR_MAX_BYTES) return NULL;
    char raw[CURSOR_MAX_BYTES];
    memcpy(raw, key, kl);
    raw[kl] = 0x1f;
    memcpy(raw + kl + 1, id, il);
    char *out = malloc(cp_b64url_len(kl + il + 1));
    if (out) cp_b64url_encode(raw, kl + il + 1, out);
    return out;
}

cp_status cp_cursor_decode(const char *s, char *key, size_t cap_key, char *id, size_t cap_id)
{
    char raw[CURSOR_MAX_BYTES + 1];
    long n = cp_b64url_decode(s, strlen(s), raw, CURSOR_MAX_BYTES);
    if (n <= 0) return CP_E_BAD_REQUEST;
    raw[n] = 0;
    char *sep = memchr(raw, 0x1f, (size_t)n);
    if (!sep || memchr(raw, 0, (size_t)n)) return CP_E_BAD_REQUEST;
    *sep = 0;
    size_t kl = (size_t)(sep - raw);
    if (kl >= cap_key || !cp_uuid_valid(sep + 1) || strlen(sep + 1) >= cap_id) return CP_E_BAD_REQUEST;
    memcpy(key, raw, kl + 1);
    memcpy(id, sep + 1, strlen(sep + 1) + 1);
    return CP_OK;
}
