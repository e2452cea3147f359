/*
 * fuzz_record_proof.c — what `cyberpact record verify` reads from a server or
 * a file it does not trust (governance/record_verify.h, audit/merkle.h).
 *
 * The first byte chooses what the rest is:
 *   0  a proof response (cp_record_proof_parse), then checked as an inclusion
 *      proof of leaf_index in tree_size against a fixed tree of 13 entries
 *   1  the same, as a consistency proof from first to second
 *   2  JSON lines of entries (an export's body) fed to the checker with the
 *      fixed tree's head
 *   3  a receipt (cp_record_receipt_parse)
 *   4  a tree head (cp_record_head_parse), as in an export's first line or a
 *      saved head; an accepted head has hex of the right lengths and, unless it
 *      is the fixed tree's genuine one, fails signature verification
 * Properties (abort on violation): parsing never accepts more than
 * CP_MERKLE_MAX_PROOF hashes or a malformed hash; a proof the verifier accepts
 * for the fixed tree is exactly the genuine one (SHA-256 leaves no other way);
 * the checker accepts a copy only when every leaf hash is the genuine one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/merkle.h"
#include "governance/record_verify.h"

#define N 13

static uint8_t leaves[N][CP_MERKLE_HASH];
static uint8_t nodes[2 * N + 2][CP_MERKLE_HASH];
static uint8_t roots[N + 1][CP_MERKLE_HASH];

static void emit(void *ctx, unsigned level, uint64_t index, const uint8_t h[CP_MERKLE_HASH])
{
    (void)ctx;
    memcpy(nodes[cp_merkle_node_key(level, index)], h, CP_MERKLE_HASH);
}

static int get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_MERKLE_HASH])
{
    (void)ctx;
    int64_t k = cp_merkle_node_key(level, index);
    if (k < 0 || k >= 2 * N) return 1;
    memcpy(out, nodes[k], CP_MERKLE_HASH);
    return 0;
}

static void setup(void)
{
    static int done;
    if (done) return;
    done = 1;
    cp_merkle_frontier f;
    cp_merkle_frontier_init(&f);
    cp_merkle_empty_root(roots[0]);
    for (int i = 0; i < N; i++) {
        char e[64];
        int n = snprintf(e, sizeof e, "{\"i\":%d,\"type\":\"note\"}", i);
        cp_merkle_leaf_hash(e, (size_t)n, leaves[i]);
        cp_merkle_frontier_push(&f, leaves[i], emit, NULL);
        cp_merkle_frontier_root(&f, roots[i + 1]);
    }
}

static void check_proof(const uint8_t *d, size_t n, bool consistency)
{
    cp_record_proof p;
    char why[200];
    if (!cp_record_proof_parse((const char *)d, n, &p, why, sizeof why)) {
        if (!why[0]) abort();
        return;
    }
    if (p.len > CP_MERKLE_MAX_PROOF) abort();
    uint8_t genuine[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t glen;
    if (!consistency) {
        if (p.leaf_index < 0 || p.tree_size < 0 || p.tree_size > N) return;
        const uint8_t *leaf = p.leaf_index < N ? leaves[p.leaf_index] : leaves[0];
        bool ok = cp_merkle_verify_inclusion((uint64_t)p.leaf_index, (uint64_t)p.tree_size, leaf,
                                             (const uint8_t(*)[CP_MERKLE_HASH])p.path, p.len, roots[p.tree_size], NULL);
        uint8_t served[CP_MERKLE_HASH];
        if (p.leaf_hash[0] && cp_merkle_unhex(p.leaf_hash, served) &&
            cp_merkle_verify_inclusion((uint64_t)p.leaf_index, (uint64_t)p.tree_size, served,
                                       (const uint8_t(*)[CP_MERKLE_HASH])p.path, p.len, roots[p.tree_size], NULL) &&
            memcmp(served, leaves[p.leaf_index], CP_MERKLE_HASH) != 0)
            abort(); /* another leaf proven at the same place */
        if (!ok) return;
        if (p.leaf_index >= p.tree_size) abort();
        if (cp_merkle_inclusion_proof(get, NULL, (uint64_t)p.leaf_index, (uint64_t)p.tree_size, genuine, &glen)) abort();
    } else {
        if (p.first < 0 || p.second < 0 || p.first > N || p.second > N) return;
        bool ok = cp_merkle_verify_consistency((uint64_t)p.first, (uint64_t)p.second, roots[p.first], roots[p.second],
                                               (const uint8_t(*)[CP_MERKLE_HASH])p.path, p.len, NULL);
        if (!ok) return;
        if (p.first == 0 || p.first > p.second) abort();
        if (cp_merkle_consistency_proof(get, NULL, (uint64_t)p.first, (uint64_t)p.second, genuine, &glen)) abort();
    }
    if (glen != p.len || memcmp(genuine, p.path, glen * CP_MERKLE_HASH) != 0) abort();
}

static void check_lines(const uint8_t *d, size_t n)
{
    static cp_record_check k;
    cp_record_check_init(&k, true);
    json_t *items = json_array();
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d[i] != '\n') continue;
        json_t *j = json_loadb((const char *)d + start, i - start, 0, NULL);
        if (j) {
            cp_record_check_item(&k, j);
            json_array_append_new(items, j);
        }
        start = i + 1;
    }
    cp_record_head h = {.tree_size = N};
    cp_merkle_hex(roots[N], h.root_hash);
    cp_record_check_head(&k, &h, NULL);
    if (k.problems == 0) {
        /* accepted: exactly the genuine leaves, in order */
        if (json_array_size(items) != N || k.next != N) abort();
        for (size_t i = 0; i < N; i++) {
            json_t *it = json_array_get(items, i);
            uint8_t h2[CP_MERKLE_HASH];
            if (json_integer_value(json_object_get(it, "index")) != (json_int_t)i) abort();
            if (!cp_merkle_unhex(json_string_value(json_object_get(it, "leaf_hash")), h2)) abort();
            if (memcmp(h2, leaves[i], CP_MERKLE_HASH) != 0) abort();
        }
    }
    json_decref(items);
    cp_record_check_free(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 1) return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0: check_proof(d, n, false); break;
    case 1: check_proof(d, n, true); break;
    case 2: check_lines(d, n); break;
    case 4: {
        json_t *j = json_loadb((const char *)d, n, 0, NULL);
        cp_record_head h;
        char why[200];
        if (cp_record_head_parse(j, &h, why, sizeof why)) {
            if (strlen(h.root_hash) != 64 || strlen(h.signature) != 128 || h.tree_size < 0) abort();
            /* the RFC 8032 test-1 key: no head the fuzzer makes carries its signature */
            if (cp_record_head_verify(&h, "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")) abort();
        } else if (!why[0]) {
            abort();
        }
        json_decref(j);
        break;
    }
    default: {
        json_t *j = json_loadb((const char *)d, n, 0, NULL);
        cp_record_receipt r;
        char why[200];
        if (cp_record_receipt_parse(j, &r, why, sizeof why)) {
            uint8_t h[CP_MERKLE_HASH];
            if (r.index < 0 || !cp_merkle_unhex(r.leaf_hash, h)) abort();
        }
        json_decref(j);
    }
    }
    return 0;
}
