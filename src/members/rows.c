#include "members/rows.h"

#include <string.h>

#include "base/timeutil.h"
#include "members/actor.h"

json_t *cp_time_json(int64_t ms)
{
    char buf[CP_RFC3339_MAX];
    cp_rfc3339_format(ms, buf);
    return json_string(buf);
}

json_t *cp_col_text_or_null(cp_stmt *s, int col)
{
    return cp_stmt_col_is_null(s, col) ? json_null() : json_string(cp_stmt_col_text(s, col));
}

json_t *cp_col_time_or_null(cp_stmt *s, int col)
{
    return cp_stmt_col_is_null(s, col) ? json_null() : cp_time_json(cp_stmt_col_int(s, col));
}

json_t *cp_roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (unsigned bit = 1; bit <= CP_ROLE_AUDITOR; bit <<= 1)
        if (roles & bit) json_array_append_new(a, json_string(cp_role_name(bit)));
    return a;
}

bool cp_email_plausible(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && strchr(at, '.') && !strchr(at + 1, '@') && !strpbrk(s, " \t\r\n<>");
}
