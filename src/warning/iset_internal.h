/*
 * iset_internal.h — the layout of a compiled indicator set, shared by the
 * files of src/warning/ that build, match, save and load it. Nothing outside
 * src/warning/ includes this header.
 *
 * LAYOUT. Every indexed value is a KEY: a kind and canonical bytes.
 *   CPI_K_IP          17 bytes: the address in the 128-bit space of base/net.h
 *                     (IPv4 at ::ffff:0:0/96), host bits cleared, then the
 *                     prefix length in that space (IPv4 /24 is 120)
 *   CPI_K_DOMAIN      lower-case name, exact
 *   CPI_K_DOMAIN_SUB  lower-case name: any STRICT subdomain of it matches
 *   CPI_K_URL         canonical URL (intel/observables.h)
 *   CPI_K_MD5..SHA512 lower-case hex
 *   CPI_K_EMAIL       local@domain, domain lower-case
 * Keys live once each in a byte pool (a record: kind, length, posting
 * count, bytes) and are found through an open-addressing table of 16-byte
 * slots (a seeded 64-bit hash, the key's pool offset + 1, its first
 * posting). A blocked Bloom filter (two bits of one 64-bit word per key)
 * answers most misses from cache without touching the table.
 *
 * A POSTING says which indicator a key belongs to and, for an indicator
 * whose expression is not a plain OR of comparisons, which of its terms
 * (0..63) the key satisfies. Such "complex" indicators carry a postfix
 * program over their terms (CPI_OP_*), evaluated per event.
 */
#ifndef CP_WARNING_ISET_INTERNAL_H
#define CP_WARNING_ISET_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "warning/iset.h"

enum {
    CPI_K_IP,
    CPI_K_DOMAIN,
    CPI_K_DOMAIN_SUB,
    CPI_K_URL,
    CPI_K_MD5,
    CPI_K_SHA1,
    CPI_K_SHA256,
    CPI_K_SHA512,
    CPI_K_EMAIL,
    CPI_K__COUNT
};

#define CPI_IP_KEY_LEN 17
#define CPI_KEY_MAX 2048       /* bytes of one key (CP_OBS_VALUE_MAX - 1 fits) */
#define CPI_TERMS_MAX 64       /* terms of a complex indicator (one bit each) */
#define CPI_CODE_MAX 512       /* bytes of one indicator's program */
#define CPI_INDICATORS_MAX (1u << 28)

/* Program: pairs of bytes (op, arg). TERM arg = term index; AND/OR arg =
 * number of operands (>= 2) popped from the stack. */
enum { CPI_OP_TERM = 1, CPI_OP_AND = 2, CPI_OP_OR = 3 };

typedef struct {
    uint64_t h;
    uint32_t key;  /* offset + 1 of the key record in keys; 0 = empty slot */
    uint32_t post; /* index of the first posting */
} cpi_slot;

typedef struct {
    uint32_t ind;
    uint8_t term;    /* complex indicators: the term the key satisfies */
    uint8_t complex; /* 1 when ind has a program */
    uint16_t pad;
} cpi_post;

/* Key record header in the pool; the bytes follow. */
typedef struct {
    uint8_t kind;
    uint8_t pad;
    uint16_t len;
    uint32_t npost;
} cpi_keyhdr;

typedef struct {
    uint32_t id_off;   /* into ids (NUL-terminated) */
    uint32_t code_off; /* into code */
    uint16_t code_len; /* 0: simple (any posting is a hit) */
    uint8_t tlp;
    uint8_t nterms;
    int64_t collection;
} cpi_ind;

struct cp_iset {
    atomic_long refs;
    uint64_t seed;
    cpi_ind *inds;
    uint32_t n_inds;
    char *ids;
    size_t ids_len;
    uint8_t *code;
    size_t code_len;
    uint8_t *keys;
    size_t keys_len;
    uint32_t n_keys;
    cpi_post *posts;
    uint32_t n_posts;
    cpi_slot *slots;
    uint64_t mask; /* slots - 1 */
    uint64_t *bloom;
    unsigned bloom_bits; /* log2 of the number of words */
    /* IP prefix lengths present (in the 128-bit space), longest first,
     * split by whether the prefix lies inside ::ffff:0:0/96 (IPv4). */
    /* IPv4 prefilter: bit n set when some key could contain an address of
     * the /24 numbered n (NULL when the set has no IPv4 key) */
    uint64_t *v4_24;
    uint8_t v4_prefix[129];
    int n_v4_prefix;
    uint8_t v6_prefix[129];
    int n_v6_prefix;
    cp_iset_stats stats;
    int64_t built_at_ms;
    int64_t next_change_ms; /* earliest valid_from/valid_until after built_at; 0 = none */
};

/* The seeded hash of a key. */
uint64_t cpi_hash(uint64_t seed, int kind, const void *bytes, size_t len);
/* A random seed for a new set (libsodium). */
uint64_t cpi_new_seed(void);

static inline const cpi_keyhdr *cpi_key_at(const cp_iset *s, uint32_t key1)
{
    return (const cpi_keyhdr *)(const void *)(s->keys + key1 - 1);
}

/* Finds a key; NULL when absent, else its postings and their count. */
const cpi_post *cpi_lookup(const cp_iset *s, int kind, const void *bytes, size_t len, uint32_t *npost);

/* Frees a set regardless of its reference count. */
void cpi_free(cp_iset *s);

/* The builder's raw interface (iset_build.c), for the file loader: an
 * indicator record (code checked by the caller) and one key posting. */
cp_status cpi_builder_add_ind(cp_iset_builder *b, const char *id, int tlp, int64_t collection, const uint8_t *code,
                              size_t code_len, int nterms, uint32_t *out);
cp_status cpi_builder_add_key(cp_iset_builder *b, int kind, const uint8_t *bytes, size_t len, uint32_t ind, int term,
                              bool complex);
void cpi_builder_set_meta(cp_iset_builder *b, const cp_iset_stats *st, int64_t next_change_ms);

/* An indicator's properties that the set needs (NULL: absent), however they
 * were read: from a Jansson object, or straight from the stored text. */
typedef struct {
    const char *id;
    const char *pattern;
    size_t pattern_len;
    const char *pattern_type;
    bool pattern_type_not_string;
    const char *valid_from, *valid_until;
    bool revoked;
} cpi_indicator_fields;
/* Reads those properties straight from a stored object's JSON text (valid
 * JSON; iset_store.c), strings unescaped into scratch (n + 8 bytes); f must
 * be zeroed but for id. false when the text is not shaped as expected (the
 * caller then parses it with Jansson). */
bool cpi_read_indicator_fields(const char *body, size_t n, char *scratch, cpi_indicator_fields *f);
cp_status cpi_builder_add_fields(cp_iset_builder *b, const cpi_indicator_fields *f, int tlp, int64_t collection,
                                 int64_t now_ms, bool *compiled, cp_err *err);

/* ---- matching one event whose values arrive one by one (iset_match.c) ----
 * The scanners and cp_iset_match feed candidate values; every posting found
 * is recorded as a touch (indicator, term, which value); finish evaluates
 * the touched indicators (simple: any touch; complex: the program over the
 * touched terms) and reports each indicator at most once, attributed to the
 * first value (in the order fed) of a satisfied term. An event touches few
 * indicators: the touches live in a small inline array and move to the heap
 * when a value is shared by many indicators (up to CPI_TOUCH_MAX; beyond,
 * touches are counted in dropped). cpi_event_release frees the heap part. */
#define CPI_TOUCH_INLINE 256
#define CPI_TOUCH_MAX (1u << 20)

typedef struct {
    uint32_t ind;
    uint32_t val;
    uint8_t term;
    uint8_t complex;
} cpi_touch;

typedef struct {
    const cp_iset *s;
    uint32_t n, cap; /* cap 0: the inline array (CPI_TOUCH_INLINE) */
    uint64_t dropped;
    cpi_touch *heap;
    cpi_touch t_inline[CPI_TOUCH_INLINE];
} cpi_event;

static inline cpi_touch *cpi_event_touches(cpi_event *e) { return e->cap ? e->heap : e->t_inline; }
static inline void cpi_event_release(cpi_event *e)
{
    free(e->heap);
    e->heap = NULL;
    e->cap = 0;
    e->n = 0;
}
static inline void cpi_event_reset(cpi_event *e) { e->n = 0; }
/* The postings of one key, as value val. */
void cpi_event_key(cpi_event *e, int kind, const void *bytes, size_t len, uint32_t val);
/* An address (16 bytes, 128-bit space): every prefix length present. */
void cpi_event_ip(cpi_event *e, const uint8_t addr[16], uint32_t val);
/* A lower-case domain: the name exactly, then every strict parent as "any
 * subdomain of". */
void cpi_event_domain(cpi_event *e, const char *name, size_t len, uint32_t val);
/* Evaluates the touches; writes at most max hits (ordered by value, then
 * indicator) and returns how many there were. */
size_t cpi_event_finish(cpi_event *e, cp_iset_hit *hits, size_t max);

#endif
