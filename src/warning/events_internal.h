/*
 * events_internal.h — what events_parse.c and events_fast.c share (not an
 * interface for other parts): a field's value as the event checks read it,
 * and the streaming scanner of a batch.
 */
#ifndef CP_WARNING_EVENTS_INTERNAL_H
#define CP_WARNING_EVENTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CP_EV_OTHER, CP_EV_STRING, CP_EV_INT, CP_EV_OBJECT } cp_ev_kind;

typedef struct cp_ev_pair cp_ev_pair;

typedef struct {
    cp_ev_kind kind;
    const char *s;              /* STRING: decoded, NUL-terminated (no NUL inside) */
    size_t len;
    int64_t i;                  /* INT */
    const json_t *obj;          /* OBJECT read by Jansson */
    const cp_ev_pair *pairs;    /* OBJECT read by the scanner (its members, in order) */
    size_t n_pairs;
} cp_ev_val;

struct cp_ev_pair {
    const char *key;
    cp_ev_val v;
};

#define CP_EV_FIELDS_MAX 17     /* the fields an event may have (events.h) */
#define CP_EV_HASHES_MAX 4

/* Called for each event of the batch, in order: its members (keys are
 * distinct) and its exact text. Returns false to give up. */
typedef bool (*cp_ev_scan_fn)(void *ctx, const cp_ev_pair *pairs, size_t n, const char *raw, size_t raw_len);

/* The streaming scanner: reads body as {"events": [ {...}, ... ]} in one
 * pass, decoding strings into arena (at least len + 1 bytes), and calls fn
 * for each event. It accepts only what it can read exactly as Jansson
 * would: strict JSON, strings, integers that fit 64 bits, and one nested
 * object of strings per event; keys without escapes; no duplicate keys; 1
 * to max_events events. Returns true when the whole body was read and every
 * call returned true. Anything else (a syntax error, another value type, an
 * unknown shape, a call that returned false) returns false, and the caller
 * parses the body with Jansson: the reference, whose errors the API
 * reports. */
bool cp_events_scan(const char *body, size_t len, size_t max_events, char *arena, cp_ev_scan_fn fn, void *ctx);

#endif
