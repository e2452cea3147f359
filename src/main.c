/*
 * main.c — the cyberpact binary: reads the global configuration (flags,
 * environment, config file; see base/config.h) and hands over to the
 * subcommand in src/cli/.
 */
#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "cli/cli.h"
#include "finance/budget_adoption.h"
#include "finance/eligibility_ledger.h"
#include "governance/eligibility.h"
#include "governance/recheck.h"
#include "intel/collections.h"
#include "members/members.h"

static const char USAGE[] =
    "cyberpact — cybersecurity cooperation for an alliance of states\n"
    "\n"
    "usage: cyberpact COMMAND [flags]\n"
    "\n"
    "commands:\n"
    "  init      create the store, the alliance, a secretariat user and its API key\n"
    "  serve     serve the HTTP API\n"
    "  demo      create a fresh store with demo data, then serve\n"
    "  member    list, create, update, suspend members; constituencies; import RIR files\n"
    "  user      create, list, disable users; set passwords\n"
    "  key       create, list, revoke API keys\n"
    "  collection  list, create and change intelligence collections and members' rights\n"
    "  import      STIX bundles and MISP events from files or folders into a collection\n"
    "  export      a collection as one STIX bundle\n"
    "  finance     contributions: scale, classes, assessments, payments, budget, arrears, reports\n"
    "  record      the governance record: tree head, export, note, verify (a server, a file, the store)\n"
    "  governance  tally a vote described in a file; list, show and close proposals\n"
    "  match       scan log files for the alliance's indicators (member side; nothing leaves the machine)\n"
    "  indicators  export the compiled indicator set to a file; its statistics\n"
    "  verify    check the audit chain and the store's invariants\n"
    "  backup    write a consistent copy of an SQLite store (server may be running)\n"
    "  version   print the version and the libraries in use\n"
    "\n"
    "global flags (also as environment variables and config-file lines):\n";

/* A new member gets its alerts collection (the alliance's own organisation,
 * created first, also the alliance-wide collection). members/ calls this
 * inside the creating transaction; intel/ depends on members/, never the
 * other way round. */
static cp_status on_member_created(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err)
{
    (void)member_id;
    return cp_collections_ensure(c, a, NULL, err);
}

static void usage(FILE *f)
{
    fputs(USAGE, f);
    cp_config_print_help(f);
    fputs("\nexit status: 0 ok, 1 the operation failed, 2 usage error, 3 store unavailable\n", f);
}

static int version(void)
{
    printf("cyberpact %s (%s)\n", CP_VERSION, CP_GIT_REV);
    printf("sqlite %s, libpq %d, libmicrohttpd %s, jansson %s, libsodium %s\n", sqlite3_libversion(),
           PQlibVersion(), MHD_get_version(), jansson_version_str(), sodium_version_string());
    return 0;
}

/* Subcommands that work on an opened store through the domain API. */
static int with_store(int (*fn)(int, char **, cp_db *), int argc, char **argv, cp_config *cfg)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0) return fn(argc, argv, NULL);
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) return fn(argc, argv, NULL);
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return CP_EXIT_STORE;
    int rc = fn(argc, argv, db);
    cp_db_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CP_EXIT_USAGE : CP_EXIT_OK;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) return version();
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return cp_cli_fail(err.msg);
    cp_member_created_hook = on_member_created;
    /* Voting eligibility as far as money goes: read from the finance ledger
     * (finance/eligibility_ledger.h) instead of governance's placeholder. */
    cp_eligibility_install(cp_finance_eligibility_source());
    /* An adopted budget proposal sets the year's unit value and budget lines
     * (governance/budget_effect.h, finance/budget_adoption.h). */
    cp_gov_budget_install(cp_finance_budget_handler());
    cp_gov_recheck_hook = cp_gov_recheck_results; /* record verify recomputes results with the tally */

    cp_config cfg;
    cp_config_defaults(&cfg);
    int rest[256], n_rest = 0;
    /* argv[1] is the command; flags may follow anywhere after it. */
    if (cp_config_load(&cfg, argc - 1, argv + 1, rest, 256, &n_rest, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return CP_EXIT_USAGE;
    }
    cp_log_set_level((cp_log_level)cp_log_level_parse(cfg.log_level));
    /* words[0] is the command, then every argument the global flags did not take. */
    char *words[257];
    int n = 0;
    words[n++] = (char *)cmd;
    for (int i = 0; i < n_rest; i++) words[n++] = argv[1 + rest[i]];
    words[n] = NULL;
    if (strcmp(cmd, "init") == 0) return cp_cli_init(n, words, &cfg);
    if (strcmp(cmd, "serve") == 0) return cp_cli_serve(n, words, &cfg);
    if (strcmp(cmd, "demo") == 0) return cp_cli_demo(n, words, &cfg);
    if (strcmp(cmd, "verify") == 0) return cp_cli_verify(n, words, &cfg);
    if (strcmp(cmd, "backup") == 0) return cp_cli_backup(n, words, &cfg);
    if (strcmp(cmd, "import") == 0) return cp_cli_import(n, words, &cfg);
    if (strcmp(cmd, "export") == 0) return cp_cli_export(n, words, &cfg);
    if (strcmp(cmd, "record") == 0) return cp_cli_record(n, words, &cfg);
    if (strcmp(cmd, "governance") == 0) return cp_cli_governance(n, words, &cfg);
    if (strcmp(cmd, "match") == 0) return cp_cli_match(n, words, &cfg);
    if (strcmp(cmd, "indicators") == 0) return cp_cli_indicators(n, words, &cfg);
    /* member/user/key: words[1] is the action ("create", "list", ...). */
    if (strcmp(cmd, "member") == 0) return with_store(cp_cli_member, n - 1, words + 1, &cfg);
    if (strcmp(cmd, "user") == 0) return with_store(cp_cli_user, n - 1, words + 1, &cfg);
    if (strcmp(cmd, "key") == 0) return with_store(cp_cli_key, n - 1, words + 1, &cfg);
    if (strcmp(cmd, "collection") == 0) return with_store(cp_cli_collection, n - 1, words + 1, &cfg);
    if (strcmp(cmd, "finance") == 0) return with_store(cp_cli_finance, n - 1, words + 1, &cfg);
    fprintf(stderr, "error: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CP_EXIT_USAGE;
}
