/*
 * finance_bench.c — the finance hot paths at alliance scale (bench/finance.sh
 * runs it; figures in docs/benchmarks.md):
 *
 *   members × years of assessments (cp_finance_assess_year: every member in
 *   one transaction), then payments through cp_finance_pay_import in
 *   batches (each payment its own ledger entry, allocation, idempotency key
 *   and audit entry), then the sustainability report as of two dates, a
 *   member's statement, and the full ledger verification.
 *
 * Baseline, in the same run and the same store: the same number of entry
 * rows and leg rows written with plain INSERTs (no hashing, balances,
 * allocations, idempotency or audit), in transactions of the same size.
 *
 * usage: finance_bench [--scale F] [--store URL]
 *   F = 1 is 10,000 members × 20 years and 1,000,000 payments (default 1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/ledger.h"
#include "finance/money.h"
#include "members/actor.h"
#include "store/db.h"
#include "store/migrate.h"

#define BATCH 1000
#define YEARS 20
#define FIRST_YEAR 2006

static void die(const char *what, const cp_err *e)
{
    fprintf(stderr, "finance_bench: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

static double secs(uint64_t t0) { return (double)(cp_mono_us() - t0) / 1e6; }

static uint64_t rng = 0x2013u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void exec(cp_conn *c, const char *sql)
{
    cp_err e;
    if (cp_conn_exec(c, sql, &e)) die(sql, &e);
}

/* The baseline: n entries with 3 legs each, plain INSERTs, BATCH per transaction. */
static double baseline(cp_conn *c, long n)
{
    exec(c, "CREATE TABLE bench_entry (id TEXT PRIMARY KEY, currency TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,"
            " day BIGINT NOT NULL, member_id TEXT, reverses TEXT UNIQUE, memo TEXT NOT NULL, actor TEXT NOT NULL,"
            " created_at BIGINT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (currency, seq));"
            "CREATE INDEX bench_entry_member ON bench_entry (member_id, day);"
            "CREATE TABLE bench_leg (entry_id TEXT NOT NULL, n INTEGER NOT NULL, currency TEXT NOT NULL, account TEXT NOT NULL,"
            " amount BIGINT NOT NULL, day BIGINT NOT NULL, PRIMARY KEY (entry_id, n));"
            "CREATE INDEX bench_leg_account ON bench_leg (currency, account, day);");
    cp_err e;
    uint64_t t0 = cp_mono_us();
    static const char H[] = "0000000000000000000000000000000000000000000000000000000000000000";
    for (long i = 0; i < n;) {
        if (cp_conn_begin(c, CP_TX_WRITE, &e)) die("begin", &e);
        for (long k = 0; k < BATCH && i < n; k++, i++) {
            char id[CP_UUID_LEN + 1], member[64], acc[96];
            snprintf(id, sizeof id, "00000000-0000-7000-8000-%012lx", (unsigned long)i); /* time-ordered, as the ledger's */
            snprintf(member, sizeof member, "m%06ld", i % 10000);
            cp_stmt *s;
            if (cp_stmt_prepare(c, "INSERT INTO bench_entry VALUES (?, 'CHF', ?, 'payment', ?, ?, NULL, 'payment SWIFT', 'bench', ?, ?, ?)",
                                &s, &e))
                die("prepare", &e);
            cp_stmt_bind_text(s, 1, id);
            cp_stmt_bind_int(s, 2, i + 1);
            cp_stmt_bind_int(s, 3, 1000);
            cp_stmt_bind_text(s, 4, member);
            cp_stmt_bind_int(s, 5, 1000);
            cp_stmt_bind_text(s, 6, H);
            cp_stmt_bind_text(s, 7, H);
            if (cp_stmt_run(s, &e)) die("insert", &e);
            cp_stmt_finalize(s);
            for (int l = 0; l < 3; l++) {
                if (cp_stmt_prepare(c, "INSERT INTO bench_leg VALUES (?, ?, 'CHF', ?, ?, 1000)", &s, &e)) die("prepare", &e);
                snprintf(acc, sizeof acc, l == 0 ? "cash" : l == 1 ? "receivable:%s" : "credit:%s", member);
                cp_stmt_bind_text(s, 1, id);
                cp_stmt_bind_int(s, 2, l);
                cp_stmt_bind_text(s, 3, acc);
                cp_stmt_bind_int(s, 4, l == 0 ? 200 : -100);
                if (cp_stmt_run(s, &e)) die("insert leg", &e);
                cp_stmt_finalize(s);
            }
        }
        if (cp_conn_commit(c, &e)) die("commit", &e);
    }
    return secs(t0);
}

int main(int argc, char **argv)
{
    double scale = 1.0;
    const char *store = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) scale = atof(argv[++i]);
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) store = argv[++i];
        else {
            fprintf(stderr, "usage: finance_bench [--scale F] [--store URL]\n");
            return 2;
        }
    }
    if (scale <= 0 || scale > 10) die("--scale must be in (0, 10]", NULL);
    long members = (long)(10000 * scale), payments = (long)(1000000 * scale);
    if (members < 10) members = 10;
    cp_err e;
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as soon as it is measured */
    if (cp_crypto_init(&e)) die("crypto", &e);
    char dir[64] = "/tmp/cp-finbench-XXXXXX", url[160];
    if (!store) {
        if (!mkdtemp(dir)) die("mkdtemp", NULL);
        snprintf(url, sizeof url, "sqlite:%s/bench.db", dir);
        store = url;
    }
    cp_db *db;
    if (cp_db_open(store, &db, &e)) die("open", &e);
    cp_conn *c = cp_db_thread_conn(db, &e);
    if (!c || cp_migrate(c, NULL, &e)) die("migrate", &e);
    cp_actor a;
    cp_actor_cli(&a);
    printf("store: %s\nscale %.3g: %ld members x %d years, %ld payments\n", cp_db_describe(db), scale, members, YEARS, payments);

    /* baseline first, in a store of its own (SQLite) so it does not grow the measured one */
    double tb;
    if (store == url) {
        char burl[200];
        snprintf(burl, sizeof burl, "sqlite:%s/baseline.db", dir);
        cp_db *bdb;
        if (cp_db_open(burl, &bdb, &e)) die("open baseline", &e);
        cp_conn *bc = cp_db_thread_conn(bdb, &e);
        if (!bc) die("baseline", &e);
        tb = baseline(bc, payments);
        cp_db_close(bdb);
    } else
        tb = baseline(c, payments);
    printf("baseline  plain INSERT of %ld entries + %ld legs: %.2f s = %.0f entries/s\n", payments, payments * 3, tb,
           payments / tb);

    /* members and classes (plain SQL: setting them up is not what is measured) */
    static const int64_t U16[] = {8, 16, 16, 32, 48, 80, 160};
    int64_t *units = malloc((size_t)members * sizeof *units);
    char (*ids)[CP_UUID_LEN + 1] = malloc((size_t)members * sizeof *ids);
    if (cp_conn_begin(c, CP_TX_WRITE, &e)) die("begin", &e);
    int64_t joined = cp_fin_date(2000, 1, 1);
    for (long i = 0; i < members; i++) {
        cp_uuid4(ids[i]);
        units[i] = U16[next() % 7];
        char name[32];
        snprintf(name, sizeof name, "Member %06ld", i);
        cp_stmt *s;
        if (cp_stmt_prepare(c, "INSERT INTO members (id, kind, name, status, status_since, joined_at, is_alliance, created_at,"
                               " updated_at) VALUES (?, 'member_state', ?, 'active', ?, ?, 0, ?, ?)", &s, &e))
            die("prepare", &e);
        cp_stmt_bind_text(s, 1, ids[i]);
        cp_stmt_bind_text(s, 2, name);
        for (int k = 3; k <= 6; k++)
            cp_stmt_bind_int(s, k, joined);
        if (cp_stmt_run(s, &e)) die("member", &e);
        cp_stmt_finalize(s);
        char cid[CP_UUID_LEN + 1];
        cp_uuid4(cid);
        if (cp_stmt_prepare(c, "INSERT INTO fin_member_class (id, member_id, units16, effective, decision_ref, actor, created_at)"
                               " VALUES (?, ?, ?, ?, NULL, 'bench', 0)", &s, &e))
            die("prepare", &e);
        cp_stmt_bind_text(s, 1, cid);
        cp_stmt_bind_text(s, 2, ids[i]);
        cp_stmt_bind_int(s, 3, units[i]);
        cp_stmt_bind_int(s, 4, joined);
        if (cp_stmt_run(s, &e)) die("class", &e);
        cp_stmt_finalize(s);
    }
    if (cp_conn_commit(c, &e)) die("commit", &e);

    /* assessments: one transaction per year */
    uint64_t t0 = cp_mono_us();
    long assessed = 0;
    for (int y = FIRST_YEAR; y < FIRST_YEAR + YEARS; y++) {
        char key[32];
        snprintf(key, sizeof key, "uv-%d", y);
        cp_fin_idem idem = {key, false};
        json_t *out = NULL;
        if (cp_finance_set_unit_value(c, &a, y, "CHF", 100000, "bench budget", &idem, &out, &e)) die("unit value", &e);
        json_decref(out);
        snprintf(key, sizeof key, "as-%d", y);
        json_t *in = json_pack("{si ss}", "year", y, "currency", "CHF");
        if (cp_finance_assess_year(c, &a, in, &idem, &out, &e)) die("assess", &e);
        assessed += json_integer_value(json_object_get(out, "members"));
        json_decref(in);
        json_decref(out);
    }
    double ta = secs(t0);
    printf("assess    %ld assessments (%d yearly runs, one transaction each): %.2f s = %.0f entries/s\n", assessed, YEARS, ta,
           assessed / ta);

    /* payments: batches of BATCH through the import (one transaction each) */
    t0 = cp_mono_us();
    long done = 0;
    for (long i = 0; i < payments;) {
        json_t *list = json_array();
        for (long k = 0; k < BATCH && i < payments; k++, i++) {
            long m = i % members;
            int year = FIRST_YEAR + (int)((i / members) * YEARS / (payments / members + 1));
            int64_t due = units[m] * 100000 / 16;
            int64_t amount = due / 5 + (int64_t)(next() % 3) - 1; /* about five installments a year */
            if (next() % 20 == 0) amount = 0; /* some pay nothing this time */
            if (amount <= 0) continue;
            char date[32], ref[32];
            snprintf(date, sizeof date, "%d-%02d-%02d", year, 1 + (int)(next() % 12), 1 + (int)(next() % 28));
            snprintf(ref, sizeof ref, "SWIFT %ld", i);
            json_array_append_new(list, json_pack("{ss ss sI ss ss}", "member_id", ids[m], "currency", "CHF", "amount_minor",
                                                  (json_int_t)amount, "date", date, "reference", ref));
        }
        char key[32];
        snprintf(key, sizeof key, "pay-%ld", i);
        cp_fin_idem idem = {key, false};
        json_t *in = json_pack("{so}", "payments", list), *out = NULL;
        if (json_array_size(list) && cp_finance_pay_import(c, &a, in, &idem, &out, &e)) die("payments", &e);
        done += (long)json_array_size(list);
        json_decref(in);
        json_decref(out);
    }
    double tp = secs(t0);
    printf("payments  %ld payments (import batches of %d): %.2f s = %.0f entries/s\n", done, BATCH, tp, done / tp);

    /* the report, twice, and a statement */
    int64_t end = cp_fin_date(FIRST_YEAR + YEARS - 1, 12, 31), mid = cp_fin_date(FIRST_YEAR + YEARS / 2, 6, 30);
    for (int k = 0; k < 2; k++) {
        json_t *out = NULL;
        t0 = cp_mono_us();
        if (cp_finance_sustainability(c, "CHF", k ? mid : end, 90, &out, &e)) die("report", &e);
        double tr = secs(t0);
        printf("report    sustainability as of %s: %.0f ms (%zu members without a vote)\n", k ? "mid-history" : "the last day",
               tr * 1000, json_array_size(json_object_get(out, "members_without_vote")));
        json_decref(out);
    }
    json_t *st = NULL;
    t0 = cp_mono_us();
    if (cp_finance_statement(c, ids[0], "CHF", cp_fin_year_start(FIRST_YEAR), end, &st, &e)) die("statement", &e);
    printf("statement one member, %d years (%zu lines): %.1f ms\n", YEARS, json_array_size(json_object_get(st, "lines")),
           secs(t0) * 1000);
    json_decref(st);

    cp_ledger_report rep;
    t0 = cp_mono_us();
    if (cp_ledger_verify(c, &rep, &e)) die("verify", &e);
    double tv = secs(t0);
    printf("verify    full ledger: %lld entries, %lld legs, %lld problems: %.2f s = %.0f entries/s\n", (long long)rep.entries,
           (long long)rep.legs, (long long)rep.problems, tv, rep.entries / tv);
    cp_db_close(db);
    free(units);
    free(ids);
    if (dir[0] && store == url) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }
    return rep.problems ? 1 : 0;
}
