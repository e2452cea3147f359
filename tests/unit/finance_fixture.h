/*
 * finance_fixture.h — a fresh migrated SQLite store for the finance tests,
 * members inserted with plain SQL (kind, joined date), and short helpers
 * that call the finance API and stop on unexpected failures. Include once
 * per test program, after harness.h.
 */
#ifndef CP_TEST_FINANCE_FIXTURE_H
#define CP_TEST_FINANCE_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/ledger.h"
#include "finance/money.h"
#include "members/actor.h"
#include "store/db.h"
#include "store/migrate.h"

typedef struct {
    char dir[64];
    char url[128];
    cp_db *db;
    cp_conn *c;
    cp_actor a;
    cp_err err;
    int keyn;
} ffx;

static inline void ffx_die(const char *what, const cp_err *err)
{
    fprintf(stderr, "fixture: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static inline void ffx_open(ffx *f)
{
    memset(f, 0, sizeof *f);
    if (cp_crypto_init(&f->err)) ffx_die("crypto", &f->err);
    snprintf(f->dir, sizeof f->dir, "/tmp/cp-fin-XXXXXX");
    if (!mkdtemp(f->dir)) ffx_die("mkdtemp", NULL);
    snprintf(f->url, sizeof f->url, "sqlite:%s/f.db", f->dir);
    if (cp_db_open(f->url, &f->db, &f->err)) ffx_die("open", &f->err);
    if (!(f->c = cp_db_thread_conn(f->db, &f->err))) ffx_die("connect", &f->err);
    if (cp_migrate(f->c, NULL, &f->err)) ffx_die("migrate", &f->err);
    cp_actor_cli(&f->a);
}

static inline void ffx_close(ffx *f)
{
    cp_db_close(f->db);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
}

/* A member of kind joined on date "YYYY-MM-DD"; id (37 bytes) filled. */
static inline void ffx_member(ffx *f, const char *kind, const char *name, const char *joined, char *id)
{
    cp_uuid4(id);
    int64_t j;
    if (cp_fin_date_parse(joined, &j, &f->err)) ffx_die("date", &f->err);
    cp_stmt *s;
    if (cp_stmt_prepare(f->c,
                        "INSERT INTO members (id, kind, name, status, status_since, joined_at, is_alliance, created_at,"
                        " updated_at) VALUES (?, ?, ?, 'active', ?, ?, 0, ?, ?)",
                        &s, &f->err))
        ffx_die("prepare", &f->err);
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, kind);
    cp_stmt_bind_text(s, 3, name);
    cp_stmt_bind_int(s, 4, j);
    cp_stmt_bind_int(s, 5, j);
    cp_stmt_bind_int(s, 6, j);
    cp_stmt_bind_int(s, 7, j);
    if (cp_stmt_run(s, &f->err)) ffx_die("insert member", &f->err);
    cp_stmt_finalize(s);
}

static inline void ffx_withdraw(ffx *f, const char *id, const char *date)
{
    int64_t d;
    cp_fin_date_parse(date, &d, &f->err);
    cp_stmt *s;
    if (cp_stmt_prepare(f->c, "UPDATE members SET status = 'withdrawn', status_since = ? WHERE id = ?", &s, &f->err))
        ffx_die("prepare", &f->err);
    cp_stmt_bind_int(s, 1, d);
    cp_stmt_bind_text(s, 2, id);
    if (cp_stmt_run(s, &f->err)) ffx_die("withdraw", &f->err);
    cp_stmt_finalize(s);
}

static inline const char *ffx_key(ffx *f)
{
    static char k[32];
    snprintf(k, sizeof k, "k-%d", ++f->keyn);
    return k;
}

/* Runs op with a fresh key; returns the status; *out owned (may be NULL). */
typedef cp_status (*ffx_op)(cp_conn *, const cp_actor *, const json_t *, cp_fin_idem *, json_t **, cp_err *);

static inline cp_status ffx_do(ffx *f, ffx_op op, json_t *in, json_t **out)
{
    cp_fin_idem idem = {ffx_key(f), false};
    json_t *o = NULL;
    cp_status st = op(f->c, &f->a, in, &idem, &o, &f->err);
    json_decref(in);
    if (out) *out = o;
    else json_decref(o);
    return st;
}

static inline cp_status ffx_class(ffx *f, const char *member, const char *units, const char *effective, const char *decision)
{
    json_t *in = json_pack("{ss ss}", "units", units, "effective", effective);
    if (decision) json_object_set_new(in, "decision_ref", json_string(decision));
    cp_fin_idem idem = {ffx_key(f), false};
    json_t *o = NULL;
    cp_status st = cp_finance_class_set(f->c, &f->a, member, in, &idem, &o, &f->err);
    json_decref(in);
    json_decref(o);
    return st;
}

static inline cp_status ffx_unit(ffx *f, int year, int64_t minor)
{
    cp_fin_idem idem = {ffx_key(f), false};
    json_t *o = NULL;
    cp_status st = cp_finance_set_unit_value(f->c, &f->a, year, "CHF", minor, "budget proposal test", &idem, &o, &f->err);
    json_decref(o);
    return st;
}

static inline cp_status ffx_assess(ffx *f, int year, const char *due, json_t **out)
{
    json_t *in = json_pack("{si ss}", "year", year, "currency", "CHF");
    if (due) json_object_set_new(in, "due_date", json_string(due));
    return ffx_do(f, cp_finance_assess_year, in, out);
}

static inline cp_status ffx_pay(ffx *f, const char *member, int64_t minor, const char *date, const char *named, json_t **out)
{
    json_t *in = json_pack("{ss ss sI ss ss}", "member_id", member, "currency", "CHF", "amount_minor", (json_int_t)minor,
                           "date", date, "reference", "wire");
    if (named) json_object_set_new(in, "assessment_id", json_string(named));
    return ffx_do(f, cp_finance_pay, in, out);
}

/* One assessment's field of a member and year (paid or amount) */
static inline int64_t ffx_assessment(ffx *f, const char *member, int year, const char *col)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s FROM fin_assessment WHERE member_id = ? AND year = ? AND cancelled = 0", col);
    cp_stmt *s;
    if (cp_stmt_prepare(f->c, sql, &s, &f->err)) ffx_die("prepare", &f->err);
    cp_stmt_bind_text(s, 1, member);
    cp_stmt_bind_int(s, 2, year);
    int64_t v = -1;
    if (cp_stmt_step(s, &f->err) == CP_STEP_ROW) v = cp_stmt_col_int(s, 0);
    cp_stmt_finalize(s);
    return v;
}

static inline int64_t ffx_count(ffx *f, const char *sql)
{
    cp_stmt *s;
    if (cp_stmt_prepare(f->c, sql, &s, &f->err)) ffx_die("prepare", &f->err);
    int64_t v = -1;
    if (cp_stmt_step(s, &f->err) == CP_STEP_ROW) v = cp_stmt_col_int(s, 0);
    cp_stmt_finalize(s);
    return v;
}

static inline int64_t ffx_day(const char *d)
{
    int64_t v = 0;
    cp_err e;
    cp_fin_date_parse(d, &v, &e);
    return v;
}

static inline void ffx_verify_ok(ffx *f)
{
    cp_ledger_report r;
    CHECK_INT(cp_ledger_verify(f->c, &r, &f->err), CP_OK);
    if (r.problems) fprintf(stderr, "  ledger verify: %s\n", r.problem);
    CHECK_INT(r.problems, 0);
    cp_audit_report ar;
    CHECK_INT(cp_audit_verify(f->c, &ar, &f->err), CP_OK);
    CHECK_INT(ar.first_bad_seq, 0);
}

#endif
