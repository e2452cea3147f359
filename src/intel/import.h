/*
 * import.h — threat intelligence from files and request bodies into a
 * collection, through the same ingest as TAXII (cp_intel_ingest: validation,
 * TLP, versions, observables, audit), 1,000 objects per transaction.
 *
 * What a document may be:
 *   - a STIX 2.1 bundle {"type": "bundle", "objects": [...]}
 *   - a TAXII envelope {"objects": [...]}
 *   - one STIX object {"type": ..., "id": ...}
 *   - a MISP event {"Event": {...}} (a MISP feed's <uuid>.json, or an event
 *     exported from MISP), converted by misp.h
 * STIX objects keep their exact bytes (base/jsonspan.h); converted MISP
 * objects are stored as Jansson writes them.
 *
 * A path may be one such file, or a folder: every *.json file under it,
 * recursively, in name order (folders nested deeper than 16 are reported,
 * not read). A MISP feed's manifest.json is not imported itself: each event
 * it lists must be there as <uuid>.json (a missing one is a failed file),
 * and the events are imported as the folder's other files. A path to a
 * manifest.json stands for its folder.
 */
#ifndef CP_INTEL_IMPORT_H
#define CP_INTEL_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "intel/collections.h"
#include "intel/objects.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_IMPORT_FILE_MAX (512u << 20) /* bytes of one file */
#define CP_IMPORT_CHUNK 1000            /* objects per transaction */

/* Imports one JSON document of len bytes (parsed with nesting up to
 * max_depth). Per-object outcomes accumulate in res (which the caller
 * initialised). CP_E_BAD_REQUEST for text that is not JSON,
 * CP_E_UNPROCESSABLE for JSON that is none of the documents above; store
 * errors as cp_intel_ingest (the chunks already stored stay stored). */
cp_status cp_intel_import_json(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *text,
                               size_t len, size_t max_depth, cp_ingest_result *res, cp_err *err);

/* Called after each file with its outcome (st and err for a file that could
 * not be imported at all). */
typedef void (*cp_import_file_fn)(const char *path, cp_status st, const cp_err *err, const cp_ingest_result *res,
                                  void *ctx);

typedef struct {
    int64_t files, files_failed, total, success, failure, stored;
} cp_import_totals;

/* Imports a file or a folder (see above). A file that cannot be read or
 * parsed is reported through fn and counted in files_failed; the others go
 * on. Returns a store error only. */
cp_status cp_intel_import_path(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *path,
                               size_t max_depth, cp_import_file_fn fn, void *ctx, cp_import_totals *tot, cp_err *err);

#endif
