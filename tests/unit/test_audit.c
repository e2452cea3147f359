/*
 * test_audit.c — audit/audit.h, the hash-chained audit log, on a temporary
 * SQLite store.
 *
 * The hash is recomputed here independently from the canonical encoding
 * documented in audit.h. Then the store is tampered with through plain SQL
 * (edit, delete, insert, reorder, head changes) and cp_audit_verify() must
 * name the first bad entry.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "harness.h"
#include "store/db.h"
#include "store/migrate.h"

typedef struct {
    char dir[64];
    char path[96];
    cp_db *db;
    cp_conn *c;
} store;

static int64_t g_before, g_after; /* cp_now_ms() around the appends */

static void die(const char *what, const cp_err *err)
{
    fprintf(stderr, "%s: %s\nstopping\n", what, err ? err->msg : "");
    harness_failures++;
    harness_done();
    exit(1);
}

static void exec_sql(cp_conn *c, const char *sql)
{
    cp_err err = {{0}};
    cp_status st = cp_conn_exec(c, sql, &err);
    if (st) fprintf(stderr, "  exec %s: %s\n", sql, err.msg);
    CHECK_INT(st, CP_OK);
}

static void append(cp_conn *c, const char *actor, const char *action, const char *target, json_t *detail)
{
    cp_err err = {{0}};
    if (cp_conn_begin(c, CP_TX_WRITE, &err)) die("begin", &err);
    cp_status st = cp_audit_append(c, actor, action, target, detail, &err);
    if (st) fprintf(stderr, "  append: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    if (st) {
        cp_conn_rollback(c);
        return;
    }
    if (cp_conn_commit(c, &err)) die("commit", &err);
}

/* A fresh migrated store with n entries (details {"i": k, ...}). */
static void open_store(store *s, int n)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/cp-audit-XXXXXX");
    if (!mkdtemp(s->dir)) die("mkdtemp", NULL);
    snprintf(s->path, sizeof s->path, "%s/a.db", s->dir);
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s", s->path);
    cp_err err = {{0}};
    if (cp_db_open(url, &s->db, &err)) die("open", &err);
    if (!(s->c = cp_db_thread_conn(s->db, &err))) die("connect", &err);
    int applied = -1;
    if (cp_migrate(s->c, &applied, &err)) die("migrate", &err);
    CHECK(applied >= 1);
    g_before = cp_now_ms();
    for (int k = 1; k <= n; k++) {
        char target[32];
        snprintf(target, sizeof target, "member:%d", k);
        json_t *d = json_pack("{s:i, s:s, s:[i,i]}", "i", k, "b", "x\ny \"quoted\" \xc3\xa9", "z", k, -k);
        append(s->c, k % 2 ? "user:alice" : "key:0123", k % 3 ? "member.update" : "key.revoke", target, d);
        json_decref(d);
    }
    g_after = cp_now_ms();
}

static void close_store(store *s)
{
    cp_db_close(s->db);
    char p[160];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", s->path, suffix[i]);
        unlink(p);
    }
    rmdir(s->dir);
}

static cp_audit_report verify(cp_conn *c)
{
    cp_audit_report r;
    cp_err err = {{0}};
    cp_status st = cp_audit_verify(c, &r, &err);
    if (st) fprintf(stderr, "  verify: %s\n", err.msg);
    CHECK_INT(st, CP_OK);
    return r;
}

static void expect_bad(cp_conn *c, int64_t seq, const char *part)
{
    cp_audit_report r = verify(c);
    if (r.first_bad_seq != seq) fprintf(stderr, "  first_bad_seq %lld (%s)\n", (long long)r.first_bad_seq, r.problem);
    CHECK_INT(r.first_bad_seq, seq);
    if (part && !strstr(r.problem, part)) fprintf(stderr, "  problem \"%s\" lacks \"%s\"\n", r.problem, part);
    if (part) CHECK(strstr(r.problem, part) != NULL);
}

/* One text column of one entry (copied). */
static void col(cp_conn *c, int64_t seq, const char *column, char *out, size_t cap)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM audit_log WHERE seq = ?", column);
    cp_stmt *s;
    cp_err err = {{0}};
    out[0] = 0;
    if (cp_stmt_prepare(c, sql, &s, &err)) die("prepare", &err);
    cp_stmt_bind_int(s, 1, seq);
    if (cp_stmt_step(s, &err) == CP_STEP_ROW) snprintf(out, cap, "%s", cp_stmt_col_text(s, 0));
    cp_stmt_finalize(s);
}

static int64_t col_int(cp_conn *c, int64_t seq, const char *column)
{
    char buf[64];
    col(c, seq, column, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

/* The documented canonical encoding, computed here without audit.c. */
static void reference_hash(int64_t seq, int64_t at, const char *actor, const char *action, const char *target,
                           const char *digest, const char *prev, char out[65])
{
    char nums[2][32];
    snprintf(nums[0], 32, "%" PRId64, seq);
    snprintf(nums[1], 32, "%" PRId64, at);
    const char *fields[] = {nums[0], nums[1], actor, action, target, digest, prev};
    size_t cap = 64;
    for (int i = 0; i < 7; i++) cap += strlen(fields[i]) + 32;
    char *buf = malloc(cap);
    size_t o = (size_t)snprintf(buf, cap, "cyberpact-audit-v1");
    for (int i = 0; i < 7; i++) o += (size_t)snprintf(buf + o, cap - o, "\n%zu:%s", strlen(fields[i]), fields[i]);
    unsigned char bin[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(bin, (const unsigned char *)buf, o);
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[bin[i] >> 4];
        out[2 * i + 1] = hx[bin[i] & 15];
    }
    out[64] = 0;
    free(buf);
}

/* ---- intact chains --------------------------------------------------- */

static void test_append_and_verify(void)
{
    store s;
    open_store(&s, 0);
    cp_audit_report r = verify(s.c);
    CHECK_INT(r.entries, 0);
    CHECK_INT(r.head_seq, 0);
    CHECK_INT(r.first_bad_seq, 0);
    CHECK_STR(r.head_hash, "0000000000000000000000000000000000000000000000000000000000000000");
    close_store(&s);

    open_store(&s, 5);
    r = verify(s.c);
    CHECK_INT(r.entries, 5);
    CHECK_INT(r.head_seq, 5);
    CHECK_INT(r.first_bad_seq, 0);
    CHECK_STR(r.problem, "");
    char last[80];
    col(s.c, 5, "hash", last, sizeof last);
    CHECK_STR(r.head_hash, last);

    /* every entry: fields, digest, link and hash as documented */
    char prev[80] = "0000000000000000000000000000000000000000000000000000000000000000";
    for (int64_t k = 1; k <= 5; k++) {
        char actor[64], action[64], target[64], detail[256], digest[80], prev_hash[80], hash[80], want[65], dig[65];
        col(s.c, k, "actor", actor, sizeof actor);
        col(s.c, k, "action", action, sizeof action);
        col(s.c, k, "target", target, sizeof target);
        col(s.c, k, "detail", detail, sizeof detail);
        col(s.c, k, "digest", digest, sizeof digest);
        col(s.c, k, "prev_hash", prev_hash, sizeof prev_hash);
        col(s.c, k, "hash", hash, sizeof hash);
        int64_t at = col_int(s.c, k, "at");
        CHECK(at >= g_before && at <= g_after);
        CHECK_STR(actor, k % 2 ? "user:alice" : "key:0123");
        char t[32];
        snprintf(t, sizeof t, "member:%lld", (long long)k);
        CHECK_STR(target, t);
        /* canonical detail: sorted keys, compact, UTF-8 kept */
        char wantd[160];
        snprintf(wantd, sizeof wantd, "{\"b\":\"x\\ny \\\"quoted\\\" \xc3\xa9\",\"i\":%lld,\"z\":[%lld,%lld]}",
                 (long long)k, (long long)k, (long long)-k);
        CHECK_STR(detail, wantd);
        cp_sha256_hex(detail, strlen(detail), dig);
        CHECK_STR(digest, dig);
        CHECK_STR(prev_hash, prev);
        reference_hash(k, at, actor, action, target, digest, prev_hash, want);
        CHECK_STR(hash, want);
        char lib[65];
        cp_audit_entry_hash(k, at, actor, action, target, digest, prev_hash, lib);
        CHECK_STR(lib, want);
        snprintf(prev, sizeof prev, "%s", hash);
    }
    close_store(&s);
}

static void test_append_rules(void)
{
    store s;
    open_store(&s, 0);
    cp_err err = {{0}};
    /* outside a transaction: refused */
    CHECK_INT(cp_audit_append(s.c, "system", "x.y", "t", NULL, &err), CP_E_INTERNAL);
    CHECK(strstr(err.msg, "outside a transaction") != NULL);
    CHECK_INT(verify(s.c).entries, 0);

    /* NULL detail is {} */
    append(s.c, "system", "x.y", "t", NULL);
    char detail[32];
    col(s.c, 1, "detail", detail, sizeof detail);
    CHECK_STR(detail, "{}");

    /* a rolled-back append leaves no entry and the head unchanged */
    CHECK_INT(cp_conn_begin(s.c, CP_TX_WRITE, &err), CP_OK);
    CHECK_INT(cp_audit_append(s.c, "system", "x.y", "t", NULL, &err), CP_OK);
    CHECK_INT(cp_audit_append(s.c, "system", "x.z", "t", NULL, &err), CP_OK);
    cp_conn_rollback(s.c);
    cp_audit_report r = verify(s.c);
    CHECK_INT(r.entries, 1);
    CHECK_INT(r.head_seq, 1);
    CHECK_INT(r.first_bad_seq, 0);

    /* several in one transaction chain up */
    CHECK_INT(cp_conn_begin(s.c, CP_TX_WRITE, &err), CP_OK);
    for (int i = 0; i < 3; i++) CHECK_INT(cp_audit_append(s.c, "system", "x.y", "t", NULL, &err), CP_OK);
    CHECK_INT(cp_conn_commit(s.c, &err), CP_OK);
    r = verify(s.c);
    CHECK_INT(r.entries, 4);
    CHECK_INT(r.first_bad_seq, 0);

    /* fields with separators, newlines and digits cannot be confused:
     * the length prefixes keep ("a\n1:b", "c") and ("a", "1:b\nc") apart */
    char h1[65], h2[65];
    cp_audit_entry_hash(1, 2, "a\n1:b", "c", "t", "d", "p", h1);
    cp_audit_entry_hash(1, 2, "a", "1:b\nc", "t", "d", "p", h2);
    CHECK(strcmp(h1, h2) != 0);
    cp_audit_entry_hash(12, 3, "a", "b", "t", "d", "p", h1);
    cp_audit_entry_hash(1, 23, "a", "b", "t", "d", "p", h2);
    CHECK(strcmp(h1, h2) != 0);
    json_t *empty = json_object();
    append(s.c, "user:x\n5:evil", "a|b", "", empty);
    json_decref(empty);
    CHECK_INT(verify(s.c).first_bad_seq, 0);
    close_store(&s);
}

/* ---- tampering ------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *sql;
    int64_t first_bad;
    const char *problem;
} tamper;

static void test_tampering(void)
{
    static const tamper cases[] = {
        {"edit detail", "UPDATE audit_log SET detail = '{\"i\":33}' WHERE seq = 3", 3, "entry 3: detail does not match its digest"},
        {"edit detail and digest", "UPDATE audit_log SET detail = '{}', digest = "
         "'44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' WHERE seq = 3", 3, "entry 3: hash does not match"},
        {"edit actor", "UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 2", 2, "entry 2: hash does not match its contents"},
        {"edit action", "UPDATE audit_log SET action = 'member.read' WHERE seq = 1", 1, "entry 1: hash"},
        {"edit target", "UPDATE audit_log SET target = 'member:9' WHERE seq = 5", 5, "entry 5: hash"},
        {"edit time", "UPDATE audit_log SET at = at + 1 WHERE seq = 4", 4, "entry 4: hash"},
        {"edit hash", "UPDATE audit_log SET hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 2", 2, "entry 2:"},
        {"edit prev_hash", "UPDATE audit_log SET prev_hash = '" /* 64 'a' */
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE seq = 4", 4, "entry 4: prev_hash does not link"},
        {"delete middle", "DELETE FROM audit_log WHERE seq = 3", 3, "entry 3 is missing (next present is 4)"},
        {"delete first", "DELETE FROM audit_log WHERE seq = 1", 1, "entry 1 is missing"},
        {"delete last", "DELETE FROM audit_log WHERE seq = 5", 5, "the head says 5 entries but the log ends at 4"},
        {"delete all", "DELETE FROM audit_log", 1, "the head says 5 entries but the log ends at 0"},
        {"reorder", "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;"
         " UPDATE audit_log SET seq = 3 WHERE seq = -1", 2, "entry 2:"},
        {"renumber", "UPDATE audit_log SET seq = seq + 10 WHERE seq >= 4", 4, "entry 4 is missing (next present is 14)"},
        {"two edits: the first is named", "UPDATE audit_log SET actor = 'x' WHERE seq IN (2, 4)", 2, "entry 2:"},
        {"head hash", "UPDATE audit_head SET hash = (SELECT hash FROM audit_log WHERE seq = 4)", 5, "entry 5: hash differs from the head's"},
        {"head ahead", "UPDATE audit_head SET seq = 6", 6, "the head says 6 entries but the log ends at 5"},
        {"head missing", "DELETE FROM audit_head", 1, "audit head row is missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        store s;
        open_store(&s, 5);
        CHECK_INT(verify(s.c).first_bad_seq, 0);
        exec_sql(s.c, cases[i].sql);
        int before = harness_failures;
        expect_bad(s.c, cases[i].first_bad, cases[i].problem);
        if (harness_failures != before) fprintf(stderr, "  (case: %s)\n", cases[i].name);
        close_store(&s);
    }
}

/* A forged entry appended at the end with a valid hash and link, without
 * touching the head. */
static void test_forged_append(void)
{
    store s;
    open_store(&s, 5);
    char prev[80], digest[65], hash[65], sql[1024];
    col(s.c, 5, "hash", prev, sizeof prev);
    cp_sha256_hex("{}", 2, digest);
    int64_t at = cp_now_ms();
    cp_audit_entry_hash(6, at, "user:mallory", "member.create", "member:x", digest, prev, hash);
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_log (seq, at, actor, action, target, detail, digest, prev_hash, hash) VALUES"
             " (6, %lld, 'user:mallory', 'member.create', 'member:x', '{}', '%s', '%s', '%s')",
             (long long)at, digest, prev, hash);
    exec_sql(s.c, sql);
    cp_audit_report r = verify(s.c);
    CHECK(r.first_bad_seq != 0); /* found */
    CHECK(strstr(r.problem, "the head says 5 entries but the log ends at 6") != NULL);
    /* The first entry the head does not cover is 6; verify names 7 (the
     * seq after the last entry), which does not exist. */
    CHECK_INT(r.first_bad_seq, 6);
    /* the head lagging one entry behind is the same situation */
    store t;
    open_store(&t, 5);
    exec_sql(t.c, "UPDATE audit_head SET seq = 4");
    r = verify(t.c);
    CHECK(r.first_bad_seq != 0);
    CHECK(strstr(r.problem, "the head says 4 entries but the log ends at 5") != NULL);
    CHECK_INT(r.first_bad_seq, 5);
    close_store(&t);

    /* the same forgery with the head moved along is invisible from inside
     * the store (docs/decisions.md, "Audit head row") */
    snprintf(sql, sizeof sql, "UPDATE audit_head SET seq = 6, hash = '%s'", hash);
    exec_sql(s.c, sql);
    CHECK_INT(verify(s.c).first_bad_seq, 0);
    close_store(&s);
}

static void test_list(void)
{
    store s;
    open_store(&s, 5);
    cp_err err = {{0}};
    json_t *items = NULL;
    int more = -1;
    CHECK_INT(cp_audit_list(s.c, 0, 2, &items, &more, &err), CP_OK);
    CHECK_INT(json_array_size(items), 2);
    CHECK_INT(more, 1);
    json_t *e = json_array_get(items, 0);
    CHECK_INT(json_integer_value(json_object_get(e, "seq")), 1);
    CHECK_STR(json_string_value(json_object_get(e, "actor")), "user:alice");
    CHECK_STR(json_string_value(json_object_get(e, "target")), "member:1");
    CHECK(json_is_object(json_object_get(e, "detail")));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(e, "detail"), "i")), 1);
    const char *at = json_string_value(json_object_get(e, "at"));
    int64_t ms = 0;
    CHECK(at && cp_rfc3339_parse(at, &ms, &err) == CP_OK);
    CHECK_INT(ms, col_int(s.c, 1, "at"));
    CHECK_INT(strlen(json_string_value(json_object_get(e, "hash"))), 64);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 1), "prev_hash")),
              json_string_value(json_object_get(e, "hash")));
    json_decref(items);

    CHECK_INT(cp_audit_list(s.c, 2, 3, &items, &more, &err), CP_OK);
    CHECK_INT(json_array_size(items), 3);
    CHECK_INT(more, 0); /* exactly the rest */
    CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "seq")), 3);
    json_decref(items);

    CHECK_INT(cp_audit_list(s.c, 5, 10, &items, &more, &err), CP_OK);
    CHECK_INT(json_array_size(items), 0);
    CHECK_INT(more, 0);
    json_decref(items);
    close_store(&s);
}

int main(void)
{
    cp_err err = {{0}};
    if (cp_crypto_init(&err)) die("crypto", &err);
    RUN(test_append_and_verify);
    RUN(test_append_rules);
    RUN(test_tampering);
    RUN(test_forged_append);
    RUN(test_list);
    return harness_done();
}
