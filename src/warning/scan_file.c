/*
 * scan_file.c — format detection, per-line dispatch, and the reader (large
 * reads, lines split with memchr, huge lines discarded without buffering
 * them).
 */
#include "warning/scan_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const FORMAT_NAMES[] = {"auto", "jsonl", "zeek", "csv", "cef", "text"};

const char *cp_log_format_name(cp_log_format f)
{
    return (unsigned)f < sizeof FORMAT_NAMES / sizeof FORMAT_NAMES[0] ? FORMAT_NAMES[f] : "?";
}

bool cp_log_format_parse(const char *s, cp_log_format *out)
{
    for (size_t i = 0; s && i < sizeof FORMAT_NAMES / sizeof FORMAT_NAMES[0]; i++)
        if (strcmp(s, FORMAT_NAMES[i]) == 0) {
            *out = (cp_log_format)i;
            return true;
        }
    return false;
}

void cp_scan_file_init(cp_scan_file *f, cp_log_format fmt)
{
    memset(f, 0, sizeof *f);
    f->fmt = fmt;
    f->decided = fmt != CP_FMT_AUTO;
    f->sep = '\t';
    strcpy(f->unset, "-");
    strcpy(f->empty, "(empty)");
    f->host_col = f->uri_col = -1;
}

void cp_scan_file_free(cp_scan_file *f)
{
    free(f->names);
    f->names = NULL;
}

static bool name_is(const char *s, size_t n, const char *w)
{
    size_t l = strlen(w);
    return n == l && memcmp(s, w, l) == 0;
}

void cp_scan_file_set_names(cp_scan_file *f, const char *const *names, const size_t *lens, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) total += lens[i];
    if (total > f->names_cap || !f->names) {
        char *q = realloc(f->names, total ? total : 1);
        if (!q) {
            f->n_names = 0;
            return;
        }
        f->names = q;
        f->names_cap = total ? total : 1;
    }
    size_t off = 0;
    f->host_col = f->uri_col = -1;
    for (int i = 0; i < n && i < CP_SCAN_COLUMNS_MAX; i++) {
        memcpy(f->names + off, names[i], lens[i]);
        f->name[i] = f->names + off;
        f->name_len[i] = lens[i];
        if (name_is(names[i], lens[i], "host") || name_is(names[i], lens[i], "hostname")) f->host_col = i;
        if (name_is(names[i], lens[i], "uri") || name_is(names[i], lens[i], "url")) f->uri_col = i;
        off += lens[i];
    }
    f->n_names = n < CP_SCAN_COLUMNS_MAX ? n : CP_SCAN_COLUMNS_MAX;
}

/* A CSV header: two or more comma-separated cells, each a short name. */
static bool csv_header(const char *p, size_t n)
{
    int commas = 0;
    size_t cell = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ',') {
            if (cell == 0) return false;
            commas++;
            cell = 0;
            continue;
        }
        if (c == '\r' && i == n - 1) break;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == '-' || c == ' ' || c == '"';
        if (!ok || ++cell > 64) return false;
    }
    return commas >= 1 && cell > 0;
}

static cp_log_format detect(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (i < n && p[i] == '{') return CP_FMT_JSONL;
    if (n >= 10 && memcmp(p, "#separator", 10) == 0) return CP_FMT_ZEEK;
    if (n >= 7 && memcmp(p, "#fields", 7) == 0) return CP_FMT_ZEEK;
    if (n >= 4 && memmem(p, n, "CEF:", 4)) return CP_FMT_CEF;
    if (csv_header(p, n)) return CP_FMT_CSV;
    return CP_FMT_TEXT;
}

int cp_scan_file_line(cp_scan_file *f, cp_scanner *sc, const char *line, size_t len, bool incomplete, cp_skip_reason *why)
{
    if (cp_scan_check_line(line, len, why)) return -1;
    if (!f->decided) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
        if (i == len) return 0; /* blank lines do not decide */
        f->fmt = detect(line, len);
        f->decided = true;
    }
    cp_scan_line_begin(sc);
    int r;
    switch (f->fmt) {
    case CP_FMT_JSONL: r = cp_scan_jsonl_line(sc, line, len, incomplete, why); break;
    case CP_FMT_ZEEK: r = cp_scan_zeek_line(f, sc, line, len, why); break;
    case CP_FMT_CSV: r = cp_scan_csv_line(f, sc, line, len, why); break;
    case CP_FMT_CEF: r = cp_scan_cef_line(sc, line, len, why); break;
    default: r = cp_scan_text_line(sc, line, len); break;
    }
    if (r == 1) cp_scan_line_end(sc);
    else cp_scan_line_begin(sc); /* a skipped line has no hits */
    return r;
}

/* ---- the reader ---- */

typedef struct {
    const cp_scan_opts *o;
    cp_scan_stats *st;
    cp_scan_file f;
    cp_scanner *sc;
    uint64_t line_no;
    uint64_t next_progress;
    bool stop;
} reader;

static void one_line(reader *r, const char *line, size_t len, bool incomplete)
{
    r->line_no++;
    r->st->lines++;
    size_t max = r->o->max_line ? r->o->max_line : CP_SCAN_MAX_LINE_DEFAULT;
    if (len > max) {
        r->st->skipped[CP_SKIP_HUGE]++;
        return;
    }
    cp_skip_reason why = CP_SKIP_MALFORMED;
    int k = cp_scan_file_line(&r->f, r->sc, line, len, incomplete, &why);
    if (k < 0) {
        r->st->skipped[why]++;
        return;
    }
    if (k == 0) return;
    r->st->events++;
    if (r->sc->n_total) {
        r->st->hit_lines++;
        r->st->hits += r->sc->n_total;
        if (r->o->on_hit && r->o->on_hit(r->o->ctx, r->line_no, line, len, r->sc)) r->stop = true;
    }
}

static cp_status start(reader *r, const cp_scan_opts *o, cp_scan_stats *st, cp_err *err)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->st = st;
    cp_scan_file_init(&r->f, o->fmt);
    r->sc = cp_scanner_new(o->set);
    r->next_progress = st->bytes + ((uint64_t)64 << 20);
    if (!r->sc) return cp_fail(err, CP_E_NOMEM, "out of memory");
    return CP_OK;
}

static void finish(reader *r, cp_log_format *detected)
{
    r->st->dropped += r->sc->dropped;
    if (detected) *detected = r->f.fmt;
    cp_scan_file_free(&r->f);
    cp_scanner_free(r->sc);
}

/* Complete lines of buf[0..n); returns the bytes consumed. */
static size_t lines(reader *r, const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && !r->stop) {
        const char *nl = memchr(buf + i, '\n', n - i);
        if (!nl) break;
        size_t e = (size_t)(nl - buf);
        one_line(r, buf + i, e - i, false);
        i = e + 1;
    }
    return i;
}

cp_status cp_scan_mem(const char *data, size_t len, const cp_scan_opts *o, cp_scan_stats *st, cp_log_format *detected, cp_err *err)
{
    reader r;
    cp_status rc = start(&r, o, st, err);
    if (rc) {
        finish(&r, detected);
        return rc;
    }
    size_t used = lines(&r, data, len);
    if (used < len && !r.stop) one_line(&r, data + used, len - used, true);
    st->bytes += len;
    finish(&r, detected);
    return CP_OK;
}

#define READ_BUF ((size_t)8 << 20)

cp_status cp_scan_fd(int fd, const cp_scan_opts *o, cp_scan_stats *st, cp_log_format *detected, cp_err *err)
{
    reader r;
    cp_status rc = start(&r, o, st, err);
    size_t max = o->max_line ? o->max_line : CP_SCAN_MAX_LINE_DEFAULT;
    size_t cap = READ_BUF > 2 * max + 1 ? READ_BUF : 2 * max + 1;
    char *buf = rc ? NULL : malloc(cap);
    if (!rc && !buf) rc = cp_fail(err, CP_E_NOMEM, "out of memory");
    size_t have = 0;
    bool discarding = false; /* inside a line already counted as huge */
    while (!rc && !r.stop) {
        ssize_t got = read(fd, buf + have, cap - have);
        if (got < 0) {
            if (errno == EINTR) continue;
            rc = cp_fail(err, CP_E_IO, "read: %s", strerror(errno));
            break;
        }
        st->bytes += (uint64_t)got;
        if (got == 0) {
            if (have && !discarding) one_line(&r, buf, have, true);
            break;
        }
        size_t n = have + (size_t)got, off = 0;
        if (discarding) {
            const char *nl = memchr(buf + have, '\n', (size_t)got);
            if (!nl) {
                have = 0;
                continue;
            }
            discarding = false;
            off = (size_t)(nl - buf) + 1;
        }
        off += lines(&r, buf + off, n - off);
        have = n - off;
        if (have > max) {
            /* a line longer than the limit: count it once, drop it as it comes */
            r.line_no++;
            st->lines++;
            st->skipped[CP_SKIP_HUGE]++;
            discarding = true;
            have = 0;
        } else if (off) {
            memmove(buf, buf + off, have);
        }
        if (o->on_progress && st->bytes >= r.next_progress) {
            o->on_progress(o->ctx, st);
            r.next_progress = st->bytes + ((uint64_t)64 << 20);
        }
    }
    free(buf);
    finish(&r, detected);
    return rc;
}
