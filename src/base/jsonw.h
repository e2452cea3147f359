/*
 * jsonw.h — a streaming JSON writer for hot responses (lists of many rows),
 * where building a Jansson tree costs more than the request itself.
 *
 * The writer appends to one growing buffer and inserts commas itself:
 *
 *     cp_jw w; cp_jw_init(&w);
 *     cp_jw_obj(&w); cp_jw_key(&w, "id"); cp_jw_str(&w, id); cp_jw_end_obj(&w);
 *     char *text = cp_jw_finish(&w, &len);   // owned by the caller, or NULL
 *
 * Strings are escaped per RFC 8259 (quote, backslash, control characters);
 * other bytes are copied, so input must be UTF-8 (everything in the store
 * arrived through the JSON decoder or our own code). Nesting is bounded by
 * CP_JW_DEPTH_MAX. On allocation failure the writer stops writing and
 * cp_jw_finish returns NULL.
 */
#ifndef CP_BASE_JSONW_H
#define CP_BASE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_JW_DEPTH_MAX 32

typedef struct {
    char *buf;
    size_t len, cap;
    bool failed;
    int depth;
    bool need_comma[CP_JW_DEPTH_MAX + 1];
} cp_jw;

void cp_jw_init(cp_jw *w);
void cp_jw_obj(cp_jw *w);
void cp_jw_end_obj(cp_jw *w);
void cp_jw_arr(cp_jw *w);
void cp_jw_end_arr(cp_jw *w);
void cp_jw_key(cp_jw *w, const char *key);
void cp_jw_str(cp_jw *w, const char *s);      /* NULL writes null */
void cp_jw_int(cp_jw *w, int64_t v);
void cp_jw_bool(cp_jw *w, bool v);
void cp_jw_null(cp_jw *w);
void cp_jw_time(cp_jw *w, int64_t ms);         /* RFC 3339 string */
/* Appends already-serialised JSON as one value. */
void cp_jw_raw(cp_jw *w, const char *json, size_t len);
/* The text (NUL-terminated, owned by the caller) and its length; NULL when
 * writing failed. The writer is reset. */
char *cp_jw_finish(cp_jw *w, size_t *len);
void cp_jw_free(cp_jw *w);

#endif
