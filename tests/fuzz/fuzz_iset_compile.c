/*
 * fuzz_iset_compile.c — the pattern -> set compiler (warning/iset.h,
 * cp_iset_builder_add_pattern): the input is a STIX pattern (valid or not).
 *
 * Properties checked (abort on violation):
 *   - no crash, leak or undefined behaviour (the sanitizers);
 *   - adding never fails for a bad pattern (it is counted, not an error);
 *   - the indicator is counted exactly once: compiled, skipped as
 *     multi-event, or skipped as other;
 *   - a compiled indicator is found again by matching: when the pattern
 *     holds a single comparison "=", its value alone is a hit;
 *   - the built set matches arbitrary values without crashing, hits name
 *     the one indicator;
 *   - the input read as a stored indicator's text: the store's fast member
 *     reader never reads out of bounds, and whenever it and Jansson both
 *     accept the text as an object, they agree on pattern, pattern_type,
 *     valid_from, valid_until and revoked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "intel/observables.h"
#include "intel/pattern.h"
#include "warning/iset.h"
#include "warning/iset_internal.h"

static cp_val_kind val_kind(const cp_observable *o)
{
    switch (o->kind) {
    case CP_OBS_IP: return strchr(o->value, ':') ? CP_VAL_IPV6 : CP_VAL_IPV4;
    case CP_OBS_DOMAIN: return CP_VAL_DOMAIN;
    case CP_OBS_URL: return CP_VAL_URL;
    case CP_OBS_MD5: return CP_VAL_MD5;
    case CP_OBS_SHA1: return CP_VAL_SHA1;
    case CP_OBS_SHA256: return CP_VAL_SHA256;
    case CP_OBS_SHA512: return CP_VAL_SHA512;
    default: return CP_VAL_EMAIL;
    }
}

typedef struct {
    const cp_iset *s;
    bool expect;
    int checked;
} walk;

static int each(const cp_observable *o, void *ctx)
{
    walk *w = ctx;
    if (o->subdomains || strchr(o->value, '/')) return 0; /* networks and subdomains are not their own value */
    cp_val v = {val_kind(o), o->value, strlen(o->value)};
    cp_iset_hit h[2];
    size_t n = cp_iset_match(w->s, &v, 1, h, 2);
    if (n > 1) abort();
    if (w->expect && n != 1) abort();
    w->checked++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        cp_err e = {{0}};
        if (cp_crypto_init(&e)) abort();
        init = true;
    }
    if (size > 64 * 1024) return 0;
    cp_iset_builder *b = cp_iset_builder_new();
    if (!b) abort();
    bool compiled = true;
    cp_err err = {{0}};
    if (cp_iset_builder_add_pattern(b, "indicator--fuzz", (const char *)data, size, 2, 1, &compiled, &err)) abort();
    cp_iset *s = cp_iset_builder_finish(b, &err);
    if (!s) abort();
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    if (st.indicators + st.skipped_multi_event + st.skipped_other != 1) abort();
    if (compiled != (st.indicators == 1)) abort();
    cp_pattern *p = NULL;
    if (compiled && cp_pattern_parse((const char *)data, size, &p, NULL) == CP_OK) {
        bool single = cp_pattern_comparisons(p) == 1 && cp_pattern_observations(p) == 1;
        const cp_pat_obs *o = cp_pattern_observation(p, 0);
        for (size_t i = 0; i < cp_pattern_observations(p); i++) {
            const cp_pat_obs *ob = cp_pattern_observation(p, i);
            for (size_t j = 0; j < ob->nterms; j++) {
                walk w = {s, single && o->terms[0]->op == CP_PAT_OP_EQ, 0};
                cp_observables_of_term(ob->terms[j], each, &w);
            }
        }
        cp_pattern_free(p);
    }
    /* arbitrary slices of the input as values of every kind */
    for (int k = 0; k < CP_VAL__COUNT; k++) {
        cp_val v = {(cp_val_kind)k, (const char *)data, size < 300 ? size : 300};
        cp_iset_hit h[2];
        size_t n = cp_iset_match(s, &v, 1, h, 2);
        if (n > 1 || (n == 1 && h[0].indicator != 0)) abort();
    }
    cp_iset_release(s);

    char *scratch = malloc(size + 8);
    if (!scratch) abort();
    cpi_indicator_fields f = {.id = "indicator--fuzz"};
    bool fast = cpi_read_indicator_fields((const char *)data, size, scratch, &f);
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    if (fast && json_is_object(o)) {
        const json_t *pat = json_object_get(o, "pattern"), *pt = json_object_get(o, "pattern_type");
        /* Jansson keeps the last of duplicate keys, as the reader does */
        if (json_is_string(pat) != (f.pattern != NULL)) abort();
        if (f.pattern && (f.pattern_len != json_string_length(pat) || memcmp(f.pattern, json_string_value(pat), f.pattern_len))) abort();
        if (json_is_string(pt) && (!f.pattern_type || strcmp(f.pattern_type, json_string_value(pt)))) abort();
        if (f.revoked != json_is_true(json_object_get(o, "revoked"))) abort();
        const json_t *vf = json_object_get(o, "valid_from");
        if (json_is_string(vf) && (!f.valid_from || strcmp(f.valid_from, json_string_value(vf)))) abort();
    }
    json_decref(o);
    free(scratch);
    return 0;
}
