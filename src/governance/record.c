/*
 * record.c — the governance record (record.h): appending inside the caller's
 * transaction, the signed tree head, reading entries as a reader may see
 * them, and proofs read from the stored perfect subtrees (record_nodes).
 */
#include "governance/record.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/merkle.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "store/meta.h"

#define META_SECRET "record_signing_key"
#define META_PUBLIC "record_public_key"
#define ENTRY_MAX (1024 * 1024) /* bytes of one canonical entry */

/* ---- keys and the head signature ---- */

size_t cp_record_head_message(int64_t tree_size, int64_t timestamp, const char *root_hex, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "cyberpact-record-tree-head-v1\n%" PRId64 "\n%" PRId64 "\n%s\n", tree_size, timestamp,
                     root_hex);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static bool unhex_n(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (!hex || strlen(hex) != 2 * n) return false;
    return sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) == 0 && got == n && *end == 0;
}

static void sign_head(const uint8_t sk[crypto_sign_SECRETKEYBYTES], cp_record_head *h)
{
    char msg[256];
    size_t len = cp_record_head_message(h->tree_size, h->timestamp, h->root_hash, msg, sizeof msg);
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, len, sk);
    sodium_bin2hex(h->signature, sizeof h->signature, sig, sizeof sig);
}

bool cp_record_head_verify(const cp_record_head *h, const char *pub_hex)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    if (!unhex_n(pub_hex, pk, sizeof pk) || !unhex_n(h->signature, sig, sizeof sig)) return false;
    char msg[256];
    size_t len = cp_record_head_message(h->tree_size, h->timestamp, h->root_hash, msg, sizeof msg);
    return crypto_sign_verify_detached(sig, (const unsigned char *)msg, len, pk) == 0;
}

json_t *cp_record_head_json(const cp_record_head *h)
{
    char when[CP_RFC3339_MAX];
    cp_rfc3339_format(h->timestamp, when);
    return json_pack("{sI ss sI ss ss}", "tree_size", (json_int_t)h->tree_size, "root_hash", h->root_hash,
                     "timestamp", (json_int_t)h->timestamp, "time", when, "signature", h->signature);
}

static bool is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

bool cp_record_head_parse(const json_t *j, cp_record_head *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(j)) return snprintf(why, cap, "a tree head must be a JSON object"), false;
    json_t *size = json_object_get(j, "tree_size"), *ts = json_object_get(j, "timestamp");
    const char *root = json_string_value(json_object_get(j, "root_hash"));
    const char *sig = json_string_value(json_object_get(j, "signature"));
    if (!json_is_integer(size) || json_integer_value(size) < 0)
        return snprintf(why, cap, "tree_size must be a non-negative integer"), false;
    if (!json_is_integer(ts)) return snprintf(why, cap, "timestamp must be an integer (ms since the epoch)"), false;
    if (!is_hex(root, 64)) return snprintf(why, cap, "root_hash must be 64 lower-case hex digits"), false;
    if (!is_hex(sig, 128)) return snprintf(why, cap, "signature must be 128 lower-case hex digits"), false;
    out->tree_size = (int64_t)json_integer_value(size);
    out->timestamp = (int64_t)json_integer_value(ts);
    memcpy(out->root_hash, root, 65);
    memcpy(out->signature, sig, 129);
    return true;
}

static cp_status load_key(cp_conn *c, uint8_t sk[crypto_sign_SECRETKEYBYTES], char pub_hex[CP_RECORD_HEX],
                          cp_err *err)
{
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    cp_status st = cp_meta_get(c, META_SECRET, hex, sizeof hex, err);
    if (st) return st;
    if (!unhex_n(hex, sk, crypto_sign_SECRETKEYBYTES)) {
        sodium_memzero(hex, sizeof hex);
        return cp_fail(err, CP_E_STORE, "the record signing key in the store is malformed");
    }
    sodium_memzero(hex, sizeof hex);
    if (pub_hex) sodium_bin2hex(pub_hex, CP_RECORD_HEX, sk + crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES,
                                crypto_sign_PUBLICKEYBYTES);
    return CP_OK;
}

/* The key, created if the store has none. Inside a write transaction that has
 * locked the head row, so two servers never make two keys. */
static cp_status ensure_key(cp_conn *c, uint8_t sk[crypto_sign_SECRETKEYBYTES], char pub_hex[CP_RECORD_HEX],
                            cp_err *err)
{
    cp_status st = load_key(c, sk, pub_hex, err);
    if (st != CP_E_NOT_FOUND) return st;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char skhex[2 * crypto_sign_SECRETKEYBYTES + 1], pkhex[CP_RECORD_HEX];
    sodium_bin2hex(skhex, sizeof skhex, sk, crypto_sign_SECRETKEYBYTES);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    st = cp_meta_put_new(c, META_SECRET, skhex, err);
    sodium_memzero(skhex, sizeof skhex);
    if (!st) st = cp_meta_put_new(c, META_PUBLIC, pkhex, err);
    if (!st) {
        json_t *detail = json_pack("{ss}", "public_key", pkhex);
        st = cp_audit_append(c, "system", "record.key.create", "record:key", detail, err);
        json_decref(detail);
    }
    if (st) return st;
    return load_key(c, sk, pub_hex, err); /* what is stored is what signs */
}

cp_status cp_record_public_key(cp_conn *c, char pub_hex[CP_RECORD_HEX], cp_err *err)
{
    cp_status st = cp_meta_get(c, META_PUBLIC, pub_hex, CP_RECORD_HEX, err);
    if (st == CP_E_NOT_FOUND)
        return cp_fail(err, CP_E_UNAVAILABLE, "the record's signing key has not been created yet (cyberpact init or serve creates it)");
    return st;
}

/* ---- the head row ---- */

typedef struct {
    cp_record_head head;
    char frontier[64 * 64 + 1];
} head_row;

static cp_status head_read(cp_conn *c, const char *sql, head_row *h, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    cp_step step = cp_stmt_step(s, err);
    if (step == CP_STEP_ROW) {
        memset(h, 0, sizeof *h);
        h->head.tree_size = cp_stmt_col_int(s, 0);
        snprintf(h->head.root_hash, sizeof h->head.root_hash, "%s", cp_stmt_col_text(s, 1));
        snprintf(h->frontier, sizeof h->frontier, "%s", cp_stmt_col_text(s, 2));
        h->head.timestamp = cp_stmt_col_int(s, 3);
        snprintf(h->head.signature, sizeof h->head.signature, "%s", cp_stmt_col_text(s, 4));
    } else {
        st = step == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_STORE, "the record head row is missing");
    }
    cp_stmt_finalize(s);
    return st;
}

/* Lock order, for PostgreSQL where rows are locked one by one: audit_head first, then
 * record_head. Every write transaction appends an audit entry (which locks audit_head),
 * so a caller that audited before appending and one that appends before auditing take
 * the two locks in the same order and cannot deadlock. */
static cp_status lock_audit_head(cp_conn *c, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "UPDATE audit_head SET seq = seq WHERE id = 1", &s, err);
    if (st) return st;
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

#define HEAD_COLUMNS "size, root, frontier, at, signature"
/* Takes the row lock (PostgreSQL) before anything else of the record is read. */
#define HEAD_LOCK "UPDATE record_head SET size = size WHERE id = 1 RETURNING " HEAD_COLUMNS

static cp_status head_write(cp_conn *c, const head_row *h, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "UPDATE record_head SET size = ?, root = ?, frontier = ?, at = ?, signature = ? WHERE id = 1",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, h->head.tree_size);
    cp_stmt_bind_text(s, 2, h->head.root_hash);
    cp_stmt_bind_text(s, 3, h->frontier);
    cp_stmt_bind_int(s, 4, h->head.timestamp);
    cp_stmt_bind_text(s, 5, h->head.signature);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_record_head_get(cp_conn *c, cp_record_head *out, cp_err *err)
{
    head_row h;
    cp_status st = head_read(c, "SELECT " HEAD_COLUMNS " FROM record_head WHERE id = 1", &h, err);
    if (st) return st;
    if (!h.head.signature[0])
        return cp_fail(err, CP_E_UNAVAILABLE, "the record's tree head is not signed yet (cyberpact init or serve creates the key)");
    *out = h.head;
    return CP_OK;
}

cp_status cp_record_setup(cp_conn *c, char pub_hex[CP_RECORD_HEX], cp_err *err)
{
    bool own = !cp_conn_in_tx(c);
    cp_status st = own ? cp_conn_begin(c, CP_TX_WRITE, err) : CP_OK;
    if (st) return st;
    head_row h;
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char pub[CP_RECORD_HEX];
    st = lock_audit_head(c, err);
    if (!st) st = head_read(c, HEAD_LOCK, &h, err);
    if (!st) st = ensure_key(c, sk, pub, err);
    if (!st && !h.head.signature[0]) {
        int64_t now = cp_now_ms();
        if (h.head.timestamp < now) h.head.timestamp = now;
        sign_head(sk, &h.head);
        st = head_write(c, &h, err);
    }
    sodium_memzero(sk, sizeof sk);
    if (own) {
        if (!st) st = cp_conn_commit(c, err);
        if (st) cp_conn_rollback(c);
    }
    if (!st && pub_hex) memcpy(pub_hex, pub, CP_RECORD_HEX);
    return st;
}

/* ---- appending ---- */

static cp_status frontier_load(const head_row *h, cp_merkle_frontier *f, cp_err *err)
{
    cp_merkle_frontier_init(f);
    uint64_t size = (uint64_t)h->head.tree_size;
    unsigned n = (unsigned)__builtin_popcountll(size);
    if (h->head.tree_size < 0 || strlen(h->frontier) != (size_t)n * 64)
        return cp_fail(err, CP_E_STORE, "the record head's frontier does not match its size (the store is damaged)");
    unsigned i = 0;
    for (int bit = 63; bit >= 0; bit--) {
        if (!(size >> bit & 1)) continue;
        char hex[65];
        memcpy(hex, h->frontier + 64 * i, 64);
        hex[64] = 0;
        if (!cp_merkle_unhex(hex, f->hash[i]))
            return cp_fail(err, CP_E_STORE, "the record head's frontier is not hex (the store is damaged)");
        f->level[i++] = (unsigned)bit;
    }
    f->count = n;
    f->size = size;
    return CP_OK;
}

static void frontier_text(const cp_merkle_frontier *f, char *out)
{
    for (unsigned i = 0; i < f->count; i++) cp_merkle_hex(f->hash[i], out + 64 * i);
    out[64 * f->count] = 0;
}

typedef struct {
    int n;
    int64_t key[65];
    uint8_t hash[65][CP_MERKLE_HASH];
} new_nodes;

static void collect_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[CP_MERKLE_HASH])
{
    new_nodes *nn = ctx;
    if (nn->n >= 65) return; /* cannot happen below 2^64 leaves */
    nn->key[nn->n] = cp_merkle_node_key(level, index);
    memcpy(nn->hash[nn->n], hash, CP_MERKLE_HASH);
    nn->n++;
}

static cp_status insert_entry(cp_conn *c, int64_t idx, int64_t at, const char *type, const char *proposal,
                              const char *leaf_hex, const char *text, const char *visible, int64_t sealed_until,
                              cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO record_entries (idx, at, type, proposal, leaf_hash, entry, sealed_until,"
                                   " visible_to_member) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, idx);
    cp_stmt_bind_int(s, 2, at);
    cp_stmt_bind_text(s, 3, type);
    cp_stmt_bind_text(s, 4, proposal);
    cp_stmt_bind_text(s, 5, leaf_hex);
    cp_stmt_bind_text(s, 6, text);
    if (sealed_until > 0) cp_stmt_bind_int(s, 7, sealed_until);
    else cp_stmt_bind_null(s, 7);
    cp_stmt_bind_text(s, 8, sealed_until > 0 ? visible : NULL);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

static cp_status insert_nodes(cp_conn *c, const new_nodes *nn, cp_err *err)
{
    for (int i = 0; i < nn->n; i++) {
        cp_stmt *s;
        cp_status st = cp_stmt_prepare(c, "INSERT INTO record_nodes (k, hash) VALUES (?, ?)", &s, err);
        if (st) return st;
        char hex[65];
        cp_merkle_hex(nn->hash[i], hex);
        cp_stmt_bind_int(s, 1, nn->key[i]);
        cp_stmt_bind_text(s, 2, hex);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
        if (st) return st;
    }
    return CP_OK;
}

/* The canonical bytes of entry, with "at" added when the caller gave none. */
static cp_status canonical(const json_t *entry, int64_t now, char **text, const char **type, const char **proposal,
                           cp_err *err)
{
    if (!json_is_object(entry)) return cp_fail(err, CP_E_INTERNAL, "a record entry must be a JSON object");
    json_t *t = json_object_get(entry, "type"), *p = json_object_get(entry, "proposal");
    if (!json_is_string(t) || !json_string_length(t))
        return cp_fail(err, CP_E_INTERNAL, "a record entry needs a non-empty string \"type\"");
    if (p && !json_is_string(p) && !json_is_null(p))
        return cp_fail(err, CP_E_INTERNAL, "a record entry's \"proposal\" must be a string");
    json_t *copy = NULL;
    if (!json_object_get(entry, "at")) {
        char at[CP_RFC3339_MAX];
        cp_rfc3339_format(now, at);
        copy = json_copy((json_t *)entry); /* shallow: only the new key differs */
        if (!copy || json_object_set_new(copy, "at", json_string(at))) {
            json_decref(copy);
            return cp_fail(err, CP_E_NOMEM, "out of memory");
        }
    }
    *text = json_dumps(copy ? copy : entry, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(copy);
    if (!*text) return cp_fail(err, CP_E_INTERNAL, "a record entry could not be encoded (invalid UTF-8 or a NaN?)");
    if (strlen(*text) > ENTRY_MAX) {
        free(*text);
        *text = NULL;
        return cp_fail(err, CP_E_TOO_LARGE, "a record entry may not exceed %d bytes", ENTRY_MAX);
    }
    *type = json_string_value(t);
    *proposal = json_string_value(p);
    return CP_OK;
}

static cp_status append(cp_conn *c, const json_t *entry, const char *visible, int64_t sealed_until,
                        cp_record_receipt *out, cp_err *err)
{
    if (!cp_conn_in_tx(c)) return cp_fail(err, CP_E_INTERNAL, "record append outside a write transaction");
    int64_t now = cp_now_ms();
    char *text = NULL;
    const char *type = NULL, *proposal = NULL;
    cp_status st = canonical(entry, now, &text, &type, &proposal, err);
    if (st) return st;

    head_row h;
    cp_merkle_frontier f;
    new_nodes nn = {0};
    uint8_t sk[crypto_sign_SECRETKEYBYTES], leaf[CP_MERKLE_HASH], root[CP_MERKLE_HASH];
    char leaf_hex[65];
    int64_t idx = 0;
    if ((st = lock_audit_head(c, err))) goto out;
    if ((st = head_read(c, HEAD_LOCK, &h, err))) goto out;
    if ((st = frontier_load(&h, &f, err))) goto out;
    if ((st = ensure_key(c, sk, NULL, err))) goto out;
    idx = h.head.tree_size;
    cp_merkle_leaf_hash(text, strlen(text), leaf);
    cp_merkle_hex(leaf, leaf_hex);
    cp_merkle_frontier_push(&f, leaf, collect_node, &nn);
    cp_merkle_frontier_root(&f, root);
    if ((st = insert_entry(c, idx, now, type, proposal, leaf_hex, text, visible, sealed_until, err))) goto out;
    if ((st = insert_nodes(c, &nn, err))) goto out;

    h.head.tree_size = idx + 1;
    cp_merkle_hex(root, h.head.root_hash);
    frontier_text(&f, h.frontier);
    if (h.head.timestamp < now) h.head.timestamp = now; /* never earlier than the head it follows */
    sign_head(sk, &h.head);
    if ((st = head_write(c, &h, err))) goto out;

    char target[48];
    snprintf(target, sizeof target, "record:%" PRId64, idx);
    json_t *detail = json_pack("{sI ss ss ss?}", "index", (json_int_t)idx, "leaf_hash", leaf_hex, "type", type,
                               "proposal", proposal);
    if (sealed_until > 0) json_object_set_new(detail, "sealed_until", json_integer(sealed_until));
    st = cp_audit_append(c, "system", "record.append", target, detail, err);
    json_decref(detail);
    if (!st && out) {
        out->index = idx;
        memcpy(out->leaf_hash, leaf_hex, sizeof out->leaf_hash);
    }
out:
    sodium_memzero(sk, sizeof sk);
    free(text);
    return st;
}

cp_status cp_record_append(cp_conn *c, const json_t *entry, cp_record_receipt *out, cp_err *err)
{
    return append(c, entry, NULL, 0, out, err);
}

cp_status cp_record_append_sealed(cp_conn *c, const json_t *entry, const char *visible_to_member,
                                  int64_t sealed_until_ms, cp_record_receipt *out, cp_err *err)
{
    if (sealed_until_ms <= 0) return cp_fail(err, CP_E_INTERNAL, "a sealed record entry needs a time to unseal");
    return append(c, entry, visible_to_member, sealed_until_ms, out, err);
}

/* ---- reading ---- */

static cp_status current_size(cp_conn *c, int64_t *size, cp_err *err)
{
    head_row h;
    cp_status st = head_read(c, "SELECT " HEAD_COLUMNS " FROM record_head WHERE id = 1", &h, err);
    if (!st) *size = h.head.tree_size;
    return st;
}

/* One entry as a reader may see it: entry NULL when withheld; sealed_until -1 when not sealed. */
typedef void (*entry_row_fn)(void *ctx, int64_t index, const char *leaf_hash, const char *entry, int64_t sealed_until);

static cp_status entry_rows(cp_conn *c, const cp_record_reader *rd, int64_t start, int64_t end, entry_row_fn fn,
                            void *ctx, cp_err *err)
{
    if (start < 0 || end < 0) return cp_fail(err, CP_E_BAD_REQUEST, "start and end must be non-negative");
    if (start > end)
        return cp_fail(err, CP_E_BAD_REQUEST, "start (%" PRId64 ") is after end (%" PRId64 ")", start, end);
    int64_t size;
    cp_status st = current_size(c, &size, err);
    if (st) return st;
    if (start >= size)
        return cp_fail(err, CP_E_BAD_REQUEST, "start %" PRId64 " is beyond the tree (size %" PRId64 ")", start, size);
    if (end > size - 1) end = size - 1;
    if (end - start >= CP_RECORD_PAGE_MAX) end = start + CP_RECORD_PAGE_MAX - 1;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "SELECT idx, leaf_hash, entry, sealed_until, visible_to_member FROM record_entries"
                         " WHERE idx >= ? AND idx <= ? ORDER BY idx",
                         &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, start);
    cp_stmt_bind_int(s, 2, end);
    int64_t now = cp_now_ms();
    const char *me = rd && rd->member_id && rd->member_id[0] ? rd->member_id : NULL;
    cp_step step;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        bool sealed = !cp_stmt_col_is_null(s, 3) && now < cp_stmt_col_int(s, 3);
        const char *visible = cp_stmt_col_text(s, 4);
        bool may = !sealed || (rd && rd->auditor) || (me && visible && strcmp(me, visible) == 0);
        fn(ctx, cp_stmt_col_int(s, 0), cp_stmt_col_text(s, 1), may ? cp_stmt_col_text(s, 2) : NULL,
           sealed ? cp_stmt_col_int(s, 3) : -1);
    }
    st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static void row_to_json(void *ctx, int64_t index, const char *leaf_hash, const char *entry, int64_t sealed_until)
{
    json_t *item = json_pack("{sI ss}", "index", (json_int_t)index, "leaf_hash", leaf_hash);
    json_object_set_new(item, "entry", entry ? json_string(entry) : json_null());
    if (sealed_until >= 0) {
        char when[CP_RFC3339_MAX];
        cp_rfc3339_format(sealed_until, when);
        json_object_set_new(item, "sealed_until", json_string(when));
    }
    json_array_append_new(ctx, item);
}

cp_status cp_record_entries(cp_conn *c, const cp_record_reader *rd, int64_t start, int64_t end, json_t **items,
                            cp_err *err)
{
    json_t *arr = json_array();
    cp_status st = entry_rows(c, rd, start, end, row_to_json, arr, err);
    if (st) {
        json_decref(arr);
        arr = NULL;
    }
    *items = arr;
    return st;
}

static void row_to_writer(void *ctx, int64_t index, const char *leaf_hash, const char *entry, int64_t sealed_until)
{
    cp_jw *w = ctx;
    cp_jw_obj(w);
    cp_jw_key(w, "index");
    cp_jw_int(w, index);
    cp_jw_key(w, "leaf_hash");
    cp_jw_str(w, leaf_hash);
    cp_jw_key(w, "entry");
    cp_jw_str(w, entry); /* NULL writes null */
    if (sealed_until >= 0) {
        cp_jw_key(w, "sealed_until");
        cp_jw_time(w, sealed_until);
    }
    cp_jw_end_obj(w);
}

cp_status cp_record_entries_page(cp_conn *c, const cp_record_reader *rd, int64_t start, int64_t end, char **text,
                                 size_t *len, cp_err *err)
{
    *text = NULL;
    cp_jw w;
    cp_jw_init(&w);
    cp_jw_obj(&w);
    cp_jw_key(&w, "entries");
    cp_jw_arr(&w);
    cp_status st = entry_rows(c, rd, start, end, row_to_writer, &w, err);
    if (st) {
        cp_jw_free(&w);
        return st;
    }
    cp_jw_end_arr(&w);
    cp_jw_end_obj(&w);
    *text = cp_jw_finish(&w, len);
    return *text ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}

cp_status cp_record_scan(cp_conn *c, int64_t start, int64_t end, cp_record_scan_fn fn, void *ctx, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT idx, leaf_hash, entry FROM record_entries WHERE idx >= ? AND idx <= ? ORDER BY idx",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, start);
    cp_stmt_bind_int(s, 2, end);
    cp_step step;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        const char *entry = cp_stmt_col_text(s, 2);
        if (fn(ctx, cp_stmt_col_int(s, 0), cp_stmt_col_text(s, 1), entry, entry ? strlen(entry) : 0)) break;
    }
    st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_record_find_leaf(cp_conn *c, const char *leaf_hex, int64_t *index, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT idx FROM record_entries WHERE leaf_hash = ? ORDER BY idx LIMIT 1", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, leaf_hex);
    cp_step step = cp_stmt_step(s, err);
    if (step == CP_STEP_ROW) *index = cp_stmt_col_int(s, 0);
    else st = step == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no entry has the leaf hash %s", leaf_hex)
                                   : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

/* ---- proofs from the stored perfect subtrees ----
 * A proof is computed twice: once to learn which nodes it needs (the getter
 * records keys and returns zeros), then, after one query for all of them, for
 * real. ~2 log2(n) nodes at most, so one or two round trips per proof. */

#define NODES_MAX 200
#define IN_CHUNK 48 /* the placeholders of IN_SQL */

typedef struct {
    bool collect;
    int n;
    int64_t key[NODES_MAX];
    bool have[NODES_MAX];
    uint8_t hash[NODES_MAX][CP_MERKLE_HASH];
} node_set;

static int node_find(const node_set *ns, int64_t key)
{
    for (int i = 0; i < ns->n; i++)
        if (ns->key[i] == key) return i;
    return -1;
}

static void node_want(node_set *ns, int64_t key)
{
    if (node_find(ns, key) < 0 && ns->n < NODES_MAX) ns->key[ns->n++] = key;
}

static int node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_MERKLE_HASH])
{
    node_set *ns = ctx;
    int64_t key = cp_merkle_node_key(level, index);
    if (ns->collect) {
        node_want(ns, key);
        memset(out, 0, CP_MERKLE_HASH);
        return 0;
    }
    int i = node_find(ns, key);
    if (i < 0 || !ns->have[i]) return 1;
    memcpy(out, ns->hash[i], CP_MERKLE_HASH);
    return 0;
}

#define Q8 "?,?,?,?,?,?,?,?"
#define IN_SQL "SELECT k, hash FROM record_nodes WHERE k IN (" Q8 "," Q8 "," Q8 "," Q8 "," Q8 "," Q8 ")"

static cp_status node_fetch(cp_conn *c, node_set *ns, cp_err *err)
{
    const char *sql = IN_SQL;
    for (int from = 0; from < ns->n; from += IN_CHUNK) {
        cp_stmt *s;
        cp_status st = cp_stmt_prepare(c, sql, &s, err);
        if (st) return st;
        for (int i = 0; i < IN_CHUNK; i++) cp_stmt_bind_int(s, i + 1, from + i < ns->n ? ns->key[from + i] : -1);
        cp_step step;
        while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
            int i = node_find(ns, cp_stmt_col_int(s, 0));
            if (i >= 0 && cp_merkle_unhex(cp_stmt_col_text(s, 1), ns->hash[i])) ns->have[i] = true;
        }
        st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
        cp_stmt_finalize(s);
        if (st) return st;
    }
    for (int i = 0; i < ns->n; i++)
        if (!ns->have[i])
            return cp_fail(err, CP_E_STORE, "record node %" PRId64 " is missing or malformed (the store is damaged)",
                           ns->key[i]);
    return CP_OK;
}

static json_t *proof_json(uint8_t (*proof)[CP_MERKLE_HASH], size_t len)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < len; i++) {
        char hex[65];
        cp_merkle_hex(proof[i], hex);
        json_array_append_new(arr, json_string(hex));
    }
    return arr;
}

cp_status cp_record_inclusion(cp_conn *c, int64_t index, int64_t tree_size, char leaf_hex[CP_RECORD_HEX],
                              json_t **proof, cp_err *err)
{
    *proof = NULL;
    int64_t size;
    cp_status st = current_size(c, &size, err);
    if (st) return st;
    if (tree_size < 1) return cp_fail(err, CP_E_BAD_REQUEST, "size must be at least 1 (nothing is in the empty tree)");
    if (tree_size > size)
        return cp_fail(err, CP_E_BAD_REQUEST, "size %" PRId64 " is beyond the tree (size %" PRId64 ")", tree_size, size);
    if (index < 0 || index >= tree_size)
        return cp_fail(err, CP_E_BAD_REQUEST, "leaf %" PRId64 " is not in the tree of size %" PRId64, index, tree_size);
    static _Thread_local node_set ns; /* ~7 KB: off the small handler stacks */
    memset(&ns, 0, sizeof ns);
    uint8_t path[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t len;
    ns.collect = true;
    node_want(&ns, cp_merkle_node_key(0, (uint64_t)index)); /* the leaf itself */
    cp_merkle_inclusion_proof(node_get, &ns, (uint64_t)index, (uint64_t)tree_size, path, &len);
    if ((st = node_fetch(c, &ns, err))) return st;
    ns.collect = false;
    if (cp_merkle_inclusion_proof(node_get, &ns, (uint64_t)index, (uint64_t)tree_size, path, &len))
        return cp_fail(err, CP_E_STORE, "record nodes are missing (the store is damaged)");
    cp_merkle_hex(ns.hash[0], leaf_hex);
    *proof = proof_json(path, len);
    return CP_OK;
}

cp_status cp_record_consistency(cp_conn *c, int64_t first, int64_t second, json_t **proof, cp_err *err)
{
    *proof = NULL;
    int64_t size;
    cp_status st = current_size(c, &size, err);
    if (st) return st;
    if (first < 1)
        return cp_fail(err, CP_E_BAD_REQUEST, "first must be at least 1 (every tree extends the empty tree; no proof is needed)");
    if (first > second)
        return cp_fail(err, CP_E_BAD_REQUEST, "first (%" PRId64 ") is larger than second (%" PRId64 ")", first, second);
    if (second > size)
        return cp_fail(err, CP_E_BAD_REQUEST, "second %" PRId64 " is beyond the tree (size %" PRId64 ")", second, size);
    static _Thread_local node_set ns;
    memset(&ns, 0, sizeof ns);
    uint8_t path[CP_MERKLE_MAX_PROOF][CP_MERKLE_HASH];
    size_t len;
    ns.collect = true;
    cp_merkle_consistency_proof(node_get, &ns, (uint64_t)first, (uint64_t)second, path, &len);
    if ((st = node_fetch(c, &ns, err))) return st;
    ns.collect = false;
    if (cp_merkle_consistency_proof(node_get, &ns, (uint64_t)first, (uint64_t)second, path, &len))
        return cp_fail(err, CP_E_STORE, "record nodes are missing (the store is damaged)");
    *proof = proof_json(path, len);
    return CP_OK;
}

cp_status cp_record_root_at(cp_conn *c, int64_t tree_size, char root_hex[CP_RECORD_HEX], cp_err *err)
{
    int64_t size;
    cp_status st = current_size(c, &size, err);
    if (st) return st;
    if (tree_size < 0 || tree_size > size)
        return cp_fail(err, CP_E_BAD_REQUEST, "size %" PRId64 " is beyond the tree (size %" PRId64 ")", tree_size, size);
    uint8_t root[CP_MERKLE_HASH];
    if (tree_size == 0) {
        cp_merkle_empty_root(root);
    } else {
        static _Thread_local node_set ns;
        memset(&ns, 0, sizeof ns);
        ns.collect = true;
        cp_merkle_range_root(node_get, &ns, 0, (uint64_t)tree_size, root);
        if ((st = node_fetch(c, &ns, err))) return st;
        ns.collect = false;
        if (cp_merkle_range_root(node_get, &ns, 0, (uint64_t)tree_size, root))
            return cp_fail(err, CP_E_STORE, "record nodes are missing (the store is damaged)");
    }
    cp_merkle_hex(root, root_hex);
    return CP_OK;
}

/* ---- checking the stored subtree hashes ---- */

typedef struct {
    uint8_t (*hash)[CP_MERKLE_HASH];
    uint8_t *have;
    uint64_t cap;
    cp_merkle_frontier f;
    bool bad_leaf;
    int64_t bad_index;
} node_check;

static void keep_node(void *ctx, unsigned level, uint64_t index, const uint8_t h[CP_MERKLE_HASH])
{
    node_check *nc = ctx;
    int64_t k = cp_merkle_node_key(level, index);
    if (k >= 0 && (uint64_t)k < nc->cap) {
        memcpy(nc->hash[k], h, CP_MERKLE_HASH);
        nc->have[k] = 1;
    }
}

static int push_leaf(void *ctx, int64_t index, const char *leaf_hash, const char *entry, size_t len)
{
    (void)entry;
    (void)len;
    node_check *nc = ctx;
    uint8_t h[CP_MERKLE_HASH];
    if ((uint64_t)index != nc->f.size || !cp_merkle_unhex(leaf_hash, h)) {
        nc->bad_leaf = true;
        nc->bad_index = (int64_t)nc->f.size;
        return 1;
    }
    cp_merkle_frontier_push(&nc->f, h, keep_node, nc);
    return 0;
}

cp_status cp_record_check_nodes(cp_conn *c, int64_t size, int64_t *checked, char *problem, size_t cap, cp_err *err)
{
    *checked = 0;
    problem[0] = 0;
    if (size > CP_RECORD_NODES_CHECK_MAX)
        return cp_fail(err, CP_E_TOO_LARGE, "the subtree check holds at most %d entries in memory",
                       CP_RECORD_NODES_CHECK_MAX);
    node_check nc = {0};
    nc.cap = 2 * (uint64_t)size + 2;
    nc.hash = malloc(nc.cap * CP_MERKLE_HASH);
    nc.have = calloc(nc.cap, 1);
    cp_merkle_frontier_init(&nc.f);
    cp_status st = CP_OK;
    if (!nc.hash || !nc.have) {
        st = cp_fail(err, CP_E_NOMEM, "out of memory for the subtree check");
        goto out;
    }
    if (size > 0 && (st = cp_record_scan(c, 0, size - 1, push_leaf, &nc, err))) goto out;
    if (nc.bad_leaf || nc.f.size != (uint64_t)size) {
        snprintf(problem, cap, "entry %" PRId64 " is missing or has a malformed leaf hash", nc.bad_leaf ? nc.bad_index : (int64_t)nc.f.size);
        goto out;
    }
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c, "SELECT k, hash FROM record_nodes ORDER BY k", &s, err))) goto out;
    cp_step step;
    while ((step = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        int64_t k = cp_stmt_col_int(s, 0);
        uint8_t h[CP_MERKLE_HASH];
        if (k < 0 || (uint64_t)k >= nc.cap || !nc.have[k]) continue; /* nodes of entries appended since */
        (*checked)++;
        nc.have[k] = 2;
        if (!cp_merkle_unhex(cp_stmt_col_text(s, 1), h) || memcmp(h, nc.hash[k], CP_MERKLE_HASH) != 0) {
            if (!problem[0]) snprintf(problem, cap, "stored subtree hash %" PRId64 " differs from the one recomputed from the leaves (proofs using it would fail)", k);
        }
    }
    st = step == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) goto out;
    for (uint64_t k = 0; k < nc.cap && !problem[0]; k++)
        if (nc.have[k] == 1) snprintf(problem, cap, "stored subtree hash %" PRIu64 " is missing", k);
    head_row h;
    if ((st = head_read(c, "SELECT " HEAD_COLUMNS " FROM record_head WHERE id = 1", &h, err))) goto out;
    if (h.head.tree_size == size && !problem[0]) {
        char text[sizeof h.frontier];
        frontier_text(&nc.f, text);
        if (strcmp(text, h.frontier) != 0)
            snprintf(problem, cap, "the head's frontier differs from the tree's right edge (the next append would sign a wrong root)");
    }
out:
    free(nc.hash);
    free(nc.have);
    return st;
}
