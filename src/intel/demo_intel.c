#include "intel/demo_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "intel/collections.h"
#include "intel/objects.h"
#include "intel/tlp.h"

#define TS "2026-11-01T09:00:00.000Z"

/* One indicator with a STIX pattern, marked with the level's TLP 2.0 id. */
static json_t *indicator(const char *name, const char *pattern, cp_tlp tlp, const char *identity)
{
    char id[64], uuid[CP_UUID_LEN + 1];
    cp_uuid4(uuid);
    snprintf(id, sizeof id, "indicator--%s", uuid);
    json_t *o = json_pack("{ss ss ss ss ss ss ss ss ss s[s] ss}", "type", "indicator", "spec_version", "2.1", "id", id,
                          "created", TS, "modified", TS, "name", name, "pattern", pattern, "pattern_type", "stix",
                          "valid_from", TS, "indicator_types", "malicious-activity", "created_by_ref", identity);
    json_object_set_new(o, "object_marking_refs", json_pack("[s]", cp_tlp_marking_id(tlp)));
    return o;
}

static cp_status put(cp_conn *c, const cp_actor *a, const char *alias, json_t *objs, int *stored, cp_err *err)
{
    cp_collection col;
    cp_status st = cp_collection_resolve(c, alias, a, &col, err);
    if (st) return st;
    size_t n = json_array_size(objs);
    cp_intel_item items[16];
    if (n > 16) return cp_fail(err, CP_E_INTERNAL, "too many demo objects");
    for (size_t i = 0; i < n; i++) items[i] = (cp_intel_item){json_array_get(objs, i), NULL, 0};
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    st = cp_intel_ingest(c, a, &col, items, n, NULL, &res, err);
    if (!st && res.failure > 0) {
        json_t *f = json_array_get(res.failures, 0);
        st = cp_fail(err, CP_E_INTERNAL, "demo object refused: %s",
                     json_string_value(json_object_get(f, "message")));
    }
    if (!st) *stored += (int)res.stored;
    cp_ingest_result_free(&res);
    return st;
}

cp_status cp_demo_intel(cp_conn *c, const cp_actor *a, int *stored, cp_err *err)
{
    *stored = 0;
    char identity[64], uuid[CP_UUID_LEN + 1];
    cp_uuid4(uuid);
    snprintf(identity, sizeof identity, "identity--%s", uuid);
    json_t *ident = json_pack("{ss ss ss ss ss ss ss s[s]}", "type", "identity", "spec_version", "2.1", "id", identity,
                              "created", TS, "modified", TS, "name", "Alliance CSIRT coordination (demo)",
                              "identity_class", "organization", "object_marking_refs", cp_tlp_marking_id(CP_TLP_CLEAR));

    json_t *pub = json_pack("[O]", ident);
    json_array_append_new(pub, indicator("Phishing kit landing page (demo)",
                                         "[url:value = 'http://login-update.example/verify']", CP_TLP_CLEAR, identity));
    json_array_append_new(pub, indicator("Scanner seen across members (demo)", "[ipv4-addr:value = '198.51.100.23']",
                                         CP_TLP_CLEAR, identity));

    json_t *all = json_pack("[O]", ident);
    json_array_append_new(all, indicator("Botnet C2 (demo)", "[ipv4-addr:value = '203.0.113.45']", CP_TLP_GREEN, identity));
    json_array_append_new(all, indicator("C2 network range (demo)", "[ipv4-addr:value ISSUBSET '192.0.2.128/26']",
                                         CP_TLP_AMBER, identity));
    json_array_append_new(all, indicator("Malware distribution domain and its subdomains (demo)",
                                         "[domain-name:value = 'bad-updates.example' OR domain-name:value LIKE '%.bad-updates.example']",
                                         CP_TLP_GREEN, identity));
    json_array_append_new(all, indicator("Ransomware loader (demo)",
                                         "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
                                         CP_TLP_AMBER, identity));
    json_array_append_new(all, indicator("Scanner seen across members (demo)", "[ipv4-addr:value = '198.51.100.23']",
                                         CP_TLP_GREEN, identity));

    json_t *group = json_pack("[O]", ident);
    json_array_append_new(group, indicator("Spear-phishing sender against ministries (demo)",
                                           "[email-addr:value = 'minister.office@mail-secure.example']", CP_TLP_RED,
                                           identity));
    cp_status st = put(c, a, "public", pub, stored, err);
    if (!st) st = put(c, a, CP_COLLECTION_ALLIANCE_ALIAS, all, stored, err);
    if (!st) st = put(c, a, "csirt-group", group, stored, err);
    json_decref(pub);
    json_decref(all);
    json_decref(group);
    json_decref(ident);
    return st;
}
