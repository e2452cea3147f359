/*
 * test_tally.c — governance/tally.h, the pure count, with the worked cases of
 * docs/governance.md ("Worked examples"): abstentions, ties, quorum edges,
 * two-thirds edges, consensus objections, proxies, a member losing
 * eligibility between its ballot and closing, the last ballot counting, and
 * the JSON description the CLI reads.
 */
#include <stdio.h>
#include <string.h>

#include "governance/tally.h"
#include "harness.h"

static const char *const NAMES[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"};

/* n voters A, B, ... all eligible. */
static void voters(cp_tally_voter *v, size_t n)
{
    for (size_t i = 0; i < n; i++) v[i] = (cp_tally_voter){NAMES[i], true, NULL};
}

/* Ballots from a string like "yyna" (one per member in order; '.' = none). */
static size_t ballots(cp_tally_ballot *b, const char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '.') continue;
        cp_choice c = s[i] == 'y' ? CP_CHOICE_YES : s[i] == 'n' ? CP_CHOICE_NO : s[i] == 'a' ? CP_CHOICE_ABSTAIN : CP_CHOICE_OBJECT;
        b[k] = (cp_tally_ballot){NAMES[i], NAMES[i], c, (int64_t)(k + 1), 1000 + (int64_t)k};
        k++;
    }
    return k;
}

static bool has_reason(const cp_tally_result *r, const char *needle)
{
    size_t i;
    json_t *v;
    json_array_foreach(r->reasons, i, v) if (strstr(json_string_value(v), needle)) return true;
    return false;
}

static cp_outcome run(cp_rule rule, size_t n_voters, const char *votes, cp_tally_result *r)
{
    cp_tally_voter v[12];
    cp_tally_ballot b[12];
    voters(v, n_voters);
    size_t nb = ballots(b, votes);
    cp_tally_input in = {rule, CP_QUORUM_DEFAULT, v, n_voters, b, nb, NULL, 0};
    cp_err err = {{0}};
    cp_status st = cp_tally(&in, r, &err);
    if (st) fprintf(stderr, "  tally: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    return r->outcome;
}

static void test_simple_majority(void)
{
    cp_tally_result r;
    /* example 1: 10 members, 4 yes, 1 no, 1 abstain */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyyyna....", &r), CP_OUTCOME_ADOPTED);
    CHECK_INT(r.eligible, 10);
    CHECK_INT(r.participating, 6);
    CHECK_INT(r.quorum_needed, 6);
    CHECK(r.quorum_reached);
    CHECK_INT(r.count[CP_CHOICE_YES], 4);
    CHECK_INT(r.count[CP_CHOICE_NO], 1);
    CHECK_INT(r.count[CP_CHOICE_ABSTAIN], 1);
    CHECK_INT(r.majority_needed, 3);
    cp_tally_result_free(&r);
    /* 3 yes 2 no 1 abstain: 3 > 5/2 */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyynna....", &r), CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* 2 yes 3 no 1 abstain */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yynnna....", &r), CP_OUTCOME_REJECTED);
    cp_tally_result_free(&r);
}

static void test_tie(void)
{
    cp_tally_result r;
    /* example 2: 3 yes, 3 no — a tie is not adopted */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyynnn....", &r), CP_OUTCOME_REJECTED);
    CHECK(has_reason(&r, "tie"));
    CHECK_INT(r.majority_needed, 4);
    cp_tally_result_free(&r);
}

static void test_quorum_edges(void)
{
    cp_tally_result r;
    /* example 3: 10 members, "more than half" needs 6; 5 is not enough */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyyyy.....", &r), CP_OUTCOME_POSTPONED);
    CHECK(!r.quorum_reached);
    CHECK_INT(r.quorum_needed, 6);
    CHECK(has_reason(&r, "quorum not reached: 5 of 10"));
    cp_tally_result_free(&r);
    /* 11 members: more than 5.5 → 6 */
    CHECK_INT(run(CP_RULE_SIMPLE, 11, "yyyyy......", &r), CP_OUTCOME_POSTPONED);
    CHECK_INT(r.quorum_needed, 6);
    cp_tally_result_free(&r);
    CHECK_INT(run(CP_RULE_SIMPLE, 11, "yyyyyy.....", &r), CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* abstentions count towards quorum */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyyaan....", &r), CP_OUTCOME_ADOPTED);
    CHECK(r.quorum_reached);
    cp_tally_result_free(&r);

    /* "at least half" (1/2, not strict): 5 of 10 is enough */
    cp_tally_voter v[10];
    cp_tally_ballot b[10];
    voters(v, 10);
    size_t nb = ballots(b, "yyyyy.....");
    cp_tally_input in = {CP_RULE_SIMPLE, {1, 2, false}, v, 10, b, nb, NULL, 0};
    cp_err err;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.quorum_needed, 5);
    CHECK_INT(r.outcome, CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* two thirds of 10, at least: 7 */
    in.quorum = (cp_quorum){2, 3, false};
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.quorum_needed, 7);
    CHECK_INT(r.outcome, CP_OUTCOME_POSTPONED);
    cp_tally_result_free(&r);
    /* quorum 0: a silence procedure under consensus is adopted with no ballot */
    in.rule = CP_RULE_CONSENSUS;
    in.quorum = (cp_quorum){0, 1, false};
    in.n_ballots = 0;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.outcome, CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* no eligible member: never a quorum */
    for (int i = 0; i < 10; i++) v[i].eligible = false;
    in.quorum = (cp_quorum){0, 1, false};
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.outcome, CP_OUTCOME_POSTPONED);
    CHECK(has_reason(&r, "no eligible member"));
    cp_tally_result_free(&r);
}

static void test_abstentions(void)
{
    cp_tally_result r;
    /* example 4: 2 yes, 4 abstain of 6: abstentions exceed half → postponed */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yyaaaa....", &r), CP_OUTCOME_POSTPONED);
    CHECK(r.quorum_reached);
    CHECK(has_reason(&r, "abstentions exceed half of the ballots cast: 4 of 6"));
    cp_tally_result_free(&r);
    /* exactly half abstain: not "exceeding"; 2 yes 1 no → adopted */
    CHECK_INT(run(CP_RULE_SIMPLE, 10, "yynaaa....", &r), CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* under consensus too */
    CHECK_INT(run(CP_RULE_CONSENSUS, 10, "yaaaa.a...", &r), CP_OUTCOME_POSTPONED);
    cp_tally_result_free(&r);
}

static void test_two_thirds(void)
{
    cp_tally_result r;
    /* example 5: 6 yes 3 no: 18 >= 18 → adopted (exactly two thirds) */
    CHECK_INT(run(CP_RULE_TWO_THIRDS, 10, "yyyyyynnn.", &r), CP_OUTCOME_ADOPTED);
    CHECK_INT(r.majority_needed, 6);
    cp_tally_result_free(&r);
    /* 5 yes 3 no: 15 < 16 → rejected, though a simple majority */
    CHECK_INT(run(CP_RULE_TWO_THIRDS, 10, "yyyyynnna.", &r), CP_OUTCOME_REJECTED);
    CHECK_INT(r.majority_needed, 6);
    cp_tally_result_free(&r);
    /* 2 yes 1 no: 6 >= 6 → adopted (quorum of 4 members: 3 > 2) */
    CHECK_INT(run(CP_RULE_TWO_THIRDS, 4, "yyn.", &r), CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* 1 yes 1 no */
    CHECK_INT(run(CP_RULE_TWO_THIRDS, 3, "yna", &r), CP_OUTCOME_REJECTED);
    cp_tally_result_free(&r);
}

static void test_consensus(void)
{
    cp_tally_result r;
    /* example 6: no objection → adopted */
    CHECK_INT(run(CP_RULE_CONSENSUS, 6, "yyyya.", &r), CP_OUTCOME_ADOPTED);
    CHECK(has_reason(&r, "no member state objected"));
    cp_tally_result_free(&r);
    /* one objection among many supports → rejected, and named */
    CHECK_INT(run(CP_RULE_CONSENSUS, 6, "yyyyyo", &r), CP_OUTCOME_REJECTED);
    CHECK_INT(r.count[CP_CHOICE_OBJECT], 1);
    CHECK(has_reason(&r, "objected (F)"));
    cp_tally_result_free(&r);
    /* an objection withdrawn before the deadline (a later ballot) does not count */
    cp_tally_voter v[3];
    voters(v, 3);
    cp_tally_ballot b[] = {{"A", "A", CP_CHOICE_OBJECT, 1, 10}, {"B", "B", CP_CHOICE_YES, 2, 11},
                           {"A", "A", CP_CHOICE_YES, 3, 12}};
    cp_tally_input in = {CP_RULE_CONSENSUS, CP_QUORUM_DEFAULT, v, 3, b, 3, NULL, 0};
    cp_err err;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.outcome, CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);
    /* "no" is not a choice under consensus, "object" not under majorities */
    b[1].choice = CP_CHOICE_NO;
    CHECK_INT(cp_tally(&in, &r, &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "ballots[1].choice") != NULL);
    in.rule = CP_RULE_SIMPLE;
    b[1].choice = CP_CHOICE_YES;
    CHECK_INT(cp_tally(&in, &r, &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "ballots[0].choice") != NULL);
}

static void test_last_ballot_counts(void)
{
    cp_tally_voter v[3];
    voters(v, 3);
    /* A changes yes → no → abstain → no; given out of order in the input */
    cp_tally_ballot b[] = {{"A", "A", CP_CHOICE_NO, 7, 40},  {"A", "A", CP_CHOICE_YES, 1, 10},
                           {"B", "B", CP_CHOICE_YES, 2, 11}, {"A", "A", CP_CHOICE_NO, 3, 20},
                           {"A", "A", CP_CHOICE_ABSTAIN, 5, 30}, {"C", "C", CP_CHOICE_NO, 6, 31}};
    cp_tally_input in = {CP_RULE_SIMPLE, CP_QUORUM_DEFAULT, v, 3, b, 6, NULL, 0};
    cp_tally_result r;
    cp_err err;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.participating, 3);
    CHECK_INT(r.count[CP_CHOICE_NO], 2);
    CHECK_INT(r.count[CP_CHOICE_YES], 1);
    CHECK_INT(r.outcome, CP_OUTCOME_REJECTED);
    json_t *a = json_array_get(r.ballots, 0);
    CHECK_STR(json_string_value(json_object_get(a, "member")), "A");
    CHECK_INT(json_integer_value(json_object_get(a, "seq")), 7);
    cp_tally_result_free(&r);
    /* the same seq twice is refused */
    b[2].seq = 7;
    CHECK_INT(cp_tally(&in, &r, &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "seq 7") != NULL);
}

static void test_proxies(void)
{
    cp_tally_voter v[4];
    voters(v, 4);
    /* example 7: A gives B its proxy at t=5; B votes yes for A and no for itself */
    cp_tally_proxy p[] = {{"A", "B", 5, 0}};
    cp_tally_ballot b[] = {{"A", "B", CP_CHOICE_YES, 1, 10}, {"B", "B", CP_CHOICE_NO, 2, 11}, {"C", "C", CP_CHOICE_YES, 3, 12}};
    cp_tally_input in = {CP_RULE_SIMPLE, CP_QUORUM_DEFAULT, v, 4, b, 3, p, 1};
    cp_tally_result r;
    cp_err err;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.participating, 3);
    CHECK_INT(r.by_proxy, 1);
    CHECK_INT(r.count[CP_CHOICE_YES], 2);
    CHECK_INT(r.outcome, CP_OUTCOME_ADOPTED);
    cp_tally_result_free(&r);

    /* A then votes itself (no): that cancels the proxy's ballot */
    cp_tally_ballot b2[] = {{"A", "B", CP_CHOICE_YES, 1, 10}, {"B", "B", CP_CHOICE_NO, 2, 11},
                            {"C", "C", CP_CHOICE_YES, 3, 12}, {"A", "A", CP_CHOICE_NO, 4, 13}};
    in.ballots = b2;
    in.n_ballots = 4;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.by_proxy, 0);
    CHECK_INT(r.count[CP_CHOICE_NO], 2);
    CHECK_INT(r.outcome, CP_OUTCOME_REJECTED); /* 1 yes, 2 no */
    cp_tally_result_free(&r);
    /* even when A's own ballot came first */
    b2[3].seq = 0;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.count[CP_CHOICE_NO], 2);
    cp_tally_result_free(&r);

    /* revoked before use: B's ballot for A does not count */
    p[0].revoked_at = 9;
    in.ballots = b;
    in.n_ballots = 3;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.participating, 2);
    CHECK_INT(r.not_counted, 1);
    CHECK(has_reason(&r, "held no proxy of A"));
    cp_tally_result_free(&r);
    /* a ballot by a member that never held A's proxy */
    p[0] = (cp_tally_proxy){"A", "D", 5, 0};
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.not_counted, 1);
    cp_tally_result_free(&r);
    /* the holder lost eligibility by closing: the proxied ballot does not count */
    p[0] = (cp_tally_proxy){"A", "B", 5, 0};
    v[1].eligible = false;
    v[1].reason = "arrears";
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.participating, 1);
    CHECK_INT(r.eligible, 3);
    CHECK(has_reason(&r, "proxy holder B"));
    cp_tally_result_free(&r);
    /* a member cannot hold its own proxy */
    p[0] = (cp_tally_proxy){"A", "A", 5, 0};
    CHECK_INT(cp_tally(&in, &r, &err), CP_E_UNPROCESSABLE);
}

static void test_eligibility_lost_before_closing(void)
{
    /* example 8: 5 members; E voted yes, then lost its right before closing.
     * E's ballot is not counted and E is not in the denominator: 4 eligible,
     * 3 ballots (yes, no, yes) reach the quorum of 3 (more than 2). */
    cp_tally_voter v[5];
    voters(v, 5);
    v[4].eligible = false;
    v[4].reason = "arrears equal or exceed the contributions due for the two preceding years";
    cp_tally_ballot b[5];
    size_t nb = ballots(b, "yn..y");
    b[nb++] = (cp_tally_ballot){"C", "C", CP_CHOICE_YES, 10, 5000};
    cp_tally_input in = {CP_RULE_SIMPLE, CP_QUORUM_DEFAULT, v, 5, b, nb, NULL, 0};
    cp_tally_result r;
    cp_err err;
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK_INT(r.members, 5);
    CHECK_INT(r.eligible, 4);
    CHECK_INT(r.participating, 3);
    CHECK_INT(r.not_counted, 1);
    CHECK_INT(r.count[CP_CHOICE_YES], 2);
    CHECK_INT(r.outcome, CP_OUTCOME_ADOPTED);
    CHECK(has_reason(&r, "ballot of E not counted: E was not eligible at closing: arrears"));
    cp_tally_result_free(&r);
    /* a ballot of a member outside the body */
    b[0].member = b[0].cast_by = "Z";
    CHECK_INT(cp_tally(&in, &r, &err), CP_OK);
    CHECK(has_reason(&r, "Z is not a member of the body"));
    cp_tally_result_free(&r);
    /* a voter listed twice is refused */
    v[1].member = "A";
    CHECK_INT(cp_tally(&in, &r, &err), CP_E_UNPROCESSABLE);
    CHECK(strstr(err.msg, "listed twice") != NULL);
}

static cp_status doc_tally(const char *text, json_t **result, cp_err *err)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    CHECK(doc != NULL);
    cp_tally_doc *d;
    cp_status st = cp_tally_doc_parse(doc, &d, err);
    json_decref(doc);
    if (st) return st;
    cp_tally_result r;
    st = cp_tally(cp_tally_doc_input(d), &r, err);
    if (!st) {
        *result = cp_tally_result_json(cp_tally_doc_input(d), &r);
        cp_tally_result_free(&r);
    }
    cp_tally_doc_free(d);
    return st;
}

static void test_doc(void)
{
    json_t *res = NULL;
    cp_err err;
    CHECK_INT(doc_tally("{\"rule\":\"two_thirds\",\"quorum\":{\"num\":1,\"den\":2},"
                        "\"voters\":[{\"member\":\"A\",\"eligible\":true},{\"member\":\"B\",\"eligible\":true},"
                        "{\"member\":\"C\",\"eligible\":false,\"reason\":\"arrears\"}],"
                        "\"ballots\":[{\"member\":\"A\",\"choice\":\"yes\",\"seq\":1},"
                        "{\"member\":\"B\",\"choice\":\"yes\",\"seq\":2,\"cast_by\":\"A\",\"at\":7}],"
                        "\"proxies\":[{\"giver\":\"B\",\"holder\":\"A\",\"given_at\":3}]}",
                        &res, &err),
              CP_OK);
    CHECK_STR(json_string_value(json_object_get(res, "outcome")), "adopted");
    CHECK_INT(json_integer_value(json_object_get(res, "eligible")), 2);
    CHECK_INT(json_integer_value(json_object_get(res, "by_proxy")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(res, "counts"), "yes")), 2);
    CHECK(json_is_true(json_object_get(json_object_get(res, "quorum"), "strict")));
    json_decref(res);

    static const struct {
        const char *text, *where;
    } bad[] = {
        {"{\"rule\":\"most\"}", "tally.rule"},
        {"{\"rule\":\"simple\",\"extra\":1}", "tally.extra"},
        {"{\"rule\":\"simple\",\"quorum\":{\"num\":3,\"den\":2}}", "quorum"},
        {"{\"rule\":\"simple\",\"quorum\":{\"num\":1,\"den\":0}}", "quorum.den"},
        {"{\"rule\":\"simple\",\"voters\":[{\"member\":\"A\"}]}", "voters[0].eligible"},
        {"{\"rule\":\"simple\",\"voters\":{}}", "voters"},
        {"{\"rule\":\"simple\",\"ballots\":[{\"member\":\"A\",\"choice\":\"maybe\",\"seq\":1}]}", "ballots[0].choice"},
        {"{\"rule\":\"simple\",\"ballots\":[{\"member\":\"A\",\"choice\":\"yes\",\"seq\":1.5}]}", "ballots[0].seq"},
        {"{\"rule\":\"simple\",\"ballots\":[{\"member\":\"\",\"choice\":\"yes\",\"seq\":1}]}", "ballots[0].member"},
        {"{\"rule\":\"simple\",\"proxies\":[{\"giver\":\"A\"}]}", "proxies[0].holder"},
        {"[1]", "tally"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        res = NULL;
        cp_status st = doc_tally(bad[i].text, &res, &err);
        CHECK(st == CP_E_BAD_REQUEST);
        if (st != CP_E_BAD_REQUEST || !strstr(err.msg, bad[i].where))
            fprintf(stderr, "  case %zu: %d %s\n", i, st, st ? err.msg : "accepted");
        CHECK(strstr(err.msg, bad[i].where) != NULL);
        json_decref(res);
    }
    /* a choice the rule refuses is caught by the tally itself */
    CHECK_INT(doc_tally("{\"rule\":\"consensus\",\"ballots\":[{\"member\":\"A\",\"choice\":\"no\",\"seq\":1}]}", &res, &err),
              CP_E_UNPROCESSABLE);
}

int main(void)
{
    RUN(test_simple_majority);
    RUN(test_tie);
    RUN(test_quorum_edges);
    RUN(test_abstentions);
    RUN(test_two_thirds);
    RUN(test_consensus);
    RUN(test_last_ballot_counts);
    RUN(test_proxies);
    RUN(test_eligibility_lost_before_closing);
    RUN(test_doc);
    return harness_done();
}
