/*
 * demo_warning.h — the demo store's early warning: a few sensor events about the demo
 * members' constituencies (some matching the demo indicators, one matching nothing), so
 * that members have alerts (API, TAXII, metrics), and an example webhook.
 */
#ifndef CP_WARNING_DEMO_WARNING_H
#define CP_WARNING_DEMO_WARNING_H

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

/* Runs after the demo's members, constituencies and intelligence exist. *alerts (may be
 * NULL) receives how many alerts were created. */
cp_status cp_demo_warning(cp_conn *c, const cp_actor *a, int *alerts, cp_err *err);

#endif
