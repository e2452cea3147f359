/*
 * migrate.h — numbered schema migrations.
 *
 * The schema is a list of migrations (schema.c), each with a number, a name
 * and SQL in the portable subset of db.h (with a per-dialect variant where
 * the two differ). cp_migrate() runs the pending ones in order, all inside
 * one write transaction, recording each in schema_migrations. It refuses to
 * run when the store holds a migration newer than this binary knows: an
 * older binary must never write to a newer store.
 */
#ifndef CP_STORE_MIGRATE_H
#define CP_STORE_MIGRATE_H

#include "store/db.h"

typedef struct {
    int version;
    const char *name;
    const char *sql;        /* both dialects */
    const char *sql_sqlite; /* SQLite only, run before sql (may be NULL) */
    const char *sql_pg;     /* PostgreSQL only, run before sql (may be NULL) */
} cp_migration;

extern const cp_migration cp_migrations[];
extern const int cp_migrations_count;

/* Highest migration this binary knows. */
int cp_schema_version_latest(void);
/* Version the store is at (0 for an empty store). */
cp_status cp_schema_version(cp_conn *c, int *out, cp_err *err);
/* Brings the store to the latest version. *applied (may be NULL) receives the
 * number of migrations run. */
cp_status cp_migrate(cp_conn *c, int *applied, cp_err *err);

#endif
