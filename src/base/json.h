/*
 * json.h — strict decoding of request bodies, over Jansson.
 *
 * Ownership follows Jansson: json_object_get() borrows, json_object_set_new()
 * steals. Every function here says which.
 *
 * Decoding a request body is two steps:
 *   1. cp_json_parse(): syntax, with a depth bound checked before Jansson
 *      sees the text and duplicate keys rejected; a failure names the line,
 *      column and byte offset.
 *   2. cp_json_check(): the shape of one object against a table of fields:
 *      unknown fields are rejected (a typo must not pass silently), required
 *      fields must be present, each field must have its type and bound.
 * Both fail with CP_E_BAD_REQUEST and a message that says what and where.
 */
#ifndef CP_BASE_JSON_H
#define CP_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

#define CP_JSON_DEPTH_DEFAULT 32

/* Parses len bytes of buf. *out is owned by the caller (json_decref). */
cp_status cp_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out, cp_err *err);

/* Depth of the deepest array/object nesting in buf (strings skipped), or
 * stops early and returns max_depth + 1 once deeper than max_depth. */
size_t cp_json_depth(const char *buf, size_t len, size_t max_depth);

typedef enum {
    CP_JT_STRING,      /* a string of at most max bytes (empty allowed), no NUL */
    CP_JT_STRING_NULL, /* a string, or null to clear */
    CP_JT_INT,
    CP_JT_BOOL,
    CP_JT_STRING_ARRAY,
    CP_JT_OBJECT,
} cp_jtype;

typedef struct {
    const char *name;
    cp_jtype type;
    bool required;
    size_t max;    /* strings: max bytes; arrays: max items; 0 = default bound */
} cp_jfield;

#define CP_JSON_STRING_MAX_DEFAULT 1024
#define CP_JSON_ARRAY_MAX_DEFAULT 64

/* Checks that obj is an object whose fields match the table (n entries).
 * where names the object in messages ("body", "body.csirt"). */
cp_status cp_json_check(const json_t *obj, const char *where, const cp_jfield *fields, size_t n,
                        cp_err *err);

/* Borrowed string value of key, or NULL when absent, null or not a string. */
const char *cp_json_str(const json_t *obj, const char *key);

/* Serialises v compactly (no reformatting of numbers beyond Jansson's).
 * Returns a malloc'd string the caller frees, or NULL on allocation failure. */
char *cp_json_dump(const json_t *v);

#endif
