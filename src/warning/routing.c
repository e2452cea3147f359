/*
 * routing.c — the constituency routing table (routing.h): open-addressing
 * hash tables keyed by (masked address, prefix length), AS number and domain
 * name; a lookup probes the prefix lengths present, longest first.
 */
#include "warning/routing.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

typedef struct {
    uint8_t key[16];
    uint8_t prefix;
    uint8_t used;
    uint16_t n;      /* members claiming it */
    uint32_t first;  /* into mlist */
} ip_slot;

typedef struct {
    uint32_t asn;    /* 0 = empty */
    uint16_t n;
    uint32_t first;
} asn_slot;

typedef struct {
    uint32_t name;   /* offset into names + 1; 0 = empty */
    uint32_t len;
    uint64_t hash;
    uint16_t n;
    uint32_t first;
} dom_slot;

struct cp_routing {
    _Atomic int refs;
    _Atomic int64_t checked_seq;  /* audit seq up to which no relevant change was found */
    cp_routing_stats stats;
    char (*members)[CP_UUID_LEN + 1];
    size_t n_members;
    uint32_t *mlist;
    size_t n_mlist, cap_mlist;
    ip_slot *ip;
    size_t ip_cap;   /* power of two */
    uint8_t lengths[129]; /* prefix lengths present, longest first */
    int n_lengths;
    /* the same, split: lengths of ranges that can hold an IPv4 address (inside
     * ::ffff:0:0/96, or holding all of it) and of ranges that can hold a
     * (non-mapped) IPv6 address; a lookup probes only its family's */
    uint8_t len4[129], len6[129];
    int n4, n6;
    asn_slot *as;
    size_t as_cap;
    dom_slot *dom;
    size_t dom_cap;
    char *names;
    size_t names_len, names_cap;
};

/* --- hashing --- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t ip_hash(const uint8_t key[16], uint8_t prefix)
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    return mix(a ^ mix(b ^ ((uint64_t)prefix << 56)));
}

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return mix(h);
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n * 2) c *= 2;
    return c;
}

static void mask(const uint8_t in[16], unsigned prefix, uint8_t out[16])
{
    memset(out, 0, 16);
    unsigned full = prefix / 8, rest = prefix % 8;
    memcpy(out, in, full);
    if (rest && full < 16) out[full] = (uint8_t)(in[full] & (0xffu << (8 - rest)));
}

/* The 16 bytes of ::ffff:0:0 from its 12-byte prefix. */
static const uint8_t *MAPPED16(const uint8_t prefix12[12], uint8_t out[16])
{
    memset(out, 0, 16);
    memcpy(out, prefix12, 12);
    return out;
}

static int hexval(char ch) { return ch <= '9' ? ch - '0' : ch - 'a' + 10; }

/* --- the build: rows arrive ordered by kind, value, member --- */

typedef struct {
    char kind[8];
    char value[260];
    uint8_t lo[16];
    int prefix;
    int64_t asn;
    uint32_t members[CP_ROUTE_MAX_MEMBERS];
    uint16_t n;
} group;

static bool push_member(cp_routing *t, uint32_t m)
{
    if (t->n_mlist == t->cap_mlist) {
        size_t cap = t->cap_mlist ? t->cap_mlist * 2 : 1024;
        uint32_t *g = realloc(t->mlist, cap * sizeof *g);
        if (!g) return false;
        t->mlist = g;
        t->cap_mlist = cap;
    }
    t->mlist[t->n_mlist++] = m;
    return true;
}

static bool add_name(cp_routing *t, const char *s, size_t n, uint32_t *off)
{
    if (t->names_len + n + 1 > t->names_cap) {
        size_t cap = t->names_cap ? t->names_cap * 2 : 4096;
        while (cap < t->names_len + n + 1) cap *= 2;
        char *g = realloc(t->names, cap);
        if (!g) return false;
        t->names = g;
        t->names_cap = cap;
    }
    memcpy(t->names + t->names_len, s, n);
    t->names[t->names_len + n] = 0;
    *off = (uint32_t)t->names_len;
    t->names_len += n + 1;
    return true;
}

static cp_status flush(cp_routing *t, const group *g, cp_err *err)
{
    if (!g->n) return CP_OK;
    uint32_t first = (uint32_t)t->n_mlist;
    for (uint16_t i = 0; i < g->n; i++)
        if (!push_member(t, g->members[i])) return cp_fail(err, CP_E_NOMEM, "out of memory building the routing table");
    if (strcmp(g->kind, "cidr") == 0) {
        uint8_t key[16];
        mask(g->lo, (unsigned)g->prefix, key);
        size_t i = ip_hash(key, (uint8_t)g->prefix) & (t->ip_cap - 1);
        while (t->ip[i].used) {
            if (t->ip[i].prefix == g->prefix && memcmp(t->ip[i].key, key, 16) == 0) return CP_OK; /* same range twice */
            i = (i + 1) & (t->ip_cap - 1);
        }
        ip_slot *s = &t->ip[i];
        memcpy(s->key, key, 16);
        s->prefix = (uint8_t)g->prefix;
        s->used = 1;
        s->n = g->n;
        s->first = first;
        t->stats.ranges++;
        bool seen = false;
        for (int k = 0; k < t->n_lengths; k++) seen |= t->lengths[k] == g->prefix;
        if (!seen) t->lengths[t->n_lengths++] = (uint8_t)g->prefix;
        static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        uint8_t m96[16], mk[16];
        mask(MAPPED16(MAPPED, mk), (unsigned)(g->prefix < 96 ? g->prefix : 96), m96);
        bool holds_v4 = g->prefix >= 96 ? memcmp(key, MAPPED, 12) == 0 : memcmp(m96, key, 16) == 0;
        bool holds_v6 = !(g->prefix >= 96 && memcmp(key, MAPPED, 12) == 0);
        uint8_t *list = NULL;
        int *cnt = NULL;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 0 && holds_v4) list = t->len4, cnt = &t->n4;
            else if (pass == 1 && holds_v6) list = t->len6, cnt = &t->n6;
            else continue;
            bool in = false;
            for (int k = 0; k < *cnt; k++) in |= list[k] == g->prefix;
            if (!in) list[(*cnt)++] = (uint8_t)g->prefix;
        }
    } else if (strcmp(g->kind, "asn") == 0) {
        uint32_t asn = (uint32_t)g->asn;
        size_t i = mix(asn) & (t->as_cap - 1);
        while (t->as[i].asn && t->as[i].asn != asn) i = (i + 1) & (t->as_cap - 1);
        if (t->as[i].asn) return CP_OK;
        t->as[i] = (asn_slot){asn, g->n, first};
        t->stats.asns++;
    } else if (strcmp(g->kind, "domain") == 0) {
        size_t len = strlen(g->value);
        uint64_t h = str_hash(g->value, len);
        size_t i = h & (t->dom_cap - 1);
        while (t->dom[i].name) {
            if (t->dom[i].hash == h && t->dom[i].len == len && memcmp(t->names + t->dom[i].name - 1, g->value, len) == 0)
                return CP_OK;
            i = (i + 1) & (t->dom_cap - 1);
        }
        uint32_t off;
        if (!add_name(t, g->value, len, &off)) return cp_fail(err, CP_E_NOMEM, "out of memory building the routing table");
        t->dom[i] = (dom_slot){off + 1, (uint32_t)len, h, g->n, first};
        t->stats.domains++;
    }
    return CP_OK;
}

static int by_length_desc(const void *a, const void *b)
{
    return (int)*(const uint8_t *)b - (int)*(const uint8_t *)a;
}

static cp_status count_kinds(cp_conn *c, int64_t *cidr, int64_t *asn, int64_t *dom, int64_t *seq, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT c.kind, COUNT(*) FROM constituency c JOIN members m ON m.id = c.member_id"
                                   " WHERE m.status = 'active' GROUP BY c.kind",
                                   &s, err);
    if (st) return st;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *k = cp_stmt_col_text(s, 0);
        int64_t n = cp_stmt_col_int(s, 1);
        if (strcmp(k, "cidr") == 0) *cidr = n;
        else if (strcmp(k, "asn") == 0) *asn = n;
        else if (strcmp(k, "domain") == 0) *dom = n;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) return st;
    if ((st = cp_stmt_prepare(c, "SELECT seq FROM audit_head WHERE id = 1", &s, err))) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) *seq = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s) ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "no audit head");
    cp_stmt_finalize(s);
    return st;
}

/* Index of member id in t->members (rows arrive grouped by value, not
 * member, so a small open hash maps ids to indexes). */
typedef struct {
    uint64_t *h;
    uint32_t *idx;
    size_t cap;
} member_map;

static cp_status member_index(cp_routing *t, member_map *mm, const char *id, uint32_t *out, cp_err *err)
{
    size_t len = strlen(id);
    uint64_t h = str_hash(id, len) | 1;
    if (t->n_members * 2 + 2 > mm->cap) { /* grow and rehash */
        size_t cap = mm->cap ? mm->cap * 2 : 256;
        uint64_t *nh = calloc(cap, sizeof *nh);
        uint32_t *ni = calloc(cap, sizeof *ni);
        char (*nm)[CP_UUID_LEN + 1] = realloc(t->members, (cap / 2) * sizeof *t->members);
        if (!nh || !ni || !nm) {
            free(nh);
            free(ni);
            if (nm) t->members = nm;
            return cp_fail(err, CP_E_NOMEM, "out of memory building the routing table");
        }
        t->members = nm;
        for (size_t i = 0; i < mm->cap; i++) {
            if (!mm->h[i]) continue;
            size_t j = mm->h[i] & (cap - 1);
            while (nh[j]) j = (j + 1) & (cap - 1);
            nh[j] = mm->h[i];
            ni[j] = mm->idx[i];
        }
        free(mm->h);
        free(mm->idx);
        mm->h = nh;
        mm->idx = ni;
        mm->cap = cap;
    }
    size_t i = h & (mm->cap - 1);
    while (mm->h[i]) {
        if (mm->h[i] == h && strcmp(t->members[mm->idx[i]], id) == 0) {
            *out = mm->idx[i];
            return CP_OK;
        }
        i = (i + 1) & (mm->cap - 1);
    }
    uint32_t k = (uint32_t)t->n_members++;
    snprintf(t->members[k], sizeof t->members[k], "%s", id);
    mm->h[i] = h;
    mm->idx[i] = k;
    *out = k;
    return CP_OK;
}

static cp_status load_rows(cp_conn *c, cp_routing *t, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT c.member_id, c.kind, c.value, c.ip_lo, c.prefix, c.asn FROM constituency c"
                                   " JOIN members m ON m.id = c.member_id WHERE m.status = 'active'"
                                   " ORDER BY c.kind, c.value, c.member_id",
                                   &s, err);
    if (st) return st;
    member_map mm = {0};
    group g;
    memset(&g, 0, sizeof g);
    cp_step r;
    while (!st && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *kind = cp_stmt_col_text(s, 1), *value = cp_stmt_col_text(s, 2);
        if (!kind || !value) continue;
        if (strcmp(kind, g.kind) != 0 || strcmp(value, g.value) != 0) {
            if ((st = flush(t, &g, err))) break;
            memset(&g, 0, sizeof g);
            snprintf(g.kind, sizeof g.kind, "%s", kind);
            snprintf(g.value, sizeof g.value, "%s", value);
            const char *lo = cp_stmt_col_text(s, 3);
            if (lo && strlen(lo) == 32)
                for (int i = 0; i < 16; i++) g.lo[i] = (uint8_t)(hexval(lo[2 * i]) << 4 | hexval(lo[2 * i + 1]));
            g.prefix = (int)cp_stmt_col_int(s, 4);
            if (g.prefix < 0 || g.prefix > 128) g.prefix = 128;
            g.asn = cp_stmt_col_int(s, 5);
        }
        uint32_t m = 0;
        if ((st = member_index(t, &mm, cp_stmt_col_text(s, 0), &m, err))) break;
        if (g.n < CP_ROUTE_MAX_MEMBERS) g.members[g.n++] = m;
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    if (!st) st = flush(t, &g, err);
    cp_stmt_finalize(s);
    free(mm.h);
    free(mm.idx);
    return st;
}

cp_status cp_routing_build(cp_conn *c, cp_routing **out, cp_err *err)
{
    *out = NULL;
    cp_routing *t = calloc(1, sizeof *t);
    if (!t) return cp_fail(err, CP_E_NOMEM, "out of memory building the routing table");
    atomic_init(&t->refs, 1);
    bool own = !cp_conn_in_tx(c);
    cp_status st = own ? cp_conn_begin(c, CP_TX_READ, err) : CP_OK;
    int64_t ncidr = 0, nasn = 0, ndom = 0, seq = 0;
    if (!st) st = count_kinds(c, &ncidr, &nasn, &ndom, &seq, err);
    if (!st) {
        t->ip_cap = pow2_at_least((size_t)ncidr);
        t->as_cap = pow2_at_least((size_t)nasn);
        t->dom_cap = pow2_at_least((size_t)ndom);
        t->ip = calloc(t->ip_cap, sizeof *t->ip);
        t->as = calloc(t->as_cap, sizeof *t->as);
        t->dom = calloc(t->dom_cap, sizeof *t->dom);
        if (!t->ip || !t->as || !t->dom) st = cp_fail(err, CP_E_NOMEM, "out of memory building the routing table");
    }
    if (!st) st = load_rows(c, t, err);
    if (own) cp_conn_rollback(c);
    if (st) {
        cp_routing_release(t);
        return st;
    }
    qsort(t->lengths, (size_t)t->n_lengths, 1, by_length_desc);
    qsort(t->len4, (size_t)t->n4, 1, by_length_desc);
    qsort(t->len6, (size_t)t->n6, 1, by_length_desc);
    t->stats.members = t->n_members;
    t->stats.built_ms = cp_now_ms();
    t->stats.audit_seq = seq;
    atomic_init(&t->checked_seq, seq);
    *out = t;
    return CP_OK;
}

static void result_add(const cp_routing *t, uint32_t first, uint16_t n, cp_route_result *out)
{
    for (uint16_t i = 0; i < n && out->n < CP_ROUTE_MAX_MEMBERS; i++) out->members[out->n++] = t->mlist[first + i];
}

void cp_routing_lookup_ip(const cp_routing *t, const uint8_t addr[16], uint32_t asn, cp_route_result *out)
{
    out->n = 0;
    uint8_t key[16];
    static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    bool v4 = memcmp(addr, MAPPED, 12) == 0;
    const uint8_t *lengths = v4 ? t->len4 : t->len6;
    int n = v4 ? t->n4 : t->n6;
    for (int k = 0; k < n; k++) {
        uint8_t p = lengths[k];
        mask(addr, p, key);
        size_t i = ip_hash(key, p) & (t->ip_cap - 1);
        while (t->ip[i].used) {
            const ip_slot *s = &t->ip[i];
            if (s->prefix == p && memcmp(s->key, key, 16) == 0) {
                result_add(t, s->first, s->n, out);
                return;
            }
            i = (i + 1) & (t->ip_cap - 1);
        }
    }
    if (!asn) return;
    size_t i = mix(asn) & (t->as_cap - 1);
    while (t->as[i].asn) {
        if (t->as[i].asn == asn) {
            result_add(t, t->as[i].first, t->as[i].n, out);
            return;
        }
        i = (i + 1) & (t->as_cap - 1);
    }
}

static bool find_domain(const cp_routing *t, const char *name, size_t len, cp_route_result *out)
{
    uint64_t h = str_hash(name, len);
    size_t i = h & (t->dom_cap - 1);
    while (t->dom[i].name) {
        const dom_slot *s = &t->dom[i];
        if (s->hash == h && s->len == len && memcmp(t->names + s->name - 1, name, len) == 0) {
            result_add(t, s->first, s->n, out);
            return true;
        }
        i = (i + 1) & (t->dom_cap - 1);
    }
    return false;
}

void cp_routing_lookup_domain(const cp_routing *t, const char *name, size_t len, cp_route_result *out)
{
    out->n = 0;
    if (!t->stats.domains) return;
    size_t i = 0;
    while (i < len) {
        if (find_domain(t, name + i, len - i, out)) return;
        const char *dot = memchr(name + i, '.', len - i);
        if (!dot) return;
        i = (size_t)(dot - name) + 1;
    }
}

const char *cp_routing_member_id(const cp_routing *t, uint32_t member)
{
    return member < t->n_members ? t->members[member] : "";
}

size_t cp_routing_member_count(const cp_routing *t) { return t->n_members; }

void cp_routing_stats_get(const cp_routing *t, cp_routing_stats *out) { *out = t->stats; }

void cp_routing_retain(cp_routing *t)
{
    if (t) atomic_fetch_add(&t->refs, 1);
}

void cp_routing_release(cp_routing *t)
{
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1) return;
    free(t->members);
    free(t->mlist);
    free(t->ip);
    free(t->as);
    free(t->dom);
    free(t->names);
    free(t);
}

/* --- the server's current table --- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;  /* the pointer and taking a reference */
static pthread_mutex_t g_build = PTHREAD_MUTEX_INITIALIZER; /* one rebuild at a time */
static cp_routing *g_cur;

static cp_routing *take_current(void)
{
    pthread_mutex_lock(&g_lock);
    cp_routing *t = g_cur;
    cp_routing_retain(t);
    pthread_mutex_unlock(&g_lock);
    return t;
}

static void install(cp_routing *t)
{
    cp_routing_retain(t);
    pthread_mutex_lock(&g_lock);
    cp_routing *old = g_cur;
    g_cur = t;
    pthread_mutex_unlock(&g_lock);
    cp_routing_release(old);
}

static cp_status head_seq(cp_conn *c, int64_t *seq, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT seq FROM audit_head WHERE id = 1", &s, err);
    if (st) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) *seq = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s) ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "no audit head");
    cp_stmt_finalize(s);
    return st;
}

/* Whether an entry in (after, upto] changed a constituency or a member. */
static cp_status relevant_change(cp_conn *c, int64_t after, int64_t upto, bool *yes, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT 1 FROM audit_log WHERE seq > CAST(? AS BIGINT) AND seq <= CAST(? AS BIGINT)"
                                   " AND (action LIKE 'constituency.%' OR action LIKE 'member.%') LIMIT 1",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, after);
    cp_stmt_bind_int(s, 2, upto);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_routing *cp_routing_current(cp_conn *c, cp_err *err)
{
    int64_t head = 0;
    if (head_seq(c, &head, err)) return NULL;
    cp_routing *t = take_current();
    if (t) {
        int64_t checked = atomic_load(&t->checked_seq);
        if (head <= checked) return t;
        bool changed = false;
        if (relevant_change(c, checked, head, &changed, err)) {
            cp_routing_release(t);
            return NULL;
        }
        if (!changed) {
            /* raise, never lower, what has been checked */
            while (checked < head && !atomic_compare_exchange_weak(&t->checked_seq, &checked, head)) {
            }
            return t;
        }
        cp_routing_release(t);
    }
    pthread_mutex_lock(&g_build);
    /* Another thread may have rebuilt while this one waited. */
    t = take_current();
    if (t && t->stats.audit_seq >= head) {
        pthread_mutex_unlock(&g_build);
        return t;
    }
    cp_routing_release(t);
    cp_routing *fresh = NULL;
    if (cp_routing_build(c, &fresh, err)) {
        pthread_mutex_unlock(&g_build);
        return NULL;
    }
    install(fresh);
    pthread_mutex_unlock(&g_build);
    return fresh; /* the reference from the build is the caller's */
}

void cp_routing_reset(void)
{
    pthread_mutex_lock(&g_lock);
    cp_routing *old = g_cur;
    g_cur = NULL;
    pthread_mutex_unlock(&g_lock);
    cp_routing_release(old);
}
