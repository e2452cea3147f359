#include "finance/csv_import.h"

#include <stdbool.h>
#include <string.h>

#include "finance/finance.h"

#define FIELD_MAX 300
#define COLS 7

static const char *const NAMES[COLS] = {"member_id", "amount", "date", "reference", "payer", "currency", "assessment_id"};

/* Reads one field starting at *p; *end_of_row set when the row ends after it. */
static cp_status field(const char **p, const char *end, char *out, bool *end_of_row, int line, cp_err *err)
{
    size_t n = 0;
    const char *q = *p;
    bool quoted = q < end && *q == '"';
    if (quoted) q++;
    for (;;) {
        if (q >= end) {
            if (quoted) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a quoted field is not closed", line);
            *end_of_row = true;
            break;
        }
        char ch = *q;
        if (quoted && ch == '"') {
            if (q + 1 < end && q[1] == '"') {
                q += 2;
                if (n == FIELD_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a field is longer than %d bytes", line, FIELD_MAX);
                out[n++] = '"';
                continue;
            }
            q++;
            quoted = false;
            if (q < end && *q != ',' && *q != '\n' && *q != '\r')
                return cp_fail(err, CP_E_BAD_REQUEST, "line %d: text after a closing quote", line);
            continue;
        }
        if (!quoted && ch == ',') {
            q++;
            *end_of_row = false;
            break;
        }
        if (!quoted && (ch == '\n' || ch == '\r')) {
            if (ch == '\r') {
                if (q + 1 >= end || q[1] != '\n') return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a CR without LF", line);
                q++;
            }
            q++;
            *end_of_row = true;
            break;
        }
        if (!quoted && ch == '"') return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a quote inside an unquoted field", line);
        if (ch == 0) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a NUL byte", line);
        if (n == FIELD_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a field is longer than %d bytes", line, FIELD_MAX);
        out[n++] = ch;
        q++;
    }
    out[n] = 0;
    *p = q;
    return CP_OK;
}

cp_status cp_fin_payments_csv(const char *text, size_t len, json_t **body, cp_err *err)
{
    *body = NULL;
    if (len > CP_FIN_CSV_MAX) return cp_fail(err, CP_E_TOO_LARGE, "the CSV is larger than %d bytes", CP_FIN_CSV_MAX);
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) p += 3;
    int map[COLS + 1], ncols = 0, line = 1;
    bool seen[COLS] = {false};
    char buf[FIELD_MAX + 1];
    bool eor = false;
    while (p < end && (*p == '\n' || *p == '\r')) {
        if (*p == '\n') line++;
        p++;
    }
    if (p >= end) return cp_fail(err, CP_E_BAD_REQUEST, "the CSV is empty (a header row is required)");
    while (!eor) {
        cp_status st = field(&p, end, buf, &eor, line, err);
        if (st) return st;
        if (ncols == COLS) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: more than %d columns", line, COLS);
        int k = -1;
        for (int i = 0; i < COLS; i++)
            if (strcmp(buf, NAMES[i]) == 0) k = i;
        if (k < 0) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: unknown column '%.40s'", line, buf);
        if (seen[k]) return cp_fail(err, CP_E_BAD_REQUEST, "line %d: column '%s' twice", line, buf);
        seen[k] = true;
        map[ncols++] = k;
    }
    for (int i = 0; i < 4; i++)
        if (!seen[i]) return cp_fail(err, CP_E_BAD_REQUEST, "line 1: column '%s' is required", NAMES[i]);
    json_t *items = json_array();
    while (p < end) {
        line++;
        if (*p == '\n' || *p == '\r') { /* empty line */
            if (*p == '\r' && (p + 1 >= end || p[1] != '\n')) {
                json_decref(items);
                return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a CR without LF", line);
            }
            p += *p == '\r' ? 2 : 1;
            continue;
        }
        if (json_array_size(items) == CP_FIN_IMPORT_MAX) {
            json_decref(items);
            return cp_fail(err, CP_E_BAD_REQUEST, "more than %d payments", CP_FIN_IMPORT_MAX);
        }
        json_t *o = json_object();
        int col = 0;
        eor = false;
        while (!eor) {
            cp_status st = field(&p, end, buf, &eor, line, err);
            if (!st && col == ncols) st = cp_fail(err, CP_E_BAD_REQUEST, "line %d: more fields than the header", line);
            if (st) {
                json_decref(o);
                json_decref(items);
                return st;
            }
            json_t *v = json_string(buf);
            if (!v) {
                json_decref(o);
                json_decref(items);
                return cp_fail(err, CP_E_BAD_REQUEST, "line %d: a field is not UTF-8", line);
            }
            if (buf[0] || map[col] < 4) json_object_set_new(o, NAMES[map[col]], v); /* empty optional: absent */
            else json_decref(v);
            col++;
        }
        if (col != ncols) {
            json_decref(o);
            json_decref(items);
            return cp_fail(err, CP_E_BAD_REQUEST, "line %d: %d fields, the header has %d", line, col, ncols);
        }
        json_array_append_new(items, o);
    }
    if (json_array_size(items) == 0) {
        json_decref(items);
        return cp_fail(err, CP_E_BAD_REQUEST, "the CSV has a header but no payment");
    }
    *body = json_pack("{so}", "payments", items);
    return CP_OK;
}
