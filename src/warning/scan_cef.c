/*
 * scan_cef.c — ArcSight CEF, alone or after a syslog header:
 *   [syslog prefix] CEF:Version|Vendor|Product|DevVersion|SignatureID|Name|Severity|k=v k=v ...
 * The prefix is scanned as text (field "syslog"), the header fields with
 * fields "cef.vendor" ... "cef.severity" ('\|' escapes a pipe), and each
 * extension value with its key as the field ("src", "dst", "request",
 * "fileHash"...). A value runs to the next " key=" (a '=' after a backslash
 * is part of the value). A line without "CEF:" is plain syslog, scanned as
 * text with the field "syslog"; a CEF line with fewer than seven header
 * fields is malformed.
 */
#include <string.h>

#include "warning/scan_file.h"

static const char *const HEADER[7] = {"cef.version", "cef.vendor", "cef.product", "cef.device_version",
                                      "cef.signature", "cef.name", "cef.severity"};

static bool keych(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '[' || c == ']' || c == '-';
}

/* At p[i] == ' ': does a key followed by '=' start at i + 1? */
static bool key_starts(const char *p, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && keych(p[j])) j++;
    return j > i + 1 && j < n && p[j] == '=';
}

int cp_scan_cef_line(cp_scanner *sc, const char *p, size_t n, cp_skip_reason *why)
{
    if (n && p[n - 1] == '\r') n--;
    if (n == 0) return 0;
    const char *cef = n >= 4 ? memmem(p, n, "CEF:", 4) : NULL;
    if (!cef) {
        cp_scan_set_field(sc, "syslog", 6);
        cp_scan_text(sc, p, n);
        return 1;
    }
    size_t i = (size_t)(cef - p);
    if (i) {
        cp_scan_set_field(sc, "syslog", 6);
        cp_scan_text(sc, p, i);
    }
    i += 4;
    for (int h = 0; h < 7; h++) {
        size_t j = i;
        while (j < n && !(p[j] == '|' && (j == i || p[j - 1] != '\\'))) j++;
        if (j >= n) {
            *why = CP_SKIP_MALFORMED;
            return -1;
        }
        if (h >= 1 && h <= 5) {
            cp_scan_set_field(sc, HEADER[h], strlen(HEADER[h]));
            cp_scan_text(sc, p + i, j - i);
        }
        i = j + 1;
    }
    /* extension */
    while (i < n) {
        while (i < n && p[i] == ' ') i++;
        size_t k = i;
        while (k < n && keych(p[k])) k++;
        if (k == i || k >= n || p[k] != '=') {
            /* not key=value: scan the rest as text */
            cp_scan_set_field(sc, "cef.extension", 13);
            cp_scan_text(sc, p + i, n - i);
            break;
        }
        size_t v = k + 1, e = v;
        while (e < n && !(p[e] == ' ' && key_starts(p, n, e))) e++;
        cp_scan_set_field(sc, p + i, k - i);
        cp_scan_text(sc, p + v, e - v);
        i = e;
    }
    return 1;
}
