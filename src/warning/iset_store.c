/*
 * iset_store.c — the set of every active indicator in the store.
 *
 * One pass over the last version of every indicator of every collection
 * (the set is the alliance's; who may read a hit is decided later from the
 * TLP and collection recorded per indicator). Revoked versions are left out
 * in SQL, validity and pattern type by the builder.
 *
 * The few properties the set needs (pattern, pattern_type, valid_from,
 * valid_until) are read straight from the stored text by a top-level member
 * walker: the bodies are valid JSON (validated on ingest), and building a
 * Jansson tree per indicator was more than half of a rebuild. Anything the
 * walker does not expect sends that row through Jansson instead.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "intel/warninglist.h"
#include "warning/iset.h"
#include "warning/iset_internal.h"

static size_t ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++;
    return i;
}

/* p[i] is '"': the index of the closing quote; *esc when it holds escapes. */
static bool str_end(const char *p, size_t n, size_t i, size_t *end, bool *esc)
{
    *esc = false;
    for (size_t j = i + 1; j < n; j++) {
        if (p[j] == '\\') {
            *esc = true;
            j++;
        } else if (p[j] == '"') {
            *end = j;
            return true;
        }
    }
    return false;
}

/* Skips one value starting at p[*i]. */
static bool skip_value(const char *p, size_t n, size_t *i)
{
    size_t j = *i;
    if (j >= n) return false;
    if (p[j] == '"') {
        bool esc;
        if (!str_end(p, n, j, &j, &esc)) return false;
        *i = j + 1;
        return true;
    }
    if (p[j] == '{' || p[j] == '[') {
        int depth = 0;
        for (; j < n; j++) {
            char c = p[j];
            if (c == '"') {
                bool esc;
                if (!str_end(p, n, j, &j, &esc)) return false;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    *i = j + 1;
                    return true;
                }
            }
        }
        return false;
    }
    size_t start = j;
    while (j < n && p[j] != ',' && p[j] != '}' && p[j] != ']' && p[j] != ' ' && p[j] != '\n' && p[j] != '\t' && p[j] != '\r') j++;
    *i = j;
    return j > start;
}

static int hexd(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *s, size_t n, size_t i, unsigned *v)
{
    if (i + 4 > n) return false;
    *v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexd(s[i + k]);
        if (h < 0) return false;
        *v = *v * 16 + (unsigned)h;
    }
    return true;
}

/* JSON string contents s[0..n) into out (at most n bytes + NUL: escapes
 * never grow); false on a malformed escape. */
static bool unescape(const char *s, size_t n, char *out, size_t *len)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[w++] = s[i];
            continue;
        }
        if (++i >= n) return false;
        switch (s[i]) {
        case '"': out[w++] = '"'; break;
        case '\\': out[w++] = '\\'; break;
        case '/': out[w++] = '/'; break;
        case 'b': out[w++] = '\b'; break;
        case 'f': out[w++] = '\f'; break;
        case 'n': out[w++] = '\n'; break;
        case 'r': out[w++] = '\r'; break;
        case 't': out[w++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(s, n, i + 1, &cp)) return false;
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (i + 2 >= n || s[i + 1] != '\\' || s[i + 2] != 'u' || !hex4(s, n, i + 3, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return false;
                i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return false;
            }
            if (cp == 0) return false; /* a NUL: leave it to Jansson's refusal */
            if (cp < 0x80) out[w++] = (char)cp;
            else if (cp < 0x800) out[w++] = (char)(0xc0 | cp >> 6), out[w++] = (char)(0x80 | (cp & 0x3f));
            else if (cp < 0x10000)
                out[w++] = (char)(0xe0 | cp >> 12), out[w++] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[w++] = (char)(0x80 | (cp & 0x3f));
            else
                out[w++] = (char)(0xf0 | cp >> 18), out[w++] = (char)(0x80 | ((cp >> 12) & 0x3f)),
                out[w++] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[w++] = (char)(0x80 | (cp & 0x3f));
            break;
        }
        default: return false;
        }
    }
    out[w] = 0;
    *len = w;
    return true;
}

static bool is_key(const char *k, size_t n, const char *want)
{
    size_t l = strlen(want);
    return n == l && memcmp(k, want, l) == 0;
}

bool cpi_read_indicator_fields(const char *body, size_t n, char *scratch, cpi_indicator_fields *f)
{
    size_t i = ws(body, n, 0), w = 0;
    if (i >= n || body[i] != '{') return false;
    i = ws(body, n, i + 1);
    if (i < n && body[i] == '}') return true;
    for (;;) {
        if (i >= n || body[i] != '"') return false;
        size_t kend;
        bool kesc;
        if (!str_end(body, n, i, &kend, &kesc)) return false;
        const char *key = body + i + 1;
        size_t klen = kend - i - 1;
        i = ws(body, n, kend + 1);
        if (i >= n || body[i] != ':') return false;
        i = ws(body, n, i + 1);
        if (i >= n) return false;
        const char **slot = NULL;
        size_t *slot_len = NULL;
        if (!kesc) {
            if (is_key(key, klen, "pattern")) slot = &f->pattern, slot_len = &f->pattern_len;
            else if (is_key(key, klen, "pattern_type")) slot = &f->pattern_type;
            else if (is_key(key, klen, "valid_from")) slot = &f->valid_from;
            else if (is_key(key, klen, "valid_until")) slot = &f->valid_until;
            else if (is_key(key, klen, "revoked")) f->revoked = n - i >= 4 && memcmp(body + i, "true", 4) == 0;
        }
        if (slot) {
            if (body[i] != '"') {
                /* not a string (the last of duplicate members counts, as in Jansson) */
                *slot = NULL;
                if (slot_len) *slot_len = 0;
                if (slot == &f->pattern_type) f->pattern_type_not_string = true;
                if (!skip_value(body, n, &i)) return false;
            } else {
                if (slot == &f->pattern_type) f->pattern_type_not_string = false;
                size_t vend, vlen;
                bool vesc;
                if (!str_end(body, n, i, &vend, &vesc)) return false;
                if (!unescape(body + i + 1, vend - i - 1, scratch + w, &vlen)) return false;
                *slot = scratch + w;
                if (slot_len) *slot_len = vlen;
                w += vlen + 1;
                i = vend + 1;
            }
        } else if (!skip_value(body, n, &i)) {
            return false;
        }
        i = ws(body, n, i);
        if (i >= n) return false;
        if (body[i] == '}') return true;
        if (body[i] != ',') return false;
        i = ws(body, n, i + 1);
    }
}

cp_status cp_iset_build_from_store(cp_conn *c, int64_t now_ms, cp_iset **out, cp_err *err)
{
    *out = NULL;
    cp_iset_builder *b = cp_iset_builder_new();
    if (!b) return cp_fail(err, CP_E_NOMEM, "out of memory");
    cp_iset_builder_set_warninglists(b, cp_warninglists_global());
    cp_stmt *st;
    cp_status rc = cp_stmt_prepare(c,
                                   "SELECT cnum, tlp, stix_id, body FROM intel_objects "
                                   "WHERE " CP_ISET_SOURCE_WHERE " AND is_last = 1 AND revoked = 0 ORDER BY seq",
                                   &st, err);
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    char *scratch = NULL;
    size_t cap = 0;
    cp_step step;
    while ((step = cp_stmt_step(st, err)) == CP_STEP_ROW) {
        const char *id = cp_stmt_col_text(st, 2), *body = cp_stmt_col_text(st, 3);
        if (!id || !body) continue;
        size_t n = strlen(body);
        if (n + 8 > cap) {
            char *q = realloc(scratch, n + 8);
            if (!q) {
                rc = cp_fail(err, CP_E_NOMEM, "out of memory");
                break;
            }
            scratch = q;
            cap = n + 8;
        }
        int tlp = (int)cp_stmt_col_int(st, 1);
        int64_t cnum = cp_stmt_col_int(st, 0);
        cpi_indicator_fields f = {.id = id};
        if (cpi_read_indicator_fields(body, n, scratch, &f)) {
            rc = cpi_builder_add_fields(b, &f, tlp, cnum, now_ms, NULL, err);
        } else {
            json_t *obj = json_loadb(body, n, 0, NULL);
            if (!obj) continue; /* stored bodies are valid JSON; nothing to index otherwise */
            rc = cp_iset_builder_add_object(b, obj, tlp, cnum, now_ms, NULL, err);
            json_decref(obj);
        }
        if (rc) break;
    }
    free(scratch);
    if (!rc && step == CP_STEP_ERROR) rc = cp_stmt_status(st);
    cp_stmt_finalize(st);
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    *out = cp_iset_builder_finish(b, err);
    return *out ? CP_OK : CP_E_NOMEM;
}
