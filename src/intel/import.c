#include "intel/import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/jsonspan.h"
#include "intel/misp.h"

/* Ingests items in chunks, accumulating into res. */
static cp_status ingest_chunks(cp_conn *c, const cp_actor *a, const cp_collection *col, cp_intel_item *items,
                               size_t n, cp_ingest_result *res, cp_err *err)
{
    for (size_t done = 0; done < n; done += CP_IMPORT_CHUNK) {
        size_t k = n - done < CP_IMPORT_CHUNK ? n - done : CP_IMPORT_CHUNK;
        cp_status st = cp_intel_ingest(c, a, col, items + done, k, NULL, res, err);
        if (st) return st;
    }
    return CP_OK;
}

/* The objects of a bundle or envelope, with their exact bytes. */
static cp_status import_objects(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *text, size_t len,
                                const json_t *objects, cp_ingest_result *res, cp_err *err)
{
    size_t n = json_array_size(objects), ns = 0;
    cp_span *spans = NULL;
    cp_status st = cp_json_array_spans(text, len, "objects", &spans, &ns, err);
    if (!st && ns != n) st = cp_fail(err, CP_E_INTERNAL, "the scan found %zu objects, the parser %zu", ns, n);
    cp_intel_item *items = st ? NULL : calloc(n ? n : 1, sizeof *items);
    if (!st && !items) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++)
        items[i] = (cp_intel_item){json_array_get(objects, i), text + spans[i].off, spans[i].len};
    if (!st) st = ingest_chunks(c, a, col, items, n, res, err);
    free(items);
    free(spans);
    return st;
}

static cp_status import_misp(cp_conn *c, const cp_actor *a, const cp_collection *col, const json_t *doc,
                             cp_ingest_result *res, cp_err *err)
{
    json_t *objs = json_array();
    cp_misp_stats stats;
    cp_status st = cp_misp_event_to_stix(doc, objs, &stats, err);
    json_decref(stats.skipped_types);
    size_t n = json_array_size(objs);
    cp_intel_item *items = st ? NULL : calloc(n ? n : 1, sizeof *items);
    if (!st && !items) st = cp_fail(err, CP_E_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) items[i] = (cp_intel_item){json_array_get(objs, i), NULL, 0};
    if (!st) st = ingest_chunks(c, a, col, items, n, res, err);
    free(items);
    json_decref(objs);
    return st;
}

cp_status cp_intel_import_json(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *text,
                               size_t len, size_t max_depth, cp_ingest_result *res, cp_err *err)
{
    json_t *doc;
    cp_status st = cp_json_parse(text, len, max_depth, &doc, err);
    if (st) return st;
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *objects = json_object_get(doc, "objects");
    if (!json_is_object(doc)) {
        st = cp_fail(err, CP_E_UNPROCESSABLE, "expected a STIX bundle, a TAXII envelope, a STIX object or a MISP event");
    } else if (json_is_object(json_object_get(doc, "Event")) ||
               (!type && json_is_array(json_object_get(doc, "Attribute")))) {
        st = import_misp(c, a, col, doc, res, err);
    } else if ((type && strcmp(type, "bundle") == 0) || (!type && objects)) {
        if (objects && !json_is_array(objects)) st = cp_fail(err, CP_E_UNPROCESSABLE, "'objects' is not a list");
        else if (objects) st = import_objects(c, a, col, text, len, objects, res, err);
    } else if (type) {
        cp_intel_item one = {doc, text, len};
        while (one.raw_len > 0 && (one.raw[one.raw_len - 1] == '\n' || one.raw[one.raw_len - 1] == ' ' ||
                                   one.raw[one.raw_len - 1] == '\r' || one.raw[one.raw_len - 1] == '\t'))
            one.raw_len--;
        while (one.raw_len > 0 && (*one.raw == ' ' || *one.raw == '\n' || *one.raw == '\r' || *one.raw == '\t'))
            one.raw++, one.raw_len--;
        st = cp_intel_ingest(c, a, col, &one, 1, NULL, res, err);
    } else {
        st = cp_fail(err, CP_E_UNPROCESSABLE, "expected a STIX bundle, a TAXII envelope, a STIX object or a MISP event");
    }
    json_decref(doc);
    return st;
}

static cp_status read_file(const char *path, char **out, size_t *len, cp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cp_fail(err, CP_E_IO, "cannot read %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > CP_IMPORT_FILE_MAX) {
        fclose(f);
        return cp_fail(err, CP_E_TOO_LARGE, "%s is larger than %u MiB", path, CP_IMPORT_FILE_MAX >> 20);
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    if (!buf) return cp_fail(err, CP_E_NOMEM, "out of memory");
    if (n != (size_t)sb.st_size) {
        free(buf);
        return cp_fail(err, CP_E_IO, "short read on %s", path);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return CP_OK;
}

static bool is_store_error(cp_status st) { return st == CP_E_STORE || st == CP_E_UNAVAILABLE || st == CP_E_NOMEM; }

static cp_status import_file(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *path,
                             size_t max_depth, cp_import_file_fn fn, void *ctx, cp_import_totals *tot, cp_err *err)
{
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    char *text = NULL;
    size_t len = 0;
    cp_err ferr = {{0}};
    cp_status st = read_file(path, &text, &len, &ferr);
    if (!st) st = cp_intel_import_json(c, a, col, text, len, max_depth, &res, &ferr);
    free(text);
    tot->files++;
    if (st) tot->files_failed++;
    tot->total += res.total;
    tot->success += res.success;
    tot->failure += res.failure;
    tot->stored += res.stored;
    if (fn) fn(path, st, &ferr, &res, ctx);
    cp_ingest_result_free(&res);
    if (is_store_error(st)) {
        *err = ferr;
        return st;
    }
    return CP_OK;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static cp_status import_dir(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *dir, int depth,
                            size_t max_depth, cp_import_file_fn fn, void *ctx, cp_import_totals *tot, cp_err *err)
{
    if (depth > 16) return CP_OK;
    DIR *d = opendir(dir);
    if (!d) {
        cp_err e;
        cp_fail(&e, CP_E_IO, "cannot read folder %s: %s", dir, strerror(errno));
        tot->files_failed++;
        if (fn) fn(dir, CP_E_IO, &e, NULL, ctx);
        return CP_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nb = realloc(names, cap * sizeof *names);
            if (!nb) break;
            names = nb;
        }
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        if (!names[n]) break;
        snprintf(names[n], l, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    cp_status st = CP_OK;
    for (size_t i = 0; i < n && !st; i++) {
        struct stat sb;
        if (stat(names[i], &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) st = import_dir(c, a, col, names[i], depth + 1, max_depth, fn, ctx, tot, err);
        else if (S_ISREG(sb.st_mode) && ends_with(names[i], ".json") && !ends_with(names[i], "/manifest.json"))
            st = import_file(c, a, col, names[i], max_depth, fn, ctx, tot, err);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return st;
}

cp_status cp_intel_import_path(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *path,
                               size_t max_depth, cp_import_file_fn fn, void *ctx, cp_import_totals *tot, cp_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cp_err e;
        cp_fail(&e, CP_E_IO, "cannot read %s: %s", path, strerror(errno));
        tot->files_failed++;
        if (fn) fn(path, CP_E_IO, &e, NULL, ctx);
        return CP_OK;
    }
    if (S_ISDIR(sb.st_mode)) return import_dir(c, a, col, path, 0, max_depth, fn, ctx, tot, err);
    return import_file(c, a, col, path, max_depth, fn, ctx, tot, err);
}
