/*
 * authz.h — the one authorisation function. Every handler asks it; no handler
 * decides on its own.
 *
 * cp_authz(actor, action, resource) answers:
 *   CP_OK                  allowed
 *   CP_E_UNAUTHENTICATED   nobody is logged in (401)
 *   CP_E_FORBIDDEN         known to the actor but not allowed (403)
 *   CP_E_NOT_FOUND         the actor may not even know the resource exists
 *                          (404, same answer as a missing resource)
 * The policy is written out in docs/api.md ("Who may do what"); the table in
 * authz.c is its only implementation.
 *
 * For list actions, cp_authz_scope() says which member's (or user's) rows
 * the actor may see; the domain list function applies it as a filter.
 */
#ifndef CP_HTTP_AUTHZ_H
#define CP_HTTP_AUTHZ_H

#include <stdbool.h>

#include "base/status.h"
#include "members/actor.h"

#define CP_ACTION_MAP(X)                                                   \
    X(CP_ACT_ME, "me.read")                                                \
    X(CP_ACT_MEMBER_LIST, "member.list")                                   \
    X(CP_ACT_MEMBER_READ, "member.read")                                   \
    X(CP_ACT_MEMBER_CREATE, "member.create")                               \
    X(CP_ACT_MEMBER_UPDATE, "member.update")                               \
    X(CP_ACT_MEMBER_CONTACT_UPDATE, "member.contact.update")               \
    X(CP_ACT_MEMBER_STATUS, "member.status")                               \
    X(CP_ACT_CONSTITUENCY_READ, "constituency.read")                       \
    X(CP_ACT_CONSTITUENCY_WRITE, "constituency.write")                     \
    X(CP_ACT_USER_LIST, "user.list")                                       \
    X(CP_ACT_USER_READ, "user.read")                                       \
    X(CP_ACT_USER_CREATE, "user.create")                                   \
    X(CP_ACT_USER_UPDATE, "user.update")                                   \
    X(CP_ACT_USER_PASSWORD, "user.password")                               \
    X(CP_ACT_KEY_LIST, "key.list")                                         \
    X(CP_ACT_KEY_READ, "key.read")                                         \
    X(CP_ACT_KEY_CREATE, "key.create")                                     \
    X(CP_ACT_KEY_REVOKE, "key.revoke")                                     \
    X(CP_ACT_AUDIT_READ, "audit.read")                                     \
    X(CP_ACT_COLLECTION_LIST, "collection.list")                           \
    X(CP_ACT_COLLECTION_READ, "collection.read")                           \
    X(CP_ACT_COLLECTION_CREATE, "collection.create")                       \
    X(CP_ACT_COLLECTION_UPDATE, "collection.update")                       \
    X(CP_ACT_COLLECTION_MEMBERS, "collection.members")                     \
    X(CP_ACT_INTEL_SEARCH, "intel.search")                                 \
    X(CP_ACT_FIN_WRITE, "finance.write")                                   \
    X(CP_ACT_FIN_READ, "finance.read")                                     \
    X(CP_ACT_FIN_MEMBER_READ, "finance.member.read")                       \
    X(CP_ACT_FIN_SCALE_READ, "finance.scale.read")                         \
    X(CP_ACT_RECORD_READ, "record.read")                                   \
    X(CP_ACT_GOV_READ, "gov.read")                                         \
    X(CP_ACT_GOV_ADMIN, "gov.admin")                                       \
    X(CP_ACT_GOV_VOTE, "gov.vote")                                         \
    X(CP_ACT_GOV_PROXY, "gov.proxy")                                       \
    X(CP_ACT_GOV_COMMENT, "gov.comment")                                   \
    X(CP_ACT_GOV_KEY, "gov.key")                                           \
    X(CP_ACT_GOV_ELIGIBILITY_READ, "gov.eligibility.read")                 \
    X(CP_ACT_EVENT_SUBMIT, "event.submit")                                 \
    X(CP_ACT_ALERT_LIST, "alert.list")                                     \
    X(CP_ACT_ALERT_READ, "alert.read")                                     \
    X(CP_ACT_ALERT_UPDATE, "alert.update")                                 \
    X(CP_ACT_WEBHOOK_READ, "webhook.read")                                 \
    X(CP_ACT_WEBHOOK_WRITE, "webhook.write")

typedef enum {
#define CP_ACTION_ENUM(name, str) name,
    CP_ACTION_MAP(CP_ACTION_ENUM)
#undef CP_ACTION_ENUM
    CP_ACT_COUNT_
} cp_action;

const char *cp_action_name(cp_action a);

/* What the action is about. Fields not relevant to an action may be NULL. */
typedef struct {
    const char *member_id; /* the member the resource belongs to (collections: the owner) */
    const char *user_id;   /* the user the resource belongs to (keys, users) */
    bool hidden;           /* the actor may not know the resource exists (a group collection
                              it is not in: intel/collections.h cp_collection_visible) → 404 */
} cp_resource;

cp_status cp_authz(const cp_actor *a, cp_action act, const cp_resource *res, cp_err *err);

/* Row filter for a list action already allowed by cp_authz(): on return,
 * *member_id / *user_id point at the id the list must be restricted to, or
 * are NULL for "all". Borrowed from a. */
void cp_authz_scope(const cp_actor *a, cp_action act, const char **member_id, const char **user_id);

#endif
