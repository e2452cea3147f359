/* test_users.c — users: creation rules, representation, list, update, password. */
#include "harness.h"
#include "users_fixture.h"

#include "http/authz.h"
#include "members/sessions.h"

static fixture F;

static cp_status try_create(const char *member, const char *name, const char *roles, const char *extra_json)
{
    json_t *in = json_pack("{ss ss so}", "member_id", member, "name", name, "roles", cp_roles_split(roles)), *out;
    if (extra_json) {
        json_t *x = json_loads(extra_json, 0, NULL);
        json_object_update(in, x);
        json_decref(x);
    }
    cp_status st = cp_user_create(F.c, &F.cli, in, &out, &F.err);
    json_decref(in);
    json_decref(out);
    return st;
}

static void test_create_representation(void)
{
    json_t *u = fx_user(&F, F.alliance, "sec.admin", "secretariat,auditor", NULL);
    CHECK(cp_uuid_valid(fx_id(u)));
    CHECK_STR(json_string_value(json_object_get(u, "member_id")), F.alliance);
    CHECK_STR(json_string_value(json_object_get(u, "name")), "sec.admin");
    CHECK(json_is_null(json_object_get(u, "email")));
    CHECK_INT(fx_roles(u), CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR);
    CHECK_STR(json_string_value(json_object_get(u, "status")), "active");
    CHECK(json_is_false(json_object_get(u, "has_password")));
    int64_t t;
    CHECK(cp_rfc3339_parse(json_string_value(json_object_get(u, "created_at")), &t, &F.err) == CP_OK);
    CHECK(cp_rfc3339_parse(json_string_value(json_object_get(u, "updated_at")), &t, &F.err) == CP_OK);
    CHECK_INT(json_object_size(u), 9);
    json_t *g;
    CHECK(cp_user_get(F.c, fx_id(u), &g, &F.err) == CP_OK);
    CHECK(json_equal(g, u));
    json_decref(g);
    CHECK(cp_user_find(F.c, "sec.admin", &g, &F.err) == CP_OK);
    CHECK_STR(fx_id(g), fx_id(u));
    json_decref(g);
    CHECK(fx_audit_mentions(&F, fx_id(u)));
    json_decref(u);
}

static void test_create_shape_and_rules(void)
{
    CHECK_INT(try_create(F.state, "dup.user", "analyst", NULL), CP_OK);
    CHECK_INT(try_create(F.state, "dup.user", "analyst", NULL), CP_E_CONFLICT);
    /* shape: 400 */
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"nickname\": \"x\"}"), CP_E_BAD_REQUEST);
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"roles\": \"analyst\"}"), CP_E_BAD_REQUEST);
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"email\": 5}"), CP_E_BAD_REQUEST);
    /* names: 422 */
    CHECK_INT(try_create(F.state, "ab", "analyst", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "Upper.Case", "analyst", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "with space", "analyst", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "a234567890123456789012345678901234567890123456789012345678901234x", "analyst", NULL),
              CP_E_UNPROCESSABLE);
    /* roles: 422 */
    CHECK_INT(try_create(F.state, "x.user", "", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "x.user", "analyst,root", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "x.user", "secretariat", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "x.user", "auditor", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.sector, "x.user", "delegate", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.alliance, "x.user", "delegate", NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.sector, "x.sector", "analyst", NULL), CP_OK);
    CHECK_INT(try_create(F.state, "x.state", "delegate,analyst", NULL), CP_OK);
    /* the member: must exist and be active */
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    CHECK_INT(try_create(ghost, "x.user", "analyst", NULL), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "no member") != NULL);
    char gone[CP_UUID_LEN + 1];
    fx_member(&F, "academia", "Withdrawn Uni", NULL, gone);
    CHECK_INT(fx_count(&F, "UPDATE members SET status = 'withdrawn' WHERE id = ? RETURNING 1", gone), 1);
    CHECK_INT(try_create(gone, "x.user", "analyst", NULL), CP_E_UNPROCESSABLE);
    /* e-mail and password */
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"email\": \"not-an-address\"}"), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"password\": \"short\"}"), CP_E_UNPROCESSABLE);
    CHECK_INT(try_create(F.state, "x.user", "analyst", "{\"password\": \"ééééééééééé\"}"), CP_E_UNPROCESSABLE);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM users WHERE name = ?", "x.user"), 0);
}

static void test_password_hashed_never_audited(void)
{
    const char *pw = "correct horse battery staple";
    json_t *u = fx_user(&F, F.state, "pw.holder", "analyst", pw);
    CHECK(json_is_true(json_object_get(u, "has_password")));
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM users WHERE id = ? AND password_hash LIKE '$argon2id$%'", fx_id(u)),
              1);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM users WHERE password_hash LIKE ?", "%horse%"), 0);
    CHECK(!fx_audit_mentions(&F, "horse"));
    CHECK(!fx_audit_mentions(&F, "argon2"));
    json_t *in = json_pack("{ss}", "password", "a brand new passphrase"), *out;
    CHECK(cp_user_set_password(F.c, &F.cli, fx_id(u), in, &out, &F.err) == CP_OK);
    json_decref(out);
    json_decref(in);
    CHECK(!fx_audit_mentions(&F, "brand new"));
    in = json_pack("{ss}", "password", "too short");
    CHECK_INT(cp_user_set_password(F.c, &F.cli, fx_id(u), in, &out, &F.err), CP_E_UNPROCESSABLE);
    json_decref(in);
    in = json_pack("{ss}", "pass", "long enough passphrase");
    CHECK_INT(cp_user_set_password(F.c, &F.cli, fx_id(u), in, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(in);
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    in = json_pack("{ss}", "password", "long enough passphrase");
    CHECK_INT(cp_user_set_password(F.c, &F.cli, ghost, in, &out, &F.err), CP_E_NOT_FOUND);
    json_decref(in);
    json_decref(u);
}

static void test_get_missing(void)
{
    json_t *out;
    CHECK_INT(cp_user_get(F.c, "not-a-uuid", &out, &F.err), CP_E_NOT_FOUND);
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    CHECK_INT(cp_user_get(F.c, ghost, &out, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_user_find(F.c, "nobody.here", &out, &F.err), CP_E_NOT_FOUND);
}

static void test_list_filter_and_pages(void)
{
    char m[CP_UUID_LEN + 1];
    fx_member(&F, "member_state", "Paging State", "PG", m);
    const char *names[] = {"page.e", "page.a", "page.d", "page.b", "page.c"};
    for (int i = 0; i < 5; i++)
        json_decref(fx_user(&F, m, names[i], i == 2 ? "delegate" : "analyst", NULL));
    cp_user_filter f = {.member_id = m, .limit = 2};
    json_t *items;
    char *next;
    const char *want[] = {"page.a", "page.b", "page.c", "page.d", "page.e"};
    int seen = 0;
    for (int page = 0; page < 4; page++) {
        CHECK(cp_user_list(F.c, &f, &items, &next, &F.err) == CP_OK);
        for (size_t i = 0; i < json_array_size(items); i++, seen++)
            CHECK_STR(json_string_value(json_object_get(json_array_get(items, i), "name")), want[seen]);
        json_decref(items);
        free((void *)f.next);
        f.next = next;
        if (!next) break;
    }
    CHECK_INT(seen, 5);
    cp_user_filter r = {.member_id = m, .role = "delegate", .limit = 10};
    CHECK(cp_user_list(F.c, &r, &items, &next, &F.err) == CP_OK);
    CHECK_INT(json_array_size(items), 1);
    CHECK(next == NULL);
    json_decref(items);
    r.role = "king";
    CHECK_INT(cp_user_list(F.c, &r, &items, &next, &F.err), CP_E_BAD_REQUEST);
    r.role = NULL;
    r.next = "garbage!";
    CHECK_INT(cp_user_list(F.c, &r, &items, &next, &F.err), CP_E_BAD_REQUEST);
}

static cp_status patch(const char *id, const char *body, json_t **out)
{
    json_t *in = json_loads(body, 0, NULL);
    cp_status st = cp_user_update(F.c, &F.cli, id, in, out, &F.err);
    json_decref(in);
    return st;
}

static void test_update(void)
{
    json_t *u = fx_user(&F, F.state, "upd.user", "analyst", NULL), *out;
    const char *id = fx_id(u);
    CHECK(patch(id, "{\"roles\": [\"analyst\", \"delegate\"], \"email\": \"a@b.example\"}", &out) == CP_OK);
    CHECK_INT(fx_roles(out), CP_ROLE_ANALYST | CP_ROLE_DELEGATE);
    CHECK_STR(json_string_value(json_object_get(out, "email")), "a@b.example");
    json_decref(out);
    CHECK(patch(id, "{\"email\": null}", &out) == CP_OK);
    CHECK(json_is_null(json_object_get(out, "email")));
    CHECK_INT(fx_roles(out), CP_ROLE_ANALYST | CP_ROLE_DELEGATE);
    json_decref(out);
    CHECK_INT(patch(id, "{\"roles\": [\"secretariat\"]}", &out), CP_E_UNPROCESSABLE);
    CHECK_INT(patch(id, "{\"roles\": []}", &out), CP_E_UNPROCESSABLE);
    CHECK_INT(patch(id, "{\"status\": \"deleted\"}", &out), CP_E_UNPROCESSABLE);
    CHECK_INT(patch(id, "{}", &out), CP_E_BAD_REQUEST);
    CHECK_INT(patch(id, "{\"name\": \"rename\"}", &out), CP_E_BAD_REQUEST);
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    CHECK_INT(patch(ghost, "{\"status\": \"disabled\"}", &out), CP_E_NOT_FOUND);
    CHECK(patch(id, "{\"status\": \"disabled\"}", &out) == CP_OK);
    CHECK_STR(json_string_value(json_object_get(out, "status")), "disabled");
    json_decref(out);
    json_decref(u);
}

static void test_disable_stops_keys_and_sessions(void)
{
    json_t *u = fx_user(&F, F.state, "dis.user", "analyst", "a long enough password"), *out;
    char secret[CP_KEY_SECRET_LEN + 1], cookie[CP_SESSION_TOKEN_LEN + 1], csrf[CP_SESSION_TOKEN_LEN + 1];
    CHECK(fx_key(&F, &F.cli, fx_id(u), NULL, secret, NULL) == CP_OK);
    int64_t exp;
    json_t *su;
    CHECK(cp_session_login(F.c, "dis.user", "a long enough password", 3600, cookie, csrf, &exp, &su, &F.err) == CP_OK);
    json_decref(su);
    cp_actor a;
    CHECK(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK(cp_auth_session(F.c, cookie, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK(patch(fx_id(u), "{\"status\": \"disabled\"}", &out) == CP_OK);
    json_decref(out);
    CHECK_INT(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    CHECK_INT(cp_auth_session(F.c, cookie, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    /* enabling again brings the key back, not the ended session */
    CHECK(patch(fx_id(u), "{\"status\": \"active\"}", &out) == CP_OK);
    json_decref(out);
    CHECK(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_INT(cp_auth_session(F.c, cookie, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    json_decref(u);
}

/* The authorisation rules the user handlers rely on. */
static void test_authz_existence(void)
{
    json_t *sec = fx_user(&F, F.alliance, "az.sec", "secretariat", NULL);
    json_t *aud = fx_user(&F, F.alliance, "az.aud", "auditor", NULL);
    json_t *own = fx_user(&F, F.state, "az.own", "analyst", NULL);
    json_t *peer = fx_user(&F, F.state, "az.peer", "delegate", NULL);
    json_t *other = fx_user(&F, F.sector, "az.other", "analyst", NULL);
    cp_actor s, au, o;
    CHECK(cp_actor_load_user(F.c, fx_id(sec), &s, &F.err) == CP_OK);
    CHECK(cp_actor_load_user(F.c, fx_id(aud), &au, &F.err) == CP_OK);
    CHECK(cp_actor_load_user(F.c, fx_id(own), &o, &F.err) == CP_OK);
    s.kind = au.kind = o.kind = CP_ACTOR_SESSION;
    cp_resource rpeer = {.member_id = F.state, .user_id = fx_id(peer)}, rother = {.member_id = F.sector, .user_id = fx_id(other)},
                rself = {.member_id = F.state, .user_id = fx_id(own)};
    CHECK_INT(cp_authz(&o, CP_ACT_USER_READ, &rpeer, &F.err), CP_OK);
    CHECK_INT(cp_authz(&o, CP_ACT_USER_READ, &rother, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_authz(&o, CP_ACT_USER_UPDATE, &rpeer, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&o, CP_ACT_USER_PASSWORD, &rself, &F.err), CP_OK);
    CHECK_INT(cp_authz(&o, CP_ACT_USER_PASSWORD, &rpeer, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&o, CP_ACT_USER_PASSWORD, &rother, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_authz(&au, CP_ACT_USER_READ, &rother, &F.err), CP_OK);
    CHECK_INT(cp_authz(&au, CP_ACT_USER_PASSWORD, &rother, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&au, CP_ACT_USER_CREATE, NULL, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&s, CP_ACT_USER_UPDATE, &rother, &F.err), CP_OK);
    const char *mscope, *uscope;
    cp_authz_scope(&o, CP_ACT_USER_LIST, &mscope, &uscope);
    CHECK_STR(mscope, F.state);
    cp_authz_scope(&au, CP_ACT_USER_LIST, &mscope, &uscope);
    CHECK(mscope == NULL);
    json_decref(sec);
    json_decref(aud);
    json_decref(own);
    json_decref(peer);
    json_decref(other);
}

int main(void)
{
    fx_open(&F);
    RUN(test_create_representation);
    RUN(test_create_shape_and_rules);
    RUN(test_password_hashed_never_audited);
    RUN(test_get_missing);
    RUN(test_list_filter_and_pages);
    RUN(test_update);
    RUN(test_disable_stops_keys_and_sessions);
    RUN(test_authz_existence);
    fx_close(&F);
    return harness_done();
}
