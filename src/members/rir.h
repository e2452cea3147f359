/*
 * rir.h — parser for the RIR "delegated-stats" files published by AFRINIC,
 * APNIC, ARIN, LACNIC and RIPE NCC (also the "extended" variant).
 *
 * Lines (fields separated by '|'):
 *   version  2|apnic|20260101|42000|19830613|20251231|+1000
 *   summary  apnic|*|ipv4|*|12345|summary
 *   record   registry|cc|type|start|value|date|status[|opaque-id[|...]]
 *   comment  # anything
 * type ipv4: start is the first address, value the number of addresses (not
 *            always a power of two: decomposed into the fewest aligned CIDRs);
 * type ipv6: start is the first address, value the prefix length;
 * type asn:  start is the first AS number, value how many.
 * Only records with status "allocated" or "assigned" and a real country
 * code produce entries; "available", "reserved" and country "ZZ" are
 * counted as skipped. Any malformed line fails the whole parse with
 * "line N: ..." so that nothing is half-imported.
 */
#ifndef CP_MEMBERS_RIR_H
#define CP_MEMBERS_RIR_H

#include <stddef.h>
#include <stdint.h>

#include "base/net.h"

#define CP_RIR_LINE_MAX 1024
/* Each AS number becomes one constituency row; real records hold at most a
 * few thousand. */
#define CP_RIR_ASN_COUNT_MAX 65536

enum { CP_RIR_IPV4 = 1, CP_RIR_IPV6 = 2, CP_RIR_ASN = 3 };

typedef struct {
    char cc[3];
    int kind;          /* CP_RIR_* */
    cp_cidr cidr;      /* IPv4 / IPv6 */
    uint32_t asn_first, asn_count;
} cp_rir_entry;

typedef cp_status (*cp_rir_cb)(void *ctx, const cp_rir_entry *e, cp_err *err);

typedef struct {
    uint64_t lines, records, ranges, skipped;
} cp_rir_stats;

/* Calls cb once per CIDR or AS range. A callback failure stops the parse and
 * is returned as is. */
cp_status cp_rir_parse(const char *buf, size_t len, cp_rir_cb cb, void *ctx, cp_rir_stats *stats, cp_err *err);

#endif
