/*
 * alerts_journal.c — the text of one alert_journal row (alerts.h): a batch's
 * aggregated alert changes, written by POST /api/v1/events and read back by
 * the folder. Plain text (the store keeps TEXT only), compact, and each
 * event's exact text stored once however many alerts it starts:
 *
 *   J1 <deltas> <samples>\n
 *   <member> <indicator|-> <class/type> <address> <ip|domain> <window> <count> <first> <last> <tlp> <sample>\n  (per delta)
 *   <time> <source length|-1> <event length>\n<source>\n<event>\n                                      (per sample)
 *
 * Every token of a delta line is free of spaces by construction (ids,
 * canonical addresses and names, RSIT names, numbers); the encoder checks
 * it. Source and event are length-prefixed, so any bytes but NUL may appear
 * in them. The decoder checks every length and number against the text: a
 * row that is not a journal's is an error, never a read out of bounds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warning/alerts.h"

typedef struct {
    char *p;
    size_t len, cap;
    bool bad;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->bad) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void put_token(buf *b, const char *s)
{
    size_t n = strlen(s);
    if (!n || strpbrk(s, " \n\r\t")) b->bad = true; /* cannot happen with validated values */
    put(b, s, n);
    put(b, " ", 1);
}

static void put_int(buf *b, int64_t v, char end)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%" PRId64 "%c", v, end);
    put(b, t, (size_t)n);
}

char *cp_alert_journal_encode(const cp_alert_delta *d, const uint32_t *sample, size_t n, size_t *len)
{
    /* samples numbered densely in order of first use */
    size_t ns = 0;
    uint32_t *dense = malloc((n ? n : 1) * sizeof *dense), *first = malloc((n ? n : 1) * sizeof *first);
    uint32_t *seen_key = NULL, *seen_val = NULL;
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    seen_key = calloc(cap, sizeof *seen_key);
    seen_val = calloc(cap, sizeof *seen_val);
    buf b = {0};
    if (!dense || !first || !seen_key || !seen_val) b.bad = true;
    for (size_t i = 0; !b.bad && i < n; i++) {
        uint32_t key = sample[i] + 1; /* 0 = empty slot */
        size_t h = (key * 2654435761u) & (cap - 1);
        while (seen_key[h] && seen_key[h] != key) h = (h + 1) & (cap - 1);
        if (!seen_key[h]) {
            seen_key[h] = key;
            seen_val[h] = (uint32_t)ns;
            first[ns++] = (uint32_t)i;
        }
        dense[i] = seen_val[h];
    }
    char head[64];
    snprintf(head, sizeof head, "J1 %zu %zu\n", n, ns);
    put(&b, head, strlen(head));
    for (size_t i = 0; !b.bad && i < n; i++) {
        const cp_alert_delta *x = &d[i];
        put_token(&b, x->member_id);
        put_token(&b, x->indicator_id ? x->indicator_id : "-");
        put_token(&b, x->classification);
        put_token(&b, x->address);
        put_token(&b, x->address_kind);
        put_int(&b, x->window_start, ' ');
        put_int(&b, x->count, ' ');
        put_int(&b, x->first_seen, ' ');
        put_int(&b, x->last_seen, ' ');
        put_int(&b, x->tlp, ' ');
        put_int(&b, dense[i], '\n');
    }
    for (size_t k = 0; !b.bad && k < ns; k++) {
        const cp_alert_delta *x = &d[first[k]];
        size_t sl = x->source ? strlen(x->source) : 0;
        const char *ev = x->event ? x->event : "{}";
        size_t el = x->event ? x->event_len : 2;
        if (memchr(ev, 0, el)) b.bad = true;
        put_int(&b, x->event_time, ' ');
        put_int(&b, x->source ? (int64_t)sl : -1, ' ');
        put_int(&b, (int64_t)el, '\n');
        put(&b, x->source ? x->source : "", sl);
        put(&b, "\n", 1);
        put(&b, ev, el);
        put(&b, "\n", 1);
    }
    free(dense);
    free(first);
    free(seen_key);
    free(seen_val);
    if (b.bad) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* --- decoding --- */

typedef struct {
    char *p, *end;
} cursor;

/* The next token ending in stop (replaced by NUL); NULL when none. */
static char *token(cursor *c, char stop)
{
    char *s = c->p, *e = s;
    while (e < c->end && *e != stop && *e != ' ' && *e != '\n') e++;
    if (e == s || e >= c->end || *e != stop) return NULL;
    *e = 0;
    c->p = e + 1;
    return s;
}

static bool number(cursor *c, char stop, int64_t min, int64_t max, int64_t *out)
{
    char *t = token(c, stop);
    if (!t) return false;
    bool neg = *t == '-';
    if (neg) t++;
    if (!*t || strlen(t) > 18) return false;
    int64_t v = 0;
    for (; *t; t++) {
        if (*t < '0' || *t > '9') return false;
        v = v * 10 + (*t - '0');
    }
    if (neg) v = -v;
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

cp_status cp_alert_journal_decode(char *text, size_t len, int64_t received_ms, const char *reported_by,
                                  cp_alert_delta **out, size_t *n_out, cp_err *err)
{
    *out = NULL;
    *n_out = 0;
    cursor c = {text, text + len};
    int64_t nd, ns;
    if (len < 3 || memcmp(text, "J1 ", 3) != 0) return cp_fail(err, CP_E_STORE, "alert journal: not a journal row");
    c.p += 3;
    if (!number(&c, ' ', 0, (int64_t)len, &nd) || !number(&c, '\n', 0, (int64_t)len, &ns))
        return cp_fail(err, CP_E_STORE, "alert journal: bad header");
    cp_alert_delta *d = calloc(nd ? (size_t)nd : 1, sizeof *d);
    int64_t *samp = malloc((nd ? (size_t)nd : 1) * sizeof *samp);
    if (!d || !samp) {
        free(d);
        free(samp);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    const char *why = NULL;
    for (int64_t i = 0; !why && i < nd; i++) {
        cp_alert_delta *x = &d[i];
        char *ind, *kind;
        int64_t tlp = 0;
        x->member_id = token(&c, ' ');
        ind = token(&c, ' ');
        x->classification = token(&c, ' ');
        x->address = token(&c, ' ');
        kind = token(&c, ' ');
        if (!x->member_id || !ind || !x->classification || !x->address || !kind) {
            why = "a delta's names";
            break;
        }
        x->indicator_id = strcmp(ind, "-") == 0 ? NULL : ind;
        if (strcmp(kind, "ip") == 0) x->address_kind = "ip";
        else if (strcmp(kind, "domain") == 0) x->address_kind = "domain";
        else why = "an address kind";
        if (!why && !(number(&c, ' ', INT64_MIN / 2, INT64_MAX / 2, &x->window_start) &&
                      number(&c, ' ', 1, INT64_MAX / 2, &x->count) &&
                      number(&c, ' ', INT64_MIN / 2, INT64_MAX / 2, &x->first_seen) &&
                      number(&c, ' ', INT64_MIN / 2, INT64_MAX / 2, &x->last_seen) && number(&c, ' ', 0, 16, &tlp) &&
                      number(&c, '\n', 0, ns - 1, &samp[i])))
            why = "a delta's numbers";
        x->tlp = (int)tlp;
        x->received_ms = received_ms;
        x->reported_by = reported_by;
    }
    typedef struct {
        const char *src, *ev;
        size_t el;
        int64_t t;
    } sample_at;
    sample_at *sa = why ? NULL : malloc((ns ? (size_t)ns : 1) * sizeof *sa);
    if (!why && !sa) why = "memory";
    for (int64_t k = 0; !why && k < ns; k++) {
        int64_t t, sl, el;
        if (!number(&c, ' ', INT64_MIN / 2, INT64_MAX / 2, &t) || !number(&c, ' ', -1, (int64_t)len, &sl) ||
            !number(&c, '\n', 0, (int64_t)len, &el)) {
            why = "a sample's header";
            break;
        }
        size_t need = (size_t)(sl < 0 ? 0 : sl) + 1 + (size_t)el + 1;
        if ((size_t)(c.end - c.p) < need || c.p[sl < 0 ? 0 : sl] != '\n' || c.p[need - 1] != '\n') {
            why = "a sample's lengths";
            break;
        }
        char *src = c.p;
        src[sl < 0 ? 0 : sl] = 0;
        char *ev = src + (sl < 0 ? 0 : sl) + 1;
        c.p += need;
        sa[k] = (sample_at){sl < 0 ? NULL : src, ev, (size_t)el, t};
    }
    if (!why && c.p != c.end) why = "trailing text";
    for (int64_t i = 0; !why && i < nd; i++) {
        const sample_at *x = &sa[samp[i]];
        d[i].source = x->src;
        d[i].event = x->ev;
        d[i].event_len = x->el;
        d[i].event_time = x->t;
    }
    free(sa);
    free(samp);
    if (why) {
        free(d);
        return cp_fail(err, CP_E_STORE, "alert journal: bad row (%s)", why);
    }
    *out = d;
    *n_out = (size_t)nd;
    return CP_OK;
}
