/*
 * normalise.h — the matcher's fast canonical forms of values found in logs
 * and events. They agree with intel/observables.h (the forms indicators are
 * stored in) on every valid value; they are written for speed (no
 * allocation, no error text) because the log scanners call them for every
 * candidate.
 */
#ifndef CP_WARNING_NORMALISE_H
#define CP_WARNING_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Dotted-quad IPv4 (decimal, no leading zeros, 0..255) into the 128-bit
 * space (::ffff:a.b.c.d). */
bool cp_norm_ipv4(const char *s, size_t len, uint8_t out[16]);
/* IPv6 text (RFC 4291, embedded IPv4 tail allowed; no zone, no brackets). */
bool cp_norm_ipv6(const char *s, size_t len, uint8_t out[16]);
/* Either of the two. */
bool cp_norm_ip(const char *s, size_t len, uint8_t out[16]);
/* A domain name: one trailing dot dropped, lower case, LDH labels of 1..63
 * bytes without a leading or trailing hyphen, at least two labels, a last
 * label not all digits, at most 253 bytes. Writes to out (254 bytes) and
 * returns the length, 0 when not a domain name. */
size_t cp_norm_domain(const char *s, size_t len, char *out);
/* A hash: exactly 32/40/64/128 hex digits, lower-cased into out. Returns the
 * CPI_K_ kind (iset_internal.h), -1 when not a hash. */
int cp_norm_hash(const char *s, size_t len, char *out);
/* An e-mail address local@domain: local part 1..64 printable ASCII bytes
 * (kept), domain as cp_norm_domain. out holds CPI_KEY_MAX bytes. Returns the
 * length, 0 when not an address. */
size_t cp_norm_email(const char *s, size_t len, char *out);
/* A URL in the canonical form of intel/observables.h into out (CPI_KEY_MAX
 * bytes); returns the length, 0 when not a URL. host and host_len (may be
 * NULL) point at the host inside out, without brackets for IPv6. */
size_t cp_norm_url(const char *s, size_t len, char *out, const char **host, size_t *host_len);

#endif
