/*
 * fuzz_fin_payments_csv.c — the bank-statement CSV parser
 * (finance/csv_import.h).
 *
 * Properties checked (abort on violation):
 *   - when it parses: {"payments": [...]} with 1..CP_FIN_IMPORT_MAX objects,
 *     each holding member_id, amount, date and reference as strings and no
 *     other key than the seven columns; written back as CSV (every field
 *     quoted, quotes doubled, CRLF) it parses to the same JSON;
 *   - when it does not: CP_E_BAD_REQUEST or CP_E_TOO_LARGE with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/csv_import.h"
#include "finance/finance.h"

static const char *const NAMES[7] = {"member_id", "amount", "date", "reference", "payer", "currency", "assessment_id"};

static void put(char **b, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n + len + 1 > *cap) {
        *cap = (*n + len + 1) * 2;
        *b = realloc(*b, *cap);
        if (!*b) abort();
    }
    memcpy(*b + *n, s, len);
    *n += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = NULL;
    cp_err err = {{0}};
    cp_status st = cp_fin_payments_csv((const char *)data, size, &body, &err);
    if (st) {
        if ((st != CP_E_BAD_REQUEST && st != CP_E_TOO_LARGE) || !err.msg[0] || body) abort();
        return 0;
    }
    const json_t *items = json_object_get(body, "payments");
    size_t n = json_array_size(items);
    if (!json_is_array(items) || n < 1 || n > CP_FIN_IMPORT_MAX || json_object_size(body) != 1) abort();
    /* back to CSV: every column, every field quoted */
    char *b = NULL;
    size_t len = 0, cap = 0;
    for (int k = 0; k < 7; k++) {
        if (k) put(&b, &len, &cap, ",", 1);
        put(&b, &len, &cap, NAMES[k], strlen(NAMES[k]));
    }
    put(&b, &len, &cap, "\r\n", 2);
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(items, i);
        size_t known = 0;
        for (int k = 0; k < 7; k++) {
            const json_t *v = json_object_get(o, NAMES[k]);
            if (v) known++;
            if (k < 4 && !json_is_string(v)) abort();
            if (v && !json_is_string(v)) abort();
            if (k) put(&b, &len, &cap, ",", 1);
            put(&b, &len, &cap, "\"", 1);
            const char *s = v ? json_string_value(v) : "";
            for (; *s; s++) {
                if (*s == '"') put(&b, &len, &cap, "\"", 1);
                put(&b, &len, &cap, s, 1);
            }
            put(&b, &len, &cap, "\"", 1);
        }
        if (known != json_object_size(o)) abort();
        put(&b, &len, &cap, "\r\n", 2);
    }
    json_t *again = NULL;
    if (cp_fin_payments_csv(b, len, &again, &err) || !json_equal(again, body)) abort();
    json_decref(again);
    json_decref(body);
    free(b);
    return 0;
}
