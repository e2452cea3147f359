/* test_routing.c — warning/routing.h over a real SQLite store: longest prefix
 * wins, equal claims all receive, IPv4-mapped IPv6, /0 /32 /128 edges, the AS
 * fallback, domain suffixes and their edges, inactive members, and the
 * rebuild after an audited constituency change. */
#include "harness.h"
#include "users_fixture.h"

#include "base/net.h"
#include "warning/routing.h"

static fixture F;
static char third[CP_UUID_LEN + 1], fourth[CP_UUID_LEN + 1];

static void add(const char *member, const char *type, const char *value)
{
    json_t *in = json_pack("{ss ss}", "type", type, "value", value), *out = NULL;
    cp_status st = cp_constituency_add(F.c, &F.cli, member, in, &out, &F.err);
    if (st) fprintf(stderr, "add %s %s: %s\n", type, value, F.err.msg);
    CHECK_INT(st, CP_OK);
    json_decref(in);
    json_decref(out);
}

static void addr_of(const char *text, uint8_t out[16])
{
    cp_cidr c;
    cp_err e;
    memset(out, 0, 16);
    if (cp_cidr_parse(text, strlen(text), &c, &e)) {
        fprintf(stderr, "bad test address %s\n", text);
        return;
    }
    if (c.family == 4) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, c.addr, 4);
    } else {
        memcpy(out, c.addr, 16);
    }
}

/* The members an address routes to, as "id,id" in routing order, sorted. */
static int cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static const char *route_ip(const cp_routing *t, const char *text, uint32_t asn)
{
    static char buf[512];
    uint8_t a[16];
    addr_of(text, a);
    cp_route_result r;
    cp_routing_lookup_ip(t, a, asn, &r);
    const char *ids[CP_ROUTE_MAX_MEMBERS];
    for (int i = 0; i < r.n; i++) ids[i] = cp_routing_member_id(t, r.members[i]);
    qsort(ids, r.n, sizeof ids[0], cmp);
    buf[0] = 0;
    for (int i = 0; i < r.n; i++) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", ids[i]);
    return buf;
}

static const char *route_dom(const cp_routing *t, const char *name)
{
    static char buf[512];
    cp_route_result r;
    cp_routing_lookup_domain(t, name, strlen(name), &r);
    const char *ids[CP_ROUTE_MAX_MEMBERS];
    for (int i = 0; i < r.n; i++) ids[i] = cp_routing_member_id(t, r.members[i]);
    qsort(ids, r.n, sizeof ids[0], cmp);
    buf[0] = 0;
    for (int i = 0; i < r.n; i++) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", ids[i]);
    return buf;
}

static char both[80];

static void setup(void)
{
    fx_member(&F, "academia", "University of Atlantis", NULL, third);
    fx_member(&F, "civil_society", "Atlantis Watch", NULL, fourth);
    add(F.state, "cidr", "198.51.100.0/24");
    add(F.sector, "cidr", "198.51.100.128/25");
    add(F.sector, "cidr", "198.51.100.200/32");
    add(third, "cidr", "203.0.113.0/24");
    add(fourth, "cidr", "203.0.113.0/24");
    add(F.state, "cidr", "2001:db8::/32");
    add(F.sector, "cidr", "2001:db8:1::1/128");
    add(F.state, "asn", "AS64500");
    add(F.state, "domain", "example.org");
    add(F.sector, "domain", "mail.example.org");
    add(third, "domain", "ac.example");
    snprintf(both, sizeof both, "%s", strcmp(third, fourth) < 0 ? third : fourth);
    snprintf(both + strlen(both), sizeof both - strlen(both), ",%s", strcmp(third, fourth) < 0 ? fourth : third);
}

static void test_longest_prefix(void)
{
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_ip(t, "198.51.100.1", 0), F.state);
    CHECK_STR(route_ip(t, "198.51.100.127", 0), F.state);
    CHECK_STR(route_ip(t, "198.51.100.128", 0), F.sector);
    CHECK_STR(route_ip(t, "198.51.100.200", 0), F.sector); /* the /32 */
    CHECK_STR(route_ip(t, "198.51.100.255", 0), F.sector);
    CHECK_STR(route_ip(t, "198.51.101.0", 0), "");
    CHECK_STR(route_ip(t, "198.51.99.255", 0), "");
    CHECK_STR(route_ip(t, "2001:db8::5", 0), F.state);
    CHECK_STR(route_ip(t, "2001:db8:1::1", 0), F.sector); /* the /128 */
    CHECK_STR(route_ip(t, "2001:db8:1::2", 0), F.state);
    CHECK_STR(route_ip(t, "2001:db9::1", 0), "");
    cp_routing_stats s;
    cp_routing_stats_get(t, &s);
    CHECK_INT(s.ranges, 6);
    CHECK_INT(s.members, 4);
    cp_routing_release(t);
}

static void test_ties_all_receive(void)
{
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_ip(t, "203.0.113.9", 0), both);
    cp_routing_release(t);
}

static void test_ipv4_mapped(void)
{
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_ip(t, "::ffff:198.51.100.1", 0), F.state);
    CHECK_STR(route_ip(t, "::ffff:198.51.100.200", 0), F.sector);
    CHECK_STR(route_ip(t, "::198.51.100.1", 0), ""); /* IPv4-compatible is not IPv4-mapped */
    cp_routing_release(t);
}

static void test_asn_fallback(void)
{
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_ip(t, "192.0.2.1", 64500), F.state);
    CHECK_STR(route_ip(t, "192.0.2.1", 64501), "");
    CHECK_STR(route_ip(t, "192.0.2.1", 0), "");
    CHECK_STR(route_ip(t, "203.0.113.9", 64500), both); /* a range beats the AS */
    cp_routing_release(t);
}

static void test_domains(void)
{
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_dom(t, "example.org"), F.state);
    CHECK_STR(route_dom(t, "www.example.org"), F.state);
    CHECK_STR(route_dom(t, "a.b.c.example.org"), F.state);
    CHECK_STR(route_dom(t, "badexample.org"), "");
    CHECK_STR(route_dom(t, "example.org.evil.net"), "");
    CHECK_STR(route_dom(t, "org"), "");
    CHECK_STR(route_dom(t, "mail.example.org"), F.sector);
    CHECK_STR(route_dom(t, "x.mail.example.org"), F.sector);
    CHECK_STR(route_dom(t, "mailexample.org"), "");
    CHECK_STR(route_dom(t, "ac.example"), third);
    cp_routing_release(t);
}

static void test_zero_prefix(void)
{
    add(fourth, "cidr", "0.0.0.0/0");
    cp_routing *t;
    CHECK_INT(cp_routing_build(F.c, &t, &F.err), CP_OK);
    CHECK_STR(route_ip(t, "192.0.2.1", 64500), fourth); /* /0 is a range: it beats the AS */
    CHECK_STR(route_ip(t, "198.51.100.1", 0), F.state);
    CHECK_STR(route_ip(t, "2001:db9::1", 0), ""); /* 0.0.0.0/0 is IPv4 only */
    cp_routing_release(t);
}

static void test_inactive_and_rebuild(void)
{
    cp_routing_reset();
    cp_routing *t = cp_routing_current(F.c, &F.err);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_STR(route_ip(t, "198.51.100.200", 0), F.sector);
    cp_routing *same = cp_routing_current(F.c, &F.err);
    CHECK(same == t); /* nothing changed: the same table */
    cp_routing_release(same);
    /* suspend the sector member: its ranges go, the state's /24 takes over */
    json_t *in = json_pack("{ss ss}", "status", "suspended", "reason", "test"), *out = NULL;
    CHECK_INT(cp_member_set_status(F.c, &F.cli, F.sector, in, &out, &F.err), CP_OK);
    json_decref(in);
    json_decref(out);
    cp_routing *fresh = cp_routing_current(F.c, &F.err);
    CHECK(fresh != NULL && fresh != t);
    if (fresh) CHECK_STR(route_ip(fresh, "198.51.100.200", 0), F.state);
    CHECK_STR(route_ip(t, "198.51.100.200", 0), F.sector); /* a reader's old table is intact */
    cp_routing_release(t);
    cp_routing_release(fresh);
    cp_routing_reset();
}

int main(void)
{
    fx_open(&F);
    setup();
    RUN(test_longest_prefix);
    RUN(test_ties_all_receive);
    RUN(test_ipv4_mapped);
    RUN(test_asn_fallback);
    RUN(test_domains);
    RUN(test_zero_prefix);
    RUN(test_inactive_and_rebuild);
    fx_close(&F);
    return harness_done();
}
