/*
 * actor.h — who is acting: the identity every authorisation decision and
 * every audit entry starts from.
 *
 * Roles (a user may hold several; a key carries a subset of its user's):
 *   secretariat  administers the alliance (only users of the alliance itself)
 *   delegate     acts for a member state in governance (member-state users)
 *   analyst      intelligence, alerts and incidents for the user's member
 *   auditor      reads governance, finance and audit; changes nothing
 */
#ifndef CP_MEMBERS_ACTOR_H
#define CP_MEMBERS_ACTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/crypto.h"

#define CP_ROLE_MAP(X)               \
    X(CP_ROLE_SECRETARIAT, 1u, "secretariat") \
    X(CP_ROLE_DELEGATE, 2u, "delegate")       \
    X(CP_ROLE_ANALYST, 4u, "analyst")         \
    X(CP_ROLE_AUDITOR, 8u, "auditor")

enum {
#define CP_ROLE_ENUM(name, bit, str) name = bit,
    CP_ROLE_MAP(CP_ROLE_ENUM)
#undef CP_ROLE_ENUM
    CP_ROLE_ALL = 15u
};

/* Parses a role name; returns its bit, or 0 when unknown. */
unsigned cp_role_parse(const char *name);
/* Name of a single role bit. */
const char *cp_role_name(unsigned bit);

typedef enum {
    CP_ACTOR_NONE,    /* anonymous */
    CP_ACTOR_KEY,     /* API key (Bearer or Basic) */
    CP_ACTOR_SESSION, /* browser session cookie */
    CP_ACTOR_CLI,     /* an administrator on the machine: all roles */
} cp_actor_kind;

typedef struct {
    cp_actor_kind kind;
    unsigned roles;                      /* effective roles of this request */
    unsigned user_roles;                 /* all roles of the user (a key may carry fewer) */
    char user_id[CP_UUID_LEN + 1];
    char user_name[128];
    char member_id[CP_UUID_LEN + 1];
    char member_kind[24];
    bool member_active;                  /* member status is 'active' */
    bool member_is_alliance;             /* the alliance's own organisation */
    char key_id[CP_UUID_LEN + 1];        /* CP_ACTOR_KEY */
    char csrf_token[64];                 /* CP_ACTOR_SESSION */
    char label[96];                      /* for audit: "key:<id>", "user:<id>", "cli:<login>" */
} cp_actor;

/* An administrator acting through the CLI on the machine. */
void cp_actor_cli(cp_actor *a);

#endif
