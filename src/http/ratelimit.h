/*
 * ratelimit.h — failed-authentication limiter, per client address.
 *
 * Each address may fail (bad key, bad password, bad session) at most
 * `per_minute` times in a fixed 60-second window; beyond that every request
 * from it that carries credentials answers 429 with Retry-After until the
 * window ends, before the credentials are even checked, so guessing keys or
 * passwords from one address is bounded. The table has a fixed number of
 * slots (CP_RATELIMIT_SLOTS); when full, the oldest window is reused.
 */
#ifndef CP_HTTP_RATELIMIT_H
#define CP_HTTP_RATELIMIT_H

#include <stdint.h>

#define CP_RATELIMIT_SLOTS 4096
#define CP_RATELIMIT_WINDOW_S 60

typedef struct cp_ratelimit cp_ratelimit;

cp_ratelimit *cp_ratelimit_new(int per_minute);
void cp_ratelimit_free(cp_ratelimit *rl);
/* Seconds until addr may try again, or 0 when it may try now. */
int cp_ratelimit_blocked(cp_ratelimit *rl, const char *addr, int64_t now_s);
/* Records one failure from addr. */
void cp_ratelimit_fail(cp_ratelimit *rl, const char *addr, int64_t now_s);

#endif
