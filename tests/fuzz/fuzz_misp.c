/*
 * fuzz_misp.c — the MISP event converter (intel/misp.h) on any JSON.
 *
 * Properties checked (abort on violation): no crash or out-of-bounds access
 * (ASan); a refusal appends nothing and carries a message; on success every
 * object made passes the STIX validator (a value without a valid STIX form
 * is kept as an x-misp-attribute instead), no id is made twice, the reports
 * list every other object, and the conversion is deterministic.
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
        size_t i, refs = 0, others = 0;
        json_t *o, *ids = json_object();
        json_array_foreach(out, i, o) {
            cp_err e;
            if (cp_stix_validate(o, NULL, &e) != CP_OK) abort();
            const char *id = json_string_value(json_object_get(o, "id"));
            if (json_object_get(ids, id)) abort();
            json_object_set_new(ids, id, json_true());
            if (strcmp(json_string_value(json_object_get(o, "type")), "report") == 0)
                refs += json_array_size(json_object_get(o, "object_refs"));
            else others++;
        }
        json_decref(ids);
        if (refs != others) abort();
        cp_misp_stats st2;
        if (cp_misp_event_to_stix(doc, again, &st2, &err) != CP_OK || !json_equal(out, again)) abort();
        json_decref(st2.skipped_types);
    }
    json_decref(again);
    json_decref(out);
    json_decref(doc);
    return 0;
}
