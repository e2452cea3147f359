#include "intel/misp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "intel/tlp.h"

#define IDENTITY_TS "2000-01-01T00:00:00.000Z" /* identities are derived: one version */

/* "<kind>--" + a version-4-shaped UUID from SHA-256("cyberpact:misp:<kind>:<key>"). */
static void derived_id(const char *kind, const char *key, char out[96])
{
    char in[512], hex[CP_SHA256_HEX_LEN + 1];
    int n = snprintf(in, sizeof in, "cyberpact:misp:%s:%s", kind, key);
    cp_sha256_hex(in, (size_t)(n < (int)sizeof in ? n : (int)sizeof in - 1), hex);
    /* version nibble 4, variant 8..b */
    static const char VAR[] = "89ab";
    hex[12] = '4';
    hex[16] = VAR[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
    snprintf(out, 96, "%s--%.8s-%.4s-%.4s-%.4s-%.12s", kind, hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* MISP timestamps are epoch seconds, as a string or a number. */
static bool epoch_of(const json_t *v, int64_t *secs)
{
    if (json_is_integer(v)) {
        *secs = json_integer_value(v);
        return *secs >= 0;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 12) return false;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*end || x < 0) return false;
    *secs = x;
    return true;
}

static void ts_of(const json_t *v, int64_t fallback, char out[CP_RFC3339_MAX])
{
    int64_t s;
    cp_rfc3339_format((epoch_of(v, &s) ? s : fallback) * 1000, out);
}

/* The strictest tlp:* tag of a Tag list; NONE when there is none. */
static cp_tlp tlp_of_tags(const json_t *tags)
{
    cp_tlp best = CP_TLP_NONE;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        cp_tlp level;
        cp_err e;
        if (name && strncasecmp(name, "tlp:", 4) == 0 && cp_tlp_parse(name, &level, &e) == CP_OK && level > best)
            best = level;
    }
    return best;
}

/* Appends s to a pattern literal, escaping quote and backslash. */
static void lit(char *buf, size_t cap, size_t *len, const char *s)
{
    for (; *s && *len + 3 < cap; s++) {
        if (*s == '\'' || *s == '\\') buf[(*len)++] = '\\';
        buf[(*len)++] = *s;
    }
    buf[*len] = 0;
}

typedef struct {
    char pattern[4096];
    json_t *sco; /* the observable form, or NULL */
} stix_form;

static void add(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n >= cap) n = cap - *len - 1;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = 0;
}

/* "<path> = '<value>'" into f->pattern (bracketed by the caller). */
static void cmp(stix_form *f, size_t *len, const char *path, const char *value)
{
    add(f->pattern, sizeof f->pattern, len, path);
    add(f->pattern, sizeof f->pattern, len, " = '");
    lit(f->pattern, sizeof f->pattern, len, value);
    add(f->pattern, sizeof f->pattern, len, "'");
}

static const char *hash_name(const char *t)
{
    if (strcmp(t, "md5") == 0) return "MD5";
    if (strcmp(t, "sha1") == 0) return "SHA-1";
    if (strcmp(t, "sha256") == 0) return "SHA-256";
    if (strcmp(t, "sha512") == 0) return "SHA-512";
    return NULL;
}

/* The STIX form of one attribute; false when its type has none. value_copy
 * is a writable copy of the value (split at '|' for composite types). */
static bool form_of(const char *type, char *value, stix_form *f)
{
    size_t len = 0;
    f->sco = NULL;
    f->pattern[0] = 0;
    char *bar = strchr(value, '|');
    add(f->pattern, sizeof f->pattern, &len, "[");
    if (!strcmp(type, "ip-src") || !strcmp(type, "ip-dst") || !strcmp(type, "ip-src|port") ||
        !strcmp(type, "ip-dst|port")) {
        if (bar && strstr(type, "|port")) *bar = 0;
        bool v6 = strchr(value, ':') != NULL;
        cmp(f, &len, v6 ? "ipv6-addr:value" : "ipv4-addr:value", value);
        f->sco = json_pack("{ss ss}", "type", v6 ? "ipv6-addr" : "ipv4-addr", "value", value);
    } else if (!strcmp(type, "domain") || !strcmp(type, "hostname") || !strcmp(type, "domain|ip")) {
        if (bar) *bar = 0;
        cmp(f, &len, "domain-name:value", value);
        f->sco = json_pack("{ss ss}", "type", "domain-name", "value", value);
    } else if (!strcmp(type, "url") || !strcmp(type, "uri")) {
        cmp(f, &len, "url:value", value);
        f->sco = json_pack("{ss ss}", "type", "url", "value", value);
    } else if (hash_name(type)) {
        char path[40];
        snprintf(path, sizeof path, "file:hashes.'%s'", hash_name(type));
        cmp(f, &len, path, value);
        f->sco = json_pack("{ss s{ss}}", "type", "file", "hashes", hash_name(type), value);
    } else if (!strncmp(type, "filename|", 9) && hash_name(type + 9) && bar) {
        *bar = 0;
        char path[40];
        snprintf(path, sizeof path, "file:hashes.'%s'", hash_name(type + 9));
        cmp(f, &len, "file:name", value);
        add(f->pattern, sizeof f->pattern, &len, " AND ");
        cmp(f, &len, path, bar + 1);
        f->sco = json_pack("{ss ss s{ss}}", "type", "file", "name", value, "hashes", hash_name(type + 9), bar + 1);
    } else if (!strcmp(type, "filename")) {
        cmp(f, &len, "file:name", value);
        f->sco = json_pack("{ss ss}", "type", "file", "name", value);
    } else if (!strcmp(type, "email") || !strcmp(type, "email-src") || !strcmp(type, "email-dst") ||
               !strcmp(type, "email-reply-to")) {
        cmp(f, &len, "email-addr:value", value);
        f->sco = json_pack("{ss ss}", "type", "email-addr", "value", value);
    } else if (!strcmp(type, "mutex")) {
        cmp(f, &len, "mutex:name", value);
        f->sco = json_pack("{ss ss}", "type", "mutex", "name", value);
    } else if (!strcmp(type, "regkey") || !strcmp(type, "regkey|value")) {
        if (bar) *bar = 0;
        cmp(f, &len, "windows-registry-key:key", value);
        f->sco = json_pack("{ss ss}", "type", "windows-registry-key", "key", value);
    } else if (!strcmp(type, "AS")) {
        const char *digits = (value[0] == 'A' || value[0] == 'a') && (value[1] == 'S' || value[1] == 's') ? value + 2 : value;
        char *end;
        long long asn = strtoll(digits, &end, 10);
        if (!*digits || *end || asn < 0 || asn > 4294967295LL) return false;
        char num[24];
        snprintf(num, sizeof num, "%lld", asn);
        add(f->pattern, sizeof f->pattern, &len, "autonomous-system:number = ");
        add(f->pattern, sizeof f->pattern, &len, num);
        f->sco = json_pack("{ss sI}", "type", "autonomous-system", "number", (json_int_t)asn);
    } else {
        return false;
    }
    add(f->pattern, sizeof f->pattern, &len, "]");
    return true;
}

typedef struct {
    json_t *out;          /* the caller's array */
    json_t *refs;         /* the report's object_refs */
    json_t *links;        /* the report's external references */
    cp_misp_stats *stats;
    const char *identity;
    cp_tlp event_tlp;
    int64_t event_secs;
} conv;

static void mark(json_t *o, cp_tlp tlp)
{
    if (tlp != CP_TLP_NONE) json_object_set_new(o, "object_marking_refs", json_pack("[s]", cp_tlp_marking_id(tlp)));
}

static void skip(conv *x, const char *type)
{
    x->stats->skipped++;
    json_t *n = json_object_get(x->stats->skipped_types, type);
    json_object_set_new(x->stats->skipped_types, type, json_integer((n ? json_integer_value(n) : 0) + 1));
}

static cp_status attribute(conv *x, const json_t *a, cp_err *err)
{
    if (!json_is_object(a)) return cp_fail(err, CP_E_UNPROCESSABLE, "a MISP attribute is not an object");
    x->stats->attributes++;
    const char *type = json_string_value(json_object_get(a, "type"));
    const char *value = json_string_value(json_object_get(a, "value"));
    const char *uuid = json_string_value(json_object_get(a, "uuid"));
    if (!type || !value || !uuid || strlen(value) > 2048) {
        skip(x, type ? type : "(no type)");
        return CP_OK;
    }
    if (!strcmp(type, "link")) {
        json_array_append_new(x->links, json_pack("{ss ss}", "source_name", "misp-link", "url", value));
        x->stats->skipped++; /* a reference, kept on the report, not an object */
        return CP_OK;
    }
    char *copy = strdup(value);
    if (!copy) return cp_fail(err, CP_E_NOMEM, "out of memory");
    stix_form f;
    bool ok = form_of(type, copy, &f);
    free(copy);
    if (!ok) {
        skip(x, type);
        return CP_OK;
    }
    cp_tlp tlp = tlp_of_tags(json_object_get(a, "Tag"));
    if (tlp < x->event_tlp) tlp = x->event_tlp;
    char ts[CP_RFC3339_MAX], id[96];
    ts_of(json_object_get(a, "timestamp"), x->event_secs, ts);
    json_t *o;
    if (json_is_true(json_object_get(a, "to_ids"))) {
        derived_id("indicator", uuid, id);
        char name[160];
        snprintf(name, sizeof name, "%s: %.120s", type, value);
        o = json_pack("{ss ss ss ss ss ss ss ss ss s[s] ss}", "type", "indicator", "spec_version", "2.1", "id", id,
                      "created", ts, "modified", ts, "name", name, "pattern", f.pattern, "pattern_type", "stix",
                      "valid_from", ts, "indicator_types", "malicious-activity", "created_by_ref", x->identity);
        const char *comment = json_string_value(json_object_get(a, "comment"));
        if (comment && *comment) json_object_set_new(o, "description", json_string(comment));
        json_object_set_new(o, "external_references", json_pack("[{ss ss}]", "source_name", "misp", "external_id", uuid));
        json_decref(f.sco);
        x->stats->indicators++;
    } else {
        const char *sco_type = json_string_value(json_object_get(f.sco, "type"));
        derived_id(sco_type, uuid, id);
        o = f.sco;
        json_object_set_new(o, "spec_version", json_string("2.1"));
        json_object_set_new(o, "id", json_string(id));
        x->stats->observables++;
    }
    mark(o, tlp);
    json_array_append_new(x->refs, json_string(id));
    json_array_append_new(x->out, o);
    return CP_OK;
}

static cp_status attributes(conv *x, const json_t *list, cp_err *err)
{
    if (list && !json_is_array(list)) return cp_fail(err, CP_E_UNPROCESSABLE, "MISP 'Attribute' is not a list");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        if (x->stats->attributes >= CP_MISP_ATTRIBUTES_MAX)
            return cp_fail(err, CP_E_UNPROCESSABLE, "more than %d attributes in one MISP event", CP_MISP_ATTRIBUTES_MAX);
        cp_status st = attribute(x, a, err);
        if (st) return st;
    }
    return CP_OK;
}

cp_status cp_misp_event_to_stix(const json_t *doc, json_t *out, cp_misp_stats *stats, cp_err *err)
{
    cp_misp_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    stats->skipped_types = json_object();
    /* {"Event": {...}}, or the event object itself (MISP's REST answers) */
    const json_t *ev = json_object_get(doc, "Event");
    if (!ev && json_is_object(doc) && json_is_array(json_object_get(doc, "Attribute"))) ev = doc;
    const char *uuid = json_string_value(json_object_get(ev, "uuid"));
    if (!json_is_object(ev) || !uuid || !*uuid || strlen(uuid) > 64) {
        if (stats == &local) json_decref(local.skipped_types);
        return cp_fail(err, CP_E_UNPROCESSABLE, "not a MISP event: needs {\"Event\": {\"uuid\": ...}}");
    }
    json_t *made = json_array();
    conv x = {.out = made, .refs = json_array(), .links = json_array(), .stats = stats};
    int64_t secs = 0;
    if (!epoch_of(json_object_get(ev, "timestamp"), &secs)) secs = 0;
    x.event_secs = secs;
    x.event_tlp = tlp_of_tags(json_object_get(ev, "Tag"));

    const json_t *orgc = json_object_get(ev, "Orgc");
    const char *org_uuid = json_string_value(json_object_get(orgc, "uuid"));
    const char *org_name = json_string_value(json_object_get(orgc, "name"));
    char identity[96];
    derived_id("identity", org_uuid ? org_uuid : "unknown-organisation", identity);
    x.identity = identity;
    json_t *ident = json_pack("{ss ss ss ss ss ss ss}", "type", "identity", "spec_version", "2.1", "id", identity,
                              "created", IDENTITY_TS, "modified", IDENTITY_TS, "name",
                              org_name && *org_name ? org_name : "unknown MISP organisation", "identity_class",
                              "organization");
    mark(ident, CP_TLP_CLEAR);
    json_array_append_new(made, ident);
    json_array_append_new(x.refs, json_string(identity));

    cp_status st = attributes(&x, json_object_get(ev, "Attribute"), err);
    const json_t *objs = json_object_get(ev, "Object");
    if (!st && objs && !json_is_array(objs)) st = cp_fail(err, CP_E_UNPROCESSABLE, "MISP 'Object' is not a list");
    size_t i;
    json_t *o;
    if (!st) json_array_foreach(objs, i, o) {
        if ((st = attributes(&x, json_object_get(o, "Attribute"), err))) break;
    }
    if (!st) {
        char ts[CP_RFC3339_MAX], pub[CP_RFC3339_MAX], id[96];
        ts_of(json_object_get(ev, "timestamp"), 0, ts);
        ts_of(json_object_get(ev, "publish_timestamp"), secs, pub);
        derived_id("report", uuid, id);
        const char *info = json_string_value(json_object_get(ev, "info"));
        json_t *rep = json_pack("{ss ss ss ss ss ss ss s[s] sO ss}", "type", "report", "spec_version", "2.1", "id", id,
                                "created", ts, "modified", ts, "name", info && *info ? info : "MISP event", "published",
                                pub, "report_types", "threat-report", "object_refs", x.refs, "created_by_ref",
                                identity);
        json_t *labels = json_array();
        json_t *tags = json_object_get(ev, "Tag");
        json_array_foreach(tags, i, o) {
            const char *name = json_string_value(json_object_get(o, "name"));
            if (name && *name && strncasecmp(name, "tlp:", 4) != 0 && json_array_size(labels) < 100)
                json_array_append_new(labels, json_string(name));
        }
        if (json_array_size(labels)) json_object_set_new(rep, "labels", labels);
        else json_decref(labels);
        json_t *refs = json_pack("[{ss ss}]", "source_name", "misp", "external_id", uuid);
        json_array_extend(refs, x.links);
        json_object_set_new(rep, "external_references", refs);
        mark(rep, x.event_tlp);
        json_array_append_new(made, rep);
        json_array_extend(out, made);
    }
    json_decref(made);
    json_decref(x.refs);
    json_decref(x.links);
    if (stats == &local) json_decref(local.skipped_types);
    return st;
}
