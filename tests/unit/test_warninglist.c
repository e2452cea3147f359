/* test_warninglist.c — MISP warninglists (intel/warninglist.h), with the
 * fixtures in tests/data/warninglists/ and, when present, the real lists in
 * ../shared/data/warninglists/. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "intel/warninglist.h"

static const char *match(const cp_warninglists *w, const char *value, const char *kind)
{
    cp_observable o;
    cp_err err = {{0}};
    if (cp_observable_parse(value, kind, &o, &err) != CP_OK) {
        fprintf(stderr, "bad test value %s: %s\n", value, err.msg);
        return "(bad test value)";
    }
    return cp_warninglists_match(w, &o);
}

static const char *match_obs(const cp_warninglists *w, cp_obs_kind kind, const char *value, bool subdomains)
{
    cp_observable o;
    if (cp_observable_make(kind, value, strlen(value), &o, NULL) != CP_OK) return "(bad test value)";
    o.subdomains = subdomains;
    return cp_warninglists_match(w, &o);
}

static cp_warninglists *fixtures(void)
{
    const char *data = getenv("CP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/warninglists", data ? data : "tests/data");
    cp_warninglists *w = cp_warninglists_new();
    cp_err err = {{0}};
    cp_status st = cp_warninglists_load(w, path, &err);
    if (st) fprintf(stderr, "load %s: %s\n", path, err.msg);
    CHECK(st == CP_OK);
    return w;
}

static void test_load_folder(void)
{
    cp_warninglists *w = fixtures();
    CHECK_INT(cp_warninglists_count(w), 5); /* schema.json ignored */
    CHECK_STR(cp_warninglists_name(w, 0), "Test benign hosts");
    CHECK_STR(cp_warninglists_name(w, 1), "Test resolvers");
    CHECK_STR(cp_warninglists_name(w, 2), "Test regex");
    CHECK_STR(cp_warninglists_name(w, 3), "Test strings");
    CHECK_STR(cp_warninglists_name(w, 4), "Test substrings");
    CHECK(cp_warninglists_name(w, 5) == NULL);
    CHECK_INT(cp_warninglists_entries(w), 16);
    /* not-an-ip, "bad entry", \d, (?i) + lazy, /unterminated, ([bad, stacked
     * {1,999}{1,999}, twenty nested '+', a back-reference */
    CHECK_INT(cp_warninglists_skipped(w), 9);
    cp_warninglists_free(w);
}

static void test_cidr(void)
{
    cp_warninglists *w = fixtures();
    CHECK_STR(match(w, "8.8.8.8", NULL), "Test resolvers");
    CHECK_STR(match(w, "8.8.8.8/32", NULL), "Test resolvers");
    CHECK_STR(match(w, "::ffff:8.8.8.8", NULL), "Test resolvers");
    CHECK(match(w, "8.8.8.9", NULL) == NULL);
    CHECK(match(w, "8.8.8.0/24", NULL) == NULL); /* bigger than the entry */
    /* two adjacent /25 make a /24 */
    CHECK_STR(match(w, "192.0.2.0/24", NULL), "Test resolvers");
    CHECK_STR(match(w, "192.0.2.200", NULL), "Test resolvers");
    CHECK(match(w, "192.0.3.0", NULL) == NULL);
    CHECK(match(w, "192.0.2.0/23", NULL) == NULL);
    /* host bits in an entry: its network */
    CHECK_STR(match(w, "10.1.255.255", NULL), "Test resolvers");
    CHECK(match(w, "10.2.0.0", NULL) == NULL);
    /* IPv6 and an IPv4-mapped entry */
    CHECK_STR(match(w, "2001:db8:53:1::1", NULL), "Test resolvers");
    CHECK_STR(match(w, "2001:db8:53::/64", NULL), "Test resolvers");
    CHECK(match(w, "2001:db8:54::1", NULL) == NULL);
    CHECK(match(w, "2001:db8::/32", NULL) == NULL);
    CHECK_STR(match(w, "198.51.100.7", NULL), "Test resolvers");
    CHECK(match(w, "0.0.0.0/0", NULL) == NULL);
    CHECK(match(w, "::/0", NULL) == NULL);
    cp_warninglists_free(w);
}

static void test_hostname(void)
{
    cp_warninglists *w = fixtures();
    CHECK_STR(match(w, "example.com", NULL), "Test benign hosts");
    CHECK_STR(match(w, "WWW.example.com", NULL), "Test benign hosts");
    CHECK(match(w, "badexample.com", NULL) == NULL);
    CHECK(match(w, "example.com.evil.test", NULL) == NULL);
    CHECK_STR(match(w, "img.cdn.test", NULL), "Test benign hosts");
    CHECK_STR(match(w, "cdn.test", NULL), "Test benign hosts");
    CHECK_STR(match(w, "a.shortener.test", NULL), "Test benign hosts");
    CHECK_STR(match_obs(w, CP_OBS_DOMAIN, "example.com", true), "Test benign hosts");
    /* url host and e-mail domain */
    CHECK_STR(match(w, "https://user@www.Example.com:8443/path", NULL), "Test benign hosts");
    CHECK(match(w, "https://badexample.com/example.com", NULL) == NULL);
    CHECK_STR(match(w, "bob@mail.example.com", NULL), "Test benign hosts");
    CHECK(match(w, "bob@badexample.com", NULL) == NULL);
    cp_warninglists_free(w);
}

static void test_string_substring_regex(void)
{
    cp_warninglists *w = fixtures();
    /* string: exact, case-insensitive, any kind (no matching_attributes) */
    CHECK_STR(match(w, "d41d8cd98f00b204e9800998ecf8427e", NULL), "Test strings");
    CHECK_STR(match(w, "alice@example.org", NULL), "Test strings");
    CHECK(match(w, "example.org", NULL) == NULL);
    CHECK(match(w, "xalice@example.org", NULL) == NULL);
    /* substring: url only */
    CHECK_STR(match(w, "http://blog.test/wp-admin/x.php", NULL), "Test substrings");
    CHECK(match(w, "http://blog.test/wp-login.php", NULL) == NULL);
    /* regex: domain only; PCRE-only entries were skipped, not misread */
    CHECK_STR(match(w, "MAIL12.corp.test", NULL), "Test regex");
    CHECK_STR(match(w, "ns1.corp.test", NULL), "Test regex");
    CHECK(match(w, "ns12.corp.test", NULL) == NULL);
    CHECK_STR(match(w, "xxx.corp.test", NULL), "Test regex");
    CHECK(match(w, "xxxx.corp.test", NULL) == NULL);
    CHECK(match(w, "yy.corp.test", NULL) == NULL); /* the back-reference entry was skipped */
    CHECK(match(w, "123.pcre.test", NULL) == NULL);
    CHECK(match(w, "lazyfoo.test", NULL) == NULL);
    CHECK(match(w, "http://mail1.corp.test/", NULL) == NULL); /* url not in matching_attributes */
    CHECK(cp_warninglists_match(NULL, NULL) == NULL);
    cp_warninglists_free(w);
}

static cp_status add(cp_warninglists *w, const char *json, char *msg)
{
    cp_err err = {{0}};
    cp_status st = cp_warninglists_add_json(w, json, strlen(json), "t.json", &err);
    strcpy(msg, err.msg);
    return st;
}

static void test_malformed(void)
{
    cp_warninglists *w = cp_warninglists_new();
    char msg[CP_ERR_MSG_MAX];
    CHECK(add(w, "{", msg) == CP_E_UNPROCESSABLE && strstr(msg, "t.json: not JSON"));
    CHECK(add(w, "[]", msg) == CP_E_UNPROCESSABLE && strstr(msg, "JSON object"));
    CHECK(add(w, "{\"type\":\"cidr\",\"list\":[]}", msg) == CP_E_UNPROCESSABLE && strstr(msg, "\"name\""));
    CHECK(add(w, "{\"name\":\"x\",\"type\":\"ip\",\"list\":[]}", msg) == CP_E_UNPROCESSABLE && strstr(msg, "\"type\""));
    CHECK(add(w, "{\"name\":\"x\",\"type\":\"cidr\"}", msg) == CP_E_UNPROCESSABLE && strstr(msg, "\"list\""));
    CHECK(add(w, "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[\"1.2.3.4\",5]}", msg) == CP_E_UNPROCESSABLE &&
          strstr(msg, "\"list\"[1]"));
    CHECK(add(w, "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[],\"matching_attributes\":\"ip-src\"}", msg) == CP_E_UNPROCESSABLE);
    CHECK(add(w, "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[],\"matching_attributes\":[1]}", msg) == CP_E_UNPROCESSABLE);
    CHECK_INT(cp_warninglists_count(w), 0);
    /* a list only for attribute types we do not have never matches */
    CHECK(add(w, "{\"name\":\"files\",\"type\":\"string\",\"list\":[\"example.com\"],\"matching_attributes\":[\"filename\"]}",
              msg) == CP_OK);
    CHECK(match(w, "example.com", NULL) == NULL);
    /* a cidr list cannot hold a domain */
    CHECK(add(w, "{\"name\":\"c\",\"type\":\"cidr\",\"list\":[\"example.com\"]}", msg) == CP_OK);
    CHECK_INT(cp_warninglists_skipped(w), 1);
    cp_warninglists_free(w);

    w = cp_warninglists_new();
    cp_err err = {{0}};
    CHECK(cp_warninglists_load(w, "/nonexistent/warninglists", &err) == CP_E_NOT_FOUND);
    CHECK(strstr(err.msg, "/nonexistent/warninglists") != NULL);
    char dir[] = "/tmp/cp_wl_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(cp_warninglists_load(w, dir, &err) == CP_E_NOT_FOUND); /* empty folder */
    char f[128];
    snprintf(f, sizeof f, "%s/list.json", dir);
    FILE *fp = fopen(f, "w");
    fputs("{\"name\":\"x\"}", fp);
    fclose(fp);
    CHECK(cp_warninglists_load(w, dir, &err) == CP_E_UNPROCESSABLE); /* list.json must be valid */
    CHECK(strstr(err.msg, "list.json") != NULL);
    remove(f);
    rmdir(dir);
    cp_warninglists_free(w);
}

static void test_global(void)
{
    CHECK(cp_warninglists_global() == NULL);
    cp_err err = {{0}};
    CHECK(cp_warninglists_load_global("", &err) == CP_OK);
    CHECK(cp_warninglists_global() == NULL);
    CHECK(cp_warninglists_load_global("/nonexistent", &err) == CP_E_NOT_FOUND);
    CHECK(strncmp(err.msg, "warninglists: ", 14) == 0);
    cp_warninglists *w = fixtures();
    CHECK(cp_warninglists_set_global(w) == NULL);
    CHECK(cp_warninglists_global() == w);
    cp_observable o;
    CHECK(cp_observable_parse("8.8.8.8", NULL, &o, &err) == CP_OK);
    CHECK_STR(cp_warninglists_match(cp_warninglists_global(), &o), "Test resolvers");
    CHECK(cp_warninglists_set_global(NULL) == w);
    cp_warninglists_free(w);
}

static void test_shared_data(void)
{
    const char *shared = getenv("CP_SHARED_DATA");
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/warninglists", shared ? shared : "");
    if (!shared || stat(path, &sb) != 0) {
        fprintf(stderr, "note: no %s; the real MISP lists are not checked\n", path);
        return;
    }
    cp_warninglists *w = cp_warninglists_new();
    cp_err err = {{0}};
    cp_status st = cp_warninglists_load(w, path, &err);
    if (st) fprintf(stderr, "%s\n", err.msg);
    CHECK(st == CP_OK);
    CHECK(cp_warninglists_count(w) >= 5);
    CHECK(cp_warninglists_entries(w) > 70000);
    CHECK_STR(match(w, "8.8.8.8", NULL), "List of known IPv4 public DNS resolvers");
    CHECK_STR(match(w, "1.1.1.1", NULL), "List of known IPv4 public DNS resolvers");
    CHECK_STR(match(w, "10.1.2.3", NULL), "List of RFC 1918 CIDR blocks");
    CHECK_STR(match(w, "192.168.0.0/16", NULL), "List of RFC 1918 CIDR blocks");
    CHECK_STR(match(w, "::ffff:172.16.5.4", NULL), "List of RFC 1918 CIDR blocks");
    CHECK(match(w, "172.32.0.1", NULL) == NULL);
    CHECK(match(w, "198.51.100.77", NULL) == NULL);
    CHECK_STR(match(w, "www.google.com", NULL), "Top 10K most-used sites from Tranco");
    CHECK(match(w, "surely-not-listed-cyberpact.example", NULL) == NULL);
    cp_warninglists_free(w);
}

int main(void)
{
    RUN(test_load_folder);
    RUN(test_cidr);
    RUN(test_hostname);
    RUN(test_string_substring_regex);
    RUN(test_malformed);
    RUN(test_global);
    RUN(test_shared_data);
    return harness_done();
}
