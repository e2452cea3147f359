/*
 * fuzz_taxii_ts.c — the TAXII timestamp parser (cp_taxii_ts_parse, used for
 * added_after and match[version]) and its formatter.
 *
 * Properties checked (abort on violation): no out-of-bounds read (ASan);
 * a refusal carries a message; an accepted timestamp formats to text that
 * parses back to the same microsecond, and formatting is canonical (a second
 * round trip gives the same text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64) return 0;
    char s[65];
    memcpy(s, data, size);
    s[size] = 0;
    int64_t us = 0, again = 0;
    cp_err err = {{0}};
    if (cp_taxii_ts_parse(s, &us, &err) != CP_OK) {
        if (!err.msg[0]) abort();
        return 0;
    }
    char text[CP_TAXII_TS_MAX], text2[CP_TAXII_TS_MAX];
    cp_taxii_ts_format(us, text);
    if (cp_taxii_ts_parse(text, &again, &err) != CP_OK || again != us) abort();
    cp_taxii_ts_format(again, text2);
    if (strcmp(text, text2) != 0) abort();
    return 0;
}
