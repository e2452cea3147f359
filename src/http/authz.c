#include "http/authz.h"

#include <string.h>

const char *cp_action_name(cp_action a)
{
    switch (a) {
#define CP_ACTION_STR(name, str) case name: return str;
        CP_ACTION_MAP(CP_ACTION_STR)
#undef CP_ACTION_STR
    default: return "?";
    }
}

static bool has(const cp_actor *a, unsigned role) { return (a->roles & role) != 0; }

static bool same_member(const cp_actor *a, const cp_resource *r)
{
    return r && r->member_id && strcmp(a->member_id, r->member_id) == 0;
}

static bool same_user(const cp_actor *a, const cp_resource *r)
{
    return r && r->user_id && strcmp(a->user_id, r->user_id) == 0;
}

/* Readers of everything: the secretariat and auditors. */
static bool reads_all(const cp_actor *a) { return has(a, CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR); }

cp_status cp_authz(const cp_actor *a, cp_action act, const cp_resource *r, cp_err *err)
{
    if (a->kind == CP_ACTOR_NONE)
        return cp_fail(err, CP_E_UNAUTHENTICATED, "credentials are required (Bearer API key, Basic, or a session)");
    if (r && r->hidden) /* before anything that would tell the actor it exists */
        return cp_fail(err, CP_E_NOT_FOUND, "no such %s", strncmp(cp_action_name(act), "collection.", 11) == 0 ? "collection" : "resource");
    if (act == CP_ACT_ME) return CP_OK;
    if (!a->member_active)
        return cp_fail(err, CP_E_FORBIDDEN, "your member organisation is not active; only /api/v1/me is available");
    if (a->roles == 0) return cp_fail(err, CP_E_FORBIDDEN, "this credential carries no role");

    bool sec = has(a, CP_ROLE_SECRETARIAT);
    switch (act) {
    case CP_ACT_MEMBER_LIST:
    case CP_ACT_MEMBER_READ:
        return CP_OK; /* the membership directory is known to every member */
    case CP_ACT_MEMBER_CREATE:
    case CP_ACT_MEMBER_UPDATE:
    case CP_ACT_MEMBER_STATUS:
    case CP_ACT_CONSTITUENCY_WRITE:
    case CP_ACT_USER_CREATE:
    case CP_ACT_USER_UPDATE:
        if (sec) return CP_OK;
        break;
    case CP_ACT_MEMBER_CONTACT_UPDATE:
        if (sec || (has(a, CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        break;
    case CP_ACT_CONSTITUENCY_READ:
        if (reads_all(a) || same_member(a, r)) return CP_OK;
        break;
    case CP_ACT_USER_LIST:
    case CP_ACT_KEY_LIST:
        return CP_OK; /* narrowed by cp_authz_scope */
    case CP_ACT_USER_READ:
        if (reads_all(a) || same_member(a, r)) return CP_OK;
        return cp_fail(err, CP_E_NOT_FOUND, "no such user");
    case CP_ACT_USER_PASSWORD:
        /* A password opens sessions with all of the user's roles, so a key
         * restricted to fewer roles may not set its own user's password. */
        if (sec || (same_user(a, r) && a->roles == a->user_roles)) return CP_OK;
        if (same_user(a, r))
            return cp_fail(err, CP_E_FORBIDDEN, "this key carries fewer roles than its user; it may not set the password");
        if (same_member(a, r) || reads_all(a)) break; /* may know the user exists */
        return cp_fail(err, CP_E_NOT_FOUND, "no such user");
    case CP_ACT_KEY_CREATE:
        if (sec || same_user(a, r)) return CP_OK;
        if (same_member(a, r) || reads_all(a)) break; /* may know the user exists */
        return cp_fail(err, CP_E_NOT_FOUND, "no such user");
    case CP_ACT_KEY_READ:
        if (reads_all(a) || same_user(a, r)) return CP_OK;
        return cp_fail(err, CP_E_NOT_FOUND, "no such key");
    case CP_ACT_KEY_REVOKE:
        if (sec || same_user(a, r)) return CP_OK;
        if (has(a, CP_ROLE_AUDITOR)) break;
        return cp_fail(err, CP_E_NOT_FOUND, "no such key");
    case CP_ACT_AUDIT_READ:
        if (reads_all(a)) return CP_OK;
        break;
    /* Collections (metadata and rights; their objects are decided by
     * cp_intel_may_read/_write): the secretariat administers all of them,
     * an analyst those its organisation owns; auditors read metadata. */
    case CP_ACT_COLLECTION_LIST:
    case CP_ACT_COLLECTION_READ:
        if (reads_all(a) || has(a, CP_ROLE_ANALYST)) return CP_OK; /* lists narrowed to what the actor may know */
        break;
    case CP_ACT_COLLECTION_CREATE:
        if (sec || (has(a, CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        if (has(a, CP_ROLE_ANALYST))
            return cp_fail(err, CP_E_FORBIDDEN, "an analyst may create collections owned by its own organisation only");
        break;
    case CP_ACT_COLLECTION_UPDATE:
    case CP_ACT_COLLECTION_MEMBERS:
        if (sec || (has(a, CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        if (has(a, CP_ROLE_ANALYST))
            return cp_fail(err, CP_E_FORBIDDEN, "only the secretariat and the owning organisation's analysts may change this collection");
        break;
    case CP_ACT_INTEL_SEARCH:
        /* who handles intelligence (docs/sharing.md); what each may see is
         * decided object by object by cp_intel_may_read */
        if (has(a, CP_ROLE_ANALYST | CP_ROLE_SECRETARIAT)) return CP_OK;
        break;
    /* Finance (docs/api.md "Finance"): the secretariat records; auditors and the
     * secretariat read everything; a member's delegates and analysts read their
     * own member's statement and standing only; nobody edits or deletes. */
    case CP_ACT_FIN_WRITE:
        if (sec) return CP_OK;
        break;
    case CP_ACT_FIN_READ:
        if (reads_all(a)) return CP_OK;
        break;
    case CP_ACT_FIN_MEMBER_READ:
        if (reads_all(a) || (has(a, CP_ROLE_DELEGATE | CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        if (has(a, CP_ROLE_DELEGATE | CP_ROLE_ANALYST))
            return cp_fail(err, CP_E_FORBIDDEN, "delegates and analysts read their own member's finances only");
        break;
    case CP_ACT_FIN_SCALE_READ:
        return CP_OK; /* the scale and unit values are known to every member */
    case CP_ACT_RECORD_READ:
        return CP_OK; /* the governance record is verifiable by every user of every active member, any role;
                         sealed entries are withheld inside (governance/record.h) */
    /* Governance (docs/api.md "Governance"): every role reads proposals and
     * results; the secretariat administers; only a delegate of a member state
     * votes, gives proxies and registers signing keys, for its own member (the
     * domain checks a proxy holder's proxy); auditors change nothing. */
    case CP_ACT_GOV_READ:
        return CP_OK;
    case CP_ACT_GOV_ADMIN:
        if (sec) return CP_OK;
        break;
    case CP_ACT_GOV_VOTE:
    case CP_ACT_GOV_PROXY: {
        if (a->kind == CP_ACTOR_CLI) return CP_OK; /* the administrator on the machine (demo data) */
        bool state_delegate = has(a, CP_ROLE_DELEGATE) && !a->member_is_alliance;
        if (state_delegate && (!r || !r->member_id || same_member(a, r))) return CP_OK;
        if (state_delegate) return cp_fail(err, CP_E_FORBIDDEN, "a delegate acts only for its own member state");
        if (sec)
            return cp_fail(err, CP_E_FORBIDDEN,
                           "the secretariat cannot vote or give proxies for a member; only a delegate of that member state can");
        return cp_fail(err, CP_E_FORBIDDEN, "only a delegate of a member state may %s",
                       act == CP_ACT_GOV_VOTE ? "vote" : "give or revoke a proxy");
    }
    case CP_ACT_GOV_KEY:
        if (has(a, CP_ROLE_DELEGATE) && (!r || !r->user_id || same_user(a, r))) return CP_OK;
        if (sec && r && r->user_id) return CP_OK; /* the secretariat may revoke a compromised key */
        break;
    case CP_ACT_GOV_COMMENT:
        if (sec || has(a, CP_ROLE_DELEGATE | CP_ROLE_ANALYST)) return CP_OK;
        break;
    case CP_ACT_GOV_ELIGIBILITY_READ:
        if (reads_all(a) || (has(a, CP_ROLE_DELEGATE) && (!r || !r->member_id || same_member(a, r)))) return CP_OK;
        break;
    /* Early warning (docs/api.md): sensors submit with an analyst's (or the
     * secretariat's) key; a member's alerts are its analysts' (readers of
     * everything see all, change none); its webhook is set by its analysts or
     * delegates, or the secretariat. */
    case CP_ACT_EVENT_SUBMIT:
        if (has(a, CP_ROLE_ANALYST | CP_ROLE_SECRETARIAT)) return CP_OK;
        break;
    case CP_ACT_ALERT_LIST:
        if (reads_all(a) || has(a, CP_ROLE_ANALYST)) return CP_OK; /* narrowed by cp_authz_scope */
        break;
    case CP_ACT_ALERT_READ:
        if (reads_all(a) || (has(a, CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        if (same_member(a, r)) break;
        return cp_fail(err, CP_E_NOT_FOUND, "no such alert");
    case CP_ACT_ALERT_UPDATE:
        if (a->kind == CP_ACTOR_CLI || (has(a, CP_ROLE_ANALYST) && same_member(a, r))) return CP_OK;
        if (reads_all(a) || same_member(a, r))
            return cp_fail(err, CP_E_FORBIDDEN, "only the member's analysts acknowledge or close its alerts");
        return cp_fail(err, CP_E_NOT_FOUND, "no such alert");
    case CP_ACT_WEBHOOK_READ:
        if (reads_all(a) || (has(a, CP_ROLE_ANALYST | CP_ROLE_DELEGATE) && same_member(a, r))) return CP_OK;
        break;
    case CP_ACT_WEBHOOK_WRITE:
        if (sec || (has(a, CP_ROLE_ANALYST | CP_ROLE_DELEGATE) && same_member(a, r))) return CP_OK;
        break;
    case CP_ACT_ME:
    case CP_ACT_COUNT_:
        break;
    }
    return cp_fail(err, CP_E_FORBIDDEN, "your roles do not allow %s", cp_action_name(act));
}

void cp_authz_scope(const cp_actor *a, cp_action act, const char **member_id, const char **user_id)
{
    *member_id = NULL;
    *user_id = NULL;
    if (reads_all(a)) return;
    if (act == CP_ACT_USER_LIST) *member_id = a->member_id;
    else if (act == CP_ACT_KEY_LIST) *user_id = a->user_id;
    else if (act == CP_ACT_ALERT_LIST) *member_id = a->member_id;
}
