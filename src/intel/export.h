/*
 * export.h — a collection as one STIX 2.1 bundle, as its reader may see it.
 *
 *     {"type": "bundle", "id": "bundle--<uuid4>", "objects": [ ... ]}
 *
 * The objects are the stored texts (byte for byte as they were shared),
 * read page by page through cp_intel_query, so the TLP gate applies to every
 * object and memory stays bounded by a page whatever the collection's size.
 * The caller checks the collection-level gate first (as TAXII does).
 */
#ifndef CP_INTEL_EXPORT_H
#define CP_INTEL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/collections.h"
#include "members/actor.h"
#include "store/db.h"

/* Receives the bundle's text piece by piece; non-zero stops (CP_E_IO). */
typedef int (*cp_export_write_fn)(const char *bytes, size_t len, void *ctx);

/* Writes the bundle of col for reader: the last version of each object, or
 * every version when all_versions. *count receives the number of objects. */
cp_status cp_intel_export(cp_conn *c, const cp_actor *reader, const cp_collection *col, bool all_versions,
                          cp_export_write_fn write, void *ctx, int64_t *count, cp_err *err);

#endif
