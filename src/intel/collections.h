/*
 * collections.h — TAXII collections and who may use them (store side).
 *
 * A collection: UUID id (the TAXII id), a small number (num) that object rows
 * carry, an optional alias ("alliance", "alerts-<member id>"), kind (shared
 * or alerts), title, description, audience (public, alliance, group), the
 * default TLP for unmarked objects, default read/write rights for members
 * without an explicit row, and per-member rows (collection_id, member_id,
 * can_read, can_write). In a group collection the rows ARE the group: a
 * member is in the group iff it has a row.
 *
 * cp_collection_resolve() turns (collection reference, reader) into the
 * cp_collection_policy the single gate in tlp.h decides on; every read and
 * write path starts there.
 */
#ifndef CP_INTEL_COLLECTIONS_H
#define CP_INTEL_COLLECTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/status.h"
#include "intel/tlp.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_COLLECTION_ALIAS_MAX 64
#define CP_COLLECTION_ALLIANCE_ALIAS "alliance"

typedef struct {
    char id[CP_UUID_LEN + 1];
    int64_t num;
    char alias[CP_COLLECTION_ALIAS_MAX + 1];  /* "" when none */
    char kind[16];                            /* shared, alerts */
    char title[256];
    char owner_member_id[CP_UUID_LEN + 1];
    cp_collection_policy policy;              /* as the reader sees it */
} cp_collection;

/* Finds a collection by UUID or alias and fills *out with the reader's view
 * (policy.reader_in_group / reader_can_read / reader_can_write for the
 * reader's member; an anonymous or CLI reader has no member). CP_E_NOT_FOUND
 * when no such collection exists. This does NOT decide access: call
 * cp_intel_may_read/_write with out->policy. */
cp_status cp_collection_resolve(cp_conn *c, const char *ref, const cp_actor *reader, cp_collection *out, cp_err *err);

/* The same for a collection number (object rows carry it). */
cp_status cp_collection_by_num(cp_conn *c, int64_t num, const cp_actor *reader, cp_collection *out, cp_err *err);

/* Whether the reader may know the collection exists (lists show it):
 * in the audience, or secretariat/auditor, or the CLI. */
bool cp_collection_visible(const cp_actor *reader, const cp_collection *col);

/* Resolves ref for actor and applies the collection-level gate, the one
 * answer every path that opens a collection gives: CP_E_NOT_FOUND for no
 * such collection; CP_E_UNAUTHENTICATED for an anonymous actor on one it
 * may not know exists, CP_E_NOT_FOUND for anyone else; then, for READ and
 * WRITE, cp_intel_may_read / cp_intel_may_write at TLP:CLEAR (INFO stops
 * after visibility). Objects are then checked one by one by the caller. */
typedef enum { CP_COLLECTION_INFO, CP_COLLECTION_READ, CP_COLLECTION_WRITE } cp_collection_purpose;
cp_status cp_collection_open(cp_conn *c, const char *ref, const cp_actor *actor, cp_collection_purpose p,
                             cp_collection *out, cp_err *err);

/* Every collection the reader may know exists, ordered by creation, as
 * cp_collection rows (calls fn for each; fn returns non-zero to stop). */
typedef int (*cp_collection_fn)(const cp_collection *col, void *ctx);
cp_status cp_collection_each(cp_conn *c, const cp_actor *reader, cp_collection_fn fn, void *ctx, cp_err *err);

/* Creates a collection. in: {"title", "description"?, "alias"?, "audience",
 * "default_tlp"? ("TLP:AMBER"), "default_read"? (true), "default_write"?
 * (true for alliance, false otherwise), "members"?: [{"member_id",
 * "read"?, "write"?}], "owner_member_id"? (the actor's member; the CLI must
 * name one or gets the alliance)}. A collection owned by a member other
 * than the alliance's organisation whose members do not name the owner gets
 * the owner's row with read and write. Writes the audit entry; runs inside the
 * caller's write transaction when one is open, else its own. *out: the
 * collection as the admin API renders it (cp_collection_json). */
cp_status cp_collection_create(cp_conn *c, const cp_actor *a, const char *kind, const json_t *in, json_t **out,
                               cp_err *err);

/* Creates what the alliance needs and is missing: the alliance-wide
 * collection (alias "alliance", audience alliance, every member reads and
 * writes) and, for every member, its private alerts collection (alias
 * "alerts-<member id>", audience group with that one member, read only).
 * Idempotent; called by init, demo, serve start and after a member is
 * created. *created (may be NULL) receives how many were created. */
cp_status cp_collections_ensure(cp_conn *c, const cp_actor *a, int *created, cp_err *err);

/* The admin view of a collection: id, alias, kind, title, description,
 * audience, default_tlp, default_read, default_write, owner_member_id,
 * members [{member_id, read, write}], created_at, updated_at. */
cp_status cp_collection_json(cp_conn *c, const char *id, json_t **out, cp_err *err);

/* --- administration (the admin API and the CLI; each write is one
 * transaction with its audit entry). Rules shared by create and the changes
 * below: a collection owned by a member other than the alliance's own
 * organisation must leave its owner the read and the write right (422
 * otherwise), so the owner can always use what it administers. Who may call
 * them is decided by cp_authz (collection.*), not here. --- */

/* Every collection the reader may know exists (cp_collection_visible), in
 * the admin view (cp_collection_json), ordered by creation. *items owned. */
cp_status cp_collection_list_json(cp_conn *c, const cp_actor *reader, json_t **items, cp_err *err);

/* Changes any of title, description, audience, default_tlp, default_read,
 * default_write of the collection ref (UUID or alias). Unknown fields and an
 * empty change are 400; bad values 422. *out: the admin view. */
cp_status cp_collection_update(cp_conn *c, const cp_actor *a, const char *ref, const json_t *in, json_t **out,
                               cp_err *err);

/* Gives member_id exactly the rights in {"read": bool, "write": bool} (both
 * required) on ref, adding its row (in a group collection: adding it to the
 * group) when missing. 404 when the member does not exist. *out: the admin
 * view of the collection. */
cp_status cp_collection_member_set(cp_conn *c, const cp_actor *a, const char *ref, const char *member_id,
                                   const json_t *in, json_t **out, cp_err *err);

/* Removes member_id's row (in a group collection: from the group; elsewhere
 * the member falls back to the collection's default rights). 404 when it has
 * no row. *out: the admin view of the collection. */
cp_status cp_collection_member_remove(cp_conn *c, const cp_actor *a, const char *ref, const char *member_id,
                                      json_t **out, cp_err *err);

#endif
