/*
 * tally.c — the pure count (tally.h has the rules). No store, no clock.
 */
#include "governance/tally.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const RULES[] = {"simple", "two_thirds", "consensus"};
static const char *const CHOICES[] = {"yes", "no", "abstain", "object"};
static const char *const OUTCOMES[] = {"adopted", "rejected", "postponed"};

const char *cp_rule_name(cp_rule r) { return (unsigned)r < CP_RULE_COUNT_ ? RULES[r] : "?"; }
const char *cp_choice_name(cp_choice c) { return (unsigned)c < CP_CHOICE_COUNT_ ? CHOICES[c] : "?"; }
const char *cp_outcome_name(cp_outcome o) { return (unsigned)o <= CP_OUTCOME_POSTPONED ? OUTCOMES[o] : "?"; }

int cp_rule_parse(const char *s)
{
    for (int i = 0; s && i < CP_RULE_COUNT_; i++)
        if (strcmp(s, RULES[i]) == 0) return i;
    return -1;
}

int cp_choice_parse(const char *s)
{
    for (int i = 0; s && i < CP_CHOICE_COUNT_; i++)
        if (strcmp(s, CHOICES[i]) == 0) return i;
    return -1;
}

bool cp_choice_allowed(cp_rule r, cp_choice c)
{
    if ((unsigned)c >= CP_CHOICE_COUNT_) return false;
    if (r == CP_RULE_CONSENSUS) return c != CP_CHOICE_NO;
    return c != CP_CHOICE_OBJECT;
}

void cp_tally_result_free(cp_tally_result *r)
{
    if (!r) return;
    json_decref(r->reasons);
    json_decref(r->ballots);
    r->reasons = r->ballots = NULL;
}

/* ---- sorting helpers (indexes, so the caller's arrays stay untouched) ---- */

/* qsort takes no context argument in C11; a thread-local pointer keeps the
 * comparators re-entrant across threads. */
static _Thread_local const cp_tally_input *tl_in;

static int by_voter(const void *a, const void *b)
{
    const cp_tally_voter *v = tl_in->voters;
    return strcmp(v[*(const size_t *)a].member, v[*(const size_t *)b].member);
}

static int by_member_seq(const void *a, const void *b)
{
    const cp_tally_ballot *x = &tl_in->ballots[*(const size_t *)a], *y = &tl_in->ballots[*(const size_t *)b];
    int c = strcmp(x->member, y->member);
    if (c) return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
    const cp_tally_ballot *x = &tl_in->ballots[*(const size_t *)a], *y = &tl_in->ballots[*(const size_t *)b];
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_idx(const cp_tally_input *in, size_t *idx, size_t n, int (*cmp)(const void *, const void *))
{
    tl_in = in;
    qsort(idx, n, sizeof *idx, cmp);
}

/* Binary search of member among voters sorted by vidx. */
static const cp_tally_voter *find_voter(const cp_tally_input *in, const size_t *vidx, const char *member)
{
    size_t lo = 0, hi = in->n_voters;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(member, in->voters[vidx[mid]].member);
        if (c == 0) return &in->voters[vidx[mid]];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

static bool proxy_in_force(const cp_tally_input *in, const char *giver, const char *holder, int64_t at)
{
    for (size_t i = 0; i < in->n_proxies; i++) {
        const cp_tally_proxy *p = &in->proxies[i];
        if (strcmp(p->giver, giver) == 0 && strcmp(p->holder, holder) == 0 && p->given_at <= at &&
            (p->revoked_at == 0 || at < p->revoked_at))
            return true;
    }
    return false;
}

static void reason(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(json_t *arr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(arr, json_string(buf));
}

static cp_status check_input(const cp_tally_input *in, size_t *vidx, size_t *bidx, cp_err *err)
{
    if ((unsigned)in->rule >= CP_RULE_COUNT_) return cp_fail(err, CP_E_UNPROCESSABLE, "rule: unknown");
    const cp_quorum *q = &in->quorum;
    if (q->den < 1 || q->den > 1000000 || q->num < 0 || q->num > q->den)
        return cp_fail(err, CP_E_UNPROCESSABLE, "quorum: must be a fraction num/den with 0 <= num <= den, 1 <= den <= 1000000");
    if (in->n_voters > CP_TALLY_MAX_ITEMS || in->n_ballots > CP_TALLY_MAX_ITEMS || in->n_proxies > CP_TALLY_MAX_ITEMS)
        return cp_fail(err, CP_E_UNPROCESSABLE, "too many voters, ballots or proxies (at most %d each)", CP_TALLY_MAX_ITEMS);
    for (size_t i = 0; i < in->n_voters; i++) {
        if (!in->voters[i].member || !*in->voters[i].member)
            return cp_fail(err, CP_E_UNPROCESSABLE, "voters[%zu].member: empty", i);
        vidx[i] = i;
    }
    sort_idx(in, vidx, in->n_voters, by_voter);
    for (size_t i = 1; i < in->n_voters; i++)
        if (strcmp(in->voters[vidx[i - 1]].member, in->voters[vidx[i]].member) == 0)
            return cp_fail(err, CP_E_UNPROCESSABLE, "voters: member '%s' listed twice", in->voters[vidx[i]].member);
    for (size_t i = 0; i < in->n_ballots; i++) {
        const cp_tally_ballot *b = &in->ballots[i];
        if (!b->member || !*b->member) return cp_fail(err, CP_E_UNPROCESSABLE, "ballots[%zu].member: empty", i);
        if (b->cast_by && !*b->cast_by) return cp_fail(err, CP_E_UNPROCESSABLE, "ballots[%zu].cast_by: empty", i);
        if (!cp_choice_allowed(in->rule, b->choice))
            return cp_fail(err, CP_E_UNPROCESSABLE, "ballots[%zu].choice: '%s' is not a choice under the %s rule", i,
                           cp_choice_name(b->choice), cp_rule_name(in->rule));
        bidx[i] = i;
    }
    sort_idx(in, bidx, in->n_ballots, by_seq);
    for (size_t i = 1; i < in->n_ballots; i++)
        if (in->ballots[bidx[i - 1]].seq == in->ballots[bidx[i]].seq)
            return cp_fail(err, CP_E_UNPROCESSABLE, "ballots: seq %lld used twice", (long long)in->ballots[bidx[i]].seq);
    for (size_t i = 0; i < in->n_proxies; i++) {
        const cp_tally_proxy *p = &in->proxies[i];
        if (!p->giver || !*p->giver || !p->holder || !*p->holder)
            return cp_fail(err, CP_E_UNPROCESSABLE, "proxies[%zu]: giver and holder are required", i);
        if (strcmp(p->giver, p->holder) == 0)
            return cp_fail(err, CP_E_UNPROCESSABLE, "proxies[%zu]: a member cannot hold its own proxy", i);
    }
    return CP_OK;
}

static json_t *ballot_json(const cp_tally_ballot *b, bool counted, const char *why)
{
    return json_pack("{ss ss ss sI sb ss?}", "member", b->member, "choice", cp_choice_name(b->choice), "cast_by",
                     b->cast_by ? b->cast_by : b->member, "seq", (json_int_t)b->seq, "counted", counted, "why", why);
}

/* Decides one member's vote from its ballots bidx[lo..hi) (sorted by seq). */
static void member_vote(const cp_tally_input *in, const size_t *vidx, const size_t *bidx, size_t lo, size_t hi,
                        cp_tally_result *out)
{
    const cp_tally_ballot *own = NULL, *proxied = NULL;
    size_t invalid_proxy = 0;
    const char *member = in->ballots[bidx[lo]].member;
    for (size_t i = lo; i < hi; i++) {
        const cp_tally_ballot *b = &in->ballots[bidx[i]];
        const char *by = b->cast_by ? b->cast_by : b->member;
        if (strcmp(by, b->member) == 0) own = b;
        else if (proxy_in_force(in, b->member, by, b->at)) proxied = b;
        else invalid_proxy++;
    }
    const cp_tally_voter *v = find_voter(in, vidx, member);
    char why[400];
    const cp_tally_ballot *b = own ? own : proxied;
    if (!b) {
        snprintf(why, sizeof why, "cast by a member that held no proxy of %s at the time", member);
        json_array_append_new(out->ballots, ballot_json(&in->ballots[bidx[hi - 1]], false, why));
        reason(out->reasons, "ballot for %s not counted: %s", member, why);
        out->not_counted++;
        return;
    }
    if (!v) {
        snprintf(why, sizeof why, "%s is not a member of the body", member);
    } else if (!v->eligible) {
        snprintf(why, sizeof why, "%s was not eligible at closing%s%s", member, v->reason && *v->reason ? ": " : "",
                 v->reason ? v->reason : "");
    } else if (!own) {
        const cp_tally_voter *h = find_voter(in, vidx, b->cast_by);
        if (!h || !h->eligible)
            snprintf(why, sizeof why, "the proxy holder %s was not an eligible member of the body at closing", b->cast_by);
        else
            why[0] = 0;
    } else {
        why[0] = 0;
    }
    if (why[0]) {
        json_array_append_new(out->ballots, ballot_json(b, false, why));
        reason(out->reasons, "ballot of %s not counted: %s", member, why);
        out->not_counted++;
        return;
    }
    const char *note = NULL;
    if (own && (proxied || invalid_proxy)) note = "the member voted itself, which cancels its proxy";
    else if (!own) note = "cast by the proxy holder";
    json_array_append_new(out->ballots, ballot_json(b, true, note));
    out->count[b->choice]++;
    out->participating++;
    if (!own) out->by_proxy++;
}

cp_status cp_tally(const cp_tally_input *in, cp_tally_result *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    size_t *vidx = malloc((in->n_voters + 1) * sizeof *vidx);
    size_t *bidx = malloc((in->n_ballots + 1) * sizeof *bidx);
    if (!vidx || !bidx) {
        free(vidx);
        free(bidx);
        return cp_fail(err, CP_E_NOMEM, "tally: out of memory");
    }
    cp_status st = check_input(in, vidx, bidx, err);
    if (st) goto done;
    out->reasons = json_array();
    out->ballots = json_array();
    if (!out->reasons || !out->ballots) {
        st = cp_fail(err, CP_E_NOMEM, "tally: out of memory");
        goto done;
    }
    out->members = (int64_t)in->n_voters;
    for (size_t i = 0; i < in->n_voters; i++) out->eligible += in->voters[i].eligible;

    sort_idx(in, bidx, in->n_ballots, by_member_seq);
    for (size_t lo = 0; lo < in->n_ballots;) {
        size_t hi = lo + 1;
        while (hi < in->n_ballots && strcmp(in->ballots[bidx[hi]].member, in->ballots[bidx[lo]].member) == 0) hi++;
        member_vote(in, vidx, bidx, lo, hi, out);
        lo = hi;
    }

    const cp_quorum *q = &in->quorum;
    int64_t e = out->eligible, p = out->participating;
    int64_t y = out->count[CP_CHOICE_YES], n = out->count[CP_CHOICE_NO], a = out->count[CP_CHOICE_ABSTAIN],
            o = out->count[CP_CHOICE_OBJECT];
    if (e == 0) out->quorum_needed = 1;
    else if (q->strict) out->quorum_needed = e * q->num / q->den + 1;
    else out->quorum_needed = (e * q->num + q->den - 1) / q->den;
    out->quorum_reached = e > 0 && p >= out->quorum_needed;
    if (in->rule == CP_RULE_SIMPLE) out->majority_needed = (y + n) / 2 + 1;
    else if (in->rule == CP_RULE_TWO_THIRDS) out->majority_needed = (y + n) == 0 ? 1 : (2 * (y + n) + 2) / 3;
    else out->majority_needed = 0;

    const char *qw = q->strict ? "more than" : "at least";
    if (!out->quorum_reached) {
        out->outcome = CP_OUTCOME_POSTPONED;
        if (e == 0) reason(out->reasons, "quorum not reached: no eligible member");
        else
            reason(out->reasons, "quorum not reached: %lld of %lld eligible members took part; %s %lld/%lld needed (%lld)",
                   (long long)p, (long long)e, qw, (long long)q->num, (long long)q->den, (long long)out->quorum_needed);
    } else if (a * 2 > p) {
        out->outcome = CP_OUTCOME_POSTPONED;
        reason(out->reasons, "quorum reached (%lld of %lld eligible members took part, %lld needed)", (long long)p,
               (long long)e, (long long)out->quorum_needed);
        reason(out->reasons, "abstentions exceed half of the ballots cast: %lld of %lld", (long long)a, (long long)p);
    } else {
        reason(out->reasons, "quorum reached (%lld of %lld eligible members took part, %lld needed)", (long long)p,
               (long long)e, (long long)out->quorum_needed);
        bool adopted;
        if (in->rule == CP_RULE_SIMPLE) {
            adopted = y * 2 > y + n;
            if (y == n) reason(out->reasons, "tie: %lld yes, %lld no; a tie is not adopted", (long long)y, (long long)n);
            else
                reason(out->reasons, "simple majority: %lld yes of %lld yes+no; more than half (%lld) needed", (long long)y,
                       (long long)(y + n), (long long)out->majority_needed);
        } else if (in->rule == CP_RULE_TWO_THIRDS) {
            adopted = y > 0 && y * 3 >= (y + n) * 2;
            reason(out->reasons, "two-thirds majority: %lld yes of %lld yes+no; at least two thirds (%lld) needed",
                   (long long)y, (long long)(y + n), (long long)out->majority_needed);
        } else {
            adopted = o == 0;
            if (adopted) reason(out->reasons, "consensus: no member state objected");
            else {
                char who[300] = "";
                size_t k = 0, len = 0;
                json_t *bj;
                json_array_foreach(out->ballots, k, bj)
                {
                    if (!json_is_true(json_object_get(bj, "counted")) ||
                        strcmp(json_string_value(json_object_get(bj, "choice")), "object") != 0)
                        continue;
                    const char *m = json_string_value(json_object_get(bj, "member"));
                    if (len + strlen(m) + 4 >= sizeof who) {
                        snprintf(who + len, sizeof who - len, "%s...", len ? ", " : "");
                        break;
                    }
                    len += (size_t)snprintf(who + len, sizeof who - len, "%s%s", len ? ", " : "", m);
                }
                reason(out->reasons, "consensus: %lld member state(s) objected (%s)", (long long)o, who);
            }
        }
        out->outcome = adopted ? CP_OUTCOME_ADOPTED : CP_OUTCOME_REJECTED;
    }
done:
    free(vidx);
    free(bidx);
    if (st) cp_tally_result_free(out);
    return st;
}

json_t *cp_tally_result_json(const cp_tally_input *in, const cp_tally_result *r)
{
    return json_pack("{ss s{sI sI sb} sI sI s{sI sI sI sI} sI sI sI sI sb sI ss sO sO}", "rule", cp_rule_name(in->rule),
                     "quorum", "num", (json_int_t)in->quorum.num, "den", (json_int_t)in->quorum.den, "strict",
                     in->quorum.strict, "members", (json_int_t)r->members, "eligible", (json_int_t)r->eligible, "counts",
                     "yes", (json_int_t)r->count[CP_CHOICE_YES], "no", (json_int_t)r->count[CP_CHOICE_NO], "abstain",
                     (json_int_t)r->count[CP_CHOICE_ABSTAIN], "object", (json_int_t)r->count[CP_CHOICE_OBJECT],
                     "participating", (json_int_t)r->participating, "by_proxy", (json_int_t)r->by_proxy, "not_counted",
                     (json_int_t)r->not_counted, "quorum_needed", (json_int_t)r->quorum_needed, "quorum_reached",
                     r->quorum_reached, "majority_needed", (json_int_t)r->majority_needed, "outcome",
                     cp_outcome_name(r->outcome), "reasons", r->reasons, "ballots", r->ballots);
}
