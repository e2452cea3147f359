/*
 * backend.h — what a storage backend implements (internal to src/store/).
 *
 * db.c holds the generic parts (URL dispatch, per-thread connections,
 * transactions, statistics) and calls a backend through this table. A backend
 * embeds cp_conn_base / cp_stmt_base as the FIRST member of its own connection
 * and statement structs, so db.c can reach the common fields.
 */
#ifndef CP_STORE_BACKEND_H
#define CP_STORE_BACKEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "store/db.h"

typedef struct cp_db_backend cp_db_backend;

struct cp_conn {
    const cp_db_backend *be;
    cp_db *db;
    bool in_tx;
    bool holds_write_mu; /* this connection's write transaction holds db->write_mu */
    struct cp_conn *next_owned; /* list of thread connections owned by db */
};

struct cp_stmt {
    cp_conn *conn;
    cp_status status; /* status of the last failed step, CP_OK otherwise */
    bool stepped;     /* the first step (the execution) has been timed */
};

struct cp_db_backend {
    cp_dialect dialect;
    const char *name;
    /* Opens a connection to db->target. */
    cp_status (*connect)(cp_db *db, cp_conn **out, cp_err *err);
    void (*close)(cp_conn *c);
    cp_status (*exec)(cp_conn *c, const char *sql, cp_err *err);
    cp_status (*prepare)(cp_conn *c, const char *sql, cp_stmt **out, cp_err *err);
    /* text == NULL binds NULL. text is copied (or bound transient). */
    void (*bind_text)(cp_stmt *s, int idx, const char *text, size_t len);
    void (*bind_int)(cp_stmt *s, int idx, int64_t v);
    /* Sets s->status on error (CP_E_CONFLICT for unique violations). */
    cp_step (*step)(cp_stmt *s, cp_err *err);
    const char *(*col_text)(cp_stmt *s, int col);
    int64_t (*col_int)(cp_stmt *s, int col);
    bool (*col_is_null)(cp_stmt *s, int col);
    int (*col_count)(cp_stmt *s);
    int64_t (*changes)(cp_stmt *s);
    void (*finalize)(cp_stmt *s);
    cp_status (*backup)(cp_db *db, const char *path, cp_err *err);
    /* SQL that opens a write / read transaction on this backend. */
    const char *begin_write_sql;
    const char *begin_read_sql;
};

struct cp_db {
    const cp_db_backend *be;
    char *target;      /* file path (SQLite) or conninfo URL (PostgreSQL) */
    char described[256];
    pthread_key_t tls_key;
    pthread_mutex_t owned_mu;
    /* SQLite: writers of this process queue here before BEGIN IMMEDIATE, a
     * blocking wait instead of SQLite's busy handler, which polls with
     * sleeps and leaves the write lock idle between them. */
    pthread_mutex_t write_mu;
    cp_conn *owned;    /* every thread connection, closed by cp_db_close */
    _Atomic uint64_t queries, query_us, commits, commit_us, errors;
};

extern const cp_db_backend cp_sqlite_backend;
extern const cp_db_backend cp_pg_backend;

/* Statement caches are keyed by the SQL's content (callers may build SQL in
 * a buffer): this hash is the cheap first test, then the text is compared. */
static inline uint64_t cp_sql_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

#endif
