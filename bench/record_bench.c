/*
 * record_bench.c — the governance record's hot paths (bench/record.sh runs it;
 * figures in docs/benchmarks.md).
 *
 *   record_bench [N_MEMORY] [N_STORE] [STORE_DIR [keep]]
 *
 * Part 1, a pure in-memory tree of N_MEMORY entries (default 1,000,000; ~160-byte
 * canonical ballot entries):
 *   floor        plain SHA-256 of every entry's bytes (libsodium): the least any
 *                verifier must spend
 *   verify       leaf hashes + root (merkle.h frontier), and the same through
 *                cp_record_check_add with hex leaf hashes as a verifier reads them
 *                (what `record verify` runs per entry)
 *   proofs       inclusion and consistency proof generation from a node table
 *                (µs each), and inclusion proof verification
 * Part 2, a temporary SQLite store of N_STORE entries (default 100,000) built
 * through cp_record_append (the domain API: canonical JSON, head lock, nodes,
 * Ed25519 head signature, audit entry):
 *   append       entries/s, one transaction per 1,000 appends and one per append
 *   proofs       cp_record_inclusion / cp_record_consistency from the store (what
 *                the HTTP handlers call), µs each
 *   verify       reading every entry back (cp_record_scan, as `record verify` on a
 *                store does) and checking it
 * The machine is shared: figures are a single run, wall clock.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/merkle.h"
#include "base/crypto.h"
#include "governance/record.h"
#include "governance/record_verify.h"
#include "store/db.h"
#include "store/migrate.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int entry_text(char *buf, size_t cap, uint64_t i)
{
    return snprintf(buf, cap,
                    "{\"at\":\"2026-11-29T10:%02u:%02u.%03uZ\",\"choice\":\"%s\",\"member\":\"%08x-0000-4000-8000-%012" PRIx64
                    "\",\"proposal\":\"5f0c6a4e-7d11-4c2b-9a55-0123456789ab\",\"seq\":%" PRIu64 ",\"type\":\"ballot\"}",
                    (unsigned)(i / 60000 % 60), (unsigned)(i / 1000 % 60), (unsigned)(i % 1000),
                    i % 3 == 0 ? "yes" : i % 3 == 1 ? "no" : "abstain", (unsigned)(i % 193), i, i % 10);
}

typedef struct {
    uint8_t (*nodes)[CP_MERKLE_HASH];
} table;

static void emit(void *ctx, unsigned level, uint64_t index, const uint8_t h[CP_MERKLE_HASH])
{
    table *t = ctx;
    memcpy(t->nodes[cp_merkle_node_key(level, index)], h, CP_MERKLE_HASH);
}

static int get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_MERKLE_HASH])
{
    table *t = ctx;
    memcpy(out, t->nodes[cp_merkle_node_key(level, index)], CP_MERKLE_HASH);
    return 0;
}

static uint64_t rnd(uint64_t bound)
{
    return ((uint64_t)randombytes_random() << 32 | randombytes_random()) % bound;
}

static int memory_part(uint64_t n)
{
    printf("== in-memory tree of %" PRIu64 " entries\n", n);
    char *texts = malloc(n * 192);
    uint16_t *lens = malloc(n * sizeof *lens);
    uint8_t(*leaves)[CP_MERKLE_HASH] = malloc(n * CP_MERKLE_HASH);
    char(*hexes)[CP_RECORD_HEX] = malloc(n * CP_RECORD_HEX);
    table t = {calloc(2 * n + 2, CP_MERKLE_HASH)};
    if (!texts || !lens || !leaves || !hexes || !t.nodes) return fprintf(stderr, "out of memory\n"), 1;
    size_t bytes = 0;
    for (uint64_t i = 0; i < n; i++) {
        lens[i] = (uint16_t)entry_text(texts + i * 192, 192, i);
        bytes += lens[i];
    }
    printf("entry bytes: %zu (%.0f per entry)\n", bytes, (double)bytes / (double)n);

    uint8_t h[CP_MERKLE_HASH], root[CP_MERKLE_HASH];
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++) crypto_hash_sha256(leaves[i], (const unsigned char *)texts + i * 192, lens[i]);
    double floor_s = now_s() - t0;
    printf("floor: SHA-256 of every entry                  %8.3f s  (%.0f ns/entry)\n", floor_s, floor_s * 1e9 / n);

    t0 = now_s();
    cp_merkle_frontier f;
    cp_merkle_frontier_init(&f);
    for (uint64_t i = 0; i < n; i++) {
        cp_merkle_leaf_hash(texts + i * 192, lens[i], leaves[i]);
        cp_merkle_frontier_push(&f, leaves[i], emit, &t);
    }
    cp_merkle_frontier_root(&f, root);
    double build_s = now_s() - t0;
    printf("verify: leaf hashes + root (+ node table)      %8.3f s  (%.0f ns/entry)\n", build_s, build_s * 1e9 / n);

    for (uint64_t i = 0; i < n; i++) cp_merkle_hex(leaves[i], hexes[i]);
    static cp_record_check k;
    t0 = now_s();
    cp_record_check_init(&k, false);
    for (uint64_t i = 0; i < n; i++) cp_record_check_add(&k, (int64_t)i, hexes[i], texts + i * 192, lens[i]);
    cp_record_head head = {.tree_size = (int64_t)n};
    cp_merkle_hex(root, head.root_hash);
    cp_record_check_head(&k, &head, NULL);
    double check_s = now_s() - t0;
    printf("verify: cp_record_check (hex leaf hashes too)  %8.3f s  (%.0f ns/entry), problems %" PRId64 "\n", check_s,
           check_s * 1e9 / n, k.problems);
    cp_record_check_free(&k);

    enum { PROOFS = 200000 };
    uint8_t path[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t len = 0, total = 0;
    int bad = 0;
    uint64_t *idx = malloc(PROOFS * sizeof *idx);
    for (int i = 0; i < PROOFS; i++) idx[i] = rnd(n);
    t0 = now_s();
    for (int i = 0; i < PROOFS; i++) {
        cp_merkle_inclusion_proof(get, &t, idx[i], n, path, &len);
        total += len;
    }
    double incl_s = now_s() - t0;
    printf("inclusion proofs (size %" PRIu64 ")             %8.0f /s (%.2f us each, %.1f hashes)\n", n, PROOFS / incl_s,
           incl_s * 1e6 / PROOFS, (double)total / PROOFS);
    t0 = now_s();
    for (int i = 0; i < PROOFS; i++) {
        cp_merkle_inclusion_proof(get, &t, idx[i], n, path, &len);
        bad += !cp_merkle_verify_inclusion(idx[i], n, leaves[idx[i]], (const uint8_t(*)[CP_MERKLE_HASH])path, len, root,
                                           NULL);
    }
    double both_s = now_s() - t0;
    printf("inclusion proof + verification                 %8.0f /s (%.2f us each), failures %d\n", PROOFS / both_s,
           both_s * 1e6 / PROOFS, bad);
    total = 0;
    t0 = now_s();
    for (int i = 0; i < PROOFS; i++) {
        cp_merkle_consistency_proof(get, &t, idx[i] + 1, n, path, &len);
        total += len;
    }
    double cons_s = now_s() - t0;
    printf("consistency proofs (m random, n %" PRIu64 ")      %8.0f /s (%.2f us each, %.1f hashes)\n", n,
           PROOFS / cons_s, cons_s * 1e6 / PROOFS, (double)total / PROOFS);
    (void)h;
    free(idx);
    free(texts);
    free(lens);
    free(leaves);
    free(hexes);
    free(t.nodes);
    return bad != 0;
}

static int scan_one(void *ctx, int64_t index, const char *leaf_hash, const char *entry, size_t len)
{
    cp_record_check_add(ctx, index, leaf_hash, entry, len);
    return 0;
}

static int store_part(uint64_t n, const char *dir, bool keep)
{
    printf("== SQLite store of %" PRIu64 " entries through cp_record_append (in %s)\n", n, dir);
    char path[512], url[600];
    snprintf(path, sizeof path, "%s/record-bench.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    cp_db *db;
    cp_conn *c;
    cp_err err = {{0}};
    if (cp_db_open(url, &db, &err) || !(c = cp_db_thread_conn(db, &err)) || cp_migrate(c, NULL, &err) ||
        cp_record_setup(c, NULL, &err))
        return fprintf(stderr, "store: %s\n", err.msg), 1;
    const uint64_t batch = 1000;
    double t0 = now_s();
    for (uint64_t i = 0; i < n;) {
        if (cp_conn_begin(c, CP_TX_WRITE, &err)) return fprintf(stderr, "begin: %s\n", err.msg), 1;
        for (uint64_t b = 0; b < batch && i < n; b++, i++) {
            json_t *e = json_pack("{ss ss ss sI ss}", "type", "ballot", "proposal", "5f0c6a4e-7d11-4c2b-9a55-0123456789ab",
                                  "choice", i % 3 == 0 ? "yes" : i % 3 == 1 ? "no" : "abstain", "seq", (json_int_t)(i % 10),
                                  "member", "0000002a-0000-4000-8000-000000000001");
            cp_status st = cp_record_append(c, e, NULL, &err);
            json_decref(e);
            if (st) return fprintf(stderr, "append: %s\n", err.msg), 1;
        }
        if (cp_conn_commit(c, &err)) return fprintf(stderr, "commit: %s\n", err.msg), 1;
    }
    double app_s = now_s() - t0;
    printf("append, 1,000 per transaction                  %8.0f /s (%.1f us each)\n", n / app_s, app_s * 1e6 / n);
    enum { SINGLE = 300 };
    t0 = now_s();
    for (int i = 0; i < SINGLE; i++) {
        json_t *e = json_pack("{ss si}", "type", "ballot", "seq", i);
        if (cp_conn_begin(c, CP_TX_WRITE, &err) || cp_record_append(c, e, NULL, &err) || cp_conn_commit(c, &err))
            return fprintf(stderr, "append: %s\n", err.msg), 1;
        json_decref(e);
    }
    double one_s = now_s() - t0;
    printf("append, one transaction each (durable commit)  %8.0f /s (%.0f us each)\n", SINGLE / one_s, one_s * 1e6 / SINGLE);

    cp_record_head h;
    if (cp_record_head_get(c, &h, &err)) return fprintf(stderr, "head: %s\n", err.msg), 1;
    uint8_t root[CP_MERKLE_HASH];
    cp_merkle_unhex(h.root_hash, root);
    enum { PROOFS = 20000 };
    int bad = 0;
    t0 = now_s();
    for (int i = 0; i < PROOFS; i++) {
        int64_t idx = (int64_t)rnd((uint64_t)h.tree_size);
        char leaf[CP_RECORD_HEX];
        json_t *proof = NULL;
        if (cp_record_inclusion(c, idx, h.tree_size, leaf, &proof, &err)) return fprintf(stderr, "proof: %s\n", err.msg), 1;
        json_decref(proof);
    }
    double incl_s = now_s() - t0;
    printf("inclusion proofs from the store (size %" PRId64 ") %8.0f /s (%.1f us each)\n", h.tree_size, PROOFS / incl_s,
           incl_s * 1e6 / PROOFS);
    t0 = now_s();
    for (int i = 0; i < PROOFS; i++) {
        json_t *proof = NULL;
        if (cp_record_consistency(c, (int64_t)rnd((uint64_t)h.tree_size) + 1, h.tree_size, &proof, &err))
            return fprintf(stderr, "proof: %s\n", err.msg), 1;
        json_decref(proof);
    }
    double cons_s = now_s() - t0;
    printf("consistency proofs from the store              %8.0f /s (%.1f us each)\n", PROOFS / cons_s,
           cons_s * 1e6 / PROOFS);

    static cp_record_check k;
    cp_record_check_init(&k, false);
    t0 = now_s();
    if (cp_conn_begin(c, CP_TX_READ, &err)) return 1;
    if (cp_record_scan(c, 0, h.tree_size - 1, scan_one, &k, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    cp_conn_rollback(c);
    cp_record_check_head(&k, &h, NULL);
    double ver_s = now_s() - t0;
    printf("verify the store (cp_record_scan + check)       %8.3f s  (%.0f ns/entry), problems %" PRId64 "\n", ver_s,
           ver_s * 1e9 / (double)h.tree_size, k.problems);
    bad += k.problems != 0;
    cp_record_check_free(&k);
    cp_db_close(db);
    struct stat sb;
    if (stat(path, &sb) == 0)
        printf("store size: %.1f MB, %.0f bytes per entry (entry, subtree nodes, audit entry, indexes)\n",
               (double)sb.st_size / 1e6, (double)sb.st_size / (double)h.tree_size);
    if (keep) {
        printf("store kept: %s\n", path);
        return bad;
    }
    char p2[600];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p2, sizeof p2, "%s%s", path, suffix[i]);
        unlink(p2);
    }
    return bad;
}

int main(int argc, char **argv)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    uint64_t n_mem = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t n_store = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    int rc = 0;
    if (n_mem) rc |= memory_part(n_mem);
    bool keep = argc > 4 && strcmp(argv[4], "keep") == 0;
    if (n_store) rc |= store_part(n_store, dir, keep);
    return rc;
}
