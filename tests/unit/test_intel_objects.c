/*
 * test_intel_objects.c — intel/objects.h on a temporary SQLite store:
 * timestamps, ingest (validation, TLP, versions, idempotency, SCO
 * immutability, revoked final, exact bytes) and queries (paging, filters,
 * TLP filtering in the query).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "harness.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/tlp.h"
#include "members/bootstrap.h"
#include "store/db.h"
#include "store/migrate.h"

static char g_dir[64];
static cp_db *g_db;
static cp_conn *g_c;
static cp_actor g_cli;

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "%s: %s\nstopping\n", what, err ? err->msg : "");
    harness_failures++;
    harness_done();
    exit(1);
}

static void open_store(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/cp-objects-XXXXXX");
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
    json_decref(alliance);
    json_decref(user);
}

static void close_store(void)
{
    cp_db_close(g_db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
}

static cp_collection alliance_col(void)
{
    cp_collection col;
    cp_err err = {{0}};
    if (cp_collection_resolve(g_c, "alliance", &g_cli, &col, &err)) die("resolve alliance", &err);
    return col;
}

/* Ingests the objects of a JSON array text, each with its exact bytes. */
static cp_ingest_result ingest_text(const cp_collection *col, const char *arr_text)
{
    json_t *arr = json_loads(arr_text, JSON_DECODE_ANY, NULL);
    CHECK(json_is_array(arr));
    size_t n = json_array_size(arr);
    cp_intel_item items[16];
    for (size_t i = 0; i < n && i < 16; i++) items[i] = (cp_intel_item){json_array_get(arr, i), NULL, 0};
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    cp_err err = {{0}};
    cp_status st = cp_intel_ingest(g_c, &g_cli, col, items, n, NULL, &res, &err);
    if (st) fprintf(stderr, "  ingest: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    json_decref(arr);
    return res;
}

typedef struct {
    int n;
    char ids[64][80];
    char versions[64][40];
    char bodies[4][512];
    int64_t seqs[64];
} rows;

static int keep(const cp_intel_row *row, void *ctx)
{
    rows *r = ctx;
    if (r->n < 64) {
        snprintf(r->ids[r->n], sizeof r->ids[0], "%s", row->stix_id);
        snprintf(r->versions[r->n], sizeof r->versions[0], "%s", row->version);
        if (r->n < 4) snprintf(r->bodies[r->n], sizeof r->bodies[0], "%s", row->body);
        r->seqs[r->n] = row->seq;
    }
    r->n++;
    return 0;
}

static rows query(const cp_collection *col, const cp_actor *reader, cp_intel_filter *f, bool *more)
{
    rows r = {0};
    cp_err err = {{0}};
    if (f->limit == 0) f->limit = 100;
    cp_status st = cp_intel_query(g_c, col, reader, f, keep, &r, more, &err);
    if (st) fprintf(stderr, "  query: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    return r;
}

#define IND(uuid, mod, extra)                                                                                  \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" uuid "\","                          \
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"" mod "\",\"pattern_type\":\"stix\","               \
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.7']\",\"valid_from\":\"2026-01-01T00:00:00Z\"" extra "}"
#define U1 "0b1b0a1e-3f0e-4d5e-9a8a-1c2b3d4e5f60"
#define U2 "1b1b0a1e-3f0e-4d5e-9a8a-1c2b3d4e5f61"
#define U3 "2b1b0a1e-3f0e-4d5e-9a8a-1c2b3d4e5f62"

static void test_timestamps(void)
{
    int64_t us;
    cp_err err;
    CHECK_INT(cp_taxii_ts_parse("2026-11-28T15:30:00.123456Z", &us, &err), CP_OK);
    char buf[CP_TAXII_TS_MAX];
    cp_taxii_ts_format(us, buf);
    CHECK_STR(buf, "2026-11-28T15:30:00.123456Z");
    CHECK_INT(cp_taxii_ts_parse("2026-11-28T15:30:00Z", &us, &err), CP_OK);
    cp_taxii_ts_format(us, buf);
    CHECK_STR(buf, "2026-11-28T15:30:00.000000Z");
    CHECK_INT(cp_taxii_ts_parse("2026-11-28T15:30:00.123456789Z", &us, &err), CP_OK);
    CHECK(us % 1000000 == 123456);
    CHECK_INT(cp_taxii_ts_parse("1970-01-01T00:00:00Z", &us, &err), CP_OK);
    CHECK(us == 0);
    CHECK_INT(cp_taxii_ts_parse("2026-02-29T00:00:00Z", &us, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_taxii_ts_parse("2026-11-28 15:30:00Z", &us, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_taxii_ts_parse("2026-11-28T15:30:00+01:00", &us, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_taxii_ts_parse("2026-11-28T15:30:00.Z", &us, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_taxii_ts_parse("", &us, &err), CP_E_BAD_REQUEST);
}

static void test_ingest_versions(void)
{
    cp_collection col = alliance_col();
    cp_ingest_result r = ingest_text(&col, "[" IND(U1, "2026-01-01T00:00:00.000Z", "") "]");
    CHECK(r.success == 1 && r.failure == 0 && r.stored == 1);
    cp_ingest_result_free(&r);
    /* identical re-post: success, nothing stored */
    r = ingest_text(&col, "[" IND(U1, "2026-01-01T00:00:00.000Z", "") "]");
    CHECK(r.success == 1 && r.stored == 0);
    cp_ingest_result_free(&r);
    /* same version, other content: fails alone; the other object is stored */
    r = ingest_text(&col, "[" IND(U1, "2026-01-01T00:00:00.000Z", ",\"name\":\"changed\"") "," IND(U2, "2026-01-01T00:00:00.000Z", "") "]");
    CHECK(r.success == 1 && r.failure == 1 && r.stored == 1);
    CHECK(strstr(json_string_value(json_object_get(json_array_get(r.failures, 0), "message")), "different object") != NULL);
    cp_ingest_result_free(&r);
    /* a later version, then revoked, then nothing later */
    r = ingest_text(&col, "[" IND(U1, "2026-02-01T00:00:00.000Z", "") "," IND(U1, "2026-03-01T00:00:00.000Z", ",\"revoked\":true") "," IND(U1, "2026-04-01T00:00:00.000Z", "") "]");
    CHECK(r.success == 2 && r.failure == 1);
    CHECK(strstr(json_string_value(json_object_get(json_array_get(r.failures, 0), "message")), "revoked") != NULL);
    cp_ingest_result_free(&r);
    /* an SCO is immutable */
    r = ingest_text(&col, "[{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--" U3 "\",\"value\":\"198.51.100.7\"},"
                          "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--" U3 "\",\"value\":\"198.51.100.7\"},"
                          "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--" U3 "\",\"value\":\"198.51.100.8\"}]");
    CHECK(r.success == 2 && r.failure == 1 && r.stored == 1);
    cp_ingest_result_free(&r);
    /* invalid objects fail with the validator's reason */
    r = ingest_text(&col, "[{\"type\":\"indicator\",\"id\":\"indicator--nope\"}, 7]");
    CHECK(r.success == 0 && r.failure == 2 && r.total == 2);
    cp_ingest_result_free(&r);

    bool more;
    cp_intel_filter f = {0};
    f.ids[0] = "indicator--" U1;
    f.n_ids = 1;
    rows q = query(&col, &g_cli, &f, &more);
    CHECK(q.n == 1 && !more);
    CHECK_STR(q.versions[0], "2026-03-01T00:00:00.000Z"); /* last: the revoked one */
    f.v_first = true;
    q = query(&col, &g_cli, &f, &more);
    CHECK(q.n == 1);
    CHECK_STR(q.versions[0], "2026-01-01T00:00:00.000Z");
    f.v_first = false;
    f.v_all = true;
    q = query(&col, &g_cli, &f, &more);
    CHECK(q.n == 3);
    f.v_all = false;
    cp_err err;
    CHECK_INT(cp_taxii_ts_parse("2026-02-01T00:00:00Z", &f.v_at[0], &err), CP_OK);
    f.n_v_at = 1;
    q = query(&col, &g_cli, &f, &more);
    CHECK(q.n == 1);
    CHECK_STR(q.versions[0], "2026-02-01T00:00:00.000Z");
}

static void test_exact_bytes_and_paging(void)
{
    cp_collection col = alliance_col();
    const char *raw = "{\"type\":\"x-thing\",\"id\":\"x-thing--" U2 "\",\"spec_version\":\"2.1\","
                      "\"created\":\"2026-01-01T00:00:00.100Z\",\"modified\":\"2026-01-01T00:00:00.100Z\","
                      "\"z\": 1.0, \"a\": 1e2, \"big\": 9007199254740993, \"f\": 0.10}";
    json_t *obj = json_loads(raw, 0, NULL);
    CHECK(obj != NULL);
    cp_intel_item it = {obj, raw, strlen(raw)};
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    cp_err err = {{0}};
    CHECK_INT(cp_intel_ingest(g_c, &g_cli, &col, &it, 1, NULL, &res, &err), CP_OK);
    CHECK(res.stored == 1);
    cp_ingest_result_free(&res);
    json_decref(obj);
    bool more;
    cp_intel_filter f = {0};
    f.types[0] = "x-thing";
    f.n_types = 1;
    rows q = query(&col, &g_cli, &f, &more);
    CHECK(q.n == 1);
    CHECK_STR(q.bodies[0], raw);

    /* paging: 2 per page over everything, no repeats, increasing seq */
    cp_intel_filter p = {0};
    p.v_all = true;
    p.limit = 2;
    int total = 0;
    int64_t last = 0;
    for (int page = 0; page < 20; page++) {
        q = query(&col, &g_cli, &p, &more);
        for (int i = 0; i < q.n; i++) {
            CHECK(q.seqs[i] > last);
            last = q.seqs[i];
        }
        total += q.n;
        if (!more) break;
        p.after_seq = last;
    }
    cp_intel_filter all = {0};
    all.v_all = true;
    all.limit = 1000;
    q = query(&col, &g_cli, &all, &more);
    CHECK(total == q.n && total >= 6);
}

static void test_tlp_filtered_in_query(void)
{
    cp_collection col = alliance_col();
    cp_ingest_result r = ingest_text(
        &col, "[" IND("3b1b0a1e-3f0e-4d5e-9a8a-1c2b3d4e5f63", "2026-01-01T00:00:00.000Z",
                      ",\"object_marking_refs\":[\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]") "]");
    CHECK(r.failure == 1); /* RED is refused outside a group collection */
    cp_ingest_result_free(&r);
    /* an anonymous reader sees nothing of an alliance collection */
    cp_actor anon = {0};
    bool more;
    cp_intel_filter f = {0};
    rows q = query(&col, &anon, &f, &more);
    CHECK(q.n == 0 && !more);
    CHECK(cp_intel_readable_tlps(&anon, &col) == 0);
}

int main(void)
{
    open_store();
    RUN(test_timestamps);
    RUN(test_ingest_versions);
    RUN(test_exact_bytes_and_paging);
    RUN(test_tlp_filtered_in_query);
    close_store();
    return harness_done();
}
