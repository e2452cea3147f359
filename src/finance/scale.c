#include "finance/scale.h"

#include <stdio.h>
#include <string.h>

#include "finance/money.h"
#include "store/meta.h"

/* Identical to data/finance/scale-default.txt (test_scale checks it). */
const char cp_scale_default_text[] =
    "# The contribution scale of cyberpact (the compiled-in default, in the manner\n"
    "# of the ITU's classes of contributory units).\n"
    "#\n"
    "#   class UNITS [ldc]   a class a member may choose; \"ldc\": only for member\n"
    "#                       states on the UN list of least developed countries\n"
    "#   sector-unit F       a sector member's unit as a fraction of the\n"
    "#                       member-state unit\n"
    "#   sector-minimum U    the smallest class a sector member (any member kind\n"
    "#                       other than member state and observer) may choose, on\n"
    "#                       its own scale\n"
    "#\n"
    "# Units are exact: 3, 1½ (or 1 1/2), 1/16 (or 1⁄16), 0.25.\n"
    "sector-unit 1/5\n"
    "sector-minimum 1/2\n"
    "class 40\n"
    "class 35\n"
    "class 30\n"
    "class 25\n"
    "class 20\n"
    "class 15\n"
    "class 10\n"
    "class 8\n"
    "class 5\n"
    "class 4\n"
    "class 3\n"
    "class 2\n"
    "class 1½\n"
    "class 1\n"
    "class ½\n"
    "class ¼\n"
    "class ⅛ ldc\n"
    "class 1/16 ldc\n"
;

static cp_status line_fail(cp_err *err, int line, const char *what)
{
    return cp_fail(err, CP_E_BAD_REQUEST, "scale line %d: %s", line, what);
}

cp_status cp_scale_parse(const char *text, size_t len, cp_scale *out, cp_err *err)
{
    memset(out, 0, sizeof *out);
    out->sector_num = 1;
    out->sector_den = 1;
    out->sector_min16 = 0;
    if (len > CP_SCALE_TEXT_MAX) return cp_fail(err, CP_E_TOO_LARGE, "scale file larger than %d bytes", CP_SCALE_TEXT_MAX);
    bool have_unit = false, have_min = false;
    size_t i = 0;
    int line = 0;
    while (i < len) {
        line++;
        size_t j = i;
        while (j < len && text[j] != '\n') j++;
        char buf[256];
        size_t n = j - i;
        if (n >= sizeof buf) return line_fail(err, line, "longer than 255 bytes");
        memcpy(buf, text + i, n);
        buf[n] = 0;
        i = j + 1;
        if (memchr(buf, 0, n)) return line_fail(err, line, "contains a NUL byte");
        char *hash = strchr(buf, '#');
        if (hash) *hash = 0;
        /* words separated by spaces or tabs; a class value may itself hold one space ("1 1/2"). */
        char *w[6];
        int nw = 0;
        for (char *p = strtok(buf, " \t\r"); p && nw < 6; p = strtok(NULL, " \t\r")) w[nw++] = p;
        if (nw == 0) continue;
        cp_err e = {{0}};
        if (strcmp(w[0], "class") == 0) {
            if (nw < 2) return line_fail(err, line, "class needs a number of units");
            bool ldc = false;
            int last = nw;
            if (strcmp(w[nw - 1], "ldc") == 0) {
                ldc = true;
                last--;
            }
            char units[64];
            if (last == 2) snprintf(units, sizeof units, "%s", w[1]);
            else if (last == 3) snprintf(units, sizeof units, "%.30s %.30s", w[1], w[2]);
            else return line_fail(err, line, "expected: class UNITS [ldc]");
            int64_t u;
            if (cp_fin_units_parse(units, &u, &e)) return line_fail(err, line, e.msg);
            if (out->n == CP_SCALE_CLASSES_MAX) return line_fail(err, line, "too many classes (at most 64)");
            if (out->n && u >= out->cls[out->n - 1].units16)
                return line_fail(err, line, "classes must be listed from the largest down, each once");
            out->cls[out->n].units16 = u;
            out->cls[out->n].ldc_only = ldc;
            out->n++;
        } else if (strcmp(w[0], "sector-unit") == 0) {
            if (nw != 2 || have_unit) return line_fail(err, line, "expected once: sector-unit FRACTION");
            if (cp_fin_ratio_parse(w[1], &out->sector_num, &out->sector_den, &e)) return line_fail(err, line, e.msg);
            if (out->sector_num > out->sector_den * 100) return line_fail(err, line, "sector-unit above 100");
            have_unit = true;
        } else if (strcmp(w[0], "sector-minimum") == 0) {
            if ((nw != 2 && nw != 3) || have_min) return line_fail(err, line, "expected once: sector-minimum UNITS");
            char units[64];
            if (nw == 2) snprintf(units, sizeof units, "%s", w[1]);
            else snprintf(units, sizeof units, "%.30s %.30s", w[1], w[2]);
            if (cp_fin_units_parse(units, &out->sector_min16, &e)) return line_fail(err, line, e.msg);
            have_min = true;
        } else
            return line_fail(err, line, "unknown directive (class, sector-unit, sector-minimum)");
    }
    if (out->n == 0) return cp_fail(err, CP_E_BAD_REQUEST, "scale has no class");
    return CP_OK;
}

cp_status cp_scale_current(cp_conn *c, cp_scale *out, cp_err *err)
{
    static __thread char tl[CP_SCALE_TEXT_MAX + 1];
    tl[0] = 0;
    cp_status st = cp_meta_get(c, "finance.scale", tl, sizeof tl, err);
    if (st == CP_E_NOT_FOUND || (!st && !tl[0]))
        return cp_scale_parse(cp_scale_default_text, strlen(cp_scale_default_text), out, err);
    if (st) return st;
    return cp_scale_parse(tl, strlen(tl), out, err);
}

int cp_scale_find(const cp_scale *s, int64_t u)
{
    for (int i = 0; i < s->n; i++)
        if (s->cls[i].units16 == u) return i;
    return -1;
}

bool cp_scale_kind_contributes(const char *kind) { return kind && strcmp(kind, "observer") != 0; }

int64_t cp_scale_lowest_without_decision(const cp_scale *s, int64_t cur)
{
    int k = cp_scale_find(s, cur);
    if (k < 0) return cur;
    /* nearest class to cur × 17/20: compare |c×20 − cur×17| */
    int best = k;
    int64_t bestd = -1;
    for (int i = k; i < s->n; i++) {
        int64_t d = s->cls[i].units16 * 20 - cur * 17;
        if (d < 0) d = -d;
        if (bestd < 0 || d <= bestd) { /* <=: on a tie the lower class (listed later) wins */
            best = i;
            bestd = d;
        }
    }
    int64_t low = s->cls[best].units16;
    if (cur < 3 * 16 && k + 1 < s->n && s->cls[k + 1].units16 < low) low = s->cls[k + 1].units16;
    return low;
}

cp_status cp_scale_check_choice(const cp_scale *s, const char *kind, bool ldc, int64_t cur, int64_t nu,
                                bool with_decision, cp_err *err)
{
    char t[24], t2[24];
    cp_fin_units_format(nu, t, sizeof t);
    if (!cp_scale_kind_contributes(kind))
        return cp_fail(err, CP_E_UNPROCESSABLE, "members of kind %s do not contribute and have no class", kind);
    int k = cp_scale_find(s, nu);
    if (k < 0) return cp_fail(err, CP_E_UNPROCESSABLE, "%s units is not a class of the scale", t);
    bool state = strcmp(kind, "member_state") == 0;
    if (s->cls[k].ldc_only && !(state && ldc))
        return cp_fail(err, CP_E_UNPROCESSABLE, "the %s-unit class is reserved for least developed countries", t);
    if (!state && nu < s->sector_min16) {
        cp_fin_units_format(s->sector_min16, t2, sizeof t2);
        return cp_fail(err, CP_E_UNPROCESSABLE, "a %s may not choose less than %s unit(s) of the sector scale", kind, t2);
    }
    if (cur > 0 && nu < cur && !with_decision) {
        int64_t low = cp_scale_lowest_without_decision(s, cur);
        if (nu < low) {
            cp_fin_units_format(low, t2, sizeof t2);
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "lowering to %s units is more than permitted (the lowest class without a decision is %s); "
                           "cite the adopted decision in decision_ref", t, t2);
        }
    }
    return CP_OK;
}
