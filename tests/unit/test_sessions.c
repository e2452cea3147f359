/* test_sessions.c — log in, log out, one answer for every failed log-in. */
#include "harness.h"
#include "users_fixture.h"

#include "members/sessions.h"

static fixture F;
static const char *PW = "a perfectly long password";

typedef struct {
    char cookie[CP_SESSION_TOKEN_LEN + 1], csrf[CP_SESSION_TOKEN_LEN + 1];
    int64_t expires;
    cp_status st;
    uint64_t us; /* how long the attempt took */
} attempt;

static attempt login(const char *name, const char *password)
{
    attempt t;
    memset(&t, 0, sizeof t);
    json_t *u = NULL;
    uint64_t t0 = cp_mono_us();
    t.st = cp_session_login(F.c, name, password, 3600, t.cookie, t.csrf, &t.expires, &u, &F.err);
    t.us = cp_mono_us() - t0;
    if (!t.st) CHECK_STR(json_string_value(json_object_get(u, "name")), name);
    json_decref(u);
    return t;
}

static void test_login_stores_hash(void)
{
    json_t *u = fx_user(&F, F.state, "s.user", "analyst", PW);
    int64_t before = cp_now_ms();
    attempt t = login("s.user", PW);
    CHECK_INT(t.st, CP_OK);
    CHECK_INT(strlen(t.cookie), CP_SESSION_TOKEN_LEN);
    CHECK_INT(strlen(t.csrf), CP_SESSION_TOKEN_LEN);
    CHECK(strcmp(t.cookie, t.csrf) != 0);
    CHECK(t.expires >= before + 3600 * 1000);
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(t.cookie, strlen(t.cookie), hash);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM sessions WHERE id_hash = ?", hash), 1);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM sessions WHERE id_hash = ?", t.cookie), 0);
    CHECK(!fx_audit_mentions(&F, t.cookie));
    CHECK(!fx_audit_mentions(&F, hash));
    CHECK(!fx_audit_mentions(&F, t.csrf));
    char who[64];
    snprintf(who, sizeof who, "user:%s", fx_id(u));
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login' AND actor = ?", who), 1);
    cp_actor a;
    CHECK(cp_auth_session(F.c, t.cookie, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_INT(a.kind, CP_ACTOR_SESSION);
    CHECK_STR(a.csrf_token, t.csrf);
    CHECK_STR(a.user_id, fx_id(u));
    json_t *info;
    CHECK(cp_session_info(F.c, t.cookie, cp_now_ms(), &info, &F.err) == CP_OK);
    CHECK_STR(json_string_value(json_object_get(info, "csrf_token")), t.csrf);
    CHECK_STR(fx_id(json_object_get(info, "user")), fx_id(u));
    json_decref(info);
    CHECK_INT(cp_session_info(F.c, t.cookie, t.expires, &info, &F.err), CP_E_NOT_FOUND);
    json_decref(u);
}

static void test_failures_look_alike(void)
{
    json_t *nopw = fx_user(&F, F.state, "s.nopw", "analyst", NULL);
    json_t *off = fx_user(&F, F.state, "s.off", "analyst", PW), *out;
    json_t *in = json_pack("{ss}", "status", "disabled");
    CHECK(cp_user_update(F.c, &F.cli, fx_id(off), in, &out, &F.err) == CP_OK);
    json_decref(in);
    json_decref(out);
    json_decref(fx_user(&F, F.state, "s.good", "analyst", PW));
    attempt wrong = login("s.good", "not the password at all");
    attempt unknown = login("s.nobody", PW);
    attempt nopass = login("s.nopw", PW);
    attempt disabled = login("s.off", PW);
    attempt empty = login("", "");
    attempt *all[] = {&wrong, &unknown, &nopass, &disabled, &empty};
    for (int i = 0; i < 5; i++) {
        CHECK_INT(all[i]->st, CP_E_UNAUTHENTICATED);
        CHECK_INT(strlen(all[i]->cookie), 0);
    }
    CHECK_INT(login("s.good", PW).st, CP_OK);
    /* same words for each: run again to read each message */
    cp_err e1, e2;
    char c[CP_SESSION_TOKEN_LEN + 1], x[CP_SESSION_TOKEN_LEN + 1];
    int64_t exp;
    json_t *u;
    cp_session_login(F.c, "s.good", "wrong wrong wrong", 60, c, x, &exp, &u, &e1);
    cp_session_login(F.c, "s.nobody", PW, 60, c, x, &exp, &u, &e2);
    CHECK_STR(e1.msg, "invalid user name or password");
    CHECK_STR(e2.msg, e1.msg);
    /* each failure ran one Argon2id check: an unknown user is not answered at once */
    CHECK(unknown.us * 4 > wrong.us);
    CHECK(nopass.us * 4 > wrong.us);
    json_decref(nopw);
    json_decref(off);
}

static void test_logout(void)
{
    json_decref(fx_user(&F, F.state, "s.out", "analyst", PW));
    attempt t = login("s.out", PW), other = login("s.out", PW);
    CHECK(cp_session_logout(F.c, t.cookie, &F.err) == CP_OK);
    cp_actor a;
    CHECK_INT(cp_auth_session(F.c, t.cookie, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    CHECK_INT(cp_session_logout(F.c, t.cookie, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_session_logout(F.c, "not-a-session", &F.err), CP_E_NOT_FOUND);
    CHECK(cp_auth_session(F.c, other.cookie, cp_now_ms(), &a, &F.err) == CP_OK); /* the other one lives on */
    CHECK(!fx_audit_mentions(&F, t.cookie));
}

static void test_password_change_ends_other_sessions(void)
{
    json_t *u = fx_user(&F, F.state, "s.change", "analyst", PW), *out;
    attempt mine = login("s.change", PW), elsewhere = login("s.change", PW);
    cp_actor me;
    CHECK(cp_auth_session(F.c, mine.cookie, cp_now_ms(), &me, &F.err) == CP_OK);
    json_t *in = json_pack("{ss ss}", "password", "the next long password", "current_password", PW);
    CHECK(cp_user_set_password(F.c, &me, fx_id(u), in, &out, &F.err) == CP_OK);
    json_decref(in);
    json_decref(out);
    cp_actor a;
    CHECK(cp_auth_session(F.c, mine.cookie, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_INT(cp_auth_session(F.c, elsewhere.cookie, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    CHECK_INT(login("s.change", PW).st, CP_E_UNAUTHENTICATED);
    CHECK_INT(login("s.change", "the next long password").st, CP_OK);
    /* an administrator's reset ends them all */
    in = json_pack("{ss}", "password", "set by the secretariat");
    CHECK(cp_user_set_password(F.c, &F.cli, fx_id(u), in, &out, &F.err) == CP_OK);
    json_decref(in);
    json_decref(out);
    CHECK_INT(cp_auth_session(F.c, mine.cookie, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    json_decref(u);
}

int main(void)
{
    fx_open(&F);
    RUN(test_login_stores_hash);
    RUN(test_failures_look_alike);
    RUN(test_logout);
    RUN(test_password_change_ends_other_sessions);
    fx_close(&F);
    return harness_done();
}
