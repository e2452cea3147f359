/*
 * media.h — TAXII 2.1 media types: is a Content-Type the TAXII one, and does
 * an Accept header admit it.
 *
 *   application/taxii+json;version=2.1   TAXII resources and envelopes
 *   application/stix+json;version=2.1    STIX bundles (exports, imports)
 *
 * Parameters are compared case-insensitively, whitespace around ';' and '='
 * is ignored, quoted parameter values are unquoted. A media type without a
 * version parameter means the latest version, which is 2.1 here.
 */
#ifndef CP_HTTP_MEDIA_H
#define CP_HTTP_MEDIA_H

#include <stdbool.h>

#define CP_TAXII_MEDIA "application/taxii+json;version=2.1"
#define CP_STIX_MEDIA "application/stix+json;version=2.1"

/* Whether content_type is type/subtype (e.g. "application/taxii+json") with
 * no version or version 2.1. NULL is false. */
bool cp_media_is(const char *content_type, const char *type_subtype);

/* Whether an Accept header admits type_subtype;version=2.1: absent (NULL)
 * or empty admits everything; otherwise some range with q > 0 among
 * the exact type (version absent or 2.1), "type/ *" and "* / *". A range
 * that names it with q=0 refuses it even when a wildcard would admit it.
 * A malformed header admits nothing. */
bool cp_media_accepts(const char *accept, const char *type_subtype);

#endif
