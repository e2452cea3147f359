/*
 * member.c — `cyberpact member ...`: the members API for administrators on
 * the machine (acting as "cli:<login>" in the audit log).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "members/members.h"

static const char USAGE[] =
    "usage: cyberpact member COMMAND ...\n"
    "  list [--kind K] [--status S] [--country CC] [--limit N]\n"
    "  get ID\n"
    "  create --kind K --name NAME [--country CC] [--csirt-email E] [--csirt-team T]\n"
    "  suspend ID [--reason TEXT]      activate ID [--reason TEXT]      withdraw ID [--reason TEXT]\n"
    "  constituency ID                  list the member's ranges, AS numbers and domains\n"
    "  constituency-add ID --type cidr|asn|domain --value V\n"
    "  constituency-remove ID ENTRY_ID\n"
    "  import-rir FILE                  assign each country's ranges in an RIR delegated-stats\n"
    "                                   file to the member state with that country code\n";

#define RIR_FILE_MAX_BYTES (512u << 20)

static int import_rir(cp_conn *c, const cp_actor *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "error: cannot open %s: %s\n", path, strerror(errno));
        return CP_EXIT_FAIL;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            if (cap >= RIR_FILE_MAX_BYTES) {
                fclose(f);
                free(buf);
                return cp_cli_fail("file larger than 512 MiB");
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return cp_cli_fail("out of memory");
    cp_rir_import_stats st;
    cp_err err = {{0}};
    cp_status s = cp_member_import_rir(c, a, buf, len, &st, &err);
    free(buf);
    if (s) return cp_cli_fail(err.msg);
    printf("%llu records read; %lld entries added to %lld member states; %lld already present; "
           "%lld for countries without a member state; %llu records skipped\n",
           (unsigned long long)st.parse.records, (long long)st.added, (long long)st.members,
           (long long)st.duplicates, (long long)st.no_member, (unsigned long long)st.parse.skipped);
    return CP_EXIT_OK;
}

static int status_change(cp_conn *c, const cp_actor *a, int argc, char **argv, const char *status)
{
    if (argc < 2) return fprintf(stderr, "%s", USAGE), CP_EXIT_USAGE;
    json_t *in = json_pack("{ss}", "status", status), *out;
    const char *reason = cp_cli_opt(argc, argv, "--reason");
    if (reason) json_object_set_new(in, "reason", json_string(reason));
    cp_err err = {{0}};
    cp_status s = cp_member_set_status(c, a, argv[1], in, &out, &err);
    json_decref(in);
    if (s) return cp_cli_fail(err.msg);
    cp_cli_print_json(out);
    return CP_EXIT_OK;
}

static int create(cp_conn *c, const cp_actor *a, int argc, char **argv)
{
    const char *kind = cp_cli_opt(argc, argv, "--kind"), *name = cp_cli_opt(argc, argv, "--name");
    if (!kind || !name) return fprintf(stderr, "%s", USAGE), CP_EXIT_USAGE;
    json_t *in = json_pack("{ss ss}", "kind", kind, "name", name);
    const char *country = cp_cli_opt(argc, argv, "--country");
    if (country) json_object_set_new(in, "country", json_string(country));
    const char *email = cp_cli_opt(argc, argv, "--csirt-email"), *team = cp_cli_opt(argc, argv, "--csirt-team");
    if (email || team) {
        json_t *cs = json_object();
        if (email) json_object_set_new(cs, "email", json_string(email));
        if (team) json_object_set_new(cs, "team", json_string(team));
        json_object_set_new(in, "csirt", cs);
    }
    json_t *out;
    cp_err err = {{0}};
    cp_status s = cp_member_create(c, a, in, &out, &err);
    json_decref(in);
    if (s) return cp_cli_fail(err.msg);
    cp_cli_print_json(out);
    return CP_EXIT_OK;
}

static int run(cp_conn *c, const cp_actor *a, int argc, char **argv)
{
    const char *cmd = argv[0];
    cp_err err = {{0}};
    json_t *out = NULL;
    cp_status s;
    if (strcmp(cmd, "list") == 0) {
        cp_member_filter f = {.kind = cp_cli_opt(argc, argv, "--kind"),
                              .status = cp_cli_opt(argc, argv, "--status"),
                              .country = cp_cli_opt(argc, argv, "--country"),
                              .limit = 10000};
        const char *l = cp_cli_opt(argc, argv, "--limit");
        if (l) f.limit = atoi(l) > 0 ? atoi(l) : 1;
        char *page = NULL;
        size_t len = 0;
        s = cp_member_list(c, &f, &page, &len, &err);
        if (!s) {
            json_t *doc = json_loadb(page, len, 0, NULL);
            out = json_incref(json_object_get(doc, "items"));
            json_decref(doc);
        }
        free(page);
    } else if (strcmp(cmd, "get") == 0 && argc >= 2) {
        s = cp_member_get(c, argv[1], &out, &err);
    } else if (strcmp(cmd, "create") == 0) {
        return create(c, a, argc, argv);
    } else if (strcmp(cmd, "suspend") == 0) {
        return status_change(c, a, argc, argv, "suspended");
    } else if (strcmp(cmd, "activate") == 0) {
        return status_change(c, a, argc, argv, "active");
    } else if (strcmp(cmd, "withdraw") == 0) {
        return status_change(c, a, argc, argv, "withdrawn");
    } else if (strcmp(cmd, "constituency") == 0 && argc >= 2) {
        s = cp_constituency_list(c, argv[1], &out, &err);
    } else if (strcmp(cmd, "constituency-add") == 0 && argc >= 2) {
        const char *type = cp_cli_opt(argc, argv, "--type"), *value = cp_cli_opt(argc, argv, "--value");
        if (!type || !value) return fprintf(stderr, "%s", USAGE), CP_EXIT_USAGE;
        json_t *in = json_pack("{ss ss}", "type", type, "value", value);
        s = cp_constituency_add(c, a, argv[1], in, &out, &err);
        json_decref(in);
    } else if (strcmp(cmd, "constituency-remove") == 0 && argc >= 3) {
        s = cp_constituency_remove(c, a, argv[1], argv[2], &err);
        if (!s) out = json_pack("{ss ss}", "id", argv[2], "status", "removed");
    } else if (strcmp(cmd, "import-rir") == 0 && argc >= 2) {
        return import_rir(c, a, argv[1]);
    } else {
        fprintf(stderr, "%s", USAGE);
        return CP_EXIT_USAGE;
    }
    if (s) return cp_cli_fail(err.msg);
    cp_cli_print_json(out);
    return CP_EXIT_OK;
}

int cp_cli_member(int argc, char **argv, cp_db *db)
{
    static const char *const flags[] = {"--kind=", "--status=", "--country=", "--limit=", "--name=",
                                        "--csirt-email=", "--csirt-team=", "--reason=", "--type=", "--value=",
                                        "--help", NULL};
    if (argc < 1 || cp_cli_has(argc, argv, "--help") || strcmp(argv[0], "--help") == 0) {
        fputs(USAGE, argc < 1 ? stderr : stdout);
        return argc < 1 ? CP_EXIT_USAGE : CP_EXIT_OK;
    }
    if (!cp_cli_check_flags(argc, argv, flags)) return CP_EXIT_USAGE;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    if (!c) return cp_cli_fail(err.msg);
    cp_actor a;
    cp_actor_cli(&a);
    return run(c, &a, argc, argv);
}
