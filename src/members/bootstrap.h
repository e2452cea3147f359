/*
 * bootstrap.h — the first state of a new store: the alliance's own
 * organisation, a first secretariat user, and an API key for it.
 */
#ifndef CP_MEMBERS_BOOTSTRAP_H
#define CP_MEMBERS_BOOTSTRAP_H

#include <jansson.h>

#include "members/actor.h"
#include "members/auth.h"
#include "store/db.h"

/* Fails with CP_E_CONFLICT when the store already has an alliance with a
 * secretariat user (an earlier init that stopped half-way is completed). On
 * success *alliance and *user are owned by the caller and secret holds the
 * key's secret (CP_KEY_SECRET_LEN + 1 bytes); the caller wipes it. */
cp_status cp_bootstrap(cp_conn *c, const cp_actor *a, const char *alliance_name, const char *admin_name,
                       json_t **alliance, json_t **user, char *secret, cp_err *err);

#endif
