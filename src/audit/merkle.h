/*
 * merkle.h — Merkle hash trees as RFC 9162 section 2.1 (and RFC 6962 section 2.1)
 * define them, over SHA-256 (libsodium). Pure arithmetic: no store, no I/O.
 *
 *   leaf hash   H(0x00 || entry)
 *   node hash   H(0x01 || left || right)
 *   MTH({})     H("")  (the hash of the empty string)
 *   MTH(D[n])   for n > 1, with k the largest power of two smaller than n:
 *               H(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
 *
 * Nodes are named by (level, index): the perfect subtree of 2^level leaves
 * starting at leaf index << level. Every hash a proof needs is either such a
 * perfect subtree or a subtree at the right edge of the tree, which is folded
 * here from perfect ones; so a caller that can answer "the hash of perfect node
 * (level, index)" (cp_merkle_node_fn) can produce proofs for any tree size
 * without rehashing leaves. cp_merkle_node_key() gives each node one integer
 * (its in-order position), which the governance record uses as a store key.
 *
 * Verification follows the algorithms of RFC 9162 2.1.3.2 (inclusion) and
 * 2.1.4.2 (consistency) step by step; on failure a short reason is written
 * to why (may be NULL).
 */
#ifndef CP_AUDIT_MERKLE_H
#define CP_AUDIT_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_MERKLE_HASH 32
/* A proof for a tree of up to 2^63 leaves has at most this many hashes. */
#define CP_MERKLE_MAX_PROOF 64

void cp_merkle_leaf_hash(const void *entry, size_t n, uint8_t out[CP_MERKLE_HASH]);
void cp_merkle_node_hash(const uint8_t left[CP_MERKLE_HASH], const uint8_t right[CP_MERKLE_HASH],
                         uint8_t out[CP_MERKLE_HASH]);
/* MTH of the empty list: SHA-256 of no bytes. */
void cp_merkle_empty_root(uint8_t out[CP_MERKLE_HASH]);

/* The largest power of two strictly smaller than n (n >= 2). */
uint64_t cp_merkle_split(uint64_t n);

/* The in-order position of perfect node (level, index): leaves are even numbers
 * 0, 2, 4 ..., a node of level L sits between its two children. Unique for all
 * nodes of trees up to 2^62 leaves. */
int64_t cp_merkle_node_key(unsigned level, uint64_t index);

/* Root of an array of n leaf hashes (MTH of the leaves), in O(n) hashing and
 * O(log n) memory. */
void cp_merkle_root(const uint8_t (*leaves)[CP_MERKLE_HASH], uint64_t n, uint8_t out[CP_MERKLE_HASH]);

/* The right edge of a growing tree (a "compact range"): one hash per set bit
 * of size, highest level first. Appending a leaf completes 1 + (number of
 * trailing one bits of the old size) perfect nodes, which are reported to emit
 * (level 0 first) so a caller can store them. */
typedef struct {
    uint64_t size;
    unsigned count;                           /* popcount(size) */
    unsigned level[64];                       /* level of hash[i] */
    uint8_t hash[64][CP_MERKLE_HASH];
} cp_merkle_frontier;

typedef void (*cp_merkle_emit_fn)(void *ctx, unsigned level, uint64_t index, const uint8_t hash[CP_MERKLE_HASH]);

void cp_merkle_frontier_init(cp_merkle_frontier *f);
void cp_merkle_frontier_push(cp_merkle_frontier *f, const uint8_t leaf[CP_MERKLE_HASH], cp_merkle_emit_fn emit,
                             void *ctx);
/* MTH of the size leaves pushed so far. */
void cp_merkle_frontier_root(const cp_merkle_frontier *f, uint8_t out[CP_MERKLE_HASH]);

/* Hash of perfect node (level, index); returns 0 on success, non-zero when it
 * cannot be had (the proof functions then fail with that value). */
typedef int (*cp_merkle_node_fn)(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_MERKLE_HASH]);

/* MTH(D[begin:end]) for a range that is a node of some tree: begin a multiple
 * of the largest power of two not above end - begin (true of every subtree
 * the RFC's recursions visit). Returns what get returned on failure. */
int cp_merkle_range_root(cp_merkle_node_fn get, void *ctx, uint64_t begin, uint64_t end,
                         uint8_t out[CP_MERKLE_HASH]);

/* PATH(index, D[size]) of RFC 9162 2.1.3.1, leaf-side first, into proof;
 * *len its length. index < size required (returns -1 otherwise). */
int cp_merkle_inclusion_proof(cp_merkle_node_fn get, void *ctx, uint64_t index, uint64_t size,
                              uint8_t proof[][CP_MERKLE_HASH], size_t *len);

/* PROOF(first, D[second]) of RFC 9162 2.1.4.1; 0 < first <= second required
 * (returns -1 otherwise). first == second gives the empty proof. */
int cp_merkle_consistency_proof(cp_merkle_node_fn get, void *ctx, uint64_t first, uint64_t second,
                                uint8_t proof[][CP_MERKLE_HASH], size_t *len);

/* RFC 9162 2.1.3.2. */
bool cp_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[CP_MERKLE_HASH],
                                const uint8_t (*proof)[CP_MERKLE_HASH], size_t len,
                                const uint8_t root[CP_MERKLE_HASH], const char **why);

/* RFC 9162 2.1.4.2 for 0 < first < second; first == second holds when the
 * proof is empty and the roots are equal. first == 0 fails (the RFC defines no
 * proof for it: every tree extends the empty one, callers decide). */
bool cp_merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t first_root[CP_MERKLE_HASH],
                                  const uint8_t second_root[CP_MERKLE_HASH],
                                  const uint8_t (*proof)[CP_MERKLE_HASH], size_t len, const char **why);

/* Hex helpers: 64 lower-case hex chars + NUL; parse accepts either case and
 * returns false unless s is exactly 64 hex digits. */
void cp_merkle_hex(const uint8_t h[CP_MERKLE_HASH], char out[2 * CP_MERKLE_HASH + 1]);
bool cp_merkle_unhex(const char *s, uint8_t out[CP_MERKLE_HASH]);

#endif
