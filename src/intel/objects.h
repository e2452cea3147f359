/*
 * objects.h — the STIX 2.1 object store: ingest (validation, versions, TLP
 * recorded) and queries (TAXII objects, manifest, versions).
 *
 * Storage: one row per object version (intel_objects, migration 2) holding
 * the object's JSON text exactly as it arrived (byte for byte: no number
 * reformatting, no property reordering), its id, type, version (modified,
 * else created, else none), effective TLP, whether it is the first/last
 * version, and seq: the date the version was added, in microseconds since
 * the epoch, strictly increasing over the whole store. seq is the TAXII
 * date_added and the paging key, so `next` is stable under concurrent
 * inserts and `added_after` never skips a row.
 *
 * Versions (STIX 2.1 §3.6, TAXII 2.1 §3.4): an object version is (id,
 * version). Re-posting an identical version succeeds and stores nothing
 * (idempotent); a different object under an existing (id, version) fails;
 * an SCO has one version (it is immutable); after a revoked version no later
 * version is accepted (revoked is final).
 */
#ifndef CP_INTEL_OBJECTS_H
#define CP_INTEL_OBJECTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "intel/collections.h"
#include "members/actor.h"
#include "store/db.h"

/* Largest envelope (objects) one ingest call takes. */
#define CP_INGEST_MAX_OBJECTS 100000

/* One object to ingest: the parsed value (borrowed) and, when known, its
 * exact JSON text (raw, raw_len; borrowed). raw NULL: the text is
 * json_dumps(obj, JSON_COMPACT) (insertion order kept). */
typedef struct {
    const json_t *obj;
    const char *raw;
    size_t raw_len;
} cp_intel_item;

/* The per-object outcome, TAXII status style. successes and failures are
 * JSON arrays of {"id", "version"?, "message"?}; a failure's message says
 * what was wrong with that object. total = success + failure (pending is
 * always 0: ingest is synchronous). */
typedef struct {
    int64_t total, success, failure;
    json_t *successes;
    json_t *failures;
    int64_t stored;       /* versions actually added (idempotent repeats excluded) */
    int64_t request_ms;   /* when the last ingest call was made: the status resource's request_timestamp */
} cp_ingest_result;

void cp_ingest_result_init(cp_ingest_result *r);
void cp_ingest_result_free(cp_ingest_result *r);

/* Ingests items into col (already resolved for writer). The collection-level
 * check (cp_intel_may_write for the writer, 401/403/404) is the caller's;
 * here each object is validated (stix.h), its TLP checked against the
 * collection (cp_tlp_accept: 422 per object), versioned, and stored with
 * its observables (warninglist hits flagged) and sighting counts, all in ONE
 * write transaction with one audit entry. An object that fails, fails alone.
 * Store errors roll the whole call back (nothing stored, status returned).
 * The status resource is written too when status_id is non-NULL
 * (TAXII POST; a fresh UUID filled in by the caller). */
cp_status cp_intel_ingest(cp_conn *c, const cp_actor *writer, const cp_collection *col, const cp_intel_item *items,
                          size_t n, const char *status_id, cp_ingest_result *res, cp_err *err);

/* ---- queries ---- */

#define CP_FILTER_LIST_MAX 100   /* values of one match[] filter */

typedef struct {
    int64_t added_after;         /* seq (µs); 0 = none */
    int64_t after_seq;           /* from the `next` token; 0 = none */
    const char *ids[CP_FILTER_LIST_MAX];
    int n_ids;
    const char *types[CP_FILTER_LIST_MAX];
    int n_types;
    /* match[version]: default (nothing set) is last */
    bool v_last, v_first, v_all;
    int64_t v_at[CP_FILTER_LIST_MAX]; /* exact versions, µs */
    int n_v_at;
    bool spec_none;              /* match[spec_version] names no version we hold (2.1) */
    int limit;                   /* rows wanted; the query fetches limit+1 for `more` */
} cp_intel_filter;

/* One row as a query hands it out (borrowed until the callback returns). */
typedef struct {
    int64_t seq;                 /* date added, µs */
    const char *stix_id;
    const char *type;
    const char *version;         /* as sent; "" when none */
    int64_t version_us;
    const char *body;            /* the object's JSON text */
    int tlp;                     /* effective cp_tlp */
    const char *warninglist;     /* NULL when none */
} cp_intel_row;

typedef int (*cp_intel_row_fn)(const cp_intel_row *row, void *ctx);

/* Rows of col that reader may read (cp_intel_may_read applied in the query
 * by effective TLP), in seq order, matching f; at most f->limit rows go to
 * fn; *more says whether another exists. The collection-level check is the
 * caller's. */
cp_status cp_intel_query(cp_conn *c, const cp_collection *col, const cp_actor *reader, const cp_intel_filter *f,
                         cp_intel_row_fn fn, void *ctx, bool *more, cp_err *err);

/* The TLP levels reader may read in col, as a bitmask (1 << cp_tlp);
 * derived from cp_intel_may_read, level by level. */
unsigned cp_intel_readable_tlps(const cp_actor *reader, const cp_collection *col);

/* Deletes every version of stix_id in col matching f's version filter
 * (TAXII DELETE); audit entry in the same transaction. CP_E_NOT_FOUND when
 * nothing visible to the writer matched. */
cp_status cp_intel_delete(cp_conn *c, const cp_actor *writer, const cp_collection *col, const char *stix_id,
                          const cp_intel_filter *f, int64_t *deleted, cp_err *err);

/* The 64-bit hash versions are looked up by (intel_objects.id_hash): FNV-1a
 * of the id text, shifted to a non-negative BIGINT. */
int64_t cp_intel_id_hash(const char *stix_id);

/* Formats a seq as a TAXII timestamp ("2026-11-28T15:30:00.123456Z"). */
#define CP_TAXII_TS_MAX 64
void cp_taxii_ts_format(int64_t us, char buf[CP_TAXII_TS_MAX]);
/* Parses an RFC 3339 timestamp (UTC, 'Z', up to 9 fraction digits, kept to
 * the microsecond). CP_E_BAD_REQUEST with the reason. */
cp_status cp_taxii_ts_parse(const char *s, int64_t *us, cp_err *err);

#endif
