/*
 * voters.c — eligibility of member states in a body (voters.h).
 */
#include "governance/voters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "governance/bodies.h"
#include "governance/eligibility.h"
#include "base/json.h"
#include "governance/gov_db.h"

static cp_status has_delegate(cp_conn *c, const char *member, bool *yes, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1 FROM users WHERE member_id = ? AND status = 'active' AND (roles & 2) <> 0 LIMIT 1",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* The conditions after "is in the body" that are not money: active, with a
 * delegate. *ask: they hold, the eligibility source decides (right()). */
static cp_status pre_check(cp_conn *c, const char *member, const char *status, cp_gov_voter_status *out, bool *ask,
                           cp_err *err)
{
    out->eligible = false;
    *ask = false;
    if (strcmp(status, "active") != 0) {
        snprintf(out->reason, sizeof out->reason, "the member is %.32s", status);
        return CP_OK;
    }
    bool d;
    cp_status st = has_delegate(c, member, &d, err);
    if (st) return st;
    if (!d) {
        snprintf(out->reason, sizeof out->reason, "the member has no active delegate");
        return CP_OK;
    }
    *ask = true;
    return CP_OK;
}

static void right(const cp_vote_right *vr, cp_gov_voter_status *out)
{
    out->eligible = vr->has_right;
    snprintf(out->reason, sizeof out->reason, "%s%s", vr->has_right ? "" : "no right to vote: ", vr->reason);
}

static cp_status check_member(cp_conn *c, const char *member, const char *status, int64_t at, cp_gov_voter_status *out,
                              cp_err *err)
{
    bool ask;
    cp_status st = pre_check(c, member, status, out, &ask, err);
    if (st || !ask) return st;
    cp_vote_right vr;
    if ((st = cp_eligibility_right_to_vote(c, member, at, &vr, err))) return st;
    right(&vr, out);
    return CP_OK;
}

cp_status cp_gov_voter_check(cp_conn *c, const char *body, const char *member, int64_t at, cp_gov_voter_status *out,
                             cp_err *err)
{
    memset(out, 0, sizeof *out);
    gov_member m;
    cp_status st = gov_member_get(c, member, &m, err);
    if (st) return st;
    if (!m.exists || strcmp(m.kind, "member_state") != 0) {
        snprintf(out->reason, sizeof out->reason, "only member states vote");
        return CP_OK;
    }
    bool in;
    if ((st = cp_gov_body_has_member(c, body, member, at, &in, err))) return st;
    if (!in) {
        snprintf(out->reason, sizeof out->reason, "the member holds no seat in this body");
        return CP_OK;
    }
    return check_member(c, member, m.status, at, out, err);
}

cp_status cp_gov_voters_snapshot(cp_conn *c, const char *body, int64_t at, json_t **voters, const char **source,
                                 cp_err *err)
{
    *source = cp_eligibility_current()->name;
    *voters = json_array();
    json_t *members;
    cp_status st = cp_gov_body_members(c, body, at, &members, err);
    if (st) return st;
    size_t n = json_array_size(members), n_ask = 0;
    cp_gov_voter_status *vs = calloc(n ? n : 1, sizeof *vs);
    cp_vote_right *vr = calloc(n ? n : 1, sizeof *vr);
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    bool *ask = calloc(n ? n : 1, sizeof *ask);
    if (!vs || !vr || !ids || !ask) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    /* the conditions that are not money, then the source asked once for everyone left */
    for (size_t i = 0; i < n && !st; i++) {
        json_t *m = json_array_get(members, i);
        st = pre_check(c, cp_json_str(m, "member"), cp_json_str(m, "status"), &vs[i], &ask[i], err);
        if (ask[i]) ids[n_ask++] = cp_json_str(m, "member");
    }
    if (!st && n_ask) st = cp_eligibility_rights_to_vote(c, ids, n_ask, at, vr, err);
    for (size_t i = 0, k = 0; i < n && !st; i++) {
        json_t *m = json_array_get(members, i);
        if (ask[i]) right(&vr[k++], &vs[i]);
        json_array_append_new(*voters, json_pack("{ss ss sb ss}", "member", cp_json_str(m, "member"), "name",
                                                 cp_json_str(m, "name"), "eligible", vs[i].eligible, "reason", vs[i].reason));
    }
    free(vs);
    free(vr);
    free(ids);
    free(ask);
    json_decref(members);
    return st;
}
