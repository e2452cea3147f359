/*
 * fuzz_json_body.c — the JSON request decoders: cp_json_parse (syntax, depth
 * bound, duplicate keys) and cp_json_check (shape against a field table),
 * plus the paging cursor decoder.
 *
 * Properties checked (abort on violation):
 *   - a parsed document is never nested deeper than the bound;
 *   - when cp_json_check accepts an object, every required field is present
 *     with the declared type, and no field outside the table is present;
 *   - a failure always carries a non-empty message;
 *   - a cursor that decodes re-encodes to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "members/cursor.h"

#define DEPTH_MAX 8

static const cp_jfield FIELDS[] = {
    {"kind", CP_JT_STRING, true, 32},
    {"name", CP_JT_STRING, true, 64},
    {"country", CP_JT_STRING_NULL, false, 8},
    {"roles", CP_JT_STRING_ARRAY, false, 4},
    {"limit", CP_JT_INT, false, 0},
    {"flag", CP_JT_BOOL, false, 0},
    {"csirt", CP_JT_OBJECT, false, 0},
};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

static size_t depth_of(const json_t *v)
{
    size_t d = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            size_t e = depth_of(x);
            if (e > d) d = e;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t e = depth_of(json_array_get(v, i));
            if (e > d) d = e;
        }
        return d + 1;
    }
    return 0;
}

static void check_accepted(const json_t *obj)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        int known = 0;
        for (size_t i = 0; i < N_FIELDS; i++) known |= strcmp(FIELDS[i].name, k) == 0;
        if (!known) abort();
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        json_t *f = json_object_get(obj, FIELDS[i].name);
        if (FIELDS[i].required && !f) abort();
        if (FIELDS[i].type == CP_JT_STRING && f && (!json_is_string(f) || json_string_length(f) > FIELDS[i].max)) abort();
        if (FIELDS[i].type == CP_JT_INT && f && !json_is_integer(f)) abort();
        if (FIELDS[i].type == CP_JT_STRING_ARRAY && f && (!json_is_array(f) || json_array_size(f) > FIELDS[i].max)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_err err = {{0}};
    json_t *v = NULL;
    cp_status st = cp_json_parse((const char *)data, size, DEPTH_MAX, &v, &err);
    if (st) {
        if (!err.msg[0] || v) abort();
    } else {
        if (depth_of(v) > DEPTH_MAX) abort();
        err.msg[0] = 0;
        if (cp_json_check(v, "body", FIELDS, N_FIELDS, &err) == CP_OK) check_accepted(v);
        else if (!err.msg[0]) abort();
        json_decref(v);
    }
    /* The same bytes as a paging cursor. */
    char text[600];
    if (size < sizeof text) {
        memcpy(text, data, size);
        text[size] = 0;
        char key[256], id[64];
        if (strlen(text) == size && cp_cursor_decode(text, key, sizeof key, id, sizeof id) == CP_OK) {
            char *again = cp_cursor_encode(key, id);
            if (!again || strcmp(again, text) != 0) abort();
            free(again);
        }
    }
    return 0;
}
