/*
 * scan_csv.c — CSV with a header line (RFC 4180 quoting: a quoted cell may
 * hold commas and "" for a quote). The first non-blank line names the
 * columns; every later line is a record whose cells are scanned with their
 * column's name as the field. Quoted cells spanning lines are not supported
 * (logs are one record per line): an unterminated quote is malformed.
 * Columns "host"/"hostname" and "uri"/"url" give the URL http://host/uri
 * when the latter is a path.
 */
#include <stdio.h>
#include <string.h>

#include "warning/scan_file.h"

typedef struct {
    const char *s;
    size_t n;
    bool quoted_escapes;
} cell;

/* Splits a line into cells; -1 on a malformed quote. */
static int split(const char *p, size_t n, cell *cells, int max)
{
    int k = 0;
    size_t i = 0;
    for (;;) {
        if (k == max) return k;
        if (i < n && p[i] == '"') {
            size_t j = i + 1;
            bool esc = false;
            for (;;) {
                const char *q = memchr(p + j, '"', n - j);
                if (!q) return -1;
                j = (size_t)(q - p);
                if (j + 1 < n && p[j + 1] == '"') {
                    esc = true;
                    j += 2;
                    continue;
                }
                break;
            }
            cells[k++] = (cell){p + i + 1, j - i - 1, esc};
            i = j + 1;
            if (i < n && p[i] != ',') return -1;
        } else {
            const char *c = memchr(p + i, ',', n - i);
            size_t j = c ? (size_t)(c - p) : n;
            cells[k++] = (cell){p + i, j - i, false};
            i = j;
        }
        if (i >= n) return k;
        i++; /* the comma */
    }
}

int cp_scan_csv_line(cp_scan_file *f, cp_scanner *sc, const char *p, size_t n, cp_skip_reason *why)
{
    if (n && p[n - 1] == '\r') n--;
    if (n == 0) return 0;
    static _Thread_local cell cells[CP_SCAN_COLUMNS_MAX];
    int k = split(p, n, cells, CP_SCAN_COLUMNS_MAX);
    if (k < 0) {
        *why = CP_SKIP_MALFORMED;
        return -1;
    }
    if (!f->csv_header_seen) {
        const char *names[CP_SCAN_COLUMNS_MAX];
        size_t lens[CP_SCAN_COLUMNS_MAX];
        for (int i = 0; i < k; i++) {
            names[i] = cells[i].s;
            lens[i] = cells[i].n;
        }
        cp_scan_file_set_names(f, names, lens, k);
        f->csv_header_seen = true;
        return 0;
    }
    char colname[24];
    const char *host = NULL, *uri = NULL;
    size_t host_len = 0, uri_len = 0;
    for (int i = 0; i < k; i++) {
        const char *v = cells[i].s;
        size_t vl = cells[i].n;
        if (vl == 0) continue;
        if (cells[i].quoted_escapes) {
            /* "" -> " in the arena */
            /* unescaped in the arena; when it is full, scanned as it is */
            char *kept = cp_scan_keep(sc, v, vl);
            if (kept) {
                size_t w = 0;
                for (size_t j = 0; j < vl; j++) {
                    kept[w++] = v[j];
                    if (v[j] == '"' && j + 1 < vl && v[j + 1] == '"') j++;
                }
                v = kept;
                vl = w;
            }
        }
        if (i < f->n_names && f->name_len[i]) {
            cp_scan_set_field(sc, f->name[i], f->name_len[i]);
        } else {
            int w = snprintf(colname, sizeof colname, "column%d", i + 1);
            char *kept = cp_scan_keep(sc, colname, (size_t)w);
            cp_scan_set_field(sc, kept ? kept : "column", kept ? (size_t)w : 6);
        }
        cp_scan_text(sc, v, vl);
        if (i == f->host_col) host = v, host_len = vl;
        if (i == f->uri_col) uri = v, uri_len = vl;
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
