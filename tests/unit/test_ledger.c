/*
 * test_ledger.c — finance/ledger.h and the write skeleton: balanced entries
 * only, the hash chain and verify (including tampering found), idempotency
 * (replay, conflicting payload, concurrent retries from threads), atomicity
 * of the yearly assessment under an injected failure, and a property test:
 * random sequences of operations keep the ledger balanced and verify clean.
 */
#include <pthread.h>

#include "harness.h"
#include "finance_fixture.h"

static void test_post_and_verify(void)
{
    ffx f;
    ffx_open(&f);
    CHECK_INT(cp_conn_begin(f.c, CP_TX_WRITE, &f.err), CP_OK);
    cp_ledger_tx t;
    CHECK_INT(cp_ledger_open(f.c, "CHF", "test", &t, &f.err), CP_OK);
    cp_leg ok[2] = {{"expense:2025:ops", 1000}, {"revenue:contributions", -1000}};
    cp_leg bad[2] = {{"expense:2025:ops", 1000}, {"revenue:contributions", -999}};
    cp_leg unknown[2] = {{"expense:2025:ops", 5}, {"nowhere", -5}};
    cp_leg zero[2] = {{"expense:2025:ops", 0}, {"revenue:contributions", 0}};
    cp_entry_in e = {"payment", ffx_day("2025-01-02"), NULL, NULL, "ok", ok, 2};
    char id1[CP_UUID_LEN + 1], id2[CP_UUID_LEN + 1];
    CHECK_INT(cp_ledger_post(&t, &e, id1, &f.err), CP_OK);
    e.legs = bad;
    CHECK(cp_ledger_post(&t, &e, id2, &f.err) != CP_OK);
    CHECK(strstr(f.err.msg, "does not balance") != NULL);
    e.legs = unknown;
    CHECK(cp_ledger_post(&t, &e, id2, &f.err) != CP_OK);
    e.legs = zero;
    CHECK(cp_ledger_post(&t, &e, id2, &f.err) != CP_OK);
    e.legs = ok;
    e.n_legs = 1;
    CHECK(cp_ledger_post(&t, &e, id2, &f.err) != CP_OK);
    e.n_legs = 2;
    CHECK_INT(cp_ledger_post(&t, &e, id2, &f.err), CP_OK);
    CHECK_INT(t.seq, 2);
    CHECK_INT(cp_ledger_close(&t, "finance.test", "test", NULL, &f.err), CP_OK);
    CHECK_INT(cp_conn_commit(f.c, &f.err), CP_OK);
    int64_t bal;
    CHECK_INT(cp_ledger_balance(f.c, "CHF", "expense:2025:ops", &bal, &f.err), CP_OK);
    CHECK_INT(bal, 2000);
    ffx_verify_ok(&f);
    /* the audit chain carries the ledger head */
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM audit_log WHERE action = 'finance.test' AND detail LIKE '%head_hash%'"), 1);
    /* entry JSON */
    json_t *j = NULL;
    CHECK_INT(cp_ledger_entry_json(f.c, id1, &j, &f.err), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(j, "legs"), 0), "debit")), 1000);
    json_decref(j);

    /* tampering: a leg's amount, then the maintained balance, then a hash */
    cp_ledger_report r;
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_leg SET amount = 900 WHERE n = 0 AND account = 'expense:2025:ops' AND amount = 1000 AND entry_id IN (SELECT id FROM fin_entry WHERE seq = 1)", &f.err), CP_OK);
    CHECK_INT(cp_ledger_verify(f.c, &r, &f.err), CP_OK);
    CHECK(r.problems > 0);
    CHECK(strstr(r.problem, "does not balance") != NULL);
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_leg SET amount = 1000 WHERE amount = 900", &f.err), CP_OK);
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_account SET balance = balance + 1 WHERE code = 'expense:2025:ops'", &f.err), CP_OK);
    CHECK_INT(cp_ledger_verify(f.c, &r, &f.err), CP_OK);
    CHECK(r.problems > 0 && strstr(r.problem, "maintained balance") != NULL);
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_account SET balance = balance - 1 WHERE code = 'expense:2025:ops'", &f.err), CP_OK);
    ffx_verify_ok(&f);
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_entry SET memo = 'changed' WHERE seq = 1", &f.err), CP_OK);
    CHECK_INT(cp_ledger_verify(f.c, &r, &f.err), CP_OK);
    CHECK(r.problems > 0 && strstr(r.problem, "hash does not match") != NULL);
    CHECK_INT(cp_conn_exec(f.c, "UPDATE fin_entry SET memo = 'ok' WHERE seq = 1", &f.err), CP_OK);
    CHECK_INT(cp_conn_exec(f.c, "DELETE FROM fin_leg WHERE entry_id IN (SELECT id FROM fin_entry WHERE seq = 2)", &f.err), CP_OK);
    CHECK_INT(cp_conn_exec(f.c, "DELETE FROM fin_entry WHERE seq = 2", &f.err), CP_OK);
    CHECK_INT(cp_ledger_verify(f.c, &r, &f.err), CP_OK);
    CHECK(r.problems > 0);
    ffx_close(&f);
}

/* Known vector: the canonical encoding of ledger.h, hashed here by hand. */
static void test_hash_encoding(void)
{
    cp_leg legs[2] = {{"cash", 5}, {"revenue:contributions", -5}};
    char h[65], want[65];
    cp_ledger_entry_hash("CHF", 1, "id", "payment", 0, NULL, NULL, "m", legs, 2,
                         "0000000000000000000000000000000000000000000000000000000000000000", h);
    const char enc[] = "cyberpact-ledger-v1\n3:CHF\n1:1\n2:id\n7:payment\n1:0\n0:\n0:\n1:m\n1:2\n4:cash\n1:5"
                       "\n21:revenue:contributions\n2:-5\n64:0000000000000000000000000000000000000000000000000000000000000000";
    cp_sha256_hex(enc, sizeof enc - 1, want);
    CHECK_STR(h, want);
}

static void setup_year(ffx *f, char ids[][CP_UUID_LEN + 1], int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "State %d", i);
        ffx_member(f, "member_state", name, "2020-01-01", ids[i]);
        CHECK_INT(ffx_class(f, ids[i], i % 2 ? "1" : "3", "2020-01-01", NULL), CP_OK);
    }
    CHECK_INT(ffx_unit(f, 2025, 100000), CP_OK);
}

static void test_idempotency(void)
{
    ffx f;
    ffx_open(&f);
    char ids[2][CP_UUID_LEN + 1];
    setup_year(&f, ids, 2);
    json_t *in = json_pack("{ss ss sI ss ss}", "member_id", ids[0], "currency", "CHF", "amount_minor", (json_int_t)5000,
                           "date", "2025-02-01", "reference", "r1");
    cp_fin_idem idem = {"pay-1", false};
    json_t *o1 = NULL, *o2 = NULL, *o3 = NULL;
    CHECK_INT(cp_finance_pay(f.c, &f.a, in, &idem, &o1, &f.err), CP_OK);
    CHECK(!idem.replayed);
    CHECK_INT(cp_finance_pay(f.c, &f.a, in, &idem, &o2, &f.err), CP_OK);
    CHECK(idem.replayed);
    CHECK_STR(json_string_value(json_object_get(o1, "id")), json_string_value(json_object_get(o2, "id")));
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_payment"), 1);
    json_object_set_new(in, "amount_minor", json_integer(5001));
    CHECK_INT(cp_finance_pay(f.c, &f.a, in, &idem, &o3, &f.err), CP_E_CONFLICT);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_payment"), 1);
    /* the same key for another operation is a conflict too */
    cp_fin_idem same = {"pay-1", false};
    CHECK_INT(cp_finance_set_unit_value(f.c, &f.a, 2026, "CHF", 5, "x", &same, &o3, &f.err), CP_E_CONFLICT);
    /* a failed request is not remembered: the retry runs */
    json_t *bad = json_pack("{ss ss sI ss ss}", "member_id", ids[0], "currency", "CHX", "amount_minor", (json_int_t)1,
                            "date", "2025-02-01", "reference", "r2");
    cp_fin_idem k2 = {"pay-2", false};
    CHECK_INT(cp_finance_pay(f.c, &f.a, bad, &k2, &o3, &f.err), CP_E_UNPROCESSABLE);
    json_object_set_new(bad, "currency", json_string("CHF"));
    CHECK_INT(cp_finance_pay(f.c, &f.a, bad, &k2, &o3, &f.err), CP_OK);
    json_decref(o3);
    /* keys: required, bounded, printable */
    cp_fin_idem none = {NULL, false}, space = {"a b", false};
    CHECK_INT(cp_finance_pay(f.c, &f.a, in, &none, &o3, &f.err), CP_E_BAD_REQUEST);
    CHECK_INT(cp_finance_pay(f.c, &f.a, in, &space, &o3, &f.err), CP_E_BAD_REQUEST);
    json_decref(in);
    json_decref(bad);
    json_decref(o1);
    json_decref(o2);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

typedef struct {
    cp_db *db;
    const char *member;
    int ok;
    char id[CP_UUID_LEN + 1];
} retry_arg;

static void *retry(void *p)
{
    retry_arg *r = p;
    cp_conn *c;
    cp_err err;
    if (cp_db_connect(r->db, &c, &err)) return NULL;
    cp_actor a;
    cp_actor_cli(&a);
    json_t *in = json_pack("{ss ss sI ss ss}", "member_id", r->member, "currency", "CHF", "amount_minor",
                           (json_int_t)7700, "date", "2025-03-01", "reference", "same wire");
    for (int attempt = 0; attempt < 50; attempt++) {
        cp_fin_idem idem = {"concurrent-key", false};
        json_t *o = NULL;
        cp_status st = cp_finance_pay(c, &a, in, &idem, &o, &err);
        if (st == CP_OK) {
            snprintf(r->id, sizeof r->id, "%s", json_string_value(json_object_get(o, "id")));
            r->ok = 1;
            json_decref(o);
            break;
        }
        /* busy store or the key in use by a request still running: retry */
        usleep(2000);
    }
    json_decref(in);
    cp_conn_close(c);
    return NULL;
}

static void test_concurrent_retries(void)
{
    ffx f;
    ffx_open(&f);
    char ids[2][CP_UUID_LEN + 1];
    setup_year(&f, ids, 2);
    enum { N = 8 };
    pthread_t th[N];
    retry_arg args[N];
    for (int i = 0; i < N; i++) {
        args[i] = (retry_arg){f.db, ids[1], 0, ""};
        pthread_create(&th[i], NULL, retry, &args[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK_INT(args[i].ok, 1);
        CHECK_STR(args[i].id, args[0].id);
    }
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_payment"), 1);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_entry WHERE kind = 'payment'"), 1);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

static int fail_at;
static int fault(int posted) { return posted >= fail_at; }

static void test_atomic_assessment(void)
{
    ffx f;
    ffx_open(&f);
    char ids[6][CP_UUID_LEN + 1];
    setup_year(&f, ids, 6);
    int64_t audit_before = ffx_count(&f, "SELECT COUNT(*) FROM audit_log");
    fail_at = 3; /* the fourth entry fails, in the middle of the run */
    cp_ledger_fault_hook = fault;
    json_t *out = NULL;
    CHECK_INT(ffx_assess(&f, 2025, NULL, &out), CP_E_INTERNAL);
    CHECK(strstr(f.err.msg, "injected") != NULL);
    cp_ledger_fault_hook = NULL;
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_entry"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_leg"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_assessment"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_account"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_daily"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_idem WHERE op = 'assess'"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM audit_log"), audit_before);
    /* and the same run without the fault assesses everyone */
    CHECK_INT(ffx_assess(&f, 2025, NULL, &out), CP_OK);
    CHECK_INT(json_integer_value(json_object_get(out, "members")), 6);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_assessment"), 6);
    json_decref(out);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random operations (payments, overpayments, named payments, spending,
 * reversals of random entries, assessments of new years); after each step
 * the ledger balances and verifies, and no assessment is over-paid. */
static void test_property_random_sequences(void)
{
    ffx f;
    ffx_open(&f);
    enum { M = 5 };
    char ids[M][CP_UUID_LEN + 1];
    setup_year(&f, ids, M);
    CHECK_INT(ffx_assess(&f, 2025, NULL, NULL), CP_OK);
    json_t *line = NULL;
    CHECK_INT(ffx_do(&f, cp_finance_budget_line,
                     json_pack("{si ss ss ss sI ss}", "year", 2025, "currency", "CHF", "code", "ops", "name", "Operations",
                               "amount_minor", (json_int_t)10000000, "decision_ref", "D1"),
                     &line),
              CP_OK);
    const char *line_id = json_string_value(json_object_get(line, "id"));
    int year = 2025, failures = 0;
    for (int step = 0; step < 150; step++) {
        int op = (int)(next_rand() % 10);
        const char *m = ids[next_rand() % M];
        char date[32];
        snprintf(date, sizeof date, "%d-%02d-%02d", year, (int)(next_rand() % 12) + 1, (int)(next_rand() % 28) + 1);
        cp_status st = CP_OK;
        if (op < 5) st = ffx_pay(&f, m, (int64_t)(next_rand() % 400000) + 1, date, NULL, NULL);
        else if (op == 5)
            st = ffx_do(&f, cp_finance_spend,
                        json_pack("{ss sI ss ss}", "line_id", line_id, "amount_minor", (json_int_t)(next_rand() % 50000 + 1),
                                  "date", date, "reference", "invoice"),
                        NULL);
        else if (op <= 7) {
            /* reverse a random payment, spending or assessment: may be refused by the rules, never unbalances */
            char sql[200];
            snprintf(sql, sizeof sql, "SELECT seq FROM fin_entry WHERE kind IN ('payment','spending','assessment') ORDER BY seq LIMIT 1 OFFSET %d",
                     (int)(next_rand() % 20));
            int64_t seq = ffx_count(&f, sql);
            if (seq > 0) {
                cp_stmt *s;
                cp_stmt_prepare(f.c, "SELECT id FROM fin_entry WHERE seq = ?", &s, &f.err);
                cp_stmt_bind_int(s, 1, seq);
                char id[CP_UUID_LEN + 1] = "";
                if (cp_stmt_step(s, &f.err) == CP_STEP_ROW) snprintf(id, sizeof id, "%s", cp_stmt_col_text(s, 0));
                cp_stmt_finalize(s);
                json_t *in = json_pack("{ss ss}", "reason", "property test", "date", "2030-01-01");
                cp_fin_idem idem = {ffx_key(&f), false};
                json_t *o = NULL;
                st = cp_finance_reverse(f.c, &f.a, id, in, &idem, &o, &f.err);
                json_decref(in);
                json_decref(o);
                if (st == CP_E_UNPROCESSABLE || st == CP_E_CONFLICT) st = CP_OK, failures++;
            }
        } else if (op == 8 && year < 2029) {
            year++;
            CHECK_INT(ffx_unit(&f, year, 100000 + year), CP_OK);
            st = ffx_assess(&f, year, NULL, NULL);
        }
        if (st) fprintf(stderr, "  step %d op %d: %s\n", step, op, f.err.msg);
        CHECK_INT(st, CP_OK);
        if (step % 10 == 9) ffx_verify_ok(&f);
        CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_assessment WHERE paid > amount OR paid < 0"), 0);
    }
    ffx_verify_ok(&f);
    /* the ledger identity: receivables + credits held = assessed - paid (net) for each member */
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM (SELECT a.member_id FROM fin_assessment a WHERE a.cancelled = 0"
                            " GROUP BY a.member_id HAVING SUM(a.amount - a.paid) <> (SELECT balance FROM fin_account x"
                            " WHERE x.code = 'receivable:' || a.member_id)) q"),
              0);
    json_decref(line);
    ffx_close(&f);
}

/* Governance adopts a budget in its own transaction and sets the unit value inside it. */
static void test_inside_callers_transaction(void)
{
    ffx f;
    ffx_open(&f);
    json_t *o = NULL;
    cp_fin_idem idem = {"adopt-2027", false};
    CHECK_INT(cp_conn_begin(f.c, CP_TX_WRITE, &f.err), CP_OK);
    CHECK_INT(cp_finance_set_unit_value(f.c, &f.a, 2027, "CHF", 123400, "proposal 42 adopted", &idem, &o, &f.err), CP_OK);
    CHECK(cp_conn_in_tx(f.c)); /* left open for the caller */
    json_decref(o);
    cp_conn_rollback(f.c); /* the adoption failed later: nothing stays */
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_unit_value"), 0);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_idem"), 0);
    CHECK_INT(cp_conn_begin(f.c, CP_TX_WRITE, &f.err), CP_OK);
    CHECK_INT(cp_finance_set_unit_value(f.c, &f.a, 2027, "CHF", 123400, "proposal 42 adopted", &idem, &o, &f.err), CP_OK);
    json_decref(o);
    /* a failure inside does not roll the caller's transaction back by itself */
    cp_fin_idem other = {"adopt-2027-again", false};
    CHECK_INT(cp_finance_set_unit_value(f.c, &f.a, 2027, "CHF", 1, "x", &other, &o, &f.err), CP_E_CONFLICT);
    CHECK(cp_conn_in_tx(f.c));
    CHECK_INT(cp_conn_commit(f.c, &f.err), CP_OK);
    CHECK_INT(ffx_count(&f, "SELECT amount FROM fin_unit_value WHERE year = 2027"), 123400);
    ffx_verify_ok(&f);
    ffx_close(&f);
}

/* An adopted budget proposal: unit value and lines in one go, atomic, composable. */
static void test_adopt_budget(void)
{
    ffx f;
    ffx_open(&f);
    json_t *bad = json_pack("{si ss s[{ss ss ss} {ss ss ss}]}", "year", 2027, "unit_value", "13000.00", "lines", "code",
                            "early-warning", "name", "Early warning", "amount", "400000.00", "code", "Bad Code", "name",
                            "x", "amount", "1.00");
    json_t *o = NULL;
    cp_fin_idem idem = {"adopt-1", false};
    CHECK_INT(cp_finance_adopt_budget(f.c, &f.a, bad, "proposal 7f3e", &idem, &o, &f.err), CP_E_BAD_REQUEST);
    CHECK(strstr(f.err.msg, "budget.lines[1]") != NULL);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_unit_value"), 0); /* nothing of it stays */
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_budget_line"), 0);
    json_object_del(json_array_get(json_object_get(bad, "lines"), 1), "code");
    json_object_set_new(json_array_get(json_object_get(bad, "lines"), 1), "code", json_string("operations"));
    cp_status st = cp_finance_adopt_budget(f.c, &f.a, bad, "proposal 7f3e", &idem, &o, &f.err);
    if (st) fprintf(stderr, "  adopt: %s\n", f.err.msg);
    CHECK_INT(st, CP_OK);
    CHECK_INT(ffx_count(&f, "SELECT amount FROM fin_unit_value WHERE year = 2027"), 1300000);
    CHECK_INT(ffx_count(&f, "SELECT COUNT(*) FROM fin_budget_line WHERE decision_ref = 'proposal 7f3e'"), 2);
    json_decref(o);
    CHECK_INT(cp_finance_adopt_budget(f.c, &f.a, bad, "proposal 7f3e", &idem, &o, &f.err), CP_OK);
    CHECK(idem.replayed);
    json_decref(o);
    json_decref(bad);
    ffx_close(&f);
}

int main(void)
{
    RUN(test_adopt_budget);
    RUN(test_inside_callers_transaction);
    RUN(test_hash_encoding);
    RUN(test_post_and_verify);
    RUN(test_idempotency);
    RUN(test_concurrent_retries);
    RUN(test_atomic_assessment);
    RUN(test_property_random_sequences);
    return harness_done();
}
