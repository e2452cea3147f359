/*
 * events_parse.c — strict parsing of an events batch (events.h): the body's
 * shape is a 400; each event's problems are collected, with the event's index
 * and the field, into one 422 for the whole batch.
 *
 * Two readings share the field checks: the streaming scanner
 * (events_fast.c), tried first, which takes a batch only when it can read
 * all of it exactly and every event is valid; and the reference reading over
 * a Jansson tree, which takes everything else and produces the errors.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/jsonspan.h"
#include "base/net.h"
#include "base/timeutil.h"
#include "intel/tlp.h"
#include "warning/events.h"
#include "warning/events_internal.h"
#include "warning/rsit.h"

/* A field's value, from a Jansson tree (the reference path) or from the
 * streaming parser (events_fast.c): what the checks below read. */
typedef cp_ev_val val;

static val of_json(const json_t *v)
{
    val x = {0};
    if (json_is_string(v)) {
        x.kind = CP_EV_STRING;
        x.s = json_string_value(v);
        x.len = json_string_length(v);
    } else if (json_is_integer(v)) {
        x.kind = CP_EV_INT;
        x.i = json_integer_value(v);
    } else if (json_is_object(v)) {
        x.kind = CP_EV_OBJECT;
        x.obj = v;
    }
    return x;
}

typedef struct {
    json_t *errors;
    size_t n_errors;   /* all of them, listed or not */
    size_t index;
    bool bad;          /* the current event has an error */
} collector;

/* Makes s valid UTF-8 in place: a message quotes the input cut at a byte
 * count, which may split a character (Jansson refuses such a string, and
 * the error would be lost); every byte of a broken sequence becomes '?'. */
static void utf8_clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = 0;
        unsigned char c = p[0], lo = 0x80, hi = 0xbf;
        if (c < 0x80) n = 1;
        else if (c >= 0xc2 && c <= 0xdf) n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        }
        bool ok = n > 0;
        for (size_t i = 1; ok && i < n; i++) ok = p[i] >= (i == 1 ? lo : 0x80) && p[i] <= (i == 1 ? hi : 0xbf);
        if (!ok) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

static void add_error(collector *k, const char *field, const char *fmt, ...)
{
    k->bad = true;
    k->n_errors++;
    if (!k->errors || json_array_size(k->errors) >= CP_EVENTS_ERRORS_MAX) return; /* (the scanner: none kept) */
    char msg[384], f[80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(f, sizeof f, "%s", field ? field : "");
    utf8_clean(msg);
    utf8_clean(f);
    json_array_append_new(k->errors,
                          json_pack("{sI ss ss}", "index", (json_int_t)k->index, "field", f, "message", msg));
}

/* The string value of v, or an error naming the field. */
static const char *want_string(collector *k, const char *field, const val *v, size_t max, size_t *len)
{
    if (v->kind != CP_EV_STRING) {
        add_error(k, field, "must be a string");
        return NULL;
    }
    *len = v->len;
    const char *s = v->s;
    if (*len > max) {
        add_error(k, field, "is %zu bytes long; at most %zu", *len, max);
        return NULL;
    }
    if (memchr(s, 0, *len)) {
        add_error(k, field, "must not contain NUL");
        return NULL;
    }
    return s;
}

static void to_space(const cp_cidr *c, uint8_t out[16], bool *v4)
{
    memset(out, 0, 16);
    if (c->family == 4) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, c->addr, 4);
        *v4 = true;
    } else {
        memcpy(out, c->addr, 16);
        *v4 = memcmp(c->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
    }
}

/* Canonical text of an address of the 128-bit space: dotted IPv4 for
 * ::ffff:0:0/96 (so "::ffff:192.0.2.1" and "192.0.2.1" are one address). */
static void space_text(const uint8_t a[16], bool v4, char *buf, size_t cap)
{
    cp_cidr c;
    memset(&c, 0, sizeof c);
    if (v4) {
        c.family = 4;
        memcpy(c.addr, a + 12, 4);
        c.prefix = 32;
    } else {
        c.family = 6;
        memcpy(c.addr, a, 16);
        c.prefix = 128;
    }
    char t[CP_CIDR_TEXT_MAX];
    cp_cidr_format(&c, t, sizeof t);
    char *slash = strchr(t, '/');
    if (slash) *slash = 0;
    snprintf(buf, cap, "%s", t);
}

static bool parse_ip(collector *k, const char *field, const val *v, uint8_t out[16], bool *v4, char *text,
                     size_t cap)
{
    size_t len;
    const char *s = want_string(k, field, v, 64, &len);
    if (!s) return false;
    if (memchr(s, '/', len)) {
        add_error(k, field, "must be one address, not a range ('%.64s')", s);
        return false;
    }
    cp_cidr c;
    cp_err e = {{0}};
    if (cp_cidr_parse(s, len, &c, &e)) {
        add_error(k, field, "%s", e.msg);
        return false;
    }
    to_space(&c, out, v4);
    space_text(out, *v4, text, cap);
    return true;
}

static void parse_port(collector *k, const char *field, const val *v, int *out)
{
    if (v->kind != CP_EV_INT || v->i < 0 || v->i > 65535) {
        add_error(k, field, "must be an integer from 0 to 65535");
        return;
    }
    *out = (int)v->i;
}

static void parse_asn(collector *k, const char *field, const val *v, uint32_t *out)
{
    if (v->kind == CP_EV_INT) {
        int64_t n = v->i;
        if (n < 1 || n > 4294967295LL) {
            add_error(k, field, "must be an AS number from 1 to 4294967295");
            return;
        }
        *out = (uint32_t)n;
        return;
    }
    size_t len;
    const char *s = want_string(k, field, v, 32, &len);
    if (!s) return;
    cp_err e = {{0}};
    if (cp_asn_parse(s, len, out, &e)) add_error(k, field, "%s", e.msg);
}

static const char *const PROTOS[] = {"tcp", "udp", "icmp", "ipv6-icmp", "sctp", "gre", "esp", "ah", "other"};

static void parse_proto(collector *k, const val *v, const char **out)
{
    size_t len;
    const char *s = want_string(k, "proto", v, 16, &len);
    if (!s) return;
    for (size_t i = 0; i < sizeof PROTOS / sizeof PROTOS[0]; i++)
        if (strcmp(s, PROTOS[i]) == 0) {
            *out = PROTOS[i];
            return;
        }
    add_error(k, "proto", "must be one of tcp, udp, icmp, ipv6-icmp, sctp, gre, esp, ah, other (not '%.16s')", s);
}

static bool domain_of(collector *k, const char *field, const char *s, size_t len, char *out, size_t cap)
{
    cp_err e = {{0}};
    if (cp_domain_normalize(s, len, out, cap, &e)) {
        add_error(k, field, "%s", e.msg);
        return false;
    }
    return true;
}

/* scheme "://" [userinfo "@"] host [":" port] [path...]: the host is kept for
 * routing (a name, or an address in brackets or dotted). */
static void parse_url(collector *k, const val *v, cp_event *ev)
{
    size_t len;
    const char *s = want_string(k, "url", v, 4096, &len);
    if (!s) return;
    size_t i = 0;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) i++;
    if (i == 0 || !isalpha((unsigned char)s[0]) || len - i < 3 || memcmp(s + i, "://", 3) != 0) {
        add_error(k, "url", "must be an absolute URL (scheme://host/...)");
        return;
    }
    for (size_t j = 0; j < len; j++)
        if ((unsigned char)s[j] <= 0x20 || s[j] == 0x7f) {
            add_error(k, "url", "must not contain spaces or control characters (percent-encode them)");
            return;
        }
    const char *auth = s + i + 3, *end = s + len;
    const char *stop = auth;
    while (stop < end && *stop != '/' && *stop != '?' && *stop != '#') stop++;
    const char *at = NULL;
    for (const char *p = auth; p < stop; p++)
        if (*p == '@') at = p;
    const char *host = at ? at + 1 : auth;
    const char *host_end;
    if (host < stop && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(stop - host));
        if (!close) {
            add_error(k, "url", "has an unclosed '[' in its host");
            return;
        }
        host_end = close + 1;
        cp_cidr c;
        cp_err e = {{0}};
        if (cp_cidr_parse(host + 1, (size_t)(close - host - 1), &c, &e) || c.family != 6) {
            add_error(k, "url", "host: %s", e.msg[0] ? e.msg : "not an IPv6 address");
            return;
        }
        bool v4;
        to_space(&c, ev->url_ip, &v4);
        ev->url_host_ip = true;
        space_text(ev->url_ip, v4, ev->url_host, sizeof ev->url_host);
    } else {
        host_end = host;
        while (host_end < stop && *host_end != ':') host_end++;
        size_t hl = (size_t)(host_end - host);
        if (!hl) {
            add_error(k, "url", "has no host");
            return;
        }
        bool dotted = true;
        for (size_t j = 0; j < hl; j++) dotted &= isdigit((unsigned char)host[j]) || host[j] == '.';
        cp_cidr c;
        cp_err e = {{0}};
        if (dotted && !cp_cidr_parse(host, hl, &c, &e) && c.family == 4) {
            bool v4;
            to_space(&c, ev->url_ip, &v4);
            ev->url_host_ip = true;
            space_text(ev->url_ip, v4, ev->url_host, sizeof ev->url_host);
        } else if (!domain_of(k, "url", host, hl, ev->url_host, sizeof ev->url_host)) {
            return;
        }
    }
    if (host_end < stop && *host_end == ':') {
        const char *p = host_end + 1;
        long port = 0;
        if (p == stop) port = -1;
        for (; p < stop && port >= 0; p++) /* stops at the first non-digit or past 65535 */
            port = isdigit((unsigned char)*p) && port <= 65535 ? port * 10 + (*p - '0') : -1;
        if (port < 0 || port > 65535) {
            add_error(k, "url", "has a bad port");
            ev->url_host[0] = 0;
            ev->url_host_ip = false;
            return;
        }
    } else if (host_end != stop) {
        add_error(k, "url", "has a bad host");
        ev->url_host[0] = 0;
        ev->url_host_ip = false;
        return;
    }
    ev->url = s;
}

static void parse_email(collector *k, const val *v, cp_event *ev)
{
    size_t len;
    const char *s = want_string(k, "email", v, 254, &len);
    if (!s) return;
    const char *at = memchr(s, '@', len);
    if (!at || at == s || (size_t)(at - s) > 64 || memchr(at + 1, '@', len - (size_t)(at - s) - 1)) {
        add_error(k, "email", "must be local@domain with a local part of 1 to 64 bytes");
        return;
    }
    for (const char *p = s; p < at; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
            add_error(k, "email", "must not contain spaces or control characters");
            return;
        }
    char dom[256];
    if (!domain_of(k, "email", at + 1, len - (size_t)(at - s) - 1, dom, sizeof dom)) return;
    size_t ll = (size_t)(at - s);
    snprintf(ev->email, sizeof ev->email, "%.*s@%s", (int)ll, s, dom);
    ev->email_domain = ev->email + ll + 1;
}

static void parse_hashes(collector *k, const val *v, cp_event *ev)
{
    size_t members = v->kind != CP_EV_OBJECT ? 0 : v->obj ? json_object_size(v->obj) : v->n_pairs;
    if (!members) {
        add_error(k, "hashes", "must be an object with one or more of md5, sha1, sha256, sha512");
        return;
    }
    static const struct {
        const char *name;
        size_t hex;
        size_t off;
    } H[] = {{"md5", 32, 0}, {"sha1", 40, 33}, {"sha256", 64, 33 + 41}, {"sha512", 128, 33 + 41 + 65}};
    const char *key;
    json_t *hj;
    void *it = v->obj ? json_object_iter((json_t *)v->obj) : NULL;
    for (size_t m = 0; m < members; m++) {
        val hv;
        if (v->obj) {
            key = json_object_iter_key(it);
            hj = json_object_iter_value(it);
            it = json_object_iter_next((json_t *)v->obj, it);
            hv = of_json(hj);
        } else {
            key = v->pairs[m].key;
            hv = v->pairs[m].v;
        }
        const val *h = &hv;
        size_t which = 4;
        for (size_t i = 0; i < 4; i++)
            if (strcmp(key, H[i].name) == 0) which = i;
        char field[48];
        snprintf(field, sizeof field, "hashes.%.24s", key);
        if (which == 4) {
            add_error(k, field, "unknown hash (md5, sha1, sha256 or sha512)");
            continue;
        }
        size_t len;
        const char *s = want_string(k, field, h, 128, &len);
        if (!s) continue;
        bool hex = len == H[which].hex;
        for (size_t i = 0; hex && i < len; i++) hex = isxdigit((unsigned char)s[i]) != 0;
        if (!hex) {
            add_error(k, field, "must be %zu hexadecimal digits", H[which].hex);
            continue;
        }
        char *dst = ev->hash_buf + H[which].off;
        for (size_t i = 0; i < len; i++) dst[i] = (char)tolower((unsigned char)s[i]);
        dst[len] = 0;
        if (which == 0) ev->md5 = dst;
        else if (which == 1) ev->sha1 = dst;
        else if (which == 2) ev->sha256 = dst;
        else ev->sha512 = dst;
    }
}

static void parse_time(collector *k, const val *v, int64_t now_ms, int64_t *out)
{
    size_t len;
    const char *s = want_string(k, "time", v, 64, &len);
    if (!s) return;
    cp_err e = {{0}};
    if (!memchr(s, 'T', len) && !memchr(s, 't', len)) {
        add_error(k, "time", "must be an RFC 3339 timestamp with a time of day (2026-11-28T13:11:31Z)");
        return;
    }
    if (cp_rfc3339_parse(s, out, &e)) {
        add_error(k, "time", "%s", e.msg);
        return;
    }
    if (*out > now_ms + CP_EVENT_FUTURE_MS) add_error(k, "time", "is more than 5 minutes in the future");
    else if (*out < now_ms - CP_EVENT_PAST_MS) add_error(k, "time", "is more than 30 days old");
}

typedef struct {
    bool has_time, src_key, dst_key;
} seen_keys;

static void event_init(cp_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->src_port = ev->dst_port = -1;
    ev->classification = CP_RSIT_DEFAULT;
    ev->tlp = CP_TLP_NONE;
}

static void parse_field(collector *k, const char *key, const val *vp, int64_t now_ms, cp_event *ev, seen_keys *sk)
{
    const val *v = vp;
    size_t len;
    if (strcmp(key, "time") == 0) {
        sk->has_time = true;
        parse_time(k, v, now_ms, &ev->time_ms);
    } else if (strcmp(key, "src_ip") == 0) {
        sk->src_key = true;
        ev->has_src = parse_ip(k, key, v, ev->src, &ev->src_v4, ev->src_text, sizeof ev->src_text);
    } else if (strcmp(key, "dst_ip") == 0) {
        sk->dst_key = true;
        ev->has_dst = parse_ip(k, key, v, ev->dst, &ev->dst_v4, ev->dst_text, sizeof ev->dst_text);
    } else if (strcmp(key, "src_port") == 0) {
        parse_port(k, key, v, &ev->src_port);
    } else if (strcmp(key, "dst_port") == 0) {
        parse_port(k, key, v, &ev->dst_port);
    } else if (strcmp(key, "src_asn") == 0) {
        parse_asn(k, key, v, &ev->src_asn);
    } else if (strcmp(key, "dst_asn") == 0) {
        parse_asn(k, key, v, &ev->dst_asn);
    } else if (strcmp(key, "proto") == 0) {
        parse_proto(k, v, &ev->proto);
    } else if (strcmp(key, "domain") == 0) {
        const char *s = want_string(k, key, v, 300, &len);
        if (s) domain_of(k, key, s, len, ev->domain, sizeof ev->domain);
    } else if (strcmp(key, "url") == 0) {
        parse_url(k, v, ev);
    } else if (strcmp(key, "hashes") == 0) {
        parse_hashes(k, v, ev);
    } else if (strcmp(key, "email") == 0) {
        parse_email(k, v, ev);
    } else if (strcmp(key, "classification") == 0) {
        const char *s = want_string(k, key, v, 128, &len);
        const char *c = s ? cp_rsit_find(s, len) : NULL;
        if (c) ev->classification = c;
        else if (s) add_error(k, key, "'%.128s' is not an RSIT class/type (e.g. malicious-code/c2-server)", s);
    } else if (strcmp(key, "affected") == 0) {
        const char *s = want_string(k, key, v, 8, &len);
        if (s && strcmp(s, "src") == 0) ev->affected = CP_AFFECTED_SRC;
        else if (s && strcmp(s, "dst") == 0) ev->affected = CP_AFFECTED_DST;
        else if (s && strcmp(s, "any") == 0) ev->affected = CP_AFFECTED_ANY;
        else if (s) add_error(k, key, "must be src, dst or any");
    } else if (strcmp(key, "tlp") == 0) {
        const char *s = want_string(k, key, v, 32, &len);
        cp_tlp t = CP_TLP_NONE;
        cp_err e = {{0}};
        if (s && cp_tlp_parse(s, &t, &e)) add_error(k, key, "%s", e.msg);
        else if (s) ev->tlp = (int)t;
    } else if (strcmp(key, "source") == 0) {
        ev->source = want_string(k, key, v, 128, &len);
    } else if (strcmp(key, "description") == 0) {
        ev->description = want_string(k, key, v, 1024, &len);
    } else {
        char f[72];
        snprintf(f, sizeof f, "%.64s", key);
        add_error(k, f, "unknown field (allowed: time, src_ip, dst_ip, src_port, dst_port, proto, src_asn, "
                        "dst_asn, domain, url, hashes, email, classification, affected, tlp, source, description)");
    }
}

static void finish_event(collector *k, cp_event *ev, const seen_keys *sk)
{
    if (!sk->has_time) add_error(k, "time", "is required");
    bool any = ev->has_src || ev->has_dst || ev->domain[0] || ev->url || ev->email_domain || ev->md5 || ev->sha1 ||
               ev->sha256 || ev->sha512;
    if (!any && !k->bad) add_error(k, NULL, "needs at least one of src_ip, dst_ip, domain, url, email, hashes");
    if (ev->affected == CP_AFFECTED_SRC && !ev->has_src && !k->bad) add_error(k, "affected", "is src but the event has no src_ip");
    if (ev->affected == CP_AFFECTED_DST && !ev->has_dst && !k->bad) add_error(k, "affected", "is dst but the event has no dst_ip");
    if (ev->src_asn && !sk->src_key && !k->bad) add_error(k, "src_asn", "is given without src_ip");
    if (ev->dst_asn && !sk->dst_key && !k->bad) add_error(k, "dst_asn", "is given without dst_ip");
}

static void parse_event(collector *k, const json_t *o, int64_t now_ms, cp_event *ev)
{
    event_init(ev);
    if (!json_is_object(o)) {
        add_error(k, NULL, "must be a JSON object");
        return;
    }
    seen_keys sk = {0};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        val x = of_json(v);
        parse_field(k, key, &x, now_ms, ev, &sk);
    }
    finish_event(k, ev, &sk);
}

/* --- the streaming path (events_fast.c): a batch every event of which is
 * valid, read without a tree; anything else goes to Jansson below --- */

typedef struct {
    cp_event_batch *b;
    size_t cap;
    int64_t now_ms;
} fast_ctx;

static bool fast_event(void *vctx, const cp_ev_pair *pairs, size_t n, const char *raw, size_t raw_len)
{
    fast_ctx *x = vctx;
    cp_event_batch *b = x->b;
    if (b->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        cp_event *ev = realloc(b->ev, cap * sizeof *ev);
        if (!ev) return false;
        b->ev = ev;
        x->cap = cap;
    }
    cp_event *ev = &b->ev[b->n];
    event_init(ev);
    collector k = {0}; /* no error list: an error sends the batch to the reference path */
    seen_keys sk = {0};
    for (size_t i = 0; i < n && !k.bad; i++) parse_field(&k, pairs[i].key, &pairs[i].v, x->now_ms, ev, &sk);
    if (!k.bad) finish_event(&k, ev, &sk);
    if (k.bad) return false;
    ev->raw = raw;
    ev->raw_len = raw_len;
    b->n++;
    return true;
}

static bool parse_fast(const char *body, size_t len, size_t max_events, size_t max_depth, int64_t now_ms,
                       cp_event_batch *out)
{
    if (max_depth < 4 || !len) return false; /* the scanner's shapes nest 4 deep */
    out->arena = malloc(len + 1);
    if (!out->arena) return false;
    fast_ctx x = {out, 0, now_ms};
    if (cp_events_scan(body, len, max_events, out->arena, fast_event, &x)) return true;
    free(out->arena);
    free(out->ev);
    memset(out, 0, sizeof *out);
    return false;
}

void cp_event_batch_free(cp_event_batch *b)
{
    json_decref(b->root);
    free(b->arena);
    free(b->ev);
    memset(b, 0, sizeof *b);
}

cp_status cp_events_parse(const char *body, size_t len, size_t max_events, size_t max_depth, int64_t now_ms,
                          cp_event_batch *out, json_t **errors, cp_err *err)
{
    memset(out, 0, sizeof *out);
    *errors = NULL;
    if (parse_fast(body, len, max_events, max_depth, now_ms, out)) return CP_OK;
    return cp_events_parse_tree(body, len, max_events, max_depth, now_ms, out, errors, err);
}

cp_status cp_events_parse_tree(const char *body, size_t len, size_t max_events, size_t max_depth, int64_t now_ms,
                               cp_event_batch *out, json_t **errors, cp_err *err)
{
    memset(out, 0, sizeof *out);
    *errors = NULL;
    json_t *root;
    cp_status st = cp_json_parse(body, len, max_depth, &root, err);
    if (st) return st;
    if (!json_is_object(root)) {
        json_decref(root);
        return cp_fail(err, CP_E_BAD_REQUEST, "the body must be a JSON object {\"events\": [...]}");
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "events") != 0) {
            cp_fail(err, CP_E_BAD_REQUEST, "unknown field '%.64s' in body (allowed: events)", key);
            json_decref(root);
            return CP_E_BAD_REQUEST;
        }
    }
    json_t *arr = json_object_get(root, "events");
    if (!json_is_array(arr)) {
        json_decref(root);
        return cp_fail(err, CP_E_BAD_REQUEST, "body.events must be an array of events");
    }
    size_t n = json_array_size(arr);
    if (n == 0 || n > max_events) {
        json_decref(root);
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.events has %zu events; a batch holds 1 to %zu", n, max_events);
    }
    out->root = root;
    out->n = n;
    out->ev = calloc(n, sizeof *out->ev);
    if (!out->ev) {
        cp_event_batch_free(out);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    cp_span *spans = NULL;
    size_t n_spans = 0;
    if ((st = cp_json_array_spans(body, len, "events", &spans, &n_spans, err)) || n_spans != n) {
        free(spans);
        cp_event_batch_free(out);
        return st ? st : cp_fail(err, CP_E_INTERNAL, "events: %zu spans for %zu events", n_spans, n);
    }
    collector k = {.errors = json_array()};
    size_t bad_events = 0;
    for (size_t i = 0; i < n; i++) {
        k.index = i;
        k.bad = false;
        parse_event(&k, json_array_get(arr, i), now_ms, &out->ev[i]);
        out->ev[i].raw = body + spans[i].off;
        out->ev[i].raw_len = spans[i].len;
        bad_events += k.bad;
    }
    free(spans);
    if (k.n_errors) {
        cp_event_batch_free(out);
        *errors = k.errors;
        const json_t *first = json_array_get(k.errors, 0);
        return cp_fail(err, CP_E_UNPROCESSABLE,
                       "%zu of %zu events are invalid (%zu errors%s; nothing was stored); first: events[%lld].%s %s",
                       bad_events, n, k.n_errors, k.n_errors > CP_EVENTS_ERRORS_MAX ? ", the first 100 listed" : "",
                       (long long)json_integer_value(json_object_get(first, "index")),
                       json_string_value(json_object_get(first, "field")),
                       json_string_value(json_object_get(first, "message")));
    }
    json_decref(k.errors);
    return CP_OK;
}

json_t *cp_event_json(const cp_event *e)
{
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(e->time_ms, t);
    json_t *o = json_pack("{ss ss}", "time", t, "classification", e->classification);
    if (e->has_src) json_object_set_new(o, "src_ip", json_string(e->src_text));
    if (e->src_port >= 0) json_object_set_new(o, "src_port", json_integer(e->src_port));
    if (e->src_asn) json_object_set_new(o, "src_asn", json_integer(e->src_asn));
    if (e->has_dst) json_object_set_new(o, "dst_ip", json_string(e->dst_text));
    if (e->dst_port >= 0) json_object_set_new(o, "dst_port", json_integer(e->dst_port));
    if (e->dst_asn) json_object_set_new(o, "dst_asn", json_integer(e->dst_asn));
    if (e->proto) json_object_set_new(o, "proto", json_string(e->proto));
    if (e->domain[0]) json_object_set_new(o, "domain", json_string(e->domain));
    if (e->url) json_object_set_new(o, "url", json_string(e->url));
    if (e->email_domain) json_object_set_new(o, "email", json_string(e->email));
    if (e->md5 || e->sha1 || e->sha256 || e->sha512) {
        json_t *h = json_object();
        if (e->md5) json_object_set_new(h, "md5", json_string(e->md5));
        if (e->sha1) json_object_set_new(h, "sha1", json_string(e->sha1));
        if (e->sha256) json_object_set_new(h, "sha256", json_string(e->sha256));
        if (e->sha512) json_object_set_new(h, "sha512", json_string(e->sha512));
        json_object_set_new(o, "hashes", h);
    }
    if (e->affected != CP_AFFECTED_ANY)
        json_object_set_new(o, "affected", json_string(e->affected == CP_AFFECTED_SRC ? "src" : "dst"));
    if (e->tlp != CP_TLP_NONE) json_object_set_new(o, "tlp", json_string(cp_tlp_name((cp_tlp)e->tlp)));
    if (e->source) json_object_set_new(o, "source", json_string(e->source));
    if (e->description) json_object_set_new(o, "description", json_string(e->description));
    return o;
}
