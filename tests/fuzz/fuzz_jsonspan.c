/*
 * fuzz_jsonspan.c — the raw-span scanner (base/jsonspan.h) against Jansson.
 *
 * Properties checked (abort on violation):
 *   - the scanner never reads out of bounds (ASan), whatever the input;
 *   - when the input is valid JSON whose top level has an "objects" array,
 *     the scanner finds exactly as many elements, and each span parses on
 *     its own to a value equal to the array's element.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/jsonspan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_span *spans = NULL;
    size_t n = 0;
    cp_err err;
    cp_status st = cp_json_array_spans((const char *)data, size, "objects", &spans, &n, &err);
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    json_t *arr = json_is_object(doc) ? json_object_get(doc, "objects") : NULL;
    if (json_is_array(arr)) {
        if (st != CP_OK || n != json_array_size(arr)) abort();
        for (size_t i = 0; i < n; i++) {
            json_t *one = json_loadb((const char *)data + spans[i].off, spans[i].len, JSON_DECODE_ANY, NULL);
            if (!one || !json_equal(one, json_array_get(arr, i))) abort();
            json_decref(one);
        }
    }
    json_decref(doc);
    free(spans);
    return 0;
}
