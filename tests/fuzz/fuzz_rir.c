/*
 * fuzz_rir.c — the RIR delegated-stats parser (members/rir.h).
 *
 * Properties checked (abort on violation), when the whole input parses:
 *   - the callback ran stats.ranges times;
 *   - every emitted IPv4 CIDR is aligned (no host bits) and IPv4 entries
 *     carry a family-4 cp_cidr, IPv6 entries family 6, AS entries count >= 1
 *     and no wrap past 4294967295;
 *   - the parse is line-local: parsing each line on its own (after a
 *     version line) yields the same entries in the same order, and the
 *     per-line stats add up to the whole;
 *   - for each IPv4 record line, its entries are contiguous, start at the
 *     record's start address (field 4, read with inet_pton) and the sizes
 *     2^(32 - prefix) sum to its count (field 5); an IPv6 record yields its
 *     start/prefix; an AS record its first/count;
 * and when it does not parse: the status is CP_E_BAD_REQUEST and the
 * message starts with "line N:" for a line N that exists.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "members/rir.h"

typedef struct {
    cp_rir_entry *e;
    size_t n, cap;
} list;

static cp_status collect(void *ctx, const cp_rir_entry *e, cp_err *err)
{
    (void)err;
    list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
        if (!l->e) abort();
    }
    l->e[l->n++] = *e;
    return CP_OK;
}

static bool same_entry(const cp_rir_entry *a, const cp_rir_entry *b)
{
    if (memcmp(a->cc, b->cc, 3) != 0 || a->kind != b->kind) return false;
    if (a->kind == CP_RIR_ASN) return a->asn_first == b->asn_first && a->asn_count == b->asn_count;
    return a->cidr.family == b->cidr.family && a->cidr.prefix == b->cidr.prefix &&
           memcmp(a->cidr.addr, b->cidr.addr, 16) == 0;
}

static uint32_t v4_of(const cp_cidr *c)
{
    return (uint32_t)c->addr[0] << 24 | (uint32_t)c->addr[1] << 16 | (uint32_t)c->addr[2] << 8 | c->addr[3];
}

/* Field k (0-based) of a '|'-separated line, NUL-terminated into out. */
static bool field(const char *line, size_t n, int k, char *out, size_t cap)
{
    size_t s = 0;
    for (int f = 0;; f++) {
        size_t e = s;
        while (e < n && line[e] != '|') e++;
        if (f == k) {
            if (e - s >= cap) return false;
            memcpy(out, line + s, e - s);
            out[e - s] = 0;
            return true;
        }
        if (e >= n) return false;
        s = e + 1;
    }
}

/* Checks one record line's entries against its own fields. */
static void check_record(const char *line, size_t n, const cp_rir_entry *e, size_t ne)
{
    if (ne == 0) return; /* skipped record, comment, summary... */
    char type[8], start[80], value[32];
    if (!field(line, n, 2, type, sizeof type) || !field(line, n, 3, start, sizeof start) ||
        !field(line, n, 4, value, sizeof value))
        abort();
    char *end;
    unsigned long long v = strtoull(value, &end, 10);
    if (*end || !isdigit((unsigned char)value[0])) abort();
    if (strcmp(type, "ipv4") == 0) {
        uint8_t b[4];
        if (inet_pton(AF_INET, start, b) != 1) abort();
        uint64_t next = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3], sum = 0;
        for (size_t i = 0; i < ne; i++) {
            if (e[i].kind != CP_RIR_IPV4 || e[i].cidr.family != 4 || e[i].cidr.prefix > 32) abort();
            uint64_t size = 1ull << (32 - e[i].cidr.prefix), a = v4_of(&e[i].cidr);
            if (a != next || (a & (size - 1)) != 0) abort(); /* contiguous and aligned */
            next = a + size;
            sum += size;
            /* never larger than needed: doubling the block would misalign or overshoot */
            if (e[i].cidr.prefix > 0) {
                uint64_t twice = size * 2;
                if ((a & (twice - 1)) == 0 && sum - size + twice <= v && i + 1 < ne) abort();
            }
        }
        if (sum != v) abort();
    } else if (strcmp(type, "ipv6") == 0) {
        uint8_t b[16];
        if (ne != 1 || e[0].kind != CP_RIR_IPV6 || e[0].cidr.family != 6) abort();
        if (inet_pton(AF_INET6, start, b) != 1 || memcmp(b, e[0].cidr.addr, 16) != 0 || e[0].cidr.prefix != v) abort();
    } else if (strcmp(type, "asn") == 0) {
        unsigned long long first = strtoull(start, &end, 10);
        if (ne != 1 || e[0].kind != CP_RIR_ASN || e[0].asn_first != first || e[0].asn_count != v) abort();
    } else {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    list all = {0};
    cp_rir_stats st;
    cp_err err = {{0}};
    cp_status s = cp_rir_parse(buf, size, collect, &all, &st, &err);
    if (s != CP_OK) {
        unsigned long long n = 0;
        if (s != CP_E_BAD_REQUEST || sscanf(err.msg, "line %llu:", &n) != 1 || n == 0 || n > st.lines) abort();
        free(all.e);
        return 0;
    }
    if (all.n != st.ranges || st.skipped > st.records || st.records > st.lines) abort();
    for (size_t i = 0; i < all.n; i++) {
        const cp_rir_entry *e = &all.e[i];
        if (strlen(e->cc) != 2 || !isupper((unsigned char)e->cc[0]) || !isupper((unsigned char)e->cc[1])) abort();
        if (e->kind == CP_RIR_IPV4) {
            if (e->cidr.family != 4 || e->cidr.prefix > 32) abort();
            uint32_t a = v4_of(&e->cidr);
            if (e->cidr.prefix < 32 && (a & (0xffffffffu >> e->cidr.prefix)) != 0) abort(); /* aligned */
        } else if (e->kind == CP_RIR_IPV6) {
            if (e->cidr.family != 6 || e->cidr.prefix > 128) abort();
        } else if (e->kind == CP_RIR_ASN) {
            if (e->asn_first == 0 || e->asn_count == 0 || (uint64_t)e->asn_first + e->asn_count - 1 > 0xffffffffull)
                abort();
        } else {
            abort();
        }
    }

    /* line by line: the first version-looking line is the version line */
    static const char version[] = "2|fuzz|20260101|0|19700101|20260101|+0000\n";
    char *one = malloc(sizeof version + CP_RIR_LINE_MAX + 8);
    size_t at = 0, i = 0;
    bool seen_version = false;
    cp_rir_stats sum = {0};
    while (i < size) {
        size_t end = i;
        while (end < size && buf[end] != '\n') end++;
        const char *line = buf + i;
        size_t n = end - i, body = n && line[n - 1] == '\r' ? n - 1 : n;
        i = end + 1;
        bool is_version = false;
        if (!seen_version && body > 0 && line[0] != '#' && isdigit((unsigned char)line[0])) {
            int bars = 0;
            for (size_t k = 0; k < body; k++) bars += line[k] == '|';
            is_version = bars >= 2;
        }
        size_t o = 0;
        if (!is_version) {
            memcpy(one, version, sizeof version - 1);
            o = sizeof version - 1;
        }
        seen_version |= is_version;
        memcpy(one + o, line, n);
        list part = {0};
        cp_rir_stats ps;
        if (cp_rir_parse(one, o + n, collect, &part, &ps, &err) != CP_OK) abort();
        if (at + part.n > all.n) abort();
        for (size_t k = 0; k < part.n; k++)
            if (!same_entry(&part.e[k], &all.e[at + k])) abort();
        check_record(line, body, part.e, part.n);
        at += part.n;
        sum.records += ps.records;
        sum.ranges += ps.ranges;
        sum.skipped += ps.skipped;
        free(part.e);
    }
    if (at != all.n || sum.records != st.records || sum.ranges != st.ranges || sum.skipped != st.skipped) abort();
    free(one);
    free(all.e);
    return 0;
}
