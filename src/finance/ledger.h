/*
 * ledger.h — the double-entry ledger: accounts, journal entries whose legs
 * always balance, one hash-chained ledger per currency, append-only.
 *
 * Amounts are integers in the currency's minor unit; a leg's amount is
 * positive for a debit and negative for a credit, so an entry balances when
 * its legs sum to zero. Accounts are named by code and created on first use:
 *   cash                      asset      money the alliance holds
 *   receivable:<member id>    asset      what a member owes (assessed - paid)
 *   credit:<member id>        liability  a member's overpayments held as credit
 *   revenue:contributions     revenue    assessed contributions
 *   revenue:voluntary         revenue    voluntary contributions (outside the scale)
 *   expense:<year>:<line>     expense    spending against a budget line
 *
 * Every entry has a sequence number in its currency's ledger (1, 2, 3 ...)
 * and a hash over its canonical encoding that includes the previous entry's
 * hash; fin_ledger_head holds each ledger's last seq and hash. Posting takes
 * the head's row lock first (UPDATE), so concurrent writers on PostgreSQL
 * append one at a time. The head after a write transaction is written into
 * the audit chain (audit/audit.h) by cp_ledger_close().
 *
 * Canonical encoding (SHA-256, hex): "cyberpact-ledger-v1", then for each of
 * currency, seq, id, kind, day, member_id, reverses, memo, the number of legs,
 * each leg's account and amount (decimal), and prev_hash: a newline, the
 * field's byte length in decimal, a colon, the field's bytes.
 *
 * Nothing is ever updated or deleted: a correction is a reversing entry (the
 * negated legs) that names the entry it reverses; an entry is reversed at
 * most once (unique fin_entry.reverses).
 */
#ifndef CP_FINANCE_LEDGER_H
#define CP_FINANCE_LEDGER_H

#include <jansson.h>
#include <stdint.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "store/db.h"

#define CP_LEDGER_LEGS_MAX 64
#define CP_LEDGER_MEMO_MAX 500

typedef struct {
    const char *account;
    int64_t amount; /* debit > 0, credit < 0, never 0 */
} cp_leg;

typedef struct {
    const char *kind;      /* assessment, payment, credit_apply, spending, voluntary, reversal */
    int64_t day;           /* value date (ms at 00:00 UTC) */
    const char *member_id; /* NULL when not about one member */
    const char *reverses;  /* NULL, or the id of the entry reversed */
    const char *memo;      /* plain words; at most CP_LEDGER_MEMO_MAX bytes */
    const cp_leg *legs;
    int n_legs;
} cp_entry_in;

/* One write transaction's posting on one currency's ledger. */
typedef struct {
    cp_conn *c;
    char currency[4];
    const char *actor;
    int64_t seq;          /* last seq posted (the head) */
    int64_t first_seq;    /* first seq posted in this transaction */
    int n_posted;
    char hash[CP_AUDIT_HASH_HEX + 1];
} cp_ledger_tx;

/* Opens currency's ledger inside the caller's write transaction on c (the
 * currency must already be validated), locking its head. */
cp_status cp_ledger_open(cp_conn *c, const char *currency, const char *actor, cp_ledger_tx *t, cp_err *err);
/* Posts one entry: checks it (at least two legs, none zero, sum zero, known
 * account prefixes, bounded memo), creates missing accounts, maintains
 * balances, chains the hash. id_out (CP_UUID_LEN + 1) receives the entry id. */
cp_status cp_ledger_post(cp_ledger_tx *t, const cp_entry_in *e, char *id_out, cp_err *err);
/* Writes the head and one audit entry (action, target, detail + the ledger's
 * currency, seq range and head hash). Call once, before committing. detail is
 * borrowed (may be NULL). */
cp_status cp_ledger_close(cp_ledger_tx *t, const char *action, const char *target, const json_t *detail, cp_err *err);

/* Test hook: when set, called before every cp_ledger_post with the number of
 * entries already posted in the transaction; a non-zero answer makes that
 * post fail (CP_E_INTERNAL, "injected failure"). NULL in production. */
extern int (*cp_ledger_fault_hook)(int posted_in_tx);

/* An entry and its legs as JSON {"id", "currency", "seq", "kind", "date",
 * "member_id", "reverses", "memo", "actor", "created_at", "hash",
 * "prev_hash", "legs": [{"account", "debit", "credit"}]}. 404 when absent. */
cp_status cp_ledger_entry_json(cp_conn *c, const char *id, json_t **out, cp_err *err);
/* The balance (debits - credits) of an account; 0 when it does not exist. */
cp_status cp_ledger_balance(cp_conn *c, const char *currency, const char *account, int64_t *out, cp_err *err);

/* The hash of one entry (exposed for tests and verify). legs in order. */
void cp_ledger_entry_hash(const char *currency, int64_t seq, const char *id, const char *kind, int64_t day,
                          const char *member_id, const char *reverses, const char *memo, const cp_leg *legs,
                          int n_legs, const char *prev_hash, char out[CP_AUDIT_HASH_HEX + 1]);

typedef struct {
    int64_t ledgers;       /* currencies */
    int64_t entries;
    int64_t legs;
    int64_t debits;        /* sum of all debits, every currency (minor units) */
    int64_t credits;       /* sum of all credits (positive) */
    int64_t problems;
    char problem[300];     /* the first problem found */
} cp_ledger_report;

/* Checks the whole ledger: every entry balances and has at least two legs,
 * each currency's sequence has no gap, every prev_hash links and every hash
 * recomputes, each head matches its last entry, the sum of debits equals the
 * sum of credits, each account's maintained balance (and debit and credit
 * totals) equals the sum of its legs, each assessment's paid amount equals
 * its allocations, the daily cash totals equal the cash accounts. Returns
 * CP_OK when it could read the store (see report->problems). */
cp_status cp_ledger_verify(cp_conn *c, cp_ledger_report *r, cp_err *err);

#endif
