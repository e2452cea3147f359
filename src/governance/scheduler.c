/*
 * scheduler.c — closing at the closing time and reminders (scheduler.h).
 */
#include "governance/scheduler.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "governance/close.h"
#include "governance/gov_db.h"

#define BATCH 64

cp_gov_reminder_fn cp_gov_reminder_hook = NULL;

/* Ids of proposals matching sql (one ? for now), at most BATCH. */
static cp_status due(cp_conn *c, const char *sql, int64_t now, char ids[BATCH][CP_UUID_LEN + 1], int *n, cp_err *err)
{
    *n = 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, now);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        if (*n < BATCH) snprintf(ids[(*n)++], CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status remind(cp_conn *c, const char *id, int64_t now, bool *sent, cp_err *err)
{
    *sent = false;
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    int64_t round = 0, closes = 0;
    char title[320] = "";
    st = cp_stmt_prepare(c,
                         "UPDATE gov_proposals SET reminded_round = round WHERE id = ? AND status = 'open'"
                         " AND remind_before > 0 AND reminded_round < round AND closes_at - remind_before <= ? AND closes_at > ?"
                         " RETURNING round, closes_at, title",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_int(s, 2, now);
        cp_stmt_bind_int(s, 3, now);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) {
            *sent = true;
            round = cp_stmt_col_int(s, 0);
            closes = cp_stmt_col_int(s, 1);
            snprintf(title, sizeof title, "%s", cp_stmt_col_text(s, 2));
            while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            }
        }
        if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    json_t *d = NULL;
    if (!st && *sent) {
        d = json_pack("{ss sI so}", "title", title, "round", (json_int_t)round, "closes_at", gov_time(closes, false));
        char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        char eid[CP_UUID_LEN + 1];
        cp_uuid4(eid);
        st = cp_stmt_prepare(c, "INSERT INTO gov_events (id, proposal_id, kind, round, at, detail) VALUES (?, ?, 'reminder', ?, ?, ?)",
                             &s, err);
        if (!st) {
            cp_stmt_bind_text(s, 1, eid);
            cp_stmt_bind_text(s, 2, id);
            cp_stmt_bind_int(s, 3, round);
            cp_stmt_bind_int(s, 4, now);
            cp_stmt_bind_text(s, 5, text);
            st = gov_run(s, err);
        }
        free(text);
        char target[64];
        snprintf(target, sizeof target, "gov_proposal:%.40s", id);
        if (!st) st = cp_audit_append(c, "system", "gov.proposal.remind", target, d, err);
    }
    if (st) {
        cp_conn_rollback(c);
        json_decref(d);
        *sent = false;
        return st;
    }
    st = cp_conn_commit(c, err);
    if (!st && *sent) {
        cp_log(CP_LOG_INFO, "governance.reminder", "proposal %s closes at %s: %s", id,
               json_string_value(json_object_get(d, "closes_at")), title);
        if (cp_gov_reminder_hook) cp_gov_reminder_hook(id, (int)round, closes, title);
    }
    json_decref(d);
    return st;
}

cp_status cp_gov_scheduler_tick(cp_conn *c, int64_t now, int *closed, int *reminded, cp_err *err)
{
    if (closed) *closed = 0;
    if (reminded) *reminded = 0;
    char ids[BATCH][CP_UUID_LEN + 1];
    int n;
    cp_status st = due(c, "SELECT id FROM gov_proposals WHERE status = 'open' AND closes_at <= ? ORDER BY closes_at", now, ids, &n, err);
    if (st) return st;
    for (int i = 0; i < n; i++) {
        cp_err e2 = {{0}};
        cp_status cs = cp_gov_close(c, "system", ids[i], now, NULL, &e2);
        if (cs == CP_OK) {
            if (closed) (*closed)++;
            cp_log(CP_LOG_INFO, "governance.closed", "proposal %s closed at its closing time", ids[i]);
        } else if (cs != CP_E_CONFLICT) { /* another server closed it first: nothing to say */
            cp_log(CP_LOG_ERROR, "governance.close_failed", "proposal %s: %s", ids[i], e2.msg);
        }
    }
    if ((st = due(c,
                  "SELECT id FROM gov_proposals WHERE status = 'open' AND remind_before > 0 AND reminded_round < round"
                  " AND closes_at - remind_before <= ? ORDER BY closes_at",
                  now, ids, &n, err)))
        return st;
    for (int i = 0; i < n; i++) {
        bool sent;
        cp_err e2 = {{0}};
        if (remind(c, ids[i], now, &sent, &e2)) cp_log(CP_LOG_ERROR, "governance.remind_failed", "proposal %s: %s", ids[i], e2.msg);
        else if (sent && reminded) (*reminded)++;
    }
    return CP_OK;
}

cp_status cp_gov_scheduler_step(cp_conn *c, void *ctx, bool *more, cp_err *err)
{
    (void)ctx;
    *more = false;
    return cp_gov_scheduler_tick(c, cp_now_ms(), NULL, NULL, err);
}
