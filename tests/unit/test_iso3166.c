/*
 * test_iso3166.c — base/iso3166.h over Debian's iso-codes data.
 *
 * The table loads once per process, so the error paths (missing file, bad
 * JSON, incomplete entries) and custom files run in forked children, each
 * reporting through its exit status.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/iso3166.h"
#include "harness.h"

static void test_default_table(void)
{
    cp_err err = {{0}};
    cp_status st = cp_iso3166_load(NULL, &err);
    if (st) fprintf(stderr, "  load: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    size_t n = cp_iso3166_count();
    fprintf(stderr, "  %zu countries\n", n);
    CHECK(n >= 240 && n <= 260); /* 249 in iso-codes 4.x */

    const cp_country *fr = cp_iso3166_by_alpha2("FR");
    CHECK(fr != NULL);
    if (fr) {
        CHECK_STR(fr->alpha2, "FR");
        CHECK_STR(fr->alpha3, "FRA");
        CHECK_STR(fr->numeric, "250");
        CHECK_STR(fr->name, "France");
    }
    CHECK(cp_iso3166_by_alpha2("fr") == fr);
    CHECK(cp_iso3166_by_alpha2("Fr") == fr);
    CHECK(cp_iso3166_by_alpha3("FRA") == fr);
    CHECK(cp_iso3166_by_alpha3("fra") == fr);

    static const char *const pairs[][2] = {
        {"DE", "DEU"}, {"GB", "GBR"}, {"US", "USA"}, {"NL", "NLD"}, {"EE", "EST"},
        {"AD", "AND"}, {"ZW", "ZWE"}, {"AX", "ALA"}, {"CI", "CIV"}, {"UA", "UKR"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const cp_country *c = cp_iso3166_by_alpha2(pairs[i][0]);
        CHECK(c != NULL);
        if (c) CHECK_STR(c->alpha3, pairs[i][1]);
        CHECK(cp_iso3166_by_alpha3(pairs[i][1]) == c);
    }
    const cp_country *tw = cp_iso3166_by_alpha2("TW");
    CHECK(tw != NULL);
    if (tw) CHECK_STR(tw->name, "Taiwan"); /* common_name is preferred to the official name */

    /* unknown or malformed codes */
    const char *unknown2[] = {"XX", "ZZ", "EU", "UK", "", "F", "FRA", "F1", "  ", "fr ", NULL};
    for (int i = 0; unknown2[i]; i++) {
        if (cp_iso3166_by_alpha2(unknown2[i])) fprintf(stderr, "  alpha2 '%s' found\n", unknown2[i]);
        CHECK(cp_iso3166_by_alpha2(unknown2[i]) == NULL);
    }
    CHECK(cp_iso3166_by_alpha2(NULL) == NULL);
    const char *unknown3[] = {"XXX", "FR", "FRAN", "", "EUR", NULL};
    for (int i = 0; unknown3[i]; i++) CHECK(cp_iso3166_by_alpha3(unknown3[i]) == NULL);
    CHECK(cp_iso3166_by_alpha3(NULL) == NULL);

    /* sorted by alpha-2, every entry well-formed and found by both codes */
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const cp_country *c = cp_iso3166_at(i);
        bool ok = c && strlen(c->alpha2) == 2 && strlen(c->alpha3) == 3 && c->name[0];
        for (int k = 0; ok && k < 2; k++) ok = c->alpha2[k] >= 'A' && c->alpha2[k] <= 'Z';
        for (int k = 0; ok && k < 3; k++) ok = c->alpha3[k] >= 'A' && c->alpha3[k] <= 'Z';
        ok = ok && strlen(c->numeric) == 3;
        ok = ok && (i == 0 || strcmp(cp_iso3166_at(i - 1)->alpha2, c->alpha2) < 0);
        ok = ok && cp_iso3166_by_alpha2(c->alpha2) == c && cp_iso3166_by_alpha3(c->alpha3) == c;
        if (!ok && bad++ < 5) fprintf(stderr, "  entry %zu is not right\n", i);
    }
    CHECK_INT(bad, 0);
    CHECK(cp_iso3166_at(n) == NULL);
    CHECK(cp_iso3166_at((size_t)-1) == NULL);

    /* later loads return the first result, whatever the path */
    CHECK_INT(cp_iso3166_load("/nonexistent/iso.json", &err), CP_OK);
    CHECK_INT(cp_iso3166_count(), n);
}

/* ---- in a child process ---------------------------------------------- */

static char tmpdir[] = "/tmp/cp-iso-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* Runs fn in a child; the child's exit status is the number of failed checks. */
static int in_child(void (*fn)(void))
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        harness_failures = 0;
        fn();
        fflush(stderr);
        _exit(harness_failures > 100 ? 100 : harness_failures);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 101;
}

static const char *g_path;
static const char *g_want;

static void child_load_fails(void)
{
    CHECK_INT(cp_iso3166_count(), 0); /* before any load */
    CHECK(cp_iso3166_by_alpha2("FR") == NULL);
    cp_err err = {{0}};
    CHECK_INT(cp_iso3166_load(g_path, &err), CP_E_IO);
    if (!strstr(err.msg, g_want)) fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, g_want);
    CHECK(strstr(err.msg, g_want) != NULL);
    CHECK_INT(cp_iso3166_count(), 0);
    CHECK(cp_iso3166_at(0) == NULL);
    CHECK(cp_iso3166_by_alpha2("AA") == NULL);
    /* the failure is remembered, with its message */
    cp_err again = {{0}};
    CHECK_INT(cp_iso3166_load(NULL, &again), CP_E_IO);
    CHECK_STR(again.msg, err.msg);
}

static void child_custom_file(void)
{
    cp_err err = {{0}};
    cp_status st = cp_iso3166_load(g_path, &err);
    if (st) fprintf(stderr, "  custom: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    CHECK_INT(cp_iso3166_count(), 3);
    const cp_country *a = cp_iso3166_by_alpha2("AA");
    CHECK(a != NULL);
    if (a) {
        CHECK_STR(a->alpha3, "AAA"); /* upper-cased from the file */
        CHECK_STR(a->numeric, "123");
        CHECK_STR(a->name, "Common A");
    }
    const cp_country *b = cp_iso3166_by_alpha2("bb");
    CHECK(b != NULL);
    if (b) {
        CHECK_STR(b->numeric, ""); /* optional */
        CHECK_STR(b->name, "Official B");
    }
    /* sorted although the file is not */
    CHECK_STR(cp_iso3166_at(0)->alpha2, "AA");
    CHECK_STR(cp_iso3166_at(1)->alpha2, "BB");
    CHECK_STR(cp_iso3166_at(2)->alpha2, "CC");
}

static void fails_with(const char *name, const char *text, const char *want)
{
    g_path = text ? write_file(name, text) : name;
    g_want = want;
    int failed = in_child(child_load_fails);
    if (failed) fprintf(stderr, "  (child for %s)\n", name);
    CHECK_INT(failed, 0);
}

static void test_load_errors(void)
{
    CHECK(mkdtemp(tmpdir) != NULL);
    fails_with("/nonexistent/iso_3166-1.json", NULL, "cannot read ISO 3166 data /nonexistent/iso_3166-1.json");
    fails_with("bad.json", "{\"3166-1\": [", "cannot read ISO 3166 data");
    fails_with("nolist.json", "{\"3166\": []}", "has no \"3166-1\" list");
    fails_with("notarray.json", "{\"3166-1\": {}}", "has no \"3166-1\" list");
    fails_with("noalpha3.json", "{\"3166-1\": [{\"alpha_2\": \"AA\", \"name\": \"A\"}]}",
               "entry 0 lacks alpha_2, alpha_3 or name");
    fails_with("noname.json",
               "{\"3166-1\": [{\"alpha_2\": \"AA\", \"alpha_3\": \"AAA\", \"name\": \"A\"},"
               " {\"alpha_2\": \"BB\", \"alpha_3\": \"BBB\"}]}",
               "entry 1 lacks");
    fails_with("long2.json", "{\"3166-1\": [{\"alpha_2\": \"AAA\", \"alpha_3\": \"AAA\", \"name\": \"A\"}]}",
               "entry 0 lacks");
    fails_with("punct.json", "{\"3166-1\": [{\"alpha_2\": \"A-\", \"alpha_3\": \"AAA\", \"name\": \"A\"}]}",
               "entry 0 lacks");
    fails_with("number.json", "{\"3166-1\": [{\"alpha_2\": 12, \"alpha_3\": \"AAA\", \"name\": \"A\"}]}",
               "entry 0 lacks");

    g_path = write_file("custom.json",
                        "{\"3166-1\": ["
                        "{\"alpha_2\": \"CC\", \"alpha_3\": \"CCC\", \"numeric\": \"999\", \"name\": \"C\"},"
                        "{\"alpha_2\": \"aa\", \"alpha_3\": \"aaa\", \"numeric\": \"1234\", \"name\": \"Official A\","
                        " \"common_name\": \"Common A\"},"
                        "{\"alpha_2\": \"BB\", \"alpha_3\": \"BBB\", \"name\": \"Official B\"}]}");
    CHECK_INT(in_child(child_custom_file), 0);

    /* clean up */
    const char *names[] = {"bad.json", "nolist.json", "notarray.json", "noalpha3.json", "noname.json",
                           "long2.json", "punct.json", "number.json", "custom.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

int main(void)
{
    RUN(test_load_errors); /* first: the children must start from an unloaded table */
    RUN(test_default_table);
    return harness_done();
}
