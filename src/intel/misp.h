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
 *   indicator  one per attribute with to_ids true whose type has a pattern:
 *              ip-src/ip-dst, ip-src|port/ip-dst|port (network-traffic with
 *              the port), domain, hostname, hostname|port, domain|ip (with
 *              resolves_to_refs), url, uri, md5, sha1, sha224, sha256,
 *              sha384, sha512, sha3-256, sha3-512, ssdeep, tlsh,
 *              filename, filename|<hash>, email, email-src, email-dst,
 *              email-reply-to, email-subject, mac-address, AS, mutex,
 *              regkey, regkey|value, port, user-agent,
 *              x509-fingerprint-md5/sha1/sha256 (pattern_type stix), and
 *              yara, snort, sigma (their own pattern_type); valid_from = the
 *              attribute's time
 *   SCO        for an attribute with to_ids false whose type has an
 *              observable form (an observation, not a detection rule):
 *              addresses, domains, URLs, files and hashes, e-mail addresses
 *              and subjects, MAC addresses, AS, mutexes, registry keys,
 *              certificates; X|port adds a network-traffic object and
 *              domain|ip a resolves-to relationship. SCO ids are the STIX
 *              2.1 deterministic ones (UUIDv5 of the id contributing
 *              properties), so the same value is the same object in every
 *              event and feed, and SCOs stay immutable.
 *   vulnerability  one per "vulnerability" attribute (its CVE id)
 *   x-misp-attribute  every other attribute (text, comment, other, a value
 *              that is not valid for its STIX form, ...): a custom object
 *              with x_misp_type, x_misp_category, x_misp_value,
 *              x_misp_comment, x_misp_to_ids (and x_cyberpact_reason when a
 *              STIX form was refused), so nothing of the event is lost
 *   report     the event (several when it has more than CP_MISP_REFS_MAX
 *              objects, "part k of n"): name = info, published, object_refs
 *              = all of the above, labels = the event's non-TLP tags, link
 *              attributes as external references
 * Attributes inside MISP objects ("Object": [{"Attribute": [...]}]) count
 * like the event's own. Attributes marked deleted are left out (counted).
 * Every object made passes cp_stix_validate(); an attribute whose STIX form
 * would not becomes an x-misp-attribute instead.
 *
 * Ids of SDOs are derived, not random: the SHA-256 of "cyberpact:misp:<kind>:
 * <MISP uuid>" shaped as a version-4 UUID, so importing a feed again is a
 * no-op (identical versions) and a changed attribute is a new version (its
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
#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

#define CP_MISP_ATTRIBUTES_MAX 100000 /* attributes of one event */
#define CP_MISP_REFS_MAX 10000        /* object_refs of one report (the validator's list bound) */
#define CP_MISP_LINKS_MAX 1000        /* link attributes kept as external references */
#define CP_MISP_PATTERN_VALUE_MAX 4096 /* bytes of a value put in a STIX pattern */

typedef struct {
    int attributes;   /* attributes seen (MISP objects' included) */
    int indicators;   /* indicators made (to_ids) */
    int observables;  /* attributes made into SCOs */
    int other;        /* attributes made into other SDOs (vulnerability) */
    int references;   /* link attributes: external references of the report */
    int deleted;      /* attributes marked deleted, left out */
    int skipped;      /* attributes without a STIX form: kept as x-misp-attribute */
    json_t *skipped_types; /* {"text": 3, ...}, owned by the caller after the call (json_decref) */
} cp_misp_stats;

/* Appends the STIX objects of the MISP event doc to out (a JSON array).
 * stats may be NULL. CP_E_UNPROCESSABLE when doc is not a MISP event (no
 * "Event" object, no uuid, an attribute that is not an object, too many
 * attributes), with the reason; nothing is appended then. */
cp_status cp_misp_event_to_stix(const json_t *doc, json_t *out, cp_misp_stats *stats, cp_err *err);

/* The STIX 2.1 deterministic id of an SCO ("<type>--<UUIDv5>"): the
 * namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 and the canonical JSON
 * (RFC 8785) of the type's id contributing properties present in sco.
 * False when sco has no type or none of them. out: CP_STIX_ID_MAX + 1. */
bool cp_stix_sco_id(const json_t *sco, char *out, size_t cap);

#endif
