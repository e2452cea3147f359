/* test_alerts.c — processing events into alerts over a real SQLite store
 * (warning/events.h, alerts.h): aggregation inside a window and a new alert
 * in the next, the strictest TLP of indicator and event, an indicator the
 * member may not read withheld, the STIX objects written (and accepted by
 * ingest's validator) into the member's alerts collection, the audit entry,
 * acknowledge/close transitions. */
#include "harness.h"
#include "users_fixture.h"

#include "intel/collections.h"
#include "intel/tlp.h"
#include "warning/alerts.h"
#include "warning/events.h"
#include "warning/iset.h"
#include "warning/routing.h"

static fixture F;
static int64_t alliance_num, red_num;
static const cp_events_options OPT = {.window_ms = 3600 * 1000, .stix_refresh_ms = 0};

static void add(const char *member, const char *type, const char *value)
{
    json_t *in = json_pack("{ss ss}", "type", type, "value", value), *out = NULL;
    CHECK_INT(cp_constituency_add(F.c, &F.cli, member, in, &out, &F.err), CP_OK);
    json_decref(in);
    json_decref(out);
}

static cp_actor analyst(const char *member)
{
    cp_actor a;
    memset(&a, 0, sizeof a);
    a.kind = CP_ACTOR_KEY;
    a.roles = a.user_roles = CP_ROLE_ANALYST;
    a.member_active = true;
    snprintf(a.member_id, sizeof a.member_id, "%s", member);
    snprintf(a.label, sizeof a.label, "test:%s", member);
    return a;
}

static cp_alerts_folded last; /* what folding the last batch run did */

/* Journals one batch given as JSON text (event times relative to a fixed base), without folding it. */
static cp_status submit(const char *json, int64_t now, cp_events_result *res)
{
    cp_event_batch b;
    json_t *errors = NULL;
    cp_status st = cp_events_parse(json, strlen(json), 100, 16, now, &b, &errors, &F.err);
    if (st) {
        fprintf(stderr, "parse: %s\n", F.err.msg);
        json_decref(errors);
        return st;
    }
    cp_actor a = analyst(F.state);
    st = cp_events_process(F.c, &a, &b, &OPT, now, res, &F.err);
    if (st) fprintf(stderr, "process: %s\n", F.err.msg);
    cp_event_batch_free(&b);
    return st;
}

/* Journals one batch and folds it into alerts (what the folder thread does in serve). */
static cp_status run(const char *json, int64_t now, cp_events_result *res)
{
    cp_status st = submit(json, now, res);
    memset(&last, 0, sizeof last);
    if (!st) st = cp_alerts_fold_pending(F.c, 0, OPT.stix_refresh_ms, &last, &F.err);
    if (st) fprintf(stderr, "fold: %s\n", F.err.msg);
    return st;
}

static long long count(const char *sql, const char *p) { return fx_count(&F, sql, p); }

static long long count_substr(const char *s, const char *sub)
{
    long long n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub)) n++;
    return n;
}

static void setup(void)
{
    int made;
    CHECK_INT(cp_collections_ensure(F.c, &F.cli, &made, &F.err), CP_OK);
    add(F.state, "cidr", "198.51.100.0/24");
    add(F.sector, "cidr", "192.0.2.0/24");
    cp_collection col;
    CHECK_INT(cp_collection_resolve(F.c, "alliance", &F.cli, &col, &F.err), CP_OK);
    alliance_num = col.num;
    /* a group collection of the sector member only */
    json_t *in = json_pack("{ss ss s[{ss sb sb}]}", "title", "sector only", "audience", "group", "members", "member_id",
                           F.sector, "read", 1, "write", 1),
           *out = NULL;
    CHECK_INT(cp_collection_create(F.c, &F.cli, "shared", in, &out, &F.err), CP_OK);
    CHECK_INT(cp_collection_resolve(F.c, json_string_value(json_object_get(out, "id")), &F.cli, &col, &F.err), CP_OK);
    red_num = col.num;
    json_decref(in);
    json_decref(out);
    cp_iset_builder *b = cp_iset_builder_new();
    cp_err e = {{0}};
    const char *p1 = "[ipv4-addr:value = '203.0.113.5']", *p2 = "[ipv4-addr:value = '203.0.113.6']";
    CHECK_INT(cp_iset_builder_add_pattern(b, "indicator--11111111-1111-4111-8111-111111111111", p1, strlen(p1),
                                          CP_TLP_GREEN, alliance_num, NULL, &e), CP_OK);
    CHECK_INT(cp_iset_builder_add_pattern(b, "indicator--22222222-2222-4222-8222-222222222222", p2, strlen(p2),
                                          CP_TLP_RED, red_num, NULL, &e), CP_OK);
    cp_iset *s = cp_iset_builder_finish(b, &e);
    CHECK(s != NULL);
    cp_iset_install(s);
}

static void test_aggregation_and_windows(void)
{
    int64_t base = 1795860000000LL; /* 2026-11-28T10:00:00Z */
    cp_events_result r;
    const char *batch = "{\"events\":["
                        "{\"time\":\"2026-11-28T10:10:00Z\",\"src_ip\":\"198.51.100.7\"},"
                        "{\"time\":\"2026-11-28T10:20:00Z\",\"src_ip\":\"198.51.100.7\"},"
                        "{\"time\":\"2026-11-28T10:59:59.999Z\",\"src_ip\":\"198.51.100.7\"},"
                        "{\"time\":\"2026-11-28T11:00:00Z\",\"src_ip\":\"198.51.100.7\"},"
                        "{\"time\":\"2026-11-28T10:30:00Z\",\"src_ip\":\"198.51.100.8\"},"
                        "{\"time\":\"2026-11-28T10:30:00Z\",\"src_ip\":\"10.0.0.1\"}]}";
    CHECK_INT(run(batch, base + 3600 * 1000 + 60000, &r), CP_OK);
    CHECK_INT(r.accepted, 6);
    CHECK_INT(r.routed, 5);
    CHECK_INT(r.unrouted, 1);
    CHECK_INT(last.created, 3); /* .7 in the 10:00 window, .7 in the 11:00 window, .8 */
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000", NULL), 3);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795863600000", NULL), 1);
    CHECK_INT(count("SELECT first_seen FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000", NULL),
              base + 600000);
    CHECK_INT(count("SELECT last_seen FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000", NULL),
              base + 3599999);
    /* a second batch in the same window adds to the same alert */
    CHECK_INT(run("{\"events\":[{\"time\":\"2026-11-28T10:05:00Z\",\"src_ip\":\"198.51.100.7\"}]}", base + 3660000, &r), CP_OK);
    CHECK_INT(last.created, 0);
    CHECK_INT(last.updated, 1);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000", NULL), 4);
    CHECK_INT(count("SELECT first_seen FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000", NULL),
              base + 300000);
    CHECK_INT(count("SELECT COUNT(*) FROM audit_log WHERE action = 'events.submit'", NULL), 2);
}

static void test_tlp_strictest_and_withheld(void)
{
    int64_t now = 1795863600000LL + 120000;
    cp_events_result r;
    /* the state's host talks to a GREEN indicator (readable) and a RED one of a group it is not in */
    CHECK_INT(run("{\"events\":[{\"time\":\"2026-11-28T11:00:00Z\",\"src_ip\":\"198.51.100.20\",\"dst_ip\":\"203.0.113.5\",\"tlp\":\"TLP:CLEAR\"},"
                  "{\"time\":\"2026-11-28T11:00:00Z\",\"src_ip\":\"198.51.100.21\",\"dst_ip\":\"203.0.113.6\"},"
                  "{\"time\":\"2026-11-28T11:00:00Z\",\"src_ip\":\"192.0.2.21\",\"dst_ip\":\"203.0.113.6\"}]}",
                  now, &r),
              CP_OK);
    CHECK_INT(r.matched, 2);
    CHECK_INT(r.hidden_hits, 1);
    CHECK_INT(count("SELECT tlp FROM alerts WHERE address = '198.51.100.20'", NULL), CP_TLP_GREEN);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.20' AND indicator_id = ?",
                    "indicator--11111111-1111-4111-8111-111111111111"), 1);
    /* withheld: the state gets a classification alert, without the indicator or its TLP */
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.21' AND indicator_id IS NULL", NULL), 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE indicator_id = ? AND member_id <> (SELECT member_id FROM alerts WHERE address = '192.0.2.21')",
                    "indicator--22222222-2222-4222-8222-222222222222"), 0);
    CHECK_INT(count("SELECT tlp FROM alerts WHERE address = '198.51.100.21'", NULL), CP_TLP_AMBER);
    /* the sector member is in the group: it gets the RED indicator, and the alert is RED */
    CHECK_INT(count("SELECT tlp FROM alerts WHERE address = '192.0.2.21'", NULL), CP_TLP_RED);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '192.0.2.21' AND indicator_id = ?",
                    "indicator--22222222-2222-4222-8222-222222222222"), 1);
}

static void test_stix_written(void)
{
    int written = 0;
    CHECK_INT(cp_alerts_stix_flush(F.c, cp_now_ms() + 10 * 3600 * 1000, 100000, &written, &F.err), CP_OK);
    CHECK(written > 0);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_stix_queue", NULL), 0);
    char alias[64];
    snprintf(alias, sizeof alias, "alerts-%s", F.state);
    /* every alert of the state has its sighting; classification alerts their indicator */
    long long alerts = count("SELECT COUNT(*) FROM alerts WHERE member_id = ?", F.state);
    CHECK(alerts > 0);
    CHECK_INT(count("SELECT COUNT(DISTINCT o.stix_id) FROM intel_objects o JOIN intel_collections c ON c.num = o.cnum"
                    " WHERE c.alias = ? AND o.type = 'sighting'", alias),
              alerts);
    CHECK_INT(count("SELECT COUNT(DISTINCT o.stix_id) FROM intel_objects o JOIN intel_collections c ON c.num = o.cnum"
                    " WHERE c.alias = ? AND o.type = 'indicator'", alias),
              count("SELECT COUNT(*) FROM alerts WHERE member_id = ? AND indicator_id IS NULL", F.state));
    /* the RED indicator's id appears nowhere in the state's collection */
    CHECK_INT(count("SELECT COUNT(*) FROM intel_objects o JOIN intel_collections c ON c.num = o.cnum"
                    " WHERE c.alias = '" "alerts-' || (SELECT member_id FROM alerts WHERE address = '198.51.100.21')"
                    " AND o.body LIKE '%22222222-2222-4222-8222-222222222222%'", NULL),
              0);
    /* an alert that grows after its first version gets another (refresh 0 here) */
    cp_events_result r;
    CHECK_INT(run("{\"events\":[{\"time\":\"2026-11-28T10:06:00Z\",\"src_ip\":\"198.51.100.7\"}]}",
                  1795863600000LL + 180000, &r), CP_OK);
    CHECK_INT(last.updated, 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_stix_queue", NULL), 1);
    CHECK_INT(cp_alerts_stix_flush(F.c, cp_now_ms() + 10 * 3600 * 1000, 100000, &written, &F.err), CP_OK);
    CHECK_INT(written, 1);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_objects WHERE type = 'sighting' AND is_last = 1 AND body LIKE '%\"count\":5,%'"
                    " AND stix_id = 'sighting--' || (SELECT id FROM alerts WHERE address = '198.51.100.7' AND"
                    " window_start = 1795860000000)", NULL), 1);
    /* a batch that changes an alert a writer has claimed un-claims it: the row stays queued */
    cp_stmt *q;
    CHECK_INT(cp_stmt_prepare(F.c, "INSERT INTO alert_stix_queue (alert_id, due_at, claimed) SELECT id, 0, 42 FROM alerts"
                                   " WHERE address = '198.51.100.7' AND window_start = 1795860000000", &q, &F.err), CP_OK);
    CHECK_INT(cp_stmt_run(q, &F.err), CP_OK);
    cp_stmt_finalize(q);
    CHECK_INT(run("{\"events\":[{\"time\":\"2026-11-28T10:07:00Z\",\"src_ip\":\"198.51.100.7\"}]}",
                  1795863600000LL + 190000, &r), CP_OK);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_stix_queue WHERE claimed = 0", NULL), 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_stix_queue WHERE claimed = 42", NULL), 0);
    CHECK_INT(cp_alerts_stix_flush(F.c, cp_now_ms() + 10 * 3600 * 1000, 100000, &written, &F.err), CP_OK);
    CHECK_INT(written, 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_stix_queue", NULL), 0);
    CHECK(count("SELECT COUNT(*) FROM intel_objects WHERE type = 'sighting' AND stix_id = 'sighting--' ||"
                " (SELECT id FROM alerts WHERE address = '198.51.100.7' AND window_start = 1795860000000)", NULL) >= 2);
}

static void test_transitions(void)
{
    cp_stmt *s;
    char id[CP_UUID_LEN + 1] = "";
    CHECK_INT(cp_stmt_prepare(F.c, "SELECT id FROM alerts WHERE address = '198.51.100.8'", &s, &F.err), CP_OK);
    if (cp_stmt_step(s, &F.err) == CP_STEP_ROW) snprintf(id, sizeof id, "%s", cp_stmt_col_text(s, 0));
    cp_stmt_finalize(s);
    cp_actor a = analyst(F.state);
    json_t *out = NULL;
    CHECK_INT(cp_alert_transition(F.c, &a, id, "acknowledged", &out, &F.err), CP_OK);
    CHECK_STR(json_string_value(json_object_get(out, "status")), "acknowledged");
    json_decref(out);
    CHECK_INT(cp_alert_transition(F.c, &a, id, "acknowledged", &out, &F.err), CP_E_CONFLICT);
    CHECK_INT(cp_alert_transition(F.c, &a, id, "closed", &out, &F.err), CP_OK);
    json_decref(out);
    CHECK_INT(cp_alert_transition(F.c, &a, id, "closed", &out, &F.err), CP_E_CONFLICT);
    CHECK_INT(cp_alert_transition(F.c, &a, "00000000-0000-4000-8000-000000000000", "closed", &out, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(count("SELECT COUNT(*) FROM audit_log WHERE action IN ('alert.acknowledge', 'alert.close')", NULL), 2);
}


/* A batch is durable in the journal before any alert changes; folding merges
 * batches exactly (one alert, the summed count, the earliest first_seen, the
 * first event kept), applies each row once and leaves the journal empty. */
static void test_journal_then_fold(void)
{
    int64_t now = 1795863600000LL + 240000; /* 11:04 */
    cp_events_result r;
    const char *one = "{\"events\":[{\"time\":\"2026-11-28T11:01:00Z\",\"src_ip\":\"198.51.100.40\",\"source\":\"first\"},"
                      "{\"time\":\"2026-11-28T11:02:00Z\",\"src_ip\":\"198.51.100.40\"},"
                      "{\"time\":\"2026-11-28T11:02:00Z\",\"src_ip\":\"10.9.9.9\"}]}";
    const char *two = "{\"events\":[{\"time\":\"2026-11-28T11:00:30Z\",\"src_ip\":\"198.51.100.40\",\"source\":\"second\"},"
                      "{\"time\":\"2026-11-28T11:03:00Z\",\"src_ip\":\"198.51.100.40\",\"tlp\":\"TLP:RED\"}]}";
    long long audit0 = count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.fold'", NULL);
    CHECK_INT(submit(one, now, &r), CP_OK);
    CHECK_INT(r.alerts_queued, 1);
    CHECK_INT(r.unrouted, 1);
    CHECK_INT(submit(two, now, &r), CP_OK);
    CHECK_INT(r.alerts_queued, 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_journal", NULL), 2);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.40'", NULL), 0);
    /* a batch that concerns nobody: its audit entry, no journal row */
    CHECK_INT(submit("{\"events\":[{\"time\":\"2026-11-28T11:02:00Z\",\"src_ip\":\"10.9.9.8\"}]}", now, &r), CP_OK);
    CHECK_INT(r.alerts_queued, 0);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_journal", NULL), 2);
    /* folded from another connection (another thread of serve, or a server restarted after kill -9) */
    cp_conn *c2;
    CHECK_INT(cp_db_connect(F.db, &c2, &F.err), CP_OK);
    cp_alerts_folded f = {0};
    CHECK_INT(cp_alerts_fold_pending(c2, 0, 0, &f, &F.err), CP_OK);
    CHECK_INT(f.batches, 2);
    CHECK_INT(f.aggregates, 2);
    CHECK_INT(f.created, 1);
    CHECK_INT(f.updated, 0);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_journal", NULL), 0);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.40'", NULL), 1);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.40'", NULL), 4);
    CHECK_INT(count("SELECT first_seen FROM alerts WHERE address = '198.51.100.40'", NULL), 1795863600000LL + 30000);
    CHECK_INT(count("SELECT last_seen FROM alerts WHERE address = '198.51.100.40'", NULL), 1795863600000LL + 180000);
    CHECK_INT(count("SELECT tlp FROM alerts WHERE address = '198.51.100.40'", NULL), CP_TLP_RED);
    /* the first event of the first batch, exactly as sent */
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.40' AND source = 'first' AND event ="
                    " '{\"time\":\"2026-11-28T11:01:00Z\",\"src_ip\":\"198.51.100.40\",\"source\":\"first\"}'", NULL), 1);
    CHECK_INT(count("SELECT COUNT(*) FROM alerts WHERE address = '198.51.100.40' AND reported_by = ?", F.state), 1);
    CHECK_INT(count("SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.fold'", NULL), audit0 + 1);
    /* nothing left: folding again changes nothing */
    memset(&f, 0, sizeof f);
    CHECK_INT(cp_alerts_fold_pending(c2, 0, 0, &f, &F.err), CP_OK);
    CHECK_INT(f.batches, 0);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.40'", NULL), 4);
    /* a rolled-back fold leaves the rows for the next one */
    CHECK_INT(submit(two, now, &r), CP_OK);
    CHECK_INT(cp_conn_begin(c2, CP_TX_WRITE, &F.err), CP_OK);
    memset(&f, 0, sizeof f);
    CHECK_INT(cp_alerts_fold_tx(c2, 0, 10, true, 0, &f, &F.err), CP_OK);
    CHECK_INT(f.batches, 1);
    cp_conn_rollback(c2);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_journal", NULL), 1);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.40'", NULL), 4);
    CHECK_INT(cp_alerts_fold_pending(c2, 0, 0, &f, &F.err), CP_OK);
    CHECK_INT(count("SELECT count FROM alerts WHERE address = '198.51.100.40'", NULL), 6);
    CHECK_INT(count("SELECT COUNT(*) FROM alert_journal", NULL), 0);
    /* only what was received up to the reader's time is folded for it */
    CHECK_INT(submit(two, now, &r), CP_OK);
    memset(&f, 0, sizeof f);
    CHECK_INT(cp_alerts_fold_pending(c2, now - 1, 0, &f, &F.err), CP_OK);
    CHECK_INT(f.batches, 0);
    CHECK_INT(cp_alerts_fold_pending(c2, now, 0, &f, &F.err), CP_OK);
    CHECK_INT(f.batches, 1);
    cp_conn_close(c2);
}

/* The journal's text: a round trip keeps every field (sources and events of
 * any bytes, one text per event), and text that is not a journal's is refused. */
static void test_journal_text(void)
{
    const char *ev1 = "{\"a\":\n 1}", *ev2 = "{}";
    cp_alert_delta d[3];
    memset(d, 0, sizeof d);
    d[0] = (cp_alert_delta){.member_id = "m1", .indicator_id = "indicator--x", .classification = "other/other",
                            .address = "192.0.2.1", .address_kind = "ip", .window_start = -3600000, .count = 7,
                            .first_seen = 5, .last_seen = 9, .tlp = 4, .source = "a b\nc", .event = ev1,
                            .event_len = strlen(ev1), .event_time = 5};
    d[1] = d[0];
    d[1].indicator_id = NULL;
    d[1].address = "example.org";
    d[1].address_kind = "domain";
    d[2] = d[0];
    d[2].member_id = "m2";
    d[2].source = NULL;
    d[2].event = ev2;
    d[2].event_len = 2;
    uint32_t sample[3] = {0, 0, 1};
    size_t len;
    char *t = cp_alert_journal_encode(d, sample, 3, &len);
    CHECK(t != NULL);
    CHECK_INT((long long)len, (long long)strlen(t));
    CHECK_INT(count_substr(t, ev1), 1); /* stored once for the two deltas that share it */
    cp_alert_delta *o;
    size_t n;
    CHECK_INT(cp_alert_journal_decode(t, len, 42, "rep", &o, &n, &F.err), CP_OK);
    CHECK_INT((long long)n, 3);
    CHECK_STR(o[0].member_id, "m1");
    CHECK_STR(o[0].indicator_id, "indicator--x");
    CHECK(o[1].indicator_id == NULL);
    CHECK_STR(o[1].address_kind, "domain");
    CHECK_INT(o[0].window_start, -3600000);
    CHECK_INT(o[0].count, 7);
    CHECK_INT(o[0].tlp, 4);
    CHECK_STR(o[0].source, "a b\nc");
    CHECK_INT((long long)o[1].event_len, (long long)strlen(ev1));
    CHECK(memcmp(o[1].event, ev1, strlen(ev1)) == 0);
    CHECK(o[2].source == NULL);
    CHECK_INT((long long)o[2].event_len, 2);
    CHECK_INT(o[2].received_ms, 42);
    CHECK_STR(o[2].reported_by, "rep");
    free(o);
    free(t);
    /* a token with a space cannot be encoded */
    d[0].address = "a b";
    CHECK(cp_alert_journal_encode(d, sample, 1, &len) == NULL);
    const char *bad[] = {"", "J1", "J1 1 1\n", "J2 0 0\n", "J1 0 0\nx", "J1 1 0\nm - c a ip 0 1 0 0 1 0\n",
                         "J1 1 1\nm - c a ip 0 1 0 0 1 0\n0 5 2\nab\n{}\n", "J1 1 1\nm - c a tcp 0 1 0 0 1 0\n0 -1 2\n\n{}\n",
                         "J1 1 1\nm - c a ip 0 0 0 0 1 0\n0 -1 2\n\n{}\n", "J1 0 0\n\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", bad[i]);
        CHECK_INT(cp_alert_journal_decode(buf, strlen(buf), 0, NULL, &o, &n, &F.err), CP_E_STORE);
    }
    char ok[] = "J1 1 1\nm - c a ip 0 1 0 0 1 0\n0 -1 2\n\n{}\n";
    CHECK_INT(cp_alert_journal_decode(ok, strlen(ok), 0, NULL, &o, &n, &F.err), CP_OK);
    free(o);
}

int main(void)
{
    fx_open(&F);
    setup();
    RUN(test_aggregation_and_windows);
    RUN(test_tlp_strictest_and_withheld);
    RUN(test_stix_written);
    RUN(test_transitions);
    RUN(test_journal_then_fold);
    RUN(test_journal_text);
    cp_routing_reset();
    fx_close(&F);
    return harness_done();
}
