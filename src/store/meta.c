#include "store/meta.h"

#include <stdio.h>

cp_status cp_meta_get(cp_conn *c, const char *key, char *out, size_t cap, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT value FROM meta WHERE key = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, key);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(out, cap, "%s", cp_stmt_col_text(s, 0));
    else st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no meta value '%s'", key) : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static cp_status meta_write(cp_conn *c, const char *sql, const char *key, const char *value, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, key);
    cp_stmt_bind_text(s, 2, value);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_meta_put(cp_conn *c, const char *key, const char *value, cp_err *err)
{
    return meta_write(c, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      key, value, err);
}

cp_status cp_meta_put_new(cp_conn *c, const char *key, const char *value, cp_err *err)
{
    return meta_write(c, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value, err);
}
