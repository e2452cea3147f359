/*
 * args.h — flags and operands of the `user` and `key` subcommands.
 *
 * A subcommand describes its flags (each takes a value: "--member ID" or
 * "--member=ID"; --help is always known) and its actions: which flags each
 * allows and needs, and how many operands it takes. cp_cli_parse() checks a
 * command line against both, so a typo or a flag meant for another action is
 * a usage error, never silently ignored.
 */
#ifndef CP_CLI_ARGS_H
#define CP_CLI_ARGS_H

#include <stddef.h>

#define CP_CLI_FLAGS_MAX 16
#define CP_CLI_REPEAT_MAX 64

typedef struct {
    const char *name;  /* the action, argv[0]: "create" */
    unsigned allowed;  /* bit i set: flags[i] may be given */
    unsigned required; /* bit i set: flags[i] must be given */
    int operands;      /* exact number of operands */
} cp_cli_action;

typedef struct {
    const char *value[CP_CLI_FLAGS_MAX]; /* value of flags[i], NULL when absent; borrowed from argv */
    char **operands;                     /* borrowed from argv */
    int n_operands;
    const char *repeated[CP_CLI_REPEAT_MAX]; /* every value of the '*' flag, in order; borrowed from argv */
    int n_repeated;
} cp_cli_args;

/* Parses argv (argv[0] is the action; argv may be permuted) against flags
 * (names without "--", at most CP_CLI_FLAGS_MAX, NULL-terminated; a name
 * starting with '+' is a switch without a value, e.g. "+no-serve", whose
 * value reads "" when given; one name starting with '*' may be repeated,
 * e.g. "*member", and every value lands in out->repeated, at most
 * CP_CLI_REPEAT_MAX) and the
 * action table. Returns -1 when the caller should go on with *out; else the
 * exit status to return: 0 after printing usage for --help, 2 after printing
 * what is wrong and the usage. */
int cp_cli_parse(int argc, char **argv, const char *const *flags, const cp_cli_action *actions, size_t n_actions,
                 const char *usage, cp_cli_args *out);

#include <jansson.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

/* Runs one action of a store subcommand (member, user, key). *out, when set,
 * is printed as pretty JSON and released; an action that prints by itself
 * (key create prints only the secret) leaves it NULL. */
typedef cp_status (*cp_cli_action_fn)(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o,
                                      json_t **out, cp_err *err);

/* Fetches one page after cursor next (NULL: the first); *items owned by the
 * caller, *following the next cursor (malloc'd) or NULL on the last page. */
typedef cp_status (*cp_cli_page_fn)(cp_conn *c, void *filter, const char *next, json_t **items, char **following,
                                    cp_err *err);

/* Every page of a list, concatenated into *out (a JSON array). */
cp_status cp_cli_all_pages(cp_conn *c, cp_cli_page_fn fetch, void *filter, json_t **out, cp_err *err);

/* cp_cli_parse, then the thread's store connection and the administrator
 * actor (cp_actor_cli), then fn; returns the exit status. */
int cp_cli_run(int argc, char **argv, cp_db *db, const char *const *flags, const cp_cli_action *actions,
               size_t n_actions, const char *usage, cp_cli_action_fn fn);

#endif
