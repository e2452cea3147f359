/*
 * alerts_internal.h — what the files of the alerts module share (not an
 * interface for other parts).
 */
#ifndef CP_WARNING_ALERTS_INTERNAL_H
#define CP_WARNING_ALERTS_INTERNAL_H

#include <jansson.h>

#include "store/db.h"
#include "warning/alerts.h"

/* The columns every alert query selects, in the order alert_row_json reads. */
#define CP_ALERT_COLUMNS                                                                                       \
    "id, member_id, akey, indicator_id, classification, address, address_kind, window_start, status, count," \
    " first_seen, last_seen, tlp, source, reported_by, event, received_at, created_at, updated_at, seq,"      \
    " (SELECT x.stix_at FROM alert_stix_state x WHERE x.alert_id = alerts.id), webhook_at, acknowledged_at,"   \
    " acknowledged_by, closed_at, closed_by"

/* The alert of the current row as the API renders it. */
json_t *cp_alert_row_json(cp_stmt *s);
/* Reads one alert by id (inside or outside a transaction); 404 when none. */
cp_status cp_alert_fetch(cp_conn *c, const char *id, json_t **out, char *member_id, cp_err *err);

/* One alert to write as STIX (alerts_stix.c). */
typedef struct {
    const char *id;
    const char *member_id;
    const char *indicator_id;   /* NULL: an indicator for the address is written too (new alerts) */
    const char *classification;
    const char *address;
    const char *address_kind;
    int64_t count, first_seen, last_seen, created_at;
    int64_t prev_stix_at;       /* 0 when never written */
    int tlp;
    bool created;
} cp_alert_stix;

/* Writes the STIX objects of alerts (grouped by member) into each member's
 * alerts collection, inside the caller's write transaction; records each
 * version's time in alert_stix_state. */
cp_status cp_alerts_stix_write(cp_conn *c, cp_alert_stix *a, size_t n, int64_t now_ms, cp_err *err);

#endif
