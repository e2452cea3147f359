#include "audit/merkle.h"

#include <sodium.h>
#include <string.h>

void cp_merkle_leaf_hash(const void *entry, size_t n, uint8_t out[CP_MERKLE_HASH])
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, &prefix, 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)entry, (unsigned long long)n);
    crypto_hash_sha256_final(&h, out);
}

void cp_merkle_node_hash(const uint8_t left[CP_MERKLE_HASH], const uint8_t right[CP_MERKLE_HASH],
                         uint8_t out[CP_MERKLE_HASH])
{
    uint8_t buf[1 + 2 * CP_MERKLE_HASH];
    buf[0] = 0x01;
    memcpy(buf + 1, left, CP_MERKLE_HASH);
    memcpy(buf + 1 + CP_MERKLE_HASH, right, CP_MERKLE_HASH);
    crypto_hash_sha256(out, buf, sizeof buf); /* out may alias left or right: buf holds copies */
}

void cp_merkle_empty_root(uint8_t out[CP_MERKLE_HASH])
{
    crypto_hash_sha256(out, (const unsigned char *)"", 0);
}

uint64_t cp_merkle_split(uint64_t n)
{
    uint64_t k = (uint64_t)1 << (63 - __builtin_clzll(n - 1)); /* n >= 2: highest bit of n - 1 */
    return k;
}

int64_t cp_merkle_node_key(unsigned level, uint64_t index)
{
    return (int64_t)((index << (level + 1)) + ((uint64_t)1 << level) - 1);
}

void cp_merkle_frontier_init(cp_merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
}

void cp_merkle_frontier_push(cp_merkle_frontier *f, const uint8_t leaf[CP_MERKLE_HASH], cp_merkle_emit_fn emit,
                             void *ctx)
{
    uint8_t h[CP_MERKLE_HASH];
    memcpy(h, leaf, CP_MERKLE_HASH);
    unsigned level = 0;
    uint64_t index = f->size;
    if (emit) emit(ctx, 0, index, h);
    /* the lowest entries of the frontier are the left siblings of the nodes this leaf completes */
    while (f->count > 0 && f->level[f->count - 1] == level) {
        cp_merkle_node_hash(f->hash[f->count - 1], h, h);
        f->count--;
        level++;
        index >>= 1;
        if (emit) emit(ctx, level, index, h);
    }
    memcpy(f->hash[f->count], h, CP_MERKLE_HASH);
    f->level[f->count] = level;
    f->count++;
    f->size++;
}

void cp_merkle_frontier_root(const cp_merkle_frontier *f, uint8_t out[CP_MERKLE_HASH])
{
    if (f->count == 0) {
        cp_merkle_empty_root(out);
        return;
    }
    uint8_t r[CP_MERKLE_HASH];
    memcpy(r, f->hash[f->count - 1], CP_MERKLE_HASH);
    for (unsigned i = f->count - 1; i-- > 0;) cp_merkle_node_hash(f->hash[i], r, r);
    memcpy(out, r, CP_MERKLE_HASH);
}

void cp_merkle_root(const uint8_t (*leaves)[CP_MERKLE_HASH], uint64_t n, uint8_t out[CP_MERKLE_HASH])
{
    cp_merkle_frontier f;
    cp_merkle_frontier_init(&f);
    for (uint64_t i = 0; i < n; i++) cp_merkle_frontier_push(&f, leaves[i], NULL, NULL);
    cp_merkle_frontier_root(&f, out);
}

int cp_merkle_range_root(cp_merkle_node_fn get, void *ctx, uint64_t begin, uint64_t end,
                         uint8_t out[CP_MERKLE_HASH])
{
    if (begin >= end) return -1;
    uint8_t piece[64][CP_MERKLE_HASH];
    unsigned n = 0;
    for (uint64_t p = begin; p < end && n < 64;) {
        unsigned level = 63 - (unsigned)__builtin_clzll(end - p);
        while (level > 0 && (p & (((uint64_t)1 << level) - 1)) != 0) level--;
        int rc = get(ctx, level, p >> level, piece[n]);
        if (rc) return rc;
        n++;
        p += (uint64_t)1 << level;
    }
    uint8_t r[CP_MERKLE_HASH];
    memcpy(r, piece[n - 1], CP_MERKLE_HASH);
    for (unsigned i = n - 1; i-- > 0;) cp_merkle_node_hash(piece[i], r, r);
    memcpy(out, r, CP_MERKLE_HASH);
    return 0;
}

static void reverse_into(uint8_t (*tmp)[CP_MERKLE_HASH], size_t n, uint8_t proof[][CP_MERKLE_HASH])
{
    for (size_t i = 0; i < n; i++) memcpy(proof[i], tmp[n - 1 - i], CP_MERKLE_HASH);
}

int cp_merkle_inclusion_proof(cp_merkle_node_fn get, void *ctx, uint64_t index, uint64_t size,
                              uint8_t proof[][CP_MERKLE_HASH], size_t *len)
{
    *len = 0;
    if (index >= size) return -1;
    uint8_t tmp[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t n = 0;
    uint64_t lo = 0, hi = size;
    while (hi - lo > 1) { /* PATH(m, D[lo:hi]) = PATH(m, one half) : MTH(the other half) */
        uint64_t k = cp_merkle_split(hi - lo);
        int rc;
        if (index < lo + k) {
            rc = cp_merkle_range_root(get, ctx, lo + k, hi, tmp[n]);
            hi = lo + k;
        } else {
            rc = cp_merkle_range_root(get, ctx, lo, lo + k, tmp[n]);
            lo = lo + k;
        }
        if (rc) return rc;
        n++;
    }
    reverse_into(tmp, n, proof);
    *len = n;
    return 0;
}

int cp_merkle_consistency_proof(cp_merkle_node_fn get, void *ctx, uint64_t first, uint64_t second,
                                uint8_t proof[][CP_MERKLE_HASH], size_t *len)
{
    *len = 0;
    if (first == 0 || first > second) return -1;
    uint8_t tmp[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t n = 0;
    uint64_t lo = 0, hi = second;
    bool whole = true; /* b of SUBPROOF: the old tree is a whole subtree we already hold */
    for (;;) {
        int rc = 0;
        if (first == hi) {
            if (!whole) rc = cp_merkle_range_root(get, ctx, lo, hi, tmp[n++]);
            if (rc) return rc;
            break;
        }
        uint64_t k = cp_merkle_split(hi - lo);
        if (first <= lo + k) {
            rc = cp_merkle_range_root(get, ctx, lo + k, hi, tmp[n++]);
            hi = lo + k;
        } else {
            rc = cp_merkle_range_root(get, ctx, lo, lo + k, tmp[n++]);
            lo = lo + k;
            whole = false;
        }
        if (rc) return rc;
    }
    reverse_into(tmp, n, proof);
    *len = n;
    return 0;
}

static bool fail(const char **why, const char *reason)
{
    if (why) *why = reason;
    return false;
}

bool cp_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[CP_MERKLE_HASH],
                                const uint8_t (*proof)[CP_MERKLE_HASH], size_t len,
                                const uint8_t root[CP_MERKLE_HASH], const char **why)
{
    if (why) *why = NULL;
    if (index >= size) return fail(why, "leaf index is not below the tree size");
    uint64_t fn = index, sn = size - 1;
    uint8_t r[CP_MERKLE_HASH];
    memcpy(r, leaf, CP_MERKLE_HASH);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0) return fail(why, "proof is longer than the path to the root");
        if ((fn & 1) || fn == sn) {
            cp_merkle_node_hash(proof[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            cp_merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return fail(why, "proof is shorter than the path to the root");
    if (memcmp(r, root, CP_MERKLE_HASH) != 0) return fail(why, "proof does not lead to the root hash");
    return true;
}

bool cp_merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t first_root[CP_MERKLE_HASH],
                                  const uint8_t second_root[CP_MERKLE_HASH],
                                  const uint8_t (*proof)[CP_MERKLE_HASH], size_t len, const char **why)
{
    if (why) *why = NULL;
    if (first > second) return fail(why, "first tree is larger than the second");
    if (first == second) {
        if (len != 0) return fail(why, "trees of equal size need an empty proof");
        if (memcmp(first_root, second_root, CP_MERKLE_HASH) != 0)
            return fail(why, "trees of equal size have different roots");
        return true;
    }
    if (first == 0) return fail(why, "no consistency proof is defined from the empty tree");
    if (len == 0) return fail(why, "proof is empty");
    /* step 2: when first is a power of two the old root is the first node of the path */
    bool prepend = (first & (first - 1)) == 0;
    size_t total = len + (prepend ? 1 : 0);
#define PATH_AT(i) (prepend ? ((i) == 0 ? first_root : proof[(i) - 1]) : proof[(i)])
    uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[CP_MERKLE_HASH], sr[CP_MERKLE_HASH];
    memcpy(fr, PATH_AT(0), CP_MERKLE_HASH);
    memcpy(sr, PATH_AT(0), CP_MERKLE_HASH);
    for (size_t i = 1; i < total; i++) {
        const uint8_t *c = PATH_AT(i);
        if (sn == 0) return fail(why, "proof is longer than the path to the root");
        if ((fn & 1) || fn == sn) {
            cp_merkle_node_hash(c, fr, fr);
            cp_merkle_node_hash(c, sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            cp_merkle_node_hash(sr, c, sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
#undef PATH_AT
    if (sn != 0) return fail(why, "proof is shorter than the path to the root");
    if (memcmp(fr, first_root, CP_MERKLE_HASH) != 0) return fail(why, "proof does not lead to the first root");
    if (memcmp(sr, second_root, CP_MERKLE_HASH) != 0) return fail(why, "proof does not lead to the second root");
    return true;
}

void cp_merkle_hex(const uint8_t h[CP_MERKLE_HASH], char out[2 * CP_MERKLE_HASH + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < CP_MERKLE_HASH; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * CP_MERKLE_HASH] = 0;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool cp_merkle_unhex(const char *s, uint8_t out[CP_MERKLE_HASH])
{
    if (!s) return false;
    for (int i = 0; i < CP_MERKLE_HASH; i++) {
        int hi = nibble(s[2 * i]);
        if (hi < 0) return false;
        int lo = nibble(s[2 * i + 1]);
        if (lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * CP_MERKLE_HASH] == 0;
}
