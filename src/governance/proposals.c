/*
 * proposals.c — proposals, versions, lifecycle (except closing: close.c) and
 * comments (proposals.h).
 */
#include "governance/proposals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/bodies.h"
#include "governance/budget_effect.h"
#include "governance/gov_db.h"
#include "governance/record.h"

#define TITLE_MAX 300
#define TEXT_MAX 100000
#define LINKS_MAX 20
#define LINK_MAX 2000
#define COMMENT_MAX 4000
#define DEFAULT_REMIND_MIN 1440

static const char *const TYPES[] = {"budget", "admission", "suspension", "service_catalogue", "policy", "other"};

bool cp_gov_proposal_type_valid(const char *t)
{
    for (size_t i = 0; t && i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcmp(t, TYPES[i]) == 0) return true;
    return false;
}

/* The create fields, checked. Strings borrow from the JSON they came from. */
typedef struct {
    const char *type, *title, *text, *body;
    const json_t *links;
    const json_t *budget; /* a budget proposal's figures (budget_effect.h), or NULL */
    cp_rule rule;
    cp_quorum quorum;
    bool public_ballots;
    bool has_opens, has_closes;
    int64_t opens_at, closes_at;
    int64_t remind_before; /* ms */
} spec;

static const cp_jfield SPEC_FIELDS[] = {
    {"type", CP_JT_STRING, true, 32},
    {"title", CP_JT_STRING, true, TITLE_MAX},
    {"text", CP_JT_STRING, true, TEXT_MAX},
    {"links", CP_JT_STRING_ARRAY, false, LINKS_MAX},
    {"rule", CP_JT_STRING, true, 16},
    {"quorum", CP_JT_OBJECT, false, 0},
    {"body_id", CP_JT_STRING, false, 64},
    {"public_ballots", CP_JT_BOOL, false, 0},
    {"opens_at", CP_JT_STRING_NULL, false, 64},
    {"closes_at", CP_JT_STRING_NULL, false, 64},
    {"remind_before_minutes", CP_JT_INT, false, 0},
    {"budget", CP_JT_OBJECT, false, 0},
    {"note", CP_JT_STRING, false, 1000}, /* amendments only */
};
#define N_SPEC (sizeof SPEC_FIELDS / sizeof SPEC_FIELDS[0])

static cp_status parse_spec(cp_conn *c, const json_t *in, bool amend, spec *sp, cp_err *err)
{
    memset(sp, 0, sizeof *sp);
    cp_status st = cp_json_check(in, "body", SPEC_FIELDS, amend ? N_SPEC : N_SPEC - 1, err);
    if (st) return st;
    sp->type = cp_json_str(in, "type");
    sp->title = cp_json_str(in, "title");
    sp->text = cp_json_str(in, "text");
    if (!cp_gov_proposal_type_valid(sp->type))
        return cp_fail(err, CP_E_BAD_REQUEST,
                       "body.type: must be budget, admission, suspension, service_catalogue, policy or other");
    if (!*sp->title) return cp_fail(err, CP_E_BAD_REQUEST, "body.title: must not be empty");
    if (!*sp->text) return cp_fail(err, CP_E_BAD_REQUEST, "body.text: must not be empty");
    int r = cp_rule_parse(cp_json_str(in, "rule"));
    if (r < 0) return cp_fail(err, CP_E_BAD_REQUEST, "body.rule: must be simple, two_thirds or consensus");
    sp->rule = (cp_rule)r;
    sp->links = json_object_get(in, "links");
    size_t i;
    const json_t *l;
    json_array_foreach(sp->links, i, l)
    {
        const char *u = json_string_value(l);
        size_t n = json_string_length(l);
        if (n > LINK_MAX || (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) || strchr(u, ' ') ||
            n < 10)
            return cp_fail(err, CP_E_BAD_REQUEST, "body.links[%zu]: must be an http(s) URL of at most %d bytes", i, LINK_MAX);
    }
    sp->quorum = CP_QUORUM_DEFAULT;
    const json_t *q = json_object_get(in, "quorum");
    if (q) {
        static const cp_jfield QF[] = {{"num", CP_JT_INT, true, 0}, {"den", CP_JT_INT, true, 0}, {"strict", CP_JT_BOOL, false, 0}};
        if ((st = cp_json_check(q, "body.quorum", QF, 3, err))) return st;
        sp->quorum.num = json_integer_value(json_object_get(q, "num"));
        sp->quorum.den = json_integer_value(json_object_get(q, "den"));
        const json_t *s = json_object_get(q, "strict");
        sp->quorum.strict = s ? json_is_true(s) : true;
        if (sp->quorum.den < 1 || sp->quorum.den > 1000 || sp->quorum.num < 0 || sp->quorum.num > sp->quorum.den)
            return cp_fail(err, CP_E_BAD_REQUEST, "body.quorum: must be a fraction num/den with 0 <= num <= den and 1 <= den <= 1000");
    }
    sp->body = cp_json_str(in, "body_id");
    if (!sp->body) sp->body = CP_GOV_ASSEMBLY;
    json_t *b;
    if ((st = cp_gov_body_get(c, sp->body, 0, &b, err)))
        return st == CP_E_NOT_FOUND ? cp_fail(err, CP_E_UNPROCESSABLE, "body.body_id: no such body") : st;
    json_decref(b);
    sp->public_ballots = json_is_true(json_object_get(in, "public_ballots"));
    if ((st = gov_time_field(in, "body", "opens_at", &sp->has_opens, &sp->opens_at, err)) ||
        (st = gov_time_field(in, "body", "closes_at", &sp->has_closes, &sp->closes_at, err)))
        return st;
    if (sp->has_opens && sp->has_closes && sp->closes_at <= sp->opens_at)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.closes_at: must be after body.opens_at");
    const json_t *rb = json_object_get(in, "remind_before_minutes");
    int64_t minutes = rb ? json_integer_value(rb) : DEFAULT_REMIND_MIN;
    if (minutes < 0 || minutes > 60 * 24 * 60)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.remind_before_minutes: must be 0 to 86400");
    sp->remind_before = minutes * 60000;
    sp->budget = json_object_get(in, "budget");
    if (json_is_null(sp->budget)) sp->budget = NULL; /* an amendment removing it */
    if (sp->budget && strcmp(sp->type, "budget") != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.budget: only a proposal of type budget carries a budget");
    if (sp->budget) {
        char *t = json_dumps(sp->budget, JSON_COMPACT);
        size_t n = t ? strlen(t) : 0;
        free(t);
        if (!n) return cp_fail(err, CP_E_NOMEM, "out of memory");
        if (n > CP_GOV_BUDGET_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "body.budget: at most %d bytes", CP_GOV_BUDGET_MAX);
    }
    return CP_OK;
}

/* The create fields of sp as JSON (a version's body). */
static json_t *spec_json(const spec *sp)
{
    json_t *o = json_pack("{ss ss ss so ss s{sI sI sb} ss sb so so sI}", "type", sp->type, "title", sp->title, "text", sp->text,
                     "links", sp->links ? json_incref((json_t *)sp->links) : json_array(), "rule", cp_rule_name(sp->rule), "quorum", "num",
                     (json_int_t)sp->quorum.num, "den", (json_int_t)sp->quorum.den, "strict", sp->quorum.strict, "body_id",
                     sp->body, "public_ballots", sp->public_ballots, "opens_at", gov_time(sp->opens_at, !sp->has_opens),
                     "closes_at", gov_time(sp->closes_at, !sp->has_closes), "remind_before_minutes",
                     (json_int_t)(sp->remind_before / 60000));
    if (o && sp->budget) json_object_set(o, "budget", (json_t *)sp->budget);
    return o;
}

static cp_status insert_version(cp_conn *c, const cp_actor *a, const char *id, int version, const spec *sp,
                                const char *note, int64_t now, cp_err *err)
{
    json_t *body = spec_json(sp);
    char *text = json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(body);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(
        c, "INSERT INTO gov_proposal_versions (proposal_id, version, body, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_int(s, 2, version);
        cp_stmt_bind_text(s, 3, text);
        cp_stmt_bind_text(s, 4, note);
        cp_stmt_bind_text(s, 5, a->label);
        cp_stmt_bind_int(s, 6, now);
        st = gov_run(s, err);
    }
    free(text);
    return st;
}

static void bind_spec(cp_stmt *s, int at, const spec *sp, const char *links)
{
    cp_stmt_bind_text(s, at, sp->body);
    cp_stmt_bind_text(s, at + 1, sp->type);
    cp_stmt_bind_text(s, at + 2, sp->title);
    cp_stmt_bind_text(s, at + 3, sp->text);
    cp_stmt_bind_text(s, at + 4, links);
    cp_stmt_bind_text(s, at + 5, cp_rule_name(sp->rule));
    cp_stmt_bind_int(s, at + 6, sp->quorum.num);
    cp_stmt_bind_int(s, at + 7, sp->quorum.den);
    cp_stmt_bind_int(s, at + 8, sp->quorum.strict);
    cp_stmt_bind_int(s, at + 9, sp->public_ballots);
    if (sp->has_opens) cp_stmt_bind_int(s, at + 10, sp->opens_at);
    else cp_stmt_bind_null(s, at + 10);
    if (sp->has_closes) cp_stmt_bind_int(s, at + 11, sp->closes_at);
    else cp_stmt_bind_null(s, at + 11);
    cp_stmt_bind_int(s, at + 12, sp->remind_before);
}

static cp_status audit(cp_conn *c, const cp_actor *a, const char *action, const char *id, json_t *detail, cp_err *err)
{
    char target[64];
    snprintf(target, sizeof target, "gov_proposal:%.40s", id);
    cp_status st = cp_audit_append(c, a->label, action, target, detail, err);
    json_decref(detail);
    return st;
}

cp_status cp_gov_proposal_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    spec sp;
    cp_status st = parse_spec(c, in, false, &sp, err);
    if (st) return st;
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    int64_t now = cp_now_ms();
    char *links = sp.links ? json_dumps(sp.links, JSON_COMPACT) : strdup("[]");
    char *budget = sp.budget ? json_dumps(sp.budget, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    bool own;
    if ((st = gov_tx_open(c, &own, err))) {
        free(links);
        free(budget);
        return st;
    }
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "INSERT INTO gov_proposals (id, body_id, type, title, text, links, rule, quorum_num, quorum_den,"
                         " quorum_strict, public_ballots, opens_at, closes_at, remind_before, status, version, round,"
                         " ballot_seq, created_by, created_at, updated_at, budget)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', 1, 1, 0, ?, ?, ?, ?)",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        bind_spec(s, 2, &sp, links);
        cp_stmt_bind_text(s, 15, a->label);
        cp_stmt_bind_int(s, 16, now);
        cp_stmt_bind_int(s, 17, now);
        cp_stmt_bind_text(s, 18, budget);
        st = gov_run(s, err);
    }
    if (!st) st = cp_gov_budget_try(c, id, sp.budget, err); /* told now, not when the vote closes */
    if (!st) st = insert_version(c, a, id, 1, &sp, NULL, now, err);
    if (!st) st = audit(c, a, "gov.proposal.create", id, json_pack("{ss ss ss}", "title", sp.title, "type", sp.type, "rule", cp_rule_name(sp.rule)), err);
    free(links);
    free(budget);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return cp_gov_proposal_get(c, id, out, err);
}

cp_status cp_gov_proposal_load(cp_conn *c, const char *id, cp_gov_proposal *p, cp_err *err)
{
    memset(p, 0, sizeof *p);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, body_id, status, rule, quorum_num, quorum_den, quorum_strict, public_ballots,"
                                   " opens_at, closes_at, remind_before, round, version FROM gov_proposals WHERE id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        snprintf(p->id, sizeof p->id, "%s", cp_stmt_col_text(s, 0));
        snprintf(p->body, sizeof p->body, "%s", cp_stmt_col_text(s, 1));
        snprintf(p->status, sizeof p->status, "%s", cp_stmt_col_text(s, 2));
        int rule = cp_rule_parse(cp_stmt_col_text(s, 3));
        p->rule = rule < 0 ? CP_RULE_SIMPLE : (cp_rule)rule;
        p->quorum = (cp_quorum){cp_stmt_col_int(s, 4), cp_stmt_col_int(s, 5), cp_stmt_col_int(s, 6) != 0};
        p->public_ballots = cp_stmt_col_int(s, 7) != 0;
        p->has_opens = !cp_stmt_col_is_null(s, 8);
        p->opens_at = cp_stmt_col_int(s, 8);
        p->has_closes = !cp_stmt_col_is_null(s, 9);
        p->closes_at = cp_stmt_col_int(s, 9);
        p->remind_before = cp_stmt_col_int(s, 10);
        p->round = (int)cp_stmt_col_int(s, 11);
        p->version = (int)cp_stmt_col_int(s, 12);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such proposal") : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

#define PCOLS                                                                                                           \
    "id, body_id, type, title, text, links, rule, quorum_num, quorum_den, quorum_strict, public_ballots, opens_at,"    \
    " closes_at, remind_before, status, version, round, result, created_by, created_at, updated_at, opened_at, closed_at,"  \
    " budget, budget_effect"

static json_t *proposal_json(cp_stmt *s, bool with_text)
{
    json_error_t je;
    json_t *links = json_loads(cp_stmt_col_text(s, 5), 0, &je);
    json_t *o = json_pack("{ss ss ss ss so ss s{sI sI sb} sb so so sI ss sI sI ss so so so so}", "id", cp_stmt_col_text(s, 0),
                          "body_id", cp_stmt_col_text(s, 1), "type", cp_stmt_col_text(s, 2), "title", cp_stmt_col_text(s, 3),
                          "links", links ? links : json_array(), "rule", cp_stmt_col_text(s, 6), "quorum", "num",
                          (json_int_t)cp_stmt_col_int(s, 7), "den", (json_int_t)cp_stmt_col_int(s, 8), "strict",
                          cp_stmt_col_int(s, 9) != 0, "public_ballots", cp_stmt_col_int(s, 10) != 0, "opens_at",
                          gov_time(cp_stmt_col_int(s, 11), cp_stmt_col_is_null(s, 11)), "closes_at",
                          gov_time(cp_stmt_col_int(s, 12), cp_stmt_col_is_null(s, 12)), "remind_before_minutes",
                          (json_int_t)(cp_stmt_col_int(s, 13) / 60000), "status", cp_stmt_col_text(s, 14), "version",
                          (json_int_t)cp_stmt_col_int(s, 15), "round", (json_int_t)cp_stmt_col_int(s, 16), "created_by",
                          cp_stmt_col_text(s, 18), "created_at", gov_time(cp_stmt_col_int(s, 19), false), "updated_at",
                          gov_time(cp_stmt_col_int(s, 20), false), "opened_at",
                          gov_time(cp_stmt_col_int(s, 21), cp_stmt_col_is_null(s, 21)), "closed_at",
                          gov_time(cp_stmt_col_int(s, 22), cp_stmt_col_is_null(s, 22)));
    if (with_text) json_object_set_new(o, "text", json_string(cp_stmt_col_text(s, 4)));
    json_object_set_new(o, "closed", json_boolean(!cp_stmt_col_is_null(s, 22))); /* the vote has closed (the status says how) */
    json_t *result = cp_stmt_col_is_null(s, 17) ? NULL : json_loads(cp_stmt_col_text(s, 17), 0, &je);
    json_object_set_new(o, "result", result ? result : json_null());
    /* a budget proposal's figures and, once adopted, what applying them did (budget_effect.h) */
    json_t *budget = cp_stmt_col_is_null(s, 23) ? NULL : json_loads(cp_stmt_col_text(s, 23), 0, &je);
    json_t *effect = cp_stmt_col_is_null(s, 24) ? NULL : json_loads(cp_stmt_col_text(s, 24), 0, &je);
    json_object_set_new(o, "budget", budget ? budget : json_null());
    json_object_set_new(o, "budget_effect", effect ? effect : json_null());
    return o;
}

cp_status cp_gov_proposal_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " PCOLS " FROM gov_proposals WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = proposal_json(s, true);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such proposal") : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_proposal_list(cp_conn *c, const char *status, const char *body, int64_t offset, int limit,
                               json_t **items, bool *more, cp_err *err)
{
    *items = json_array();
    *more = false;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT " PCOLS " FROM gov_proposals WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
                                   " AND (CAST(? AS TEXT) IS NULL OR body_id = ?) ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, status);
    cp_stmt_bind_text(s, 2, status);
    cp_stmt_bind_text(s, 3, body);
    cp_stmt_bind_text(s, 4, body);
    cp_stmt_bind_int(s, 5, limit + 1);
    cp_stmt_bind_int(s, 6, offset);
    cp_step r;
    int n = 0;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n++ == limit) {
            *more = true;
            continue;
        }
        json_array_append_new(*items, proposal_json(s, false));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_proposal_versions(cp_conn *c, const char *id, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_gov_proposal p;
    cp_status st = cp_gov_proposal_load(c, id, &p, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT version, body, note, created_by, created_at FROM gov_proposal_versions"
                              " WHERE proposal_id = ? ORDER BY version",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        json_error_t je;
        json_t *b = json_loads(cp_stmt_col_text(s, 1), 0, &je);
        json_array_append_new(*items, json_pack("{sI so so ss so}", "version", (json_int_t)cp_stmt_col_int(s, 0), "proposal",
                                                b ? b : json_null(), "note",
                                                cp_stmt_col_is_null(s, 2) ? json_null() : json_string(cp_stmt_col_text(s, 2)),
                                                "created_by", cp_stmt_col_text(s, 3), "created_at",
                                                gov_time(cp_stmt_col_int(s, 4), false)));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* Moves the proposal from `from` (checked under the row's write lock) and
 * returns CP_E_CONFLICT when it is in another state. */
static cp_status expect_status(cp_conn *c, const char *id, const char *from, const char *what, cp_gov_proposal *p,
                               cp_err *err)
{
    cp_status st = cp_gov_proposal_load(c, id, p, err);
    if (st) return st;
    if (strcmp(p->status, from) != 0)
        return cp_fail(err, CP_E_CONFLICT, "the proposal is %s; only a %s proposal can be %s", p->status, from, what);
    return CP_OK;
}

cp_status cp_gov_proposal_amend(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err)
{
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    if (json_object_size(in) == 0) return cp_fail(err, CP_E_BAD_REQUEST, "body: nothing to amend");
    json_t *cur;
    cp_status st = cp_gov_proposal_get(c, id, &cur, err);
    if (st) return st;
    /* the current create fields, overridden by the amendment */
    json_t *merged = json_object();
    for (size_t i = 0; i < N_SPEC - 1; i++) {
        json_t *v = json_object_get(cur, SPEC_FIELDS[i].name);
        if (v && !json_is_null(v)) json_object_set(merged, SPEC_FIELDS[i].name, v);
    }
    json_decref(cur);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v) json_object_set(merged, k, v);
    spec sp;
    bool own;
    st = parse_spec(c, merged, true, &sp, err);
    if (!st) st = gov_tx_open(c, &own, err);
    if (st) {
        json_decref(merged);
        return st;
    }
    cp_gov_proposal p;
    int64_t now = cp_now_ms();
    char *links = sp.links ? json_dumps(sp.links, JSON_COMPACT) : strdup("[]");
    char *budget = sp.budget ? json_dumps(sp.budget, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    cp_stmt *s;
    /* the state is checked again inside the write transaction */
    st = expect_status(c, id, "draft", "amended", &p, err);
    if (!st)
        st = cp_stmt_prepare(c,
                             "UPDATE gov_proposals SET body_id = ?, type = ?, title = ?, text = ?, links = ?, rule = ?,"
                             " quorum_num = ?, quorum_den = ?, quorum_strict = ?, public_ballots = ?, opens_at = ?,"
                             " closes_at = ?, remind_before = ?, version = version + 1, updated_at = ?, budget = ?"
                             " WHERE id = ? AND status = 'draft'",
                             &s, err);
    if (!st) {
        bind_spec(s, 1, &sp, links);
        cp_stmt_bind_int(s, 14, now);
        cp_stmt_bind_text(s, 15, budget);
        cp_stmt_bind_text(s, 16, id);
        st = gov_run(s, err);
    }
    if (!st) st = cp_gov_budget_try(c, id, sp.budget, err);
    if (!st) st = insert_version(c, a, id, p.version + 1, &sp, cp_json_str(merged, "note"), now, err);
    if (!st) st = audit(c, a, "gov.proposal.amend", id, json_pack("{sI}", "version", (json_int_t)(p.version + 1)), err);
    free(links);
    free(budget);
    json_decref(merged);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return cp_gov_proposal_get(c, id, out, err);
}

/* The record entry of an opening (round r). */
static cp_status record_opened(cp_conn *c, const char *id, int64_t now, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT body_id, type, title, text, rule, quorum_num, quorum_den, quorum_strict,"
                                   " public_ballots, opens_at, closes_at, round, version FROM gov_proposals WHERE id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    json_t *e = NULL;
    if (r == CP_STEP_ROW) {
        char digest[CP_SHA256_HEX_LEN + 1];
        const char *text = cp_stmt_col_text(s, 3);
        cp_sha256_hex(text, strlen(text), digest);
        e = json_pack("{ss so ss sI ss ss ss ss s{sI sI sb} sb so so sI ss}", "type", "proposal.opened", "at",
                      gov_time(now, false), "proposal", id, "round", (json_int_t)cp_stmt_col_int(s, 11), "body",
                      cp_stmt_col_text(s, 0), "proposal_type", cp_stmt_col_text(s, 1), "title", cp_stmt_col_text(s, 2),
                      "rule", cp_stmt_col_text(s, 4), "quorum", "num", (json_int_t)cp_stmt_col_int(s, 5), "den",
                      (json_int_t)cp_stmt_col_int(s, 6), "strict", cp_stmt_col_int(s, 7) != 0, "public_ballots",
                      cp_stmt_col_int(s, 8) != 0, "opens_at", gov_time(cp_stmt_col_int(s, 9), false), "closes_at",
                      gov_time(cp_stmt_col_int(s, 10), false), "version", (json_int_t)cp_stmt_col_int(s, 12),
                      "text_sha256", digest);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such proposal") : CP_OK;
    cp_stmt_finalize(s);
    if (!st) st = cp_record_append(c, e, NULL, err);
    json_decref(e);
    return st;
}

/* Opening and re-opening share this: state from → open with the given times. */
static cp_status open_round(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, bool reopen, json_t **out,
                            cp_err *err)
{
    static const cp_jfield F[] = {{"opens_at", CP_JT_STRING_NULL, false, 64}, {"closes_at", CP_JT_STRING_NULL, false, 64}};
    *out = NULL;
    if (in && !json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = in ? cp_json_check(in, "body", F, 2, err) : CP_OK;
    if (st) return st;
    bool has_o = false, has_c = false;
    int64_t o = 0, cl = 0;
    if (in && ((st = gov_time_field(in, "body", "opens_at", &has_o, &o, err)) ||
               (st = gov_time_field(in, "body", "closes_at", &has_c, &cl, err))))
        return st;
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    cp_gov_proposal p;
    int64_t now = cp_now_ms();
    st = expect_status(c, id, reopen ? "postponed" : "draft", reopen ? "re-opened" : "opened", &p, err);
    if (!st) {
        if (!has_o) {
            has_o = !reopen && p.has_opens;
            o = has_o ? p.opens_at : now;
        }
        if (o < now) o = now;
        if (!has_c) {
            has_c = !reopen && p.has_closes;
            cl = p.closes_at;
        }
        if (!has_c) st = cp_fail(err, CP_E_UNPROCESSABLE, "body.closes_at: a closing time is required to open the vote");
        else if (cl <= o) st = cp_fail(err, CP_E_UNPROCESSABLE, "body.closes_at: must be later than the opening time and now");
    }
    cp_stmt *s;
    if (!st)
        st = cp_stmt_prepare(c,
                             reopen ? "UPDATE gov_proposals SET status = 'open', opens_at = ?, closes_at = ?, round = round + 1,"
                                      " ballot_seq = 0, opened_at = ?, closed_at = NULL, updated_at = ? WHERE id = ? AND status = 'postponed'"
                                    : "UPDATE gov_proposals SET status = 'open', opens_at = ?, closes_at = ?, ballot_seq = 0,"
                                      " opened_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
                             &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, o);
        cp_stmt_bind_int(s, 2, cl);
        cp_stmt_bind_int(s, 3, now);
        cp_stmt_bind_int(s, 4, now);
        cp_stmt_bind_text(s, 5, id);
        st = gov_run(s, err);
    }
    if (!st) st = record_opened(c, id, now, err);
    if (!st)
        st = audit(c, a, reopen ? "gov.proposal.reopen" : "gov.proposal.open", id,
                   json_pack("{so so sI}", "opens_at", gov_time(o, false), "closes_at", gov_time(cl, false), "round",
                             (json_int_t)(p.round + (reopen ? 1 : 0))),
                   err);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return cp_gov_proposal_get(c, id, out, err);
}

cp_status cp_gov_proposal_open(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err)
{
    return open_round(c, a, id, in, false, out, err);
}

cp_status cp_gov_proposal_reopen(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err)
{
    return open_round(c, a, id, in, true, out, err);
}

cp_status cp_gov_proposal_withdraw(cp_conn *c, const cp_actor *a, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    bool own;
    cp_status st = gov_tx_open(c, &own, err);
    if (st) return st;
    cp_gov_proposal p;
    cp_stmt *s;
    int64_t now = cp_now_ms();
    st = expect_status(c, id, "draft", "withdrawn", &p, err);
    if (!st) st = cp_stmt_prepare(c, "UPDATE gov_proposals SET status = 'withdrawn', updated_at = ? WHERE id = ? AND status = 'draft'", &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, now);
        cp_stmt_bind_text(s, 2, id);
        st = gov_run(s, err);
    }
    if (!st) st = audit(c, a, "gov.proposal.withdraw", id, NULL, err);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return cp_gov_proposal_get(c, id, out, err);
}

cp_status cp_gov_comment_add(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"text", CP_JT_STRING, true, COMMENT_MAX}};
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = cp_json_check(in, "body", F, 1, err);
    if (st) return st;
    const char *text = cp_json_str(in, "text");
    if (!*text) return cp_fail(err, CP_E_BAD_REQUEST, "body.text: must not be empty");
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    cp_gov_proposal p;
    int64_t now = cp_now_ms();
    char cid[CP_UUID_LEN + 1];
    cp_uuid4(cid);
    st = expect_status(c, id, "open", "commented", &p, err);
    cp_stmt *s;
    if (!st)
        st = cp_stmt_prepare(c, "INSERT INTO gov_comments (id, proposal_id, member_id, user_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                             &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, cid);
        cp_stmt_bind_text(s, 2, id);
        cp_stmt_bind_text(s, 3, a->member_id);
        cp_stmt_bind_text(s, 4, a->user_id[0] ? a->user_id : NULL);
        cp_stmt_bind_text(s, 5, text);
        cp_stmt_bind_int(s, 6, now);
        st = gov_run(s, err);
    }
    if (!st) st = audit(c, a, "gov.comment.add", id, json_pack("{ss}", "comment", cid), err);
    if ((st = gov_tx_close(c, own, st, err))) return st;
    *out = json_pack("{ss ss ss ss so}", "id", cid, "proposal_id", id, "member_id", a->member_id, "text", text,
                     "created_at", gov_time(now, false));
    return CP_OK;
}

cp_status cp_gov_comment_list(cp_conn *c, const char *id, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_gov_proposal p;
    cp_status st = cp_gov_proposal_load(c, id, &p, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT k.id, k.member_id, m.name, k.text, k.created_at FROM gov_comments k"
                              " LEFT JOIN members m ON m.id = k.member_id WHERE k.proposal_id = ? ORDER BY k.created_at, k.id"
                              " LIMIT 2000",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        json_array_append_new(*items, json_pack("{ss ss ss ss so}", "id", cp_stmt_col_text(s, 0), "member_id",
                                                cp_stmt_col_text(s, 1), "member_name",
                                                cp_stmt_col_is_null(s, 2) ? "" : cp_stmt_col_text(s, 2), "text",
                                                cp_stmt_col_text(s, 3), "created_at", gov_time(cp_stmt_col_int(s, 4), false)));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
