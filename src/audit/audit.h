/*
 * audit.h — the hash-chained audit log.
 *
 * Every change to the store appends one entry in the same transaction as the
 * change itself, so an entry exists if and only if its change committed.
 *
 * Entry (table audit_log):
 *   seq        1, 2, 3 ... without gaps
 *   at         ms since the epoch, UTC
 *   actor      who: "user:<uuid>", "key:<uuid>", "cli:<os user>", "system"
 *   action     what: "member.create", "key.revoke", ...
 *   target     which resource: "member:<uuid>", ...
 *   detail     the change as canonical JSON (keys sorted, compact); secrets
 *              never appear in it
 *   digest     SHA-256 hex of detail
 *   prev_hash  the previous entry's hash (64 zeros before the first)
 *   hash       SHA-256 hex of the canonical encoding below
 *
 * Canonical encoding: the ASCII string "cyberpact-audit-v1", then for each of
 * seq (decimal), at (decimal), actor, action, target, digest, prev_hash: a
 * newline, the field's byte length in decimal, a colon, the field's bytes.
 * Length prefixes make the encoding unambiguous whatever the fields contain.
 *
 * The head (table audit_head, one row) holds the last seq and hash. Appending
 * updates the head first (UPDATE ... RETURNING), which takes the row lock on
 * PostgreSQL, so concurrent servers append one at a time and never fork the
 * chain.
 *
 * cp_audit_verify() recomputes every digest and hash, checks sequence and
 * links, and that the head matches the last entry: an edited, deleted,
 * inserted or reordered entry is found and the first one named.
 */
#ifndef CP_AUDIT_AUDIT_H
#define CP_AUDIT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"

#define CP_AUDIT_HASH_HEX 64

/* Appends an entry. Must run inside a write transaction on c. detail is
 * borrowed (may be NULL for {}). */
cp_status cp_audit_append(cp_conn *c, const char *actor, const char *action, const char *target,
                          const json_t *detail, cp_err *err);

typedef struct {
    int64_t entries;           /* entries checked */
    int64_t head_seq;
    char head_hash[CP_AUDIT_HASH_HEX + 1];
    int64_t first_bad_seq;     /* 0 when intact */
    char problem[256];         /* what is wrong with first_bad_seq */
} cp_audit_report;

/* Walks the whole chain. Returns CP_OK when it could be read (intact or not:
 * see report->first_bad_seq), a store error otherwise. */
cp_status cp_audit_verify(cp_conn *c, cp_audit_report *report, cp_err *err);

/* Entries with seq > after, oldest first, at most limit. *items (owned) is a
 * JSON array of objects; *more is set when further entries exist. */
cp_status cp_audit_list(cp_conn *c, int64_t after, int limit, json_t **items, int *more, cp_err *err);

/* The hash of one entry (exposed for tests). */
void cp_audit_entry_hash(int64_t seq, int64_t at, const char *actor, const char *action, const char *target,
                         const char *digest, const char *prev_hash, char out[CP_AUDIT_HASH_HEX + 1]);

#endif
