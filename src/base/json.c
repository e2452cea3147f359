#include "base/json.h"

#include <stdio.h>
#include <string.h>

size_t cp_json_depth(const char *buf, size_t len, size_t max_depth)
{
    size_t depth = 0, deepest = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_str) {
            if (ch == '\\') i++;
            else if (ch == '"') in_str = false;
            continue;
        }
        if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > max_depth) return deepest;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

cp_status cp_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out, cp_err *err)
{
    *out = NULL;
    if (len == 0) return cp_fail(err, CP_E_BAD_REQUEST, "request body is empty; a JSON document is expected");
    if (cp_json_depth(buf, len, max_depth) > max_depth)
        return cp_fail(err, CP_E_BAD_REQUEST, "JSON nested deeper than %zu levels", max_depth);
    json_error_t je;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v)
        return cp_fail(err, CP_E_BAD_REQUEST, "invalid JSON at line %d, column %d (byte %d): %s",
                       je.line, je.column, je.position, je.text);
    *out = v;
    return CP_OK;
}

static const char *type_name(cp_jtype t)
{
    switch (t) {
    case CP_JT_STRING: return "a string";
    case CP_JT_STRING_NULL: return "a string or null";
    case CP_JT_INT: return "an integer";
    case CP_JT_BOOL: return "true or false";
    case CP_JT_STRING_ARRAY: return "an array of strings";
    case CP_JT_OBJECT: return "an object";
    }
    return "?";
}

static cp_status check_value(const json_t *v, const char *where, const cp_jfield *f, cp_err *err)
{
    size_t max = f->max;
    switch (f->type) {
    case CP_JT_STRING_NULL:
        if (json_is_null(v)) return CP_OK;
        /* fall through */
    case CP_JT_STRING:
        if (!json_is_string(v)) break;
        if (!max) max = CP_JSON_STRING_MAX_DEFAULT;
        if (json_string_length(v) > max)
            return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s is longer than %zu bytes", where, f->name, max);
        if (strlen(json_string_value(v)) != json_string_length(v))
            return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s contains a NUL character", where, f->name);
        return CP_OK;
    case CP_JT_INT:
        if (json_is_integer(v)) return CP_OK;
        break;
    case CP_JT_BOOL:
        if (json_is_boolean(v)) return CP_OK;
        break;
    case CP_JT_OBJECT:
        if (json_is_object(v)) return CP_OK;
        break;
    case CP_JT_STRING_ARRAY:
        if (!json_is_array(v)) break;
        if (!max) max = CP_JSON_ARRAY_MAX_DEFAULT;
        if (json_array_size(v) > max)
            return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s has more than %zu items", where, f->name, max);
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *it = json_array_get(v, i);
            if (!json_is_string(it) || json_string_length(it) > CP_JSON_STRING_MAX_DEFAULT ||
                strlen(json_string_value(it)) != json_string_length(it))
                return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s[%zu] must be a string of at most %d bytes",
                               where, f->name, i, CP_JSON_STRING_MAX_DEFAULT);
        }
        return CP_OK;
    }
    return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s must be %s", where, f->name, type_name(f->type));
}

cp_status cp_json_check(const json_t *obj, const char *where, const cp_jfield *fields, size_t n,
                        cp_err *err)
{
    if (!json_is_object(obj)) return cp_fail(err, CP_E_BAD_REQUEST, "%s must be a JSON object", where);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        const cp_jfield *f = NULL;
        for (size_t i = 0; i < n && !f; i++)
            if (strcmp(fields[i].name, key) == 0) f = &fields[i];
        if (!f) {
            char allowed[256] = "";
            size_t used = 0;
            for (size_t i = 0; i < n && used < sizeof allowed; i++)
                used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s", i ? ", " : "",
                                         fields[i].name);
            return cp_fail(err, CP_E_BAD_REQUEST, "unknown field '%.64s' in %s (allowed: %s)", key, where,
                           allowed);
        }
        cp_status st = check_value(v, where, f, err);
        if (st) return st;
    }
    for (size_t i = 0; i < n; i++)
        if (fields[i].required && !json_object_get(obj, fields[i].name))
            return cp_fail(err, CP_E_BAD_REQUEST, "missing required field %s.%s", where, fields[i].name);
    return CP_OK;
}

const char *cp_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *cp_json_dump(const json_t *v) { return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY); }
