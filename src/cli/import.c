/*
 * import.c — `cyberpact import` and `cyberpact export`: threat intelligence
 * from and to files, for an administrator on the machine (the CLI actor:
 * audit "cli:<login>"; it may read everything and writes under the
 * collection's TLP rules like anyone).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "intel/collections.h"
#include "intel/export.h"
#include "intel/import.h"
#include "intel/warninglist.h"
#include "members/actor.h"

#define FILE_JSON_DEPTH 64

static const char IMPORT_USAGE[] =
    "usage: cyberpact import [--collection REF] PATH...\n"
    "Imports STIX 2.1 bundles, TAXII envelopes, single STIX objects and MISP events (a MISP\n"
    "feed folder: its <uuid>.json events) into a collection (REF: id or alias; default\n"
    "'alliance'). A folder is read recursively, *.json files in name order. Each object is\n"
    "validated and versioned as over TAXII; one line per file, then the totals. Exit status 1\n"
    "when any object or file failed (the reasons on standard error).\n";

static const char EXPORT_USAGE[] =
    "usage: cyberpact export --collection REF [--out FILE] [--all-versions]\n"
    "Writes the collection as one STIX 2.1 bundle (the last version of each object, or every\n"
    "version) to FILE or standard output, objects byte for byte as they were shared.\n";

typedef struct {
    int failures_shown;
} report_ctx;

static void per_file(const char *path, cp_status st, const cp_err *err, const cp_ingest_result *res, void *ctx)
{
    report_ctx *x = ctx;
    if (st) {
        fprintf(stderr, "error: %s: %s\n", path, err->msg);
        return;
    }
    printf("%s: %lld objects, %lld stored, %lld already there, %lld failed\n", path, (long long)res->total,
           (long long)res->stored, (long long)(res->success - res->stored), (long long)res->failure);
    size_t i;
    json_t *f;
    json_array_foreach(res->failures, i, f) {
        if (x->failures_shown++ >= 50) break;
        fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(f, "id")),
                json_string_value(json_object_get(f, "message")));
    }
}

static cp_db *open_for(const cp_config *cfg, cp_conn **c, cp_collection *col, const char *ref, const cp_actor *a)
{
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return NULL;
    cp_err err = {{0}};
    *c = cp_db_thread_conn(db, &err);
    if (!*c || cp_collection_resolve(*c, ref, a, col, &err)) {
        fprintf(stderr, "error: collection '%s': %s\n", ref, err.msg[0] ? err.msg : "cannot open the store");
        cp_db_close(db);
        return NULL;
    }
    return db;
}

int cp_cli_import(int argc, char **argv, cp_config *cfg)
{
    const char *ref = CP_COLLECTION_ALLIANCE_ALIAS;
    char *paths[256];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(IMPORT_USAGE, stdout);
            return CP_EXIT_OK;
        } else if (strcmp(argv[i], "--collection") == 0 && i + 1 < argc) {
            ref = argv[++i];
        } else if (strncmp(argv[i], "--", 2) == 0) {
            fprintf(stderr, "error: unknown flag %s\n%s", argv[i], IMPORT_USAGE);
            return CP_EXIT_USAGE;
        } else if (n < 256) {
            paths[n++] = argv[i];
        } else {
            fprintf(stderr, "error: more than 256 paths; name their folder instead\n");
            return CP_EXIT_USAGE;
        }
    }
    if (n == 0) {
        fputs(IMPORT_USAGE, stderr);
        return CP_EXIT_USAGE;
    }
    cp_err err = {{0}};
    if (cp_warninglists_load_global(cfg->warninglists, &err)) return cp_cli_fail(err.msg);
    cp_actor a;
    cp_actor_cli(&a);
    cp_conn *c;
    cp_collection col;
    cp_db *db = open_for(cfg, &c, &col, ref, &a);
    if (!db) return CP_EXIT_FAIL;
    cp_import_totals tot = {0};
    report_ctx x = {0};
    cp_status st = CP_OK;
    for (int i = 0; i < n && !st; i++)
        st = cp_intel_import_path(c, &a, &col, paths[i], FILE_JSON_DEPTH, per_file, &x, &tot, &err);
    cp_db_close(db);
    if (st) return cp_cli_fail(err.msg);
    printf("total: %lld files (%lld unreadable), %lld objects, %lld stored, %lld already there, %lld failed\n",
           (long long)tot.files, (long long)tot.files_failed, (long long)tot.total, (long long)tot.stored,
           (long long)(tot.success - tot.stored), (long long)tot.failure);
    return tot.failure || tot.files_failed ? CP_EXIT_FAIL : CP_EXIT_OK;
}

static int to_file(const char *bytes, size_t len, void *ctx)
{
    return fwrite(bytes, 1, len, (FILE *)ctx) == len ? 0 : 1;
}

int cp_cli_export(int argc, char **argv, cp_config *cfg)
{
    const char *ref = NULL, *out = NULL;
    bool all = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(EXPORT_USAGE, stdout);
            return CP_EXIT_OK;
        } else if (strcmp(argv[i], "--collection") == 0 && i + 1 < argc) {
            ref = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--all-versions") == 0) {
            all = true;
        } else {
            fprintf(stderr, "error: unexpected argument %s\n%s", argv[i], EXPORT_USAGE);
            return CP_EXIT_USAGE;
        }
    }
    if (!ref) {
        fputs(EXPORT_USAGE, stderr);
        return CP_EXIT_USAGE;
    }
    cp_actor a;
    cp_actor_cli(&a);
    cp_conn *c;
    cp_collection col;
    cp_db *db = open_for(cfg, &c, &col, ref, &a);
    if (!db) return CP_EXIT_FAIL;
    /* written beside FILE, renamed over it when complete: a failed export
     * leaves no partial bundle behind */
    char tmp[4096];
    if (out && (size_t)snprintf(tmp, sizeof tmp, "%s.partial", out) >= sizeof tmp) {
        cp_db_close(db);
        return cp_cli_fail("the output path is too long");
    }
    FILE *f = out ? fopen(tmp, "w") : stdout;
    if (!f) {
        int e = errno;
        cp_db_close(db);
        fprintf(stderr, "error: cannot write %s: %s\n", tmp, strerror(e));
        return CP_EXIT_FAIL;
    }
    cp_err err = {{0}};
    int64_t count = 0;
    cp_status st = cp_intel_export(c, &a, &col, all, to_file, f, &count, &err);
    if (st == CP_E_IO) cp_fail(&err, CP_E_IO, "cannot write %s: %s", out ? tmp : "standard output", strerror(errno));
    if (out) {
        if (fclose(f) != 0 && !st) st = cp_fail(&err, CP_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        if (!st && rename(tmp, out) != 0) st = cp_fail(&err, CP_E_IO, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
        if (st) remove(tmp);
    } else if (fflush(stdout) != 0 && !st) {
        st = cp_fail(&err, CP_E_IO, "cannot write standard output: %s", strerror(errno));
    }
    cp_db_close(db);
    if (st) return cp_cli_fail(err.msg);
    fprintf(stderr, "%lld objects exported\n", (long long)count);
    return CP_EXIT_OK;
}
