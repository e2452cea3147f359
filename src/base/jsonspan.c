#include "base/jsonspan.h"

#include <stdlib.h>
#include <string.h>

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Index just past the string that starts at text[i] == '"', or len. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\') i++;
        else if (t[i] == '"') return i + 1;
    }
    return len;
}

/* Index just past the value that starts at t[i] (after whitespace), or len
 * when the text ends first. Scalars end at a structural character. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len) return len;
    if (t[i] == '"') return skip_string(t, len, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        while (i < len) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, len, i);
                continue;
            }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return len;
    }
    while (i < len && t[i] != ',' && t[i] != '}' && t[i] != ']' && !is_ws(t[i])) i++;
    return i;
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && is_ws(t[i])) i++;
    return i;
}

static cp_status array_spans(const char *t, size_t len, size_t i, cp_span **spans, size_t *n, cp_err *err)
{
    size_t cap = 0, count = 0;
    cp_span *out = NULL;
    i = skip_ws(t, len, i + 1); /* past '[' */
    if (i < len && t[i] == ']') {
        *spans = NULL;
        *n = 0;
        return CP_OK;
    }
    while (i < len) {
        size_t end = skip_value(t, len, i);
        if (end <= i) break;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            cp_span *nb = realloc(out, cap * sizeof *out);
            if (!nb) {
                free(out);
                return cp_fail(err, CP_E_NOMEM, "out of memory");
            }
            out = nb;
        }
        out[count].off = i;
        out[count].len = end - i;
        count++;
        i = skip_ws(t, len, end);
        if (i < len && t[i] == ',') {
            i = skip_ws(t, len, i + 1);
            continue;
        }
        if (i < len && t[i] == ']') {
            *spans = out;
            *n = count;
            return CP_OK;
        }
        break;
    }
    free(out);
    return cp_fail(err, CP_E_BAD_REQUEST, "malformed JSON array at byte %zu", i);
}

cp_status cp_json_array_spans(const char *t, size_t len, const char *key, cp_span **spans, size_t *n, cp_err *err)
{
    *spans = NULL;
    *n = 0;
    size_t klen = strlen(key);
    size_t i = skip_ws(t, len, 0);
    if (i >= len || t[i] != '{') return cp_fail(err, CP_E_NOT_FOUND, "the JSON text is not an object");
    i = skip_ws(t, len, i + 1);
    size_t found = (size_t)-1;
    while (i < len && t[i] == '"') {
        size_t kend = skip_string(t, len, i);
        int match = kend - i == klen + 2 && memcmp(t + i + 1, key, klen) == 0;
        i = skip_ws(t, len, kend);
        if (i >= len || t[i] != ':') break;
        i = skip_ws(t, len, i + 1);
        if (match) found = i;
        i = skip_ws(t, len, skip_value(t, len, i));
        if (i < len && t[i] == ',') {
            i = skip_ws(t, len, i + 1);
            continue;
        }
        break;
    }
    if (found == (size_t)-1) return cp_fail(err, CP_E_NOT_FOUND, "no member '%s'", key);
    if (found >= len || t[found] != '[') return cp_fail(err, CP_E_UNPROCESSABLE, "'%s' is not an array", key);
    return array_spans(t, len, found, spans, n, err);
}
