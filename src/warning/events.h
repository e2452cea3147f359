/*
 * events.h — observations from sensors, honeypots, sinkholes and scanners
 * (POST /api/v1/events): strict parsing of a batch, then matching against the
 * compiled indicator set (iset.h), constituency routing (routing.h) and
 * aggregation into alerts (alerts.h).
 *
 * A batch: {"events": [event, ...]} with 1..max events. An event (every
 * field optional except time; at least one observable):
 *   time            RFC 3339 timestamp with a time of day (when it was seen);
 *                   at most 5 minutes in the future, at most 30 days old
 *   src_ip, dst_ip  an IPv4 or IPv6 address (no prefix)
 *   src_port, dst_port  0..65535
 *   proto           tcp, udp, icmp, ipv6-icmp, sctp, gre, esp, ah or other
 *   src_asn, dst_asn  the AS announcing src_ip / dst_ip ("AS64500" or 64500)
 *   domain          a DNS name
 *   url             an absolute URL (scheme://host...)
 *   hashes          {"md5", "sha1", "sha256", "sha512"}: hex of the exact length
 *   email           an e-mail address (local@domain)
 *   classification  RSIT "class/type" (rsit.h); default "other/undetermined"
 *   affected        which side concerns the constituency: "src", "dst" or
 *                   "any" (default: every address and name in the event)
 *   tlp             the event's own TLP ("TLP:AMBER" ...); default TLP:AMBER
 *   source          the sensor's name (<= 128 bytes)
 *   description     free text (<= 1024 bytes)
 * Unknown fields are errors. A batch with any invalid event is refused whole
 * (422, every error with its index and field, nothing stored).
 */
#ifndef CP_WARNING_EVENTS_H
#define CP_WARNING_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "members/actor.h"
#include "store/db.h"

#define CP_EVENTS_MAX_DEFAULT 10000
#define CP_EVENTS_ERRORS_MAX 100      /* errors listed in one 422 */
#define CP_EVENT_FUTURE_MS (5 * 60 * 1000LL)
#define CP_EVENT_PAST_MS (30LL * 86400 * 1000)

typedef enum { CP_AFFECTED_ANY, CP_AFFECTED_SRC, CP_AFFECTED_DST } cp_affected;

typedef struct {
    int64_t time_ms;
    bool has_src, has_dst;
    uint8_t src[16], dst[16];          /* 128-bit space, IPv4 at ::ffff:0:0/96 */
    bool src_v4, dst_v4;
    char src_text[64], dst_text[64];   /* canonical (CP_CIDR_TEXT_MAX) */
    uint32_t src_asn, dst_asn;         /* 0 = not given */
    int src_port, dst_port;            /* -1 = not given */
    const char *proto;                 /* static; NULL = not given */
    char domain[256];                  /* canonical; "" = none */
    const char *url;                   /* borrowed from the parsed body; NULL = none */
    char url_host[256];                /* canonical name, or the address text when the host is an IP */
    bool url_host_ip;
    uint8_t url_ip[16];
    char email[320];                   /* domain part lower-cased */
    const char *email_domain;          /* into email */
    const char *md5, *sha1, *sha256, *sha512; /* borrowed, lower-cased into hash_buf */
    char hash_buf[128 + 64 + 40 + 32 + 4];
    const char *classification;        /* static (rsit table) */
    cp_affected affected;
    int tlp;                           /* cp_tlp; CP_TLP_NONE = not given */
    const char *source, *description;  /* borrowed */
    const char *raw;                   /* the event's JSON text exactly as sent (borrowed from the body) */
    size_t raw_len;
} cp_event;

typedef struct {
    json_t *root;      /* the parsed body (owns the borrowed strings), or: */
    char *arena;       /* the strings the streaming scanner decoded */
    cp_event *ev;
    size_t n;
} cp_event_batch;

/* Parses and validates a batch. The batch borrows body (each event keeps
 * its exact text: what an alert stores as its first event). CP_E_BAD_REQUEST: the body is not JSON or not
 * {"events": [...]} (err says where). CP_E_UNPROCESSABLE: one or more events
 * are invalid; *errors (owned) is an array of {"index", "field", "message"}
 * (at most CP_EVENTS_ERRORS_MAX) and err->msg sums them up. now_ms bounds the
 * event times. On success the batch is the caller's: cp_event_batch_free(). */
cp_status cp_events_parse(const char *body, size_t len, size_t max_events, size_t max_depth, int64_t now_ms,
                          cp_event_batch *out, json_t **errors, cp_err *err);
void cp_event_batch_free(cp_event_batch *b);
/* The same, always through a Jansson tree: the reference reading that
 * cp_events_parse falls back to for anything its streaming scanner does not
 * take (the fuzz target compares the two). */
cp_status cp_events_parse_tree(const char *body, size_t len, size_t max_events, size_t max_depth, int64_t now_ms,
                               cp_event_batch *out, json_t **errors, cp_err *err);

/* The event as JSON in its normalised form (what an alert keeps as sample). */
json_t *cp_event_json(const cp_event *e);

/* What processing a batch did. */
typedef struct {
    int64_t accepted;     /* events in the batch */
    int64_t matched;      /* events with at least one indicator hit */
    int64_t routed;       /* events that concern at least one member */
    int64_t unrouted;     /* events that concern no member (nothing stored for them) */
    int64_t hidden_hits;  /* hits withheld from a member that may not read the indicator */
    int64_t alerts_queued; /* (member, key, address, window) changes journaled for the folder */
    int64_t received_ms;
} cp_events_result;

typedef struct {
    int64_t window_ms;        /* aggregation window (alert-window) */
    int64_t stix_refresh_ms;  /* least time between two STIX versions of an alert */
} cp_events_options;

/* Matches, routes and aggregates a parsed batch, then commits its
 * aggregated alert changes as one alert_journal row with one audit entry in
 * ONE write transaction (all or nothing): durable when this returns CP_OK.
 * The folder (alerts.h) applies them to alerts, with their STIX and webhook
 * deliveries. a is the submitter. */
cp_status cp_events_process(cp_conn *c, const cp_actor *a, const cp_event_batch *b, const cp_events_options *o,
                            int64_t received_ms, cp_events_result *res, cp_err *err);

#endif
