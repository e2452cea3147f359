/*
 * budget_adoption.c — an adopted budget proposal applied to the ledger's
 * reference data (budget_adoption.h).
 */
#include "finance/budget_adoption.h"

#include <stdio.h>

#include "finance/finance.h"
#include "members/actor.h"

static cp_status apply(cp_conn *c, const char *proposal_id, const json_t *doc, json_t **out, cp_err *err)
{
    cp_actor a;
    cp_actor_cli(&a);
    snprintf(a.label, sizeof a.label, "governance");
    char ref[80], key[CP_FIN_IDEM_KEY_MAX + 1];
    snprintf(ref, sizeof ref, "governance proposal %.40s", proposal_id);
    snprintf(key, sizeof key, "governance-budget:%.40s", proposal_id); /* one decision is applied once */
    cp_fin_idem idem = {key, false};
    return cp_finance_adopt_budget(c, &a, doc, ref, &idem, out, err);
}

static const cp_gov_budget_handler HANDLER = {"finance", apply};

const cp_gov_budget_handler *cp_finance_budget_handler(void)
{
    return &HANDLER;
}
