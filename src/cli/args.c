#include "cli/args.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define HELP_VAL 1000 /* outside the flag indexes */

static int usage_error(const char *usage)
{
    return fputs(usage, stderr), CP_EXIT_USAGE;
}

cp_status cp_cli_all_pages(cp_conn *c, cp_cli_page_fn fetch, void *filter, json_t **out, cp_err *err)
{
    json_t *all = json_array();
    char *next = NULL;
    cp_status st;
    do {
        json_t *items = NULL;
        char *following = NULL;
        st = fetch(c, filter, next, &items, &following, err);
        free(next);
        next = st ? NULL : following;
        if (!st) json_array_extend(all, items);
        json_decref(items);
    } while (!st && next);
    if (st) json_decref(all);
    else *out = all;
    return st;
}

int cp_cli_run(int argc, char **argv, cp_db *db, const char *const *flags, const cp_cli_action *actions,
               size_t n_actions, const char *usage, cp_cli_action_fn fn)
{
    cp_cli_args o;
    int rc = cp_cli_parse(argc, argv, flags, actions, n_actions, usage, &o);
    if (rc >= 0) return rc;
    cp_err err = {{0}};
    cp_conn *c = db ? cp_db_thread_conn(db, &err) : NULL;
    if (!c) return cp_cli_fail(db ? err.msg : "no store");
    cp_actor a;
    cp_actor_cli(&a);
    json_t *out = NULL;
    if (fn(c, &a, argv[0], &o, &out, &err)) return cp_cli_fail(err.msg);
    if (out) cp_cli_print_json(out);
    return CP_EXIT_OK;
}

int cp_cli_parse(int argc, char **argv, const char *const *flags, const cp_cli_action *actions, size_t n_actions,
                 const char *usage, cp_cli_args *out)
{
    memset(out, 0, sizeof *out);
    if (argc < 1) return usage_error(usage);
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0) return fputs(usage, stdout), CP_EXIT_OK;
    struct option L[CP_CLI_FLAGS_MAX + 2];
    int n = 0;
    for (; flags[n] && n < CP_CLI_FLAGS_MAX; n++) {
        bool is_switch = flags[n][0] == '+', is_repeat = flags[n][0] == '*';
        L[n] = (struct option){flags[n] + (is_switch || is_repeat), is_switch ? no_argument : required_argument, NULL, n};
    }
    L[n] = (struct option){"help", no_argument, NULL, HELP_VAL};
    L[n + 1] = (struct option){NULL, 0, NULL, 0};
    unsigned seen = 0;
    optind = 0; /* glibc: start afresh; argv[0], the action, is skipped like a program name */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", L, NULL)) != -1) {
        if (ch == HELP_VAL) return fputs(usage, stdout), CP_EXIT_OK;
        if (ch >= 0 && ch < n) {
            if (flags[ch][0] == '*') {
                if (out->n_repeated == CP_CLI_REPEAT_MAX) {
                    fprintf(stderr, "error: --%s may be given at most %d times\n", flags[ch] + 1, CP_CLI_REPEAT_MAX);
                    return usage_error(usage);
                }
                out->repeated[out->n_repeated++] = optarg;
            }
            out->value[ch] = optarg ? optarg : "";
            seen |= 1u << ch;
            continue;
        }
        fprintf(stderr, ch == ':' ? "error: flag %s needs a value\n" : "error: unknown flag %s\n", argv[optind - 1]);
        return usage_error(usage);
    }
    out->operands = argv + optind;
    out->n_operands = argc - optind;
    for (size_t i = 0; i < n_actions; i++) {
        const cp_cli_action *a = &actions[i];
        if (strcmp(argv[0], a->name) != 0) continue;
        if ((seen & ~a->allowed) == 0 && (seen & a->required) == a->required && out->n_operands == a->operands)
            return -1;
        fprintf(stderr, "error: wrong flags or operands for '%s'\n", a->name);
        return usage_error(usage);
    }
    fprintf(stderr, "error: unknown action '%.64s'\n", argv[0]);
    return usage_error(usage);
}
