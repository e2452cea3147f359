/*
 * gov_db.h — small helpers the governance files share (internal to
 * governance/): transactions that join the caller's, one-row lookups, times
 * as JSON, the member facts governance asks about.
 */
#ifndef CP_GOVERNANCE_GOV_DB_H
#define CP_GOVERNANCE_GOV_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/status.h"
#include "store/db.h"

/* Begins a write transaction unless c is already in one (*own says which). */
cp_status gov_tx_open(cp_conn *c, bool *own, cp_err *err);
/* Commits (rolls back on st) a transaction gov_tx_open began; inside the
 * caller's transaction returns st and leaves the rest to the caller. */
cp_status gov_tx_close(cp_conn *c, bool own, cp_status st, cp_err *err);

/* RFC 3339 string of ms, or JSON null when is_null. New reference. */
json_t *gov_time(int64_t ms, bool is_null);
/* Reads an optional RFC 3339 field of in: *present false when absent or null. */
cp_status gov_time_field(const json_t *in, const char *where, const char *key, bool *present, int64_t *ms, cp_err *err);

typedef struct {
    bool exists;
    char kind[24];
    char status[16];
    char name[256];
} gov_member;
cp_status gov_member_get(cp_conn *c, const char *id, gov_member *out, cp_err *err);

/* Runs a prepared statement to completion (no rows expected), finalizing it. */
cp_status gov_run(cp_stmt *s, cp_err *err);

#endif
