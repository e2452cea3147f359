/*
 * fuzz_fin_scale.c — the contribution scale file parser (finance/scale.h).
 *
 * Properties checked (abort on violation):
 *   - when the input parses: at least one class, at most 64, strictly
 *     decreasing, each a whole positive number of sixteenths <= 1000 units;
 *     the sector fraction positive; and printing every class with
 *     cp_fin_units_format and the directives back into a file parses to the
 *     same scale (the format round-trips);
 *   - when it does not: CP_E_BAD_REQUEST or CP_E_TOO_LARGE with a message
 *     ("scale line N: ..." names a line that exists).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/money.h"
#include "finance/scale.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_scale s;
    cp_err err = {{0}};
    cp_status st = cp_scale_parse((const char *)data, size, &s, &err);
    if (st) {
        if (st != CP_E_BAD_REQUEST && st != CP_E_TOO_LARGE) abort();
        if (!err.msg[0]) abort();
        int line = 0;
        if (sscanf(err.msg, "scale line %d:", &line) == 1) {
            int lines = 1;
            for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
            if (line < 1 || line > lines) abort();
        }
        return 0;
    }
    if (s.n < 1 || s.n > CP_SCALE_CLASSES_MAX || s.sector_num <= 0 || s.sector_den <= 0) abort();
    for (int i = 0; i < s.n; i++) {
        if (s.cls[i].units16 <= 0 || s.cls[i].units16 > CP_FIN_UNITS16_MAX) abort();
        if (i && s.cls[i].units16 >= s.cls[i - 1].units16) abort();
    }
    static char text[CP_SCALE_TEXT_MAX * 2];
    size_t n = 0;
    char u[24];
    n += (size_t)snprintf(text + n, sizeof text - n, "sector-unit %lld/%lld\n", (long long)s.sector_num, (long long)s.sector_den);
    if (s.sector_min16) {
        cp_fin_units_format(s.sector_min16, u, sizeof u);
        n += (size_t)snprintf(text + n, sizeof text - n, "sector-minimum %s\n", u);
    }
    for (int i = 0; i < s.n; i++) {
        cp_fin_units_format(s.cls[i].units16, u, sizeof u);
        n += (size_t)snprintf(text + n, sizeof text - n, "class %s%s\n", u, s.cls[i].ldc_only ? " ldc" : "");
    }
    cp_scale again;
    if (cp_scale_parse(text, n, &again, &err)) abort();
    if (again.n != s.n || again.sector_num != s.sector_num || again.sector_den != s.sector_den ||
        again.sector_min16 != s.sector_min16)
        abort();
    for (int i = 0; i < s.n; i++)
        if (again.cls[i].units16 != s.cls[i].units16 || again.cls[i].ldc_only != s.cls[i].ldc_only) abort();
    return 0;
}
