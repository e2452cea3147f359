/*
 * scan_zeek.c — Zeek TSV logs: "#separator \x09", "#unset_field -",
 * "#empty_field (empty)" and "#fields name..." header lines, then one record
 * per line; each column's text is scanned with the column's name as the
 * field (e.g. "id.resp_h", "query"). http.log's "host" and "uri" also give
 * the URL http://host/uri (field "url"). Other '#' lines (#types, #path,
 * #open, #close) are not events. Records before any #fields line name their
 * columns "column1", "column2", ...
 */
#include <stdio.h>
#include <string.h>

#include "warning/scan_file.h"

static int hexd(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool starts(const char *p, size_t n, const char *w)
{
    size_t l = strlen(w);
    return n >= l && memcmp(p, w, l) == 0;
}

static void copy_word(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static int header(cp_scan_file *f, const char *p, size_t n)
{
    if (starts(p, n, "#separator ")) {
        const char *v = p + 11;
        size_t vl = n - 11;
        if (vl == 4 && v[0] == '\\' && v[1] == 'x' && hexd(v[2]) >= 0 && hexd(v[3]) >= 0) {
            int c = hexd(v[2]) * 16 + hexd(v[3]);
            if (c > 0 && c < 0x80) f->sep = (char)c;
        } else if (vl == 1) {
            f->sep = v[0];
        }
        return 0;
    }
    /* the other header lines use the separator after their keyword */
    const char *sep = memchr(p, f->sep, n);
    if (!sep) return 0;
    size_t kl = (size_t)(sep - p);
    const char *v = sep + 1;
    size_t vl = n - kl - 1;
    if (kl == 12 && memcmp(p, "#unset_field", 12) == 0) copy_word(f->unset, sizeof f->unset, v, vl);
    else if (kl == 12 && memcmp(p, "#empty_field", 12) == 0) copy_word(f->empty, sizeof f->empty, v, vl);
    else if (kl == 7 && memcmp(p, "#fields", 7) == 0) {
        const char *names[CP_SCAN_COLUMNS_MAX];
        size_t lens[CP_SCAN_COLUMNS_MAX];
        int k = 0;
        size_t i = 0;
        while (i <= vl && k < CP_SCAN_COLUMNS_MAX) {
            const char *e = memchr(v + i, f->sep, vl - i);
            size_t j = e ? (size_t)(e - v) : vl;
            names[k] = v + i;
            lens[k++] = j - i;
            i = j + 1;
        }
        cp_scan_file_set_names(f, names, lens, k);
    }
    return 0;
}

int cp_scan_zeek_line(cp_scan_file *f, cp_scanner *sc, const char *p, size_t n, cp_skip_reason *why)
{
    (void)why;
    if (n == 0) return 0;
    if (p[0] == '#') return header(f, p, n);
    size_t ul = strlen(f->unset), el = strlen(f->empty);
    const char *host = NULL, *uri = NULL;
    size_t host_len = 0, uri_len = 0;
    char colname[24];
    size_t i = 0;
    for (int col = 0; i <= n; col++) {
        const char *e = memchr(p + i, f->sep, n - i);
        size_t j = e ? (size_t)(e - p) : n;
        const char *v = p + i;
        size_t vl = j - i;
        bool unset = (vl == ul && memcmp(v, f->unset, ul) == 0) || (vl == el && memcmp(v, f->empty, el) == 0) || vl == 0;
        if (!unset) {
            if (col < f->n_names) {
                cp_scan_set_field(sc, f->name[col], f->name_len[col]);
            } else {
                int w = snprintf(colname, sizeof colname, "column%d", col + 1);
                char *kept = cp_scan_keep(sc, colname, (size_t)w);
                cp_scan_set_field(sc, kept ? kept : "column", kept ? (size_t)w : 6);
            }
            cp_scan_text(sc, v, vl);
            if (col == f->host_col) host = v, host_len = vl;
            if (col == f->uri_col) uri = v, uri_len = vl;
        }
        i = j + 1;
    }
    if (host && uri && uri_len && uri[0] == '/') {
        char *u = cp_scan_keep(sc, "http://", 7);
        if (u && cp_scan_keep(sc, host, host_len) && cp_scan_keep(sc, uri, uri_len)) {
            cp_scan_set_field(sc, "url", 3);
            cp_scan_url(sc, u, 7 + host_len + uri_len);
        }
    }
    return 1;
}
