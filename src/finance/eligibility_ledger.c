#include "finance/eligibility_ledger.h"

#include <stdio.h>
#include <string.h>

#include "finance/finance.h"

static cp_status right_to_vote(void *ctx, cp_conn *c, const char *member_id, int64_t at_ms, cp_vote_right *out,
                               cp_err *err)
{
    (void)ctx;
    cp_fin_right r;
    cp_status st = cp_finance_vote_right(c, member_id, at_ms, &r, err);
    if (st) return st;
    memset(out, 0, sizeof *out);
    out->has_right = r.has_right;
    snprintf(out->reason, sizeof out->reason, "%s", r.reason);
    out->arrears = r.counted;
    out->threshold = r.threshold;
    snprintf(out->currency, sizeof out->currency, "%s", r.currency);
    return CP_OK;
}

static const cp_eligibility_source LEDGER = {"ledger", right_to_vote, NULL};

const cp_eligibility_source *cp_finance_eligibility_source(void) { return &LEDGER; }
