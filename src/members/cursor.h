/*
 * cursor.h — opaque paging cursors. A cursor is the sort key of the last row
 * of a page ("name" and "id"), joined by a 0x1f byte and base64url-encoded.
 * It is opaque to clients; a cursor that does not decode is a 400.
 */
#ifndef CP_MEMBERS_CURSOR_H
#define CP_MEMBERS_CURSOR_H

#include <stddef.h>

#include "base/status.h"

/* malloc'd cursor for (key, id), or NULL on allocation failure. */
char *cp_cursor_encode(const char *key, const char *id);
/* CP_OK when s decodes into key (cap_key) and a UUID id (cap_id). */
cp_status cp_cursor_decode(const char *s, char *key, size_t cap_key, char *id, size_t cap_id);

#endif
