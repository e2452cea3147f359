#include "finance/eligibility_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/finance.h"

static void convert(const cp_fin_right *r, cp_vote_right *out)
{
    memset(out, 0, sizeof *out);
    out->has_right = r->has_right;
    snprintf(out->reason, sizeof out->reason, "%s", r->reason);
    out->arrears = r->counted;
    out->threshold = r->threshold;
    snprintf(out->currency, sizeof out->currency, "%s", r->currency);
}

static cp_status right_to_vote(void *ctx, cp_conn *c, const char *member_id, int64_t at_ms, cp_vote_right *out,
                               cp_err *err)
{
    (void)ctx;
    cp_fin_right r;
    cp_status st = cp_finance_vote_right(c, member_id, at_ms, &r, err);
    if (!st) convert(&r, out);
    return st;
}

/* A body's snapshot at closing: every member's standing in one pass of the set queries. */
static cp_status rights_to_vote(void *ctx, cp_conn *c, const char *const *ids, size_t n, int64_t at_ms, cp_vote_right *out,
                                cp_err *err)
{
    (void)ctx;
    cp_fin_right *r = calloc(n ? n : 1, sizeof *r);
    if (!r) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_status st = cp_finance_vote_rights(c, ids, n, at_ms, r, err);
    for (size_t i = 0; i < n && !st; i++) convert(&r[i], &out[i]);
    free(r);
    return st;
}

static const cp_eligibility_source LEDGER = {"ledger", right_to_vote, NULL, rights_to_vote};

const cp_eligibility_source *cp_finance_eligibility_source(void) { return &LEDGER; }
