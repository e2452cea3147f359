/*
 * routing.h — constituency routing: which member(s) an address, AS number or
 * domain name belongs to.
 *
 * A routing table is an immutable in-memory index of the constituency of
 * every ACTIVE member (members.h): CIDR ranges (IPv4 and IPv6), AS numbers,
 * domains. Suspended and withdrawn members receive nothing.
 *
 * Rules (docs/early-warning.md, "Server side"):
 *   - Addresses live in one 128-bit space where IPv4 sits at ::ffff:0:0/96
 *     (as in base/net.h), so "::ffff:192.0.2.1" routes exactly as
 *     "192.0.2.1".
 *   - Longest prefix wins: among the ranges that contain the address, only
 *     the longest counts (a sector member's /24 inside a state's /16 takes
 *     that /24).
 *   - An AS number is consulted only when no range contains the address: a
 *     range names the address itself, an AS number a routing domain that may
 *     span several members' ranges.
 *   - Domains: an entry covers the name and every subdomain ("example.com"
 *     covers "a.b.example.com", never "badexample.com"); the longest matching
 *     suffix wins.
 *   - Ties (the same range, AS number or domain claimed by several members):
 *     every member claiming it receives the event.
 *
 * The server keeps a current table; cp_routing_current() checks, once per
 * call, whether a constituency or member change has been committed since the
 * table was built (the audit log holds every one: actions constituency.* and
 * member.*), rebuilds if so, and swaps the new table in atomically. Readers
 * hold a reference and never wait for a rebuild.
 */
#ifndef CP_WARNING_ROUTING_H
#define CP_WARNING_ROUTING_H

#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/status.h"
#include "store/db.h"

typedef struct cp_routing cp_routing;

#define CP_ROUTE_MAX_MEMBERS 16 /* members one lookup reports (ties beyond are dropped, counted) */

typedef struct {
    uint16_t n;                           /* members found (0: nobody's constituency) */
    uint32_t members[CP_ROUTE_MAX_MEMBERS]; /* indexes: cp_routing_member_id() */
} cp_route_result;

typedef struct {
    uint64_t members;   /* active members with at least one entry */
    uint64_t ranges;    /* distinct CIDR ranges */
    uint64_t asns;
    uint64_t domains;
    int64_t built_ms;   /* when the table was built */
    int64_t audit_seq;  /* the audit entry the table reflects */
} cp_routing_stats;

/* Builds a table from the store (one read transaction). *out owned:
 * cp_routing_release(). */
cp_status cp_routing_build(cp_conn *c, cp_routing **out, cp_err *err);

/* addr: 16 bytes in the 128-bit space (IPv4 mapped at ::ffff:0:0/96);
 * asn 0 = none given. */
void cp_routing_lookup_ip(const cp_routing *t, const uint8_t addr[16], uint32_t asn, cp_route_result *out);
/* name: a canonical (lower-case, no trailing dot) domain name. */
void cp_routing_lookup_domain(const cp_routing *t, const char *name, size_t len, cp_route_result *out);

const char *cp_routing_member_id(const cp_routing *t, uint32_t member);
size_t cp_routing_member_count(const cp_routing *t);
void cp_routing_stats_get(const cp_routing *t, cp_routing_stats *out);

/* The server's current table, rebuilt first when the store changed since it
 * was built (see above). Returns a reference: cp_routing_release() it. NULL
 * (and err) when the first build fails. Thread-safe. */
cp_routing *cp_routing_current(cp_conn *c, cp_err *err);
void cp_routing_retain(cp_routing *t);
void cp_routing_release(cp_routing *t);
/* Drops the current table (tests, shutdown). */
void cp_routing_reset(void);

#endif
