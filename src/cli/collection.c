/*
 * collection.c — `cyberpact collection ...`: intelligence collections and
 * their members' rights for administrators on the machine (acting as
 * "cli:<login>" in the audit log; a collection made here is owned by the
 * alliance's own organisation unless --owner names another member).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "intel/collections.h"

static const char USAGE[] =
    "usage: cyberpact collection ACTION ...\n"
    "  list                         every collection, with its members' rights\n"
    "  show REF                     one collection; REF is its id or its alias\n"
    "  create --title T --audience public|alliance|group [--alias A] [--description D]\n"
    "         [--default-tlp L] [--default-read true|false] [--default-write true|false]\n"
    "         [--owner MEMBER_ID] [--member MEMBER_ID[:r|:w|:rw]]...\n"
    "                               a new collection; --member (repeatable) names a member and\n"
    "                               its rights (read only without a suffix); in a group collection\n"
    "                               the named members ARE the group. Defaults: TLP:AMBER for\n"
    "                               unmarked objects, members read, only alliance collections\n"
    "                               let every member write, owner the alliance's organisation\n"
    "  set REF [--title T] [--description D] [--audience A] [--default-tlp L]\n"
    "          [--default-read true|false] [--default-write true|false]\n"
    "                               change what is given\n"
    "  grant REF MEMBER_ID [--read] [--write]\n"
    "                               give the member exactly these rights (neither flag: --read),\n"
    "                               adding it to a group collection\n"
    "  revoke REF MEMBER_ID         remove the member's row: it leaves a group collection, and\n"
    "                               elsewhere falls back to the collection's default rights\n";

enum { TITLE, DESCRIPTION, ALIAS, AUDIENCE, TLP, DEF_READ, DEF_WRITE, OWNER, MEMBER, READ, WRITE };
static const char *const FLAGS[] = {"title", "description", "alias", "audience", "default-tlp", "default-read",
                                    "default-write", "owner", "*member", "+read", "+write", NULL};
#define BIT(f) (1u << (f))
#define CHANGES (BIT(TITLE) | BIT(DESCRIPTION) | BIT(AUDIENCE) | BIT(TLP) | BIT(DEF_READ) | BIT(DEF_WRITE))
static const cp_cli_action ACTIONS[] = {
    {"list", 0, 0, 0},
    {"show", 0, 0, 1},
    {"create", CHANGES | BIT(ALIAS) | BIT(OWNER) | BIT(MEMBER), BIT(TITLE) | BIT(AUDIENCE), 0},
    {"set", CHANGES, 0, 1},
    {"grant", BIT(READ) | BIT(WRITE), 0, 2},
    {"revoke", 0, 0, 2},
};

static cp_status parse_bool(const char *flag, const char *v, bool *out, cp_err *err)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0) *out = false;
    else return cp_fail(err, CP_E_BAD_REQUEST, "--%s must be true or false, not '%.32s'", flag, v);
    return CP_OK;
}

/* The flags shared by create and set, into the API body. */
static cp_status changes(const cp_cli_args *o, json_t *in, cp_err *err)
{
    static const struct {
        int flag;
        const char *key;
    } TEXT[] = {{TITLE, "title"}, {DESCRIPTION, "description"}, {AUDIENCE, "audience"}, {TLP, "default_tlp"}};
    for (size_t i = 0; i < sizeof TEXT / sizeof TEXT[0]; i++)
        if (o->value[TEXT[i].flag]) json_object_set_new(in, TEXT[i].key, json_string(o->value[TEXT[i].flag]));
    bool b = false;
    cp_status st;
    if (o->value[DEF_READ]) {
        if ((st = parse_bool(FLAGS[DEF_READ], o->value[DEF_READ], &b, err))) return st;
        json_object_set_new(in, "default_read", json_boolean(b));
    }
    if (o->value[DEF_WRITE]) {
        if ((st = parse_bool(FLAGS[DEF_WRITE], o->value[DEF_WRITE], &b, err))) return st;
        json_object_set_new(in, "default_write", json_boolean(b));
    }
    return CP_OK;
}

/* "ID", "ID:r", "ID:w", "ID:rw" → {"member_id", "read", "write"}. */
static cp_status member_entry(const char *arg, json_t **out, cp_err *err)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    const char *rights = colon ? colon + 1 : "r";
    bool r = strcmp(rights, "r") == 0 || strcmp(rights, "rw") == 0, w = strcmp(rights, "w") == 0 || strcmp(rights, "rw") == 0;
    if (!r && !w)
        return cp_fail(err, CP_E_BAD_REQUEST, "--member %.80s: the rights after ':' must be r, w or rw, not '%.8s'", arg,
                       rights);
    *out = json_pack("{ss# sb sb}", "member_id", arg, (int)n, "read", r, "write", w);
    return *out ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}

static cp_status create(cp_conn *c, const cp_actor *a, const cp_cli_args *o, json_t **out, cp_err *err)
{
    json_t *in = json_object(), *rows = json_array();
    cp_status st = changes(o, in, err);
    if (o->value[ALIAS]) json_object_set_new(in, "alias", json_string(o->value[ALIAS]));
    if (o->value[OWNER]) json_object_set_new(in, "owner_member_id", json_string(o->value[OWNER]));
    for (int i = 0; !st && i < o->n_repeated; i++) {
        json_t *e;
        if (!(st = member_entry(o->repeated[i], &e, err))) json_array_append_new(rows, e);
    }
    if (json_array_size(rows)) json_object_set(in, "members", rows);
    if (!st) st = cp_collection_create(c, a, "shared", in, out, err);
    json_decref(rows);
    json_decref(in);
    return st;
}

static cp_status set(cp_conn *c, const cp_actor *a, const cp_cli_args *o, json_t **out, cp_err *err)
{
    json_t *in = json_object();
    cp_status st = changes(o, in, err);
    if (!st && json_object_size(in) == 0)
        st = cp_fail(err, CP_E_BAD_REQUEST,
                     "set changes nothing; give at least one of --title, --description, --audience, --default-tlp, "
                     "--default-read, --default-write");
    if (!st) st = cp_collection_update(c, a, o->operands[0], in, out, err);
    json_decref(in);
    return st;
}

static cp_status show(cp_conn *c, const cp_actor *a, const char *ref, json_t **out, cp_err *err)
{
    cp_collection col;
    cp_status st = cp_collection_resolve(c, ref, a, &col, err);
    return st ? st : cp_collection_json(c, col.id, out, err);
}

static cp_status run(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o, json_t **out,
                     cp_err *err)
{
    char *const *op = o->operands;
    if (strcmp(action, "list") == 0) return cp_collection_list_json(c, a, out, err);
    if (strcmp(action, "show") == 0) return show(c, a, op[0], out, err);
    if (strcmp(action, "create") == 0) return create(c, a, o, out, err);
    if (strcmp(action, "set") == 0) return set(c, a, o, out, err);
    if (strcmp(action, "revoke") == 0) return cp_collection_member_remove(c, a, op[0], op[1], out, err);
    /* grant */
    bool r = o->value[READ] != NULL, w = o->value[WRITE] != NULL;
    json_t *in = json_pack("{sb sb}", "read", r || !w, "write", w);
    cp_status st = cp_collection_member_set(c, a, op[0], op[1], in, out, err);
    json_decref(in);
    return st;
}

int cp_cli_collection(int argc, char **argv, cp_db *db)
{
    return cp_cli_run(argc, argv, db, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, run);
}
