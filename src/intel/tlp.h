/*
 * tlp.h — TLP markings and who may read or write threat intelligence.
 *
 * A pure policy module: no HTTP, no store. The store computes a
 * cp_collection_policy for (collection, reader's member) and every path that
 * hands out or takes in an object — TAXII objects, manifest, versions and
 * status, search, correlation, export, alerts, and anything later — asks
 * cp_intel_may_read() / cp_intel_may_write() and nothing else. The policy,
 * its matrix and the reasons are in docs/sharing.md; this file and tlp.c are
 * its only implementation.
 *
 * TLP 1.0 markings are read as their TLP 2.0 equivalents (WHITE = CLEAR,
 * AMBER 1.0 = AMBER).
 */
#ifndef CP_INTEL_TLP_H
#define CP_INTEL_TLP_H

#include <jansson.h>
#include <stdbool.h>

#include "base/status.h"
#include "members/actor.h"

/* Ordered by strictness: a larger value shares with fewer people. NONE means
 * "no TLP marking" (not a level; it is resolved to a collection's default). */
typedef enum {
    CP_TLP_NONE,
    CP_TLP_CLEAR,
    CP_TLP_GREEN,
    CP_TLP_AMBER,
    CP_TLP_AMBER_STRICT,
    CP_TLP_RED,
} cp_tlp;

#define CP_TLP_COUNT_ 6

/* The STIX id of the TLP 2.0 extension definition (OASIS). */
#define CP_TLP2_EXTENSION_ID "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED";
 * "none" for CP_TLP_NONE, "?" out of range. Static. */
const char *cp_tlp_name(cp_tlp t);

/* Parses a TLP level: case-insensitive, "TLP:" prefix optional, so
 * "TLP:AMBER+STRICT", "amber+strict" and MISP's "tlp:amber" all work;
 * TLP 1.0 "WHITE" is CLEAR. Anything else (including "none" and "") is
 * CP_E_UNPROCESSABLE and *out is left alone. */
cp_status cp_tlp_parse(const char *s, cp_tlp *out, cp_err *err);

/* The level a marking-definition id stands for: the four TLP 1.0 ids of STIX
 * 2.1 and the five TLP 2.0 extension ids (compared case-insensitively, so an
 * upper-case spelling of RED cannot pass for unmarked). NONE for anything
 * else, NULL included. */
cp_tlp cp_tlp_of_marking_id(const char *id);

/* The marking-definition id of a level (TLP 2.0 ids; NULL for NONE). */
const char *cp_tlp_marking_id(cp_tlp t);

/* The TLP of a STIX object as far as access is concerned: the strictest level
 * among the ids in object_marking_refs and in the marking_ref of every
 * granular marking (whatever its selectors: we serve whole objects, so a RED
 * property makes the whole object RED). Unknown marking ids, non-string
 * entries and a malformed object_marking_refs / granular_markings are ignored
 * (validation rejects those objects before they are stored; this is not a
 * validator). NONE when nothing known is found, NULL or non-object included.
 * A TLP marking-definition object itself (one of the nine ids) is CLEAR: the
 * definitions are public, and a bundle for a public collection carries them. */
cp_tlp cp_tlp_of_object(const json_t *stix_object);

/* Whether information at level t may be passed on by a member to its
 * constituents (clients): CLEAR, GREEN and AMBER yes; AMBER+STRICT (the
 * recipient organisation only), RED and NONE (unresolved) no. For later
 * features that forward outside the member organisation. */
bool cp_tlp_allows_constituents(cp_tlp t);

/* Collections. */
typedef enum {
    CP_AUD_PUBLIC,   /* anyone, even without a key */
    CP_AUD_ALLIANCE, /* every member */
    CP_AUD_GROUP,    /* named members */
} cp_audience;

const char *cp_audience_name(cp_audience a); /* "public", "alliance", "group" */
cp_status cp_audience_parse(const char *s, cp_audience *out, cp_err *err);

/* A collection as one reader sees it: the collection's facts plus the
 * reader's member's place in it. The store fills it in per request. */
typedef struct {
    cp_audience audience;
    cp_tlp default_tlp;    /* for unmarked objects; CP_TLP_NONE = AMBER */
    bool reader_in_group;  /* GROUP: the reader's member is one of the named members */
    bool reader_can_read;  /* the reader's member's read right on this collection */
    bool reader_can_write; /* the reader's member's write right on this collection */
} cp_collection_policy;

/* The collection's default TLP for unmarked objects (AMBER unless configured). */
cp_tlp cp_tlp_default(const cp_collection_policy *col);

/* May an object whose own TLP is object_tlp (NONE = unmarked) go into col?
 * On CP_OK, *effective (if non-NULL) is the TLP to record with the object:
 * its own, or the collection's default when unmarked (the object is not
 * changed). Rules: a public collection takes only TLP:CLEAR (an unmarked
 * object there is refused unless the collection's default was configured to
 * CLEAR); TLP:RED only in group collections. Refusal: CP_E_UNPROCESSABLE
 * with the reason. */
cp_status cp_tlp_accept(const cp_collection_policy *col, cp_tlp object_tlp, cp_tlp *effective, cp_err *err);

/* May reader see an object of collection col whose recorded TLP is effective
 * (NONE is resolved to the collection's default)? CP_OK;
 * CP_E_UNAUTHENTICATED (anonymous, anything but TLP:CLEAR in a public
 * collection); CP_E_NOT_FOUND (the reader may not know the collection — or,
 * for RED outside a group collection, the object — exists); CP_E_FORBIDDEN
 * (the reader may know the collection exists but may not read it).
 * Paths that list objects drop the ones that are not CP_OK, silently. */
cp_status cp_intel_may_read(const cp_actor *reader, const cp_collection_policy *col, cp_tlp effective, cp_err *err);

/* May writer add (or delete) an object whose own TLP is object_tlp (NONE =
 * unmarked) in col? The same 401/404/403 as reading for who the writer is,
 * the write right instead of the read right, then cp_tlp_accept()
 * (CP_E_UNPROCESSABLE). *effective as for cp_tlp_accept (may be NULL). */
cp_status cp_intel_may_write(const cp_actor *writer, const cp_collection_policy *col, cp_tlp object_tlp,
                             cp_tlp *effective, cp_err *err);

#endif
