/*
 * eligibility.c — the installed eligibility source, and the placeholder source
 * of recorded arrears, exemptions and clearances (eligibility.h).
 */
#include "governance/eligibility.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "governance/gov_db.h"

static cp_status placeholder_right(void *ctx, cp_conn *c, const char *member_id, int64_t at_ms, cp_vote_right *out,
                                   cp_err *err)
{
    (void)ctx;
    memset(out, 0, sizeof *out);
    out->has_right = true;
    out->arrears = out->threshold = -1;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT state, reason, arrears, threshold, currency FROM gov_eligibility"
                                   " WHERE member_id = ? AND from_at <= ? AND (until_at IS NULL OR until_at > ?)"
                                   " ORDER BY seq DESC, created_at DESC, id DESC LIMIT 1",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    cp_stmt_bind_int(s, 2, at_ms);
    cp_stmt_bind_int(s, 3, at_ms);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        const char *state = cp_stmt_col_text(s, 0);
        out->has_right = strcmp(state, "arrears") != 0;
        snprintf(out->reason, sizeof out->reason, "%s: %s", state, cp_stmt_col_text(s, 1));
        if (!cp_stmt_col_is_null(s, 2)) out->arrears = cp_stmt_col_int(s, 2);
        if (!cp_stmt_col_is_null(s, 3)) out->threshold = cp_stmt_col_int(s, 3);
        if (!cp_stmt_col_is_null(s, 4)) snprintf(out->currency, sizeof out->currency, "%s", cp_stmt_col_text(s, 4));
    } else if (r == CP_STEP_DONE) {
        snprintf(out->reason, sizeof out->reason, "no arrears recorded");
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

const cp_eligibility_source cp_eligibility_placeholder = {"placeholder", placeholder_right, NULL, NULL};

static const cp_eligibility_source *installed = &cp_eligibility_placeholder;

void cp_eligibility_install(const cp_eligibility_source *src) { installed = src ? src : &cp_eligibility_placeholder; }

const cp_eligibility_source *cp_eligibility_current(void) { return installed; }

cp_status cp_eligibility_right_to_vote(cp_conn *c, const char *member_id, int64_t at_ms, cp_vote_right *out, cp_err *err)
{
    const cp_eligibility_source *src = installed;
    return src->right_to_vote(src->ctx, c, member_id, at_ms, out, err);
}

cp_status cp_eligibility_rights_to_vote(cp_conn *c, const char *const *ids, size_t n, int64_t at_ms,
                                        cp_vote_right *out, cp_err *err)
{
    const cp_eligibility_source *src = installed;
    if (src->rights_to_vote) return src->rights_to_vote(src->ctx, c, ids, n, at_ms, out, err);
    for (size_t i = 0; i < n; i++) {
        cp_status st = src->right_to_vote(src->ctx, c, ids[i], at_ms, &out[i], err);
        if (st) return st;
    }
    return CP_OK;
}

static json_t *row_json(cp_stmt *s)
{
    json_t *o = json_pack("{ss ss ss ss so so ss so}", "id", cp_stmt_col_text(s, 0), "member_id", cp_stmt_col_text(s, 1),
                          "state", cp_stmt_col_text(s, 2), "reason", cp_stmt_col_text(s, 3), "from",
                          gov_time(cp_stmt_col_int(s, 4), false), "until",
                          gov_time(cp_stmt_col_int(s, 5), cp_stmt_col_is_null(s, 5)), "recorded_by",
                          cp_stmt_col_text(s, 9), "recorded_at", gov_time(cp_stmt_col_int(s, 10), false));
    json_object_set_new(o, "arrears", cp_stmt_col_is_null(s, 6) ? json_null() : json_integer(cp_stmt_col_int(s, 6)));
    json_object_set_new(o, "threshold", cp_stmt_col_is_null(s, 7) ? json_null() : json_integer(cp_stmt_col_int(s, 7)));
    json_object_set_new(o, "currency", cp_stmt_col_is_null(s, 8) ? json_null() : json_string(cp_stmt_col_text(s, 8)));
    return o;
}

#define COLS "id, member_id, state, reason, from_at, until_at, arrears, threshold, currency, created_by, created_at"

cp_status cp_gov_eligibility_record(cp_conn *c, const cp_actor *a, const char *member, const json_t *in, json_t **out,
                                    cp_err *err)
{
    static const cp_jfield F[] = {
        {"state", CP_JT_STRING, true, 16},        {"reason", CP_JT_STRING, true, 200},
        {"from", CP_JT_STRING_NULL, false, 64},   {"until", CP_JT_STRING_NULL, false, 64},
        {"arrears", CP_JT_INT, false, 0},         {"threshold", CP_JT_INT, false, 0},
        {"currency", CP_JT_STRING_NULL, false, 3},
    };
    *out = NULL;
    if (cp_eligibility_current() != &cp_eligibility_placeholder)
        return cp_fail(err, CP_E_CONFLICT,
                       "the right to vote comes from the '%s' source, not from recorded flags; record arrears and"
                       " exemptions there",
                       cp_eligibility_current()->name);
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    const char *state = cp_json_str(in, "state"), *reason = cp_json_str(in, "reason"), *cur = cp_json_str(in, "currency");
    if (strcmp(state, "arrears") != 0 && strcmp(state, "exemption") != 0 && strcmp(state, "clear") != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "body.state: must be arrears, exemption or clear");
    if (!*reason) return cp_fail(err, CP_E_BAD_REQUEST, "body.reason: must not be empty");
    if (cur && (strlen(cur) != 3 || cur[0] < 'A' || cur[0] > 'Z' || cur[1] < 'A' || cur[1] > 'Z' || cur[2] < 'A' || cur[2] > 'Z'))
        return cp_fail(err, CP_E_BAD_REQUEST, "body.currency: must be an ISO 4217 code (three capital letters)");
    const json_t *ar = json_object_get(in, "arrears"), *th = json_object_get(in, "threshold");
    if ((ar && json_integer_value(ar) < 0) || (th && json_integer_value(th) < 0))
        return cp_fail(err, CP_E_BAD_REQUEST, "body.arrears and body.threshold: must not be negative");
    int64_t now = cp_now_ms(), from = now, until = 0;
    bool has_from, has_until;
    if ((st = gov_time_field(in, "body", "from", &has_from, &from, err)) ||
        (st = gov_time_field(in, "body", "until", &has_until, &until, err)))
        return st;
    if (!has_from) from = now;
    if (has_until && until <= from) return cp_fail(err, CP_E_BAD_REQUEST, "body.until: must be after body.from");
    gov_member m;
    if ((st = gov_member_get(c, member, &m, err))) return st;
    if (!m.exists) return cp_fail(err, CP_E_NOT_FOUND, "no such member");
    if (strcmp(m.kind, "member_state") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "only member states vote; %s is a %s", m.name, m.kind);
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    bool own;
    if ((st = gov_tx_open(c, &own, err))) return st;
    /* the audit entry first: it takes the audit head lock, so the seq below is computed
     * by one writer at a time */
    {
        json_t *detail = json_pack("{ss ss ss so so}", "id", id, "state", state, "reason", reason, "from",
                                   gov_time(from, false), "until", gov_time(until, !has_until));
        char target[64];
        snprintf(target, sizeof target, "member:%.40s", member);
        st = cp_audit_append(c, a->label, "gov.eligibility.record", target, detail, err);
        json_decref(detail);
    }
    cp_stmt *s;
    if (!st) st = cp_stmt_prepare(c,
                         "INSERT INTO gov_eligibility (" COLS ", seq) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                         " COALESCE(MAX(seq), 0) + 1 FROM gov_eligibility",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, id);
        cp_stmt_bind_text(s, 2, member);
        cp_stmt_bind_text(s, 3, state);
        cp_stmt_bind_text(s, 4, reason);
        cp_stmt_bind_int(s, 5, from);
        if (has_until) cp_stmt_bind_int(s, 6, until);
        else cp_stmt_bind_null(s, 6);
        if (ar) cp_stmt_bind_int(s, 7, json_integer_value(ar));
        else cp_stmt_bind_null(s, 7);
        if (th) cp_stmt_bind_int(s, 8, json_integer_value(th));
        else cp_stmt_bind_null(s, 8);
        cp_stmt_bind_text(s, 9, cur);
        cp_stmt_bind_text(s, 10, a->label);
        cp_stmt_bind_int(s, 11, now);
        st = gov_run(s, err);
    }
    if ((st = gov_tx_close(c, own, st, err))) return st;
    if ((st = cp_stmt_prepare(c, "SELECT " COLS " FROM gov_eligibility WHERE id = ?", &s, err))) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = row_json(s);
    st = r == CP_STEP_ROW ? CP_OK : r == CP_STEP_ERROR ? cp_stmt_status(s) : cp_fail(err, CP_E_INTERNAL, "recorded row vanished");
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_gov_eligibility_list(cp_conn *c, const char *member, json_t **items, cp_err *err)
{
    *items = json_array();
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   member ? "SELECT " COLS " FROM gov_eligibility WHERE member_id = ? ORDER BY seq DESC LIMIT 1000"
                                          : "SELECT " COLS " FROM gov_eligibility ORDER BY seq DESC LIMIT 1000",
                                   &s, err);
    if (st) return st;
    if (member) cp_stmt_bind_text(s, 1, member);
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) json_array_append_new(*items, row_json(s));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}
