/*
 * backup.c — `cyberpact backup FILE`: a consistent copy of an SQLite store,
 * safe while the server runs (SQLite online backup). PostgreSQL stores are
 * backed up with pg_dump (docs/operations.md).
 */
#include <stdio.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"

static const char USAGE[] = "usage: cyberpact backup FILE [--data DIR] [--database URL]\nWrites a consistent copy of an SQLite store to FILE while the server may be running.\nFor PostgreSQL use pg_dump (docs/operations.md).\n";

int cp_cli_backup(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {NULL};
    static const cp_cli_action actions[] = {{"backup", 0, 0, 1}};
    cp_cli_args o;
    int rc = cp_cli_parse(argc, argv, flags, actions, 1, USAGE, &o);
    if (rc >= 0) return rc;
    const char *file = o.operands[0];
    if (access(file, F_OK) == 0) {
        fprintf(stderr, "error: %s exists; choose a new file name\n", file);
        return CP_EXIT_FAIL;
    }
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_RAW);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    rc = CP_EXIT_OK;
    if (cp_db_backup(db, file, &err)) rc = cp_cli_fail(err.msg);
    else printf("backup written to %s\n", file);
    cp_db_close(db);
    return rc;
}
