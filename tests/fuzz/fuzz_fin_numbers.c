/*
 * fuzz_fin_numbers.c — the exact quantities of finance/money.h: amounts
 * (decimal text → minor units), contributory units and rationals ("1½",
 * "1 1/2", "1/16", "0.25"), and value dates.
 *
 * The first input byte picks the currency exponent (0..4); the rest is the
 * text. Properties checked (abort on violation):
 *   - an accepted amount is in 1..CP_FIN_AMOUNT_MAX and formatting it back
 *     and parsing the result gives the same amount;
 *   - accepted units are in 1..16000 sixteenths and format → parse round-trips;
 *   - an accepted ratio is positive in lowest terms with a denominator
 *     <= 10000; units parse iff the ratio's denominator divides 16 (and the
 *     value is in range);
 *   - an accepted date formats back to exactly the same ten characters;
 *   - every rejection is CP_E_BAD_REQUEST with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "finance/money.h"

static int64_t gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256) return 0;
    int exp = data[0] % 5;
    char text[257];
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    if (strlen(text) != size - 1) return 0; /* NUL inside: C strings only */
    cp_err err = {{0}};
    char buf[64];

    int64_t v = 0;
    cp_status st = cp_fin_amount_parse(text, exp, false, &v, &err);
    if (st == CP_OK) {
        if (v < 1 || v > CP_FIN_AMOUNT_MAX) abort();
        cp_fin_amount_format(v, exp, buf, sizeof buf);
        int64_t w = 0;
        if (cp_fin_amount_parse(buf, exp, false, &w, &err) || w != v) abort();
    } else if (st != CP_E_BAD_REQUEST || !err.msg[0])
        abort();

    int64_t u = 0;
    cp_status su = cp_fin_units_parse(text, &u, &err);
    if (su == CP_OK) {
        if (u < 1 || u > CP_FIN_UNITS16_MAX) abort();
        cp_fin_units_format(u, buf, sizeof buf);
        int64_t w = 0;
        if (cp_fin_units_parse(buf, &w, &err) || w != u) abort();
    } else if (su != CP_E_BAD_REQUEST || !err.msg[0])
        abort();

    int64_t num = 0, den = 0;
    cp_status sr = cp_fin_ratio_parse(text, &num, &den, &err);
    if (sr == CP_OK) {
        if (num <= 0 || den <= 0 || den > 10000 || gcd(num, den) != 1) abort();
        bool sixteenths = 16 % den == 0 && num * (16 / den) <= CP_FIN_UNITS16_MAX;
        if (sixteenths != (su == CP_OK)) abort();
        if (su == CP_OK && u != num * (16 / den)) abort();
    } else {
        if (sr != CP_E_BAD_REQUEST || su == CP_OK) abort();
    }

    int64_t day = 0;
    cp_status sd = cp_fin_date_parse(text, &day, &err);
    if (sd == CP_OK) {
        cp_fin_date_format(day, buf, sizeof buf);
        if (strcmp(buf, text) != 0) abort();
        if (cp_fin_day(day) != day) abort();
    } else if (sd != CP_E_BAD_REQUEST)
        abort();
    return 0;
}
