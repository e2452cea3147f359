/*
 * idem.c — idempotent writes: every finance write goes through cp_fin_write.
 *
 * The key is claimed first, inside the write transaction, with an INSERT
 * that does nothing when the key exists. On PostgreSQL a second transaction
 * claiming the same key waits on the first one's row until it commits or
 * rolls back, then either finds the stored result or claims the key itself;
 * on SQLite write transactions are serial anyway. A failed operation rolls
 * its claim back, so errors are not remembered: a retry runs again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "finance/finance.h"

cp_status cp_fin_idem_key_check(const char *key, cp_err *err)
{
    if (!key || !*key)
        return cp_fail(err, CP_E_BAD_REQUEST, "an idempotency key is required for every finance write (header Idempotency-Key)");
    size_t n = strlen(key);
    if (n > CP_FIN_IDEM_KEY_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "idempotency key longer than %d bytes", CP_FIN_IDEM_KEY_MAX);
    for (size_t i = 0; i < n; i++)
        if (key[i] < 0x21 || key[i] > 0x7e)
            return cp_fail(err, CP_E_BAD_REQUEST, "idempotency key: byte %zu is not printable ASCII", i + 1);
    return CP_OK;
}

static void digest(const char *op, const char *arg, const json_t *in, char out[CP_SHA256_HEX_LEN + 1])
{
    char *body = in ? json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    size_t n = strlen(op) + (arg ? strlen(arg) : 0) + (body ? strlen(body) : 0) + 4;
    char *all = malloc(n);
    if (!all) abort();
    snprintf(all, n, "%s\n%s\n%s", op, arg ? arg : "", body ? body : "");
    cp_sha256_hex(all, strlen(all), out);
    free(all);
    free(body);
}

/* *replayed: the stored result when the key was used before with the same
 * digest; NULL when the key is now claimed by this transaction. */
static cp_status claim(cp_conn *c, const char *key, const char *op, const char *dg, json_t **replayed, cp_err *err)
{
    *replayed = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "INSERT INTO fin_idem (key, op, digest, result, created_at) VALUES (?, ?, ?, NULL, ?)"
                                      " ON CONFLICT DO NOTHING", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, key);
    cp_stmt_bind_text(s, 2, op);
    cp_stmt_bind_text(s, 3, dg);
    cp_stmt_bind_int(s, 4, cp_now_ms());
    cp_step r = cp_stmt_step(s, err);
    int64_t changed = r == CP_STEP_DONE ? cp_stmt_changes(s) : 0;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st || changed == 1) return st;
    if ((st = cp_stmt_prepare(c, "SELECT op, digest, result FROM fin_idem WHERE key = ?", &s, err))) return st;
    cp_stmt_bind_text(s, 1, key);
    r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        if (strcmp(cp_stmt_col_text(s, 1), dg) != 0)
            st = cp_fail(err, CP_E_CONFLICT,
                         "idempotency key '%.64s' was already used for a different request (%.40s); use a new key",
                         key, cp_stmt_col_text(s, 0));
        else if (cp_stmt_col_is_null(s, 2))
            st = cp_fail(err, CP_E_CONFLICT, "idempotency key '%.64s' is in use by a request still running", key);
        else {
            json_error_t je;
            *replayed = json_loads(cp_stmt_col_text(s, 2), 0, &je);
            if (!*replayed) st = cp_fail(err, CP_E_INTERNAL, "stored result of '%.64s' is unreadable", key);
        }
    } else
        st = r == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "idempotency key vanished");
    cp_stmt_finalize(s);
    return st;
}

static cp_status store(cp_conn *c, const char *key, const json_t *result, cp_err *err)
{
    char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return cp_fail(err, CP_E_NOMEM, "cannot serialise the result");
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "UPDATE fin_idem SET result = ? WHERE key = ?", &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, text);
        cp_stmt_bind_text(s, 2, key);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    free(text);
    return st;
}

cp_status cp_fin_write(cp_conn *c, const cp_actor *a, const char *op, const char *arg, const json_t *in,
                       cp_fin_idem *idem, cp_fin_apply fn, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_status st = cp_fin_idem_key_check(idem ? idem->key : NULL, err);
    if (st) return st;
    idem->replayed = false;
    char dg[CP_SHA256_HEX_LEN + 1];
    digest(op, arg, in, dg);
    /* Inside the caller's transaction (governance adopting a budget, say), the
     * caller commits or rolls back; otherwise this is the transaction. */
    bool own = !cp_conn_in_tx(c);
    if (own && (st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    json_t *prev = NULL, *res = NULL;
    if ((st = claim(c, idem->key, op, dg, &prev, err))) goto fail;
    if (prev) {
        if (own) cp_conn_rollback(c); /* nothing was written */
        idem->replayed = true;
        *out = prev;
        return CP_OK;
    }
    if ((st = fn(c, a, arg, in, &res, err))) goto fail;
    if ((st = store(c, idem->key, res, err))) goto fail;
    if (own && (st = cp_conn_commit(c, err))) goto fail;
    *out = res;
    return CP_OK;
fail:
    json_decref(res);
    if (own) cp_conn_rollback(c);
    return st;
}

cp_status cp_fin_write_many(cp_conn *c, const cp_actor *a, const char *op, const json_t *items, cp_fin_idem *idem,
                            cp_fin_apply fn, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_status st = cp_fin_idem_key_check(idem ? idem->key : NULL, err);
    if (st) return st;
    if (strlen(idem->key) > CP_FIN_IDEM_KEY_MAX - 8)
        return cp_fail(err, CP_E_BAD_REQUEST, "idempotency key of a batch: at most %d bytes", CP_FIN_IDEM_KEY_MAX - 8);
    idem->replayed = false;
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    json_t *results = json_array();
    size_t replays = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *in = json_array_get(items, i);
        char key[CP_FIN_IDEM_KEY_MAX + 1], dg[CP_SHA256_HEX_LEN + 1], where[32];
        snprintf(key, sizeof key, "%s/%zu", idem->key, i);
        snprintf(where, sizeof where, "item %zu", i);
        digest(op, NULL, in, dg);
        json_t *prev = NULL, *res = NULL;
        if ((st = claim(c, key, op, dg, &prev, err))) {
            cp_fail_prefix(err, st, where);
            break;
        }
        if (prev) {
            replays++;
            json_array_append_new(results, prev);
            continue;
        }
        if (!json_is_object(in)) st = cp_fail(err, CP_E_BAD_REQUEST, "not an object");
        if (!st) st = fn(c, a, NULL, in, &res, err);
        if (!st) st = store(c, key, res, err);
        if (st) {
            json_decref(res);
            cp_fail_prefix(err, st, where);
            break;
        }
        json_array_append_new(results, res);
    }
    if (!st) st = cp_conn_commit(c, err);
    if (st) {
        json_decref(results);
        cp_conn_rollback(c);
        return st;
    }
    idem->replayed = replays > 0 && replays == json_array_size(items);
    *out = results;
    return CP_OK;
}
