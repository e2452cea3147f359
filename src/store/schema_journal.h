/*
 * schema_journal.h — migration 8: the alert journal (early warning, issue 4).
 * Included by schema.c only.
 *
 * POST /api/v1/events commits ONE row per batch here (the batch's aggregated
 * alert changes as text, warning/alerts_journal.c) together with the batch's
 * audit entry, and answers 200: the batch is durable from then on. The
 * folder (warning/alerts_fold.c, a thread of serve, and every alert read)
 * merges pending rows across batches, applies them to alerts in one write
 * transaction and deletes them in that same transaction, so each row is
 * applied exactly once. On PostgreSQL several servers fold at once: each
 * takes rows with FOR UPDATE SKIP LOCKED.
 */
#ifndef CP_STORE_SCHEMA_JOURNAL_H
#define CP_STORE_SCHEMA_JOURNAL_H

#define M8_ALERT_JOURNAL \
    "CREATE TABLE alert_journal (" \
    "  id TEXT PRIMARY KEY," \
    "  received_at BIGINT NOT NULL,"   /* ms: when the server received the batch */ \
    "  reported_by TEXT,"              /* the submitter's member */ \
    "  events BIGINT NOT NULL,"        /* events of the batch that concern a member */ \
    "  deltas TEXT NOT NULL);"         /* the aggregated changes (alerts_journal.c) */ \
    "CREATE INDEX alert_journal_received ON alert_journal (received_at);"

#endif
