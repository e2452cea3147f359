/*
 * test_normalise.c — the matcher's fast canonical forms (warning/normalise.h)
 * at their edges, and their agreement with intel/observables.h (the forms
 * indicators are stored in): for every value both accept, both give the
 * same text; what the strict form refuses the fast one refuses too.
 */
#include <string.h>

#include "harness.h"
#include "intel/observables.h"
#include "warning/iset_internal.h"
#include "warning/normalise.h"

static int v4(const char *s)
{
    uint8_t a[16];
    return cp_norm_ipv4(s, strlen(s), a);
}

static void test_ipv4(void)
{
    uint8_t a[16];
    CHECK(cp_norm_ipv4("0.0.0.0", 7, a));
    CHECK(cp_norm_ipv4("255.255.255.255", 15, a) && a[12] == 255 && a[15] == 255 && a[10] == 0xff && a[9] == 0);
    CHECK(cp_norm_ipv4("198.51.100.7", 12, a) && a[12] == 198 && a[13] == 51 && a[14] == 100 && a[15] == 7);
    const char *bad[] = {"256.1.1.1", "1.2.3", "1.2.3.4.", ".1.2.3.4", "01.2.3.4", "1.02.3.4", "1.2.3.00", "1.2.3.4 ",
                         "1..2.3", "1.2.3.4.5", "1.2.3.a", "1234.1.1.1", "", "1.2.3.-4", "999.999.999.999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        harness_current = bad[i];
        CHECK(!v4(bad[i]));
    }
    harness_current = "test_ipv4";
    CHECK(cp_norm_ip("::ffff:198.51.100.7", 19, a) && a[12] == 198 && a[10] == 0xff);
    CHECK(!cp_norm_ip("::ffff:198.51.100.07", 20, a));
    CHECK(!cp_norm_ip("fe80::1%eth0", 12, a));
    CHECK(!cp_norm_ip("1:2:3:4:5:6:7:8:9", 17, a));
}

/* The fast form of kind k agrees with the stored form. */
static void agree(cp_obs_kind k, const char *v)
{
    cp_observable o;
    bool strict = cp_observable_make(k, v, strlen(v), &o, NULL) == CP_OK;
    char out[CPI_KEY_MAX];
    size_t n = 0;
    uint8_t a[16];
    switch (k) {
    case CP_OBS_DOMAIN: n = cp_norm_domain(v, strlen(v), out); break;
    case CP_OBS_URL: n = cp_norm_url(v, strlen(v), out, NULL, NULL); break;
    case CP_OBS_EMAIL: n = cp_norm_email(v, strlen(v), out); break;
    case CP_OBS_IP: n = cp_norm_ip(v, strlen(v), a) ? 1 : 0; break;
    default: n = cp_norm_hash(v, strlen(v), out) >= 0 ? strlen(v) : 0; break;
    }
    harness_current = v;
    CHECK(strict == (n != 0));
    if (strict && n && k != CP_OBS_IP) {
        out[n] = 0;
        CHECK_STR(out, o.value);
    }
    harness_current = "test_agreement";
}

static void test_agreement(void)
{
    const char *domains[] = {"Example.COM", "example.com.", "a.b-c.example", "-a.example", "a-.example", "a..example",
                             "example", "1.2.3.4", "x.123", "under_score.example", "xn--bcher-kva.example",
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"};
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++) agree(CP_OBS_DOMAIN, domains[i]);
    const char *urls[] = {"http://evil.example/a", "HTTP://Evil.Example:80/a%7eb", "https://x.example:443", "http://x.example",
                          "http://x.example?q", "http://u:p@x.example/", "http://[2001:DB8::1]:8080/p", "ftp://x.example:21/f",
                          "http://x.example/a b", "http://x.example/%zz", "http://x.example./p", "nourl", "http://",
                          "ws://x.example:80/", "http://x.example:99999/", "http://x.example/\xc3\xa9"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) agree(CP_OBS_URL, urls[i]);
    const char *emails[] = {"Boss@Phish.Example", "a@b", "@x.example", "a b@x.example", "a@x..example", "x@y@z.example"};
    for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) agree(CP_OBS_EMAIL, emails[i]);
    const char *ips[] = {"198.51.100.7", "2001:db8::1", "::ffff:1.2.3.4", "010.1.1.1", "1.2.3.256", "::", "1::2::3"};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) agree(CP_OBS_IP, ips[i]);
    agree(CP_OBS_MD5, "D41D8CD98F00B204E9800998ECF8427E");
    agree(CP_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd8070g");
}

int main(void)
{
    RUN(test_ipv4);
    RUN(test_agreement);
    return harness_done();
}
