/* test_keys.c — API keys: roles, the secret shown once, revocation, expiry. */
#include "harness.h"
#include "users_fixture.h"

#include "http/authz.h"

static fixture F;

/* An actor authenticated by a new key of user (roles "a,b" or NULL). */
static cp_actor key_actor(const json_t *user, const char *roles)
{
    char secret[CP_KEY_SECRET_LEN + 1];
    cp_actor a;
    memset(&a, 0, sizeof a);
    CHECK(fx_key(&F, &F.cli, fx_id(user), roles, secret, NULL) == CP_OK);
    CHECK(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    return a;
}

static void test_secret_once_hash_stored(void)
{
    json_t *u = fx_user(&F, F.state, "k.owner", "analyst,delegate", NULL), *k;
    char secret[CP_KEY_SECRET_LEN + 1];
    CHECK(fx_key(&F, &F.cli, fx_id(u), NULL, secret, &k) == CP_OK);
    CHECK_INT(strlen(secret), CP_KEY_SECRET_LEN);
    CHECK(strncmp(secret, "cpk_", 4) == 0);
    CHECK_INT(fx_roles(k), CP_ROLE_ANALYST | CP_ROLE_DELEGATE); /* default: the user's roles */
    CHECK_STR(json_string_value(json_object_get(k, "user_id")), fx_id(u));
    CHECK(json_is_null(json_object_get(k, "expires_at")));
    CHECK(json_is_null(json_object_get(k, "revoked_at")));
    const char *id = fx_id(k);
    /* the store has the hash, not the secret */
    char hash[CP_SHA256_HEX_LEN + 1];
    cp_sha256_hex(secret, strlen(secret), hash);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM api_keys WHERE secret_hash = ?", hash), 1);
    CHECK_INT(fx_count(&F, "SELECT COUNT(*) FROM api_keys WHERE secret_hash = ?", secret), 0);
    /* the audit log has the key, never the secret or its random part */
    CHECK(fx_audit_mentions(&F, id));
    CHECK(!fx_audit_mentions(&F, secret + 37));
    CHECK(!fx_audit_mentions(&F, hash));
    /* get and list never show it */
    json_t *g, *items;
    char *next;
    CHECK(cp_key_get(F.c, id, &g, &F.err) == CP_OK);
    CHECK(json_object_get(g, "secret") == NULL);
    json_object_del(k, "secret");
    CHECK(json_equal(g, k));
    json_decref(g);
    cp_key_filter f = {.user_id = fx_id(u), .limit = 10};
    CHECK(cp_key_list(F.c, &f, &items, &next, &F.err) == CP_OK);
    CHECK_INT(json_array_size(items), 1);
    CHECK(json_object_get(json_array_get(items, 0), "secret") == NULL);
    json_decref(items);
    /* and it authenticates, as that key */
    cp_actor a;
    CHECK(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_STR(a.key_id, id);
    CHECK_STR(a.user_id, fx_id(u));
    json_decref(k);
    json_decref(u);
}

static void test_role_subsets(void)
{
    json_t *u = fx_user(&F, F.state, "k.roles", "analyst,delegate", NULL), *k;
    CHECK_INT(fx_key(&F, &F.cli, fx_id(u), "secretariat", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(fx_key(&F, &F.cli, fx_id(u), "analyst,auditor", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(fx_key(&F, &F.cli, fx_id(u), "", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(fx_key(&F, &F.cli, fx_id(u), "wizard", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK(fx_key(&F, &F.cli, fx_id(u), "analyst", NULL, &k) == CP_OK);
    CHECK_INT(fx_roles(k), CP_ROLE_ANALYST);
    json_decref(k);
    /* a non-secretariat maker hands out only roles it holds itself */
    cp_actor analyst_only = key_actor(u, "analyst");
    CHECK_INT(analyst_only.roles, CP_ROLE_ANALYST);
    CHECK_INT(fx_key(&F, &analyst_only, fx_id(u), "delegate", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK_INT(fx_key(&F, &analyst_only, fx_id(u), "analyst,delegate", NULL, NULL), CP_E_UNPROCESSABLE);
    CHECK(fx_key(&F, &analyst_only, fx_id(u), NULL, NULL, &k) == CP_OK); /* default: what the maker may give */
    CHECK_INT(fx_roles(k), CP_ROLE_ANALYST);
    json_decref(k);
    /* effective roles = key roles AND the user's current roles */
    char both[CP_KEY_SECRET_LEN + 1], analyst[CP_KEY_SECRET_LEN + 1];
    CHECK(fx_key(&F, &F.cli, fx_id(u), "analyst,delegate", both, NULL) == CP_OK);
    CHECK(fx_key(&F, &F.cli, fx_id(u), "analyst", analyst, NULL) == CP_OK);
    json_t *in = json_pack("{s[s]}", "roles", "delegate"), *out;
    CHECK(cp_user_update(F.c, &F.cli, fx_id(u), in, &out, &F.err) == CP_OK);
    json_decref(in);
    json_decref(out);
    cp_actor a;
    CHECK(cp_auth_key(F.c, both, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_INT(a.roles, CP_ROLE_DELEGATE);
    /* the analyst key lost its one role with the user's: it may do nothing */
    CHECK(cp_auth_key(F.c, analyst, NULL, cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK_INT(a.roles, 0);
    CHECK_INT(cp_authz(&a, CP_ACT_USER_LIST, NULL, &F.err), CP_E_FORBIDDEN);
    json_decref(u);
}

static void test_shape_and_user_rules(void)
{
    json_t *u = fx_user(&F, F.state, "k.shape", "analyst", NULL), *out;
    json_t *in = json_pack("{ss ss}", "user_id", fx_id(u), "colour", "blue");
    CHECK_INT(cp_key_create(F.c, &F.cli, in, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(in);
    in = json_pack("{ss ss}", "user_id", fx_id(u), "expires_at", "tomorrow");
    CHECK_INT(cp_key_create(F.c, &F.cli, in, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(in);
    in = json_pack("{ss ss}", "user_id", fx_id(u), "expires_at", "2001-01-01T00:00:00Z");
    CHECK_INT(cp_key_create(F.c, &F.cli, in, &out, &F.err), CP_E_UNPROCESSABLE);
    json_decref(in);
    in = json_pack("{ss ss ss}", "user_id", fx_id(u), "expires_at", "2999-01-01T00:00:00Z", "label", "ci");
    CHECK(cp_key_create(F.c, &F.cli, in, &out, &F.err) == CP_OK);
    CHECK_STR(json_string_value(json_object_get(out, "expires_at")), "2999-01-01T00:00:00.000Z");
    CHECK_STR(json_string_value(json_object_get(out, "label")), "ci");
    json_decref(out);
    json_decref(in);
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    CHECK_INT(fx_key(&F, &F.cli, ghost, NULL, NULL, NULL), CP_E_UNPROCESSABLE);
    in = json_pack("{ss}", "status", "disabled");
    CHECK(cp_user_update(F.c, &F.cli, fx_id(u), in, &out, &F.err) == CP_OK);
    json_decref(out);
    json_decref(in);
    CHECK_INT(fx_key(&F, &F.cli, fx_id(u), NULL, NULL, NULL), CP_E_UNPROCESSABLE);
    json_decref(u);
}

static void test_revoked_expired_rejected(void)
{
    json_t *u = fx_user(&F, F.state, "k.revoke", "analyst", NULL), *k, *out;
    char secret[CP_KEY_SECRET_LEN + 1], other[CP_KEY_SECRET_LEN + 1];
    CHECK(fx_key(&F, &F.cli, fx_id(u), NULL, secret, &k) == CP_OK);
    cp_actor a;
    CHECK(cp_auth_key(F.c, secret, fx_id(k), cp_now_ms(), &a, &F.err) == CP_OK);
    CHECK(cp_key_revoke(F.c, &F.cli, fx_id(k), &out, &F.err) == CP_OK);
    CHECK(json_is_string(json_object_get(out, "revoked_at")));
    json_decref(out);
    CHECK_INT(cp_auth_key(F.c, secret, NULL, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    CHECK_INT(cp_key_revoke(F.c, &F.cli, fx_id(k), &out, &F.err), CP_E_CONFLICT);
    char ghost[CP_UUID_LEN + 1];
    cp_uuid4(ghost);
    CHECK_INT(cp_key_revoke(F.c, &F.cli, ghost, &out, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_key_get(F.c, "nope", &out, &F.err), CP_E_NOT_FOUND);
    json_decref(k);
    /* expiry: the clock passes expires_at */
    json_t *in = json_pack("{ss ss}", "user_id", fx_id(u), "expires_at", "2999-01-01T00:00:00Z");
    CHECK(cp_key_create(F.c, &F.cli, in, &k, &F.err) == CP_OK);
    snprintf(other, sizeof other, "%s", json_string_value(json_object_get(k, "secret")));
    json_decref(in);
    int64_t exp;
    CHECK(cp_rfc3339_parse("2999-01-01T00:00:00Z", &exp, &F.err) == CP_OK);
    CHECK(cp_auth_key(F.c, other, NULL, exp - 1, &a, &F.err) == CP_OK);
    CHECK_INT(cp_auth_key(F.c, other, NULL, exp, &a, &F.err), CP_E_UNAUTHENTICATED);
    /* a forged secret for a real key id */
    other[CP_KEY_SECRET_LEN - 1] = other[CP_KEY_SECRET_LEN - 1] == 'A' ? 'B' : 'A';
    CHECK_INT(cp_auth_key(F.c, other, NULL, cp_now_ms(), &a, &F.err), CP_E_UNAUTHENTICATED);
    json_decref(k);
    json_decref(u);
}

static void test_list_pages(void)
{
    json_t *u = fx_user(&F, F.state, "k.pages", "analyst", NULL);
    for (int i = 0; i < 5; i++)
        CHECK(fx_key(&F, &F.cli, fx_id(u), NULL, NULL, NULL) == CP_OK);
    cp_key_filter f = {.user_id = fx_id(u), .limit = 2};
    int seen = 0, pages = 0;
    json_t *items;
    char *next;
    do {
        CHECK(cp_key_list(F.c, &f, &items, &next, &F.err) == CP_OK);
        seen += (int)json_array_size(items);
        json_decref(items);
        free((void *)f.next);
        f.next = next;
    } while (next && ++pages < 10);
    CHECK_INT(seen, 5);
    f.next = "bm9wZQ";
    CHECK_INT(cp_key_list(F.c, &f, &items, &next, &F.err), CP_E_BAD_REQUEST);
    json_decref(u);
}

/* The authorisation rules the key handlers rely on. */
static void test_authz(void)
{
    json_t *own = fx_user(&F, F.state, "kz.own", "analyst", NULL);
    json_t *peer = fx_user(&F, F.state, "kz.peer", "analyst", NULL);
    json_t *aud = fx_user(&F, F.alliance, "kz.aud", "auditor", NULL);
    cp_actor o = key_actor(own, NULL), au = key_actor(aud, NULL);
    cp_resource mine = {.member_id = F.state, .user_id = fx_id(own)}, theirs = {.member_id = F.state, .user_id = fx_id(peer)};
    CHECK_INT(cp_authz(&o, CP_ACT_KEY_READ, &mine, &F.err), CP_OK);
    CHECK_INT(cp_authz(&o, CP_ACT_KEY_READ, &theirs, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_authz(&o, CP_ACT_KEY_REVOKE, &theirs, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_authz(&o, CP_ACT_KEY_CREATE, &mine, &F.err), CP_OK);
    CHECK_INT(cp_authz(&o, CP_ACT_KEY_CREATE, &theirs, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&au, CP_ACT_KEY_READ, &theirs, &F.err), CP_OK);
    CHECK_INT(cp_authz(&au, CP_ACT_KEY_REVOKE, &theirs, &F.err), CP_E_FORBIDDEN);
    CHECK_INT(cp_authz(&au, CP_ACT_KEY_CREATE, &theirs, &F.err), CP_E_FORBIDDEN);
    const char *m, *u;
    cp_authz_scope(&o, CP_ACT_KEY_LIST, &m, &u);
    CHECK_STR(u, fx_id(own));
    json_decref(own);
    json_decref(peer);
    json_decref(aud);
}

int main(void)
{
    fx_open(&F);
    RUN(test_secret_once_hash_stored);
    RUN(test_role_subsets);
    RUN(test_shape_and_user_rules);
    RUN(test_revoked_expired_rejected);
    RUN(test_list_pages);
    RUN(test_authz);
    fx_close(&F);
    return harness_done();
}
