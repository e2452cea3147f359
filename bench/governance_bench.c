/*
 * governance_bench.c — a vote of 193 member states with 10 ballot changes
 * each, closed and verified, through the DOMAIN API (governance/ headers: the
 * functions the HTTP handlers call, without HTTP). bench/governance.sh runs it;
 * figures in docs/benchmarks.md.
 *
 *   governance_bench STORE_URL [STATES] [CHANGES]
 *
 * Measured, wall clock, one run:
 *   baseline   one write transaction holding one audit entry, STATES*CHANGES
 *              times: the least a durable, audited write costs on this store
 *   cast       cp_gov_ballot_cast STATES*CHANGES times (eligibility check,
 *              proposal row lock, record append, ballot row, audit), sequential
 *   close      cp_gov_close (eligibility snapshot of the body, tally, two
 *              record entries, result)
 *   tally      the pure tally alone over the same ballots (in memory)
 *   verify     every record entry read back and cp_gov_recheck_results over
 *              them (what `record verify` adds to the Merkle checks)
 * and the result is checked against the expected counts (the last ballot of
 * each member). Eligibility comes from finance's ledger, as in the server: each
 * state has one contributory unit, 2024 and 2025 are assessed and 2024 is paid
 * (arrears of one year: every state keeps its vote, and every check reads the
 * state's ledger rows). Setting that up is not measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "finance/eligibility_ledger.h"
#include "finance/finance.h"
#include "governance/ballots.h"
#include "governance/close.h"
#include "governance/proposals.h"
#include "governance/recheck.h"
#include "governance/record.h"
#include "governance/tally.h"
#include "members/actor.h"
#include "store/db.h"
#include "store/migrate.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "governance_bench: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static cp_conn *c;
static cp_err err;

static void exec_bind(const char *sql, const char *a, const char *b, const char *cc)
{
    cp_stmt *s;
    if (cp_stmt_prepare(c, sql, &s, &err)) die("prepare", &err);
    cp_stmt_bind_text(s, 1, a);
    cp_stmt_bind_text(s, 2, b);
    cp_stmt_bind_text(s, 3, cc);
    if (cp_stmt_run(s, &err)) die("insert", &err);
    cp_stmt_finalize(s);
}

static const char *choice_of(int state, int change)
{
    static const char *const C[] = {"yes", "no", "abstain"};
    return C[(state * 7 + change * 3) % 3];
}

/* One finance write under a fresh idempotency key; in is consumed. */
static void fin(const char *what, cp_status (*fn)(cp_conn *, const cp_actor *, const json_t *, cp_fin_idem *, json_t **, cp_err *),
                const cp_actor *a, json_t *in)
{
    char key[48];
    snprintf(key, sizeof key, "bench-");
    cp_uuid4(key + 6);
    cp_fin_idem idem = {key, false};
    json_t *out = NULL;
    if (fn(c, a, in, &idem, &out, &err)) die(what, &err);
    json_decref(in);
    json_decref(out);
}

/* The ledger the eligibility source reads (see the top of this file). */
static void ledger(const cp_actor *sec, const cp_actor *del, int states)
{
    cp_eligibility_install(cp_finance_eligibility_source());
    for (int i = 0; i < states; i++) {
        char key[48];
        snprintf(key, sizeof key, "bench-class-%d", i);
        cp_fin_idem idem = {key, false};
        json_t *in = json_pack("{ss ss}", "units", "1", "effective", "2015-01-01"), *out = NULL;
        if (cp_finance_class_set(c, sec, del[i].member_id, in, &idem, &out, &err)) die("class", &err);
        json_decref(in);
        json_decref(out);
    }
    for (int y = 2024; y <= 2025; y++) {
        fin("unit value", cp_finance_unit_value_set_json, sec,
            json_pack("{si ss ss ss}", "year", y, "currency", "CHF", "amount", "1000.00", "decision_ref", "bench"));
        char due[16];
        snprintf(due, sizeof due, "%d-03-31", y);
        fin("assess", cp_finance_assess_year, sec, json_pack("{si ss ss}", "year", y, "currency", "CHF", "due_date", due));
    }
    for (int i = 0; i < states; i++)
        fin("pay", cp_finance_pay, sec,
            json_pack("{ss ss ss ss}", "member_id", del[i].member_id, "amount", "1000.00", "date", "2024-03-01", "reference",
                      "bench"));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: governance_bench STORE_URL [STATES] [CHANGES]\n");
        return 2;
    }
    int states = argc > 2 ? atoi(argv[2]) : 193, changes = argc > 3 ? atoi(argv[3]) : 10;
    if (states < 1 || states > 1000 || changes < 1 || changes > 100) die("bad arguments", NULL);
    cp_db *db;
    if (cp_crypto_init(&err) || cp_db_open(argv[1], &db, &err) || !(c = cp_db_thread_conn(db, &err)) ||
        cp_migrate(c, NULL, &err) || cp_record_setup(c, NULL, &err))
        die("store", &err);
    cp_actor sec;
    cp_actor_cli(&sec);
    cp_actor *del = calloc((size_t)states, sizeof *del);
    if (cp_conn_begin(c, CP_TX_WRITE, &err)) die("begin", &err);
    for (int i = 0; i < states; i++) {
        char mid[CP_UUID_LEN + 1], name[32], cc[8];
        cp_uuid4(mid);
        snprintf(name, sizeof name, "Bench state %03d", i);
        snprintf(cc, sizeof cc, "Z%03d", i); /* not ISO: a bench store only */
        exec_bind("INSERT INTO members (id, kind, name, country, status, status_since, joined_at, is_alliance, created_at,"
                  " updated_at) VALUES (?, 'member_state', ?, ?, 'active', 0, 0, 0, 0, 0)",
                  mid, name, cc);
        cp_actor *a = &del[i];
        a->kind = CP_ACTOR_KEY;
        a->roles = a->user_roles = CP_ROLE_DELEGATE;
        cp_uuid4(a->user_id);
        memcpy(a->member_id, mid, sizeof mid);
        a->member_active = true;
        snprintf(a->label, sizeof a->label, "user:%s", a->user_id);
        snprintf(name, sizeof name, "bench-delegate-%03d", i);
        exec_bind("INSERT INTO users (id, member_id, name, roles, status, created_at, updated_at) VALUES (?, ?, ?, 2, 'active', 0, 0)",
                  a->user_id, mid, name);
    }
    if (cp_conn_commit(c, &err)) die("commit", &err);
    int n = states * changes;
    ledger(&sec, del, states);

    /* baseline: one audited write transaction per ballot */
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        if (cp_conn_begin(c, CP_TX_WRITE, &err) || cp_audit_append(c, "bench", "bench.baseline", "bench", NULL, &err) ||
            cp_conn_commit(c, &err))
            die("baseline", &err);
    }
    double t_base = now_s() - t0;

    /* the vote */
    json_t *in = json_pack("{ss ss ss ss}", "type", "policy", "title", "Bench vote", "text", "193 states", "rule", "simple"), *out;
    if (cp_gov_proposal_create(c, &sec, in, &out, &err)) die("create", &err);
    json_decref(in);
    char pid[CP_UUID_LEN + 1];
    snprintf(pid, sizeof pid, "%s", cp_json_str(out, "id"));
    json_decref(out);
    char closes[CP_RFC3339_MAX];
    int64_t closes_at = cp_now_ms() + 3600 * 1000;
    cp_rfc3339_format(closes_at, closes);
    in = json_pack("{ss}", "closes_at", closes);
    if (cp_gov_proposal_open(c, &sec, pid, in, &out, &err)) die("open", &err);
    json_decref(in);
    json_decref(out);

    t0 = now_s();
    for (int k = 0; k < changes; k++)
        for (int i = 0; i < states; i++) {
            in = json_pack("{ss}", "choice", choice_of(i, k));
            if (cp_gov_ballot_cast(c, &del[i], pid, in, &out, &err)) die("cast", &err);
            json_decref(in);
            json_decref(out);
        }
    double t_cast = now_s() - t0;

    t0 = now_s();
    if (cp_gov_close(c, "bench", pid, closes_at, &out, &err)) die("close", &err);
    double t_close = now_s() - t0;
    json_t *res = json_object_get(out, "result");
    int64_t want[3] = {0, 0, 0};
    for (int i = 0; i < states; i++) want[(i * 7 + (changes - 1) * 3) % 3]++;
    json_t *counts = json_object_get(res, "counts");
    bool ok = json_integer_value(json_object_get(counts, "yes")) == want[0] &&
              json_integer_value(json_object_get(counts, "no")) == want[1] &&
              json_integer_value(json_object_get(counts, "abstain")) == want[2] &&
              json_integer_value(json_object_get(res, "participating")) == states;
    const char *outcome = cp_json_str(res, "outcome");
    printf("result: %s, yes %lld no %lld abstain %lld of %d: %s\n", outcome,
           (long long)json_integer_value(json_object_get(counts, "yes")),
           (long long)json_integer_value(json_object_get(counts, "no")),
           (long long)json_integer_value(json_object_get(counts, "abstain")), states,
           ok ? "as expected" : "UNEXPECTED");
    json_decref(out);

    /* the pure tally over the same ballots */
    cp_tally_voter *tv = calloc((size_t)states, sizeof *tv);
    cp_tally_ballot *tb = calloc((size_t)n, sizeof *tb);
    for (int i = 0; i < states; i++) tv[i] = (cp_tally_voter){del[i].member_id, true, NULL};
    for (int k = 0, s = 0; k < changes; k++)
        for (int i = 0; i < states; i++, s++)
            tb[s] = (cp_tally_ballot){del[i].member_id, del[i].member_id, (cp_choice)cp_choice_parse(choice_of(i, k)), s + 1, 0};
    cp_tally_input ti = {CP_RULE_SIMPLE, CP_QUORUM_DEFAULT, tv, (size_t)states, tb, (size_t)n, NULL, 0};
    cp_tally_result tr;
    int reps = 100;
    t0 = now_s();
    for (int r = 0; r < reps; r++) {
        if (cp_tally(&ti, &tr, &err)) die("tally", &err);
        cp_tally_result_free(&tr);
    }
    double t_tally = (now_s() - t0) / reps;

    /* verify: every entry read back, results recomputed */
    t0 = now_s();
    cp_stmt *s;
    if (cp_stmt_prepare(c, "SELECT entry FROM record_entries ORDER BY idx", &s, &err)) die("read", &err);
    size_t cap = 4096, ne = 0;
    json_t **e = malloc(cap * sizeof *e);
    while (cp_stmt_step(s, &err) == CP_STEP_ROW) {
        if (ne == cap) e = realloc(e, (cap *= 2) * sizeof *e);
        json_error_t je;
        e[ne++] = json_loads(cp_stmt_col_text(s, 0), 0, &je);
    }
    cp_stmt_finalize(s);
    double t_read = now_s() - t0;
    json_t *report;
    t0 = now_s();
    if (cp_gov_recheck_results(e, ne, &report, &err)) die("recheck", &err);
    double t_recheck = now_s() - t0;
    bool clean = json_integer_value(json_object_get(report, "checked")) == 1 &&
                 json_array_size(json_object_get(report, "differences")) == 0;
    json_decref(report);
    for (size_t i = 0; i < ne; i++) json_decref(e[i]);
    free(e);

    printf("store: %s; %d states x %d changes = %d ballots; record: %zu entries\n", cp_db_describe(db), states, changes, n, ne);
    printf("| step | total | per item |\n|---|---|---|\n");
    printf("| baseline: audited write transaction | %.3f s | %.0f µs (%.0f/s) |\n", t_base, t_base / n * 1e6, n / t_base);
    printf("| cast a ballot (domain API) | %.3f s | %.0f µs (%.0f/s) |\n", t_cast, t_cast / n * 1e6, n / t_cast);
    printf("| close (snapshot, tally, record, result) | %.1f ms | |\n", t_close * 1e3);
    printf("| pure tally of %d ballots | %.3f ms | |\n", n, t_tally * 1e3);
    printf("| verify: read %zu record entries | %.1f ms | |\n", ne, t_read * 1e3);
    printf("| verify: recheck the result from them | %.2f ms | |\n", t_recheck * 1e3);
    printf("recheck: %s\n", clean ? "clean (1 result recomputed, 0 differences)" : "DIFFERENCES");
    free(tv);
    free(tb);
    free(del);
    cp_db_close(db);
    return ok && clean ? 0 : 1;
}
