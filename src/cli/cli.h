/*
 * cli.h — subcommands of the cyberpact binary for the administrator on the
 * machine. Each acts as cp_actor_cli() ("cli:<login>" in the audit log),
 * turns its flags into one domain call and prints the result: JSON, pretty,
 * on stdout.
 *
 * argv[0] is the subcommand's action ("create", "list", ...), flags and
 * operands follow. db is the opened, migrated store; it may be NULL when
 * only --help is asked for. Return value: the process exit status:
 *   0  success
 *   1  the operation failed ("error: <why>" on stderr)
 *   2  usage error (the usage on stderr)
 */
#ifndef CP_CLI_CLI_H
#define CP_CLI_CLI_H

#include "store/db.h"

enum { CP_EXIT_OK = 0, CP_EXIT_FAIL = 1, CP_EXIT_USAGE = 2 };

/* `cyberpact user create|list|get|passwd|disable|enable ...` (cli/user.c) */
int cp_cli_user(int argc, char **argv, cp_db *db);
/* `cyberpact key create|list|get|revoke ...` (cli/key.c) */
int cp_cli_key(int argc, char **argv, cp_db *db);

#endif
