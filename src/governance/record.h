/*
 * record.h — the governance record: an append-only Merkle log in the manner
 * of Certificate Transparency (RFC 6962 / RFC 9162, SHA-256):
 *   leaf hash  = SHA-256(0x00 || entry bytes)
 *   node hash  = SHA-256(0x01 || left || right)
 * with tree heads signed by the server's Ed25519 key (created at init, public
 * key published). The tree arithmetic and proofs live in audit/merkle.h.
 *
 * Entries
 *   Each entry is one canonical JSON object (keys sorted, compact, UTF-8: the
 *   bytes hashed are exactly the bytes stored and served) with at least
 *     "type"  what happened, one of:
 *             "proposal.opened"   the proposal as opened (rule, body, times, text digest)
 *             "ballot"            a ballot cast or changed (member, choice, seq, signature if any)
 *             "proxy.given", "proxy.revoked"
 *             "eligibility"       a snapshot: who may vote, why not, source name
 *             "result"            the tally's output at closing
 *     "at"    RFC 3339 UTC with milliseconds
 *     "proposal"  the proposal id, where there is one
 *   and whatever else the type needs. Indexes start at 0.
 *
 * Appending happens inside the caller's write transaction, so an entry exists
 * if and only if the change it records committed; concurrent servers on one
 * PostgreSQL append one at a time (the head row is locked first).
 * Lock order (PostgreSQL): the audit head row, then the record head row; an
 * append takes both in that order whether or not the caller audited before.
 */
#ifndef CP_GOVERNANCE_RECORD_H
#define CP_GOVERNANCE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

typedef struct {
    int64_t index;          /* the entry's leaf index (0-based) */
    char leaf_hash[65];     /* lower-case hex of the leaf hash */
} cp_record_receipt;

/* Appends entry (must be an object holding "type"; it is encoded canonically by this
 * function) inside the write transaction open on c. out may be NULL. The entry is
 * readable at once by everyone entitled to read the record. */
cp_status cp_record_append(cp_conn *c, const json_t *entry, cp_record_receipt *out, cp_err *err);

/* The same for an entry that must stay sealed until sealed_until_ms (ms since the epoch):
 * a ballot of an open proposal whose ballots are secret until closing. Until then the
 * record serves only its leaf hash (the tree stays verifiable) except to the member
 * visible_to_member (may be NULL) and to auditors; afterwards the entry is served to all. */
cp_status cp_record_append_sealed(cp_conn *c, const json_t *entry, const char *visible_to_member,
                                  int64_t sealed_until_ms, cp_record_receipt *out, cp_err *err);

/* --- reading, proofs and the signed tree head (added with the implementation) ---
 *
 * Canonical form: json_dumps(entry, JSON_SORT_KEYS | JSON_COMPACT): keys sorted
 * by byte value, no whitespace, UTF-8 unescaped, Jansson's number format. When
 * the caller gave no "at", the append adds one (now, RFC 3339 UTC, ms).
 *
 * Tree head: {tree_size, root_hash (hex), timestamp (ms since the epoch), time
 * (the same as RFC 3339), signature (hex Ed25519)}. The signed bytes are the
 * ASCII text
 *     "cyberpact-record-tree-head-v1\n" <tree_size> "\n" <timestamp> "\n" <root_hash hex, lower case> "\n"
 * with decimal numbers. Each append re-signs the head (timestamp = the append's
 * time, never earlier than the previous head's), so every server on one store
 * serves the same head. The key pair lives in the store's meta table
 * (record_signing_key, record_public_key: hex): docs/decisions.md. */

#define CP_RECORD_HEX 65           /* 64 hex digits + NUL */
#define CP_RECORD_SIG_HEX 129      /* 128 hex digits + NUL */
#define CP_RECORD_PAGE_MAX 1000    /* entries per cp_record_entries call */

typedef struct {
    int64_t tree_size;
    char root_hash[CP_RECORD_HEX];
    int64_t timestamp;             /* ms since the epoch */
    char signature[CP_RECORD_SIG_HEX];
} cp_record_head;

/* Creates the signing key pair if the store has none (audited) and signs the
 * empty head; idempotent. Runs in the caller's write transaction, or opens its
 * own. pub_hex (may be NULL) receives the public key. init, demo and serve call it. */
cp_status cp_record_setup(cp_conn *c, char pub_hex[CP_RECORD_HEX], cp_err *err);
/* The public key (hex); CP_E_UNAVAILABLE before cp_record_setup. */
cp_status cp_record_public_key(cp_conn *c, char pub_hex[CP_RECORD_HEX], cp_err *err);
/* The current signed head; CP_E_UNAVAILABLE when it is not signed yet. */
cp_status cp_record_head_get(cp_conn *c, cp_record_head *out, cp_err *err);
/* The bytes a head's signature covers (see above) into buf; returns their length. */
size_t cp_record_head_message(int64_t tree_size, int64_t timestamp, const char *root_hex, char *buf, size_t cap);
/* True when h's signature is valid under the public key pub_hex. */
bool cp_record_head_verify(const cp_record_head *h, const char *pub_hex);
json_t *cp_record_head_json(const cp_record_head *h);
/* Reads a head from its JSON form; false (and why) when a field is missing or malformed. */
bool cp_record_head_parse(const json_t *j, cp_record_head *out, char *why, size_t cap);

/* Who is reading: sealed entries are withheld unless the reader is an auditor
 * or acts for the entry's visible_to_member, until sealed_until. */
typedef struct {
    const char *member_id;         /* NULL or "" for none */
    bool auditor;
} cp_record_reader;

/* Entries start..end (inclusive; end is clipped to the head's size - 1 and to
 * CP_RECORD_PAGE_MAX entries) as a JSON array of {index, leaf_hash, entry} where
 * entry is the canonical text (a string: the exact bytes hashed), or null with
 * "sealed_until" (RFC 3339) when withheld from this reader. CP_E_BAD_REQUEST
 * when start > end or start is not below the tree size. */
cp_status cp_record_entries(cp_conn *c, const cp_record_reader *rd, int64_t start, int64_t end, json_t **items,
                            cp_err *err);
/* The same page as the HTTP document {"entries": [...]} written directly (no Jansson
 * tree): *text is owned by the caller (malloc), *len its length. */
cp_status cp_record_entries_page(cp_conn *c, const cp_record_reader *rd, int64_t start, int64_t end, char **text,
                                 size_t *len, cp_err *err);
/* The lowest index whose leaf hash is leaf_hex; CP_E_NOT_FOUND when none. */
cp_status cp_record_find_leaf(cp_conn *c, const char *leaf_hex, int64_t *index, cp_err *err);
/* Inclusion proof of leaf index in the tree of size tree_size (<= the current
 * size): *proof is a JSON array of hex hashes, leaf side first; leaf_hex gets
 * the leaf's hash. CP_E_BAD_REQUEST names what is out of range. */
cp_status cp_record_inclusion(cp_conn *c, int64_t index, int64_t tree_size, char leaf_hex[CP_RECORD_HEX],
                              json_t **proof, cp_err *err);
/* Consistency proof between the trees of sizes first and second
 * (0 < first <= second <= current size). */
cp_status cp_record_consistency(cp_conn *c, int64_t first, int64_t second, json_t **proof, cp_err *err);
/* Every entry start..end (inclusive, clipped to the current size) in index order,
 * with its stored bytes whether sealed or not: for tools on the machine (record
 * verify on the store, export --all, the benchmark), never for HTTP readers. fn
 * returns non-zero to stop (cp_record_scan then returns CP_OK). Borrowed strings. */
typedef int (*cp_record_scan_fn)(void *ctx, int64_t index, const char *leaf_hash, const char *entry, size_t len);
cp_status cp_record_scan(cp_conn *c, int64_t start, int64_t end, cp_record_scan_fn fn, void *ctx, cp_err *err);
/* Recomputes every stored subtree hash (record_nodes) and the head's frontier from
 * the stored leaf hashes of the first `size` entries, and compares: a damaged node
 * would make the server hand out proofs that fail. *checked counts the nodes
 * compared; problem receives the first difference ("" when none). Needs 33 bytes
 * of memory per node (~64 MB per million entries); refuses (CP_E_TOO_LARGE)
 * beyond CP_RECORD_NODES_CHECK_MAX entries. For tools on the machine. */
#define CP_RECORD_NODES_CHECK_MAX 16000000
cp_status cp_record_check_nodes(cp_conn *c, int64_t size, int64_t *checked, char *problem, size_t cap, cp_err *err);
/* Root hash (hex) of the tree of size tree_size (<= the current size). */
cp_status cp_record_root_at(cp_conn *c, int64_t tree_size, char root_hex[CP_RECORD_HEX], cp_err *err);

#endif
