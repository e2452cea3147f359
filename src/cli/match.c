/*
 * match.c — `cyberpact match`: scan the member's own logs against the
 * compiled indicator set, on the member's machine.
 *
 * The set comes from a compiled file (`indicators export --compiled`), a
 * TAXII collection URL (its indicators fetched with the member's key), or
 * the local store. Hits go to standard output as JSON lines, the summary to
 * standard error; exit 0 when something matched, 1 when nothing did, 2 on
 * an error (like grep). Nothing leaves the machine unless --report is given:
 * then one sighting per matched indicator is posted to the server
 * (POST /api/v1/intel/sightings), with the count and the time of the scan.
 *
 * The HTTP client is libcurl (docs/decisions.md).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "intel/tlp.h"
#include "intel/warninglist.h"
#include "warning/iset.h"
#include "warning/iset_internal.h"
#include "warning/scan_file.h"

static const char USAGE[] =
    "usage: cyberpact match [--indicators FILE|URL] [--key KEY] [--format auto|jsonl|zeek|csv|cef|text]\n"
    "                       [--max-line BYTES] [-j N] [--progress] [--quiet]\n"
    "                       [--report --server URL --key KEY [--collection REF]] FILE...|-\n"
    "Scans log files (or standard input, '-') for the alliance's indicators: addresses and networks,\n"
    "domains and their subdomains, URLs, file hashes, e-mail addresses. The indicators come from a\n"
    "compiled file (cyberpact indicators export --compiled FILE), from a TAXII 2.1 collection URL\n"
    "(fetched with --key), or else from the local store. One JSON line per hit on standard output\n"
    "(indicator, kind, field, value, file, line, text), a summary on standard error.\n"
    "Nothing is sent anywhere unless --report is given: then each matched indicator is reported\n"
    "to --server as a sighting (count, first and last seen) in --collection (default 'alliance').\n"
    "--quiet prints no hits, only the summary. -j N scans N files at a time (one thread each; the\n"
    "hits of one file stay in order). Exit status: 0 hits found, 1 none, 2 error.\n";

#define EXIT_HITS 0
#define EXIT_NONE 1
#define EXIT_ERROR 2
#define CP_MATCH_JOBS_MAX 64

/* ---- output ----
 * Each worker builds whole hit lines in its own growing buffer and hands
 * them to stdout under the shared lock once the buffer passes 1 MiB, so the
 * lines of parallel workers (-j) never interleave. */

typedef struct {
    char *buf;
    size_t len, cap;
    bool failed;
} outbuf;

static void out_raw(outbuf *o, const char *s, size_t n)
{
    if (o->failed) return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n) cap *= 2;
        char *q = realloc(o->buf, cap);
        if (!q) {
            o->failed = true;
            return;
        }
        o->buf = q;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(outbuf *o, const char *s, size_t n)
{
    static const char HX[] = "0123456789abcdef";
    out_raw(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
        out_raw(o, s + run, i - run);
        run = i + 1;
        char e[6] = {'\\', 'u', '0', '0', HX[c >> 4], HX[c & 15]};
        if (c == '"' || c == '\\') {
            char q[2] = {'\\', (char)c};
            out_raw(o, q, 2);
        } else if (c == '\t') {
            out_raw(o, "\\t", 2);
        } else {
            out_raw(o, e, 6);
        }
    }
    out_raw(o, s + run, n - run);
    out_raw(o, "\"", 1);
}

static void out_cstr(outbuf *o, const char *s) { out_raw(o, s, strlen(s)); }

/* ---- the scan ---- */

static const char *const KIND_NAMES[CPI_K__COUNT] = {"ip", "domain", "domain", "url", "md5", "sha1", "sha256", "sha512", "email"};

typedef struct {
    uint32_t count;
    int64_t first, last;
} agg;

/* What the workers share. */
typedef struct {
    const cp_iset *set;
    cp_log_format fmt;
    size_t max_line;
    bool quiet, progress;
    agg *per; /* per indicator, for --report */
    uint64_t t0;
    char **files;
    int nf;
    atomic_int next;
    pthread_mutex_t lock; /* stdout, per, progress, st, errors */
    cp_scan_stats st;
    bool errors;
} run_ctx;

typedef struct {
    run_ctx *x;
    const char *file;
    outbuf out;
} worker;

static void out_flush(worker *w)
{
    if (!w->out.len) return;
    pthread_mutex_lock(&w->x->lock);
    fwrite(w->out.buf, 1, w->out.len, stdout);
    pthread_mutex_unlock(&w->x->lock);
    w->out.len = 0;
}

static int on_hit(void *ctx, uint64_t line_no, const char *line, size_t len, const cp_scanner *sc)
{
    worker *w = ctx;
    run_ctx *x = w->x;
    if (x->per) {
        int64_t now = cp_now_ms();
        pthread_mutex_lock(&x->lock);
        for (size_t i = 0; i < sc->n_hits; i++) {
            agg *a = &x->per[sc->hits[i].indicator];
            if (!a->count++) a->first = now;
            a->last = now;
        }
        pthread_mutex_unlock(&x->lock);
    }
    if (x->quiet) return 0;
    for (size_t i = 0; i < sc->n_hits; i++) {
        const cp_scan_hit *h = &sc->hits[i];
        outbuf *o = &w->out;
        out_cstr(o, "{\"indicator\":");
        const char *id = cp_iset_indicator_id(x->set, h->indicator);
        out_str(o, id, strlen(id));
        out_cstr(o, ",\"kind\":\"");
        out_cstr(o, KIND_NAMES[h->kind]);
        out_cstr(o, "\",\"field\":");
        out_str(o, h->field, h->field_len);
        out_cstr(o, ",\"value\":");
        out_str(o, h->value, h->value_len);
        out_cstr(o, ",\"file\":");
        out_str(o, w->file, strlen(w->file));
        char num[40];
        int n = snprintf(num, sizeof num, ",\"line\":%llu,\"text\":", (unsigned long long)line_no);
        out_raw(o, num, (size_t)n);
        out_str(o, line, len);
        out_raw(o, "}\n", 2);
    }
    if (w->out.len >= ((size_t)1 << 20)) out_flush(w);
    return 0;
}

static void on_progress(void *ctx, const cp_scan_stats *st)
{
    worker *w = ctx;
    if (!w->x->progress) return;
    double s = (double)(cp_mono_us() - w->x->t0) / 1e6;
    pthread_mutex_lock(&w->x->lock);
    fprintf(stderr, "\r%s: %.0f MB, %.0f MB/s, %llu lines, %llu hits   ", w->file, (double)st->bytes / 1e6,
            s > 0 ? (double)st->bytes / 1e6 / s : 0.0, (unsigned long long)st->lines, (unsigned long long)st->hits);
    pthread_mutex_unlock(&w->x->lock);
}

static void add_stats(cp_scan_stats *to, const cp_scan_stats *from)
{
    to->lines += from->lines;
    to->bytes += from->bytes;
    to->events += from->events;
    to->hit_lines += from->hit_lines;
    to->hits += from->hits;
    to->dropped += from->dropped;
    for (int r = 0; r < CP_SKIP__COUNT; r++) to->skipped[r] += from->skipped[r];
}

/* Takes files off the shared list until none is left. */
static void *scan_files(void *arg)
{
    worker *w = arg;
    run_ctx *x = w->x;
    int i;
    while ((i = atomic_fetch_add(&x->next, 1)) < x->nf) {
        const char *path = x->files[i];
        bool in = strcmp(path, "-") == 0;
        int fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            pthread_mutex_lock(&x->lock);
            fprintf(stderr, "error: cannot read %s: %s\n", path, strerror(e));
            x->errors = true;
            pthread_mutex_unlock(&x->lock);
            continue;
        }
        w->file = in ? "(standard input)" : path;
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
        cp_scan_stats st = {0};
        cp_scan_opts o = {x->set, x->fmt, x->max_line, on_hit, on_progress, w};
        cp_err err = {{0}};
        cp_log_format got;
        cp_status rc = cp_scan_fd(fd, &o, &st, &got, &err);
        if (!in) close(fd);
        out_flush(w);
        pthread_mutex_lock(&x->lock);
        if (rc) {
            fprintf(stderr, "error: %s: %s\n", w->file, err.msg);
            x->errors = true;
        }
        if (w->out.failed) {
            fprintf(stderr, "error: out of memory writing the hits of %s\n", w->file);
            x->errors = true;
            w->out.failed = false;
        }
        add_stats(&x->st, &st);
        pthread_mutex_unlock(&x->lock);
    }
    return NULL;
}

/* ---- HTTP (libcurl) ---- */

typedef struct {
    char *buf;
    size_t len;
    size_t max;
    bool over;
} body;

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
    body *b = ctx;
    size_t k = size * n;
    if (b->len + k > b->max) {
        b->over = true;
        return 0;
    }
    char *q = realloc(b->buf, b->len + k + 1);
    if (!q) return 0;
    b->buf = q;
    memcpy(b->buf + b->len, p, k);
    b->len += k;
    b->buf[b->len] = 0;
    return k;
}

/* One request; *status the HTTP status, *resp the body (caller frees). */
static cp_status http(const char *method, const char *url, const char *key, const char *accept, const char *ctype,
                      const char *data, long *status, body *resp, cp_err *err)
{
    CURL *c = curl_easy_init();
    if (!c) return cp_fail(err, CP_E_NOMEM, "cannot start the HTTP client");
    struct curl_slist *hd = NULL;
    char line[1200];
    if (key) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", key);
        hd = curl_slist_append(hd, line);
    }
    snprintf(line, sizeof line, "Accept: %s", accept);
    hd = curl_slist_append(hd, line);
    if (ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        hd = curl_slist_append(hd, line);
    }
    resp->buf = NULL;
    resp->len = 0;
    resp->over = false;
    if (!resp->max) resp->max = (size_t)256 << 20;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(data));
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        free(resp->buf);
        resp->buf = NULL;
        return cp_fail(err, CP_E_IO, "%s %s: %s", method, url, resp->over ? "response too large" : curl_easy_strerror(rc));
    }
    return CP_OK;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static bool is_url(const char *s) { return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0; }

/* Every indicator of a TAXII collection (objects endpoint, paged). */
static cp_status fetch_taxii(const char *url, const char *key, cp_iset **out, cp_err *err)
{
    char base[2048];
    size_t ul = strlen(url);
    if (ul + 16 >= sizeof base) return cp_fail(err, CP_E_BAD_REQUEST, "the URL is too long");
    snprintf(base, sizeof base, "%s%s", url, url[ul - 1] == '/' ? "" : "/");
    if (!(strlen(base) >= 9 && strcmp(base + strlen(base) - 9, "/objects/") == 0)) strcat(base, "objects/");
    cp_iset_builder *b = cp_iset_builder_new();
    if (!b) return cp_fail(err, CP_E_NOMEM, "out of memory");
    char next[512] = "";
    int64_t now = cp_now_ms();
    cp_status rc = CP_OK;
    for (int page = 0; page < 100000 && !rc; page++) {
        char u[3072];
        snprintf(u, sizeof u, "%s?match[type]=indicator%s%s", base, next[0] ? "&next=" : "", next);
        long status = 0;
        body resp = {0};
        rc = http("GET", u, key, "application/taxii+json;version=2.1", NULL, NULL, &status, &resp, err);
        if (rc) break;
        json_t *env = resp.buf ? json_loadb(resp.buf, resp.len, 0, NULL) : NULL;
        free(resp.buf);
        if (status != 200 || !json_is_object(env)) {
            const char *m = json_string_value(json_object_get(env, "description"));
            if (!m) m = json_string_value(json_object_get(env, "title"));
            rc = cp_fail(err, CP_E_IO, "GET %s: HTTP %ld%s%s", u, status, m ? ": " : "", m ? m : "");
            json_decref(env);
            break;
        }
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(env, "objects"), i, o) {
            rc = cp_iset_builder_add_object(b, o, (int)cp_tlp_of_object(o), 0, now, NULL, err);
            if (rc) break;
        }
        const char *nx = json_string_value(json_object_get(env, "next"));
        bool more = json_is_true(json_object_get(env, "more")) && nx && strlen(nx) < sizeof next;
        if (more) {
            char *esc = curl_easy_escape(NULL, nx, 0);
            snprintf(next, sizeof next, "%s", esc ? esc : nx);
            curl_free(esc);
        }
        json_decref(env);
        if (!more) break;
    }
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    *out = cp_iset_builder_finish(b, err);
    return *out ? CP_OK : CP_E_NOMEM;
}

/* One sighting per matched indicator. */
static int report(const run_ctx *x, const char *server, const char *key, const char *collection, const char *files)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%sapi/v1/intel/sightings", server, server[strlen(server) - 1] == '/' ? "" : "/");
    int posted = 0, failed = 0;
    for (uint32_t i = 0; i < x->set->n_inds; i++) {
        const agg *a = &x->per[i];
        if (!a->count) continue;
        char first[CP_RFC3339_MAX], last[CP_RFC3339_MAX];
        cp_rfc3339_format(a->first, first);
        cp_rfc3339_format(a->last, last);
        char note[600];
        snprintf(note, sizeof note, "cyberpact match: %u hit%s in %s", a->count, a->count == 1 ? "" : "s", files);
        json_t *req = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "collection", collection, "indicator_id",
                                cp_iset_indicator_id(x->set, i), "count", (json_int_t)(a->count > 1000000 ? 1000000 : a->count),
                                "first_seen", first, "last_seen", last, "note", note);
        char *data = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        long status = 0;
        body resp = {0};
        cp_err err = {{0}};
        if (!data || http("POST", url, key, "application/json", "application/json", data, &status, &resp, &err)) {
            fprintf(stderr, "error: reporting %s: %s\n", cp_iset_indicator_id(x->set, i), err.msg[0] ? err.msg : "out of memory");
            failed++;
        } else if (status != 201 && status != 200) {
            fprintf(stderr, "error: reporting %s: HTTP %ld %.300s\n", cp_iset_indicator_id(x->set, i), status,
                    resp.buf ? resp.buf : "");
            failed++;
        } else {
            posted++;
        }
        free(resp.buf);
        free(data);
    }
    fprintf(stderr, "reported %d sighting%s to %s (%d failed)\n", posted, posted == 1 ? "" : "s", server, failed);
    return failed ? -1 : 0;
}

/* ---- the command ---- */

static cp_status load_set(cp_config *cfg, const char *indicators, const char *key, cp_iset **out, cp_err *err)
{
    if (indicators && is_url(indicators)) return fetch_taxii(indicators, key, out, err);
    if (indicators) return cp_iset_load(indicators, out, err);
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_EXISTING);
    if (!db) return cp_fail(err, CP_E_UNAVAILABLE, "no --indicators given and no local store to build them from");
    cp_status rc = cp_warninglists_load_global(cfg->warninglists, err);
    cp_conn *c = rc ? NULL : cp_db_thread_conn(db, err);
    if (!rc && !c) rc = CP_E_UNAVAILABLE;
    if (!rc) rc = cp_iset_build_from_store(c, cp_now_ms(), out, err);
    cp_db_close(db);
    return rc;
}

int cp_cli_match(int argc, char **argv, cp_config *cfg)
{
    const char *indicators = NULL, *key = NULL, *server = NULL, *collection = "alliance";
    cp_log_format fmt = CP_FMT_AUTO;
    size_t max_line = CP_SCAN_MAX_LINE_DEFAULT;
    bool do_report = false, progress = isatty(STDERR_FILENO), quiet = false;
    int jobs = 1;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nf = 0;
    if (!files) return cp_cli_fail("out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            free(files);
            return CP_EXIT_OK;
        } else if (strcmp(a, "--indicators") == 0 && v) indicators = argv[++i];
        else if (strcmp(a, "--key") == 0 && v) key = argv[++i];
        else if (strcmp(a, "--server") == 0 && v) server = argv[++i];
        else if (strcmp(a, "--collection") == 0 && v) collection = argv[++i];
        else if (strcmp(a, "--format") == 0 && v) {
            if (!cp_log_format_parse(argv[++i], &fmt)) {
                fprintf(stderr, "error: --format %s: one of auto, jsonl, zeek, csv, cef, text\n", argv[i]);
                free(files);
                return EXIT_ERROR;
            }
        } else if (strcmp(a, "--max-line") == 0 && v) {
            char *end;
            long long m = strtoll(argv[++i], &end, 10);
            if (*end || m < 64 || m > (1LL << 30)) {
                fprintf(stderr, "error: --max-line %s: a number of bytes from 64 to 1073741824\n", argv[i]);
                free(files);
                return EXIT_ERROR;
            }
            max_line = (size_t)m;
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) && v) {
            char *end;
            long j = strtol(argv[++i], &end, 10);
            if (*end || j < 1 || j > CP_MATCH_JOBS_MAX) {
                fprintf(stderr, "error: -j %s: a number of parallel files from 1 to %d\n", argv[i], CP_MATCH_JOBS_MAX);
                free(files);
                return EXIT_ERROR;
            }
            jobs = (int)j;
        } else if (strcmp(a, "--report") == 0) do_report = true;
        else if (strcmp(a, "--progress") == 0) progress = true;
        else if (strcmp(a, "--no-progress") == 0) progress = false;
        else if (strcmp(a, "--quiet") == 0) quiet = true;
        else if (strcmp(a, "-") == 0 || strncmp(a, "--", 2) != 0) files[nf++] = argv[i];
        else {
            fprintf(stderr, "error: unknown or incomplete flag %s\n%s", a, USAGE);
            free(files);
            return EXIT_ERROR;
        }
    }
    if (nf == 0) {
        fprintf(stderr, "error: no file to scan (use - for standard input)\n%s", USAGE);
        free(files);
        return EXIT_ERROR;
    }
    if (do_report && (!server || !key)) {
        fprintf(stderr, "error: --report needs --server URL and --key KEY\n");
        free(files);
        return EXIT_ERROR;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    cp_err err = {{0}};
    cp_iset *set = NULL;
    uint64_t tb = cp_mono_us();
    if (load_set(cfg, indicators, key, &set, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        free(files);
        curl_global_cleanup();
        return EXIT_ERROR;
    }
    double load_s = (double)(cp_mono_us() - tb) / 1e6;
    run_ctx x = {.set = set, .fmt = fmt, .max_line = max_line, .quiet = quiet, .progress = progress, .files = files, .nf = nf};
    atomic_init(&x.next, 0);
    pthread_mutex_init(&x.lock, NULL);
    if (do_report && !(x.per = calloc(set->n_inds ? set->n_inds : 1, sizeof *x.per))) {
        cp_iset_release(set);
        free(files);
        cp_cli_fail("out of memory");
        return EXIT_ERROR;
    }
    char names[512] = "";
    for (int i = 0; i < nf; i++) {
        const char *f = strcmp(files[i], "-") == 0 ? "(standard input)" : files[i];
        if (strlen(names) + strlen(f) + 3 < sizeof names) {
            if (names[0]) strcat(names, ", ");
            strcat(names, f);
        }
    }
    if (jobs > nf) jobs = nf;
    worker ws[CP_MATCH_JOBS_MAX];
    pthread_t th[CP_MATCH_JOBS_MAX];
    memset(ws, 0, sizeof ws);
    x.t0 = cp_mono_us();
    double cpu0 = cpu_seconds();
    int started = 0;
    for (int j = 0; j < jobs; j++) {
        ws[j].x = &x;
        if (j > 0 && pthread_create(&th[j], NULL, scan_files, &ws[j]) != 0) break;
        started = j + 1;
    }
    scan_files(&ws[0]);
    for (int j = 1; j < started; j++) pthread_join(th[j], NULL);
    for (int j = 0; j < jobs; j++) free(ws[j].out.buf);
    cp_scan_stats st = x.st;
    bool errors = x.errors;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "error: cannot write standard output: %s\n", strerror(errno));
        errors = true;
    }
    double secs = (double)(cp_mono_us() - x.t0) / 1e6, cpu = cpu_seconds() - cpu0;
    if (progress) fputc('\n', stderr);
    json_t *sk = json_object();
    for (int r = 0; r < CP_SKIP__COUNT; r++) json_object_set_new(sk, cp_skip_reason_name((cp_skip_reason)r), json_integer((json_int_t)st.skipped[r]));
    cp_iset_stats is;
    cp_iset_stats_get(set, &is);
    json_t *sum = json_pack("{s:{s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:f, s:f, s:f, s:f, s:I, s:f}}", "summary", "files", nf,
                            "lines", (json_int_t)st.lines, "bytes", (json_int_t)st.bytes, "events", (json_int_t)st.events,
                            "hit_lines", (json_int_t)st.hit_lines, "hits", (json_int_t)st.hits, "skipped", sk, "dropped",
                            (json_int_t)st.dropped, "seconds", secs, "cpu_seconds", cpu, "mb_per_s", secs > 0 ? (double)st.bytes / 1e6 / secs : 0.0,
                            "lines_per_s", secs > 0 ? (double)st.lines / secs : 0.0, "indicators", (json_int_t)is.indicators,
                            "indicators_load_seconds", load_s);
    char *text = sum ? json_dumps(sum, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    if (text) fprintf(stderr, "%s\n", text);
    free(text);
    json_decref(sum);
    int rc = errors ? EXIT_ERROR : st.hits ? EXIT_HITS : EXIT_NONE;
    if (do_report && !errors && st.hits && report(&x, server, key, collection, names)) rc = EXIT_ERROR;
    free(x.per);
    pthread_mutex_destroy(&x.lock);
    free(files);
    cp_iset_release(set);
    curl_global_cleanup();
    return rc;
}
