/*
 * fuzz_observables.c — canonical observables (intel/observables.h).
 *
 * The input is used twice: as a search value (cp_observable_parse with the
 * kind detected and with every kind), and, when it is JSON, as a STIX
 * object (cp_observables_of_object).
 *
 * Properties checked (abort on violation):
 *   - no crash, leak or undefined behaviour (the sanitizers);
 *   - a failure is CP_E_BAD_REQUEST with a non-empty message;
 *   - a success gives a non-empty NUL-terminated value shorter than
 *     CP_OBS_VALUE_MAX, ip_lo/ip_hi 32 hex digits with lo <= hi for ip and
 *     empty otherwise, and the value is canonical: parsing it again as the
 *     same kind gives the same value and range (idempotence);
 *   - every observable of an object is canonical in the same sense, is
 *     reported once, and there are at most CP_OBS_PER_OBJECT_MAX.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/observables.h"

static void check_canonical(const cp_observable *o)
{
    size_t n = strnlen(o->value, CP_OBS_VALUE_MAX);
    if (n == 0 || n >= CP_OBS_VALUE_MAX) abort();
    if (o->kind == CP_OBS_IP) {
        if (strlen(o->ip_lo) != 32 || strlen(o->ip_hi) != 32 || strcmp(o->ip_lo, o->ip_hi) > 0) abort();
        if (strspn(o->ip_lo, "0123456789abcdef") != 32 || strspn(o->ip_hi, "0123456789abcdef") != 32) abort();
    } else if (o->ip_lo[0] || o->ip_hi[0]) {
        abort();
    }
    if (o->subdomains && o->kind != CP_OBS_DOMAIN) abort();
    static cp_observable again;
    cp_err err = {{0}};
    if (cp_observable_parse(o->value, cp_obs_kind_name(o->kind), &again, &err) != CP_OK) abort();
    if (again.kind != o->kind || strcmp(again.value, o->value) != 0 || strcmp(again.ip_lo, o->ip_lo) != 0 ||
        strcmp(again.ip_hi, o->ip_hi) != 0)
        abort();
}

typedef struct {
    int n;
    char (*seen)[CP_OBS_VALUE_MAX + 16];
} walk;

static int each(const cp_observable *o, void *ctx)
{
    walk *w = ctx;
    check_canonical(o);
    if (w->n >= CP_OBS_PER_OBJECT_MAX) abort();
    char key[CP_OBS_VALUE_MAX + 16];
    snprintf(key, sizeof key, "%d%d %s", (int)o->kind, (int)o->subdomains, o->value);
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->seen[i], key) == 0) abort();
    memcpy(w->seen[w->n++], key, sizeof key);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) return 0;
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = 0;
    static cp_observable o;
    static const char *const kinds[] = {NULL, "ip", "domain", "url", "md5", "sha1", "sha256", "sha512", "email", "bogus"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        cp_err err = {{0}};
        cp_status st = cp_observable_parse(text, kinds[k], &o, &err);
        if (st) {
            if (st != CP_E_BAD_REQUEST || !err.msg[0]) abort();
        } else {
            if (kinds[k] && strcmp(kinds[k], cp_obs_kind_name(o.kind)) != 0) abort();
            check_canonical(&o);
        }
    }
    json_t *obj = json_loadb(text, size, JSON_DECODE_ANY, NULL);
    if (obj) {
        walk w = {0, malloc((size_t)CP_OBS_PER_OBJECT_MAX * sizeof *w.seen)};
        if (!w.seen) abort();
        int n = cp_observables_of_object(obj, each, &w);
        if (n != w.n) abort();
        free(w.seen);
        json_decref(obj);
    }
    free(text);
    return 0;
}
