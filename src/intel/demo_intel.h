/*
 * demo_intel.h — the threat intelligence of the demo store (`cyberpact demo`):
 * a few real-looking STIX 2.1 objects in the public, alliance and group
 * collections, so a TAXII client, search and correlation have something to
 * show. Documentation addresses only (RFC 5737, RFC 3849, .example).
 */
#ifndef CP_INTEL_DEMO_INTEL_H
#define CP_INTEL_DEMO_INTEL_H

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

/* Ingests the demo objects (the collections "public", "alliance" and
 * "csirt-group" must exist). *stored receives how many were stored. */
cp_status cp_demo_intel(cp_conn *c, const cp_actor *a, int *stored, cp_err *err);

#endif
