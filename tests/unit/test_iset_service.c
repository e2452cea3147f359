/*
 * test_iset_service.c — the server's current set (warning/iset.h) on a
 * temporary SQLite store: built from the store at start, rebuilt and swapped
 * when indicators change (a new indicator, a revocation, a TAXII delete),
 * while a reader keeps the set it acquired; and the store's build itself:
 * every collection but the alerts collections, last versions only, revoked and expired left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"
#include "harness.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "members/bootstrap.h"
#include "store/db.h"
#include "store/migrate.h"
#include "warning/iset.h"

static char g_dir[64];
static cp_db *g_db;
static cp_conn *g_c;
static cp_actor g_cli;
static cp_collection g_col;
static cp_collection g_alerts; /* the alliance member's alerts collection */

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "%s: %s\nstopping\n", what, err ? err->msg : "");
    harness_failures++;
    harness_done();
    exit(1);
}

static void open_store(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/cp-isetsvc-XXXXXX");
    if (!mkdtemp(g_dir)) die("mkdtemp", NULL);
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", g_dir);
    cp_err err = {{0}};
    if (cp_db_open(url, &g_db, &err)) die("open", &err);
    g_c = cp_db_thread_conn(g_db, &err);
    if (!g_c) die("conn", &err);
    if (cp_migrate(g_c, NULL, &err)) die("migrate", &err);
    cp_actor_cli(&g_cli);
    json_t *alliance, *user;
    char secret[128];
    if (cp_bootstrap(g_c, &g_cli, "Test Alliance", "admin", &alliance, &user, secret, &err)) die("bootstrap", &err);
    if (cp_conn_begin(g_c, CP_TX_WRITE, &err)) die("begin", &err);
    if (cp_collections_ensure(g_c, &g_cli, NULL, &err)) die("ensure", &err);
    if (cp_conn_commit(g_c, &err)) die("commit", &err);
    char alias[96];
    snprintf(alias, sizeof alias, "alerts-%s", json_string_value(json_object_get(alliance, "id")));
    json_decref(alliance);
    json_decref(user);
    if (cp_collection_resolve(g_c, "alliance", &g_cli, &g_col, &err)) die("resolve", &err);
    if (cp_collection_resolve(g_c, alias, &g_cli, &g_alerts, &err)) die("resolve alerts", &err);
}

static void ingest_into(cp_collection *col, const char *json_text)
{
    json_t *o = json_loads(json_text, 0, NULL);
    if (!o) die("bad test JSON", NULL);
    cp_intel_item item = {o, NULL, 0};
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    cp_err err = {{0}};
    CHECK(cp_intel_ingest(g_c, &g_cli, col, &item, 1, NULL, &res, &err) == CP_OK);
    CHECK_INT(res.success, 1);
    cp_ingest_result_free(&res);
    json_decref(o);
}

static void ingest(const char *json_text)
{
    ingest_into(&g_col, json_text);
}

static char *indicator(const char *uuid, const char *modified, const char *pattern, const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%s\",\"created\":\"2026-01-01T00:00:00.000Z\","
             "\"modified\":\"%s\",\"pattern\":\"%s\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"%s}",
             uuid, modified, pattern, extra);
    return buf;
}

/* Hits of one address in the current set. */
static size_t current_hits(const char *ip)
{
    cp_iset *s = cp_iset_acquire();
    cp_val v = {CP_VAL_IPV4, ip, strlen(ip)};
    cp_iset_hit h[4];
    size_t n = cp_iset_match(s, &v, 1, h, 4);
    cp_iset_release(s);
    return n;
}

/* Waits up to 5 s for the current set to give want hits for ip. */
static bool await_hits(const char *ip, size_t want)
{
    for (int i = 0; i < 100; i++) {
        if (current_hits(ip) == want) return true;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void test_build_from_store(void)
{
    ingest(indicator("11111111-1111-4111-8111-111111111111", "2026-01-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.1']", ""));
    /* a second version replaces the first */
    ingest(indicator("11111111-1111-4111-8111-111111111111", "2026-01-02T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.2']", ""));
    ingest(indicator("22222222-2222-4222-8222-222222222222", "2026-01-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.3']",
                     ",\"valid_until\":\"2026-02-01T00:00:00Z\""));
    /* an alert's own indicator (the alerts collection holds the system's output): never in the set */
    ingest_into(&g_alerts, indicator("44444444-4444-4444-8444-444444444444", "2026-01-01T00:00:00.000Z",
                                     "[ipv4-addr:value = '192.0.2.9']", ""));
    cp_iset *s = NULL;
    cp_err err = {{0}};
    CHECK(cp_iset_build_from_store(g_c, 1790000000000, &s, &err) == CP_OK); /* 2026-09 */
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    CHECK_INT(st.indicators, 1);
    CHECK_INT(st.expired, 1);
    cp_val v1 = {CP_VAL_IPV4, "192.0.2.1", 9}, v2 = {CP_VAL_IPV4, "192.0.2.2", 9};
    cp_iset_hit h[2];
    CHECK_INT(cp_iset_match(s, &v1, 1, h, 2), 0);
    cp_val v9 = {CP_VAL_IPV4, "192.0.2.9", 9};
    CHECK_INT(cp_iset_match(s, &v9, 1, h, 2), 0);
    CHECK_INT(cp_iset_match(s, &v2, 1, h, 2), 1);
    CHECK_INT(cp_iset_indicator_collection(s, h[0].indicator), g_col.num);
    cp_iset_release(s);
}

static void test_service_swaps(void)
{
    cp_err err = {{0}};
    CHECK(cp_iset_service_start(g_db, &err) == CP_OK);
    CHECK_INT(current_hits("192.0.2.2"), 1);
    cp_iset *held = cp_iset_acquire(); /* a reader in the middle of its work */
    ingest(indicator("33333333-3333-4333-8333-333333333333", "2026-01-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.4']", ""));
    CHECK(await_hits("192.0.2.4", 1)); /* noticed by the poll, no poke */
    /* revocation: a new version with revoked true */
    ingest(indicator("33333333-3333-4333-8333-333333333333", "2026-01-03T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.4']",
                     ",\"revoked\":true"));
    CHECK(await_hits("192.0.2.4", 0));
    /* a TAXII delete */
    cp_intel_filter f;
    memset(&f, 0, sizeof f);
    f.v_all = true;
    int64_t deleted = 0;
    CHECK(cp_intel_delete(g_c, &g_cli, &g_col, "indicator--11111111-1111-4111-8111-111111111111", &f, &deleted, &err) == CP_OK);
    CHECK(deleted >= 1);
    CHECK(await_hits("192.0.2.2", 0));
    /* the held set never changed */
    cp_val v = {CP_VAL_IPV4, "192.0.2.2", 9};
    cp_iset_hit h[2];
    CHECK_INT(cp_iset_match(held, &v, 1, h, 2), 1);
    cp_iset_release(held);
    cp_iset_service_poke();
    cp_iset_service_stop();
    cp_iset_service_stop(); /* twice is fine */
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    open_store();
    RUN(test_build_from_store);
    RUN(test_service_swaps);
    cp_db_close(g_db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return harness_done();
}
