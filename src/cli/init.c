/*
 * init.c — `cyberpact init`: create the store (migrations), the alliance's
 * own organisation, a first secretariat user and its API key. The key's
 * secret is printed once, alone on the last line of standard output.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/crypto.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "governance/record.h"
#include "intel/collections.h"
#include "members/bootstrap.h"

int cp_cli_make_data_dir(const cp_config *cfg, bool always)
{
    if (!always && cfg->database[0] && strncmp(cfg->database, "sqlite:", 7) != 0 && strstr(cfg->database, "://"))
        return 0; /* PostgreSQL: init needs no data folder */
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: cannot create data folder %s: %s\n", cfg->data_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static const char USAGE[] =
    "usage: cyberpact init [--data DIR] [--database URL] [--alliance-name NAME] [--admin NAME]\n"
    "Creates the store, the alliance organisation, a secretariat user (default 'secretariat'),\n"
    "its first API key, the alliance-wide intelligence collection and each member's alerts\n"
    "collection; prints the key's secret alone on the last line.\n";

int cp_cli_init(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {"alliance-name", "admin", NULL};
    static const cp_cli_action actions[] = {{"init", 3u, 0, 0}};
    cp_cli_args o;
    int parsed = cp_cli_parse(argc, argv, flags, actions, 1, USAGE, &o);
    if (parsed >= 0) return parsed;
    const char *name = o.value[0], *admin = o.value[1];
    if (cp_cli_make_data_dir(cfg, false)) return CP_EXIT_FAIL;
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    cp_actor a;
    cp_actor_cli(&a);
    json_t *alliance, *user;
    char secret[CP_KEY_SECRET_LEN + 1], record_key[CP_RECORD_HEX];
    int rc = CP_EXIT_OK, made = 0;
    if (cp_bootstrap(c, &a, name ? name : "Cyberpact Alliance", admin ? admin : "secretariat", &alliance, &user,
                     secret, &err)) {
        rc = cp_cli_fail(err.msg);
    } else if (cp_collections_ensure(c, &a, &made, &err) || cp_record_setup(c, record_key, &err)) {
        rc = cp_cli_fail(err.msg);
        cp_wipe(secret, sizeof secret);
        json_decref(alliance);
        json_decref(user);
    } else {
        printf("store: %s\n", cp_db_describe(db));
        printf("alliance: %s (%s)\n", json_string_value(json_object_get(alliance, "name")),
               json_string_value(json_object_get(alliance, "id")));
        printf("secretariat user: %s (%s)\n", json_string_value(json_object_get(user, "name")),
               json_string_value(json_object_get(user, "id")));
        if (made) printf("intelligence collections created: %d\n", made);
        printf("record public key (Ed25519, hex; publish it): %s\n", record_key);
        printf("API key secret (shown once; store it now):\n%s\n", secret);
        cp_wipe(secret, sizeof secret);
        json_decref(alliance);
        json_decref(user);
    }
    cp_db_close(db);
    return rc;
}
