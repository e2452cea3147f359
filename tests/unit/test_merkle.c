/*
 * test_merkle.c — audit/merkle.h against independent vectors and properties.
 *
 * Vectors: the reference tree of the certificate-transparency project (eight
 * leaves "", 00, 10, 2021, 3031, 40414243, 5051525354555657,
 * 606162636465666768696a6b6c6d6e6f), its roots for sizes 0..8, the hashes of
 * its perfect subtrees, and the published inclusion and consistency proofs
 * (as in RFC 6962 reference test data, transparency-dev/merkle testonly and
 * the CT verifier tests). Each valid proof is then corrupted the way those
 * suites do (wrong index, wrong sizes, wrong leaf or root, extra, missing,
 * swapped or flipped hashes) and every corruption must fail.
 *
 * Properties: for every size up to 130 and random sizes up to 2000, every
 * generated proof matches a naive recursive reference written here straight
 * from the RFC's definitions, verifies, and fails when any byte is flipped.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/merkle.h"
#include "harness.h"

typedef uint8_t hash_t[CP_MERKLE_HASH];

static void unhex_any(const char *s, uint8_t *out, size_t *n)
{
    size_t len = strlen(s) / 2;
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    *n = len;
}

static void H(const char *hex, uint8_t out[CP_MERKLE_HASH])
{
    if (!cp_merkle_unhex(hex, out)) {
        fprintf(stderr, "bad vector %s\n", hex);
        exit(2);
    }
}

/* ---- the reference tree ---- */

static const char *LEAVES[8] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f"};
static const char *ROOTS[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
/* perfect subtrees by level */
static const char *LEVEL0[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};
static const char *LEVEL1[4] = {
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
};
static const char *LEVEL2[2] = {
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
};

typedef struct {
    uint64_t a, b; /* inclusion: leaf index (0-based), size; consistency: first, second */
    int n;
    const char *proof[3];
} vec;

static const vec INCLUSION[] = {
    {0, 1, 0, {0}},
    {0, 8, 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8, 3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5, 3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const vec CONSISTENCY[] = {
    {1, 1, 0, {0}},
    {1, 8, 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8, 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5, 2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7, 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* ---- an in-memory node table keyed by cp_merkle_node_key ---- */

typedef struct {
    hash_t *nodes;
    uint8_t *present;
    uint64_t cap; /* keys below cap */
    int gets;
} table;

static void table_emit(void *ctx, unsigned level, uint64_t index, const uint8_t h[CP_MERKLE_HASH])
{
    table *t = ctx;
    int64_t k = cp_merkle_node_key(level, index);
    if (k < 0 || (uint64_t)k >= t->cap) {
        fprintf(stderr, "node key out of range\n");
        exit(2);
    }
    if (t->present[k]) harness_failures++, fprintf(stderr, "node (%u,%llu) emitted twice / key clash\n", level,
                                                   (unsigned long long)index);
    memcpy(t->nodes[k], h, CP_MERKLE_HASH);
    t->present[k] = 1;
}

static int table_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_MERKLE_HASH])
{
    table *t = ctx;
    int64_t k = cp_merkle_node_key(level, index);
    t->gets++;
    if (k < 0 || (uint64_t)k >= t->cap || !t->present[k]) return 7;
    memcpy(out, t->nodes[k], CP_MERKLE_HASH);
    return 0;
}

static void table_init(table *t, uint64_t leaves)
{
    t->cap = 2 * leaves + 2;
    t->nodes = calloc(t->cap, sizeof(hash_t));
    t->present = calloc(t->cap, 1);
    t->gets = 0;
}

static void table_free(table *t)
{
    free(t->nodes);
    free(t->present);
}

static void ref_leaf_hashes(hash_t out[8])
{
    for (int i = 0; i < 8; i++) {
        uint8_t buf[16];
        size_t n;
        unhex_any(LEAVES[i], buf, &n);
        cp_merkle_leaf_hash(buf, n, out[i]);
    }
}

static void build(table *t, cp_merkle_frontier *f, hash_t *leaves, uint64_t n)
{
    cp_merkle_frontier_init(f);
    for (uint64_t i = 0; i < n; i++) cp_merkle_frontier_push(f, leaves[i], table_emit, t);
}

static void test_hashes_and_roots(void)
{
    hash_t leaf[8], want;
    ref_leaf_hashes(leaf);
    for (int i = 0; i < 8; i++) {
        H(LEVEL0[i], want);
        CHECK(memcmp(leaf[i], want, 32) == 0);
    }
    for (int n = 0; n <= 8; n++) {
        hash_t root;
        cp_merkle_root((const uint8_t(*)[32])leaf, (uint64_t)n, root);
        H(ROOTS[n], want);
        CHECK(memcmp(root, want, 32) == 0);
        /* incremental: the frontier after n pushes */
        cp_merkle_frontier f;
        cp_merkle_frontier_init(&f);
        for (int i = 0; i < n; i++) cp_merkle_frontier_push(&f, leaf[i], NULL, NULL);
        cp_merkle_frontier_root(&f, root);
        CHECK(memcmp(root, want, 32) == 0);
        CHECK_INT(f.count, __builtin_popcount((unsigned)n));
    }
    /* every perfect subtree the frontier reports is the published one */
    table t;
    table_init(&t, 8);
    cp_merkle_frontier f;
    build(&t, &f, leaf, 8);
    const char **levels[3] = {LEVEL0, LEVEL1, LEVEL2};
    int counts[3] = {8, 4, 2};
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < counts[l]; i++) {
            hash_t got;
            CHECK_INT(table_get(&t, (unsigned)l, (uint64_t)i, got), 0);
            H(levels[l][i], want);
            CHECK(memcmp(got, want, 32) == 0);
        }
    hash_t got;
    CHECK_INT(table_get(&t, 3, 0, got), 0);
    H(ROOTS[8], want);
    CHECK(memcmp(got, want, 32) == 0);
    /* range roots of right-edge subtrees are folded from perfect nodes */
    for (int n = 1; n <= 8; n++) {
        CHECK_INT(cp_merkle_range_root(table_get, &t, 0, (uint64_t)n, got), 0);
        H(ROOTS[n], want);
        CHECK(memcmp(got, want, 32) == 0);
    }
    CHECK(cp_merkle_range_root(table_get, &t, 3, 3, got) != 0);
    table_free(&t);
    char hex[65];
    cp_merkle_hex(leaf[1], hex);
    CHECK_STR(hex, LEVEL0[1]);
}

static void test_split_and_keys(void)
{
    CHECK_INT(cp_merkle_split(2), 1);
    CHECK_INT(cp_merkle_split(3), 2);
    CHECK_INT(cp_merkle_split(4), 2);
    CHECK_INT(cp_merkle_split(5), 4);
    CHECK_INT(cp_merkle_split(8), 4);
    CHECK_INT(cp_merkle_split(9), 8);
    CHECK_INT(cp_merkle_split((uint64_t)1 << 40), (int64_t)1 << 39);
    CHECK_INT(cp_merkle_node_key(0, 0), 0);
    CHECK_INT(cp_merkle_node_key(0, 5), 10);
    CHECK_INT(cp_merkle_node_key(1, 0), 1);
    CHECK_INT(cp_merkle_node_key(2, 0), 3);
    CHECK_INT(cp_merkle_node_key(1, 1), 5);
    CHECK_INT(cp_merkle_node_key(3, 0), 7);
    uint8_t h[32];
    CHECK(!cp_merkle_unhex("00", h));
    CHECK(!cp_merkle_unhex(NULL, h));
    CHECK(!cp_merkle_unhex("zz40c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", h));
    CHECK(!cp_merkle_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", h));
    CHECK(cp_merkle_unhex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", h));
}

static int load_proof(const vec *v, hash_t out[8])
{
    for (int i = 0; i < v->n; i++) H(v->proof[i], out[i]);
    return v->n;
}

static bool incl(uint64_t index, uint64_t size, const uint8_t *leaf, hash_t *proof, size_t len, const uint8_t *root)
{
    return cp_merkle_verify_inclusion(index, size, leaf, (const uint8_t(*)[32])proof, len, root, NULL);
}

static bool cons(uint64_t a, uint64_t b, const uint8_t *ra, const uint8_t *rb, hash_t *proof, size_t len)
{
    return cp_merkle_verify_consistency(a, b, ra, rb, (const uint8_t(*)[32])proof, len, NULL);
}

static void test_inclusion_vectors(void)
{
    hash_t leaf[8];
    ref_leaf_hashes(leaf);
    table t;
    table_init(&t, 8);
    cp_merkle_frontier f;
    build(&t, &f, leaf, 8);
    hash_t some, empty, wrong;
    H("abacaba000000000000000000000000000000000000000000060061e00123456", some);
    cp_merkle_empty_root(empty);
    cp_merkle_leaf_hash("WrongLeaf", 9, wrong);
    for (size_t v = 0; v < sizeof INCLUSION / sizeof INCLUSION[0]; v++) {
        const vec *x = &INCLUSION[v];
        hash_t want[8], got[CP_MERKLE_MAX_PROOF], root;
        int n = load_proof(x, want);
        size_t len = 99;
        CHECK_INT(cp_merkle_inclusion_proof(table_get, &t, x->a, x->b, got, &len), 0);
        CHECK_INT(len, n);
        for (int i = 0; i < n && (size_t)i < len; i++) CHECK(memcmp(got[i], want[i], 32) == 0);
        H(ROOTS[x->b], root);
        const uint8_t *lh = leaf[x->a];
        const char *why = "unset";
        CHECK(cp_merkle_verify_inclusion(x->a, x->b, lh, (const uint8_t(*)[32])want, (size_t)n, root, &why));
        CHECK(why == NULL);
        /* corruptions, as the transparency-dev suite makes them */
        CHECK(!incl(x->a - 1, x->b, lh, want, (size_t)n, root)); /* wraps for 0: index >= size */
        CHECK(!incl(x->a + 1, x->b, lh, want, (size_t)n, root));
        CHECK(!incl(x->a ^ 2, x->b, lh, want, (size_t)n, root));
        CHECK(!incl(x->a, x->b * 2, lh, want, (size_t)n, root));
        CHECK(!incl(x->a, x->b / 2, lh, want, (size_t)n, root));
        CHECK(!incl(x->a, x->b, wrong, want, (size_t)n, root));
        CHECK(!incl(x->a, x->b, lh, want, (size_t)n, empty));
        CHECK(!incl(x->a, x->b, lh, want, (size_t)n, some));
        hash_t ext[10];
        memcpy(ext, want, sizeof(hash_t) * (size_t)n);
        memcpy(ext[n], root, 32);
        CHECK(!incl(x->a, x->b, lh, ext, (size_t)n + 1, root)); /* trailing root */
        memcpy(ext[0], root, 32);
        memcpy(ext + 1, want, sizeof(hash_t) * (size_t)n);
        CHECK(!incl(x->a, x->b, lh, ext, (size_t)n + 1, root)); /* preceding root */
        for (int i = 0; i < n; i++) {
            memcpy(ext, want, sizeof(hash_t) * (size_t)n);
            ext[i][0] ^= 8;
            CHECK(!incl(x->a, x->b, lh, ext, (size_t)n, root));
        }
        if (n > 0) CHECK(!incl(x->a, x->b, lh, want, (size_t)n - 1, root)); /* removed component */
        if (n > 1) {
            memcpy(ext[0], want[0], 32);
            memcpy(ext[1], some, 32);
            memcpy(ext + 2, want + 1, sizeof(hash_t) * (size_t)(n - 1));
            CHECK(!incl(x->a, x->b, lh, ext, (size_t)n + 1, root)); /* inserted component */
        }
    }
    /* the static cases: nothing is included in an empty tree, nor beyond its size */
    CHECK(!incl(0, 0, some, NULL, 0, empty));
    CHECK(!incl(1, 0, some, NULL, 0, empty));
    CHECK(!incl(2, 1, some, NULL, 0, empty));
    CHECK(!incl(0, 1, some, NULL, 0, empty));
    /* single entry: root and leaf hash are the same */
    hash_t data;
    cp_merkle_leaf_hash("data", 4, data);
    CHECK(incl(0, 1, data, NULL, 0, data));
    CHECK(!incl(0, 1, data, NULL, 0, some));
    /* out-of-range requests to the generator */
    hash_t got[CP_MERKLE_MAX_PROOF];
    size_t len;
    CHECK(cp_merkle_inclusion_proof(table_get, &t, 8, 8, got, &len) != 0);
    CHECK(cp_merkle_inclusion_proof(table_get, &t, 0, 0, got, &len) != 0);
    CHECK_INT(cp_merkle_inclusion_proof(table_get, &t, 0, 9, got, &len), 7); /* node absent: getter's code */
    table_free(&t);
}

static void test_consistency_vectors(void)
{
    hash_t leaf[8];
    ref_leaf_hashes(leaf);
    table t;
    table_init(&t, 8);
    cp_merkle_frontier f;
    build(&t, &f, leaf, 8);
    hash_t empty;
    cp_merkle_empty_root(empty);
    for (size_t v = 0; v < sizeof CONSISTENCY / sizeof CONSISTENCY[0]; v++) {
        const vec *x = &CONSISTENCY[v];
        hash_t want[8], got[CP_MERKLE_MAX_PROOF], r1, r2;
        int n = load_proof(x, want);
        size_t len = 99;
        CHECK_INT(cp_merkle_consistency_proof(table_get, &t, x->a, x->b, got, &len), 0);
        CHECK_INT(len, n);
        for (int i = 0; i < n && (size_t)i < len; i++) CHECK(memcmp(got[i], want[i], 32) == 0);
        H(ROOTS[x->a], r1);
        H(ROOTS[x->b], r2);
        CHECK(cons(x->a, x->b, r1, r2, want, (size_t)n));
        if (n == 0) continue;
        hash_t wr1, wr2;
        cp_merkle_leaf_hash("WrongRoot", 9, wr1);
        memcpy(wr2, wr1, 32);
        CHECK(!cons(x->a - 1, x->b, r1, r2, want, (size_t)n));
        CHECK(!cons(x->a + 1, x->b, r1, r2, want, (size_t)n));
        CHECK(!cons(x->a ^ 2, x->b, r1, r2, want, (size_t)n));
        CHECK(!cons(x->a, x->b * 2, r1, r2, want, (size_t)n));
        CHECK(!cons(x->a, x->b / 2, r1, r2, want, (size_t)n));
        CHECK(!cons(x->a, x->b, wr1, r2, want, (size_t)n));
        CHECK(!cons(x->a, x->b, r1, wr2, want, (size_t)n));
        CHECK(!cons(x->a, x->b, r2, r1, want, (size_t)n));
        CHECK(!cons(x->a, x->b, r1, r2, want, 0));
        hash_t ext[10];
        const uint8_t *extra[3] = {r1, r2, want[0]};
        for (int e = 0; e < 2; e++) { /* trailing root1, root2 */
            memcpy(ext, want, sizeof(hash_t) * (size_t)n);
            memcpy(ext[n], extra[e], 32);
            CHECK(!cons(x->a, x->b, r1, r2, ext, (size_t)n + 1));
        }
        for (int e = 0; e < 3; e++) { /* preceding root1, root2, proof[0] */
            memcpy(ext[0], extra[e], 32);
            memcpy(ext + 1, want, sizeof(hash_t) * (size_t)n);
            CHECK(!cons(x->a, x->b, r1, r2, ext, (size_t)n + 1));
        }
        CHECK(!cons(x->a, x->b, r1, r2, want, (size_t)n - 1)); /* truncated */
        for (int i = 0; i < n; i++) {
            memcpy(ext, want, sizeof(hash_t) * (size_t)n);
            ext[i][0] ^= 16;
            CHECK(!cons(x->a, x->b, r1, r2, ext, (size_t)n));
        }
    }
    /* the static cases */
    hash_t d1, d2;
    cp_merkle_leaf_hash("don't care 1", 12, d1);
    cp_merkle_leaf_hash("don't care 2", 12, d2);
    CHECK(!cons(0, 0, d1, d2, NULL, 0));
    CHECK(!cons(1, 1, d1, d2, NULL, 0));
    CHECK(cons(0, 0, d1, d1, NULL, 0));
    CHECK(!cons(0, 1, d1, d2, NULL, 0));
    CHECK(cons(1, 1, d2, d2, NULL, 0));
    CHECK(!cons(1, 0, d1, d2, NULL, 0));
    CHECK(!cons(2, 1, d1, d2, NULL, 0));
    CHECK(!cons(1, 2, d1, d2, NULL, 0));
    CHECK(!cons(0, 0, empty, d2, NULL, 0));
    CHECK(!cons(1, 1, empty, d2, NULL, 0));
    hash_t p2[1];
    memcpy(p2[0], empty, 32);
    CHECK(!cons(0, 0, empty, empty, p2, 1));
    CHECK(!cons(1, 1, empty, empty, p2, 1));
    CHECK(!cons(0, 1, empty, empty, p2, 1));
    hash_t got[CP_MERKLE_MAX_PROOF];
    size_t len;
    CHECK(cp_merkle_consistency_proof(table_get, &t, 0, 8, got, &len) != 0);
    CHECK(cp_merkle_consistency_proof(table_get, &t, 5, 4, got, &len) != 0);
    table_free(&t);
}

/* ---- naive reference, straight from the RFC's recursive definitions ---- */

static void ref_mth(hash_t *d, uint64_t n, uint8_t out[32])
{
    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    uint8_t buf[65];
    buf[0] = 1;
    ref_mth(d, k, buf + 1);
    ref_mth(d + k, n - k, buf + 33);
    crypto_hash_sha256(out, buf, 65);
}

static size_t ref_path(uint64_t m, hash_t *d, uint64_t n, hash_t *out)
{
    if (n <= 1) return 0;
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    size_t len;
    if (m < k) {
        len = ref_path(m, d, k, out);
        ref_mth(d + k, n - k, out[len]);
    } else {
        len = ref_path(m - k, d + k, n - k, out);
        ref_mth(d, k, out[len]);
    }
    return len + 1;
}

static size_t ref_subproof(uint64_t m, hash_t *d, uint64_t n, bool b, hash_t *out)
{
    if (m == n) {
        if (b) return 0;
        ref_mth(d, n, out[0]);
        return 1;
    }
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    size_t len;
    if (m <= k) {
        len = ref_subproof(m, d, k, b, out);
        ref_mth(d + k, n - k, out[len]);
    } else {
        len = ref_subproof(m - k, d + k, n - k, false, out);
        ref_mth(d, k, out[len]);
    }
    return len + 1;
}

static uint64_t rnd(uint64_t bound)
{
    return bound ? (uint64_t)randombytes_uniform((uint32_t)bound) : 0;
}

static void check_size(table *t, hash_t *leaves, hash_t *roots, uint64_t n, int samples, bool against_ref)
{
    /* inclusion */
    int count = samples < 0 ? (int)n : samples;
    for (int s = 0; s < count; s++) {
        uint64_t m = samples < 0 ? (uint64_t)s : rnd(n);
        hash_t p[CP_MERKLE_MAX_PROOF];
        size_t len;
        if (cp_merkle_inclusion_proof(table_get, t, m, n, p, &len) != 0) {
            CHECK(!"inclusion proof generation failed");
            return;
        }
        if (against_ref) {
            hash_t r[CP_MERKLE_MAX_PROOF];
            size_t rl = ref_path(m, leaves, n, r);
            CHECK_INT(len, rl);
            CHECK(memcmp(p, r, len * 32) == 0);
        }
        CHECK(incl(m, n, leaves[m], p, len, roots[n]));
        if (len > 0) {
            size_t i = rnd(len), b = rnd(32);
            p[i][b] ^= (uint8_t)(1u << rnd(8));
            CHECK(!incl(m, n, leaves[m], p, len, roots[n]));
            cp_merkle_inclusion_proof(table_get, t, m, n, p, &len);
            CHECK(!incl(m ^ 1, n, leaves[m], p, len, roots[n]) || n == 1);
            hash_t flipped;
            memcpy(flipped, leaves[m], 32);
            flipped[rnd(32)] ^= 0x40;
            CHECK(!incl(m, n, flipped, p, len, roots[n]));
            CHECK(!incl(m, n, leaves[m], p, len - 1, roots[n]));
        }
    }
    /* consistency */
    for (int s = 0; s < count; s++) {
        uint64_t m = samples < 0 ? (uint64_t)s + 1 : rnd(n) + 1;
        hash_t p[CP_MERKLE_MAX_PROOF];
        size_t len;
        if (cp_merkle_consistency_proof(table_get, t, m, n, p, &len) != 0) {
            CHECK(!"consistency proof generation failed");
            return;
        }
        if (against_ref) {
            hash_t r[CP_MERKLE_MAX_PROOF];
            size_t rl = ref_subproof(m, leaves, n, true, r);
            CHECK_INT(len, rl);
            CHECK(memcmp(p, r, len * 32) == 0);
        }
        CHECK(cons(m, n, roots[m], roots[n], p, len));
        if (len > 0) {
            size_t i = rnd(len), b = rnd(32);
            p[i][b] ^= (uint8_t)(1u << rnd(8));
            CHECK(!cons(m, n, roots[m], roots[n], p, len));
            cp_merkle_consistency_proof(table_get, t, m, n, p, &len);
            hash_t bad;
            memcpy(bad, roots[m], 32);
            bad[rnd(32)] ^= 1;
            CHECK(!cons(m, n, bad, roots[n], p, len));
            memcpy(bad, roots[n], 32);
            bad[rnd(32)] ^= 1;
            CHECK(!cons(m, n, roots[m], bad, p, len));
        }
    }
}

static void test_properties(void)
{
    const uint64_t max = 2000;
    hash_t *leaves = malloc(max * sizeof(hash_t));
    hash_t *roots = malloc((max + 1) * sizeof(hash_t));
    for (uint64_t i = 0; i < max; i++) {
        uint8_t buf[8];
        memcpy(buf, &i, 8);
        cp_merkle_leaf_hash(buf, 8, leaves[i]);
    }
    table t;
    table_init(&t, max);
    cp_merkle_frontier f;
    cp_merkle_frontier_init(&f);
    cp_merkle_empty_root(roots[0]);
    for (uint64_t i = 0; i < max; i++) {
        cp_merkle_frontier_push(&f, leaves[i], table_emit, &t);
        cp_merkle_frontier_root(&f, roots[i + 1]);
    }
    /* the incremental roots equal the recursive definition */
    for (uint64_t n = 0; n <= 130; n++) {
        hash_t r;
        ref_mth(leaves, n, r);
        CHECK(memcmp(r, roots[n], 32) == 0);
    }
    uint64_t sizes[] = {511, 512, 513, 1023, 1024, 1025, 1999, 2000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        hash_t r;
        ref_mth(leaves, sizes[i], r);
        CHECK(memcmp(r, roots[sizes[i]], 32) == 0);
    }
    int before = harness_failures;
    for (uint64_t n = 1; n <= 130 && harness_failures == before; n++) check_size(&t, leaves, roots, n, -1, true);
    for (int s = 0; s < 60 && harness_failures == before; s++) check_size(&t, leaves, roots, rnd(max) + 1, 40, s < 10);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) check_size(&t, leaves, roots, sizes[i], 40, true);
    table_free(&t);
    free(leaves);
    free(roots);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    RUN(test_hashes_and_roots);
    RUN(test_split_and_keys);
    RUN(test_inclusion_vectors);
    RUN(test_consistency_vectors);
    RUN(test_properties);
    return harness_done();
}
