/*
 * net.h — the values a constituency is made of: IP addresses and CIDR
 * ranges (IPv4 and IPv6), AS numbers, DNS domain names. Strict parsers with
 * messages that say what is wrong, and canonical forms so that equal values
 * compare equal as text.
 *
 * CIDR: "192.0.2.0/24", "2001:db8::/32"; an address without a prefix is a
 * host (/32, /128). IPv4 octets are decimal without leading zeros (so
 * "010.0.0.1" is rejected rather than guessed as octal). Host bits beyond the
 * prefix are an error that suggests the network. IPv6 text follows RFC 4291
 * (including an embedded IPv4 tail); the canonical form is RFC 5952.
 *
 * For range queries, a range maps to [lo, hi] in one 128-bit space where
 * IPv4 sits at ::ffff:0:0/96; the bounds are 32 lower-case hex characters,
 * so comparing the strings compares the addresses.
 */
#ifndef CP_BASE_NET_H
#define CP_BASE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_CIDR_TEXT_MAX 64 /* longest canonical text with its NUL */

typedef struct {
    uint8_t family;   /* 4 or 6 */
    uint8_t addr[16]; /* network order; IPv4 in addr[0..3] */
    uint8_t prefix;   /* 0..32 or 0..128 */
} cp_cidr;

cp_status cp_cidr_parse(const char *s, size_t len, cp_cidr *out, cp_err *err);
/* Canonical "addr/prefix" into buf (CP_CIDR_TEXT_MAX bytes suffice). */
void cp_cidr_format(const cp_cidr *c, char *buf, size_t cap);
void cp_cidr_range_hex(const cp_cidr *c, char lo[33], char hi[33]);
bool cp_cidr_contains(const cp_cidr *outer, const cp_cidr *inner);

/* "AS64500", "as64500", "64500" or asdot "1.10"; 1..4294967295. */
cp_status cp_asn_parse(const char *s, size_t len, uint32_t *out, cp_err *err);

/* Lower-cases, drops one trailing dot, checks LDH labels (1..63 bytes, no
 * leading or trailing hyphen), at least two labels, at most 253 bytes. */
cp_status cp_domain_normalize(const char *s, size_t len, char *out, size_t cap, cp_err *err);

#endif
