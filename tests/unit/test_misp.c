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

#include "base/crypto.h"
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
     * 1 observable (email, not to_ids), text kept as x-misp-attribute, link
     * kept on the report */
    CHECK_INT(st.attributes, 8);
    CHECK_INT(st.indicators, 5);
    CHECK_INT(st.observables, 1);
    CHECK_INT(st.references, 1);
    CHECK_INT(st.skipped, 1);
    CHECK(json_integer_value(json_object_get(st.skipped_types, "text")) == 1);
    CHECK_INT(json_array_size(out), 1 + 5 + 1 + 1 + 1); /* identity, indicators, observable, text, report */
    json_t *ident = by_type(out, "identity", 0);
    CHECK_STR(marking(ident), cp_tlp_marking_id(CP_TLP_CLEAR));
    CHECK_STR(json_string_value(json_object_get(ident, "name")), "CERT-Test");
    /* event TLP on every object; the attribute's stricter RED wins */
    CHECK_STR(marking(with_pattern(out, "login-update.example'")), cp_tlp_marking_id(CP_TLP_AMBER));
    CHECK_STR(marking(with_pattern(out, "203.0.113.77")), cp_tlp_marking_id(CP_TLP_RED));
    /* the port of ip|port is kept (network-traffic); the quote is escaped */
    CHECK(with_pattern(out, "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
                            "'203.0.113.77' AND network-traffic:dst_port = 443]") != NULL);
    CHECK(with_pattern(out, "[url:value = 'http://login-update.example/it\\'s']") != NULL);
    CHECK(with_pattern(out, "file:name = 'invoice.pdf.exe' AND file:hashes.'SHA-256' = '4bac") != NULL);
    json_t *email = by_type(out, "email-addr", 0);
    CHECK(email && strcmp(json_string_value(json_object_get(email, "value")), "minister.office@mail-secure.example") == 0);
    /* the SCO's id is STIX's deterministic one, with its marking contributing */
    CHECK_STR(json_string_value(json_object_get(email, "id")), "email-addr--d1af7a9d-2227-5e90-901b-6f71d91ba82a");
    json_t *text = by_type(out, "x-misp-attribute", 0);
    CHECK(text != NULL);
    CHECK_STR(json_string_value(json_object_get(text, "x_misp_value")), "free text is not an observable");
    CHECK_STR(json_string_value(json_object_get(text, "x_misp_type")), "text");
    CHECK_STR(marking(text), cp_tlp_marking_id(CP_TLP_AMBER));
    json_t *rep = by_type(out, "report", 0);
    CHECK(rep != NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "object_refs")), 1 + 5 + 1 + 1);
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

static void test_uuid5_and_sco_ids(void)
{
    char u[CP_UUID_LEN + 1];
    /* RFC 4122's DNS namespace (Python's uuid.uuid5 gives the same) */
    CHECK(cp_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com", 15, u));
    CHECK_STR(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    CHECK(!cp_uuid5("not-a-uuid", "x", 1, u));
    /* version 7: the time in the first 48 bits (RFC 9562 appendix A.6's 0x017F22E279B0), the
     * version and variant nibbles, and ids of later times sorting after earlier ones */
    char v1[CP_UUID_LEN + 1], v2[CP_UUID_LEN + 1];
    cp_uuid7(0x017F22E279B0ULL, v1);
    CHECK(strncmp(v1, "017f22e2-79b0-7", 15) == 0 && strchr("89ab", v1[19]) && cp_uuid_valid(v1));
    cp_uuid7(0x017F22E279B1ULL, v2);
    CHECK(strcmp(v1, v2) < 0);
    cp_uuid4(v1);
    CHECK(v1[14] == '4' && strchr("89ab", v1[19]));
    /* STIX 2.1: UUIDv5 of the canonical JSON of the id contributing properties */
    char id[CP_STIX_ID_MAX + 1];
    json_t *sco = json_pack("{ss ss ss}", "type", "ipv4-addr", "spec_version", "2.1", "value", "198.51.100.3");
    CHECK(cp_stix_sco_id(sco, id, sizeof id));
    CHECK_STR(id, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    json_decref(sco);
    sco = json_pack("{ss s{ss}}", "type", "file", "hashes", "SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(cp_stix_sco_id(sco, id, sizeof id));
    CHECK_STR(id, "file--fa6e66a5-f019-51f9-8ab5-812023e58c6e");
    json_decref(sco);
    /* RFC 8785 writes control characters as lower-case \u escapes */
    sco = json_pack("{ss ss}", "type", "domain-name", "value", "a\x1f" "b");
    CHECK(cp_stix_sco_id(sco, id, sizeof id));
    CHECK_STR(id, "domain-name--14e86bc6-59d0-56e9-9d8a-511aa5f17b1e");
    json_decref(sco);
    sco = json_pack("{ss}", "type", "indicator");
    CHECK(!cp_stix_sco_id(sco, id, sizeof id));
    json_decref(sco);
}

/* An event of attributes given as (type, value, to_ids) triples. */
static json_t *event_of(const char *const *attrs, size_t n, const char *tlp_tag)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char uuid[64];
        snprintf(uuid, sizeof uuid, "6a000000-0000-4000-8000-%012zu", i);
        json_array_append_new(list, json_pack("{ss ss ss so ss}", "uuid", uuid, "type", attrs[3 * i], "value",
                                              attrs[3 * i + 1], "to_ids",
                                              json_boolean(attrs[3 * i + 2][0] == 'y'), "timestamp", "1790000000"));
    }
    json_t *ev = json_pack("{s{ss ss ss s{ss ss} so}}", "Event", "uuid", "6a000000-0000-4000-8000-ffffffffffff", "info",
                           "types", "timestamp", "1790000000", "Orgc", "name", "Org", "uuid",
                           "6a000000-0000-4000-8000-eeeeeeeeeeee", "Attribute", list);
    if (tlp_tag)
        json_object_set_new(json_object_get(ev, "Event"), "Tag", json_pack("[{ss}]", "name", tlp_tag));
    return ev;
}

static json_t *convert(json_t *ev, cp_misp_stats *st)
{
    json_t *out = json_array();
    cp_err err = {{0}};
    CHECK_INT(cp_misp_event_to_stix(ev, out, st, &err), CP_OK);
    all_valid(out);
    return out;
}

static void test_every_type(void)
{
    static const char *const A[] = {
        "ip-src", "2001:db8::1", "y",
        "ip-dst", "192.0.2.0/24", "y",
        "ip-src|port", "192.0.2.5|8080", "y",
        "hostname", "c2.example", "y",
        "hostname|port", "c2.example|8443", "y",
        "domain|ip", "c2.example|192.0.2.6", "y",
        "uri", "/admin.php", "y",
        "sha512", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", "y",
        "filename|md5", "a\\b.exe|d41d8cd98f00b204e9800998ecf8427e", "y",
        "email-dst", "victim@example.org", "y",
        "email-reply-to", "reply@example.org", "y",
        "email-subject", "Your invoice", "y",
        "mac-address", "AA-BB-CC-DD-EE-0F", "y",
        "AS", "64501", "y",
        "mutex", "Global\\evil", "y",
        "regkey", "HKLM\\Software\\Evil", "y",
        "regkey|value", "HKLM\\Software\\Run|evil.exe", "y",
        "port", "4444", "y",
        "user-agent", "Evil/1.0", "y",
        "x509-fingerprint-sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "y",
        "yara", "rule x { condition: true }", "y",
        "vulnerability", "CVE-2021-44228", "n",
        "domain|ip", "c2.example|192.0.2.6", "n",
        "ip-dst|port", "192.0.2.7|53", "n",
        "mac-address", "aa:bb:cc:dd:ee:0f", "n",
        "regkey|value", "HKLM\\Software\\Run|evil.exe", "n",
        "comment", "just words", "y",
    };
    json_t *ev = event_of(A, sizeof A / sizeof A[0] / 3, "tlp:green");
    cp_misp_stats st;
    json_t *out = convert(ev, &st);
    CHECK_INT(st.attributes, 27);
    CHECK_INT(st.indicators, 21);
    CHECK_INT(st.observables, 4);
    CHECK_INT(st.other, 1);
    CHECK_INT(st.skipped, 1);
    CHECK(with_pattern(out, "[ipv6-addr:value = '2001:db8::1']") != NULL);
    CHECK(with_pattern(out, "[ipv4-addr:value = '192.0.2.0/24']") != NULL);
    CHECK(with_pattern(out, "[network-traffic:src_ref.type = 'ipv4-addr' AND network-traffic:src_ref.value = "
                            "'192.0.2.5' AND network-traffic:src_port = 8080]") != NULL);
    CHECK(with_pattern(out, "network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
                            "'c2.example' AND network-traffic:dst_port = 8443]") != NULL);
    CHECK(with_pattern(out, "[domain-name:value = 'c2.example' AND domain-name:resolves_to_refs[*].value = "
                            "'192.0.2.6']") != NULL);
    CHECK(with_pattern(out, "[url:value = '/admin.php']") != NULL);
    CHECK(with_pattern(out, "[file:hashes.'SHA-512' = 'cf83") != NULL);
    /* a backslash is escaped in a pattern */
    CHECK(with_pattern(out, "[file:name = 'a\\\\b.exe' AND file:hashes.'MD5' = 'd41d") != NULL);
    CHECK(with_pattern(out, "[email-addr:value = 'reply@example.org']") != NULL);
    CHECK(with_pattern(out, "[email-message:subject = 'Your invoice']") != NULL);
    CHECK(with_pattern(out, "[mac-addr:value = 'aa:bb:cc:dd:ee:0f']") != NULL);
    CHECK(with_pattern(out, "[autonomous-system:number = 64501]") != NULL);
    CHECK(with_pattern(out, "[mutex:name = 'Global\\\\evil']") != NULL);
    CHECK(with_pattern(out, "[windows-registry-key:key = 'HKLM\\\\Software\\\\Run' AND "
                            "windows-registry-key:values[*].data = 'evil.exe']") != NULL);
    CHECK(with_pattern(out, "[network-traffic:dst_port = 4444]") != NULL);
    CHECK(with_pattern(out, "request_header.'User-Agent' = 'Evil/1.0']") != NULL);
    CHECK(with_pattern(out, "[x509-certificate:hashes.'SHA-1' = 'da39") != NULL);
    json_t *yara = with_pattern(out, "rule x");
    CHECK(yara && strcmp(json_string_value(json_object_get(yara, "pattern_type")), "yara") == 0);
    json_t *vuln = by_type(out, "vulnerability", 0);
    CHECK(vuln && strcmp(json_string_value(json_object_get(vuln, "name")), "CVE-2021-44228") == 0);
    /* observables: domain|ip is two SCOs and a resolves-to relationship;
     * ip|port an address and its network traffic */
    json_t *rel = by_type(out, "relationship", 0);
    CHECK(rel && strcmp(json_string_value(json_object_get(rel, "relationship_type")), "resolves-to") == 0);
    json_t *dom = by_type(out, "domain-name", 0), *nt = by_type(out, "network-traffic", 0);
    CHECK(dom && rel && json_equal(json_object_get(rel, "source_ref"), json_object_get(dom, "id")));
    CHECK(nt && json_integer_value(json_object_get(nt, "dst_port")) == 53);
    CHECK(by_type(out, "windows-registry-key", 0) != NULL && by_type(out, "mac-addr", 0) != NULL);
    json_t *c = by_type(out, "x-misp-attribute", 0);
    CHECK(c && json_is_true(json_object_get(c, "x_misp_to_ids")));
    /* every object is green, and the report lists every object once */
    json_t *rep = by_type(out, "report", 0);
    CHECK_INT(json_array_size(json_object_get(rep, "object_refs")), json_array_size(out) - 1);
    size_t i;
    json_t *o;
    json_array_foreach(out, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), "identity") != 0)
            CHECK_STR(marking(o), cp_tlp_marking_id(CP_TLP_GREEN));
    }
    json_decref(st.skipped_types);
    json_decref(out);
    json_decref(ev);
}

static void test_refused_values_are_kept(void)
{
    static const char *const A[] = {
        "ip-src", "not-an-address", "y",   /* no STIX form for this value */
        "md5", "xyz", "y",                 /* the validator refuses the hash: kept, with the reason */
        "email-src", "nobody", "n",
        "ip-dst|port", "192.0.2.1|99999", "y",
        "AS", "ASX", "y",
        "domain", "dup.example", "n",
        "domain", "dup.example", "n",      /* the same SCO twice: one object */
    };
    json_t *ev = event_of(A, sizeof A / sizeof A[0] / 3, NULL);
    json_t *attrs = json_object_get(json_object_get(ev, "Event"), "Attribute");
    /* MISP's other spellings of true; a deleted attribute */
    json_object_set_new(json_array_get(attrs, 5), "to_ids", json_string("0"));
    json_array_append_new(attrs, json_pack("{ss ss ss ss sb}", "uuid", "6a000000-0000-4000-8000-00000000aaaa", "type",
                                           "domain", "value", "gone.example", "to_ids", "1", "deleted", 1));
    json_array_append_new(attrs, json_pack("{ss ss ss ss}", "uuid", "6a000000-0000-4000-8000-00000000bbbb", "type",
                                           "domain", "value", "ids.example", "to_ids", "1"));
    json_array_append_new(attrs, json_pack("{ss ss si}", "uuid", "6a000000-0000-4000-8000-00000000cccc", "type",
                                           "text", "value", 42));
    cp_misp_stats st;
    json_t *out = convert(ev, &st);
    CHECK_INT(st.attributes, 10);
    CHECK_INT(st.deleted, 1);
    CHECK_INT(st.skipped, 6);
    CHECK_INT(st.observables, 2);
    CHECK_INT(st.indicators, 1);
    CHECK(json_integer_value(json_object_get(st.skipped_types, "ip-src")) == 1);
    CHECK(with_pattern(out, "[domain-name:value = 'ids.example']") != NULL);
    CHECK(with_pattern(out, "gone.example") == NULL);
    CHECK(by_type(out, "domain-name", 1) == NULL); /* one dup.example */
    int with_reason = 0, kept = 0;
    size_t i;
    json_t *o;
    json_array_foreach(out, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), "x-misp-attribute") != 0) continue;
        kept++;
        if (json_object_get(o, "x_cyberpact_reason")) with_reason++;
        CHECK(json_object_get(o, "object_marking_refs") == NULL); /* no TLP: the collection's default */
    }
    CHECK_INT(kept, 6);
    CHECK(with_reason >= 2); /* the md5 and the e-mail address */
    json_t *num = by_type(out, "x-misp-attribute", 5);
    CHECK(num && strcmp(json_string_value(json_object_get(num, "x_misp_value")), "42") == 0);
    json_decref(st.skipped_types);
    json_decref(out);
    json_decref(ev);
}

static void test_names_and_limits(void)
{
    /* a long UTF-8 value: the indicator's name is cut on a character boundary */
    char url[400] = "http://example.org/";
    while (strlen(url) < 300) strcat(url, "\xc3\xa9");
    const char *A[] = {"url", url, "y"};
    json_t *ev = event_of(A, 1, "tlp:amber+strict");
    cp_misp_stats st;
    json_t *out = convert(ev, &st);
    json_t *ind = by_type(out, "indicator", 0);
    CHECK(ind != NULL && json_string_length(json_object_get(ind, "name")) <= 130);
    CHECK_STR(marking(ind), cp_tlp_marking_id(CP_TLP_AMBER_STRICT));
    json_decref(st.skipped_types);
    json_decref(out);
    json_decref(ev);

    /* more objects than one report may list: the report is split in parts */
    size_t n = CP_MISP_REFS_MAX + 5;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char uuid[64], v[40];
        snprintf(uuid, sizeof uuid, "6b000000-0000-4000-8000-%012zu", i);
        snprintf(v, sizeof v, "h%zu.example", i);
        json_array_append_new(list, json_pack("{ss ss ss sb}", "uuid", uuid, "type", "domain", "value", v, "to_ids", 1));
    }
    ev = json_pack("{s{ss ss so}}", "Event", "uuid", "6b000000-0000-4000-8000-ffffffffffff", "info", "big",
                   "Attribute", list);
    out = json_array();
    cp_err err = {{0}};
    CHECK_INT(cp_misp_event_to_stix(ev, out, &st, &err), CP_OK);
    CHECK_INT(st.indicators, (int)n);
    json_t *r1 = by_type(out, "report", 0), *r2 = by_type(out, "report", 1);
    CHECK(r1 && r2 && by_type(out, "report", 2) == NULL);
    CHECK(r1 && r2 &&
          json_array_size(json_object_get(r1, "object_refs")) + json_array_size(json_object_get(r2, "object_refs")) ==
              n + 1);
    CHECK(r2 && strstr(json_string_value(json_object_get(r2, "name")), "(part 2 of 2)") != NULL);
    CHECK(r1 && r2 && cp_stix_validate(r1, NULL, &err) == CP_OK && cp_stix_validate(r2, NULL, &err) == CP_OK);
    json_decref(st.skipped_types);
    json_decref(out);
    json_decref(ev);
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
    RUN(test_uuid5_and_sco_ids);
    RUN(test_every_type);
    RUN(test_refused_values_are_kept);
    RUN(test_names_and_limits);
    RUN(test_shared_events);
    return harness_done();
}
