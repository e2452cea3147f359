/*
 * verify.c — `cyberpact verify`: the audit chain, the store's invariants, the
 * finance ledger, then the governance record (record_cli.h). Exit 0 when all
 * is intact; 1 naming the first problem.
 */
#include <stdio.h>

#include "audit/audit.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/record_cli.h"
#include "finance/ledger.h"
#include "members/members.h"

static const char USAGE[] = "usage: cyberpact verify [--data DIR] [--database URL]\nChecks every audit entry (digest, hash, link, sequence), the store invariants, the finance ledger\nand the governance record (as `cyberpact record verify` does on the store).\nExit 0 and a one-line summary when intact; 1 and the first broken entry when not.\n";

int cp_cli_verify(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {NULL};
    static const cp_cli_action actions[] = {{"verify", 0, 0, 0}};
    cp_cli_args o;
    int parsed = cp_cli_parse(argc, argv, flags, actions, 1, USAGE, &o);
    if (parsed >= 0) return parsed;
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_EXISTING);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    cp_audit_report rep;
    int64_t problems = 0;
    char problem[256];
    int rc = CP_EXIT_OK;
    cp_ledger_report ledger;
    if (!c || cp_conn_begin(c, CP_TX_READ, &err) || cp_audit_verify(c, &rep, &err) ||
        cp_members_check(c, &problems, problem, sizeof problem, &err) || cp_ledger_verify(c, &ledger, &err)) {
        if (c) cp_conn_rollback(c);
        fprintf(stderr, "error: %s\n", err.msg);
        cp_db_close(db);
        return CP_EXIT_STORE;
    }
    cp_conn_rollback(c);
    if (rep.first_bad_seq) {
        printf("audit chain BROKEN at entry %lld: %s\n", (long long)rep.first_bad_seq, rep.problem);
        rc = CP_EXIT_FAIL;
    } else if (ledger.problems) {
        printf("audit chain intact (%lld entries) but the finance ledger is BROKEN (%lld problem(s)); first: %s\n",
               (long long)rep.entries, (long long)ledger.problems, ledger.problem);
        rc = CP_EXIT_FAIL;
    } else if (problems) {
        printf("audit chain intact (%lld entries) but %lld store invariant(s) broken; first: %s\n",
               (long long)rep.entries, (long long)problems, problem);
        rc = CP_EXIT_FAIL;
    } else {
        printf("ok: audit chain intact, %lld entries, head %.16s...; store invariants hold; "
               "ledger: %lld entries balance, debits = credits = %lld\n",
               (long long)rep.entries, rep.head_hash, (long long)ledger.entries, (long long)ledger.debits);
    }
    /* the governance record, as `record verify` checks the store: leaves, subtree hashes,
     * the signed head, every result recomputed from the logged ballots */
    fflush(stdout);
    printf("governance record:\n");
    cp_record_verify_opts ro = {0};
    if (cp_cli_record_verify(&ro, c) != CP_EXIT_OK) rc = CP_EXIT_FAIL;
    cp_db_close(db);
    return rc;
}
