#include "intel/misp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "base/net.h"
#include "base/timeutil.h"
#include "intel/stix.h"
#include "intel/tlp.h"

#define IDENTITY_TS "2000-01-01T00:00:00.000Z" /* identities are derived: one version */
#define SCO_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7" /* STIX 2.1 section 2.9 */
#define EPOCH_MAX 253402300799LL /* 9999-12-31T23:59:59Z */
#define NAME_MAX_BYTES 120
#define LABELS_MAX 100

/* ---- ids ------------------------------------------------------------------ */

/* "<kind>--" + a version-4-shaped UUID from SHA-256("cyberpact:misp:<kind>:<key>"). */
static void derived_id(const char *kind, const char *key, char out[CP_STIX_ID_MAX + 1])
{
    char in[512], hex[CP_SHA256_HEX_LEN + 1];
    int n = snprintf(in, sizeof in, "cyberpact:misp:%s:%s", kind, key);
    cp_sha256_hex(in, (size_t)(n < (int)sizeof in ? n : (int)sizeof in - 1), hex);
    /* version nibble 4, variant 8..b */
    static const char VAR[] = "89ab";
    hex[12] = '4';
    hex[16] = VAR[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
    snprintf(out, CP_STIX_ID_MAX + 1, "%s--%.8s-%.4s-%.4s-%.4s-%.12s", kind, hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
}

/* The id contributing properties of the SCO types (STIX 2.1, per type). */
static const struct {
    const char *type, *props;
} ID_PROPS[] = {
    {"artifact", "hashes payload_bin"},
    {"autonomous-system", "number"},
    {"directory", "path"},
    {"domain-name", "value"},
    {"email-addr", "value"},
    {"email-message", "from_ref subject body"},
    {"file", "hashes name extensions parent_directory_ref"},
    {"ipv4-addr", "value"},
    {"ipv6-addr", "value"},
    {"mac-addr", "value"},
    {"mutex", "name"},
    {"network-traffic", "start end src_ref dst_ref src_port dst_port protocols extensions"},
    {"process", ""},
    {"software", "name cpe swid vendor version"},
    {"url", "value"},
    {"user-account", "account_type user_id account_login"},
    {"windows-registry-key", "key values"},
    {"x509-certificate", "hashes serial_number"},
};

/* RFC 8785 differs from Jansson's compact sorted output only in the case of
 * the hex digits of \u escapes (control characters): lower-case them. */
static void jcs_fix(char *s)
{
    for (; *s; s++) {
        if (*s != '\\') continue;
        if (s[1] == 'u')
            for (int i = 2; i < 6 && s[i]; i++) s[i] = (char)tolower((unsigned char)s[i]);
        s++;
    }
}

bool cp_stix_sco_id(const json_t *sco, char *out, size_t cap)
{
    const char *type = json_string_value(json_object_get(sco, "type"));
    if (!type || strlen(type) > CP_STIX_TYPE_MAX) return false;
    const char *props = NULL;
    for (size_t i = 0; i < sizeof ID_PROPS / sizeof ID_PROPS[0]; i++)
        if (strcmp(ID_PROPS[i].type, type) == 0) props = ID_PROPS[i].props;
    if (!props || !*props) return false;
    json_t *sub = json_object();
    for (const char *p = props; *p;) {
        size_t n = strcspn(p, " ");
        char key[40];
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        json_t *v = json_object_get(sco, key);
        if (v) json_object_set(sub, key, v);
        p += n + (p[n] == ' ');
    }
    /* One value shared under two TLP levels must be two objects (SCOs are
     * immutable): the markings contribute too when there are any. */
    json_t *marks = json_object_get(sco, "object_marking_refs");
    if (json_object_size(sub) && marks) json_object_set(sub, "object_marking_refs", marks);
    char *text = json_object_size(sub) ? json_dumps(sub, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(sub);
    if (!text) return false;
    jcs_fix(text);
    char uuid[CP_UUID_LEN + 1];
    bool ok = cp_uuid5(SCO_NAMESPACE, text, strlen(text), uuid);
    free(text);
    return ok && (size_t)snprintf(out, cap, "%s--%s", type, uuid) < cap;
}

/* ---- small helpers -------------------------------------------------------- */

/* MISP timestamps are epoch seconds, as a string or a number. */
static bool epoch_of(const json_t *v, int64_t *secs)
{
    long long x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) > 12) return false;
        char *end;
        x = strtoll(s, &end, 10);
        if (*end) return false;
    }
    if (x < 0 || x > EPOCH_MAX) return false;
    *secs = x;
    return true;
}

static void ts_of(const json_t *v, int64_t fallback, char out[CP_RFC3339_MAX])
{
    int64_t s;
    cp_rfc3339_format((epoch_of(v, &s) ? s : fallback) * 1000, out);
}

/* MISP booleans: true, 1, "1", "true". */
static bool truthy(const json_t *v)
{
    if (json_is_true(v)) return true;
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    const char *s = json_string_value(v);
    return s && (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0);
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

/* The non-TLP tag names of a Tag list, or NULL when there are none. */
static json_t *labels_of_tags(const json_t *tags)
{
    json_t *labels = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!name || !*name || strncasecmp(name, "tlp:", 4) == 0) continue;
        if (!labels) labels = json_array();
        if (json_array_size(labels) < LABELS_MAX) json_array_append_new(labels, json_string(name));
    }
    return labels;
}

/* Length of the longest prefix of s within max bytes that ends on a UTF-8
 * character boundary. */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    return n;
}

/* A growing string; on allocation failure it stays failed. */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *nb = realloc(b->s, cap);
        if (!nb) {
            b->failed = true;
            return;
        }
        b->s = nb;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* "<path> = '<value>'" with quote and backslash escaped (STIX patterning). */
static void sb_cmp(sbuf *b, const char *path, const char *v, size_t n)
{
    sb_str(b, path);
    sb_str(b, " = '");
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\'' || v[i] == '\\') sb_add(b, "\\", 1);
        sb_add(b, v + i, 1);
    }
    sb_str(b, "'");
}

static void sb_cmp_int(sbuf *b, const char *path, long long v)
{
    char num[32];
    snprintf(num, sizeof num, " = %lld", v);
    sb_str(b, path);
    sb_str(b, num);
}

/* ---- the STIX forms of one attribute ------------------------------------- */

typedef struct {
    sbuf pattern;             /* empty: no indicator form */
    const char *pattern_type; /* "stix", "yara", "snort", "sigma" */
    json_t *scos;             /* the observable form (may stay empty) */
    bool resolves;            /* scos[0] resolves-to scos[1] (domain|ip) */
    json_t *sdo;              /* another SDO (vulnerability), or NULL */
    const char *why;          /* a known type whose value was refused: why */
} forms;

static const struct {
    const char *misp, *stix;
} HASHES[] = {
    {"md5", "MD5"},           {"sha1", "SHA-1"},         {"sha224", "SHA-224"}, {"sha256", "SHA-256"},
    {"sha384", "SHA-384"},    {"sha512", "SHA-512"},     {"sha3-256", "SHA3-256"},
    {"sha3-512", "SHA3-512"}, {"ssdeep", "SSDEEP"},      {"tlsh", "TLSH"},
};

static const char *hash_name(const char *t)
{
    for (size_t i = 0; i < sizeof HASHES / sizeof HASHES[0]; i++)
        if (strcmp(t, HASHES[i].misp) == 0) return HASHES[i].stix;
    return NULL;
}

/* Hex digits a hash of the STIX algorithm has; 0 for fuzzy hashes. */
static size_t hash_hex_len(const char *stix)
{
    static const struct {
        const char *name;
        size_t len;
    } L[] = {{"MD5", 32},     {"SHA-1", 40},    {"SHA-224", 56},  {"SHA-256", 64},
             {"SHA-384", 96}, {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
        if (strcmp(stix, L[i].name) == 0) return L[i].len;
    return 0;
}

static bool hash_ok(const char *stix, const char *v, forms *f)
{
    size_t want = hash_hex_len(stix), n = strlen(v);
    if (want ? n == want && strspn(v, "0123456789abcdefABCDEF") == n : n > 0 && n <= 1024) return true;
    f->why = "the value is not a hash of its type";
    return false;
}


/* Appends an SCO of type with props (stolen) to f->scos with its
 * deterministic id (marked as tlp, which contributes to the id); the id
 * into id_out when not NULL. */
static bool add_sco(forms *f, json_t *sco, const char *marking, char *id_out)
{
    char id[CP_STIX_ID_MAX + 1];
    if (!sco) return false;
    json_object_set_new(sco, "spec_version", json_string("2.1"));
    if (marking) json_object_set_new(sco, "object_marking_refs", json_pack("[s]", marking));
    if (!cp_stix_sco_id(sco, id, sizeof id)) {
        json_decref(sco);
        return false;
    }
    json_object_set_new(sco, "id", json_string(id));
    json_array_append_new(f->scos, sco);
    if (id_out) strcpy(id_out, id);
    return true;
}

static bool is_address(const char *v, size_t n, bool *v6)
{
    cp_cidr c;
    cp_err e;
    if (n == 0 || cp_cidr_parse(v, n, &c, &e) != CP_OK) return false;
    *v6 = c.family == 6;
    return true;
}

static bool port_of(const char *s, long long *port)
{
    if (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s)) return false;
    *port = atoll(s);
    return *port <= 65535;
}

/* "[network-traffic:dst_ref.type = '<t>' AND network-traffic:dst_ref.value = '<v>' AND network-traffic:dst_port = <p>]" */
static void traffic_pattern(sbuf *b, bool src, const char *addr_type, const char *v, size_t n, long long port)
{
    sb_str(b, "[network-traffic:");
    sb_cmp(b, src ? "src_ref.type" : "dst_ref.type", addr_type, strlen(addr_type));
    sb_str(b, " AND network-traffic:");
    sb_cmp(b, src ? "src_ref.value" : "dst_ref.value", v, n);
    sb_str(b, " AND network-traffic:");
    sb_cmp_int(b, src ? "src_port" : "dst_port", port);
    sb_str(b, "]");
}

/* One comparison in brackets. */
static void simple(sbuf *b, const char *path, const char *v, size_t n)
{
    sb_str(b, "[");
    sb_cmp(b, path, v, n);
    sb_str(b, "]");
}

/* Fills f for one attribute (type, value). marking: the TLP marking the
 * objects will carry (it contributes to SCO ids). */
static void forms_of(const char *type, const char *value, const char *marking, forms *f)
{
    size_t n = strlen(value);
    const char *bar = strchr(value, '|');
    size_t n1 = bar ? (size_t)(bar - value) : n; /* the part before '|' */
    const char *v2 = bar ? bar + 1 : NULL;
    sbuf *p = &f->pattern;
    bool v6 = false;
    const char *h;
    f->pattern_type = "stix";

    if (!strcmp(type, "yara") || !strcmp(type, "snort") || !strcmp(type, "sigma")) {
        f->pattern_type = !strcmp(type, "yara") ? "yara" : !strcmp(type, "snort") ? "snort" : "sigma";
        sb_add(p, value, n);
        return;
    }
    if (!strcmp(type, "vulnerability")) {
        f->sdo = json_pack("{ss ss}", "type", "vulnerability", "name", value);
        if (strncasecmp(value, "CVE-", 4) == 0)
            json_object_set_new(f->sdo, "external_references",
                                json_pack("[{ss ss}]", "source_name", "cve", "external_id", value));
        return;
    }
    if (n > CP_MISP_PATTERN_VALUE_MAX) {
        static const char KNOWN[] = "|ip-src|ip-dst|ip-src|port|ip-dst|port|domain|hostname|hostname|port|domain|ip|"
                                    "url|uri|filename|email|email-src|email-dst|email-reply-to|email-subject|"
                                    "mac-address|AS|mutex|regkey|regkey|value|port|user-agent|";
        char needle[80];
        snprintf(needle, sizeof needle, "|%.60s|", type);
        if (strstr(KNOWN, needle) || hash_name(type) || !strncmp(type, "filename|", 9) ||
            !strncmp(type, "x509-fingerprint-", 17))
            f->why = "the value is too long for a pattern";
        return;
    }

    if (!strcmp(type, "ip-src") || !strcmp(type, "ip-dst")) {
        if (!is_address(value, n, &v6)) {
            f->why = "the value is not an IP address or CIDR range";
            return;
        }
        const char *t = v6 ? "ipv6-addr" : "ipv4-addr";
        simple(p, v6 ? "ipv6-addr:value" : "ipv4-addr:value", value, n);
        add_sco(f, json_pack("{ss ss}", "type", t, "value", value), marking, NULL);
    } else if (!strcmp(type, "ip-src|port") || !strcmp(type, "ip-dst|port")) {
        long long port;
        if (!v2 || !is_address(value, n1, &v6) || !port_of(v2, &port)) {
            f->why = "the value is not an IP address and a port (0-65535) separated by '|'";
            return;
        }
        bool src = !strcmp(type, "ip-src|port");
        const char *t = v6 ? "ipv6-addr" : "ipv4-addr";
        traffic_pattern(p, src, t, value, n1, port);
        char addr[CP_STIX_ID_MAX + 1];
        if (add_sco(f, json_pack("{ss ss%}", "type", t, "value", value, n1), marking, addr))
            add_sco(f, json_pack("{ss ss sI s[s]}", "type", "network-traffic", src ? "src_ref" : "dst_ref", addr,
                                 src ? "src_port" : "dst_port", (json_int_t)port, "protocols", v6 ? "ipv6" : "ipv4"),
                    marking, NULL);
    } else if (!strcmp(type, "domain") || !strcmp(type, "hostname")) {
        simple(p, "domain-name:value", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "domain-name", "value", value), marking, NULL);
    } else if (!strcmp(type, "hostname|port")) {
        long long port;
        if (!v2 || n1 == 0 || !port_of(v2, &port)) {
            f->why = "the value is not a host name and a port (0-65535) separated by '|'";
            return;
        }
        traffic_pattern(p, false, "domain-name", value, n1, port);
        /* no observable form: the transport protocol is unknown */
    } else if (!strcmp(type, "domain|ip")) {
        if (!v2 || n1 == 0 || !is_address(v2, strlen(v2), &v6)) {
            f->why = "the value is not a domain and an IP address separated by '|'";
            return;
        }
        sb_str(p, "[");
        sb_cmp(p, "domain-name:value", value, n1);
        sb_str(p, " AND ");
        sb_cmp(p, "domain-name:resolves_to_refs[*].value", v2, strlen(v2));
        sb_str(p, "]");
        if (add_sco(f, json_pack("{ss ss%}", "type", "domain-name", "value", value, n1), marking, NULL) &&
            add_sco(f, json_pack("{ss ss}", "type", v6 ? "ipv6-addr" : "ipv4-addr", "value", v2), marking, NULL))
            f->resolves = true;
    } else if (!strcmp(type, "url") || !strcmp(type, "uri")) {
        simple(p, "url:value", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "url", "value", value), marking, NULL);
    } else if ((h = hash_name(type))) {
        if (!hash_ok(h, value, f)) return;
        char path[48];
        snprintf(path, sizeof path, "file:hashes.'%s'", h);
        simple(p, path, value, n);
        add_sco(f, json_pack("{ss s{ss}}", "type", "file", "hashes", h, value), marking, NULL);
    } else if (!strncmp(type, "filename|", 9) && (h = hash_name(type + 9))) {
        if (!v2 || n1 == 0 || !hash_ok(h, v2, f)) return;
        char path[48];
        snprintf(path, sizeof path, "file:hashes.'%s'", h);
        sb_str(p, "[");
        sb_cmp(p, "file:name", value, n1);
        sb_str(p, " AND ");
        sb_cmp(p, path, v2, strlen(v2));
        sb_str(p, "]");
        add_sco(f, json_pack("{ss ss% s{ss}}", "type", "file", "name", value, n1, "hashes", h, v2), marking, NULL);
    } else if (!strcmp(type, "filename")) {
        simple(p, "file:name", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "file", "name", value), marking, NULL);
    } else if (!strcmp(type, "email") || !strcmp(type, "email-src") || !strcmp(type, "email-dst") ||
               !strcmp(type, "email-reply-to")) {
        simple(p, "email-addr:value", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "email-addr", "value", value), marking, NULL);
    } else if (!strcmp(type, "email-subject")) {
        simple(p, "email-message:subject", value, n);
        add_sco(f, json_pack("{ss sb ss}", "type", "email-message", "is_multipart", 0, "subject", value), marking,
                NULL);
    } else if (!strcmp(type, "mac-address")) {
        char mac[32];
        if (n >= sizeof mac) return;
        for (size_t i = 0; i <= n; i++) mac[i] = value[i] == '-' ? ':' : (char)tolower((unsigned char)value[i]);
        simple(p, "mac-addr:value", mac, n);
        add_sco(f, json_pack("{ss ss}", "type", "mac-addr", "value", mac), marking, NULL);
    } else if (!strcmp(type, "AS")) {
        uint32_t asn;
        cp_err e;
        if (cp_asn_parse(value, n, &asn, &e) != CP_OK) {
            f->why = "the value is not an AS number";
            return;
        }
        sb_str(p, "[");
        sb_cmp_int(p, "autonomous-system:number", asn);
        sb_str(p, "]");
        add_sco(f, json_pack("{ss sI}", "type", "autonomous-system", "number", (json_int_t)asn), marking, NULL);
    } else if (!strcmp(type, "mutex")) {
        simple(p, "mutex:name", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "mutex", "name", value), marking, NULL);
    } else if (!strcmp(type, "regkey")) {
        simple(p, "windows-registry-key:key", value, n);
        add_sco(f, json_pack("{ss ss}", "type", "windows-registry-key", "key", value), marking, NULL);
    } else if (!strcmp(type, "regkey|value")) {
        if (!v2 || n1 == 0) return;
        sb_str(p, "[");
        sb_cmp(p, "windows-registry-key:key", value, n1);
        sb_str(p, " AND ");
        sb_cmp(p, "windows-registry-key:values[*].data", v2, strlen(v2));
        sb_str(p, "]");
        add_sco(f, json_pack("{ss ss% s[{ss}]}", "type", "windows-registry-key", "key", value, n1, "values", "data", v2),
                marking, NULL);
    } else if (!strcmp(type, "port")) {
        long long port;
        if (!port_of(value, &port)) {
            f->why = "the value is not a port (0-65535)";
            return;
        }
        sb_str(p, "[");
        sb_cmp_int(p, "network-traffic:dst_port", port);
        sb_str(p, "]");
    } else if (!strcmp(type, "user-agent")) {
        simple(p, "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", value, n);
    } else if (!strncmp(type, "x509-fingerprint-", 17) && (h = hash_name(type + 17))) {
        if (!hash_ok(h, value, f)) return;
        char path[64];
        snprintf(path, sizeof path, "x509-certificate:hashes.'%s'", h);
        simple(p, path, value, n);
        add_sco(f, json_pack("{ss s{ss}}", "type", "x509-certificate", "hashes", h, value), marking, NULL);
    }
}

/* ---- the event ------------------------------------------------------------ */

typedef struct {
    json_t *out;   /* objects made, in order */
    json_t *seen;  /* ids already in out (an SCO recurs when its value does) */
    json_t *links; /* the report's external references */
    cp_misp_stats *stats;
    const char *identity;
    const char *event_uuid;
    cp_tlp event_tlp;
    int64_t event_secs;
    size_t index; /* attribute position in the event */
} conv;

static void mark(json_t *o, cp_tlp tlp)
{
    if (tlp != CP_TLP_NONE && !json_object_get(o, "object_marking_refs"))
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", cp_tlp_marking_id(tlp)));
}

static void emit(conv *x, json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_object_get(x->seen, id)) {
        json_object_set_new(x->seen, id, json_true());
        json_array_append(x->out, o);
    }
}

/* Everything in made validates; else the first failure into reason. */
static bool all_valid(const json_t *made, char *reason, size_t cap)
{
    size_t i;
    json_t *o;
    json_array_foreach(made, i, o) {
        cp_err e = {{0}};
        if (cp_stix_validate(o, NULL, &e) != CP_OK) {
            snprintf(reason, cap, "%s", e.msg);
            return false;
        }
    }
    return true;
}

/* The common SDO properties of an attribute's object. */
static json_t *sdo(const char *type, const char *id, const char *ts, const char *identity)
{
    return json_pack("{ss ss ss ss ss ss}", "type", type, "spec_version", "2.1", "id", id, "created", ts, "modified", ts,
                     "created_by_ref", identity);
}

static cp_status attribute(conv *x, const json_t *a, const char *object_name, cp_err *err)
{
    if (!json_is_object(a)) return cp_fail(err, CP_E_UNPROCESSABLE, "a MISP attribute is not an object");
    x->stats->attributes++;
    x->index++;
    if (truthy(json_object_get(a, "deleted"))) {
        x->stats->deleted++;
        return CP_OK;
    }
    const char *type = json_string_value(json_object_get(a, "type"));
    const json_t *jv = json_object_get(a, "value");
    char num[64];
    const char *value = json_string_value(jv);
    if (!value && json_is_integer(jv)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(jv)), value = num;
    const char *uuid = json_string_value(json_object_get(a, "uuid"));
    char key[160];
    if (uuid && *uuid && strlen(uuid) <= 64) snprintf(key, sizeof key, "%s", uuid);
    else snprintf(key, sizeof key, "%s/attribute/%zu", x->event_uuid, x->index), uuid = NULL;
    bool ids = truthy(json_object_get(a, "to_ids"));

    if (type && value && !strcmp(type, "link") && strlen(value) <= 2048 &&
        json_array_size(x->links) < CP_MISP_LINKS_MAX) {
        json_array_append_new(x->links, json_pack("{ss ss}", "source_name", "misp-link", "url", value));
        x->stats->references++;
        return CP_OK;
    }

    cp_tlp tlp = tlp_of_tags(json_object_get(a, "Tag"));
    if (tlp < x->event_tlp) tlp = x->event_tlp;
    const char *marking = tlp != CP_TLP_NONE ? cp_tlp_marking_id(tlp) : NULL;
    char ts[CP_RFC3339_MAX], id[CP_STIX_ID_MAX + 1], reason[sizeof ((cp_err *)0)->msg] = "";
    ts_of(json_object_get(a, "timestamp"), x->event_secs, ts);
    const char *comment = json_string_value(json_object_get(a, "comment"));
    json_t *labels = labels_of_tags(json_object_get(a, "Tag"));

    forms f = {.scos = json_array()};
    json_t *made = json_array();
    if (type && value) forms_of(type, value, marking, &f);
    if (f.why) snprintf(reason, sizeof reason, "%s", f.why);
    if (f.pattern.failed) {
        free(f.pattern.s);
        json_decref(f.scos);
        json_decref(f.sdo);
        json_decref(made);
        json_decref(labels);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    int *counter = NULL;
    if (ids && f.pattern.len) {
        derived_id("indicator", key, id);
        char name[NAME_MAX_BYTES + 80];
        snprintf(name, sizeof name, "%s: %.*s", type, (int)utf8_prefix(value, NAME_MAX_BYTES), value);
        json_t *o = sdo("indicator", id, ts, x->identity);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "pattern", json_string(f.pattern.s));
        json_object_set_new(o, "pattern_type", json_string(f.pattern_type));
        if (!strcmp(f.pattern_type, "stix")) json_object_set_new(o, "pattern_version", json_string("2.1"));
        json_object_set_new(o, "valid_from", json_string(ts));
        json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
        if (comment && *comment) json_object_set_new(o, "description", json_string(comment));
        if (labels) json_object_set(o, "labels", labels);
        if (uuid)
            json_object_set_new(o, "external_references",
                                json_pack("[{ss ss}]", "source_name", "misp", "external_id", uuid));
        json_array_append_new(made, o);
        counter = &x->stats->indicators;
    } else if (!ids && json_array_size(f.scos)) {
        json_array_extend(made, f.scos);
        if (f.resolves) {
            derived_id("relationship", key, id);
            json_t *r = sdo("relationship", id, ts, x->identity);
            json_object_set_new(r, "relationship_type", json_string("resolves-to"));
            json_object_set(r, "source_ref", json_object_get(json_array_get(f.scos, 0), "id"));
            json_object_set(r, "target_ref", json_object_get(json_array_get(f.scos, 1), "id"));
            json_array_append_new(made, r);
        }
        counter = &x->stats->observables;
    } else if (f.sdo) {
        derived_id(json_string_value(json_object_get(f.sdo, "type")), key, id);
        json_t *o = sdo(json_string_value(json_object_get(f.sdo, "type")), id, ts, x->identity);
        json_object_update(o, f.sdo);
        if (comment && *comment) json_object_set_new(o, "description", json_string(comment));
        if (labels) json_object_set(o, "labels", labels);
        json_array_append_new(made, o);
        counter = &x->stats->other;
    }
    free(f.pattern.s);
    json_decref(f.scos);
    json_decref(f.sdo);
    size_t i;
    json_t *o;
    json_array_foreach(made, i, o) mark(o, tlp);
    if (counter && !all_valid(made, reason, sizeof reason)) {
        json_array_clear(made);
        counter = NULL;
    }

    if (!counter) {
        /* no STIX form (or a refused one): kept as it is, a custom object */
        derived_id("x-misp-attribute", key, id);
        o = sdo("x-misp-attribute", id, ts, x->identity);
        json_object_set_new(o, "x_misp_type", json_string(type ? type : ""));
        const char *category = json_string_value(json_object_get(a, "category"));
        if (category) json_object_set_new(o, "x_misp_category", json_string(category));
        if (value && strlen(value) < CP_STIX_STRING_MAX) json_object_set_new(o, "x_misp_value", json_string(value));
        else if (value) json_object_set_new(o, "x_misp_value_bytes", json_integer((json_int_t)strlen(value)));
        if (comment && *comment && strlen(comment) < CP_STIX_STRING_MAX)
            json_object_set_new(o, "x_misp_comment", json_string(comment));
        json_object_set_new(o, "x_misp_to_ids", json_boolean(ids));
        if (uuid) json_object_set_new(o, "x_misp_uuid", json_string(uuid));
        if (object_name) json_object_set_new(o, "x_misp_object_name", json_string(object_name));
        if (labels) json_object_set(o, "labels", labels);
        if (reason[0]) json_object_set_new(o, "x_cyberpact_reason", json_string(reason));
        mark(o, tlp);
        json_array_append_new(made, o);
        if (!all_valid(made, reason, sizeof reason)) {
            json_decref(made);
            json_decref(labels);
            return cp_fail(err, CP_E_INTERNAL, "MISP attribute %s: %s", key, reason);
        }
        x->stats->skipped++;
        const char *tkey = type ? type : "(no type)";
        json_t *cnt = json_object_get(x->stats->skipped_types, tkey);
        json_object_set_new(x->stats->skipped_types, tkey, json_integer((cnt ? json_integer_value(cnt) : 0) + 1));
    } else {
        (*counter)++;
    }
    json_array_foreach(made, i, o) emit(x, o);
    json_decref(made);
    json_decref(labels);
    return CP_OK;
}

static cp_status attributes(conv *x, const json_t *list, const char *object_name, cp_err *err)
{
    if (list && !json_is_array(list)) return cp_fail(err, CP_E_UNPROCESSABLE, "MISP 'Attribute' is not a list");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        if (x->stats->attributes >= CP_MISP_ATTRIBUTES_MAX)
            return cp_fail(err, CP_E_UNPROCESSABLE, "more than %d attributes in one MISP event", CP_MISP_ATTRIBUTES_MAX);
        cp_status st = attribute(x, a, object_name, err);
        if (st) return st;
    }
    return CP_OK;
}

/* The report(s) of the event: object_refs = every object made, at most
 * CP_MISP_REFS_MAX per report. */
static cp_status reports(conv *x, const json_t *ev, json_t *made, cp_err *err)
{
    char ts[CP_RFC3339_MAX], pub[CP_RFC3339_MAX], id[CP_STIX_ID_MAX + 1], key[128];
    ts_of(json_object_get(ev, "timestamp"), 0, ts);
    ts_of(json_object_get(ev, "publish_timestamp"), x->event_secs, pub);
    const char *info = json_string_value(json_object_get(ev, "info"));
    if (!info || !*info) info = "MISP event";
    size_t n = json_array_size(made), parts = (n + CP_MISP_REFS_MAX - 1) / CP_MISP_REFS_MAX;
    json_t *labels = labels_of_tags(json_object_get(ev, "Tag"));
    cp_status st = CP_OK;
    for (size_t part = 0; part < parts && !st; part++) {
        if (part == 0) snprintf(key, sizeof key, "%s", x->event_uuid);
        else snprintf(key, sizeof key, "%s#part%zu", x->event_uuid, part + 1);
        derived_id("report", key, id);
        json_t *refs = json_array();
        for (size_t i = part * CP_MISP_REFS_MAX; i < n && i < (part + 1) * CP_MISP_REFS_MAX; i++)
            json_array_append(refs, json_object_get(json_array_get(made, i), "id"));
        json_t *rep = sdo("report", id, ts, x->identity);
        if (parts == 1) {
            json_object_set_new(rep, "name", json_string(info));
        } else {
            char name[NAME_MAX_BYTES * 2];
            snprintf(name, sizeof name, "%.*s (part %zu of %zu)", (int)utf8_prefix(info, NAME_MAX_BYTES), info,
                     part + 1, parts);
            json_object_set_new(rep, "name", json_string(name));
        }
        json_object_set_new(rep, "published", json_string(pub));
        json_object_set_new(rep, "report_types", json_pack("[s]", "threat-report"));
        json_object_set_new(rep, "object_refs", refs);
        if (labels) json_object_set(rep, "labels", labels);
        json_t *ext = json_pack("[{ss ss}]", "source_name", "misp", "external_id", x->event_uuid);
        if (part == 0) json_array_extend(ext, x->links);
        json_object_set_new(rep, "external_references", ext);
        mark(rep, x->event_tlp);
        cp_err e = {{0}};
        if (cp_stix_validate(rep, NULL, &e) != CP_OK)
            st = cp_fail(err, CP_E_UNPROCESSABLE, "MISP event %s: its report is not valid STIX: %s", x->event_uuid, e.msg);
        else json_array_append(made, rep);
        json_decref(rep);
    }
    json_decref(labels);
    return st;
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
    conv x = {.out = made, .seen = json_object(), .links = json_array(), .stats = stats, .event_uuid = uuid};
    int64_t secs = 0;
    if (!epoch_of(json_object_get(ev, "timestamp"), &secs)) secs = 0;
    x.event_secs = secs;
    x.event_tlp = tlp_of_tags(json_object_get(ev, "Tag"));

    const json_t *orgc = json_object_get(ev, "Orgc");
    const char *org_uuid = json_string_value(json_object_get(orgc, "uuid"));
    const char *org_name = json_string_value(json_object_get(orgc, "name"));
    char identity[CP_STIX_ID_MAX + 1];
    derived_id("identity", org_uuid && strlen(org_uuid) <= 64 ? org_uuid : "unknown-organisation", identity);
    x.identity = identity;
    json_t *ident = json_pack("{ss ss ss ss ss ss ss}", "type", "identity", "spec_version", "2.1", "id", identity,
                              "created", IDENTITY_TS, "modified", IDENTITY_TS, "name",
                              org_name && *org_name ? org_name : "unknown MISP organisation", "identity_class",
                              "organization");
    mark(ident, CP_TLP_CLEAR);
    cp_err e = {{0}};
    cp_status st = CP_OK;
    if (cp_stix_validate(ident, NULL, &e) != CP_OK)
        st = cp_fail(err, CP_E_UNPROCESSABLE, "MISP event %s: its organisation (Orgc) is not a valid identity: %s", uuid,
                     e.msg);
    else emit(&x, ident);
    json_decref(ident);

    if (!st) st = attributes(&x, json_object_get(ev, "Attribute"), NULL, err);
    const json_t *objs = json_object_get(ev, "Object");
    if (!st && objs && !json_is_array(objs)) st = cp_fail(err, CP_E_UNPROCESSABLE, "MISP 'Object' is not a list");
    size_t i;
    json_t *o;
    if (!st) json_array_foreach(objs, i, o) {
        if (!json_is_object(o)) {
            st = cp_fail(err, CP_E_UNPROCESSABLE, "a MISP object is not an object");
            break;
        }
        if ((st = attributes(&x, json_object_get(o, "Attribute"), json_string_value(json_object_get(o, "name")), err)))
            break;
    }
    if (!st) st = reports(&x, ev, made, err);
    if (!st) json_array_extend(out, made);
    json_decref(made);
    json_decref(x.seen);
    json_decref(x.links);
    if (stats == &local) json_decref(local.skipped_types);
    return st;
}
