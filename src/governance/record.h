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
 */
#ifndef CP_GOVERNANCE_RECORD_H
#define CP_GOVERNANCE_RECORD_H

#include <jansson.h>
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

#endif
