/*
 * schema_record.h — migration 3: the governance record (governance/record.h),
 * an append-only Merkle log in the manner of RFC 9162.
 *
 *   record_entries  one row per leaf: idx (0-based leaf index), at (ms), the
 *                   entry's type and proposal (for lookups), leaf_hash (hex of
 *                   SHA-256(0x00 || entry)), entry (the canonical JSON bytes that
 *                   were hashed), sealed_until (ms; NULL when never sealed) and
 *                   visible_to_member (who may read it while sealed).
 *   record_nodes    the hash of every perfect subtree, keyed by its in-order
 *                   position (audit/merkle.h cp_merkle_node_key), written as
 *                   leaves are appended: proofs read ~2 log2(n) rows, never
 *                   rehash the log.
 *   record_head     one row: size, root (hex), frontier (the hex hashes of the
 *                   perfect subtrees making up the tree, highest first), the
 *                   time and Ed25519 signature of the tree head. Appending
 *                   updates it first, which serialises appenders.
 * In SQLite the integer keys are INTEGER PRIMARY KEY (the rowid).
 */
#ifndef CP_STORE_SCHEMA_RECORD_H
#define CP_STORE_SCHEMA_RECORD_H

#define M3_RECORD_COLUMNS \
    "  at BIGINT NOT NULL," \
    "  type TEXT NOT NULL," \
    "  proposal TEXT," \
    "  leaf_hash TEXT NOT NULL," \
    "  entry TEXT NOT NULL," \
    "  sealed_until BIGINT," \
    "  visible_to_member TEXT);"
#define M3_RECORD_SQLITE \
    "CREATE TABLE record_entries (idx INTEGER PRIMARY KEY," M3_RECORD_COLUMNS \
    "CREATE TABLE record_nodes (k INTEGER PRIMARY KEY, hash TEXT NOT NULL);"
#define M3_RECORD_PG \
    "CREATE TABLE record_entries (idx BIGINT PRIMARY KEY," M3_RECORD_COLUMNS \
    "CREATE TABLE record_nodes (k BIGINT PRIMARY KEY, hash TEXT NOT NULL);"
#define M3_RECORD \
    "CREATE INDEX record_entries_leaf ON record_entries (leaf_hash);" \
    "CREATE INDEX record_entries_proposal ON record_entries (proposal, idx) WHERE proposal IS NOT NULL;" \
    "CREATE TABLE record_head (" \
    "  id INTEGER PRIMARY KEY," \
    "  size BIGINT NOT NULL," \
    "  root TEXT NOT NULL," \
    "  frontier TEXT NOT NULL," \
    "  at BIGINT NOT NULL,"           /* the tree head's timestamp, ms */ \
    "  signature TEXT NOT NULL);"     /* hex; '' until the signing key exists */ \
    "INSERT INTO record_head (id, size, root, frontier, at, signature) VALUES (1, 0," \
    " 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '', 0, '');"

#endif
