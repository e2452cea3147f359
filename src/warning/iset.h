/*
 * iset.h — the compiled indicator set: an immutable in-memory index of every
 * active, non-revoked indicator's observables (IPv4/IPv6 addresses and CIDR
 * ranges, domains exact and "any subdomain of", normalised URLs, MD5/SHA-1/
 * SHA-256/SHA-512 hashes, e-mail addresses), built from the intel store or
 * loaded from a compiled file, and matched against single events.
 *
 * One set serves the server (POST /api/v1/events) and the member-side
 * `cyberpact match`. A set is immutable once built, so any number of threads
 * match against it without locks; the server holds the current one behind
 * cp_iset_acquire()/cp_iset_release() and swaps in a rebuilt one atomically.
 *
 * An indicator's pattern may combine comparisons with AND/OR inside one
 * observation; a hit is reported only when the event's values satisfy the
 * whole observation expression. Patterns that need more than one event
 * (FOLLOWEDBY, WITHIN, REPEATS, START/STOP qualifiers) are not compiled and
 * are counted in cp_iset_stats.skipped_multi_event.
 */
#ifndef CP_WARNING_ISET_H
#define CP_WARNING_ISET_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef struct cp_iset cp_iset;

/* The kinds of value an event (or a log line) offers to the matcher. */
typedef enum {
    CP_VAL_IPV4,
    CP_VAL_IPV6,
    CP_VAL_DOMAIN,
    CP_VAL_URL,
    CP_VAL_MD5,
    CP_VAL_SHA1,
    CP_VAL_SHA256,
    CP_VAL_SHA512,
    CP_VAL_EMAIL,
    CP_VAL__COUNT
} cp_val_kind;

/* One observed value of an event; text as seen (the matcher normalises). */
typedef struct {
    cp_val_kind kind;
    const char *text;
    size_t len;
} cp_val;

/* One hit: the indicator (an index into the set), and which of the event's values made
 * the hit (the first one that satisfied a comparison of the indicator). */
typedef struct {
    uint32_t indicator;
    uint32_t value;
} cp_iset_hit;

typedef struct {
    uint64_t indicators;          /* indicators compiled */
    uint64_t skipped_multi_event; /* FOLLOWEDBY/WITHIN/REPEATS/qualifiers: not matchable on one event */
    uint64_t skipped_other;       /* observables the matcher does not index (e.g. process:name) */
    uint64_t expired;             /* valid_until in the past, or valid_from in the future */
    uint64_t warninglisted;       /* values dropped because a warninglist holds them */
    uint64_t bytes;               /* memory held by the set */
} cp_iset_stats;

/* Matches one event (its values) against the set; writes at most max hits and returns how
 * many there were in all. Thread-safe. */
size_t cp_iset_match(const cp_iset *s, const cp_val *vals, size_t nvals, cp_iset_hit *hits, size_t max);

/* What an indicator is: its STIX id, the strictest TLP of it (cp_tlp, intel/tlp.h), and the
 * collection number it came from. */
const char *cp_iset_indicator_id(const cp_iset *s, uint32_t indicator);
int cp_iset_indicator_tlp(const cp_iset *s, uint32_t indicator);
int64_t cp_iset_indicator_collection(const cp_iset *s, uint32_t indicator);
void cp_iset_stats_get(const cp_iset *s, cp_iset_stats *out);

/* Reference counting: the server's current set. acquire never returns NULL once the server
 * has built its first set (an empty set before any indicator exists). */
cp_iset *cp_iset_acquire(void);
void cp_iset_release(cp_iset *s);

#endif
