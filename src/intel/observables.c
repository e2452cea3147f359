/*
 * observables.c — canonical observables of STIX objects and of search
 * values (rules in observables.h).
 */
#include "intel/observables.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/net.h"

static const char *const KIND_NAMES[CP_OBS_KIND_COUNT_] = {"ip", "domain", "url", "md5", "sha1", "sha256", "sha512", "email"};

int64_t cp_obs_value_hash(cp_obs_kind kind, const char *value)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)cp_obs_kind_name(kind); *p; p++) h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ ':') * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return (int64_t)(h >> 1);
}

const char *cp_obs_kind_name(cp_obs_kind k)
{
    return (unsigned)k < CP_OBS_KIND_COUNT_ ? KIND_NAMES[k] : "?";
}

bool cp_obs_kind_parse(const char *s, cp_obs_kind *out)
{
    if (!s) return false;
    for (int i = 0; i < CP_OBS_KIND_COUNT_; i++)
        if (strcmp(s, KIND_NAMES[i]) == 0) {
            *out = (cp_obs_kind)i;
            return true;
        }
    return false;
}

/* ---- canonical forms ---- */

static int shown(size_t len) { return len > 80 ? 80 : (int)len; }

static void reset(cp_observable *o, cp_obs_kind kind)
{
    o->kind = kind;
    o->subdomains = false;
    o->value[0] = 0;
    o->ip_lo[0] = o->ip_hi[0] = 0;
}

static const uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* lenient: host bits beyond the prefix are cleared instead of refused. */
static cp_status make_ip(const char *s, size_t len, bool lenient, cp_observable *o, cp_err *err)
{
    reset(o, CP_OBS_IP);
    cp_cidr c;
    const char *slash = memchr(s, '/', len);
    cp_status st = cp_cidr_parse(s, len, &c, err);
    if (st && lenient && slash) {
        /* Host bits: parse the address alone, then apply the prefix. */
        size_t alen = (size_t)(slash - s), plen = len - alen - 1;
        if (cp_cidr_parse(s, alen, &c, NULL)) return st;
        int max = c.family == 4 ? 32 : 128, prefix = 0;
        if (plen == 0 || plen > 3 || (plen > 1 && slash[1] == '0')) return st;
        for (size_t i = 1; i <= plen; i++) {
            if (!isdigit((unsigned char)slash[i])) return st;
            prefix = prefix * 10 + (slash[i] - '0');
        }
        if (prefix > max) return st;
        c.prefix = (uint8_t)prefix;
        for (int i = 0; i < 16; i++) {
            int bits = prefix - 8 * i;
            c.addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        }
        st = CP_OK;
    }
    if (st) return st;
    if (c.family == 6 && c.prefix >= 96 && memcmp(c.addr, V4_MAPPED, 12) == 0) {
        uint8_t v4[4];
        memcpy(v4, c.addr + 12, 4);
        memset(c.addr, 0, 16);
        memcpy(c.addr, v4, 4);
        c.family = 4;
        c.prefix = (uint8_t)(c.prefix - 96);
    }
    char text[CP_CIDR_TEXT_MAX];
    cp_cidr_format(&c, text, sizeof text);
    if (c.prefix == (c.family == 4 ? 32 : 128)) *strrchr(text, '/') = 0;
    snprintf(o->value, sizeof o->value, "%s", text);
    cp_cidr_range_hex(&c, o->ip_lo, o->ip_hi);
    return CP_OK;
}

static cp_status make_domain(const char *s, size_t len, cp_observable *o, cp_err *err)
{
    reset(o, CP_OBS_DOMAIN);
    return cp_domain_normalize(s, len, o->value, sizeof o->value, err);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static cp_status make_hash(cp_obs_kind kind, const char *s, size_t len, cp_observable *o, cp_err *err)
{
    static const size_t want[] = {[CP_OBS_MD5] = 32, [CP_OBS_SHA1] = 40, [CP_OBS_SHA256] = 64, [CP_OBS_SHA512] = 128};
    reset(o, kind);
    if (len != want[kind])
        return cp_fail(err, CP_E_BAD_REQUEST, "an %s hash is %zu hex digits, not %zu", cp_obs_kind_name(kind), want[kind], len);
    for (size_t i = 0; i < len; i++) {
        if (hexval((unsigned char)s[i]) < 0)
            return cp_fail(err, CP_E_BAD_REQUEST, "%s hash '%.*s': '%c' is not a hex digit", cp_obs_kind_name(kind), shown(len), s,
                           isprint((unsigned char)s[i]) ? s[i] : '?');
        o->value[i] = (char)tolower((unsigned char)s[i]);
    }
    o->value[len] = 0;
    return CP_OK;
}

static cp_status make_email(const char *s, size_t len, cp_observable *o, cp_err *err)
{
    reset(o, CP_OBS_EMAIL);
    const char *at = NULL;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    if (!at) return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' is not an e-mail address (no '@')", shown(len), s);
    size_t llen = (size_t)(at - s);
    if (llen == 0 || llen > 64)
        return cp_fail(err, CP_E_BAD_REQUEST, "e-mail address '%.*s': the local part must be 1 to 64 bytes", shown(len), s);
    for (size_t i = 0; i < llen; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return cp_fail(err, CP_E_BAD_REQUEST, "e-mail address '%.*s': the local part has a space, control or non-ASCII byte",
                           shown(len), s);
    memcpy(o->value, s, llen);
    o->value[llen] = '@';
    cp_status st = cp_domain_normalize(at + 1, len - llen - 1, o->value + llen + 1, sizeof o->value - llen - 1, err);
    if (st) {
        o->value[0] = 0;
        return cp_fail_prefix(err, st, "e-mail address domain");
    }
    return CP_OK;
}

/* A growing output buffer over o->value. */
typedef struct {
    char *b;
    size_t n, cap;
    bool over;
} outbuf;

static void put(outbuf *w, char c)
{
    if (w->n + 1 >= w->cap) {
        w->over = true;
        return;
    }
    w->b[w->n++] = c;
}

static void put_escape(outbuf *w, unsigned char c)
{
    static const char HX[] = "0123456789ABCDEF";
    put(w, '%');
    put(w, HX[c >> 4]);
    put(w, HX[c & 15]);
}

static bool unreserved(unsigned char c) { return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

/* Copies s[0..len) with percent-encoding normalised; lower: lower-case
 * letters (a host). */
static void put_pct(outbuf *w, const char *s, size_t len, bool lower)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int h = -1;
            if (i + 2 < len) {
                int a = hexval((unsigned char)s[i + 1]), b = hexval((unsigned char)s[i + 2]);
                if (a >= 0 && b >= 0) h = a * 16 + b;
            }
            if (h < 0) {
                put_escape(w, '%'); /* a stray '%' */
            } else {
                if (unreserved((unsigned char)h))
                    put(w, lower ? (char)tolower(h) : (char)h);
                else
                    put_escape(w, (unsigned char)h);
                i += 2;
            }
        } else if (c <= 0x20 || c >= 0x7f) {
            put_escape(w, c);
        } else {
            put(w, lower ? (char)tolower(c) : (char)c);
        }
    }
}

static bool host_char(unsigned char c) { return unreserved(c) || c == '%' || strchr("!$&'()*+,;=", c); }

static cp_status make_url(const char *s, size_t len, cp_observable *o, cp_err *err)
{
    reset(o, CP_OBS_URL);
    size_t i = 0;
    if (len == 0 || !isalpha((unsigned char)s[0])) goto no_scheme;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) i++;
    if (i > 32 || i + 3 > len || memcmp(s + i, "://", 3) != 0) goto no_scheme;
    size_t scheme_len = i;
    char scheme[33];
    for (size_t k = 0; k < scheme_len; k++) scheme[k] = (char)tolower((unsigned char)s[k]);
    scheme[scheme_len] = 0;
    i += 3;
    size_t auth = i, auth_end = i;
    while (auth_end < len && s[auth_end] != '/' && s[auth_end] != '?' && s[auth_end] != '#') auth_end++;
    /* userinfo@ */
    size_t host = auth;
    for (size_t k = auth_end; k > auth; k--)
        if (s[k - 1] == '@') {
            host = k;
            break;
        }
    /* host and port */
    size_t host_end, port_at = 0;
    bool has_port = false;
    char v6[CP_CIDR_TEXT_MAX] = "";
    if (host < auth_end && s[host] == '[') {
        const char *close = memchr(s + host, ']', auth_end - host);
        if (!close) return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': '[' without ']' in the host", shown(len), s);
        cp_cidr c;
        size_t alen = (size_t)(close - s) - host - 1;
        if (alen == 0 || memchr(s + host + 1, '/', alen) || cp_cidr_parse(s + host + 1, alen, &c, NULL) || c.family != 6)
            return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': the host in brackets is not an IPv6 address", shown(len), s);
        cp_cidr_format(&c, v6, sizeof v6);
        *strrchr(v6, '/') = 0;
        host_end = (size_t)(close - s) + 1;
        if (host_end < auth_end) {
            if (s[host_end] != ':') return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': junk after the IPv6 host", shown(len), s);
            has_port = true;
            port_at = host_end + 1;
        }
    } else {
        host_end = auth_end;
        for (size_t k = host; k < auth_end; k++)
            if (s[k] == ':') {
                host_end = k;
                has_port = true;
                port_at = k + 1;
                break;
            }
        for (size_t k = host; k < host_end; k++)
            if (!host_char((unsigned char)s[k]))
                return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': the host has a character a host cannot have", shown(len), s);
    }
    /* The host, lower-cased, escapes normalised, trailing dots dropped (after
     * decoding, so that "%2e" counts as a dot). */
    char hbuf[CP_OBS_VALUE_MAX];
    outbuf hw = {hbuf, 0, sizeof hbuf, false};
    if (v6[0]) {
        put(&hw, '[');
        for (const char *p = v6; *p; p++) put(&hw, *p);
        put(&hw, ']');
    } else {
        put_pct(&hw, s + host, host_end - host, true);
        while (hw.n > 0 && hbuf[hw.n - 1] == '.') hw.n--;
    }
    if (hw.n == 0) return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s' has no host", shown(len), s);
    long port = -1;
    if (has_port) {
        size_t plen = auth_end - port_at;
        if (plen > 0) {
            port = 0;
            for (size_t k = port_at; k < auth_end; k++) {
                if (!isdigit((unsigned char)s[k]) || port > 65535)
                    return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': the port is not a number from 0 to 65535", shown(len), s);
                port = port * 10 + (s[k] - '0');
            }
            if (port > 65535)
                return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s': the port is not a number from 0 to 65535", shown(len), s);
        }
    }
    static const struct {
        const char *scheme;
        long port;
    } DEFAULTS[] = {{"http", 80}, {"https", 443}, {"ftp", 21}, {"ws", 80}, {"wss", 443}};
    for (size_t k = 0; k < sizeof DEFAULTS / sizeof DEFAULTS[0]; k++)
        if (port == DEFAULTS[k].port && strcmp(scheme, DEFAULTS[k].scheme) == 0) port = -1;

    outbuf w = {o->value, 0, sizeof o->value, false};
    for (size_t k = 0; k < scheme_len; k++) put(&w, scheme[k]);
    put(&w, ':');
    put(&w, '/');
    put(&w, '/');
    if (host > auth) { /* userinfo kept (escapes normalised) */
        put_pct(&w, s + auth, host - 1 - auth, false);
        put(&w, '@');
    }
    for (size_t k = 0; k < hw.n; k++) put(&w, hbuf[k]);
    if (hw.over) w.over = true;
    if (port >= 0) {
        char pt[24];
        snprintf(pt, sizeof pt, ":%ld", port);
        for (const char *p = pt; *p; p++) put(&w, *p);
    }
    if (auth_end == len || s[auth_end] != '/') put(&w, '/');
    put_pct(&w, s + auth_end, len - auth_end, false);
    if (w.over) {
        o->value[0] = 0;
        return cp_fail(err, CP_E_BAD_REQUEST, "URL '%.*s...' is longer than %d bytes", 60, s, CP_OBS_VALUE_MAX - 1);
    }
    o->value[w.n] = 0;
    return CP_OK;
no_scheme:
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' is not a URL (scheme://host...)", shown(len), s);
}

static cp_status make(cp_obs_kind kind, const char *s, size_t len, bool lenient, cp_observable *o, cp_err *err)
{
    if (len >= CP_OBS_VALUE_MAX) {
        reset(o, kind);
        return cp_fail(err, CP_E_BAD_REQUEST, "%s value is longer than %d bytes", cp_obs_kind_name(kind), CP_OBS_VALUE_MAX - 1);
    }
    switch (kind) {
    case CP_OBS_IP: return make_ip(s, len, lenient, o, err);
    case CP_OBS_DOMAIN: return make_domain(s, len, o, err);
    case CP_OBS_URL: return make_url(s, len, o, err);
    case CP_OBS_MD5:
    case CP_OBS_SHA1:
    case CP_OBS_SHA256:
    case CP_OBS_SHA512: return make_hash(kind, s, len, o, err);
    case CP_OBS_EMAIL: return make_email(s, len, o, err);
    }
    return cp_fail(err, CP_E_BAD_REQUEST, "unknown observable kind");
}

cp_status cp_observable_make(cp_obs_kind kind, const char *value, size_t len, cp_observable *out, cp_err *err)
{
    return make(kind, value, len, false, out, err);
}

cp_status cp_observable_make_lenient(cp_obs_kind kind, const char *value, size_t len, cp_observable *out, cp_err *err)
{
    return make(kind, value, len, true, out, err);
}

static bool all_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (hexval((unsigned char)s[i]) < 0) return false;
    return len > 0;
}

cp_status cp_observable_parse(const char *text, const char *kind, cp_observable *out, cp_err *err)
{
    reset(out, CP_OBS_DOMAIN);
    if (!text) return cp_fail(err, CP_E_BAD_REQUEST, "no value");
    size_t len = strlen(text);
    while (len && isspace((unsigned char)*text)) text++, len--;
    while (len && isspace((unsigned char)text[len - 1])) len--;
    if (len == 0) return cp_fail(err, CP_E_BAD_REQUEST, "empty value");
    if (kind && kind[0]) {
        cp_obs_kind k;
        if (!cp_obs_kind_parse(kind, &k))
            return cp_fail(err, CP_E_BAD_REQUEST, "unknown kind '%.40s' (ip, domain, url, md5, sha1, sha256, sha512, email)", kind);
        return make(k, text, len, false, out, err);
    }
    if (len >= CP_OBS_VALUE_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "value is longer than %d bytes", CP_OBS_VALUE_MAX - 1);
    if (memmem(text, len, "://", 3)) return make(CP_OBS_URL, text, len, false, out, err);
    if (memchr(text, '@', len)) return make(CP_OBS_EMAIL, text, len, false, out, err);
    if (all_hex(text, len)) {
        switch (len) {
        case 32: return make(CP_OBS_MD5, text, len, false, out, err);
        case 40: return make(CP_OBS_SHA1, text, len, false, out, err);
        case 64: return make(CP_OBS_SHA256, text, len, false, out, err);
        case 128: return make(CP_OBS_SHA512, text, len, false, out, err);
        default: break;
        }
    }
    /* An address or network: anything with ':' or only digits, dots and '/'. */
    bool ipish = memchr(text, ':', len) != NULL;
    if (!ipish) {
        ipish = true;
        for (size_t i = 0; i < len; i++)
            if (!isdigit((unsigned char)text[i]) && text[i] != '.' && text[i] != '/') ipish = false;
    }
    if (ipish) return make(CP_OBS_IP, text, len, false, out, err);
    if (make(CP_OBS_DOMAIN, text, len, false, out, NULL) == CP_OK) return CP_OK;
    reset(out, CP_OBS_DOMAIN);
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.*s' is not an IP address, network, domain, URL, hash or e-mail address", shown(len), text);
}

/* ---- walking objects ---- */

typedef struct {
    cp_obs_kind kind;
    bool subdomains;
    uint64_t hash;
    char *value;
} seen_t;

typedef struct {
    cp_obs_fn fn;
    void *ctx;
    bool dedup;
    bool stop;
    bool nomem;
    int count;
    seen_t *seen;
    int nseen;
} walker;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void emit(walker *w, const cp_observable *o)
{
    if (w->stop) return;
    if (w->dedup) {
        if (w->count >= CP_OBS_PER_OBJECT_MAX) {
            w->stop = true;
            return;
        }
        uint64_t h = fnv(o->value);
        for (int i = 0; i < w->nseen; i++)
            if (w->seen[i].hash == h && w->seen[i].kind == o->kind && w->seen[i].subdomains == o->subdomains &&
                strcmp(w->seen[i].value, o->value) == 0)
                return;
        if (!w->seen) {
            w->seen = malloc(CP_OBS_PER_OBJECT_MAX * sizeof *w->seen);
            if (!w->seen) {
                w->nomem = w->stop = true;
                return;
            }
        }
        char *copy = strdup(o->value);
        if (!copy) {
            w->nomem = w->stop = true;
            return;
        }
        w->seen[w->nseen++] = (seen_t){o->kind, o->subdomains, h, copy};
    }
    w->count++;
    if (w->fn(o, w->ctx)) w->stop = true;
}

static void try_emit(walker *w, cp_obs_kind kind, const char *s, size_t len, bool subdomains)
{
    cp_observable o;
    if (make(kind, s, len, true, &o, NULL)) return;
    o.subdomains = subdomains && kind == CP_OBS_DOMAIN;
    emit(w, &o);
}

/* Hash algorithm names: "MD5", "SHA-1", "sha256", "SHA_512"... */
static bool hash_kind(const char *algo, cp_obs_kind *k)
{
    char norm[16];
    size_t n = 0;
    for (const char *p = algo; *p; p++) {
        if (*p == '-' || *p == '_') continue;
        if (n + 1 >= sizeof norm) return false;
        norm[n++] = (char)toupper((unsigned char)*p);
    }
    norm[n] = 0;
    if (strcmp(norm, "MD5") == 0) *k = CP_OBS_MD5;
    else if (strcmp(norm, "SHA1") == 0) *k = CP_OBS_SHA1;
    else if (strcmp(norm, "SHA256") == 0) *k = CP_OBS_SHA256;
    else if (strcmp(norm, "SHA512") == 0) *k = CP_OBS_SHA512;
    else return false;
    return true;
}

static bool has_hashes(const char *type)
{
    return strcmp(type, "file") == 0 || strcmp(type, "artifact") == 0 || strcmp(type, "x509-certificate") == 0;
}

static void from_sco(walker *w, const json_t *obj)
{
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type) return;
    const json_t *v = json_object_get(obj, "value");
    int kind = -1;
    if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0) kind = CP_OBS_IP;
    else if (strcmp(type, "domain-name") == 0) kind = CP_OBS_DOMAIN;
    else if (strcmp(type, "url") == 0) kind = CP_OBS_URL;
    else if (strcmp(type, "email-addr") == 0) kind = CP_OBS_EMAIL;
    if (kind >= 0 && json_is_string(v)) try_emit(w, (cp_obs_kind)kind, json_string_value(v), json_string_length(v), false);
    if (has_hashes(type)) {
        const json_t *hashes = json_object_get(obj, "hashes");
        const char *algo;
        const json_t *hv;
        if (json_is_object(hashes)) json_object_foreach((json_t *)hashes, algo, hv)
            {
                cp_obs_kind hk;
                if (json_is_string(hv) && hash_kind(algo, &hk)) try_emit(w, hk, json_string_value(hv), json_string_length(hv), false);
            }
    }
}

/* What a comparison term's path stands for. */
enum { T_NONE = -1, T_IP_OR_DOMAIN = 100 };

static bool key_is(const cp_pat_step *s, const char *k) { return s->kind == CP_PAT_STEP_KEY && strcmp(s->key, k) == 0; }

static int term_target(const cp_pat_term *t)
{
    const char *ty = t->object_type;
    const cp_pat_step *st = t->steps;
    size_t n = t->nsteps;
    if (n == 1 && key_is(&st[0], "value")) {
        if (strcmp(ty, "ipv4-addr") == 0 || strcmp(ty, "ipv6-addr") == 0) return CP_OBS_IP;
        if (strcmp(ty, "domain-name") == 0) return CP_OBS_DOMAIN;
        if (strcmp(ty, "url") == 0) return CP_OBS_URL;
        if (strcmp(ty, "email-addr") == 0) return CP_OBS_EMAIL;
        return T_NONE;
    }
    cp_obs_kind hk;
    if (n == 2 && has_hashes(ty) && key_is(&st[0], "hashes") && st[1].kind == CP_PAT_STEP_KEY && hash_kind(st[1].key, &hk)) return hk;
    if (n == 2 && strcmp(ty, "network-traffic") == 0 && (key_is(&st[0], "src_ref") || key_is(&st[0], "dst_ref")) &&
        key_is(&st[1], "value"))
        return T_IP_OR_DOMAIN;
    if (strcmp(ty, "email-message") == 0) {
        if (n == 2 && (key_is(&st[0], "from_ref") || key_is(&st[0], "sender_ref")) && key_is(&st[1], "value")) return CP_OBS_EMAIL;
        if (n == 3 && (key_is(&st[0], "to_refs") || key_is(&st[0], "cc_refs") || key_is(&st[0], "bcc_refs")) &&
            st[1].kind != CP_PAT_STEP_KEY && key_is(&st[2], "value"))
            return CP_OBS_EMAIL;
    }
    return T_NONE;
}

static void term_value(walker *w, int target, const char *s, size_t len, bool subdomains)
{
    if (target == T_IP_OR_DOMAIN) {
        cp_observable o;
        if (make(CP_OBS_IP, s, len, true, &o, NULL) == CP_OK) emit(w, &o);
        else try_emit(w, CP_OBS_DOMAIN, s, len, false);
        return;
    }
    try_emit(w, (cp_obs_kind)target, s, len, subdomains);
}

static void from_term(walker *w, const cp_pat_term *t)
{
    if (t->negated) return;
    int target = term_target(t);
    if (target == T_NONE) return;
    const cp_pat_literal *v = &t->value;
    switch (t->op) {
    case CP_PAT_OP_EQ:
        if (v->kind == CP_PAT_LIT_STRING) term_value(w, target, v->text, v->text_len, false);
        break;
    case CP_PAT_OP_IN:
        for (size_t i = 0; i < v->nitems && !w->stop; i++)
            if (v->items[i].kind == CP_PAT_LIT_STRING) term_value(w, target, v->items[i].text, v->items[i].text_len, false);
        break;
    case CP_PAT_OP_ISSUBSET:
        if (v->kind == CP_PAT_LIT_STRING && (target == CP_OBS_IP || target == T_IP_OR_DOMAIN))
            try_emit(w, CP_OBS_IP, v->text, v->text_len, false);
        break;
    case CP_PAT_OP_LIKE:
        if (v->kind != CP_PAT_LIT_STRING) break;
        if (target == CP_OBS_DOMAIN && v->text_len > 2 && v->text[0] == '%' && v->text[1] == '.' &&
            !memchr(v->text + 2, '%', v->text_len - 2) && !memchr(v->text + 2, '_', v->text_len - 2))
            try_emit(w, CP_OBS_DOMAIN, v->text + 2, v->text_len - 2, true);
        else if (!memchr(v->text, '%', v->text_len) && !memchr(v->text, '_', v->text_len))
            term_value(w, target, v->text, v->text_len, false);
        break;
    default: break;
    }
}

static void from_pattern(walker *w, const char *text, size_t len)
{
    cp_pattern *p = NULL;
    if (cp_pattern_parse(text, len, &p, NULL)) return;
    size_t n = cp_pattern_observations(p);
    for (size_t i = 0; i < n && !w->stop; i++) {
        const cp_pat_obs *o = cp_pattern_observation(p, i);
        for (size_t j = 0; j < o->nterms && !w->stop; j++) from_term(w, o->terms[j]);
    }
    cp_pattern_free(p);
}

int cp_observables_of_object(const json_t *obj, cp_obs_fn fn, void *ctx)
{
    if (!json_is_object(obj)) return 0;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type) return 0;
    walker w = {.fn = fn, .ctx = ctx, .dedup = true};
    if (strcmp(type, "indicator") == 0) {
        const json_t *pt = json_object_get(obj, "pattern_type");
        const json_t *pat = json_object_get(obj, "pattern");
        if ((!pt || (json_is_string(pt) && strcmp(json_string_value(pt), "stix") == 0)) && json_is_string(pat))
            from_pattern(&w, json_string_value(pat), json_string_length(pat));
    } else if (strcmp(type, "observed-data") == 0) {
        const json_t *objs = json_object_get(obj, "objects");
        const char *key;
        const json_t *sub;
        if (json_is_object(objs)) json_object_foreach((json_t *)objs, key, sub)
            {
                if (w.stop) break;
                if (json_is_object(sub)) from_sco(&w, sub);
            }
    } else {
        from_sco(&w, obj);
    }
    for (int i = 0; i < w.nseen; i++) free(w.seen[i].value);
    free(w.seen);
    return w.nomem ? -1 : w.count;
}

int cp_observables_of_term(const cp_pat_term *t, cp_obs_fn fn, void *ctx)
{
    walker w = {.fn = fn, .ctx = ctx, .dedup = false};
    from_term(&w, t);
    return w.count;
}
