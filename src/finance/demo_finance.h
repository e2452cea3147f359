/*
 * demo_finance.h — the contributions of the demo store (`cyberpact demo`):
 * profiles (least developed countries, ITU regions), classes on the default
 * scale, unit values for the last and the current financial year, both
 * years assessed, a realistic mix of payments (most on time, some late, some
 * partial, a few in arrears long enough to lose their vote, a couple of
 * overpayments held as credit), budget lines and monthly spending.
 * Deterministic (a seeded generator), dated up to today.
 */
#ifndef CP_FINANCE_DEMO_FINANCE_H
#define CP_FINANCE_DEMO_FINANCE_H

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

/* Runs over every member in the store (the alliance and observers excepted). */
cp_status cp_demo_finance(cp_conn *c, const cp_actor *a, cp_err *err);

#endif
