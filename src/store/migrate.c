#include "store/migrate.h"

#include <stdio.h>

#include "base/timeutil.h"

int cp_schema_version_latest(void) { return cp_migrations[cp_migrations_count - 1].version; }

static const char *BOOTSTRAP_SQL =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

cp_status cp_schema_version(cp_conn *c, int *out, cp_err *err)
{
    cp_status st = cp_conn_exec(c, BOOTSTRAP_SQL, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &s, err);
    if (st) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW)
        *out = (int)cp_stmt_col_int(s, 0);
    else
        st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static cp_status apply(cp_conn *c, const cp_migration *m, cp_err *err)
{
    /* The dialect's own statements first: they create what the common part
     * may index. */
    cp_status st = CP_OK;
    if (m->sql_sqlite && cp_conn_dialect(c) == CP_DIALECT_SQLITE) st = cp_conn_exec(c, m->sql_sqlite, err);
    if (!st && m->sql_pg && cp_conn_dialect(c) == CP_DIALECT_PG) st = cp_conn_exec(c, m->sql_pg, err);
    if (!st) st = cp_conn_exec(c, m->sql, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, m->version);
    cp_stmt_bind_text(s, 2, m->name);
    cp_stmt_bind_int(s, 3, cp_now_ms());
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_migrate(cp_conn *c, int *applied, cp_err *err)
{
    if (applied) *applied = 0;
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    /* Several servers may start together on one PostgreSQL: one migrates,
     * the others wait here and then find nothing to do. */
    if (cp_conn_dialect(c) == CP_DIALECT_PG) {
        st = cp_conn_exec(c, "SELECT pg_advisory_xact_lock(7274918273)", err);
        if (st) goto fail;
    }
    int have = 0;
    st = cp_schema_version(c, &have, err);
    if (st) goto fail;
    if (have > cp_schema_version_latest()) {
        st = cp_fail(err, CP_E_CONFLICT,
                     "the store is at schema version %d but this binary knows only up to %d; "
                     "run a newer cyberpact",
                     have, cp_schema_version_latest());
        goto fail;
    }
    for (int i = 0; i < cp_migrations_count; i++) {
        const cp_migration *m = &cp_migrations[i];
        if (m->version <= have) continue;
        st = apply(c, m, err);
        if (st) {
            char why[CP_ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            cp_fail(err, st, "migration %d (%s) failed: %s", m->version, m->name, why);
            goto fail;
        }
        if (applied) (*applied)++;
    }
    return cp_conn_commit(c, err);
fail:
    cp_conn_rollback(c);
    return st;
}
