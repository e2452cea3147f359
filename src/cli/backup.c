/*
 * backup.c — `cyberpact backup FILE`: a consistent copy of an SQLite store,
 * safe while the server runs (SQLite online backup). PostgreSQL stores are
 * backed up with pg_dump (docs/operations.md).
 */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"

int cp_cli_backup(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {"--help", NULL};
    if (cp_cli_has(argc, argv, "--help")) {
        puts("usage: cyberpact backup FILE [--data DIR] [--database URL]\nWrites a consistent copy of an SQLite store to FILE while the server may be running.\nFor PostgreSQL use pg_dump (docs/operations.md).");
        return CP_EXIT_OK;
    }
    if (!cp_cli_check_flags(argc, argv, flags)) return CP_EXIT_USAGE;
    if (argc != 2) {
        fprintf(stderr, "usage: cyberpact backup FILE\n");
        return CP_EXIT_USAGE;
    }
    if (access(argv[1], F_OK) == 0) {
        fprintf(stderr, "error: %s exists; choose a new file name\n", argv[1]);
        return CP_EXIT_FAIL;
    }
    cp_db *db = cp_cli_open_store(cfg);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    int rc = CP_EXIT_OK;
    if (cp_db_backup(db, argv[1], &err)) rc = cp_cli_fail(err.msg);
    else printf("backup written to %s\n", argv[1]);
    cp_db_close(db);
    return rc;
}
