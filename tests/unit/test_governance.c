/*
 * test_governance.c — the governance domain on a temporary SQLite store,
 * without a server: a vote from opening to result, eligibility through an
 * installed source (a test double standing in for finance/'s ledger), proxies,
 * the scheduler's closing (once, even when asked twice) and reminders, two
 * threads casting ballots for the same member at once, and the recheck of
 * results from the record alone — clean on an honest log, a difference on a
 * dropped or altered ballot.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/ballots.h"
#include "governance/bodies.h"
#include "governance/close.h"
#include "governance/eligibility.h"
#include "governance/proposals.h"
#include "governance/proxies.h"
#include "governance/recheck.h"
#include "governance/record.h"
#include "governance/scheduler.h"
#include "harness.h"
#include "store/db.h"
#include "store/migrate.h"

#define N 6

static char path[64];
static cp_db *db;
static cp_conn *c;
static cp_actor sec;
static char states[N][CP_UUID_LEN + 1];
static cp_actor dele[N];

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "%s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static void sql(const char *q, const char *a, const char *b, const char *cc, int64_t t)
{
    cp_err err;
    cp_stmt *s;
    if (cp_stmt_prepare(c, q, &s, &err)) die("prepare", &err);
    int i = 1;
    if (a) cp_stmt_bind_text(s, i++, a);
    if (b) cp_stmt_bind_text(s, i++, b);
    if (cc) cp_stmt_bind_text(s, i++, cc);
    cp_stmt_bind_int(s, i++, t);
    cp_stmt_bind_int(s, i, t);
    if (cp_stmt_run(s, &err)) die("run", &err);
    cp_stmt_finalize(s);
}

static void setup(void)
{
    cp_err err;
    snprintf(path, sizeof path, "/tmp/cp-gov-XXXXXX");
    int fd = mkstemp(path);
    char url[80];
    snprintf(url, sizeof url, "sqlite:%s", path);
    if (fd < 0 || cp_crypto_init(&err) || cp_db_open(url, &db, &err) || !(c = cp_db_thread_conn(db, &err)) ||
        cp_migrate(c, NULL, &err) || cp_record_setup(c, NULL, &err))
        die("store", &err);
    close(fd);
    cp_actor_cli(&sec);
    static const char *const CC[N] = {"FR", "DE", "IT", "ES", "PT", "NL"};
    for (int i = 0; i < N; i++) {
        cp_uuid4(states[i]);
        char name[32];
        snprintf(name, sizeof name, "State %s", CC[i]);
        sql("INSERT INTO members (id, kind, name, country, status, status_since, joined_at, is_alliance, created_at, updated_at)"
            " VALUES (?, 'member_state', ?, ?, 'active', 0, 0, 0, ?, ?)",
            states[i], name, CC[i], 0);
        cp_actor *a = &dele[i];
        memset(a, 0, sizeof *a);
        a->kind = CP_ACTOR_KEY;
        a->roles = a->user_roles = CP_ROLE_DELEGATE;
        cp_uuid4(a->user_id);
        memcpy(a->member_id, states[i], CP_UUID_LEN + 1);
        snprintf(a->member_kind, sizeof a->member_kind, "member_state");
        a->member_active = true;
        snprintf(a->label, sizeof a->label, "user:%s", a->user_id);
        snprintf(name, sizeof name, "delegate-%s", CC[i]);
        sql("INSERT INTO users (id, member_id, name, roles, status, created_at, updated_at) VALUES (?, ?, ?, 2, 'active', ?, ?)",
            a->user_id, states[i], name, 0);
    }
}

/* A proposal opened now, closing in ms milliseconds. */
static void open_proposal(const char *rule, const char *body, int64_t closes_in, bool public_ballots, char id[CP_UUID_LEN + 1])
{
    cp_err err;
    json_t *in = json_pack("{ss ss ss ss sb}", "type", "policy", "title", "t", "text", "x", "rule", rule, "public_ballots",
                           public_ballots);
    if (body) json_object_set_new(in, "body_id", json_string(body));
    json_t *out;
    if (cp_gov_proposal_create(c, &sec, in, &out, &err)) die("create", &err);
    snprintf(id, CP_UUID_LEN + 1, "%s", cp_json_str(out, "id"));
    json_decref(in);
    json_decref(out);
    char t[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_now_ms() + closes_in, t);
    in = json_pack("{ss}", "closes_at", t);
    if (cp_gov_proposal_open(c, &sec, id, in, &out, &err)) die("open", &err);
    json_decref(in);
    json_decref(out);
}

static cp_status vote(const char *pid, int who, const char *choice, const char *for_member, cp_err *err)
{
    json_t *in = json_pack("{ss}", "choice", choice), *out = NULL;
    if (for_member) json_object_set_new(in, "member_id", json_string(for_member));
    cp_status st = cp_gov_ballot_cast(c, &dele[who], pid, in, &out, err);
    json_decref(in);
    json_decref(out);
    return st;
}

static int64_t closes_at_of(const char *pid)
{
    cp_gov_proposal p;
    cp_err err;
    if (cp_gov_proposal_load(c, pid, &p, &err)) die("load", &err);
    return p.closes_at;
}

static json_t *close_now(const char *pid)
{
    cp_err err;
    json_t *out = NULL;
    cp_status st = cp_gov_close(c, "test", pid, closes_at_of(pid), &out, &err);
    if (st) fprintf(stderr, "  close: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    return out;
}

/* The whole record, as record verify reads it. */
static json_t **record(size_t *n)
{
    cp_err err;
    cp_stmt *s;
    if (cp_stmt_prepare(c, "SELECT entry FROM record_entries ORDER BY idx", &s, &err)) die("record", &err);
    json_t **e = NULL;
    size_t cap = 0;
    *n = 0;
    while (cp_stmt_step(s, &err) == CP_STEP_ROW) {
        if (*n == cap) e = realloc(e, (cap = cap ? 2 * cap : 64) * sizeof *e);
        json_error_t je;
        e[(*n)++] = json_loads(cp_stmt_col_text(s, 0), 0, &je);
    }
    cp_stmt_finalize(s);
    return e;
}

static void free_record(json_t **e, size_t n)
{
    for (size_t i = 0; i < n; i++) json_decref(e[i]);
    free(e);
}

static json_t *recheck(json_t **e, size_t n)
{
    json_t *report = NULL;
    cp_err err;
    CHECK_INT(cp_gov_recheck_results(e, n, &report, &err), CP_OK);
    return report;
}

/* A test double for finance/'s ledger source: states[5] has no right to vote. */
static cp_status ledger_right(void *ctx, cp_conn *cc, const char *member, int64_t at, cp_vote_right *out, cp_err *err)
{
    (void)cc;
    (void)at;
    (void)err;
    const char *denied = ctx;
    memset(out, 0, sizeof *out);
    out->has_right = strcmp(member, denied) != 0;
    snprintf(out->reason, sizeof out->reason, "%s", out->has_right ? "paid up" : "arrears equal the contributions due for 2025-2026");
    out->arrears = out->has_right ? 0 : 500;
    out->threshold = 500;
    snprintf(out->currency, sizeof out->currency, "CHF");
    return CP_OK;
}

/* The same source answering many members at once, counting the batch questions. */
static int batch_questions;
static cp_status ledger_rights(void *ctx, cp_conn *cc, const char *const *ids, size_t n, int64_t at, cp_vote_right *out,
                               cp_err *err)
{
    batch_questions++;
    for (size_t i = 0; i < n; i++) {
        cp_status st = ledger_right(ctx, cc, ids[i], at, &out[i], err);
        if (st) return st;
    }
    return CP_OK;
}

static void test_vote_to_result_and_recheck(void)
{
    char pid[CP_UUID_LEN + 1];
    cp_err err;
    open_proposal("simple", NULL, 60000, false, pid);
    /* the worked example: 3 yes, 1 no, 1 abstain; F votes, then loses its right */
    const char *choices[N] = {"yes", "yes", "no", "abstain", "yes", "yes"};
    for (int i = 0; i < N; i++) CHECK_INT(vote(pid, i, choices[i], NULL, &err), CP_OK);
    CHECK_INT(vote(pid, 0, "object", NULL, &err), CP_E_UNPROCESSABLE);
    /* finance/ installs its source: governance asks it, and nothing else changes */
    cp_eligibility_source ledger = {"ledger-test", ledger_right, states[5], ledger_rights};
    cp_eligibility_install(&ledger);
    CHECK_INT(vote(pid, 5, "no", NULL, &err), CP_E_FORBIDDEN);
    CHECK(strstr(err.msg, "arrears") != NULL);
    /* the placeholder's records are not consulted any more: recording one is refused */
    json_t *flag = json_pack("{ss ss}", "state", "clear", "reason", "paid"), *row = NULL;
    CHECK_INT(cp_gov_eligibility_record(c, &sec, states[5], flag, &row, &err), CP_E_CONFLICT);
    CHECK(strstr(err.msg, "ledger-test") != NULL);
    json_decref(flag);
    batch_questions = 0;
    json_t *p = close_now(pid);
    CHECK_INT(batch_questions, 1); /* the snapshot of the body asked once for everyone */
    cp_eligibility_install(NULL);
    CHECK_STR(cp_eligibility_current()->name, "placeholder");
    json_t *res = json_object_get(p, "result");
    CHECK_STR(cp_json_str(p, "status"), "adopted");
    CHECK_INT(json_integer_value(json_object_get(res, "eligible")), 5);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(res, "counts"), "yes")), 3);
    CHECK_INT(json_integer_value(json_object_get(res, "not_counted")), 1);
    CHECK_STR(cp_json_str(json_object_get(res, "eligibility"), "source"), "ledger-test");
    json_decref(p);
    /* closing twice: the second finds it closed */
    CHECK_INT(cp_gov_close(c, "test", pid, cp_now_ms() + 120000, NULL, &err), CP_E_CONFLICT);

    size_t n;
    json_t **e = record(&n);
    json_t *rep = recheck(e, n);
    CHECK_INT(json_integer_value(json_object_get(rep, "checked")), 1);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 0);
    json_decref(rep);
    /* a dropped ballot: find the first ballot entry and remove it */
    size_t k = 0;
    while (k < n && strcmp(cp_json_str(e[k], "type"), "ballot") != 0) k++;
    CHECK(k < n);
    json_t *dropped = e[k];
    memmove(e + k, e + k + 1, (n - k - 1) * sizeof *e);
    rep = recheck(e, n - 1);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 1);
    const char *what = cp_json_str(json_array_get(json_object_get(rep, "differences"), 0), "what");
    CHECK(what && strstr(what, "counts") != NULL);
    json_decref(rep);
    memmove(e + k + 1, e + k, (n - k - 1) * sizeof *e);
    e[k] = dropped;
    /* an altered ballot (its choice rewritten) */
    json_object_set_new(e[k], "choice", json_string("no"));
    rep = recheck(e, n);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 1);
    json_decref(rep);
    /* a withheld entry (sealed for this reader) is skipped, not reported as a difference */
    json_t *held = e[k];
    e[k] = NULL;
    rep = recheck(e, n);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 0);
    CHECK_INT(json_array_size(json_object_get(rep, "skipped")), 1);
    json_decref(rep);
    e[k] = held;
    free_record(e, n);
}

static void test_body_proxies_and_recheck(void)
{
    cp_err err;
    json_t *in = json_pack("{ss s[{ss}{ss}{ss}{ss}]}", "name", "Advisory Board", "seats", "member_id", states[0], "member_id",
                           states[1], "member_id", states[2], "member_id", states[3]);
    json_t *body;
    CHECK_INT(cp_gov_body_create(c, &sec, in, &body, &err), CP_OK);
    json_decref(in);
    char pid[CP_UUID_LEN + 1];
    open_proposal("two_thirds", cp_json_str(body, "id"), 60000, true, pid);
    /* no seat: no vote */
    CHECK_INT(vote(pid, 4, "yes", NULL, &err), CP_E_FORBIDDEN);
    CHECK(strstr(err.msg, "seat") != NULL);
    /* A gives B its proxy; B casts A's ballot and its own */
    in = json_pack("{ss ss}", "holder", states[1], "proposal_id", pid);
    json_t *px;
    CHECK_INT(cp_gov_proxy_give(c, &dele[0], in, &px, &err), CP_OK);
    json_decref(in);
    /* C cannot give B a second proxy */
    in = json_pack("{ss ss}", "holder", states[1], "proposal_id", pid);
    json_t *px2 = NULL;
    CHECK_INT(cp_gov_proxy_give(c, &dele[2], in, &px2, &err), CP_E_CONFLICT);
    json_decref(in);
    CHECK_INT(vote(pid, 1, "yes", states[0], &err), CP_OK);
    CHECK_INT(vote(pid, 1, "yes", NULL, &err), CP_OK);
    CHECK_INT(vote(pid, 2, "no", NULL, &err), CP_OK);
    json_t *out = NULL;
    CHECK_INT(cp_gov_proxy_revoke(c, &dele[0], cp_json_str(px, "id"), &out, &err), CP_E_CONFLICT); /* used */
    json_decref(px);
    json_t *p = close_now(pid);
    json_t *res = json_object_get(p, "result");
    /* 2 yes (one by proxy) of 3 yes+no: 6 >= 6, adopted; 3 of 4 took part */
    CHECK_STR(cp_json_str(p, "status"), "adopted");
    CHECK_INT(json_integer_value(json_object_get(res, "by_proxy")), 1);
    CHECK_INT(json_integer_value(json_object_get(res, "members")), 4);
    json_decref(p);
    json_decref(body);
    size_t n;
    json_t **e = record(&n);
    json_t *rep = recheck(e, n);
    CHECK_INT(json_integer_value(json_object_get(rep, "checked")), 2);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 0);
    json_decref(rep);
    /* a dropped proxy.given: the proxied ballot no longer counts */
    for (size_t k = 0; k < n; k++)
        if (strcmp(cp_json_str(e[k], "type"), "proxy.given") == 0) json_object_set_new(e[k], "holder", json_string(states[3]));
    rep = recheck(e, n);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 1);
    json_decref(rep);
    free_record(e, n);
}

static void test_period_proxy_and_recheck(void)
{
    cp_err err;
    /* E gives F its vote for a period covering two votes; F casts E's ballot on both;
     * on the second E votes itself too, which cancels the proxy there */
    char until[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_now_ms() + 3600 * 1000, until);
    json_t *in = json_pack("{ss ss}", "holder", states[5], "until", until), *px = NULL;
    CHECK_INT(cp_gov_proxy_give(c, &dele[4], in, &px, &err), CP_OK);
    json_decref(in);
    CHECK(px && json_is_null(json_object_get(px, "proposal_id")));
    char p1[CP_UUID_LEN + 1], p2[CP_UUID_LEN + 1];
    open_proposal("simple", NULL, 60000, true, p1);
    open_proposal("simple", NULL, 60000, true, p2);
    CHECK_INT(vote(p1, 5, "yes", states[4], &err), CP_OK);
    CHECK_INT(vote(p1, 5, "no", NULL, &err), CP_OK);
    CHECK_INT(vote(p1, 0, "yes", NULL, &err), CP_OK);
    CHECK_INT(vote(p1, 1, "yes", NULL, &err), CP_OK);
    CHECK_INT(vote(p2, 5, "yes", states[4], &err), CP_OK);
    CHECK_INT(vote(p2, 4, "no", NULL, &err), CP_OK);
    CHECK_INT(vote(p2, 5, "yes", states[4], &err), CP_E_CONFLICT); /* E voted itself */
    CHECK_INT(vote(p2, 0, "yes", NULL, &err), CP_OK);
    CHECK_INT(vote(p2, 1, "yes", NULL, &err), CP_OK);
    /* used: no longer revocable */
    json_t *out = NULL;
    CHECK_INT(cp_gov_proxy_revoke(c, &dele[4], cp_json_str(px, "id"), &out, &err), CP_E_CONFLICT);
    json_decref(px);
    json_t *r1 = close_now(p1), *r2 = close_now(p2);
    json_t *c1 = json_object_get(json_object_get(r1, "result"), "counts"), *c2 = json_object_get(json_object_get(r2, "result"), "counts");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(r1, "result"), "by_proxy")), 1);
    CHECK_INT(json_integer_value(json_object_get(c1, "yes")), 3);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(r2, "result"), "by_proxy")), 0);
    CHECK_INT(json_integer_value(json_object_get(c2, "no")), 1);
    CHECK_INT(json_integer_value(json_object_get(c2, "yes")), 2);
    json_decref(r1);
    json_decref(r2);
    size_t n;
    json_t **e = record(&n);
    json_t *rep = recheck(e, n);
    CHECK_INT(json_array_size(json_object_get(rep, "differences")), 0);
    json_decref(rep);
    /* a forged proxy.revoked before the ballots would have voided E's proxied ballot on p1 */
    size_t k = 0;
    while (k < n && strcmp(cp_json_str(e[k], "type"), "proxy.given") != 0) k++;
    CHECK(k < n);
    json_t **f = malloc((n + 1) * sizeof *f);
    memcpy(f, e, (k + 1) * sizeof *f);
    f[k + 1] = json_pack("{ss ss ss ss ss}", "type", "proxy.revoked", "at", cp_json_str(e[k], "from"), "proxy",
                         cp_json_str(e[k], "proxy"), "giver", states[4], "holder", states[5]);
    memcpy(f + k + 2, e + k + 1, (n - k - 1) * sizeof *f);
    rep = recheck(f, n + 1);
    CHECK(json_array_size(json_object_get(rep, "differences")) >= 1);
    json_decref(rep);
    json_decref(f[k + 1]);
    free(f);
    free_record(e, n);
}

static int hook_calls;
static char hook_proposal[CP_UUID_LEN + 1];
static void on_reminder(const char *proposal, int round, int64_t closes_at, const char *title)
{
    (void)closes_at;
    hook_calls++;
    snprintf(hook_proposal, sizeof hook_proposal, "%s", proposal);
    CHECK_INT(round, 1);
    CHECK_STR(title, "t");
}

static void test_scheduler_and_reminders(void)
{
    cp_gov_reminder_hook = on_reminder;
    cp_err err;
    char pid[CP_UUID_LEN + 1];
    open_proposal("consensus", NULL, 60000, false, pid); /* default reminder: 24 h before, i.e. already due */
    int closed = -1, reminded = -1;
    CHECK_INT(cp_gov_scheduler_tick(c, cp_now_ms(), &closed, &reminded, &err), CP_OK);
    CHECK_INT(closed, 0);
    CHECK_INT(reminded, 1);
    CHECK_INT(cp_gov_scheduler_tick(c, cp_now_ms(), &closed, &reminded, &err), CP_OK);
    CHECK_INT(reminded, 0); /* once per round */
    CHECK_INT(hook_calls, 1);
    CHECK_STR(hook_proposal, pid);
    cp_gov_reminder_hook = NULL;
    CHECK_INT(vote(pid, 0, "no", NULL, &err), CP_E_UNPROCESSABLE); /* consensus */
    CHECK_INT(vote(pid, 0, "yes", NULL, &err), CP_OK);
    /* at the closing time the tick closes it: 1 of 6 took part, postponed */
    CHECK_INT(cp_gov_scheduler_tick(c, closes_at_of(pid), &closed, &reminded, &err), CP_OK);
    CHECK_INT(closed, 1);
    json_t *p;
    CHECK_INT(cp_gov_proposal_get(c, pid, &p, &err), CP_OK);
    CHECK_STR(cp_json_str(p, "status"), "postponed");
    CHECK(json_is_true(json_object_get(p, "closed")));
    json_decref(p);
    CHECK_INT(cp_gov_scheduler_tick(c, closes_at_of(pid) + 1000, &closed, &reminded, &err), CP_OK);
    CHECK_INT(closed, 0);
    cp_stmt *s;
    CHECK_INT(cp_stmt_prepare(c, "SELECT COUNT(*) FROM gov_events WHERE proposal_id = ? AND kind = 'reminder'", &s, &err), CP_OK);
    cp_stmt_bind_text(s, 1, pid);
    CHECK(cp_stmt_step(s, &err) == CP_STEP_ROW);
    CHECK_INT(cp_stmt_col_int(s, 0), 1);
    cp_stmt_finalize(s);
}

typedef struct {
    const char *pid;
    int ok, failed;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    cp_err err;
    cp_conn *mine;
    if (cp_db_connect(db, &mine, &err)) return NULL;
    for (int i = 0; i < 15; i++) {
        json_t *in = json_pack("{ss}", "choice", i % 2 ? "yes" : "no"), *out = NULL;
        cp_status st;
        do { /* SQLite answers "busy" past its timeout only under extreme contention */
            st = cp_gov_ballot_cast(mine, &dele[3], r->pid, in, &out, &err);
        } while (st == CP_E_STORE && strstr(err.msg, "locked"));
        if (st) {
            r->failed++;
            fprintf(stderr, "  race: %s\n", err.msg);
        } else {
            r->ok++;
        }
        json_decref(in);
        json_decref(out);
    }
    cp_conn_close(mine);
    return NULL;
}

static void test_concurrent_ballots(void)
{
    char pid[CP_UUID_LEN + 1];
    open_proposal("simple", NULL, 60000, true, pid);
    racer r[2] = {{pid, 0, 0}, {pid, 0, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, race, &r[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK_INT(r[0].ok + r[1].ok, 30);
    CHECK_INT(r[0].failed + r[1].failed, 0);
    /* one consistent state: seq 1..30 without gaps, change 1..30, every ballot in the record */
    cp_err err;
    cp_stmt *s;
    CHECK_INT(cp_stmt_prepare(c,
                              "SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT seq), COUNT(DISTINCT change), MAX(change),"
                              " COUNT(DISTINCT record_index) FROM gov_ballots WHERE proposal_id = ?",
                              &s, &err),
              CP_OK);
    cp_stmt_bind_text(s, 1, pid);
    CHECK(cp_stmt_step(s, &err) == CP_STEP_ROW);
    for (int col = 0; col < 7; col++) CHECK_INT(cp_stmt_col_int(s, col), col == 1 ? 1 : 30);
    cp_stmt_finalize(s);
    json_t *p = close_now(pid);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(p, "result"), "participating")), 1);
    json_decref(p);
}

static void test_canonical_form(void)
{
    char buf[CP_BALLOT_CANONICAL_MAX];
    size_t n = cp_gov_ballot_canonical("p", 2, "m", "h", "yes", 3, buf, sizeof buf);
    CHECK_STR(buf, "cyberpact-ballot-v1\nproposal=p\nround=2\nmember=m\ncast_by=h\nchoice=yes\nchange=3\n");
    CHECK_INT(n, strlen(buf));
    CHECK_INT(cp_gov_ballot_canonical("p", 2, "m", "h", "yes", 3, buf, 10), 0);
}

int main(void)
{
    setup();
    RUN(test_canonical_form);
    RUN(test_vote_to_result_and_recheck);
    RUN(test_body_proxies_and_recheck);
    RUN(test_period_proxy_and_recheck);
    RUN(test_scheduler_and_reminders);
    RUN(test_concurrent_ballots);
    cp_db_close(db);
    unlink(path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return harness_done();
}
