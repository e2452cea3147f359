#include "http/media.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define MEDIA_PART_MAX 128

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

static const char *trim_end(const char *b, const char *e)
{
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    return e;
}

typedef struct {
    char type[MEDIA_PART_MAX]; /* "application/taxii+json", lower-cased */
    char version[16];          /* "" when absent */
    int q;                     /* quality in thousandths */
    bool ok;
} media_range;

static bool copy_lower(char *dst, size_t cap, const char *b, const char *e)
{
    size_t n = (size_t)(e - b);
    if (n == 0 || n >= cap) return false;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if ((unsigned char)c < 0x21 || c == '"' || c == ',' || c == ';') return false;
        dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    dst[n] = 0;
    return true;
}

/* "0.5" -> 500; false when not a valid qvalue. */
static bool parse_q(const char *b, const char *e, int *q)
{
    if (b >= e || (*b != '0' && *b != '1')) return false;
    int v = (*b - '0') * 1000;
    b++;
    if (b < e) {
        if (*b != '.') return false;
        b++;
        int scale = 100;
        for (int digits = 0; b < e; b++, digits++) {
            if (digits >= 3 || *b < '0' || *b > '9') return false;
            v += (*b - '0') * scale;
            scale /= 10;
        }
    }
    if (v > 1000) return false;
    *q = v;
    return true;
}

/* One media type with parameters, b..e (no commas inside). */
static media_range parse_one(const char *b, const char *e)
{
    media_range m = {.q = 1000};
    b = skip_ws(b, e);
    e = trim_end(b, e);
    const char *semi = memchr(b, ';', (size_t)(e - b));
    const char *tend = trim_end(b, semi ? semi : e);
    if (!copy_lower(m.type, sizeof m.type, b, tend) || !strchr(m.type, '/')) return m;
    const char *p = semi;
    while (p && p < e) {
        p = skip_ws(p + 1, e);
        const char *next = memchr(p, ';', (size_t)(e - p));
        const char *pend = next ? next : e;
        const char *eq = memchr(p, '=', (size_t)(pend - p));
        if (!eq) return m;
        const char *nend = trim_end(p, eq);
        const char *vb = skip_ws(eq + 1, pend), *ve = trim_end(vb, pend);
        if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') vb++, ve--;
        size_t nl = (size_t)(nend - p);
        if (nl == 7 && strncasecmp(p, "version", 7) == 0) {
            if (!copy_lower(m.version, sizeof m.version, vb, ve)) return m;
        } else if (nl == 1 && (*p == 'q' || *p == 'Q')) {
            if (!parse_q(vb, ve, &m.q)) return m;
        } else if (nl == 0) {
            return m;
        }
        p = next;
    }
    m.ok = true;
    return m;
}

static bool version_ok(const char *v) { return v[0] == 0 || strcmp(v, "2.1") == 0; }

bool cp_media_is(const char *content_type, const char *type_subtype)
{
    if (!content_type) return false;
    size_t len = strlen(content_type);
    if (memchr(content_type, ',', len)) return false;
    media_range m = parse_one(content_type, content_type + len);
    return m.ok && strcasecmp(m.type, type_subtype) == 0 && version_ok(m.version);
}

bool cp_media_accepts(const char *accept, const char *type_subtype)
{
    if (!accept) return true;
    const char *p = accept, *end = accept + strlen(accept);
    if (skip_ws(p, end) == end) return true;
    const char *slash = strchr(type_subtype, '/');
    size_t major = slash ? (size_t)(slash - type_subtype) : strlen(type_subtype);
    int exact = -1, partial = -1, any = -1; /* best q of each specificity; -1 none */
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *ie = comma ? comma : end;
        if (skip_ws(p, ie) != ie) {
            media_range m = parse_one(p, ie);
            if (!m.ok) return false;
            if (strcasecmp(m.type, type_subtype) == 0) {
                if (version_ok(m.version) && m.q > exact) exact = m.q;
                else if (!version_ok(m.version) && exact < 0) exact = -2; /* names another version only */
            } else if (strcmp(m.type, "*/*") == 0) {
                if (m.q > any) any = m.q;
            } else if (strlen(m.type) == major + 2 && strncasecmp(m.type, type_subtype, major) == 0 &&
                       m.type[major] == '/' && m.type[major + 1] == '*') {
                if (m.q > partial) partial = m.q;
            }
        }
        p = comma ? comma + 1 : end;
    }
    /* The most specific range that names the type decides (RFC 9110 §12.5.1). */
    if (exact >= 0) return exact > 0;
    if (partial >= 0) return partial > 0;
    return any > 0;
}
