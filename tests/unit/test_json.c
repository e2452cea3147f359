/*
 * test_json.c — base/json.h: the depth pre-scan, strict parsing (empty body,
 * depth bound, duplicate keys, position in messages), the shape check against
 * a field table (unknown, missing, wrong type, bounds, NUL), and the helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "harness.h"

static size_t depth(const char *s, size_t max) { return cp_json_depth(s, strlen(s), max); }

static void test_depth(void)
{
    CHECK_INT(depth("", 32), 0);
    CHECK_INT(depth("1", 32), 0);
    CHECK_INT(depth("\"abc\"", 32), 0);
    CHECK_INT(depth("[]", 32), 1);
    CHECK_INT(depth("{}", 32), 1);
    CHECK_INT(depth("[[[]]]", 32), 3);
    CHECK_INT(depth("[[],[[]],[]]", 32), 3);
    CHECK_INT(depth("{\"a\":{\"b\":[1,{\"c\":[]}]}}", 32), 5);
    CHECK_INT(depth("\"[[[\"", 32), 0);           /* brackets in strings do not count */
    CHECK_INT(depth("[\"]]]\"]", 32), 1);
    CHECK_INT(depth("[\"\\\"[[\"]", 32), 1);      /* escaped quote stays inside the string */
    CHECK_INT(depth("[\"\\\\\",[]]", 32), 2);     /* escaped backslash ends before the quote */
    CHECK_INT(depth("]]]}}[[", 32), 2);          /* stray closers at depth 0 are ignored */
    CHECK_INT(depth("[[[[[[", 3), 4);            /* stops early, just past the bound */
    CHECK_INT(depth("[[[]]]", 3), 3);
    /* len bounds the scan */
    CHECK_INT(cp_json_depth("[[[[", 2, 32), 2);
    /* very deep input: no recursion, no problem */
    size_t n = 1000000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    CHECK_INT(cp_json_depth(deep, n, 32), 33);
    CHECK_INT(cp_json_depth(deep, n, n), n);
    free(deep);
}

static json_t *parsed(const char *s, size_t max)
{
    json_t *v = (json_t *)1;
    cp_err err = {{0}};
    cp_status st = cp_json_parse(s, strlen(s), max, &v, &err);
    if (st) fprintf(stderr, "  '%s': %s\n", s, err.msg);
    CHECK_INT(st, CP_OK);
    return v;
}

static void parse_fails(const char *s, size_t len, size_t max, const char *part)
{
    json_t *v = (json_t *)1;
    cp_err err = {{0}};
    cp_status st = cp_json_parse(s, len, max, &v, &err);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    CHECK(v == NULL);
    if (!strstr(err.msg, part)) fprintf(stderr, "  '%.40s': \"%s\" lacks \"%s\"\n", s, err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
    if (st == CP_OK) json_decref(v);
}
#define PARSE_FAILS(s, max, part) parse_fails(s, strlen(s), max, part)

static void test_parse(void)
{
    json_t *v = parsed("{\"a\": 1, \"b\": [true, null, \"x\"]}", 32);
    CHECK(json_is_object(v));
    CHECK_INT(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    v = parsed("[[[]]]", 3); /* exactly at the bound */
    CHECK(json_is_array(v));
    json_decref(v);
    v = parsed("  {}  \n", 1);
    json_decref(v);

    PARSE_FAILS("", 32, "request body is empty; a JSON document is expected");
    PARSE_FAILS("[[[[]]]]", 3, "JSON nested deeper than 3 levels");
    PARSE_FAILS("{\"a\":{\"b\":{\"c\":{}}}}", 3, "nested deeper than 3 levels");
    PARSE_FAILS("{\"a\": 1, \"a\": 2}", 32, "invalid JSON at line 1");
    PARSE_FAILS("{\"a\": 1, \"a\": 2}", 32, "duplicate");
    PARSE_FAILS("{\"a\": 1,}", 32, "invalid JSON at line 1, column");
    PARSE_FAILS("{\n\"a\": 1\n\"b\": 2}", 32, "invalid JSON at line 3");
    PARSE_FAILS("{\"a\": 1} x", 32, "invalid JSON");
    PARSE_FAILS("{'a': 1}", 32, "invalid JSON");
    PARSE_FAILS("{\"a\": \"\\u0000\"}", 32, "invalid JSON"); /* NUL in a string */
    PARSE_FAILS("{\"a\": \"\xff\"}", 32, "invalid JSON");    /* not UTF-8 */
    PARSE_FAILS("{\"a\": NaN}", 32, "invalid JSON");
    PARSE_FAILS("{\"a\": 01}", 32, "invalid JSON");
    PARSE_FAILS("[1, 2", 32, "invalid JSON");
    parse_fails("{\"a\":\0}", 6, 32, "invalid JSON");
    /* a message says where: the byte offset is there too */
    PARSE_FAILS("{\"abc\": tru}", 32, "(byte ");

    /* len bounds the input: bytes after len are not read */
    json_t *w = NULL;
    cp_err err;
    CHECK_INT(cp_json_parse("{}garbage", 2, 32, &w, &err), CP_OK);
    CHECK(json_is_object(w));
    json_decref(w);
}

static const cp_jfield FIELDS[] = {
    {"name", CP_JT_STRING, true, 8},
    {"note", CP_JT_STRING, false, 0}, /* default bound */
    {"country", CP_JT_STRING_NULL, false, 2},
    {"n", CP_JT_INT, false, 0},
    {"flag", CP_JT_BOOL, false, 0},
    {"roles", CP_JT_STRING_ARRAY, false, 3},
    {"tags", CP_JT_STRING_ARRAY, false, 0}, /* default bound */
    {"csirt", CP_JT_OBJECT, false, 0},
};
#define NF (sizeof FIELDS / sizeof FIELDS[0])

static void check_ok(const char *text)
{
    json_t *v = parsed(text, 32);
    if (!v) return;
    cp_err err = {{0}};
    cp_status st = cp_json_check(v, "body", FIELDS, NF, &err);
    if (st) fprintf(stderr, "  '%s': %s\n", text, err.msg);
    CHECK_INT(st, CP_OK);
    json_decref(v);
}

static void check_obj_fails(json_t *v, const char *where, const char *part)
{
    cp_err err = {{0}};
    cp_status st = cp_json_check(v, where, FIELDS, NF, &err);
    CHECK_INT(st, CP_E_BAD_REQUEST);
    if (!strstr(err.msg, part)) fprintf(stderr, "  \"%s\" lacks \"%s\"\n", err.msg, part);
    CHECK(strstr(err.msg, part) != NULL);
}

static void check_fails(const char *text, const char *part)
{
    json_t *v = parsed(text, 32);
    if (!v) return;
    check_obj_fails(v, "body", part);
    json_decref(v);
}

static void test_check(void)
{
    check_ok("{\"name\": \"x\"}");
    check_ok("{\"name\": \"12345678\"}"); /* exactly max bytes */
    check_ok("{\"name\": \"\"}");         /* empty strings pass the shape check */
    check_ok("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"); /* 8 bytes, 4 characters */
    check_ok("{\"name\": \"x\", \"country\": null}"); /* STRING_NULL takes null */
    check_ok("{\"name\": \"x\", \"country\": \"FR\", \"n\": -9223372036854775807, \"flag\": false,"
             " \"roles\": [\"a\", \"b\", \"c\"], \"tags\": [], \"csirt\": {\"anything\": [1]}}");

    check_fails("{}", "missing required field body.name");
    check_fails("{\"country\": \"FR\"}", "missing required field body.name");
    check_fails("{\"name\": \"x\", \"nmae\": 1}", "unknown field 'nmae' in body (allowed: name, note, country, n, flag, roles, tags, csirt)");
    check_fails("{\"name\": null}", "body.name must be a string");
    check_fails("{\"name\": 1}", "body.name must be a string");
    check_fails("{\"name\": \"x\", \"note\": null}", "body.note must be a string"); /* STRING does not */
    check_fails("{\"name\": \"123456789\"}", "body.name is longer than 8 bytes");
    check_fails("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", "longer than 8 bytes"); /* bytes, not characters */
    check_fails("{\"name\": \"x\", \"country\": 7}", "body.country must be a string or null");
    check_fails("{\"name\": \"x\", \"country\": \"FRA\"}", "body.country is longer than 2 bytes");
    check_fails("{\"name\": \"x\", \"n\": 1.0}", "body.n must be an integer");
    check_fails("{\"name\": \"x\", \"n\": \"1\"}", "body.n must be an integer");
    check_fails("{\"name\": \"x\", \"flag\": 0}", "body.flag must be true or false");
    check_fails("{\"name\": \"x\", \"flag\": \"true\"}", "body.flag must be true or false");
    check_fails("{\"name\": \"x\", \"csirt\": []}", "body.csirt must be an object");
    check_fails("{\"name\": \"x\", \"roles\": \"a\"}", "body.roles must be an array of strings");
    check_fails("{\"name\": \"x\", \"roles\": [\"a\", \"b\", \"c\", \"d\"]}", "body.roles has more than 3 items");
    check_fails("{\"name\": \"x\", \"roles\": [\"a\", 2]}", "body.roles[1] must be a string of at most 1024 bytes");
    check_fails("{\"name\": \"x\", \"roles\": [null]}", "body.roles[0] must be a string");

    /* default bounds: strings 1024 bytes, arrays 64 items */
    char *buf = malloc(4000);
    snprintf(buf, 4000, "{\"name\": \"x\", \"note\": \"%01024d\"}", 0);
    check_ok(buf);
    snprintf(buf, 4000, "{\"name\": \"x\", \"note\": \"%01025d\"}", 0);
    check_fails(buf, "body.note is longer than 1024 bytes");
    snprintf(buf, 4000, "{\"name\": \"x\", \"roles\": [\"%01025d\"]}", 0);
    check_fails(buf, "body.roles[0] must be a string of at most 1024 bytes");
    strcpy(buf, "{\"name\": \"x\", \"tags\": [");
    for (int i = 0; i < 64; i++) strcat(buf, i ? ",\"t\"" : "\"t\"");
    strcat(buf, "]}");
    check_ok(buf);
    buf[strlen(buf) - 2] = 0;
    strcat(buf, ",\"t\"]}");
    check_fails(buf, "body.tags has more than 64 items");
    free(buf);

    /* NUL inside strings (built directly: the parser refuses them) */
    json_t *o = json_pack("{s:s}", "name", "x");
    json_object_set_new(o, "note", json_stringn("a\0b", 3));
    check_obj_fails(o, "body", "body.note contains a NUL character");
    json_object_del(o, "note");
    json_object_set_new(o, "roles", json_pack("[o]", json_stringn("a\0b", 3)));
    check_obj_fails(o, "body", "body.roles[0] must be a string");
    json_decref(o);

    /* where is used in every message */
    o = json_pack("{s:i}", "name", 1);
    check_obj_fails(o, "body.csirt", "body.csirt.name must be a string");
    json_decref(o);
    o = json_array();
    check_obj_fails(o, "body", "body must be a JSON object");
    json_decref(o);
    check_obj_fails(NULL, "body", "body must be a JSON object");

    /* no table at all: any field is unknown, the empty object is fine */
    cp_err err;
    o = json_object();
    CHECK_INT(cp_json_check(o, "body", NULL, 0, &err), CP_OK);
    json_object_set_new(o, "x", json_true());
    CHECK_INT(cp_json_check(o, "body", NULL, 0, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "unknown field 'x' in body (allowed: )") != NULL);
    json_decref(o);
}

/* The "allowed" list of a large table is cut, never overflowing. */
static void test_check_many_fields(void)
{
    enum { N = 60 };
    static char names[N][40];
    cp_jfield fields[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "a_rather_long_field_name_%02d", i);
        fields[i] = (cp_jfield){names[i], CP_JT_INT, false, 0};
    }
    json_t *o = json_pack("{s:i}", "not_one_of_them_but_with_a_long_name_too_long_to_print_whole_xxxxxxxxxxxx", 1);
    cp_err err = {{0}};
    CHECK_INT(cp_json_check(o, "body", fields, N, &err), CP_E_BAD_REQUEST);
    CHECK(strlen(err.msg) < sizeof err.msg);
    CHECK(strstr(err.msg, "unknown field 'not_one_of_them_but_with_a_long_name_too_long_to_print_whole_xxx' in body") != NULL);
    CHECK(strstr(err.msg, "a_rather_long_field_name_00") != NULL);
    json_decref(o);
}

static void test_helpers(void)
{
    json_t *o = json_pack("{s:s, s:i, s:n}", "s", "text", "i", 3, "z");
    CHECK_STR(cp_json_str(o, "s"), "text");
    CHECK(cp_json_str(o, "i") == NULL);
    CHECK(cp_json_str(o, "z") == NULL);
    CHECK(cp_json_str(o, "absent") == NULL);
    CHECK(cp_json_str(NULL, "s") == NULL);
    char *d = cp_json_dump(o);
    CHECK(d != NULL);
    CHECK(d && strchr(d, ' ') == NULL); /* compact */
    json_t *back = d ? json_loads(d, 0, NULL) : NULL;
    CHECK(back && json_equal(back, o));
    json_decref(back);
    free(d);
    json_decref(o);

    json_t *n = json_integer(42);
    d = cp_json_dump(n);
    CHECK_STR(d, "42"); /* scalars too */
    free(d);
    json_decref(n);
    n = json_pack("[s,b,n]", "a\"b", 1);
    d = cp_json_dump(n);
    CHECK_STR(d, "[\"a\\\"b\",true,null]");
    free(d);
    json_decref(n);
}

int main(void)
{
    RUN(test_depth);
    RUN(test_parse);
    RUN(test_check);
    RUN(test_check_many_fields);
    RUN(test_helpers);
    return harness_done();
}
