/*
 * test_iset.c — the compiled indicator set (warning/iset.h): compiling
 * patterns (AND/OR, skipped kinds), and matching every observable kind with
 * its edges: CIDR /0 /32 /128 and IPv4-mapped IPv6, subdomains at label
 * boundaries, URL normalisation, hash case, e-mail; the server's holder.
 */
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "harness.h"
#include "intel/tlp.h"
#include "warning/iset.h"
#include "warning/iset_internal.h"
#include "warning/scan_core.h"

typedef struct {
    const char *id, *pattern;
} ind;

static cp_iset *build(const ind *v, size_t n)
{
    cp_iset_builder *b = cp_iset_builder_new();
    CHECK(b != NULL);
    for (size_t i = 0; i < n; i++) {
        cp_err err = {{0}};
        CHECK(cp_iset_builder_add_pattern(b, v[i].id, v[i].pattern, strlen(v[i].pattern), CP_TLP_GREEN, 7, NULL, &err) == CP_OK);
    }
    cp_err err = {{0}};
    cp_iset *s = cp_iset_builder_finish(b, &err);
    CHECK(s != NULL);
    return s;
}

/* The id of the single hit of one value, "" for none, "many" for several. */
static const char *one(const cp_iset *s, cp_val_kind k, const char *text)
{
    cp_val v = {k, text, strlen(text)};
    cp_iset_hit hits[8];
    size_t n = cp_iset_match(s, &v, 1, hits, 8);
    if (n == 0) return "";
    if (n > 1) return "many";
    return cp_iset_indicator_id(s, hits[0].indicator);
}

static void test_ip_edges(void)
{
    static const ind v[] = {
        {"i-host4", "[ipv4-addr:value = '198.51.100.7']"},
        {"i-net24", "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"},
        {"i-host32", "[ipv4-addr:value = '192.0.2.1/32']"},
        {"i-v6host", "[ipv6-addr:value = '2001:db8::1']"},
        {"i-v6net", "[ipv6-addr:value ISSUBSET '2001:db8:1::/48']"},
        {"i-v6128", "[ipv6-addr:value = '2001:db8:2::5/128']"},
        {"i-mapped", "[ipv6-addr:value = '::ffff:192.0.2.99']"},
    };
    cp_iset *s = build(v, sizeof v / sizeof v[0]);
    CHECK_STR(one(s, CP_VAL_IPV4, "198.51.100.7"), "i-host4");
    CHECK_STR(one(s, CP_VAL_IPV4, "198.51.100.8"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "203.0.113.0"), "i-net24");
    CHECK_STR(one(s, CP_VAL_IPV4, "203.0.113.255"), "i-net24");
    CHECK_STR(one(s, CP_VAL_IPV4, "203.0.114.0"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "203.0.112.255"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "192.0.2.1"), "i-host32");
    CHECK_STR(one(s, CP_VAL_IPV4, "192.0.2.2"), "");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:DB8:0:0::1"), "i-v6host");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8::2"), "");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8:1:ffff::9"), "i-v6net");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8:2::"), "");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8:2::5"), "i-v6128");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8:2::6"), "");
    /* IPv4-mapped IPv6 both ways */
    CHECK_STR(one(s, CP_VAL_IPV4, "192.0.2.99"), "i-mapped");
    CHECK_STR(one(s, CP_VAL_IPV6, "::ffff:198.51.100.7"), "i-host4");
    CHECK_STR(one(s, CP_VAL_IPV6, "::ffff:c633:6407"), "i-host4");
    CHECK_STR(one(s, CP_VAL_IPV6, "::ffff:203.0.113.77"), "i-net24");
    /* not addresses */
    CHECK_STR(one(s, CP_VAL_IPV4, "198.51.100.07"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "198.51.100"), "");
    cp_iset_release(s);

    static const ind all[] = {{"i-all4", "[ipv4-addr:value ISSUBSET '0.0.0.0/0']"}};
    s = build(all, 1);
    CHECK_STR(one(s, CP_VAL_IPV4, "1.2.3.4"), "i-all4");
    CHECK_STR(one(s, CP_VAL_IPV4, "255.255.255.255"), "i-all4");
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8::1"), ""); /* IPv4 /0 is not all of IPv6 */
    cp_iset_release(s);
    static const ind all6[] = {{"i-all6", "[ipv6-addr:value ISSUBSET '::/0']"}};
    s = build(all6, 1);
    CHECK_STR(one(s, CP_VAL_IPV6, "2001:db8::1"), "i-all6");
    CHECK_STR(one(s, CP_VAL_IPV4, "1.2.3.4"), "i-all6"); /* ::/0 holds ::ffff:0:0/96 */
    cp_iset_release(s);
}

static void test_domains(void)
{
    static const ind v[] = {
        {"i-exact", "[domain-name:value = 'Example.COM']"},
        {"i-sub", "[domain-name:value LIKE '%.evil.example.org']"},
    };
    cp_iset *s = build(v, 2);
    CHECK_STR(one(s, CP_VAL_DOMAIN, "example.com"), "i-exact");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "EXAMPLE.com."), "i-exact");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "badexample.com"), "");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "www.example.com"), ""); /* exact means exact */
    CHECK_STR(one(s, CP_VAL_DOMAIN, "a.evil.example.org"), "i-sub");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "x.y.evil.example.org"), "i-sub");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "evil.example.org"), ""); /* '%.' needs a label */
    CHECK_STR(one(s, CP_VAL_DOMAIN, "notevil.example.org"), "");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "a.notevil.example.org"), "");
    /* a URL's host and an address's domain count as domains */
    CHECK_STR(one(s, CP_VAL_URL, "https://cdn.evil.example.org/x"), "i-sub");
    CHECK_STR(one(s, CP_VAL_EMAIL, "bob@example.com"), "i-exact");
    cp_iset_release(s);
}

static void test_urls_hashes_email(void)
{
    static const ind v[] = {
        {"i-url", "[url:value = 'http://Evil.Example.NET:80/a%7eb/c%2fd?q=1']"},
        {"i-md5", "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']"},
        {"i-sha1", "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
        {"i-sha256", "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
        {"i-mail", "[email-addr:value = 'Phish@Bad.Example']"},
    };
    cp_iset *s = build(v, sizeof v / sizeof v[0]);
    CHECK_STR(one(s, CP_VAL_URL, "http://evil.example.net/a~b/c%2Fd?q=1"), "i-url");
    CHECK_STR(one(s, CP_VAL_URL, "HTTP://EVIL.example.net:80/a%7Eb/c%2fd?q=1"), "i-url");
    CHECK_STR(one(s, CP_VAL_URL, "http://evil.example.net:8080/a~b/c%2Fd?q=1"), "");
    CHECK_STR(one(s, CP_VAL_URL, "https://evil.example.net/a~b/c%2Fd?q=1"), "");
    CHECK_STR(one(s, CP_VAL_URL, "http://evil.example.net/A~b/c%2Fd?q=1"), ""); /* paths are case-sensitive */
    CHECK_STR(one(s, CP_VAL_MD5, "d41d8cd98f00b204e9800998ecf8427e"), "i-md5");
    CHECK_STR(one(s, CP_VAL_MD5, "D41D8cd98f00b204e9800998ecf8427E"), "i-md5");
    CHECK_STR(one(s, CP_VAL_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"), "i-sha1");
    CHECK_STR(one(s, CP_VAL_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"), "i-sha256");
    CHECK_STR(one(s, CP_VAL_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856"), "");
    CHECK_STR(one(s, CP_VAL_EMAIL, "Phish@bad.example"), "i-mail");
    CHECK_STR(one(s, CP_VAL_EMAIL, "phish@bad.example"), ""); /* the local part keeps its case */
    cp_iset_release(s);
}

static void test_and_or_skipped(void)
{
    static const ind v[] = {
        {"i-and", "[ipv4-addr:value = '10.9.9.9' AND domain-name:value = 'c2.example']"},
        {"i-or", "[ipv4-addr:value = '10.8.8.8' OR domain-name:value = 'other.example']"},
        {"i-nested", "[(ipv4-addr:value = '10.7.7.7' OR ipv4-addr:value = '10.7.7.8') AND url:value = 'http://x.example/p']"},
        {"i-obsor", "[ipv4-addr:value = '10.6.6.6'] OR [domain-name:value = 'six.example']"},
        {"i-in", "[ipv4-addr:value IN ('10.5.5.5', '10.5.5.6')]"},
        {"i-andunknown", "[ipv4-addr:value = '10.4.4.4' AND network-traffic:dst_port = 443]"},
        {"i-orunknown", "[ipv4-addr:value = '10.3.3.3' OR process:name = 'evil.exe']"},
        {"i-fby", "[ipv4-addr:value = '10.2.2.2'] FOLLOWEDBY [domain-name:value = 'f.example']"},
        {"i-within", "[ipv4-addr:value = '10.2.2.3'] WITHIN 60 SECONDS"},
        {"i-repeats", "[ipv4-addr:value = '10.2.2.4'] REPEATS 3 TIMES"},
        {"i-obsand", "[ipv4-addr:value = '10.2.2.5'] AND [domain-name:value = 'g.example']"},
        {"i-other", "[process:name = 'evil.exe']"},
        {"i-bad", "[this is not a pattern"},
    };
    cp_iset *s = build(v, sizeof v / sizeof v[0]);
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    CHECK_INT(st.indicators, 6);
    CHECK_INT(st.skipped_multi_event, 4);
    CHECK_INT(st.skipped_other, 3); /* i-andunknown, i-other, i-bad */
    CHECK(st.bytes > 0);

    cp_iset_hit hits[8];
    cp_val ev1[] = {{CP_VAL_IPV4, "10.9.9.9", 8}};
    CHECK_INT(cp_iset_match(s, ev1, 1, hits, 8), 0); /* AND needs both */
    cp_val ev2[] = {{CP_VAL_DOMAIN, "c2.example", 10}, {CP_VAL_IPV4, "10.9.9.9", 8}};
    CHECK_INT(cp_iset_match(s, ev2, 2, hits, 8), 1);
    CHECK_STR(cp_iset_indicator_id(s, hits[0].indicator), "i-and");
    CHECK_INT(hits[0].value, 0);
    CHECK_INT(cp_iset_indicator_collection(s, hits[0].indicator), 7);
    CHECK_INT(cp_iset_indicator_tlp(s, hits[0].indicator), CP_TLP_GREEN);
    CHECK_STR(one(s, CP_VAL_IPV4, "10.8.8.8"), "i-or");
    CHECK_STR(one(s, CP_VAL_DOMAIN, "other.example"), "i-or");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.7.7.8"), "");
    cp_val ev3[] = {{CP_VAL_IPV4, "10.7.7.8", 8}, {CP_VAL_URL, "http://X.example/p", 18}};
    CHECK_INT(cp_iset_match(s, ev3, 2, hits, 8), 1);
    CHECK_STR(one(s, CP_VAL_DOMAIN, "six.example"), "i-obsor");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.5.5.6"), "i-in");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.4.4.4"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.3.3.3"), "i-orunknown");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.2.2.2"), "");
    /* one hit per indicator even when several values match it */
    cp_val ev4[] = {{CP_VAL_IPV4, "10.5.5.5", 8}, {CP_VAL_IPV4, "10.5.5.6", 8}, {CP_VAL_IPV4, "10.8.8.8", 8}};
    CHECK_INT(cp_iset_match(s, ev4, 3, hits, 8), 2);
    CHECK_INT(hits[0].value, 0);
    CHECK_INT(hits[1].value, 2);
    /* max bounds what is written, not what is counted */
    CHECK_INT(cp_iset_match(s, ev4, 3, hits, 1), 2);
    cp_iset_release(s);
}

static void test_objects_validity(void)
{
    cp_iset_builder *b = cp_iset_builder_new();
    const char *objs[] = {
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[ipv4-addr:value = '10.1.1.1']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[ipv4-addr:value = '10.1.1.2']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2021-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern\":\"[ipv4-addr:value = '10.1.1.3']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2099-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern\":\"alert tcp any any\",\"pattern_type\":\"snort\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\"}",
        "{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern\":\"[ipv4-addr:value = '10.1.1.5']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\",\"revoked\":true}",
    };
    int64_t now = 1700000000000; /* 2023-11-14 */
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        json_t *o = json_loads(objs[i], 0, NULL);
        CHECK(o != NULL);
        cp_err err = {{0}};
        CHECK(cp_iset_builder_add_object(b, o, CP_TLP_AMBER, 3, now, NULL, &err) == CP_OK);
        json_decref(o);
    }
    cp_err err = {{0}};
    cp_iset *s = cp_iset_builder_finish(b, &err);
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    CHECK_INT(st.indicators, 1);
    CHECK_INT(st.expired, 2);
    CHECK_INT(st.skipped_other, 1);
    CHECK_STR(one(s, CP_VAL_IPV4, "10.1.1.1"), "indicator--1");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.1.1.2"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.1.1.3"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "10.1.1.5"), "");
    CHECK_INT(cp_iset_next_change(s), 4070908800000); /* 2099-01-01 */
    cp_iset_release(s);
}

static void test_warninglisted_values_dropped(void)
{
    cp_warninglists *wl = cp_warninglists_new();
    const char *list = "{\"name\":\"resolvers\",\"type\":\"cidr\",\"list\":[\"8.8.8.0/24\"]}";
    cp_err err = {{0}};
    CHECK(cp_warninglists_add_json(wl, list, strlen(list), "test", &err) == CP_OK);
    cp_iset_builder *b = cp_iset_builder_new();
    cp_iset_builder_set_warninglists(b, wl);
    const char *both = "[ipv4-addr:value = '8.8.8.8' OR ipv4-addr:value = '198.51.100.1']";
    const char *only = "[ipv4-addr:value = '8.8.8.9']";
    bool compiled = false;
    CHECK(cp_iset_builder_add_pattern(b, "i-both", both, strlen(both), 1, 1, &compiled, &err) == CP_OK);
    CHECK(compiled);
    CHECK(cp_iset_builder_add_pattern(b, "i-only", only, strlen(only), 1, 1, &compiled, &err) == CP_OK);
    CHECK(!compiled);
    cp_iset *s = cp_iset_builder_finish(b, &err);
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    CHECK_INT(st.indicators, 1);
    CHECK_INT(st.warninglisted, 2);
    CHECK_INT(st.skipped_other, 1);
    CHECK_STR(one(s, CP_VAL_IPV4, "8.8.8.8"), "");
    CHECK_STR(one(s, CP_VAL_IPV4, "198.51.100.1"), "i-both");
    cp_iset_release(s);
    cp_warninglists_free(wl);
}

/* The store's fast reader of stored indicator text agrees with Jansson. */
static void test_fast_field_reader(void)
{
    static const char *const bodies[] = {
        "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value = 'a.example']\"}",
        " { \"confidence\" : 90 , \"labels\": [\"x\", {\"y\": [1, \"]\"]}], \"pattern_type\": \"stix\",\n"
        "\"pattern\": \"[url:value = 'http://x.example/\\\"q\\\"\\u00e9\\ud83d\\ude00\\/']\", \"revoked\": false,"
        "\"valid_from\": \"2020-01-01T00:00:00Z\", \"valid_until\": \"2099-01-01T00:00:00.5Z\", \"extra\": null } ",
        "{\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"snort\",\"revoked\":true}",
        "{\"pattern_type\": 7, \"pattern\": \"x\"}",
        "{\"pattern\": \"bad \\x escape\"}",
        "{}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        const char *b = bodies[i];
        harness_current = b;
        char scratch[1024];
        cpi_indicator_fields f = {.id = "indicator--1"};
        bool fast = cpi_read_indicator_fields(b, strlen(b), scratch, &f);
        json_t *o = json_loads(b, 0, NULL);
        if (i == 4) {
            CHECK(!fast); /* a malformed escape: left to Jansson, which refuses it too */
            CHECK(o == NULL);
            continue;
        }
        CHECK(o != NULL);
        CHECK(fast);
        const json_t *pat = json_object_get(o, "pattern"), *pt = json_object_get(o, "pattern_type");
        CHECK((f.pattern == NULL) == (pat == NULL));
        if (f.pattern && pat) {
            CHECK_INT(f.pattern_len, json_string_length(pat));
            CHECK(memcmp(f.pattern, json_string_value(pat), f.pattern_len) == 0);
        }
        CHECK(f.pattern_type_not_string == (pt && !json_is_string(pt)));
        if (json_is_string(pt)) CHECK_STR(f.pattern_type, json_string_value(pt));
        const json_t *vf = json_object_get(o, "valid_from"), *vu = json_object_get(o, "valid_until");
        if (vf) CHECK_STR(f.valid_from, json_string_value(vf));
        if (vu) CHECK_STR(f.valid_until, json_string_value(vu));
        CHECK(f.revoked == json_is_true(json_object_get(o, "revoked")));
        json_decref(o);
    }
    harness_current = "test_fast_field_reader";
}

/* A value many indicators share (the same address in many feeds): every
 * one of them is a hit, in the server's API and in a scanned line. */
static void test_shared_value(void)
{
    cp_iset_builder *b = cp_iset_builder_new();
    for (int i = 0; i < 3000; i++) {
        char id[32];
        snprintf(id, sizeof id, "i-%d", i);
        const char *p = i % 2 ? "[ipv4-addr:value = '203.0.113.5']" : "[ipv4-addr:value ISSUBSET '203.0.113.0/24']";
        CHECK(cp_iset_builder_add_pattern(b, id, p, strlen(p), 1, 1, NULL, NULL) == CP_OK);
    }
    cp_iset *s = cp_iset_builder_finish(b, NULL);
    static cp_iset_hit hits[4096];
    cp_val v = {CP_VAL_IPV4, "203.0.113.5", 11};
    CHECK_INT(cp_iset_match(s, &v, 1, hits, 4096), 3000);
    bool seen[3000] = {false};
    for (int i = 0; i < 3000; i++) seen[hits[i].indicator] = true;
    int all = 0;
    for (int i = 0; i < 3000; i++) all += seen[i];
    CHECK_INT(all, 3000);
    cp_val w = {CP_VAL_IPV4, "203.0.113.6", 11};
    CHECK_INT(cp_iset_match(s, &w, 1, hits, 4096), 1500);
    /* a scanned line reports all of them too */
    cp_scanner *sc = cp_scanner_new(s);
    cp_scan_line_begin(sc);
    cp_scan_text(sc, "seen 203.0.113.5 and 203.0.113.6", 32);
    CHECK_INT(cp_scan_line_end(sc), 3000);
    CHECK_INT(sc->n_total, 3000);
    /* every indicator is attributed to the first value that touched it */
    CHECK_INT(sc->hits[2999].value_len, 11);
    CHECK(memcmp(sc->hits[2999].value, "203.0.113.5", 11) == 0);
    cp_scanner_free(sc);
    cp_iset_release(s);
}

static void test_holder(void)
{
    cp_iset *e = cp_iset_acquire(); /* nothing installed: an empty set, never NULL */
    CHECK(e != NULL);
    cp_iset_stats st;
    cp_iset_stats_get(e, &st);
    CHECK_INT(st.indicators, 0);
    static const ind v[] = {{"i-x", "[ipv4-addr:value = '10.0.0.1']"}};
    cp_iset *s = build(v, 1);
    cp_iset_install(s);
    cp_iset *a = cp_iset_acquire();
    CHECK(a == s);
    CHECK_STR(one(a, CP_VAL_IPV4, "10.0.0.1"), "i-x");
    cp_iset_install(cp_iset_empty()); /* a reader keeps its set across a swap */
    CHECK_STR(one(a, CP_VAL_IPV4, "10.0.0.1"), "i-x");
    cp_iset_release(a);
    cp_iset_release(e);
    cp_iset *b = cp_iset_acquire();
    CHECK_STR(one(b, CP_VAL_IPV4, "10.0.0.1"), "");
    cp_iset_release(b);
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    RUN(test_ip_edges);
    RUN(test_domains);
    RUN(test_urls_hashes_email);
    RUN(test_and_or_skipped);
    RUN(test_objects_validity);
    RUN(test_warninglisted_values_dropped);
    RUN(test_fast_field_reader);
    RUN(test_shared_value);
    RUN(test_holder);
    return harness_done();
}
