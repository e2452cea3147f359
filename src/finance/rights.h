/*
 * rights.h — arrears and voting rights of every member on a day, computed in
 * a few set queries (finance/ internal; finance.h has the public calls).
 *
 * Definitions (docs/finance.md, "Arrears" and "Voting rights"):
 *   overdue on day D   an assessment whose due date is before D (a payment
 *                      on the due date itself is on time)
 *   arrears(D)         the sum over overdue assessments of what is unpaid at
 *                      the end of D (allocations dated on or before D)
 *   threshold(D)       the contributions assessed to the member for the two
 *                      financial years before the year of D (for a day in
 *                      2026: 2024 and 2025), whatever has been paid on them
 *   counted(D)         arrears(D), less the outstanding balance of a
 *                      repayment plan the member respects on D
 *   no vote            threshold(D) > 0 and counted(D) >= threshold(D), unless
 *                      an exemption covers D
 *   min payment        counted(D) - threshold(D) + 1
 */
#ifndef CP_FINANCE_RIGHTS_H
#define CP_FINANCE_RIGHTS_H

#include <stdbool.h>
#include <stdint.h>

#include "finance/finance.h"
#include "finance/internal.h"

typedef struct {
    char id[CP_UUID_LEN + 1];
    char name[200];
    char kind[24];
    char country[4];
    char region[64];
    int64_t buckets[4];     /* 1-30, 31-90, 91-365, over 365 days overdue */
    int64_t arrears_future; /* overdue on the horizon day if nothing is paid */
    int64_t threshold_future;
    bool exempt_future;
    bool at_risk;           /* has the vote on D, loses it by the horizon day */
    char exemption_ref[200];
    cp_fin_right right;
} fin_row;

/* Rows of every member other than the alliance (only_member: just that one),
 * sorted by id. horizon: a later day for at_risk (or day). *rows malloc'd. */
cp_status fin_rights_rows(cp_conn *c, const char *currency, int64_t day, int64_t horizon, const char *only_member,
                          fin_row **rows, size_t *n, cp_err *err);

#endif
