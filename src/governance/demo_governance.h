/*
 * demo_governance.h — the governance of the demo store (`cyberpact demo`):
 * delegates for the first 60 member states, an Advisory Board of seven
 * seats, proposals in every state (draft with an amendment, withdrawn, open
 * with ballots and a proxy, adopted, rejected, postponed), ballots from many
 * states, and one member state without the right to vote (arrears recorded
 * in the placeholder eligibility source). Closing the finished votes waits
 * for their (short) closing time: the demo takes about two seconds longer.
 */
#ifndef CP_GOVERNANCE_DEMO_GOVERNANCE_H
#define CP_GOVERNANCE_DEMO_GOVERNANCE_H

#include <stddef.h>

#include "base/crypto.h"
#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

/* states: the demo's member states (at least 60). */
cp_status cp_demo_governance(cp_conn *c, const cp_actor *a, char (*states)[CP_UUID_LEN + 1], size_t n, cp_err *err);

#endif
