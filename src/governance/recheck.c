/*
 * recheck.c — recomputing every result from the record alone (recheck.h).
 *
 * For each "result" entry (proposal P, round R) at leaf index i, from the
 * entries before i only:
 *   rule and quorum   the last "proposal.opened" of (P, R)
 *   voters            the last "eligibility" of (P, R)
 *   ballots           every "ballot" of (P, R): member, cast_by, choice, seq, at
 *   proxies           every "proxy.given" for P or for a period (no proposal):
 *                     in force from "from" until the earlier of "until" and the
 *                     "at" of its "proxy.revoked", if any
 * then the pure tally (tally.h), whose JSON must equal the logged result.
 * This is the same construction the server uses at closing (close.c,
 * proxies.c), so an honest log always rechecks clean.
 */
#include "governance/recheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/timeutil.h"
#include "governance/tally.h"

static bool is_type(const json_t *e, const char *t)
{
    const char *v = cp_json_str(e, "type");
    return v && strcmp(v, t) == 0;
}

static bool round_is(const json_t *e, json_int_t round)
{
    const json_t *r = json_object_get(e, "round");
    return json_is_integer(r) && json_integer_value(r) == round;
}

static bool time_of(const json_t *e, const char *key, int64_t *ms)
{
    const char *s = cp_json_str(e, key);
    cp_err err;
    return s && cp_rfc3339_parse(s, ms, &err) == CP_OK;
}

static void difference(json_t *report, const char *proposal, size_t index, json_t *logged, json_t *recomputed,
                       const char *what)
{
    json_array_append_new(json_object_get(report, "differences"),
                          json_pack("{ss sI so so ss}", "proposal", proposal, "index", (json_int_t)index, "logged",
                                    logged ? logged : json_null(), "recomputed", recomputed ? recomputed : json_null(),
                                    "what", what));
}

static void skipped(json_t *report, const char *proposal, const char *why)
{
    json_array_append_new(json_object_get(report, "skipped"), json_pack("{ss ss}", "proposal", proposal, "reason", why));
}

/* What differs between two result objects, in a few words. */
static void diff_keys(const json_t *a, const json_t *b, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v)
    {
        if (json_equal(v, json_object_get(b, k))) continue;
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k);
        if (n < 0 || (size_t)n >= cap - len) break;
        len += (size_t)n;
    }
    json_object_foreach((json_t *)b, k, v)
    {
        if (json_object_get(a, k)) continue;
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k);
        if (n < 0 || (size_t)n >= cap - len) break;
        len += (size_t)n;
    }
}

typedef struct {
    json_t *const *e;
    const json_t *idx; /* the indices of this proposal's entries, in order */
    const json_t *period; /* indices of period proxies and of every proxy.revoked */
    size_t upto;       /* the result's index */
    json_int_t round;
    const char *proposal;
} ctx;

/* Builds the input and counts. *why is set when the log does not allow it. */
static cp_status recount(const ctx *x, json_t **recomputed, char *why, size_t cap)
{
    *recomputed = NULL;
    const json_t *opened = NULL, *elig = NULL;
    size_t k, nb = 0;
    json_t *iv;
    json_array_foreach(x->idx, k, iv)
    {
        size_t i = (size_t)json_integer_value(iv);
        if (i >= x->upto) break;
        const json_t *e = x->e[i];
        if (!e || !round_is(e, x->round)) continue;
        if (is_type(e, "proposal.opened")) opened = e;
        else if (is_type(e, "eligibility")) elig = e;
        else if (is_type(e, "ballot")) nb++;
    }
    if (!opened) return snprintf(why, cap, "no proposal.opened entry for round %lld before the result", (long long)x->round), CP_E_UNPROCESSABLE;
    if (!elig) return snprintf(why, cap, "no eligibility entry for round %lld before the result", (long long)x->round), CP_E_UNPROCESSABLE;
    int rule = cp_rule_parse(cp_json_str(opened, "rule"));
    const json_t *q = json_object_get(opened, "quorum");
    if (rule < 0 || !json_is_integer(json_object_get(q, "num")) || !json_is_integer(json_object_get(q, "den")))
        return snprintf(why, cap, "the proposal.opened entry has no valid rule and quorum"), CP_E_UNPROCESSABLE;
    cp_tally_input in = {(cp_rule)rule,
                         {json_integer_value(json_object_get(q, "num")), json_integer_value(json_object_get(q, "den")),
                          !json_is_false(json_object_get(q, "strict"))},
                         NULL, 0, NULL, 0, NULL, 0};
    const json_t *voters = json_object_get(elig, "voters");
    size_t nv = json_array_size(voters);
    cp_tally_voter *tv = calloc(nv + 1, sizeof *tv);
    cp_tally_ballot *tb = calloc(nb + 1, sizeof *tb);
    size_t np_cap = json_array_size(x->period) + json_array_size(x->idx) + 1;
    cp_tally_proxy *tp = calloc(np_cap, sizeof *tp);
    cp_status st = CP_OK;
    if (!tv || !tb || !tp) {
        st = CP_E_NOMEM;
        snprintf(why, cap, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nv; i++) {
        const json_t *v = json_array_get(voters, i);
        tv[i] = (cp_tally_voter){cp_json_str(v, "member"), json_is_true(json_object_get(v, "eligible")), cp_json_str(v, "reason")};
        if (!tv[i].member) {
            st = CP_E_UNPROCESSABLE;
            snprintf(why, cap, "eligibility voters[%zu] has no member", i);
            goto out;
        }
    }
    in.voters = tv;
    in.n_voters = nv;
    json_array_foreach(x->idx, k, iv)
    {
        size_t i = (size_t)json_integer_value(iv);
        if (i >= x->upto) break;
        const json_t *e = x->e[i];
        if (!e || !is_type(e, "ballot") || !round_is(e, x->round)) continue;
        cp_tally_ballot *b = &tb[in.n_ballots];
        int ch = cp_choice_parse(cp_json_str(e, "choice"));
        const json_t *seq = json_object_get(e, "seq");
        b->member = cp_json_str(e, "member");
        b->cast_by = cp_json_str(e, "cast_by");
        if (!b->member || !b->cast_by || ch < 0 || !json_is_integer(seq) || !time_of(e, "at", &b->at)) {
            st = CP_E_UNPROCESSABLE;
            snprintf(why, cap, "the ballot entry at index %zu is malformed", i);
            goto out;
        }
        b->choice = (cp_choice)ch;
        b->seq = json_integer_value(seq);
        in.n_ballots++;
    }
    in.ballots = tb;
    /* proxies: given for this proposal (in idx) or for a period (in period) */
    for (int pass = 0; pass < 2; pass++) {
        const json_t *list = pass ? x->period : x->idx;
        json_array_foreach(list, k, iv)
        {
            size_t i = (size_t)json_integer_value(iv);
            if (i >= x->upto) break;
            const json_t *e = x->e[i];
            if (!e || !is_type(e, "proxy.given")) continue;
            if (pass == 1 && json_object_get(e, "proposal")) continue; /* period list also holds revocations */
            cp_tally_proxy *p = &tp[in.n_proxies];
            int64_t until;
            p->giver = cp_json_str(e, "giver");
            p->holder = cp_json_str(e, "holder");
            if (!p->giver || !p->holder || !time_of(e, "from", &p->given_at) || !time_of(e, "until", &until)) {
                st = CP_E_UNPROCESSABLE;
                snprintf(why, cap, "the proxy.given entry at index %zu is malformed", i);
                goto out;
            }
            p->revoked_at = until;
            const char *pid = cp_json_str(e, "proxy");
            size_t k2;
            json_t *iv2;
            json_array_foreach(x->period, k2, iv2)
            {
                size_t j = (size_t)json_integer_value(iv2);
                if (j >= x->upto) break;
                const json_t *r = x->e[j];
                int64_t at;
                if (r && is_type(r, "proxy.revoked") && pid && cp_json_str(r, "proxy") &&
                    strcmp(cp_json_str(r, "proxy"), pid) == 0 && time_of(r, "at", &at) && at < p->revoked_at)
                    p->revoked_at = at;
            }
            in.n_proxies++;
        }
    }
    in.proxies = tp;
    cp_tally_result r;
    cp_err err = {{0}};
    if ((st = cp_tally(&in, &r, &err))) {
        snprintf(why, cap, "the logged entries cannot be counted: %s", err.msg);
        goto out;
    }
    *recomputed = cp_tally_result_json(&in, &r);
    cp_tally_result_free(&r);
out:
    free(tv);
    free(tb);
    free(tp);
    return st;
}

cp_status cp_gov_recheck_results(json_t *const *entries, size_t n, json_t **report, cp_err *err)
{
    *report = json_pack("{sI s[] s[]}", "checked", (json_int_t)0, "skipped", "differences");
    json_t *by_proposal = json_object(), *period = json_array();
    size_t *withheld_before = calloc(n + 1, sizeof *withheld_before);
    if (!*report || !by_proposal || !period || !withheld_before) {
        json_decref(*report);
        json_decref(by_proposal);
        json_decref(period);
        free(withheld_before);
        *report = NULL;
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        withheld_before[i + 1] = withheld_before[i] + (entries[i] == NULL);
        const json_t *e = entries[i];
        if (!e) continue;
        const char *p = cp_json_str(e, "proposal");
        if (is_type(e, "proxy.revoked") || (is_type(e, "proxy.given") && !p)) json_array_append_new(period, json_integer((json_int_t)i));
        if (!p) continue;
        json_t *list = json_object_get(by_proposal, p);
        if (!list) json_object_set_new(by_proposal, p, list = json_array());
        json_array_append_new(list, json_integer((json_int_t)i));
    }
    json_int_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = entries[i];
        if (!e || !is_type(e, "result")) continue;
        const char *p = cp_json_str(e, "proposal");
        const json_t *round = json_object_get(e, "round"), *logged = json_object_get(e, "result");
        if (!p || !json_is_integer(round) || !json_is_object(logged)) {
            difference(*report, p ? p : "", i, json_incref((json_t *)e), NULL, "the result entry is malformed (proposal, round, result)");
            continue;
        }
        ctx x = {entries, json_object_get(by_proposal, p), period, i, json_integer_value(round), p};
        json_t *re = NULL;
        char why[600] = "";
        cp_status st = recount(&x, &re, why, sizeof why);
        bool withheld = withheld_before[i] > 0;
        if (st == CP_E_NOMEM) {
            json_decref(by_proposal);
            json_decref(period);
            free(withheld_before);
            json_decref(*report);
            *report = NULL;
            return cp_fail(err, CP_E_NOMEM, "out of memory");
        }
        if (st) {
            if (withheld) skipped(*report, p, why);
            else difference(*report, p, i, json_incref((json_t *)logged), NULL, why);
            continue;
        }
        checked++;
        if (!json_equal(re, logged)) {
            char what[300];
            diff_keys(logged, re, what, sizeof what);
            char msg[400];
            snprintf(msg, sizeof msg, "the logged result differs from the one recomputed from the logged ballots (%s)", what);
            if (withheld) {
                checked--;
                skipped(*report, p, "entries withheld from this reader may hold ballots of this proposal");
                json_decref(re);
            } else {
                difference(*report, p, i, json_incref((json_t *)logged), re, msg);
            }
        } else {
            json_decref(re);
        }
    }
    json_object_set_new(*report, "checked", json_integer(checked));
    json_decref(by_proposal);
    json_decref(period);
    free(withheld_before);
    return CP_OK;
}
