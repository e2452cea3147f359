#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/migrate.h"

cp_db *cp_cli_open_store(const cp_config *cfg)
{
    char url[CP_PATH_MAX + 16];
    cp_config_database_url(cfg, url, sizeof url);
    cp_err err = {{0}};
    cp_db *db = NULL;
    if (cp_db_open(url, &db, &err)) {
        fprintf(stderr, "error: cannot open the store: %s\n", err.msg);
        return NULL;
    }
    cp_conn *c = cp_db_thread_conn(db, &err);
    if (!c || cp_migrate(c, NULL, &err)) {
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
