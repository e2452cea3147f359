/*
 * proposals.h — proposals and their lifecycle:
 *
 *   draft ──open──▶ open ──close──▶ adopted | rejected | postponed
 *     │                                                   │
 *     └─withdraw─▶ withdrawn              postponed ──reopen──▶ open (round + 1)
 *
 * A draft may be amended (each amendment is a new version; every version is
 * kept). Once open, the rule, quorum, body and text are fixed. Closing
 * (close.h) computes the result in the same transaction that moves the state.
 * Every transition appends an audit entry; opening (and re-opening) appends a
 * "proposal.opened" entry to the record. Comments are taken while open.
 *
 * Authorisation is the caller's (cp_authz); these functions check the state.
 */
#ifndef CP_GOVERNANCE_PROPOSALS_H
#define CP_GOVERNANCE_PROPOSALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/status.h"
#include "governance/tally.h"
#include "members/actor.h"
#include "store/db.h"

/* What the other governance files need of a proposal. */
typedef struct {
    char id[CP_UUID_LEN + 1];
    char body[64];
    char status[16];
    cp_rule rule;
    cp_quorum quorum;
    bool public_ballots;
    bool has_opens, has_closes;
    int64_t opens_at, closes_at;
    int64_t remind_before;
    int round;
    int version;
} cp_gov_proposal;

/* CP_E_NOT_FOUND when there is none. */
cp_status cp_gov_proposal_load(cp_conn *c, const char *id, cp_gov_proposal *out, cp_err *err);

/* in: {"type", "title", "text", "links"?, "rule", "quorum"? {"num","den","strict"?},
 *      "body_id"? (default the general assembly), "public_ballots"?, "opens_at"?,
 *      "closes_at"?, "remind_before_minutes"? (default 1440; 0 = none)} → a draft. */
cp_status cp_gov_proposal_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);
/* A draft's amendment: any of the create fields, and "note"; a new version. */
cp_status cp_gov_proposal_amend(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err);
/* in: {"opens_at"?, "closes_at"?} override the draft's times. Voting starts at
 * opens_at (default now) and ends at closes_at, which must be later than both. */
cp_status cp_gov_proposal_open(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err);
cp_status cp_gov_proposal_withdraw(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err);
/* A postponed proposal opens again as a new round: in {"closes_at", "opens_at"?}. */
cp_status cp_gov_proposal_reopen(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err);

cp_status cp_gov_proposal_get(cp_conn *c, const char *id, json_t **out, cp_err *err);
/* Newest first; status and body may be NULL (any). offset/limit page the list;
 * *more says whether more rows exist. */
cp_status cp_gov_proposal_list(cp_conn *c, const char *status, const char *body, int64_t offset, int limit,
                               json_t **items, bool *more, cp_err *err);
cp_status cp_gov_proposal_versions(cp_conn *c, const char *id, json_t **items, cp_err *err);

/* Comments: in {"text"} (1..4000 bytes) by the actor's member, while open. */
cp_status cp_gov_comment_add(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err);
cp_status cp_gov_comment_list(cp_conn *c, const char *id, json_t **items, cp_err *err);

/* Whether a proposal type name is known: budget, admission, suspension,
 * service_catalogue, policy, other. */
bool cp_gov_proposal_type_valid(const char *t);

#endif
