/*
 * test_err_prefix.c — error messages that wrap a parser's message with the
 * field it came from ("body.value: host bits set in ..."), through the domain
 * functions that do it: cp_constituency_add (cidr, asn, domain),
 * cp_key_create (expires_at) and cp_member_create (joined_at).
 *
 * A regression test: those call sites used to format err->msg into err->msg
 * itself (cp_fail(err, ..., "body.value: %s", err->msg)), overlapping
 * vsnprintf, which glibc turned into "body.value: body.value: t in
 * 10.0.0.1/8; ...". They now use cp_fail_prefix (b881d16).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "users_fixture.h"

static fixture fx;

static void check_msg(cp_status got, cp_status want, const cp_err *err, const char *full)
{
    CHECK_INT(got, want);
    const char *colon = strchr(full, ':');
    size_t plen = (size_t)(colon - full) + 2; /* "body.value: " */
    CHECK(strncmp(err->msg, full, plen) == 0);
    CHECK_STR(err->msg, full);
}

static void constituency(const char *type, const char *value, const char *full)
{
    json_t *in = json_pack("{ss ss}", "type", type, "value", value), *out = NULL;
    cp_err err = {{0}};
    cp_status st = cp_constituency_add(fx.c, &fx.cli, fx.state, in, &out, &err);
    check_msg(st, CP_E_UNPROCESSABLE, &err, full);
    CHECK(out == NULL);
    json_decref(in);
    json_decref(out);
}

static void test_constituency_messages(void)
{
    constituency("cidr", "10.0.0.1/8", "body.value: host bits set in 10.0.0.1/8; did you mean 10.0.0.0/8?");
    constituency("cidr", "999.1.1.1", "body.value: '999.1.1.1' is not an IPv4 or IPv6 address");
    constituency("asn", "AS0", "body.value: AS0 is reserved and names no network");
    constituency("asn", "ASX", "body.value: 'ASX' is not an AS number (e.g. AS64500, 1 to 4294967295)");
    constituency("domain", "-bad.example", "body.value: label 1 ('-bad') starts or ends with a hyphen");

    /* and the good values still go in (the chain stays intact, see fx_close) */
    json_t *in = json_pack("{ss ss}", "type", "cidr", "value", "192.0.2.0/24"), *out = NULL;
    cp_err err = {{0}};
    CHECK_INT(cp_constituency_add(fx.c, &fx.cli, fx.state, in, &out, &err), CP_OK);
    json_decref(in);
    json_decref(out);
}

static void test_time_messages(void)
{
    json_t *u = fx_user(&fx, fx.state, "erin.example", "analyst", NULL);
    const char *uid = json_string_value(json_object_get(u, "id"));
    json_t *in = json_pack("{ss ss}", "user_id", uid, "expires_at", "2026-02-30"), *out = NULL;
    cp_err err = {{0}};
    cp_status st = cp_key_create(fx.c, &fx.cli, in, &out, &err);
    check_msg(st, CP_E_BAD_REQUEST, &err,
              "body.expires_at: '2026-02-30' is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z) or a date "
              "(2026-01-31)");
    json_decref(in);
    json_decref(out);
    json_decref(u);

    in = json_pack("{ss ss ss}", "kind", "academia", "name", "Atlantis University", "joined_at", "yesterday");
    out = NULL;
    st = cp_member_create(fx.c, &fx.cli, in, &out, &err);
    check_msg(st, CP_E_BAD_REQUEST, &err,
              "body.joined_at: 'yesterday' is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z) or a date "
              "(2026-01-31)");
    json_decref(in);
    json_decref(out);
}

int main(void)
{
    fx_open(&fx);
    RUN(test_constituency_messages);
    RUN(test_time_messages);
    fx_close(&fx);
    return harness_done();
}
