/*
 * fuzz_events.c — the events batch parser (warning/events.h, cp_events_parse)
 * fed the whole input as a request body, with a fixed clock.
 *
 * Properties checked (abort on violation):
 *   - the result is OK, 400 or 422 (or out of memory), and any failure carries
 *     a message;
 *   - a 422 with per-event errors lists 1..100 of them, each with an index
 *     inside the batch and a message;
 *   - an accepted batch holds 1..max events; each has a time within the
 *     accepted bounds, at least one observable, an RSIT classification, and
 *     canonical values (addresses re-parse to the same bytes, names
 *     re-normalise to themselves);
 *   - each accepted event keeps its exact text (a span of the body that is
 *     itself a JSON object);
 *   - the normalised form of an accepted batch (cp_event_json of each event)
 *     is itself accepted, and normalising it again gives the same JSON
 *     (a fixed point);
 *   - the streaming scanner and the Jansson reading agree: cp_events_parse
 *     (scanner first) and cp_events_parse_tree (the reference) give the
 *     same status and message, and for an accepted batch the same events
 *     (each one's normalised form and exact text).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"
#include "warning/events.h"
#include "warning/rsit.h"

#define NOW_MS 1795860300000LL /* 2026-11-28T10:05:00Z */
#define MAX_EVENTS 64

static void check_event(const cp_event *e)
{
    if (e->time_ms > NOW_MS + CP_EVENT_FUTURE_MS || e->time_ms < NOW_MS - CP_EVENT_PAST_MS) abort();
    bool any = e->has_src || e->has_dst || e->domain[0] || e->url || e->email_domain || e->md5 || e->sha1 ||
               e->sha256 || e->sha512;
    if (!any) abort();
    if (!cp_rsit_find(e->classification, strlen(e->classification))) abort();
    char buf[300];
    cp_err err;
    if (e->domain[0] && (cp_domain_normalize(e->domain, strlen(e->domain), buf, sizeof buf, &err) || strcmp(buf, e->domain)))
        abort();
    const char *texts[2] = {e->has_src ? e->src_text : NULL, e->has_dst ? e->dst_text : NULL};
    for (int i = 0; i < 2; i++) {
        if (!texts[i]) continue;
        cp_cidr c;
        if (cp_cidr_parse(texts[i], strlen(texts[i]), &c, &err)) abort();
    }
    if (e->src_port > 65535 || e->dst_port > 65535) abort();
}

static char *normalised(const cp_event_batch *b)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < b->n; i++) json_array_append_new(arr, cp_event_json(&b->ev[i]));
    json_t *o = json_pack("{so}", "events", arr);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* The two readings of the input agree (see above). */
static void check_agree(const uint8_t *data, size_t size)
{
    cp_event_batch a, b;
    json_t *ea = NULL, *eb = NULL;
    cp_err xa = {{0}}, xb = {{0}};
    cp_status sa = cp_events_parse((const char *)data, size, MAX_EVENTS, 16, NOW_MS, &a, &ea, &xa);
    cp_status sb = cp_events_parse_tree((const char *)data, size, MAX_EVENTS, 16, NOW_MS, &b, &eb, &xb);
    if (sa == CP_E_NOMEM || sb == CP_E_NOMEM) {
        if (!sa) cp_event_batch_free(&a);
        if (!sb) cp_event_batch_free(&b);
        json_decref(ea);
        json_decref(eb);
        return;
    }
    if (sa != sb || strcmp(xa.msg, xb.msg) != 0) {
        fprintf(stderr, "readings disagree: %d '%s' / %d '%s'\n", sa, xa.msg, sb, xb.msg);
        abort();
    }
    if (!json_equal(ea, eb) && (ea || eb)) abort();
    json_decref(ea);
    json_decref(eb);
    if (sa) return;
    if (a.n != b.n) abort();
    for (size_t i = 0; i < a.n; i++) {
        if (a.ev[i].raw != b.ev[i].raw || a.ev[i].raw_len != b.ev[i].raw_len) abort();
        json_t *ja = cp_event_json(&a.ev[i]), *jb = cp_event_json(&b.ev[i]);
        bool same = json_equal(ja, jb);
        json_decref(ja);
        json_decref(jb);
        if (!same) {
            fprintf(stderr, "event %zu differs between the readings\n", i);
            abort();
        }
    }
    cp_event_batch_free(&a);
    cp_event_batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_agree(data, size);
    cp_event_batch b;
    json_t *errors = NULL;
    cp_err err = {{0}};
    cp_status st = cp_events_parse((const char *)data, size, MAX_EVENTS, 16, NOW_MS, &b, &errors, &err);
    if (st != CP_OK && st != CP_E_BAD_REQUEST && st != CP_E_UNPROCESSABLE && st != CP_E_NOMEM) abort();
    if (st) {
        if (!err.msg[0]) abort();
        if (errors) {
            size_t n = json_array_size(errors);
            if (st != CP_E_UNPROCESSABLE || n == 0 || n > CP_EVENTS_ERRORS_MAX) abort();
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(errors, i);
                json_int_t idx = json_integer_value(json_object_get(e, "index"));
                const char *m = json_string_value(json_object_get(e, "message"));
                if (idx < 0 || idx >= MAX_EVENTS || !m || !*m) abort();
            }
            json_decref(errors);
        }
        return 0;
    }
    if (errors || b.n == 0 || b.n > MAX_EVENTS) abort();
    for (size_t i = 0; i < b.n; i++) {
        check_event(&b.ev[i]);
        const cp_event *e = &b.ev[i];
        if (!e->raw || e->raw < (const char *)data || e->raw + e->raw_len > (const char *)data + size) abort();
        json_error_t je;
        json_t *o = json_loadb(e->raw, e->raw_len, 0, &je);
        if (!json_is_object(o)) abort();
        json_decref(o);
    }
    char *one = normalised(&b);
    cp_event_batch_free(&b);
    if (!one) return 0;
    cp_event_batch b2;
    st = cp_events_parse(one, strlen(one), MAX_EVENTS, 16, NOW_MS, &b2, &errors, &err);
    if (st == CP_E_NOMEM) {
        free(one);
        return 0;
    }
    if (st) {
        fprintf(stderr, "normalised batch refused: %s\n%s\n", err.msg, one);
        abort();
    }
    char *two = normalised(&b2);
    cp_event_batch_free(&b2);
    if (two && strcmp(one, two) != 0) {
        fprintf(stderr, "not a fixed point:\n%s\n%s\n", one, two);
        abort();
    }
    free(one);
    free(two);
    return 0;
}
