/* test_events_parse.c — the two readings of an events batch (warning/events.h):
 * the streaming scanner takes the batches sensors send (strings with every
 * escape, UTF-8, integers, hashes, any whitespace) and reads them exactly as
 * the Jansson reading does; everything else (errors included) goes to the
 * Jansson reading, so the answers stay those of the reference: 400 for the
 * body's shape, 422 with each event's index and field. */
#include "harness.h"

#include "warning/events.h"

#define NOW 1795860300000LL /* 2026-11-28T10:05:00Z */

/* Parses with both readings; returns the scanner's status; *fast: it took the batch. */
static cp_status both(const char *body, bool *fast, size_t *n, char *msg, size_t cap)
{
    cp_event_batch a, b;
    json_t *ea = NULL, *eb = NULL;
    cp_err xa = {{0}}, xb = {{0}};
    cp_status sa = cp_events_parse(body, strlen(body), 100, 16, NOW, &a, &ea, &xa);
    cp_status sb = cp_events_parse_tree(body, strlen(body), 100, 16, NOW, &b, &eb, &xb);
    CHECK_INT(sa, sb);
    CHECK_STR(xa.msg, xb.msg);
    CHECK(json_equal(ea, eb) || (!ea && !eb));
    *fast = !sa && a.arena != NULL && a.root == NULL;
    *n = sa ? 0 : a.n;
    if (!sa) {
        CHECK_INT((long long)a.n, (long long)b.n);
        for (size_t i = 0; i < a.n && i < b.n; i++) {
            json_t *ja = cp_event_json(&a.ev[i]), *jb = cp_event_json(&b.ev[i]);
            CHECK(json_equal(ja, jb));
            CHECK(a.ev[i].raw == b.ev[i].raw && a.ev[i].raw_len == b.ev[i].raw_len);
            json_decref(ja);
            json_decref(jb);
        }
        cp_event_batch_free(&a);
        cp_event_batch_free(&b);
    }
    snprintf(msg, cap, "%s", xa.msg);
    json_decref(ea);
    json_decref(eb);
    return sa;
}

static void test_the_scanner_takes_sensor_batches(void)
{
    bool fast;
    size_t n;
    char msg[512];
    const char *full =
        "{\"events\":[{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\",\"dst_ip\":\"2001:db8::1\","
        "\"src_port\":4444,\"dst_port\":22,\"proto\":\"tcp\",\"src_asn\":\"AS64500\",\"dst_asn\":64501,"
        "\"domain\":\"Www.Example.ORG.\",\"url\":\"https://login.example.org:8443/a?b=c\",\"hashes\":{\"md5\":"
        "\"D41D8CD98F00B204E9800998ECF8427E\"},\"email\":\"ceo@Example.org\",\"classification\":"
        "\"malicious-code/c2-server\",\"affected\":\"any\",\"tlp\":\"amber+strict\",\"source\":\"honeypot-1\","
        "\"description\":\"\\u00e9v\\u00e9nement \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\t\"}]}";
    CHECK_INT(both(full, &fast, &n, msg, sizeof msg), CP_OK);
    CHECK(fast);
    CHECK_INT((long long)n, 1);
    const char *spaced = " {\n \"events\" : [\n  { \"time\" : \"2026-11-28T10:00:00Z\" , \"src_ip\" : \"198.51.100.7\" } ,\r\n"
                         "  {\"time\":\"2026-11-28T10:01:00Z\",\"dst_ip\":\"::ffff:192.0.2.1\",\"src_port\":-0}\t]\n}\n";
    CHECK_INT(both(spaced, &fast, &n, msg, sizeof msg), CP_OK);
    CHECK(fast);
    CHECK_INT((long long)n, 2);
}

static void test_everything_else_is_the_reference(void)
{
    bool fast;
    size_t n;
    char msg[512];
    /* the body's shape: 400 */
    CHECK_INT(both("{\"events\":[{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\",\"src_ip\":\"1.2.3.4\"}]}",
                   &fast, &n, msg, sizeof msg), CP_E_BAD_REQUEST);
    CHECK(strstr(msg, "duplicate") != NULL);
    CHECK_INT(both("{\"events\":[{\"time\":\"x\"}]", &fast, &n, msg, sizeof msg), CP_E_BAD_REQUEST);
    CHECK_INT(both("{\"events\":{}}", &fast, &n, msg, sizeof msg), CP_E_BAD_REQUEST);
    CHECK_INT(both("{\"events\":[{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\",\"source\":\"a\\u0000\"}]}",
                   &fast, &n, msg, sizeof msg), CP_E_BAD_REQUEST);
    /* events' errors: 422 with the index and field */
    CHECK_INT(both("{\"events\":[{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\"},"
                   "{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\",\"src_port\":1.0}]}",
                   &fast, &n, msg, sizeof msg), CP_E_UNPROCESSABLE);
    CHECK(strstr(msg, "events[1].src_port") != NULL);
    CHECK_INT(both("{\"events\":[{\"time\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\",\"colour\":\"red\"}]}",
                   &fast, &n, msg, sizeof msg), CP_E_UNPROCESSABLE);
    CHECK(strstr(msg, "events[0].colour unknown field") != NULL);
    CHECK_INT(both("{\"events\":[]}", &fast, &n, msg, sizeof msg), CP_E_UNPROCESSABLE);
    /* valid, but shapes the scanner leaves to Jansson: read the same */
    CHECK_INT(both("{\"events\":[{\"\\u0074ime\":\"2026-11-28T10:00:00Z\",\"src_ip\":\"198.51.100.7\"}]}", &fast, &n, msg,
                   sizeof msg), CP_OK);
    CHECK(!fast);
    CHECK_INT((long long)n, 1);
}

int main(void)
{
    RUN(test_the_scanner_takes_sensor_batches);
    RUN(test_everything_else_is_the_reference);
    return harness_done();
}
