/*
 * test_misp.c — intel/misp.h: MISP events as STIX 2.1 objects. The
 * project's own feed fixture (tests/data/misp-feed) checks every rule; the
 * shared MISP events (../shared/data/misp), when present, must convert into
 * objects the validator accepts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "intel/misp.h"
#include "intel/stix.h"
#include "intel/tlp.h"

static json_t *load(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc) fprintf(stderr, "  cannot load %s: %s\n", path, e.text);
    return doc;
}

static const char *data_dir(void)
{
    const char *d = getenv("CP_TEST_DATA");
    return d ? d : "tests/data";
}

static json_t *by_type(json_t *objs, const char *type, int nth)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 && nth-- == 0) return o;
    }
    return NULL;
}

static json_t *with_pattern(json_t *objs, const char *needle)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        const char *p = json_string_value(json_object_get(o, "pattern"));
        if (p && strstr(p, needle)) return o;
    }
    return NULL;
}

static const char *marking(json_t *o)
{
    return json_string_value(json_array_get(json_object_get(o, "object_marking_refs"), 0));
}

static void all_valid(json_t *objs)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        cp_err err = {{0}};
        cp_status st = cp_stix_validate(o, NULL, &err);
        if (st) fprintf(stderr, "  invalid: %s\n", err.msg);
        CHECK_INT(st, CP_OK);
    }
}

static void test_event_rules(void)
{
    char dir[900];
    snprintf(dir, sizeof dir, "%s/misp-feed", data_dir());
    json_t *doc = load(dir, "5f0c1d2e-1111-4a4a-9b9b-000000000001.json");
    CHECK(doc != NULL);
    if (!doc) return;
    json_t *out = json_array();
    cp_misp_stats st;
    cp_err err = {{0}};
    CHECK_INT(cp_misp_event_to_stix(doc, out, &st, &err), CP_OK);
    all_valid(out);
    /* 8 attributes: 5 indicators (domain, url, ip|port, file name|hash, md5),
     * 1 observable (email, not to_ids), text skipped, link kept on the report */
    CHECK_INT(st.attributes, 8);
    CHECK_INT(st.indicators, 5);
    CHECK_INT(st.observables, 1);
    CHECK_INT(st.skipped, 2);
    CHECK(json_integer_value(json_object_get(st.skipped_types, "text")) == 1);
    CHECK_INT(json_array_size(out), 1 + 5 + 1 + 1); /* identity, indicators, observable, report */
    json_t *ident = by_type(out, "identity", 0);
    CHECK_STR(marking(ident), cp_tlp_marking_id(CP_TLP_CLEAR));
    CHECK_STR(json_string_value(json_object_get(ident, "name")), "CERT-Test");
    /* event TLP on every object; the attribute's stricter RED wins */
    CHECK_STR(marking(with_pattern(out, "login-update.example'")), cp_tlp_marking_id(CP_TLP_AMBER));
    CHECK_STR(marking(with_pattern(out, "203.0.113.77")), cp_tlp_marking_id(CP_TLP_RED));
    /* the port of ip|port is not part of the address; the quote is escaped */
    CHECK(with_pattern(out, "[ipv4-addr:value = '203.0.113.77']") != NULL);
    CHECK(with_pattern(out, "[url:value = 'http://login-update.example/it\\'s']") != NULL);
    CHECK(with_pattern(out, "file:name = 'invoice.pdf.exe' AND file:hashes.'SHA-256' = '4bac") != NULL);
    json_t *email = by_type(out, "email-addr", 0);
    CHECK(email && strcmp(json_string_value(json_object_get(email, "value")), "minister.office@mail-secure.example") == 0);
    json_t *rep = by_type(out, "report", 0);
    CHECK(rep != NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "object_refs")), 1 + 5 + 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(rep, "labels"), 0)), "rsit:fraud=\"phishing\"");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(rep, "external_references"), 1), "url")),
              "https://example.org/analysis");
    CHECK_STR(json_string_value(json_object_get(rep, "published")), "2026-09-21T14:14:10.000Z");
    /* deterministic: the same event gives the same ids and content */
    json_t *again = json_array();
    cp_misp_stats st2;
    CHECK_INT(cp_misp_event_to_stix(doc, again, &st2, &err), CP_OK);
    CHECK(json_equal(out, again));
    json_decref(st.skipped_types);
    json_decref(st2.skipped_types);
    json_decref(again);
    json_decref(out);
    json_decref(doc);
}

static void test_bare_event_and_refusals(void)
{
    char dir[900];
    snprintf(dir, sizeof dir, "%s/misp-feed", data_dir());
    json_t *doc = load(dir, "5f0c1d2e-2222-4a4a-9b9b-000000000002.json");
    if (!doc) {
        CHECK(doc != NULL);
        return;
    }
    json_t *out = json_array();
    cp_err err = {{0}};
    /* the event object itself, as MISP's REST API answers */
    CHECK_INT(cp_misp_event_to_stix(json_object_get(doc, "Event"), out, NULL, &err), CP_OK);
    all_valid(out);
    CHECK(with_pattern(out, "[autonomous-system:number = 64500]") != NULL);
    CHECK_STR(marking(with_pattern(out, "198.51.100.23")), cp_tlp_marking_id(CP_TLP_CLEAR));
    CHECK(by_type(out, "file", 0) != NULL); /* the sha1 without to_ids: an observable */
    size_t before = json_array_size(out);
    json_t *bad = json_pack("{s{ss}}", "Event", "info", "no uuid");
    CHECK_INT(cp_misp_event_to_stix(bad, out, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "not a MISP event") != NULL);
    json_decref(bad);
    bad = json_pack("{s{ss s[i]}}", "Event", "uuid", "x", "Attribute", 7);
    CHECK_INT(cp_misp_event_to_stix(bad, out, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK(json_array_size(out) == before); /* nothing appended on failure */
    json_decref(bad);
    json_decref(out);
    json_decref(doc);
}

static void test_shared_events(void)
{
    const char *shared = getenv("CP_SHARED_DATA");
    char dir[900];
    snprintf(dir, sizeof dir, "%s/misp", shared ? shared : "../shared/data");
    DIR *d = opendir(dir);
    if (!d) {
        printf("    (skipped: no shared MISP events at %s)\n", dir);
        return;
    }
    struct dirent *e;
    int events = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0) continue;
        json_t *doc = load(dir, e->d_name);
        CHECK(doc != NULL);
        json_t *out = json_array();
        cp_misp_stats st;
        cp_err err = {{0}};
        CHECK_INT(cp_misp_event_to_stix(doc, out, &st, &err), CP_OK);
        CHECK(json_array_size(out) >= 2);
        all_valid(out);
        json_decref(st.skipped_types);
        json_decref(out);
        json_decref(doc);
        events++;
    }
    closedir(d);
    CHECK(events >= 1);
}

int main(void)
{
    RUN(test_event_rules);
    RUN(test_bare_event_and_refusals);
    RUN(test_shared_events);
    return harness_done();
}
