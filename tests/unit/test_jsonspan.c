#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonspan.h"
#include "harness.h"

static char *span_text(const char *t, cp_span s)
{
    char *out = malloc(s.len + 1);
    memcpy(out, t + s.off, s.len);
    out[s.len] = 0;
    return out;
}

static void test_exact_bytes(void)
{
    const char *t = "{\"more\": true, \"objects\": [ {\"b\": 1.0, \"a\": 1e2} ,\n\t{\"s\": \"]}\\\"\"}, 12345678901234567890 ]}";
    cp_span *sp;
    size_t n;
    cp_err err;
    CHECK(cp_json_array_spans(t, strlen(t), "objects", &sp, &n, &err) == CP_OK);
    CHECK(n == 3);
    if (n == 3) {
        char *a = span_text(t, sp[0]), *b = span_text(t, sp[1]), *c = span_text(t, sp[2]);
        CHECK_STR(a, "{\"b\": 1.0, \"a\": 1e2}");
        CHECK_STR(b, "{\"s\": \"]}\\\"\"}");
        CHECK_STR(c, "12345678901234567890");
        free(a), free(b), free(c);
    }
    free(sp);
}

static void test_nested_key_is_not_top_level(void)
{
    const char *t = "{\"x\": {\"objects\": [1, 2]}, \"objects\": [3]}";
    cp_span *sp;
    size_t n;
    cp_err err;
    CHECK(cp_json_array_spans(t, strlen(t), "objects", &sp, &n, &err) == CP_OK);
    CHECK(n == 1 && sp && t[sp[0].off] == '3');
    free(sp);
    const char *u = "{\"x\": {\"objects\": [1, 2]}}";
    CHECK(cp_json_array_spans(u, strlen(u), "objects", &sp, &n, &err) == CP_E_NOT_FOUND);
}

static void test_not_array_empty_and_truncated(void)
{
    cp_span *sp;
    size_t n;
    cp_err err;
    const char *a = "{\"objects\": {}}";
    CHECK(cp_json_array_spans(a, strlen(a), "objects", &sp, &n, &err) == CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "not an array") != NULL);
    const char *b = "{\"objects\": []}";
    CHECK(cp_json_array_spans(b, strlen(b), "objects", &sp, &n, &err) == CP_OK && n == 0 && sp == NULL);
    const char *c = "{\"objects\": [{\"a\": 1}, {\"b\":";
    CHECK(cp_json_array_spans(c, strlen(c), "objects", &sp, &n, &err) == CP_E_BAD_REQUEST);
    const char *d = "[1, 2]";
    CHECK(cp_json_array_spans(d, strlen(d), "objects", &sp, &n, &err) == CP_E_NOT_FOUND);
    CHECK(cp_json_array_spans("", 0, "objects", &sp, &n, &err) == CP_E_NOT_FOUND);
}

int main(void)
{
    RUN(test_exact_bytes);
    RUN(test_nested_key_is_not_top_level);
    RUN(test_not_array_empty_and_truncated);
    return harness_done();
}
