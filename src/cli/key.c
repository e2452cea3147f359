/*
 * key.c — `cyberpact key ...`: API keys for the administrator on the
 * machine. Flags in, one domain call (members/keys.h), output out: `create`
 * prints the secret alone (for scripts: KEY=$(cyberpact key create ...)),
 * the others JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "members/keys.h"
#include "members/users.h"

static const char USAGE[] = "usage: cyberpact key ACTION ...\n"
                            "  create --user NAME_OR_ID [--roles ROLE[,ROLE...]] [--label L] [--expires RFC3339]\n"
                            "                          prints only the secret; it is shown this once\n"
                            "  list [--user NAME_OR_ID]\n"
                            "  get ID\n"
                            "  revoke ID               the key stops working at once\n";

enum { USER, ROLES, LABEL, EXPIRES };
static const char *const FLAGS[] = {"user", "roles", "label", "expires", NULL};
#define BIT(f) (1u << (f))
static const cp_cli_action ACTIONS[] = {
    {"create", BIT(USER) | BIT(ROLES) | BIT(LABEL) | BIT(EXPIRES), BIT(USER), 0},
    {"list", BIT(USER), 0, 0},
    {"get", 0, 0, 1},
    {"revoke", 0, 0, 1},
};

/* The id of the user named by name or id into id (CP_UUID_LEN + 1). */
static cp_status user_id(cp_conn *c, const char *who, char *id, cp_err *err)
{
    json_t *u;
    cp_status st = cp_user_find(c, who, &u, err);
    if (st) return st;
    snprintf(id, CP_UUID_LEN + 1, "%s", json_string_value(json_object_get(u, "id")));
    json_decref(u);
    return CP_OK;
}

/* Creates the key and prints its secret; *out stays NULL. */
static cp_status create(cp_conn *c, const cp_actor *a, const cp_cli_args *o, cp_err *err)
{
    char uid[CP_UUID_LEN + 1];
    cp_status st = user_id(c, o->value[USER], uid, err);
    if (st) return st;
    json_t *in = json_pack("{ss}", "user_id", uid), *key;
    if (!in) return cp_fail(err, CP_E_NOMEM, "out of memory");
    if (o->value[ROLES]) json_object_set_new(in, "roles", cp_roles_split(o->value[ROLES]));
    if (o->value[LABEL]) json_object_set_new(in, "label", json_string(o->value[LABEL]));
    if (o->value[EXPIRES]) json_object_set_new(in, "expires_at", json_string(o->value[EXPIRES]));
    st = cp_key_create(c, a, in, &key, err);
    json_decref(in);
    if (st) return st;
    const char *secret = json_string_value(json_object_get(key, "secret"));
    puts(secret);
    cp_wipe((void *)secret, strlen(secret));
    json_decref(key);
    return CP_OK;
}

static cp_status key_page(cp_conn *c, void *filter, const char *next, json_t **items, char **following,
                         cp_err *err)
{
    cp_key_filter *f = filter;
    f->next = next;
    return cp_key_list(c, f, items, following, err);
}

static cp_status list(cp_conn *c, const cp_cli_args *o, json_t **out, cp_err *err)
{
    char uid[CP_UUID_LEN + 1];
    cp_key_filter f = {.limit = 1000};
    cp_status st = o->value[USER] ? user_id(c, o->value[USER], uid, err) : CP_OK;
    if (st) return st;
    if (o->value[USER]) f.user_id = uid;
    return cp_cli_all_pages(c, key_page, &f, out, err);
}

static cp_status run(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o, json_t **out,
                     cp_err *err)
{
    if (strcmp(action, "create") == 0) return create(c, a, o, err);
    if (strcmp(action, "list") == 0) return list(c, o, out, err);
    if (strcmp(action, "get") == 0) return cp_key_get(c, o->operands[0], out, err);
    return cp_key_revoke(c, a, o->operands[0], out, err);
}

int cp_cli_key(int argc, char **argv, cp_db *db)
{
    return cp_cli_run(argc, argv, db, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, run);
}
