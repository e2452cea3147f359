/*
 * scan_text.c — plain text: the whole line is one field, "text"; every
 * address, domain, URL, hash and e-mail address in it is a candidate.
 */
#include "warning/scan_file.h"

int cp_scan_text_line(cp_scanner *sc, const char *line, size_t len)
{
    if (len == 0) return 0;
    cp_scan_set_field(sc, "text", 4);
    cp_scan_text(sc, line, len);
    return 1;
}
