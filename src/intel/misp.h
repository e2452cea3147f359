/*
 * misp.h — MISP events as STIX 2.1 objects (pure: no store, no HTTP).
 *
 * Input: one MISP event document, {"Event": {...}} (a MISP feed's
 * <uuid>.json or an event exported from MISP), or the event object itself
 * (with its "Attribute" list, as MISP's REST API answers). Output, appended
 * to an array:
 *
 *   identity   the event's creator (Orgc): identity_class organization,
 *              marked TLP:CLEAR (an organisation's name is not secret, and
 *              the same identity recurs in every event of the feed)
 *   indicator  one per attribute with to_ids true whose type has a pattern
 *              (table in misp.c: ip-src/ip-dst (|port), domain, hostname,
 *              domain|ip, url, uri, md5, sha1, sha256, sha512,
 *              filename(|md5|sha1|sha256), email(-src|-dst|-reply-to),
 *              mutex, regkey(|value), AS), valid_from = the attribute's time
 *   SCO        one per attribute with to_ids false of those types (an
 *              observation, not a detection rule)
 *   report     the event: name = info, published, object_refs = all of the
 *              above, labels = the event's non-TLP tags, link attributes as
 *              external references
 * Attributes inside MISP objects ("Object": [{"Attribute": [...]}]) count
 * like the event's own. Attribute types without a STIX form (text, comment,
 * other, ...) are counted in stats, by type, not converted.
 *
 * Ids are derived, not random: the SHA-256 of "cyberpact:misp:<kind>:<MISP
 * uuid>" shaped as a version-4 UUID, so importing a feed again is a no-op
 * (identical versions) and a changed attribute is a new version (its
 * timestamp is modified). Timestamps are the MISP epoch seconds as RFC 3339
 * with milliseconds.
 *
 * TLP: the event's tlp:* tag (white/clear, green, amber, amber+strict, red)
 * marks every object except the identity; an attribute's own tlp:* tag
 * applies when it is stricter. Without any, objects are unmarked and take the
 * collection's default TLP on ingest.
 */
#ifndef CP_INTEL_MISP_H
#define CP_INTEL_MISP_H

#include <jansson.h>

#include "base/status.h"

#define CP_MISP_ATTRIBUTES_MAX 100000 /* attributes of one event */

typedef struct {
    int attributes;  /* attributes seen (MISP objects' included) */
    int indicators;  /* indicators made (to_ids) */
    int observables; /* SCOs made */
    int skipped;     /* attributes with no STIX form */
    json_t *skipped_types; /* {"text": 3, ...}, owned by the caller after the call (json_decref) */
} cp_misp_stats;

/* Appends the STIX objects of the MISP event doc to out (a JSON array).
 * stats may be NULL. CP_E_UNPROCESSABLE when doc is not a MISP event (no
 * "Event" object, no uuid, an attribute that is not an object, too many
 * attributes), with the reason; nothing is appended then. */
cp_status cp_misp_event_to_stix(const json_t *doc, json_t *out, cp_misp_stats *stats, cp_err *err);

#endif
