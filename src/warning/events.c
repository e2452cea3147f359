/*
 * events.c — processing a parsed batch (events.h): match each event against
 * the current indicator set, route every address and name it carries to the
 * members whose constituency holds it, keep only the hits each member may
 * read, aggregate per (member, key, address, window) in memory, then apply
 * the aggregates in one write transaction with one audit entry.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/timeutil.h"
#include "intel/collections.h"
#include "intel/tlp.h"
#include "warning/alerts.h"
#include "warning/events.h"
#include "warning/iset.h"
#include "warning/routing.h"
#include "base/crypto.h"

#define MAX_HITS 64
#define MAX_PAIRS 64

typedef struct {
    const char *address;
    const char *kind;
    uint32_t member;
} pair;

/* --- which TLP levels a member may read in a collection (per batch) --- */

typedef struct {
    uint32_t member;
    int64_t cnum;
    unsigned readable; /* bit t: cp_intel_may_read at level t */
    int default_tlp;
    bool used;
    bool alerts;       /* a members' alerts collection: our own output, not intelligence */
} policy_slot;

typedef struct {
    policy_slot *slots;
    size_t cap, used;
} policy_cache;

static cp_status policy_of(cp_conn *c, const cp_routing *rt, policy_cache *pc, uint32_t member, int64_t cnum,
                           policy_slot **out, cp_err *err)
{
    size_t i = ((size_t)member * 1000003u + (size_t)cnum * 7919u) & (pc->cap - 1);
    while (pc->slots[i].used) {
        if (pc->slots[i].member == member && pc->slots[i].cnum == cnum) {
            *out = &pc->slots[i];
            return CP_OK;
        }
        i = (i + 1) & (pc->cap - 1);
    }
    /* the member as a reader: one of its analysts */
    cp_actor reader;
    memset(&reader, 0, sizeof reader);
    reader.kind = CP_ACTOR_KEY;
    reader.roles = reader.user_roles = CP_ROLE_ANALYST;
    reader.member_active = true;
    snprintf(reader.member_id, sizeof reader.member_id, "%s", cp_routing_member_id(rt, member));
    cp_collection col;
    policy_slot *s = &pc->slots[i];
    memset(s, 0, sizeof *s);
    pc->used++;
    s->member = member;
    s->cnum = cnum;
    s->used = true;
    cp_status st = cp_collection_by_num(c, cnum, &reader, &col, err);
    if (st == CP_E_NOT_FOUND) { /* the collection is gone: nobody reads it */
        *out = s;
        return CP_OK;
    }
    if (st) return st;
    s->alerts = strcmp(col.kind, "alerts") == 0;
    s->default_tlp = (int)cp_tlp_default(&col.policy);
    for (int t = CP_TLP_CLEAR; t <= CP_TLP_RED; t++) {
        cp_err e = {{0}};
        if (cp_intel_may_read(&reader, &col.policy, (cp_tlp)t, &e) == CP_OK) s->readable |= 1u << t;
    }
    *out = s;
    return CP_OK;
}

/* --- aggregation --- */

typedef struct {
    cp_alert_delta *d;
    size_t n, cap;
    uint32_t *slots; /* delta index + 1; 0 = empty */
    size_t scap;
    uint32_t *dmember; /* the routing member of each delta */
    uint32_t *dsample; /* the index of its first event in the batch */
    const cp_event *base;
} agg;

static uint64_t hash_key(uint32_t member, const char *ind, const char *cls, const char *addr, int64_t window)
{
    uint64_t h = 1469598103934665603ULL ^ member;
    const char *parts[3] = {ind ? ind : "", ind ? "" : cls, addr}; /* the alert's key: the indicator, else the class */
    for (int p = 0; p < 3; p++) {
        for (const char *s = parts[p]; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    return (h ^ (uint64_t)window) * 0x9e3779b97f4a7c15ULL;
}

static bool same(const cp_alert_delta *d, uint32_t dm, uint32_t member, const char *ind, const char *cls,
                 const char *addr, int64_t window)
{
    if (dm != member || d->window_start != window || strcmp(d->address, addr) != 0) return false;
    if (ind || d->indicator_id) return ind && d->indicator_id && strcmp(ind, d->indicator_id) == 0;
    return strcmp(cls, d->classification) == 0;
}

static cp_status agg_grow(agg *a, cp_err *err)
{
    size_t cap = a->cap ? a->cap * 2 : 256;
    cp_alert_delta *d = realloc(a->d, cap * sizeof *d);
    uint32_t *dm = d ? realloc(a->dmember, cap * sizeof *dm) : NULL;
    if (d) a->d = d;
    if (dm) a->dmember = dm;
    uint32_t *ds = dm ? realloc(a->dsample, cap * sizeof *ds) : NULL;
    if (ds) a->dsample = ds;
    uint32_t *slots = calloc(cap * 2, sizeof *slots);
    if (!d || !dm || !ds || !slots) {
        free(slots);
        return cp_fail(err, CP_E_NOMEM, "out of memory aggregating events");
    }
    a->cap = cap;
    free(a->slots);
    a->slots = slots;
    a->scap = cap * 2;
    for (size_t k = 0; k < a->n; k++) {
        const cp_alert_delta *x = &a->d[k];
        size_t i = hash_key(a->dmember[k], x->indicator_id, x->classification, x->address, x->window_start) & (a->scap - 1);
        while (a->slots[i]) i = (i + 1) & (a->scap - 1);
        a->slots[i] = (uint32_t)k + 1;
    }
    return CP_OK;
}

static cp_status agg_add(agg *a, const cp_routing *rt, uint32_t member, const char *ind, const char *cls,
                         const char *addr, const char *kind, int64_t window, int tlp, const cp_event *ev, cp_err *err)
{
    if (a->n + 1 > a->cap) { /* the slots stay at most half full */
        cp_status st = agg_grow(a, err);
        if (st) return st;
    }
    uint64_t h = hash_key(member, ind, cls, addr, window);
    size_t i = h & (a->scap - 1);
    while (a->slots[i]) {
        cp_alert_delta *d = &a->d[a->slots[i] - 1];
        if (same(d, a->dmember[a->slots[i] - 1], member, ind, cls, addr, window)) {
            d->count++;
            if (ev->time_ms < d->first_seen) d->first_seen = ev->time_ms;
            if (ev->time_ms > d->last_seen) d->last_seen = ev->time_ms;
            if (tlp > d->tlp) d->tlp = tlp;
            return CP_OK;
        }
        i = (i + 1) & (a->scap - 1);
    }
    cp_alert_delta *d = &a->d[a->n];
    memset(d, 0, sizeof *d);
    d->member_id = cp_routing_member_id(rt, member);
    d->indicator_id = ind;
    d->classification = cls;
    d->address = addr;
    d->address_kind = kind;
    d->window_start = window;
    d->count = 1;
    d->first_seen = d->last_seen = ev->time_ms;
    d->tlp = tlp;
    d->source = ev->source;
    d->event = ev->raw;
    d->event_len = ev->raw_len;
    d->event_time = ev->time_ms;
    a->dsample[a->n] = (uint32_t)(ev - a->base);
    a->dmember[a->n] = member;
    a->slots[i] = (uint32_t)++a->n;
    return CP_OK;
}

static void free_agg(agg *a)
{
    free(a->d);
    free(a->slots);
    free(a->dmember);
    free(a->dsample);
}

/* --- one event --- */

static void add_pairs(pair *p, size_t *n, const cp_route_result *r, const char *addr, const char *kind)
{
    for (uint16_t i = 0; i < r->n && *n < MAX_PAIRS; i++) {
        bool dup = false;
        for (size_t k = 0; k < *n && !dup; k++) dup = p[k].member == r->members[i] && strcmp(p[k].address, addr) == 0;
        if (!dup) p[(*n)++] = (pair){addr, kind, r->members[i]};
    }
}

static size_t route_event(const cp_routing *rt, const cp_event *ev, pair *p)
{
    size_t n = 0;
    cp_route_result r;
    if (ev->has_src && ev->affected != CP_AFFECTED_DST) {
        cp_routing_lookup_ip(rt, ev->src, ev->src_asn, &r);
        add_pairs(p, &n, &r, ev->src_text, "ip");
    }
    if (ev->has_dst && ev->affected != CP_AFFECTED_SRC) {
        cp_routing_lookup_ip(rt, ev->dst, ev->dst_asn, &r);
        add_pairs(p, &n, &r, ev->dst_text, "ip");
    }
    if (ev->affected != CP_AFFECTED_ANY) return n;
    if (ev->domain[0]) {
        cp_routing_lookup_domain(rt, ev->domain, strlen(ev->domain), &r);
        add_pairs(p, &n, &r, ev->domain, "domain");
    }
    if (ev->url_host[0]) {
        if (ev->url_host_ip) {
            cp_routing_lookup_ip(rt, ev->url_ip, 0, &r);
            add_pairs(p, &n, &r, ev->url_host, "ip");
        } else {
            cp_routing_lookup_domain(rt, ev->url_host, strlen(ev->url_host), &r);
            add_pairs(p, &n, &r, ev->url_host, "domain");
        }
    }
    if (ev->email_domain) {
        cp_routing_lookup_domain(rt, ev->email_domain, strlen(ev->email_domain), &r);
        add_pairs(p, &n, &r, ev->email_domain, "domain");
    }
    return n;
}

static size_t values_of(const cp_event *ev, cp_val *v)
{
    size_t n = 0;
#define VAL(k, s) v[n++] = (cp_val){k, s, strlen(s)}
    if (ev->has_src) VAL(ev->src_v4 ? CP_VAL_IPV4 : CP_VAL_IPV6, ev->src_text);
    if (ev->has_dst) VAL(ev->dst_v4 ? CP_VAL_IPV4 : CP_VAL_IPV6, ev->dst_text);
    if (ev->domain[0]) VAL(CP_VAL_DOMAIN, ev->domain);
    if (ev->url) VAL(CP_VAL_URL, ev->url);
    if (ev->url_host[0] && !ev->url_host_ip) VAL(CP_VAL_DOMAIN, ev->url_host);
    if (ev->url_host_ip) VAL(strchr(ev->url_host, ':') ? CP_VAL_IPV6 : CP_VAL_IPV4, ev->url_host);
    if (ev->email_domain) VAL(CP_VAL_EMAIL, ev->email);
    if (ev->md5) VAL(CP_VAL_MD5, ev->md5);
    if (ev->sha1) VAL(CP_VAL_SHA1, ev->sha1);
    if (ev->sha256) VAL(CP_VAL_SHA256, ev->sha256);
    if (ev->sha512) VAL(CP_VAL_SHA512, ev->sha512);
#undef VAL
    return n;
}

static cp_status process_event(cp_conn *c, const cp_routing *rt, const cp_iset *set, policy_cache *pc, agg *a,
                               const cp_event *ev, const cp_events_options *o, cp_events_result *res, cp_err *err)
{
    pair pairs[MAX_PAIRS];
    size_t np = route_event(rt, ev, pairs);
    cp_val vals[12];
    size_t nv = values_of(ev, vals);
    cp_iset_hit hits[MAX_HITS];
    size_t nh = cp_iset_match(set, vals, nv, hits, MAX_HITS);
    if (nh > MAX_HITS) nh = MAX_HITS;
    if (!np) {
        res->unrouted++;
        if (nh) res->matched++;
        return CP_OK;
    }
    res->routed++;
    int ev_tlp = ev->tlp == CP_TLP_NONE ? CP_TLP_AMBER : ev->tlp;
    int64_t window = ev->time_ms - ((ev->time_ms % o->window_ms) + o->window_ms) % o->window_ms;
    cp_status st = CP_OK;
    bool matched = false;
    for (size_t p = 0; !st && p < np; p++) {
        size_t readable = 0;
        for (size_t h = 0; !st && h < nh; h++) {
            policy_slot *ps;
            if ((st = policy_of(c, rt, pc, pairs[p].member, cp_iset_indicator_collection(set, hits[h].indicator), &ps,
                                err)))
                break;
            if (ps->alerts) continue; /* the indicators alerts write for their address never match back */
            int t = cp_iset_indicator_tlp(set, hits[h].indicator);
            if (t <= CP_TLP_NONE || t > CP_TLP_RED) t = ps->default_tlp ? ps->default_tlp : CP_TLP_AMBER;
            if (!(ps->readable & (1u << t))) {
                res->hidden_hits++;
                continue;
            }
            readable++;
            matched = true;
            st = agg_add(a, rt, pairs[p].member, cp_iset_indicator_id(set, hits[h].indicator), ev->classification,
                         pairs[p].address, pairs[p].kind, window, t > ev_tlp ? t : ev_tlp, ev, err);
        }
        if (!st && !readable)
            st = agg_add(a, rt, pairs[p].member, NULL, ev->classification, pairs[p].address, pairs[p].kind, window,
                         ev_tlp, ev, err);
    }
    if (matched) res->matched++;
    return st;
}

/* Commits the batch: one journal row holding its aggregated changes and its
 * audit entry, in one write transaction. The alerts are the folder's. */
static cp_status journal(cp_conn *c, const cp_actor *a, const agg *ag, const cp_events_result *res, cp_err *err)
{
    size_t len = 0;
    char *text = cp_alert_journal_encode(ag->d, ag->dsample, ag->n, &len);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory encoding the batch's alert changes");
    /* ids sort in the order batches were received (then a counter, for ties
     * within a millisecond on this server): the folder keeps the first event */
    static _Atomic uint32_t counter;
    char uuid[CP_UUID_LEN + 1], id[80];
    cp_uuid4(uuid);
    snprintf(id, sizeof id, "%016lld-%08x-%s", (long long)(res->received_ms > 0 ? res->received_ms : 0),
             (unsigned)atomic_fetch_add(&counter, 1), uuid);
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) {
        free(text);
        return st;
    }
    if (ag->n) { /* a batch that concerns nobody changes no alert: its audit entry only */
        cp_stmt *s;
        st = cp_stmt_prepare(c,
                             "INSERT INTO alert_journal (id, received_at, reported_by, events, deltas)"
                             " VALUES (?, ?, ?, ?, ?)",
                             &s, err);
        if (!st) {
            cp_stmt_bind_text(s, 1, id);
            cp_stmt_bind_int(s, 2, res->received_ms);
            cp_stmt_bind_text(s, 3, a->member_id[0] ? a->member_id : NULL);
            cp_stmt_bind_int(s, 4, res->routed);
            cp_stmt_bind_textn(s, 5, text, len);
            st = cp_stmt_run(s, err);
            cp_stmt_finalize(s);
        }
    }
    if (!st) {
        json_t *d = json_pack("{sI sI sI sI sI sI s?}", "accepted", (json_int_t)res->accepted, "matched",
                              (json_int_t)res->matched, "routed", (json_int_t)res->routed, "unrouted",
                              (json_int_t)res->unrouted, "hidden_hits", (json_int_t)res->hidden_hits,
                              "alerts_queued", (json_int_t)ag->n, "journal", ag->n ? id : NULL);
        st = cp_audit_append(c, a->label, "events.submit", "events", d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    free(text);
    return st;
}

cp_status cp_events_process(cp_conn *c, const cp_actor *a, const cp_event_batch *b, const cp_events_options *o,
                            int64_t received_ms, cp_events_result *res, cp_err *err)
{
    memset(res, 0, sizeof *res);
    res->accepted = (int64_t)b->n;
    res->received_ms = received_ms;
    if (o->window_ms <= 0) return cp_fail(err, CP_E_INTERNAL, "alert window must be positive");
    cp_routing *rt = cp_routing_current(c, err);
    if (!rt) return err->msg[0] ? CP_E_STORE : cp_fail(err, CP_E_STORE, "no routing table");
    cp_iset *set = cp_iset_acquire();
    policy_cache pc = {calloc(1024, sizeof(policy_slot)), 1024, 0};
    agg ag = {.base = b->ev};
    cp_status st = pc.slots ? agg_grow(&ag, err) : cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < b->n; i++) {
        st = process_event(c, rt, set, &pc, &ag, &b->ev[i], o, res, err);
        /* the cache is bounded: start afresh when it is half full */
        if (pc.used >= pc.cap / 2) {
            memset(pc.slots, 0, pc.cap * sizeof *pc.slots);
            pc.used = 0;
        }
    }
    if (!st) st = journal(c, a, &ag, res, err);
    if (!st) {
        res->alerts_queued = (int64_t)ag.n;
        if (ag.n) cp_alerts_fold_kick();
    }
    free_agg(&ag);
    free(pc.slots);
    cp_iset_release(set);
    cp_routing_release(rt);
    return st;
}
