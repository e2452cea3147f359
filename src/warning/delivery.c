/*
 * delivery.c — how fast alerts reach members, per member, for /metrics
 * (alerts.h: cp_alerts_observe_*, cp_alerts_metrics_render). Histograms:
 *   cyberpact_alert_stored_seconds{member}            event receipt → alert stored
 *   cyberpact_alert_event_to_stored_seconds{member}   the event's own time → alert stored
 *   cyberpact_alert_webhook_seconds{member}           event receipt → webhook accepted
 * Only new alerts are observed (an aggregated update is not a delivery).
 * The member set is bounded by the membership (at most MAX_MEMBERS series
 * per histogram; beyond, observations go to member="other").
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "warning/alerts.h"

#define MAX_MEMBERS 4096
#define N_BUCKETS 12
static const double BUCKETS[N_BUCKETS] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 3600};

typedef struct {
    uint64_t counts[N_BUCKETS + 1]; /* last: +Inf only */
    uint64_t n;
    double sum;
} histo;

enum { H_STORED, H_EVENT, H_WEBHOOK, H_COUNT };
static const char *const NAMES[H_COUNT] = {"cyberpact_alert_stored_seconds", "cyberpact_alert_event_to_stored_seconds",
                                           "cyberpact_alert_webhook_seconds"};
static const char *const HELP[H_COUNT] = {"Event receipt to alert stored, new alerts, per member",
                                          "The event's own time to alert stored, new alerts, per member",
                                          "Event receipt to webhook accepted by the member's receiver"};

typedef struct {
    char member[CP_UUID_LEN + 1];
    histo h[H_COUNT];
} row;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static row *g_rows;
static size_t g_n;

static row *find(const char *member)
{
    for (size_t i = 0; i < g_n; i++)
        if (strcmp(g_rows[i].member, member) == 0) return &g_rows[i];
    if (!g_rows) g_rows = calloc(MAX_MEMBERS + 1, sizeof *g_rows);
    if (!g_rows) return NULL;
    if (g_n == MAX_MEMBERS) member = "other";
    row *r = &g_rows[g_n++];
    snprintf(r->member, sizeof r->member, "%s", member);
    return r;
}

static void observe(histo *h, double s)
{
    if (s < 0) s = 0;
    int b = 0;
    while (b < N_BUCKETS && s > BUCKETS[b]) b++;
    h->counts[b]++;
    h->n++;
    h->sum += s;
}

void cp_alerts_observe_stored(const char *member_id, int64_t receipt_to_stored_ms, int64_t event_to_stored_ms)
{
    pthread_mutex_lock(&g_lock);
    row *r = find(member_id);
    if (r) {
        observe(&r->h[H_STORED], (double)receipt_to_stored_ms / 1000.0);
        observe(&r->h[H_EVENT], (double)event_to_stored_ms / 1000.0);
    }
    pthread_mutex_unlock(&g_lock);
}

void cp_alerts_observe_webhook(const char *member_id, int64_t receipt_to_delivered_ms)
{
    pthread_mutex_lock(&g_lock);
    row *r = find(member_id);
    if (r) observe(&r->h[H_WEBHOOK], (double)receipt_to_delivered_ms / 1000.0);
    pthread_mutex_unlock(&g_lock);
}

typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} sbuf;

static void put(sbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)w < b->cap - b->len) {
            b->len += (size_t)w;
            return;
        }
        char *g = realloc(b->p, b->cap * 2 + (size_t)w);
        if (!g) {
            b->failed = true;
            return;
        }
        b->p = g;
        b->cap = b->cap * 2 + (size_t)w;
    }
}

char *cp_alerts_metrics_render(void)
{
    sbuf b = {malloc(4096), 0, 4096, false};
    if (!b.p) return NULL;
    b.p[0] = 0;
    pthread_mutex_lock(&g_lock);
    for (int k = 0; k < H_COUNT; k++) {
        put(&b, "# HELP %s %s\n# TYPE %s histogram\n", NAMES[k], HELP[k], NAMES[k]);
        for (size_t i = 0; i < g_n; i++) {
            const row *r = &g_rows[i];
            const histo *h = &r->h[k];
            if (!h->n) continue;
            uint64_t cum = 0;
            for (int j = 0; j < N_BUCKETS; j++) {
                cum += h->counts[j];
                put(&b, "%s_bucket{member=\"%s\",le=\"%g\"} %llu\n", NAMES[k], r->member, BUCKETS[j],
                    (unsigned long long)cum);
            }
            put(&b, "%s_bucket{member=\"%s\",le=\"+Inf\"} %llu\n%s_sum{member=\"%s\"} %.6f\n%s_count{member=\"%s\"} %llu\n",
                NAMES[k], r->member, (unsigned long long)h->n, NAMES[k], r->member, h->sum, NAMES[k], r->member,
                (unsigned long long)h->n);
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
