#include "members/bootstrap.h"

#include <string.h>

#include "base/crypto.h"
#include "members/keys.h"
#include "members/members.h"
#include "members/users.h"

cp_status cp_bootstrap(cp_conn *c, const cp_actor *a, const char *alliance_name, const char *admin_name,
                       json_t **alliance, json_t **user, char *secret, cp_err *err)
{
    *alliance = *user = NULL;
    char existing[CP_UUID_LEN + 1];
    cp_status st = cp_member_alliance_id(c, existing, err);
    if (st == CP_OK) return cp_fail(err, CP_E_CONFLICT, "the store is already initialised (alliance %s)", existing);
    if (st != CP_E_NOT_FOUND) return st;
    if ((st = cp_member_create_alliance(c, a, alliance_name, alliance, err))) return st;
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
