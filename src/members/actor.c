#include "members/actor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned cp_role_parse(const char *name)
{
#define CP_ROLE_PARSE(n, bit, str) if (strcmp(name, str) == 0) return bit;
    CP_ROLE_MAP(CP_ROLE_PARSE)
#undef CP_ROLE_PARSE
    return 0;
}

const char *cp_role_name(unsigned bit)
{
    switch (bit) {
#define CP_ROLE_NAME(n, b, str) case b: return str;
        CP_ROLE_MAP(CP_ROLE_NAME)
#undef CP_ROLE_NAME
    default: return "?";
    }
}

void cp_actor_cli(cp_actor *a)
{
    memset(a, 0, sizeof *a);
    a->kind = CP_ACTOR_CLI;
    a->roles = CP_ROLE_ALL;
    a->user_roles = CP_ROLE_ALL;
    a->member_active = true;
    a->member_is_alliance = true;
    const char *who = getenv("SUDO_USER");
    if (!who) who = getenv("USER");
    if (!who) who = "unknown";
    snprintf(a->label, sizeof a->label, "cli:%.64s", who);
}
