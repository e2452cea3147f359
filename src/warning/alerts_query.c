/*
 * alerts_query.c — reading alerts (one, a page with filters) and their
 * status changes (acknowledge, close).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "intel/tlp.h"
#include "members/cursor.h"
#include "warning/alerts.h"
#include "warning/alerts_internal.h"

static json_t *ts_or_null(cp_stmt *s, int col)
{
    if (cp_stmt_col_is_null(s, col)) return json_null();
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_stmt_col_int(s, col), t);
    return json_string(t);
}

static json_t *text_or_null(cp_stmt *s, int col)
{
    const char *v = cp_stmt_col_text(s, col);
    return v ? json_string(v) : json_null();
}

json_t *cp_alert_row_json(cp_stmt *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(cp_stmt_col_text(s, 0)));
    json_object_set_new(o, "member_id", json_string(cp_stmt_col_text(s, 1)));
    json_object_set_new(o, "status", json_string(cp_stmt_col_text(s, 8)));
    json_object_set_new(o, "classification", json_string(cp_stmt_col_text(s, 4)));
    json_object_set_new(o, "indicator_id", text_or_null(s, 3));
    json_object_set_new(o, "address", json_string(cp_stmt_col_text(s, 5)));
    json_object_set_new(o, "address_kind", json_string(cp_stmt_col_text(s, 6)));
    json_object_set_new(o, "count", json_integer(cp_stmt_col_int(s, 9)));
    json_object_set_new(o, "first_seen", ts_or_null(s, 10));
    json_object_set_new(o, "last_seen", ts_or_null(s, 11));
    json_object_set_new(o, "window_start", ts_or_null(s, 7));
    json_object_set_new(o, "tlp", json_string(cp_tlp_name((cp_tlp)cp_stmt_col_int(s, 12))));
    json_object_set_new(o, "source", text_or_null(s, 13));
    json_object_set_new(o, "reported_by", text_or_null(s, 14));
    json_error_t je;
    const char *ev = cp_stmt_col_text(s, 15);
    json_t *event = ev ? json_loads(ev, 0, &je) : NULL;
    json_object_set_new(o, "event", event ? event : json_null());
    json_object_set_new(o, "received_at", ts_or_null(s, 16));
    json_object_set_new(o, "created_at", ts_or_null(s, 17));
    json_object_set_new(o, "updated_at", ts_or_null(s, 18));
    json_object_set_new(o, "acknowledged_at", ts_or_null(s, 22));
    json_object_set_new(o, "acknowledged_by", text_or_null(s, 23));
    json_object_set_new(o, "closed_at", ts_or_null(s, 24));
    json_object_set_new(o, "closed_by", text_or_null(s, 25));
    char sid[64];
    snprintf(sid, sizeof sid, "sighting--%s", cp_stmt_col_text(s, 0));
    json_object_set_new(o, "stix_id", json_string(sid));
    /* delivery: what the service report measures */
    int64_t received = cp_stmt_col_int(s, 16), created = cp_stmt_col_int(s, 17);
    json_t *d = json_object();
    json_object_set_new(d, "stored_ms", json_integer(created - received));
    json_t *evt = event ? json_object_get(event, "time") : NULL;
    int64_t evt_ms = 0;
    cp_err e;
    if (evt && json_is_string(evt) && !cp_rfc3339_parse(json_string_value(evt), &evt_ms, &e))
        json_object_set_new(d, "event_to_stored_ms", json_integer(created - evt_ms));
    json_object_set_new(d, "stix_at", ts_or_null(s, 20));
    json_object_set_new(d, "webhook_delivered_at", ts_or_null(s, 21));
    json_object_set_new(d, "webhook_ms", cp_stmt_col_is_null(s, 21) ? json_null()
                                                                    : json_integer(cp_stmt_col_int(s, 21) - received));
    json_object_set_new(o, "delivery", d);
    return o;
}

cp_status cp_alert_fetch(cp_conn *c, const char *id, json_t **out, char *member_id, cp_err *err)
{
    *out = NULL;
    if (!cp_uuid_valid(id)) return cp_fail(err, CP_E_NOT_FOUND, "no alert '%.40s'", id);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " CP_ALERT_COLUMNS " FROM alerts WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        *out = cp_alert_row_json(s);
        if (member_id) snprintf(member_id, CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 1));
    } else {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no alert '%s'", id) : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_alert_get(cp_conn *c, const char *id, json_t **out, char member_id[CP_UUID_LEN + 1], cp_err *err)
{
    return cp_alert_fetch(c, id, out, member_id, err);
}

cp_status cp_alerts_list(cp_conn *c, const cp_alert_filter *f, json_t **page, cp_err *err)
{
    *page = NULL;
    if (f->status && strcmp(f->status, "open") != 0 && strcmp(f->status, "acknowledged") != 0 &&
        strcmp(f->status, "closed") != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "status must be open, acknowledged or closed, not '%.32s'", f->status);
    int64_t after_seq = 0;
    char after_key[32] = "", after_id[CP_UUID_LEN + 1] = "";
    if (f->next) {
        char *end = NULL;
        if (cp_cursor_decode(f->next, after_key, sizeof after_key, after_id, sizeof after_id) != CP_OK ||
            (after_seq = strtoll(after_key, &end, 10)) <= 0 || !end || *end)
            return cp_fail(err, CP_E_BAD_REQUEST, "next is not a cursor this list gave out");
    }
    /* One SQL shape: absent filters bind NULL and drop out. */
    static const char SQL[] =
        "SELECT " CP_ALERT_COLUMNS " FROM alerts WHERE"
        " (CAST(? AS TEXT) IS NULL OR member_id = CAST(? AS TEXT))"
        " AND (CAST(? AS TEXT) IS NULL OR status = CAST(? AS TEXT))"
        " AND (CAST(? AS TEXT) IS NULL OR indicator_id = CAST(? AS TEXT))"
        " AND (CAST(? AS TEXT) IS NULL OR address = CAST(? AS TEXT))"
        " AND (CAST(? AS TEXT) IS NULL OR classification = CAST(? AS TEXT))"
        " AND (CAST(? AS BIGINT) = 0 OR last_seen >= CAST(? AS BIGINT))"
        " AND (CAST(? AS BIGINT) = 0 OR first_seen < CAST(? AS BIGINT))"
        " AND (CAST(? AS BIGINT) = 0 OR seq < CAST(? AS BIGINT) OR (seq = CAST(? AS BIGINT) AND id < CAST(? AS TEXT)))"
        " ORDER BY seq DESC, id DESC LIMIT ?";
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, SQL, &s, err);
    if (st) return st;
    const char *texts[5] = {f->member_id, f->status, f->indicator_id, f->address, f->classification};
    int p = 1;
    for (int i = 0; i < 5; i++) {
        cp_stmt_bind_text(s, p++, texts[i]);
        cp_stmt_bind_text(s, p++, texts[i]);
    }
    cp_stmt_bind_int(s, p++, f->since);
    cp_stmt_bind_int(s, p++, f->since);
    cp_stmt_bind_int(s, p++, f->until);
    cp_stmt_bind_int(s, p++, f->until);
    cp_stmt_bind_int(s, p++, after_seq);
    cp_stmt_bind_int(s, p++, after_seq);
    cp_stmt_bind_int(s, p++, after_seq);
    cp_stmt_bind_text(s, p++, after_id);
    cp_stmt_bind_int(s, p++, f->limit + 1);
    json_t *items = json_array();
    int64_t last_seq = 0;
    char last_id[CP_UUID_LEN + 1] = "";
    bool more = false;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if ((int)json_array_size(items) == f->limit) {
            more = true;
            break;
        }
        json_array_append_new(items, cp_alert_row_json(s));
        last_seq = cp_stmt_col_int(s, 19);
        snprintf(last_id, sizeof last_id, "%s", cp_stmt_col_text(s, 0));
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) {
        json_decref(items);
        return st;
    }
    char *next = NULL;
    if (more) {
        char k[32];
        snprintf(k, sizeof k, "%" PRId64, last_seq);
        next = cp_cursor_encode(k, last_id);
    }
    *page = json_pack("{so so}", "items", items, "next", next ? json_string(next) : json_null());
    free(next);
    return CP_OK;
}

cp_status cp_alert_transition(cp_conn *c, const cp_actor *a, const char *id, const char *to, json_t **out,
                              cp_err *err)
{
    *out = NULL;
    bool ack = strcmp(to, "acknowledged") == 0;
    if (!ack && strcmp(to, "closed") != 0) return cp_fail(err, CP_E_INTERNAL, "unknown alert status '%.16s'", to);
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    json_t *before = NULL;
    st = cp_alert_fetch(c, id, &before, NULL, err);
    const char *status = before ? json_string_value(json_object_get(before, "status")) : "";
    if (!st && ack && strcmp(status, "open") != 0)
        st = cp_fail(err, CP_E_CONFLICT, "the alert is %s; only an open alert can be acknowledged", status);
    if (!st && !ack && strcmp(status, "closed") == 0) st = cp_fail(err, CP_E_CONFLICT, "the alert is already closed");
    if (!st) {
        cp_stmt *s;
        const char *sql = ack ? "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,"
                                " updated_at = ? WHERE id = ?"
                              : "UPDATE alerts SET status = 'closed', closed_at = ?, closed_by = ?, updated_at = ?"
                                " WHERE id = ?";
        if (!(st = cp_stmt_prepare(c, sql, &s, err))) {
            int64_t now = cp_now_ms();
            cp_stmt_bind_int(s, 1, now);
            cp_stmt_bind_text(s, 2, a->label);
            cp_stmt_bind_int(s, 3, now);
            cp_stmt_bind_text(s, 4, id);
            st = cp_stmt_run(s, err);
            cp_stmt_finalize(s);
        }
    }
    if (!st) st = cp_alert_fetch(c, id, out, NULL, err);
    if (!st) {
        char target[64];
        snprintf(target, sizeof target, "alert:%s", id);
        json_t *d = json_pack("{ss ss}", "from", status, "to", to);
        st = cp_audit_append(c, a->label, ack ? "alert.acknowledge" : "alert.close", target, d, err);
        json_decref(d);
    }
    json_decref(before);
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}
