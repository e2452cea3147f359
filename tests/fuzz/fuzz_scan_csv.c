/*
 * fuzz_scan_csv.c — the csv log scanner (warning/scan_file.h): the input
 * read as CSV with a header line, matched against a small set of every
 * indicator kind. Properties checked: scan_fuzz.h.
 */
#include "scan_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_scan(data, size, CP_FMT_CSV);
    return 0;
}
