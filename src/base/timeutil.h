/*
 * timeutil.h — UTC time. Stored times are int64 milliseconds since the Unix
 * epoch; on the wire they are RFC 3339 UTC strings with millisecond precision
 * ("2026-11-28T13:11:31.123Z").
 */
#ifndef CP_BASE_TIMEUTIL_H
#define CP_BASE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_RFC3339_MAX 32 /* bytes, with the NUL */

/* Wall-clock now, ms since the epoch (UTC). */
int64_t cp_now_ms(void);
/* Monotonic clock in microseconds, for durations. */
uint64_t cp_mono_us(void);
/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (CP_RFC3339_MAX bytes). */
void cp_rfc3339_format(int64_t ms, char buf[CP_RFC3339_MAX]);
/* Parses an RFC 3339 timestamp (any offset, optional fraction up to 9 digits,
 * "T" or "t" separator) into ms since the epoch, or a plain date
 * "YYYY-MM-DD" (midnight UTC). Rejects anything else with a message. */
cp_status cp_rfc3339_parse(const char *s, int64_t *out_ms, cp_err *err);

#endif
