/*
 * member.c — `cyberpact member ...`: the members API for administrators on
 * the machine (acting as "cli:<login>" in the audit log).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "members/members.h"

static const char USAGE[] =
    "usage: cyberpact member ACTION ...\n"
    "  list [--kind K] [--status S] [--country CC]\n"
    "  get ID\n"
    "  create --kind K --name NAME [--country CC] [--csirt-email E] [--csirt-team T]\n"
    "  suspend ID [--reason TEXT]      activate ID [--reason TEXT]      withdraw ID [--reason TEXT]\n"
    "  constituency ID                  list the member's ranges, AS numbers and domains\n"
    "  constituency-add ID --type cidr|asn|domain --value V\n"
    "  constituency-remove ID ENTRY_ID\n"
    "  import-rir FILE                  assign each country's ranges in an RIR delegated-stats\n"
    "                                   file to the member state with that country code\n";

enum { KIND, STATUS, COUNTRY, NAME, EMAIL, TEAM, REASON, TYPE, VALUE };
static const char *const FLAGS[] = {"kind", "status", "country", "name", "csirt-email", "csirt-team",
                                    "reason", "type", "value", NULL};
#define BIT(f) (1u << (f))
static const cp_cli_action ACTIONS[] = {
    {"list", BIT(KIND) | BIT(STATUS) | BIT(COUNTRY), 0, 0},
    {"get", 0, 0, 1},
    {"create", BIT(KIND) | BIT(NAME) | BIT(COUNTRY) | BIT(EMAIL) | BIT(TEAM), BIT(KIND) | BIT(NAME), 0},
    {"suspend", BIT(REASON), 0, 1},
    {"activate", BIT(REASON), 0, 1},
    {"withdraw", BIT(REASON), 0, 1},
    {"constituency", 0, 0, 1},
    {"constituency-add", BIT(TYPE) | BIT(VALUE), BIT(TYPE) | BIT(VALUE), 1},
    {"constituency-remove", 0, 0, 2},
    {"import-rir", 0, 0, 1},
};

#define RIR_FILE_MAX_BYTES (512u << 20)

static cp_status import_rir(cp_conn *c, const cp_actor *a, const char *path, json_t **out, cp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cp_fail(err, CP_E_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 20, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len < cap) continue;
        char *nb = cap < RIR_FILE_MAX_BYTES ? realloc(buf, cap * 2) : NULL;
        if (!nb) {
            fclose(f);
            free(buf);
            return cp_fail(err, CP_E_TOO_LARGE, "%s is larger than %u MiB", path, RIR_FILE_MAX_BYTES >> 20);
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_rir_import_stats st;
    cp_status s = cp_member_import_rir(c, a, buf, len, &st, err);
    free(buf);
    if (s) return s;
    *out = json_pack("{sI sI sI sI sI sI}", "records", (json_int_t)st.parse.records, "added", (json_int_t)st.added,
                     "member_states", (json_int_t)st.members, "already_present", (json_int_t)st.duplicates,
                     "no_member_state", (json_int_t)st.no_member, "skipped", (json_int_t)st.parse.skipped);
    return CP_OK;
}

static cp_status list(cp_conn *c, const cp_cli_args *o, json_t **out, cp_err *err)
{
    cp_member_filter f = {.kind = o->value[KIND], .status = o->value[STATUS], .country = o->value[COUNTRY],
                          .limit = 1000};
    json_t *all = json_array();
    char *next = NULL;
    cp_status st;
    do { /* every page */
        char *page = NULL;
        size_t len = 0;
        f.next = next;
        st = cp_member_list(c, &f, &page, &len, err);
        json_t *doc = st ? NULL : json_loadb(page, len, 0, NULL);
        free(page);
        free(next);
        next = NULL;
        if (doc) {
            json_array_extend(all, json_object_get(doc, "items"));
            const char *n = json_string_value(json_object_get(doc, "next"));
            next = n ? strdup(n) : NULL;
            json_decref(doc);
        }
    } while (!st && next);
    if (st) json_decref(all);
    else *out = all;
    return st;
}

static cp_status create(cp_conn *c, const cp_actor *a, const cp_cli_args *o, json_t **out, cp_err *err)
{
    json_t *in = json_pack("{ss ss}", "kind", o->value[KIND], "name", o->value[NAME]);
    if (o->value[COUNTRY]) json_object_set_new(in, "country", json_string(o->value[COUNTRY]));
    if (o->value[EMAIL] || o->value[TEAM]) {
        json_t *cs = json_object();
        if (o->value[EMAIL]) json_object_set_new(cs, "email", json_string(o->value[EMAIL]));
        if (o->value[TEAM]) json_object_set_new(cs, "team", json_string(o->value[TEAM]));
        json_object_set_new(in, "csirt", cs);
    }
    cp_status st = cp_member_create(c, a, in, out, err);
    json_decref(in);
    return st;
}

static cp_status set_status(cp_conn *c, const cp_actor *a, const cp_cli_args *o, const char *status, json_t **out,
                            cp_err *err)
{
    json_t *in = json_pack("{ss}", "status", status);
    if (o->value[REASON]) json_object_set_new(in, "reason", json_string(o->value[REASON]));
    cp_status st = cp_member_set_status(c, a, o->operands[0], in, out, err);
    json_decref(in);
    return st;
}

static cp_status run(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o, json_t **out,
                     cp_err *err)
{
    char *const *op = o->operands;
    if (strcmp(action, "list") == 0) return list(c, o, out, err);
    if (strcmp(action, "get") == 0) return cp_member_get(c, op[0], out, err);
    if (strcmp(action, "create") == 0) return create(c, a, o, out, err);
    if (strcmp(action, "suspend") == 0) return set_status(c, a, o, "suspended", out, err);
    if (strcmp(action, "activate") == 0) return set_status(c, a, o, "active", out, err);
    if (strcmp(action, "withdraw") == 0) return set_status(c, a, o, "withdrawn", out, err);
    if (strcmp(action, "constituency") == 0) return cp_constituency_list(c, op[0], out, err);
    if (strcmp(action, "import-rir") == 0) return import_rir(c, a, op[0], out, err);
    if (strcmp(action, "constituency-add") == 0) {
        json_t *in = json_pack("{ss ss}", "type", o->value[TYPE], "value", o->value[VALUE]);
        cp_status st = cp_constituency_add(c, a, op[0], in, out, err);
        json_decref(in);
        return st;
    }
    cp_status st = cp_constituency_remove(c, a, op[0], op[1], err); /* constituency-remove */
    if (!st) *out = json_pack("{ss ss}", "id", op[1], "status", "removed");
    return st;
}

int cp_cli_member(int argc, char **argv, cp_db *db)
{
    return cp_cli_run(argc, argv, db, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, run);
}
