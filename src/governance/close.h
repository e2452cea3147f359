/*
 * close.h — closing a vote: one write transaction that
 *   1. moves the proposal out of "open" (UPDATE ... WHERE status = 'open' AND
 *      closes_at <= now: on PostgreSQL the row lock makes a second closer —
 *      another server's scheduler, or the secretariat — find it no longer open);
 *   2. takes the eligibility snapshot of the body at the closing time
 *      (voters.h), and appends it to the record ("eligibility");
 *   3. counts with the pure tally over the round's ballots and the proxies;
 *   4. appends the "result" to the record, stores the result (with the
 *      snapshot) and the outcome as the proposal's status, and an audit entry.
 * Eligibility is evaluated at the closing time (closes_at), whenever the
 * closing actually runs.
 */
#ifndef CP_GOVERNANCE_CLOSE_H
#define CP_GOVERNANCE_CLOSE_H

#include <jansson.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

/* Closes proposal id at `now` on behalf of actor_label ("system" for the
 * scheduler). CP_E_CONFLICT when it is not open or its closing time has not
 * come. out (may be NULL) receives the proposal. */
cp_status cp_gov_close(cp_conn *c, const char *actor_label, const char *id, int64_t now, json_t **out, cp_err *err);

/* Builds the tally input of the proposal's current round from the store and
 * counts (read only; used by closing and by the result preview).
 * *result (owned) is cp_tally_result_json with "eligibility" added. */
cp_status cp_gov_count(cp_conn *c, const char *id, int64_t at, json_t **result, json_t **snapshot_entry, cp_err *err);

#endif
