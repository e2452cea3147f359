/*
 * search.h — search and correlation over the observables ingest stored
 * (intel_observables joined to intel_objects; observables.h says what an
 * object mentions and the canonical forms).
 *
 * WHAT MATCHES a searched observable q:
 *   ip      every stored ip observable whose range lies inside q's range
 *           (a search for 10.0.0.0/8 finds 10.1.2.3 and 10.1.0.0/16), and
 *           every one whose range contains q's (a search for 10.1.2.3
 *           finds 10.0.0.0/8 and 0.0.0.0/0); equal ranges both ways. IPv4
 *           and IPv4-mapped IPv6 are the same addresses.
 *   domain  every object that mentions the domain (an "any subdomain of"
 *           indicator for example.com mentions example.com: it is found,
 *           with subdomains true), and every "any subdomain of" indicator
 *           for one of its parents (LIKE '%.example.com' is found by
 *           www.example.com). Subdomains of the searched domain are not
 *           searched (badexample.com is never example.com).
 *   others  the same (kind, canonical value).
 * Only the latest version of an object counts (is_last), revoked objects
 * do not; one object (collection, id) is one result however many of its
 * observables match.
 *
 * THE GATE. Every object returned or counted passes cp_intel_may_read for
 * the reader with its collection's policy (cp_collection_by_num) and its
 * recorded TLP. Objects the reader may not read are neither returned nor
 * counted, so counts reveal nothing either.
 *
 * OVER-CORRELATION. A value mentioned by more than correlation_max visible
 * objects is over-correlating (a public resolver, a CDN): search still
 * pages through it but says so ("over_correlating": true); correlation
 * does not expand it and lists it under "over_correlating" with the count
 * found (counting stops at correlation_max + 1: "more than").
 */
#ifndef CP_INTEL_SEARCH_H
#define CP_INTEL_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "intel/observables.h"
#include "members/actor.h"
#include "store/db.h"

/* Objects one correlation answer lists at most ("truncated": true past it). */
#define CP_CORRELATION_ITEMS_MAX 10000

/* One page of the visible objects that mention q, in the order they were
 * added. next: the opaque token of a previous page, or NULL; a token that
 * does not decode is CP_E_BAD_REQUEST. *out:
 *   {"items": [{collection_id, id, type, version (null when none),
 *               date_added, tlp, kind, value, subdomains, warninglist}],
 *    "next": token or null, "over_correlating": bool}
 * value/kind/subdomains are the stored observable that matched (for ip,
 * the network or address as stored; it may differ from q). */
cp_status cp_intel_search(cp_conn *c, const cp_actor *reader, const cp_observable *q, int limit, const char *next,
                          int64_t correlation_max, json_t **out, cp_err *err);

/* The other visible objects that share an observable with the latest
 * version of stix_id in the collection collection_ref (UUID or alias).
 * The object itself must be readable (else the gate's 401/403/404).
 * all_members false (the default of the API): only objects added by other
 * member organisations than the one that added this object (when known).
 * *out:
 *   {"object": {collection_id, id, type, version, date_added, tlp},
 *    "items": [{collection_id, id, type, version, date_added, tlp,
 *               shared: [{kind, value, subdomains}]}],     (by date added)
 *    "over_correlating": [{kind, value, count}], "truncated": bool} */
cp_status cp_intel_correlations(cp_conn *c, const cp_actor *reader, const char *collection_ref, const char *stix_id,
                                bool all_members, int64_t correlation_max, json_t **out, cp_err *err);

#endif
