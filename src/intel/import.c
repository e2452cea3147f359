#include "intel/import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/crypto.h"
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

/* A path that could not be imported at all, reported and counted. */
static void file_failed(const char *path, cp_status st, const cp_err *e, cp_import_file_fn fn, void *ctx,
                        cp_import_totals *tot)
{
    tot->files++;
    tot->files_failed++;
    if (fn) fn(path, st, e, NULL, ctx);
}

#define MANIFEST_MAX (64u << 20)

/* A MISP feed's manifest.json lists its events ({"<uuid>": {...}, ...}):
 * each must be there as <uuid>.json (the events themselves are imported as
 * the folder's other files). A missing event, or a manifest that is not one,
 * is a failed file. */
static void check_manifest(const char *dir, char **names, size_t n, cp_import_file_fn fn, void *ctx,
                           cp_import_totals *tot)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *text = NULL;
    size_t len = 0;
    cp_err e = {{0}};
    json_t *m = NULL;
    cp_status st = read_file(path, &text, &len, &e);
    if (!st && len > MANIFEST_MAX) st = cp_fail(&e, CP_E_TOO_LARGE, "%s is larger than %u MiB", path, MANIFEST_MAX >> 20);
    if (!st) st = cp_json_parse(text, len, 8, &m, &e);
    free(text);
    if (!st && !json_is_object(m))
        st = cp_fail(&e, CP_E_UNPROCESSABLE, "%s is not a MISP feed manifest (an object keyed by event uuid)", path);
    if (st) {
        json_decref(m);
        file_failed(path, st, &e, fn, ctx, tot);
        return;
    }
    const char *uuid;
    json_t *v;
    json_object_foreach(m, uuid, v) {
        char want[4096];
        snprintf(want, sizeof want, "%s/%s.json", dir, uuid);
        const char *key = want;
        if (!cp_uuid_valid(uuid) || !bsearch(&key, names, n, sizeof *names, by_name)) {
            snprintf(want, sizeof want, "%s/%.80s.json", dir, uuid);
            cp_fail(&e, CP_E_NOT_FOUND, "event %.80s is listed in %s but %s", uuid, path,
                    cp_uuid_valid(uuid) ? "its file is missing" : "is not a UUID");
            file_failed(want, CP_E_NOT_FOUND, &e, fn, ctx, tot);
        }
    }
    json_decref(m);
}

static cp_status import_dir(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *dir, int depth,
                            size_t max_depth, cp_import_file_fn fn, void *ctx, cp_import_totals *tot, cp_err *err)
{
    cp_err e = {{0}};
    if (depth > 16) {
        cp_fail(&e, CP_E_UNPROCESSABLE, "folder %s is nested more than 16 levels deep: not read", dir);
        file_failed(dir, CP_E_UNPROCESSABLE, &e, fn, ctx, tot);
        return CP_OK;
    }
    DIR *d = opendir(dir);
    if (!d) {
        cp_fail(&e, CP_E_IO, "cannot read folder %s: %s", dir, strerror(errno));
        file_failed(dir, CP_E_IO, &e, fn, ctx, tot);
        return CP_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool manifest = false;
    cp_status st = CP_OK;
    struct dirent *de;
    while (!st && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (strcmp(de->d_name, "manifest.json") == 0) {
            manifest = true;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nb = realloc(names, cap * sizeof *names);
            if (!nb) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory listing %s", dir);
                break;
            }
            names = nb;
        }
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        if (!(names[n] = malloc(l))) {
            st = cp_fail(err, CP_E_NOMEM, "out of memory listing %s", dir);
            break;
        }
        snprintf(names[n], l, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    if (!st && manifest) check_manifest(dir, names, n, fn, ctx, tot);
    for (size_t i = 0; i < n && !st; i++) {
        struct stat sb;
        if (stat(names[i], &sb) != 0) {
            cp_fail(&e, CP_E_IO, "cannot read %s: %s", names[i], strerror(errno));
            file_failed(names[i], CP_E_IO, &e, fn, ctx, tot);
        } else if (S_ISDIR(sb.st_mode)) {
            st = import_dir(c, a, col, names[i], depth + 1, max_depth, fn, ctx, tot, err);
        } else if (S_ISREG(sb.st_mode) && ends_with(names[i], ".json")) {
            st = import_file(c, a, col, names[i], max_depth, fn, ctx, tot, err);
        }
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
        file_failed(path, CP_E_IO, &e, fn, ctx, tot);
        return CP_OK;
    }
    if (S_ISDIR(sb.st_mode)) return import_dir(c, a, col, path, 0, max_depth, fn, ctx, tot, err);
    /* a feed's manifest stands for its feed */
    size_t pl = strlen(path);
    if (pl >= 13 && strcmp(path + pl - 13, "manifest.json") == 0 && (pl == 13 || path[pl - 14] == '/')) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", pl == 13 ? 1 : (int)(pl - 14), pl == 13 ? "." : path);
        return import_dir(c, a, col, dir, 0, max_depth, fn, ctx, tot, err);
    }
    return import_file(c, a, col, path, max_depth, fn, ctx, tot, err);
}
