/*
 * verify_ledger.c — cp_ledger_verify(): the ledger checked from its entries
 * alone (see ledger.h for the list). Called by `cyberpact verify`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "finance/ledger.h"

typedef struct {
    cp_ledger_report *r;
    char currency[4];
    int64_t seq;
    char id[CP_UUID_LEN + 1], kind[32], member[CP_UUID_LEN + 1], reverses[CP_UUID_LEN + 1];
    char memo[CP_LEDGER_MEMO_MAX + 1], prev[CP_AUDIT_HASH_HEX + 1], hash[CP_AUDIT_HASH_HEX + 1];
    bool has_member, has_reverses;
    int64_t day;
    char accounts[CP_LEDGER_LEGS_MAX][160];
    cp_leg legs[CP_LEDGER_LEGS_MAX];
    int n;
    bool open;
    char chain[CP_AUDIT_HASH_HEX + 1]; /* the running hash of the current currency */
    int64_t last_seq;
} walk;

static void problem(cp_ledger_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(cp_ledger_report *r, const char *fmt, ...)
{
    if (r->problems++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->problem, sizeof r->problem, fmt, ap);
        va_end(ap);
    }
}

static const char ZERO[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void finish(walk *w)
{
    if (!w->open) return;
    w->open = false;
    cp_ledger_report *r = w->r;
    r->entries++;
    int64_t sum = 0;
    for (int i = 0; i < w->n; i++) {
        sum += w->legs[i].amount;
        if (w->legs[i].amount > 0) r->debits += w->legs[i].amount;
        else r->credits -= w->legs[i].amount;
    }
    if (w->n < 2) problem(r, "%s ledger entry %" PRId64 " (%s) has %d leg(s)", w->currency, w->seq, w->id, w->n);
    if (sum != 0) problem(r, "%s ledger entry %" PRId64 " (%s) does not balance: legs sum to %" PRId64, w->currency, w->seq, w->id, sum);
    if (w->seq != w->last_seq + 1)
        problem(r, "%s ledger: entry %" PRId64 " follows %" PRId64 " (a gap or a duplicate)", w->currency, w->seq, w->last_seq);
    if (strcmp(w->prev, w->chain) != 0)
        problem(r, "%s ledger entry %" PRId64 " (%s): prev_hash does not link to the entry before it", w->currency, w->seq, w->id);
    char h[CP_AUDIT_HASH_HEX + 1];
    cp_ledger_entry_hash(w->currency, w->seq, w->id, w->kind, w->day, w->has_member ? w->member : NULL,
                         w->has_reverses ? w->reverses : NULL, w->memo, w->legs, w->n, w->prev, h);
    if (strcmp(h, w->hash) != 0)
        problem(r, "%s ledger entry %" PRId64 " (%s): hash does not match its content", w->currency, w->seq, w->id);
    memcpy(w->chain, w->hash, sizeof w->chain);
    w->last_seq = w->seq;
}

static cp_status check_head(cp_conn *c, walk *w, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT seq, hash FROM fin_ledger_head WHERE currency = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, w->currency);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        if (cp_stmt_col_int(s, 0) != w->last_seq || strcmp(cp_stmt_col_text(s, 1), w->chain) != 0)
            problem(w->r, "%s ledger head (seq %" PRId64 ") does not match its last entry (seq %" PRId64 ")", w->currency,
                    cp_stmt_col_int(s, 0), w->last_seq);
    } else if (r == CP_STEP_DONE)
        problem(w->r, "%s ledger has entries but no head", w->currency);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status walk_entries(cp_conn *c, walk *w, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT e.currency, e.seq, e.id, e.kind, e.day, e.member_id, e.reverses, e.memo,"
                                   " e.prev_hash, e.hash, l.account, l.amount"
                                   " FROM fin_entry e LEFT JOIN fin_leg l ON l.entry_id = e.id"
                                   " ORDER BY e.currency, e.seq, l.n",
                                   &s, err);
    if (st) return st;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *cur = cp_stmt_col_text(s, 0), *id = cp_stmt_col_text(s, 2);
        if (!w->open || strcmp(id, w->id) != 0) {
            finish(w);
            if (strcmp(cur, w->currency) != 0) {
                if (w->currency[0] && (st = check_head(c, w, err))) break;
                snprintf(w->currency, sizeof w->currency, "%s", cur);
                memcpy(w->chain, ZERO, sizeof w->chain);
                w->last_seq = 0;
                w->r->ledgers++;
            }
            w->open = true;
            w->n = 0;
            w->seq = cp_stmt_col_int(s, 1);
            snprintf(w->id, sizeof w->id, "%s", id);
            snprintf(w->kind, sizeof w->kind, "%s", cp_stmt_col_text(s, 3));
            w->day = cp_stmt_col_int(s, 4);
            w->has_member = !cp_stmt_col_is_null(s, 5);
            snprintf(w->member, sizeof w->member, "%s", w->has_member ? cp_stmt_col_text(s, 5) : "");
            w->has_reverses = !cp_stmt_col_is_null(s, 6);
            snprintf(w->reverses, sizeof w->reverses, "%s", w->has_reverses ? cp_stmt_col_text(s, 6) : "");
            snprintf(w->memo, sizeof w->memo, "%s", cp_stmt_col_text(s, 7));
            snprintf(w->prev, sizeof w->prev, "%s", cp_stmt_col_text(s, 8));
            snprintf(w->hash, sizeof w->hash, "%s", cp_stmt_col_text(s, 9));
        }
        if (!cp_stmt_col_is_null(s, 10)) {
            w->r->legs++;
            if (w->n < CP_LEDGER_LEGS_MAX) {
                snprintf(w->accounts[w->n], sizeof w->accounts[0], "%s", cp_stmt_col_text(s, 10));
                w->legs[w->n].account = w->accounts[w->n];
                w->legs[w->n].amount = cp_stmt_col_int(s, 11);
                w->n++;
            } else
                problem(w->r, "%s ledger entry %" PRId64 " has more than %d legs", w->currency, w->seq, CP_LEDGER_LEGS_MAX);
        }
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) return st;
    finish(w);
    if (w->currency[0]) st = check_head(c, w, err);
    return st;
}

/* Runs a query whose every row is a problem: (what, a, b). */
static cp_status mismatches(cp_conn *c, cp_ledger_report *rep, const char *sql, const char *fmt, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        char what[200];
        snprintf(what, sizeof what, "%s", cp_stmt_col_text(s, 0));
        problem(rep, fmt, what, cp_stmt_col_int(s, 1), cp_stmt_col_int(s, 2));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_ledger_verify(cp_conn *c, cp_ledger_report *rep, cp_err *err)
{
    memset(rep, 0, sizeof *rep);
    walk w;
    memset(&w, 0, sizeof w);
    w.r = rep;
    cp_status st = walk_entries(c, &w, err);
    if (st) return st;
    if (rep->debits != rep->credits)
        problem(rep, "the sum of all debits (%" PRId64 ") differs from the sum of all credits (%" PRId64 ")", rep->debits,
                rep->credits);
    /* Maintained balances against the legs, both ways. */
    if ((st = mismatches(c, rep,
                         "SELECT a.currency || ' ' || a.code, a.balance, COALESCE(SUM(l.amount), 0)"
                         " FROM fin_account a LEFT JOIN fin_leg l ON l.currency = a.currency AND l.account = a.code"
                         " GROUP BY a.currency, a.code, a.balance, a.debits, a.credits"
                         " HAVING a.balance <> COALESCE(SUM(l.amount), 0)"
                         " OR a.debits <> COALESCE(SUM(CASE WHEN l.amount > 0 THEN l.amount ELSE 0 END), 0)"
                         " OR a.credits <> COALESCE(SUM(CASE WHEN l.amount < 0 THEN -l.amount ELSE 0 END), 0)",
                         "account %s: maintained balance %" PRId64 " but its legs sum to %" PRId64, err)))
        return st;
    if ((st = mismatches(c, rep,
                         "SELECT l.currency || ' ' || l.account, 0, SUM(l.amount) FROM fin_leg l"
                         " WHERE NOT EXISTS (SELECT 1 FROM fin_account a WHERE a.currency = l.currency AND a.code = l.account)"
                         " GROUP BY l.currency, l.account",
                         "account %s: legs exist (%" PRId64 "/%" PRId64 ") but the account does not", err)))
        return st;
    /* Open items against the ledger. */
    if ((st = mismatches(c, rep,
                         "SELECT a.id, a.paid, COALESCE((SELECT SUM(x.amount) FROM fin_allocation x WHERE x.assessment_id = a.id), 0)"
                         " FROM fin_assessment a"
                         " WHERE a.paid <> COALESCE((SELECT SUM(x.amount) FROM fin_allocation x WHERE x.assessment_id = a.id), 0)"
                         " OR a.paid < 0 OR a.paid > a.amount",
                         "assessment %s: paid %" PRId64 " but its allocations sum to %" PRId64, err)))
        return st;
    if ((st = mismatches(c, rep,
                         "SELECT a.currency, a.balance, COALESCE((SELECT SUM(d.amount) FROM fin_daily d"
                         " WHERE d.currency = a.currency AND d.metric = 'cash'), 0)"
                         " FROM fin_account a WHERE a.code = 'cash' AND a.balance <> COALESCE((SELECT SUM(d.amount)"
                         " FROM fin_daily d WHERE d.currency = a.currency AND d.metric = 'cash'), 0)",
                         "%s cash: account balance %" PRId64 " but daily totals sum to %" PRId64, err)))
        return st;
    return CP_OK;
}
