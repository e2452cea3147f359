/*
 * stix.h — validation of one STIX 2.1 object as it arrives in a TAXII 2.1
 * envelope or a bundle.
 *
 *     cp_stix_info info;
 *     cp_err err;
 *     if (cp_stix_validate(obj, &info, &err)) -> 422 with err.msg
 *
 * The object is a borrowed Jansson value; nothing is kept. On success info
 * says what it is (kind, type, id, created/modified exactly as sent plus their
 * value in ms, revoked, spec_version, custom or not). On failure the result is
 * CP_E_UNPROCESSABLE and err names the object and the property:
 *
 *     indicator--8e2e…: property 'valid_from' is not an RFC 3339 timestamp
 *
 * (the object is named by its id when the id is well formed, else by its
 * type, else "object").
 *
 * Rules (STIX 2.1 sections 2, 3 and each type's section; the official JSON
 * schemas where the prose is silent):
 *
 *   type      3..250 chars of a-z 0-9 '-', starting with a letter, no
 *             trailing or doubled hyphen.
 *   id        "<type>--<UUID>", canonical RFC 4122 UUID (variant 8/9/a/b,
 *             version 1..5); SDOs, SROs and meta objects need version 4.
 *   property  names 3..250 chars of a-z 0-9 '_' ("id" excepted); the reserved
 *             names severity, action, username, phone_numbers are refused on
 *             SDOs and SROs. Unknown properties on standard objects are
 *             custom properties and accepted untouched.
 *   common    spec_version "2.1" (required except on SCOs and custom
 *             objects); created/modified "YYYY-MM-DDTHH:MM:SS[.frac]Z" with
 *             modified >= created; created_by_ref an identity id; revoked a
 *             boolean; labels a non-empty list of strings; confidence 0..100;
 *             lang a string; external_references (source_name required, cve/
 *             capec need external_id, hashes checked); object_marking_refs
 *             marking-definition ids; granular_markings (selectors plus exactly
 *             one of marking_ref / lang); extensions (an object of objects,
 *             keys "extension-definition--<UUID>" or "<name>-ext" / "x-...").
 *   per type  one table row per type in stix.c: its required properties and
 *             the checker of each known property, plus a cross-property rule
 *             where the spec has one (location, observed-data, artifact, ...).
 *   custom    types starting "x-", and unknown types declared by an
 *             extension-definition of extension_type new-sdo/new-sco/new-sro,
 *             are accepted after type, id and the common timestamps are
 *             checked (is_custom = true, kind CP_STIX_CUSTOM).
 *   bundle    type "bundle", a bundle id, "objects" (if present) a list of
 *             objects. The objects are NOT validated here: the caller
 *             validates each one (so each failure names its own object).
 *   bounds    strings up to CP_STIX_STRING_MAX bytes, lists up to
 *             CP_STIX_LIST_MAX items, at most CP_STIX_PROPS_MAX properties.
 *             The validator never recurses into values of unbounded depth.
 *
 * indicator objects with pattern_type "stix" have their pattern checked by
 * cp_stix_pattern_check() (src/intel/pattern.c).
 */
#ifndef CP_INTEL_STIX_H
#define CP_INTEL_STIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_STIX_TYPE_MAX 250           /* bytes of a type name */
#define CP_STIX_ID_MAX (CP_STIX_TYPE_MAX + 2 + 36)
#define CP_STIX_TS_MAX 40              /* timestamp text with its NUL */
#define CP_STIX_STRING_MAX (1u << 20)  /* bytes of any one string value */
#define CP_STIX_PAYLOAD_MAX (16u << 20) /* bytes of artifact.payload_bin */
#define CP_STIX_LIST_MAX 10000         /* items of any one list */
#define CP_STIX_PROPS_MAX 1000         /* properties of an object or dictionary */

typedef enum {
    CP_STIX_SDO,
    CP_STIX_SRO,
    CP_STIX_SCO,
    CP_STIX_MARKING,           /* marking-definition */
    CP_STIX_LANGUAGE_CONTENT,
    CP_STIX_EXTENSION_DEF,     /* extension-definition */
    CP_STIX_BUNDLE,
    CP_STIX_CUSTOM,            /* x-… or extension-defined new type */
} cp_stix_kind;

typedef struct {
    cp_stix_kind kind;
    bool is_custom;
    bool revoked;                       /* false when absent */
    char type[CP_STIX_TYPE_MAX + 1];
    char id[CP_STIX_ID_MAX + 1];
    char spec_version[8];               /* "" when absent (SCOs, bundles) */
    char created[CP_STIX_TS_MAX];       /* exactly as sent; "" when absent */
    char modified[CP_STIX_TS_MAX];      /* exactly as sent; "" when absent */
    int64_t created_ms;                 /* 0 when absent */
    int64_t modified_ms;                /* 0 when absent */
} cp_stix_info;

/* Validates obj (borrowed). info may be NULL; on failure its content is
 * unspecified. Returns CP_OK or CP_E_UNPROCESSABLE with err set. */
cp_status cp_stix_validate(const json_t *obj, cp_stix_info *info, cp_err *err);

/* Short name of a kind ("sdo", "sro", "sco", "marking-definition",
 * "language-content", "extension-definition", "bundle", "custom"). */
const char *cp_stix_kind_name(cp_stix_kind kind);

#endif
