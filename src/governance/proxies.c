/*
 * proxies.c — giving, revoking and finding proxies (proxies.h).
 */
#include "governance/proxies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/gov_db.h"
#include "governance/proposals.h"
#include "governance/record.h"
#include "governance/voters.h"

#define PXCOLS "id, giver, holder, proposal_id, from_at, until_at, expires_at, given_at, given_by, revoked_at, revoked_by"

static json_t *proxy_json(cp_stmt *s, int64_t now)
{
    bool revoked = !cp_stmt_col_is_null(s, 9);
    int64_t from = cp_stmt_col_int(s, 4), exp = cp_stmt_col_int(s, 6);
    return json_pack("{ss ss ss so so so so ss so sb}", "id", cp_stmt_col_text(s, 0), "giver", cp_stmt_col_text(s, 1),
                     "holder", cp_stmt_col_text(s, 2), "proposal_id",
                     cp_stmt_col_is_null(s, 3) ? json_null() : json_string(cp_stmt_col_text(s, 3)), "from",
                     gov_time(from, false), "until", gov_time(exp, false), "given_at",
                     gov_time(cp_stmt_col_int(s, 7), false), "given_by", cp_stmt_col_text(s, 8), "revoked_at",
                     gov_time(cp_stmt_col_int(s, 9), !revoked), "in_force", !revoked && from <= now && now < exp);
}

static cp_status proxy_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " PXCOLS " FROM gov_proxies WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = proxy_json(s, cp_now_ms());
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such proxy") : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* Whether member holds (col "holder") or gave (col "giver") a proxy in force at now. */
static cp_status active(cp_conn *c, const char *col, const char *member, int64_t now, bool *yes, cp_err *err)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT 1 FROM gov_proxies WHERE %s = ? AND revoked_at IS NULL AND expires_at > ? LIMIT 1", col);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member);
    cp_stmt_bind_int(s, 2, now);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status give_locked(cp_conn *c, const cp_actor *a, const json_t *in, int64_t now, char id[CP_UUID_LEN + 1],
                             cp_err *err)
{
    const char *holder = cp_json_str(in, "holder"), *proposal = cp_json_str(in, "proposal_id"), *giver = a->member_id;
    bool has_from, has_until;
    int64_t from = now, until = 0;
    cp_status st;
    if ((st = gov_time_field(in, "body", "from", &has_from, &from, err)) ||
        (st = gov_time_field(in, "body", "until", &has_until, &until, err)))
        return st;
    if (proposal && (has_from || has_until))
        return cp_fail(err, CP_E_BAD_REQUEST, "body: give either proposal_id or a period (from, until), not both");
    if (!proposal && !has_until) return cp_fail(err, CP_E_BAD_REQUEST, "body: proposal_id or until is required");
    if (!has_from || from < now) from = now;
    gov_member h;
    if ((st = gov_member_get(c, holder, &h, err))) return st;
    if (!h.exists) return cp_fail(err, CP_E_UNPROCESSABLE, "body.holder: no such member");
    if (strcmp(h.kind, "member_state") != 0 || strcmp(h.status, "active") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.holder: a proxy is held by an active member state");
    if (strcmp(holder, giver) == 0) return cp_fail(err, CP_E_UNPROCESSABLE, "body.holder: a member cannot hold its own proxy");
    const char *body = NULL;
    cp_gov_proposal p;
    if (proposal) {
        if ((st = cp_gov_proposal_load(c, proposal, &p, err)))
            return st == CP_E_NOT_FOUND ? cp_fail(err, CP_E_UNPROCESSABLE, "body.proposal_id: no such proposal") : st;
        if (strcmp(p.status, "open") != 0 || now >= p.closes_at)
            return cp_fail(err, CP_E_CONFLICT, "a proxy for a proposal is given while it is open (this one is %s)", p.status);
        body = p.body;
        until = p.closes_at;
        int64_t own = 0;
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, "SELECT COUNT(*) FROM gov_ballots WHERE proposal_id = ? AND round = ? AND member_id = ? AND cast_by = ?", &s, err)))
            return st;
        cp_stmt_bind_text(s, 1, proposal);
        cp_stmt_bind_int(s, 2, p.round);
        cp_stmt_bind_text(s, 3, giver);
        cp_stmt_bind_text(s, 4, giver);
        if (cp_stmt_step(s, err) == CP_STEP_ROW) own = cp_stmt_col_int(s, 0);
        cp_stmt_finalize(s);
        if (own) return cp_fail(err, CP_E_CONFLICT, "your member has already voted on this proposal");
    } else if (until <= from) {
        return cp_fail(err, CP_E_BAD_REQUEST, "body.until: must be later than now and than body.from");
    }
    /* both sides eligible now: in the proposal's body, or (a period) in the general assembly */
    cp_gov_voter_status vs;
    if ((st = cp_gov_voter_check(c, body ? body : "general-assembly", giver, now, &vs, err))) return st;
    if (!vs.eligible) return cp_fail(err, CP_E_FORBIDDEN, "your member may not give a proxy now: %s", vs.reason);
    if ((st = cp_gov_voter_check(c, body ? body : "general-assembly", holder, now, &vs, err))) return st;
    if (!vs.eligible) return cp_fail(err, CP_E_UNPROCESSABLE, "body.holder: that member may not hold a proxy now: %s", vs.reason);
    /* The record append takes the record's head lock, held until commit: from here
     * on, givers are serialised, so the "one proxy at a time" checks below see any
     * proxy another server committed a moment ago (PostgreSQL reads each statement
     * afresh under READ COMMITTED; SQLite's write transactions are serial anyway). */
    cp_uuid4(id);
    json_t *e = json_pack("{ss so ss ss ss so so}", "type", "proxy.given", "at", gov_time(now, false), "proxy", id, "giver",
                          giver, "holder", holder, "from", gov_time(from, false), "until", gov_time(until, false));
    if (proposal) json_object_set_new(e, "proposal", json_string(proposal));
    cp_record_receipt rc;
    st = cp_record_append(c, e, &rc, err);
    if (!st) st = cp_audit_append(c, a->label, "gov.proxy.give", "gov_proxies", e, err);
    json_decref(e);
    if (st) return st;
    bool busy;
    if ((st = active(c, "holder", holder, now, &busy, err))) return st;
    if (busy) return cp_fail(err, CP_E_CONFLICT, "body.holder: that member already holds a proxy (at most one at a time)");
    if ((st = active(c, "giver", giver, now, &busy, err))) return st;
    if (busy) return cp_fail(err, CP_E_CONFLICT, "your member has a proxy in force already; revoke it first");
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c, "INSERT INTO gov_proxies (id, giver, holder, proposal_id, from_at, until_at, expires_at, given_at,"
                                 " given_by, record_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, giver);
    cp_stmt_bind_text(s, 3, holder);
    cp_stmt_bind_text(s, 4, proposal);
    cp_stmt_bind_int(s, 5, from);
    if (proposal) cp_stmt_bind_null(s, 6);
    else cp_stmt_bind_int(s, 6, until);
    cp_stmt_bind_int(s, 7, until);
    cp_stmt_bind_int(s, 8, now);
    cp_stmt_bind_text(s, 9, a->label);
    cp_stmt_bind_int(s, 10, rc.index);
    return gov_run(s, err);
}

cp_status cp_gov_proxy_give(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"holder", CP_JT_STRING, true, 64},
                                  {"proposal_id", CP_JT_STRING, false, 64},
                                  {"from", CP_JT_STRING_NULL, false, 64},
                                  {"until", CP_JT_STRING_NULL, false, 64}};
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    char id[CP_UUID_LEN + 1];
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    st = gov_tx_close(c, own, give_locked(c, a, in, cp_now_ms(), id, err), err);
    if (st) return st;
    return proxy_get(c, id, out, err);
}

cp_status cp_gov_proxy_giver(cp_conn *c, const char *id, char giver[64], cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT giver FROM gov_proxies WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(giver, 64, "%s", cp_stmt_col_text(s, 0));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such proxy") : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_proxy_revoke(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    int64_t now = cp_now_ms();
    bool own;
    cp_status st = gov_tx_open(c, &own, err);
    if (st) return st;
    cp_stmt *s;
    json_t *e = NULL;
    st = cp_stmt_prepare(c, "UPDATE gov_proxies SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL"
                            " RETURNING giver, holder, proposal_id",
                         &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, now);
        cp_stmt_bind_text(s, 2, a->label);
        cp_stmt_bind_text(s, 3, id);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) {
            e = json_pack("{ss so ss ss ss}", "type", "proxy.revoked", "at", gov_time(now, false), "proxy", id, "giver",
                          cp_stmt_col_text(s, 0), "holder", cp_stmt_col_text(s, 1));
            if (!cp_stmt_col_is_null(s, 2)) json_object_set_new(e, "proposal", json_string(cp_stmt_col_text(s, 2)));
            while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            }
        }
        st = r == CP_STEP_ERROR ? cp_stmt_status(s) : !e ? cp_fail(err, CP_E_CONFLICT, "the proxy is already revoked") : CP_OK;
        cp_stmt_finalize(s);
    }
    if (!st && (st = cp_stmt_prepare(c, "SELECT 1 FROM gov_ballots WHERE proxy_id = ? LIMIT 1", &s, err)) == CP_OK) {
        cp_stmt_bind_text(s, 1, id);
        cp_step r = cp_stmt_step(s, err);
        st = r == CP_STEP_ERROR ? cp_stmt_status(s)
             : r == CP_STEP_ROW ? cp_fail(err, CP_E_CONFLICT, "the proxy has been used (its holder voted with it); it can no longer be revoked")
                                : CP_OK;
        cp_stmt_finalize(s);
    }
    if (!st) st = cp_record_append(c, e, NULL, err);
    if (!st) st = cp_audit_append(c, a->label, "gov.proxy.revoke", "gov_proxies", e, err);
    json_decref(e);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return proxy_get(c, id, out, err);
}

cp_status cp_gov_proxy_list(cp_conn *c, const char *member, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " PXCOLS " FROM gov_proxies WHERE (CAST(? AS TEXT) IS NULL OR giver = ? OR holder = ?)"
                                      " ORDER BY given_at DESC LIMIT 2000",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member);
    cp_stmt_bind_text(s, 2, member);
    cp_stmt_bind_text(s, 3, member);
    int64_t now = cp_now_ms();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) json_array_append_new(*items, proxy_json(s, now));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_proxy_find(cp_conn *c, const char *proposal, const char *giver, const char *holder, int64_t at,
                            char id[64], bool *found, cp_err *err)
{
    *found = false;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   /* an UPDATE that changes nothing, to take the proxy's row lock: a
                                    * revocation at the same moment waits for this ballot (and then
                                    * finds it used) or this ballot waits for it (and then finds it
                                    * revoked) */
                                   "UPDATE gov_proxies SET given_at = given_at WHERE revoked_at IS NULL AND id = ("
                                   "SELECT id FROM gov_proxies WHERE giver = ? AND holder = ? AND revoked_at IS NULL"
                                   " AND from_at <= ? AND expires_at > ? AND (proposal_id = ? OR proposal_id IS NULL)"
                                   " ORDER BY given_at DESC LIMIT 1) RETURNING id",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, giver);
    cp_stmt_bind_text(s, 2, holder);
    cp_stmt_bind_int(s, 3, at);
    cp_stmt_bind_int(s, 4, at);
    cp_stmt_bind_text(s, 5, proposal);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        *found = true;
        snprintf(id, 64, "%s", cp_stmt_col_text(s, 0));
        while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        }
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_proxies_for_tally(cp_conn *c, const char *proposal, cp_tally_proxy **out, size_t *n, json_t **arena,
                                   cp_err *err)
{
    *out = NULL;
    *n = 0;
    *arena = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT giver, holder, from_at, expires_at, revoked_at FROM gov_proxies"
                                   " WHERE proposal_id = ? OR proposal_id IS NULL ORDER BY given_at, id",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, proposal);
    size_t cap = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            cp_tally_proxy *g = realloc(*out, cap * sizeof *g);
            if (!g) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory");
                break;
            }
            *out = g;
        }
        /* strings live in the arena (JSON strings never move once appended) */
        json_t *gv = json_string(cp_stmt_col_text(s, 0)), *hd = json_string(cp_stmt_col_text(s, 1));
        json_array_append_new(*arena, gv);
        json_array_append_new(*arena, hd);
        int64_t until = cp_stmt_col_int(s, 3);
        int64_t rev = cp_stmt_col_is_null(s, 4) ? until : cp_stmt_col_int(s, 4);
        (*out)[(*n)++] = (cp_tally_proxy){json_string_value(gv), json_string_value(hd), cp_stmt_col_int(s, 2),
                                          rev < until ? rev : until};
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}
