/*
 * budget_adoption.h — finance/'s handler for an adopted budget proposal
 * (governance/budget_effect.h): the proposal's budget document
 * {"year", "currency"?, "unit_value" | "unit_value_minor", "lines"?: [{"code",
 * "name", "amount" | "amount_minor"}]} sets the year's unit value and creates
 * its budget lines through cp_finance_adopt_budget, with the decision
 * reference "governance proposal <id>", inside governance's closing
 * transaction. src/main.c installs it at start-up.
 */
#ifndef CP_FINANCE_BUDGET_ADOPTION_H
#define CP_FINANCE_BUDGET_ADOPTION_H

#include "governance/budget_effect.h"

const cp_gov_budget_handler *cp_finance_budget_handler(void);

#endif
