/*
 * fuzz_scan_cef.c — the cef log scanner (warning/scan_file.h): the input
 * read as CEF and syslog lines, matched against a small set of every
 * indicator kind. Properties checked: scan_fuzz.h.
 */
#include "scan_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_scan(data, size, CP_FMT_CEF);
    return 0;
}
