/*
 * budget_effect.h — what an adopted budget proposal does outside governance.
 *
 * A proposal of type "budget" may carry a budget document: the decision's
 * figures (for finance: the year, the currency, the value of one contributory
 * unit, budget lines). Governance stores it with the proposal and, when the
 * vote closes "adopted", hands it to the installed handler inside the closing
 * transaction. Governance never includes finance: main.c installs finance's
 * handler (finance/budget_adoption.h), as it installs the eligibility source.
 *
 *   - At creation and amendment the document is tried: the handler applies it
 *     inside a savepoint that is always rolled back, so the secretariat learns
 *     at once that, say, the unit value of that year is already set (the
 *     handler's message, prefixed "body.").
 *   - At closing, adopted: applied inside a savepoint. If it fails (the year
 *     was set meanwhile by another decision), the savepoint is rolled back and
 *     the vote still closes: the proposal's budget_effect says
 *     {"applied": false, "error": ...}, an audit entry records it and the
 *     secretariat acts. A vote is a fact; its effect may need a person.
 *   - Without a handler, a budget document is kept but not applied
 *     ({"applied": false, "error": "no handler installed"}).
 */
#ifndef CP_GOVERNANCE_BUDGET_EFFECT_H
#define CP_GOVERNANCE_BUDGET_EFFECT_H

#include <jansson.h>

#include "base/status.h"
#include "store/db.h"

typedef struct cp_gov_budget_handler {
    const char *name; /* "finance": recorded in the effect */
    /* Applies doc for proposal_id inside the caller's write transaction.
     * *out (owned, may stay NULL) describes what was done. Error messages
     * name fields from the document as "budget" ("budget.year: ...",
     * "budget.lines[2].amount: ..."); the API prefixes "body.". */
    cp_status (*apply)(cp_conn *c, const char *proposal_id, const json_t *doc, json_t **out, cp_err *err);
} cp_gov_budget_handler;

/* Installs the process-wide handler (borrowed). NULL: none. Before threads start. */
void cp_gov_budget_install(const cp_gov_budget_handler *h);

/* The largest budget document accepted, serialised (bytes). */
#define CP_GOV_BUDGET_MAX 16384

/* Tries doc inside the caller's write transaction and undoes it (a rolled
 * back savepoint). CP_OK without a handler. */
cp_status cp_gov_budget_try(cp_conn *c, const char *proposal_id, const json_t *doc, cp_err *err);

/* Applies doc inside the caller's write transaction; *effect (owned) is the
 * proposal's budget_effect. A failure of the handler is not an error here
 * (its savepoint is rolled back and *effect says so); store errors are. */
cp_status cp_gov_budget_apply(cp_conn *c, const char *proposal_id, const json_t *doc, json_t **effect, cp_err *err);

#endif
