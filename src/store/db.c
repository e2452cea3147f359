/*
 * db.c — backend dispatch, per-thread connections, transactions, statistics.
 */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/backend.h"

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Copies url into out with any ":password@" part replaced by ":***@". */
static void describe_url(const char *url, char *out, size_t cap)
{
    const char *scheme_end = strstr(url, "://");
    const char *at = strchr(url, '@');
    if (scheme_end && at && at > scheme_end) {
        const char *colon = memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3));
        if (colon) {
            snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
            return;
        }
    }
    /* Also hide password=... in keyword/value or query form. */
    const char *pw = strstr(url, "password=");
    if (pw) {
        snprintf(out, cap, "%.*spassword=***", (int)(pw - url), url);
        return;
    }
    snprintf(out, cap, "%s", url);
}

cp_status cp_db_open(const char *url, cp_db **out, cp_err *err)
{
    *out = NULL;
    if (!url || !*url) return cp_fail(err, CP_E_BAD_REQUEST, "empty database URL");
    const cp_db_backend *be;
    const char *target = url;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        be = &cp_pg_backend;
    } else if (has_prefix(url, "sqlite:")) {
        be = &cp_sqlite_backend;
        target = url + strlen("sqlite:");
        if (has_prefix(target, "//")) target += 2;
    } else if (strstr(url, "://")) {
        return cp_fail(err, CP_E_BAD_REQUEST,
                       "unsupported database URL scheme in '%.64s' (use postgresql:// or sqlite:PATH)", url);
    } else {
        be = &cp_sqlite_backend;
    }
    if (!*target) return cp_fail(err, CP_E_BAD_REQUEST, "database URL names no file");
    cp_db *db = calloc(1, sizeof *db);
    if (!db) return cp_fail(err, CP_E_NOMEM, "out of memory");
    db->be = be;
    db->target = strdup(target);
    if (!db->target || pthread_key_create(&db->tls_key, NULL) != 0) {
        free(db->target);
        free(db);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    pthread_mutex_init(&db->owned_mu, NULL);
    pthread_mutex_init(&db->write_mu, NULL);
    char shown[200];
    describe_url(target, shown, sizeof shown);
    snprintf(db->described, sizeof db->described, "%s:%s", be->name, shown);
    /* Connect once now so a bad URL fails at start-up, not at first request. */
    cp_conn *c = cp_db_thread_conn(db, err);
    if (!c) {
        cp_db_close(db);
        return CP_E_UNAVAILABLE;
    }
    *out = db;
    return CP_OK;
}

void cp_db_close(cp_db *db)
{
    if (!db) return;
    pthread_mutex_lock(&db->owned_mu);
    cp_conn *c = db->owned;
    db->owned = NULL;
    pthread_mutex_unlock(&db->owned_mu);
    while (c) {
        cp_conn *next = c->next_owned;
        cp_conn_rollback(c);
        c->be->close(c);
        c = next;
    }
    pthread_key_delete(db->tls_key);
    pthread_mutex_destroy(&db->owned_mu);
    pthread_mutex_destroy(&db->write_mu);
    free(db->target);
    free(db);
}

cp_dialect cp_db_dialect(const cp_db *db) { return db->be->dialect; }
const char *cp_db_describe(const cp_db *db) { return db->described; }

cp_conn *cp_db_thread_conn(cp_db *db, cp_err *err)
{
    cp_conn *c = pthread_getspecific(db->tls_key);
    if (c) return c;
    if (db->be->connect(db, &c, err) != CP_OK) return NULL;
    c->be = db->be;
    c->db = db;
    pthread_mutex_lock(&db->owned_mu);
    c->next_owned = db->owned;
    db->owned = c;
    pthread_mutex_unlock(&db->owned_mu);
    pthread_setspecific(db->tls_key, c);
    return c;
}

cp_status cp_db_connect(cp_db *db, cp_conn **out, cp_err *err)
{
    cp_status st = db->be->connect(db, out, err);
    if (st) return st;
    (*out)->be = db->be;
    (*out)->db = db;
    return CP_OK;
}

void cp_conn_close(cp_conn *c)
{
    if (!c) return;
    cp_conn_rollback(c); /* releases the write queue if a transaction was left open */
    c->be->close(c);
}

cp_dialect cp_conn_dialect(const cp_conn *c) { return c->be->dialect; }

cp_status cp_conn_begin(cp_conn *c, cp_tx_kind kind, cp_err *err)
{
    if (c->in_tx) return cp_fail(err, CP_E_INTERNAL, "nested transaction");
    bool queue = kind == CP_TX_WRITE && c->be == &cp_sqlite_backend;
    if (queue) pthread_mutex_lock(&c->db->write_mu);
    cp_status st = c->be->exec(c, kind == CP_TX_WRITE ? c->be->begin_write_sql : c->be->begin_read_sql, err);
    if (st == CP_OK) {
        c->in_tx = true;
        c->holds_write_mu = queue;
    } else if (queue) {
        pthread_mutex_unlock(&c->db->write_mu);
    }
    return st;
}

static void end_tx(cp_conn *c)
{
    c->in_tx = false;
    if (c->holds_write_mu) {
        c->holds_write_mu = false;
        pthread_mutex_unlock(&c->db->write_mu);
    }
}

cp_status cp_conn_commit(cp_conn *c, cp_err *err)
{
    uint64_t t0 = now_us();
    cp_status st = c->be->exec(c, "COMMIT", err);
    if (st) {
        c->be->exec(c, "ROLLBACK", NULL);
        end_tx(c);
        atomic_fetch_add(&c->db->errors, 1);
        return st;
    }
    end_tx(c);
    atomic_fetch_add(&c->db->commits, 1);
    atomic_fetch_add(&c->db->commit_us, now_us() - t0);
    return CP_OK;
}

void cp_conn_rollback(cp_conn *c)
{
    if (!c->in_tx) return;
    c->be->exec(c, "ROLLBACK", NULL);
    end_tx(c);
}

bool cp_conn_in_tx(const cp_conn *c) { return c->in_tx; }

cp_status cp_conn_exec(cp_conn *c, const char *sql, cp_err *err)
{
    cp_status st = c->be->exec(c, sql, err);
    if (st) atomic_fetch_add(&c->db->errors, 1);
    return st;
}

cp_status cp_conn_ping(cp_conn *c, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1", &s, err);
    if (st) return st;
    cp_step r = cp_stmt_step(s, err);
    st = r == CP_STEP_ROW ? CP_OK : cp_stmt_status(s);
    if (r == CP_STEP_DONE) st = cp_fail(err, CP_E_STORE, "SELECT 1 returned no row");
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_stmt_prepare(cp_conn *c, const char *sql, cp_stmt **out, cp_err *err)
{
    cp_status st = c->be->prepare(c, sql, out, err);
    if (st) {
        atomic_fetch_add(&c->db->errors, 1);
        return st;
    }
    (*out)->conn = c;
    (*out)->status = CP_OK;
    return CP_OK;
}

void cp_stmt_bind_text(cp_stmt *s, int idx, const char *text)
{
    s->conn->be->bind_text(s, idx, text, text ? strlen(text) : 0);
}
void cp_stmt_bind_textn(cp_stmt *s, int idx, const char *text, size_t len)
{
    s->conn->be->bind_text(s, idx, text, len);
}
void cp_stmt_bind_int(cp_stmt *s, int idx, int64_t v) { s->conn->be->bind_int(s, idx, v); }
void cp_stmt_bind_null(cp_stmt *s, int idx) { s->conn->be->bind_text(s, idx, NULL, 0); }

cp_step cp_stmt_step(cp_stmt *s, cp_err *err)
{
    cp_db *db = s->conn->db;
    cp_step r;
    if (!s->stepped) {
        /* The first step executes the statement and is what the statistics
         * time; later steps walk rows (a page of 100 would otherwise read
         * the clock 200 times and bounce two shared counters between
         * threads: about a tenth of a page's CPU, measured). */
        s->stepped = true;
        uint64_t t0 = now_us();
        r = s->conn->be->step(s, err);
        atomic_fetch_add(&db->queries, 1);
        atomic_fetch_add(&db->query_us, now_us() - t0);
    } else {
        r = s->conn->be->step(s, err);
    }
    if (r == CP_STEP_ERROR) {
        if (s->status == CP_OK) s->status = CP_E_STORE;
        atomic_fetch_add(&db->errors, 1);
    }
    return r;
}

cp_status cp_stmt_status(const cp_stmt *s) { return s->status; }
const char *cp_stmt_col_text(cp_stmt *s, int col) { return s->conn->be->col_text(s, col); }
int64_t cp_stmt_col_int(cp_stmt *s, int col) { return s->conn->be->col_int(s, col); }
bool cp_stmt_col_is_null(cp_stmt *s, int col) { return s->conn->be->col_is_null(s, col); }
int cp_stmt_col_count(cp_stmt *s) { return s->conn->be->col_count(s); }
int64_t cp_stmt_changes(cp_stmt *s) { return s->conn->be->changes(s); }

void cp_stmt_finalize(cp_stmt *s)
{
    if (s) s->conn->be->finalize(s);
}

cp_status cp_stmt_run(cp_stmt *s, cp_err *err)
{
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
    }
    return r == CP_STEP_DONE ? CP_OK : cp_stmt_status(s);
}

cp_status cp_db_backup(cp_db *db, const char *path, cp_err *err)
{
    return db->be->backup(db, path, err);
}

void cp_db_stats_get(const cp_db *db, cp_db_stats *out)
{
    cp_db *m = (cp_db *)db;
    out->queries = atomic_load(&m->queries);
    out->query_us = atomic_load(&m->query_us);
    out->commits = atomic_load(&m->commits);
    out->commit_us = atomic_load(&m->commit_us);
    out->errors = atomic_load(&m->errors);
}
