/*
 * warninglist.h — MISP warninglists: known-benign values (public DNS
 * resolvers, private networks, top sites...). A value on a list is FLAGGED
 * on ingest (intel_observables.warninglist, intel_objects.warninglist: the
 * list's name), never dropped; early warning leaves flagged values out.
 *
 * FILES. The MISP format (github.com/MISP/misp-warninglists, lists/NAME/
 * list.json): a JSON object with "name" (string, required), "type" (cidr,
 * hostname, string, substring, regex; required), "list" (array of strings,
 * required), "matching_attributes" (array of MISP attribute types,
 * optional), and anything else (description, version...) ignored.
 * cp_warninglists_load() takes a file, or a folder searched recursively
 * (sorted by name, at most CP_WL_MAX_DEPTH deep): every file named
 * list.json is a warninglist (an invalid one is an error naming the file);
 * another *.json file is loaded when its top level has "list" and "type",
 * and ignored otherwise (so the MISP repository root, with its schema.json,
 * loads as it is).
 *
 * WHICH OBSERVABLES A LIST APPLIES TO. matching_attributes maps MISP types
 * to our kinds: ip-src, ip-dst, ip-src|port, ip-dst|port, ip, domain|ip ->
 * ip; domain, hostname, hostname|port, domain|ip -> domain; url, uri, link
 * -> url; md5/sha1/sha256/sha512 and filename|<hash> -> that hash; email,
 * email-src, email-dst, target-email, email-reply-to,
 * whois-registrant-email -> email. Other MISP types are ignored. A list
 * without matching_attributes (or with an empty array) applies to every
 * kind its type can compare.
 *
 * HOW A LIST MATCHES (values are canonical observables, observables.h):
 *   cidr       ip: the observable's whole range lies inside the union of the
 *              list's networks (so 8.8.8.8 matches 8.8.8.0/24, 10.1.0.0/16
 *              matches 10.0.0.0/8, but 10.0.0.0/7 does not match
 *              10.0.0.0/8). IPv4 and IPv6 (IPv4-mapped IPv6 counts as IPv4).
 *              Entries with host bits are read as their network.
 *   hostname   domain: equal to an entry or a subdomain of it (label
 *              boundary: "badexample.com" is not under "example.com"); url:
 *              the URL's host, the same way; email: the domain part. Entries
 *              are lower-cased; a leading "*." or "." and a trailing "." are
 *              dropped.
 *   string     the value equals an entry, ASCII case-insensitively.
 *   substring  an entry occurs in the value, ASCII case-insensitively
 *              (linear in the list: meant for short lists).
 *   regex      POSIX extended regular expressions (regex.h, REG_NOSUB) on
 *              the value. MISP writes PCRE, often as /.../flags: the slashes
 *              are removed and flag i gives REG_ICASE. Entries using PCRE-only
 *              syntax (\d \D \w \W \s \S \b \B \A \z \Z \h, (?...), lazy
 *              quantifiers), entries whose compiled size could explode
 *              (glibc copies the expression for each '+' and {n,m}: the
 *              product of 2 per '+' and m + 1 per {n,m}, times the length,
 *              must stay under 2^20; no quantifier right after another),
 *              back-references, and entries regcomp refuses are SKIPPED and
 *              counted
 *              (cp_warninglists_skipped, logged by the loader) rather than
 *              compiled with a different meaning.
 * Entries that are not valid for the list's type (an unparsable network, an
 * empty hostname, an entry over CP_WL_ENTRY_MAX bytes) are skipped and
 * counted the same way. The first list (in load order) that matches names
 * the match.
 *
 * THREADS. A loaded set is immutable: cp_warninglists_match() may run on
 * any number of threads at once. The process-wide set is swapped
 * atomically; the previous set is handed back to the caller, who frees it
 * only when no thread can still be using it (in practice: at exit).
 */
#ifndef CP_INTEL_WARNINGLIST_H
#define CP_INTEL_WARNINGLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "intel/observables.h"

#define CP_WL_MAX_LISTS 4096                     /* lists in one set */
#define CP_WL_MAX_ENTRIES 5000000                /* entries over all lists */
#define CP_WL_FILE_MAX ((size_t)64 * 1024 * 1024) /* bytes of one file */
#define CP_WL_ENTRY_MAX 1024                     /* bytes of one entry */
#define CP_WL_NAME_MAX 256                       /* bytes of a list name */
#define CP_WL_MAX_DEPTH 16                       /* folder nesting */

typedef struct cp_warninglists cp_warninglists;

/* An empty set (NULL when out of memory). */
cp_warninglists *cp_warninglists_new(void);
void cp_warninglists_free(cp_warninglists *w); /* NULL is fine */

/* Adds the lists of one file's text (source names it in messages).
 * CP_E_UNPROCESSABLE "source: what is wrong" for a malformed list (nothing
 * of it is added); CP_E_TOO_LARGE past the limits above; CP_E_NOMEM. */
cp_status cp_warninglists_add_json(cp_warninglists *w, const char *text, size_t len, const char *source, cp_err *err);

/* Adds a file or a folder (rules above). CP_E_IO (cannot read),
 * CP_E_NOT_FOUND (no such path, or a folder without any list) or the
 * errors of cp_warninglists_add_json, with the file's path. */
cp_status cp_warninglists_load(cp_warninglists *w, const char *path, cp_err *err);

size_t cp_warninglists_count(const cp_warninglists *w);   /* lists */
size_t cp_warninglists_entries(const cp_warninglists *w); /* entries in use */
size_t cp_warninglists_skipped(const cp_warninglists *w); /* entries skipped (see above) */
/* The name of list i (load order), NULL out of range. */
const char *cp_warninglists_name(const cp_warninglists *w, size_t i);

/* The name of the first list holding o, or NULL (w NULL included). The
 * pointer lives as long as w. */
const char *cp_warninglists_match(const cp_warninglists *w, const cp_observable *o);

/* The process-wide set (NULL: none). set returns the previous one, which the
 * caller owns (see THREADS). */
cp_warninglists *cp_warninglists_set_global(cp_warninglists *w);
const cp_warninglists *cp_warninglists_global(void);

/* What serve, import and demo call with cfg->warninglists: "" does nothing;
 * otherwise loads the path into a new set, logs how many lists, entries and
 * skipped entries, and makes it the global set (the previous one is kept
 * alive: it may still be in use). */
cp_status cp_warninglists_load_global(const char *path, cp_err *err);

#endif
