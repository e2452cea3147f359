/*
 * governance.c — `cyberpact governance`:
 *   tally FILE        the result of a vote described in FILE (JSON, governance/tally.h),
 *                     computed by the same pure function as the server; no store
 *   list [--status S] [--body ID]   the proposals
 *   show ID           one proposal, with its result once closed
 *   close ID          closes a vote whose closing time has passed (the scheduler
 *                     of a running server normally does it)
 *   tick              one pass of the scheduler: closes what is due, sends due reminders
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/timeutil.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "governance/close.h"
#include "governance/proposals.h"
#include "governance/scheduler.h"
#include "governance/tally.h"
#include "members/actor.h"

static const char USAGE[] =
    "usage: cyberpact governance tally FILE\n"
    "       cyberpact governance list [--status STATUS] [--body BODY_ID]\n"
    "       cyberpact governance show PROPOSAL_ID\n"
    "       cyberpact governance close PROPOSAL_ID\n"
    "       cyberpact governance tick\n"
    "tally computes the result of the vote described in FILE (see docs/governance.md, \"The tally\n"
    "from the command line\") with the server's own pure tally, without a store. close closes a\n"
    "vote whose closing time has passed; tick runs one pass of the scheduler (closing, reminders).\n";

enum { F_STATUS, F_BODY };
static const char *const FLAGS[] = {"status", "body", NULL};
static const cp_cli_action ACTIONS[] = {
    {"tally", 0, 0, 1}, {"list", 3u, 0, 0}, {"show", 0, 0, 1}, {"close", 0, 0, 1}, {"tick", 0, 0, 0},
};

#define TALLY_FILE_MAX (64u << 20)

static int tally_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "error: %s: cannot open\n", path);
        return CP_EXIT_FAIL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= TALLY_FILE_MAX) {
                free(buf);
                buf = NULL;
                break;
            }
            char *g = realloc(buf, cap *= 2);
            if (!g) {
                free(buf);
                buf = NULL;
            }
            buf = g;
        }
    }
    if (f != stdin) fclose(f);
    if (!buf) return cp_cli_fail("the file is larger than 64 MiB or memory ran out");
    cp_err err = {{0}};
    json_t *doc = NULL;
    cp_tally_doc *d = NULL;
    cp_tally_result r;
    cp_status st = cp_json_parse(buf, n, CP_JSON_DEPTH_DEFAULT, &doc, &err);
    free(buf);
    if (!st) st = cp_tally_doc_parse(doc, &d, &err);
    if (!st) st = cp_tally(cp_tally_doc_input(d), &r, &err);
    if (st) {
        fprintf(stderr, "error: %s: %s\n", path, err.msg);
        json_decref(doc);
        cp_tally_doc_free(d);
        return CP_EXIT_FAIL;
    }
    cp_cli_print_json(cp_tally_result_json(cp_tally_doc_input(d), &r));
    cp_tally_result_free(&r);
    cp_tally_doc_free(d);
    json_decref(doc);
    return CP_EXIT_OK;
}

int cp_cli_governance(int argc, char **argv, cp_config *cfg)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CP_EXIT_USAGE;
    }
    cp_cli_args o;
    int parsed = cp_cli_parse(argc - 1, argv + 1, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, &o);
    if (parsed >= 0) return parsed;
    const char *action = argv[1];
    if (strcmp(action, "tally") == 0) return tally_file(o.operands[0]);
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    cp_actor a;
    cp_actor_cli(&a);
    json_t *out = NULL;
    cp_status st = c ? CP_OK : CP_E_UNAVAILABLE;
    if (!st) {
        if (strcmp(action, "list") == 0) {
            bool more = true;
            json_t *all = json_array();
            for (int64_t off = 0; !st && more; off += 500) {
                json_t *items = NULL;
                st = cp_gov_proposal_list(c, o.value[F_STATUS], o.value[F_BODY], off, 500, &items, &more, &err);
                if (!st) json_array_extend(all, items);
                json_decref(items);
            }
            out = all;
        } else if (strcmp(action, "show") == 0) {
            st = cp_gov_proposal_get(c, o.operands[0], &out, &err);
        } else if (strcmp(action, "close") == 0) {
            st = cp_gov_close(c, a.label, o.operands[0], cp_now_ms(), &out, &err);
        } else {
            int closed = 0, reminded = 0;
            st = cp_gov_scheduler_tick(c, cp_now_ms(), &closed, &reminded, &err);
            if (!st) out = json_pack("{si si}", "closed", closed, "reminded", reminded);
        }
    }
    int rc = CP_EXIT_OK;
    if (st) {
        json_decref(out);
        rc = cp_cli_fail(err.msg);
    } else {
        cp_cli_print_json(out);
    }
    cp_db_close(db);
    return rc;
}
