/*
 * status.h — the one result type of cyberpact.
 *
 * Every fallible function returns a cp_status. CP_OK is zero, so the habit is
 *
 *     cp_status st = f(...);
 *     if (st) return st;
 *
 * Each status maps to exactly one HTTP status and one stable machine-readable
 * code string (the "code" of the error body on the wire, see docs/api.md).
 * The table below is the only place these are defined (an X-macro), so the
 * enum, the HTTP status and the code string cannot drift apart.
 *
 * A status says *what kind* of failure happened; *where* and *why* travel in a
 * cp_err (a bounded message buffer) next to it.
 */
#ifndef CP_BASE_STATUS_H
#define CP_BASE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

/*     name                    http  code string             */
#define CP_STATUS_MAP(X)                                          \
    X(CP_OK,                   200, "ok")                        \
    X(CP_E_BAD_REQUEST,        400, "bad_request")               \
    X(CP_E_UNAUTHENTICATED,    401, "unauthenticated")           \
    X(CP_E_FORBIDDEN,          403, "forbidden")                 \
    X(CP_E_NOT_FOUND,          404, "not_found")                 \
    X(CP_E_METHOD,             405, "method_not_allowed")        \
    X(CP_E_NOT_ACCEPTABLE,     406, "not_acceptable")            \
    X(CP_E_CONFLICT,           409, "conflict")                  \
    X(CP_E_TOO_LARGE,          413, "payload_too_large")         \
    X(CP_E_MEDIA_TYPE,         415, "unsupported_media_type")    \
    X(CP_E_UNPROCESSABLE,      422, "unprocessable")             \
    X(CP_E_RATE_LIMITED,       429, "rate_limited")              \
    X(CP_E_INTERNAL,           500, "internal")                  \
    X(CP_E_UNAVAILABLE,        503, "unavailable")               \
    X(CP_E_STORE,              500, "store_error")               \
    X(CP_E_IO,                 500, "io_error")                  \
    X(CP_E_NOMEM,              500, "out_of_memory")

typedef enum {
#define CP_STATUS_ENUM(name, http, code) name,
    CP_STATUS_MAP(CP_STATUS_ENUM)
#undef CP_STATUS_ENUM
    CP_STATUS_COUNT_
} cp_status;

/* The HTTP status for st (500 for an unknown value). */
int cp_status_http(cp_status st);
/* The stable code string for st ("internal" for an unknown value). Static. */
const char *cp_status_code(cp_status st);

/* A bounded, human-readable explanation of the last failure: what was wrong
 * and where. Always NUL-terminated; truncated, never overflowing. */
#define CP_ERR_MSG_MAX 512
typedef struct {
    char msg[CP_ERR_MSG_MAX];
} cp_err;

/* Formats a message into err (if err is non-NULL) and returns st, so that
 * `return cp_fail(err, CP_E_BAD_REQUEST, "field '%s' ...", name);` reads as
 * one statement. */
cp_status cp_fail(cp_err *err, cp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
cp_status cp_vfail(cp_err *err, cp_status st, const char *fmt, va_list ap);
/* Puts "prefix: " in front of the message already in err and returns st
 * (err may be NULL). For wrapping a lower layer's message with where it
 * happened: return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.value"); */
cp_status cp_fail_prefix(cp_err *err, cp_status st, const char *prefix);

#endif
