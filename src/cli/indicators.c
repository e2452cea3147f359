/*
 * indicators.c — `cyberpact indicators export --compiled FILE` and
 * `cyberpact indicators stats [--compiled FILE]`: the compiled indicator set
 * of the local store (every collection; warninglists per --warninglists)
 * written for a sensor that starts without the server, or its figures.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "intel/warninglist.h"
#include "warning/iset.h"

static const char USAGE[] =
    "usage: cyberpact indicators export --compiled FILE\n"
    "       cyberpact indicators stats [--compiled FILE]\n"
    "export compiles every active indicator of the store (all collections; revoked, expired and\n"
    "not-yet-valid ones left out, warninglisted values dropped) and writes the compiled set to\n"
    "FILE, which `cyberpact match --indicators FILE` loads without a store or server.\n"
    "stats prints the set's figures as JSON: from the store, or from a compiled FILE.\n";

static void print_stats(const cp_iset *s, double seconds, const char *source)
{
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "source", source, "indicators", (json_int_t)st.indicators,
                          "skipped_multi_event", (json_int_t)st.skipped_multi_event, "skipped_other",
                          (json_int_t)st.skipped_other, "expired", (json_int_t)st.expired, "warninglisted_values",
                          (json_int_t)st.warninglisted, "bytes", (json_int_t)st.bytes, "seconds", seconds);
    if (cp_iset_built_at(s)) {
        char t[CP_RFC3339_MAX];
        cp_rfc3339_format(cp_iset_built_at(s), t);
        json_object_set_new(o, "built_at", json_string(t));
    }
    if (cp_iset_next_change(s)) {
        char t[CP_RFC3339_MAX];
        cp_rfc3339_format(cp_iset_next_change(s), t);
        json_object_set_new(o, "stale_at", json_string(t));
    }
    cp_cli_print_json(o);
}

static int from_store(cp_config *cfg, cp_iset **out, double *secs)
{
    cp_err err = {{0}};
    if (cp_warninglists_load_global(cfg->warninglists, &err)) return cp_cli_fail(err.msg);
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return CP_EXIT_STORE;
    cp_conn *c = cp_db_thread_conn(db, &err);
    uint64_t t0 = cp_mono_us();
    cp_status rc = c ? cp_iset_build_from_store(c, cp_now_ms(), out, &err) : CP_E_UNAVAILABLE;
    *secs = (double)(cp_mono_us() - t0) / 1e6;
    cp_db_close(db);
    if (rc) return cp_cli_fail(err.msg[0] ? err.msg : "cannot read the store");
    return CP_EXIT_OK;
}

int cp_cli_indicators(int argc, char **argv, cp_config *cfg)
{
    const char *action = argc > 1 ? argv[1] : NULL, *file = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) {
            fputs(USAGE, stdout);
            return CP_EXIT_OK;
        }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--compiled") == 0 && i + 1 < argc) file = argv[++i];
        else {
            fprintf(stderr, "error: unexpected argument %s\n%s", argv[i], USAGE);
            return CP_EXIT_USAGE;
        }
    }
    if (!action || (strcmp(action, "export") != 0 && strcmp(action, "stats") != 0) ||
        (strcmp(action, "export") == 0 && !file)) {
        fputs(USAGE, stderr);
        return CP_EXIT_USAGE;
    }
    cp_iset *s = NULL;
    double secs = 0;
    cp_err err = {{0}};
    if (strcmp(action, "stats") == 0 && file) {
        uint64_t t0 = cp_mono_us();
        if (cp_iset_load(file, &s, &err)) return cp_cli_fail(err.msg);
        print_stats(s, (double)(cp_mono_us() - t0) / 1e6, file);
        cp_iset_release(s);
        return CP_EXIT_OK;
    }
    int rc = from_store(cfg, &s, &secs);
    if (rc) return rc;
    if (strcmp(action, "stats") == 0) {
        print_stats(s, secs, "store");
    } else if (cp_iset_save(s, file, &err)) {
        rc = cp_cli_fail(err.msg);
    } else {
        cp_iset_stats st;
        cp_iset_stats_get(s, &st);
        fprintf(stderr, "%llu indicators compiled into %s (%llu skipped: multi-event; %llu skipped: other; %llu expired)\n",
                (unsigned long long)st.indicators, file, (unsigned long long)st.skipped_multi_event,
                (unsigned long long)st.skipped_other, (unsigned long long)st.expired);
    }
    cp_iset_release(s);
    return rc;
}
