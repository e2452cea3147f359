/*
 * fuzz_iset_load.c — the compiled indicator file loader (warning/iset.h,
 * cp_iset_load_mem) fed arbitrary bytes. The first input byte chooses
 * whether the checksum is recomputed over the rest ("resealed"), so the
 * fuzzer gets past the checksum and reaches the structural checks.
 *
 * Properties checked (abort on violation):
 *   - no crash, leak, overread or undefined behaviour (the sanitizers);
 *   - a failure is CP_E_UNPROCESSABLE with a message starting with
 *     "compiled indicators: ", and leaves *out NULL;
 *   - a loaded set answers matches for every value kind, its statistics
 *     count the indicators it holds, and every indicator has an id.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "warning/iset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        cp_err e = {{0}};
        if (cp_crypto_init(&e)) abort();
        init = true;
    }
    if (size < 1 || size > 1 << 20) return 0;
    bool reseal = data[0] & 1;
    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) abort();
    memcpy(buf, data + 1, len);
    if (reseal && len >= 64) crypto_generichash(buf + 24, 32, buf + 64, len - 64, NULL, 0);
    cp_iset *s = (cp_iset *)1;
    cp_err err = {{0}};
    cp_status st = cp_iset_load_mem(buf, len, &s, &err);
    if (st) {
        if (s != NULL) abort();
        if (st != CP_E_UNPROCESSABLE && st != CP_E_NOMEM) abort();
        if (st == CP_E_UNPROCESSABLE && strncmp(err.msg, "compiled indicators: ", 21) != 0) abort();
    } else {
        cp_iset_stats stats;
        cp_iset_stats_get(s, &stats);
        for (uint32_t i = 0; i < stats.indicators; i++)
            if (!cp_iset_indicator_id(s, i)) abort();
        if (cp_iset_indicator_id(s, (uint32_t)stats.indicators)) abort();
        static const cp_val v[] = {
            {CP_VAL_IPV4, "203.0.113.9", 11}, {CP_VAL_IPV6, "2001:db8::1", 11}, {CP_VAL_DOMAIN, "a.b.example.com", 15},
            {CP_VAL_URL, "http://x.example/p", 18}, {CP_VAL_MD5, "0123456789abcdef0123456789abcdef", 32},
            {CP_VAL_EMAIL, "a@b.example", 11},
        };
        cp_iset_hit h[8];
        size_t n = cp_iset_match(s, v, sizeof v / sizeof v[0], h, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            if (h[i].indicator >= stats.indicators || h[i].value >= sizeof v / sizeof v[0]) abort();
        cp_iset_release(s);
    }
    free(buf);
    return 0;
}
