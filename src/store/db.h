/*
 * db.h — the only interface to the store that the rest of cyberpact sees.
 *
 * Two backends sit behind it: SQLite (sqlite.c, the embedded default) and
 * PostgreSQL (pg.c, libpq). Nothing outside src/store/ includes sqlite3.h or
 * libpq-fe.h.
 *
 * Model
 *   cp_db    a store: the URL it was opened from and its backend. Thread-safe.
 *   cp_conn  one connection. NOT thread-safe: a connection belongs to one
 *            thread at a time. cp_db_thread_conn() hands each thread its own,
 *            opened lazily and closed by cp_db_close().
 *   cp_stmt  one statement on a connection: bind parameters, step rows, read
 *            columns, finalize. Statements are cheap to create: each backend
 *            caches the prepared form per connection, keyed by the SQL text.
 *
 * SQL dialect
 *   SQL is written once, in the subset both backends understand:
 *   - placeholders are `?` (the PostgreSQL backend rewrites them to $1, $2 ...
 *     outside string literals);
 *   - types TEXT, BIGINT (64-bit integers; timestamps are ms since the epoch),
 *     and INTEGER for small flags; no BLOBs (binary is stored hex or base64);
 *   - `INSERT ... ON CONFLICT DO NOTHING`, `UPDATE ... RETURNING`, partial
 *     indexes and `LIMIT ?` work on both.
 *   Where the dialects truly differ, callers ask cp_conn_dialect().
 *
 * Values cross the interface as text or 64-bit integers. Parameters are
 * numbered from 1, columns from 0 (as in SQLite).
 *
 * Transactions
 *   cp_conn_begin(c, CP_TX_WRITE) takes the write lock at once (SQLite
 *   BEGIN IMMEDIATE; PostgreSQL BEGIN), so a write transaction never fails
 *   half-way on a lock upgrade. Every write in cyberpact happens inside one,
 *   together with its audit entry (audit/audit.h). Commit is durable when it
 *   returns (SQLite WAL with synchronous=FULL; PostgreSQL's default
 *   synchronous_commit).
 *
 * Errors
 *   Functions return cp_status and fill a cp_err with the backend's message.
 *   A unique-constraint violation is CP_E_CONFLICT; other failures are
 *   CP_E_STORE. After any error inside a transaction the caller rolls back.
 */
#ifndef CP_STORE_DB_H
#define CP_STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"

typedef struct cp_db cp_db;
typedef struct cp_conn cp_conn;
typedef struct cp_stmt cp_stmt;

typedef enum { CP_DIALECT_SQLITE, CP_DIALECT_PG } cp_dialect;
typedef enum { CP_TX_READ, CP_TX_WRITE } cp_tx_kind;

/* Result of cp_stmt_step(). */
typedef enum { CP_STEP_ROW = 1, CP_STEP_DONE = 0, CP_STEP_ERROR = -1 } cp_step;

/* Opens a store. url is either a PostgreSQL URL ("postgresql://..." or
 * "postgres://...") or a path to an SQLite file ("sqlite:PATH" or a bare
 * PATH). Opening does not run migrations (see migrate.h). *out is owned by
 * the caller and released with cp_db_close(). */
cp_status cp_db_open(const char *url, cp_db **out, cp_err *err);
/* Closes every connection handed out by cp_db_thread_conn() and frees db.
 * No thread may use any of those connections any more. */
void cp_db_close(cp_db *db);
cp_dialect cp_db_dialect(const cp_db *db);
/* A printable description of the store with any password removed. Static
 * storage inside db. */
const char *cp_db_describe(const cp_db *db);

/* The calling thread's own connection, opened on first use. Borrowed: owned
 * by db. Returns NULL (and fills err) when the store cannot be reached. */
cp_conn *cp_db_thread_conn(cp_db *db, cp_err *err);
/* A new connection owned by the caller (for tools and tests that want more
 * than one per thread); release with cp_conn_close(). */
cp_status cp_db_connect(cp_db *db, cp_conn **out, cp_err *err);
void cp_conn_close(cp_conn *c);
cp_dialect cp_conn_dialect(const cp_conn *c);

cp_status cp_conn_begin(cp_conn *c, cp_tx_kind kind, cp_err *err);
cp_status cp_conn_commit(cp_conn *c, cp_err *err);
/* Never fails from the caller's point of view; safe without a transaction. */
void cp_conn_rollback(cp_conn *c);
bool cp_conn_in_tx(const cp_conn *c);

/* Runs one or more statements without parameters or results (DDL). */
cp_status cp_conn_exec(cp_conn *c, const char *sql, cp_err *err);

/* Cheap liveness check: runs SELECT 1. */
cp_status cp_conn_ping(cp_conn *c, cp_err *err);

/* Statements. sql must stay valid until cp_stmt_finalize. Prepared forms
 * are cached per connection by content, so SQL built at run time should
 * come in few shapes (pad IN lists). A stmt is owned by the caller; always finalize it. */
cp_status cp_stmt_prepare(cp_conn *c, const char *sql, cp_stmt **out, cp_err *err);
/* Bind parameter idx (1-based). Text is copied. NULL s binds SQL NULL. */
void cp_stmt_bind_text(cp_stmt *s, int idx, const char *text);
void cp_stmt_bind_textn(cp_stmt *s, int idx, const char *text, size_t len);
void cp_stmt_bind_int(cp_stmt *s, int idx, int64_t v);
void cp_stmt_bind_null(cp_stmt *s, int idx);
/* Steps to the next row. On CP_STEP_ERROR, err says why and the returned
 * status (via cp_stmt_status) is CP_E_CONFLICT or CP_E_STORE. */
cp_step cp_stmt_step(cp_stmt *s, cp_err *err);
cp_status cp_stmt_status(const cp_stmt *s);
/* Column accessors for the current row (0-based). Text is borrowed until the
 * next step or finalize; NULL columns read as NULL text / 0. */
const char *cp_stmt_col_text(cp_stmt *s, int col);
int64_t cp_stmt_col_int(cp_stmt *s, int col);
bool cp_stmt_col_is_null(cp_stmt *s, int col);
int cp_stmt_col_count(cp_stmt *s);
/* Rows changed by the last INSERT/UPDATE/DELETE step. */
int64_t cp_stmt_changes(cp_stmt *s);
void cp_stmt_finalize(cp_stmt *s);

/* Convenience: prepare, bind nothing, step once; for statements that only
 * modify. Returns CP_OK, CP_E_CONFLICT or CP_E_STORE. */
cp_status cp_stmt_run(cp_stmt *s, cp_err *err);

/* Online backup of the store into path (SQLite only; consistent while the
 * server runs). For PostgreSQL returns CP_E_UNPROCESSABLE with a message
 * pointing at pg_dump. */
cp_status cp_db_backup(cp_db *db, const char *path, cp_err *err);

/* Timing statistics for /metrics: cumulative count and microseconds of
 * statement executions (the first step of each statement; later steps only
 * walk rows) and commits, across all connections. */
typedef struct {
    uint64_t queries;
    uint64_t query_us;
    uint64_t commits;
    uint64_t commit_us;
    uint64_t errors;
} cp_db_stats;
void cp_db_stats_get(const cp_db *db, cp_db_stats *out);

#endif
