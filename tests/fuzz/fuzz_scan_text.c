/*
 * fuzz_scan_text.c — the text log scanner (warning/scan_file.h): the input
 * read as plain text (the candidate finder on whole lines), matched against a small set of every
 * indicator kind; then again with the format detected (AUTO). Properties
 * checked: scan_fuzz.h.
 */
#include "scan_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_scan(data, size, CP_FMT_TEXT);
    fz_scan(data, size, CP_FMT_AUTO);
    return 0;
}
