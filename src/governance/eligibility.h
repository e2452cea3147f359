/*
 * eligibility.h — "may this member state vote on this date, as far as its
 * contributions go?" The one question governance asks of money.
 *
 * governance/ never reads the ledger. It asks the installed source:
 *   - until finance/ exists, the placeholder source of governance/
 *     (eligibility.c: recorded arrears and exemptions, set by the secretariat);
 *   - then finance/'s ledger source (arrears against the contributions due for
 *     the two preceding years, exemptions, repayment plans), installed by the
 *     composition root (src/main.c) at start-up, without touching governance/.
 *
 * The other conditions of eligibility (the member is active, a delegate's
 * credentials are valid, the member holds a seat in the body) are governance's
 * own and are not asked here.
 */
#ifndef CP_GOVERNANCE_ELIGIBILITY_H
#define CP_GOVERNANCE_ELIGIBILITY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

typedef struct {
    bool has_right;          /* the member may vote on that date as far as money goes */
    char reason[200];        /* plain words: why not, or what keeps the right (an exemption) */
    int64_t arrears;         /* arrears counted, in minor units of currency; -1 when not known */
    int64_t threshold;       /* contributions due for the two preceding years; -1 when not known */
    char currency[4];        /* ISO 4217, "" when not known */
} cp_vote_right;

typedef struct cp_eligibility_source {
    const char *name; /* "placeholder", "ledger": recorded in every eligibility snapshot */
    /* Answers for member_id at at_ms (ms since the epoch, UTC). Reads through c, inside the
     * caller's transaction if one is open, so the answer is consistent with what the caller
     * writes next. Returns CP_OK (whatever the answer) or a store error. */
    cp_status (*right_to_vote)(void *ctx, cp_conn *c, const char *member_id, int64_t at_ms,
                               cp_vote_right *out, cp_err *err);
    void *ctx;
    /* Optional (NULL: asked one by one): the answers for n members at once,
     * out[i] for ids[i], e.g. for the snapshot of a body at closing. */
    cp_status (*rights_to_vote)(void *ctx, cp_conn *c, const char *const *ids, size_t n, int64_t at_ms,
                                cp_vote_right *out, cp_err *err);
} cp_eligibility_source;

/* Installs the process-wide source (borrowed; must outlive its use). NULL restores the
 * placeholder. Call before the server starts threads. */
void cp_eligibility_install(const cp_eligibility_source *src);
const cp_eligibility_source *cp_eligibility_current(void);

/* Asks the installed source. */
cp_status cp_eligibility_right_to_vote(cp_conn *c, const char *member_id, int64_t at_ms,
                                       cp_vote_right *out, cp_err *err);
/* The same for n members (one batch question when the source can). */
cp_status cp_eligibility_rights_to_vote(cp_conn *c, const char *const *ids, size_t n, int64_t at_ms,
                                        cp_vote_right *out, cp_err *err);

/* --- the placeholder source (governance/eligibility.c) ---
 * Until finance/ installs its ledger source, the secretariat records, per
 * member and date range, a state: "arrears" (no right to vote), "exemption"
 * (an exemption decided by the body: the right is kept despite arrears) or
 * "clear" (no arrears). The most recently recorded row whose range covers a
 * date decides; without any, the member has the right. Rows are never changed:
 * a correction is a new row. */
extern const cp_eligibility_source cp_eligibility_placeholder;

/* in: {"state": "arrears"|"exemption"|"clear", "reason" (1..200), "from"? (RFC 3339,
 * default now), "until"?, "arrears"?, "threshold"? (integers, minor units), "currency"?}.
 * member must be a member state. Appends an audit entry. CP_E_CONFLICT when another
 * source is installed (its records would not be consulted). */
cp_status cp_gov_eligibility_record(cp_conn *c, const cp_actor *a, const char *member, const json_t *in, json_t **out,
                                    cp_err *err);
/* The recorded rows (newest first), of one member or of all (member NULL). */
cp_status cp_gov_eligibility_list(cp_conn *c, const char *member, json_t **items, cp_err *err);

#endif
