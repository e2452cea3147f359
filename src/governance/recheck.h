/*
 * recheck.h — "recompute every result from the logged ballots": the contract
 * between the record's verifier (`cyberpact record verify`, written with the
 * record) and the governance part, which owns the tally and implements it.
 *
 * cp_gov_recheck_results(entries, n, report, err)
 *   entries[i] is the parsed canonical entry at leaf index i of a verified copy
 *   of the record (governance/record.h lists the types), or NULL when the entry
 *   was withheld from this reader (sealed). n is the tree size. Borrowed.
 *   It recomputes, with the same pure tally function the server uses, the
 *   result of every proposal that has a "result" entry, from the logged
 *   "proposal.opened", "eligibility", "ballot" and "proxy.*" entries, and fills
 *   *report (owned by the caller) with
 *     {"checked": <results recomputed>,
 *      "skipped": [{"proposal": id, "reason": "..."}],     e.g. ballots withheld
 *      "differences": [{"proposal": id, "index": <leaf index of the result>,
 *                       "logged": {...}, "recomputed": {...}, "what": "..."}]}
 *   and returns CP_OK when it ran (whether or not it found differences); any
 *   other status means it could not run (err says why). The verifier fails
 *   (exit 1) when "differences" is not empty and prints everything.
 *
 * Entries of other types (e.g. "note") are ignored by the recheck.
 *
 * Wiring: the governance part defines cp_gov_recheck_results and main.c
 * installs it with `cp_gov_recheck_hook = cp_gov_recheck_results;`. While the
 * hook is NULL the verifier says "results: not rechecked (governance recheck
 * not built)" and does not claim the results were checked.
 */
#ifndef CP_GOVERNANCE_RECHECK_H
#define CP_GOVERNANCE_RECHECK_H

#include <jansson.h>
#include <stddef.h>

#include "base/status.h"

typedef cp_status (*cp_gov_recheck_fn)(json_t *const *entries, size_t n, json_t **report, cp_err *err);

cp_status cp_gov_recheck_results(json_t *const *entries, size_t n, json_t **report, cp_err *err);

/* NULL until main.c installs cp_gov_recheck_results (defined in record_verify.c). */
extern cp_gov_recheck_fn cp_gov_recheck_hook;

#endif
