#include "base/status.h"

#include <stdio.h>
#include <string.h>

int cp_status_http(cp_status st)
{
    switch (st) {
#define CP_STATUS_HTTP(name, http, code) case name: return http;
        CP_STATUS_MAP(CP_STATUS_HTTP)
#undef CP_STATUS_HTTP
    default: return 500;
    }
}

const char *cp_status_code(cp_status st)
{
    switch (st) {
#define CP_STATUS_CODE(name, http, code) case name: return code;
        CP_STATUS_MAP(CP_STATUS_CODE)
#undef CP_STATUS_CODE
    default: return "internal";
    }
}

cp_status cp_vfail(cp_err *err, cp_status st, const char *fmt, va_list ap)
{
    if (err) vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return st;
}

cp_status cp_fail_prefix(cp_err *err, cp_status st, const char *prefix)
{
    if (!err) return st;
    char inner[CP_ERR_MSG_MAX];
    memcpy(inner, err->msg, sizeof inner);
    inner[sizeof inner - 1] = 0;
    int n = snprintf(err->msg, sizeof err->msg, "%s: ", prefix);
    if (n > 0 && (size_t)n < sizeof err->msg) snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%.*s", (int)(sizeof err->msg - (size_t)n - 1), inner);
    return st;
}

cp_status cp_fail(cp_err *err, cp_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cp_vfail(err, st, fmt, ap);
    va_end(ap);
    return st;
}
