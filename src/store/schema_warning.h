/*
 * schema_warning.h — migration 6: early warning, server side (issue 4):
 * alerts raised from events, members' webhooks, the webhook delivery queue
 * and its attempts. Included by schema.c only.
 *
 * alerts: one row per (member, key, address, window) while open; key is
 * "indicator:<stix id>" or "classification:<class/type>". Closing an alert
 * frees its key: a later event in the same window opens a new alert (the
 * partial unique index covers rows that are not closed).
 * seq orders alerts for paging: ms of creation * 1000 + a per-process
 * counter modulo 1000, then id.
 */
#ifndef CP_STORE_SCHEMA_WARNING_H
#define CP_STORE_SCHEMA_WARNING_H

#define M6_WARNING \
    "CREATE TABLE alerts (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  akey TEXT NOT NULL,"            /* indicator:<id> | classification:<class/type> */ \
    "  indicator_id TEXT,"             /* STIX id, NULL when derived from the classification only */ \
    "  classification TEXT NOT NULL,"  /* RSIT class/type */ \
    "  address TEXT NOT NULL,"         /* the member's address or name the events concern (canonical) */ \
    "  address_kind TEXT NOT NULL,"    /* ip, domain */ \
    "  window_start BIGINT NOT NULL,"  /* ms; windows are aligned multiples of alert-window */ \
    "  status TEXT NOT NULL,"          /* open, acknowledged, closed */ \
    "  count BIGINT NOT NULL," \
    "  first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL," /* event times, ms */ \
    "  tlp INTEGER NOT NULL,"          /* cp_tlp: strictest of what the alert was derived from */ \
    "  source TEXT,"                   /* sensor of the first event */ \
    "  reported_by TEXT,"              /* member whose credential submitted the first event */ \
    "  event TEXT NOT NULL,"           /* the first event, normalised JSON */ \
    "  received_at BIGINT NOT NULL,"   /* when the server received the first event (ms) */ \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL," \
    "  seq BIGINT NOT NULL," \
    "  webhook_at BIGINT,"             /* ms the webhook receiver accepted the alert */ \
    "  acknowledged_at BIGINT, acknowledged_by TEXT," \
    "  closed_at BIGINT, closed_by TEXT);" \
    "CREATE UNIQUE INDEX alerts_open_key ON alerts (member_id, akey, address, window_start) WHERE status <> 'closed';" \
    "CREATE INDEX alerts_member_seq ON alerts (member_id, seq);" \
    "CREATE INDEX alerts_seq ON alerts (seq);" \
    /* alerts whose STIX version is to be written (alerts_stix.c), and from when */ \
    "CREATE TABLE alert_stix_queue (" \
    "  alert_id TEXT PRIMARY KEY," \
    "  due_at BIGINT NOT NULL,"        /* when it is to be written (or a claim expires) */ \
    "  claimed BIGINT NOT NULL DEFAULT 0);" /* the writer's claim; a batch that changes the alert resets it */ \
    "CREATE INDEX alert_stix_queue_due ON alert_stix_queue (due_at);" \
    /* the STIX writer's own record (it never locks alert rows, so it never \
     * waits on a batch that holds them) */ \
    "CREATE TABLE alert_stix_state (" \
    "  alert_id TEXT PRIMARY KEY," \
    "  stix_at BIGINT NOT NULL);"      /* ms: the modified of the last version written */ \
 \
    "CREATE TABLE webhooks (" \
    "  member_id TEXT PRIMARY KEY REFERENCES members (id)," \
    "  url TEXT NOT NULL," \
    "  secret TEXT NOT NULL,"          /* the HMAC key, base64url; shown once when set */ \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL," \
    "  updated_by TEXT NOT NULL);" \
 \
    "CREATE TABLE webhook_deliveries (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  alert_id TEXT NOT NULL," \
    "  event TEXT NOT NULL,"           /* alert.created */ \
    "  body TEXT NOT NULL,"            /* the JSON POSTed, fixed at enqueue so retries sign the same bytes */ \
    "  status TEXT NOT NULL,"          /* pending, delivered, failed */ \
    "  attempts INTEGER NOT NULL," \
    "  next_at BIGINT NOT NULL,"       /* when the next attempt is due (or the claim expires) */ \
    "  received_at BIGINT NOT NULL,"   /* event receipt, for the delivery time */ \
    "  created_at BIGINT NOT NULL," \
    "  delivered_at BIGINT," \
    "  last_error TEXT, last_http_status INTEGER);" \
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE status = 'pending';" \
    "CREATE INDEX webhook_deliveries_member ON webhook_deliveries (member_id, created_at);" \
    "CREATE TABLE webhook_attempts (" \
    "  delivery_id TEXT NOT NULL," \
    "  attempt INTEGER NOT NULL," \
    "  at BIGINT NOT NULL," \
    "  http_status INTEGER,"           /* NULL when no HTTP answer (connection refused, timeout) */ \
    "  error TEXT,"                    /* NULL on success */ \
    "  duration_ms BIGINT NOT NULL," \
    "  PRIMARY KEY (delivery_id, attempt));"

#endif
