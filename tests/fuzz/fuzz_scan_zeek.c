/*
 * fuzz_scan_zeek.c — the zeek log scanner (warning/scan_file.h): the input
 * read as Zeek TSV logs, matched against a small set of every
 * indicator kind. Properties checked: scan_fuzz.h.
 */
#include "scan_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_scan(data, size, CP_FMT_ZEEK);
    return 0;
}
