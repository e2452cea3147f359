/*
 * sqlite.c — the embedded SQLite backend.
 *
 * Settings on every connection: WAL journal, synchronous=FULL (a commit that
 * returned is on disk, so it survives kill -9 and power loss), foreign keys
 * on, a busy timeout so concurrent writers wait instead of failing.
 *
 * Prepared statements are cached per connection, keyed by the SQL's content
 * (a hash, then the text; SQL built in a buffer is cached too), so the hot
 * paths never re-parse SQL.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

#define SQLITE_BUSY_TIMEOUT_MS 10000
#define SQLITE_STMT_CACHE_MAX 256

typedef struct {
    uint64_t hash;       /* cp_sql_hash of the text */
    char *text;          /* copy of the SQL: the key */
    sqlite3_stmt *stmt;
    bool in_use;
} cache_slot;

typedef struct {
    struct cp_conn base;
    sqlite3 *h;
    cache_slot cache[SQLITE_STMT_CACHE_MAX];
    int cache_n;
} sq_conn;

typedef struct {
    struct cp_stmt base;
    sqlite3_stmt *st;
    cache_slot *slot; /* NULL when not cached */
    int64_t changes;
} sq_stmt;

static cp_status sq_error(sqlite3 *h, int rc, cp_err *err, const char *what)
{
    int ext = sqlite3_extended_errcode(h);
    cp_status st = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                       ? CP_E_CONFLICT
                       : (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? CP_E_UNAVAILABLE : CP_E_STORE;
    return cp_fail(err, st, "sqlite %s: %s", what, sqlite3_errmsg(h));
}

static cp_status sq_exec(cp_conn *c, const char *sql, cp_err *err)
{
    sq_conn *sc = (sq_conn *)c;
    char *msg = NULL;
    int rc = sqlite3_exec(sc->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        cp_status st = sq_error(sc->h, rc, err, "exec");
        sqlite3_free(msg);
        return st;
    }
    return CP_OK;
}

static cp_status sq_connect(cp_db *db, cp_conn **out, cp_err *err)
{
    sq_conn *c = calloc(1, sizeof *c);
    if (!c) return cp_fail(err, CP_E_NOMEM, "out of memory");
    int rc = sqlite3_open_v2(db->target, &c->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cp_status st = cp_fail(err, CP_E_UNAVAILABLE, "cannot open SQLite database '%s': %s", db->target,
                               c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
        sqlite3_close(c->h);
        free(c);
        return st;
    }
    sqlite3_busy_timeout(c->h, SQLITE_BUSY_TIMEOUT_MS);
    c->base.db = db;
    cp_status st = sq_exec(&c->base,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                           "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                           /* 64 MiB of page cache per connection and reads
                            * through mmap: the intel indexes (random ids)
                            * outgrow the 2 MiB default at a few 100,000 rows;
                            * checkpoints every 64 MiB of WAL instead of 4, so
                            * a page written by several envelopes is copied
                            * back once. */
                           "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824; "
                           "PRAGMA wal_autocheckpoint=16384;",
                           err);
    if (st) {
        sqlite3_close(c->h);
        free(c);
        return st;
    }
    *out = &c->base;
    return CP_OK;
}

static void sq_close(cp_conn *c)
{
    sq_conn *sc = (sq_conn *)c;
    for (int i = 0; i < sc->cache_n; i++) {
        sqlite3_finalize(sc->cache[i].stmt);
        free(sc->cache[i].text);
    }
    sqlite3_close(sc->h);
    free(sc);
}

static cp_status sq_prepare(cp_conn *c, const char *sql, cp_stmt **out, cp_err *err)
{
    sq_conn *sc = (sq_conn *)c;
    sq_stmt *s = calloc(1, sizeof *s);
    if (!s) return cp_fail(err, CP_E_NOMEM, "out of memory");
    uint64_t hash = cp_sql_hash(sql);
    for (int i = 0; i < sc->cache_n; i++) {
        cache_slot *slot = &sc->cache[i];
        /* Keyed by content (SQL built in a buffer hits too); the text is
         * compared after the hash so a reused buffer cannot mismatch. */
        if (!slot->in_use && slot->hash == hash && strcmp(slot->text, sql) == 0) {
            slot->in_use = true;
            s->st = slot->stmt;
            s->slot = slot;
            *out = &s->base;
            return CP_OK;
        }
    }
    int rc = sqlite3_prepare_v3(sc->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return sq_error(sc->h, rc, err, "prepare");
    }
    char *text = sc->cache_n < SQLITE_STMT_CACHE_MAX ? strdup(sql) : NULL;
    if (text) {
        cache_slot *slot = &sc->cache[sc->cache_n++];
        slot->hash = hash;
        slot->text = text;
        slot->stmt = s->st;
        slot->in_use = true;
        s->slot = slot;
    }
    *out = &s->base;
    return CP_OK;
}

static void sq_bind_text(cp_stmt *s, int idx, const char *text, size_t len)
{
    sq_stmt *q = (sq_stmt *)s;
    if (!text)
        sqlite3_bind_null(q->st, idx);
    else
        sqlite3_bind_text64(q->st, idx, text, len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void sq_bind_int(cp_stmt *s, int idx, int64_t v)
{
    sqlite3_bind_int64(((sq_stmt *)s)->st, idx, v);
}

static cp_step sq_step(cp_stmt *s, cp_err *err)
{
    sq_stmt *q = (sq_stmt *)s;
    sqlite3 *h = sqlite3_db_handle(q->st);
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW) return CP_STEP_ROW;
    if (rc == SQLITE_DONE) {
        q->changes = sqlite3_changes64(h);
        return CP_STEP_DONE;
    }
    s->status = sq_error(h, rc, err, "step");
    return CP_STEP_ERROR;
}

static const char *sq_col_text(cp_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(((sq_stmt *)s)->st, col);
}
static int64_t sq_col_int(cp_stmt *s, int col) { return sqlite3_column_int64(((sq_stmt *)s)->st, col); }
static bool sq_col_is_null(cp_stmt *s, int col)
{
    return sqlite3_column_type(((sq_stmt *)s)->st, col) == SQLITE_NULL;
}
static int sq_col_count(cp_stmt *s) { return sqlite3_column_count(((sq_stmt *)s)->st); }
static int64_t sq_changes(cp_stmt *s) { return ((sq_stmt *)s)->changes; }

static void sq_finalize(cp_stmt *s)
{
    sq_stmt *q = (sq_stmt *)s;
    if (q->slot) {
        sqlite3_reset(q->st);
        sqlite3_clear_bindings(q->st);
        q->slot->in_use = false;
    } else {
        sqlite3_finalize(q->st);
    }
    free(q);
}

static cp_status sq_backup(cp_db *db, const char *path, cp_err *err)
{
    sqlite3 *src = NULL, *dst = NULL;
    cp_status st = CP_OK;
    if (sqlite3_open_v2(db->target, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = cp_fail(err, CP_E_IO, "cannot open '%s': %s", db->target, sqlite3_errmsg(src));
        goto out;
    }
    sqlite3_busy_timeout(src, SQLITE_BUSY_TIMEOUT_MS);
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = cp_fail(err, CP_E_IO, "cannot create '%s': %s", path, sqlite3_errmsg(dst));
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        st = cp_fail(err, CP_E_IO, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int rc;
    /* Copy in steps so a running server is never blocked for long; restart
     * automatically when another connection writes (SQLite does this). */
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) st = cp_fail(err, CP_E_IO, "backup: %s", sqlite3_errstr(rc));
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    return st;
}

const cp_db_backend cp_sqlite_backend = {
    .dialect = CP_DIALECT_SQLITE,
    .name = "sqlite",
    .connect = sq_connect,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_is_null = sq_col_is_null,
    .col_count = sq_col_count,
    .changes = sq_changes,
    .finalize = sq_finalize,
    .backup = sq_backup,
    .begin_write_sql = "BEGIN IMMEDIATE",
    .begin_read_sql = "BEGIN DEFERRED",
};
