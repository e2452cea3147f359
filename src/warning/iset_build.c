/*
 * iset_build.c — compiling indicators into a set: the pattern compiler
 * (observation tree -> keys and a program), the builder, and finish (the
 * pool, the table, the Bloom filter). Rules in iset.h and
 * docs/early-warning.md.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "intel/objects.h"
#include "intel/observables.h"
#include "intel/pattern.h"
#include "warning/iset_internal.h"

typedef struct {
    uint64_t h;
    uint32_t key; /* offset of the key record in the builder's pool */
    uint32_t ind;
    uint8_t term, complex;
} bent;

struct cp_iset_builder {
    uint64_t seed;
    const cp_warninglists *wl;
    cpi_ind *inds;
    uint32_t n_inds, cap_inds;
    char *ids;
    size_t ids_len, ids_cap;
    uint8_t *code;
    size_t code_len, code_cap;
    uint8_t *pool;
    size_t pool_len, pool_cap;
    bent *ents;
    size_t n_ents, cap_ents;
    bool v4p[129], v6p[129];
    cp_iset_stats stats;
    int64_t next_change_ms;
    bool nomem;
    struct compiler *comp; /* scratch of the pattern compiler */
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static void free_compiler(struct compiler *c);

cp_iset_builder *cp_iset_builder_new(void)
{
    cp_iset_builder *b = calloc(1, sizeof *b);
    if (b) b->seed = cpi_new_seed();
    return b;
}

void cp_iset_builder_free(cp_iset_builder *b)
{
    if (!b) return;
    free(b->inds);
    free(b->ids);
    free(b->code);
    free(b->pool);
    free(b->ents);
    free_compiler(b->comp);
    free(b);
}

void cp_iset_builder_set_warninglists(cp_iset_builder *b, const cp_warninglists *w) { b->wl = w; }

/* ---- the pattern compiler ---- */

enum { N_FALSE, N_TERM, N_AND, N_OR };

typedef struct {
    int kind, term, first, next;
} cnode;

typedef struct {
    int kind; /* CPI_K_ */
    int term; /* provisional term */
    uint16_t len;
    uint8_t bytes[CPI_KEY_MAX];
} ckey;

/* A key as kept by the compiler: its bytes in the compiler's pool. */
typedef struct {
    int kind, term;
    uint32_t len, off;
} ckref;

#define MAX_NODES (2 * CP_PATTERN_MAX_COMPARISONS + 2)
#define MAX_KEYS 4096

typedef struct compiler {
    cp_iset_builder *b;
    cnode nodes[MAX_NODES];
    int n_nodes;
    int n_terms;
    ckref *keys; /* MAX_KEYS */
    int n_keys;
    uint8_t *kb; /* the keys' bytes */
    size_t kb_len, kb_cap;
    int cur_term;
    int cur_count;
    bool too_many;
    uint64_t warninglisted;
} compiler;

static void free_compiler(struct compiler *c)
{
    if (!c) return;
    free(c->keys);
    free(c->kb);
    free(c);
}

static int node(compiler *c, int kind, int term)
{
    if (c->n_nodes >= MAX_NODES) {
        c->too_many = true;
        return 0;
    }
    c->nodes[c->n_nodes] = (cnode){kind, term, -1, -1};
    return c->n_nodes++;
}

static int hexv(char ch) { return ch <= '9' ? ch - '0' : ch - 'a' + 10; }

/* An observable as a key. */
static bool obs_key(const cp_observable *o, ckey *k)
{
    size_t n = strlen(o->value);
    switch (o->kind) {
    case CP_OBS_IP: {
        int prefix = 0;
        bool diff = false;
        for (int i = 0; i < 16; i++) {
            uint8_t lo = (uint8_t)(hexv(o->ip_lo[2 * i]) * 16 + hexv(o->ip_lo[2 * i + 1]));
            uint8_t hi = (uint8_t)(hexv(o->ip_hi[2 * i]) * 16 + hexv(o->ip_hi[2 * i + 1]));
            k->bytes[i] = lo;
            for (int bit = 7; bit >= 0 && !diff; bit--) {
                if (((lo >> bit) & 1) != ((hi >> bit) & 1)) diff = true;
                else prefix++;
            }
        }
        k->bytes[16] = (uint8_t)prefix;
        k->kind = CPI_K_IP;
        k->len = CPI_IP_KEY_LEN;
        return true;
    }
    case CP_OBS_DOMAIN: k->kind = o->subdomains ? CPI_K_DOMAIN_SUB : CPI_K_DOMAIN; break;
    case CP_OBS_URL: k->kind = CPI_K_URL; break;
    case CP_OBS_MD5: k->kind = CPI_K_MD5; break;
    case CP_OBS_SHA1: k->kind = CPI_K_SHA1; break;
    case CP_OBS_SHA256: k->kind = CPI_K_SHA256; break;
    case CP_OBS_SHA512: k->kind = CPI_K_SHA512; break;
    case CP_OBS_EMAIL: k->kind = CPI_K_EMAIL; break;
    default: return false;
    }
    if (n == 0 || n >= CPI_KEY_MAX) return false;
    memcpy(k->bytes, o->value, n);
    k->len = (uint16_t)n;
    return true;
}

static int on_obs(const cp_observable *o, void *ctx)
{
    compiler *c = ctx;
    if (c->b->wl && cp_warninglists_match(c->b->wl, o)) {
        c->warninglisted++;
        return 0;
    }
    if (c->n_keys >= MAX_KEYS) {
        c->too_many = true;
        return 1;
    }
    ckey k;
    if (!obs_key(o, &k)) return 0;
    if (c->kb_len + k.len > c->kb_cap) {
        size_t cap = c->kb_cap ? c->kb_cap : 4096;
        while (cap < c->kb_len + k.len) cap *= 2;
        uint8_t *q = realloc(c->kb, cap);
        if (!q) {
            c->too_many = true; /* reported as skipped: the builder itself will fail for memory soon */
            return 1;
        }
        c->kb = q;
        c->kb_cap = cap;
    }
    memcpy(c->kb + c->kb_len, k.bytes, k.len);
    c->keys[c->n_keys] = (ckref){k.kind, c->cur_term, k.len, (uint32_t)c->kb_len};
    c->kb_len += k.len;
    c->n_keys++;
    c->cur_count++;
    return 0;
}

/* Adds child to parent's list (end). */
static void adopt(compiler *c, int parent, int child)
{
    if (c->nodes[parent].first < 0) {
        c->nodes[parent].first = child;
        return;
    }
    int k = c->nodes[parent].first;
    while (c->nodes[k].next >= 0) k = c->nodes[k].next;
    c->nodes[k].next = child;
}

/* Builds an AND/OR node from compiled children, simplified: FALSE children
 * of an OR dropped, an AND with a FALSE child is FALSE, same-operator
 * children flattened, one child stands for itself. */
static int combine(compiler *c, int kind, const int *kids, int n)
{
    int parent = node(c, kind, -1);
    int count = 0;
    for (int i = 0; i < n; i++) {
        int k = kids[i];
        if (c->nodes[k].kind == N_FALSE) {
            if (kind == N_AND) return node(c, N_FALSE, -1);
            continue;
        }
        if (c->nodes[k].kind == kind) {
            for (int g = c->nodes[k].first; g >= 0;) {
                int nx = c->nodes[g].next;
                c->nodes[g].next = -1;
                adopt(c, parent, g);
                count++;
                g = nx;
            }
            continue;
        }
        c->nodes[k].next = -1;
        adopt(c, parent, k);
        count++;
    }
    if (count == 0) return node(c, N_FALSE, -1);
    if (count == 1) return c->nodes[parent].first;
    return parent;
}

static int compile_cmp(compiler *c, const cp_pat_cmp *x)
{
    if (c->too_many) return node(c, N_FALSE, -1);
    if (x->kind == CP_PAT_CMP_TEST) {
        c->cur_term = c->n_terms++;
        c->cur_count = 0;
        cp_observables_of_term(x->term, on_obs, c);
        return c->cur_count ? node(c, N_TERM, c->cur_term) : node(c, N_FALSE, -1);
    }
    int kids[CP_PATTERN_MAX_COMPARISONS];
    int n = 0;
    for (const cp_pat_cmp *k = x->first; k && n < CP_PATTERN_MAX_COMPARISONS; k = k->next) kids[n++] = compile_cmp(c, k);
    return combine(c, x->kind == CP_PAT_CMP_AND ? N_AND : N_OR, kids, n);
}

static int compile_obs(compiler *c, const cp_pat_obs *o)
{
    if (o->kind == CP_PAT_OBS_LEAF) return compile_cmp(c, o->cmp);
    int kids[CP_PATTERN_MAX_COMPARISONS];
    int n = 0;
    for (const cp_pat_obs *k = o->first; k && n < CP_PATTERN_MAX_COMPARISONS; k = k->next) kids[n++] = compile_obs(c, k);
    return combine(c, N_OR, kids, n); /* only OR reaches here */
}

static bool multi_event(const cp_pat_obs *o)
{
    if (o->quals) return true;
    if (o->kind == CP_PAT_OBS_FOLLOWEDBY || o->kind == CP_PAT_OBS_AND) return true;
    if (o->kind == CP_PAT_OBS_LEAF) return false;
    for (const cp_pat_obs *k = o->first; k; k = k->next)
        if (multi_event(k)) return true;
    return false;
}

/* Gives the remaining terms compact numbers in tree order; -1 when more than
 * CPI_TERMS_MAX. */
static int renumber(compiler *c, int n, int *map, int *next)
{
    if (c->nodes[n].kind == N_TERM) {
        int t = c->nodes[n].term;
        if (map[t] < 0) {
            if (*next >= CPI_TERMS_MAX) return -1;
            map[t] = (*next)++;
        }
        c->nodes[n].term = map[t];
        return 0;
    }
    for (int k = c->nodes[n].first; k >= 0; k = c->nodes[k].next)
        if (renumber(c, k, map, next)) return -1;
    return 0;
}

static bool emit(compiler *c, int n, uint8_t *code, size_t *len)
{
    if (*len + 2 > CPI_CODE_MAX) return false;
    if (c->nodes[n].kind == N_TERM) {
        code[(*len)++] = CPI_OP_TERM;
        code[(*len)++] = (uint8_t)c->nodes[n].term;
        return true;
    }
    int count = 0;
    for (int k = c->nodes[n].first; k >= 0; k = c->nodes[k].next, count++)
        if (!emit(c, k, code, len)) return false;
    if (*len + 2 > CPI_CODE_MAX || count > 255) return false;
    code[(*len)++] = c->nodes[n].kind == N_AND ? CPI_OP_AND : CPI_OP_OR;
    code[(*len)++] = (uint8_t)count;
    return true;
}

/* ---- adding ---- */

cp_status cpi_builder_add_key(cp_iset_builder *b, int kind, const uint8_t *bytes, size_t len, uint32_t ind, int term, bool complex)
{
    size_t rec = (sizeof(cpi_keyhdr) + len + 3) & ~(size_t)3;
    if (b->pool_len + rec > UINT32_MAX - 1) return CP_E_TOO_LARGE;
    if (!grow((void **)&b->pool, &b->pool_cap, b->pool_len + rec, 1) ||
        !grow((void **)&b->ents, &b->cap_ents, b->n_ents + 1, sizeof *b->ents))
        return CP_E_NOMEM;
    cpi_keyhdr *h = (cpi_keyhdr *)(void *)(b->pool + b->pool_len);
    *h = (cpi_keyhdr){(uint8_t)kind, 0, (uint16_t)len, 0};
    memcpy(h + 1, bytes, len);
    memset((uint8_t *)(h + 1) + len, 0, rec - sizeof *h - len);
    b->ents[b->n_ents++] = (bent){cpi_hash(b->seed, kind, bytes, len), (uint32_t)b->pool_len, ind, (uint8_t)term, complex};
    b->pool_len += rec;
    if (kind == CPI_K_IP) {
        static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        int prefix = bytes[16];
        if (prefix >= 96) {
            if (memcmp(bytes, MAPPED, 12) == 0) b->v4p[prefix] = true;
            else b->v6p[prefix] = true;
        } else {
            /* does the network contain ::ffff:0:0/96? */
            bool covers = true;
            for (int i = 0; i < 12 && covers; i++) {
                int bits = prefix - 8 * i;
                uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
                if ((bytes[i] & m) != (MAPPED[i] & m)) covers = false;
            }
            if (covers) b->v4p[prefix] = true;
            b->v6p[prefix] = true;
        }
    }
    return CP_OK;
}

/* Appends an indicator record. */
cp_status cpi_builder_add_ind(cp_iset_builder *b, const char *id, int tlp, int64_t collection, const uint8_t *code, size_t code_len,
                         int nterms, uint32_t *out)
{
    if (b->n_inds >= CPI_INDICATORS_MAX) return CP_E_TOO_LARGE;
    size_t idl = strlen(id);
    if (b->ids_len + idl + 1 > UINT32_MAX || b->code_len + code_len > UINT32_MAX) return CP_E_TOO_LARGE;
    if (b->n_inds + 1 > b->cap_inds) {
        uint32_t c = b->cap_inds ? b->cap_inds * 2 : 256;
        cpi_ind *q = realloc(b->inds, (size_t)c * sizeof *q);
        if (!q) return CP_E_NOMEM;
        b->inds = q;
        b->cap_inds = c;
    }
    if (!grow((void **)&b->ids, &b->ids_cap, b->ids_len + idl + 1, 1) ||
        !grow((void **)&b->code, &b->code_cap, b->code_len + code_len + 1, 1))
        return CP_E_NOMEM;
    cpi_ind *in = &b->inds[b->n_inds];
    in->id_off = (uint32_t)b->ids_len;
    in->code_off = (uint32_t)b->code_len;
    in->code_len = (uint16_t)code_len;
    in->tlp = (uint8_t)tlp;
    in->nterms = (uint8_t)nterms;
    in->collection = collection;
    memcpy(b->ids + b->ids_len, id, idl + 1);
    b->ids_len += idl + 1;
    if (code_len) memcpy(b->code + b->code_len, code, code_len);
    b->code_len += code_len;
    *out = b->n_inds++;
    return CP_OK;
}

static cp_status compile_pattern(cp_iset_builder *b, compiler *c, const char *id, const char *pattern, size_t len, int tlp,
                                 int64_t collection, bool *compiled, cp_err *err)
{
    cp_pattern *p = NULL;
    if (cp_pattern_parse(pattern, len, &p, NULL)) {
        b->stats.skipped_other++;
        return CP_OK;
    }
    const cp_pat_obs *root = cp_pattern_root(p);
    if (multi_event(root)) {
        cp_pattern_free(p);
        b->stats.skipped_multi_event++;
        return CP_OK;
    }
    c->b = b;
    c->n_nodes = c->n_terms = c->n_keys = 0;
    c->kb_len = 0;
    c->too_many = false;
    c->warninglisted = 0;
    int r = compile_obs(c, root);
    cp_pattern_free(p);
    b->stats.warninglisted += c->warninglisted;
    int map[CP_PATTERN_MAX_COMPARISONS];
    for (int i = 0; i < c->n_terms && i < CP_PATTERN_MAX_COMPARISONS; i++) map[i] = -1;
    bool simple = c->nodes[r].kind == N_TERM;
    if (c->nodes[r].kind == N_OR) {
        simple = true;
        for (int k = c->nodes[r].first; k >= 0; k = c->nodes[k].next)
            if (c->nodes[k].kind != N_TERM) simple = false;
    }
    uint8_t code[CPI_CODE_MAX];
    size_t code_len = 0;
    int nterms = 0;
    if (c->too_many || c->nodes[r].kind == N_FALSE) {
        b->stats.skipped_other++;
        return CP_OK;
    }
    if (simple) {
        for (int i = 0; i < c->n_terms; i++) map[i] = 0;
    } else if (renumber(c, r, map, &nterms) || !emit(c, r, code, &code_len)) {
        b->stats.skipped_other++; /* more than CPI_TERMS_MAX terms joined by AND */
        return CP_OK;
    }
    uint32_t ind;
    cp_status st = cpi_builder_add_ind(b, id, tlp, collection, code, code_len, nterms, &ind);
    if (st) return cp_fail(err, st, st == CP_E_NOMEM ? "out of memory" : "too many indicators");
    for (int i = 0; i < c->n_keys; i++) {
        const ckref *k = &c->keys[i];
        if (map[k->term] < 0) continue; /* its term was simplified away */
        st = cpi_builder_add_key(b, k->kind, c->kb + k->off, k->len, ind, map[k->term], !simple);
        if (st) return cp_fail(err, st, st == CP_E_NOMEM ? "out of memory" : "the set's key pool is full");
    }
    b->stats.indicators++;
    if (compiled) *compiled = true;
    return CP_OK;
}

cp_status cp_iset_builder_add_pattern(cp_iset_builder *b, const char *stix_id, const char *pattern, size_t len, int tlp,
                                      int64_t collection, bool *compiled, cp_err *err)
{
    if (compiled) *compiled = false;
    if (!b->comp) {
        /* the compiler's scratch, kept for the builder's life */
        compiler *c = malloc(sizeof *c);
        if (c) c->kb = NULL, c->kb_len = c->kb_cap = 0;
        if (c && !(c->keys = malloc(MAX_KEYS * sizeof(ckref)))) {
            free(c);
            c = NULL;
        }
        if (!c) return cp_fail(err, CP_E_NOMEM, "out of memory");
        b->comp = c;
    }
    compiler *tc = b->comp;
    return compile_pattern(b, tc, stix_id ? stix_id : "", pattern, len, tlp, collection, compiled, err);
}

static int64_t ts_ms(const char *v)
{
    int64_t us = 0;
    return v && cp_taxii_ts_parse(v, &us, NULL) == CP_OK ? us / 1000 : 0;
}

cp_status cpi_builder_add_fields(cp_iset_builder *b, const cpi_indicator_fields *f, int tlp, int64_t collection, int64_t now_ms,
                                 bool *compiled, cp_err *err)
{
    if (compiled) *compiled = false;
    if (f->revoked || !f->id) return CP_OK;
    if ((f->pattern_type && strcmp(f->pattern_type, "stix") != 0) || f->pattern_type_not_string || !f->pattern) {
        b->stats.skipped_other++;
        return CP_OK;
    }
    int64_t from = ts_ms(f->valid_from), until = ts_ms(f->valid_until);
    if (from > now_ms || (until && until <= now_ms)) {
        b->stats.expired++;
        if (from > now_ms && (!b->next_change_ms || from < b->next_change_ms)) b->next_change_ms = from;
        return CP_OK;
    }
    bool done = false;
    cp_status st = cp_iset_builder_add_pattern(b, f->id, f->pattern, f->pattern_len, tlp, collection, &done, err);
    if (!st && done && until && (!b->next_change_ms || until < b->next_change_ms)) b->next_change_ms = until;
    if (compiled) *compiled = done;
    return st;
}

cp_status cp_iset_builder_add_object(cp_iset_builder *b, const json_t *obj, int tlp, int64_t collection, int64_t now_ms,
                                     bool *compiled, cp_err *err)
{
    if (compiled) *compiled = false;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type || strcmp(type, "indicator") != 0) return CP_OK;
    const json_t *pt = json_object_get(obj, "pattern_type"), *pat = json_object_get(obj, "pattern");
    cpi_indicator_fields f = {
        .id = json_string_value(json_object_get(obj, "id")),
        .pattern = json_string_value(pat),
        .pattern_len = json_string_length(pat),
        .pattern_type = json_string_value(pt),
        .pattern_type_not_string = pt && !json_is_string(pt),
        .valid_from = json_string_value(json_object_get(obj, "valid_from")),
        .valid_until = json_string_value(json_object_get(obj, "valid_until")),
        .revoked = json_is_true(json_object_get(obj, "revoked")),
    };
    return cpi_builder_add_fields(b, &f, tlp, collection, now_ms, compiled, err);
}

void cpi_builder_set_meta(cp_iset_builder *b, const cp_iset_stats *st, int64_t next_change_ms)
{
    b->stats = *st;
    b->next_change_ms = next_change_ms;
}

/* ---- finish ---- */

static const uint8_t *g_sort_pool; /* qsort has no context argument */

static int cmp_key(const cpi_keyhdr *a, const cpi_keyhdr *b)
{
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return memcmp(a + 1, b + 1, a->len);
}

static int cmp_ent(const void *x, const void *y)
{
    const bent *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    int c = cmp_key((const cpi_keyhdr *)(const void *)(g_sort_pool + a->key), (const cpi_keyhdr *)(const void *)(g_sort_pool + b->key));
    if (c) return c;
    if (a->ind != b->ind) return a->ind < b->ind ? -1 : 1;
    return a->term < b->term ? -1 : a->term > b->term;
}

/* The /24 bitmap of IPv4 keys (iset_internal.h). */
static bool v4_filter(cp_iset *s)
{
    static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    size_t off = 0;
    for (uint32_t k = 0; k < s->n_keys; k++) {
        const cpi_keyhdr *h = (const cpi_keyhdr *)(const void *)(s->keys + off);
        off += (sizeof *h + h->len + 3) & ~(size_t)3;
        if (h->kind != CPI_K_IP) continue;
        const uint8_t *a = (const uint8_t *)(h + 1);
        int prefix = a[16];
        uint32_t lo, count;
        if (prefix >= 96 && memcmp(a, MAPPED, 12) == 0) {
            int q = prefix - 96;
            lo = (uint32_t)a[12] << 16 | (uint32_t)a[13] << 8 | a[14];
            count = q >= 24 ? 1 : 1u << (24 - q);
        } else if (prefix < 96) {
            bool covers = true; /* does the network hold ::ffff:0:0/96? */
            for (int i = 0; i < 12 && covers; i++) {
                int bits = prefix - 8 * i;
                uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
                if ((a[i] & m) != (MAPPED[i] & m)) covers = false;
            }
            if (!covers) continue;
            lo = 0;
            count = 1u << 24;
        } else {
            continue;
        }
        if (!s->v4_24 && !(s->v4_24 = calloc((1u << 24) / 64, sizeof(uint64_t)))) return false;
        for (uint32_t n = lo; n < lo + count; n++) {
            if ((n & 63) == 0 && lo + count - n >= 64) {
                s->v4_24[n >> 6] = ~0ULL;
                n += 63;
                continue;
            }
            s->v4_24[n >> 6] |= 1ULL << (n & 63);
        }
    }
    return true;
}

static pthread_mutex_t g_sort_lock = PTHREAD_MUTEX_INITIALIZER;

cp_iset *cp_iset_builder_finish(cp_iset_builder *b, cp_err *err)
{
    if (!b) {
        cp_fail(err, CP_E_NOMEM, "out of memory");
        return NULL;
    }
    cp_iset *s = calloc(1, sizeof *s);
    if (!s) goto nomem;
    atomic_init(&s->refs, 1);
    s->seed = b->seed;
    pthread_mutex_lock(&g_sort_lock);
    g_sort_pool = b->pool;
    if (b->n_ents > 1) qsort(b->ents, b->n_ents, sizeof *b->ents, cmp_ent);
    pthread_mutex_unlock(&g_sort_lock);
    /* unique keys and their postings */
    size_t n_keys = 0, keys_len = 0;
    for (size_t i = 0; i < b->n_ents; i++) {
        const cpi_keyhdr *h = (const cpi_keyhdr *)(const void *)(b->pool + b->ents[i].key);
        if (i == 0 || b->ents[i].h != b->ents[i - 1].h ||
            cmp_key(h, (const cpi_keyhdr *)(const void *)(b->pool + b->ents[i - 1].key)) != 0) {
            n_keys++;
            keys_len += (sizeof *h + h->len + 3) & ~(size_t)3;
        }
    }
    size_t slots = 16;
    while (slots < n_keys * 2) slots *= 2;
    size_t words = 64;
    while (words * 4 < n_keys) words *= 2; /* 16 bits per key */
    s->keys = malloc(keys_len ? keys_len : 1);
    s->posts = malloc((b->n_ents ? b->n_ents : 1) * sizeof *s->posts);
    s->slots = calloc(slots, sizeof *s->slots);
    s->bloom = calloc(words, sizeof *s->bloom);
    if (!s->keys || !s->posts || !s->slots || !s->bloom) goto nomem;
    s->mask = slots - 1;
    unsigned bits = 0;
    while ((1ULL << bits) < words) bits++;
    s->bloom_bits = bits;
    size_t kl = 0;
    uint32_t np = 0;
    cpi_keyhdr *cur = NULL;
    for (size_t i = 0; i < b->n_ents; i++) {
        const bent *e = &b->ents[i];
        const cpi_keyhdr *h = (const cpi_keyhdr *)(const void *)(b->pool + e->key);
        if (!cur || e->h != b->ents[i - 1].h || cmp_key(h, (const cpi_keyhdr *)(const void *)(b->pool + b->ents[i - 1].key)) != 0) {
            size_t rec = (sizeof *h + h->len + 3) & ~(size_t)3;
            cur = (cpi_keyhdr *)(void *)(s->keys + kl);
            memcpy(cur, h, rec);
            cur->npost = 0;
            uint64_t j = e->h & s->mask;
            while (s->slots[j].key) j = (j + 1) & s->mask;
            s->slots[j] = (cpi_slot){e->h, (uint32_t)kl + 1, np};
            s->bloom[e->h >> (64 - bits)] |= (1ULL << (e->h & 63)) | (1ULL << ((e->h >> 6) & 63));
            kl += rec;
            s->n_keys++;
        } else if (e->ind == b->ents[i - 1].ind && e->term == b->ents[i - 1].term) {
            continue; /* the same key twice in one term */
        }
        s->posts[np++] = (cpi_post){e->ind, e->term, e->complex, 0};
        cur->npost++;
    }
    s->keys_len = kl;
    s->n_posts = np;
    if (!v4_filter(s)) goto nomem;
    for (int p = 128; p >= 0; p--) {
        if (b->v4p[p]) s->v4_prefix[s->n_v4_prefix++] = (uint8_t)p;
        if (b->v6p[p]) s->v6_prefix[s->n_v6_prefix++] = (uint8_t)p;
    }
    s->inds = b->inds;
    s->n_inds = b->n_inds;
    s->ids = b->ids;
    s->ids_len = b->ids_len;
    s->code = b->code;
    s->code_len = b->code_len;
    b->inds = NULL;
    b->ids = NULL;
    b->code = NULL;
    if (!s->ids) s->ids = calloc(1, 1);
    s->stats = b->stats;
    s->stats.bytes = sizeof *s + (size_t)s->n_inds * sizeof *s->inds + s->ids_len + s->code_len + s->keys_len +
                     (size_t)s->n_posts * sizeof *s->posts + slots * sizeof *s->slots + words * sizeof *s->bloom +
                     (s->v4_24 ? ((size_t)1 << 24) / 8 : 0);
    s->next_change_ms = b->next_change_ms;
    s->built_at_ms = cp_now_ms();
    cp_iset_builder_free(b);
    return s;
nomem:
    cp_iset_builder_free(b);
    cpi_free(s);
    cp_fail(err, CP_E_NOMEM, "out of memory while compiling the indicator set");
    return NULL;
}

cp_iset *cp_iset_empty(void)
{
    return cp_iset_builder_finish(cp_iset_builder_new(), NULL);
}
