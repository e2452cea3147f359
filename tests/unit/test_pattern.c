/*
 * test_pattern.c — the STIX patterning parser (intel/pattern.h): every spec
 * example parses, valid edge cases parse and print canonically (and the
 * canonical text is a fixed point), invalid patterns fail with the expected
 * column and message, limits hold, and the AST walker lists the terms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "intel/pattern.h"

/* Parses s and returns its canonical text in a static buffer, or NULL. */
static const char *canon(const char *s)
{
    static char buf[8192];
    cp_pattern *p = NULL;
    cp_err err = {{0}};
    if (cp_pattern_parse(s, strlen(s), &p, &err) != CP_OK) {
        fprintf(stderr, "  unexpected failure for %s: %s\n", s, err.msg);
        return NULL;
    }
    size_t n = cp_pattern_format(p, buf, sizeof buf);
    cp_pattern_free(p);
    return n < sizeof buf ? buf : NULL;
}

/* format(parse(s)) parses and formats to itself. */
static int fixed_point(const char *s)
{
    const char *c = canon(s);
    if (!c) return 0;
    char first[8192];
    snprintf(first, sizeof first, "%s", c);
    const char *again = canon(first);
    return again && strcmp(first, again) == 0;
}

static void test_spec_examples(void)
{
    const char *dir = getenv("CP_SHARED_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/stix2-patterns/spec_examples.txt", dir ? dir : "../shared/data");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "skipped: ../shared/data not present\n");
        return;
    }
    char line[16384];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = 0;
        if (!len) continue;
        cp_err err = {{0}};
        cp_status st = cp_stix_pattern_check(line, len, &err);
        if (st) fprintf(stderr, "  %s\n  -> %s\n", line, err.msg);
        CHECK_INT(st, CP_OK);
        CHECK(fixed_point(line));
        n++;
    }
    fclose(f);
    CHECK(n >= 20);
}

static void test_valid_canonical(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"[a:b=1]", "[a:b = 1]"},
        {"  [ a:b  ==  'x' ]  ", "[a:b = 'x']"},
        {"[a:b <> 'x']", "[a:b != 'x']"},
        {"[a:b NOT = 'x']", "[a:b NOT = 'x']"},
        {"[a:'b' = +5]", "[a:b = 5]"},
        {"[a:b = -0]", "[a:b = 0]"},
        {"[a:b = -9223372036854775808]", "[a:b = -9223372036854775808]"},
        {"[a:b > .5 AND a:c < -.25 AND a:d >= 007.50]", "[a:b > 0.5 AND a:c < -0.25 AND a:d >= 7.50]"},
        {"[file:hashes.'SHA-256' = 'x']", "[file:hashes.'SHA-256' = 'x']"},
        {"[file:extensions.'x-foo'.bar[0].baz[-1].q[*] = 1]", "[file:extensions.'x-foo'.bar[0].baz[-1].q[*] = 1]"},
        {"[x-foo:'AND' = 1]", "[x-foo:'AND' = 1]"},
        {"[a:b = 'it\\'s \\\\ here']", "[a:b = 'it\\'s \\\\ here']"},
        {"[a:b = true OR a:b = false]", "[a:b = true OR a:b = false]"},
        {"[a:b = t'2020-02-29T23:59:60.123Z']", "[a:b = t'2020-02-29T23:59:60.123Z']"},
        {"[a:b = b'AAEC' AND a:c = b'AA==' AND a:d = b'AAE=']", "[a:b = b'AAEC' AND a:c = b'AA==' AND a:d = b'AAE=']"},
        {"[a:b = h'DEADbeef' AND a:c = h'']", "[a:b = h'deadbeef' AND a:c = h'']"},
        {"[a:b IN ('a', 1, 2.5, true, h'00')]", "[a:b IN ('a', 1, 2.5, true, h'00')]"},
        {"[a:b IN ()]", "[a:b IN ()]"},
        {"[a:b NOT IN('x')]", "[a:b NOT IN ('x')]"},
        {"[EXISTS a:b AND NOT EXISTS a:c]", "[EXISTS a:b AND NOT EXISTS a:c]"},
        {"[a:b LIKE 'x%' OR a:b MATCHES '^x' OR a:b ISSUBSET '10.0.0.0/8' OR a:b ISSUPERSET '10.0.0.0/8']",
         "[a:b LIKE 'x%' OR a:b MATCHES '^x' OR a:b ISSUBSET '10.0.0.0/8' OR a:b ISSUPERSET '10.0.0.0/8']"},
        {"[((a:b = 1))]", "[a:b = 1]"},
        {"[(a:b = 1 OR a:c = 2) AND a:d = 3]", "[(a:b = 1 OR a:c = 2) AND a:d = 3]"},
        {"[a:b = 1 OR (a:c = 2 AND a:d = 3)]", "[a:b = 1 OR a:c = 2 AND a:d = 3]"},
        {"[a:b = 1 AND (a:c = 2 AND a:d = 3)]", "[a:b = 1 AND (a:c = 2 AND a:d = 3)]"},
        {"([a:b = 1])", "[a:b = 1]"},
        {"[a:b = 1] AND ([a:c = 2] OR [a:d = 3])", "[a:b = 1] AND ([a:c = 2] OR [a:d = 3])"},
        {"([a:b = 1] AND [a:c = 2]) OR [a:d = 3]", "[a:b = 1] AND [a:c = 2] OR [a:d = 3]"},
        {"[a:b = 1] FOLLOWEDBY ([a:c = 2] FOLLOWEDBY [a:d = 3])",
         "[a:b = 1] FOLLOWEDBY ([a:c = 2] FOLLOWEDBY [a:d = 3])"},
        {"([a:b = 1] OR [a:c = 2]) WITHIN 2.5 SECONDS AND [a:d = 3]",
         "([a:b = 1] OR [a:c = 2]) WITHIN 2.5 SECONDS AND [a:d = 3]"},
        {"[a:b = 1] REPEATS +3 TIMES WITHIN 10 SECONDS START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00.5Z'",
         "[a:b = 1] REPEATS 3 TIMES WITHIN 10 SECONDS START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00.5Z'"},
        {"(([a:b = 1]) WITHIN 5 SECONDS) REPEATS 2 TIMES", "[a:b = 1] WITHIN 5 SECONDS REPEATS 2 TIMES"},
        {"/* c */ [a:b = 1] // trailing\n", "[a:b = 1]"},
        {"[process:command_line MATCHES'x']", "[process:command_line MATCHES 'x']"},
        {"\xc2\xa0[a:b\xe3\x80\x80=\xe2\x80\x89" "1]\xe2\x80\xa8", "[a:b = 1]"},
        {"[a:b = 'caf\xc3\xa9 \xc2\xa0']", "[a:b = 'caf\xc3\xa9 \xc2\xa0']"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = canon(cases[i].in);
        CHECK_STR(got, cases[i].out);
        CHECK(fixed_point(cases[i].in));
    }
}

static void test_invalid(void)
{
    static const struct {
        const char *in;
        const char *msg; /* the exact message */
    } cases[] = {
        {"", "pattern: at column 1: expected '[' or '(' starting an observation expression but found end of pattern"},
        {"[]", "pattern: at column 2: expected an object path, EXISTS or '(' but found ']'"},
        {"[file:name = 'a'", "pattern: at column 17: expected ']' closing the observation (or AND/OR) but found end of pattern"},
        {"file:name = 'a'", "pattern: at column 1: expected '[' or '(' starting an observation expression but found identifier 'file'"},
        {"[file:name 'a']", "pattern: at column 12: expected a comparison operator (=, !=, <, >, IN, LIKE, ...) but found string 'a'"},
        {"[file:name = ]", "pattern: at column 14: expected a literal value after = but found ']'"},
        {"[file:name = 'a]", "pattern: at column 14: unterminated string literal"},
        {"[file:name = 'a\\x']", "pattern: at column 16: invalid escape in string literal (only \\' and \\\\ are allowed)"},
        {"[file = 'a']", "pattern: at column 7: expected ':' after the object type but found '='"},
        {"[file:x-y = 1]", "pattern: at column 7: expected a property name (letters, digits and '_'; quote other names) but found identifier 'x-y'"},
        {"[file:name = 1] AND", "pattern: at column 20: expected '[' or '(' starting an observation expression but found end of pattern"},
        {"[a:b = 1] WITHIN 0 SECONDS", "pattern: at column 18: expected a positive number of seconds after WITHIN but found integer '0'"},
        {"[a:b = 1] WITHIN SECONDS", "pattern: at column 18: expected a positive number of seconds after WITHIN but found keyword 'SECONDS'"},
        {"[a:b = 1] WITHIN 5 MINUTES", "pattern: at column 20: expected SECONDS after the WITHIN number but found identifier 'MINUTES'"},
        {"[a:b = 1] REPEATS 0 TIMES", "pattern: at column 19: expected a positive integer after REPEATS but found integer '0'"},
        {"[a:b = 1] REPEATS 2.5 TIMES", "pattern: at column 19: expected a positive integer after REPEATS but found float '2.5'"},
        {"[a:b = 1] REPEATS 5", "pattern: at column 20: expected TIMES after the REPEATS count but found end of pattern"},
        {"[a:b = 1] START t'2020-01-01T00:00:00Z' STOP t'2019-01-01T00:00:00Z'", "pattern: at column 46: the STOP timestamp must be later than START"},
        {"[a:b = 1] START '2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", "pattern: at column 17: expected a timestamp t'...' after START but found string '2020-01-01T00:00:00Z'"},
        {"[a:b = t'2021-02-29T00:00:00Z']", "pattern: at column 10: invalid timestamp (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date and time)"},
        {"[a:b = t'2020-13-01T00:00:00Z']", "pattern: at column 10: invalid timestamp (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date and time)"},
        {"[a:b = t'2020-01-01 00:00:00Z']", "pattern: at column 10: invalid timestamp (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date and time)"},
        {"[a:b = t'2020-01-01T00:00:00.Z']", "pattern: at column 10: invalid timestamp (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date and time)"},
        {"[a:b = t'2020-01-01T00:00:00Z", "pattern: at column 8: unterminated timestamp literal"},
        {"[a:b > true]", "pattern: at column 8: expected an orderable literal after > but found boolean 'true'"},
        {"[a:b LIKE 5]", "pattern: at column 11: expected a string literal after LIKE but found integer '5'"},
        {"[a:b MATCHES h'00']", "pattern: at column 14: expected a string literal after MATCHES but found hex h'00'"},
        {"[a:b ISSUBSET ('a')]", "pattern: at column 15: expected a string literal after ISSUBSET but found '('"},
        {"[a:b IN 'a']", "pattern: at column 9: expected '(' opening the set after IN but found string 'a'"},
        {"[a:b IN ('a' 'b')]", "pattern: at column 14: expected ',' or ')' in the set but found string 'b'"},
        {"[a:b IN ('a',)]", "pattern: at column 14: expected a literal value in the set but found ')'"},
        {"[a:b IN (('a'))]", "pattern: at column 10: expected a literal value in the set but found '('"},
        {"[a:b = b'abc']", "pattern: at column 10: invalid base64 in binary literal (needs a non-empty multiple of 4 characters)"},
        {"[a:b = b'']", "pattern: at column 10: invalid base64 in binary literal (needs a non-empty multiple of 4 characters)"},
        {"[a:b = b'ab=c']", "pattern: at column 12: invalid base64 character in binary literal"},
        {"[a:b = h'abc']", "pattern: at column 10: hex literal needs an even number of hex digits"},
        {"[a:b = h'zz']", "pattern: at column 10: invalid hex digit in hex literal"},
        {"[a:b = 012]", "pattern: at column 8: integer with a leading zero"},
        {"[a:b = 9223372036854775808]", "pattern: at column 8: integer out of the 64-bit range"},
        {"[a:b = 'a'] [a:b = 'b']", "pattern: at column 13: expected AND, OR, FOLLOWEDBY, a qualifier or the end but found '['"},
        {"[a:b NOT 'a']", "pattern: at column 10: expected a comparison operator after NOT but found string 'a'"},
        {"[NOT a:b = 'a']", "pattern: at column 6: expected EXISTS after NOT but found identifier 'a'"},
        {"[a:b = 'a' AND]", "pattern: at column 15: expected an object path, EXISTS or '(' but found ']'"},
        {"[(a:b = 'a']", "pattern: at column 12: expected ')' closing the comparison group (or AND/OR) but found ']'"},
        {"([a:b = 'a']", "pattern: at column 13: expected ')' closing the group (or AND/OR/FOLLOWEDBY) but found end of pattern"},
        {"[file:AND = 1]", "pattern: at column 7: expected a property name (letters, digits and '_'; quote other names) but found keyword 'AND'"},
        {"[AND:x = 1]", "pattern: at column 2: expected an object path, EXISTS or '(' but found keyword 'AND'"},
        {"[a:b ^ 1]", "pattern: at column 6: unexpected character '^'"},
        {"[a:b = 1] /* open", "pattern: at column 11: unterminated comment"},
        {"[a:b[x] = 1]", "pattern: at column 6: expected a list index (an integer or '*') but found identifier 'x'"},
        {"[a:b[1 = 1]", "pattern: at column 8: expected ']' after the list index but found '='"},
        {"[a:b = 1] and [a:b = 2]", "pattern: at column 11: expected AND, OR, FOLLOWEDBY, a qualifier or the end but found identifier 'and'"},
        {"[a:b = TRUE]", "pattern: at column 8: expected a literal value after = but found identifier 'TRUE'"},
        {"[a:b = +]", "pattern: at column 8: unexpected character '+'"},
        {"[a:b != ! 1]", "pattern: at column 9: unexpected character '!'"},
        {"[a:b = 'x\xff']", NULL}, /* bytes >= 0x80 inside strings are fine */
        {"[a:b = 1] \x01", "pattern: at column 11: unexpected byte 0x01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cp_err err = {{0}};
        cp_status st = cp_stix_pattern_check(cases[i].in, strlen(cases[i].in), &err);
        if (!cases[i].msg) {
            CHECK_INT(st, CP_OK);
            continue;
        }
        if (st != CP_E_UNPROCESSABLE || strcmp(err.msg, cases[i].msg) != 0)
            fprintf(stderr, "  input: %s\n", cases[i].in);
        CHECK_INT(st, CP_E_UNPROCESSABLE);
        CHECK_STR(err.msg, cases[i].msg);
    }
    /* a NUL byte anywhere */
    cp_err err = {{0}};
    CHECK_INT(cp_stix_pattern_check("[a:b = 'x\0']", 12, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "pattern: at column 10: NUL byte in the pattern");
}

/* Repeats unit n times into a fresh buffer, between head and tail. */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * n + strlen(tail);
    char *s = malloc(len + 1), *p = s;
    p += sprintf(p, "%s", head);
    for (size_t i = 0; i < n; i++) p += sprintf(p, "%s", unit);
    sprintf(p, "%s", tail);
    return s;
}

static void test_limits(void)
{
    cp_err err = {{0}};
    /* nesting: 63 parentheses inside the brackets are fine, 100 000 are an error */
    char *ok = repeat("[", "(", 63, "a:b = 1");
    char *ok2 = repeat(ok, ")", 63, "]");
    CHECK_INT(cp_stix_pattern_check(ok2, strlen(ok2), &err), CP_OK);
    free(ok);
    free(ok2);
    char *deep = repeat("", "(", 100000, "");
    CHECK_INT(cp_stix_pattern_check(deep, 60000, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "pattern: at column 65: nesting deeper than 64 levels");
    CHECK_INT(cp_stix_pattern_check(deep, 100000, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "pattern: 100000 bytes, more than the limit of 65536");
    free(deep);
    /* comparisons: 4096 fit, 4097 do not */
    char *many = repeat("[a:b = 1", " OR a:b = 1", 4095, "]");
    cp_pattern *p = NULL;
    CHECK_INT(cp_pattern_parse(many, strlen(many), &p, &err), CP_OK);
    CHECK_INT(p ? cp_pattern_comparisons(p) : 0, 4096);
    CHECK_INT(p ? cp_pattern_observation(p, 0)->nterms : 0, 4096);
    cp_pattern_free(p);
    free(many);
    many = repeat("[a:b = 1", " OR a:b = 1", 4096, "]");
    CHECK_INT(cp_stix_pattern_check(many, strlen(many), &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "more than 4096 comparisons") != NULL);
    free(many);
    /* a long chain of observations is a flat node, not a deep tree */
    many = repeat("[a:b = 1]", " FOLLOWEDBY [a:b = 1]", 3000, "");
    CHECK_INT(cp_pattern_parse(many, strlen(many), &p, &err), CP_OK);
    CHECK_INT(p ? cp_pattern_observations(p) : 0, 3001);
    cp_pattern_free(p);
    free(many);
}

static void test_walker(void)
{
    cp_pattern *p = NULL;
    cp_err err = {{0}};
    const char *s = "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example']";
    CHECK_INT(cp_pattern_parse(s, strlen(s), &p, &err), CP_OK);
    if (!p) return;
    CHECK_INT(cp_pattern_observations(p), 1);
    CHECK(cp_pattern_single_observation(p));
    const cp_pat_obs *o = cp_pattern_observation(p, 0);
    CHECK(cp_pattern_observation(p, 1) == NULL);
    CHECK_INT(o->kind, CP_PAT_OBS_LEAF);
    CHECK_INT(o->nterms, 2);
    CHECK_INT(o->cmp->kind, CP_PAT_CMP_OR);
    CHECK_STR(o->terms[0]->object_type, "ipv4-addr");
    CHECK_STR(o->terms[0]->path_text, "value");
    CHECK_INT(o->terms[0]->op, CP_PAT_OP_EQ);
    CHECK(!o->terms[0]->negated);
    CHECK_INT(o->terms[0]->value.kind, CP_PAT_LIT_STRING);
    CHECK_STR(o->terms[0]->value.text, "198.51.100.1");
    CHECK_INT(o->terms[0]->column, 2);
    CHECK_STR(o->terms[1]->object_type, "domain-name");
    CHECK_STR(o->terms[1]->value.text, "evil.example");
    cp_pattern_free(p);

    s = "[a:b = 1] FOLLOWEDBY [c:d = 2]";
    CHECK_INT(cp_pattern_parse(s, strlen(s), &p, &err), CP_OK);
    CHECK(!cp_pattern_single_observation(p));
    CHECK_INT(cp_pattern_observations(p), 2);
    CHECK_INT(cp_pattern_root(p)->kind, CP_PAT_OBS_FOLLOWEDBY);
    CHECK_INT(cp_pattern_observation(p, 1)->terms[0]->value.i, 2);
    cp_pattern_free(p);
}

static void test_single_observation(void)
{
    cp_pattern *p = NULL;
    cp_err err = {{0}};
    static const struct {
        const char *s;
        bool single;
    } singles[] = {
        {"[a:b = 1] OR [c:d = 2]", true},
        {"[a:b = 1] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", true},
        {"[a:b = 1] AND [c:d = 2]", false},
        {"[a:b = 1] WITHIN 5 SECONDS", false},
        {"([a:b = 1] OR [c:d = 2]) REPEATS 2 TIMES", false},
    };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        CHECK_INT(cp_pattern_parse(singles[i].s, strlen(singles[i].s), &p, &err), CP_OK);
        CHECK(p && cp_pattern_single_observation(p) == singles[i].single);
        cp_pattern_free(p);
    }
}

static void test_walker_literals(void)
{
    cp_pattern *p = NULL;
    cp_err err = {{0}};
    const cp_pat_obs *o;
    const char *s = "[file:hashes.'SHA-256' NOT IN ('x', 2) AND NOT EXISTS file:a.b[*].c[-2] AND "
        "artifact:payload_bin = b'AAE=' AND file:magic = h'FFd8'] WITHIN 2.50 SECONDS";
    CHECK_INT(cp_pattern_parse(s, strlen(s), &p, &err), CP_OK);
    if (!p) return;
    o = cp_pattern_observation(p, 0);
    CHECK_INT(o->nterms, 4);
    const cp_pat_term *t = o->terms[0];
    CHECK_INT(t->op, CP_PAT_OP_IN);
    CHECK(t->negated);
    CHECK_INT(t->nsteps, 2);
    CHECK_STR(t->steps[1].key, "SHA-256");
    CHECK_STR(t->path_text, "hashes.'SHA-256'");
    CHECK_INT(t->value.kind, CP_PAT_LIT_SET);
    CHECK_INT(t->value.nitems, 2);
    CHECK_INT(t->value.items[1].kind, CP_PAT_LIT_INT);
    t = o->terms[1];
    CHECK_INT(t->op, CP_PAT_OP_EXISTS);
    CHECK(t->negated);
    CHECK_INT(t->value.kind, CP_PAT_LIT_NONE);
    CHECK_INT(t->nsteps, 5);
    CHECK_INT(t->steps[2].kind, CP_PAT_STEP_ANY);
    CHECK_INT(t->steps[4].index, -2);
    CHECK_STR(t->path_text, "a.b[*].c[-2]");
    t = o->terms[2];
    CHECK_INT(t->value.nbytes, 2);
    CHECK(t->value.bytes && t->value.bytes[0] == 0 && t->value.bytes[1] == 1);
    t = o->terms[3];
    CHECK_STR(t->value.text, "ffd8");
    CHECK(t->value.nbytes == 2 && t->value.bytes[0] == 0xff && t->value.bytes[1] == 0xd8);
    CHECK(o->quals && o->quals->kind == CP_PAT_QUAL_WITHIN && o->quals->seconds == 2.5);
    CHECK_STR(o->quals->seconds_text, "2.50");
    char small[8];
    size_t need = cp_pattern_format(p, small, sizeof small);
    CHECK(need > sizeof small);
    CHECK_INT(strlen(small), 7);
    cp_pattern_free(p);
    cp_pattern_free(NULL);
}

int main(void)
{
    RUN(test_spec_examples);
    RUN(test_valid_canonical);
    RUN(test_invalid);
    RUN(test_limits);
    RUN(test_walker);
    RUN(test_single_observation);
    RUN(test_walker_literals);
    return harness_done();
}
