#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/migrate.h"

/* For the modes that must not create a store: does the SQLite file exist? */
static bool sqlite_file_missing(const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0) return false;
    return access(url + 7, F_OK) != 0;
}

cp_db *cp_cli_open_store(const cp_config *cfg, cp_open_mode mode)
{
    char url[CP_PATH_MAX + 16];
    cp_config_database_url(cfg, url, sizeof url);
    if (mode != CP_OPEN_MIGRATE && sqlite_file_missing(url)) {
        fprintf(stderr, "error: no store at %s (run cyberpact init, or give --data / --database)\n", url + 7);
        return NULL;
    }
    cp_err err = {{0}};
    cp_db *db = NULL;
    if (cp_db_open(url, &db, &err)) {
        fprintf(stderr, "error: cannot open the store: %s\n", err.msg);
        return NULL;
    }
    cp_conn *c = cp_db_thread_conn(db, &err);
    int version = 0;
    cp_status st = c ? CP_OK : CP_E_UNAVAILABLE;
    if (!st && mode == CP_OPEN_MIGRATE) st = cp_migrate(c, NULL, &err);
    if (!st && mode == CP_OPEN_EXISTING && !(st = cp_schema_version(c, &version, &err)) &&
        version != cp_schema_version_latest())
        st = cp_fail(&err, CP_E_CONFLICT, "the store is at schema version %d and this binary at %d; %s", version,
                     cp_schema_version_latest(),
                     version < cp_schema_version_latest() ? "start cyberpact serve once to migrate it"
                                                          : "use a newer cyberpact");
    if (st) {
        fprintf(stderr, "error: %s\n", err.msg);
        cp_db_close(db);
        return NULL;
    }
    return db;
}

void cp_cli_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(v);
}

int cp_cli_fail(const char *msg)
{
    fprintf(stderr, "error: %s\n", msg);
    return CP_EXIT_FAIL;
}
