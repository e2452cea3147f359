/*
 * iso3166.h — ISO 3166-1 country codes, read from Debian's iso-codes data
 * (/usr/share/iso-codes/json/iso_3166-1.json: {"3166-1": [{"alpha_2": "FR",
 * "alpha_3": "FRA", "numeric": "250", "name": "France", ...}, ...]}).
 *
 * The table is loaded once per process (thread-safe) and never changes
 * afterwards, so lookups need no lock. Lookups are case-insensitive.
 */
#ifndef CP_BASE_ISO3166_H
#define CP_BASE_ISO3166_H

#include <stddef.h>

#include "base/status.h"

#define CP_ISO3166_DEFAULT_PATH "/usr/share/iso-codes/json/iso_3166-1.json"

typedef struct {
    char alpha2[3];
    char alpha3[4];
    char numeric[4];
    char name[128];
} cp_country;

/* Loads the table from path (NULL: the default). Later calls return the
 * first call's result without reading again. */
cp_status cp_iso3166_load(const char *path, cp_err *err);
const cp_country *cp_iso3166_by_alpha2(const char *a2);
const cp_country *cp_iso3166_by_alpha3(const char *a3);
/* Number of countries (0 before a successful load); sorted by alpha-2. */
size_t cp_iso3166_count(void);
const cp_country *cp_iso3166_at(size_t i);

#endif
