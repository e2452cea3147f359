/*
 * cli.h — the subcommands of the cyberpact binary. Each takes the arguments
 * left after the global configuration flags (argv[0] is the subcommand's own
 * first word) and returns the process exit status:
 *   0  success            1  the operation failed (message on stderr)
 *   2  usage error        3  the store could not be opened or migrated
 * A subcommand turns flags into one domain call and prints the result; it
 * decides nothing the domain does not.
 */
#ifndef CP_CLI_CLI_H
#define CP_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "base/config.h"
#include "store/db.h"

enum { CP_EXIT_OK = 0, CP_EXIT_FAIL = 1, CP_EXIT_USAGE = 2, CP_EXIT_STORE = 3 };

int cp_cli_init(int argc, char **argv, cp_config *cfg);
int cp_cli_serve(int argc, char **argv, cp_config *cfg);
int cp_cli_demo(int argc, char **argv, cp_config *cfg);
int cp_cli_verify(int argc, char **argv, cp_config *cfg);
int cp_cli_backup(int argc, char **argv, cp_config *cfg);
int cp_cli_member(int argc, char **argv, cp_db *db);
int cp_cli_user(int argc, char **argv, cp_db *db);
int cp_cli_key(int argc, char **argv, cp_db *db);
int cp_cli_collection(int argc, char **argv, cp_db *db);
int cp_cli_import(int argc, char **argv, cp_config *cfg);
int cp_cli_export(int argc, char **argv, cp_config *cfg);
int cp_cli_finance(int argc, char **argv, cp_db *db);
int cp_cli_record(int argc, char **argv, cp_config *cfg);
int cp_cli_governance(int argc, char **argv, cp_config *cfg);
/* early warning, member side (issue 4): match.c, indicators.c */
int cp_cli_match(int argc, char **argv, cp_config *cfg);
int cp_cli_indicators(int argc, char **argv, cp_config *cfg);

/* --- helpers shared by the subcommands (common.c) --- */

typedef enum {
    CP_OPEN_MIGRATE,  /* create or bring the schema up to date (init, serve, demo, member/user/key) */
    CP_OPEN_EXISTING, /* an existing store at this binary's schema; never written (verify) */
    CP_OPEN_RAW,      /* an existing store, any schema; never written (backup) */
} cp_open_mode;

/* Opens the store named by cfg. Prints the reason and returns NULL on failure. */
cp_db *cp_cli_open_store(const cp_config *cfg, cp_open_mode mode);
/* Creates the data folder (mode 0700) if missing; with always false, only
 * when the store is an SQLite file in it. Prints the problem and returns -1
 * on failure. */
int cp_cli_make_data_dir(const cp_config *cfg, bool always);
/* Prints v pretty on stdout and releases it. */
void cp_cli_print_json(json_t *v);
/* Prints "error: <msg>" on stderr and returns CP_EXIT_FAIL. */
int cp_cli_fail(const char *msg);

#endif
