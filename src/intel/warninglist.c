/*
 * warninglist.c — MISP warninglists loaded into immutable lookup
 * structures (rules in warninglist.h): merged sorted ranges for cidr lists,
 * hash sets for hostname and string lists, arrays for substring and regex.
 */
#include "intel/warninglist.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"

typedef enum { WL_CIDR, WL_HOSTNAME, WL_STRING, WL_SUBSTRING, WL_REGEX } wl_type;

typedef struct {
    uint64_t hi, lo;
} u128;

typedef struct {
    u128 lo, hi;
} range;

/* An open-addressing set of lower-case strings. */
typedef struct {
    char **slot;
    size_t cap, n; /* cap: a power of two, > 2n */
} strset;

typedef struct {
    char *name;
    wl_type type;
    unsigned kinds; /* bit per cp_obs_kind */
    range *ranges;  /* cidr: merged, sorted */
    size_t nranges;
    strset set;     /* hostname, string */
    char **subs;    /* substring */
    size_t nsubs;
    regex_t *res;   /* regex */
    size_t nres;
} wlist;

struct cp_warninglists {
    wlist *lists;
    size_t n, cap;
    size_t entries, skipped;
};

/* ---- small tools ---- */

static uint64_t hash_lower(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static bool set_add(strset *s, char *v) /* takes v; false: out of memory */
{
    if (2 * (s->n + 1) >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot) return false;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i]) continue;
            size_t j = hash_lower(s->slot[i], strlen(s->slot[i])) & (cap - 1);
            while (slot[j]) j = (j + 1) & (cap - 1);
            slot[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t j = hash_lower(v, strlen(v)) & (s->cap - 1);
    while (s->slot[j]) {
        if (strcmp(s->slot[j], v) == 0) { /* duplicate entry */
            free(v);
            return true;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = v;
    s->n++;
    return true;
}

/* Whether s[0..len) (compared lower-cased) is in the set. */
static bool set_has(const strset *s, const char *v, size_t len)
{
    if (!s->n) return false;
    size_t j = hash_lower(v, len) & (s->cap - 1);
    while (s->slot[j]) {
        if (strncasecmp(s->slot[j], v, len) == 0 && s->slot[j][len] == 0) return true;
        j = (j + 1) & (s->cap - 1);
    }
    return false;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->slot[i]);
    free(s->slot);
}

static char *lower_dup(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < len; i++) d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    d[len] = 0;
    return d;
}

static u128 parse_hex128(const char *h)
{
    u128 v = {0, 0};
    for (int i = 0; i < 32; i++) {
        int c = h[i], d = c <= '9' ? c - '0' : c - 'a' + 10;
        if (i < 16) v.hi = v.hi << 4 | (uint64_t)d;
        else v.lo = v.lo << 4 | (uint64_t)d;
    }
    return v;
}

static int cmp128(u128 a, u128 b)
{
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

static int cmp_range(const void *a, const void *b) { return cmp128(((const range *)a)->lo, ((const range *)b)->lo); }

/* Sorts and merges overlapping or adjacent ranges. */
static void merge_ranges(wlist *l)
{
    if (!l->nranges) return;
    qsort(l->ranges, l->nranges, sizeof *l->ranges, cmp_range);
    size_t o = 0;
    for (size_t i = 1; i < l->nranges; i++) {
        range *last = &l->ranges[o];
        u128 next = last->hi; /* hi + 1, saturating */
        bool top = next.hi == UINT64_MAX && next.lo == UINT64_MAX;
        if (!top) {
            next.lo++;
            if (next.lo == 0) next.hi++;
        }
        if (top || cmp128(l->ranges[i].lo, next) <= 0) {
            if (cmp128(l->ranges[i].hi, last->hi) > 0) last->hi = l->ranges[i].hi;
        } else {
            l->ranges[++o] = l->ranges[i];
        }
    }
    l->nranges = o + 1;
}

static bool ranges_contain(const wlist *l, u128 lo, u128 hi)
{
    size_t a = 0, b = l->nranges; /* find the last range with .lo <= lo */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (cmp128(l->ranges[m].lo, lo) <= 0) a = m + 1;
        else b = m;
    }
    if (a == 0) return false;
    return cmp128(l->ranges[a - 1].hi, hi) >= 0;
}

static void list_free(wlist *l)
{
    free(l->name);
    free(l->ranges);
    set_free(&l->set);
    for (size_t i = 0; i < l->nsubs; i++) free(l->subs[i]);
    free(l->subs);
    for (size_t i = 0; i < l->nres; i++) regfree(&l->res[i]);
    free(l->res);
}

/* ---- building ---- */

cp_warninglists *cp_warninglists_new(void) { return calloc(1, sizeof(cp_warninglists)); }

void cp_warninglists_free(cp_warninglists *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) list_free(&w->lists[i]);
    free(w->lists);
    free(w);
}

#define K(k) (1u << (k))
#define ALL_KINDS ((1u << CP_OBS_KIND_COUNT_) - 1)

static unsigned kinds_of_attribute(const char *t)
{
    static const struct {
        const char *type;
        unsigned kinds;
    } MAP[] = {
        {"ip-src", K(CP_OBS_IP)}, {"ip-dst", K(CP_OBS_IP)}, {"ip-src|port", K(CP_OBS_IP)}, {"ip-dst|port", K(CP_OBS_IP)},
        {"ip", K(CP_OBS_IP)}, {"domain|ip", K(CP_OBS_IP) | K(CP_OBS_DOMAIN)}, {"domain", K(CP_OBS_DOMAIN)},
        {"hostname", K(CP_OBS_DOMAIN)}, {"hostname|port", K(CP_OBS_DOMAIN)}, {"url", K(CP_OBS_URL)}, {"uri", K(CP_OBS_URL)},
        {"link", K(CP_OBS_URL)}, {"md5", K(CP_OBS_MD5)}, {"filename|md5", K(CP_OBS_MD5)}, {"sha1", K(CP_OBS_SHA1)},
        {"filename|sha1", K(CP_OBS_SHA1)}, {"sha256", K(CP_OBS_SHA256)}, {"filename|sha256", K(CP_OBS_SHA256)},
        {"sha512", K(CP_OBS_SHA512)}, {"filename|sha512", K(CP_OBS_SHA512)}, {"email", K(CP_OBS_EMAIL)},
        {"email-src", K(CP_OBS_EMAIL)}, {"email-dst", K(CP_OBS_EMAIL)}, {"target-email", K(CP_OBS_EMAIL)},
        {"email-reply-to", K(CP_OBS_EMAIL)}, {"whois-registrant-email", K(CP_OBS_EMAIL)},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (strcmp(t, MAP[i].type) == 0) return MAP[i].kinds;
    return 0;
}

/* The kinds a type can compare at all. */
static unsigned kinds_of_type(wl_type t)
{
    switch (t) {
    case WL_CIDR: return K(CP_OBS_IP);
    case WL_HOSTNAME: return K(CP_OBS_DOMAIN) | K(CP_OBS_URL) | K(CP_OBS_EMAIL);
    default: return ALL_KINDS;
    }
}

/* glibc's regcomp copies the tree of an expression for every '+' and every
 * counted repetition {n,m}, so nested ones multiply ("(a{255}){255}" or
 * "a++++++++++++++++++++++++" take gigabytes). The product of their factors
 * (2 for '+', m + 1 for {n,m}) times the length is bounded by 2^20, and a
 * quantifier directly after another (PCRE possessive/lazy, or stacking) is
 * refused. Back-references (a backslash and a digit) make matching
 * exponential: refused. */
static bool too_costly(const char *re)
{
    double cost = (double)strlen(re);
    bool after_quantifier = false;
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            if (p[1] >= '1' && p[1] <= '9') return true;
            p++;
            after_quantifier = false;
            continue;
        }
        bool counted = *p == '{' && p[1] >= '0' && p[1] <= '9';
        bool quantifier = counted || *p == '+' || *p == '*' || *p == '?';
        if (quantifier && after_quantifier) return true;
        if (*p == '+') cost *= 2;
        if (counted) {
            long most = 0;
            const char *q = p + 1;
            while (*q && *q != '}') {
                if (*q >= '0' && *q <= '9') {
                    char *end;
                    long v = strtol(q, &end, 10);
                    if (v > most) most = v;
                    if (most > 1000000) most = 1000000;
                    q = end;
                } else {
                    q++;
                }
            }
            cost *= (double)(most + 1);
            if (*q == '}') p = q;
        }
        if (cost > (double)(1 << 20)) return true;
        after_quantifier = quantifier;
    }
    return false;
}

/* PCRE constructs POSIX ERE would read differently or refuse. */
static bool pcre_only(const char *re)
{
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            if (strchr("dDwWsSbBAzZhHvVRKGQEpPX", p[1])) return true;
            p++;
            continue;
        }
        if (*p == '(' && p[1] == '?') return true;
        if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?' && p != re) return true;
    }
    return false;
}

static cp_status add_entry(cp_warninglists *w, wlist *l, const char *s, size_t len, cp_err *err)
{
    if (len == 0 || len > CP_WL_ENTRY_MAX || memchr(s, 0, len)) goto skip;
    switch (l->type) {
    case WL_CIDR: {
        cp_observable o;
        if (cp_observable_make_lenient(CP_OBS_IP, s, len, &o, NULL)) goto skip;
        range *r = realloc(l->ranges, (l->nranges + 1) * sizeof *r);
        if (!r) return cp_fail(err, CP_E_NOMEM, "out of memory");
        l->ranges = r;
        l->ranges[l->nranges++] = (range){parse_hex128(o.ip_lo), parse_hex128(o.ip_hi)};
        break;
    }
    case WL_HOSTNAME:
    case WL_STRING: {
        if (l->type == WL_HOSTNAME) {
            if (len >= 2 && s[0] == '*' && s[1] == '.') s += 2, len -= 2;
            else if (len >= 1 && s[0] == '.') s++, len--;
            if (len && s[len - 1] == '.') len--;
            if (len == 0 || memchr(s, ' ', len) || memchr(s, '/', len)) goto skip;
        }
        char *d = lower_dup(s, len);
        if (!d || !set_add(&l->set, d)) {
            free(d);
            return cp_fail(err, CP_E_NOMEM, "out of memory");
        }
        break;
    }
    case WL_SUBSTRING: {
        char **v = realloc(l->subs, (l->nsubs + 1) * sizeof *v);
        if (!v) return cp_fail(err, CP_E_NOMEM, "out of memory");
        l->subs = v;
        if (!(l->subs[l->nsubs] = lower_dup(s, len))) return cp_fail(err, CP_E_NOMEM, "out of memory");
        l->nsubs++;
        break;
    }
    case WL_REGEX: {
        char re[CP_WL_ENTRY_MAX + 1];
        int flags = REG_EXTENDED | REG_NOSUB;
        memcpy(re, s, len);
        re[len] = 0;
        char *body = re;
        if (re[0] == '/') { /* /.../flags */
            char *close = strrchr(re + 1, '/');
            if (!close) goto skip;
            for (const char *f = close + 1; *f; f++) {
                if (*f == 'i') flags |= REG_ICASE;
                else if (*f != 's' && *f != 'u' && *f != 'm' && *f != 'x') goto skip;
            }
            *close = 0;
            body = re + 1;
        }
        if (!*body || pcre_only(body) || too_costly(body)) goto skip;
        regex_t *v = realloc(l->res, (l->nres + 1) * sizeof *v);
        if (!v) return cp_fail(err, CP_E_NOMEM, "out of memory");
        l->res = v;
        if (regcomp(&l->res[l->nres], body, flags) != 0) goto skip;
        l->nres++;
        break;
    }
    }
    w->entries++;
    return CP_OK;
skip:
    w->skipped++;
    return CP_OK;
}

static cp_status add_list(cp_warninglists *w, const json_t *root, const char *source, cp_err *err)
{
    if (!json_is_object(root)) return cp_fail(err, CP_E_UNPROCESSABLE, "%s: a warninglist is a JSON object", source);
    const json_t *name = json_object_get(root, "name"), *type = json_object_get(root, "type"),
                 *list = json_object_get(root, "list"), *attrs = json_object_get(root, "matching_attributes");
    if (!json_is_string(name) || json_string_length(name) == 0 || json_string_length(name) > CP_WL_NAME_MAX ||
        strlen(json_string_value(name)) != json_string_length(name))
        return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"name\" must be a string of 1 to %d bytes", source, CP_WL_NAME_MAX);
    static const char *const TYPES[] = {"cidr", "hostname", "string", "substring", "regex"};
    int t = -1;
    for (int i = 0; i < 5; i++)
        if (json_is_string(type) && strcmp(json_string_value(type), TYPES[i]) == 0) t = i;
    if (t < 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"type\" must be one of cidr, hostname, string, substring, regex", source);
    if (!json_is_array(list)) return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"list\" must be an array of strings", source);
    if (attrs && !json_is_array(attrs))
        return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"matching_attributes\" must be an array of strings", source);
    if (w->n >= CP_WL_MAX_LISTS) return cp_fail(err, CP_E_TOO_LARGE, "%s: more than %d warninglists", source, CP_WL_MAX_LISTS);
    if (w->entries + json_array_size(list) > CP_WL_MAX_ENTRIES)
        return cp_fail(err, CP_E_TOO_LARGE, "%s: more than %d warninglist entries in all", source, CP_WL_MAX_ENTRIES);
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!json_is_string(json_array_get(list, i)))
            return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"list\"[%zu] is not a string", source, i);

    wlist l = {.type = (wl_type)t};
    unsigned kinds = 0;
    size_t nattrs = json_array_size(attrs);
    for (size_t i = 0; i < nattrs; i++) {
        const char *a = json_string_value(json_array_get(attrs, i));
        if (!a) return cp_fail(err, CP_E_UNPROCESSABLE, "%s: \"matching_attributes\"[%zu] is not a string", source, i);
        kinds |= kinds_of_attribute(a);
    }
    l.kinds = (nattrs ? kinds : ALL_KINDS) & kinds_of_type(l.type);
    if (!(l.name = strdup(json_string_value(name)))) return cp_fail(err, CP_E_NOMEM, "out of memory");
    size_t entries0 = w->entries, skipped0 = w->skipped;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        cp_status st = add_entry(w, &l, json_string_value(e), json_string_length(e), err);
        if (st) {
            list_free(&l);
            w->entries = entries0;
            w->skipped = skipped0;
            return st;
        }
    }
    merge_ranges(&l);
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        wlist *v = realloc(w->lists, cap * sizeof *v);
        if (!v) {
            list_free(&l);
            return cp_fail(err, CP_E_NOMEM, "out of memory");
        }
        w->lists = v;
        w->cap = cap;
    }
    w->lists[w->n++] = l;
    return CP_OK;
}

cp_status cp_warninglists_add_json(cp_warninglists *w, const char *text, size_t len, const char *source, cp_err *err)
{
    if (len > CP_WL_FILE_MAX) return cp_fail(err, CP_E_TOO_LARGE, "%s: larger than %zu bytes", source, CP_WL_FILE_MAX);
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) return cp_fail(err, CP_E_UNPROCESSABLE, "%s: not JSON (line %d: %s)", source, je.line, je.text);
    cp_status st = add_list(w, root, source, err);
    json_decref(root);
    return st;
}

/* ---- files and folders ---- */

static cp_status read_file(const char *path, char **out, size_t *len, cp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cp_fail(err, errno == ENOENT ? CP_E_NOT_FOUND : CP_E_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return cp_fail(err, CP_E_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)sb.st_size > CP_WL_FILE_MAX) {
        fclose(f);
        return cp_fail(err, CP_E_TOO_LARGE, "%s: larger than %zu bytes", path, CP_WL_FILE_MAX);
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    if (!buf) {
        fclose(f);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, (size_t)sb.st_size + 1, f);
    bool bad = ferror(f) || n > (size_t)sb.st_size;
    fclose(f);
    if (bad) {
        free(buf);
        return cp_fail(err, CP_E_IO, "%s: read failed or the file grew while read", path);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return CP_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* required: list.json or a file named on the command line. */
static cp_status load_file(cp_warninglists *w, const char *path, bool required, size_t *loaded, cp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    cp_status st = read_file(path, &text, &len, err);
    if (st) return st;
    if (!required) { /* another *.json: only when it looks like a warninglist */
        json_t *root = json_loadb(text, len, 0, NULL);
        bool looks = json_is_object(root) && json_object_get(root, "list") && json_object_get(root, "type");
        json_decref(root);
        if (!looks) {
            free(text);
            return CP_OK;
        }
    }
    st = cp_warninglists_add_json(w, text, len, path, err);
    free(text);
    if (!st) (*loaded)++;
    return st;
}

static int skip_dots(const struct dirent *e) { return e->d_name[0] != '.'; }

static cp_status load_dir(cp_warninglists *w, const char *path, int depth, size_t *loaded, cp_err *err)
{
    if (depth > CP_WL_MAX_DEPTH) return cp_fail(err, CP_E_UNPROCESSABLE, "%s: folders nested deeper than %d", path, CP_WL_MAX_DEPTH);
    struct dirent **names = NULL;
    int n = scandir(path, &names, skip_dots, alphasort);
    if (n < 0) return cp_fail(err, CP_E_IO, "%s: %s", path, strerror(errno));
    cp_status st = CP_OK;
    for (int i = 0; i < n; i++) {
        char sub[4096];
        if (!st) {
            if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name) >= sizeof sub) {
                st = cp_fail(err, CP_E_IO, "%s/%s: path too long", path, names[i]->d_name);
            } else {
                struct stat sb;
                if (stat(sub, &sb) != 0) st = cp_fail(err, CP_E_IO, "%s: %s", sub, strerror(errno));
                else if (S_ISDIR(sb.st_mode)) st = load_dir(w, sub, depth + 1, loaded, err);
                else if (S_ISREG(sb.st_mode) && strcmp(names[i]->d_name, "list.json") == 0) st = load_file(w, sub, true, loaded, err);
                else if (S_ISREG(sb.st_mode) && ends_with(names[i]->d_name, ".json")) st = load_file(w, sub, false, loaded, err);
            }
        }
        free(names[i]);
    }
    free(names);
    return st;
}

cp_status cp_warninglists_load(cp_warninglists *w, const char *path, cp_err *err)
{
    struct stat sb;
    if (!path || !path[0]) return cp_fail(err, CP_E_NOT_FOUND, "no warninglist path");
    if (stat(path, &sb) != 0) return cp_fail(err, errno == ENOENT ? CP_E_NOT_FOUND : CP_E_IO, "%s: %s", path, strerror(errno));
    size_t loaded = 0;
    if (!S_ISDIR(sb.st_mode)) return load_file(w, path, true, &loaded, err);
    cp_status st = load_dir(w, path, 0, &loaded, err);
    if (st) return st;
    if (!loaded) return cp_fail(err, CP_E_NOT_FOUND, "%s: no warninglist (list.json or *.json with \"list\" and \"type\") in this folder", path);
    return CP_OK;
}

size_t cp_warninglists_count(const cp_warninglists *w) { return w ? w->n : 0; }
size_t cp_warninglists_entries(const cp_warninglists *w) { return w ? w->entries : 0; }
size_t cp_warninglists_skipped(const cp_warninglists *w) { return w ? w->skipped : 0; }
const char *cp_warninglists_name(const cp_warninglists *w, size_t i) { return w && i < w->n ? w->lists[i].name : NULL; }

/* ---- matching ---- */

/* The host of a canonical URL: after "://" and any userinfo, up to the port
 * or the path; brackets of an IPv6 literal kept. */
static void url_host(const char *url, const char **h, size_t *len)
{
    const char *p = strstr(url, "://");
    *h = NULL;
    *len = 0;
    if (!p) return;
    p += 3;
    size_t auth = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth; i++)
        if (p[i] == '@') at = p + i;
    if (at) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n = 0;
    if (p[0] == '[') {
        const char *close = memchr(p, ']', auth);
        n = close ? (size_t)(close - p) + 1 : auth;
    } else {
        while (n < auth && p[n] != ':') n++;
    }
    *h = p;
    *len = n;
}

/* host (len bytes) equals an entry or is under one. */
static bool host_listed(const strset *s, const char *host, size_t len)
{
    for (;;) {
        if (set_has(s, host, len)) return true;
        const char *dot = memchr(host, '.', len);
        if (!dot) return false;
        len -= (size_t)(dot + 1 - host);
        host = dot + 1;
    }
}

static bool list_matches(const wlist *l, const cp_observable *o)
{
    if (!(l->kinds & K(o->kind))) return false;
    const char *v = o->value;
    switch (l->type) {
    case WL_CIDR:
        return o->kind == CP_OBS_IP && strlen(o->ip_lo) == 32 && strlen(o->ip_hi) == 32 &&
               ranges_contain(l, parse_hex128(o->ip_lo), parse_hex128(o->ip_hi));
    case WL_HOSTNAME: {
        const char *h = v;
        size_t n = strlen(v);
        if (o->kind == CP_OBS_URL) {
            url_host(v, &h, &n);
        } else if (o->kind == CP_OBS_EMAIL) {
            const char *at = strrchr(v, '@');
            if (!at) return false;
            h = at + 1;
            n = strlen(h);
        }
        return h && n && host_listed(&l->set, h, n);
    }
    case WL_STRING: return set_has(&l->set, v, strlen(v));
    case WL_SUBSTRING:
        for (size_t i = 0; i < l->nsubs; i++)
            if (strcasestr(v, l->subs[i])) return true;
        return false;
    case WL_REGEX:
        for (size_t i = 0; i < l->nres; i++)
            if (regexec(&l->res[i], v, 0, NULL, 0) == 0) return true;
        return false;
    }
    return false;
}

const char *cp_warninglists_match(const cp_warninglists *w, const cp_observable *o)
{
    if (!w || !o) return NULL;
    for (size_t i = 0; i < w->n; i++)
        if (list_matches(&w->lists[i], o)) return w->lists[i].name;
    return NULL;
}

/* ---- the process-wide set ---- */

static _Atomic(cp_warninglists *) g_lists;

cp_warninglists *cp_warninglists_set_global(cp_warninglists *w) { return atomic_exchange(&g_lists, w); }

const cp_warninglists *cp_warninglists_global(void) { return atomic_load(&g_lists); }

cp_status cp_warninglists_load_global(const char *path, cp_err *err)
{
    if (!path || !path[0]) return CP_OK;
    cp_warninglists *w = cp_warninglists_new();
    if (!w) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_status st = cp_warninglists_load(w, path, err);
    if (st) {
        cp_warninglists_free(w);
        return cp_fail_prefix(err, st, "warninglists");
    }
    cp_log(CP_LOG_INFO, "warninglists", "loaded %zu lists, %zu entries (%zu skipped: unusable or PCRE-only) from %s", w->n,
           w->entries, w->skipped, path);
    /* The previous set may still be read by a request in flight: kept. */
    (void)cp_warninglists_set_global(w);
    return CP_OK;
}
