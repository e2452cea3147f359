/*
 * gov_db.c — helpers shared by the governance files (gov_db.h).
 */
#include "governance/gov_db.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"

cp_status gov_tx_open(cp_conn *c, bool *own, cp_err *err)
{
    *own = !cp_conn_in_tx(c);
    return *own ? cp_conn_begin(c, CP_TX_WRITE, err) : CP_OK;
}

cp_status gov_tx_close(cp_conn *c, bool own, cp_status st, cp_err *err)
{
    if (!own) return st;
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    return cp_conn_commit(c, err);
}

json_t *gov_time(int64_t ms, bool is_null)
{
    if (is_null) return json_null();
    char buf[CP_RFC3339_MAX];
    cp_rfc3339_format(ms, buf);
    return json_string(buf);
}

cp_status gov_time_field(const json_t *in, const char *where, const char *key, bool *present, int64_t *ms, cp_err *err)
{
    const json_t *v = json_object_get(in, key);
    *present = false;
    if (!v || json_is_null(v)) return CP_OK;
    if (!json_is_string(v)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: must be an RFC 3339 UTC time", where, key);
    cp_err e2 = {{0}};
    if (cp_rfc3339_parse(json_string_value(v), ms, &e2))
        return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: %s", where, key, e2.msg);
    *present = true;
    return CP_OK;
}

cp_status gov_member_get(cp_conn *c, const char *id, gov_member *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id || !cp_uuid_valid(id)) return CP_OK;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT kind, status, name FROM members WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        out->exists = true;
        snprintf(out->kind, sizeof out->kind, "%s", cp_stmt_col_text(s, 0));
        snprintf(out->status, sizeof out->status, "%s", cp_stmt_col_text(s, 1));
        snprintf(out->name, sizeof out->name, "%s", cp_stmt_col_text(s, 2));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status gov_run(cp_stmt *s, cp_err *err)
{
    cp_status st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}
