/*
 * record_verify.h — checking a copy of the governance record without trusting
 * whoever served it: the pure part of `cyberpact record verify` (the CLI does
 * the fetching; unit tests, the fuzz target and the benchmark call this).
 *
 * A copy is a tree head plus every entry in index order, each
 * {index, leaf_hash, entry} with entry the canonical text (the exact bytes
 * hashed) or null when withheld from the reader (sealed). The checker
 *   - expects indexes 0, 1, 2 ... without gaps, duplicates or reordering;
 *   - recomputes SHA-256(0x00 || entry) of every revealed entry and compares
 *     it with the served leaf hash (a withheld entry's served hash is taken);
 *   - folds the leaves into the RFC 9162 root and remembers the root at the
 *     sizes asked for (cp_record_check_want_root), to compare with tree heads
 *     seen earlier;
 *   - at the end compares size and root with the head and checks the head's
 *     Ed25519 signature with the public key.
 * Every difference is recorded precisely ("entry 17: ..."); the first
 * CP_RECORD_PROBLEMS_KEPT are kept as text, all are counted.
 */
#ifndef CP_GOVERNANCE_RECORD_VERIFY_H
#define CP_GOVERNANCE_RECORD_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/merkle.h"
#include "governance/record.h"

#define CP_RECORD_PROBLEMS_KEPT 20

typedef struct {
    cp_merkle_frontier frontier;
    int64_t next;                 /* the index expected next = leaves folded so far */
    int64_t revealed, withheld;
    int64_t problems;
    char problem[CP_RECORD_PROBLEMS_KEPT][200];
    int64_t want_size;            /* -1: none; else the root at this size is kept */
    char want_root[CP_RECORD_HEX];
    json_t *entries;              /* when keeping: array, parsed entry or null per index (owned) */
} cp_record_check;

/* keep_entries: also keep every revealed entry parsed (for the results recheck). */
void cp_record_check_init(cp_record_check *k, bool keep_entries);
void cp_record_check_free(cp_record_check *k);
/* Keep the root of the first `size` leaves (a tree head seen before). */
void cp_record_check_want_root(cp_record_check *k, int64_t size);
/* Records a problem (printf-style). */
void cp_record_check_problem(cp_record_check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One entry as served: index, leaf hash (hex) and entry bytes (NULL when withheld). */
void cp_record_check_add(cp_record_check *k, int64_t index, const char *leaf_hash, const char *entry, size_t len);
/* One item of /api/v1/record/entries or one line of an export (a JSON object). */
void cp_record_check_item(cp_record_check *k, const json_t *item);
/* Compares what was folded with the head and checks the head's signature
 * (pub_hex may be NULL to skip that, e.g. when no key is known). */
void cp_record_check_head(cp_record_check *k, const cp_record_head *h, const char *pub_hex);
/* The root of everything folded so far (hex). */
void cp_record_check_root(const cp_record_check *k, char out[CP_RECORD_HEX]);

/* A receipt, as handed to a delegate: {"index": N, "leaf_hash": "<hex>"}. */
bool cp_record_receipt_parse(const json_t *j, cp_record_receipt *out, char *why, size_t cap);

/* A proof as served by /api/v1/record/proof/...: an object whose "proof" is an
 * array of at most CP_MERKLE_MAX_PROOF hex hashes; the other numbers it carries
 * (leaf_index, tree_size, first, second) and leaf_hash are read when present
 * (-1 / "" otherwise). Any other shape is refused with why. */
typedef struct {
    int64_t leaf_index, tree_size, first, second;
    char leaf_hash[CP_RECORD_HEX];
    size_t len;
    uint8_t path[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
} cp_record_proof;

bool cp_record_proof_parse(const char *body, size_t len, cp_record_proof *out, char *why, size_t cap);

#endif
