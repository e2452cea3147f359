/*
 * query.h — the URL query-string parser (application/x-www-form-urlencoded).
 *
 * "a=1&b=x%20y&c&d=" → (a,"1") (b,"x y") (c,"") (d,"")
 * '+' decodes to a space, %XX to its byte. Rejected with CP_E_BAD_REQUEST and
 * a message naming the parameter: a bad %-escape, a decoded NUL byte, bytes
 * that are not UTF-8, an empty key, a key over CP_QUERY_KEY_MAX bytes, a value
 * over CP_QUERY_VALUE_MAX bytes, more than CP_QUERY_MAX_PARAMS parameters, or
 * a query over CP_QUERY_MAX_BYTES. Empty pieces ("a=1&&b=2") are skipped.
 */
#ifndef CP_HTTP_QUERY_H
#define CP_HTTP_QUERY_H

#include <stddef.h>

#include "base/status.h"

#define CP_QUERY_MAX_PARAMS 32
#define CP_QUERY_KEY_MAX 64
#define CP_QUERY_VALUE_MAX 2048
#define CP_QUERY_MAX_BYTES 8192

typedef struct {
    const char *key;
    const char *value;
} cp_query_param;

typedef struct {
    cp_query_param p[CP_QUERY_MAX_PARAMS];
    int n;
    char *storage; /* one allocation holding every decoded key and value */
} cp_query;

/* Parses len bytes of qs (without the '?'). On failure *out is empty and
 * needs no free; on success release it with cp_query_free(). */
cp_status cp_query_parse(const char *qs, size_t len, cp_query *out, cp_err *err);
/* First value of key, or NULL. Borrowed from q. */
const char *cp_query_get(const cp_query *q, const char *key);
/* How many times key appears. */
int cp_query_count(const cp_query *q, const char *key);
void cp_query_free(cp_query *q);

#endif
