/*
 * search.c — search and correlation over intel_observables (rules in
 * search.h). Rows are read in batches in the order objects were added
 * (seq), each through the one gate (cp_intel_may_read), so memory is bounded
 * by a batch and the answer, never by the store.
 */
#include "intel/search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/tlp.h"

#define BATCH 1000       /* observable rows per query; > CP_OBS_PER_OBJECT_MAX */
#define IP_CANDS 129     /* prefixes 0..128: the networks that can contain an address */
#define PARENTS_MAX 128  /* a domain (<= 253 bytes) and its parents */

/* ---- the gate, cached per collection for one call ---- */

typedef struct {
    int64_t num;
    bool known;
    char id[CP_UUID_LEN + 1];
    cp_tlp default_tlp;
    unsigned readable; /* bit per cp_tlp */
} gcol;

typedef struct {
    cp_conn *c;
    const cp_actor *reader;
    gcol *v;
    size_t n, cap;
} gate;

/* 1 visible, 0 not, -status on failure (err filled). */
static int gate_check(gate *g, int64_t cnum, int64_t tlp, const gcol **out, cp_err *err)
{
    gcol *hit = NULL;
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].num == cnum) hit = &g->v[i];
    if (!hit) {
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 16;
            gcol *v = realloc(g->v, cap * sizeof *v);
            if (!v) return -(int)cp_fail(err, CP_E_NOMEM, "out of memory");
            g->v = v;
            g->cap = cap;
        }
        hit = &g->v[g->n];
        memset(hit, 0, sizeof *hit);
        hit->num = cnum;
        cp_collection col;
        cp_err e2 = {{0}};
        cp_status st = cp_collection_by_num(g->c, cnum, g->reader, &col, &e2);
        if (st && st != CP_E_NOT_FOUND) {
            if (err) *err = e2;
            return -(int)st;
        }
        if (!st) {
            hit->known = true;
            memcpy(hit->id, col.id, sizeof hit->id);
            hit->default_tlp = cp_tlp_default(&col.policy);
            for (int t = CP_TLP_NONE; t < CP_TLP_COUNT_; t++)
                if (cp_intel_may_read(g->reader, &col.policy, (cp_tlp)t, NULL) == CP_OK) hit->readable |= 1u << t;
        }
        g->n++;
    }
    *out = hit;
    return hit->known && tlp >= 0 && tlp < CP_TLP_COUNT_ && (hit->readable >> tlp & 1u);
}

/* ---- what matches an observable ---- */

typedef struct {
    const cp_observable *q;
    const char *sql;
    char cands[IP_CANDS][33]; /* ip: q's address masked to every prefix up to q's */
    const char *parents[PARENTS_MAX];
    int nparents;
} matcher;

#define COLS \
    "SELECT o.seq, b.cnum, b.stix_id, b.type, b.version, b.tlp, o.kind, o.value, o.subdomains, o.warninglist, " \
    "b.member_id FROM intel_observables o JOIN intel_objects b ON b.seq = o.seq WHERE "
/* "o.seq + 0": the order and the bound come after the value lookup; the seq
 * index must not drive the plan. */
#define TAIL " AND b.is_last = 1 AND b.revoked = 0 AND o.seq + 0 > ? ORDER BY o.seq + 0 LIMIT " CP_STR(BATCH)
#define CP_STR_(x) #x
#define CP_STR(x) CP_STR_(x)
#define Q8 "?,?,?,?,?,?,?,?"
#define Q64 Q8 "," Q8 "," Q8 "," Q8 "," Q8 "," Q8 "," Q8 "," Q8

static const char SQL_IP[] = COLS
    "o.ip_lo IS NOT NULL AND ((o.ip_lo >= ? AND o.ip_lo <= ? AND o.ip_hi <= ?) OR (o.ip_lo IN (" Q64 "," Q64 ",?) "
    "AND o.ip_hi >= ?))" TAIL;
/* Values are found by their hash (the index), then compared as text. */
static const char SQL_DOMAIN[] = COLS "o.vhash IN (" Q64 "," Q64 ") AND o.kind = 'domain' AND o.value IN (" Q64 "," Q64 ")" TAIL;
static const char SQL_EXACT[] = COLS "o.vhash = ? AND o.kind = ? AND o.value = ?" TAIL;

static int hexv(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void matcher_init(matcher *m, const cp_observable *q)
{
    memset(m, 0, sizeof *m);
    m->q = q;
    if (q->kind == CP_OBS_IP) {
        m->sql = SQL_IP;
        uint8_t lo[16], hi[16];
        for (int i = 0; i < 16; i++) {
            lo[i] = (uint8_t)(hexv(q->ip_lo[2 * i]) << 4 | hexv(q->ip_lo[2 * i + 1]));
            hi[i] = (uint8_t)(hexv(q->ip_hi[2 * i]) << 4 | hexv(q->ip_hi[2 * i + 1]));
        }
        int prefix = 0; /* leading bits where lo and hi agree */
        while (prefix < 128 && ((lo[prefix / 8] ^ hi[prefix / 8]) & (0x80 >> (prefix % 8))) == 0) prefix++;
        static const char HX[] = "0123456789abcdef";
        for (int p = 0; p < IP_CANDS; p++) {
            int use = p <= prefix ? p : prefix;
            for (int i = 0; i < 16; i++) {
                int bits = use - 8 * i;
                uint8_t b = lo[i] & (bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits)));
                m->cands[p][2 * i] = HX[b >> 4];
                m->cands[p][2 * i + 1] = HX[b & 15];
            }
            m->cands[p][32] = 0;
        }
    } else if (q->kind == CP_OBS_DOMAIN) {
        m->sql = SQL_DOMAIN;
        const char *p = q->value;
        while (p && m->nparents < PARENTS_MAX) {
            m->parents[m->nparents++] = p;
            p = strchr(p, '.');
            if (p) p++;
        }
    } else {
        m->sql = SQL_EXACT;
    }
}

static int matcher_bind(const matcher *m, cp_stmt *s)
{
    int i = 1;
    const cp_observable *q = m->q;
    if (q->kind == CP_OBS_IP) {
        cp_stmt_bind_text(s, i++, q->ip_lo);
        cp_stmt_bind_text(s, i++, q->ip_hi);
        cp_stmt_bind_text(s, i++, q->ip_hi);
        for (int p = 0; p < IP_CANDS; p++) cp_stmt_bind_text(s, i++, m->cands[p]);
        cp_stmt_bind_text(s, i++, q->ip_hi);
    } else if (q->kind == CP_OBS_DOMAIN) {
        for (int p = 0; p < PARENTS_MAX; p++)
            cp_stmt_bind_int(s, i++, cp_obs_value_hash(CP_OBS_DOMAIN, m->parents[p < m->nparents ? p : 0]));
        for (int p = 0; p < PARENTS_MAX; p++) cp_stmt_bind_text(s, i++, m->parents[p < m->nparents ? p : 0]);
    } else {
        cp_stmt_bind_int(s, i++, cp_obs_value_hash(q->kind, q->value));
        cp_stmt_bind_text(s, i++, cp_obs_kind_name(q->kind));
        cp_stmt_bind_text(s, i++, q->value);
    }
    return i; /* the next parameter: the seq bound */
}

typedef struct {
    int64_t seq, cnum, tlp;
    const char *stix_id, *type, *version, *kind, *value, *warninglist, *member_id;
    bool subdomains;
} orow;

/* A domain row found through a parent counts only as "any subdomain of". */
static bool row_matches(const matcher *m, const orow *r)
{
    if (m->q->kind != CP_OBS_DOMAIN) return true;
    return r->subdomains || strcmp(r->value, m->q->value) == 0;
}

/* fn: 0 go on, 1 stop, -status failed (err filled). */
typedef int (*row_fn)(const orow *r, void *ctx, cp_err *err);

/* Calls fn for the rows matching m with seq > after, in seq order. The
 * rows of one seq may come twice (a batch boundary repeats the last seq):
 * callbacks skip a seq they have just handled. */
static cp_status scan(cp_conn *c, const matcher *m, int64_t after, row_fn fn, void *ctx, cp_err *err)
{
    for (;;) {
        cp_stmt *s = NULL;
        cp_status st = cp_stmt_prepare(c, m->sql, &s, err);
        if (st) return st;
        int i = matcher_bind(m, s);
        cp_stmt_bind_int(s, i, after);
        int n = 0;
        int64_t last = -1, prev = -1;
        cp_step step;
        while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            orow r = {
                .seq = cp_stmt_col_int(s, 0),
                .cnum = cp_stmt_col_int(s, 1),
                .stix_id = cp_stmt_col_text(s, 2),
                .type = cp_stmt_col_text(s, 3),
                .version = cp_stmt_col_text(s, 4),
                .tlp = cp_stmt_col_int(s, 5),
                .kind = cp_stmt_col_text(s, 6),
                .value = cp_stmt_col_text(s, 7),
                .subdomains = cp_stmt_col_int(s, 8) != 0,
                .warninglist = cp_stmt_col_is_null(s, 9) ? NULL : cp_stmt_col_text(s, 9),
                .member_id = cp_stmt_col_is_null(s, 10) ? NULL : cp_stmt_col_text(s, 10),
            };
            n++;
            if (r.seq != last) prev = last, last = r.seq;
            if (!row_matches(m, &r)) continue;
            int rc = fn(&r, ctx, err);
            if (rc) {
                cp_stmt_finalize(s);
                return rc < 0 ? (cp_status)-rc : CP_OK;
            }
        }
        st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
        cp_stmt_finalize(s);
        if (st) return st;
        if (n < BATCH) return CP_OK;
        after = prev >= 0 ? prev : last;
    }
}

/* ---- JSON ---- */

static json_t *ref_json(const gcol *col, const orow *r)
{
    char ts[CP_TAXII_TS_MAX];
    cp_taxii_ts_format(r->seq, ts);
    cp_tlp t = r->tlp == CP_TLP_NONE ? col->default_tlp : (cp_tlp)r->tlp;
    return json_pack("{ss ss ss so ss ss}", "collection_id", col->id, "id", r->stix_id, "type", r->type, "version",
                     r->version && r->version[0] ? json_string(r->version) : json_null(), "date_added", ts, "tlp",
                     cp_tlp_name(t));
}

/* ---- paging tokens: "s:<seq>" in base64url ---- */

static char *token_encode(int64_t seq)
{
    char raw[32];
    int n = snprintf(raw, sizeof raw, "s:%" PRId64, seq);
    char *out = malloc(cp_b64url_len((size_t)n));
    if (out) cp_b64url_encode(raw, (size_t)n, out);
    return out;
}

static cp_status token_decode(const char *tok, int64_t *seq, cp_err *err)
{
    char raw[32];
    long n = strlen(tok) < 64 ? cp_b64url_decode(tok, strlen(tok), raw, sizeof raw - 1) : -1;
    if (n >= 3) {
        raw[n] = 0;
        char *end;
        long long v = strtoll(raw + 2, &end, 10);
        if (raw[0] == 's' && raw[1] == ':' && *end == 0 && raw[2] >= '0' && raw[2] <= '9' && v >= 0) {
            *seq = v;
            return CP_OK;
        }
    }
    return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next is not a token this server gave out");
}

/* ---- counting visible objects ---- */

typedef struct {
    gate *g;
    int64_t last;  /* last seq counted or refused */
    int64_t count;
    int64_t stop_at;
} count_ctx;

static int count_row(const orow *r, void *ctx, cp_err *err)
{
    count_ctx *k = ctx;
    if (r->seq == k->last) return 0;
    const gcol *col;
    int v = gate_check(k->g, r->cnum, r->tlp, &col, err);
    if (v < 0) return v;
    if (!v) return 0;
    k->last = r->seq;
    return ++k->count >= k->stop_at;
}

/* ---- search ---- */

typedef struct {
    gate *g;
    int limit, n;
    int64_t last;
    bool more;
    json_t *items;
} page_ctx;

static int page_row(const orow *r, void *ctx, cp_err *err)
{
    page_ctx *p = ctx;
    if (r->seq == p->last) return 0;
    const gcol *col;
    int v = gate_check(p->g, r->cnum, r->tlp, &col, err);
    if (v < 0) return v;
    if (!v) return 0;
    if (p->n == p->limit) {
        p->more = true;
        return 1;
    }
    json_t *item = ref_json(col, r);
    if (!item) return -(int)cp_fail(err, CP_E_NOMEM, "out of memory");
    json_object_set_new(item, "kind", json_string(r->kind));
    json_object_set_new(item, "value", json_string(r->value));
    json_object_set_new(item, "subdomains", json_boolean(r->subdomains));
    json_object_set_new(item, "warninglist", r->warninglist ? json_string(r->warninglist) : json_null());
    json_array_append_new(p->items, item);
    p->n++;
    p->last = r->seq;
    return 0;
}

cp_status cp_intel_search(cp_conn *c, const cp_actor *reader, const cp_observable *q, int limit, const char *next,
                          int64_t correlation_max, json_t **out, cp_err *err)
{
    *out = NULL;
    int64_t after = 0;
    if (next) {
        cp_status st = token_decode(next, &after, err);
        if (st) return st;
    }
    if (limit < 1) limit = 1;
    gate g = {.c = c, .reader = reader};
    matcher m;
    matcher_init(&m, q);
    page_ctx p = {.g = &g, .limit = limit, .last = -1, .items = json_array()};
    count_ctx k = {.g = &g, .last = -1, .stop_at = correlation_max + 1};
    cp_status st = p.items ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
    if (!st) st = scan(c, &m, after, page_row, &p, err);
    if (!st) st = scan(c, &m, 0, count_row, &k, err);
    free(g.v);
    if (st) {
        json_decref(p.items);
        return st;
    }
    char *tok = p.more ? token_encode(p.last) : NULL;
    *out = json_pack("{so so sb}", "items", p.items, "next", tok ? json_string(tok) : json_null(), "over_correlating",
                     k.count > correlation_max);
    free(tok);
    return *out ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}

/* ---- correlations ---- */

typedef struct {
    gate *g;
    int64_t self_seq;
    const char *self_member; /* NULL: no member filter */
    int64_t last;
    int64_t count; /* visible objects mentioning the value, this one included */
    int64_t stop_at;
    json_t *found; /* [{seq, ref}] of the others that pass the member filter */
} corr_ctx;

static int corr_row(const orow *r, void *ctx, cp_err *err)
{
    corr_ctx *k = ctx;
    if (r->seq == k->last) return 0;
    const gcol *col;
    int v = gate_check(k->g, r->cnum, r->tlp, &col, err);
    if (v < 0) return v;
    if (!v) return 0;
    k->last = r->seq;
    if (++k->count >= k->stop_at) return 1;
    if (r->seq == k->self_seq) return 0;
    if (k->self_member && r->member_id && strcmp(k->self_member, r->member_id) == 0) return 0;
    json_t *ref = ref_json(col, r);
    if (!ref || json_array_append_new(k->found, json_pack("{sI so}", "seq", (json_int_t)r->seq, "ref", ref)))
        return -(int)cp_fail(err, CP_E_NOMEM, "out of memory");
    return 0;
}

static int by_seq(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "_seq"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "_seq"));
    return x < y ? -1 : x > y;
}

cp_status cp_intel_correlations(cp_conn *c, const cp_actor *reader, const char *collection_ref, const char *stix_id,
                                bool all_members, int64_t correlation_max, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_collection col;
    cp_status st = cp_collection_resolve(c, collection_ref, reader, &col, err);
    if (st) return st;
    /* The collection first: whether an object exists is not told to a reader
     * who may not read the collection. */
    unsigned readable = 0;
    for (int t = CP_TLP_NONE; t < CP_TLP_COUNT_; t++)
        if (cp_intel_may_read(reader, &col.policy, (cp_tlp)t, NULL) == CP_OK) readable |= 1u << t;
    if (!readable) return cp_intel_may_read(reader, &col.policy, CP_TLP_CLEAR, err);

    cp_stmt *s = NULL;
    st = cp_stmt_prepare(c,
                         "SELECT seq, type, version, tlp, member_id FROM intel_objects WHERE cnum = ? AND id_hash = ? "
                         "AND stix_id = ? AND is_last = 1",
                         &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, col.num);
    cp_stmt_bind_int(s, 2, cp_intel_id_hash(stix_id));
    cp_stmt_bind_text(s, 3, stix_id);
    cp_step step = cp_stmt_step(s, err);
    if (step != CP_STEP_ROW) {
        st = step == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_NOT_FOUND, "no such object in this collection");
        cp_stmt_finalize(s);
        return st;
    }
    char member[CP_UUID_LEN + 1] = "";
    orow self = {.seq = cp_stmt_col_int(s, 0), .cnum = col.num, .stix_id = stix_id, .tlp = cp_stmt_col_int(s, 3)};
    char *type = strdup(cp_stmt_col_text(s, 1)), *version = strdup(cp_stmt_col_text(s, 2));
    if (!cp_stmt_col_is_null(s, 4)) snprintf(member, sizeof member, "%s", cp_stmt_col_text(s, 4));
    cp_stmt_finalize(s);
    if (!type || !version) {
        free(type);
        free(version);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    self.type = type;
    self.version = version;
    st = cp_intel_may_read(reader, &col.policy, (cp_tlp)(self.tlp >= 0 && self.tlp < CP_TLP_COUNT_ ? self.tlp : CP_TLP_RED), err);
    if (st) {
        free(type);
        free(version);
        return st == CP_E_NOT_FOUND ? cp_fail(err, CP_E_NOT_FOUND, "no such object in this collection") : st;
    }
    gcol selfcol = {.num = col.num, .known = true, .default_tlp = cp_tlp_default(&col.policy)};
    memcpy(selfcol.id, col.id, sizeof selfcol.id);
    json_t *object = ref_json(&selfcol, &self);
    free(type);
    free(version);

    /* The object's observables. */
    cp_observable *obs = malloc(CP_OBS_PER_OBJECT_MAX * sizeof *obs);
    int nobs = 0;
    if (!obs || !object) {
        free(obs);
        json_decref(object);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    st = cp_stmt_prepare(c, "SELECT kind, value, subdomains, ip_lo, ip_hi FROM intel_observables WHERE seq = ?", &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, self.seq);
        while (nobs < CP_OBS_PER_OBJECT_MAX && (step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            cp_observable *o = &obs[nobs];
            const char *kind = cp_stmt_col_text(s, 0), *value = cp_stmt_col_text(s, 1);
            if (!kind || !value || !cp_obs_kind_parse(kind, &o->kind) || strlen(value) >= sizeof o->value) continue;
            snprintf(o->value, sizeof o->value, "%s", value);
            o->subdomains = cp_stmt_col_int(s, 2) != 0;
            const char *lo = cp_stmt_col_text(s, 3), *hi = cp_stmt_col_text(s, 4);
            if (o->kind == CP_OBS_IP && (!lo || !hi || strlen(lo) != 32 || strlen(hi) != 32)) continue;
            snprintf(o->ip_lo, sizeof o->ip_lo, "%s", o->kind == CP_OBS_IP ? lo : "");
            snprintf(o->ip_hi, sizeof o->ip_hi, "%s", o->kind == CP_OBS_IP ? hi : "");
            nobs++;
        }
        if (step == CP_STEP_ERROR) st = cp_stmt_status(s);
        cp_stmt_finalize(s);
    }

    gate g = {.c = c, .reader = reader};
    json_t *byseq = json_object(), *over = json_array();
    bool truncated = false;
    for (int i = 0; i < nobs && !st; i++) {
        matcher m;
        matcher_init(&m, &obs[i]);
        corr_ctx k = {.g = &g,
                      .self_seq = self.seq,
                      .self_member = all_members || !member[0] ? NULL : member,
                      .last = -1,
                      .stop_at = correlation_max + 1,
                      .found = json_array()};
        if (!k.found) {
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            break;
        }
        st = scan(c, &m, 0, corr_row, &k, err);
        if (!st && k.count > correlation_max) {
            json_array_append_new(over, json_pack("{ss ss sI}", "kind", cp_obs_kind_name(obs[i].kind), "value", obs[i].value,
                                                  "count", (json_int_t)k.count));
        } else if (!st) {
            size_t j;
            json_t *f;
            json_array_foreach(k.found, j, f)
            {
                char key[24];
                snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(f, "seq")));
                json_t *item = json_object_get(byseq, key);
                if (!item) {
                    if (json_object_size(byseq) >= CP_CORRELATION_ITEMS_MAX) {
                        truncated = true;
                        continue;
                    }
                    item = json_deep_copy(json_object_get(f, "ref"));
                    json_object_set_new(item, "shared", json_array());
                    json_object_set_new(item, "_seq", json_integer(json_integer_value(json_object_get(f, "seq"))));
                    json_object_set_new(byseq, key, item);
                }
                json_array_append_new(json_object_get(item, "shared"),
                                      json_pack("{ss ss sb}", "kind", cp_obs_kind_name(obs[i].kind), "value", obs[i].value,
                                                "subdomains", obs[i].subdomains));
            }
        }
        json_decref(k.found);
    }
    free(g.v);
    free(obs);
    if (st) {
        json_decref(object);
        json_decref(byseq);
        json_decref(over);
        return st;
    }
    /* Items in the order their objects were added. */
    size_t n = json_object_size(byseq), j = 0;
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    json_t *items = json_array();
    const char *key;
    json_t *item;
    if (!v || !items) {
        free(v);
        json_decref(items);
        json_decref(object);
        json_decref(byseq);
        json_decref(over);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    json_object_foreach(byseq, key, item) v[j++] = item;
    qsort(v, n, sizeof *v, by_seq);
    for (j = 0; j < n; j++) {
        json_object_del(v[j], "_seq");
        json_array_append(items, v[j]);
    }
    free(v);
    json_decref(byseq);
    *out = json_pack("{so so so sb}", "object", object, "items", items, "over_correlating", over, "truncated", truncated);
    return *out ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}
