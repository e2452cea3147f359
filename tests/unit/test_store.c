/*
 * test_store.c — the store interface (store/db.h) on both backends.
 *
 * Every check is written once and run per backend: on SQLite (a file in a
 * fresh temporary directory) always, and on PostgreSQL when CP_TEST_PG_URL
 * names a database (scripts/pg-test-cluster.sh starts a throw-away one).
 * With CP_REQUIRE_PG=1 a missing CP_TEST_PG_URL is a failure, not a skip.
 *
 * Tests drop and recreate their table, so they can run again on the same
 * PostgreSQL database.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "store/db.h"

static const char *g_backend; /* "sqlite" or "postgresql" */
static bool g_pg;
static char g_url[1024];
static char g_dir[64]; /* the SQLite suite's temporary directory */

#define ITEMS_DDL                                                                  \
    "DROP TABLE IF EXISTS cp_test_items; "                                         \
    "CREATE TABLE cp_test_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, " \
    "note TEXT, n BIGINT)"
#define SQL_INSERT "INSERT INTO cp_test_items (id, name, note, n) VALUES (?, ?, ?, ?)"
#define SQL_COUNT "SELECT COUNT(*) FROM cp_test_items"

/* ---- helpers --------------------------------------------------------- */

static cp_db *open_db(const char *url)
{
    cp_db *db = NULL;
    cp_err err = {{0}};
    cp_status st = cp_db_open(url, &db, &err);
    if (st) fprintf(stderr, "  cp_db_open(%s): %s\n", url, err.msg);
    CHECK_INT(st, CP_OK);
    return db;
}

static cp_conn *thread_conn(cp_db *db)
{
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    if (!c) fprintf(stderr, "  cp_db_thread_conn: %s\n", err.msg);
    CHECK(c != NULL);
    return c;
}

static void exec_ok(cp_conn *c, const char *sql)
{
    cp_err err = {{0}};
    cp_status st = cp_conn_exec(c, sql, &err);
    if (st) fprintf(stderr, "  exec: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
}

/* Prepares sql or, when that fails, reports it and ends the run: the checks
 * that follow could only crash. */
static cp_stmt *prep(cp_conn *c, const char *sql)
{
    cp_stmt *s = NULL;
    cp_err err = {{0}};
    cp_status st = cp_stmt_prepare(c, sql, &s, &err);
    CHECK_INT(st, CP_OK);
    if (st) {
        fprintf(stderr, "  prepare \"%s\": %s\nstopping\n", sql, err.msg);
        harness_done();
        exit(1);
    }
    return s;
}

/* Opens the store and recreates the test table. */
static cp_conn *setup(cp_db **db)
{
    *db = open_db(g_url);
    if (!*db) return NULL;
    cp_conn *c = thread_conn(*db);
    if (c) exec_ok(c, ITEMS_DDL);
    return c;
}

/* Inserts a row; note may be NULL. Returns the status of the run. */
static cp_status insert_item(cp_conn *c, int64_t id, const char *name, const char *note, int64_t n)
{
    cp_stmt *s;
    cp_err err = {{0}};
    cp_status st = cp_stmt_prepare(c, SQL_INSERT, &s, &err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, id);
    cp_stmt_bind_text(s, 2, name);
    cp_stmt_bind_text(s, 3, note);
    cp_stmt_bind_int(s, 4, n);
    st = cp_stmt_run(s, &err);
    cp_stmt_finalize(s);
    return st;
}

/* Runs sql (with at most one integer parameter) and returns column 0 of the
 * first row, or INT64_MIN when it fails or returns no row. */
static int64_t query_int(cp_conn *c, const char *sql, int nparams, int64_t arg)
{
    cp_stmt *s;
    cp_err err = {{0}};
    if (cp_stmt_prepare(c, sql, &s, &err)) {
        fprintf(stderr, "  prepare: %s\n", err.msg);
        return INT64_MIN;
    }
    if (nparams) cp_stmt_bind_int(s, 1, arg);
    int64_t v = INT64_MIN;
    cp_step r = cp_stmt_step(s, &err);
    if (r == CP_STEP_ROW) v = cp_stmt_col_int(s, 0);
    if (r == CP_STEP_ERROR) fprintf(stderr, "  step: %s\n", err.msg);
    cp_stmt_finalize(s);
    return v;
}

/* ---- the checks, once per backend ------------------------------------- */

static void test_open_close(void)
{
    cp_db *db = open_db(g_url);
    if (!db) return;
    CHECK_INT(cp_db_dialect(db), g_pg ? CP_DIALECT_PG : CP_DIALECT_SQLITE);
    CHECK(strncmp(cp_db_describe(db), g_backend, strlen(g_backend)) == 0);
    cp_conn *c = thread_conn(db);
    CHECK(c == thread_conn(db)); /* same thread, same connection */
    CHECK_INT(cp_conn_dialect(c), cp_db_dialect(db));
    CHECK(!cp_conn_in_tx(c));
    cp_db_close(db);
}

static void test_exec_ddl(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    exec_ok(c, "CREATE INDEX cp_test_items_n ON cp_test_items (n) WHERE note IS NOT NULL");
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 0);
    cp_err err = {{0}};
    CHECK_INT(cp_conn_exec(c, "CREATE TABEL oops (x INTEGER)", &err), CP_E_STORE);
    CHECK(err.msg[0] != '\0');
    cp_db_close(db);
}

static void test_bind_and_read(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    const int64_t big = INT64_C(1) << 40;
    CHECK_INT(insert_item(c, 1, "alpha", "h\xc3\xa9llo \xe2\x9c\x93", big), CP_OK);
    CHECK_INT(insert_item(c, 2, "beta", NULL, -7), CP_OK);

    /* textn binds only the given length; an unbound parameter is NULL. */
    cp_stmt *s;
    cp_err err = {{0}};
    s = prep(c, SQL_INSERT);
    cp_stmt_bind_int(s, 1, 3);
    cp_stmt_bind_textn(s, 2, "gammaXYZ", 5);
    cp_stmt_bind_int(s, 4, 0);
    CHECK_INT(cp_stmt_run(s, &err), CP_OK);
    cp_stmt_finalize(s);

    s = prep(c, "SELECT id, name, note, n FROM cp_test_items WHERE id >= ? ORDER BY id");
    cp_stmt_bind_int(s, 1, 1);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_count(s), 4);
    CHECK_INT(cp_stmt_col_int(s, 0), 1);
    CHECK_STR(cp_stmt_col_text(s, 1), "alpha");
    CHECK_STR(cp_stmt_col_text(s, 2), "h\xc3\xa9llo \xe2\x9c\x93");
    CHECK_INT(cp_stmt_col_int(s, 3), big);
    CHECK(!cp_stmt_col_is_null(s, 2));
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_STR(cp_stmt_col_text(s, 1), "beta");
    CHECK(cp_stmt_col_is_null(s, 2));
    CHECK(cp_stmt_col_text(s, 2) == NULL);
    CHECK_INT(cp_stmt_col_int(s, 2), 0);
    CHECK_INT(cp_stmt_col_int(s, 3), -7);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_STR(cp_stmt_col_text(s, 1), "gamma");
    CHECK(cp_stmt_col_is_null(s, 2));
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_DONE);
    cp_stmt_finalize(s);

    /* Binding NULL explicitly, and comparisons read as integers. PostgreSQL
     * cannot infer a type for a bare `? IS NULL`, hence the CAST. */
    s = prep(c, "SELECT CAST(? AS TEXT) IS NULL, 2 > 1, 1 > 2");
    cp_stmt_bind_null(s, 1);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(s, 0), 1);
    CHECK_INT(cp_stmt_col_int(s, 1), 1);
    CHECK_INT(cp_stmt_col_int(s, 2), 0);
    cp_stmt_finalize(s);
    cp_db_close(db);
}

static void test_changes(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "item%d", i);
        CHECK_INT(insert_item(c, i, name, NULL, i * 10), CP_OK);
    }
    cp_stmt *s;
    cp_err err = {{0}};
    s = prep(c, "UPDATE cp_test_items SET note = ? WHERE n > ?");
    cp_stmt_bind_text(s, 1, "big");
    cp_stmt_bind_int(s, 2, 15);
    CHECK_INT(cp_stmt_run(s, &err), CP_OK);
    CHECK_INT(cp_stmt_changes(s), 2);
    cp_stmt_finalize(s);

    s = prep(c, "DELETE FROM cp_test_items WHERE id = ?");
    cp_stmt_bind_int(s, 1, 99);
    CHECK_INT(cp_stmt_run(s, &err), CP_OK);
    CHECK_INT(cp_stmt_changes(s), 0);
    cp_stmt_finalize(s);
    cp_db_close(db);
}

static void test_unique_conflict(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    CHECK_INT(insert_item(c, 1, "dup", NULL, 0), CP_OK);
    CHECK_INT(insert_item(c, 2, "dup", NULL, 0), CP_E_CONFLICT); /* UNIQUE */
    CHECK_INT(insert_item(c, 1, "other", NULL, 0), CP_E_CONFLICT); /* PRIMARY KEY */

    cp_stmt *s;
    cp_err err = {{0}};
    s = prep(c, SQL_INSERT);
    cp_stmt_bind_int(s, 1, 3);
    cp_stmt_bind_text(s, 2, "dup");
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ERROR);
    CHECK_INT(cp_stmt_status(s), CP_E_CONFLICT);
    CHECK(err.msg[0] != '\0');
    cp_stmt_finalize(s);

    /* A NOT NULL violation is a plain store error. */
    CHECK_INT(insert_item(c, 4, NULL, NULL, 0), CP_E_STORE);
    /* ON CONFLICT DO NOTHING is no error and changes nothing. */
    s = prep(c, "INSERT INTO cp_test_items (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING");
    cp_stmt_bind_int(s, 1, 5);
    cp_stmt_bind_text(s, 2, "dup");
    CHECK_INT(cp_stmt_run(s, &err), CP_OK);
    CHECK_INT(cp_stmt_changes(s), 0);
    cp_stmt_finalize(s);
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 1);
    cp_db_close(db);
}

static void test_tx_commit(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    cp_conn *other = NULL;
    cp_err err = {{0}};
    CHECK_INT(cp_db_connect(db, &other, &err), CP_OK);
    if (!other) goto out;
    CHECK_INT(cp_conn_begin(c, CP_TX_WRITE, &err), CP_OK);
    CHECK(cp_conn_in_tx(c));
    CHECK_INT(cp_conn_begin(c, CP_TX_WRITE, &err), CP_E_INTERNAL); /* no nesting */
    CHECK_INT(insert_item(c, 1, "committed", NULL, 0), CP_OK);
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 1);
    CHECK_INT(query_int(other, SQL_COUNT, 0, 0), 0); /* not yet visible */
    CHECK_INT(cp_conn_commit(c, &err), CP_OK);
    CHECK(!cp_conn_in_tx(c));
    CHECK_INT(query_int(other, SQL_COUNT, 0, 0), 1);

    /* A read transaction sees the committed row. */
    CHECK_INT(cp_conn_begin(other, CP_TX_READ, &err), CP_OK);
    CHECK_INT(query_int(other, SQL_COUNT, 0, 0), 1);
    CHECK_INT(cp_conn_commit(other, &err), CP_OK);

    cp_db_stats stats;
    cp_db_stats_get(db, &stats);
    CHECK(stats.commits >= 2);
    CHECK(stats.queries >= 5);
out:
    cp_conn_close(other);
    cp_db_close(db);
}

static void test_tx_rollback(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    cp_err err = {{0}};
    CHECK_INT(cp_conn_begin(c, CP_TX_WRITE, &err), CP_OK);
    CHECK_INT(insert_item(c, 1, "gone", NULL, 0), CP_OK);
    cp_conn_rollback(c);
    CHECK(!cp_conn_in_tx(c));
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 0);
    cp_conn_rollback(c); /* harmless without a transaction */

    /* After an error inside a transaction, rolling back makes the connection
     * usable again (PostgreSQL refuses everything until then). */
    CHECK_INT(insert_item(c, 1, "kept", NULL, 0), CP_OK);
    CHECK_INT(cp_conn_begin(c, CP_TX_WRITE, &err), CP_OK);
    CHECK_INT(insert_item(c, 2, "new", NULL, 0), CP_OK);
    CHECK_INT(insert_item(c, 3, "kept", NULL, 0), CP_E_CONFLICT);
    cp_conn_rollback(c);
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 1);
    CHECK_INT(insert_item(c, 2, "new", NULL, 0), CP_OK);
    CHECK_INT(query_int(c, SQL_COUNT, 0, 0), 2);
    cp_db_close(db);
}

static void test_question_mark_in_literal(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    cp_stmt *s;
    cp_err err = {{0}};
    const char *sql = "SELECT '?' AS q, ? AS \"p?\", 'it''s ?' /* ? */, \"w?\" -- ?\n"
                      "FROM (SELECT ? AS \"w?\") AS sub";
    s = prep(c, sql);
    cp_stmt_bind_text(s, 1, "one");
    cp_stmt_bind_text(s, 2, "two");
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_count(s), 4);
    CHECK_STR(cp_stmt_col_text(s, 0), "?");
    CHECK_STR(cp_stmt_col_text(s, 1), "one");
    CHECK_STR(cp_stmt_col_text(s, 2), "it's ?");
    CHECK_STR(cp_stmt_col_text(s, 3), "two");
    cp_stmt_finalize(s);

    CHECK_INT(insert_item(c, 1, "q?", "?", 0), CP_OK);
    s = prep(c, "SELECT id FROM cp_test_items WHERE note = '?' AND name = ?");
    cp_stmt_bind_text(s, 1, "q?");
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(s, 0), 1);
    cp_stmt_finalize(s);

    if (g_pg) { /* PostgreSQL-only quoting: E'' escapes, dollar quotes */
        s = prep(c, "SELECT E'\\'?', $$?'$$, $t$?$t$, ?");
        cp_stmt_bind_text(s, 1, "x");
        CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
        CHECK_STR(cp_stmt_col_text(s, 0), "'?");
        CHECK_STR(cp_stmt_col_text(s, 1), "?'");
        CHECK_STR(cp_stmt_col_text(s, 2), "?");
        CHECK_STR(cp_stmt_col_text(s, 3), "x");
        cp_stmt_finalize(s);
    }
    cp_db_close(db);
}

static const char *name_by_id(cp_conn *c, int64_t id, char *out, size_t cap)
{
    cp_stmt *s;
    cp_err err = {{0}};
    out[0] = '\0';
    if (cp_stmt_prepare(c, "SELECT name FROM cp_test_items WHERE id = ?", &s, &err)) return out;
    cp_stmt_bind_int(s, 1, id);
    if (cp_stmt_step(s, &err) == CP_STEP_ROW) snprintf(out, cap, "%s", cp_stmt_col_text(s, 0));
    cp_stmt_finalize(s);
    return out;
}

static void test_stmt_cache(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    char buf[32];
    CHECK_INT(insert_item(c, 1, "one", NULL, 0), CP_OK);
    CHECK_INT(insert_item(c, 2, "two", NULL, 0), CP_OK);
    CHECK_INT(insert_item(c, 3, "three", NULL, 0), CP_OK);
    /* The same SQL (same pointer) again and again. */
    CHECK_STR(name_by_id(c, 1, buf, sizeof buf), "one");
    CHECK_STR(name_by_id(c, 2, buf, sizeof buf), "two");
    CHECK_STR(name_by_id(c, 2, buf, sizeof buf), "two");
    if (g_pg) /* prepared once on the server */
        CHECK_INT(query_int(c, "SELECT COUNT(*) FROM pg_prepared_statements "
                               "WHERE statement = 'SELECT name FROM cp_test_items WHERE id = $1'",
                            0, 0),
                  1);

    /* Nested use of one SQL text while the first statement is open. */
    const char *list = "SELECT id FROM cp_test_items ORDER BY id";
    cp_stmt *outer, *inner;
    cp_err err = {{0}};
    outer = prep(c, list);
    CHECK_INT(cp_stmt_step(outer, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(outer, 0), 1);
    inner = prep(c, list);
    int n = 0;
    while (cp_stmt_step(inner, &err) == CP_STEP_ROW) CHECK_INT(cp_stmt_col_int(inner, 0), ++n);
    CHECK_INT(n, 3);
    CHECK_STR(name_by_id(c, 3, buf, sizeof buf), "three"); /* and a third user meanwhile */
    CHECK_INT(cp_stmt_step(outer, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(outer, 0), 2);
    cp_stmt_finalize(inner);
    CHECK_INT(cp_stmt_step(outer, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(outer, 0), 3);
    CHECK_INT(cp_stmt_step(outer, &err), CP_STEP_DONE);
    cp_stmt_finalize(outer);

    /* The same buffer holding different SQL must not reuse the old statement. */
    char sql[64];
    for (int k = 1; k <= 3; k++) {
        snprintf(sql, sizeof sql, "SELECT ? + %d", k);
        CHECK_INT(query_int(c, sql, 1, 100), 100 + k);
    }
    cp_db_close(db);
}

/* More distinct statements than any cache holds, some open at once. */
static void test_stmt_cache_overflow(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    enum { N = 300 };
    char *sql[N];
    for (int i = 0; i < N; i++) {
        sql[i] = malloc(48);
        snprintf(sql[i], 48, "SELECT ? * 1000 + %d", i);
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) CHECK_INT(query_int(c, sql[i], 1, round), round * 1000 + i);
    cp_stmt *a, *b;
    cp_err err = {{0}};
    a = prep(c, sql[N - 1]);
    b = prep(c, sql[N - 2]);
    cp_stmt_bind_int(a, 1, 1);
    cp_stmt_bind_int(b, 1, 2);
    CHECK_INT(cp_stmt_step(b, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_step(a, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(a, 0), 1000 + N - 1);
    CHECK_INT(cp_stmt_col_int(b, 0), 2000 + N - 2);
    cp_stmt_finalize(a);
    cp_stmt_finalize(b);
    for (int i = 0; i < N; i++) free(sql[i]);
    cp_db_close(db);
}

static void test_update_returning(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    CHECK_INT(insert_item(c, 1, "counter", NULL, 41), CP_OK);
    cp_stmt *s;
    cp_err err = {{0}};
    s = prep(c, "UPDATE cp_test_items SET n = n + 1 WHERE id = ? RETURNING n, name");
    cp_stmt_bind_int(s, 1, 1);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(s, 0), 42);
    CHECK_STR(cp_stmt_col_text(s, 1), "counter");
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_DONE);
    CHECK_INT(cp_stmt_changes(s), 1);
    cp_stmt_finalize(s);
    CHECK_INT(query_int(c, "SELECT n FROM cp_test_items WHERE id = ?", 1, 1), 42);
    cp_db_close(db);
}

static void test_ping(void)
{
    cp_db *db = open_db(g_url);
    if (!db) return;
    cp_err err = {{0}};
    cp_conn *c = thread_conn(db);
    CHECK_INT(cp_conn_ping(c, &err), CP_OK);
    CHECK_INT(cp_conn_ping(c, &err), CP_OK);
    cp_db_close(db);
}

typedef struct {
    cp_db *db;
    cp_conn *conn, *again;
    cp_status ping;
} thread_result;

static void *thread_main(void *arg)
{
    thread_result *r = arg;
    cp_err err;
    r->conn = cp_db_thread_conn(r->db, &err);
    if (!r->conn) return NULL;
    r->ping = cp_conn_ping(r->conn, &err);
    r->again = cp_db_thread_conn(r->db, &err);
    return NULL;
}

static void test_thread_conns(void)
{
    cp_db *db = open_db(g_url);
    if (!db) return;
    cp_conn *mine = thread_conn(db);
    thread_result r[2] = {{.db = db, .ping = CP_E_INTERNAL}, {.db = db, .ping = CP_E_INTERNAL}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, thread_main, &r[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        CHECK(r[i].conn != NULL);
        CHECK(r[i].conn == r[i].again);
        CHECK(r[i].conn != mine);
        CHECK_INT(r[i].ping, CP_OK);
    }
    CHECK(r[0].conn != r[1].conn);
    cp_db_close(db); /* closes all three */
}

/* url with ":password" inserted before the '@' of its user info, or "" when
 * it has no user info. */
static void with_password(const char *url, const char *pw, char *out, size_t cap)
{
    const char *at = strchr(url, '@');
    out[0] = '\0';
    if (at && !memchr(url + strlen("postgresql://"), ':', (size_t)(at - url) - strlen("postgresql://")))
        snprintf(out, cap, "%.*s:%s%s", (int)(at - url), url, pw, at);
}

static void test_describe(void)
{
    if (!g_pg) {
        cp_db *db = open_db(g_url);
        if (!db) return;
        CHECK(strstr(cp_db_describe(db), g_dir) != NULL);
        cp_db_close(db);
        return;
    }
    char url[1100];
    with_password(g_url, "s3cret-pw", url, sizeof url);
    if (!url[0]) {
        fprintf(stderr, "  (CP_TEST_PG_URL has no user@; password form not checked)\n");
        return;
    }
    cp_db *db = open_db(url); /* trust authentication ignores the password */
    if (!db) return;
    CHECK(strstr(cp_db_describe(db), "s3cret") == NULL);
    CHECK(strstr(cp_db_describe(db), "127.0.0.1") != NULL || strstr(cp_db_describe(db), "@") != NULL);
    cp_db_close(db);
}

static void test_backup(void)
{
    cp_db *db;
    cp_conn *c = setup(&db);
    if (!c) return;
    CHECK_INT(insert_item(c, 1, "saved", NULL, 5), CP_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/backup.db", g_pg ? "/nonexistent" : g_dir);
    cp_err err = {{0}};
    cp_status st = cp_db_backup(db, path, &err);
    cp_db_close(db);
    if (g_pg) {
        CHECK_INT(st, CP_E_UNPROCESSABLE);
        CHECK(strstr(err.msg, "pg_dump") != NULL);
        return;
    }
    CHECK_INT(st, CP_OK);
    cp_db *copy = open_db(path);
    if (!copy) return;
    cp_conn *cc = thread_conn(copy);
    CHECK_INT(query_int(cc, "SELECT n FROM cp_test_items WHERE name = 'saved'", 0, 0), 5);
    cp_db_close(copy);
    unlink(path);
}

/* ---- PostgreSQL only: a broken connection ----------------------------- */

static void terminate_backend(cp_conn *killer, int64_t pid)
{
    CHECK_INT(query_int(killer, "SELECT pg_terminate_backend(?, 5000)", 1, pid), 1);
}

static void test_pg_reconnect(void)
{
    cp_db *db = open_db(g_url);
    if (!db) return;
    cp_conn *c = thread_conn(db), *killer = NULL;
    cp_err err = {{0}};
    CHECK_INT(cp_db_connect(db, &killer, &err), CP_OK);
    if (!c || !killer) goto out;
    const char *pid_sql = "SELECT pg_backend_pid()";

    /* Outside a transaction: the first use fails, the next one reconnects. */
    int64_t pid = query_int(c, pid_sql, 0, 0);
    cp_stmt *stale;
    stale = prep(c, pid_sql);
    terminate_backend(killer, pid);
    CHECK_INT(cp_conn_ping(c, &err), CP_E_UNAVAILABLE);
    CHECK_INT(cp_conn_ping(c, &err), CP_OK);
    int64_t pid2 = query_int(c, pid_sql, 0, 0);
    CHECK(pid2 != pid && pid2 > 0);
    CHECK_INT(cp_stmt_step(stale, &err), CP_STEP_ERROR); /* prepared on the old session */
    CHECK_INT(cp_stmt_status(stale), CP_E_UNAVAILABLE);
    cp_stmt_finalize(stale);

    /* Inside one: nothing works until the caller rolls back. */
    CHECK_INT(cp_conn_begin(c, CP_TX_WRITE, &err), CP_OK);
    terminate_backend(killer, pid2);
    CHECK_INT(cp_conn_ping(c, &err), CP_E_UNAVAILABLE);
    CHECK_INT(cp_conn_ping(c, &err), CP_E_UNAVAILABLE);
    CHECK_INT(cp_conn_commit(c, &err), CP_E_UNAVAILABLE);
    CHECK(!cp_conn_in_tx(c));
    CHECK_INT(cp_conn_ping(c, &err), CP_OK);
out:
    cp_conn_close(killer);
    cp_db_close(db);
}

static void test_pg_bind_misuse(void)
{
    cp_db *db = open_db(g_url);
    if (!db) return;
    cp_conn *c = thread_conn(db);
    cp_stmt *s;
    cp_err err = {{0}};
    s = prep(c, "SELECT ?");
    cp_stmt_bind_int(s, 2, 1);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ERROR);
    CHECK(cp_stmt_status(s) != CP_OK);
    cp_stmt_finalize(s);
    s = prep(c, "SELECT ?");
    cp_stmt_bind_textn(s, 1, "a\0b", 3);
    CHECK_INT(cp_stmt_step(s, &err), CP_STEP_ERROR);
    cp_stmt_finalize(s);
    CHECK_INT(cp_stmt_prepare(c, "SELEC ?", &s, &err), CP_E_STORE);
    CHECK(strstr(err.msg, "42601") != NULL); /* syntax_error */
    cp_db_close(db);
}

/* ---- backend independent ------------------------------------------------ */

static void test_open_errors(void)
{
    cp_db *db = NULL;
    cp_err err = {{0}};
    CHECK_INT(cp_db_open("mysql://x/y", &db, &err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_db_open("", &db, &err), CP_E_BAD_REQUEST);
    /* Nothing listens on port 1; the message must not show the password. */
    CHECK_INT(cp_db_open("postgresql://alice:hunter2-pw@127.0.0.1:1/x?connect_timeout=2", &db, &err),
              CP_E_UNAVAILABLE);
    CHECK(db == NULL);
    CHECK(err.msg[0] != '\0');
    CHECK(strstr(err.msg, "hunter2") == NULL);
    CHECK_INT(cp_db_open("postgresql://127.0.0.1:1/x?connect_timeout=2&password=hunter2-pw", &db, &err),
              CP_E_UNAVAILABLE);
    CHECK(strstr(err.msg, "hunter2") == NULL);
}

static void run_suite(const char *backend, const char *url)
{
    g_backend = backend;
    g_pg = strcmp(backend, "postgresql") == 0;
    snprintf(g_url, sizeof g_url, "%s", url);
    fprintf(stderr, "== %s\n", backend);
    RUN(test_open_close);
    RUN(test_exec_ddl);
    RUN(test_bind_and_read);
    RUN(test_changes);
    RUN(test_unique_conflict);
    RUN(test_tx_commit);
    RUN(test_tx_rollback);
    RUN(test_question_mark_in_literal);
    RUN(test_stmt_cache);
    RUN(test_stmt_cache_overflow);
    RUN(test_update_returning);
    RUN(test_ping);
    RUN(test_thread_conns);
    RUN(test_describe);
    RUN(test_backup);
    if (g_pg) {
        RUN(test_pg_reconnect);
        RUN(test_pg_bind_misuse);
    }
}

int main(void)
{
    RUN(test_open_errors);

    snprintf(g_dir, sizeof g_dir, "/tmp/cp-test-store-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/store.db", g_dir);
    run_suite("sqlite", url);
    const char *files[] = {"store.db", "store.db-wal", "store.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", g_dir, files[i]);
        unlink(path);
    }
    rmdir(g_dir);

    const char *pg = getenv("CP_TEST_PG_URL");
    const char *require = getenv("CP_REQUIRE_PG");
    if (pg && *pg) {
        run_suite("postgresql", pg);
    } else if (require && strcmp(require, "1") == 0) {
        fprintf(stderr, "FAIL: CP_REQUIRE_PG=1 but CP_TEST_PG_URL is not set; "
                        "start a cluster with scripts/pg-test-cluster.sh\n");
        harness_failures++;
    } else {
        fprintf(stderr, "== postgresql: not run (set CP_TEST_PG_URL to run it)\n");
    }
    return harness_done();
}
