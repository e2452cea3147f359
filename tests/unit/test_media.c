#include "harness.h"
#include "http/media.h"

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

int main(void)
{
    RUN(test_is);
    RUN(test_accepts);
    return harness_done();
}
