/*
 * fuzz_warninglist.c — the MISP warninglist loader (intel/warninglist.h)
 * fed the input as one list file, then asked about a fixed set of values.
 *
 * Properties checked (abort on violation):
 *   - no crash, leak or undefined behaviour (the sanitizers);
 *   - a failure is CP_E_UNPROCESSABLE or CP_E_TOO_LARGE with a message that
 *     names the source, and adds no list and no entry;
 *   - a success adds exactly one list, with a non-empty name;
 *   - a match answers the name of a loaded list or NULL, and the same
 *     question twice gets the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/warninglist.h"

static const char *const VALUES[] = {
    "8.8.8.8", "10.0.0.0/8", "::/0", "2001:db8::1", "::ffff:1.2.3.4", "example.com", "www.example.com", "badexample.com",
    "http://www.example.com:8080/a?b", "https://[2001:db8::1]/", "alice@example.com", "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_warninglists *w = cp_warninglists_new();
    if (!w) abort();
    cp_err err = {{0}};
    cp_status st = cp_warninglists_add_json(w, (const char *)data, size, "fuzz.json", &err);
    if (st) {
        if (st != CP_E_UNPROCESSABLE && st != CP_E_TOO_LARGE && st != CP_E_NOMEM) abort();
        if (strncmp(err.msg, "fuzz.json: ", 11) != 0 && st != CP_E_NOMEM) abort();
        if (cp_warninglists_count(w) != 0 || cp_warninglists_entries(w) != 0 || cp_warninglists_skipped(w) != 0) abort();
    } else {
        if (cp_warninglists_count(w) != 1 || !cp_warninglists_name(w, 0) || !cp_warninglists_name(w, 0)[0]) abort();
    }
    for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++) {
        static cp_observable o;
        if (cp_observable_parse(VALUES[i], NULL, &o, &err) != CP_OK) abort();
        for (int sub = 0; sub < 2; sub++) {
            o.subdomains = sub && o.kind == CP_OBS_DOMAIN;
            const char *m = cp_warninglists_match(w, &o);
            if (m && (st || m != cp_warninglists_name(w, 0))) abort();
            if (cp_warninglists_match(w, &o) != m) abort();
        }
    }
    cp_warninglists_free(w);
    return 0;
}
