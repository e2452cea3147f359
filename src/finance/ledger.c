#include "finance/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "finance/money.h"

int (*cp_ledger_fault_hook)(int posted_in_tx);

static const char ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

static const char *account_kind(const char *code)
{
    if (strcmp(code, "cash") == 0) return "asset";
    if (strncmp(code, "receivable:", 11) == 0 && code[11]) return "asset";
    if (strncmp(code, "credit:", 7) == 0 && code[7]) return "liability";
    if (strncmp(code, "revenue:", 8) == 0 && code[8]) return "revenue";
    if (strncmp(code, "expense:", 8) == 0 && code[8]) return "expense";
    return NULL;
}

static const char *account_member(const char *code)
{
    if (strncmp(code, "receivable:", 11) == 0) return code + 11;
    if (strncmp(code, "credit:", 7) == 0) return code + 7;
    return NULL;
}

/* ---- canonical encoding ---- */

typedef struct {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    char head[32];
    int h = snprintf(head, sizeof head, "\n%zu:", n);
    if (b->len + (size_t)h + n + 1 > b->cap) {
        size_t cap = (b->cap + (size_t)h + n + 1) * 2;
        char *q = realloc(b->p, cap);
        if (!q) abort();
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, head, (size_t)h);
    b->len += (size_t)h;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void put_s(buf *b, const char *s) { put(b, s ? s : "", s ? strlen(s) : 0); }

static void put_i(buf *b, int64_t v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%" PRId64, v);
    put(b, t, (size_t)n);
}

void cp_ledger_entry_hash(const char *currency, int64_t seq, const char *id, const char *kind, int64_t day,
                          const char *member_id, const char *reverses, const char *memo, const cp_leg *legs,
                          int n_legs, const char *prev_hash, char out[CP_AUDIT_HASH_HEX + 1])
{
    char stack[1024];
    buf b = {stack, 0, 0};
    /* start on the stack; put() moves to the heap when it outgrows it */
    b.p = malloc(sizeof stack);
    if (!b.p) abort();
    b.cap = sizeof stack;
    memcpy(b.p, "cyberpact-ledger-v1", 19);
    b.len = 19;
    put_s(&b, currency);
    put_i(&b, seq);
    put_s(&b, id);
    put_s(&b, kind);
    put_i(&b, day);
    put_s(&b, member_id);
    put_s(&b, reverses);
    put_s(&b, memo);
    put_i(&b, n_legs);
    for (int i = 0; i < n_legs; i++) {
        put_s(&b, legs[i].account);
        put_i(&b, legs[i].amount);
    }
    put_s(&b, prev_hash);
    cp_sha256_hex(b.p, b.len, out);
    free(b.p);
}

/* ---- posting ---- */

/* Entry ids are UUID version 7 (RFC 9562): 48 bits of ms since the epoch, then
 * random bits, so ids of new entries sort after older ones and the tables keyed
 * by them (entries, legs, assessments, payments, allocations) grow at their end
 * instead of at random pages: at 10^6 entries that keeps inserts in cache
 * (cp_uuid7, base/crypto.h). */
cp_status cp_ledger_open(cp_conn *c, const char *currency, const char *actor, cp_ledger_tx *t, cp_err *err)
{
    memset(t, 0, sizeof *t);
    t->c = c;
    t->actor = actor;
    snprintf(t->currency, sizeof t->currency, "%s", currency);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "INSERT INTO fin_ledger_head (currency, seq, hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_stmt_bind_text(s, 2, ZERO_HASH);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    /* UPDATE first: the row lock that serialises writers of this ledger. */
    if ((st = cp_stmt_prepare(c, "UPDATE fin_ledger_head SET seq = seq WHERE currency = ? RETURNING seq, hash", &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        t->seq = cp_stmt_col_int(s, 0);
        snprintf(t->hash, sizeof t->hash, "%s", cp_stmt_col_text(s, 1));
    }
    st = r == CP_STEP_ROW ? CP_OK : r == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "ledger head missing");
    cp_stmt_finalize(s);
    t->first_seq = t->seq + 1;
    return st;
}

static cp_status check_entry(const cp_entry_in *e, cp_err *err)
{
    if (e->n_legs < 2 || e->n_legs > CP_LEDGER_LEGS_MAX)
        return cp_fail(err, CP_E_INTERNAL, "an entry needs 2 to %d legs, not %d", CP_LEDGER_LEGS_MAX, e->n_legs);
    if (!e->memo || strlen(e->memo) > CP_LEDGER_MEMO_MAX)
        return cp_fail(err, CP_E_UNPROCESSABLE, "an entry's memo is missing or longer than %d bytes", CP_LEDGER_MEMO_MAX);
    int64_t sum = 0;
    for (int i = 0; i < e->n_legs; i++) {
        int64_t a = e->legs[i].amount;
        if (a == 0 || a > CP_FIN_AMOUNT_MAX || a < -CP_FIN_AMOUNT_MAX)
            return cp_fail(err, CP_E_INTERNAL, "leg %d has amount %" PRId64 " (zero or out of range)", i, a);
        if (!e->legs[i].account || !account_kind(e->legs[i].account))
            return cp_fail(err, CP_E_INTERNAL, "leg %d names an unknown account '%.80s'", i,
                           e->legs[i].account ? e->legs[i].account : "");
        sum += a;
    }
    if (sum != 0) return cp_fail(err, CP_E_INTERNAL, "entry does not balance (legs sum to %" PRId64 ")", sum);
    return CP_OK;
}

cp_status cp_ledger_post(cp_ledger_tx *t, const cp_entry_in *e, char *id_out, cp_err *err)
{
    if (cp_ledger_fault_hook && cp_ledger_fault_hook(t->n_posted))
        return cp_fail(err, CP_E_INTERNAL, "injected failure after %d entries", t->n_posted);
    cp_status st = check_entry(e, err);
    if (st) return st;
    char id[CP_UUID_LEN + 1], hash[CP_AUDIT_HASH_HEX + 1];
    cp_uuid7((uint64_t)cp_now_ms(), id);
    int64_t seq = t->seq + 1;
    cp_ledger_entry_hash(t->currency, seq, id, e->kind, e->day, e->member_id, e->reverses, e->memo, e->legs, e->n_legs,
                         t->hash, hash);
    cp_stmt *s;
    if ((st = cp_stmt_prepare(t->c,
                              "INSERT INTO fin_entry (id, currency, seq, kind, day, member_id, reverses, memo, actor,"
                              " created_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, t->currency);
    cp_stmt_bind_int(s, 3, seq);
    cp_stmt_bind_text(s, 4, e->kind);
    cp_stmt_bind_int(s, 5, e->day);
    cp_stmt_bind_text(s, 6, e->member_id);
    cp_stmt_bind_text(s, 7, e->reverses);
    cp_stmt_bind_text(s, 8, e->memo);
    cp_stmt_bind_text(s, 9, t->actor);
    cp_stmt_bind_int(s, 10, cp_now_ms());
    cp_stmt_bind_text(s, 11, t->hash);
    cp_stmt_bind_text(s, 12, hash);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st == CP_E_CONFLICT && e->reverses) return cp_fail(err, CP_E_CONFLICT, "entry %s is already reversed", e->reverses);
    if (st) return st;
    for (int i = 0; i < e->n_legs && !st; i++) {
        const cp_leg *l = &e->legs[i];
        if ((st = cp_stmt_prepare(t->c,
                                  "INSERT INTO fin_leg (entry_id, n, currency, account, amount, day) VALUES (?, ?, ?, ?, ?, ?)",
                                  &s, err)))
            break;
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_int(s, 2, i);
        cp_stmt_bind_text(s, 3, t->currency);
        cp_stmt_bind_text(s, 4, l->account);
        cp_stmt_bind_int(s, 5, l->amount);
        cp_stmt_bind_int(s, 6, e->day);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
        if (st) break;
        if ((st = cp_stmt_prepare(t->c,
                                  "INSERT INTO fin_account (currency, code, kind, member_id, balance, debits, credits)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (currency, code) DO UPDATE SET"
                                  " balance = fin_account.balance + excluded.balance,"
                                  " debits = fin_account.debits + excluded.debits,"
                                  " credits = fin_account.credits + excluded.credits",
                                  &s, err)))
            break;
        cp_stmt_bind_text(s, 1, t->currency);
        cp_stmt_bind_text(s, 2, l->account);
        cp_stmt_bind_text(s, 3, account_kind(l->account));
        cp_stmt_bind_text(s, 4, account_member(l->account));
        cp_stmt_bind_int(s, 5, l->amount);
        cp_stmt_bind_int(s, 6, l->amount > 0 ? l->amount : 0);
        cp_stmt_bind_int(s, 7, l->amount < 0 ? -l->amount : 0);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (st) return st;
    t->seq = seq;
    memcpy(t->hash, hash, sizeof hash);
    t->n_posted++;
    if (id_out) memcpy(id_out, id, CP_UUID_LEN + 1);
    return CP_OK;
}

cp_status cp_ledger_close(cp_ledger_tx *t, const char *action, const char *target, const json_t *detail, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(t->c, "UPDATE fin_ledger_head SET seq = ?, hash = ? WHERE currency = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, t->seq);
    cp_stmt_bind_text(s, 2, t->hash);
    cp_stmt_bind_text(s, 3, t->currency);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st) return st;
    json_t *d = detail ? json_deep_copy(detail) : json_object();
    json_object_set_new(d, "ledger", json_pack("{ss sI sI ss}", "currency", t->currency, "first_seq",
                                               (json_int_t)(t->n_posted ? t->first_seq : 0), "last_seq",
                                               (json_int_t)t->seq, "head_hash", t->hash));
    st = cp_audit_append(t->c, t->actor, action, target, d, err);
    json_decref(d);
    return st;
}

/* ---- reading ---- */

cp_status cp_ledger_balance(cp_conn *c, const char *currency, const char *account, int64_t *out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT balance FROM fin_account WHERE currency = ? AND code = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, currency);
    cp_stmt_bind_text(s, 2, account);
    *out = 0;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = cp_stmt_col_int(s, 0);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_ledger_entry_json(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT e.currency, e.seq, e.kind, e.day, e.member_id, e.reverses, e.memo, e.actor,"
                                   " e.created_at, e.hash, e.prev_hash, l.account, l.amount,"
                                   " (SELECT r.id FROM fin_entry r WHERE r.reverses = e.id)"
                                   " FROM fin_entry e JOIN fin_leg l ON l.entry_id = e.id WHERE e.id = ? ORDER BY l.n",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    json_t *o = NULL, *legs = NULL;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (!o) {
            char day[16], created[CP_RFC3339_MAX];
            cp_fin_date_format(cp_stmt_col_int(s, 3), day, sizeof day);
            cp_rfc3339_format(cp_stmt_col_int(s, 8), created);
            legs = json_array();
            o = json_pack("{ss ss sI ss ss ss? ss? ss ss ss ss ss ss? so}", "id", id, "currency", cp_stmt_col_text(s, 0),
                          "seq", (json_int_t)cp_stmt_col_int(s, 1), "kind", cp_stmt_col_text(s, 2), "date", day,
                          "member_id", cp_stmt_col_text(s, 4), "reverses",
                          cp_stmt_col_text(s, 5), "memo", cp_stmt_col_text(s, 6), "actor",
                          cp_stmt_col_text(s, 7), "created_at", created, "hash", cp_stmt_col_text(s, 9), "prev_hash",
                          cp_stmt_col_text(s, 10), "reversed_by", cp_stmt_col_text(s, 13),
                          "legs", legs);
        }
        int64_t a = cp_stmt_col_int(s, 12);
        json_array_append_new(legs, json_pack("{ss sI sI}", "account", cp_stmt_col_text(s, 11), "debit",
                                              (json_int_t)(a > 0 ? a : 0), "credit", (json_int_t)(a < 0 ? -a : 0)));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        json_decref(o);
        return st;
    }
    if (!o) return cp_fail(err, CP_E_NOT_FOUND, "no ledger entry %.40s", id);
    *out = o;
    return CP_OK;
}
