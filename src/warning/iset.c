/*
 * iset.c — the compiled indicator set: hashing, lookup, accessors,
 * reference counting and the server's current set (layout in
 * iset_internal.h; building in iset_build.c, matching in iset_match.c).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "warning/iset_internal.h"

#define M1 0x9e3779b97f4a7c15ULL
#define M2 0xd6e8feb86659fd93ULL

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= M2;
    x ^= x >> 32;
    x *= M2;
    x ^= x >> 32;
    return x;
}

uint64_t cpi_hash(uint64_t seed, int kind, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    if (kind == CPI_K_IP && len == CPI_IP_KEY_LEN) {
        /* addresses: two words and the prefix, one finaliser */
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        return mix(seed ^ (a * M1) ^ mix(b ^ ((uint64_t)p[16] << 56) ^ M2));
    }
    uint64_t h = seed ^ ((uint64_t)(kind + 1) * M1) ^ ((uint64_t)len << 40);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * M1;
        h ^= h >> 31;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, len);
    h = (h ^ w ^ ((uint64_t)len << 59)) * M2;
    return mix(h);
}

uint64_t cpi_new_seed(void)
{
    uint64_t s;
    randombytes_buf(&s, sizeof s);
    return s;
}

static inline bool bloom_test(const cp_iset *s, uint64_t h)
{
    uint64_t w = s->bloom[h >> (64 - s->bloom_bits)];
    uint64_t m = (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
    return (w & m) == m;
}

const cpi_post *cpi_lookup(const cp_iset *s, int kind, const void *bytes, size_t len, uint32_t *npost)
{
    if (!s->n_keys) return NULL;
    uint64_t h = cpi_hash(s->seed, kind, bytes, len);
    if (!bloom_test(s, h)) return NULL;
    for (uint64_t i = h & s->mask;; i = (i + 1) & s->mask) {
        const cpi_slot *sl = &s->slots[i];
        if (!sl->key) return NULL;
        if (sl->h != h) continue;
        const cpi_keyhdr *k = cpi_key_at(s, sl->key);
        if (k->kind == kind && k->len == len && memcmp(k + 1, bytes, len) == 0) {
            *npost = k->npost;
            return &s->posts[sl->post];
        }
    }
}

void cpi_free(cp_iset *s)
{
    if (!s) return;
    free(s->inds);
    free(s->ids);
    free(s->code);
    free(s->keys);
    free(s->posts);
    free(s->slots);
    free(s->bloom);
    free(s->v4_24);
    free(s);
}

cp_iset *cp_iset_ref(cp_iset *s)
{
    if (s) atomic_fetch_add(&s->refs, 1);
    return s;
}

void cp_iset_release(cp_iset *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) cpi_free(s);
}

const char *cp_iset_indicator_id(const cp_iset *s, uint32_t indicator)
{
    return s && indicator < s->n_inds ? s->ids + s->inds[indicator].id_off : NULL;
}

int cp_iset_indicator_tlp(const cp_iset *s, uint32_t indicator)
{
    return s && indicator < s->n_inds ? s->inds[indicator].tlp : 0;
}

int64_t cp_iset_indicator_collection(const cp_iset *s, uint32_t indicator)
{
    return s && indicator < s->n_inds ? s->inds[indicator].collection : 0;
}

void cp_iset_stats_get(const cp_iset *s, cp_iset_stats *out)
{
    memset(out, 0, sizeof *out);
    if (s) *out = s->stats;
}

int64_t cp_iset_built_at(const cp_iset *s) { return s ? s->built_at_ms : 0; }
int64_t cp_iset_next_change(const cp_iset *s) { return s ? s->next_change_ms : 0; }

/* ---- the current set ---- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static cp_iset *g_current;

void cp_iset_install(cp_iset *s)
{
    pthread_mutex_lock(&g_lock);
    cp_iset *old = g_current;
    g_current = s;
    pthread_mutex_unlock(&g_lock);
    cp_iset_release(old);
}

cp_iset *cp_iset_acquire(void)
{
    pthread_mutex_lock(&g_lock);
    if (!g_current) g_current = cp_iset_empty();
    cp_iset *s = cp_iset_ref(g_current);
    pthread_mutex_unlock(&g_lock);
    return s;
}
