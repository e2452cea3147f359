/*
 * proxies.h — an eligible member state gives its vote to another:
 *   for one proposal ("proposal_id", while it is open), or
 *   for a period [from, until) (every proposal whose ballots fall in it).
 * A member holds at most one proxy in force at a time, and gives at most one
 * at a time. The giver may revoke a proxy before it is used (a ballot was cast
 * with it); voting itself cancels the proxy for that proposal (tally.h).
 * Giving and revoking append "proxy.given" / "proxy.revoked" to the record:
 *   {"type", "at", "proxy", "giver", "holder", "proposal"? , "from", "until"}
 * where [from, until) is when the proxy may be used (for a proposal: from the
 * moment it is given to the proposal's closing time).
 */
#ifndef CP_GOVERNANCE_PROXIES_H
#define CP_GOVERNANCE_PROXIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "governance/tally.h"
#include "members/actor.h"
#include "store/db.h"

/* in: {"holder" (member id), "proposal_id"? | "from"?, "until"}; the giver is the actor's member. */
cp_status cp_gov_proxy_give(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);
/* *giver receives the proxy's giver (for authorisation) before anything changes;
 * CP_E_NOT_FOUND when there is no such proxy. */
cp_status cp_gov_proxy_giver(cp_conn *c, const char *id, char giver[64], cp_err *err);
cp_status cp_gov_proxy_revoke(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err);
/* member NULL: all; else those it gave or holds. */
cp_status cp_gov_proxy_list(cp_conn *c, const char *member, json_t **items, cp_err *err);

/* The proxy (if any) in force from giver to holder at `at` that applies to the proposal,
 * with its row locked until the caller's write transaction ends (casting with it). */
cp_status cp_gov_proxy_find(cp_conn *c, const char *proposal, const char *giver, const char *holder, int64_t at,
                            char id[64], bool *found, cp_err *err);

/* The proxies that may apply to a proposal, in the tally's form (strings owned
 * by *arena, a JSON array to release with json_decref). */
cp_status cp_gov_proxies_for_tally(cp_conn *c, const char *proposal, cp_tally_proxy **out, size_t *n, json_t **arena,
                                   cp_err *err);

#endif
