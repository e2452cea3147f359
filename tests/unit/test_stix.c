/*
 * test_stix.c — intel/stix.h: STIX 2.1 object validation.
 *
 *   - every object of every real bundle under $CP_SHARED_DATA/stix2/examples
 *     and $CP_SHARED_DATA/stix2-docs-examples validates (counts per file);
 *   - a minimal valid object of every type validates, with the right kind;
 *   - a table of invalid objects, each failing with its exact reason.
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "intel/stix.h"

#define U "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define U2 "6ba7b810-9dad-51d1-80b4-00c04fd430c8" /* a version 5 UUID */
#define TS "2016-04-06T20:03:48.000Z"
#define SDO(t) "\"type\":\"" t "\",\"spec_version\":\"2.1\",\"id\":\"" t "--" U "\",\"created\":\"" TS "\",\"modified\":\"" TS "\""
#define SCO(t) "\"type\":\"" t "\",\"id\":\"" t "--" U "\""
#define REF(t) "\"" t "--" U "\""

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &je);
    if (!v) fprintf(stderr, "bad test JSON: %s: %s\n", je.text, text);
    return v;
}

/* ---- real examples -------------------------------------------------------- */

static int example_files;

static void validate_file(const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    CHECK(doc != NULL);
    if (!doc) return;
    json_t *objs = json_object_get(doc, "objects");
    size_t n = objs ? json_array_size(objs) : 1, ok = 0;
    cp_stix_info info;
    cp_err err = {{0}};
    if (objs) {
        CHECK(cp_stix_validate(doc, &info, &err) == CP_OK);
        CHECK(info.kind == CP_STIX_BUNDLE);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = objs ? json_array_get(objs, i) : doc;
        if (cp_stix_validate(o, &info, &err) == CP_OK) ok++;
        else fprintf(stderr, "  %s: %s\n", path, err.msg);
    }
    fprintf(stderr, "  %s: %zu/%zu objects valid\n", path, ok, n);
    CHECK_INT(ok, n);
    example_files++;
    json_decref(doc);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0) continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode)) walk(path);
        else if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) validate_file(path);
    }
    closedir(d);
}

static void test_examples(void)
{
    const char *base = getenv("CP_SHARED_DATA");
    struct stat st;
    char dir[4096];
    if (!base || stat(base, &st) != 0) {
        fprintf(stderr, "skipped: ../shared/data not present\n");
        return;
    }
    snprintf(dir, sizeof dir, "%s/stix2/examples", base);
    walk(dir);
    snprintf(dir, sizeof dir, "%s/stix2-docs-examples", base);
    walk(dir);
    CHECK(example_files >= 19);
}

/* ---- minimal valid objects ------------------------------------------------ */

static const struct {
    const char *json;
    cp_stix_kind kind;
} GOOD[] = {
    {"{" SDO("attack-pattern") ",\"name\":\"Spear Phishing\"}", CP_STIX_SDO},
    {"{" SDO("campaign") ",\"name\":\"Green Group\"}", CP_STIX_SDO},
    {"{" SDO("course-of-action") ",\"name\":\"Block\"}", CP_STIX_SDO},
    {"{" SDO("grouping") ",\"context\":\"suspicious-activity\",\"object_refs\":[" REF("indicator") "]}", CP_STIX_SDO},
    {"{" SDO("identity") ",\"name\":\"ACME\",\"identity_class\":\"organization\"}", CP_STIX_SDO},
    {"{" SDO("incident") ",\"name\":\"Breach\"}", CP_STIX_SDO},
    {"{" SDO("indicator") ",\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\",\"pattern_type\":\"stix\",\"valid_from\":\"" TS "\"}", CP_STIX_SDO},
    {"{" SDO("infrastructure") ",\"name\":\"C2\"}", CP_STIX_SDO},
    {"{" SDO("intrusion-set") ",\"name\":\"APT0\"}", CP_STIX_SDO},
    {"{" SDO("location") ",\"country\":\"ES\"}", CP_STIX_SDO},
    {"{" SDO("location") ",\"latitude\":48.8,\"longitude\":2.35,\"precision\":1000}", CP_STIX_SDO},
    {"{" SDO("malware") ",\"is_family\":false}", CP_STIX_SDO},
    {"{" SDO("malware-analysis") ",\"product\":\"av\",\"result\":\"malicious\"}", CP_STIX_SDO},
    {"{" SDO("note") ",\"content\":\"see\",\"object_refs\":[" REF("malware") "]}", CP_STIX_SDO},
    {"{" SDO("observed-data") ",\"first_observed\":\"" TS "\",\"last_observed\":\"" TS "\",\"number_observed\":1,\"object_refs\":[" REF("ipv4-addr") "]}", CP_STIX_SDO},
    {"{" SDO("opinion") ",\"opinion\":\"agree\",\"object_refs\":[" REF("report") "]}", CP_STIX_SDO},
    {"{" SDO("report") ",\"name\":\"R\",\"published\":\"" TS "\",\"object_refs\":[" REF("malware") "]}", CP_STIX_SDO},
    {"{" SDO("threat-actor") ",\"name\":\"Evil\"}", CP_STIX_SDO},
    {"{" SDO("tool") ",\"name\":\"nmap\"}", CP_STIX_SDO},
    {"{" SDO("vulnerability") ",\"name\":\"CVE-2016-1234\",\"external_references\":[{\"source_name\":\"cve\",\"external_id\":\"CVE-2016-1234\"}]}", CP_STIX_SDO},
    {"{" SDO("relationship") ",\"relationship_type\":\"indicates\",\"source_ref\":" REF("indicator") ",\"target_ref\":" REF("malware") "}", CP_STIX_SRO},
    {"{" SDO("sighting") ",\"sighting_of_ref\":" REF("indicator") ",\"count\":3}", CP_STIX_SRO},
    {"{" SCO("artifact") ",\"payload_bin\":\"aGVsbG8=\"}", CP_STIX_SCO},
    {"{" SCO("autonomous-system") ",\"number\":64500}", CP_STIX_SCO},
    {"{" SCO("directory") ",\"path\":\"C:\\\\Windows\"}", CP_STIX_SCO},
    {"{" SCO("domain-name") ",\"value\":\"example.com\"}", CP_STIX_SCO},
    {"{" SCO("email-addr") ",\"value\":\"john@example.com\"}", CP_STIX_SCO},
    {"{" SCO("email-message") ",\"is_multipart\":false,\"body\":\"hi\"}", CP_STIX_SCO},
    {"{" SCO("file") ",\"hashes\":{\"SHA-256\":\"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\"}}", CP_STIX_SCO},
    {"{\"type\":\"file\",\"id\":\"file--" U2 "\",\"spec_version\":\"2.1\",\"name\":\"a.exe\"}", CP_STIX_SCO},
    {"{" SCO("ipv4-addr") ",\"value\":\"198.51.100.0/24\"}", CP_STIX_SCO},
    {"{" SCO("ipv6-addr") ",\"value\":\"2001:db8::1\"}", CP_STIX_SCO},
    {"{" SCO("mac-addr") ",\"value\":\"d2:fb:49:24:37:18\"}", CP_STIX_SCO},
    {"{" SCO("mutex") ",\"name\":\"__CLEANSWEEP__\"}", CP_STIX_SCO},
    {"{" SCO("network-traffic") ",\"protocols\":[\"tcp\"],\"dst_ref\":" REF("ipv4-addr") ",\"dst_port\":443}", CP_STIX_SCO},
    {"{" SCO("process") ",\"pid\":1221}", CP_STIX_SCO},
    {"{" SCO("software") ",\"name\":\"Word\"}", CP_STIX_SCO},
    {"{" SCO("url") ",\"value\":\"https://example.com/\"}", CP_STIX_SCO},
    {"{" SCO("user-account") ",\"user_id\":\"1001\"}", CP_STIX_SCO},
    {"{" SCO("windows-registry-key") ",\"key\":\"HKEY_LOCAL_MACHINE\\\\System\"}", CP_STIX_SCO},
    {"{" SCO("x509-certificate") ",\"serial_number\":\"36:f7\"}", CP_STIX_SCO},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\",\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\",\"name\":\"TLP:WHITE\",\"definition\":{\"tlp\":\"white\"}}", CP_STIX_MARKING},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"definition_type\":\"statement\",\"definition\":{\"statement\":\"(c) ACME\"}}", CP_STIX_MARKING},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\",\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"TLP:AMBER+STRICT\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"amber+strict\"}}}", CP_STIX_MARKING},
    {"{" SDO("language-content") ",\"object_ref\":" REF("campaign") ",\"contents\":{\"de\":{\"name\":\"Bank Angriff\"}}}", CP_STIX_LANGUAGE_CONTENT},
    {"{" SDO("extension-definition") ",\"created_by_ref\":" REF("identity") ",\"name\":\"ext\",\"schema\":\"https://example.com/s\",\"version\":\"1.0\",\"extension_types\":[\"new-sdo\"]}", CP_STIX_EXTENSION_DEF},
    {"{\"type\":\"bundle\",\"id\":\"bundle--" U "\",\"objects\":[]}", CP_STIX_BUNDLE},
    {"{\"type\":\"x-acme-widget\",\"id\":\"x-acme-widget--" U "\",\"anything\":[1,{\"a\":2}],\"Odd Name\":1}", CP_STIX_CUSTOM},
    {"{" SDO("my-new-sdo") ",\"extensions\":{\"extension-definition--" U "\":{\"extension_type\":\"new-sdo\"}}}", CP_STIX_CUSTOM},
    {"{" SDO("tool") ",\"name\":\"t\",\"x_acme_score\":{\"deep\":[1,2]},\"confidence\":100,\"labels\":[\"a\"],\"revoked\":true,\"lang\":\"en\"}", CP_STIX_SDO},
    {"{" SDO("tool") ",\"name\":\"t\",\"granular_markings\":[{\"selectors\":[\"name\",\"labels.[0]\"],\"marking_ref\":" REF("marking-definition") "},{\"selectors\":[\"description\"],\"lang\":\"en\"}]}", CP_STIX_SDO},
    {"{" SCO("file") ",\"name\":\"a\",\"extensions\":{\"ntfs-ext\":{\"sid\":\"1\"}}}", CP_STIX_SCO},
};

static void test_good(void)
{
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        json_t *o = parse(GOOD[i].json);
        cp_stix_info info;
        cp_err err = {{0}};
        cp_status st = cp_stix_validate(o, &info, &err);
        if (st) fprintf(stderr, "  GOOD[%zu]: %s\n", i, err.msg);
        CHECK_INT(st, CP_OK);
        CHECK_INT(info.kind, GOOD[i].kind);
        CHECK(strncmp(info.id, info.type, strlen(info.type)) == 0);
        json_decref(o);
    }
}

static void test_info(void)
{
    json_t *o = parse("{" SDO("tool") ",\"name\":\"t\",\"revoked\":true}");
    cp_stix_info info;
    cp_err err = {{0}};
    CHECK_INT(cp_stix_validate(o, &info, &err), CP_OK);
    CHECK_STR(info.type, "tool");
    CHECK_STR(info.id, "tool--" U);
    CHECK_STR(info.created, TS);
    CHECK_STR(info.modified, TS);
    CHECK_INT(info.created_ms, 1459973028000LL);
    CHECK_STR(info.spec_version, "2.1");
    CHECK(info.revoked);
    CHECK(!info.is_custom);
    CHECK_STR(cp_stix_kind_name(info.kind), "sdo");
    json_decref(o);
    /* Text kept exactly as sent, with its full precision. */
    o = parse("{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03:48.123456Z\",\"modified\":\"2016-04-06T20:03:49.000Z\",\"name\":\"t\"}");
    CHECK_INT(cp_stix_validate(o, &info, &err), CP_OK);
    CHECK_STR(info.created, "2016-04-06T20:03:48.123456Z");
    CHECK_INT(info.created_ms, 1459973028123LL);
    CHECK_INT(info.modified_ms, 1459973029000LL);
    json_decref(o);
    o = parse("{\"type\":\"x-thing\",\"id\":\"x-thing--" U "\"}");
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_OK);
    CHECK_INT(cp_stix_validate(o, &info, &err), CP_OK);
    CHECK(info.is_custom);
    json_decref(o);
}

/* ---- invalid objects and their reasons ------------------------------------- */

#define I "indicator--" U
#define IND_BODY ",\"pattern\":\"[x:y = 'z']\",\"pattern_type\":\"stix\",\"valid_from\":\"" TS "\""
static const struct {
    const char *json, *msg;
} BAD[] = {
    {"[]", "object: a STIX object must be a JSON object"},
    {"{\"id\":\"x\"}", "object: property 'type' is required"},
    {"{\"type\":\"IN\"}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":\"bad--type\"}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":\"bad-\"}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":\"-bad\"}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":\"Tool\"}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":7}", "object: property 'type' must be 3-250 characters of a-z, 0-9 and single hyphens, starting with a letter"},
    {"{\"type\":\"tool\"}", "tool: property 'id' is required"},
    {"{\"type\":\"tool\",\"id\":\"tool--1234\"}", "tool: property 'id' is not a STIX identifier (type--UUID)"},
    {"{\"type\":\"tool\",\"id\":\"tool-" U "\"}", "tool: property 'id' is not a STIX identifier (type--UUID)"},
    {"{\"type\":\"tool\",\"id\":\"tool--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f\"}", "tool: property 'id' is not a STIX identifier (type--UUID)"},
    {"{\"type\":\"tool\",\"id\":\"malware--" U "\"}", "tool: property 'id' must start with the object's type 'tool--'"},
    {"{\"type\":\"tool\",\"id\":\"tool--" U2 "\"}", "tool--" U2 ": property 'id' must use a version 4 UUID"},
    {"{\"type\":\"widget\",\"id\":\"widget--" U "\"}", "widget--" U ": unknown STIX type 'widget' (custom types start with 'x-')"},
    {"{\"type\":\"tool\",\"id\":\"tool--" U "\",\"name\":\"t\"}", "tool--" U ": property 'spec_version' is required"},
    {"{" SDO("tool") ",\"spec_version\":\"2.0\"}", NULL}, /* duplicate key: Jansson keeps last; see below */
    {"{\"type\":\"tool\",\"spec_version\":\"2.0\",\"id\":\"tool--" U "\",\"created\":\"" TS "\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'spec_version' must be one of 2.1"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is required"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'modified' is required"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06 20:03:48Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is not an RFC 3339 timestamp"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03:48+01:00\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is not an RFC 3339 timestamp"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-02-30T20:03:48Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is not an RFC 3339 timestamp"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is not an RFC 3339 timestamp"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03:48.Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' is not an RFC 3339 timestamp"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-07T00:00:00.000Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'modified' must be no earlier than 'created'"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03:48Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' must be precise to the millisecond (e.g. 2026-01-01T00:00:00.000Z)"},
    {"{\"type\":\"tool\",\"spec_version\":\"2.1\",\"id\":\"tool--" U "\",\"created\":\"2016-04-06T20:03:48.12Z\",\"modified\":\"" TS "\",\"name\":\"t\"}", "tool--" U ": property 'created' must be precise to the millisecond (e.g. 2026-01-01T00:00:00.000Z)"},
    {"{" SDO("tool") "}", "tool--" U ": property 'name' is required"},
    {"{" SDO("tool") ",\"name\":5}", "tool--" U ": property 'name' must be a string"},
    {"{" SDO("tool") ",\"name\":\"t\",\"created_by_ref\":" REF("malware") "}", "tool--" U ": property 'created_by_ref' must be the id of a identity, not 'malware'"},
    {"{" SDO("tool") ",\"name\":\"t\",\"created_by_ref\":\"ACME\"}", "tool--" U ": property 'created_by_ref' is not a STIX identifier (type--UUID)"},
    {"{" SDO("tool") ",\"name\":\"t\",\"revoked\":\"yes\"}", "tool--" U ": property 'revoked' must be a boolean"},
    {"{" SDO("tool") ",\"name\":\"t\",\"labels\":[]}", "tool--" U ": property 'labels' must be a non-empty list"},
    {"{" SDO("tool") ",\"name\":\"t\",\"labels\":[\"a\",3]}", "tool--" U ": property 'labels[1]' must be a string"},
    {"{" SDO("tool") ",\"name\":\"t\",\"confidence\":101}", "tool--" U ": property 'confidence' must be from 0 to 100"},
    {"{" SDO("tool") ",\"name\":\"t\",\"confidence\":50.5}", "tool--" U ": property 'confidence' must be an integer"},
    {"{" SDO("tool") ",\"name\":\"t\",\"object_marking_refs\":[" REF("identity") "]}", "tool--" U ": property 'object_marking_refs[0]' must be the id of a marking-definition, not 'identity'"},
    {"{" SDO("tool") ",\"name\":\"t\",\"external_references\":[{\"url\":\"https://x\"}]}", "tool--" U ": property 'external_references[0].source_name' is required"},
    {"{" SDO("tool") ",\"name\":\"t\",\"external_references\":[{\"source_name\":\"x\"}]}", "tool--" U ": property 'external_references[0]' needs external_id, description or url"},
    {"{" SDO("tool") ",\"name\":\"t\",\"external_references\":[{\"source_name\":\"cve\",\"url\":\"https://x\"}]}", "tool--" U ": property 'external_references[0].external_id' must be a cve identifier (CVE-...)"},
    {"{" SDO("tool") ",\"name\":\"t\",\"external_references\":[{\"source_name\":\"x\",\"url\":\"u\",\"hashes\":{\"MD5\":\"abc\"}}]}", "tool--" U ": property 'external_references[0].hashes' hash 'MD5' must be 32 hex digits"},
    {"{" SDO("tool") ",\"name\":\"t\",\"granular_markings\":[{\"selectors\":[\"name\"]}]}", "tool--" U ": property 'granular_markings[0]' must have exactly one of marking_ref and lang"},
    {"{" SDO("tool") ",\"name\":\"t\",\"granular_markings\":[{\"marking_ref\":" REF("marking-definition") "}]}", "tool--" U ": property 'granular_markings[0].selectors' is required"},
    {"{" SDO("tool") ",\"name\":\"t\",\"granular_markings\":[{\"selectors\":[\"Name!\"],\"lang\":\"en\"}]}", "tool--" U ": property 'granular_markings[0].selectors[0]' is not a selector"},
    {"{" SDO("tool") ",\"name\":\"t\",\"extensions\":{}}", "tool--" U ": property 'extensions' must not be empty"},
    {"{" SDO("tool") ",\"name\":\"t\",\"extensions\":{\"foo\":{}}}", "tool--" U ": property 'extensions' key 'foo' is neither an extension-definition id nor a '-ext' name"},
    {"{" SDO("tool") ",\"name\":\"t\",\"extensions\":{\"extension-definition--" U "\":1}}", "tool--" U ": property 'extensions.extension-definition--" U "' must be an object"},
    {"{" SDO("tool") ",\"name\":\"t\",\"extensions\":{\"abc\":{}}}", "tool--" U ": property 'extensions' key 'abc' is neither an extension-definition id nor a '-ext' name"},
    {"{" SDO("tool") ",\"name\":\"t\",\"extensions\":{\"x-ext\":{\"extension_type\":\"bogus\"}}}", "tool--" U ": property 'extensions.x-ext.extension_type' is not an extension type"},
    {"{" SDO("tool") ",\"name\":\"t\",\"severity\":\"high\"}", "tool--" U ": property name 'severity' is reserved"},
    {"{" SDO("tool") ",\"name\":\"t\",\"Bad-Name\":1}", "tool--" U ": property name 'Bad-Name' must be 3-250 characters of a-z, 0-9 and '_'"},
    {"{" SDO("tool") ",\"name\":\"t\",\"xy\":1}", "tool--" U ": property name 'xy' must be 3-250 characters of a-z, 0-9 and '_'"},
    {"{" SDO("tool") ",\"name\":\"t\",\"kill_chain_phases\":[{\"kill_chain_name\":\"lm\"}]}", "tool--" U ": property 'kill_chain_phases[0].phase_name' is required"},
    {"{" SDO("indicator") ",\"pattern_type\":\"stix\",\"valid_from\":\"" TS "\"}", I ": property 'pattern' is required"},
    {"{" SDO("indicator") ",\"pattern\":\"[ipv4-addr:value = '1.2.3.4'\",\"pattern_type\":\"stix\",\"valid_from\":\"" TS "\"}", I ": property 'pattern' is not a valid STIX pattern: pattern: at column 29: expected ']' closing the observation (or AND/OR) but found end of pattern"},
    {"{" SDO("indicator") ",\"pattern\":\"[x:y = 'z']\",\"valid_from\":\"" TS "\"}", I ": property 'pattern_type' is required"},
    {"{" SDO("indicator") ",\"pattern\":\"[x:y = 'z']\",\"pattern_type\":\"stix\",\"valid_from\":\"yesterday\"}", I ": property 'valid_from' is not an RFC 3339 timestamp"},
    {"{" SDO("indicator") IND_BODY ",\"valid_until\":\"" TS "\"}", I ": property 'valid_until' must be later than 'valid_from'"},
    {"{" SDO("malware") ",\"name\":\"m\"}", "malware--" U ": property 'is_family' is required"},
    {"{" SDO("malware") ",\"is_family\":\"true\"}", "malware--" U ": property 'is_family' must be a boolean"},
    {"{" SDO("malware") ",\"is_family\":true}", "malware--" U ": property 'name' is required when is_family is true"},
    {"{" SDO("malware") ",\"is_family\":false,\"first_seen\":\"2020-01-02T00:00:00Z\",\"last_seen\":\"2020-01-01T00:00:00Z\"}", "malware--" U ": property 'last_seen' must be no earlier than 'first_seen'"},
    {"{" SDO("malware-analysis") ",\"product\":\"av\"}", "malware-analysis--" U ": property 'result' or 'analysis_sco_refs' is required"},
    {"{" SDO("opinion") ",\"opinion\":\"maybe\",\"object_refs\":[" REF("report") "]}", "opinion--" U ": property 'opinion' must be one of strongly-disagree|disagree|neutral|agree|strongly-agree"},
    {"{" SDO("report") ",\"name\":\"R\",\"published\":\"" TS "\",\"object_refs\":[]}", "report--" U ": property 'object_refs' must be a non-empty list"},
    {"{" SDO("report") ",\"name\":\"R\",\"object_refs\":[" REF("tool") "]}", "report--" U ": property 'published' is required"},
    {"{" SDO("grouping") ",\"object_refs\":[" REF("tool") "]}", "grouping--" U ": property 'context' is required"},
    {"{" SDO("note") ",\"object_refs\":[" REF("tool") "]}", "note--" U ": property 'content' is required"},
    {"{" SDO("location") ",\"name\":\"x\"}", "location--" U ": property 'region', 'country' or 'latitude'/'longitude' is required"},
    {"{" SDO("location") ",\"latitude\":10}", "location--" U ": property 'latitude' requires 'longitude'"},
    {"{" SDO("location") ",\"latitude\":91,\"longitude\":0}", "location--" U ": property 'latitude' must be from -90 to 90"},
    {"{" SDO("location") ",\"country\":\"ES\",\"precision\":5}", "location--" U ": property 'precision' requires 'latitude' and 'longitude'"},
    {"{" SDO("observed-data") ",\"first_observed\":\"" TS "\",\"last_observed\":\"" TS "\",\"number_observed\":0,\"object_refs\":[" REF("file") "]}", "observed-data--" U ": property 'number_observed' must be from 1 to 999999999"},
    {"{" SDO("observed-data") ",\"first_observed\":\"" TS "\",\"last_observed\":\"" TS "\",\"number_observed\":1}", "observed-data--" U ": property 'object_refs' or (deprecated) 'objects' is required, not both"},
    {"{" SDO("observed-data") ",\"first_observed\":\"" TS "\",\"last_observed\":\"2016-04-06T20:03:47Z\",\"number_observed\":1,\"object_refs\":[" REF("file") "]}", "observed-data--" U ": property 'last_observed' must be no earlier than 'first_observed'"},
    {"{" SDO("observed-data") ",\"last_observed\":\"" TS "\",\"number_observed\":1,\"object_refs\":[" REF("file") "]}", "observed-data--" U ": property 'first_observed' is required"},
    {"{" SDO("relationship") ",\"relationship_type\":\"uses\",\"source_ref\":\"nope\",\"target_ref\":" REF("tool") "}", "relationship--" U ": property 'source_ref' is not a STIX identifier (type--UUID)"},
    {"{" SDO("relationship") ",\"relationship_type\":\"uses\",\"source_ref\":" REF("malware") "}", "relationship--" U ": property 'target_ref' is required"},
    {"{" SDO("relationship") ",\"relationship_type\":\"Uses It\",\"source_ref\":" REF("malware") ",\"target_ref\":" REF("tool") "}", "relationship--" U ": property 'relationship_type' must be lower-case letters, digits and '-'"},
    {"{" SDO("relationship") ",\"relationship_type\":\"uses\",\"source_ref\":" REF("sighting") ",\"target_ref\":" REF("tool") "}", "relationship--" U ": property 'source_ref' must be the id of an SDO or SCO"},
    {"{" SDO("sighting") ",\"count\":1}", "sighting--" U ": property 'sighting_of_ref' is required"},
    {"{" SDO("sighting") ",\"sighting_of_ref\":" REF("file") "}", "sighting--" U ": property 'sighting_of_ref' must be the id of an SDO"},
    {"{" SDO("sighting") ",\"sighting_of_ref\":" REF("indicator") ",\"where_sighted_refs\":[" REF("tool") "]}", "sighting--" U ": property 'where_sighted_refs[0]' must be the id of a identity|location, not 'tool'"},
    {"{" SCO("ipv4-addr") ",\"value\":\"300.1.2.3\"}", NULL},
    {"{" SCO("ipv4-addr") ",\"value\":\"2001:db8::1\"}", "ipv4-addr--" U ": property 'value' is not an IPv4 address"},
    {"{" SCO("ipv6-addr") ",\"value\":\"10.0.0.1\"}", "ipv6-addr--" U ": property 'value' is not an IPv6 address"},
    {"{" SCO("ipv4-addr") "}", "ipv4-addr--" U ": property 'value' is required"},
    {"{" SCO("mac-addr") ",\"value\":\"D2:FB:49:24:37:18\"}", "mac-addr--" U ": property 'value' is not a lower-case MAC-48 address (aa:bb:cc:dd:ee:ff)"},
    {"{" SCO("email-addr") ",\"value\":\"not an address\"}", "email-addr--" U ": property 'value' is not an e-mail address"},
    {"{" SCO("file") ",\"size\":10}", "file--" U ": property 'name' or 'hashes' is required"},
    {"{" SCO("file") ",\"name\":\"a\",\"size\":-1}", "file--" U ": property 'size' must be from 0 to 9007199254740991"},
    {"{" SCO("file") ",\"hashes\":{\"SHA-1\":\"xyz\"}}", "file--" U ": property 'hashes' hash 'SHA-1' must be 40 hex digits"},
    {"{" SCO("file") ",\"hashes\":{\"a\":\"x\"}}", "file--" U ": property 'hashes' has an invalid hash name 'a'"},
    {"{" SCO("file") ",\"hashes\":{}}", "file--" U ": property 'hashes' must not be empty"},
    {"{" SCO("file") ",\"name\":\"a\",\"spec_version\":\"2.0\"}", "file--" U ": property 'spec_version' must be one of 2.1"},
    {"{" SCO("artifact") "}", "artifact--" U ": exactly one of properties 'payload_bin' and 'url' is required"},
    {"{" SCO("artifact") ",\"payload_bin\":\"aGVsbG8=\",\"url\":\"https://x\"}", "artifact--" U ": exactly one of properties 'payload_bin' and 'url' is required"},
    {"{" SCO("artifact") ",\"url\":\"https://x\"}", "artifact--" U ": property 'hashes' is required when 'url' is present"},
    {"{" SCO("artifact") ",\"payload_bin\":\"not base64!\"}", "artifact--" U ": property 'payload_bin' must be base64"},
    {"{" SCO("email-message") ",\"body\":\"x\"}", "email-message--" U ": property 'is_multipart' is required"},
    {"{" SCO("email-message") ",\"is_multipart\":true,\"body\":\"x\"}", "email-message--" U ": property 'body' is not allowed when is_multipart is true"},
    {"{" SCO("network-traffic") ",\"protocols\":[\"tcp\"]}", "network-traffic--" U ": property 'src_ref' or 'dst_ref' is required"},
    {"{" SCO("network-traffic") ",\"protocols\":[\"tcp\"],\"src_ref\":" REF("ipv4-addr") ",\"src_port\":70000}", "network-traffic--" U ": property 'src_port' must be from 0 to 65535"},
    {"{" SCO("network-traffic") ",\"dst_ref\":" REF("ipv4-addr") "}", "network-traffic--" U ": property 'protocols' is required"},
    {"{" SCO("process") "}", "process--" U ": at least one property other than the common ones is required"},
    {"{" SCO("autonomous-system") ",\"number\":\"AS1\"}", "autonomous-system--" U ": property 'number' must be an integer"},
    {"{" SCO("domain-name") ",\"value\":\"example.com\",\"resolves_to_refs\":[" REF("url") "]}", "domain-name--" U ": property 'resolves_to_refs[0]' must be the id of a ipv4-addr|ipv6-addr|domain-name, not 'url'"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"white\"}}", "marking-definition--" U ": a TLP:white marking must have the id marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"pink\"}}", "marking-definition--" U ": property 'definition.tlp' must be one of white|green|amber|red"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\"}", "marking-definition--" U ": property 'definition_type' and 'definition' (or 'extensions') are required"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"definition_type\":\"statement\"}", "marking-definition--" U ": property 'definition' is required"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"definition_type\":\"statement\",\"definition\":{\"statement\":1}}", "marking-definition--" U ": property 'definition.statement' must be a string"},
    {"{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--" U "\",\"created\":\"" TS "\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"pink\"}}}", "marking-definition--" U ": property 'extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.tlp_2_0' must be one of clear|green|amber|amber+strict|red"},
    {"{" SDO("language-content") ",\"object_ref\":" REF("campaign") ",\"contents\":{\"de\":\"x\"}}", "language-content--" U ": property 'contents.de' must be an object"},
    {"{" SDO("language-content") ",\"contents\":{\"de\":{}}}", "language-content--" U ": property 'object_ref' is required"},
    {"{" SDO("extension-definition") ",\"name\":\"e\",\"schema\":\"s\",\"version\":\"1\",\"extension_types\":[\"new-sdo\"]}", "extension-definition--" U ": property 'created_by_ref' is required"},
    {"{" SDO("extension-definition") ",\"created_by_ref\":" REF("identity") ",\"name\":\"e\",\"schema\":\"s\",\"version\":\"1\",\"extension_types\":[\"new-thing\"]}", "extension-definition--" U ": property 'extension_types[0]' must be one of new-sdo|new-sco|new-sro|property-extension|toplevel-property-extension"},
    {"{\"type\":\"bundle\",\"id\":\"bundle--" U "\",\"objects\":[1]}", "bundle--" U ": property 'objects[0]' must be an object"},
    {"{\"type\":\"bundle\",\"id\":\"bundle--" U "\",\"objects\":{}}", "bundle--" U ": property 'objects' must be a list"},
    {"{\"type\":\"x-thing\",\"id\":\"x-thing--" U "\",\"created\":\"now\"}", "x-thing--" U ": property 'created' is not an RFC 3339 timestamp"},
};

static void test_bad(void)
{
    int n = 0;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        json_t *o = parse(BAD[i].json);
        cp_stix_info info;
        cp_err err = {{0}};
        CHECK(o != NULL);
        if (!o) continue;
        cp_status st = cp_stix_validate(o, &info, &err);
        CHECK_INT(st, CP_E_UNPROCESSABLE);
        if (BAD[i].msg) {
            CHECK_STR(err.msg, BAD[i].msg);
            n++;
        } else {
            CHECK(err.msg[0] != 0); /* reason comes from a lower layer */
        }
        json_decref(o);
    }
    fprintf(stderr, "  %d negative cases\n", n);
    CHECK(n >= 60);
}

/* Hostile sizes: long strings, long lists, many properties, deep values in
 * custom properties. Nothing may crash; over-bound input is refused. */
static void test_bounds(void)
{
    cp_err err = {{0}};
    json_t *o = parse("{" SDO("tool") ",\"name\":\"t\"}");
    json_t *labels = json_array();
    for (int i = 0; i <= CP_STIX_LIST_MAX; i++) json_array_append_new(labels, json_string("a"));
    json_object_set_new(o, "labels", labels);
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "tool--" U ": property 'labels' has more than 10000 items");
    json_object_del(o, "labels");
    char *big = malloc(CP_STIX_STRING_MAX + 2);
    memset(big, 'a', CP_STIX_STRING_MAX + 1);
    big[CP_STIX_STRING_MAX + 1] = 0;
    json_object_set_new(o, "description", json_string(big));
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "tool--" U ": property 'description' is longer than 1048576 bytes");
    free(big);
    json_object_del(o, "description");
    json_t *deep = json_string("x");
    for (int i = 0; i < 10000; i++) {
        json_t *a = json_array();
        json_array_append_new(a, deep);
        deep = a;
    }
    json_object_set_new(o, "x_deep", deep);
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_OK);
    for (int i = 0; i <= CP_STIX_PROPS_MAX; i++) {
        char k[32];
        snprintf(k, sizeof k, "x_p%d", i);
        json_object_set_new(o, k, json_true());
    }
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "object: more than 1000 properties");
    json_decref(o);
    /* A string with a NUL inside is not a string STIX can carry. */
    o = parse("{" SDO("tool") ",\"name\":\"a\\u0000b\"}");
    CHECK_INT(cp_stix_validate(o, NULL, &err), CP_E_UNPROCESSABLE);
    CHECK_STR(err.msg, "tool--" U ": property 'name' must be a string");
    json_decref(o);
    CHECK_INT(cp_stix_validate(NULL, NULL, &err), CP_E_UNPROCESSABLE);
}

int main(void)
{
    RUN(test_examples);
    RUN(test_good);
    RUN(test_info);
    RUN(test_bad);
    RUN(test_bounds);
    return harness_done();
}
