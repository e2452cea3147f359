/*
 * alerts_stix.c — alerts as STIX 2.1 in each member's private alerts
 * collection ("alerts-<member id>", intel/collections.h), so a TAXII client
 * can poll them.
 *
 * Per alert: a `sighting` with id "sighting--<alert id>" (a new version,
 * same id, when the count has grown and the last version is older than
 * alert-stix-refresh), sighting_of_ref = the indicator the events matched;
 * for an alert derived from the classification only, an `indicator` with id
 * "indicator--<alert id>" and a pattern on the member's address or name is
 * written with the first version, and the sighting refers to it. Both carry
 * the alert's TLP marking, created_by_ref the alliance's identity, and
 * x_cyberpact_alert_id / x_cyberpact_address / x_cyberpact_classification.
 * They go through the ordinary ingest (validation, TLP acceptance, audit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/tlp.h"
#include "members/members.h"
#include "warning/alerts_internal.h"

#define STIX_COUNT_MAX 999999999 /* STIX 2.1 sighting count */

static void system_actor(cp_actor *a)
{
    memset(a, 0, sizeof *a);
    a->kind = CP_ACTOR_CLI;
    a->roles = a->user_roles = CP_ROLE_ALL;
    a->member_active = true;
    snprintf(a->label, sizeof a->label, "system:early-warning");
}

static json_t *marking(int tlp)
{
    const char *m = cp_tlp_marking_id((cp_tlp)tlp);
    return m ? json_pack("[s]", m) : NULL;
}

static json_t *indicator_for(const cp_alert_stix *a, const char *created, const char *identity)
{
    char pattern[400], name[400], id[64];
    const char *type = strcmp(a->address_kind, "domain") == 0 ? "domain-name"
                       : strchr(a->address, ':')             ? "ipv6-addr"
                                                             : "ipv4-addr";
    snprintf(pattern, sizeof pattern, "[%s:value = '%s']", type, a->address);
    snprintf(name, sizeof name, "%s: %s", a->classification, a->address);
    snprintf(id, sizeof id, "indicator--%s", a->id);
    char first[CP_RFC3339_MAX];
    cp_rfc3339_format(a->first_seen, first);
    json_t *o = json_pack("{ss ss ss ss ss ss ss ss ss ss}", "type", "indicator", "spec_version", "2.1", "id", id,
                          "created", created, "modified", created, "created_by_ref", identity, "name", name, "pattern",
                          pattern, "pattern_type", "stix", "valid_from", first);
    json_t *m = marking(a->tlp);
    if (m) json_object_set_new(o, "object_marking_refs", m);
    return o;
}

static json_t *sighting_for(const cp_alert_stix *a, const char *modified, const char *identity)
{
    char id[64], of[128], created[CP_RFC3339_MAX], first[CP_RFC3339_MAX], last[CP_RFC3339_MAX], desc[512];
    snprintf(id, sizeof id, "sighting--%s", a->id);
    if (a->indicator_id) snprintf(of, sizeof of, "%s", a->indicator_id);
    else snprintf(of, sizeof of, "indicator--%s", a->id);
    cp_rfc3339_format(a->created_at, created);
    cp_rfc3339_format(a->first_seen, first);
    cp_rfc3339_format(a->last_seen, last);
    snprintf(desc, sizeof desc, "%s concerning %s: %lld event(s)", a->classification, a->address, (long long)a->count);
    json_t *o = json_pack("{ss ss ss ss ss ss ss sI ss ss ss ss ss ss}", "type", "sighting", "spec_version", "2.1", "id",
                          id, "created", created, "modified", modified, "created_by_ref", identity, "sighting_of_ref", of,
                          "count", (json_int_t)(a->count > STIX_COUNT_MAX ? STIX_COUNT_MAX : a->count), "first_seen",
                          first, "last_seen", last, "description", desc, "x_cyberpact_alert_id", a->id,
                          "x_cyberpact_address", a->address, "x_cyberpact_classification", a->classification);
    json_t *m = marking(a->tlp);
    if (m) json_object_set_new(o, "object_marking_refs", m);
    return o;
}

static cp_status write_member(cp_conn *c, const cp_actor *sys, cp_alert_stix *a, size_t n, int64_t now_ms,
                              const char *identity, cp_err *err)
{
    char alias[CP_COLLECTION_ALIAS_MAX + 1];
    snprintf(alias, sizeof alias, "alerts-%s", a[0].member_id);
    cp_collection col;
    cp_status st = cp_collection_resolve(c, alias, sys, &col, err);
    if (st == CP_E_NOT_FOUND) { /* a member created while no hook ran: make it now */
        int made;
        if ((st = cp_collections_ensure(c, sys, &made, err))) return st;
        st = cp_collection_resolve(c, alias, sys, &col, err);
    }
    if (st) return st;
    json_t **objs = calloc(2 * n, sizeof *objs);
    cp_intel_item *items = calloc(2 * n, sizeof *items);
    if (!objs || !items) {
        free(objs);
        free(items);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* each version strictly later than the previous one */
        int64_t v = now_ms > a[i].prev_stix_at ? now_ms : a[i].prev_stix_at + 1;
        if (v < a[i].created_at) v = a[i].created_at;
        char modified[CP_RFC3339_MAX], created[CP_RFC3339_MAX];
        cp_rfc3339_format(v, modified);
        cp_rfc3339_format(a[i].created_at, created);
        if (!a[i].indicator_id && a[i].created) objs[k++] = indicator_for(&a[i], created, identity);
        objs[k++] = sighting_for(&a[i], modified, identity);
        a[i].prev_stix_at = v;
    }
    for (size_t i = 0; i < k; i++) items[i].obj = objs[i];
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    st = cp_intel_ingest(c, sys, &col, items, k, NULL, &res, err);
    if (!st && res.failure) {
        json_t *f = json_array_get(res.failures, 0);
        st = cp_fail(err, CP_E_INTERNAL, "an alert's STIX object was refused: %s: %s",
                     json_string_value(json_object_get(f, "id")), json_string_value(json_object_get(f, "message")));
    }
    cp_ingest_result_free(&res);
    for (size_t i = 0; i < k; i++) json_decref(objs[i]);
    free(objs);
    free(items);
    if (st) return st;
    for (size_t i = 0; !st && i < n; i++) {
        cp_stmt *s;
        if ((st = cp_stmt_prepare(c, "UPDATE alerts SET stix_at = ? WHERE id = ?", &s, err))) break;
        cp_stmt_bind_int(s, 1, a[i].prev_stix_at);
        cp_stmt_bind_text(s, 2, a[i].id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    return st;
}

static int by_member(const void *x, const void *y)
{
    const cp_alert_stix *a = x, *b = y;
    int c = strcmp(a->member_id, b->member_id);
    return c ? c : strcmp(a->id, b->id);
}

cp_status cp_alerts_stix_write(cp_conn *c, cp_alert_stix *a, size_t n, int64_t now_ms, cp_err *err)
{
    if (!n) return CP_OK;
    char alliance[CP_UUID_LEN + 1], identity[64];
    cp_status st = cp_member_alliance_id(c, alliance, err);
    if (st) return st;
    snprintf(identity, sizeof identity, "identity--%s", alliance);
    cp_actor sys;
    system_actor(&sys);
    qsort(a, n, sizeof *a, by_member);
    /* one version per alert and batch (the last upsert's figures are the latest) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && strcmp(a[k - 1].id, a[i].id) == 0) {
            bool created = a[k - 1].created || a[i].created;
            a[k - 1] = a[i].count > a[k - 1].count ? a[i] : a[k - 1];
            a[k - 1].created = created;
        } else {
            a[k++] = a[i];
        }
    }
    n = k;
    size_t i = 0;
    while (!st && i < n) {
        size_t j = i + 1;
        while (j < n && strcmp(a[j].member_id, a[i].member_id) == 0) j++;
        st = write_member(c, &sys, a + i, j - i, now_ms, identity, err);
        i = j;
    }
    return st;
}
