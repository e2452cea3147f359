/*
 * test_tlp.c — intel/tlp.h, table-driven, against docs/sharing.md:
 *
 *   - every cell of audience × TLP × reader × read/write, denials included,
 *     with their exact status (the tables below are the tables of
 *     docs/sharing.md, written out by hand, not computed);
 *   - the nine TLP marking-definition ids (TLP 1.0 and 2.0);
 *   - cp_tlp_of_object: strictest of several markings, granular markings,
 *     unknown ids ignored, malformed refs, marking definitions themselves;
 *   - cp_tlp_accept: the collection's default, recorded not invented;
 *   - names, parsing, audiences.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "intel/tlp.h"

#define OK CP_OK
#define E401 CP_E_UNAUTHENTICATED
#define E403 CP_E_FORBIDDEN
#define E404 CP_E_NOT_FOUND
#define E422 CP_E_UNPROCESSABLE

#define M_ALLIANCE "00000000-0000-4000-8000-00000000a111"
#define M_FR "00000000-0000-4000-8000-0000000000f1"
#define M_DE "00000000-0000-4000-8000-0000000000d1"
#define M_IT "00000000-0000-4000-8000-0000000000e1"
#define M_ES "00000000-0000-4000-8000-0000000000e5"

/* Reader kinds. "In" = the reader's member is named in the group (for a
 * group collection; public and alliance collections have every member in
 * their audience). Rights are the member's rights on the collection. */
enum {
    ANON,     /* no credentials */
    SEC,      /* secretariat; the alliance's organisation is not in the group; rights r+w */
    SEC_IN,   /* secretariat; the alliance's organisation is in the group; r+w */
    AUD,      /* auditor (alliance organisation, not in the group); r */
    ANA_IN,   /* analyst of FR, in the group; r+w */
    ANA_RO,   /* analyst of FR, in the group; read right only */
    ANA_NONE, /* analyst of FR, in the group; neither right */
    DEL_IN,   /* delegate of FR, in the group; r+w */
    ANA_OUT,  /* analyst of DE, not in the group; r+w (must not matter) */
    SUSP_IN,  /* analyst+delegate of suspended IT, in the group; r+w */
    SUSP_OUT, /* analyst+delegate of suspended ES, not in the group; r+w */
    N_READERS
};
static const char *const READER_NAMES[] = {"anonymous", "secretariat",  "secretariat(in group)",
                                           "auditor",   "analyst(in)",  "analyst(in, read-only)",
                                           "analyst(in, no rights)", "delegate(in)", "analyst(out)",
                                           "suspended(in)", "suspended(out)"};

static const struct {
    bool in, r, w;
} RIGHTS[N_READERS] = {
    [ANON] = {false, false, false},  [SEC] = {false, true, true},     [SEC_IN] = {true, true, true},
    [AUD] = {false, true, false},    [ANA_IN] = {true, true, true},   [ANA_RO] = {true, true, false},
    [ANA_NONE] = {true, false, false}, [DEL_IN] = {true, true, true}, [ANA_OUT] = {false, true, true},
    [SUSP_IN] = {true, true, true},  [SUSP_OUT] = {false, true, true},
};

static cp_actor readers[N_READERS];

static void make(cp_actor *a, cp_actor_kind kind, unsigned roles, const char *member, const char *user, bool active,
                 bool alliance)
{
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->roles = roles;
    a->user_roles = roles;
    snprintf(a->member_id, sizeof a->member_id, "%s", member);
    snprintf(a->user_id, sizeof a->user_id, "%s", user);
    a->member_active = active;
    a->member_is_alliance = alliance;
    snprintf(a->label, sizeof a->label, "user:%s", user);
}

static void setup(void)
{
    memset(&readers[ANON], 0, sizeof readers[ANON]);
    readers[ANON].kind = CP_ACTOR_NONE;
    make(&readers[SEC], CP_ACTOR_SESSION, CP_ROLE_SECRETARIAT, M_ALLIANCE, "22222222-0000-4000-8000-000000000001", true,
         true);
    make(&readers[SEC_IN], CP_ACTOR_SESSION, CP_ROLE_SECRETARIAT, M_ALLIANCE, "22222222-0000-4000-8000-000000000001",
         true, true);
    make(&readers[AUD], CP_ACTOR_KEY, CP_ROLE_AUDITOR, M_ALLIANCE, "22222222-0000-4000-8000-000000000002", true, true);
    make(&readers[ANA_IN], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_FR, "22222222-0000-4000-8000-000000000003", true, false);
    make(&readers[ANA_RO], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_FR, "22222222-0000-4000-8000-000000000003", true, false);
    make(&readers[ANA_NONE], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_FR, "22222222-0000-4000-8000-000000000003", true, false);
    make(&readers[DEL_IN], CP_ACTOR_SESSION, CP_ROLE_DELEGATE, M_FR, "22222222-0000-4000-8000-000000000004", true,
         false);
    make(&readers[ANA_OUT], CP_ACTOR_KEY, CP_ROLE_ANALYST, M_DE, "22222222-0000-4000-8000-000000000005", true, false);
    make(&readers[SUSP_IN], CP_ACTOR_SESSION, CP_ROLE_DELEGATE | CP_ROLE_ANALYST, M_IT,
         "22222222-0000-4000-8000-000000000006", false, false);
    make(&readers[SUSP_OUT], CP_ACTOR_SESSION, CP_ROLE_DELEGATE | CP_ROLE_ANALYST, M_ES,
         "22222222-0000-4000-8000-000000000007", false, false);
}

static cp_collection_policy policy_for(cp_audience aud, int reader)
{
    cp_collection_policy p = {.audience = aud,
                              .default_tlp = CP_TLP_NONE, /* AMBER */
                              .reader_in_group = RIGHTS[reader].in,
                              .reader_can_read = RIGHTS[reader].r,
                              .reader_can_write = RIGHTS[reader].w};
    return p;
}

typedef struct {
    cp_audience aud;
    cp_tlp tlp; /* read: the recorded (effective) TLP; write: the object's own. NONE = unmarked */
    cp_status want[N_READERS];
} row;

#define PUB CP_AUD_PUBLIC
#define ALL CP_AUD_ALLIANCE
#define GRP CP_AUD_GROUP
#define T0 CP_TLP_NONE
#define TC CP_TLP_CLEAR
#define TG CP_TLP_GREEN
#define TA CP_TLP_AMBER
#define TS CP_TLP_AMBER_STRICT
#define TR CP_TLP_RED

/* Reading.                   ANON  SEC   SEC_IN AUD   ANA_IN ANA_RO ANA_NO DEL_IN ANA_OUT SUSP_IN SUSP_OUT */
static const row READ[] = {
    /* public: CLEAR for anyone; anything else (after an audience change) as in an alliance collection */
    {PUB, T0, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {PUB, TC, {OK,   OK,   OK,    OK,   OK,    OK,    OK,    OK,    OK,    OK,    OK}},
    {PUB, TG, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {PUB, TA, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {PUB, TS, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {PUB, TR, {E401, E404, E404,  E403, E404,  E404,  E403,  E403,  E404,  E403,  E403}},
    /* alliance: every active member's analysts (and the secretariat); RED has no recipients here */
    {ALL, T0, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {ALL, TC, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {ALL, TG, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {ALL, TA, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {ALL, TS, {E401, OK,   OK,    E403, OK,    OK,    E403,  E403,  OK,    E403,  E403}},
    {ALL, TR, {E401, E404, E404,  E403, E404,  E404,  E403,  E403,  E404,  E403,  E403}},
    /* group: the named members only; outsiders may not know it exists; secretariat/auditor know, 403 */
    {GRP, T0, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
    {GRP, TC, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
    {GRP, TG, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
    {GRP, TA, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
    {GRP, TS, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
    {GRP, TR, {E401, E403, OK,    E403, OK,    OK,    E403,  E403,  E404,  E403,  E404}},
};

/* Writing (adding or deleting).  ANON SEC  SEC_IN AUD   ANA_IN ANA_RO ANA_NO DEL_IN ANA_OUT SUSP_IN SUSP_OUT */
static const row WRITE[] = {
    {PUB, T0, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {PUB, TC, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {PUB, TG, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {PUB, TA, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {PUB, TS, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {PUB, TR, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {ALL, T0, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {ALL, TC, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {ALL, TG, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {ALL, TA, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {ALL, TS, {E401, OK,   OK,    E403, OK,    E403,  E403,  E403,  OK,    E403,  E403}},
    {ALL, TR, {E401, E422, E422,  E403, E422,  E403,  E403,  E403,  E422,  E403,  E403}},
    {GRP, T0, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
    {GRP, TC, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
    {GRP, TG, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
    {GRP, TA, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
    {GRP, TS, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
    {GRP, TR, {E401, E403, OK,    E403, OK,    E403,  E403,  E403,  E404,  E403,  E404}},
};

#define N_ROWS (int)(sizeof READ / sizeof READ[0])

static const char *sname(cp_status s)
{
    switch (s) {
    case CP_OK: return "OK";
    case CP_E_UNAUTHENTICATED: return "401";
    case CP_E_FORBIDDEN: return "403";
    case CP_E_NOT_FOUND: return "404";
    case CP_E_UNPROCESSABLE: return "422";
    default: return "other";
    }
}

static void check_cell(bool write, const row *r, int reader)
{
    cp_collection_policy col = policy_for(r->aud, reader);
    cp_err err = {{0}};
    cp_tlp eff = CP_TLP_NONE;
    cp_status got = write ? cp_intel_may_write(&readers[reader], &col, r->tlp, &eff, &err)
                          : cp_intel_may_read(&readers[reader], &col, r->tlp, &err);
    cp_status want = r->want[reader];
    harness_checks++;
    if (got != want) {
        harness_failures++;
        fprintf(stderr, "  %s %s %s by %s: got %s, expected %s (%s)\n", write ? "write" : "read",
                cp_audience_name(r->aud), cp_tlp_name(r->tlp), READER_NAMES[reader], sname(got), sname(want),
                err.msg);
        return;
    }
    if (got != CP_OK) CHECK(err.msg[0] != 0); /* a refusal always says why */
    if (write && got == CP_OK) CHECK_INT(eff, r->tlp == CP_TLP_NONE ? CP_TLP_AMBER : r->tlp);
}

static void test_matrix_complete(void)
{
    /* every audience × every TLP (NONE included), in order, for both tables */
    CHECK_INT(N_ROWS, 3 * CP_TLP_COUNT_);
    CHECK_INT(sizeof WRITE / sizeof WRITE[0], 3 * CP_TLP_COUNT_);
    CHECK_INT(sizeof READER_NAMES / sizeof READER_NAMES[0], N_READERS);
    static const cp_audience AUDS[] = {PUB, ALL, GRP};
    for (int i = 0; i < N_ROWS; i++) {
        CHECK_INT(READ[i].aud, AUDS[i / CP_TLP_COUNT_]);
        CHECK_INT(READ[i].tlp, i % CP_TLP_COUNT_);
        CHECK_INT(WRITE[i].aud, AUDS[i / CP_TLP_COUNT_]);
        CHECK_INT(WRITE[i].tlp, i % CP_TLP_COUNT_);
    }
}

static void test_read_matrix(void)
{
    for (int i = 0; i < N_ROWS; i++)
        for (int a = 0; a < N_READERS; a++) check_cell(false, &READ[i], a);
}

static void test_write_matrix(void)
{
    for (int i = 0; i < N_ROWS; i++)
        for (int a = 0; a < N_READERS; a++) check_cell(true, &WRITE[i], a);
}

/* A 404 reads like a missing collection, nothing about rights; the other
 * refusals say what is missing. */
static void test_messages(void)
{
    cp_err err = {{0}};
    cp_collection_policy g = policy_for(GRP, ANA_OUT);
    CHECK_INT(cp_intel_may_read(&readers[ANA_OUT], &g, TA, &err), E404);
    CHECK_STR(err.msg, "no such collection");
    cp_collection_policy a = policy_for(ALL, ANA_IN);
    CHECK_INT(cp_intel_may_read(&readers[ANA_IN], &a, TR, &err), E404);
    CHECK_STR(err.msg, "no such object");
    g = policy_for(GRP, SEC);
    CHECK_INT(cp_intel_may_read(&readers[SEC], &g, TR, &err), E403);
    CHECK(strstr(err.msg, "not one of this collection's recipients") != NULL);
    g = policy_for(GRP, SUSP_IN);
    CHECK_INT(cp_intel_may_read(&readers[SUSP_IN], &g, TG, &err), E403);
    CHECK(strstr(err.msg, "not active") != NULL);
    g = policy_for(GRP, DEL_IN);
    CHECK_INT(cp_intel_may_read(&readers[DEL_IN], &g, TG, &err), E403);
    CHECK(strstr(err.msg, "analyst") != NULL);
    g = policy_for(GRP, ANA_RO);
    CHECK_INT(cp_intel_may_write(&readers[ANA_RO], &g, TG, NULL, &err), E403);
    CHECK(strstr(err.msg, "no write right") != NULL);
    g = policy_for(GRP, ANA_NONE);
    CHECK_INT(cp_intel_may_read(&readers[ANA_NONE], &g, TG, &err), E403);
    CHECK(strstr(err.msg, "no read right") != NULL);
    CHECK_INT(cp_intel_may_read(&readers[ANON], &g, TG, &err), E401);
    CHECK(strstr(err.msg, "credentials are required") != NULL);
}

/* The nine marking-definition ids, and what is not one of them. */
static void test_marking_ids(void)
{
    static const struct {
        const char *id;
        cp_tlp want;
    } IDS[] = {
        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TC}, /* 1.0 WHITE */
        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TG}, /* 1.0 GREEN */
        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TA}, /* 1.0 AMBER */
        {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TR}, /* 1.0 RED */
        {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TC}, /* 2.0 CLEAR */
        {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TG}, /* 2.0 GREEN */
        {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TA}, /* 2.0 AMBER */
        {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TS}, /* 2.0 AMBER+STRICT */
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TR}, /* 2.0 RED */
        /* an upper-case spelling is the same marking, never "unmarked" */
        {"MARKING-DEFINITION--E828B379-4E03-4974-9AC4-E53A884C97C1", TR},
        /* not TLP */
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c2", T0},
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c", T0},
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1 ", T0},
        {"e828b379-4e03-4974-9ac4-e53a884c97c1", T0},
        {"identity--e828b379-4e03-4974-9ac4-e53a884c97c1", T0},
        /* MISP / other tools' own TLP:AMBER+STRICT id: not the OASIS one */
        {"marking-definition--939a9414-1955-4a77-93a3-5a4ec65c9b6e", T0},
        {"", T0},
    };
    for (size_t i = 0; i < sizeof IDS / sizeof IDS[0]; i++) {
        cp_tlp got = cp_tlp_of_marking_id(IDS[i].id);
        if (got != IDS[i].want) fprintf(stderr, "  id %s\n", IDS[i].id);
        CHECK_INT(got, IDS[i].want);
    }
    CHECK_INT(cp_tlp_of_marking_id(NULL), T0);
    /* the id of each level is a 2.0 id and maps back */
    for (int t = TC; t <= TR; t++) {
        const char *id = cp_tlp_marking_id((cp_tlp)t);
        CHECK(id != NULL);
        CHECK_INT(cp_tlp_of_marking_id(id), t);
    }
    CHECK_STR(cp_tlp_marking_id(TR), "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    CHECK(cp_tlp_marking_id(T0) == NULL);
}

#define ID_W1 "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define ID_G1 "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define ID_A1 "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define ID_R1 "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
#define ID_C2 "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define ID_G2 "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define ID_S2 "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define ID_R2 "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define ID_X "marking-definition--00000000-0000-4000-8000-000000000001"
#define IND "\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000002\""

static void test_of_object(void)
{
    static const struct {
        const char *json;
        cp_tlp want;
    } OBJS[] = {
        {"{" IND "}", T0},
        {"{" IND ",\"object_marking_refs\":[]}", T0},
        {"{" IND ",\"object_marking_refs\":[\"" ID_G2 "\"]}", TG},
        {"{" IND ",\"object_marking_refs\":[\"" ID_W1 "\"]}", TC},
        /* several: the strictest wins, in any order, 1.0 and 2.0 mixed */
        {"{" IND ",\"object_marking_refs\":[\"" ID_C2 "\",\"" ID_A1 "\",\"" ID_G1 "\"]}", TA},
        {"{" IND ",\"object_marking_refs\":[\"" ID_R1 "\",\"" ID_G2 "\"]}", TR},
        {"{" IND ",\"object_marking_refs\":[\"" ID_G2 "\",\"" ID_S2 "\",\"" ID_A1 "\"]}", TS},
        {"{" IND ",\"object_marking_refs\":[\"" ID_W1 "\",\"" ID_C2 "\"]}", TC},
        /* unknown ids (statements, copyright) are ignored */
        {"{" IND ",\"object_marking_refs\":[\"" ID_X "\"]}", T0},
        {"{" IND ",\"object_marking_refs\":[\"" ID_X "\",\"" ID_G2 "\"]}", TG},
        /* malformed refs: ignored, never a crash */
        {"{" IND ",\"object_marking_refs\":\"" ID_R2 "\"}", T0},
        {"{" IND ",\"object_marking_refs\":{\"x\":\"" ID_R2 "\"}}", T0},
        {"{" IND ",\"object_marking_refs\":null}", T0},
        {"{" IND ",\"object_marking_refs\":[1,null,true,[\"" ID_R2 "\"],{\"id\":\"" ID_R2 "\"}]}", T0},
        {"{" IND ",\"object_marking_refs\":[1,\"" ID_G2 "\",null]}", TG},
        /* granular markings count, whatever their selectors */
        {"{" IND ",\"granular_markings\":[{\"marking_ref\":\"" ID_R2 "\",\"selectors\":[\"description\"]}]}", TR},
        {"{" IND ",\"object_marking_refs\":[\"" ID_R2 "\"],\"granular_markings\":[{\"marking_ref\":\"" ID_G2
         "\",\"selectors\":[\"name\"]}]}",
         TR},
        {"{" IND ",\"object_marking_refs\":[\"" ID_G2 "\"],\"granular_markings\":[{\"marking_ref\":\"" ID_S2
         "\",\"selectors\":[\"pattern\"]}]}",
         TS},
        {"{" IND ",\"granular_markings\":[{\"lang\":\"fr\",\"selectors\":[\"name\"]}]}", T0},
        {"{" IND ",\"granular_markings\":[1,\"" ID_R2 "\",{\"marking_ref\":5},{\"marking_ref\":\"" ID_X "\"}]}", T0},
        {"{" IND ",\"granular_markings\":{\"marking_ref\":\"" ID_R2 "\"}}", T0},
        /* the TLP marking definitions themselves are public */
        {"{\"type\":\"marking-definition\",\"id\":\"" ID_R2 "\",\"name\":\"TLP:RED\"}", TC},
        {"{\"type\":\"marking-definition\",\"id\":\"" ID_R1 "\",\"definition_type\":\"tlp\"}", TC},
        /* any other marking definition is marked like any object */
        {"{\"type\":\"marking-definition\",\"id\":\"" ID_X "\",\"object_marking_refs\":[\"" ID_A1 "\"]}", TA},
        {"{\"type\":\"marking-definition\",\"id\":\"" ID_X "\"}", T0},
        /* a TLP id on something that is not a marking definition: just its refs */
        {"{\"type\":\"indicator\",\"id\":\"" ID_R2 "\"}", T0},
        {"[\"" ID_R2 "\"]", T0},
        {"\"" ID_R2 "\"", T0},
    };
    for (size_t i = 0; i < sizeof OBJS / sizeof OBJS[0]; i++) {
        json_error_t je;
        json_t *o = json_loads(OBJS[i].json, JSON_DECODE_ANY, &je);
        CHECK(o != NULL);
        if (!o) {
            fprintf(stderr, "  bad fixture %zu: %s\n", i, je.text);
            continue;
        }
        cp_tlp got = cp_tlp_of_object(o);
        if (got != OBJS[i].want) fprintf(stderr, "  object %zu: %s\n", i, OBJS[i].json);
        CHECK_INT(got, OBJS[i].want);
        json_decref(o);
    }
    CHECK_INT(cp_tlp_of_object(NULL), T0);
}

static void test_accept(void)
{
    cp_err err = {{0}};
    cp_tlp eff = CP_TLP_NONE;
    cp_collection_policy c = {.audience = ALL, .default_tlp = T0};
    /* the default is AMBER; it is recorded, the marked TLP is kept */
    CHECK_INT(cp_tlp_default(&c), TA);
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), OK);
    CHECK_INT(eff, TA);
    CHECK_INT(cp_tlp_accept(&c, TG, &eff, &err), OK);
    CHECK_INT(eff, TG);
    CHECK_INT(cp_tlp_accept(&c, TR, &eff, &err), E422);
    CHECK_INT(eff, TG); /* untouched on refusal */
    CHECK(strstr(err.msg, "only in group collections") != NULL);
    CHECK_INT(cp_tlp_accept(&c, TS, NULL, &err), OK); /* effective may be NULL */

    /* a configured default */
    c.default_tlp = TG;
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), OK);
    CHECK_INT(eff, TG);
    c.default_tlp = TR; /* a RED default makes unmarked objects unacceptable outside a group */
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), E422);
    CHECK(strstr(err.msg, "default") != NULL);
    c.audience = GRP;
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), OK);
    CHECK_INT(eff, TR);
    c.default_tlp = (cp_tlp)42; /* out of range: AMBER */
    CHECK_INT(cp_tlp_default(&c), TA);

    /* public: CLEAR only; unmarked refused unless the default is CLEAR */
    c.audience = PUB;
    c.default_tlp = T0;
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), E422);
    CHECK(strstr(err.msg, "mark it TLP:CLEAR") != NULL);
    CHECK_INT(cp_tlp_accept(&c, TG, &eff, &err), E422);
    CHECK(strstr(err.msg, "TLP:GREEN") != NULL);
    CHECK_INT(cp_tlp_accept(&c, TC, &eff, &err), OK);
    CHECK_INT(eff, TC);
    c.default_tlp = TC;
    eff = T0;
    CHECK_INT(cp_tlp_accept(&c, T0, &eff, &err), OK);
    CHECK_INT(eff, TC);
    CHECK_INT(cp_tlp_accept(&c, TA, &eff, &err), E422);

    /* out of range is a bug of the caller */
    CHECK_INT(cp_tlp_accept(&c, (cp_tlp)9, &eff, &err), CP_E_INTERNAL);
}

/* Reading resolves an unrecorded TLP to the collection's default. */
static void test_read_default(void)
{
    cp_err err = {{0}};
    cp_collection_policy c = {.audience = ALL, .reader_can_read = true};
    c.default_tlp = TR; /* misconfigured alliance default: unmarked reads as RED */
    CHECK_INT(cp_intel_may_read(&readers[ANA_IN], &c, T0, &err), E404);
    c.audience = PUB;
    c.default_tlp = TC;
    CHECK_INT(cp_intel_may_read(&readers[ANON], &c, T0, &err), OK);
    c.default_tlp = T0;
    CHECK_INT(cp_intel_may_read(&readers[ANON], &c, T0, &err), E401);
    CHECK_INT(cp_intel_may_read(&readers[ANA_IN], &c, (cp_tlp)-1, &err), CP_E_INTERNAL);
}

static void test_special_actors(void)
{
    cp_err err = {{0}};
    /* the operator on the machine reads everything, RED anywhere included,
     * but what it writes still follows the collection's TLP rules */
    cp_actor cli;
    cp_actor_cli(&cli);
    static const cp_audience AUDS[] = {PUB, ALL, GRP};
    for (int a = 0; a < 3; a++) {
        cp_collection_policy c = {.audience = AUDS[a]}; /* no group, no rights */
        for (int t = T0; t <= TR; t++) {
            CHECK_INT(cp_intel_may_read(&cli, &c, (cp_tlp)t, &err), OK);
            cp_status want = cp_tlp_accept(&c, (cp_tlp)t, NULL, &err);
            CHECK_INT(cp_intel_may_write(&cli, &c, (cp_tlp)t, NULL, &err), want);
        }
    }
    /* a credential without roles: like a delegate (403 inside, 404 outside) */
    cp_actor none;
    make(&none, CP_ACTOR_KEY, 0, M_FR, "33333333-0000-4000-8000-000000000001", true, false);
    cp_collection_policy in = {.audience = GRP, .reader_in_group = true, .reader_can_read = true,
                               .reader_can_write = true};
    cp_collection_policy out = {.audience = GRP, .reader_can_read = true, .reader_can_write = true};
    CHECK_INT(cp_intel_may_read(&none, &in, TG, &err), E403);
    CHECK_INT(cp_intel_may_read(&none, &out, TG, &err), E404);
    CHECK_INT(cp_intel_may_write(&none, &in, TG, NULL, &err), E403);
    cp_collection_policy pub = {.audience = PUB};
    CHECK_INT(cp_intel_may_read(&none, &pub, TC, &err), OK);
    /* an analyst of the alliance organisation is an ordinary recipient */
    cp_actor aa;
    make(&aa, CP_ACTOR_KEY, CP_ROLE_ANALYST, M_ALLIANCE, "33333333-0000-4000-8000-000000000002", true, true);
    CHECK_INT(cp_intel_may_read(&aa, &in, TR, &err), OK);
    CHECK_INT(cp_intel_may_read(&aa, &out, TR, &err), E404);
    /* an auditor who is also an analyst of a member in the group reads as an analyst */
    cp_actor both;
    make(&both, CP_ACTOR_KEY, CP_ROLE_ANALYST | CP_ROLE_AUDITOR, M_ALLIANCE, "33333333-0000-4000-8000-000000000003",
         true, true);
    CHECK_INT(cp_intel_may_read(&both, &in, TR, &err), OK);
    CHECK_INT(cp_intel_may_read(&both, &out, TR, &err), E403); /* knows it (auditor), not a recipient */
}

static void test_names(void)
{
    CHECK_STR(cp_tlp_name(T0), "none");
    CHECK_STR(cp_tlp_name(TC), "TLP:CLEAR");
    CHECK_STR(cp_tlp_name(TG), "TLP:GREEN");
    CHECK_STR(cp_tlp_name(TA), "TLP:AMBER");
    CHECK_STR(cp_tlp_name(TS), "TLP:AMBER+STRICT");
    CHECK_STR(cp_tlp_name(TR), "TLP:RED");
    CHECK_STR(cp_tlp_name((cp_tlp)6), "?");
    CHECK_STR(cp_tlp_name((cp_tlp)-1), "?");
    /* strictness order */
    CHECK(T0 < TC && TC < TG && TG < TA && TA < TS && TS < TR);

    cp_err err = {{0}};
    for (int t = TC; t <= TR; t++) {
        cp_tlp got = T0;
        CHECK_INT(cp_tlp_parse(cp_tlp_name((cp_tlp)t), &got, &err), OK);
        CHECK_INT(got, t);
    }
    static const struct {
        const char *s;
        cp_tlp want;
    } OKS[] = {
        {"tlp:clear", TC}, {"TLP:WHITE", TC}, {"white", TC},  {"Green", TG},         {"tlp:amber", TA},
        {"AMBER", TA},     {"amber+strict", TS}, {"tlp:amber+strict", TS}, {"TLP:Red", TR},
    };
    for (size_t i = 0; i < sizeof OKS / sizeof OKS[0]; i++) {
        cp_tlp got = T0;
        CHECK_INT(cp_tlp_parse(OKS[i].s, &got, &err), OK);
        CHECK_INT(got, OKS[i].want);
    }
    static const char *const BAD[] = {"", "none", "TLP:", "TLP:NONE", "amber strict", "amber+", "TLP:AMBER ",
                                      " red", "tlp:ex:chr", "TLP:TLP:RED", "redd"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        cp_tlp got = TG;
        CHECK_INT(cp_tlp_parse(BAD[i], &got, &err), E422);
        CHECK_INT(got, TG); /* untouched */
        CHECK(strstr(err.msg, "unknown TLP level") != NULL);
    }
    cp_tlp got = TG;
    CHECK_INT(cp_tlp_parse(NULL, &got, &err), E422);

    CHECK(cp_tlp_allows_constituents(TC));
    CHECK(cp_tlp_allows_constituents(TG));
    CHECK(cp_tlp_allows_constituents(TA));
    CHECK(!cp_tlp_allows_constituents(TS));
    CHECK(!cp_tlp_allows_constituents(TR));
    CHECK(!cp_tlp_allows_constituents(T0));

    cp_audience a = GRP;
    CHECK_STR(cp_audience_name(PUB), "public");
    CHECK_STR(cp_audience_name(ALL), "alliance");
    CHECK_STR(cp_audience_name(GRP), "group");
    CHECK_INT(cp_audience_parse("public", &a, &err), OK);
    CHECK_INT(a, PUB);
    CHECK_INT(cp_audience_parse("alliance", &a, &err), OK);
    CHECK_INT(a, ALL);
    CHECK_INT(cp_audience_parse("group", &a, &err), OK);
    CHECK_INT(a, GRP);
    CHECK_INT(cp_audience_parse("Public", &a, &err), E422);
    CHECK_INT(cp_audience_parse(NULL, &a, &err), E422);
    CHECK_INT(a, GRP);
}

int main(void)
{
    setup();
    RUN(test_matrix_complete);
    RUN(test_read_matrix);
    RUN(test_write_matrix);
    RUN(test_messages);
    RUN(test_marking_ids);
    RUN(test_of_object);
    RUN(test_accept);
    RUN(test_read_default);
    RUN(test_special_actors);
    RUN(test_names);
    return harness_done();
}
