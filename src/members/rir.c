#include "members/rir.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FIELDS_MAX 12

typedef struct {
    const char *p;
    size_t n;
} field;

static bool eq(field f, const char *s) { return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0; }

static bool to_u64(field f, uint64_t max, uint64_t *out)
{
    if (f.n == 0 || f.n > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (!isdigit((unsigned char)f.p[i])) return false;
        if (v > (max - (uint64_t)(f.p[i] - '0')) / 10) return false;
        v = v * 10 + (uint64_t)(f.p[i] - '0');
    }
    *out = v;
    return true;
}

/* Emits the fewest aligned CIDRs covering [start, start + count). */
static cp_status emit_v4(const cp_rir_entry *base, uint32_t start, uint64_t count, cp_rir_cb cb, void *ctx,
                         cp_rir_stats *st, cp_err *err)
{
    uint64_t addr = start;
    while (count > 0) {
        int bits = 0; /* host bits of the largest block aligned at addr and fitting in count */
        while (bits < 32 && (addr & ((1ull << (bits + 1)) - 1)) == 0 && (1ull << (bits + 1)) <= count) bits++;
        cp_rir_entry e = *base;
        e.cidr.family = 4;
        e.cidr.prefix = (uint8_t)(32 - bits);
        e.cidr.addr[0] = (uint8_t)(addr >> 24);
        e.cidr.addr[1] = (uint8_t)(addr >> 16);
        e.cidr.addr[2] = (uint8_t)(addr >> 8);
        e.cidr.addr[3] = (uint8_t)addr;
        cp_status s = cb(ctx, &e, err);
        if (s) return s;
        st->ranges++;
        addr += 1ull << bits;
        count -= 1ull << bits;
    }
    return CP_OK;
}

static cp_status record(field *f, int nf, uint64_t lineno, cp_rir_cb cb, void *ctx, cp_rir_stats *st, cp_err *err)
{
#define BAD(...) cp_fail(err, CP_E_BAD_REQUEST, __VA_ARGS__)
    if (nf < 7) return BAD("line %llu: a record has at least 7 fields, this one %d", (unsigned long long)lineno, nf);
    st->records++;
    field cc = f[1], type = f[2], start = f[3], value = f[4], status = f[6];
    bool v4 = eq(type, "ipv4"), v6 = eq(type, "ipv6"), as = eq(type, "asn");
    if (!v4 && !v6 && !as)
        return BAD("line %llu: field 3 (type) is '%.*s', not ipv4, ipv6 or asn", (unsigned long long)lineno,
                   (int)(type.n > 16 ? 16 : type.n), type.p);
    bool real = eq(status, "allocated") || eq(status, "assigned");
    if (!real && !eq(status, "available") && !eq(status, "reserved"))
        return BAD("line %llu: field 7 (status) is '%.*s'", (unsigned long long)lineno, (int)(status.n > 16 ? 16 : status.n),
                   status.p);
    if (cc.n == 0 && !real) { /* available/reserved space often has no country */
        st->skipped++;
        return CP_OK;
    }
    if (cc.n != 2 || !isupper((unsigned char)cc.p[0]) || !isupper((unsigned char)cc.p[1]))
        return BAD("line %llu: field 2 (country) '%.*s' is not two upper-case letters", (unsigned long long)lineno,
                   (int)(cc.n > 8 ? 8 : cc.n), cc.p);
    if (!real || eq(cc, "ZZ")) {
        st->skipped++;
        return CP_OK;
    }
    cp_rir_entry e;
    memset(&e, 0, sizeof e);
    memcpy(e.cc, cc.p, 2);
    uint64_t v;
    if (as) {
        uint64_t first;
        if (!to_u64(start, 4294967295ull, &first) || first == 0 || !to_u64(value, 4294967295ull, &v) || v == 0 ||
            first + v - 1 > 4294967295ull)
            return BAD("line %llu: bad AS range '%.*s|%.*s'", (unsigned long long)lineno, (int)(start.n > 12 ? 12 : start.n),
                       start.p, (int)(value.n > 12 ? 12 : value.n), value.p);
        if (v > CP_RIR_ASN_COUNT_MAX)
            return BAD("line %llu: an AS block of %llu numbers is larger than the %d accepted in one record",
                       (unsigned long long)lineno, (unsigned long long)v, CP_RIR_ASN_COUNT_MAX);
        e.kind = CP_RIR_ASN;
        e.asn_first = (uint32_t)first;
        e.asn_count = (uint32_t)v;
        st->ranges++;
        return cb(ctx, &e, err);
    }
    cp_cidr addr;
    cp_err aerr;
    if (memchr(start.p, '/', start.n) || cp_cidr_parse(start.p, start.n, &addr, &aerr) || addr.family != (v4 ? 4 : 6))
        return BAD("line %llu: field 4 (start) '%.*s' is not an %s address", (unsigned long long)lineno,
                   (int)(start.n > 48 ? 48 : start.n), start.p, v4 ? "IPv4" : "IPv6");
    if (v6) {
        if (!to_u64(value, 128, &v))
            return BAD("line %llu: field 5 (prefix length) '%.*s' is not 0..128", (unsigned long long)lineno,
                       (int)(value.n > 8 ? 8 : value.n), value.p);
        char text[CP_CIDR_TEXT_MAX + 8];
        snprintf(text, sizeof text, "%.*s/%u", (int)start.n, start.p, (unsigned)v);
        if (cp_cidr_parse(text, strlen(text), &e.cidr, &aerr))
            return BAD("line %llu: %s", (unsigned long long)lineno, aerr.msg);
        e.kind = CP_RIR_IPV6;
        st->ranges++;
        return cb(ctx, &e, err);
    }
    uint32_t first = (uint32_t)addr.addr[0] << 24 | (uint32_t)addr.addr[1] << 16 | (uint32_t)addr.addr[2] << 8 | addr.addr[3];
    if (!to_u64(value, 1ull << 32, &v) || v == 0 || first + v - 1 > 0xffffffffull)
        return BAD("line %llu: field 5 (address count) '%.*s' is not a count that fits after %.*s", (unsigned long long)lineno,
                   (int)(value.n > 12 ? 12 : value.n), value.p, (int)start.n, start.p);
    e.kind = CP_RIR_IPV4;
    return emit_v4(&e, first, v, cb, ctx, st, err);
#undef BAD
}

cp_status cp_rir_parse(const char *buf, size_t len, cp_rir_cb cb, void *ctx, cp_rir_stats *st, cp_err *err)
{
    memset(st, 0, sizeof *st);
    size_t i = 0;
    bool seen_version = false;
    while (i < len) {
        size_t end = i;
        while (end < len && buf[end] != '\n') end++;
        size_t n = end - i;
        const char *line = buf + i;
        i = end + 1;
        st->lines++;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (n > CP_RIR_LINE_MAX)
            return cp_fail(err, CP_E_BAD_REQUEST, "line %llu: longer than %d bytes", (unsigned long long)st->lines, CP_RIR_LINE_MAX);
        if (memchr(line, 0, n)) return cp_fail(err, CP_E_BAD_REQUEST, "line %llu: contains a NUL byte", (unsigned long long)st->lines);
        if (n == 0 || line[0] == '#') continue;
        field f[FIELDS_MAX];
        int nf = 0;
        size_t s = 0;
        for (size_t k = 0; k <= n; k++) {
            if (k == n || line[k] == '|') {
                if (nf == FIELDS_MAX)
                    return cp_fail(err, CP_E_BAD_REQUEST, "line %llu: more than %d fields", (unsigned long long)st->lines, FIELDS_MAX);
                f[nf].p = line + s;
                f[nf].n = k - s;
                nf++;
                s = k + 1;
            }
        }
        if (!seen_version && nf >= 3 && f[0].n >= 1 && isdigit((unsigned char)f[0].p[0])) {
            seen_version = true; /* "2|apnic|..." or "2.3|..." */
            continue;
        }
        if (nf >= 6 && eq(f[5], "summary")) continue;
        if (nf < 2) return cp_fail(err, CP_E_BAD_REQUEST, "line %llu: not a delegated-stats line", (unsigned long long)st->lines);
        cp_status r = record(f, nf, st->lines, cb, ctx, st, err);
        if (r) return r;
    }
    return CP_OK;
}
