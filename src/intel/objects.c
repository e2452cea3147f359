/*
 * objects.c — the STIX object store's queries, deletion and timestamps (see
 * objects.h; ingest is in ingest.c).
 */
#include "intel/objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/timeutil.h"
#include "intel/stix.h"
#include "intel/tlp.h"


int64_t cp_intel_id_hash(const char *stix_id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)stix_id; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return (int64_t)(h >> 1);
}

/* ---- timestamps ---- */

/* Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm):
 * pure arithmetic, no gmtime_r (which takes glibc's time-zone lock on every
 * call, and the manifest formats two timestamps per row). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void cp_taxii_ts_format(int64_t us, char buf[CP_TAXII_TS_MAX])
{
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) { /* outside RFC 3339: not produced by this server */
        snprintf(buf, CP_TAXII_TS_MAX, "%s", "0000-01-01T00:00:00.000000Z");
        return;
    }
    char *p = buf;
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, (int)(rem / 3600));
    *p++ = ':';
    p = put2(p, (int)(rem / 60 % 60));
    *p++ = ':';
    p = put2(p, (int)(rem % 60));
    *p++ = '.';
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    p += 6;
    *p++ = 'Z';
    *p = 0;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

cp_status cp_taxii_ts_parse(const char *s, int64_t *us, cp_err *err)
{
    size_t len = s ? strlen(s) : 0;
    if (len < 20 || len > 30 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        goto bad;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2), mi = digits(s + 14, 2),
        se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) goto bad;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)) goto bad;
    size_t i = 19;
    int64_t frac = 0;
    if (s[i] == '.') {
        i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (i - start < 6) frac = frac * 10 + (s[i] - '0');
            i++;
        }
        size_t nd = i - start;
        if (nd == 0 || nd > 9) goto bad;
        for (size_t k = nd; k < 6; k++) frac *= 10;
    }
    if (i + 1 != len || (s[i] != 'Z' && s[i] != 'z')) goto bad;
    if (se == 60) se = 59; /* a leap second sorts with the second before it */
    *us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000000) + frac;
    return CP_OK;
bad:
    return cp_fail(err, CP_E_BAD_REQUEST, "'%.40s' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)",
                   s ? s : "");
}


/* ---- small statement helpers ---- */

static cp_status run_stmt(cp_stmt *s, cp_err *err)
{
    cp_status st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}


/* ---- queries ---- */

unsigned cp_intel_readable_tlps(const cp_actor *reader, const cp_collection *col)
{
    unsigned mask = 0;
    for (int t = CP_TLP_CLEAR; t <= CP_TLP_RED; t++) {
        cp_err e;
        if (cp_intel_may_read(reader, &col->policy, (cp_tlp)t, &e) == CP_OK) mask |= 1u << t;
    }
    return mask;
}

/* IN lists are padded to a power of two (repeating the last value) so the
 * number of distinct statements (each cached per connection) stays small. */
static int padded(int n)
{
    int p = 1;
    while (p < n) p *= 2;
    return p;
}

typedef struct {
    char sql[4096];
    size_t len;
    int nparams;
    /* parameters, in order: kind 0 int, 1 text */
    struct {
        int kind;
        int64_t i;
        const char *t;
    } p[8 + 4 * 128 + 8];
} qbuild;

static void q_add(qbuild *q, const char *text) { q->len += (size_t)snprintf(q->sql + q->len, sizeof q->sql - q->len, "%s", text); }
static void q_int(qbuild *q, int64_t v)
{
    q->p[q->nparams].kind = 0;
    q->p[q->nparams++].i = v;
}
static void q_text(qbuild *q, const char *t)
{
    q->p[q->nparams].kind = 1;
    q->p[q->nparams++].t = t;
}

static void q_in_text(qbuild *q, const char *col, const char *const *vals, int n)
{
    int m = padded(n);
    q_add(q, " AND ");
    q_add(q, col);
    q_add(q, " IN (");
    for (int i = 0; i < m; i++) {
        q_add(q, i ? ", ?" : "?");
        q_text(q, vals[i < n ? i : n - 1]);
    }
    q_add(q, ")");
}

/* The WHERE conditions every query over a collection shares: collection,
 * readable TLP levels, match[id], match[type], match[version]. */
static void q_filters(qbuild *q, const cp_collection *col, unsigned tlps, const cp_intel_filter *f, bool versions)
{
    /* With match[id], the id index must drive the plan: "+cnum" keeps the
     * planner from walking the collection's (cnum, seq) index instead and
     * filtering every row (measured: the whole collection per request). */
    q_add(q, f->n_ids > 0 ? " WHERE +cnum = ? AND tlp IN (?, ?, ?, ?, ?)" : " WHERE cnum = ? AND tlp IN (?, ?, ?, ?, ?)");
    q_int(q, col->num);
    for (int t = CP_TLP_CLEAR; t <= CP_TLP_RED; t++) q_int(q, (tlps & (1u << t)) ? t : -1);
    int64_t after = f->added_after > f->after_seq ? f->added_after : f->after_seq;
    if (after > 0) {
        q_add(q, " AND seq > ?");
        q_int(q, after);
    }
    if (f->n_ids > 0) {
        /* the id hash finds the rows through the index; the text decides */
        int m = padded(f->n_ids);
        q_add(q, " AND id_hash IN (");
        for (int i = 0; i < m; i++) {
            q_add(q, i ? ", ?" : "?");
            q_int(q, cp_intel_id_hash(f->ids[i < f->n_ids ? i : f->n_ids - 1]));
        }
        q_add(q, ")");
        q_in_text(q, "stix_id", f->ids, f->n_ids);
    }
    if (f->n_types > 0) q_in_text(q, "type", f->types, f->n_types);
    if (!versions || f->v_all) return;
    bool any = f->v_first || f->n_v_at > 0;
    if (!any || (f->v_last && !f->v_first && f->n_v_at == 0)) {
        q_add(q, " AND is_last = 1");
        return;
    }
    q_add(q, " AND (0 = 1");
    if (f->v_last) q_add(q, " OR is_last = 1");
    if (f->v_first) q_add(q, " OR is_first = 1");
    if (f->n_v_at > 0) {
        int m = padded(f->n_v_at);
        q_add(q, " OR version_us IN (");
        for (int i = 0; i < m; i++) {
            q_add(q, i ? ", ?" : "?");
            q_int(q, f->v_at[i < f->n_v_at ? i : f->n_v_at - 1]);
        }
        q_add(q, ")");
    }
    q_add(q, ")");
}

static cp_status q_prepare(cp_conn *c, qbuild *q, cp_stmt **s, cp_err *err)
{
    if (q->len >= sizeof q->sql - 1) return cp_fail(err, CP_E_BAD_REQUEST, "too many filter values");
    cp_status st = cp_stmt_prepare(c, q->sql, s, err);
    if (st) return st;
    for (int i = 0; i < q->nparams; i++) {
        if (q->p[i].kind == 0) cp_stmt_bind_int(*s, i + 1, q->p[i].i);
        else cp_stmt_bind_text(*s, i + 1, q->p[i].t);
    }
    return CP_OK;
}

cp_status cp_intel_query(cp_conn *c, const cp_collection *col, const cp_actor *reader, const cp_intel_filter *f,
                         cp_intel_row_fn fn, void *ctx, bool *more, cp_err *err)
{
    *more = false;
    if (f->spec_none || f->limit <= 0) return CP_OK;
    unsigned tlps = cp_intel_readable_tlps(reader, col);
    if (!tlps) return CP_OK;
    qbuild *q = malloc(sizeof *q);
    if (!q) return cp_fail(err, CP_E_NOMEM, "out of memory");
    q->len = 0;
    q->nparams = 0;
    q->sql[0] = 0;
    q_add(q, "SELECT seq, stix_id, type, version, version_us, body, tlp, warninglist FROM intel_objects");
    q_filters(q, col, tlps, f, true);
    q_add(q, " ORDER BY seq LIMIT ?");
    q_int(q, f->limit + 1);
    cp_stmt *s;
    cp_status st = q_prepare(c, q, &s, err);
    if (st) {
        free(q);
        return st;
    }
    int got = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (got == f->limit) {
            *more = true;
            break;
        }
        cp_intel_row row = {
            .seq = cp_stmt_col_int(s, 0),
            .stix_id = cp_stmt_col_text(s, 1),
            .type = cp_stmt_col_text(s, 2),
            .version = cp_stmt_col_text(s, 3),
            .version_us = cp_stmt_col_int(s, 4),
            .body = cp_stmt_col_text(s, 5),
            .tlp = (int)cp_stmt_col_int(s, 6),
            .warninglist = cp_stmt_col_is_null(s, 7) ? NULL : cp_stmt_col_text(s, 7),
        };
        got++;
        if (fn(&row, ctx)) break;
    }
    if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    free(q); /* the SQL text lives until the statement is finalized */
    return st;
}

cp_status cp_intel_delete(cp_conn *c, const cp_actor *writer, const cp_collection *col, const char *stix_id,
                          const cp_intel_filter *f, int64_t *deleted, cp_err *err)
{
    *deleted = 0;
    unsigned tlps = cp_intel_readable_tlps(writer, col);
    if (!tlps || f->spec_none) return cp_fail(err, CP_E_NOT_FOUND, "no object %s in this collection", stix_id);
    cp_intel_filter g = *f;
    g.ids[0] = stix_id;
    g.n_ids = 1;
    g.n_types = 0;
    g.added_after = g.after_seq = 0;
    if (!g.v_last && !g.v_first && !g.v_all && g.n_v_at == 0) g.v_all = true; /* DELETE default: every version */
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    qbuild *q = malloc(sizeof *q);
    if (!q) {
        cp_conn_rollback(c);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    /* The observables of the versions that go, then the versions. */
    static const char *const targets[2][2] = {
        {"DELETE FROM intel_observables WHERE seq IN (SELECT seq FROM intel_objects", ")"},
        {"DELETE FROM intel_objects", ""},
    };
    for (int k = 0; k < 2 && !st; k++) {
        q->len = 0;
        q->nparams = 0;
        q->sql[0] = 0;
        q_add(q, targets[k][0]);
        q_filters(q, col, tlps, &g, true);
        q_add(q, targets[k][1]);
        cp_stmt *s;
        if ((st = q_prepare(c, q, &s, err))) break;
        st = cp_stmt_run(s, err);
        if (!st && k == 1) *deleted = cp_stmt_changes(s);
        cp_stmt_finalize(s);
    }
    free(q);
    if (!st && *deleted == 0) st = cp_fail(err, CP_E_NOT_FOUND, "no matching version of %s in this collection", stix_id);
    if (!st) {
        /* The first/last flags of what remains. */
        cp_stmt *s;
        st = cp_stmt_prepare(c,
                             "UPDATE intel_objects SET "
                             "is_last = CASE WHEN version_us = (SELECT MAX(o.version_us) FROM intel_objects o WHERE o.cnum = ? AND o.id_hash = ? AND o.stix_id = ?) THEN 1 ELSE 0 END, "
                             "is_first = CASE WHEN version_us = (SELECT MIN(o.version_us) FROM intel_objects o WHERE o.cnum = ? AND o.id_hash = ? AND o.stix_id = ?) THEN 1 ELSE 0 END "
                             "WHERE cnum = ? AND id_hash = ? AND stix_id = ?",
                             &s, err);
        if (!st) {
            int64_t h = cp_intel_id_hash(stix_id);
            for (int i = 0; i < 3; i++) {
                cp_stmt_bind_int(s, 3 * i + 1, col->num);
                cp_stmt_bind_int(s, 3 * i + 2, h);
                cp_stmt_bind_text(s, 3 * i + 3, stix_id);
            }
            st = run_stmt(s, err);
        }
    }
    if (!st) {
        json_t *d = json_pack("{ss ss sI}", "collection", col->id, "id", stix_id, "deleted", (json_int_t)*deleted);
        st = cp_audit_append(c, writer->label, "intel.delete", col->id, d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    if (st) cp_conn_rollback(c);
    return st;
}
