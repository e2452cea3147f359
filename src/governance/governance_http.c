/*
 * governance_http.c — /api/v1/governance/... : bodies, seats, proposals,
 * comments, ballots, results, proxies, eligibility, delegates' keys.
 * Parse, authorise (cp_authz gov.*), call the domain, render; nothing else.
 * The policy is written out in docs/api.md ("Governance").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/timeutil.h"
#include "governance/ballots.h"
#include "governance/bodies.h"
#include "governance/close.h"
#include "governance/eligibility.h"
#include "governance/proposals.h"
#include "governance/proxies.h"
#include "governance/voters.h"
#include "http/authz.h"
#include "http/http.h"
#include "http/routes.h"

static bool reads_all(const cp_actor *a) { return (a->roles & (CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR)) != 0 || a->kind == CP_ACTOR_CLI; }

/* authorise, then the connection */
static cp_status start(cp_req *r, cp_action act, const cp_resource *res, cp_conn **c, cp_err *err)
{
    cp_status st = cp_authz(&r->actor, act, res, err);
    if (st) return st;
    *c = cp_req_conn(r, err);
    return *c ? CP_OK : CP_E_UNAVAILABLE;
}

/* The optional JSON body of an action (open, close...): NULL when none. */
static cp_status optional_body(cp_req *r, json_t **in, cp_err *err)
{
    *in = NULL;
    if (!r->body || r->body_len == 0) return CP_OK;
    return cp_req_json(r, in, err);
}

static cp_status reply(cp_req *r, cp_status st, int code, json_t *out)
{
    if (st) {
        json_decref(out);
        return st;
    }
    cp_resp_json(r, code, out);
    return CP_OK;
}

typedef cp_status (*write_fn)(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);

static cp_status admin_create(cp_req *r, write_fn fn, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = fn(c, &r->actor, in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

/* --- bodies --- */

static cp_status list_bodies(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_body_list(c, cp_now_ms(), &items, err);
    return reply(r, st, 200, st ? items : cp_page_json(items, NULL));
}

static cp_status create_body(cp_req *r, cp_err *err) { return admin_create(r, cp_gov_body_create, err); }

static cp_status get_body(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *out = NULL;
    if (!st) st = cp_gov_body_get(c, r->params[0], cp_now_ms(), &out, err);
    return reply(r, st, 200, out);
}

static cp_status add_seat(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_seat_add(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

static cp_status end_seat(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *out = NULL;
    if (!st) st = cp_gov_seat_end(c, &r->actor, r->params[0], r->params[1], &out, err);
    return reply(r, st, 200, out);
}

/* --- proposals --- */

static cp_status list_proposals(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    if (st) return st;
    int limit;
    const char *next;
    if ((st = cp_req_page(r, 100, &limit, &next, err))) return st;
    int64_t offset = 0;
    if (next) {
        char *end;
        long long v = strtoll(next, &end, 10);
        if (!*next || *end || v < 0 || v > 100000000)
            return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next must be a value returned by this list");
        offset = v;
    }
    const char *status = cp_query_get(&r->query, "status"), *body = cp_query_get(&r->query, "body");
    static const char *const STATES[] = {"draft", "open", "adopted", "rejected", "postponed", "withdrawn"};
    if (status) {
        bool ok = false;
        for (size_t i = 0; i < sizeof STATES / sizeof STATES[0]; i++) ok |= strcmp(status, STATES[i]) == 0;
        if (!ok)
            return cp_fail(err, CP_E_BAD_REQUEST,
                           "query parameter status must be draft, open, adopted, rejected, postponed or withdrawn");
    }
    json_t *items;
    bool more;
    if ((st = cp_gov_proposal_list(c, status, body, offset, limit, &items, &more, err))) {
        json_decref(items);
        return st;
    }
    char nx[32];
    snprintf(nx, sizeof nx, "%lld", (long long)(offset + limit));
    cp_resp_json(r, 200, cp_page_json(items, more ? nx : NULL));
    return CP_OK;
}

static cp_status create_proposal(cp_req *r, cp_err *err) { return admin_create(r, cp_gov_proposal_create, err); }

static cp_status get_proposal(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *out = NULL;
    if (!st) st = cp_gov_proposal_get(c, r->params[0], &out, err);
    return reply(r, st, 200, out);
}

static cp_status amend_proposal(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_proposal_amend(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    return reply(r, st, 200, out);
}

static cp_status proposal_versions(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_proposal_versions(c, r->params[0], &items, err);
    return reply(r, st, 200, st ? items : cp_page_json(items, NULL));
}

static cp_status transition(cp_req *r, int which, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = optional_body(r, &in, err);
    if (!st) {
        switch (which) {
        case 0: st = cp_gov_proposal_open(c, &r->actor, r->params[0], in, &out, err); break;
        case 1:
            st = in && json_object_size(in) ? cp_fail(err, CP_E_BAD_REQUEST, "body: withdraw takes no fields")
                                            : cp_gov_proposal_withdraw(c, &r->actor, r->params[0], &out, err);
            break;
        case 2:
            st = in && json_object_size(in) ? cp_fail(err, CP_E_BAD_REQUEST, "body: close takes no fields")
                                            : cp_gov_close(c, r->actor.label, r->params[0], cp_now_ms(), &out, err);
            break;
        default: st = cp_gov_proposal_reopen(c, &r->actor, r->params[0], in, &out, err); break;
        }
    }
    json_decref(in);
    return reply(r, st, 200, out);
}

static cp_status open_proposal(cp_req *r, cp_err *err) { return transition(r, 0, err); }
static cp_status withdraw_proposal(cp_req *r, cp_err *err) { return transition(r, 1, err); }
static cp_status close_proposal(cp_req *r, cp_err *err) { return transition(r, 2, err); }
static cp_status reopen_proposal(cp_req *r, cp_err *err) { return transition(r, 3, err); }

static cp_status get_result(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *p = NULL;
    if (!st) st = cp_gov_proposal_get(c, r->params[0], &p, err);
    if (st) return st;
    json_t *res = json_object_get(p, "result");
    if (json_is_null(res)) {
        st = cp_fail(err, CP_E_CONFLICT, "the proposal is %s; a result exists once its vote has closed", cp_json_str(p, "status"));
        json_decref(p);
        return st;
    }
    json_t *out = json_pack("{ss ss sO sO sO}", "proposal_id", r->params[0], "status", cp_json_str(p, "status"), "round",
                            json_object_get(p, "round"), "closed_at", json_object_get(p, "closed_at"), "result", res);
    json_decref(p);
    cp_resp_json(r, 200, out);
    return CP_OK;
}

/* --- comments --- */

static cp_status list_comments(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_comment_list(c, r->params[0], &items, err);
    return reply(r, st, 200, st ? items : cp_page_json(items, NULL));
}

static cp_status add_comment(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_COMMENT, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_comment_add(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

/* --- ballots --- */

static cp_status cast_ballot(cp_req *r, cp_err *err)
{
    cp_resource own = {.member_id = r->actor.member_id};
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_VOTE, &own, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_ballot_cast(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

static cp_status list_ballots(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    cp_gov_proposal p;
    if (!st) st = cp_gov_proposal_load(c, r->params[0], &p, err);
    if (st) return st;
    bool closed = strcmp(p.status, "adopted") == 0 || strcmp(p.status, "rejected") == 0 || strcmp(p.status, "postponed") == 0;
    /* recorded votes: everyone once closed (or at once when the proposal says so);
     * until then a member sees its own, auditors everything (as in the record) */
    const char *visible = "all", *member = NULL;
    if (!closed && !p.public_ballots && !(r->actor.roles & CP_ROLE_AUDITOR) && r->actor.kind != CP_ACTOR_CLI) {
        visible = "own";
        member = r->actor.member_id;
    }
    json_t *items = NULL;
    if ((st = cp_gov_ballot_list(c, r->params[0], member, &items, err))) {
        json_decref(items);
        return st;
    }
    json_t *out = cp_page_json(items, NULL);
    json_object_set_new(out, "visible", json_string(visible));
    json_object_set_new(out, "round", json_integer(p.round));
    cp_resp_json(r, 200, out);
    return CP_OK;
}

/* --- proxies --- */

static cp_status give_proxy(cp_req *r, cp_err *err)
{
    cp_resource own = {.member_id = r->actor.member_id};
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_PROXY, &own, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_proxy_give(c, &r->actor, in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

static cp_status revoke_proxy(cp_req *r, cp_err *err)
{
    cp_conn *c = cp_req_conn(r, err);
    if (!c) return CP_E_UNAVAILABLE;
    cp_status st = cp_authz(&r->actor, CP_ACT_GOV_READ, NULL, err);
    char giver[64];
    if (!st) st = cp_gov_proxy_giver(c, r->params[0], giver, err);
    if (st) return st;
    cp_resource res = {.member_id = giver};
    if ((st = cp_authz(&r->actor, CP_ACT_GOV_PROXY, &res, err))) return st;
    json_t *out = NULL;
    st = cp_gov_proxy_revoke(c, &r->actor, r->params[0], &out, err);
    return reply(r, st, 200, out);
}

static cp_status list_proxies(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_proxy_list(c, reads_all(&r->actor) ? NULL : r->actor.member_id, &items, err);
    return reply(r, st, 200, st ? items : cp_page_json(items, NULL));
}

/* --- eligibility --- */

static cp_status list_eligibility(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ELIGIBILITY_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_eligibility_list(c, reads_all(&r->actor) ? NULL : r->actor.member_id, &items, err);
    if (st) return reply(r, st, 200, items);
    json_t *out = cp_page_json(items, NULL);
    json_object_set_new(out, "source", json_string(cp_eligibility_current()->name));
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status get_eligibility(cp_req *r, cp_err *err)
{
    cp_resource res = {.member_id = r->params[0]};
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ELIGIBILITY_READ, &res, &c, err);
    if (st) return st;
    if (!cp_uuid_valid(r->params[0])) return cp_fail(err, CP_E_NOT_FOUND, "no such member");
    int64_t at = cp_now_ms();
    const char *when = cp_query_get(&r->query, "at");
    if (when && cp_rfc3339_parse(when, &at, err)) return cp_fail_prefix(err, CP_E_BAD_REQUEST, "query parameter at");
    cp_vote_right vr;
    cp_gov_voter_status vs;
    json_t *rows = NULL;
    if ((st = cp_gov_voter_check(c, "general-assembly", r->params[0], at, &vs, err)) ||
        (st = cp_eligibility_right_to_vote(c, r->params[0], at, &vr, err)) ||
        (st = cp_gov_eligibility_list(c, r->params[0], &rows, err))) {
        json_decref(rows);
        return st;
    }
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(at, t);
    json_t *out = json_pack("{ss ss ss s{sb ss so so so} s{sb ss} so}", "member_id", r->params[0], "at", t, "source",
                            cp_eligibility_current()->name, "right_to_vote", "has_right", vr.has_right, "reason", vr.reason,
                            "arrears", vr.arrears < 0 ? json_null() : json_integer(vr.arrears), "threshold",
                            vr.threshold < 0 ? json_null() : json_integer(vr.threshold), "currency",
                            vr.currency[0] ? json_string(vr.currency) : json_null(), "general_assembly", "eligible",
                            vs.eligible, "reason", vs.reason, "records", rows);
    cp_resp_json(r, 200, out);
    return CP_OK;
}

static cp_status record_eligibility(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_ADMIN, NULL, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_eligibility_record(c, &r->actor, r->params[0], in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

/* --- delegates' keys --- */

static cp_status list_keys(cp_req *r, cp_err *err)
{
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_READ, NULL, &c, err);
    json_t *items = NULL;
    if (!st) st = cp_gov_key_list(c, reads_all(&r->actor) ? NULL : r->actor.user_id, &items, err);
    return reply(r, st, 200, st ? items : cp_page_json(items, NULL));
}

static cp_status register_key(cp_req *r, cp_err *err)
{
    cp_resource own = {.user_id = r->actor.user_id, .member_id = r->actor.member_id};
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_KEY, &own, &c, err);
    json_t *in = NULL, *out = NULL;
    if (!st) st = cp_req_json(r, &in, err);
    if (!st) st = cp_gov_key_register(c, &r->actor, in, &out, err);
    json_decref(in);
    return reply(r, st, 201, out);
}

static cp_status revoke_key(cp_req *r, cp_err *err)
{
    bool sec = (r->actor.roles & CP_ROLE_SECRETARIAT) != 0;
    cp_resource res = {.user_id = sec ? "any" : r->actor.user_id};
    cp_conn *c;
    cp_status st = start(r, CP_ACT_GOV_KEY, &res, &c, err);
    json_t *out = NULL;
    if (!st) st = cp_gov_key_revoke(c, &r->actor, r->params[0], sec, &out, err);
    return reply(r, st, 200, out);
}

const cp_route cp_governance_routes[] = {
    {"GET", "/api/v1/governance/bodies", list_bodies, 0},
    {"POST", "/api/v1/governance/bodies", create_body, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/bodies/{id}", get_body, 0},
    {"POST", "/api/v1/governance/bodies/{id}/seats", add_seat, CP_ROUTE_JSON_BODY},
    {"DELETE", "/api/v1/governance/bodies/{id}/seats/{seat}", end_seat, 0},
    {"GET", "/api/v1/governance/proposals", list_proposals, 0},
    {"POST", "/api/v1/governance/proposals", create_proposal, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/proposals/{id}", get_proposal, 0},
    {"PATCH", "/api/v1/governance/proposals/{id}", amend_proposal, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/proposals/{id}/versions", proposal_versions, 0},
    {"POST", "/api/v1/governance/proposals/{id}/open", open_proposal, 0},
    {"POST", "/api/v1/governance/proposals/{id}/withdraw", withdraw_proposal, 0},
    {"POST", "/api/v1/governance/proposals/{id}/close", close_proposal, 0},
    {"POST", "/api/v1/governance/proposals/{id}/reopen", reopen_proposal, 0},
    {"GET", "/api/v1/governance/proposals/{id}/result", get_result, 0},
    {"GET", "/api/v1/governance/proposals/{id}/comments", list_comments, 0},
    {"POST", "/api/v1/governance/proposals/{id}/comments", add_comment, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/proposals/{id}/ballots", list_ballots, 0},
    {"POST", "/api/v1/governance/proposals/{id}/ballots", cast_ballot, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/proxies", list_proxies, 0},
    {"POST", "/api/v1/governance/proxies", give_proxy, CP_ROUTE_JSON_BODY},
    {"POST", "/api/v1/governance/proxies/{id}/revoke", revoke_proxy, 0},
    {"GET", "/api/v1/governance/eligibility", list_eligibility, 0},
    {"GET", "/api/v1/governance/eligibility/{member}", get_eligibility, 0},
    {"POST", "/api/v1/governance/eligibility/{member}", record_eligibility, CP_ROUTE_JSON_BODY},
    {"GET", "/api/v1/governance/keys", list_keys, 0},
    {"POST", "/api/v1/governance/keys", register_key, CP_ROUTE_JSON_BODY},
    {"DELETE", "/api/v1/governance/keys/{id}", revoke_key, 0},
};
const int cp_governance_routes_count = sizeof cp_governance_routes / sizeof cp_governance_routes[0];
