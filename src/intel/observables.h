/*
 * observables.h — the observables a STIX object mentions, in canonical form
 * (pure: no store, no HTTP). Ingest stores them in intel_observables (kind,
 * value, ip_lo, ip_hi); search and correlation look them up there; the
 * early-warning matcher (issue 4) compiles them from indicator patterns.
 *
 * KINDS AND CANONICAL VALUES (equal values compare equal as text):
 *   ip      an address "192.0.2.1", "2001:db8::1", or a network
 *           "10.0.0.0/8", "2001:db8::/32" (RFC 5952 text; a host prefix
 *           /32 or /128 is written without the prefix). An IPv4-mapped IPv6
 *           address or network (::ffff:a.b.c.d, prefix >= 96) is written as
 *           the IPv4 it stands for. ip_lo/ip_hi: the range as 32 lower-case
 *           hex digits in the 128-bit space of base/net.h (IPv4 at
 *           ::ffff:0:0/96), so string comparison is address comparison.
 *   domain  lower case, no trailing dot, LDH labels (cp_domain_normalize).
 *           subdomains = true when the pattern said "any subdomain of"
 *           (domain-name:value LIKE '%.example.com'): value is then
 *           "example.com" and the domain itself is NOT meant.
 *   url     scheme "://" authority path...: scheme and host lower-case, trailing
 *           dots of the host dropped, an empty or default port
 *           (http 80, https 443, ftp 21, ws 80, wss 443) dropped, an
 *           empty path is "/", percent-encoding normalised (an escape of an
 *           unreserved character ALPHA DIGIT - . _ ~ is decoded, other
 *           escapes get upper-case hex, a stray '%' becomes %25, bytes
 *           outside printable ASCII are escaped). Dot segments are kept.
 *   md5 sha1 sha256 sha512   lower-case hex of exactly 32/40/64/128 digits.
 *   email   local@domain: the domain part normalised like a domain, the
 *           local part kept as written (1..64 bytes, printable ASCII).
 *
 * WHAT AN OBJECT MENTIONS (cp_observables_of_object):
 *   - SCOs: ipv4-addr / ipv6-addr / domain-name / url / email-addr "value";
 *     "hashes" of file, artifact and x509-certificate (MD5, SHA-1,
 *     SHA-256, SHA-512; the key compared case-insensitively, hyphen
 *     optional);
 *   - indicator with pattern_type "stix" (or none, STIX 2.0): every
 *     comparison term of the pattern, anywhere in the pattern (search finds
 *     what a pattern mentions; the AND/OR meaning is the matcher's business),
 *     that is not negated and is
 *       path = 'v' | path IN ('v', ...) | ip-path ISSUBSET 'cidr'
 *       | domain-name:value LIKE '%.example.com' (subdomains) or LIKE
 *         without wildcards (exact);
 *     on paths ipv4-addr:value, ipv6-addr:value, domain-name:value,
 *     url:value, email-addr:value, (file|artifact|x509-certificate):hashes.X,
 *     network-traffic:(src_ref|dst_ref).value (ip, else domain),
 *     email-message:(from_ref|sender_ref).value and
 *     email-message:(to_refs|cc_refs|bcc_refs)[*].value (email);
 *   - observed-data with an embedded "objects" dictionary (STIX 2.0): the
 *     SCO rules applied to each embedded object.
 * Values that are not valid for their kind (a malformed address, a hash of
 * the wrong length, a value longer than CP_OBS_VALUE_MAX - 1 bytes) are not
 * observables and are skipped; so are terms with other operators. IP
 * networks from objects are lenient about host bits ("10.1.2.3/8" is
 * 10.0.0.0/8); cp_observable_parse (user input) is strict and says so.
 */
#ifndef CP_INTEL_OBSERVABLES_H
#define CP_INTEL_OBSERVABLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "intel/pattern.h"

#define CP_OBS_VALUE_MAX 2048      /* bytes of a canonical value, NUL included */
#define CP_OBS_PER_OBJECT_MAX 256  /* observables reported for one object */

typedef enum {
    CP_OBS_IP,
    CP_OBS_DOMAIN,
    CP_OBS_URL,
    CP_OBS_MD5,
    CP_OBS_SHA1,
    CP_OBS_SHA256,
    CP_OBS_SHA512,
    CP_OBS_EMAIL,
} cp_obs_kind;

#define CP_OBS_KIND_COUNT_ 8

typedef struct {
    cp_obs_kind kind;
    bool subdomains;              /* DOMAIN: any subdomain of value (not value itself) */
    char value[CP_OBS_VALUE_MAX]; /* canonical text */
    char ip_lo[33], ip_hi[33];    /* IP: the range (32 hex digits); "" for other kinds */
} cp_observable;

/* "ip", "domain", "url", "md5", "sha1", "sha256", "sha512", "email" (the
 * intel_observables.kind values); "?" out of range. Static. */
const char *cp_obs_kind_name(cp_obs_kind k);
/* The 64-bit hash the store finds observables by (intel_observables.vhash):
 * FNV-1a of the kind's name, ':' and the canonical value, shifted to a
 * non-negative BIGINT. */
int64_t cp_obs_value_hash(cp_obs_kind kind, const char *value);

/* The kind named s (exactly one of the names above); false if none. */
bool cp_obs_kind_parse(const char *s, cp_obs_kind *out);

/* Called once per observable; o is valid during the call only. Non-zero stops. */
typedef int (*cp_obs_fn)(const cp_observable *o, void *ctx);

/* Reports every observable obj mentions (rules above), each (kind, value,
 * subdomains) once, at most CP_OBS_PER_OBJECT_MAX, in the order found.
 * Returns how many were reported (the one that stopped the walk included);
 * -1 when out of memory. A non-object or an object with nothing to report
 * gives 0. */
int cp_observables_of_object(const json_t *obj, cp_obs_fn fn, void *ctx);

/* The observables of one comparison term of a parsed pattern (the same
 * rules as for an indicator, so the matcher and search agree): 0, 1, or one
 * per string item of an IN set. Not deduplicated. Returns how many were
 * reported (the one that stopped included). */
int cp_observables_of_term(const cp_pat_term *t, cp_obs_fn fn, void *ctx);

/* Parses a search value. kind NULL (or ""): detected — "://" makes a url,
 * '@' an e-mail, 32/40/64/128 hex digits a hash, an address or CIDR an ip,
 * else a domain. Leading and trailing white space is ignored. Errors:
 * CP_E_BAD_REQUEST with what is wrong (an unknown kind lists the kinds; host
 * bits in a CIDR suggest the network; a hash of the wrong length says the
 * length expected). */
cp_status cp_observable_parse(const char *text, const char *kind, cp_observable *out, cp_err *err);

/* Canonicalises value as kind (the rules above; strict: no host bits).
 * CP_E_BAD_REQUEST with the reason. len bytes, no NUL needed. */
cp_status cp_observable_make(cp_obs_kind kind, const char *value, size_t len, cp_observable *out, cp_err *err);
/* The same, as values are read from objects and feeds: host bits of an IP
 * network are cleared ("10.1.2.3/8" is 10.0.0.0/8) instead of refused. */
cp_status cp_observable_make_lenient(cp_obs_kind kind, const char *value, size_t len, cp_observable *out, cp_err *err);

#endif
