#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

typedef struct {
    char addr[64];
    int64_t window_start_s;
    int failures;
} slot;

struct cp_ratelimit {
    pthread_mutex_t mu;
    int per_minute;
    slot slots[CP_RATELIMIT_SLOTS];
};

cp_ratelimit *cp_ratelimit_new(int per_minute)
{
    cp_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    pthread_mutex_init(&rl->mu, NULL);
    rl->per_minute = per_minute;
    return rl;
}

void cp_ratelimit_free(cp_ratelimit *rl)
{
    if (!rl) return;
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The slot for addr, or NULL; with create, a fresh or the stalest slot. */
static slot *find(cp_ratelimit *rl, const char *addr, int64_t now_s, int create)
{
    uint32_t base = (hash(addr) % (CP_RATELIMIT_SLOTS / WAYS)) * WAYS;
    slot *oldest = &rl->slots[base];
    for (int i = 0; i < WAYS; i++) {
        slot *s = &rl->slots[base + (uint32_t)i];
        if (strcmp(s->addr, addr) == 0) {
            if (now_s - s->window_start_s >= CP_RATELIMIT_WINDOW_S) {
                s->window_start_s = now_s;
                s->failures = 0;
            }
            return s;
        }
        if (s->window_start_s < oldest->window_start_s) oldest = s;
    }
    if (!create) return NULL;
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->addr, sizeof oldest->addr, "%s", addr);
    oldest->window_start_s = now_s;
    return oldest;
}

/* Addresses are keyed by their first 63 bytes (an IPv6 text is at most 45). */
static void key_of(const char *addr, char key[64])
{
    snprintf(key, 64, "%s", addr);
}

int cp_ratelimit_blocked(cp_ratelimit *rl, const char *addr_in, int64_t now_s)
{
    char addr[64];
    key_of(addr_in, addr);
    pthread_mutex_lock(&rl->mu);
    slot *s = find(rl, addr, now_s, 0);
    int wait = 0;
    if (s && s->failures >= rl->per_minute) wait = (int)(s->window_start_s + CP_RATELIMIT_WINDOW_S - now_s);
    pthread_mutex_unlock(&rl->mu);
    return wait > 0 ? wait : 0;
}

void cp_ratelimit_fail(cp_ratelimit *rl, const char *addr_in, int64_t now_s)
{
    char addr[64];
    key_of(addr_in, addr);
    pthread_mutex_lock(&rl->mu);
    slot *s = find(rl, addr, now_s, 1);
    s->failures++;
    pthread_mutex_unlock(&rl->mu);
}
