/*
 * iset_store.c — the set of every active indicator in the store.
 *
 * One pass over the last version of every indicator of every collection
 * (the set is the alliance's; who may read a hit is decided later from the
 * TLP and collection recorded per indicator). Revoked versions are left out
 * in SQL, validity and pattern type by the builder.
 */
#include <jansson.h>

#include "intel/warninglist.h"
#include "warning/iset.h"

cp_status cp_iset_build_from_store(cp_conn *c, int64_t now_ms, cp_iset **out, cp_err *err)
{
    *out = NULL;
    cp_iset_builder *b = cp_iset_builder_new();
    if (!b) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_iset_builder_set_warninglists(b, cp_warninglists_global());
    cp_stmt *st;
    cp_status rc = cp_stmt_prepare(c,
                                   "SELECT cnum, tlp, body FROM intel_objects "
                                   "WHERE type = 'indicator' AND is_last = 1 AND revoked = 0 ORDER BY seq",
                                   &st, err);
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    cp_step step;
    while ((step = cp_stmt_step(st, err)) == CP_STEP_ROW) {
        const char *body = cp_stmt_col_text(st, 2);
        json_t *obj = body ? json_loads(body, 0, NULL) : NULL;
        if (!obj) continue; /* stored bodies are valid JSON; nothing to index otherwise */
        rc = cp_iset_builder_add_object(b, obj, (int)cp_stmt_col_int(st, 1), cp_stmt_col_int(st, 0), now_ms, NULL, err);
        json_decref(obj);
        if (rc) break;
    }
    if (!rc && step == CP_STEP_ERROR) rc = cp_stmt_status(st);
    cp_stmt_finalize(st);
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    *out = cp_iset_builder_finish(b, err);
    return *out ? CP_OK : CP_E_NOMEM;
}
