/*
 * stix.c — STIX 2.1 object validation (see stix.h for the rules).
 *
 * Layout: value checkers (one per property kind), the property tables (the
 * common properties per object family, then one table per type), the
 * cross-property rules, and the type table that binds them. Adding a type is
 * one props table and one row in TYPES.
 */
#include "intel/stix.h"
#include "intel/pattern.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "base/net.h"
#include "base/timeutil.h"

#define FAIL(...) cp_fail(err, CP_E_UNPROCESSABLE, __VA_ARGS__)


/* ---- property kinds ------------------------------------------------- */

typedef enum {
    P_STR,     /* string */
    P_TS,      /* timestamp */
    P_BOOL,
    P_INT,     /* integer, bounded by [min, max] when min < max */
    P_NUM,     /* number, bounded likewise */
    P_REF,     /* identifier; arg: allowed types "a|b" or NULL for any */
    P_REFS,    /* non-empty list of identifiers */
    P_STRS,    /* non-empty list of strings */
    P_ENUM,    /* string from arg "a|b|c" */
    P_ENUMS,   /* non-empty list of P_ENUM */
    P_HASHES,  /* hashes dictionary */
    P_KCP,     /* kill_chain_phases */
    P_OBJ,     /* object (dictionary) */
    P_OBJS,    /* non-empty list of objects */
    P_EXTREFS, /* external_references */
    P_GRAN,    /* granular_markings */
    P_EXT,     /* extensions */
    P_HEX,     /* hex digits */
    P_BIN,     /* base64 */
    P_VOCAB,   /* relationship_type-like: a-z 0-9 '-' */
    P_IPV4,
    P_IPV6,
    P_MAC,
    P_EMAIL,
} pkind;

typedef struct {
    const char *name;
    pkind kind;
    bool required;
    const char *arg;
    double min, max;
} prop_rule;

#define OPT(n, k) {n, k, false, NULL, 0, 0}
#define REQ(n, k) {n, k, true, NULL, 0, 0}
#define OPTA(n, k, a) {n, k, false, a, 0, 0}
#define REQA(n, k, a) {n, k, true, a, 0, 0}
#define RANGE(n, k, r, lo, hi) {n, k, r, NULL, lo, hi}
#define END {NULL, P_STR, false, NULL, 0, 0}
#define EXT_TYPES "new-sdo|new-sco|new-sro|property-extension|toplevel-property-extension"
#define BIG 9007199254740991.0 /* 2^53 - 1: "any non-negative integer" */

/* ---- small helpers -------------------------------------------------- */

static bool in_list(const char *s, size_t n, const char *list)
{
    while (list && *list) {
        const char *bar = strchr(list, '|');
        size_t m = bar ? (size_t)(bar - list) : strlen(list);
        if (m == n && memcmp(s, list, n) == 0) return true;
        if (!bar) break;
        list = bar + 1;
    }
    return false;
}

/* Type name: 3..250 of a-z 0-9 '-', a letter first, no "--", no '-' last. */
static bool type_name_ok(const char *s, size_t n)
{
    if (n < 3 || n > CP_STIX_TYPE_MAX || !islower((unsigned char)s[0]) || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-')) return false;
        if (c == '-' && s[i + 1] == '-') return false;
    }
    return true;
}

/* Property name: "id" or 3..250 of a-z 0-9 '_'. */
static bool prop_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (strcmp(s, "id") == 0) return true;
    if (n < 3 || n > 250) return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_')) return false;
    return true;
}

/* A string with no NUL inside; its text and length. */
static bool str_of(const json_t *v, const char **s, size_t *n)
{
    if (!json_is_string(v)) return false;
    *s = json_string_value(v);
    *n = json_string_length(v);
    return strlen(*s) == *n;
}

/* "<type>--<UUID>": type name syntax and a canonical RFC 4122 UUID. On
 * success *tlen is the length of the type part. */
static bool id_ok(const char *s, size_t n, size_t *tlen)
{
    const char *dd = strstr(s, "--");
    if (!dd || n != (size_t)(dd - s) + 2 + CP_UUID_LEN) return false;
    const char *u = dd + 2;
    if (!type_name_ok(s, (size_t)(dd - s)) || !cp_uuid_valid(u)) return false;
    if (u[14] < '1' || u[14] > '5' || !strchr("89abAB", u[19])) return false;
    *tlen = (size_t)(dd - s);
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (1..9 fraction digits), valid values. */
static bool ts_ok(const char *s, size_t n, int64_t *ms)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (n < 20 || n >= CP_STIX_TS_MAX || s[n - 1] != 'Z') return false;
    for (size_t i = 0; i < 19; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) return false;
    if (n > 20) {
        if (s[19] != '.' || n - 21 < 1 || n - 21 > 9) return false;
        for (size_t i = 20; i < n - 1; i++)
            if (!isdigit((unsigned char)s[i])) return false;
    }
    int64_t v = 0;
    if (cp_rfc3339_parse(s, &v, NULL)) return false;
    if (ms) *ms = v;
    return true;
}

static bool all_of(const char *s, size_t n, const char *set, bool hex)
{
    for (size_t i = 0; i < n; i++) {
        if (hex ? !isxdigit((unsigned char)s[i]) : !strchr(set, s[i])) return false;
    }
    return true;
}

static bool base64_ok(const char *s, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t pad = 0;
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=') pad++;
    return n % 4 == 0 && all_of(s, n - pad, b64, false);
}

static bool mac_ok(const char *s, size_t n)
{
    if (n != 17) return false;
    for (size_t i = 0; i < n; i++) {
        bool colon = i % 3 == 2;
        if (colon ? s[i] != ':' : !(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    }
    return true;
}

static bool email_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1))) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) return false;
    return true;
}

/* ---- value checkers --------------------------------------------------- */

static cp_status check_value(const char *who, const char *path, const prop_rule *r, const json_t *v,
                             cp_err *err);

static cp_status check_string(const char *who, const char *path, const json_t *v, size_t max,
                              const char **s, size_t *n, cp_err *err)
{
    if (!str_of(v, s, n)) return FAIL("%s: property '%s' must be a string", who, path);
    if (*n > max) return FAIL("%s: property '%s' is longer than %zu bytes", who, path, max);
    return CP_OK;
}

static cp_status check_ref(const char *who, const char *path, const json_t *v, const char *types,
                           cp_err *err)
{
    const char *s = NULL;
    size_t n = 0, tlen = 0;
    if (!str_of(v, &s, &n) || !id_ok(s, n, &tlen))
        return FAIL("%s: property '%s' is not a STIX identifier (type--UUID)", who, path);
    if (types && !in_list(s, tlen, types))
        return FAIL("%s: property '%s' must be the id of a %s, not '%.*s'", who, path, types,
                    (int)tlen, s);
    return CP_OK;
}

/* A non-empty bounded list; each item checked as rule `item`. */
static cp_status check_list(const char *who, const char *path, const json_t *v,
                            const prop_rule *item, cp_err *err)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return FAIL("%s: property '%s' must be a non-empty list", who, path);
    if (json_array_size(v) > CP_STIX_LIST_MAX)
        return FAIL("%s: property '%s' has more than %d items", who, path, CP_STIX_LIST_MAX);
    char sub[300];
    for (size_t i = 0; i < json_array_size(v); i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        cp_status st = check_value(who, sub, item, json_array_get(v, i), err);
        if (st) return st;
    }
    return CP_OK;
}

static cp_status check_dict(const char *who, const char *path, const json_t *v, cp_err *err)
{
    if (!json_is_object(v)) return FAIL("%s: property '%s' must be an object", who, path);
    if (json_object_size(v) > CP_STIX_PROPS_MAX)
        return FAIL("%s: property '%s' has more than %d keys", who, path, CP_STIX_PROPS_MAX);
    return CP_OK;
}

static cp_status check_nonempty_dict(const char *who, const char *path, const json_t *v, cp_err *err)
{
    cp_status st = check_dict(who, path, v, err);
    if (st) return st;
    if (json_object_size(v) == 0) return FAIL("%s: property '%s' must not be empty", who, path);
    return CP_OK;
}

/* Hash vocabulary (hash-algorithm-ov) with the hex length each one has;
 * 0 = not hex (fuzzy hashes). Other keys are custom hash names. */
static const struct {
    const char *name;
    size_t hexlen;
} HASHES[] = {{"MD5", 32},      {"SHA-1", 40},     {"SHA-256", 64}, {"SHA-512", 128},
              {"SHA3-256", 64}, {"SHA3-512", 128}, {"SSDEEP", 0},   {"TLSH", 70}};

static cp_status check_hashes(const char *who, const char *path, const json_t *v, cp_err *err)
{
    cp_status st = check_nonempty_dict(who, path, v, err);
    if (st) return st;
    const char *k;
    json_t *h;
    json_object_foreach((json_t *)v, k, h) {
        size_t kn = strlen(k), n = 0;
        const char *s = NULL;
        if (kn < 3 || kn > 250 || !all_of(k, kn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", false))
            return FAIL("%s: property '%s' has an invalid hash name '%.64s'", who, path, k);
        if (!str_of(h, &s, &n) || n == 0 || n > 1024)
            return FAIL("%s: property '%s' hash '%s' must be a non-empty string", who, path, k);
        for (size_t i = 0; i < sizeof HASHES / sizeof HASHES[0]; i++) {
            if (strcmp(k, HASHES[i].name) != 0 || HASHES[i].hexlen == 0) continue;
            if (n != HASHES[i].hexlen || !all_of(s, n, NULL, true))
                return FAIL("%s: property '%s' hash '%s' must be %zu hex digits", who, path, k,
                            HASHES[i].hexlen);
        }
    }
    return CP_OK;
}

/* Checks the rules of a sub-object (kill chain phase, external reference,
 * granular marking) by the same table machinery. */
static cp_status check_fields(const char *who, const char *path, const json_t *v,
                              const prop_rule *rules, cp_err *err)
{
    if (!json_is_object(v)) return FAIL("%s: property '%s' must be an object", who, path);
    char sub[300];
    for (const prop_rule *r = rules; r->name; r++) {
        json_t *f = json_object_get(v, r->name);
        snprintf(sub, sizeof sub, "%s.%s", path, r->name);
        if (!f) {
            if (r->required) return FAIL("%s: property '%s' is required", who, sub);
            continue;
        }
        cp_status st = check_value(who, sub, r, f, err);
        if (st) return st;
    }
    return CP_OK;
}

static const prop_rule KCP_FIELDS[] = {REQ("kill_chain_name", P_STR), REQ("phase_name", P_STR), END};
static const prop_rule EXTREF_FIELDS[] = {REQ("source_name", P_STR), OPT("description", P_STR),
                                          OPT("url", P_STR), OPT("external_id", P_STR),
                                          OPT("hashes", P_HASHES), END};
static const prop_rule GRAN_FIELDS[] = {REQ("selectors", P_STRS), OPT("lang", P_STR),
                                        OPTA("marking_ref", P_REF, "marking-definition"), END};

static cp_status check_extref(const char *who, const char *path, const json_t *v, cp_err *err)
{
    cp_status st = check_fields(who, path, v, EXTREF_FIELDS, err);
    if (st) return st;
    const char *src = json_string_value(json_object_get(v, "source_name"));
    const char *xid = json_string_value(json_object_get(v, "external_id"));
    if (!xid && !json_object_get(v, "description") && !json_object_get(v, "url"))
        return FAIL("%s: property '%s' needs external_id, description or url", who, path);
    const char *want = strcmp(src, "cve") == 0 ? "CVE-" : strcmp(src, "capec") == 0 ? "CAPEC-" : NULL;
    if (want && (!xid || strncmp(xid, want, strlen(want)) != 0))
        return FAIL("%s: property '%s.external_id' must be a %s identifier (%s...)", who, path, src, want);
    return CP_OK;
}

static cp_status check_gran(const char *who, const char *path, const json_t *v, cp_err *err)
{
    cp_status st = check_fields(who, path, v, GRAN_FIELDS, err);
    if (st) return st;
    bool ref = json_object_get(v, "marking_ref"), lang = json_object_get(v, "lang");
    if (ref == lang)
        return FAIL("%s: property '%s' must have exactly one of marking_ref and lang", who, path);
    char sub[300];
    const json_t *sel = json_object_get(v, "selectors");
    for (size_t i = 0; i < json_array_size(sel); i++) {
        const char *s = json_string_value(json_array_get(sel, i));
        snprintf(sub, sizeof sub, "%s.selectors[%zu]", path, i);
        if (!s[0] || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-.[]") != strlen(s))
            return FAIL("%s: property '%s' is not a selector", who, sub);
    }
    return CP_OK;
}

static cp_status check_extensions(const char *who, const char *path, const json_t *v, cp_err *err)
{
    cp_status st = check_nonempty_dict(who, path, v, err);
    if (st) return st;
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)v, k, e) {
        size_t kn = strlen(k), tlen;
        bool def = id_ok(k, kn, &tlen) && in_list(k, tlen, "extension-definition");
        bool named = type_name_ok(k, kn) &&
                     (strncmp(k, "x-", 2) == 0 || (kn > 4 && strcmp(k + kn - 4, "-ext") == 0));
        if (!def && !named)
            return FAIL("%s: property '%s' key '%.80s' is neither an extension-definition id nor a "
                        "'-ext' name", who, path, k);
        if (!json_is_object(e))
            return FAIL("%s: property '%s.%.80s' must be an object", who, path, k);
        const char *et = json_string_value(json_object_get(e, "extension_type"));
        if (json_object_get(e, "extension_type") && (!et || !in_list(et, strlen(et), EXT_TYPES)))
            return FAIL("%s: property '%s.%.80s.extension_type' is not an extension type", who, path, k);
    }
    return CP_OK;
}

static cp_status check_number(const char *who, const char *path, const prop_rule *r, const json_t *v,
                              cp_err *err)
{
    if (r->kind == P_INT && !json_is_integer(v)) return FAIL("%s: property '%s' must be an integer", who, path);
    if (r->kind == P_NUM && !json_is_number(v)) return FAIL("%s: property '%s' must be a number", who, path);
    double x = json_number_value(v);
    if (r->min < r->max && (x < r->min || x > r->max))
        return FAIL("%s: property '%s' must be from %.0f to %.0f", who, path, r->min, r->max);
    return CP_OK;
}

/* Checks a string-shaped value against its kind's format. */
static cp_status check_text(const char *who, const char *path, const prop_rule *r, const json_t *v,
                            cp_err *err)
{
    const char *s = NULL;
    size_t n = 0;
    size_t max = r->kind == P_BIN ? CP_STIX_PAYLOAD_MAX : CP_STIX_STRING_MAX;
    cp_status st = check_string(who, path, v, max, &s, &n, err);
    if (st) return st;
    cp_cidr c;
    cp_err sub;
    switch (r->kind) {
    case P_TS:
        return ts_ok(s, n, NULL) ? CP_OK : FAIL("%s: property '%s' is not an RFC 3339 timestamp", who, path);
    case P_ENUM:
        return in_list(s, n, r->arg) ? CP_OK : FAIL("%s: property '%s' must be one of %s", who, path, r->arg);
    case P_HEX:
        return all_of(s, n, NULL, true) ? CP_OK : FAIL("%s: property '%s' must be hex digits", who, path);
    case P_BIN:
        return base64_ok(s, n) ? CP_OK : FAIL("%s: property '%s' must be base64", who, path);
    case P_MAC:
        return mac_ok(s, n) ? CP_OK : FAIL("%s: property '%s' is not a lower-case MAC-48 address (aa:bb:cc:dd:ee:ff)", who, path);
    case P_EMAIL:
        return email_ok(s, n) ? CP_OK : FAIL("%s: property '%s' is not an e-mail address", who, path);
    case P_VOCAB:
        return n > 0 && n <= 250 && all_of(s, n, "abcdefghijklmnopqrstuvwxyz0123456789-", false)
                   ? CP_OK : FAIL("%s: property '%s' must be lower-case letters, digits and '-'", who, path);
    case P_IPV4:
    case P_IPV6:
        if (cp_cidr_parse(s, n, &c, &sub)) return FAIL("%s: property '%s' is not an %s address or CIDR: %s", who, path, r->kind == P_IPV4 ? "IPv4" : "IPv6", sub.msg);
        if (c.family != (r->kind == P_IPV4 ? 4 : 6)) return FAIL("%s: property '%s' is not an %s address", who, path, r->kind == P_IPV4 ? "IPv4" : "IPv6");
        return CP_OK;
    default:
        return CP_OK;
    }
}

typedef cp_status (*obj_check)(const char *who, const char *path, const json_t *v, cp_err *err);

static cp_status check_kcp(const char *who, const char *path, const json_t *v, cp_err *err)
{
    return check_fields(who, path, v, KCP_FIELDS, err);
}

/* A non-empty bounded list of objects, each checked by fn. */
static cp_status check_objlist(const char *who, const char *path, const json_t *v, obj_check fn,
                               cp_err *err)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return FAIL("%s: property '%s' must be a non-empty list", who, path);
    if (json_array_size(v) > CP_STIX_LIST_MAX)
        return FAIL("%s: property '%s' has more than %d items", who, path, CP_STIX_LIST_MAX);
    char sub[300];
    for (size_t i = 0; i < json_array_size(v); i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        cp_status st = fn(who, sub, json_array_get(v, i), err);
        if (st) return st;
    }
    return CP_OK;
}

static cp_status check_value(const char *who, const char *path, const prop_rule *r, const json_t *v,
                             cp_err *err)
{
    prop_rule item = *r;
    switch (r->kind) {
    case P_BOOL:
        return json_is_boolean(v) ? CP_OK : FAIL("%s: property '%s' must be a boolean", who, path);
    case P_INT:
    case P_NUM:
        return check_number(who, path, r, v, err);
    case P_REF:
        return check_ref(who, path, v, r->arg, err);
    case P_REFS:
        item.kind = P_REF;
        return check_list(who, path, v, &item, err);
    case P_STRS:
        item.kind = P_STR;
        return check_list(who, path, v, &item, err);
    case P_ENUMS:
        item.kind = P_ENUM;
        return check_list(who, path, v, &item, err);
    case P_OBJS:
        item.kind = P_OBJ;
        return check_list(who, path, v, &item, err);
    case P_OBJ:
        return check_dict(who, path, v, err);
    case P_HASHES:
        return check_hashes(who, path, v, err);
    case P_KCP:
        return check_objlist(who, path, v, check_kcp, err);
    case P_EXTREFS:
        return check_objlist(who, path, v, check_extref, err);
    case P_GRAN:
        return check_objlist(who, path, v, check_gran, err);
    case P_EXT:
        return check_extensions(who, path, v, err);
    default:
        return check_text(who, path, r, v, err);
    }
}

/* ---- property tables ---------------------------------------------------- */

#define MARKING_REFS OPTA("object_marking_refs", P_REFS, "marking-definition")

/* SDOs, SROs, language-content, extension-definition. */
static const prop_rule COMMON_SDO[] = {
    REQA("spec_version", P_ENUM, "2.1"), REQ("created", P_TS), REQ("modified", P_TS),
    OPTA("created_by_ref", P_REF, "identity"), OPT("revoked", P_BOOL), OPT("labels", P_STRS),
    RANGE("confidence", P_INT, false, 0, 100), OPT("lang", P_STR),
    OPT("external_references", P_EXTREFS), MARKING_REFS, OPT("granular_markings", P_GRAN),
    OPT("extensions", P_EXT), END};
static const prop_rule COMMON_SCO[] = {
    OPTA("spec_version", P_ENUM, "2.1"), MARKING_REFS, OPT("granular_markings", P_GRAN),
    OPT("defanged", P_BOOL), OPT("extensions", P_EXT), END};
static const prop_rule COMMON_MARKING[] = {
    REQA("spec_version", P_ENUM, "2.1"), REQ("created", P_TS),
    OPTA("created_by_ref", P_REF, "identity"), OPT("external_references", P_EXTREFS),
    MARKING_REFS, OPT("granular_markings", P_GRAN), OPT("extensions", P_EXT), END};
/* Custom objects: only what the server itself relies on. */
static const prop_rule COMMON_CUSTOM[] = {
    OPTA("spec_version", P_ENUM, "2.1"), OPT("created", P_TS), OPT("modified", P_TS),
    OPT("revoked", P_BOOL), END};

#define NAMED REQ("name", P_STR), OPT("description", P_STR)
#define SEEN OPT("first_seen", P_TS), OPT("last_seen", P_TS)
#define ALIASES OPT("aliases", P_STRS)
#define KCP OPT("kill_chain_phases", P_KCP)
#define NONNEG(n) RANGE(n, P_INT, false, 0, BIG)
#define ADDR_TYPES "ipv4-addr|ipv6-addr|mac-addr|domain-name"

static const prop_rule ATTACK_PATTERN[] = {NAMED, ALIASES, KCP, END};
static const prop_rule CAMPAIGN[] = {NAMED, ALIASES, SEEN, OPT("objective", P_STR), END};
static const prop_rule COURSE_OF_ACTION[] = {NAMED, END};
static const prop_rule GROUPING[] = {OPT("name", P_STR), OPT("description", P_STR),
                                     REQ("context", P_STR), REQ("object_refs", P_REFS), END};
static const prop_rule IDENTITY[] = {NAMED, OPT("roles", P_STRS), OPT("identity_class", P_STR),
                                     OPT("sectors", P_STRS), OPT("contact_information", P_STR), END};
static const prop_rule INCIDENT[] = {NAMED, KCP, END};
static const prop_rule INDICATOR[] = {
    OPT("name", P_STR), OPT("description", P_STR), OPT("indicator_types", P_STRS),
    REQ("pattern", P_STR), REQ("pattern_type", P_STR), OPT("pattern_version", P_STR),
    REQ("valid_from", P_TS), OPT("valid_until", P_TS), KCP, END};
static const prop_rule INFRASTRUCTURE[] = {NAMED, OPT("infrastructure_types", P_STRS), ALIASES, KCP,
                                           SEEN, END};
static const prop_rule INTRUSION_SET[] = {
    NAMED, ALIASES, SEEN, OPT("goals", P_STRS), OPT("resource_level", P_STR),
    OPT("primary_motivation", P_STR), OPT("secondary_motivations", P_STRS), END};
static const prop_rule LOCATION[] = {
    OPT("name", P_STR), OPT("description", P_STR), RANGE("latitude", P_NUM, false, -90, 90),
    RANGE("longitude", P_NUM, false, -180, 180), RANGE("precision", P_NUM, false, 0, BIG),
    OPT("region", P_STR), OPT("country", P_STR), OPT("administrative_area", P_STR),
    OPT("city", P_STR), OPT("street_address", P_STR), OPT("postal_code", P_STR), END};
static const prop_rule MALWARE[] = {
    OPT("name", P_STR), OPT("description", P_STR), OPT("malware_types", P_STRS),
    REQ("is_family", P_BOOL), ALIASES, KCP, SEEN, OPTA("operating_system_refs", P_REFS, "software"),
    OPT("architecture_execution_envs", P_STRS), OPT("implementation_languages", P_STRS),
    OPT("capabilities", P_STRS), OPTA("sample_refs", P_REFS, "file|artifact"), END};
static const prop_rule MALWARE_ANALYSIS[] = {
    REQ("product", P_STR), OPT("version", P_STR), OPTA("host_vm_ref", P_REF, "software"),
    OPTA("operating_system_ref", P_REF, "software"), OPTA("installed_software_refs", P_REFS, "software"),
    OPT("configuration_version", P_STR), OPT("modules", P_STRS), OPT("analysis_engine_version", P_STR),
    OPT("analysis_definition_version", P_STR), OPT("submitted", P_TS), OPT("analysis_started", P_TS),
    OPT("analysis_ended", P_TS), OPT("result_name", P_STR), OPT("result", P_STR),
    OPT("analysis_sco_refs", P_REFS), OPTA("sample_ref", P_REF, "file|artifact|network-traffic"), END};
static const prop_rule NOTE[] = {OPT("abstract", P_STR), REQ("content", P_STR), OPT("authors", P_STRS),
                                 REQ("object_refs", P_REFS), END};
static const prop_rule OBSERVED_DATA[] = {
    REQ("first_observed", P_TS), REQ("last_observed", P_TS),
    RANGE("number_observed", P_INT, true, 1, 999999999), OPT("objects", P_OBJ),
    OPT("object_refs", P_REFS), END};
static const prop_rule OPINION[] = {
    OPT("explanation", P_STR), OPT("authors", P_STRS),
    REQA("opinion", P_ENUM, "strongly-disagree|disagree|neutral|agree|strongly-agree"),
    REQ("object_refs", P_REFS), END};
static const prop_rule REPORT[] = {NAMED, OPT("report_types", P_STRS), REQ("published", P_TS),
                                   REQ("object_refs", P_REFS), END};
static const prop_rule THREAT_ACTOR[] = {
    NAMED, OPT("threat_actor_types", P_STRS), ALIASES, SEEN, OPT("roles", P_STRS),
    OPT("goals", P_STRS), OPT("sophistication", P_STR), OPT("resource_level", P_STR),
    OPT("primary_motivation", P_STR), OPT("secondary_motivations", P_STRS),
    OPT("personal_motivations", P_STRS), END};
static const prop_rule TOOL[] = {NAMED, OPT("tool_types", P_STRS), ALIASES, KCP,
                                 OPT("tool_version", P_STR), END};
static const prop_rule VULNERABILITY[] = {NAMED, END};

static const prop_rule RELATIONSHIP[] = {
    REQ("relationship_type", P_VOCAB), OPT("description", P_STR), REQ("source_ref", P_REF),
    REQ("target_ref", P_REF), OPT("start_time", P_TS), OPT("stop_time", P_TS), END};
static const prop_rule SIGHTING[] = {
    OPT("description", P_STR), SEEN, RANGE("count", P_INT, false, 0, 999999999),
    REQ("sighting_of_ref", P_REF), OPTA("observed_data_refs", P_REFS, "observed-data"),
    OPTA("where_sighted_refs", P_REFS, "identity|location"), OPT("summary", P_BOOL), END};

static const prop_rule ARTIFACT[] = {
    OPT("mime_type", P_STR), OPT("payload_bin", P_BIN), OPT("url", P_STR), OPT("hashes", P_HASHES),
    OPT("encryption_algorithm", P_STR), OPT("decryption_key", P_STR), END};
static const prop_rule AUTONOMOUS_SYSTEM[] = {RANGE("number", P_INT, true, 0, 4294967295.0),
                                              OPT("name", P_STR), OPT("rir", P_STR), END};
static const prop_rule DIRECTORY[] = {
    REQ("path", P_STR), OPT("path_enc", P_STR), OPT("ctime", P_TS), OPT("mtime", P_TS),
    OPT("atime", P_TS), OPTA("contains_refs", P_REFS, "file|directory"), END};
static const prop_rule DOMAIN_NAME[] = {REQ("value", P_STR),
                                        OPTA("resolves_to_refs", P_REFS, "ipv4-addr|ipv6-addr|domain-name"), END};
static const prop_rule EMAIL_ADDR[] = {REQ("value", P_EMAIL), OPT("display_name", P_STR),
                                       OPTA("belongs_to_ref", P_REF, "user-account"), END};
static const prop_rule EMAIL_MESSAGE[] = {
    REQ("is_multipart", P_BOOL), OPT("date", P_TS), OPT("content_type", P_STR),
    OPTA("from_ref", P_REF, "email-addr"), OPTA("sender_ref", P_REF, "email-addr"),
    OPTA("to_refs", P_REFS, "email-addr"), OPTA("cc_refs", P_REFS, "email-addr"),
    OPTA("bcc_refs", P_REFS, "email-addr"), OPT("message_id", P_STR), OPT("subject", P_STR),
    OPT("received_lines", P_STRS), OPT("additional_header_fields", P_OBJ), OPT("body", P_STR),
    OPT("body_multipart", P_OBJS), OPTA("raw_email_ref", P_REF, "artifact"), END};
static const prop_rule FILE_[] = {
    OPT("hashes", P_HASHES), NONNEG("size"), OPT("name", P_STR), OPT("name_enc", P_STR),
    OPT("magic_number_hex", P_HEX), OPT("mime_type", P_STR), OPT("ctime", P_TS), OPT("mtime", P_TS),
    OPT("atime", P_TS), OPTA("parent_directory_ref", P_REF, "directory"), OPT("contains_refs", P_REFS),
    OPTA("content_ref", P_REF, "artifact"), END};
static const prop_rule IPV4_ADDR[] = {REQ("value", P_IPV4), OPTA("resolves_to_refs", P_REFS, "mac-addr"),
                                      OPTA("belongs_to_refs", P_REFS, "autonomous-system"), END};
static const prop_rule IPV6_ADDR[] = {REQ("value", P_IPV6), OPTA("resolves_to_refs", P_REFS, "mac-addr"),
                                      OPTA("belongs_to_refs", P_REFS, "autonomous-system"), END};
static const prop_rule MAC_ADDR[] = {REQ("value", P_MAC), END};
static const prop_rule MUTEX[] = {REQ("name", P_STR), END};
static const prop_rule NETWORK_TRAFFIC[] = {
    OPT("start", P_TS), OPT("end", P_TS), OPT("is_active", P_BOOL), OPTA("src_ref", P_REF, ADDR_TYPES),
    OPTA("dst_ref", P_REF, ADDR_TYPES), RANGE("src_port", P_INT, false, 0, 65535),
    RANGE("dst_port", P_INT, false, 0, 65535), REQ("protocols", P_STRS), NONNEG("src_byte_count"),
    NONNEG("dst_byte_count"), NONNEG("src_packets"), NONNEG("dst_packets"), OPT("ipfix", P_OBJ),
    OPTA("src_payload_ref", P_REF, "artifact"), OPTA("dst_payload_ref", P_REF, "artifact"),
    OPTA("encapsulates_refs", P_REFS, "network-traffic"),
    OPTA("encapsulated_by_ref", P_REF, "network-traffic"), END};
static const prop_rule PROCESS[] = {
    OPT("is_hidden", P_BOOL), NONNEG("pid"), OPT("created_time", P_TS), OPT("cwd", P_STR),
    OPT("command_line", P_STR), OPT("environment_variables", P_OBJ),
    OPTA("opened_connection_refs", P_REFS, "network-traffic"),
    OPTA("creator_user_ref", P_REF, "user-account"), OPTA("image_ref", P_REF, "file"),
    OPTA("parent_ref", P_REF, "process"), OPTA("child_refs", P_REFS, "process"), END};
static const prop_rule SOFTWARE[] = {REQ("name", P_STR), OPT("cpe", P_STR), OPT("swid", P_STR),
                                     OPT("languages", P_STRS), OPT("vendor", P_STR), OPT("version", P_STR), END};
static const prop_rule URL[] = {REQ("value", P_STR), END};
static const prop_rule USER_ACCOUNT[] = {
    OPT("user_id", P_STR), OPT("credential", P_STR), OPT("account_login", P_STR),
    OPT("account_type", P_STR), OPT("display_name", P_STR), OPT("is_service_account", P_BOOL),
    OPT("is_privileged", P_BOOL), OPT("can_escalate_privs", P_BOOL), OPT("is_disabled", P_BOOL),
    OPT("account_created", P_TS), OPT("account_expires", P_TS), OPT("credential_last_changed", P_TS),
    OPT("account_first_login", P_TS), OPT("account_last_login", P_TS), END};
static const prop_rule WINDOWS_REGISTRY_KEY[] = {
    OPT("key", P_STR), OPT("values", P_OBJS), OPT("modified_time", P_TS),
    OPTA("creator_user_ref", P_REF, "user-account"), NONNEG("number_of_subkeys"), END};
static const prop_rule X509_CERTIFICATE[] = {
    OPT("is_self_signed", P_BOOL), OPT("hashes", P_HASHES), OPT("version", P_STR),
    OPT("serial_number", P_STR), OPT("signature_algorithm", P_STR), OPT("issuer", P_STR),
    OPT("validity_not_before", P_TS), OPT("validity_not_after", P_TS), OPT("subject", P_STR),
    OPT("subject_public_key_algorithm", P_STR), OPT("subject_public_key_modulus", P_STR),
    NONNEG("subject_public_key_exponent"), OPT("x509_v3_extensions", P_OBJ), END};

static const prop_rule MARKING_DEFINITION[] = {OPT("name", P_STR), OPT("definition_type", P_STR),
                                               OPT("definition", P_OBJ), END};
static const prop_rule LANGUAGE_CONTENT[] = {REQ("object_ref", P_REF), OPT("object_modified", P_TS),
                                             REQ("contents", P_OBJ), END};
static const prop_rule EXTENSION_DEFINITION[] = {
    NAMED, REQ("schema", P_STR), REQ("version", P_STR),
    REQA("extension_types", P_ENUMS, EXT_TYPES),
    OPT("extension_properties", P_STRS), END};

/* ---- cross-property rules ------------------------------------------------ */

typedef cp_status (*extra_check)(const json_t *o, const char *who, cp_err *err);

#define HAS(o, k) (json_object_get(o, k) != NULL)

/* Both timestamps present (already checked) and later < earlier: fail.
 * strict: later must be strictly later. */
static cp_status order(const json_t *o, const char *who, const char *earlier, const char *later,
                       bool strict, cp_err *err)
{
    const char *a = json_string_value(json_object_get(o, earlier));
    const char *b = json_string_value(json_object_get(o, later));
    int64_t ta, tb;
    if (!a || !b || !ts_ok(a, strlen(a), &ta) || !ts_ok(b, strlen(b), &tb)) return CP_OK;
    if (strict ? tb <= ta : tb < ta)
        return FAIL("%s: property '%s' must be %s '%s'", who, later,
                    strict ? "later than" : "no earlier than", earlier);
    return CP_OK;
}

static cp_status x_seen(const json_t *o, const char *who, cp_err *err)
{
    return order(o, who, "first_seen", "last_seen", false, err);
}

static cp_status x_indicator(const json_t *o, const char *who, cp_err *err)
{
    cp_status st = order(o, who, "valid_from", "valid_until", true, err);
    if (st) return st;
    const json_t *p = json_object_get(o, "pattern");
    if (strcmp(json_string_value(json_object_get(o, "pattern_type")), "stix") != 0) return CP_OK;
    cp_err sub = {{0}};
    if (cp_stix_pattern_check(json_string_value(p), json_string_length(p), &sub))
        return FAIL("%s: property 'pattern' is not a valid STIX pattern: %s", who, sub.msg);
    return CP_OK;
}

static cp_status x_malware(const json_t *o, const char *who, cp_err *err)
{
    if (json_is_true(json_object_get(o, "is_family")) && !HAS(o, "name"))
        return FAIL("%s: property 'name' is required when is_family is true", who);
    return x_seen(o, who, err);
}

static cp_status x_malware_analysis(const json_t *o, const char *who, cp_err *err)
{
    if (!HAS(o, "result") && !HAS(o, "analysis_sco_refs"))
        return FAIL("%s: property 'result' or 'analysis_sco_refs' is required", who);
    return order(o, who, "analysis_started", "analysis_ended", false, err);
}

static cp_status x_location(const json_t *o, const char *who, cp_err *err)
{
    bool lat = HAS(o, "latitude"), lon = HAS(o, "longitude");
    if (lat != lon) return FAIL("%s: property '%s' requires '%s'", who, lat ? "latitude" : "longitude",
                                lat ? "longitude" : "latitude");
    if (HAS(o, "precision") && !lat)
        return FAIL("%s: property 'precision' requires 'latitude' and 'longitude'", who);
    if (!lat && !HAS(o, "region") && !HAS(o, "country"))
        return FAIL("%s: property 'region', 'country' or 'latitude'/'longitude' is required", who);
    return CP_OK;
}

static cp_status x_observed_data(const json_t *o, const char *who, cp_err *err)
{
    if (HAS(o, "objects") == HAS(o, "object_refs"))
        return FAIL("%s: property 'object_refs' or (deprecated) 'objects' is required, not both", who);
    return order(o, who, "first_observed", "last_observed", false, err);
}

/* source_ref / target_ref / sighting_of_ref must not point at an SRO or a
 * meta object; sighting_of_ref must point at an SDO (or a custom object). */
static bool is_kind(const char *ref, int sdo_only);

static cp_status x_relationship(const json_t *o, const char *who, cp_err *err)
{
    static const char *const ends[] = {"source_ref", "target_ref"};
    for (int i = 0; i < 2; i++)
        if (!is_kind(json_string_value(json_object_get(o, ends[i])), 0))
            return FAIL("%s: property '%s' must be the id of an SDO or SCO", who, ends[i]);
    return order(o, who, "start_time", "stop_time", true, err);
}

static cp_status x_sighting(const json_t *o, const char *who, cp_err *err)
{
    if (!is_kind(json_string_value(json_object_get(o, "sighting_of_ref")), 1))
        return FAIL("%s: property 'sighting_of_ref' must be the id of an SDO", who);
    return x_seen(o, who, err);
}

static cp_status x_artifact(const json_t *o, const char *who, cp_err *err)
{
    if (HAS(o, "payload_bin") == HAS(o, "url"))
        return FAIL("%s: exactly one of properties 'payload_bin' and 'url' is required", who);
    if (HAS(o, "url") && !HAS(o, "hashes"))
        return FAIL("%s: property 'hashes' is required when 'url' is present", who);
    if (HAS(o, "decryption_key") && !HAS(o, "encryption_algorithm"))
        return FAIL("%s: property 'decryption_key' requires 'encryption_algorithm'", who);
    return CP_OK;
}

static cp_status x_email_message(const json_t *o, const char *who, cp_err *err)
{
    bool multi = json_is_true(json_object_get(o, "is_multipart"));
    if (multi && HAS(o, "body"))
        return FAIL("%s: property 'body' is not allowed when is_multipart is true", who);
    if (!multi && HAS(o, "body_multipart"))
        return FAIL("%s: property 'body_multipart' is not allowed when is_multipart is false", who);
    return CP_OK;
}

static cp_status x_file(const json_t *o, const char *who, cp_err *err)
{
    if (!HAS(o, "name") && !HAS(o, "hashes"))
        return FAIL("%s: property 'name' or 'hashes' is required", who);
    return CP_OK;
}

static cp_status x_network_traffic(const json_t *o, const char *who, cp_err *err)
{
    if (!HAS(o, "src_ref") && !HAS(o, "dst_ref"))
        return FAIL("%s: property 'src_ref' or 'dst_ref' is required", who);
    if (HAS(o, "end") && json_is_true(json_object_get(o, "is_active")))
        return FAIL("%s: property 'end' is not allowed when is_active is true", who);
    return order(o, who, "start", "end", false, err);
}

/* process, user-account, windows-registry-key, x509-certificate: at least
 * one property of their own (or an extension). */
static cp_status x_any_property(const json_t *o, const char *who, cp_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        if (!in_list(k, strlen(k), "type|id|spec_version|object_marking_refs|granular_markings|defanged"))
            return CP_OK;
    }
    return FAIL("%s: at least one property other than the common ones is required", who);
}

/* The four TLP 1.0 markings are fixed objects (STIX 2.1 section 7.2.1.4). */
static const struct {
    const char *level, *id;
} TLP1[] = {{"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
            {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
            {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
            {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}};
#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static cp_status x_marking(const json_t *o, const char *who, cp_err *err)
{
    const char *dt = json_string_value(json_object_get(o, "definition_type"));
    const json_t *def = json_object_get(o, "definition");
    if (!dt && !def) {
        const json_t *tlp2 = json_object_get(json_object_get(o, "extensions"), TLP2_EXT);
        const char *lvl = json_string_value(json_object_get(tlp2, "tlp_2_0"));
        if (!json_object_get(o, "extensions"))
            return FAIL("%s: property 'definition_type' and 'definition' (or 'extensions') are required", who);
        if (tlp2 && (!lvl || !in_list(lvl, strlen(lvl), "clear|green|amber|amber+strict|red")))
            return FAIL("%s: property 'extensions." TLP2_EXT ".tlp_2_0' must be one of clear|green|amber|amber+strict|red", who);
        return CP_OK;
    }
    if (!dt || !def) return FAIL("%s: property '%s' is required", who, dt ? "definition" : "definition_type");
    if (strcmp(dt, "statement") == 0 && !json_is_string(json_object_get(def, "statement")))
        return FAIL("%s: property 'definition.statement' must be a string", who);
    if (strcmp(dt, "tlp") != 0) return CP_OK;
    const char *lvl = json_string_value(json_object_get(def, "tlp"));
    const char *id = json_string_value(json_object_get(o, "id"));
    for (size_t i = 0; lvl && i < sizeof TLP1 / sizeof TLP1[0]; i++)
        if (strcmp(lvl, TLP1[i].level) == 0)
            return strcmp(id, TLP1[i].id) == 0 ? CP_OK
                   : FAIL("%s: a TLP:%s marking must have the id %s", who, lvl, TLP1[i].id);
    return FAIL("%s: property 'definition.tlp' must be one of white|green|amber|red", who);
}

static cp_status x_language_content(const json_t *o, const char *who, cp_err *err)
{
    const char *k;
    json_t *v;
    if (json_object_size(json_object_get(o, "contents")) == 0)
        return FAIL("%s: property 'contents' must not be empty", who);
    json_object_foreach(json_object_get(o, "contents"), k, v) {
        if (!json_is_object(v))
            return FAIL("%s: property 'contents.%.40s' must be an object", who, k);
    }
    return CP_OK;
}

static cp_status x_extension_definition(const json_t *o, const char *who, cp_err *err)
{
    if (!HAS(o, "created_by_ref")) return FAIL("%s: property 'created_by_ref' is required", who);
    return CP_OK;
}

/* ---- the type table ------------------------------------------------------ */

typedef struct {
    const char *type;
    cp_stix_kind kind;
    const prop_rule *props;
    extra_check extra;
} type_rule;

static const type_rule TYPES[] = {
    {"attack-pattern", CP_STIX_SDO, ATTACK_PATTERN, NULL},
    {"campaign", CP_STIX_SDO, CAMPAIGN, x_seen},
    {"course-of-action", CP_STIX_SDO, COURSE_OF_ACTION, NULL},
    {"grouping", CP_STIX_SDO, GROUPING, NULL},
    {"identity", CP_STIX_SDO, IDENTITY, NULL},
    {"incident", CP_STIX_SDO, INCIDENT, NULL},
    {"indicator", CP_STIX_SDO, INDICATOR, x_indicator},
    {"infrastructure", CP_STIX_SDO, INFRASTRUCTURE, x_seen},
    {"intrusion-set", CP_STIX_SDO, INTRUSION_SET, x_seen},
    {"location", CP_STIX_SDO, LOCATION, x_location},
    {"malware", CP_STIX_SDO, MALWARE, x_malware},
    {"malware-analysis", CP_STIX_SDO, MALWARE_ANALYSIS, x_malware_analysis},
    {"note", CP_STIX_SDO, NOTE, NULL},
    {"observed-data", CP_STIX_SDO, OBSERVED_DATA, x_observed_data},
    {"opinion", CP_STIX_SDO, OPINION, NULL},
    {"report", CP_STIX_SDO, REPORT, NULL},
    {"threat-actor", CP_STIX_SDO, THREAT_ACTOR, x_seen},
    {"tool", CP_STIX_SDO, TOOL, NULL},
    {"vulnerability", CP_STIX_SDO, VULNERABILITY, NULL},
    {"relationship", CP_STIX_SRO, RELATIONSHIP, x_relationship},
    {"sighting", CP_STIX_SRO, SIGHTING, x_sighting},
    {"artifact", CP_STIX_SCO, ARTIFACT, x_artifact},
    {"autonomous-system", CP_STIX_SCO, AUTONOMOUS_SYSTEM, NULL},
    {"directory", CP_STIX_SCO, DIRECTORY, NULL},
    {"domain-name", CP_STIX_SCO, DOMAIN_NAME, NULL},
    {"email-addr", CP_STIX_SCO, EMAIL_ADDR, NULL},
    {"email-message", CP_STIX_SCO, EMAIL_MESSAGE, x_email_message},
    {"file", CP_STIX_SCO, FILE_, x_file},
    {"ipv4-addr", CP_STIX_SCO, IPV4_ADDR, NULL},
    {"ipv6-addr", CP_STIX_SCO, IPV6_ADDR, NULL},
    {"mac-addr", CP_STIX_SCO, MAC_ADDR, NULL},
    {"mutex", CP_STIX_SCO, MUTEX, NULL},
    {"network-traffic", CP_STIX_SCO, NETWORK_TRAFFIC, x_network_traffic},
    {"process", CP_STIX_SCO, PROCESS, x_any_property},
    {"software", CP_STIX_SCO, SOFTWARE, NULL},
    {"url", CP_STIX_SCO, URL, NULL},
    {"user-account", CP_STIX_SCO, USER_ACCOUNT, x_any_property},
    {"windows-registry-key", CP_STIX_SCO, WINDOWS_REGISTRY_KEY, x_any_property},
    {"x509-certificate", CP_STIX_SCO, X509_CERTIFICATE, x_any_property},
    {"marking-definition", CP_STIX_MARKING, MARKING_DEFINITION, x_marking},
    {"language-content", CP_STIX_LANGUAGE_CONTENT, LANGUAGE_CONTENT, x_language_content},
    {"extension-definition", CP_STIX_EXTENSION_DEF, EXTENSION_DEFINITION, x_extension_definition},
};
#define N_TYPES (sizeof TYPES / sizeof TYPES[0])

static const type_rule *find_type(const char *type, size_t n)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strlen(TYPES[i].type) == n && memcmp(TYPES[i].type, type, n) == 0) return &TYPES[i];
    return NULL;
}

/* ref is an identifier (already checked); sdo_only: an SDO or custom type;
 * else anything but an SRO or meta object. */
static bool is_kind(const char *ref, int sdo_only)
{
    const char *dd = ref ? strstr(ref, "--") : NULL;
    if (!dd) return false;
    const type_rule *t = find_type(ref, (size_t)(dd - ref));
    if (!t) return true; /* custom */
    return sdo_only ? t->kind == CP_STIX_SDO : (t->kind == CP_STIX_SDO || t->kind == CP_STIX_SCO);
}

const char *cp_stix_kind_name(cp_stix_kind kind)
{
    static const char *const names[] = {"sdo", "sro", "sco", "marking-definition",
                                        "language-content", "extension-definition", "bundle", "custom"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

/* ---- validation ---------------------------------------------------------- */

static cp_status check_table(const json_t *o, const char *who, const prop_rule *rules, cp_err *err)
{
    for (const prop_rule *r = rules; r->name; r++) {
        const json_t *v = json_object_get(o, r->name);
        if (!v) {
            if (r->required) return FAIL("%s: property '%s' is required", who, r->name);
            continue;
        }
        cp_status st = check_value(who, r->name, r, v, err);
        if (st) return st;
    }
    return CP_OK;
}

/* type and id: syntax and agreement. Names the object in who. */
static cp_status check_type_id(const json_t *o, cp_stix_info *info, char *who, size_t cap, cp_err *err)
{
    const char *t = NULL, *id = NULL;
    size_t tn = 0, idn = 0, tlen = 0;
    snprintf(who, cap, "object");
    if (!json_is_object(o)) return FAIL("object: a STIX object must be a JSON object");
    if (json_object_size(o) > CP_STIX_PROPS_MAX)
        return FAIL("object: more than %d properties", CP_STIX_PROPS_MAX);
    const json_t *tv = json_object_get(o, "type"), *iv = json_object_get(o, "id");
    if (!tv) return FAIL("object: property 'type' is required");
    if (!str_of(tv, &t, &tn) || !type_name_ok(t, tn))
        return FAIL("object: property 'type' must be 3-250 characters of a-z, 0-9 and single "
                    "hyphens, starting with a letter");
    snprintf(who, cap, "%s", t);
    if (!iv) return FAIL("%s: property 'id' is required", who);
    if (!str_of(iv, &id, &idn) || !id_ok(id, idn, &tlen))
        return FAIL("%s: property 'id' is not a STIX identifier (type--UUID)", who);
    if (tlen != tn || memcmp(id, t, tn) != 0)
        return FAIL("%s: property 'id' must start with the object's type '%s--'", who, t);
    snprintf(who, cap, "%s", id);
    snprintf(info->type, sizeof info->type, "%s", t);
    snprintf(info->id, sizeof info->id, "%s", id);
    return CP_OK;
}

/* Property names and reserved names (SDOs, SROs) of standard objects;
 * custom objects carry whatever properties they like. */
static cp_status check_names(const json_t *o, const char *who, cp_stix_kind kind, cp_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        if (!prop_name_ok(k))
            return FAIL("%s: property name '%.64s' must be 3-250 characters of a-z, 0-9 and '_'", who, k);
        if ((kind == CP_STIX_SDO || kind == CP_STIX_SRO) &&
            in_list(k, strlen(k), "severity|action|username|phone_numbers"))
            return FAIL("%s: property name '%s' is reserved", who, k);
    }
    return CP_OK;
}

/* An unknown type is custom when it starts "x-" or an extension-definition
 * in its extensions declares it a new object type. */
static bool custom_type(const json_t *o, const char *type)
{
    if (strncmp(type, "x-", 2) == 0) return true;
    const char *k;
    json_t *e;
    json_object_foreach(json_object_get(o, "extensions"), k, e) {
        const char *et = json_string_value(json_object_get(e, "extension_type"));
        if (strncmp(k, "extension-definition--", 22) == 0 && et && strncmp(et, "new-", 4) == 0) return true;
    }
    return false;
}

static cp_status check_bundle(const json_t *o, const char *who, cp_err *err)
{
    const json_t *objs = json_object_get(o, "objects");
    if (!objs) return CP_OK;
    if (!json_is_array(objs)) return FAIL("%s: property 'objects' must be a list", who);
    for (size_t i = 0; i < json_array_size(objs); i++)
        if (!json_is_object(json_array_get(objs, i)))
            return FAIL("%s: property 'objects[%zu]' must be an object", who, i);
    return CP_OK;
}

/* STIX 2.1 §3.2: created and modified "MUST be precise to the nearest
 * millisecond": at least three fraction digits (the official schemas'
 * timestamp_millis). */
static bool millis(const char *ts)
{
    const char *dot = strchr(ts, '.');
    if (!dot) return false;
    size_t n = 0;
    while (dot[1 + n] >= '0' && dot[1 + n] <= '9') n++;
    return n >= 3;
}

/* created, modified, revoked, spec_version into info; modified >= created;
 * millisecond precision of created/modified (every kind but SCOs). */
static cp_status fill_info(const json_t *o, const char *who, cp_stix_info *info, cp_err *err)
{
    const char *c = json_string_value(json_object_get(o, "created"));
    const char *m = json_string_value(json_object_get(o, "modified"));
    const char *sv = json_string_value(json_object_get(o, "spec_version"));
    if (c && ts_ok(c, strlen(c), &info->created_ms)) snprintf(info->created, sizeof info->created, "%s", c);
    if (m && ts_ok(m, strlen(m), &info->modified_ms)) snprintf(info->modified, sizeof info->modified, "%s", m);
    if (sv) snprintf(info->spec_version, sizeof info->spec_version, "%s", sv);
    info->revoked = json_is_true(json_object_get(o, "revoked"));
    if (info->kind != CP_STIX_SCO) {
        if (info->created[0] && !millis(info->created))
            return FAIL("%s: property 'created' must be precise to the millisecond (e.g. 2026-01-01T00:00:00.000Z)", who);
        if (info->modified[0] && !millis(info->modified))
            return FAIL("%s: property 'modified' must be precise to the millisecond (e.g. 2026-01-01T00:00:00.000Z)", who);
    }
    if (info->created[0] && info->modified[0] && info->modified_ms < info->created_ms)
        return FAIL("%s: property 'modified' must be no earlier than 'created'", who);
    return CP_OK;
}

static const prop_rule *common_for(cp_stix_kind kind)
{
    switch (kind) {
    case CP_STIX_SCO: return COMMON_SCO;
    case CP_STIX_MARKING: return COMMON_MARKING;
    case CP_STIX_CUSTOM: return COMMON_CUSTOM;
    default: return COMMON_SDO;
    }
}

cp_status cp_stix_validate(const json_t *obj, cp_stix_info *info, cp_err *err)
{
    cp_stix_info scratch;
    char who[CP_STIX_ID_MAX + 1];
    if (!info) info = &scratch;
    memset(info, 0, sizeof *info);
    cp_status st = check_type_id(obj, info, who, sizeof who, err);
    if (st) return st;
    if (strcmp(info->type, "bundle") == 0) {
        info->kind = CP_STIX_BUNDLE;
        return check_bundle(obj, who, err);
    }
    const type_rule *t = find_type(info->type, strlen(info->type));
    if (!t && !custom_type(obj, info->type))
        return FAIL("%s: unknown STIX type '%s' (custom types start with 'x-')", who, info->type);
    info->kind = t ? t->kind : CP_STIX_CUSTOM;
    info->is_custom = !t;
    const char *uuid = info->id + strlen(info->type) + 2;
    if (info->kind != CP_STIX_SCO && info->kind != CP_STIX_CUSTOM && uuid[14] != '4')
        return FAIL("%s: property 'id' must use a version 4 UUID", who);
    if (t && (st = check_names(obj, who, info->kind, err))) return st;
    if ((st = check_table(obj, who, common_for(info->kind), err))) return st;
    if (t && (st = check_table(obj, who, t->props, err))) return st;
    if ((st = fill_info(obj, who, info, err))) return st;
    return t && t->extra ? t->extra(obj, who, err) : CP_OK;
}
