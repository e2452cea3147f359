/*
 * test_scan.c — the log scanners (warning/scan_file.h) with planted hits in
 * every format and for every observable kind: which line, which field,
 * which value; format detection; lines that are huge, truncated, binary or
 * not UTF-8 skipped and counted; text candidates at their edges.
 */
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "harness.h"
#include "warning/iset.h"
#include "warning/scan_file.h"

static cp_iset *g_set;

static void build(void)
{
    static const char *const P[][2] = {
        {"i-ip", "[ipv4-addr:value = '198.51.100.7']"},
        {"i-net", "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"},
        {"i-v6", "[ipv6-addr:value = '2001:db8::bad']"},
        {"i-dom", "[domain-name:value = 'evil.example']"},
        {"i-sub", "[domain-name:value LIKE '%.c2.example']"},
        {"i-url", "[url:value = 'http://dl.example/payload.exe']"},
        {"i-md5", "[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']"},
        {"i-sha1", "[file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567']"},
        {"i-sha256", "[file:hashes.'SHA-256' = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']"},
        {"i-mail", "[email-addr:value = 'boss@phish.example']"},
        {"i-and", "[ipv4-addr:value = '192.0.2.50' AND domain-name:value = 'pair.example']"},
    };
    cp_iset_builder *b = cp_iset_builder_new();
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++)
        CHECK(cp_iset_builder_add_pattern(b, P[i][0], P[i][1], strlen(P[i][1]), 2, 1, NULL, NULL) == CP_OK);
    g_set = cp_iset_builder_finish(b, NULL);
    CHECK(g_set != NULL);
}

typedef struct {
    char out[8192];
    size_t len;
} collected;

static int on_hit(void *ctx, uint64_t line_no, const char *line, size_t len, const cp_scanner *sc)
{
    (void)line;
    (void)len;
    collected *c = ctx;
    for (size_t i = 0; i < sc->n_hits; i++) {
        const cp_scan_hit *h = &sc->hits[i];
        c->len += (size_t)snprintf(c->out + c->len, sizeof c->out - c->len, "%llu %s %.*s=%.*s;", (unsigned long long)line_no,
                                   cp_iset_indicator_id(g_set, h->indicator), (int)h->field_len, h->field, (int)h->value_len,
                                   h->value);
    }
    return 0;
}

/* Scans text as fmt; returns what was hit as "line id field=value;...". */
static const char *scan(const char *text, size_t len, cp_log_format fmt, cp_scan_stats *st, cp_log_format *got)
{
    static collected c;
    memset(&c, 0, sizeof c);
    memset(st, 0, sizeof *st);
    cp_scan_opts o = {g_set, fmt, 4096, on_hit, NULL, &c};
    cp_err err = {{0}};
    CHECK(cp_scan_mem(text, len, &o, st, got, &err) == CP_OK);
    return c.out;
}

static const char *scan_s(const char *text, cp_log_format fmt, cp_scan_stats *st)
{
    cp_log_format got;
    return scan(text, strlen(text), fmt, st, &got);
}

static void test_jsonl(void)
{
    const char *eve =
        "{\"timestamp\":\"2026-11-28T10:00:00.000000+0000\",\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"198.51.100.7\"}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"www.c2.example\",\"answers\":[{\"rdata\":\"203.0.113.9\"}]}}\n"
        "{\"event_type\":\"http\",\"http\":{\"hostname\":\"dl.example\",\"url\":\"\\/payload.exe\",\"status\":200}}\n"
        "{\"event_type\":\"fileinfo\",\"fileinfo\":{\"md5\":\"0123456789ABCDEF0123456789ABCDEF\",\"size\":5}}\n"
        "{\"event_type\":\"flow\",\"dest_ip\":\"192.0.2.50\"}\n"
        "{\"event_type\":\"dns\",\"dest_ip\":\"192.0.2.50\",\"dns\":{\"rrname\":\"pair.example\"}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"badevil.example\",\"q\":\"evil.example.com\",\"r\":\"c2.example\"}}\n"
        "{\"msg\":\"key \\\"evil.example\\\" escaped\",\"v6\":\"2001:DB8:0::BAD\"}\n"
        "{\"evil.example\":1}\n"
        "[1,2]\n"
        "{\"a\":\"198.51.100.7\"\n"
        "{\"a\":\"198.51.100.7\"}";
    cp_scan_stats st;
    cp_log_format got;
    const char *r = scan(eve, strlen(eve), CP_FMT_AUTO, &st, &got);
    CHECK_INT(got, CP_FMT_JSONL);
    CHECK_STR(r, "1 i-ip dest_ip=198.51.100.7;"
                 "2 i-sub dns.rrname=www.c2.example;2 i-net dns.answers.rdata=203.0.113.9;"
                 "3 i-url http.url=http://dl.example/payload.exe;"
                 "4 i-md5 fileinfo.md5=0123456789ABCDEF0123456789ABCDEF;"
                 "6 i-and dest_ip=192.0.2.50;"
                 "8 i-dom msg=evil.example;8 i-v6 v6=2001:DB8:0::BAD;"
                 "12 i-ip a=198.51.100.7;");
    CHECK_INT(st.lines, 12);
    CHECK_INT(st.events, 10);
    CHECK_INT(st.hit_lines, 7);
    CHECK_INT(st.skipped[CP_SKIP_MALFORMED], 2); /* the array, the unclosed object mid-file */
    /* the last line, cut: truncated, not malformed */
    r = scan_s("{\"a\":\"1.2.3.4\"}\n{\"a\":\"198.51.100.7\"", CP_FMT_JSONL, &st);
    CHECK_STR(r, "");
    CHECK_INT(st.skipped[CP_SKIP_TRUNCATED], 1);
    CHECK_INT(st.skipped[CP_SKIP_MALFORMED], 0);
}

/* Lines larger than the scanner's scratch: escaped JSON strings and quoted
 * CSV cells are still scanned (as they are), never skipped. */
static void test_big_escaped_values(void)
{
    static char line[400000];
    cp_scan_stats st;
    cp_log_format got;
    cp_err err = {{0}};
    size_t n = (size_t)sprintf(line, "{\"payload\":\"");
    for (int i = 0; i < 20000; i++) n += (size_t)sprintf(line + n, "ab\\/cd ");
    n += (size_t)sprintf(line + n, " 198.51.100.7 \"}\n");
    cp_scan_opts o = {g_set, CP_FMT_JSONL, 1 << 20, NULL, NULL, NULL};
    memset(&st, 0, sizeof st);
    CHECK(cp_scan_mem(line, n, &o, &st, &got, &err) == CP_OK);
    CHECK_INT(st.hit_lines, 1);
    CHECK_INT(st.skipped[CP_SKIP_MALFORMED], 0);

    n = (size_t)sprintf(line, "a,b\n1,\"");
    for (int i = 0; i < 20000; i++) n += (size_t)sprintf(line + n, "x\"\"y ");
    n += (size_t)sprintf(line + n, " 198.51.100.7\"\n");
    o.fmt = CP_FMT_CSV;
    memset(&st, 0, sizeof st);
    CHECK(cp_scan_mem(line, n, &o, &st, &got, &err) == CP_OK);
    CHECK_INT(st.hit_lines, 1);
}

static void test_zeek(void)
{
    const char *z = "#separator \\x09\n"
                    "#set_separator\t,\n"
                    "#empty_field\t(empty)\n"
                    "#unset_field\t-\n"
                    "#path\thttp\n"
                    "#fields\tts\tuid\tid.orig_h\tid.resp_h\thost\turi\tmd5s\n"
                    "#types\ttime\tstring\taddr\taddr\tstring\tstring\tset[string]\n"
                    "1700000000.1\tC1\t10.0.0.1\t198.51.100.7\t-\t-\t(empty)\n"
                    "1700000000.2\tC2\t10.0.0.1\t10.0.0.2\tdl.example\t/payload.exe\t-\n"
                    "1700000000.3\tC3\t10.0.0.1\t10.0.0.2\tx.c2.example\t/\tff,0123456789abcdef0123456789abcdef01234567\n"
                    "#close\t2026-11-28-10-00-00\n";
    cp_scan_stats st;
    cp_log_format got;
    const char *r = scan(z, strlen(z), CP_FMT_AUTO, &st, &got);
    CHECK_INT(got, CP_FMT_ZEEK);
    CHECK_STR(r, "8 i-ip id.resp_h=198.51.100.7;"
                 "9 i-url url=http://dl.example/payload.exe;"
                 "10 i-sub host=x.c2.example;10 i-sha1 md5s=0123456789abcdef0123456789abcdef01234567;");
    CHECK_INT(st.events, 3);
}

static void test_csv(void)
{
    const char *c = "time,src,dst,query,note\n"
                    "1,10.0.0.1,198.51.100.7,x.example,\n"
                    "2,10.0.0.1,10.0.0.3,\"a, \"\"quoted\"\" evil.example\",ok\n"
                    "3,10.0.0.1,10.0.0.3,\"unterminated\n"
                    "4,10.0.0.1,10.0.0.3,boss@phish.example,extra,columns,203.0.113.1\n";
    cp_scan_stats st;
    cp_log_format got;
    const char *r = scan(c, strlen(c), CP_FMT_AUTO, &st, &got);
    CHECK_INT(got, CP_FMT_CSV);
    CHECK_STR(r, "2 i-ip dst=198.51.100.7;3 i-dom query=evil.example;5 i-mail query=boss@phish.example;5 i-net column7=203.0.113.1;");
    CHECK_INT(st.skipped[CP_SKIP_MALFORMED], 1);
}

static void test_cef(void)
{
    const char *c = "Nov 28 10:00:00 fw1 CEF:0|Acme|FW|1.0|100|Blocked evil.example|5|src=10.0.0.1 dst=198.51.100.7 "
                    "request=http://dl.example/payload.exe msg=seen by boss@phish.example at dawn\n"
                    "Nov 28 10:00:01 fw1 sshd[1]: Failed password from 203.0.113.44\n"
                    "CEF:0|Acme|FW|1.0|100|only four\n"
                    "CEF:0|A|B|1|2|n|3|fileHash=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef cs1=a\\=b\n";
    cp_scan_stats st;
    cp_log_format got;
    const char *r = scan(c, strlen(c), CP_FMT_AUTO, &st, &got);
    CHECK_INT(got, CP_FMT_CEF);
    CHECK_STR(r, "1 i-dom cef.name=evil.example;1 i-ip dst=198.51.100.7;1 i-url request=http://dl.example/payload.exe;"
                 "1 i-mail msg=boss@phish.example;"
                 "2 i-net syslog=203.0.113.44;"
                 "4 i-sha256 fileHash=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef;");
    CHECK_INT(st.skipped[CP_SKIP_MALFORMED], 1);
}

static void test_text_edges(void)
{
    cp_scan_stats st;
    /* addresses with ports, brackets, punctuation; not inside longer numbers */
    CHECK_STR(scan_s("conn 198.51.100.7:443 ok\n", CP_FMT_TEXT, &st), "1 i-ip text=198.51.100.7;");
    CHECK_STR(scan_s("from [198.51.100.7].\n", CP_FMT_TEXT, &st), "1 i-ip text=198.51.100.7;");
    CHECK_STR(scan_s("v 1198.51.100.7 198.51.100.70 198.51.100.7.1 198.51.100.07\n", CP_FMT_TEXT, &st), "");
    CHECK_STR(scan_s("v6 [2001:db8::bad]:443\n", CP_FMT_TEXT, &st), "1 i-v6 text=2001:db8::bad;");
    CHECK_STR(scan_s("v6 2001:DB8:0:0:0:0:0:BAD, 0:0:0:0:0:ffff:198.51.100.7\n", CP_FMT_TEXT, &st),
              "1 i-v6 text=2001:DB8:0:0:0:0:0:BAD;1 i-ip text=0:0:0:0:0:ffff:198.51.100.7;");
    CHECK_STR(scan_s("at 10:00:01 mac 52:54:00:12:34:56 2001:db8:0:0:0:0:bad\n", CP_FMT_TEXT, &st), "");
    /* subdomain boundaries */
    CHECK_STR(scan_s("badevil.example evil.example.net notc2.example c2.example\n", CP_FMT_TEXT, &st), "");
    CHECK_STR(scan_s("EVIL.EXAMPLE. a.b.C2.example\n", CP_FMT_TEXT, &st), "1 i-dom text=EVIL.EXAMPLE;1 i-sub text=a.b.C2.example;");
    /* URL: normalised, trailing punctuation dropped, host also a domain */
    CHECK_STR(scan_s("get HTTP://DL.example:80/payload.exe, then\n", CP_FMT_TEXT, &st), "1 i-url text=HTTP://DL.example:80/payload.exe;");
    CHECK_STR(scan_s("get http://dl.example/payload.exe?x=1\n", CP_FMT_TEXT, &st), "");
    CHECK_STR(scan_s("see https://www.c2.example/x\n", CP_FMT_TEXT, &st), "1 i-sub text=www.c2.example;");
    /* hashes: exact lengths only, any case, between separators */
    CHECK_STR(scan_s("h=0123456789ABCDEF0123456789ABCDEF.\n", CP_FMT_TEXT, &st), "1 i-md5 text=0123456789ABCDEF0123456789ABCDEF;");
    CHECK_STR(scan_s("h=0123456789abcdef0123456789abcdef0\n", CP_FMT_TEXT, &st), "");
    CHECK_STR(scan_s("h=x0123456789abcdef0123456789abcdef\n", CP_FMT_TEXT, &st), "");
    /* e-mail: the local part keeps its case, the domain does not */
    CHECK_STR(scan_s("to <boss@PHISH.example>\n", CP_FMT_TEXT, &st), "1 i-mail text=boss@PHISH.example;");
    CHECK_STR(scan_s("to Boss@phish.example\n", CP_FMT_TEXT, &st), "");
    CHECK_STR(scan_s("sasl_username=boss@phish.example /u/boss@phish.example?x=1&m=boss@phish.example\n", CP_FMT_TEXT, &st),
              "1 i-mail text=boss@phish.example;");
    /* AND across one line */
    CHECK_STR(scan_s("192.0.2.50 asked pair.example\n192.0.2.50 alone\n", CP_FMT_TEXT, &st), "1 i-and text=192.0.2.50;");
}

static void test_bad_lines(void)
{
    cp_scan_stats st;
    char huge[6000];
    memset(huge, 'a', sizeof huge);
    memcpy(huge + 100, " 198.51.100.7 ", 14);
    huge[sizeof huge - 1] = '\n';
    char text[7000];
    size_t n = 0;
    memcpy(text + n, huge, sizeof huge);
    n += sizeof huge;
    const char bin[] = "198.51.100.7 \x01\x02 binary\n";
    memcpy(text + n, bin, sizeof bin - 1);
    n += sizeof bin - 1;
    const char nul[] = "198.51.100.7 \0 nul\n";
    memcpy(text + n, nul, sizeof nul - 1);
    n += sizeof nul - 1;
    const char latin[] = "198.51.100.7 caf\xe9\n";
    memcpy(text + n, latin, sizeof latin - 1);
    n += sizeof latin - 1;
    const char overlong[] = "198.51.100.7 \xc0\xaf\n";
    memcpy(text + n, overlong, sizeof overlong - 1);
    n += sizeof overlong - 1;
    const char good[] = "caf\xc3\xa9 \xe2\x82\xac 198.51.100.7\tok\r\n";
    memcpy(text + n, good, sizeof good - 1);
    n += sizeof good - 1;
    cp_log_format got;
    const char *r = scan(text, n, CP_FMT_TEXT, &st, &got);
    CHECK_STR(r, "6 i-ip text=198.51.100.7;");
    CHECK_INT(st.lines, 6);
    CHECK_INT(st.skipped[CP_SKIP_HUGE], 1);
    CHECK_INT(st.skipped[CP_SKIP_BINARY], 2);
    CHECK_INT(st.skipped[CP_SKIP_NOT_UTF8], 2);
    CHECK_INT(st.events, 1);
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    build();
    RUN(test_jsonl);
    RUN(test_big_escaped_values);
    RUN(test_zeek);
    RUN(test_csv);
    RUN(test_cef);
    RUN(test_text_edges);
    RUN(test_bad_lines);
    cp_iset_release(g_set);
    return harness_done();
}
