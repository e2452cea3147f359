/*
 * fuzz_pattern.c — the STIX patterning parser (intel/pattern.h) fed the
 * whole input as a pattern.
 *
 * Properties checked (abort on violation):
 *   - no crash, leak or undefined behaviour (the sanitizers);
 *   - a failure is CP_E_UNPROCESSABLE (or CP_E_NOMEM) with a non-empty
 *     message that starts with "pattern: ", and leaves *out NULL;
 *   - cp_stix_pattern_check agrees with cp_pattern_parse, message included;
 *   - on success: at least one observation and one comparison; every
 *     observation is a LEAF whose terms are well formed (object type and
 *     path text non-empty, first step a key, literal kind fits the
 *     operator); the canonical text parses again, formats to the same text
 *     (parse(format(parse(x))) == parse(x)), and its walk lists the same
 *     terms; format with a small buffer truncates but reports the same length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/pattern.h"

static void check_term(const cp_pat_term *t)
{
    if (!t->object_type[0] || !t->path_text[0] || t->nsteps < 1) abort();
    if (t->steps[0].kind != CP_PAT_STEP_KEY) abort();
    cp_pat_lit_kind k = t->value.kind;
    switch (t->op) {
    case CP_PAT_OP_EXISTS: if (k != CP_PAT_LIT_NONE) abort(); break;
    case CP_PAT_OP_IN: if (k != CP_PAT_LIT_SET) abort(); break;
    case CP_PAT_OP_LIKE: case CP_PAT_OP_MATCHES: case CP_PAT_OP_ISSUBSET: case CP_PAT_OP_ISSUPERSET:
        if (k != CP_PAT_LIT_STRING) abort();
        break;
    case CP_PAT_OP_GT: case CP_PAT_OP_LT: case CP_PAT_OP_GE: case CP_PAT_OP_LE:
        if (k == CP_PAT_LIT_BOOL) abort();
        /* fall through */
    default:
        if (k == CP_PAT_LIT_NONE || k == CP_PAT_LIT_SET || !t->value.text) abort();
    }
    if (k == CP_PAT_LIT_STRING && strlen(t->value.text) != t->value.text_len) abort();
}

static bool same_literal(const cp_pat_literal *a, const cp_pat_literal *b)
{
    if (a->kind != b->kind || a->nitems != b->nitems || a->nbytes != b->nbytes) return false;
    if ((a->text == NULL) != (b->text == NULL)) return false;
    if (a->text && (a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len))) return false;
    if (a->nbytes && memcmp(a->bytes, b->bytes, a->nbytes)) return false;
    if (a->kind == CP_PAT_LIT_INT && a->i != b->i) return false;
    for (size_t i = 0; i < a->nitems; i++)
        if (!same_literal(&a->items[i], &b->items[i])) return false;
    return true;
}

static bool same_walk(const cp_pattern *a, const cp_pattern *b)
{
    size_t n = cp_pattern_observations(a);
    if (n != cp_pattern_observations(b)) return false;
    if (cp_pattern_comparisons(a) != cp_pattern_comparisons(b)) return false;
    if (cp_pattern_single_observation(a) != cp_pattern_single_observation(b)) return false;
    for (size_t i = 0; i < n; i++) {
        const cp_pat_obs *x = cp_pattern_observation(a, i), *y = cp_pattern_observation(b, i);
        if (x->nterms != y->nterms) return false;
        for (size_t j = 0; j < x->nterms; j++) {
            const cp_pat_term *s = x->terms[j], *t = y->terms[j];
            if (strcmp(s->object_type, t->object_type) || strcmp(s->path_text, t->path_text) ||
                s->op != t->op || s->negated != t->negated || s->nsteps != t->nsteps ||
                !same_literal(&s->value, &t->value))
                return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    cp_pattern *p = (cp_pattern *)1;
    cp_err err = {{0}}, err2 = {{0}};
    cp_status st = cp_pattern_parse(s, size, &p, &err);
    cp_status st2 = cp_stix_pattern_check(s, size, &err2);
    if (st != st2 || strcmp(err.msg, err2.msg) != 0) abort();
    if (st) {
        if (p != NULL) abort();
        if (st != CP_E_UNPROCESSABLE && st != CP_E_NOMEM) abort();
        if (strncmp(err.msg, "pattern: ", 9) != 0 || strlen(err.msg) <= 9) abort();
        return 0;
    }
    size_t nobs = cp_pattern_observations(p), terms = 0;
    if (nobs < 1 || cp_pattern_comparisons(p) < 1) abort();
    for (size_t i = 0; i < nobs; i++) {
        const cp_pat_obs *o = cp_pattern_observation(p, i);
        if (o->kind != CP_PAT_OBS_LEAF || o->nterms < 1) abort();
        for (size_t j = 0; j < o->nterms; j++) check_term(o->terms[j]);
        terms += o->nterms;
    }
    if (terms != cp_pattern_comparisons(p)) abort();

    size_t need = cp_pattern_format(p, NULL, 0);
    char *text = malloc(need + 1), *again = malloc(need + 1);
    if (!text || !again) abort();
    if (cp_pattern_format(p, text, need + 1) != need || strlen(text) != need) abort();
    char small[5];
    if (cp_pattern_format(p, small, sizeof small) != need || strlen(small) > 4) abort();
    if (need <= CP_PATTERN_MAX_LEN) { /* spacing can make the canonical text longer */
        cp_pattern *q = NULL;
        if (cp_pattern_parse(text, need, &q, &err) != CP_OK) abort();
        if (cp_pattern_format(q, again, need + 1) != need || strcmp(text, again) != 0) abort();
        if (!same_walk(p, q)) abort();
        cp_pattern_free(q);
    }
    free(text);
    free(again);
    cp_pattern_free(p);
    return 0;
}
