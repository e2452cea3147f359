/*
 * stix_check.c — validates every object of TAXII envelopes (or bundles) with
 * the server's own STIX 2.1 validator (src/intel/stix.c, pattern checker
 * included), so the TAXII benchmark knows its generated data is accepted
 * before it times anything.
 *
 * usage: stix_check FILE...    prints failures, then "N passed, N failed";
 *                              exit 0 when nothing failed
 */
#include <jansson.h>
#include <stdio.h>

#include "intel/stix.h"

int main(int argc, char **argv)
{
    long passed = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        json_error_t jerr;
        json_t *doc = json_load_file(argv[a], 0, &jerr);
        json_t *objs = doc ? json_object_get(doc, "objects") : NULL;
        if (!json_is_array(objs)) {
            fprintf(stderr, "%s: not an envelope or bundle: %s\n", argv[a], doc ? "no 'objects' list" : jerr.text);
            json_decref(doc);
            return 1;
        }
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o) {
            cp_err err = {{0}};
            if (cp_stix_validate(o, NULL, &err) == CP_OK) {
                passed++;
            } else {
                failed++;
                if (failed <= 10) printf("%s[%zu]: %s\n", argv[a], i, err.msg);
            }
        }
        json_decref(doc);
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
