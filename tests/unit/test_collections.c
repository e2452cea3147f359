/* test_collections.c — intel/collections.h over a real SQLite store: the
 * collections every store has (idempotent), resolving by alias and UUID, the
 * policy each reader gets (group rows, defaults, no row), creation rules,
 * changes with the owner rule, and the member-created hook. */
#include "harness.h"
#include "users_fixture.h"

#include <ctype.h>

#include "intel/collections.h"

static fixture F;

static cp_actor reader(const char *member, unsigned roles, cp_actor_kind kind)
{
    cp_actor a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.roles = a.user_roles = roles;
    a.member_active = true;
    if (member) snprintf(a.member_id, sizeof a.member_id, "%s", member);
    snprintf(a.label, sizeof a.label, "test:%s", member ? member : "anon");
    return a;
}

static long long count(const char *sql, const char *param) { return fx_count(&F, sql, param); }

/* cp_collection_create from JSON text; *out released. */
static cp_status create(const cp_actor *a, const char *json)
{
    json_error_t je;
    json_t *in = json_loads(json, 0, &je), *out = NULL;
    if (!in) {
        fprintf(stderr, "bad test JSON: %s\n", je.text);
        return CP_E_INTERNAL;
    }
    cp_status st = cp_collection_create(F.c, a, "shared", in, &out, &F.err);
    CHECK(st ? out == NULL : json_is_object(out));
    json_decref(in);
    json_decref(out);
    return st;
}

static void test_ensure_idempotent(void)
{
    int made = -1;
    CHECK_INT(cp_collections_ensure(F.c, &F.cli, &made, &F.err), CP_OK);
    CHECK_INT(made, 4); /* alliance + alerts of the alliance, the state and the sector member */
    CHECK_INT(cp_collections_ensure(F.c, &F.cli, &made, &F.err), CP_OK);
    CHECK_INT(made, 0);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_collections", NULL), 4);
    CHECK_INT(count("SELECT COUNT(*) FROM audit_log WHERE action = 'collection.create'", NULL), 4);

    cp_collection col;
    CHECK_INT(cp_collection_resolve(F.c, "alliance", &F.cli, &col, &F.err), CP_OK);
    CHECK_STR(col.kind, "shared");
    CHECK_STR(col.owner_member_id, F.alliance);
    CHECK_INT(col.policy.audience, CP_AUD_ALLIANCE);
    CHECK_INT(col.policy.default_tlp, CP_TLP_AMBER);

    char alias[80];
    snprintf(alias, sizeof alias, "alerts-%s", F.state);
    CHECK_INT(cp_collection_resolve(F.c, alias, &F.cli, &col, &F.err), CP_OK);
    CHECK_STR(col.kind, "alerts");
    CHECK_STR(col.owner_member_id, F.alliance);
    CHECK_INT(col.policy.audience, CP_AUD_GROUP);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_collection_members WHERE collection_id = ?", col.id), 1);
    CHECK_INT(count("SELECT can_read * 10 + can_write FROM intel_collection_members WHERE collection_id = ?", col.id), 10);

    /* before init there is nothing to own them: ensure does nothing */
}

static void test_resolve(void)
{
    cp_collection a, b, n;
    CHECK_INT(cp_collection_resolve(F.c, "alliance", NULL, &a, &F.err), CP_OK);
    CHECK_INT(cp_collection_resolve(F.c, a.id, NULL, &b, &F.err), CP_OK);
    CHECK_STR(b.id, a.id);
    CHECK_STR(b.alias, "alliance");
    char upper[CP_UUID_LEN + 1];
    for (int i = 0; i <= CP_UUID_LEN; i++) upper[i] = (char)toupper((unsigned char)a.id[i]);
    CHECK_INT(cp_collection_resolve(F.c, upper, NULL, &b, &F.err), CP_OK);
    CHECK_STR(b.id, a.id);
    CHECK_INT(cp_collection_by_num(F.c, a.num, NULL, &n, &F.err), CP_OK);
    CHECK_STR(n.id, a.id);
    CHECK_INT(cp_collection_resolve(F.c, "no-such-thing", NULL, &b, &F.err), CP_E_NOT_FOUND);
    CHECK(strstr(F.err.msg, "no-such-thing") != NULL);
    CHECK_INT(cp_collection_resolve(F.c, "", NULL, &b, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_collection_resolve(F.c, "x-this-reference-is-far-too-long-to-be-an-alias-of-any-collection-at-all", NULL,
                                    &b, &F.err), CP_E_NOT_FOUND);
    CHECK_INT(cp_collection_by_num(F.c, 999999, NULL, &n, &F.err), CP_E_NOT_FOUND);
    CHECK(strstr(F.err.msg, "999999") != NULL);
}

static void test_policy_per_reader(void)
{
    cp_actor an_state = reader(F.state, CP_ROLE_ANALYST, CP_ACTOR_KEY);
    cp_actor sec = reader(F.alliance, CP_ROLE_SECRETARIAT, CP_ACTOR_SESSION);
    cp_actor aud = reader(F.alliance, CP_ROLE_AUDITOR, CP_ACTOR_KEY);
    cp_actor anon = reader(NULL, 0, CP_ACTOR_NONE);
    cp_collection col;
    char state_alerts[80], sector_alerts[80];
    snprintf(state_alerts, sizeof state_alerts, "alerts-%s", F.state);
    snprintf(sector_alerts, sizeof sector_alerts, "alerts-%s", F.sector);

    /* alliance: no rows, the defaults (read and write) */
    CHECK_INT(cp_collection_resolve(F.c, "alliance", &an_state, &col, &F.err), CP_OK);
    CHECK(col.policy.reader_can_read && col.policy.reader_can_write);
    CHECK(cp_collection_visible(&an_state, &col));
    CHECK(!cp_collection_visible(&anon, &col));
    CHECK_INT(cp_intel_may_read(&an_state, &col.policy, CP_TLP_AMBER, &F.err), CP_OK);

    /* its own alerts: in the group, read only */
    CHECK_INT(cp_collection_resolve(F.c, state_alerts, &an_state, &col, &F.err), CP_OK);
    CHECK(col.policy.reader_in_group);
    CHECK(col.policy.reader_can_read);
    CHECK(!col.policy.reader_can_write);
    CHECK(cp_collection_visible(&an_state, &col));
    CHECK_INT(cp_intel_may_write(&an_state, &col.policy, CP_TLP_AMBER, NULL, &F.err), CP_E_FORBIDDEN);

    /* another member's alerts: a group without a row → nothing, not even
     * with default_read set, and not visible */
    CHECK_INT(cp_collection_resolve(F.c, sector_alerts, &an_state, &col, &F.err), CP_OK);
    CHECK(!col.policy.reader_in_group && !col.policy.reader_can_read && !col.policy.reader_can_write);
    CHECK(!cp_collection_visible(&an_state, &col));
    CHECK_INT(cp_intel_may_read(&an_state, &col.policy, CP_TLP_CLEAR, &F.err), CP_E_NOT_FOUND);
    /* the secretariat and auditors may know it exists; the CLI too */
    CHECK_INT(cp_collection_resolve(F.c, sector_alerts, &sec, &col, &F.err), CP_OK);
    CHECK(cp_collection_visible(&sec, &col));
    CHECK(!col.policy.reader_in_group);
    CHECK(cp_collection_visible(&aud, &col));
    CHECK(cp_collection_visible(&F.cli, &col));
    CHECK(!cp_collection_visible(&anon, &col));

    /* a group with default_read true: members without a row still get nothing */
    json_t *in = json_pack("{ss ss ss sb sb s[{ss sb sb}]}", "title", "Open-ish group", "alias", "g-defaults", "audience",
                           "group", "default_read", 1, "default_write", 1, "members", "member_id", F.sector, "read",
                           1, "write", 0),
           *out;
    CHECK_INT(cp_collection_create(F.c, &F.cli, "shared", in, &out, &F.err), CP_OK);
    json_decref(in);
    json_decref(out);
    CHECK_INT(cp_collection_resolve(F.c, "g-defaults", &an_state, &col, &F.err), CP_OK);
    CHECK(!col.policy.reader_in_group && !col.policy.reader_can_read && !col.policy.reader_can_write);
    cp_actor an_sector = reader(F.sector, CP_ROLE_ANALYST, CP_ACTOR_KEY);
    CHECK_INT(cp_collection_resolve(F.c, "g-defaults", &an_sector, &col, &F.err), CP_OK);
    CHECK(col.policy.reader_in_group && col.policy.reader_can_read && !col.policy.reader_can_write);

    /* a public collection: anonymous sees it and reads CLEAR; a row overrides the defaults */
    CHECK_INT(create(&F.cli, "{\"title\": \"Pub\", \"alias\": \"pub\", \"audience\": \"public\", \"default_tlp\": "
                             "\"clear\", \"default_write\": false}"), CP_OK);
    CHECK_INT(cp_collection_resolve(F.c, "pub", &anon, &col, &F.err), CP_OK);
    CHECK(cp_collection_visible(&anon, &col));
    CHECK(col.policy.reader_can_read && !col.policy.reader_can_write);
    CHECK_INT(col.policy.default_tlp, CP_TLP_CLEAR);
    CHECK_INT(cp_intel_may_read(&anon, &col.policy, CP_TLP_CLEAR, &F.err), CP_OK);
    json_t *rw = json_pack("{sb sb}", "read", 0, "write", 1);
    CHECK_INT(cp_collection_member_set(F.c, &F.cli, "pub", F.state, rw, &out, &F.err), CP_OK);
    json_decref(rw);
    json_decref(out);
    CHECK_INT(cp_collection_resolve(F.c, "pub", &an_state, &col, &F.err), CP_OK);
    CHECK(!col.policy.reader_can_read && col.policy.reader_can_write);
}

typedef struct {
    int n;
    int64_t last;
    bool ordered;
} each_ctx;

static int each_one(const cp_collection *col, void *p)
{
    each_ctx *x = p;
    if (col->num <= x->last) x->ordered = false;
    x->last = col->num;
    x->n++;
    return 0;
}

static void test_each_and_list(void)
{
    cp_actor an_state = reader(F.state, CP_ROLE_ANALYST, CP_ACTOR_KEY);
    each_ctx all = {0, 0, true}, mine = {0, 0, true};
    CHECK_INT(cp_collection_each(F.c, &F.cli, each_one, &all, &F.err), CP_OK);
    CHECK_INT(cp_collection_each(F.c, &an_state, each_one, &mine, &F.err), CP_OK);
    CHECK(all.ordered && mine.ordered);
    CHECK_INT(all.n, count("SELECT COUNT(*) FROM intel_collections", NULL));
    /* the state's analyst does not see the other members' alerts nor a group it is not in */
    CHECK(mine.n < all.n);
    json_t *items;
    CHECK_INT(cp_collection_list_json(F.c, &an_state, &items, &F.err), CP_OK);
    CHECK_INT(json_array_size(items), mine.n);
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v) {
        const char *alias = json_string_value(json_object_get(v, "alias"));
        CHECK(!alias || strncmp(alias, "alerts-", 7) != 0 || strstr(alias, F.state) != NULL);
        CHECK(!alias || strcmp(alias, "g-defaults") != 0);
    }
    json_decref(items);
}

static void test_create_rules(void)
{
    /* shape: 400 */
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"colour\": \"red\"}"), CP_E_BAD_REQUEST);
    CHECK(strstr(F.err.msg, "unknown field 'colour'") != NULL);
    CHECK_INT(create(&F.cli, "{\"audience\": \"alliance\"}"), CP_E_BAD_REQUEST);
    CHECK(strstr(F.err.msg, "body.title") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"default_read\": \"yes\"}"), CP_E_BAD_REQUEST);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"group\", \"members\": {}}"), CP_E_BAD_REQUEST);
    CHECK(strstr(F.err.msg, "body.members") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"group\", \"members\": [{\"id\": \"x\"}]}"),
              CP_E_BAD_REQUEST);
    CHECK(strstr(F.err.msg, "body.members[0]") != NULL);
    /* values: 422 naming the field */
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"galaxy\"}"), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "body.audience") != NULL && strstr(F.err.msg, "galaxy") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"default_tlp\": \"TLP:PURPLE\"}"),
              CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "body.default_tlp") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"\", \"audience\": \"alliance\"}"), CP_E_UNPROCESSABLE);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": \"Upper\"}"), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "body.alias") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": \"\"}"), CP_E_UNPROCESSABLE);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": "
                             "\"a-very-long-alias-that-goes-on-and-on-and-on-beyond-sixty-four-chars\"}"),
              CP_E_UNPROCESSABLE);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": "
                             "\"0e4d1c9a-2f43-4d6b-9a51-3c5f5d8e7b10\"}"), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "UUID") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": \"alerts-mine\"}"),
              CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "reserved") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"group\", \"members\": [{\"member_id\": "
                             "\"0e4d1c9a-2f43-4d6b-9a51-3c5f5d8e7b10\"}]}"), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "body.members[0].member_id") != NULL);
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"owner_member_id\": \"nobody\"}"),
              CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "body.owner_member_id") != NULL);
    char body[512];
    snprintf(body, sizeof body,
             "{\"title\": \"T\", \"audience\": \"group\", \"members\": [{\"member_id\": \"%s\"}, {\"member_id\": \"%s\"}]}",
             F.state, F.state);
    CHECK_INT(create(&F.cli, body), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, "twice") != NULL);
    /* duplicate alias: 409 */
    CHECK_INT(create(&F.cli, "{\"title\": \"T\", \"audience\": \"alliance\", \"alias\": \"dup\"}"), CP_OK);
    CHECK_INT(create(&F.cli, "{\"title\": \"T2\", \"audience\": \"group\", \"alias\": \"dup\"}"), CP_E_CONFLICT);
    CHECK(strstr(F.err.msg, "'dup'") != NULL);
    /* the owner rule: a member-owned collection keeps its owner reading and writing */
    snprintf(body, sizeof body, "{\"title\": \"Owned\", \"alias\": \"owned\", \"audience\": \"group\", \"owner_member_id\": \"%s\"}",
             F.state);
    long long before = count("SELECT COUNT(*) FROM intel_collections", NULL);
    snprintf(body, sizeof body,
             "{\"title\": \"Owned\", \"alias\": \"owned\", \"audience\": \"group\", \"owner_member_id\": \"%s\","
             " \"members\": [{\"member_id\": \"%s\", \"read\": true, \"write\": false}]}",
             F.state, F.state);
    CHECK_INT(create(&F.cli, body), CP_E_UNPROCESSABLE);
    CHECK(strstr(F.err.msg, F.state) != NULL);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_collections", NULL), before); /* rolled back */
    /* not named: the owner's row is added with both rights */
    snprintf(body, sizeof body, "{\"title\": \"Owned\", \"alias\": \"owned\", \"audience\": \"group\", \"owner_member_id\": \"%s\"}",
             F.state);
    CHECK_INT(create(&F.cli, body), CP_OK);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_collection_members m JOIN intel_collections c ON c.id = m.collection_id"
                    " WHERE c.alias = 'owned' AND m.member_id = ? AND m.can_read = 1 AND m.can_write = 1", F.state), 1);
    /* an analyst's collection is owned by its organisation by default */
    cp_actor an_sector = reader(F.sector, CP_ROLE_ANALYST, CP_ACTOR_KEY);
    CHECK_INT(create(&an_sector, "{\"title\": \"Sector's\", \"alias\": \"sector-own\", \"audience\": \"alliance\"}"), CP_OK);
    cp_collection col;
    CHECK_INT(cp_collection_resolve(F.c, "sector-own", NULL, &col, &F.err), CP_OK);
    CHECK_STR(col.owner_member_id, F.sector);
    /* numbers grow */
    cp_collection first;
    CHECK_INT(cp_collection_resolve(F.c, "alliance", NULL, &first, &F.err), CP_OK);
    CHECK(col.num > first.num);
    CHECK_INT(count("SELECT COUNT(DISTINCT num) FROM intel_collections", NULL),
              count("SELECT COUNT(*) FROM intel_collections", NULL));
}

static void test_changes(void)
{
    json_t *in = json_pack("{ss sn sb}", "title", "Owned, renamed", "description", "default_read", 0), *out = NULL;
    CHECK_INT(cp_collection_update(F.c, &F.cli, "owned", in, &out, &F.err), CP_OK);
    json_decref(in);
    CHECK_STR(json_string_value(json_object_get(out, "title")), "Owned, renamed");
    CHECK(json_is_false(json_object_get(out, "default_read")));
    CHECK(fx_audit_mentions(&F, "Owned, renamed"));
    json_decref(out);
    /* nothing to change, unknown field: 400; bad value: 422 */
    in = json_object();
    CHECK_INT(cp_collection_update(F.c, &F.cli, "owned", in, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(in);
    in = json_pack("{ss}", "alias", "renamed");
    CHECK_INT(cp_collection_update(F.c, &F.cli, "owned", in, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(in);
    in = json_pack("{ss}", "default_tlp", "ultraviolet");
    CHECK_INT(cp_collection_update(F.c, &F.cli, "owned", in, &out, &F.err), CP_E_UNPROCESSABLE);
    json_decref(in);
    in = json_pack("{ss}", "title", "x");
    CHECK_INT(cp_collection_update(F.c, &F.cli, "missing", in, &out, &F.err), CP_E_NOT_FOUND);
    json_decref(in);

    /* the owner may not lose its rights: 422 and nothing changes */
    json_t *ro = json_pack("{sb sb}", "read", 1, "write", 0);
    CHECK_INT(cp_collection_member_set(F.c, &F.cli, "owned", F.state, ro, &out, &F.err), CP_E_UNPROCESSABLE);
    CHECK(out == NULL);
    CHECK_INT(cp_collection_member_remove(F.c, &F.cli, "owned", F.state, &out, &F.err), CP_E_UNPROCESSABLE);
    CHECK_INT(count("SELECT COUNT(*) FROM intel_collection_members m JOIN intel_collections c ON c.id = m.collection_id"
                    " WHERE c.alias = 'owned' AND m.member_id = ? AND m.can_write = 1", F.state), 1);
    /* adding and removing another member works and is audited */
    long long audits = count("SELECT COUNT(*) FROM audit_log", NULL);
    CHECK_INT(cp_collection_member_set(F.c, &F.cli, "owned", F.sector, ro, &out, &F.err), CP_OK);
    CHECK_INT(json_array_size(json_object_get(out, "members")), 2);
    json_decref(out);
    CHECK_INT(cp_collection_member_remove(F.c, &F.cli, "owned", F.sector, &out, &F.err), CP_OK);
    CHECK_INT(json_array_size(json_object_get(out, "members")), 1);
    json_decref(out);
    CHECK_INT(count("SELECT COUNT(*) FROM audit_log", NULL), audits + 2);
    CHECK_INT(cp_collection_member_remove(F.c, &F.cli, "owned", F.sector, &out, &F.err), CP_E_NOT_FOUND);
    CHECK(strstr(F.err.msg, "no row") != NULL);
    CHECK_INT(cp_collection_member_set(F.c, &F.cli, "owned", "0e4d1c9a-2f43-4d6b-9a51-3c5f5d8e7b10", ro, &out, &F.err),
              CP_E_NOT_FOUND);
    json_decref(ro);
    json_t *half = json_pack("{sb}", "read", 1);
    CHECK_INT(cp_collection_member_set(F.c, &F.cli, "owned", F.sector, half, &out, &F.err), CP_E_BAD_REQUEST);
    json_decref(half);
    /* making it a public collection keeps the owner's row: allowed */
    in = json_pack("{ss}", "audience", "public");
    CHECK_INT(cp_collection_update(F.c, &F.cli, "owned", in, &out, &F.err), CP_OK);
    CHECK_STR(json_string_value(json_object_get(out, "audience")), "public");
    json_decref(out);
    json_decref(in);
}

static cp_status ensure_hook(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err)
{
    (void)member_id;
    return cp_collections_ensure(c, a, NULL, err);
}

static cp_status failing_hook(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err)
{
    (void)c, (void)a, (void)member_id;
    return cp_fail(err, CP_E_INTERNAL, "hook refused");
}

static void test_member_hook(void)
{
    cp_member_created_hook = ensure_hook;
    json_t *in = json_pack("{ss ss}", "kind", "observer", "name", "Hooked Observer"), *m = NULL;
    CHECK_INT(cp_member_create(F.c, &F.cli, in, &m, &F.err), CP_OK);
    json_decref(in);
    char alias[80];
    snprintf(alias, sizeof alias, "alerts-%s", fx_id(m));
    cp_collection col;
    CHECK_INT(cp_collection_resolve(F.c, alias, NULL, &col, &F.err), CP_OK);
    json_decref(m);
    /* a failing hook rolls the member back */
    cp_member_created_hook = failing_hook;
    in = json_pack("{ss ss}", "kind", "observer", "name", "Refused Observer");
    CHECK_INT(cp_member_create(F.c, &F.cli, in, &m, &F.err), CP_E_INTERNAL);
    json_decref(in);
    CHECK_INT(count("SELECT COUNT(*) FROM members WHERE name = ?", "Refused Observer"), 0);
    cp_member_created_hook = NULL;
}

int main(void)
{
    fx_open(&F);
    RUN(test_ensure_idempotent);
    RUN(test_resolve);
    RUN(test_policy_per_reader);
    RUN(test_each_and_list);
    RUN(test_create_rules);
    RUN(test_changes);
    RUN(test_member_hook);
    fx_close(&F);
    return harness_done();
}
