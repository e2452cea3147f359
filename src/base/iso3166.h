/* iso3166.h — placeholder declarations; the parsers branch brings the real header. */
#ifndef CP_BASE_ISO3166_H
#define CP_BASE_ISO3166_H
#include <stddef.h>
#include "base/status.h"
typedef struct { char alpha2[3]; char alpha3[4]; char numeric[4]; char name[128]; } cp_country;
cp_status cp_iso3166_load(const char *path, cp_err *err);
const cp_country *cp_iso3166_by_alpha2(const char *a2);
const cp_country *cp_iso3166_by_alpha3(const char *a3);
size_t cp_iso3166_count(void);
const cp_country *cp_iso3166_at(size_t i);
#endif
