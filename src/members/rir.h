/* rir.h — placeholder declarations; the parsers branch brings the real header. */
#ifndef CP_MEMBERS_RIR_H
#define CP_MEMBERS_RIR_H
#include <stdint.h>
#include "base/net.h"
enum { CP_RIR_IPV4 = 1, CP_RIR_IPV6 = 2, CP_RIR_ASN = 3 };
typedef struct { char cc[3]; int kind; cp_cidr cidr; uint32_t asn_first, asn_count; } cp_rir_entry;
typedef cp_status (*cp_rir_cb)(void *ctx, const cp_rir_entry *e, cp_err *err);
typedef struct { uint64_t lines, records, ranges, skipped; } cp_rir_stats;
cp_status cp_rir_parse(const char *buf, size_t len, cp_rir_cb cb, void *ctx, cp_rir_stats *stats, cp_err *err);
#endif
