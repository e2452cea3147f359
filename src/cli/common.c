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

const char *cp_cli_opt(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], name, n) != 0) continue;
        if (argv[i][n] == '=') return argv[i] + n + 1;
        if (argv[i][n] == 0 && i + 1 < argc) return argv[i + 1];
    }
    return NULL;
}

int cp_cli_has(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int cp_cli_check_flags(int argc, char **argv, const char *const *allowed)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) continue;
        size_t len = strcspn(a, "=");
        int found = 0, takes_value = 0;
        for (const char *const *f = allowed; *f; f++) {
            size_t fl = strcspn(*f, "=");
            if (fl == len && strncmp(*f, a, len) == 0) {
                found = 1;
                takes_value = (*f)[fl] == '=';
            }
        }
        if (!found) {
            fprintf(stderr, "error: unknown flag %.*s (see --help)\n", (int)len, a);
            return 0;
        }
        if (takes_value && a[len] != '=') {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: flag %s needs a value\n", a);
                return 0;
            }
            i++;
        }
    }
    return 1;
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
