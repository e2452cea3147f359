/*
 * internal.h — helpers the finance/ files share (not for other parts).
 */
#ifndef CP_FINANCE_INTERNAL_H
#define CP_FINANCE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/json.h"
#include "store/db.h"

typedef struct {
    char id[CP_UUID_LEN + 1];
    char kind[24];
    char name[200];
    char country[4];
    char status[16];
    int64_t status_since, joined_at;
    bool alliance;
    bool ldc;
    char region[64];
    int64_t contributes_from; /* the profile's date, else the day it joined */
} fin_member;

/* The member (404 when absent). */
cp_status fin_member_get(cp_conn *c, const char *id, fin_member *m, cp_err *err);

/* Reads "amount" (decimal string) or "amount_minor" (integer) — exactly one —
 * from in, for currency's exponent. where names the object in messages. */
cp_status fin_amount_in(const json_t *in, const char *where, int exponent, int64_t *out, cp_err *err);
/* Reads a required (or optional, def used when absent) date field. */
cp_status fin_date_in(const json_t *in, const char *field, bool required, int64_t def, int64_t *out, cp_err *err);
/* Reads "currency" (default: cp_finance_default_currency) and its exponent. */
cp_status fin_currency_in(cp_conn *c, const json_t *in, char cur[4], int *exponent, cp_err *err);
/* Adds "<key>": "12.50" and "<key>_minor": 1250 to o. */
void fin_put_amount(json_t *o, const char *key, int64_t minor, int exponent);
/* Adds "<key>": "YYYY-MM-DD" to o. */
void fin_put_date(json_t *o, const char *key, int64_t day);
/* Account code for a member: "receivable:<id>" / "credit:<id>" into buf. */
void fin_account(char *buf, size_t cap, const char *prefix, const char *member_id);
/* fin_daily += amount for (currency, metric, day). */
cp_status fin_daily_add(cp_conn *c, const char *currency, const char *metric, int64_t day, int64_t amount, cp_err *err);
/* A required non-empty string field of at most max bytes. */
cp_status fin_text_in(const json_t *in, const char *field, size_t max, bool required, const char **out, cp_err *err);
/* Exponent of an already validated currency (2 when unknown). */
int fin_exponent(const char *currency);
/* Runs a one-row SELECT of one integer with up to 4 bound text/int values. */
cp_status fin_scalar(cp_conn *c, const char *sql, int64_t *out, cp_err *err, const char *fmt, ...);

#endif
