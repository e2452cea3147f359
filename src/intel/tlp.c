/*
 * tlp.c — the sharing policy of docs/sharing.md ("Who sees what"). The order
 * of the checks in cp_intel_may_read / cp_intel_may_write is the policy:
 * change it only together with the table in docs/sharing.md and
 * tests/unit/test_tlp.c.
 */
#include "intel/tlp.h"

#include <string.h>
#include <strings.h>

static const char *const TLP_NAMES[CP_TLP_COUNT_] = {
    "none", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED",
};

const char *cp_tlp_name(cp_tlp t)
{
    if ((int)t < 0 || (int)t >= CP_TLP_COUNT_) return "?";
    return TLP_NAMES[t];
}

cp_status cp_tlp_parse(const char *s, cp_tlp *out, cp_err *err)
{
    if (!s) return cp_fail(err, CP_E_UNPROCESSABLE, "a TLP level is required");
    const char *v = s;
    if (strncasecmp(v, "TLP:", 4) == 0) v += 4;
    static const struct {
        const char *name;
        cp_tlp tlp;
    } LEVELS[] = {
        {"CLEAR", CP_TLP_CLEAR}, {"WHITE", CP_TLP_CLEAR},  {"GREEN", CP_TLP_GREEN},
        {"AMBER", CP_TLP_AMBER}, {"AMBER+STRICT", CP_TLP_AMBER_STRICT}, {"RED", CP_TLP_RED},
    };
    for (size_t i = 0; i < sizeof LEVELS / sizeof LEVELS[0]; i++) {
        if (strcasecmp(v, LEVELS[i].name) == 0) {
            *out = LEVELS[i].tlp;
            return CP_OK;
        }
    }
    return cp_fail(err, CP_E_UNPROCESSABLE,
                   "unknown TLP level '%.64s' (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED)", s);
}

static const struct {
    const char *id;
    cp_tlp tlp;
} MARKING_IDS[] = {
    /* TLP 2.0, the OASIS TLP 2.0 extension (listed first: cp_tlp_marking_id) */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", CP_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", CP_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", CP_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", CP_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", CP_TLP_RED},
    /* TLP 1.0, STIX 2.1 section 7.2.1.4 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", CP_TLP_CLEAR}, /* WHITE */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", CP_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", CP_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", CP_TLP_RED},
};

cp_tlp cp_tlp_of_marking_id(const char *id)
{
    if (!id) return CP_TLP_NONE;
    for (size_t i = 0; i < sizeof MARKING_IDS / sizeof MARKING_IDS[0]; i++)
        if (strcasecmp(id, MARKING_IDS[i].id) == 0) return MARKING_IDS[i].tlp;
    return CP_TLP_NONE;
}

const char *cp_tlp_marking_id(cp_tlp t)
{
    for (size_t i = 0; i < 5; i++)
        if (MARKING_IDS[i].tlp == t) return MARKING_IDS[i].id;
    return NULL;
}

static cp_tlp stricter(cp_tlp a, cp_tlp b) { return a > b ? a : b; }

static cp_tlp of_ref(const json_t *ref)
{
    return json_is_string(ref) ? cp_tlp_of_marking_id(json_string_value(ref)) : CP_TLP_NONE;
}

cp_tlp cp_tlp_of_object(const json_t *o)
{
    if (!json_is_object(o)) return CP_TLP_NONE;
    const json_t *type = json_object_get(o, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "marking-definition") == 0 &&
        cp_tlp_of_marking_id(json_string_value(json_object_get(o, "id"))) != CP_TLP_NONE)
        return CP_TLP_CLEAR;

    cp_tlp t = CP_TLP_NONE;
    const json_t *refs = json_object_get(o, "object_marking_refs");
    if (json_is_array(refs)) {
        size_t i;
        const json_t *ref;
        json_array_foreach(refs, i, ref) t = stricter(t, of_ref(ref));
    }
    const json_t *gms = json_object_get(o, "granular_markings");
    if (json_is_array(gms)) {
        size_t i;
        const json_t *gm;
        json_array_foreach(gms, i, gm) {
            if (json_is_object(gm)) t = stricter(t, of_ref(json_object_get(gm, "marking_ref")));
        }
    }
    return t;
}

bool cp_tlp_allows_constituents(cp_tlp t)
{
    return t == CP_TLP_CLEAR || t == CP_TLP_GREEN || t == CP_TLP_AMBER;
}

const char *cp_audience_name(cp_audience a)
{
    switch (a) {
    case CP_AUD_PUBLIC: return "public";
    case CP_AUD_ALLIANCE: return "alliance";
    case CP_AUD_GROUP: return "group";
    }
    return "?";
}

cp_status cp_audience_parse(const char *s, cp_audience *out, cp_err *err)
{
    static const cp_audience ALL[] = {CP_AUD_PUBLIC, CP_AUD_ALLIANCE, CP_AUD_GROUP};
    for (size_t i = 0; s && i < sizeof ALL / sizeof ALL[0]; i++) {
        if (strcmp(s, cp_audience_name(ALL[i])) == 0) {
            *out = ALL[i];
            return CP_OK;
        }
    }
    return cp_fail(err, CP_E_UNPROCESSABLE, "unknown audience '%.64s' (public, alliance or group)", s ? s : "");
}

cp_tlp cp_tlp_default(const cp_collection_policy *col)
{
    cp_tlp d = col->default_tlp;
    if ((int)d <= CP_TLP_NONE || (int)d >= CP_TLP_COUNT_) return CP_TLP_AMBER;
    return d;
}

cp_status cp_tlp_accept(const cp_collection_policy *col, cp_tlp object_tlp, cp_tlp *effective, cp_err *err)
{
    if ((int)object_tlp < CP_TLP_NONE || (int)object_tlp >= CP_TLP_COUNT_)
        return cp_fail(err, CP_E_INTERNAL, "TLP value %d out of range", (int)object_tlp);
    bool unmarked = object_tlp == CP_TLP_NONE;
    cp_tlp t = unmarked ? cp_tlp_default(col) : object_tlp;
    if (col->audience == CP_AUD_PUBLIC && t != CP_TLP_CLEAR) {
        if (unmarked)
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "a public collection accepts only TLP:CLEAR; this object has no TLP marking "
                           "(mark it TLP:CLEAR to publish it)");
        return cp_fail(err, CP_E_UNPROCESSABLE, "a public collection accepts only TLP:CLEAR, not %s",
                       cp_tlp_name(t));
    }
    if (t == CP_TLP_RED && col->audience != CP_AUD_GROUP)
        return cp_fail(err, CP_E_UNPROCESSABLE,
                       "TLP:RED%s is accepted only in group collections (its recipients must be named)",
                       unmarked ? " (the collection's default)" : "");
    if (effective) *effective = t;
    return CP_OK;
}

/* Roles that handle intelligence contents. Delegates (governance) and
 * auditors (metadata, not contents) do not. */
#define INTEL_ROLES (CP_ROLE_ANALYST | CP_ROLE_SECRETARIAT)

static bool in_audience(const cp_collection_policy *col)
{
    return col->audience != CP_AUD_GROUP || col->reader_in_group;
}

/* Checks common to reading and writing, in the order of docs/sharing.md. */
static cp_status who(const cp_actor *a, const cp_collection_policy *col, bool right, const char *verb,
                     cp_err *err)
{
    if (a->kind == CP_ACTOR_NONE)
        return cp_fail(err, CP_E_UNAUTHENTICATED, "credentials are required (Bearer API key, Basic, or a session)");
    bool member = in_audience(col);
    /* The secretariat administers every collection and auditors audit them:
     * both may know a collection exists; nobody else outside its audience. */
    if (!member && !(a->roles & (CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR)))
        return cp_fail(err, CP_E_NOT_FOUND, "no such collection");
    if (!a->member_active)
        return cp_fail(err, CP_E_FORBIDDEN, "your member organisation is not active; only /api/v1/me is available");
    if (!member)
        return cp_fail(err, CP_E_FORBIDDEN,
                       "your organisation is not one of this collection's recipients; administering it is not "
                       "receiving it");
    if (!(a->roles & INTEL_ROLES))
        return cp_fail(err, CP_E_FORBIDDEN, "intelligence is %s with the analyst role (or secretariat)", verb);
    if (!right)
        return cp_fail(err, CP_E_FORBIDDEN, "your organisation has no %s right on this collection",
                       strcmp(verb, "read") == 0 ? "read" : "write");
    return CP_OK;
}

cp_status cp_intel_may_read(const cp_actor *a, const cp_collection_policy *col, cp_tlp effective, cp_err *err)
{
    if ((int)effective < CP_TLP_NONE || (int)effective >= CP_TLP_COUNT_)
        return cp_fail(err, CP_E_INTERNAL, "TLP value %d out of range", (int)effective);
    cp_tlp t = effective == CP_TLP_NONE ? cp_tlp_default(col) : effective;
    if (a->kind == CP_ACTOR_CLI) return CP_OK; /* the operator holds the database anyway */
    if (col->audience == CP_AUD_PUBLIC && t == CP_TLP_CLEAR) return CP_OK;
    cp_status st = who(a, col, col->reader_can_read, "read", err);
    if (st) return st;
    /* RED has named recipients only: a group. Outside one (an audience changed
     * after the fact) nobody but the operator receives it. */
    if (t == CP_TLP_RED && col->audience != CP_AUD_GROUP) return cp_fail(err, CP_E_NOT_FOUND, "no such object");
    return CP_OK;
}

cp_status cp_intel_may_write(const cp_actor *a, const cp_collection_policy *col, cp_tlp object_tlp,
                             cp_tlp *effective, cp_err *err)
{
    if (a->kind != CP_ACTOR_CLI) {
        cp_status st = who(a, col, col->reader_can_write, "written", err);
        if (st) return st;
    }
    return cp_tlp_accept(col, object_tlp, effective, err);
}
