#include "governance/record_verify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "governance/recheck.h"

cp_gov_recheck_fn cp_gov_recheck_hook = NULL;

void cp_record_check_init(cp_record_check *k, bool keep_entries)
{
    memset(k, 0, sizeof *k);
    cp_merkle_frontier_init(&k->frontier);
    k->want_size = -1;
    k->entries = keep_entries ? json_array() : NULL;
}

void cp_record_check_free(cp_record_check *k)
{
    json_decref(k->entries);
    k->entries = NULL;
}

void cp_record_check_want_root(cp_record_check *k, int64_t size)
{
    k->want_size = size;
    k->want_root[0] = 0;
    if (size == 0) {
        uint8_t r[CP_MERKLE_HASH];
        cp_merkle_empty_root(r);
        cp_merkle_hex(r, k->want_root);
    } else if (size > 0 && size <= k->next) {
        cp_record_check_problem(k, "internal: root at size %" PRId64 " asked for after it was passed", size);
    }
}

void cp_record_check_problem(cp_record_check *k, const char *fmt, ...)
{
    if (k->problems < CP_RECORD_PROBLEMS_KEPT) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(k->problem[k->problems], sizeof k->problem[0], fmt, ap);
        va_end(ap);
    }
    k->problems++;
}

static void fold(cp_record_check *k, const uint8_t leaf[CP_MERKLE_HASH])
{
    cp_merkle_frontier_push(&k->frontier, leaf, NULL, NULL);
    k->next++;
    if (k->next == k->want_size) cp_record_check_root(k, k->want_root);
}

void cp_record_check_add(cp_record_check *k, int64_t index, const char *leaf_hash, const char *entry, size_t len)
{
    if (index != k->next) {
        if (index > k->next)
            cp_record_check_problem(k, "entry %" PRId64 " is missing (the next one served is %" PRId64 ")", k->next,
                                    index);
        else
            cp_record_check_problem(k, "entry %" PRId64 " is served again or out of order (expected %" PRId64 ")",
                                    index, k->next);
        /* go on as if it were the expected one: one gap is one problem, not thousands, and a
         * hostile index (2^60) costs nothing; the head's size and root will differ anyway */
        if (index < k->next) return;
    }
    uint8_t served[CP_MERKLE_HASH], leaf[CP_MERKLE_HASH];
    bool served_ok = leaf_hash && cp_merkle_unhex(leaf_hash, served);
    if (!served_ok) cp_record_check_problem(k, "entry %" PRId64 ": the leaf hash served is not 64 hex digits", index);
    if (entry) {
        k->revealed++;
        cp_merkle_leaf_hash(entry, len, leaf);
        if (served_ok && memcmp(leaf, served, CP_MERKLE_HASH) != 0)
            cp_record_check_problem(k,
                                    "entry %" PRId64 ": its bytes do not hash to its leaf hash (the entry was altered)",
                                    index);
        if (k->entries) {
            json_t *parsed = json_loadb(entry, len, 0, NULL);
            if (!json_is_object(parsed)) {
                cp_record_check_problem(k, "entry %" PRId64 " is not a JSON object", index);
                json_decref(parsed);
                parsed = json_null();
            }
            json_array_append_new(k->entries, parsed);
        }
    } else {
        k->withheld++;
        if (served_ok) memcpy(leaf, served, CP_MERKLE_HASH);
        else memset(leaf, 0, CP_MERKLE_HASH);
        if (k->entries) json_array_append_new(k->entries, json_null());
    }
    fold(k, leaf);
}

void cp_record_check_item(cp_record_check *k, const json_t *item)
{
    json_t *idx = json_object_get(item, "index"), *entry = json_object_get(item, "entry");
    if (!json_is_object(item) || !json_is_integer(idx) || json_integer_value(idx) < 0) {
        cp_record_check_problem(k, "an item after entry %" PRId64 " has no valid \"index\"", k->next - 1);
        return;
    }
    if (entry && !json_is_string(entry) && !json_is_null(entry)) {
        cp_record_check_problem(k, "entry %" PRId64 ": \"entry\" must be the entry's text or null",
                                (int64_t)json_integer_value(idx));
        entry = NULL;
    }
    cp_record_check_add(k, (int64_t)json_integer_value(idx), json_string_value(json_object_get(item, "leaf_hash")),
                        json_string_value(entry), json_string_length(entry));
}

void cp_record_check_root(const cp_record_check *k, char out[CP_RECORD_HEX])
{
    uint8_t r[CP_MERKLE_HASH];
    cp_merkle_frontier_root(&k->frontier, r);
    cp_merkle_hex(r, out);
}

void cp_record_check_head(cp_record_check *k, const cp_record_head *h, const char *pub_hex)
{
    if (h->tree_size != k->next)
        cp_record_check_problem(k, "the tree head says %" PRId64 " entries but %" PRId64 " were served", h->tree_size,
                                k->next);
    char root[CP_RECORD_HEX];
    cp_record_check_root(k, root);
    if (h->tree_size == k->next && strcmp(root, h->root_hash) != 0)
        cp_record_check_problem(k, "the root recomputed from the entries (%.16s...) differs from the tree head's (%.16s...)",
                                root, h->root_hash);
    if (pub_hex && !cp_record_head_verify(h, pub_hex))
        cp_record_check_problem(k, "the tree head's signature does not verify with the public key %.16s...", pub_hex);
}

bool cp_record_receipt_parse(const json_t *j, cp_record_receipt *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    json_t *idx = json_object_get(j, "index");
    const char *leaf = json_string_value(json_object_get(j, "leaf_hash"));
    uint8_t h[CP_MERKLE_HASH];
    if (!json_is_object(j)) return snprintf(why, cap, "a receipt must be a JSON object"), false;
    if (!json_is_integer(idx) || json_integer_value(idx) < 0)
        return snprintf(why, cap, "a receipt needs \"index\", a non-negative integer"), false;
    if (!cp_merkle_unhex(leaf, h)) return snprintf(why, cap, "a receipt needs \"leaf_hash\", 64 hex digits"), false;
    out->index = (int64_t)json_integer_value(idx);
    cp_merkle_hex(h, out->leaf_hash);
    return true;
}

static int64_t opt_int(const json_t *o, const char *name, bool *bad)
{
    json_t *v = json_object_get(o, name);
    if (!v) return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *bad = true;
        return -1;
    }
    return (int64_t)json_integer_value(v);
}

bool cp_record_proof_parse(const char *body, size_t len, cp_record_proof *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    json_error_t e;
    json_t *j = json_loadb(body, len, 0, &e);
    bool ok = false;
    if (!j) {
        snprintf(why, cap, "the proof is not JSON (%s at byte %d)", e.text, e.position);
        return false;
    }
    json_t *proof = json_object_get(j, "proof");
    json_t *leaf = json_object_get(j, "leaf_hash");
    bool bad = false;
    if (!json_is_object(j)) {
        snprintf(why, cap, "the proof must be a JSON object");
        goto out;
    }
    out->leaf_index = opt_int(j, "leaf_index", &bad);
    out->tree_size = opt_int(j, "tree_size", &bad);
    out->first = opt_int(j, "first", &bad);
    out->second = opt_int(j, "second", &bad);
    if (bad) {
        snprintf(why, cap, "leaf_index, tree_size, first and second must be non-negative integers");
        goto out;
    }
    if (leaf) {
        uint8_t h[CP_MERKLE_HASH];
        if (!cp_merkle_unhex(json_string_value(leaf), h)) {
            snprintf(why, cap, "leaf_hash must be 64 hex digits");
            goto out;
        }
        cp_merkle_hex(h, out->leaf_hash);
    }
    if (!json_is_array(proof)) {
        snprintf(why, cap, "\"proof\" must be an array of hex hashes");
        goto out;
    }
    if (json_array_size(proof) > CP_MERKLE_MAX_PROOF) {
        snprintf(why, cap, "\"proof\" has %zu hashes; at most %d are possible", json_array_size(proof),
                 CP_MERKLE_MAX_PROOF);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(proof); i++)
        if (!cp_merkle_unhex(json_string_value(json_array_get(proof, i)), out->path[i])) {
            snprintf(why, cap, "proof[%zu] is not 64 hex digits", i);
            goto out;
        }
    out->len = json_array_size(proof);
    ok = true;
out:
    json_decref(j);
    return ok;
}
