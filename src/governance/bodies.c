/*
 * bodies.c — bodies and seats (bodies.h).
 */
#include "governance/bodies.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/gov_db.h"

#define NAME_MAX_ 200
#define DESC_MAX 4000
#define SEATS_MAX 400

static cp_status body_row(cp_conn *c, const char *id, bool *exists, char *kind, size_t cap, cp_err *err)
{
    *exists = false;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT kind FROM gov_bodies WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        *exists = true;
        if (kind) snprintf(kind, cap, "%s", cp_stmt_col_text(s, 0));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* Inserts one seat after its checks (inside the caller's transaction). */
static cp_status insert_seat(cp_conn *c, const cp_actor *a, const char *body, const json_t *in, const char *where,
                             int64_t now, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"member_id", CP_JT_STRING, true, 64},
                                  {"term_start", CP_JT_STRING_NULL, false, 64},
                                  {"term_end", CP_JT_STRING_NULL, false, 64}};
    cp_status st = cp_json_check(in, where, F, sizeof F / sizeof F[0], err);
    if (st) return st;
    const char *member = cp_json_str(in, "member_id");
    gov_member m;
    if ((st = gov_member_get(c, member, &m, err))) return st;
    if (!m.exists) return cp_fail(err, CP_E_UNPROCESSABLE, "%s.member_id: no such member", where);
    if (strcmp(m.kind, "member_state") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "%s.member_id: only member states hold seats (this member is a %s)", where, m.kind);
    bool has_start, has_end;
    int64_t start = now, end = 0;
    if ((st = gov_time_field(in, where, "term_start", &has_start, &start, err)) ||
        (st = gov_time_field(in, where, "term_end", &has_end, &end, err)))
        return st;
    if (!has_start) start = now;
    if (has_end && end <= start) return cp_fail(err, CP_E_UNPROCESSABLE, "%s.term_end: must be after term_start", where);
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    /* the audit entry first: it takes the audit head lock, so the overlap check below
     * sees any seat another server committed a moment ago */
    json_t *seat = json_pack("{ss ss ss so so}", "id", id, "body_id", body, "member_id", member, "term_start",
                             gov_time(start, false), "term_end", gov_time(end, !has_end));
    char target[80];
    snprintf(target, sizeof target, "gov_body:%.40s", body);
    if ((st = cp_audit_append(c, a->label, "gov.seat.add", target, seat, err))) {
        json_decref(seat);
        return st;
    }
    /* overlapping seat of the same member in this body */
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "SELECT id FROM gov_seats WHERE body_id = ? AND member_id = ? AND (term_end IS NULL OR term_end > ?)"
                         " AND (CAST(? AS BIGINT) = 0 OR term_start < ?)",
                         &s, err);
    cp_step r = CP_STEP_DONE;
    if (!st) {
        cp_stmt_bind_text(s, 1, body);
        cp_stmt_bind_text(s, 2, member);
        cp_stmt_bind_int(s, 3, start);
        cp_stmt_bind_int(s, 4, has_end ? 1 : 0);
        cp_stmt_bind_int(s, 5, end);
        r = cp_stmt_step(s, err);
        st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
        cp_stmt_finalize(s);
    }
    if (!st && r == CP_STEP_ROW)
        st = cp_fail(err, CP_E_CONFLICT, "%s: %s already holds a seat of this body for part of that term", where, m.name);
    if (!st)
        st = cp_stmt_prepare(c, "INSERT INTO gov_seats (id, body_id, member_id, term_start, term_end, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                             &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, body);
        cp_stmt_bind_text(s, 3, member);
        cp_stmt_bind_int(s, 4, start);
        if (has_end) cp_stmt_bind_int(s, 5, end);
        else cp_stmt_bind_null(s, 5);
        cp_stmt_bind_int(s, 6, now);
        st = gov_run(s, err);
    }
    if (st || !out) json_decref(seat);
    else *out = seat;
    return st;
}

cp_status cp_gov_body_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"name", CP_JT_STRING, true, NAME_MAX_},
                                  {"description", CP_JT_STRING_NULL, false, DESC_MAX},
                                  {"seats", CP_JT_OBJECT, false, 0}};
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    json_t *shape = json_copy((json_t *)in);
    if (!shape) return cp_fail(err, CP_E_NOMEM, "out of memory");
    json_object_del(shape, "seats");
    cp_status st = cp_json_check(shape, "body", F, 2, err);
    json_decref(shape);
    if (st) return st;
    const char *name = cp_json_str(in, "name");
    if (!*name) return cp_fail(err, CP_E_BAD_REQUEST, "body.name: must not be empty");
    const json_t *seats = json_object_get(in, "seats");
    if (seats && (!json_is_array(seats) || json_array_size(seats) > SEATS_MAX))
        return cp_fail(err, CP_E_BAD_REQUEST, "body.seats: must be an array of at most %d seats", SEATS_MAX);
    int64_t now = cp_now_ms();
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "INSERT INTO gov_bodies (id, name, kind, description, created_at, updated_at) VALUES (?, ?, 'body', ?, ?, ?)",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, name);
        cp_stmt_bind_text(s, 3, cp_json_str(in, "description"));
        cp_stmt_bind_int(s, 4, now);
        cp_stmt_bind_int(s, 5, now);
        st = gov_run(s, err);
        if (st == CP_E_CONFLICT) st = cp_fail(err, CP_E_CONFLICT, "body.name: a body named '%.200s' exists", name);
    }
    for (size_t i = 0; !st && seats && i < json_array_size(seats); i++) {
        char where[48];
        snprintf(where, sizeof where, "body.seats[%zu]", i);
        st = insert_seat(c, a, id, json_array_get(seats, i), where, now, NULL, err);
    }
    if (!st) {
        json_t *detail = json_pack("{ss ss}", "id", id, "name", name);
        char target[80];
        snprintf(target, sizeof target, "gov_body:%s", id);
        st = cp_audit_append(c, a->label, "gov.body.create", target, detail, err);
        json_decref(detail);
    }
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return cp_gov_body_get(c, id, now, out, err);
}

static json_t *body_json(cp_stmt *s)
{
    return json_pack("{ss ss ss so so}", "id", cp_stmt_col_text(s, 0), "name", cp_stmt_col_text(s, 1), "kind",
                     cp_stmt_col_text(s, 2), "description",
                     cp_stmt_col_is_null(s, 3) ? json_null() : json_string(cp_stmt_col_text(s, 3)), "created_at",
                     gov_time(cp_stmt_col_int(s, 4), false));
}

static cp_status seats_json(cp_conn *c, const char *body, int64_t now, json_t **out, cp_err *err)
{
    *out = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT s.id, s.member_id, m.name, s.term_start, s.term_end FROM gov_seats s"
                                   " JOIN members m ON m.id = s.member_id WHERE s.body_id = ? ORDER BY m.name, s.term_start",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, body);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t start = cp_stmt_col_int(s, 3), end = cp_stmt_col_int(s, 4);
        bool open = cp_stmt_col_is_null(s, 4);
        json_array_append_new(*out, json_pack("{ss ss ss so so sb}", "id", cp_stmt_col_text(s, 0), "member_id",
                                              cp_stmt_col_text(s, 1), "member_name", cp_stmt_col_text(s, 2), "term_start",
                                              gov_time(start, false), "term_end", gov_time(end, open), "current",
                                              start <= now && (open || now < end)));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_body_list(cp_conn *c, int64_t now, json_t **items, cp_err *err)
{
    (void)now;
    *items = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT id, name, kind, description, created_at FROM gov_bodies ORDER BY kind, name", &s, err);
    if (st) return st;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) json_array_append_new(*items, body_json(s));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_body_get(cp_conn *c, const char *id, int64_t now, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT id, name, kind, description, created_at FROM gov_bodies WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = body_json(s);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such body") : CP_OK;
    cp_stmt_finalize(s);
    if (st) return st;
    json_t *seats;
    if ((st = seats_json(c, id, now, &seats, err))) {
        json_decref(seats);
        json_decref(*out);
        *out = NULL;
        return st;
    }
    json_object_set_new(*out, "seats", seats);
    return CP_OK;
}

cp_status cp_gov_seat_add(cp_conn *c, const cp_actor *a, const char *body, const json_t *in, json_t **out, cp_err *err)
{
    *out = NULL;
    bool exists;
    char kind[16] = "";
    cp_status st = body_row(c, body, &exists, kind, sizeof kind, err);
    if (st) return st;
    if (!exists) return cp_fail(err, CP_E_NOT_FOUND, "no such body");
    if (strcmp(kind, "assembly") == 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "the general assembly has no seats: every active member state belongs to it");
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    st = insert_seat(c, a, body, in, "body", cp_now_ms(), out, err);
    st = gov_tx_close(c, own, st, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_gov_seat_end(cp_conn *c, const cp_actor *a, const char *body, const char *seat, json_t **out, cp_err *err)
{
    *out = NULL;
    int64_t now = cp_now_ms();
    bool own;
    cp_status st = gov_tx_open(c, &own, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "UPDATE gov_seats SET term_end = ? WHERE id = ? AND body_id = ? AND (term_end IS NULL OR term_end > ?)"
                         " RETURNING member_id, term_start",
                         &s, err);
    char member[CP_UUID_LEN + 1] = "";
    int64_t start = 0;
    if (!st) {
        cp_stmt_bind_int(s, 1, now);
        cp_stmt_bind_text(s, 2, seat);
        cp_stmt_bind_text(s, 3, body);
        cp_stmt_bind_int(s, 4, now);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) {
            snprintf(member, sizeof member, "%s", cp_stmt_col_text(s, 0));
            start = cp_stmt_col_int(s, 1);
            while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            }
        } else if (r == CP_STEP_DONE) {
            st = cp_fail(err, CP_E_NOT_FOUND, "no such seat in this body, or its term has already ended");
        }
        if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    if (!st) {
        *out = json_pack("{ss ss ss so so}", "id", seat, "body_id", body, "member_id", member, "term_start",
                         gov_time(start, false), "term_end", gov_time(now, false));
        char target[80];
        snprintf(target, sizeof target, "gov_body:%.40s", body);
        st = cp_audit_append(c, a->label, "gov.seat.end", target, *out, err);
    }
    st = gov_tx_close(c, own, st, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_gov_body_members(cp_conn *c, const char *body, int64_t at, json_t **members, cp_err *err)
{
    *members = json_array();
    bool exists;
    char kind[16] = "";
    cp_status st = body_row(c, body, &exists, kind, sizeof kind, err);
    if (st) return st;
    if (!exists) return cp_fail(err, CP_E_NOT_FOUND, "no such body");
    bool assembly = strcmp(kind, "assembly") == 0;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         assembly ? "SELECT id, name, status FROM members WHERE kind = 'member_state' AND status <> 'withdrawn'"
                                    " ORDER BY id"
                                  : "SELECT DISTINCT m.id, m.name, m.status FROM gov_seats s JOIN members m ON m.id = s.member_id"
                                    " WHERE s.body_id = ? AND s.term_start <= ? AND (s.term_end IS NULL OR s.term_end > ?)"
                                    " AND m.kind = 'member_state' ORDER BY m.id",
                         &s, err);
    if (st) return st;
    if (!assembly) {
        cp_stmt_bind_text(s, 1, body);
        cp_stmt_bind_int(s, 2, at);
        cp_stmt_bind_int(s, 3, at);
    }
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        json_array_append_new(*members, json_pack("{ss ss ss}", "member", cp_stmt_col_text(s, 0), "name",
                                                  cp_stmt_col_text(s, 1), "status", cp_stmt_col_text(s, 2)));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_body_has_member(cp_conn *c, const char *body, const char *member, int64_t at, bool *yes, cp_err *err)
{
    *yes = false;
    bool exists;
    char kind[16] = "";
    cp_status st = body_row(c, body, &exists, kind, sizeof kind, err);
    if (st) return st;
    if (!exists) return cp_fail(err, CP_E_NOT_FOUND, "no such body");
    gov_member m;
    if ((st = gov_member_get(c, member, &m, err))) return st;
    if (!m.exists || strcmp(m.kind, "member_state") != 0) return CP_OK;
    if (strcmp(kind, "assembly") == 0) {
        *yes = strcmp(m.status, "withdrawn") != 0;
        return CP_OK;
    }
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT 1 FROM gov_seats WHERE body_id = ? AND member_id = ? AND term_start <= ?"
                              " AND (term_end IS NULL OR term_end > ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, body);
    cp_stmt_bind_text(s, 2, member);
    cp_stmt_bind_int(s, 3, at);
    cp_stmt_bind_int(s, 4, at);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
