/*
 * test_record.c — governance/record.h on a temporary SQLite store
 * (PostgreSQL is exercised through tests/api/test_record.py).
 *
 * What a user relies on: an appended entry is stored as the canonical bytes
 * written out literally here; its receipt's leaf hash is SHA-256(0x00 ||
 * those bytes); the head's root is the RFC 9162 root of all leaves (recomputed
 * here from the stored entries with audit/merkle.h, which test_merkle checks
 * against the CT vectors); the head's signature verifies with the published
 * key and fails for any other head; every proof the store serves verifies; bad
 * ranges are refused; a rolled-back append leaves nothing; sealed entries are
 * withheld from everybody but the named member and auditors until they unseal;
 * two connections appending at once never fork the log.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/merkle.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "governance/record.h"
#include "harness.h"
#include "store/db.h"
#include "store/migrate.h"

typedef struct {
    char dir[64];
    char path[96];
    char url[128];
    cp_db *db;
    cp_conn *c;
} store;

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "%s: %s\nstopping\n", what, err ? err->msg : "");
    harness_failures++;
    harness_done();
    exit(1);
}

static void open_store(store *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/cp-record-XXXXXX");
    if (!mkdtemp(s->dir)) die("mkdtemp", NULL);
    snprintf(s->path, sizeof s->path, "%s/r.db", s->dir);
    snprintf(s->url, sizeof s->url, "sqlite:%s", s->path);
    cp_err err = {{0}};
    if (cp_db_open(s->url, &s->db, &err)) die("open", &err);
    if (!(s->c = cp_db_thread_conn(s->db, &err))) die("connect", &err);
    if (cp_migrate(s->c, NULL, &err)) die("migrate", &err);
}

static void close_store(store *s)
{
    cp_db_close(s->db);
    char p[160];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", s->path, suffix[i]);
        unlink(p);
    }
    rmdir(s->dir);
}

static cp_status append1(cp_conn *c, json_t *entry, cp_record_receipt *r)
{
    cp_err err = {{0}};
    if (cp_conn_begin(c, CP_TX_WRITE, &err)) die("begin", &err);
    cp_status st = cp_record_append(c, entry, r, &err);
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    if (cp_conn_commit(c, &err)) die("commit", &err);
    return CP_OK;
}

static void leaf_of(const char *text, char hex[65])
{
    /* written out from the definition, not through merkle.c */
    size_t n = strlen(text);
    unsigned char *buf = malloc(n + 1), h[32];
    buf[0] = 0;
    memcpy(buf + 1, text, n);
    crypto_hash_sha256(h, buf, n + 1);
    free(buf);
    sodium_bin2hex(hex, 65, h, 32);
}

static int64_t count(cp_conn *c, const char *sql)
{
    cp_stmt *s;
    cp_err err = {{0}};
    if (cp_stmt_prepare(c, sql, &s, &err)) die("prepare", &err);
    int64_t n = cp_stmt_step(s, &err) == CP_STEP_ROW ? cp_stmt_col_int(s, 0) : -1;
    cp_stmt_finalize(s);
    return n;
}

/* The root recomputed from the stored entry texts. */
static void root_from_entries(cp_conn *c, int64_t n, char hex[65])
{
    cp_merkle_frontier f;
    cp_merkle_frontier_init(&f);
    cp_stmt *s;
    cp_err err = {{0}};
    if (cp_stmt_prepare(c, "SELECT entry FROM record_entries WHERE idx < ? ORDER BY idx", &s, &err)) die("prepare", &err);
    cp_stmt_bind_int(s, 1, n);
    while (cp_stmt_step(s, &err) == CP_STEP_ROW) {
        const char *t = cp_stmt_col_text(s, 0);
        uint8_t h[32];
        cp_merkle_leaf_hash(t, strlen(t), h);
        cp_merkle_frontier_push(&f, h, NULL, NULL);
    }
    cp_stmt_finalize(s);
    CHECK_INT(f.size, n);
    uint8_t r[32];
    cp_merkle_frontier_root(&f, r);
    cp_merkle_hex(r, hex);
}

static void test_setup_and_empty_head(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    cp_record_head h;
    char pub[65], pub2[65];
    CHECK_INT(cp_record_head_get(s.c, &h, &err), CP_E_UNAVAILABLE); /* no key yet */
    CHECK_INT(cp_record_public_key(s.c, pub, &err), CP_E_UNAVAILABLE);
    CHECK_INT(cp_record_setup(s.c, pub, &err), CP_OK);
    CHECK_INT(strlen(pub), 64);
    CHECK_INT(cp_record_setup(s.c, pub2, &err), CP_OK); /* idempotent: the same key */
    CHECK_STR(pub2, pub);
    CHECK_INT(cp_record_public_key(s.c, pub2, &err), CP_OK);
    CHECK_STR(pub2, pub);
    CHECK_INT(cp_record_head_get(s.c, &h, &err), CP_OK);
    CHECK_INT(h.tree_size, 0);
    CHECK_STR(h.root_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(cp_record_head_verify(&h, pub));
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM audit_log WHERE action = 'record.key.create'"), 1);
    close_store(&s);
}

static void test_append_canonical_and_head(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    char pub[65];
    CHECK_INT(cp_record_setup(s.c, pub, &err), CP_OK);
    json_t *e = json_pack("{ss ss ss ss s{si sb}}", "type", "ballot", "proposal", "p-1", "at", "2026-01-02T03:04:05.678Z",
                          "choice", "yes \xc3\xa9/\"", "z", "b", 2, "a", 1);
    cp_record_receipt r = {.index = -1};
    CHECK_INT(append1(s.c, e, &r), CP_OK);
    json_decref(e);
    const char *want = "{\"at\":\"2026-01-02T03:04:05.678Z\",\"choice\":\"yes \xc3\xa9/\\\"\",\"proposal\":\"p-1\","
                       "\"type\":\"ballot\",\"z\":{\"a\":true,\"b\":2}}";
    char hex[65];
    leaf_of(want, hex);
    CHECK_INT(r.index, 0);
    CHECK_STR(r.leaf_hash, hex);
    cp_record_reader anyone = {0};
    json_t *items = NULL;
    CHECK_INT(cp_record_entries(s.c, &anyone, 0, 0, &items, &err), CP_OK);
    CHECK_INT(json_array_size(items), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "entry")), want);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "leaf_hash")), hex);
    json_decref(items);

    /* "at" is added when missing, and the type and proposal land in their columns */
    e = json_pack("{ss}", "type", "proposal.opened");
    int64_t before = cp_now_ms();
    CHECK_INT(append1(s.c, e, &r), CP_OK);
    json_decref(e);
    CHECK_INT(r.index, 1);
    CHECK_INT(cp_record_entries(s.c, &anyone, 1, 1, &items, &err), CP_OK);
    json_t *parsed = json_loads(json_string_value(json_object_get(json_array_get(items, 0), "entry")), 0, NULL);
    int64_t at = 0;
    CHECK_INT(cp_rfc3339_parse(json_string_value(json_object_get(parsed, "at")), &at, &err), CP_OK);
    CHECK(at >= before && at <= cp_now_ms());
    json_decref(parsed);
    json_decref(items);
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM record_entries WHERE type = 'ballot' AND proposal = 'p-1'"), 1);

    /* refused: no type, not an object, outside a transaction */
    e = json_pack("{ss}", "what", "x");
    CHECK(append1(s.c, e, NULL) != CP_OK);
    json_decref(e);
    e = json_pack("{si}", "type", 3);
    CHECK(append1(s.c, e, NULL) != CP_OK);
    json_decref(e);
    e = json_pack("{ss}", "type", "ballot");
    CHECK(cp_record_append(s.c, e, NULL, &err) != CP_OK);
    json_decref(e);

    /* the head: root of both leaves, signed, and only this head verifies */
    cp_record_head h;
    CHECK_INT(cp_record_head_get(s.c, &h, &err), CP_OK);
    CHECK_INT(h.tree_size, 2);
    root_from_entries(s.c, 2, hex);
    CHECK_STR(h.root_hash, hex);
    CHECK(cp_record_head_verify(&h, pub));
    cp_record_head bad = h;
    bad.tree_size = 3;
    CHECK(!cp_record_head_verify(&bad, pub));
    bad = h;
    bad.timestamp++;
    CHECK(!cp_record_head_verify(&bad, pub));
    bad = h;
    bad.root_hash[0] = bad.root_hash[0] == 'a' ? 'b' : 'a';
    CHECK(!cp_record_head_verify(&bad, pub));
    char other[65];
    memcpy(other, pub, 65);
    other[5] = other[5] == '0' ? '1' : '0';
    CHECK(!cp_record_head_verify(&h, other));
    /* the signed bytes are the documented text */
    char msg[256];
    size_t len = cp_record_head_message(h.tree_size, h.timestamp, h.root_hash, msg, sizeof msg);
    char expect[256];
    snprintf(expect, sizeof expect, "cyberpact-record-tree-head-v1\n2\n%" PRId64 "\n%s\n", h.timestamp, h.root_hash);
    CHECK_STR(msg, expect);
    CHECK_INT(len, strlen(expect));
    uint8_t pk[32], sig[64];
    sodium_hex2bin(pk, 32, pub, 64, NULL, NULL, NULL);
    sodium_hex2bin(sig, 64, h.signature, 128, NULL, NULL, NULL);
    CHECK(crypto_sign_verify_detached(sig, (const unsigned char *)expect, strlen(expect), pk) == 0);
    /* JSON round trip */
    json_t *hj = cp_record_head_json(&h);
    cp_record_head back;
    char why[128];
    CHECK(cp_record_head_parse(hj, &back, why, sizeof why));
    CHECK(cp_record_head_verify(&back, pub));
    json_object_set_new(hj, "root_hash", json_string("00"));
    CHECK(!cp_record_head_parse(hj, &back, why, sizeof why));
    json_decref(hj);
    /* each append also wrote an audit entry, and the chain is intact */
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM audit_log WHERE action = 'record.append'"), 2);
    cp_audit_report ar;
    CHECK_INT(cp_audit_verify(s.c, &ar, &err), CP_OK);
    CHECK_INT(ar.first_bad_seq, 0);
    close_store(&s);
}

static void test_rollback_leaves_nothing(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    CHECK_INT(cp_record_setup(s.c, NULL, &err), CP_OK);
    json_t *e = json_pack("{ss}", "type", "ballot");
    CHECK_INT(append1(s.c, e, NULL), CP_OK);
    cp_record_head h1, h2;
    CHECK_INT(cp_record_head_get(s.c, &h1, &err), CP_OK);
    if (cp_conn_begin(s.c, CP_TX_WRITE, &err)) die("begin", &err);
    CHECK_INT(cp_record_append(s.c, e, NULL, &err), CP_OK);
    CHECK_INT(cp_record_append(s.c, e, NULL, &err), CP_OK);
    cp_conn_rollback(s.c);
    CHECK_INT(cp_record_head_get(s.c, &h2, &err), CP_OK);
    CHECK_INT(h2.tree_size, 1);
    CHECK_STR(h2.root_hash, h1.root_hash);
    CHECK_STR(h2.signature, h1.signature);
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM record_entries"), 1);
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM record_nodes"), 1);
    /* and the next append continues at index 1 */
    cp_record_receipt r;
    CHECK_INT(append1(s.c, e, &r), CP_OK);
    CHECK_INT(r.index, 1);
    json_decref(e);
    close_store(&s);
}

static bool verify_incl(cp_conn *c, int64_t idx, int64_t size, const char *root_hex, char leaf_out[65])
{
    cp_err err = {{0}};
    json_t *proof = NULL;
    char leaf[65];
    if (cp_record_inclusion(c, idx, size, leaf, &proof, &err)) {
        fprintf(stderr, "  inclusion %lld/%lld: %s\n", (long long)idx, (long long)size, err.msg);
        return false;
    }
    uint8_t p[CP_MERKLE_MAX_PROOF][32], lh[32], root[32];
    size_t n = json_array_size(proof);
    for (size_t i = 0; i < n && i < CP_MERKLE_MAX_PROOF; i++) cp_merkle_unhex(json_string_value(json_array_get(proof, i)), p[i]);
    json_decref(proof);
    cp_merkle_unhex(leaf, lh);
    cp_merkle_unhex(root_hex, root);
    if (leaf_out) memcpy(leaf_out, leaf, 65);
    return cp_merkle_verify_inclusion((uint64_t)idx, (uint64_t)size, lh, (const uint8_t(*)[32])p, n, root, NULL);
}

static bool verify_cons(cp_conn *c, int64_t a, int64_t b, const char *ra, const char *rb)
{
    cp_err err = {{0}};
    json_t *proof = NULL;
    if (cp_record_consistency(c, a, b, &proof, &err)) {
        fprintf(stderr, "  consistency %lld/%lld: %s\n", (long long)a, (long long)b, err.msg);
        return false;
    }
    uint8_t p[CP_MERKLE_MAX_PROOF][32], r1[32], r2[32];
    size_t n = json_array_size(proof);
    for (size_t i = 0; i < n && i < CP_MERKLE_MAX_PROOF; i++) cp_merkle_unhex(json_string_value(json_array_get(proof, i)), p[i]);
    json_decref(proof);
    cp_merkle_unhex(ra, r1);
    cp_merkle_unhex(rb, r2);
    return cp_merkle_verify_consistency((uint64_t)a, (uint64_t)b, r1, r2, (const uint8_t(*)[32])p, n, NULL);
}

static void test_proofs_from_store(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    CHECK_INT(cp_record_setup(s.c, NULL, &err), CP_OK);
    enum { N = 77 };
    char roots[N + 1][65], leaves[N][65];
    cp_record_root_at(s.c, 0, roots[0], &err);
    CHECK_STR(roots[0], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    if (cp_conn_begin(s.c, CP_TX_WRITE, &err)) die("begin", &err);
    for (int i = 0; i < N; i++) { /* several appends in one transaction, too */
        json_t *e = json_pack("{ss si}", "type", "ballot", "n", i);
        cp_record_receipt r;
        CHECK_INT(cp_record_append(s.c, e, &r, &err), CP_OK);
        CHECK_INT(r.index, i);
        memcpy(leaves[i], r.leaf_hash, 65);
        json_decref(e);
        if (i % 10 == 9) {
            if (cp_conn_commit(s.c, &err)) die("commit", &err);
            if (cp_conn_begin(s.c, CP_TX_WRITE, &err)) die("begin", &err);
        }
    }
    if (cp_conn_commit(s.c, &err)) die("commit", &err);
    for (int n = 1; n <= N; n++) {
        CHECK_INT(cp_record_root_at(s.c, n, roots[n], &err), CP_OK);
        char want[65];
        root_from_entries(s.c, n, want);
        CHECK_STR(roots[n], want);
    }
    int before = harness_failures;
    for (int n = 1; n <= N && harness_failures == before; n++)
        for (int i = 0; i < n; i++) {
            char leaf[65];
            CHECK(verify_incl(s.c, i, n, roots[n], leaf));
            CHECK_STR(leaf, leaves[i]);
            CHECK(!verify_incl(s.c, i, n, roots[n - 1], NULL) || n == 1);
        }
    for (int b = 1; b <= N && harness_failures == before; b++)
        for (int a = 1; a <= b; a++) CHECK(verify_cons(s.c, a, b, roots[a], roots[b]));
    CHECK(!verify_cons(s.c, 3, 9, roots[4], roots[9]));
    int64_t idx = -1;
    CHECK_INT(cp_record_find_leaf(s.c, leaves[42], &idx, &err), CP_OK);
    CHECK_INT(idx, 42);
    CHECK_INT(cp_record_find_leaf(s.c, roots[0], &idx, &err), CP_E_NOT_FOUND);

    /* precise refusals */
    json_t *proof = NULL, *items = NULL;
    char leaf[65], root[65];
    cp_record_reader anyone = {0};
    CHECK_INT(cp_record_inclusion(s.c, 0, N + 1, leaf, &proof, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "beyond the tree") != NULL);
    CHECK_INT(cp_record_inclusion(s.c, 5, 5, leaf, &proof, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "not in the tree of size 5") != NULL);
    CHECK_INT(cp_record_inclusion(s.c, 0, 0, leaf, &proof, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_record_inclusion(s.c, -1, 3, leaf, &proof, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_record_consistency(s.c, 5, 4, &proof, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "larger than second") != NULL);
    CHECK_INT(cp_record_consistency(s.c, 0, 4, &proof, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_record_consistency(s.c, 1, N + 1, &proof, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_record_root_at(s.c, N + 1, root, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_record_entries(s.c, &anyone, 5, 4, &items, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "after end") != NULL);
    CHECK_INT(cp_record_entries(s.c, &anyone, N, N + 5, &items, &err), CP_E_BAD_REQUEST);
    CHECK(strstr(err.msg, "beyond the tree") != NULL);
    CHECK_INT(cp_record_entries(s.c, &anyone, -1, 3, &items, &err), CP_E_BAD_REQUEST);
    /* end is clipped to the tree */
    CHECK_INT(cp_record_entries(s.c, &anyone, 70, 1000000, &items, &err), CP_OK);
    CHECK_INT(json_array_size(items), N - 70);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "index")), 70);
    json_decref(items);

    /* the stored subtree hashes check out, and each kind of damage is named */
    int64_t checked = 0;
    char problem[300];
    CHECK_INT(cp_record_check_nodes(s.c, N, &checked, problem, sizeof problem, &err), CP_OK);
    CHECK_STR(problem, "");
    CHECK_INT(checked, count(s.c, "SELECT COUNT(*) FROM record_nodes"));
    CHECK_INT(cp_record_check_nodes(s.c, 40, &checked, problem, sizeof problem, &err), CP_OK); /* an earlier size */
    CHECK_STR(problem, "");
    cp_conn_exec(s.c, "UPDATE record_head SET frontier = (CASE WHEN substr(frontier, 1, 1) = '0' THEN '1' ELSE '0' END)"
                          " || substr(frontier, 2)", &err);
    CHECK_INT(cp_record_check_nodes(s.c, N, &checked, problem, sizeof problem, &err), CP_OK);
    CHECK(strstr(problem, "frontier") != NULL);
    cp_conn_exec(s.c, "UPDATE record_nodes SET hash = (CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END) || substr(hash, 2)"
                          " WHERE k = 9", &err);
    CHECK_INT(cp_record_check_nodes(s.c, N, &checked, problem, sizeof problem, &err), CP_OK);
    CHECK(strstr(problem, "subtree hash 9 differs") != NULL);
    cp_conn_exec(s.c, "DELETE FROM record_nodes WHERE k = 9", &err);
    CHECK_INT(cp_record_check_nodes(s.c, N, &checked, problem, sizeof problem, &err), CP_OK);
    CHECK(strstr(problem, "subtree hash 9 is missing") != NULL);

    /* a damaged store is reported, not served as a proof */
    cp_conn_exec(s.c, "DELETE FROM record_nodes WHERE k = 1", &err);
    CHECK_INT(cp_record_inclusion(s.c, 3, 8, leaf, &proof, &err), CP_E_STORE);
    CHECK(strstr(err.msg, "missing") != NULL);
    close_store(&s);
}

static void test_sealing(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    CHECK_INT(cp_record_setup(s.c, NULL, &err), CP_OK);
    int64_t now = cp_now_ms();
    if (cp_conn_begin(s.c, CP_TX_WRITE, &err)) die("begin", &err);
    json_t *e = json_pack("{ss ss ss}", "type", "ballot", "member", "m-1", "choice", "no");
    cp_record_receipt r0, r1, r2;
    CHECK_INT(cp_record_append_sealed(s.c, e, "m-1", now + 3600 * 1000, &r0, &err), CP_OK);
    CHECK_INT(cp_record_append_sealed(s.c, e, "m-1", now - 1, &r1, &err), CP_OK); /* already unsealed */
    CHECK_INT(cp_record_append(s.c, e, &r2, &err), CP_OK);
    CHECK(cp_record_append_sealed(s.c, e, "m-1", 0, NULL, &err) != CP_OK);
    json_decref(e);
    if (cp_conn_commit(s.c, &err)) die("commit", &err);
    struct {
        cp_record_reader rd;
        bool sees;
    } cases[] = {
        {{NULL, false}, false}, {{"m-2", false}, false}, {{"m-1", false}, true}, {{"", false}, false},
        {{NULL, true}, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *items = NULL;
        CHECK_INT(cp_record_entries(s.c, &cases[i].rd, 0, 2, &items, &err), CP_OK);
        CHECK_INT(json_array_size(items), 3);
        json_t *sealed = json_array_get(items, 0);
        CHECK_STR(json_string_value(json_object_get(sealed, "leaf_hash")), r0.leaf_hash);
        CHECK(json_object_get(sealed, "sealed_until") != NULL);
        if (cases[i].sees) CHECK(json_is_string(json_object_get(sealed, "entry")));
        else CHECK(json_is_null(json_object_get(sealed, "entry")));
        for (int k = 1; k <= 2; k++) {
            CHECK(json_is_string(json_object_get(json_array_get(items, (size_t)k), "entry")));
            CHECK(json_object_get(json_array_get(items, (size_t)k), "sealed_until") == NULL);
        }
        json_decref(items);
    }
    /* the sealed leaf is in the tree like any other */
    cp_record_head h;
    CHECK_INT(cp_record_head_get(s.c, &h, &err), CP_OK);
    CHECK(verify_incl(s.c, 0, 3, h.root_hash, NULL));
    close_store(&s);
}

typedef struct {
    const char *url;
    int id, n;
    int fails;
} writer;

static void *write_many(void *arg)
{
    writer *w = arg;
    cp_db *db;
    cp_conn *c;
    cp_err err = {{0}};
    if (cp_db_open(w->url, &db, &err) || !(c = cp_db_thread_conn(db, &err))) {
        w->fails = w->n;
        return NULL;
    }
    for (int i = 0; i < w->n; i++) {
        json_t *e = json_pack("{ss si si}", "type", "ballot", "writer", w->id, "i", i);
        cp_status st = cp_conn_begin(c, CP_TX_WRITE, &err);
        if (!st) st = cp_record_append(c, e, NULL, &err);
        if (!st) st = cp_conn_commit(c, &err);
        if (st) {
            cp_conn_rollback(c);
            w->fails++;
        }
        json_decref(e);
    }
    cp_db_close(db);
    return NULL;
}

static void test_concurrent_appends(void)
{
    store s;
    open_store(&s);
    cp_err err = {{0}};
    CHECK_INT(cp_record_setup(s.c, NULL, &err), CP_OK);
    writer w[3] = {{s.url, 0, 40, 0}, {s.url, 1, 40, 0}, {s.url, 2, 40, 0}};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, write_many, &w[i]);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    int ok = 120 - w[0].fails - w[1].fails - w[2].fails;
    CHECK_INT(ok, 120); /* SQLite waits for the write lock (busy timeout); nothing is refused */
    cp_record_head h;
    CHECK_INT(cp_record_head_get(s.c, &h, &err), CP_OK);
    CHECK_INT(h.tree_size, ok);
    CHECK_INT(count(s.c, "SELECT COUNT(*) FROM record_entries"), ok);
    CHECK_INT(count(s.c, "SELECT MAX(idx) FROM record_entries"), ok - 1);
    char want[65];
    root_from_entries(s.c, ok, want);
    CHECK_STR(h.root_hash, want);
    close_store(&s);
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) die("crypto", &err);
    RUN(test_setup_and_empty_head);
    RUN(test_append_canonical_and_head);
    RUN(test_rollback_leaves_nothing);
    RUN(test_proofs_from_store);
    RUN(test_sealing);
    RUN(test_concurrent_appends);
    return harness_done();
}
