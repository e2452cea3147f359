/*
 * demo_governance.c — the demo store's bodies, proposals, ballots, a proxy
 * and a member without the right to vote (demo_governance.h).
 */
#include "governance/demo_governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/timeutil.h"
#include "governance/ballots.h"
#include "governance/bodies.h"
#include "governance/close.h"
#include "governance/eligibility.h"
#include "governance/proposals.h"
#include "governance/proxies.h"
#include "members/users.h"

#define VOTERS 60
#define ARREARS 9 /* the demo voter without the right to vote */
#define DAY (24 * 3600 * 1000LL)

typedef struct {
    cp_conn *c;
    const cp_actor *a;
    char (*states)[CP_UUID_LEN + 1];
    cp_actor del[VOTERS];
    cp_err *err;
} demo;

static cp_status delegates(demo *d)
{
    for (int i = 0; i < VOTERS; i++) {
        cp_actor *x = &d->del[i];
        memset(x, 0, sizeof *x);
        char name[48];
        snprintf(name, sizeof name, "gov-delegate-%02d", i + 1);
        json_t *in = json_pack("{ss ss s[s]}", "member_id", d->states[i], "name", name, "roles", "delegate"),
               *out = NULL;
        cp_status st = cp_user_create(d->c, d->a, in, &out, d->err);
        json_decref(in);
        if (st) return st;
        x->kind = CP_ACTOR_KEY;
        x->roles = x->user_roles = CP_ROLE_DELEGATE;
        snprintf(x->user_id, sizeof x->user_id, "%s", cp_json_str(out, "id"));
        memcpy(x->member_id, d->states[i], CP_UUID_LEN + 1);
        snprintf(x->member_kind, sizeof x->member_kind, "member_state");
        x->member_active = true;
        snprintf(x->label, sizeof x->label, "user:%s", x->user_id);
        json_decref(out);
    }
    return CP_OK;
}

/* A draft; figures (may be NULL) is a budget proposal's budget document. */
static cp_status proposal_with(demo *d, const char *type, const char *title, const char *text, const char *rule,
                               const char *body, bool public_ballots, const json_t *figures, char id[CP_UUID_LEN + 1])
{
    json_t *in = json_pack("{ss ss ss ss sb s[s]}", "type", type, "title", title, "text", text, "rule", rule,
                           "public_ballots", public_ballots, "links", "https://alliance.example/documents/governance"),
           *out = NULL;
    if (body) json_object_set_new(in, "body_id", json_string(body));
    if (figures) json_object_set(in, "budget", (json_t *)figures);
    cp_status st = cp_gov_proposal_create(d->c, d->a, in, &out, d->err);
    json_decref(in);
    if (!st) snprintf(id, CP_UUID_LEN + 1, "%s", cp_json_str(out, "id"));
    json_decref(out);
    return st;
}

static cp_status proposal(demo *d, const char *type, const char *title, const char *text, const char *rule,
                          const char *body, bool public_ballots, char id[CP_UUID_LEN + 1])
{
    return proposal_with(d, type, title, text, rule, body, public_ballots, NULL, id);
}

static cp_status open_until(demo *d, const char *id, int64_t closes_at)
{
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(closes_at, t);
    json_t *in = json_pack("{ss}", "closes_at", t), *out = NULL;
    cp_status st = cp_gov_proposal_open(d->c, d->a, id, in, &out, d->err);
    json_decref(in);
    json_decref(out);
    return st;
}

static cp_status vote(demo *d, const char *id, int who, const char *choice, const char *for_member)
{
    json_t *in = json_pack("{ss}", "choice", choice), *out = NULL;
    if (for_member) json_object_set_new(in, "member_id", json_string(for_member));
    cp_status st = cp_gov_ballot_cast(d->c, &d->del[who], id, in, &out, d->err);
    json_decref(in);
    json_decref(out);
    return st;
}

/* Ballots from voters [from, to): the pattern string's letters in turn
 * (y yes, n no, a abstain, o object). */
static cp_status votes(demo *d, const char *id, int from, int to, const char *pattern)
{
    size_t k = strlen(pattern);
    for (int i = from; i < to; i++) {
        char ch = pattern[(size_t)(i - from) % k];
        const char *c = ch == 'y' ? "yes" : ch == 'n' ? "no" : ch == 'a' ? "abstain" : "object";
        cp_status st = vote(d, id, i, c, NULL);
        if (st) return st;
    }
    return CP_OK;
}

/* Reorders states for the installed eligibility source: those with the right
 * to vote in their order, except that the first state without it goes to
 * ARREARS and the others without it go last (past the VOTERS demo voters). */
static cp_status order_by_right(cp_conn *c, char (*states)[CP_UUID_LEN + 1], size_t n, cp_err *err)
{
    char(*with)[CP_UUID_LEN + 1] = malloc(n * sizeof *with), (*without)[CP_UUID_LEN + 1] = malloc(n * sizeof *without);
    size_t nw = 0, nl = 0;
    cp_status st = with && without ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
    int64_t now = cp_now_ms();
    for (size_t i = 0; i < n && !st; i++) {
        cp_vote_right r;
        if ((st = cp_eligibility_right_to_vote(c, states[i], now, &r, err))) break;
        memcpy(r.has_right ? with[nw++] : without[nl++], states[i], sizeof *with);
    }
    if (!st && nl == 0)
        st = cp_fail(err, CP_E_INTERNAL, "demo: no member state lost its vote (the finance demo makes some)");
    if (!st && nw < VOTERS)
        st = cp_fail(err, CP_E_INTERNAL, "demo: fewer than %d member states with the right to vote", VOTERS);
    if (!st) {
        size_t k = 0;
        for (size_t i = 0; i < nw; i++) {
            if (k == ARREARS) memcpy(states[k++], without[0], sizeof *with);
            memcpy(states[k++], with[i], sizeof *with);
        }
        for (size_t i = 1; i < nl; i++)
            memcpy(states[k++], without[i], sizeof *with);
    }
    free(with);
    free(without);
    return st;
}

static cp_status demo_run(cp_conn *c, const cp_actor *a, char (*states)[CP_UUID_LEN + 1], size_t n, bool placeholder,
                          cp_err *err);

cp_status cp_demo_governance(cp_conn *c, const cp_actor *a, char (*states)[CP_UUID_LEN + 1], size_t n, cp_err *err)
{
    if (n < VOTERS) return cp_fail(err, CP_E_INTERNAL, "the governance demo needs %d member states", VOTERS);
    /* The member state without the right to vote sits at index ARREARS; the
     * other voters must have it. With the placeholder source the demo records
     * arrears for states[ARREARS]; with another source (finance's ledger) the
     * states that source says lost their vote are moved: the first to
     * ARREARS, the others past the voters. The caller's array is not changed. */
    char(*order)[CP_UUID_LEN + 1] = malloc(n * sizeof *order);
    if (!order) return cp_fail(err, CP_E_NOMEM, "out of memory");
    memcpy(order, states, n * sizeof *order);
    bool placeholder = cp_eligibility_current() == &cp_eligibility_placeholder;
    cp_status st = placeholder ? CP_OK : order_by_right(c, order, n, err);
    if (st) {
        free(order);
        return st;
    }
    st = demo_run(c, a, order, n, placeholder, err);
    free(order);
    return st;
}

static cp_status demo_run(cp_conn *c, const cp_actor *a, char (*states)[CP_UUID_LEN + 1], size_t n, bool placeholder,
                          cp_err *err)
{
    demo d = {c, a, states, {{0}}, err};
    cp_status st = delegates(&d);
    if (st) return st;

    /* the Advisory Board: seven member states for two years */
    char t_end[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_now_ms() + 730 * DAY, t_end);
    json_t *in = json_pack("{ss ss s[]}", "name", "Advisory Board", "description",
                           "Advises the secretariat on the service catalogue and the budget", "seats"),
           *out = NULL;
    for (int i = 0; i < 7; i++)
        json_array_append_new(json_object_get(in, "seats"),
                              json_pack("{ss ss}", "member_id", states[i], "term_end", t_end));
    st = cp_gov_body_create(c, a, in, &out, err);
    json_decref(in);
    if (st) return st;
    char board[64];
    snprintf(board, sizeof board, "%s", cp_json_str(out, "id"));
    json_decref(out);

    /* a member state without the right to vote: with the placeholder source, arrears recorded
     * by the secretariat (otherwise the source already says so: order_by_right) */
    if (placeholder) {
        in = json_pack("{ss ss sI sI ss}", "state", "arrears", "reason",
                       "arrears equal or exceed the contributions due for the two preceding years", "arrears",
                       (json_int_t)4200000, "threshold", (json_int_t)4000000, "currency", "CHF");
        st = cp_gov_eligibility_record(c, a, states[ARREARS], in, &out, err);
        json_decref(in);
        json_decref(out);
        if (st) return st;
    }

    char draft[37], withdrawn[37], open_ga[37], adopted[37], rejected[37], postponed[37], board_open[37];
    /* a draft with an amendment, and a withdrawn draft */
    if ((st = proposal(&d, "service_catalogue", "Add a cyber drill for small CSIRTs to the catalogue",
                       "The catalogue gains an annual regional cyber drill sized for CSIRTs of fewer than ten people.",
                       "simple", NULL, false, draft)))
        return st;
    in = json_pack("{ss ss}", "text",
                   "The catalogue gains an annual regional cyber drill sized for CSIRTs of fewer than ten people, "
                   "held in two languages.",
                   "note", "adds the languages, as the Advisory Board asked");
    st = cp_gov_proposal_amend(c, a, draft, in, &out, err);
    json_decref(in);
    json_decref(out);
    if (st) return st;
    if ((st = proposal(&d, "other", "Move the 2027 assembly to Geneva", "Superseded by the host agreement.", "simple",
                       NULL, false, withdrawn)) ||
        (st = cp_gov_proposal_withdraw(c, a, withdrawn, &out, err)))
        return st;
    json_decref(out);

    /* votes that close in a moment: adopted, rejected, postponed */
    int64_t soon = cp_now_ms() + 1500;
    if ((st = proposal(&d, "policy", "Adopt the alliance incident taxonomy",
                       "Member CSIRTs classify incidents they share with the alliance taxonomy v1.", "simple", NULL,
                       false, adopted)) ||
        (st = open_until(&d, adopted, soon)) || (st = votes(&d, adopted, 0, 9, "yyyyyynay")) ||
        (st = votes(&d, adopted, 10, 48, "yyynyya")))
        return st;
    /* the member in arrears tries to vote: refused, and not eligible in the snapshot */
    if (vote(&d, adopted, ARREARS, "no", NULL) != CP_E_FORBIDDEN)
        return cp_fail(err, CP_E_INTERNAL, "demo: the member in arrears could vote");
    if ((st = proposal(&d, "admission", "Admit the Regional CERT Coordination Centre as an observer",
                       "The assembly admits the centre with observer status.", "two_thirds", NULL, false, rejected)) ||
        (st = open_until(&d, rejected, soon)) || (st = votes(&d, rejected, 0, 9, "yyn")) ||
        (st = votes(&d, rejected, 10, 46, "yynyna")))
        return st;
    /* next year's budget, with its figures: adopted, it sets the unit value and the budget
     * lines of that year (governance/budget_effect.h; finance applies it when installed) */
    char budget_next[37];
    time_t now_s = (time_t)(cp_now_ms() / 1000);
    struct tm now_tm;
    gmtime_r(&now_s, &now_tm);
    int next_year = now_tm.tm_year + 1900 + 1;
    json_t *figures =
        json_pack("{si ss ss s[{ss ss ss} {ss ss ss} {ss ss ss}]}", "year", next_year, "currency", "CHF", "unit_value",
                  "1350.00", "lines", "code", "early-warning", "name", "Early warning service", "amount", "2400000.00",
                  "code", "incident-coordination", "name", "Incident coordination", "amount", "1800000.00", "code",
                  "operations", "name", "Secretariat operations", "amount", "1100000.00");
    st = proposal_with(&d, "budget", "Budget of the next financial year",
                       "The unit of contribution is set at CHF 1,350 and three budget lines are approved.", "simple",
                       NULL, false, figures, budget_next);
    json_decref(figures);
    if (st || (st = open_until(&d, budget_next, soon)) || (st = votes(&d, budget_next, 0, 9, "yyyyyyyny")) ||
        (st = votes(&d, budget_next, 10, 48, "yyyynya")))
        return st;
    if ((st = proposal(&d, "budget", "Supplementary budget for the early-warning service",
                       "CHF 1.2 million for sensors in the ten least-covered member states.", "simple", board, false,
                       postponed)) ||
        (st = open_until(&d, postponed, soon)) || (st = votes(&d, postponed, 0, 3, "ya")))
        return st;

    /* open votes: the assembly, with a proxy; the board, with recorded (public) ballots */
    if ((st = proposal(&d, "policy", "Share sightings of critical-infrastructure indicators within 24 hours",
                       "Member states report sightings of indicators marked critical-infrastructure within 24 hours.",
                       "simple", NULL, false, open_ga)) ||
        (st = open_until(&d, open_ga, cp_now_ms() + 7 * DAY)) || (st = votes(&d, open_ga, 11, 35, "yyna")))
        return st;
    in = json_pack("{ss ss}", "holder", states[36], "proposal_id", open_ga);
    st = cp_gov_proxy_give(c, &d.del[37], in, &out, err);
    json_decref(in);
    json_decref(out);
    if (st || (st = vote(&d, open_ga, 36, "yes", states[37])) || (st = vote(&d, open_ga, 36, "no", NULL))) return st;
    if ((st = proposal(&d, "service_catalogue", "Publish service levels per member every quarter",
                       "The consistency report is published quarterly to the Advisory Board.", "consensus", board, true,
                       board_open)) ||
        (st = open_until(&d, board_open, cp_now_ms() + 3 * DAY)) || (st = votes(&d, board_open, 0, 4, "yya")))
        return st;
    in = json_pack("{ss}", "text", "Quarterly is right; please include response times.");
    st = cp_gov_comment_add(c, &d.del[2], board_open, in, &out, err);
    json_decref(in);
    json_decref(out);
    if (st) return st;

    /* wait for the short votes' closing time, then close them as the scheduler would */
    while (cp_now_ms() <= soon) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    const char *to_close[] = {adopted, budget_next, rejected, postponed};
    for (size_t i = 0; i < sizeof to_close / sizeof to_close[0]; i++)
        if ((st = cp_gov_close(c, "system", to_close[i], cp_now_ms(), NULL, err))) return st;
    return CP_OK;
}
