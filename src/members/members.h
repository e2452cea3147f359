/*
 * members.h — member organisations of the alliance and their constituencies.
 *
 * Domain functions take and return JSON (Jansson) in the shapes of the API
 * (docs/api.md), so the HTTP handlers and the CLI share one implementation,
 * including validation: a shape error is CP_E_BAD_REQUEST (unknown field,
 * wrong type), a rule broken by valid input is CP_E_UNPROCESSABLE (unknown
 * country, a second member state for one country), a duplicate is
 * CP_E_CONFLICT. Every write runs in one transaction with its audit entry.
 * Input JSON is borrowed; *out is owned by the caller.
 *
 * A member:
 *   {"id", "kind", "name", "country", "country3", "status", "status_since",
 *    "joined_at", "alliance", "csirt": {"team", "email", "phone",
 *    "pgp_fingerprint"}, "created_at", "updated_at"}
 * kind: member_state | sector_member | academia | international_org |
 *       civil_society | observer. Only member states have a country (ISO
 *       3166-1 alpha-2 on input; alpha-3 derived) and there is at most one
 *       member state per country.
 * status: active | suspended | withdrawn, with the time it took effect;
 *       every change is kept in the status history.
 * The alliance's own organisation (created by `cyberpact init`, alliance:
 *       true) holds the secretariat; it cannot be suspended.
 *
 * Constituency entry: {"id", "member_id", "type": "cidr"|"asn"|"domain",
 *   "value" (canonical), "source": "manual"|"rir", "created_at"}. Ranges may
 *   overlap between members (a sector member inside a state); routing picks
 *   the most specific.
 */
#ifndef CP_MEMBERS_MEMBERS_H
#define CP_MEMBERS_MEMBERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "members/actor.h"
#include "members/rir.h"
#include "store/db.h"

/* Validates that a string names a member kind. */
bool cp_member_kind_valid(const char *kind);

/* Called inside the creating transaction right after a member (the
 * alliance's own organisation included) was inserted and audited; a failure
 * rolls the whole creation back. NULL: nothing is called. Set once at
 * start-up, before any thread runs (src/main.c sets it so that parts built on
 * members, such as intel collections, follow new members without members/
 * depending on them). */
typedef cp_status (*cp_member_hook)(cp_conn *c, const cp_actor *a, const char *member_id, cp_err *err);
extern cp_member_hook cp_member_created_hook;

cp_status cp_member_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);
/* Creates the alliance's own organisation (init). */
cp_status cp_member_create_alliance(cp_conn *c, const cp_actor *a, const char *name, json_t **out, cp_err *err);
cp_status cp_member_get(cp_conn *c, const char *id, json_t **out, cp_err *err);
/* The alliance's own member id into out (37 bytes). */
cp_status cp_member_alliance_id(cp_conn *c, char *out, cp_err *err);

typedef struct {
    const char *kind, *status, *country; /* NULL = any */
    int limit;
    const char *next; /* opaque cursor from the previous page */
} cp_member_filter;

/* One page as JSON text {"items": [...], "next": cursor|null}, malloc'd into
 * *page (written directly, without a Jansson tree: this is a hot path). */
cp_status cp_member_list(cp_conn *c, const cp_member_filter *f, char **page, size_t *page_len, cp_err *err);
/* Updates name, country and csirt (contact_only: csirt only). */
cp_status cp_member_update(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, bool contact_only,
                           json_t **out, cp_err *err);
/* in: {"status": "active"|"suspended"|"withdrawn", "reason": "..."} */
cp_status cp_member_set_status(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out,
                               cp_err *err);
cp_status cp_member_status_history(cp_conn *c, const char *id, json_t **items, cp_err *err);

cp_status cp_constituency_list(cp_conn *c, const char *member_id, json_t **items, cp_err *err);
/* in: {"type": "cidr"|"asn"|"domain", "value": "..."} */
cp_status cp_constituency_add(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                              cp_err *err);
cp_status cp_constituency_remove(cp_conn *c, const cp_actor *a, const char *member_id, const char *entry_id,
                                 cp_err *err);

typedef struct {
    cp_rir_stats parse;
    int64_t added;       /* new constituency entries */
    int64_t duplicates;  /* already present */
    int64_t no_member;   /* ranges of countries with no member state */
    int64_t members;     /* member states that received ranges */
} cp_rir_import_stats;

/* Imports an RIR delegated-stats file: each allocated/assigned range of a
 * country goes to the member state with that country code. One transaction,
 * one audit entry with the counts and the file's SHA-256. */
cp_status cp_member_import_rir(cp_conn *c, const cp_actor *a, const char *buf, size_t len,
                               cp_rir_import_stats *stats, cp_err *err);

/* Store invariants for `cyberpact verify`: returns CP_OK and sets *problems
 * to the number found (each described in problem, the first one). */
cp_status cp_members_check(cp_conn *c, int64_t *problems, char *problem, size_t cap, cp_err *err);

#endif
