/*
 * scan_fuzz.h — what the log-scanner fuzz targets share: a small compiled
 * set (one indicator of each kind, an AND) built once, and a scan of the
 * input as one format with the scanner's invariants checked:
 *   - no crash, leak, overread or undefined behaviour (the sanitizers);
 *   - every hit names an indicator of the set, a kind, a field, and a value
 *     that is non-empty and lies inside the input or the scanner's arena;
 *   - lines counted = newlines (+1 for a last line without one); events and
 *     skipped lines never exceed the lines; hit lines never exceed events;
 *   - the format asked for is the format used (AUTO: some definite format);
 *   - scanning the same input twice gives the same statistics.
 */
#ifndef CP_SCAN_FUZZ_H
#define CP_SCAN_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "warning/iset.h"
#include "warning/scan_file.h"

static cp_iset *fz_set(void)
{
    static cp_iset *s;
    if (s) return s;
    static const char *const P[] = {
        "[ipv4-addr:value = '198.51.100.7']",
        "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
        "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
        "[domain-name:value = 'evil.example']",
        "[domain-name:value LIKE '%.c2.example']",
        "[url:value = 'http://dl.example/p.exe']",
        "[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']",
        "[file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567']",
        "[email-addr:value = 'boss@phish.example']",
        "[ipv4-addr:value = '192.0.2.50' AND domain-name:value = 'pair.example']",
    };
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) abort();
    cp_iset_builder *b = cp_iset_builder_new();
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++) {
        char id[32];
        snprintf(id, sizeof id, "indicator--%zu", i);
        if (cp_iset_builder_add_pattern(b, id, P[i], strlen(P[i]), 2, 1, NULL, &err)) abort();
    }
    s = cp_iset_builder_finish(b, &err);
    if (!s) abort();
    return s;
}

typedef struct {
    const uint8_t *data;
    size_t size;
    uint64_t hits;
} fz_ctx;

static int fz_on_hit(void *ctx, uint64_t line_no, const char *line, size_t len, const cp_scanner *sc)
{
    fz_ctx *x = ctx;
    if (line_no == 0 || sc->n_hits == 0 || sc->n_hits > sc->n_total || sc->n_hits > sc->hits_cap) abort();
    if ((const uint8_t *)line < x->data || (const uint8_t *)line + len > x->data + x->size) abort();
    for (size_t i = 0; i < sc->n_hits; i++) {
        const cp_scan_hit *h = &sc->hits[i];
        if (!cp_iset_indicator_id(sc->set, h->indicator)) abort();
        if (h->kind < 0 || h->kind >= CPI_K__COUNT || !h->field || !h->value || h->value_len == 0) abort();
        const char *v = h->value;
        bool in_input = (const uint8_t *)v >= x->data && (const uint8_t *)v + h->value_len <= x->data + x->size;
        bool in_arena = v >= sc->arena && v + h->value_len <= sc->arena + CP_SCAN_ARENA;
        if (!in_input && !in_arena) abort();
        x->hits++;
    }
    return 0;
}

static void fz_scan(const uint8_t *data, size_t size, cp_log_format fmt)
{
    if (size > 256 * 1024) return;
    const cp_iset *s = fz_set();
    cp_scan_stats st[2];
    for (int k = 0; k < 2; k++) {
        memset(&st[k], 0, sizeof st[k]);
        fz_ctx x = {data, size, 0};
        cp_scan_opts o = {s, fmt, 4096, fz_on_hit, NULL, &x};
        cp_log_format got = CP_FMT_AUTO;
        cp_err err = {{0}};
        if (cp_scan_mem((const char *)data, size, &o, &st[k], &got, &err)) abort();
        if (fmt != CP_FMT_AUTO && got != fmt) abort();
        uint64_t nl = 0;
        for (size_t i = 0; i < size; i++) nl += data[i] == '\n';
        if (size && data[size - 1] != '\n') nl++;
        if (st[k].lines != nl || st[k].bytes != size) abort();
        uint64_t skipped = 0;
        for (int r = 0; r < CP_SKIP__COUNT; r++) skipped += st[k].skipped[r];
        if (st[k].events + skipped > st[k].lines || st[k].hit_lines > st[k].events || x.hits > st[k].hits) abort();
    }
    if (memcmp(&st[0], &st[1], sizeof st[0]) != 0) abort();
}

#endif
