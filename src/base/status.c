#include "base/status.h"

#include <stdio.h>

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

cp_status cp_fail(cp_err *err, cp_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cp_vfail(err, st, fmt, ap);
    va_end(ap);
    return st;
}
