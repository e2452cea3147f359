/*
 * tally_doc.c — the JSON description of a tally (tally.h) into a
 * cp_tally_input. Strict: unknown fields, wrong types and out-of-range values
 * are refused with the path of the offending item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "governance/tally.h"

#define ID_MAX 128

struct cp_tally_doc {
    json_t *doc; /* held: the strings below borrow from it */
    cp_tally_voter *voters;
    cp_tally_ballot *ballots;
    cp_tally_proxy *proxies;
    cp_tally_input in;
};

const cp_tally_input *cp_tally_doc_input(const cp_tally_doc *d) { return &d->in; }

void cp_tally_doc_free(cp_tally_doc *d)
{
    if (!d) return;
    json_decref(d->doc);
    free(d->voters);
    free(d->ballots);
    free(d->proxies);
    free(d);
}

/* Refuses keys of obj not in allowed (NULL-terminated). */
static cp_status only(const json_t *obj, const char *where, const char *const *allowed, cp_err *err)
{
    if (!json_is_object(obj)) return cp_fail(err, CP_E_BAD_REQUEST, "%s: must be an object", where);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        (void)v;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, k) == 0;
        if (!ok) return cp_fail(err, CP_E_BAD_REQUEST, "%s.%.64s: unknown field", where, k);
    }
    return CP_OK;
}

static cp_status id(const json_t *obj, const char *where, const char *key, bool required, const char **out, cp_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) return required ? cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: required", where, key) : CP_OK;
    if (!json_is_string(v)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: must be a string", where, key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0 || n > ID_MAX || strlen(s) != n)
        return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: must be 1 to %d bytes without NUL", where, key, ID_MAX);
    *out = s;
    return CP_OK;
}

static cp_status integer(const json_t *obj, const char *where, const char *key, bool required, int64_t min,
                         int64_t *out, cp_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return required ? cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: required", where, key) : CP_OK;
    if (!json_is_integer(v)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: must be an integer", where, key);
    json_int_t x = json_integer_value(v);
    if (x < min) return cp_fail(err, CP_E_BAD_REQUEST, "%s.%s: must be at least %lld", where, key, (long long)min);
    *out = x;
    return CP_OK;
}

static cp_status array(const json_t *doc, const char *key, const json_t **out, size_t *n, cp_err *err)
{
    *out = json_object_get(doc, key);
    *n = 0;
    if (!*out) return CP_OK;
    if (!json_is_array(*out)) return cp_fail(err, CP_E_BAD_REQUEST, "%s: must be an array", key);
    *n = json_array_size(*out);
    if (*n > CP_TALLY_MAX_ITEMS) return cp_fail(err, CP_E_BAD_REQUEST, "%s: at most %d items", key, CP_TALLY_MAX_ITEMS);
    return CP_OK;
}

static cp_status parse(cp_tally_doc *d, cp_err *err)
{
    static const char *const top[] = {"rule", "quorum", "voters", "ballots", "proxies", NULL};
    static const char *const qk[] = {"num", "den", "strict", NULL};
    static const char *const vk[] = {"member", "eligible", "reason", NULL};
    static const char *const bk[] = {"member", "choice", "seq", "at", "cast_by", NULL};
    static const char *const pk[] = {"giver", "holder", "given_at", "revoked_at", NULL};
    const json_t *doc = d->doc;
    cp_status st = only(doc, "tally", top, err);
    if (st) return st;
    const char *rule;
    if ((st = id(doc, "tally", "rule", true, &rule, err))) return st;
    int r = cp_rule_parse(rule);
    if (r < 0) return cp_fail(err, CP_E_BAD_REQUEST, "tally.rule: must be simple, two_thirds or consensus");
    d->in.rule = (cp_rule)r;
    d->in.quorum = CP_QUORUM_DEFAULT;
    const json_t *q = json_object_get(doc, "quorum");
    if (q) {
        if ((st = only(q, "quorum", qk, err))) return st;
        if ((st = integer(q, "quorum", "num", true, 0, &d->in.quorum.num, err))) return st;
        if ((st = integer(q, "quorum", "den", true, 1, &d->in.quorum.den, err))) return st;
        const json_t *s = json_object_get(q, "strict");
        if (s && !json_is_boolean(s)) return cp_fail(err, CP_E_BAD_REQUEST, "quorum.strict: must be a boolean");
        d->in.quorum.strict = !s || json_is_true(s);
        if (d->in.quorum.num > d->in.quorum.den || d->in.quorum.den > 1000000)
            return cp_fail(err, CP_E_BAD_REQUEST, "quorum: num must not exceed den, den at most 1000000");
    }

    const json_t *arr;
    size_t n;
    char where[48];
    if ((st = array(doc, "voters", &arr, &n, err))) return st;
    d->voters = calloc(n + 1, sizeof *d->voters);
    if (!d->voters) return cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        snprintf(where, sizeof where, "voters[%zu]", i);
        if ((st = only(v, where, vk, err))) return st;
        cp_tally_voter *t = &d->voters[i];
        if ((st = id(v, where, "member", true, &t->member, err))) return st;
        const json_t *e = json_object_get(v, "eligible");
        if (!json_is_boolean(e)) return cp_fail(err, CP_E_BAD_REQUEST, "%s.eligible: required, a boolean", where);
        t->eligible = json_is_true(e);
        const json_t *rs = json_object_get(v, "reason");
        if (rs && !json_is_null(rs)) {
            if (!json_is_string(rs) || json_string_length(rs) > 1000)
                return cp_fail(err, CP_E_BAD_REQUEST, "%s.reason: must be a string of at most 1000 bytes", where);
            t->reason = json_string_value(rs);
        }
    }
    d->in.voters = d->voters;
    d->in.n_voters = n;

    if ((st = array(doc, "ballots", &arr, &n, err))) return st;
    d->ballots = calloc(n + 1, sizeof *d->ballots);
    if (!d->ballots) return cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        snprintf(where, sizeof where, "ballots[%zu]", i);
        if ((st = only(v, where, bk, err))) return st;
        cp_tally_ballot *b = &d->ballots[i];
        const char *choice;
        if ((st = id(v, where, "member", true, &b->member, err)) || (st = id(v, where, "choice", true, &choice, err)) ||
            (st = integer(v, where, "seq", true, INT64_MIN, &b->seq, err)) ||
            (st = integer(v, where, "at", false, 0, &b->at, err)) || (st = id(v, where, "cast_by", false, &b->cast_by, err)))
            return st;
        int c = cp_choice_parse(choice);
        if (c < 0) return cp_fail(err, CP_E_BAD_REQUEST, "%s.choice: must be yes, no, abstain or object", where);
        b->choice = (cp_choice)c;
        if (!b->cast_by) b->cast_by = b->member;
    }
    d->in.ballots = d->ballots;
    d->in.n_ballots = n;

    if ((st = array(doc, "proxies", &arr, &n, err))) return st;
    d->proxies = calloc(n + 1, sizeof *d->proxies);
    if (!d->proxies) return cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        snprintf(where, sizeof where, "proxies[%zu]", i);
        if ((st = only(v, where, pk, err))) return st;
        cp_tally_proxy *p = &d->proxies[i];
        if ((st = id(v, where, "giver", true, &p->giver, err)) || (st = id(v, where, "holder", true, &p->holder, err)) ||
            (st = integer(v, where, "given_at", false, 0, &p->given_at, err)) ||
            (st = integer(v, where, "revoked_at", false, 0, &p->revoked_at, err)))
            return st;
    }
    d->in.proxies = d->proxies;
    d->in.n_proxies = n;
    return CP_OK;
}

cp_status cp_tally_doc_parse(const json_t *doc, cp_tally_doc **out, cp_err *err)
{
    *out = NULL;
    cp_tally_doc *d = calloc(1, sizeof *d);
    if (!d) return cp_fail(err, CP_E_NOMEM, "out of memory");
    d->doc = json_incref((json_t *)doc);
    cp_status st = parse(d, err);
    if (st) {
        cp_tally_doc_free(d);
        return st;
    }
    *out = d;
    return CP_OK;
}
