/*
 * ballots.h — casting ballots, the delegates' signing keys, and reading
 * ballots back.
 *
 * A ballot is one row that is never changed: a change of mind is a new ballot
 * with the next seq, and the last one counts (tally.h). Casting is one write
 * transaction that (1) takes the proposal's row lock by incrementing its
 * ballot counter, so two ballots at once are ordered and both kept,
 * (2) checks the proposal is open and inside its voting window, (3) checks the
 * member (and a proxy holder) is eligible now (voters.h), (4) verifies the
 * delegate's Ed25519 signature when one is given, (5) appends the "ballot"
 * entry to the record (sealed until closing when ballots are secret) and
 * (6) stores the ballot with its receipt and an audit entry.
 *
 * Canonical form signed by a delegate (UTF-8, each line ending in "\n"):
 *     cyberpact-ballot-v1
 *     proposal=<proposal id>
 *     round=<round, decimal>
 *     member=<member id whose vote it is>
 *     cast_by=<member id of the delegate casting it>
 *     choice=<yes|no|abstain|object>
 *     change=<1 for the first ballot cast_by casts for member in this round, 2 for the next...>
 * "change" makes each signature valid for exactly one ballot: an old signed
 * ballot cannot be replayed to undo a later one.
 */
#ifndef CP_GOVERNANCE_BALLOTS_H
#define CP_GOVERNANCE_BALLOTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_BALLOT_CANONICAL_MAX 512

/* Writes the canonical form into buf; returns its length (0 when it does not fit). */
size_t cp_gov_ballot_canonical(const char *proposal, int round, const char *member, const char *cast_by,
                               const char *choice, int64_t change, char *buf, size_t cap);

/* in: {"choice", "member_id"? (whose vote; default the actor's member: another
 *      member's id means casting as its proxy holder), "signature"? (128 hex
 *      chars: Ed25519 over the canonical form), "key_id"? (which registered key;
 *      default: any active key of the actor's user that verifies)}.
 * The caller has authorised the actor as a delegate of its own member.
 * out: {"id", "proposal_id", "round", "member_id", "cast_by", "choice", "seq",
 *       "change", "cast_at", "signed", "key_id", "eligibility", "receipt": {"index", "leaf_hash"}}. */
cp_status cp_gov_ballot_cast(cp_conn *c, const cp_actor *a, const char *proposal, const json_t *in, json_t **out,
                             cp_err *err);

/* Ballots of a proposal's current round (every change, by seq). member NULL: all;
 * else those whose vote is member's or that member cast. */
cp_status cp_gov_ballot_list(cp_conn *c, const char *proposal, const char *member, json_t **items, cp_err *err);

/* Keys. in: {"public_key": 64 hex chars (Ed25519), "label"?}. */
cp_status cp_gov_key_register(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);
/* user NULL: all keys. */
cp_status cp_gov_key_list(cp_conn *c, const char *user, json_t **items, cp_err *err);
/* Revokes a key of the actor's own user (CP_E_NOT_FOUND otherwise, unless any_user). */
cp_status cp_gov_key_revoke(cp_conn *c, const cp_actor *a, const char *key, bool any_user, json_t **out, cp_err *err);

#endif
