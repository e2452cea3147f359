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

/* ---- building (iset_build.c) ----
 * A builder collects indicators, then finish() compiles them into a set. Each
 * indicator's pattern is compiled by the rules of docs/early-warning.md:
 * comparisons whose observables intel/observables.h recognises become keys;
 * any other comparison (another property, a negation, a wildcard LIKE) can
 * never be satisfied by the matcher, so an AND that needs it never matches
 * and an OR goes on without it; an indicator left with nothing that can
 * match is counted in skipped_other, one needing several events in
 * skipped_multi_event. */
#include <jansson.h>
#include <stdbool.h>

#include "intel/warninglist.h"
#include "store/db.h"

typedef struct cp_iset_builder cp_iset_builder;

cp_iset_builder *cp_iset_builder_new(void); /* NULL when out of memory */
void cp_iset_builder_free(cp_iset_builder *b); /* NULL is fine */
/* Values a warninglist holds are left out (and counted); NULL: none. The
 * lists must outlive the builder. */
void cp_iset_builder_set_warninglists(cp_iset_builder *b, const cp_warninglists *w);
/* Adds an indicator from its STIX pattern text. *compiled (may be NULL) says
 * whether it went into the set; a pattern that does not parse, or compiles to
 * nothing, is counted and skipped, not an error. Errors: CP_E_NOMEM,
 * CP_E_TOO_LARGE (more than 2^28 indicators). tlp is a cp_tlp. */
cp_status cp_iset_builder_add_pattern(cp_iset_builder *b, const char *stix_id, const char *pattern, size_t len,
                                      int tlp, int64_t collection, bool *compiled, cp_err *err);
/* Adds a STIX indicator object: skipped (and counted) when revoked, when its
 * pattern_type is not "stix", or when now_ms is outside [valid_from,
 * valid_until). */
cp_status cp_iset_builder_add_object(cp_iset_builder *b, const json_t *indicator, int tlp, int64_t collection,
                                     int64_t now_ms, bool *compiled, cp_err *err);
/* Compiles the set (refcount 1, owned by the caller: cp_iset_release) and
 * frees the builder in every case. NULL with CP_E_NOMEM in err. */
cp_iset *cp_iset_builder_finish(cp_iset_builder *b, cp_err *err);

/* A set without indicators (refcount 1). NULL when out of memory. */
cp_iset *cp_iset_empty(void);

/* Every active indicator of the store, in every collection but the alerts
 * collections (CP_ISET_SOURCE_WHERE; the last version
 * of each object that is not revoked, valid at now_ms), warninglisted values
 * left out per the process-wide lists (intel/warninglist.h). */
cp_status cp_iset_build_from_store(cp_conn *c, int64_t now_ms, cp_iset **out, cp_err *err);

/* The indicators the store's set is built from (an SQL condition on
 * intel_objects): indicators of every collection except the members' alerts
 * collections, which hold the system's own output (an alert's STIX indicator
 * naming the address it saw), not intelligence: matching them would turn every
 * alert into an indicator of itself, and each new alert would rebuild the set. */
#define CP_ISET_SOURCE_WHERE \
    "type = 'indicator' AND cnum NOT IN (SELECT num FROM intel_collections WHERE kind = 'alerts')"

/* When the set was built (ms) and the first instant after that at which an
 * indicator's validity starts or ends (0: none): the set is stale then. */
int64_t cp_iset_built_at(const cp_iset *s);
int64_t cp_iset_next_change(const cp_iset *s);
/* Another reference to s (released with cp_iset_release). */
cp_iset *cp_iset_ref(cp_iset *s);

/* ---- the compiled file (iset_file.c; format in docs/early-warning.md) ---- */
#define CP_ISET_FILE_MAX ((size_t)4 << 30) /* bytes of a compiled file */
/* Writes s to path atomically (path.partial, then renamed). CP_E_IO. */
cp_status cp_iset_save(const cp_iset *s, const char *path, cp_err *err);
/* Loads a compiled file: every size, offset and value checked, so a damaged
 * or hostile file is CP_E_UNPROCESSABLE "compiled indicators: <what is
 * wrong> at byte N", never a crash. CP_E_IO when it cannot be read. */
cp_status cp_iset_load(const char *path, cp_iset **out, cp_err *err);
cp_status cp_iset_load_mem(const void *data, size_t len, cp_iset **out, cp_err *err);

/* ---- the server's current set (iset_service.c) ----
 * cp_iset_install makes s the current set (taking over the caller's
 * reference) and releases the previous one; readers holding it keep it until
 * they release it. Before anything is installed, cp_iset_acquire returns an
 * empty set. cp_iset_service_start builds the set from the store once
 * (synchronously, so the server never matches against a half-known state),
 * installs it, and starts a thread that rebuilds and swaps it when
 * indicators change (polled every second: the audit head, then the
 * indicators' count and latest seq) or when a validity boundary passes.
 * cp_iset_service_stop joins the thread (the current set stays until exit). */
void cp_iset_install(cp_iset *s);
cp_status cp_iset_service_start(cp_db *db, cp_err *err);
void cp_iset_service_stop(void);
/* Asks the service thread to rebuild now (e.g. from an ingest hook). */
void cp_iset_service_poke(void);

#endif
