/*
 * bodies.h — the bodies that decide: the general assembly (every active
 * member state, implicit, id "general-assembly") and smaller bodies (e.g. an
 * advisory board) whose seats are held by named member states for a term
 * [term_start, term_end). Only member states hold seats. Writes are the
 * secretariat's (authorised by the caller) and append an audit entry in the
 * same transaction.
 *
 * JSON of a body: {"id", "name", "kind": "assembly"|"body", "description",
 *   "created_at", "seats": [{"id", "member_id", "member_name", "term_start",
 *   "term_end", "current"}]}  (the assembly has no seats).
 */
#ifndef CP_GOVERNANCE_BODIES_H
#define CP_GOVERNANCE_BODIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_GOV_ASSEMBLY "general-assembly"

/* in: {"name" (1..200), "description"?, "seats"?: [{"member_id", "term_start"?, "term_end"?}]} */
cp_status cp_gov_body_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err);
cp_status cp_gov_body_list(cp_conn *c, int64_t now, json_t **items, cp_err *err);
/* CP_E_NOT_FOUND when there is no such body. */
cp_status cp_gov_body_get(cp_conn *c, const char *id, int64_t now, json_t **out, cp_err *err);
/* in: {"member_id", "term_start"? (default now), "term_end"?}. A member state
 * holds at most one seat of a body at a time (overlapping terms: 409). */
cp_status cp_gov_seat_add(cp_conn *c, const cp_actor *a, const char *body, const json_t *in, json_t **out, cp_err *err);
/* Ends a seat's term now (the row stays: the history of who sat when). */
cp_status cp_gov_seat_end(cp_conn *c, const cp_actor *a, const char *body, const char *seat, json_t **out, cp_err *err);

/* The body's member states at `at`, sorted by id: [{"member", "name", "status"}].
 * The assembly: every member state not withdrawn (a suspended one is listed,
 * and not eligible). Another body: the holders of a seat at `at`. */
cp_status cp_gov_body_members(cp_conn *c, const char *body, int64_t at, json_t **members, cp_err *err);
cp_status cp_gov_body_has_member(cp_conn *c, const char *body, const char *member, int64_t at, bool *yes, cp_err *err);

#endif
