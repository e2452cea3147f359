/*
 * rows.h — small helpers shared by the members/ domain files (members,
 * users, keys, sessions): rendering stored values in their API shapes and
 * the few checks more than one resource needs.
 *
 * Every function returning json_t * returns a new reference (owned by the
 * caller, usually stolen at once by json_pack "o" or json_object_set_new).
 */
#ifndef CP_MEMBERS_ROWS_H
#define CP_MEMBERS_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

/* ms since the epoch → RFC 3339 string. */
json_t *cp_time_json(int64_t ms);
/* Column col of the current row as a string, or null when SQL NULL. */
json_t *cp_col_text_or_null(cp_stmt *s, int col);
/* Column col (ms since the epoch) as RFC 3339, or null when SQL NULL. */
json_t *cp_col_time_or_null(cp_stmt *s, int col);
/* A role bitmask (members/actor.h) → ["secretariat", "analyst", ...] in
 * the fixed order of CP_ROLE_MAP. */
json_t *cp_roles_json(unsigned roles);
/* A plausible e-mail address: one '@' with text before it, a '.' after it,
 * no spaces, angle brackets or line breaks. Not a full RFC 5322 parser. */
bool cp_email_plausible(const char *s);

#endif
