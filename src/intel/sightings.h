/*
 * sightings.h — "we saw this" and "this is a false positive", reported by a
 * member against an indicator in one call, and the counts per indicator.
 *
 * A report becomes a STIX 2.1 `sighting` (sighting_of_ref = the indicator,
 * created_by_ref and where_sighted_refs = "identity--<member uuid>", count,
 * first_seen/last_seen, description = the note, and the custom property
 * x_cyberpact_false_positive: true for a false positive), marked with the
 * indicator's effective TLP, ingested into the indicator's collection. The
 * ingest adds it to the per-indicator counts (intel_sightings), as it does
 * for sightings that arrive by TAXII.
 *
 * Who: an analyst (or the secretariat) whose organisation may READ the
 * indicator (the gate, with the indicator's TLP). Reporting what one saw is
 * not publishing new intelligence, so the collection's write right is not
 * needed; the sighting is visible to exactly the indicator's readers.
 */
#ifndef CP_INTEL_SIGHTINGS_H
#define CP_INTEL_SIGHTINGS_H

#include <jansson.h>

#include "base/status.h"
#include "intel/collections.h"
#include "members/actor.h"
#include "store/db.h"

/* in: {"indicator_id", "count"? (1..1000000, default 1), "false_positive"?
 * (false), "first_seen"?, "last_seen"? (RFC 3339), "note"? (<= 4096 bytes)}.
 * 404 when the indicator is not in col or the actor may not read it. *out:
 * {"sighting": the STIX object, "counts": as cp_intel_sighting_counts}. */
cp_status cp_intel_sighting_report(cp_conn *c, const cp_actor *a, const cp_collection *col, const json_t *in,
                                   json_t **out, cp_err *err);

/* {"indicator_id", "seen", "false_positive", "last_seen" (RFC 3339 or
 * null)}: zero counts when nothing was reported. 404 as above. */
cp_status cp_intel_sighting_counts(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *indicator_id,
                                   json_t **out, cp_err *err);

#endif
