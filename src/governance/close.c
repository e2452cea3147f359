/*
 * close.c — closing a vote (close.h).
 */
#include "governance/close.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/json.h"
#include "base/log.h"
#include "governance/budget_effect.h"
#include "governance/gov_db.h"
#include "governance/proposals.h"
#include "governance/proxies.h"
#include "governance/record.h"
#include "governance/tally.h"
#include "governance/voters.h"

typedef struct {
    cp_tally_ballot *b;
    size_t n, cap;
    json_t *arena;
} ballots;

static cp_status load_ballots(cp_conn *c, const char *id, int round, ballots *out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT member_id, cast_by, choice, seq, cast_at FROM gov_ballots"
                                      " WHERE proposal_id = ? AND round = ? ORDER BY seq",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_int(s, 2, round);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 64;
            cp_tally_ballot *g = realloc(out->b, out->cap * sizeof *g);
            if (!g) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory");
                break;
            }
            out->b = g;
        }
        json_t *m = json_string(cp_stmt_col_text(s, 0)), *by = json_string(cp_stmt_col_text(s, 1));
        json_array_append_new(out->arena, m);
        json_array_append_new(out->arena, by);
        int ch = cp_choice_parse(cp_stmt_col_text(s, 2));
        out->b[out->n++] = (cp_tally_ballot){json_string_value(m), json_string_value(by), ch < 0 ? CP_CHOICE_ABSTAIN : (cp_choice)ch,
                                             cp_stmt_col_int(s, 3), cp_stmt_col_int(s, 4)};
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_count(cp_conn *c, const char *id, int64_t at, json_t **result, json_t **snapshot_entry, cp_err *err)
{
    *result = NULL;
    if (snapshot_entry) *snapshot_entry = NULL;
    cp_gov_proposal p;
    cp_status st = cp_gov_proposal_load(c, id, &p, err);
    if (st) return st;
    json_t *voters = NULL, *parena = NULL;
    const char *source = "";
    ballots bs = {NULL, 0, 0, json_array()};
    cp_tally_proxy *px = NULL;
    size_t npx = 0;
    cp_tally_voter *tv = NULL;
    if ((st = cp_gov_voters_snapshot(c, p.body, at, &voters, &source, err))) goto out;
    if ((st = load_ballots(c, id, p.round, &bs, err))) goto out;
    if ((st = cp_gov_proxies_for_tally(c, id, &px, &npx, &parena, err))) goto out;
    size_t nv = json_array_size(voters);
    tv = calloc(nv + 1, sizeof *tv);
    if (!tv) {
        st = cp_fail(err, CP_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nv; i++) {
        json_t *v = json_array_get(voters, i);
        tv[i] = (cp_tally_voter){cp_json_str(v, "member"), json_is_true(json_object_get(v, "eligible")), cp_json_str(v, "reason")};
    }
    cp_tally_input in = {p.rule, p.quorum, tv, nv, bs.b, bs.n, px, npx};
    cp_tally_result r;
    if ((st = cp_tally(&in, &r, err))) goto out;
    *result = cp_tally_result_json(&in, &r);
    cp_tally_result_free(&r);
    json_t *snap = json_pack("{ss so sO}", "source", source, "evaluated_at", gov_time(at, false), "voters", voters);
    if (snapshot_entry)
        *snapshot_entry = json_pack("{ss ss sI ss so sO}", "type", "eligibility", "proposal", id, "round", (json_int_t)p.round,
                                    "source", source, "evaluated_at", gov_time(at, false), "voters", voters);
    json_object_set_new(*result, "eligibility", snap);
out:
    free(tv);
    free(bs.b);
    free(px);
    json_decref(bs.arena);
    json_decref(parena);
    json_decref(voters);
    return st;
}

/* An adopted budget proposal's figures go to the installed handler
 * (budget_effect.h); what happened is stored as the proposal's budget_effect.
 * Nothing to do for other proposals or a budget proposal without figures. */
static cp_status adopt_budget(cp_conn *c, const char *id, json_t **effect, cp_err *err)
{
    *effect = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT budget FROM gov_proposals WHERE id = ? AND type = 'budget'", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    json_t *doc = NULL;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW && !cp_stmt_col_is_null(s, 0)) doc = json_loads(cp_stmt_col_text(s, 0), 0, NULL);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st || !doc) return st;
    st = cp_gov_budget_apply(c, id, doc, effect, err);
    json_decref(doc);
    if (st) return st;
    char *text = json_dumps(*effect, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    if (!(st = cp_stmt_prepare(c, "UPDATE gov_proposals SET budget_effect = ? WHERE id = ?", &s, err))) {
        cp_stmt_bind_text(s, 1, text);
        cp_stmt_bind_text(s, 2, id);
        st = gov_run(s, err);
    }
    free(text);
    if (!st && !json_is_true(json_object_get(*effect, "applied")))
        cp_log(CP_LOG_ERROR, "governance.budget_not_applied", "proposal %s adopted, its budget not applied: %s", id,
               cp_json_str(*effect, "error"));
    return st;
}

cp_status cp_gov_close(cp_conn *c, const char *actor_label, const char *id, int64_t now, json_t **out, cp_err *err)
{
    if (out) *out = NULL;
    bool own;
    cp_status st = gov_tx_open(c, &own, err);
    if (st) return st;
    cp_stmt *s;
    /* the state check and the row lock in one statement */
    st = cp_stmt_prepare(c, "UPDATE gov_proposals SET updated_at = ? WHERE id = ? AND status = 'open' AND closes_at <= ?"
                            " RETURNING closes_at, round",
                         &s, err);
    int64_t closes_at = 0, round = 0;
    bool locked = false;
    if (!st) {
        cp_stmt_bind_int(s, 1, now);
        cp_stmt_bind_text(s, 2, id);
        cp_stmt_bind_int(s, 3, now);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) {
            locked = true;
            closes_at = cp_stmt_col_int(s, 0);
            round = cp_stmt_col_int(s, 1);
            while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            }
        }
        if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    if (!st && !locked) {
        cp_gov_proposal p;
        if (!(st = cp_gov_proposal_load(c, id, &p, err)))
            st = strcmp(p.status, "open") != 0
                     ? cp_fail(err, CP_E_CONFLICT, "the proposal is %s; only an open proposal can be closed", p.status)
                     : cp_fail(err, CP_E_CONFLICT, "the closing time has not come; the vote closes automatically then");
    }
    json_t *result = NULL, *snap = NULL;
    if (!st) st = cp_gov_count(c, id, closes_at, &result, &snap, err);
    if (!st) {
        json_object_set_new(snap, "at", gov_time(now, false));
        st = cp_record_append(c, snap, NULL, err);
    }
    char *text = NULL;
    if (!st) {
        json_t *tally_only = json_copy(result);
        json_object_del(tally_only, "eligibility");
        json_t *e = json_pack("{ss so ss sI so}", "type", "result", "at", gov_time(now, false), "proposal", id, "round",
                              (json_int_t)round, "result", tally_only);
        st = cp_record_append(c, e, NULL, err);
        json_decref(e);
        text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text && !st) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    const char *outcome = result ? cp_json_str(result, "outcome") : NULL;
    if (!st)
        st = cp_stmt_prepare(c, "UPDATE gov_proposals SET status = ?, result = ?, closed_at = ?, updated_at = ? WHERE id = ?", &s,
                             err);
    if (!st) {
        cp_stmt_bind_text(s, 1, outcome);
        cp_stmt_bind_text(s, 2, text);
        cp_stmt_bind_int(s, 3, now);
        cp_stmt_bind_int(s, 4, now);
        cp_stmt_bind_text(s, 5, id);
        st = gov_run(s, err);
    }
    json_t *effect = NULL;
    if (!st && outcome && strcmp(outcome, "adopted") == 0) st = adopt_budget(c, id, &effect, err);
    if (!st) {
        char target[64];
        snprintf(target, sizeof target, "gov_proposal:%.40s", id);
        json_t *d = json_pack("{ss sI sO}", "outcome", outcome, "round", (json_int_t)round, "counts",
                              json_object_get(result, "counts"));
        if (d && effect) json_object_set(d, "budget_effect", effect);
        st = cp_audit_append(c, actor_label, "gov.proposal.close", target, d, err);
        json_decref(d);
    }
    free(text);
    json_decref(result);
    json_decref(snap);
    json_decref(effect);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return out ? cp_gov_proposal_get(c, id, out, err) : CP_OK;
}
