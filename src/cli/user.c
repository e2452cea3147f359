/*
 * user.c — `cyberpact user ...`: users for the administrator on the machine.
 * Flags in, one domain call (members/users.h), JSON out.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/crypto.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "members/users.h"

static const char USAGE[] = "usage: cyberpact user ACTION ...\n"
                            "  create --member ID --name NAME --roles ROLE[,ROLE...] [--email E]\n"
                            "                          roles: secretariat, delegate, analyst, auditor\n"
                            "  list [--member ID] [--role ROLE]\n"
                            "  get NAME_OR_ID\n"
                            "  passwd NAME_OR_ID       read the new password from stdin (one line, 12+ characters)\n"
                            "  disable NAME_OR_ID      its keys and sessions stop working; its sessions end\n"
                            "  enable NAME_OR_ID       its keys work again\n";

enum { MEMBER, NAME, ROLES, EMAIL, ROLE };
static const char *const FLAGS[] = {"member", "name", "roles", "email", "role", NULL};
#define BIT(f) (1u << (f))
static const cp_cli_action ACTIONS[] = {
    {"create", BIT(MEMBER) | BIT(NAME) | BIT(ROLES) | BIT(EMAIL), BIT(MEMBER) | BIT(NAME) | BIT(ROLES), 0},
    {"list", BIT(MEMBER) | BIT(ROLE), 0, 0},
    {"get", 0, 0, 1},
    {"passwd", 0, 0, 1},
    {"disable", 0, 0, 1},
    {"enable", 0, 0, 1},
};

/* Reads one line from stdin into buf, without echo when stdin is a terminal. */
static cp_status read_password(char *buf, size_t cap, cp_err *err)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("new password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool got = fgets(buf, (int)cap, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got) return cp_fail(err, CP_E_BAD_REQUEST, "no password on stdin");
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n') return cp_fail(err, CP_E_UNPROCESSABLE, "the password is too long");
    buf[strcspn(buf, "\r\n")] = 0;
    return CP_OK;
}

static cp_status set_password(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err)
{
    char pw[CP_PASSWORD_MAX_BYTES + 3]; /* the password, its line end, the NUL */
    cp_status st = read_password(pw, sizeof pw, err);
    json_t *in = st ? NULL : json_pack("{ss}", "password", pw);
    cp_wipe(pw, sizeof pw);
    if (st) return st;
    if (!in) return cp_fail(err, CP_E_NOMEM, "out of memory");
    st = cp_user_set_password(c, a, id, in, out, err);
    const char *copy = json_string_value(json_object_get(in, "password"));
    cp_wipe((void *)copy, strlen(copy));
    json_decref(in);
    return st;
}

static cp_status user_page(cp_conn *c, void *filter, const char *next, json_t **items, char **following,
                          cp_err *err)
{
    cp_user_filter *f = filter;
    f->next = next;
    return cp_user_list(c, f, items, following, err);
}

static cp_status list(cp_conn *c, const cp_cli_args *o, json_t **out, cp_err *err)
{
    cp_user_filter f = {.member_id = o->value[MEMBER], .role = o->value[ROLE], .limit = 1000};
    return cp_cli_all_pages(c, user_page, &f, out, err);
}

static cp_status create(cp_conn *c, const cp_actor *a, const cp_cli_args *o, json_t **out, cp_err *err)
{
    json_t *in = json_pack("{ss ss so}", "member_id", o->value[MEMBER], "name", o->value[NAME], "roles",
                           cp_roles_split(o->value[ROLES]));
    if (!in) return cp_fail(err, CP_E_NOMEM, "out of memory");
    if (o->value[EMAIL]) json_object_set_new(in, "email", json_string(o->value[EMAIL]));
    cp_status st = cp_user_create(c, a, in, out, err);
    json_decref(in);
    return st;
}

/* get, passwd, disable, enable: the actions on one user, by name or id. */
static cp_status on_user(cp_conn *c, const cp_actor *a, const char *action, const char *who, json_t **out, cp_err *err)
{
    json_t *u;
    cp_status st = cp_user_find(c, who, &u, err);
    if (st) return st;
    const char *id = json_string_value(json_object_get(u, "id"));
    if (strcmp(action, "get") == 0) {
        *out = json_incref(u);
    } else if (strcmp(action, "passwd") == 0) {
        st = set_password(c, a, id, out, err);
    } else {
        json_t *in = json_pack("{ss}", "status", strcmp(action, "disable") == 0 ? "disabled" : "active");
        st = cp_user_update(c, a, id, in, out, err);
        json_decref(in);
    }
    json_decref(u);
    return st;
}

static cp_status run(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o, json_t **out,
                     cp_err *err)
{
    if (strcmp(action, "create") == 0) return create(c, a, o, out, err);
    if (strcmp(action, "list") == 0) return list(c, o, out, err);
    return on_user(c, a, action, o->operands[0], out, err);
}

int cp_cli_user(int argc, char **argv, cp_db *db)
{
    return cp_cli_run(argc, argv, db, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, run);
}
