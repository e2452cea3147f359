/* query.h — placeholder declarations; the parsers branch brings the real header. */
#ifndef CP_HTTP_QUERY_H
#define CP_HTTP_QUERY_H
#include <stddef.h>
#include "base/status.h"
#define CP_QUERY_MAX_PARAMS 32
typedef struct { const char *key; const char *value; } cp_query_param;
typedef struct { cp_query_param p[CP_QUERY_MAX_PARAMS]; int n; char *storage; } cp_query;
cp_status cp_query_parse(const char *qs, size_t len, cp_query *out, cp_err *err);
const char *cp_query_get(const cp_query *q, const char *key);
int cp_query_count(const cp_query *q, const char *key);
void cp_query_free(cp_query *q);
#endif
