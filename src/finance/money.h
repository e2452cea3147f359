/*
 * money.h — the exact quantities of finance/: currencies (ISO 4217, from
 * Debian's iso-codes, with each currency's minor-unit exponent), amounts in
 * integer minor units, contributory units as exact sixteenths, and value
 * dates. Pure functions (the currency list is loaded once, thread-safe); no
 * floating point anywhere.
 */
#ifndef CP_FINANCE_MONEY_H
#define CP_FINANCE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_ISO4217_DEFAULT_PATH "/usr/share/iso-codes/json/iso_4217.json"
#define CP_FIN_DEFAULT_CURRENCY "CHF"
#define CP_FIN_DAY_MS 86400000LL
/* Largest amount accepted anywhere (minor units): 10^15, far above any budget,
 * far below int64 overflow even when summed over millions of rows. */
#define CP_FIN_AMOUNT_MAX 1000000000000000LL
/* Largest class: 1000 units (in sixteenths). */
#define CP_FIN_UNITS16_MAX (1000 * 16)

/* Loads the ISO 4217 list (path NULL: CP_ISO4217_DEFAULT_PATH) once. */
cp_status cp_fin_currencies_load(const char *path, cp_err *err);
/* Checks that code is an active ISO 4217 code usable for a ledger (three
 * upper-case letters, in the list, with a minor unit: not a fund, metal or
 * test code) and returns its exponent (0, 2, 3 or 4). CP_E_UNPROCESSABLE
 * names the problem. Loads the list on first use. */
cp_status cp_fin_currency(const char *code, int *exponent, cp_err *err);

/* Decimal text "1234", "1234.5", "1234.56" (at most exponent decimals, no
 * sign, no exponent, no separators) → minor units, 0 < v <= CP_FIN_AMOUNT_MAX
 * (zero_ok admits 0). CP_E_BAD_REQUEST with what was wrong. */
cp_status cp_fin_amount_parse(const char *text, int exponent, bool zero_ok, int64_t *out, cp_err *err);
/* Minor units → "1234.56" (exponent decimals; '-' for negatives). buf >= 32. */
void cp_fin_amount_format(int64_t minor, int exponent, char *buf, size_t cap);

/* Contributory units, exact: "40", "1½", "1 1/2", "1/16", "1⁄16" (fraction
 * slash), "½" "¼" "⅛", "0.0625", "1.5" → sixteenths, 0 < v <=
 * CP_FIN_UNITS16_MAX, a whole number of sixteenths. Also used for the
 * fractions of the scale file ("1/5" is NOT a number of sixteenths: see
 * cp_fin_ratio_parse). CP_E_BAD_REQUEST on anything else. */
cp_status cp_fin_units_parse(const char *text, int64_t *units16, cp_err *err);
/* Sixteenths → "40", "1 1/2", "1/16" (ASCII, lowest terms). buf >= 24. */
void cp_fin_units_format(int64_t units16, char *buf, size_t cap);

/* A positive rational p/q in lowest terms with q <= 10000: "1/5", "1", "0.2",
 * "½". Same number syntax as units. */
cp_status cp_fin_ratio_parse(const char *text, int64_t *num, int64_t *den, cp_err *err);

/* Value dates: "YYYY-MM-DD" → ms at 00:00 UTC. Nothing else is accepted. */
cp_status cp_fin_date_parse(const char *text, int64_t *day_ms, cp_err *err);
/* ms → "YYYY-MM-DD" (the UTC day containing ms). buf >= 11. */
void cp_fin_date_format(int64_t ms, char *buf, size_t cap);
/* The UTC day containing ms, as ms at 00:00. */
int64_t cp_fin_day(int64_t ms);
int cp_fin_year_of(int64_t ms);
int cp_fin_month_of(int64_t ms); /* 1..12 */
/* 1 January of year, 00:00 UTC, in ms. */
int64_t cp_fin_year_start(int year);
int64_t cp_fin_date(int year, int month, int day);

#endif
