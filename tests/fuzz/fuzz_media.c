/*
 * fuzz_media.c — the Content-Type and Accept parsers (http/media.h).
 *
 * Properties checked (abort on violation): no out-of-bounds read (ASan);
 * the answers are deterministic; a header that admits the TAXII type still
 * admits it with ", text/html" appended (adding a range for another type
 * never takes an acceptance away).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *s = malloc(size + 16);
    memcpy(s, data, size);
    s[size] = 0;
    if (strlen(s) != size) {
        free(s);
        return 0;
    }
    const char *t = "application/taxii+json";
    bool is = cp_media_is(s, t), acc = cp_media_accepts(s, t);
    if (is != cp_media_is(s, t) || acc != cp_media_accepts(s, t)) abort();
    if (acc && size > 0 && strspn(s, " \t") != size) {
        memcpy(s + size, ", text/html", 12);
        if (!cp_media_accepts(s, t)) abort();
    }
    free(s);
    return 0;
}
