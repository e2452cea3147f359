/*
 * render.c — the sustainability report and a statement as CSV (RFC 4180:
 * CRLF, fields quoted when they hold a comma, quote or line break, formula
 * triggers neutralised for spreadsheets), and the report's charts as SVG
 * (self-contained, text escaped, no script).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance/finance.h"

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} sb;

static void sb_add(sb *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap + n + 1) * 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_str(sb *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *b, const char *fmt, ...)
{
    char t[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    if (n > 0) sb_add(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

static char *sb_done(sb *b, size_t *len)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (!b->p) sb_str(b, "");
    *len = b->len;
    return b->p;
}

/* ---- CSV ---- */

static void csv_field(sb *b, const char *s)
{
    if (!s) s = "";
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '@' || (s[0] == '-' && !(s[1] >= '0' && s[1] <= '9'));
    if (quote || formula) sb_str(b, "\"");
    if (formula) sb_str(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"') sb_str(b, "\"\"");
        else sb_add(b, p, 1);
    }
    if (quote || formula) sb_str(b, "\"");
}

static void csv_row(sb *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        if (i) sb_str(b, ",");
        csv_field(b, va_arg(ap, const char *));
    }
    va_end(ap);
    sb_str(b, "\r\n");
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    static __thread char t[64];
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
        return t;
    }
    if (json_is_real(v)) {
        snprintf(t, sizeof t, "%.1f", json_real_value(v));
        return t;
    }
    return "";
}

char *cp_finance_sustainability_csv(const json_t *r, size_t *len)
{
    sb b = {0};
    csv_row(&b, 3, "section", "item", "value");
    static const char *const KEYS[] = {"as_of", "currency", "financial_year", "assessed", "collected", "collection_rate_pct",
                                       "receipts_year_to_date", "voluntary_year_to_date", "arrears", "cash", "monthly_spending", "runway_months"};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        char v[64];
        snprintf(v, sizeof v, "%s", str(r, KEYS[i]));
        csv_row(&b, 3, "summary", KEYS[i], v);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(r, "arrears_aging"), k, v) if (json_is_string(v)) csv_row(&b, 3, "arrears_aging", k, json_string_value(v));
    json_object_foreach((json_t *)json_object_get(r, "arrears_by_region"), k, v) csv_row(&b, 3, "arrears_by_region", k, str(v, "arrears"));
    size_t i;
    json_array_foreach(json_object_get(r, "budget_execution"), i, v)
    {
        char item[300], val[160];
        snprintf(item, sizeof item, "%s (%s)", str(v, "code"), str(v, "name"));
        snprintf(val, sizeof val, "%s of %s", str(v, "spent"), str(v, "budget"));
        csv_row(&b, 3, "budget_execution", item, val);
    }
    json_array_foreach(json_object_get(r, "collection_by_year"), i, v)
    {
        char y[64], val[160];
        snprintf(y, sizeof y, "%s", str(v, "year"));
        snprintf(val, sizeof val, "%s of %s", str(v, "collected"), str(v, "assessed"));
        csv_row(&b, 3, "collection_by_year", y, val);
    }
    json_array_foreach(json_object_get(r, "members_without_vote"), i, v)
    {
        char val[160];
        snprintf(val, sizeof val, "arrears %s; pays %s to vote again", str(v, "arrears"), str(v, "min_payment_to_restore"));
        csv_row(&b, 3, "without_vote", str(v, "name"), val);
    }
    json_array_foreach(json_object_get(r, "members_at_risk"), i, v)
    {
        char val[160];
        snprintf(val, sizeof val, "arrears %s", str(v, "arrears"));
        csv_row(&b, 3, "at_risk", str(v, "name"), val);
    }
    return sb_done(&b, len);
}

char *cp_finance_statement_csv(const json_t *s, size_t *len)
{
    sb b = {0};
    csv_row(&b, 7, "date", "entry_id", "kind", "description", "debit", "credit", "balance");
    csv_row(&b, 7, str(s, "from"), "", "opening", "opening balance", "", "", str(s, "opening_balance"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(s, "lines"), i, v)
    {
        char d[64], id[64], kind[64], debit[64], credit[64], bal[64];
        snprintf(d, sizeof d, "%s", str(v, "date"));
        snprintf(id, sizeof id, "%s", str(v, "entry_id"));
        snprintf(kind, sizeof kind, "%s", str(v, "kind"));
        snprintf(debit, sizeof debit, "%s", str(v, "debit"));
        snprintf(credit, sizeof credit, "%s", str(v, "credit"));
        snprintf(bal, sizeof bal, "%s", str(v, "balance"));
        csv_row(&b, 7, d, id, kind, str(v, "description"), debit, credit, bal);
    }
    csv_row(&b, 7, str(s, "to"), "", "closing", "closing balance", "", "", str(s, "closing_balance"));
    return sb_done(&b, len);
}

/* ---- SVG ---- */

static void xml_text(sb *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '&': sb_str(b, "&amp;"); break;
        case '"': sb_str(b, "&quot;"); break;
        case '\'': sb_str(b, "&#39;"); break;
        default:
            if ((unsigned char)*p >= 0x20 || *p == '\t') sb_add(b, p, 1);
        }
    }
}

static int64_t minor(const json_t *o, const char *k)
{
    char key[64];
    snprintf(key, sizeof key, "%s_minor", k);
    return json_integer_value(json_object_get(o, key));
}

static void head(sb *b, int w, int h, const char *title, const json_t *r)
{
    sb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n",
              w, h, w, h);
    sb_str(b, "<title>");
    xml_text(b, title);
    sb_str(b, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n<text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">");
    xml_text(b, title);
    sb_str(b, "</text>\n<text x=\"16\" y=\"42\" fill=\"#555\">as of ");
    xml_text(b, str(r, "as_of"));
    sb_str(b, ", ");
    xml_text(b, str(r, "currency"));
    sb_str(b, "</text>\n");
}

static void label(sb *b, double x, double y, const char *anchor, const char *text)
{
    sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    xml_text(b, text);
    sb_str(b, "</text>\n");
}

static char *chart_collection(const json_t *r, size_t *len)
{
    sb b = {0};
    const json_t *years = json_object_get(r, "collection_by_year");
    size_t n = json_array_size(years);
    int w = 720, h = 360, left = 60, bottom = 300, top = 70;
    head(&b, w, h, "Contributions assessed and collected, by financial year", r);
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (minor(json_array_get(years, i), "assessed") > max) max = minor(json_array_get(years, i), "assessed");
    double slot = n ? (double)(w - left - 20) / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *y = json_array_get(years, i);
        double ha = (double)minor(y, "assessed") / (double)max * (bottom - top);
        double hc = (double)minor(y, "collected") / (double)max * (bottom - top);
        double x = left + slot * (double)i;
        sb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#b0c4de\"><title>assessed %s</title></rect>\n",
                  x + 4, bottom - ha, slot / 2 - 4, ha, str(y, "assessed"));
        sb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e8b57\"><title>collected %s</title></rect>\n",
                  x + slot / 2, bottom - hc, slot / 2 - 4, hc, str(y, "collected"));
        char t[80];
        snprintf(t, sizeof t, "%s", str(y, "year"));
        label(&b, x + slot / 2, bottom + 16, "middle", t);
        snprintf(t, sizeof t, "%s%%", str(y, "collection_rate_pct"));
        label(&b, x + slot / 2, bottom - ha - 4, "middle", t);
    }
    sb_printf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", left, bottom, w - 20, bottom);
    label(&b, left, bottom + 40, "start", "light: assessed; dark: collected; label: collection rate");
    sb_str(&b, "</svg>\n");
    return sb_done(&b, len);
}

static char *chart_arrears(const json_t *r, size_t *len)
{
    sb b = {0};
    const json_t *top = json_object_get(r, "arrears_by_member_top");
    size_t n = json_array_size(top);
    int w = 720, row = 22, left = 250, top0 = 64;
    int h = top0 + (int)(n ? n : 1) * row + 40;
    head(&b, w, h, "Arrears by member (largest 20)", r);
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (minor(json_array_get(top, i), "arrears") > max) max = minor(json_array_get(top, i), "arrears");
    if (!n) label(&b, 16, top0 + 16, "start", "No member is in arrears.");
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(top, i);
        double y = top0 + (double)i * row;
        double bw = (double)minor(m, "arrears") / (double)max * (w - left - 120);
        label(&b, left - 8, y + 15, "end", str(m, "name"));
        sb_printf(&b, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#c0392b\"/>\n", left, y + 3, bw, row - 6);
        char t[64];
        snprintf(t, sizeof t, "%s", str(m, "arrears"));
        label(&b, left + bw + 6, y + 15, "start", t);
    }
    sb_str(&b, "</svg>\n");
    return sb_done(&b, len);
}

static char *chart_runway(const json_t *r, size_t *len)
{
    sb b = {0};
    const json_t *months = json_object_get(r, "cash_by_month");
    size_t n = json_array_size(months);
    int w = 720, h = 360, left = 60, bottom = 300, top = 80;
    char title[160];
    const json_t *rw = json_object_get(r, "runway_months");
    if (json_is_real(rw)) snprintf(title, sizeof title, "Cash at month end; runway %.1f months", json_real_value(rw));
    else snprintf(title, sizeof title, "Cash at month end; no spending recorded");
    head(&b, w, h, title, r);
    int64_t max = 1, monthly = minor(r, "monthly_spending");
    for (size_t i = 0; i < n; i++)
        if (minor(json_array_get(months, i), "cash") > max) max = minor(json_array_get(months, i), "cash");
    double slot = n ? (double)(w - left - 20) / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(months, i);
        int64_t cash = minor(m, "cash");
        double hh = cash > 0 ? (double)cash / (double)max * (bottom - top) : 0;
        double x = left + slot * (double)i;
        sb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4682b4\"><title>%s: %s</title></rect>\n",
                  x + 2, bottom - hh, slot - 4, hh, str(m, "date"), str(m, "cash"));
        if (i % 3 == 0) {
            char t[16];
            snprintf(t, sizeof t, "%.7s", str(m, "date"));
            label(&b, x + slot / 2, bottom + 16, "middle", t);
        }
    }
    if (monthly > 0 && monthly <= max) {
        double y = bottom - (double)monthly / (double)max * (bottom - top);
        sb_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n", left, y,
                  w - 20, y);
        label(&b, w - 24, y - 4, "end", "one month of spending");
    }
    sb_printf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", left, bottom, w - 20, bottom);
    sb_str(&b, "</svg>\n");
    return sb_done(&b, len);
}

char *cp_finance_chart_svg(const char *which, const json_t *report, size_t *len)
{
    if (strcmp(which, "collection") == 0) return chart_collection(report, len);
    if (strcmp(which, "arrears") == 0) return chart_arrears(report, len);
    if (strcmp(which, "runway") == 0) return chart_runway(report, len);
    return NULL;
}
