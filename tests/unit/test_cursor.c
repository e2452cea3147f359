/*
 * test_cursor.c — paging cursors (members/cursor.h) and the base64url
 * decoder under them (cp_b64url_decode, base/crypto.h), which also decodes
 * HTTP Basic credentials.
 *
 * A cursor is opaque and "a cursor that does not decode is a 400": so a
 * decodable cursor must be exactly what cp_cursor_encode writes (the
 * property fuzz_json_body asserts). libsodium 1.0.18 (Debian 12) accepts
 * every byte 0x80..0xff as '_' in URL-safe base64; see
 * CP_KNOWN_BUG_B64URL_HIGH_BYTES.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "harness.h"
#include "members/cursor.h"

#define ID "c954fa84-9bd1-41eb-b920-e0d14e3b63d4"

static void roundtrip(const char *key)
{
    char *c = cp_cursor_encode(key, ID);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(c));
    char k[600], id[64];
    CHECK_INT(cp_cursor_decode(c, k, sizeof k, id, sizeof id), CP_OK);
    CHECK_STR(k, key);
    CHECK_STR(id, ID);
    free(c);
}

static void test_roundtrip(void)
{
    roundtrip("");
    roundtrip("Republic of Atlantis");
    roundtrip("caf\xc3\xa9 \xe2\x82\xac");
    roundtrip("a");
    roundtrip("ab");
    roundtrip("abc"); /* every length mod 3 */
    char long_key[476];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = 0;
    roundtrip(long_key); /* 475 + 1 + 36 = 512 bytes: the most */
    char longer[478];
    memset(longer, 'k', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    CHECK(cp_cursor_encode(longer, ID) == NULL);
}

static void rejected(const char *s)
{
    char k[256], id[64];
    cp_status st = cp_cursor_decode(s, k, sizeof k, id, sizeof id);
    if (st != CP_E_BAD_REQUEST) fprintf(stderr, "  cursor '%s' decoded\n", s);
    CHECK_INT(st, CP_E_BAD_REQUEST);
}

static void test_rejections(void)
{
    rejected("");
    rejected("!!!!");
    rejected("YQ");                 /* "a": no separator */
    rejected("YR");                 /* non-canonical trailing bits */
    rejected("YWJj==");             /* padding */
    rejected("YWJj\n");
    char *c = cp_cursor_encode("name", "not-a-uuid");
    rejected(c);                    /* the id must be a UUID */
    free(c);
    c = cp_cursor_encode("na\x1fme", ID);
    rejected(c);                    /* the first 0x1f splits: "me\x1f<id>" is no UUID */
    free(c);
    c = cp_cursor_encode("name", ID);
    char k[3], id[64];
    CHECK_INT(cp_cursor_decode(c, k, sizeof k, id, sizeof id), CP_E_BAD_REQUEST); /* key does not fit */
    char k2[16], id2[36];
    CHECK_INT(cp_cursor_decode(c, k2, sizeof k2, id2, sizeof id2), CP_E_BAD_REQUEST); /* id does not fit */
    free(c);
}

static void test_b64url_decode(void)
{
    unsigned char out[16];
    CHECK_INT(cp_b64url_decode("YQ", 2, out, sizeof out), 1);
    CHECK_INT(out[0], 'a');
    CHECK_INT(cp_b64url_decode("-_8", 3, out, sizeof out), 2);
    CHECK_INT(out[0], 0xfb);
    CHECK_INT(out[1], 0xff);
    CHECK_INT(cp_b64url_decode("", 0, out, sizeof out), 0);
    CHECK_INT(cp_b64url_decode("Y", 1, out, sizeof out), -1);
    CHECK_INT(cp_b64url_decode("YQ==", 4, out, sizeof out), -1);
    CHECK_INT(cp_b64url_decode("+/8", 3, out, sizeof out), -1); /* standard alphabet */
    CHECK_INT(cp_b64url_decode("YW Jj", 5, out, sizeof out), -1);
    CHECK_INT(cp_b64url_decode("YWJjYWJjYWJj", 12, out, 8), -1); /* does not fit */

    /* every byte outside the alphabet is refused, in every position */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int accepted_ascii = 0, accepted_high = 0;
    for (int c = 1; c < 256; c++) {
        if (memchr(alphabet, c, sizeof alphabet - 1)) continue;
        for (int pos = 0; pos < 4; pos++) {
            char in[5] = "QUJD"; /* "ABC" */
            in[pos] = (char)c;
            if (cp_b64url_decode(in, 4, out, sizeof out) >= 0) {
                if (c < 0x80) accepted_ascii++;
                else accepted_high++;
            }
        }
    }
    CHECK_INT(accepted_ascii, 0);
    if (accepted_high) fprintf(stderr, "  %d (byte, position) pairs >= 0x80 decode (as '_')\n", accepted_high);
    CHECK_INT(accepted_high, 0);
    /* the fuzz_json_body finding: a cursor with 0xef where '_' was decodes */
    char *cur = cp_cursor_encode("No\xfe" "e", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    CHECK(cur && strchr(cur, '_'));
    if (cur && strchr(cur, '_')) {
        *strchr(cur, '_') = (char)0xef;
        rejected(cur);
    }
    free(cur);
}

int main(void)
{
    RUN(test_roundtrip);
    RUN(test_rejections);
    RUN(test_b64url_decode);
    return harness_done();
}
