#include "harness.h"
#include "http/http.h"
#include "http/media.h"

#include <stdlib.h>
#include <string.h>

#define TAXII "application/taxii+json"

static void test_is(void)
{
    CHECK(cp_media_is("application/taxii+json;version=2.1", TAXII));
    CHECK(cp_media_is("Application/TAXII+json ; Version = \"2.1\"", TAXII));
    CHECK(cp_media_is("application/taxii+json", TAXII));
    CHECK(!cp_media_is("application/taxii+json;version=2.0", TAXII));
    CHECK(!cp_media_is("application/json", TAXII));
    CHECK(!cp_media_is("application/taxii+json, application/json", TAXII));
    CHECK(!cp_media_is(NULL, TAXII));
    CHECK(!cp_media_is("", TAXII));
    CHECK(!cp_media_is("application/taxii+json;version", TAXII));
}

static void test_accepts(void)
{
    CHECK(cp_media_accepts(NULL, TAXII));
    CHECK(cp_media_accepts("", TAXII));
    CHECK(cp_media_accepts("*/*", TAXII));
    CHECK(cp_media_accepts("application/*", TAXII));
    CHECK(cp_media_accepts("application/taxii+json;version=2.1", TAXII));
    CHECK(cp_media_accepts("application/taxii+json", TAXII));
    CHECK(cp_media_accepts("text/html, application/taxii+json;version=2.1;q=0.5", TAXII));
    CHECK(!cp_media_accepts("text/html", TAXII));
    CHECK(!cp_media_accepts("application/json", TAXII));
    CHECK(!cp_media_accepts("application/taxii+json;version=2.0", TAXII));
    CHECK(!cp_media_accepts("application/taxii+json;q=0, */*", TAXII));
    CHECK(!cp_media_accepts("*/*;q=0", TAXII));
    CHECK(!cp_media_accepts("application/*;q=0, */*", TAXII));
    CHECK(!cp_media_accepts("application/taxii+json;q=2", TAXII));
    CHECK(!cp_media_accepts("garbage", TAXII));
    CHECK(cp_media_accepts("application/stix+json;version=2.1", "application/stix+json"));
}

/* Responses write reals as people write them (runway_months 10.3), with every
 * digit a double carries up to 15 significant ones. */
static void test_response_reals(void)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {{10.3, "10.3"}, {0.1, "0.1"}, {94.0, "94.0"}, {123456.78, "123456.78"}, {1e-7, "1e-7"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = json_real(cases[i].v);
        char *t = json_dumps(j, CP_RESP_JSON_FLAGS);
        CHECK_STR(t, cases[i].text);
        free(t);
        json_decref(j);
    }
}

int main(void)
{
    RUN(test_is);
    RUN(test_accepts);
    RUN(test_response_reals);
    return harness_done();
}
