/* test_observables.c — canonical observables (intel/observables.h). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "intel/observables.h"

/* ---- helpers ---- */

static const char *canon(const char *text, const char *kind)
{
    static cp_observable o;
    cp_err err = {{0}};
    if (cp_observable_parse(text, kind, &o, &err) != CP_OK) return NULL;
    return o.value;
}

static cp_status parse_err(const char *text, const char *kind, char *msg, size_t cap)
{
    cp_observable o;
    cp_err err = {{0}};
    cp_status st = cp_observable_parse(text, kind, &o, &err);
    snprintf(msg, cap, "%s", err.msg);
    return st;
}

#define MAXSEEN 300
typedef struct {
    int n;
    char line[MAXSEEN][CP_OBS_VALUE_MAX + 32];
    int stop_after;
} seen;

static int collect(const cp_observable *o, void *ctx)
{
    seen *s = ctx;
    if (s->n < MAXSEEN)
        snprintf(s->line[s->n], sizeof s->line[0], "%s%s %s", cp_obs_kind_name(o->kind), o->subdomains ? "+sub" : "", o->value);
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static seen S;

static int of_json(const char *json)
{
    memset(&S, 0, sizeof S);
    json_error_t je;
    json_t *obj = json_loads(json, 0, &je);
    if (!obj) {
        fprintf(stderr, "bad test JSON: %s\n", je.text);
        return -100;
    }
    int n = cp_observables_of_object(obj, collect, &S);
    json_decref(obj);
    return n;
}

static int has(const char *line)
{
    for (int i = 0; i < S.n && i < MAXSEEN; i++)
        if (strcmp(S.line[i], line) == 0) return 1;
    return 0;
}

static char *indicator(const char *pattern)
{
    static char buf[8192];
    json_t *o = json_pack("{ss ss ss ss}", "type", "indicator", "id", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                          "pattern_type", "stix", "pattern", pattern);
    char *t = json_dumps(o, JSON_COMPACT);
    snprintf(buf, sizeof buf, "%s", t);
    free(t);
    json_decref(o);
    return buf;
}

/* ---- canonical forms ---- */

static void test_kind_names(void)
{
    const char *names[] = {"ip", "domain", "url", "md5", "sha1", "sha256", "sha512", "email"};
    for (int i = 0; i < 8; i++) {
        CHECK_STR(cp_obs_kind_name((cp_obs_kind)i), names[i]);
        cp_obs_kind k;
        CHECK(cp_obs_kind_parse(names[i], &k) && (int)k == i);
    }
    cp_obs_kind k;
    CHECK(!cp_obs_kind_parse("IP", &k));
    CHECK(!cp_obs_kind_parse("hash", &k));
    CHECK_STR(cp_obs_kind_name((cp_obs_kind)99), "?");
}

static void test_ip(void)
{
    cp_observable o;
    cp_err err = {{0}};
    CHECK(cp_observable_parse("1.2.3.4", NULL, &o, &err) == CP_OK);
    CHECK(o.kind == CP_OBS_IP);
    CHECK_STR(o.value, "1.2.3.4");
    CHECK_STR(o.ip_lo, "00000000000000000000ffff01020304");
    CHECK_STR(o.ip_hi, "00000000000000000000ffff01020304");
    CHECK_STR(canon("1.2.3.4/32", NULL), "1.2.3.4");
    CHECK_STR(canon("10.0.0.0/8", NULL), "10.0.0.0/8");
    CHECK(cp_observable_parse("0.0.0.0/0", NULL, &o, &err) == CP_OK);
    CHECK_STR(o.value, "0.0.0.0/0");
    CHECK_STR(o.ip_lo, "00000000000000000000ffff00000000");
    CHECK_STR(o.ip_hi, "00000000000000000000ffffffffffff");
    CHECK(cp_observable_parse("::/0", NULL, &o, &err) == CP_OK);
    CHECK_STR(o.value, "::/0");
    CHECK_STR(o.ip_lo, "00000000000000000000000000000000");
    CHECK_STR(o.ip_hi, "ffffffffffffffffffffffffffffffff");
    CHECK_STR(canon("2001:DB8:0:0::1/128", NULL), "2001:db8::1");
    CHECK_STR(canon("2001:db8::/32", "ip"), "2001:db8::/32");
    /* IPv4-mapped IPv6 is the IPv4 it stands for, with the same range */
    CHECK(cp_observable_parse("::ffff:192.0.2.1", NULL, &o, &err) == CP_OK);
    CHECK_STR(o.value, "192.0.2.1");
    CHECK_STR(o.ip_lo, "00000000000000000000ffffc0000201");
    CHECK_STR(canon("::ffff:c000:0200/120", NULL), "192.0.2.0/24");
    CHECK_STR(canon("::ffff:0:0/96", NULL), "0.0.0.0/0");
    /* strict for search input: host bits refused with a suggestion */
    char msg[CP_ERR_MSG_MAX];
    CHECK(parse_err("10.1.2.3/8", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "10.0.0.0/8") != NULL);
    CHECK(parse_err("1.2.3.256", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("1.2.3.4/33", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("example.com", "ip", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("fe80::1%eth0", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
}

static void test_domain(void)
{
    CHECK_STR(canon("WWW.Example.COM.", NULL), "www.example.com");
    CHECK_STR(canon("  example.com  ", NULL), "example.com");
    CHECK_STR(canon("example.com", "domain"), "example.com");
    char msg[CP_ERR_MSG_MAX];
    CHECK(parse_err("-bad.example", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("localhost", "domain", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("not a value", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "not an IP address, network, domain, URL, hash or e-mail") != NULL);
    CHECK(parse_err("", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("x.com", "hostname", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "unknown kind") != NULL && strstr(msg, "sha512") != NULL);
}

static void test_url(void)
{
    CHECK_STR(canon("HTTP://Example.COM:80/a/%7euser/%2fx%2F?q=%41#f", NULL), "http://example.com/a/~user/%2Fx%2F?q=A#f");
    CHECK_STR(canon("https://EXAMPLE.com:443", NULL), "https://example.com/");
    CHECK_STR(canon("https://example.com:8443/", NULL), "https://example.com:8443/");
    CHECK_STR(canon("http://example.com./x", NULL), "http://example.com/x");
    CHECK_STR(canon("http://example.com../x", NULL), "http://example.com/x"); /* fuzz: idempotent */
    CHECK_STR(canon("http://example.com%2E/x", NULL), "http://example.com/x");  /* fuzz: a decoded dot too */
    CHECK_STR(canon("http://example.com:0080/x", NULL), "http://example.com/x");
    CHECK_STR(canon("ftp://files.example.com:21/pub", NULL), "ftp://files.example.com/pub");
    CHECK_STR(canon("http://example.com./x", NULL), "http://example.com/x");
    CHECK_STR(canon("http://example.com../x", NULL), "http://example.com/x"); /* fuzz: idempotent */
    CHECK_STR(canon("http://example.com%2E/x", NULL), "http://example.com/x");  /* fuzz: a decoded dot too */
    CHECK_STR(canon("http://example.com?x=1", NULL), "http://example.com/?x=1");
    CHECK_STR(canon("http://User:Pw@Example.com/", NULL), "http://User:Pw@example.com/");
    CHECK_STR(canon("http://[2001:DB8::1]:80/x", NULL), "http://[2001:db8::1]/x");
    CHECK_STR(canon("http://[2001:db8::1]:8080/", NULL), "http://[2001:db8::1]:8080/");
    CHECK_STR(canon("http://example.com/a b%zz%4", "url"), "http://example.com/a%20b%25zz%254");
    CHECK_STR(canon("http://example.com/Path/CASE", NULL), "http://example.com/Path/CASE");
    CHECK_STR(canon("http://192.0.2.1/x", NULL), "http://192.0.2.1/x");
    char msg[CP_ERR_MSG_MAX];
    CHECK(parse_err("http:///x", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "no host") != NULL);
    CHECK(parse_err("http://example.com:99999/", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("http://exa mple.com/", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("http://[zz]/", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("example.com/x", "url", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "not a URL") != NULL);
    /* too long: bounded, refused */
    static char big[CP_OBS_VALUE_MAX + 100];
    strcpy(big, "http://example.com/");
    memset(big + strlen(big), 'a', CP_OBS_VALUE_MAX);
    big[CP_OBS_VALUE_MAX + 50] = 0;
    CHECK(parse_err(big, NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    /* an escape that grows the text past the limit is refused too */
    memset(big, 0, sizeof big);
    strcpy(big, "http://example.com/");
    memset(big + strlen(big), (char)0xe9, 1500);
    CHECK(parse_err(big, "url", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "longer than") != NULL);
}

static void test_hashes(void)
{
    const char *md5 = "D41D8CD98F00B204E9800998ECF8427E";
    const char *sha1 = "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709";
    const char *sha256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    char sha512[129];
    memset(sha512, 'A', 128);
    sha512[128] = 0;
    cp_observable o;
    cp_err err = {{0}};
    CHECK(cp_observable_parse(md5, NULL, &o, &err) == CP_OK && o.kind == CP_OBS_MD5);
    CHECK_STR(o.value, "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(cp_observable_parse(sha1, NULL, &o, &err) == CP_OK && o.kind == CP_OBS_SHA1);
    CHECK(cp_observable_parse(sha256, NULL, &o, &err) == CP_OK && o.kind == CP_OBS_SHA256);
    CHECK_STR(o.value, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(cp_observable_parse(sha512, NULL, &o, &err) == CP_OK && o.kind == CP_OBS_SHA512);
    CHECK(o.ip_lo[0] == 0);
    char msg[CP_ERR_MSG_MAX];
    CHECK(parse_err(sha1, "md5", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "32 hex digits") != NULL);
    CHECK(parse_err("d41d8cd98f00b204e9800998ecf8427", "md5", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("g41d8cd98f00b204e9800998ecf8427e", "md5", msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "'g'") != NULL);
    /* 33 hex digits: not a hash, not a domain */
    CHECK(parse_err("d41d8cd98f00b204e9800998ecf8427ee", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
}

static void test_email(void)
{
    CHECK_STR(canon("Alice.Smith@Example.COM", NULL), "Alice.Smith@example.com");
    CHECK_STR(canon("a@b.example.", "email"), "a@b.example");
    char msg[CP_ERR_MSG_MAX];
    CHECK(parse_err("@example.com", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("a b@example.com", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("alice@localhost", NULL, msg, sizeof msg) == CP_E_BAD_REQUEST);
    CHECK(parse_err("alice", "email", msg, sizeof msg) == CP_E_BAD_REQUEST);
}

/* ---- objects ---- */

static void test_scos(void)
{
    CHECK_INT(of_json("{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"198.51.100.3\"}"), 1);
    CHECK(has("ip 198.51.100.3"));
    CHECK_INT(of_json("{\"type\":\"ipv4-addr\",\"value\":\"198.51.100.7/24\"}"), 1); /* lenient: host bits */
    CHECK(has("ip 198.51.100.0/24"));
    CHECK_INT(of_json("{\"type\":\"ipv6-addr\",\"value\":\"2001:0db8::0001\"}"), 1);
    CHECK(has("ip 2001:db8::1"));
    CHECK_INT(of_json("{\"type\":\"domain-name\",\"value\":\"Example.COM\"}"), 1);
    CHECK(has("domain example.com"));
    CHECK_INT(of_json("{\"type\":\"url\",\"value\":\"HTTPS://Evil.Example:443/x\"}"), 1);
    CHECK(has("url https://evil.example/x"));
    CHECK_INT(of_json("{\"type\":\"email-addr\",\"value\":\"bob@EXAMPLE.org\"}"), 1);
    CHECK(has("email bob@example.org"));
    CHECK_INT(of_json("{\"type\":\"file\",\"hashes\":{\"MD5\":\"D41D8CD98F00B204E9800998ECF8427E\","
                      "\"SHA-1\":\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"sha256\":\"bad\","
                      "\"SHA3-256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}"),
              2);
    CHECK(has("md5 d41d8cd98f00b204e9800998ecf8427e"));
    CHECK(has("sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709"));
    /* nothing to report */
    CHECK_INT(of_json("{\"type\":\"ipv4-addr\",\"value\":\"300.1.1.1\"}"), 0);
    CHECK_INT(of_json("{\"type\":\"malware\",\"name\":\"x\",\"value\":\"1.2.3.4\"}"), 0);
    CHECK_INT(of_json("{\"value\":\"1.2.3.4\"}"), 0);
    CHECK_INT(of_json("[1,2]"), 0);
    CHECK_INT(cp_observables_of_object(NULL, collect, &S), 0);
}

static void test_patterns(void)
{
    CHECK_INT(of_json(indicator("[ipv4-addr:value = '1.2.3.4']")), 1);
    CHECK(has("ip 1.2.3.4"));
    CHECK_INT(of_json(indicator("[file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']")), 1);
    CHECK(has("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK_INT(of_json(indicator("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR file:hashes.'SHA-1' = 'short']")), 1);
    CHECK_INT(of_json(indicator("[domain-name:value LIKE '%.Example.com']")), 1);
    CHECK(has("domain+sub example.com"));
    CHECK_INT(of_json(indicator("[domain-name:value LIKE 'exact.example.com']")), 1);
    CHECK(has("domain exact.example.com"));
    CHECK_INT(of_json(indicator("[domain-name:value LIKE 'ex%.com']")), 0);
    CHECK_INT(of_json(indicator("[ipv4-addr:value ISSUBSET '10.0.0.0/8'] OR [ipv6-addr:value ISSUBSET '2001:db8::/32']")), 2);
    CHECK(has("ip 10.0.0.0/8") && has("ip 2001:db8::/32"));
    CHECK_INT(of_json(indicator("[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2', 'junk', '1.1.1.1')]")), 2);
    CHECK_INT(of_json(indicator("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32' "
                                "AND network-traffic:src_ref.value = 'c2.example.net']")),
              2);
    CHECK(has("ip 203.0.113.33") && has("domain c2.example.net"));
    CHECK_INT(of_json(indicator("[email-message:from_ref.value = 'X@Phish.example' AND email-message:to_refs[*].value = "
                                "'y@victim.example'] FOLLOWEDBY [url:value = 'http://phish.example:80']")),
              3);
    CHECK(has("email X@phish.example") && has("email y@victim.example") && has("url http://phish.example/"));
    /* negated, other operators, unknown paths: nothing */
    CHECK_INT(of_json(indicator("[ipv4-addr:value != '1.2.3.4' AND ipv4-addr:value NOT = '5.6.7.8' AND "
                                "ipv4-addr:value MATCHES '^1' AND x-foo:value = '1.2.3.4' AND file:name = 'a.exe']")),
              0);
    /* the same value twice is one observable; exact and subdomain differ */
    CHECK_INT(of_json(indicator("[domain-name:value = 'example.com'] OR [domain-name:value = 'EXAMPLE.com.'] OR "
                                "[domain-name:value LIKE '%.example.com']")),
              2);
    /* pattern_type other than stix, and a bad pattern: nothing */
    CHECK_INT(of_json("{\"type\":\"indicator\",\"pattern_type\":\"snort\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4']\"}"), 0);
    CHECK_INT(of_json("{\"type\":\"indicator\",\"pattern_type\":\"stix\",\"pattern\":\"[ipv4-addr:value = \"}"), 0);
    /* STIX 2.0: no pattern_type */
    CHECK_INT(of_json("{\"type\":\"indicator\",\"pattern\":\"[url:value = 'http://a.example/']\"}"), 1);
}

static void test_observed_data(void)
{
    CHECK_INT(of_json("{\"type\":\"observed-data\",\"objects\":{\"0\":{\"type\":\"ipv4-addr\",\"value\":\"192.0.2.9\"},"
                      "\"1\":{\"type\":\"domain-name\",\"value\":\"a.example\"},\"2\":{\"type\":\"file\","
                      "\"hashes\":{\"MD5\":\"d41d8cd98f00b204e9800998ecf8427e\"}},\"3\":7}}"),
              3);
    CHECK(has("ip 192.0.2.9") && has("domain a.example") && has("md5 d41d8cd98f00b204e9800998ecf8427e"));
    CHECK_INT(of_json("{\"type\":\"observed-data\",\"object_refs\":[\"ipv4-addr--x\"]}"), 0);
}

static void test_bounds_and_stop(void)
{
    /* 300 distinct addresses: at most CP_OBS_PER_OBJECT_MAX reported */
    char *pat = malloc(300 * 24 + 64);
    size_t n = (size_t)sprintf(pat, "[ipv4-addr:value IN (");
    for (int i = 0; i < 300; i++) n += (size_t)sprintf(pat + n, "%s'10.0.%d.%d'", i ? ", " : "", i / 256, i % 256);
    sprintf(pat + n, ")]");
    CHECK_INT(of_json(indicator(pat)), CP_OBS_PER_OBJECT_MAX);
    CHECK_INT(S.n, CP_OBS_PER_OBJECT_MAX);
    free(pat);
    /* a callback that stops: counted, nothing more */
    memset(&S, 0, sizeof S);
    S.stop_after = 2;
    json_t *o = json_loads(indicator("[ipv4-addr:value IN ('1.1.1.1','2.2.2.2','3.3.3.3')]"), 0, NULL);
    CHECK_INT(cp_observables_of_object(o, collect, &S), 2);
    CHECK_INT(S.n, 2);
    json_decref(o);
}

static void test_term_walk(void)
{
    cp_pattern *p = NULL;
    cp_err err = {{0}};
    const char *t = "[ipv4-addr:value IN ('1.1.1.1','1.1.1.1') AND domain-name:value LIKE '%.x.example']";
    CHECK(cp_pattern_parse(t, strlen(t), &p, &err) == CP_OK);
    const cp_pat_obs *ob = cp_pattern_observation(p, 0);
    memset(&S, 0, sizeof S);
    CHECK_INT(cp_observables_of_term(ob->terms[0], collect, &S), 2); /* not deduplicated */
    CHECK_INT(cp_observables_of_term(ob->terms[1], collect, &S), 1);
    CHECK(has("domain+sub x.example"));
    cp_pattern_free(p);
}

int main(void)
{
    RUN(test_kind_names);
    RUN(test_ip);
    RUN(test_domain);
    RUN(test_url);
    RUN(test_hashes);
    RUN(test_email);
    RUN(test_scos);
    RUN(test_patterns);
    RUN(test_observed_data);
    RUN(test_bounds_and_stop);
    RUN(test_term_walk);
    return harness_done();
}
