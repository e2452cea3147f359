#include "members/bootstrap.h"

#include <string.h>

#include "base/crypto.h"
#include "members/keys.h"
#include "members/members.h"
#include "members/users.h"

static cp_status count_secretariat(cp_conn *c, int64_t *n, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT COUNT(*) FROM users WHERE (roles & 1) <> 0", &s, err);
    if (st) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) *n = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_bootstrap(cp_conn *c, const cp_actor *a, const char *alliance_name, const char *admin_name,
                       json_t **alliance, json_t **user, char *secret, cp_err *err)
{
    *alliance = *user = NULL;
    char existing[CP_UUID_LEN + 1];
    cp_status st = cp_member_alliance_id(c, existing, err);
    if (st == CP_OK) {
        /* An init that failed after creating the alliance (e.g. a bad admin
         * name) may be run again: it goes on while no secretariat user exists. */
        int64_t admins = 0;
        if ((st = count_secretariat(c, &admins, err))) return st;
        if (admins > 0) return cp_fail(err, CP_E_CONFLICT, "the store is already initialised (alliance %s)", existing);
        st = cp_member_get(c, existing, alliance, err);
    } else if (st == CP_E_NOT_FOUND) {
        st = cp_member_create_alliance(c, a, alliance_name, alliance, err);
    }
    if (st) return st;
    json_t *in = json_pack("{ss ss s[s]}", "member_id", json_string_value(json_object_get(*alliance, "id")), "name",
                           admin_name, "roles", "secretariat");
    st = cp_user_create(c, a, in, user, err);
    json_decref(in);
    if (st) return st;
    json_t *key;
    in = json_pack("{ss ss}", "user_id", json_string_value(json_object_get(*user, "id")), "label",
                   "first secretariat key (cyberpact init)");
    st = cp_key_create(c, a, in, &key, err);
    json_decref(in);
    if (st) return st;
    const char *s = json_string_value(json_object_get(key, "secret"));
    memcpy(secret, s, strlen(s) + 1);
    cp_wipe((void *)s, strlen(s));
    json_decref(key);
    return CP_OK;
}
