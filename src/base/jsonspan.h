/*
 * jsonspan.h — where each element of a top-level array member sits in a JSON
 * text, so an object can be stored exactly as it was sent (byte for byte:
 * no number reformatting, no key reordering) while Jansson does the parsing.
 *
 *     {"more": false, "objects": [ {...}, {...} ]}
 *                                  ^^^^^  ^^^^^  spans of "objects"
 *
 * The text must already be valid JSON (parse it with cp_json_parse first):
 * this scanner only tracks strings, escapes and nesting; it does not
 * validate. On text that is not valid JSON it still never reads out of
 * bounds; it returns CP_E_BAD_REQUEST.
 */
#ifndef CP_BASE_JSONSPAN_H
#define CP_BASE_JSONSPAN_H

#include <stddef.h>

#include "base/status.h"

typedef struct {
    size_t off; /* first byte of the element */
    size_t len; /* its length, without surrounding whitespace */
} cp_span;

/* Finds the member named key of the top-level object in text[0..len) and,
 * when its value is an array, writes the span of each element to *spans
 * (malloc'd, caller frees; NULL when the array is empty) and their count to
 * *n. The key is matched on its raw text (keys with escapes never match).
 * CP_E_NOT_FOUND when the top level is not an object or has no such member;
 * CP_E_UNPROCESSABLE when the member is not an array; CP_E_NOMEM. When the
 * key appears more than once the last one counts (as in Jansson without
 * duplicate checking; cp_json_parse refuses duplicates anyway). */
cp_status cp_json_array_spans(const char *text, size_t len, const char *key, cp_span **spans, size_t *n, cp_err *err);

#endif
