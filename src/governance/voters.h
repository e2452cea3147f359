/*
 * voters.h — who may vote in a body on a date, and why not: governance's own
 * conditions (a member state, holding a seat — or, for the general assembly,
 * a member state —, active, with at least one active delegate whose
 * credentials are valid) and then the installed eligibility source (the right
 * to vote as far as contributions go).
 */
#ifndef CP_GOVERNANCE_VOTERS_H
#define CP_GOVERNANCE_VOTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

typedef struct {
    bool eligible;
    char reason[320];
} cp_gov_voter_status;

cp_status cp_gov_voter_check(cp_conn *c, const char *body, const char *member, int64_t at, cp_gov_voter_status *out,
                             cp_err *err);

/* The snapshot of the body at `at`: *voters (owned) is
 * [{"member", "name", "eligible", "reason"}] sorted by member id; *source is the
 * eligibility source's name (static). */
cp_status cp_gov_voters_snapshot(cp_conn *c, const char *body, int64_t at, json_t **voters, const char **source,
                                 cp_err *err);

#endif
