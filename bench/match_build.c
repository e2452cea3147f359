/*
 * match_build.c — the set-building half of bench/match.sh: compiles
 * "id<TAB>pattern" lines (bench/match_gen.py) into a set, reports the build
 * time and memory, and writes the compiled file that `cyberpact match
 * --indicators` loads.
 *
 * usage: match_build INDICATORS.tsv OUT.cpiset
 * prints one JSON object: indicators, skipped, build seconds, the set's own
 * bytes, the process's resident memory before, after and at its peak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "warning/iset.h"

static long kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0) v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: match_build INDICATORS.tsv OUT\n");
        return 2;
    }
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) return 1;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    /* read everything first: the build is timed, not the disk */
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) return 1;
    fclose(f);
    text[len] = 0;
    long rss0 = kb("VmRSS:");
    uint64_t t0 = cp_mono_us();
    cp_iset_builder *b = cp_iset_builder_new();
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (!nl) nl = p + strlen(p);
        char *tab = memchr(p, '\t', (size_t)(nl - p));
        if (tab) {
            *tab = 0;
            if (cp_iset_builder_add_pattern(b, p, tab + 1, (size_t)(nl - tab - 1), 2, 1, NULL, &err)) {
                fprintf(stderr, "error: %s\n", err.msg);
                return 1;
            }
        }
        p = *nl ? nl + 1 : nl;
    }
    cp_iset *s = cp_iset_builder_finish(b, &err);
    double secs = (double)(cp_mono_us() - t0) / 1e6;
    free(text);
    long rss1 = kb("VmRSS:"), peak = kb("VmHWM:");
    if (!s) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    uint64_t t1 = cp_mono_us();
    if (cp_iset_save(s, argv[2], &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    double save_s = (double)(cp_mono_us() - t1) / 1e6;
    cp_iset_stats st;
    cp_iset_stats_get(s, &st);
    printf("{\"indicators\": %llu, \"skipped_multi_event\": %llu, \"skipped_other\": %llu, \"build_seconds\": %.3f, "
           "\"save_seconds\": %.3f, \"set_bytes\": %llu, \"rss_before_kb\": %ld, \"rss_after_kb\": %ld, \"rss_peak_kb\": %ld}\n",
           (unsigned long long)st.indicators, (unsigned long long)st.skipped_multi_event, (unsigned long long)st.skipped_other,
           secs, save_s, (unsigned long long)st.bytes, rss0, rss1, peak);
    cp_iset_release(s);
    return 0;
}
