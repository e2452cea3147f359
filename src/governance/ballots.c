/*
 * ballots.c — casting, listing, and delegates' keys (ballots.h).
 */
#include "governance/ballots.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/gov_db.h"
#include "governance/proposals.h"
#include "governance/proxies.h"
#include "governance/record.h"
#include "governance/tally.h"
#include "governance/voters.h"

size_t cp_gov_ballot_canonical(const char *proposal, int round, const char *member, const char *cast_by,
                               const char *choice, int64_t change, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "cyberpact-ballot-v1\nproposal=%s\nround=%d\nmember=%s\ncast_by=%s\nchoice=%s\nchange=%lld\n",
                     proposal, round, member, cast_by, choice, (long long)change);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static bool hex_decode(const char *hex, unsigned char *out, size_t n)
{
    if (!hex || strlen(hex) != 2 * n) return false;
    size_t bin_len = 0;
    return sodium_hex2bin(out, n, hex, 2 * n, NULL, &bin_len, NULL) == 0 && bin_len == n;
}

/* Verifies sig over msg with key_id (or any active key of the actor's user);
 * *used receives the key's id. */
static cp_status verify_signature(cp_conn *c, const cp_actor *a, const char *key_id, const char *sig_hex, const char *msg,
                                  size_t len, char used[CP_UUID_LEN + 1], cp_err *err)
{
    unsigned char sig[crypto_sign_BYTES];
    if (!hex_decode(sig_hex, sig, sizeof sig))
        return cp_fail(err, CP_E_BAD_REQUEST, "body.signature: must be %d hex characters (an Ed25519 signature)",
                       2 * crypto_sign_BYTES);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, public_key FROM gov_keys WHERE user_id = ? AND revoked_at IS NULL"
                                   " AND (CAST(? AS TEXT) IS NULL OR id = ?) ORDER BY created_at",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, a->user_id);
    cp_stmt_bind_text(s, 2, key_id);
    cp_stmt_bind_text(s, 3, key_id);
    cp_step r;
    bool any = false, ok = false;
    while (!ok && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        any = true;
        if (hex_decode(cp_stmt_col_text(s, 1), pk, sizeof pk) &&
            crypto_sign_verify_detached(sig, (const unsigned char *)msg, len, pk) == 0) {
            ok = true;
            snprintf(used, CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
        }
    }
    st = !ok && r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) return st;
    if (!any)
        return cp_fail(err, CP_E_UNPROCESSABLE, key_id ? "body.key_id: no such active key of yours"
                                                       : "body.signature: you have no registered key (POST /api/v1/governance/keys)");
    if (!ok)
        return cp_fail(err, CP_E_UNPROCESSABLE,
                       "body.signature: does not verify over the ballot's canonical form with your registered key"
                       " (docs/governance.md, \"Signed ballots\")");
    return CP_OK;
}

/* Locks the proposal (its ballot counter) and returns the new seq. */
static cp_status lock_proposal(cp_conn *c, const char *proposal, int64_t *seq, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "UPDATE gov_proposals SET ballot_seq = ballot_seq + 1 WHERE id = ? AND status = 'open'"
                                      " RETURNING ballot_seq",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, proposal);
    cp_step r = cp_stmt_step(s, err);
    *seq = r == CP_STEP_ROW ? cp_stmt_col_int(s, 0) : 0;
    while (r == CP_STEP_ROW) r = cp_stmt_step(s, err);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

static cp_status count_ballots(cp_conn *c, const char *proposal, int round, const char *member, const char *cast_by,
                               int64_t *n, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT COUNT(*) FROM gov_ballots WHERE proposal_id = ? AND round = ? AND member_id = ?"
                                   " AND (CAST(? AS TEXT) IS NULL OR cast_by = ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, proposal);
    cp_stmt_bind_int(s, 2, round);
    cp_stmt_bind_text(s, 3, member);
    cp_stmt_bind_text(s, 4, cast_by);
    cp_stmt_bind_text(s, 5, cast_by);
    cp_step r = cp_stmt_step(s, err);
    *n = r == CP_STEP_ROW ? cp_stmt_col_int(s, 0) : 0;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

typedef struct {
    const char *choice, *member, *sig, *key_id;
    cp_choice ch;
} cast_in;

static cp_status cast_locked(cp_conn *c, const cp_actor *a, const char *proposal, const cast_in *ci, int64_t now,
                             json_t **out, cp_err *err)
{
    int64_t seq;
    cp_status st = lock_proposal(c, proposal, &seq, err);
    if (st) return st;
    cp_gov_proposal p;
    if ((st = cp_gov_proposal_load(c, proposal, &p, err))) return st;
    if (seq == 0) return cp_fail(err, CP_E_CONFLICT, "the proposal is %s; ballots are taken only while it is open", p.status);
    if (now < p.opens_at) return cp_fail(err, CP_E_CONFLICT, "voting on this proposal has not started yet");
    if (now >= p.closes_at) return cp_fail(err, CP_E_CONFLICT, "voting on this proposal has closed");
    if (!cp_choice_allowed(p.rule, ci->ch))
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.choice: '%s' is not a choice under the %s rule (%s)", ci->choice,
                       cp_rule_name(p.rule), p.rule == CP_RULE_CONSENSUS ? "yes, abstain or object" : "yes, no or abstain");
    const char *member = ci->member, *by = a->member_id;
    bool proxy = strcmp(member, by) != 0;
    char proxy_id[64] = "";
    cp_gov_voter_status vs;
    if (proxy) {
        bool found;
        if ((st = cp_gov_proxy_find(c, proposal, member, by, now, proxy_id, &found, err))) return st;
        if (!found) return cp_fail(err, CP_E_FORBIDDEN, "your member holds no proxy of member %.40s for this proposal", member);
        int64_t own;
        if ((st = count_ballots(c, proposal, p.round, member, member, &own, err))) return st;
        if (own) return cp_fail(err, CP_E_CONFLICT, "member %.40s has voted itself on this proposal, which cancels its proxy", member);
        if ((st = cp_gov_voter_check(c, p.body, by, now, &vs, err))) return st;
        if (!vs.eligible) return cp_fail(err, CP_E_FORBIDDEN, "your member may not hold a proxy now: %s", vs.reason);
    }
    if ((st = cp_gov_voter_check(c, p.body, member, now, &vs, err))) return st;
    if (!vs.eligible)
        return cp_fail(err, CP_E_FORBIDDEN, "%s may not vote on this proposal now: %s", proxy ? "that member" : "your member",
                       vs.reason);
    int64_t change;
    if ((st = count_ballots(c, proposal, p.round, member, by, &change, err))) return st;
    change++;
    char canon[CP_BALLOT_CANONICAL_MAX], key_used[CP_UUID_LEN + 1] = "";
    size_t clen = cp_gov_ballot_canonical(proposal, p.round, member, by, ci->choice, change, canon, sizeof canon);
    if (!clen) return cp_fail(err, CP_E_INTERNAL, "ballot canonical form too long");
    if (ci->sig && (st = verify_signature(c, a, ci->key_id, ci->sig, canon, clen, key_used, err))) return st;

    char at[40];
    json_t *t = gov_time(now, false);
    snprintf(at, sizeof at, "%s", json_string_value(t));
    json_decref(t);
    json_t *e = json_pack("{ss ss ss sI ss ss ss sI sI}", "type", "ballot", "at", at, "proposal", proposal, "round",
                          (json_int_t)p.round, "member", member, "cast_by", by, "choice", ci->choice, "seq", (json_int_t)seq,
                          "change", (json_int_t)change);
    if (ci->sig) {
        cp_stmt *ks;
        if ((st = cp_stmt_prepare(c, "SELECT public_key FROM gov_keys WHERE id = ?", &ks, err))) {
            json_decref(e);
            return st;
        }
        cp_stmt_bind_text(ks, 1, key_used);
        if (cp_stmt_step(ks, err) == CP_STEP_ROW) json_object_set_new(e, "public_key", json_string(cp_stmt_col_text(ks, 0)));
        cp_stmt_finalize(ks);
        json_object_set_new(e, "signature", json_string(ci->sig));
    }
    cp_record_receipt rc;
    st = p.public_ballots ? cp_record_append(c, e, &rc, err) : cp_record_append_sealed(c, e, by, p.closes_at, &rc, err);
    json_decref(e);
    if (st) return st;

    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    json_t *elig = json_pack("{sb ss}", "eligible", true, "reason", vs.reason);
    char *elig_text = json_dumps(elig, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(elig);
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "INSERT INTO gov_ballots (id, proposal_id, round, seq, member_id, cast_by, proxy_id, user_id, choice,"
                         " change, signature, key_id, eligibility, record_index, leaf_hash, cast_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, proposal);
        cp_stmt_bind_int(s, 3, p.round);
        cp_stmt_bind_int(s, 4, seq);
        cp_stmt_bind_text(s, 5, member);
        cp_stmt_bind_text(s, 6, by);
        cp_stmt_bind_text(s, 7, proxy ? proxy_id : NULL);
        cp_stmt_bind_text(s, 8, a->user_id[0] ? a->user_id : a->label);
        cp_stmt_bind_text(s, 9, ci->choice);
        cp_stmt_bind_int(s, 10, change);
        cp_stmt_bind_text(s, 11, ci->sig);
        cp_stmt_bind_text(s, 12, ci->sig ? key_used : NULL);
        cp_stmt_bind_text(s, 13, elig_text);
        cp_stmt_bind_int(s, 14, rc.index);
        cp_stmt_bind_text(s, 15, rc.leaf_hash);
        cp_stmt_bind_int(s, 16, now);
        st = gov_run(s, err);
    }
    free(elig_text);
    if (st) return st;
    char target[64];
    snprintf(target, sizeof target, "gov_proposal:%.40s", proposal);
    /* the choice stays out of the audit log: it is in the record, sealed when secret */
    json_t *detail = json_pack("{ss ss ss sI sI}", "ballot", id, "member", member, "cast_by", by, "seq", (json_int_t)seq,
                               "record_index", (json_int_t)rc.index);
    st = cp_audit_append(c, a->label, "gov.ballot.cast", target, detail, err);
    json_decref(detail);
    if (st) return st;
    *out = json_pack("{ss ss sI ss ss ss sI sI ss sb so ss s{sI ss}}", "id", id, "proposal_id", proposal, "round",
                     (json_int_t)p.round, "member_id", member, "cast_by", by, "choice", ci->choice, "seq", (json_int_t)seq,
                     "change", (json_int_t)change, "cast_at", at, "signed", ci->sig != NULL, "key_id",
                     ci->sig ? json_string(key_used) : json_null(), "eligibility", vs.reason, "receipt", "index",
                     (json_int_t)rc.index, "leaf_hash", rc.leaf_hash);
    return CP_OK;
}

cp_status cp_gov_ballot_cast(cp_conn *c, const cp_actor *a, const char *proposal, const json_t *in, json_t **out,
                             cp_err *err)
{
    static const cp_jfield F[] = {{"choice", CP_JT_STRING, true, 16},
                                  {"member_id", CP_JT_STRING, false, 64},
                                  {"signature", CP_JT_STRING, false, 256},
                                  {"key_id", CP_JT_STRING, false, 64}};
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    cast_in ci = {cp_json_str(in, "choice"), cp_json_str(in, "member_id"), cp_json_str(in, "signature"),
                  cp_json_str(in, "key_id"), 0};
    int ch = cp_choice_parse(ci.choice);
    if (ch < 0) return cp_fail(err, CP_E_BAD_REQUEST, "body.choice: must be yes, no, abstain or object");
    ci.ch = (cp_choice)ch;
    if (!ci.member) ci.member = a->member_id;
    if (!cp_uuid_valid(ci.member)) return cp_fail(err, CP_E_BAD_REQUEST, "body.member_id: must be a member id (UUID)");
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    st = cast_locked(c, a, proposal, &ci, cp_now_ms(), out, err);
    st = gov_tx_close(c, own, st, err);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_gov_ballot_list(cp_conn *c, const char *proposal, const char *member, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_gov_proposal p;
    cp_status st = cp_gov_proposal_load(c, proposal, &p, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT b.id, b.seq, b.member_id, m.name, b.cast_by, b.choice, b.change, b.signature, b.key_id,"
                              " b.record_index, b.leaf_hash, b.cast_at FROM gov_ballots b LEFT JOIN members m ON m.id = b.member_id"
                              " WHERE b.proposal_id = ? AND b.round = ? AND (CAST(? AS TEXT) IS NULL OR b.member_id = ? OR b.cast_by = ?)"
                              " ORDER BY b.seq",
                              &s, err)))
        return st;
    cp_stmt_bind_text(s, 1, proposal);
    cp_stmt_bind_int(s, 2, p.round);
    cp_stmt_bind_text(s, 3, member);
    cp_stmt_bind_text(s, 4, member);
    cp_stmt_bind_text(s, 5, member);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        json_t *o = json_pack("{ss sI sI ss ss ss ss sI so so s{sI ss} so}", "id", cp_stmt_col_text(s, 0), "round",
                              (json_int_t)p.round, "seq", (json_int_t)cp_stmt_col_int(s, 1), "member_id",
                              cp_stmt_col_text(s, 2), "member_name", cp_stmt_col_is_null(s, 3) ? "" : cp_stmt_col_text(s, 3),
                              "cast_by", cp_stmt_col_text(s, 4), "choice", cp_stmt_col_text(s, 5), "change",
                              (json_int_t)cp_stmt_col_int(s, 6), "signature",
                              cp_stmt_col_is_null(s, 7) ? json_null() : json_string(cp_stmt_col_text(s, 7)), "key_id",
                              cp_stmt_col_is_null(s, 8) ? json_null() : json_string(cp_stmt_col_text(s, 8)), "receipt",
                              "index", (json_int_t)cp_stmt_col_int(s, 9), "leaf_hash", cp_stmt_col_text(s, 10), "cast_at",
                              gov_time(cp_stmt_col_int(s, 11), false));
        json_array_append_new(*items, o);
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* --- keys --- */

static json_t *key_json(cp_stmt *s)
{
    return json_pack("{ss ss ss ss so so so}", "id", cp_stmt_col_text(s, 0), "user_id", cp_stmt_col_text(s, 1), "member_id",
                     cp_stmt_col_text(s, 2), "public_key", cp_stmt_col_text(s, 3), "label",
                     cp_stmt_col_is_null(s, 4) ? json_null() : json_string(cp_stmt_col_text(s, 4)), "created_at",
                     gov_time(cp_stmt_col_int(s, 5), false), "revoked_at",
                     gov_time(cp_stmt_col_int(s, 6), cp_stmt_col_is_null(s, 6)));
}

#define KCOLS "id, user_id, member_id, public_key, label, created_at, revoked_at"

static cp_status key_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " KCOLS " FROM gov_keys WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = key_json(s);
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no such key") : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_key_register(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {{"public_key", CP_JT_STRING, true, 64}, {"label", CP_JT_STRING, false, 200}};
    *out = NULL;
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    const char *hex = cp_json_str(in, "public_key");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return cp_fail(err, CP_E_BAD_REQUEST, "body.public_key: must be 64 lower-case hex characters");
    if (!hex_decode(hex, pk, sizeof pk) || crypto_core_ed25519_is_valid_point(pk) != 1)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.public_key: must be 64 hex characters encoding an Ed25519 public key");
    if (!a->user_id[0]) return cp_fail(err, CP_E_UNPROCESSABLE, "keys belong to users; this actor is not a user");
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "INSERT INTO gov_keys (id, user_id, member_id, public_key, label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, a->user_id);
        cp_stmt_bind_text(s, 3, a->member_id);
        cp_stmt_bind_text(s, 4, hex);
        cp_stmt_bind_text(s, 5, cp_json_str(in, "label"));
        cp_stmt_bind_int(s, 6, cp_now_ms());
        st = gov_run(s, err);
    }
    if (!st) {
        json_t *d = json_pack("{ss ss}", "key", id, "public_key", hex);
        char target[64];
        snprintf(target, sizeof target, "user:%.40s", a->user_id);
        st = cp_audit_append(c, a->label, "gov.key.register", target, d, err);
        json_decref(d);
    }
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return key_get(c, id, out, err);
}

cp_status cp_gov_key_list(cp_conn *c, const char *user, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " KCOLS " FROM gov_keys WHERE (CAST(? AS TEXT) IS NULL OR user_id = ?)"
                                      " ORDER BY created_at LIMIT 2000",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, user);
    cp_stmt_bind_text(s, 2, user);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) json_array_append_new(*items, key_json(s));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_key_revoke(cp_conn *c, const cp_actor *a, const char *key, bool any_user, json_t **out, cp_err *err)
{
    *out = NULL;
    bool own;
    cp_status st = gov_tx_open(c, &own, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "UPDATE gov_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
                            " AND (CAST(? AS BIGINT) = 1 OR user_id = ?)",
                         &s, err);
    if (!st) {
        cp_stmt_bind_int(s, 1, cp_now_ms());
        cp_stmt_bind_text(s, 2, key);
        cp_stmt_bind_int(s, 3, any_user ? 1 : 0);
        cp_stmt_bind_text(s, 4, a->user_id);
        cp_step r = cp_stmt_step(s, err);
        st = r == CP_STEP_ERROR ? cp_stmt_status(s)
             : cp_stmt_changes(s) == 0 ? cp_fail(err, CP_E_NOT_FOUND, "no such active key of yours") : CP_OK;
        cp_stmt_finalize(s);
    }
    if (!st) {
        json_t *d = json_pack("{ss}", "key", key);
        st = cp_audit_append(c, a->label, "gov.key.revoke", "gov_keys", d, err);
        json_decref(d);
    }
    if ((st = gov_tx_close(c, own, st, err))) return st;
    return key_get(c, key, out, err);
}
