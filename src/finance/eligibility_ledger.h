/*
 * eligibility_ledger.h — finance/'s answer to governance's question "may this
 * member state vote on this date, as far as money goes?" (governance/
 * eligibility.h), read from the ledger: arrears against the contributions
 * due for the two preceding financial years, exemptions and repayment plans
 * (rights.h has the exact rule). src/main.c installs it at start-up.
 */
#ifndef CP_FINANCE_ELIGIBILITY_LEDGER_H
#define CP_FINANCE_ELIGIBILITY_LEDGER_H

#include "governance/eligibility.h"

const cp_eligibility_source *cp_finance_eligibility_source(void);

#endif
