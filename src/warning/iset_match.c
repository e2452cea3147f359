/*
 * iset_match.c — matching an event against the set: the touches of its
 * values, the evaluation of complex indicators, and cp_iset_match().
 */
#include <stdlib.h>
#include <string.h>

#include "warning/iset_internal.h"
#include "warning/normalise.h"

/* Room for k more touches; false (and the touches counted as dropped) past
 * CPI_TOUCH_MAX or when memory runs out. */
static bool room(cpi_event *e, uint32_t k)
{
    uint32_t cap = e->cap ? e->cap : CPI_TOUCH_INLINE;
    if (e->n + (uint64_t)k <= cap) return true;
    uint64_t want = cap;
    while (want < e->n + (uint64_t)k) want *= 2;
    if (want > CPI_TOUCH_MAX) return false;
    cpi_touch *q = realloc(e->heap, (size_t)want * sizeof *q);
    if (!q) return false;
    if (!e->cap) memcpy(q, e->t_inline, e->n * sizeof *q);
    e->heap = q;
    e->cap = (uint32_t)want;
    return true;
}

static inline void touch(cpi_event *e, const cpi_post *p, uint32_t np, uint32_t val)
{
    if (!room(e, np)) {
        e->dropped += np;
        return;
    }
    cpi_touch *t = cpi_event_touches(e);
    for (uint32_t i = 0; i < np; i++) t[e->n++] = (cpi_touch){p[i].ind, val, p[i].term, p[i].complex};
}

void cpi_event_key(cpi_event *e, int kind, const void *bytes, size_t len, uint32_t val)
{
    uint32_t np;
    const cpi_post *p = cpi_lookup(e->s, kind, bytes, len, &np);
    if (p) touch(e, p, np, val);
}

static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void cpi_event_ip(cpi_event *e, const uint8_t addr[16], uint32_t val)
{
    const cp_iset *s = e->s;
    bool v4 = memcmp(addr, MAPPED, 12) == 0;
    if (v4) {
        uint32_t n24 = (uint32_t)addr[12] << 16 | (uint32_t)addr[13] << 8 | addr[14];
        if (!s->v4_24 || !(s->v4_24[n24 >> 6] >> (n24 & 63) & 1)) return;
    }
    const uint8_t *pl = v4 ? s->v4_prefix : s->v6_prefix;
    int n = v4 ? s->n_v4_prefix : s->n_v6_prefix;
    uint8_t key[CPI_IP_KEY_LEN];
    for (int i = 0; i < n; i++) {
        int prefix = pl[i];
        memcpy(key, addr, 16);
        for (int b = 0; b < 16; b++) {
            int bits = prefix - 8 * b;
            if (bits >= 8) continue;
            key[b] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        }
        key[16] = (uint8_t)prefix;
        cpi_event_key(e, CPI_K_IP, key, sizeof key, val);
    }
}

void cpi_event_domain(cpi_event *e, const char *name, size_t len, uint32_t val)
{
    cpi_event_key(e, CPI_K_DOMAIN, name, len, val);
    /* "any subdomain of" keys have two labels or more: the last label alone
     * is never one */
    const char *last = memrchr(name, '.', len);
    for (size_t i = 0; name + i < last; i++)
        if (name[i] == '.') cpi_event_key(e, CPI_K_DOMAIN_SUB, name + i + 1, len - i - 1, val);
}

static int by_ind(const void *a, const void *b)
{
    const cpi_touch *x = a, *y = b;
    if (x->ind != y->ind) return x->ind < y->ind ? -1 : 1;
    if (x->val != y->val) return x->val < y->val ? -1 : 1;
    return 0;
}

static int by_val(const void *a, const void *b)
{
    const cp_iset_hit *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return x->indicator < y->indicator ? -1 : x->indicator > y->indicator;
}

/* Runs a program over the satisfied terms. The builder checked it. */
static bool eval(const uint8_t *code, size_t len, uint64_t mask)
{
    bool st[CPI_CODE_MAX / 2];
    int sp = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint8_t op = code[i], arg = code[i + 1];
        if (op == CPI_OP_TERM) {
            st[sp++] = (mask >> arg) & 1;
        } else {
            bool r = op == CPI_OP_AND;
            for (int k = 0; k < arg; k++) {
                bool v = st[--sp];
                r = op == CPI_OP_AND ? (r && v) : (r || v);
            }
            st[sp++] = r;
        }
    }
    return sp == 1 && st[0];
}

size_t cpi_event_finish(cpi_event *e, cp_iset_hit *hits, size_t max)
{
    if (e->n == 0) return 0;
    cpi_touch *t = cpi_event_touches(e);
    if (e->n > 1) qsort(t, e->n, sizeof t[0], by_ind);
    size_t nh = 0, cap = hits ? max : 0;
    for (uint32_t i = 0; i < e->n;) {
        uint32_t j = i, ind = t[i].ind;
        while (j < e->n && t[j].ind == ind) j++;
        bool hit;
        uint32_t val = t[i].val; /* touches are sorted by value within ind */
        if (!t[i].complex) {
            hit = true;
        } else {
            uint64_t mask = 0;
            for (uint32_t k = i; k < j; k++) mask |= 1ULL << t[k].term;
            const cpi_ind *in = &e->s->inds[ind];
            hit = eval(e->s->code + in->code_off, in->code_len, mask);
        }
        if (hit) {
            if (nh < cap) hits[nh] = (cp_iset_hit){ind, val};
            nh++;
        }
        i = j;
    }
    if (cap && nh > 1) qsort(hits, nh < cap ? nh : cap, sizeof *hits, by_val);
    e->n = 0;
    return nh;
}

/* One value of an event: every key it stands for. */
static void feed(cpi_event *e, const cp_val *v, uint32_t idx)
{
    uint8_t addr[16];
    char buf[CPI_KEY_MAX];
    size_t n;
    const char *text = v->text;
    size_t len = v->len;
    if (!text) return;
    switch (v->kind) {
    case CP_VAL_IPV4:
    case CP_VAL_IPV6:
        if (cp_norm_ip(text, len, addr)) cpi_event_ip(e, addr, idx);
        break;
    case CP_VAL_DOMAIN:
        if ((n = cp_norm_domain(text, len, buf))) cpi_event_domain(e, buf, n, idx);
        break;
    case CP_VAL_URL: {
        const char *host;
        size_t hl;
        if (!(n = cp_norm_url(text, len, buf, &host, &hl))) break;
        cpi_event_key(e, CPI_K_URL, buf, n, idx);
        char hb[256];
        size_t dn;
        if (hl < sizeof hb && cp_norm_ip(host, hl, addr)) cpi_event_ip(e, addr, idx);
        else if ((dn = cp_norm_domain(host, hl, hb))) cpi_event_domain(e, hb, dn, idx);
        break;
    }
    case CP_VAL_MD5:
    case CP_VAL_SHA1:
    case CP_VAL_SHA256:
    case CP_VAL_SHA512: {
        int k = cp_norm_hash(text, len, buf);
        if (k >= 0) cpi_event_key(e, k, buf, len, idx);
        break;
    }
    case CP_VAL_EMAIL:
        if ((n = cp_norm_email(text, len, buf))) {
            cpi_event_key(e, CPI_K_EMAIL, buf, n, idx);
            const char *at = memchr(buf, '@', n);
            cpi_event_domain(e, at + 1, n - (size_t)(at + 1 - buf), idx);
        }
        break;
    default: break;
    }
}

size_t cp_iset_match(const cp_iset *s, const cp_val *vals, size_t nvals, cp_iset_hit *hits, size_t max)
{
    if (!s || !s->n_keys) return 0;
    cpi_event ev; /* a few KiB: its inline touches */
    ev.s = s;
    ev.n = ev.cap = 0;
    ev.heap = NULL;
    ev.dropped = 0;
    for (size_t i = 0; i < nvals; i++) feed(&ev, &vals[i], (uint32_t)i);
    size_t n = cpi_event_finish(&ev, hits, max);
    cpi_event_release(&ev);
    return n;
}
