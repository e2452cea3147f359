/*
 * scan_core.h — what the log-format scanners share: finding candidate
 * values (addresses, domains, URLs, hashes, e-mail addresses) in text,
 * looking them up in a compiled set, and collecting one line's hits.
 *
 * A line is one event: the format scanner (scan_jsonl.c, scan_zeek.c,
 * scan_csv.c, scan_cef.c, scan_text.c) hands each field's text to
 * cp_scan_text() (or a value of known kind to cp_scan_value()), then
 * cp_scan_line_end() evaluates the indicators the line touched (AND/OR
 * across all the line's values) and leaves the hits in sc->hits. Nothing is
 * allocated per line; values and field names a hit points at live until the
 * next cp_scan_line_begin().
 *
 * CANDIDATES in text (docs/early-warning.md has the full rules): runs of
 * [A-Za-z0-9._:-] are split and tried as an IPv6 address (a run shaped
 * like one: "::", or eight groups, or seven and an IPv4 tail), else per
 * ':' and '_' part as an IPv4 dotted quad, hex
 * runs of exactly 32/40/64/128 digits as hashes, and dotted names as
 * domains (exact and every parent for "any subdomain of"); "scheme://..."
 * up to white space or a quote is a URL; a domain right after "local@" is
 * also an e-mail address.
 */
#ifndef CP_WARNING_SCAN_CORE_H
#define CP_WARNING_SCAN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "warning/iset_internal.h"

#define CP_SCAN_VALUES_MAX 256 /* values with a posting kept per line */
#define CP_SCAN_ARENA 65536    /* bytes of per-line scratch (field paths, unescaped strings) */
#define CP_SCAN_FIELD_DEPTH 16 /* nested field names kept for a path */

typedef struct {
    uint32_t indicator;
    int kind; /* CPI_K_ */
    const char *field;
    size_t field_len;
    const char *value;
    size_t value_len;
} cp_scan_hit;

typedef struct {
    const char *field;
    size_t field_len;
    const char *value;
    size_t value_len;
    int kind;
} cp_scan_val;

/* The skip reasons a line can have. */
typedef enum {
    CP_SKIP_HUGE,      /* longer than the maximum line */
    CP_SKIP_BINARY,    /* NUL or another control byte (tab, CR, FF, VT allowed) */
    CP_SKIP_NOT_UTF8,  /* bytes that are not UTF-8 */
    CP_SKIP_MALFORMED, /* not the format it was read as (e.g. broken JSON) */
    CP_SKIP_TRUNCATED, /* the last line of a file ended without a newline, incomplete */
    CP_SKIP__COUNT
} cp_skip_reason;

const char *cp_skip_reason_name(cp_skip_reason r); /* "huge", "binary", ... */

typedef struct {
    const cp_iset *set;
    /* the field the current text belongs to: either a plain name, or a path
     * of names (JSON) joined with '.' only when a hit needs it */
    const char *field;
    size_t field_len;
    const char *path[CP_SCAN_FIELD_DEPTH];
    size_t path_len[CP_SCAN_FIELD_DEPTH];
    int path_n;
    cp_scan_val vals[CP_SCAN_VALUES_MAX];
    uint32_t n_vals;
    cp_iset_hit *raw;   /* hits_cap of them */
    cp_scan_hit *hits;  /* the line's hits (every one: one per indicator) */
    size_t hits_cap;
    size_t n_hits;   /* hits written to hits[] */
    size_t n_total;  /* hits of the line (more than n_hits only when memory ran out) */
    uint64_t dropped; /* touches or values beyond the limits (stats) */
    char *arena;
    size_t arena_len;
    cpi_event ev;
} cp_scanner;

/* A scanner over s (borrowed). NULL when out of memory. */
cp_scanner *cp_scanner_new(const cp_iset *s);
void cp_scanner_free(cp_scanner *sc);

void cp_scan_line_begin(cp_scanner *sc);
/* The field of the texts that follow: a name, or a path (names[0..n)). */
void cp_scan_set_field(cp_scanner *sc, const char *name, size_t len);
void cp_scan_set_path(cp_scanner *sc, const char *const *names, const size_t *lens, int n);
/* Every candidate in text. */
void cp_scan_text(cp_scanner *sc, const char *text, size_t len);
/* One value whose kind is known (CPI_K_URL, CPI_K_DOMAIN: the rest of
 * cp_scan_text's rules for its host or parents apply). */
void cp_scan_url(cp_scanner *sc, const char *text, size_t len);
/* Copies bytes into the line's arena; NULL when full. */
char *cp_scan_keep(cp_scanner *sc, const char *bytes, size_t len);
/* Evaluates the line; returns the number of hits in sc->hits. */
size_t cp_scan_line_end(cp_scanner *sc);

/* Line checks shared by the readers: 0 when the line is UTF-8 text without
 * control bytes other than tab, CR, VT and FF; else the reason. */
int cp_scan_check_line(const char *p, size_t len, cp_skip_reason *why);

#endif
