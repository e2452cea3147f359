/*
 * scan_file.h — reading logs line by line in one of the formats and
 * matching each line (an event) against a compiled set.
 *
 * Formats (docs/early-warning.md): JSON lines (Suricata eve.json, Zeek
 * JSON: field-aware, the field is the dotted key path), Zeek TSV (#fields
 * header), CSV with a header line, CEF (with or without a syslog prefix),
 * plain text. AUTO decides per file from its first non-blank line.
 *
 * Lines longer than max_line, with control bytes other than tab/CR/VT/FF,
 * not UTF-8, malformed for their format, or a last line cut short are
 * skipped and counted by reason; they never stop the scan.
 */
#ifndef CP_WARNING_SCAN_FILE_H
#define CP_WARNING_SCAN_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "warning/scan_core.h"

typedef enum { CP_FMT_AUTO, CP_FMT_JSONL, CP_FMT_ZEEK, CP_FMT_CSV, CP_FMT_CEF, CP_FMT_TEXT } cp_log_format;

const char *cp_log_format_name(cp_log_format f); /* "auto", "jsonl", ... */
bool cp_log_format_parse(const char *s, cp_log_format *out);

#define CP_SCAN_MAX_LINE_DEFAULT (1024 * 1024)
#define CP_SCAN_COLUMNS_MAX 512 /* Zeek and CSV columns with a name */

/* Per-file state: the format (decided on the first line for AUTO) and what
 * its header said (Zeek separator and field names, CSV column names). */
typedef struct {
    cp_log_format fmt;
    bool decided;
    bool csv_header_seen;
    char sep;           /* Zeek */
    char unset[16];     /* Zeek "-" */
    char empty[16];     /* Zeek "(empty)" */
    char *names;        /* the header's bytes (names point into it) */
    size_t names_cap;
    const char *name[CP_SCAN_COLUMNS_MAX];
    size_t name_len[CP_SCAN_COLUMNS_MAX];
    int n_names;
    int host_col, uri_col; /* Zeek/CSV columns "host"/"hostname" and "uri"/"url", or -1 */
} cp_scan_file;

void cp_scan_file_init(cp_scan_file *f, cp_log_format fmt);
void cp_scan_file_free(cp_scan_file *f); /* the state, not f */

/* One line (no newline). 1: an event was scanned (hits in sc); 0: not an
 * event (blank line, header, comment); -1: skipped, *why says why.
 * incomplete: the last line of the input, without its newline. */
int cp_scan_file_line(cp_scan_file *f, cp_scanner *sc, const char *line, size_t len, bool incomplete, cp_skip_reason *why);

/* The formats, for the dispatcher and the fuzz targets. */
int cp_scan_jsonl_line(cp_scanner *sc, const char *line, size_t len, bool incomplete, cp_skip_reason *why);
int cp_scan_zeek_line(cp_scan_file *f, cp_scanner *sc, const char *line, size_t len, cp_skip_reason *why);
int cp_scan_csv_line(cp_scan_file *f, cp_scanner *sc, const char *line, size_t len, cp_skip_reason *why);
int cp_scan_cef_line(cp_scanner *sc, const char *line, size_t len, cp_skip_reason *why);
int cp_scan_text_line(cp_scanner *sc, const char *line, size_t len);
/* Shared by Zeek and CSV: remembers column names from a header. */
void cp_scan_file_set_names(cp_scan_file *f, const char *const *names, const size_t *lens, int n);

typedef struct {
    uint64_t lines;  /* lines read (skipped and blank ones included) */
    uint64_t bytes;
    uint64_t events; /* lines scanned as events */
    uint64_t hit_lines;
    uint64_t hits;
    uint64_t skipped[CP_SKIP__COUNT];
    uint64_t dropped; /* values or touches past the per-line limits */
} cp_scan_stats;

/* Called for each line with hits (sc->hits, sc->n_hits). line_no is 1-based
 * within the input. Non-zero stops the scan. */
typedef int (*cp_scan_hit_fn)(void *ctx, uint64_t line_no, const char *line, size_t len, const cp_scanner *sc);
/* Called now and then (every 64 MiB or so) for a progress line. */
typedef void (*cp_scan_progress_fn)(void *ctx, const cp_scan_stats *st);

typedef struct {
    const cp_iset *set;
    cp_log_format fmt;
    size_t max_line;  /* 0: CP_SCAN_MAX_LINE_DEFAULT */
    cp_scan_hit_fn on_hit;
    cp_scan_progress_fn on_progress;
    void *ctx;
} cp_scan_opts;

/* Scans a whole input read from fd (a file or a pipe) with large reads.
 * Stats are added to *st. CP_E_IO when reading fails; CP_E_NOMEM. */
cp_status cp_scan_fd(int fd, const cp_scan_opts *o, cp_scan_stats *st, cp_log_format *detected, cp_err *err);
/* The same over bytes in memory (tests, fuzzing). */
cp_status cp_scan_mem(const char *data, size_t len, const cp_scan_opts *o, cp_scan_stats *st, cp_log_format *detected, cp_err *err);

#endif
