/*
 * scheduler.h — the governance clock inside `serve`: a pass, run every second
 * on a store/worker.h thread, that closes the open proposals whose closing time has passed
 * (close.h: safe with several servers on one PostgreSQL — each closing is one
 * transaction that checks the state under the row lock, so exactly one server
 * closes a proposal) and sends the reminders that are due.
 *
 * Reminders are the notification hook: when now >= closes_at - remind_before,
 * once per round, a "reminder" row goes to gov_events with an audit entry and a
 * log line (event "governance.reminder"); delivery (mail, webhooks) reads them
 * later. Marking the round reminded is the same transaction, guarded by
 * reminded_round < round, so several servers send one reminder.
 */
#ifndef CP_GOVERNANCE_SCHEDULER_H
#define CP_GOVERNANCE_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

/* The notification hook: called once per reminder, after its transaction committed
 * (so never for a reminder that was not recorded), from the scheduler's thread. NULL
 * (the default) records and logs only; a delivery part (mail, webhooks) sets it at
 * start-up, before `serve` starts the scheduler. */
typedef void (*cp_gov_reminder_fn)(const char *proposal, int round, int64_t closes_at, const char *title);
extern cp_gov_reminder_fn cp_gov_reminder_hook;

/* One pass at `now` on c: closes what is due and sends due reminders.
 * *closed / *reminded (may be NULL) receive the counts. */
cp_status cp_gov_scheduler_tick(cp_conn *c, int64_t now, int *closed, int *reminded, cp_err *err);

/* The same as a store/worker.h step (now = the clock): `serve` runs it once a
 * second on a worker thread. */
cp_status cp_gov_scheduler_step(cp_conn *c, void *ctx, bool *more, cp_err *err);

#endif
