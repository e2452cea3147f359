/*
 * test_authz.c — http/authz.h, the policy, table-driven: every action × every
 * kind of actor, against the rules of docs/decisions.md ("Who may do what",
 * "Suspended and withdrawn members") and authz.h:
 *
 *   - nobody logged in: 401 for everything, /me included;
 *   - a member that is not active: only me.read, everything else 403;
 *   - the membership directory (member list/read) is every member's;
 *   - constituencies: read by the member's own users, the secretariat and
 *     auditors; written by the secretariat only;
 *   - a member's analysts update their own CSIRT contact; the rest of a
 *     member is the secretariat's;
 *   - users and keys of another member: 404 for anyone but the secretariat
 *     and auditors; a same-member user gets 403 where it may know the
 *     resource but not act on it;
 *   - auditors read what the secretariat reads (audit log included) and
 *     change nothing.
 *
 * Resources are "another user of member FR" (and that user's keys), and the
 * actor's own user and member. A second table composes the calls the way the
 * handlers in members/users_http.c do (user.read or key.read first, then the
 * action) and checks the endpoint-level answers of docs/api.md.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "http/authz.h"

#define OK CP_OK
#define E401 CP_E_UNAUTHENTICATED
#define E403 CP_E_FORBIDDEN
#define E404 CP_E_NOT_FOUND

#define M_ALLIANCE "00000000-0000-4000-8000-00000000a111"
#define M_FR "00000000-0000-4000-8000-0000000000f1"
#define M_DE "00000000-0000-4000-8000-0000000000d1"
#define M_IT "00000000-0000-4000-8000-0000000000e1"
#define U_TARGET "11111111-0000-4000-8000-000000000001" /* another user of FR */

enum { SEC, AUD, DEL, ANA, ANA_OTHER, SUSP, ANON, N_ACTORS };
static const char *const ACTOR_NAMES[] = {"secretariat", "auditor", "delegate(FR)", "analyst(FR)",
                                          "analyst(DE)", "suspended(IT)", "anonymous"};
static cp_actor actors[N_ACTORS];

static void make(cp_actor *a, cp_actor_kind kind, unsigned roles, const char *member, const char *user, bool active,
                 bool alliance)
{
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->roles = roles;
    a->user_roles = roles; /* sessions and unrestricted keys carry all the user's roles */
    snprintf(a->member_id, sizeof a->member_id, "%s", member);
    snprintf(a->user_id, sizeof a->user_id, "%s", user);
    a->member_active = active;
    a->member_is_alliance = alliance;
    snprintf(a->label, sizeof a->label, "user:%s", user);
}

static void setup(void)
{
    make(&actors[SEC], CP_ACTOR_SESSION, CP_ROLE_SECRETARIAT, M_ALLIANCE, "22222222-0000-4000-8000-000000000001", true, true);
    make(&actors[AUD], CP_ACTOR_KEY, CP_ROLE_AUDITOR, M_ALLIANCE, "22222222-0000-4000-8000-000000000002", true, true);
    make(&actors[DEL], CP_ACTOR_SESSION, CP_ROLE_DELEGATE, M_FR, "22222222-0000-4000-8000-000000000003", true, false);
    make(&actors[ANA], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_FR, "22222222-0000-4000-8000-000000000004", true, false);
    make(&actors[ANA_OTHER], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_DE, "22222222-0000-4000-8000-000000000005", true, false);
    make(&actors[SUSP], CP_ACTOR_SESSION, CP_ROLE_DELEGATE | CP_ROLE_ANALYST, M_IT,
         "22222222-0000-4000-8000-000000000006", false, false);
    memset(&actors[ANON], 0, sizeof actors[ANON]);
    actors[ANON].kind = CP_ACTOR_NONE;
}

typedef struct {
    cp_action act;
    cp_status want[N_ACTORS]; /* SEC AUD DEL ANA ANA_OTHER SUSP ANON */
} row;

/* The resource belongs to member FR and to U_TARGET, a user of FR who is
 * none of the actors. */
static const row OTHERS[] = {
    {CP_ACT_ME,                    {OK,   OK,   OK,   OK,   OK,   OK,   E401}},
    {CP_ACT_MEMBER_LIST,           {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_MEMBER_READ,           {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_MEMBER_CREATE,         {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_MEMBER_UPDATE,         {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_MEMBER_CONTACT_UPDATE, {OK,   E403, E403, OK,   E403, E403, E401}},
    {CP_ACT_MEMBER_STATUS,         {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_CONSTITUENCY_READ,     {OK,   OK,   OK,   OK,   E403, E403, E401}},
    {CP_ACT_CONSTITUENCY_WRITE,    {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_USER_LIST,             {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_USER_READ,             {OK,   OK,   OK,   OK,   E404, E403, E401}},
    {CP_ACT_USER_CREATE,           {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_USER_UPDATE,           {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_USER_PASSWORD,         {OK,   E403, E403, E403, E404, E403, E401}},
    {CP_ACT_KEY_LIST,              {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_KEY_READ,              {OK,   OK,   E404, E404, E404, E403, E401}},
    {CP_ACT_KEY_CREATE,            {OK,   E403, E403, E403, E404, E403, E401}},
    {CP_ACT_KEY_REVOKE,            {OK,   E403, E404, E404, E404, E403, E401}},
    {CP_ACT_AUDIT_READ,            {OK,   OK,   E403, E403, E403, E403, E401}},
    /* collections owned by FR (metadata; lists are narrowed to what the actor may know) */
    {CP_ACT_COLLECTION_LIST,       {OK,   OK,   E403, OK,   OK,   E403, E401}},
    {CP_ACT_COLLECTION_READ,       {OK,   OK,   E403, OK,   OK,   E403, E401}},
    {CP_ACT_COLLECTION_CREATE,     {OK,   E403, E403, OK,   E403, E403, E401}},
    {CP_ACT_COLLECTION_UPDATE,     {OK,   E403, E403, OK,   E403, E403, E401}},
    {CP_ACT_COLLECTION_MEMBERS,    {OK,   E403, E403, OK,   E403, E403, E401}},
    {CP_ACT_INTEL_SEARCH,          {OK,   E403, E403, OK,   OK,   E403, E401}},
    /* finance: FR's statement and standing; the ledger and reports; writes */
    {CP_ACT_FIN_WRITE,             {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_FIN_READ,              {OK,   OK,   E403, E403, E403, E403, E401}},
    {CP_ACT_FIN_MEMBER_READ,       {OK,   OK,   OK,   OK,   E403, E403, E401}},
    {CP_ACT_FIN_SCALE_READ,        {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_RECORD_READ,           {OK,   OK,   OK,   OK,   OK,   E403, E401}}, /* the governance record: any role */
    /* governance: FR's vote, proxy, eligibility; U_TARGET's signing key */
    {CP_ACT_GOV_READ,              {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_GOV_ADMIN,             {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_GOV_VOTE,              {E403, E403, OK,   E403, E403, E403, E401}}, /* never the secretariat */
    {CP_ACT_GOV_PROXY,             {E403, E403, OK,   E403, E403, E403, E401}},
    {CP_ACT_GOV_COMMENT,           {OK,   E403, OK,   OK,   OK,   E403, E401}},
    {CP_ACT_GOV_KEY,               {OK,   E403, E403, E403, E403, E403, E401}}, /* the secretariat may revoke */
    {CP_ACT_GOV_ELIGIBILITY_READ,  {OK,   OK,   OK,   E403, E403, E403, E401}},
    /* early warning: FR's alerts and webhook; events are about anyone */
    {CP_ACT_EVENT_SUBMIT,          {OK,   E403, E403, OK,   OK,   E403, E401}},
    {CP_ACT_ALERT_LIST,            {OK,   OK,   E403, OK,   OK,   E403, E401}}, /* narrowed to the own member */
    {CP_ACT_ALERT_READ,            {OK,   OK,   E403, OK,   E404, E403, E401}},
    {CP_ACT_ALERT_UPDATE,          {E403, E403, E403, OK,   E404, E403, E401}},
    {CP_ACT_WEBHOOK_READ,          {OK,   OK,   OK,   OK,   E403, E403, E401}},
    {CP_ACT_WEBHOOK_WRITE,         {OK,   E403, OK,   OK,   E403, E403, E401}},
};

/* The resource is the actor's own: its member and its user. */
static const row OWN[] = {
    {CP_ACT_MEMBER_CONTACT_UPDATE, {OK,   E403, E403, OK,   OK,   E403, E401}},
    {CP_ACT_CONSTITUENCY_READ,     {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_CONSTITUENCY_WRITE,    {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_MEMBER_UPDATE,         {OK,   E403, E403, E403, E403, E403, E401}},
    {CP_ACT_USER_READ,             {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_USER_UPDATE,           {OK,   E403, E403, E403, E403, E403, E401}}, /* nobody grants themselves roles */
    {CP_ACT_USER_PASSWORD,         {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_KEY_READ,              {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_KEY_CREATE,            {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_KEY_REVOKE,            {OK,   OK,   OK,   OK,   OK,   E403, E401}},
    {CP_ACT_COLLECTION_CREATE,     {OK,   E403, E403, OK,   OK,   E403, E401}},
    {CP_ACT_COLLECTION_UPDATE,     {OK,   E403, E403, OK,   OK,   E403, E401}},
};


static const char *sname(cp_status s)
{
    switch (s) {
    case CP_OK: return "OK";
    case CP_E_UNAUTHENTICATED: return "401";
    case CP_E_FORBIDDEN: return "403";
    case CP_E_NOT_FOUND: return "404";
    default: return "other";
    }
}

static int check_one(const cp_actor *a, const char *who, cp_action act, const cp_resource *res, cp_status want,
                     const char *what)
{
    cp_err err = {{0}};
    cp_status got = cp_authz(a, act, res, &err);
    harness_checks++;
    if (got != want) {
        harness_failures++;
        fprintf(stderr, "  %s: %s on %s: got %s, expected %s (%s)\n", who, cp_action_name(act), what, sname(got),
                sname(want), err.msg);
        return 1;
    }
    /* a refusal always says why */
    if (got != CP_OK) CHECK(err.msg[0] != 0);
    return 0;
}

static void test_others_resources(void)
{
    CHECK_INT(sizeof OTHERS / sizeof OTHERS[0], CP_ACT_COUNT_); /* every action has a row */
    cp_resource res = {.member_id = M_FR, .user_id = U_TARGET};
    for (size_t i = 0; i < sizeof OTHERS / sizeof OTHERS[0]; i++) {
        CHECK_INT(OTHERS[i].act, (cp_action)i);
        for (int a = 0; a < N_ACTORS; a++)
            check_one(&actors[a], ACTOR_NAMES[a], OTHERS[i].act, &res, OTHERS[i].want[a], "another FR user's");
    }
}

static void test_own_resources(void)
{
    for (size_t i = 0; i < sizeof OWN / sizeof OWN[0]; i++) {
        for (int a = 0; a < N_ACTORS; a++) {
            cp_resource res = {.member_id = actors[a].member_id, .user_id = actors[a].user_id};
            check_one(&actors[a], ACTOR_NAMES[a], OWN[i].act, &res, OWN[i].want[a], "its own");
        }
    }
}

/* A resource the actor may not know exists (a group collection it is not in):
 * 404 before anything else is said, even to a suspended member; 401 first. */
static void test_hidden_resource(void)
{
    cp_resource hidden = {.member_id = M_FR, .hidden = true};
    static const cp_action ACTS[] = {CP_ACT_COLLECTION_READ, CP_ACT_COLLECTION_UPDATE, CP_ACT_COLLECTION_MEMBERS};
    for (size_t i = 0; i < sizeof ACTS / sizeof ACTS[0]; i++)
        for (int a = 0; a < N_ACTORS; a++)
            check_one(&actors[a], ACTOR_NAMES[a], ACTS[i], &hidden, a == ANON ? E401 : E404, "a hidden collection");
    cp_err err = {{0}};
    CHECK_INT(cp_authz(&actors[SUSP], CP_ACT_COLLECTION_READ, &hidden, &err), E404);
    CHECK_STR(err.msg, "no such collection");
}

/* Messages of the three refusals people will read most. */
static void test_messages(void)
{
    cp_err err = {{0}};
    cp_resource res = {.member_id = M_FR, .user_id = U_TARGET};
    CHECK_INT(cp_authz(&actors[ANON], CP_ACT_ME, NULL, &err), E401);
    CHECK(strstr(err.msg, "credentials are required") != NULL);
    CHECK_INT(cp_authz(&actors[SUSP], CP_ACT_MEMBER_LIST, NULL, &err), E403);
    CHECK(strstr(err.msg, "not active") != NULL);
    CHECK(strstr(err.msg, "/api/v1/me") != NULL);
    CHECK_INT(cp_authz(&actors[DEL], CP_ACT_AUDIT_READ, NULL, &err), E403);
    CHECK(strstr(err.msg, "audit.read") != NULL);
    /* a 404 reads like a missing resource: nothing about permissions */
    CHECK_INT(cp_authz(&actors[ANA_OTHER], CP_ACT_USER_READ, &res, &err), E404);
    CHECK_STR(err.msg, "no such user");
    CHECK_INT(cp_authz(&actors[ANA_OTHER], CP_ACT_KEY_READ, &res, &err), E404);
    CHECK_STR(err.msg, "no such key");
}

static void test_special_actors(void)
{
    cp_resource res = {.member_id = M_FR, .user_id = U_TARGET};
    /* the CLI administrator may do everything */
    cp_actor cli;
    cp_actor_cli(&cli);
    for (int act = 0; act < CP_ACT_COUNT_; act++) check_one(&cli, "cli", (cp_action)act, &res, OK, "any");

    /* a credential without roles: only /me */
    cp_actor none;
    make(&none, CP_ACTOR_KEY, 0, M_FR, "33333333-0000-4000-8000-000000000001", true, false);
    for (int act = 0; act < CP_ACT_COUNT_; act++) {
        cp_resource own = {.member_id = M_FR, .user_id = none.user_id};
        check_one(&none, "no roles", (cp_action)act, &own, act == CP_ACT_ME ? OK : E403, "its own");
    }

    /* a suspended secretariat-role holder is still refused (status first) */
    cp_actor s = actors[SEC];
    s.member_active = false;
    for (int act = 0; act < CP_ACT_COUNT_; act++)
        check_one(&s, "inactive secretariat", (cp_action)act, &res, act == CP_ACT_ME ? OK : E403, "any");

    /* anonymous, whatever else the struct says */
    cp_actor anon = actors[SEC];
    anon.kind = CP_ACTOR_NONE;
    for (int act = 0; act < CP_ACT_COUNT_; act++) check_one(&anon, "anonymous", (cp_action)act, &res, E401, "any");

    /* delegate + analyst of FR: the analyst role carries the contact update */
    cp_actor both = actors[DEL];
    both.roles = CP_ROLE_DELEGATE | CP_ROLE_ANALYST;
    check_one(&both, "delegate+analyst", CP_ACT_MEMBER_CONTACT_UPDATE, &res, OK, "FR's");

    /* missing resource fields never match */
    cp_resource empty = {.member_id = NULL, .user_id = NULL};
    check_one(&actors[ANA], "analyst(FR)", CP_ACT_CONSTITUENCY_READ, &empty, E403, "unknown");
    check_one(&actors[ANA], "analyst(FR)", CP_ACT_USER_READ, &empty, E404, "unknown");
    check_one(&actors[ANA], "analyst(FR)", CP_ACT_KEY_READ, NULL, E404, "NULL");
    check_one(&actors[AUD], "auditor", CP_ACT_KEY_READ, NULL, OK, "NULL");
    check_one(&actors[ANA], "analyst(FR)", CP_ACT_MEMBER_CONTACT_UPDATE, NULL, E403, "NULL");

    /* an action outside the table is refused */
    check_one(&actors[SEC], "secretariat", CP_ACT_COUNT_, &res, E403, "no action");
    CHECK_STR(cp_action_name(CP_ACT_COUNT_), "?");
}

/* A key restricted to fewer roles than its user (docs/decisions.md,
 * "Passwords"). */
static void test_restricted_key(void)
{
    cp_actor k;
    make(&k, CP_ACTOR_KEY, CP_ROLE_ANALYST, M_FR, "44444444-0000-4000-8000-000000000001", true, false);
    k.user_roles = CP_ROLE_DELEGATE | CP_ROLE_ANALYST;
    cp_resource own = {.member_id = M_FR, .user_id = k.user_id};
    cp_err err = {{0}};
    CHECK_INT(cp_authz(&k, CP_ACT_USER_PASSWORD, &own, &err), E403);
    CHECK(strstr(err.msg, "fewer roles") != NULL);
    check_one(&k, "restricted key", CP_ACT_USER_READ, &own, OK, "its own");
    check_one(&k, "restricted key", CP_ACT_KEY_READ, &own, OK, "its own");
    check_one(&k, "restricted key", CP_ACT_KEY_REVOKE, &own, OK, "its own");
    check_one(&k, "restricted key", CP_ACT_MEMBER_CONTACT_UPDATE, &own, OK, "its member's");
    /* the same user's unrestricted session may */
    cp_actor sess = k;
    sess.kind = CP_ACTOR_SESSION;
    sess.roles = sess.user_roles;
    check_one(&sess, "full session", CP_ACT_USER_PASSWORD, &own, OK, "its own");
    /* a restricted secretariat key still administers passwords */
    cp_actor sk;
    make(&sk, CP_ACTOR_KEY, CP_ROLE_SECRETARIAT, M_ALLIANCE, "44444444-0000-4000-8000-000000000002", true, true);
    sk.user_roles = CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR;
    cp_resource sown = {.member_id = M_ALLIANCE, .user_id = sk.user_id};
    check_one(&sk, "restricted secretariat key", CP_ACT_USER_PASSWORD, &sown, OK, "its own");
    /* an auditor key restricted away from a secretariat user keeps no write power */
    cp_actor ak = sk;
    ak.roles = CP_ROLE_AUDITOR;
    check_one(&ak, "auditor-only key", CP_ACT_USER_PASSWORD, &sown, E403, "its own");
    check_one(&ak, "auditor-only key", CP_ACT_MEMBER_CREATE, NULL, E403, "none");
}

/* ---- endpoint level, as the handlers compose the calls ----------------- */

typedef enum { EP_USER_GET, EP_USER_PATCH, EP_USER_PASSWORD, EP_KEY_CREATE, EP_KEY_GET, EP_KEY_REVOKE } endpoint;
static const char *const EP_NAMES[] = {"GET user", "PATCH user", "PUT password", "POST key", "GET key", "DELETE key"};

/* users_http.c: user_authz() asks user.read then the action with member and
 * user; create_key() asks key.create with both; key_authz() asks key.read
 * then the action with the key's user only. */
static cp_status endpoint_authz(const cp_actor *a, endpoint ep, const char *member, const char *user)
{
    cp_err err = {{0}};
    cp_resource mu = {.member_id = member, .user_id = user}, u = {.user_id = user};
    cp_status st;
    switch (ep) {
    case EP_USER_GET: return cp_authz(a, CP_ACT_USER_READ, &mu, &err);
    case EP_USER_PATCH:
    case EP_USER_PASSWORD:
        st = cp_authz(a, CP_ACT_USER_READ, &mu, &err);
        return st ? st : cp_authz(a, ep == EP_USER_PATCH ? CP_ACT_USER_UPDATE : CP_ACT_USER_PASSWORD, &mu, &err);
    case EP_KEY_CREATE: return cp_authz(a, CP_ACT_KEY_CREATE, &mu, &err);
    case EP_KEY_GET: return cp_authz(a, CP_ACT_KEY_READ, &u, &err);
    case EP_KEY_REVOKE:
        st = cp_authz(a, CP_ACT_KEY_READ, &u, &err);
        return st ? st : cp_authz(a, CP_ACT_KEY_REVOKE, &u, &err);
    }
    return CP_E_INTERNAL;
}

typedef struct {
    endpoint ep;
    cp_status others[5]; /* SEC AUD DEL ANA ANA_OTHER, on another FR user / that user's key */
    cp_status own[5];    /* on the actor's own user / key */
} ep_row;

/* docs/api.md, "Who may do what": "other member" is 404 for every user and
 * key endpoint; auditors 403 where they may know but not act. */
static const ep_row ENDPOINTS[] = {
    {EP_USER_GET,      {OK, OK,   OK,   OK,   E404}, {OK, OK,   OK,   OK,   OK}},
    {EP_USER_PATCH,    {OK, E403, E403, E403, E404}, {OK, E403, E403, E403, E403}},
    {EP_USER_PASSWORD, {OK, E403, E403, E403, E404}, {OK, OK,   OK,   OK,   OK}},
    {EP_KEY_CREATE,    {OK, E403, E403, E403, E404}, {OK, OK,   OK,   OK,   OK}},
    {EP_KEY_GET,       {OK, OK,   E404, E404, E404}, {OK, OK,   OK,   OK,   OK}},
    {EP_KEY_REVOKE,    {OK, E403, E404, E404, E404}, {OK, OK,   OK,   OK,   OK}},
};

static void test_endpoints(void)
{
    for (size_t i = 0; i < sizeof ENDPOINTS / sizeof ENDPOINTS[0]; i++) {
        for (int a = SEC; a <= ANA_OTHER; a++) {
            cp_status got = endpoint_authz(&actors[a], ENDPOINTS[i].ep, M_FR, U_TARGET);
            if (got != ENDPOINTS[i].others[a])
                fprintf(stderr, "  %s: %s on another FR user: got %s, expected %s\n", ACTOR_NAMES[a],
                        EP_NAMES[ENDPOINTS[i].ep], sname(got), sname(ENDPOINTS[i].others[a]));
            CHECK_INT(got, ENDPOINTS[i].others[a]);
            got = endpoint_authz(&actors[a], ENDPOINTS[i].ep, actors[a].member_id, actors[a].user_id);
            if (got != ENDPOINTS[i].own[a])
                fprintf(stderr, "  %s: %s on its own: got %s, expected %s\n", ACTOR_NAMES[a], EP_NAMES[ENDPOINTS[i].ep],
                        sname(got), sname(ENDPOINTS[i].own[a]));
            CHECK_INT(got, ENDPOINTS[i].own[a]);
        }
        /* suspended and anonymous, whatever the endpoint */
        CHECK_INT(endpoint_authz(&actors[SUSP], ENDPOINTS[i].ep, M_FR, U_TARGET), E403);
        CHECK_INT(endpoint_authz(&actors[ANON], ENDPOINTS[i].ep, M_FR, U_TARGET), E401);
    }
    /* key.create for a user that does not exist: create_key() passes a NULL
     * member; 404 for those who may not know, 403 for the auditor, the
     * domain's 422 for the secretariat (so authz allows it) */
    CHECK_INT(endpoint_authz(&actors[SEC], EP_KEY_CREATE, NULL, U_TARGET), OK);
    CHECK_INT(endpoint_authz(&actors[AUD], EP_KEY_CREATE, NULL, U_TARGET), E403);
    CHECK_INT(endpoint_authz(&actors[DEL], EP_KEY_CREATE, NULL, U_TARGET), E404);
    CHECK_INT(endpoint_authz(&actors[ANA_OTHER], EP_KEY_CREATE, NULL, U_TARGET), E404);
}

static void test_action_names(void)
{
    CHECK_STR(cp_action_name(CP_ACT_ME), "me.read");
    CHECK_STR(cp_action_name(CP_ACT_MEMBER_CONTACT_UPDATE), "member.contact.update");
    CHECK_STR(cp_action_name(CP_ACT_AUDIT_READ), "audit.read");
    for (int i = 0; i < CP_ACT_COUNT_; i++) {
        const char *n = cp_action_name((cp_action)i);
        CHECK(strchr(n, '.') != NULL);
        for (int j = 0; j < i; j++) CHECK(strcmp(n, cp_action_name((cp_action)j)) != 0);
    }
}

static void test_scope(void)
{
    const char *m = "x", *u = "x";
    for (int a = SEC; a <= AUD; a++) {
        cp_authz_scope(&actors[a], CP_ACT_USER_LIST, &m, &u);
        CHECK(m == NULL && u == NULL);
        cp_authz_scope(&actors[a], CP_ACT_KEY_LIST, &m, &u);
        CHECK(m == NULL && u == NULL);
    }
    for (int a = DEL; a <= ANA_OTHER; a++) {
        cp_authz_scope(&actors[a], CP_ACT_USER_LIST, &m, &u);
        CHECK(m != NULL && u == NULL);
        if (m) CHECK_STR(m, actors[a].member_id); /* users of the actor's member */
        cp_authz_scope(&actors[a], CP_ACT_KEY_LIST, &m, &u);
        CHECK(m == NULL && u != NULL);
        if (u) CHECK_STR(u, actors[a].user_id); /* the actor's own keys */
        cp_authz_scope(&actors[a], CP_ACT_MEMBER_LIST, &m, &u);
        CHECK(m == NULL && u == NULL);
    }
}

int main(void)
{
    setup();
    RUN(test_others_resources);
    RUN(test_own_resources);
    RUN(test_hidden_resource);
    RUN(test_messages);
    RUN(test_special_actors);
    RUN(test_restricted_key);
    RUN(test_endpoints);
    RUN(test_action_names);
    RUN(test_scope);
    return harness_done();
}
