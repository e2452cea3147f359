/*
 * meta.h — small key/value facts about the store itself (table meta):
 * "alliance_name", "demo" (set when `cyberpact demo` made the store), ...
 */
#ifndef CP_STORE_META_H
#define CP_STORE_META_H

#include <stddef.h>

#include "store/db.h"

/* Copies the value of key into out; CP_E_NOT_FOUND when absent. */
cp_status cp_meta_get(cp_conn *c, const char *key, char *out, size_t cap, cp_err *err);
/* Sets key inside the caller's write transaction (the caller audits). */
cp_status cp_meta_put(cp_conn *c, const char *key, const char *value, cp_err *err);
/* Sets key only when it has no value yet (a value once written is kept). */
cp_status cp_meta_put_new(cp_conn *c, const char *key, const char *value, cp_err *err);

#endif
