#include "audit/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"

static void feed(crypto_hash_sha256_state *h, const char *field)
{
    char len[32];
    int n = snprintf(len, sizeof len, "\n%zu:", strlen(field));
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)n);
    crypto_hash_sha256_update(h, (const unsigned char *)field, strlen(field));
}

void cp_audit_entry_hash(int64_t seq, int64_t at, const char *actor, const char *action, const char *target,
                         const char *digest, const char *prev_hash, char out[CP_AUDIT_HASH_HEX + 1])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    static const char tag[] = "cyberpact-audit-v1";
    crypto_hash_sha256_update(&h, (const unsigned char *)tag, sizeof tag - 1);
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, seq);
    feed(&h, num);
    snprintf(num, sizeof num, "%" PRId64, at);
    feed(&h, num);
    feed(&h, actor);
    feed(&h, action);
    feed(&h, target);
    feed(&h, digest);
    feed(&h, prev_hash);
    unsigned char bin[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, bin);
    cp_hex(bin, sizeof bin, out);
}

static char *canonical_detail(const json_t *detail)
{
    if (!detail) return strdup("{}");
    return json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

cp_status cp_audit_append(cp_conn *c, const char *actor, const char *action, const char *target,
                          const json_t *detail, cp_err *err)
{
    if (!cp_conn_in_tx(c)) return cp_fail(err, CP_E_INTERNAL, "audit append outside a transaction");
    char *text = canonical_detail(detail);
    if (!text) return cp_fail(err, CP_E_NOMEM, "out of memory");
    char digest[CP_SHA256_HEX_LEN + 1], prev[CP_AUDIT_HASH_HEX + 1], hash[CP_AUDIT_HASH_HEX + 1];
    cp_sha256_hex(text, strlen(text), digest);

    cp_stmt *s = NULL;
    int64_t seq = 0;
    cp_status st = cp_stmt_prepare(c, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", &s, err);
    if (st) goto out;
    if (cp_stmt_step(s, err) != CP_STEP_ROW) {
        st = cp_stmt_status(s) ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "audit head row is missing");
        goto out;
    }
    seq = cp_stmt_col_int(s, 0);
    snprintf(prev, sizeof prev, "%s", cp_stmt_col_text(s, 1));
    cp_stmt_finalize(s);
    s = NULL;

    int64_t at = cp_now_ms();
    cp_audit_entry_hash(seq, at, actor, action, target, digest, prev, hash);
    st = cp_stmt_prepare(c,
                         "INSERT INTO audit_log (seq, at, actor, action, target, detail, digest, prev_hash, hash)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s, err);
    if (st) goto out;
    cp_stmt_bind_int(s, 1, seq);
    cp_stmt_bind_int(s, 2, at);
    cp_stmt_bind_text(s, 3, actor);
    cp_stmt_bind_text(s, 4, action);
    cp_stmt_bind_text(s, 5, target);
    cp_stmt_bind_text(s, 6, text);
    cp_stmt_bind_text(s, 7, digest);
    cp_stmt_bind_text(s, 8, prev);
    cp_stmt_bind_text(s, 9, hash);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    s = NULL;
    if (st) goto out;
    st = cp_stmt_prepare(c, "UPDATE audit_head SET hash = ? WHERE id = 1", &s, err);
    if (st) goto out;
    cp_stmt_bind_text(s, 1, hash);
    st = cp_stmt_run(s, err);
out:
    cp_stmt_finalize(s);
    free(text);
    return st;
}

static void bad(cp_audit_report *r, int64_t seq, const char *fmt, const char *a, const char *b)
{
    if (r->first_bad_seq) return;
    r->first_bad_seq = seq;
    snprintf(r->problem, sizeof r->problem, fmt, a, b);
}

cp_status cp_audit_verify(cp_conn *c, cp_audit_report *r, cp_err *err)
{
    memset(r, 0, sizeof *r);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT seq, at, actor, action, target, detail, digest, prev_hash, hash"
                                   " FROM audit_log ORDER BY seq",
                                   &s, err);
    if (st) return st;
    char prev[CP_AUDIT_HASH_HEX + 1];
    memset(prev, '0', CP_AUDIT_HASH_HEX);
    prev[CP_AUDIT_HASH_HEX] = 0;
    int64_t expect = 1;
    cp_step step;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t seq = cp_stmt_col_int(s, 0);
        const char *detail = cp_stmt_col_text(s, 5), *digest = cp_stmt_col_text(s, 6);
        const char *prev_hash = cp_stmt_col_text(s, 7), *hash = cp_stmt_col_text(s, 8);
        char want[CP_AUDIT_HASH_HEX + 1], dig[CP_SHA256_HEX_LEN + 1];
        char num[2][32];
        snprintf(num[0], 32, "%" PRId64, seq);
        snprintf(num[1], 32, "%" PRId64, expect);
        r->entries++;
        if (seq != expect) bad(r, expect, "entry %s is missing (next present is %s)", num[1], num[0]);
        cp_sha256_hex(detail, strlen(detail), dig);
        if (strcmp(dig, digest) != 0) bad(r, seq, "entry %s: detail does not match its digest%s", num[0], "");
        if (strcmp(prev_hash, prev) != 0)
            bad(r, seq, "entry %s: prev_hash does not link to the entry before it%s", num[0], "");
        cp_audit_entry_hash(seq, cp_stmt_col_int(s, 1), cp_stmt_col_text(s, 2), cp_stmt_col_text(s, 3),
                            cp_stmt_col_text(s, 4), digest, prev_hash, want);
        if (strcmp(want, hash) != 0) bad(r, seq, "entry %s: hash does not match its contents%s", num[0], "");
        snprintf(prev, sizeof prev, "%s", hash);
        expect = seq + 1;
    }
    st = step == CP_STEP_DONE ? CP_OK : cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) return st;

    st = cp_stmt_prepare(c, "SELECT seq, hash FROM audit_head WHERE id = 1", &s, err);
    if (st) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) {
        r->head_seq = cp_stmt_col_int(s, 0);
        snprintf(r->head_hash, sizeof r->head_hash, "%s", cp_stmt_col_text(s, 1));
        char num[2][32];
        snprintf(num[0], 32, "%" PRId64, r->head_seq);
        snprintf(num[1], 32, "%" PRId64, expect - 1);
        if (r->head_seq != expect - 1) /* the first entry the head and the log disagree on */
            bad(r, (r->head_seq < expect - 1 ? r->head_seq : expect - 1) + 1,
                "the head says %s entries but the log ends at %s (entries deleted at the end, or forged?)", num[0],
                num[1]);
        else if (strcmp(r->head_hash, prev) != 0)
            bad(r, r->head_seq, "entry %s: hash differs from the head's%s", num[0], "");
    } else {
        bad(r, 1, "audit head row is missing%s%s", "", "");
    }
    cp_stmt_finalize(s);
    return CP_OK;
}

cp_status cp_audit_list(cp_conn *c, int64_t after, int limit, json_t **items, int *more, cp_err *err)
{
    *items = NULL;
    *more = 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT seq, at, actor, action, target, detail, digest, prev_hash, hash"
                                   " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, after);
    cp_stmt_bind_int(s, 2, limit + 1);
    json_t *arr = json_array();
    cp_step step;
    int n = 0;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n++ == limit) {
            *more = 1;
            break;
        }
        char at[CP_RFC3339_MAX];
        cp_rfc3339_format(cp_stmt_col_int(s, 1), at);
        json_t *detail = json_loads(cp_stmt_col_text(s, 5), JSON_DECODE_ANY, NULL);
        json_array_append_new(
            arr, json_pack("{sI ss ss ss ss so ss ss ss}", "seq", (json_int_t)cp_stmt_col_int(s, 0), "at", at,
                           "actor", cp_stmt_col_text(s, 2), "action", cp_stmt_col_text(s, 3), "target",
                           cp_stmt_col_text(s, 4), "detail", detail ? detail : json_null(), "digest",
                           cp_stmt_col_text(s, 6), "prev_hash", cp_stmt_col_text(s, 7), "hash",
                           cp_stmt_col_text(s, 8)));
    }
    st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) {
        json_decref(arr);
        return st;
    }
    *items = arr;
    return CP_OK;
}
