/*
 * constituency.c — the address space, AS numbers and domains a member is
 * responsible for, and their import from RIR delegated-stats files.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/net.h"
#include "base/timeutil.h"
#include "members/members.h"

static json_t *entry_row(cp_stmt *s)
{
    char at[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_stmt_col_int(s, 5), at);
    return json_pack("{ss ss ss ss ss ss}", "id", cp_stmt_col_text(s, 0), "member_id", cp_stmt_col_text(s, 1),
                     "type", cp_stmt_col_text(s, 2), "value", cp_stmt_col_text(s, 3), "source",
                     cp_stmt_col_text(s, 4), "created_at", at);
}

cp_status cp_constituency_list(cp_conn *c, const char *member_id, json_t **items, cp_err *err)
{
    *items = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, member_id, kind, value, source, created_at FROM constituency"
                                   " WHERE member_id = ? ORDER BY kind, ip_lo, asn, value",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, member_id);
    json_t *arr = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) json_array_append_new(arr, entry_row(s));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) json_decref(arr);
    else *items = arr;
    return st;
}

/* A parsed constituency value, ready to insert. */
typedef struct {
    const char *kind;
    char value[260];
    char lo[33], hi[33];
    int prefix;   /* -1 when not a range */
    int64_t asn;  /* -1 when not an AS */
} entry;

static cp_status parse_entry(const char *type, const char *value, entry *e, cp_err *err)
{
    memset(e, 0, sizeof *e);
    e->prefix = -1;
    e->asn = -1;
    cp_status st;
    if (strcmp(type, "cidr") == 0) {
        cp_cidr cidr;
        if ((st = cp_cidr_parse(value, strlen(value), &cidr, err))) return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.value");
        e->kind = "cidr";
        cp_cidr_format(&cidr, e->value, sizeof e->value);
        cp_cidr_range_hex(&cidr, e->lo, e->hi);
        e->prefix = cidr.family == 4 ? cidr.prefix + 96 : cidr.prefix;
    } else if (strcmp(type, "asn") == 0) {
        uint32_t asn;
        if ((st = cp_asn_parse(value, strlen(value), &asn, err))) return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.value");
        e->kind = "asn";
        snprintf(e->value, sizeof e->value, "AS%" PRIu32, asn);
        e->asn = asn;
    } else if (strcmp(type, "domain") == 0) {
        if ((st = cp_domain_normalize(value, strlen(value), e->value, sizeof e->value, err)))
            return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.value");
        e->kind = "domain";
    } else {
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.type must be cidr, asn or domain, not '%.16s'", type);
    }
    return CP_OK;
}

/* Inserts e for member_id; *added is 0 when it was already there. */
static cp_status insert_entry(cp_conn *c, const char *member_id, const entry *e, const char *source, char *id_out,
                              int *added, cp_err *err)
{
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO constituency (id, member_id, kind, value, ip_lo, ip_hi, prefix, asn,"
                                   " source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                   " ON CONFLICT DO NOTHING",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, member_id);
    cp_stmt_bind_text(s, 3, e->kind);
    cp_stmt_bind_text(s, 4, e->value);
    cp_stmt_bind_text(s, 5, e->prefix >= 0 ? e->lo : NULL);
    cp_stmt_bind_text(s, 6, e->prefix >= 0 ? e->hi : NULL);
    if (e->prefix >= 0) cp_stmt_bind_int(s, 7, e->prefix);
    else cp_stmt_bind_null(s, 7);
    if (e->asn >= 0) cp_stmt_bind_int(s, 8, e->asn);
    else cp_stmt_bind_null(s, 8);
    cp_stmt_bind_text(s, 9, source);
    cp_stmt_bind_int(s, 10, cp_now_ms());
    st = cp_stmt_run(s, err);
    *added = st == CP_OK && cp_stmt_changes(s) > 0;
    cp_stmt_finalize(s);
    if (id_out) memcpy(id_out, id, sizeof id);
    return st;
}

cp_status cp_constituency_add(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in, json_t **out,
                              cp_err *err)
{
    static const cp_jfield F[] = {
        {"type", CP_JT_STRING, true, 16},
        {"value", CP_JT_STRING, true, 300},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    entry e;
    if ((st = parse_entry(cp_json_str(in, "type"), cp_json_str(in, "value"), &e, err))) return st;
    json_t *m;
    if ((st = cp_member_get(c, member_id, &m, err))) return st;
    json_decref(m);
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    char id[CP_UUID_LEN + 1];
    int added = 0;
    st = insert_entry(c, member_id, &e, "manual", id, &added, err);
    if (!st && !added) st = cp_fail(err, CP_E_CONFLICT, "%s %s is already in this member's constituency", e.kind, e.value);
    if (!st) {
        char at[CP_RFC3339_MAX];
        cp_rfc3339_format(cp_now_ms(), at);
        *out = json_pack("{ss ss ss ss ss ss}", "id", id, "member_id", member_id, "type", e.kind, "value", e.value,
                         "source", "manual", "created_at", at);
        char target[64];
        snprintf(target, sizeof target, "member:%s", member_id);
        st = cp_audit_append(c, a->label, "constituency.add", target, *out, err);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_constituency_remove(cp_conn *c, const cp_actor *a, const char *member_id, const char *entry_id,
                                 cp_err *err)
{
    if (!cp_uuid_valid(entry_id)) return cp_fail(err, CP_E_NOT_FOUND, "no constituency entry '%.40s'", entry_id);
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    json_t *detail = NULL;
    st = cp_stmt_prepare(c, "SELECT id, member_id, kind, value, source, created_at FROM constituency"
                            " WHERE id = ? AND member_id = ?", &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, entry_id);
        cp_stmt_bind_text(s, 2, member_id);
        cp_step r = cp_stmt_step(s, err);
        if (r == CP_STEP_ROW) detail = entry_row(s);
        else st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no constituency entry '%s' for this member", entry_id) : cp_stmt_status(s);
        cp_stmt_finalize(s);
    }
    if (!st) st = cp_stmt_prepare(c, "DELETE FROM constituency WHERE id = ?", &s, err);
    if (!st && detail) {
        cp_stmt_bind_text(s, 1, entry_id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st) {
        char target[64];
        snprintf(target, sizeof target, "member:%s", member_id);
        st = cp_audit_append(c, a->label, "constituency.remove", target, detail, err);
    }
    json_decref(detail);
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    return st;
}

/* --- RIR import ------------------------------------------------------------ */

typedef struct {
    cp_conn *c;
    cp_rir_import_stats *stats;
    char cc[3];
    char member_id[CP_UUID_LEN + 1]; /* cached lookup for cc ("" = none) */
    json_t *per_member;              /* {"FR": n, ...} */
} rir_ctx;

static cp_status lookup_state(rir_ctx *x, const char *cc, cp_err *err)
{
    if (strcmp(x->cc, cc) == 0) return CP_OK;
    snprintf(x->cc, sizeof x->cc, "%s", cc);
    x->member_id[0] = 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(x->c, "SELECT id FROM members WHERE kind = 'member_state' AND country = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, cc);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(x->member_id, sizeof x->member_id, "%s", cp_stmt_col_text(s, 0));
    else if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

static cp_status on_rir_entry(void *ctx, const cp_rir_entry *re, cp_err *err)
{
    rir_ctx *x = ctx;
    cp_status st = lookup_state(x, re->cc, err);
    if (st) return st;
    if (!x->member_id[0]) {
        x->stats->no_member++;
        return CP_OK;
    }
    uint32_t count = re->kind == CP_RIR_ASN ? re->asn_count : 1;
    for (uint32_t i = 0; i < count; i++) {
        entry e;
        memset(&e, 0, sizeof e);
        e.prefix = -1;
        e.asn = -1;
        if (re->kind == CP_RIR_ASN) {
            e.kind = "asn";
            e.asn = (int64_t)re->asn_first + i;
            snprintf(e.value, sizeof e.value, "AS%" PRId64, e.asn);
        } else {
            e.kind = "cidr";
            cp_cidr_format(&re->cidr, e.value, sizeof e.value);
            cp_cidr_range_hex(&re->cidr, e.lo, e.hi);
            e.prefix = re->cidr.family == 4 ? re->cidr.prefix + 96 : re->cidr.prefix;
        }
        int added = 0;
        if ((st = insert_entry(x->c, x->member_id, &e, "rir", NULL, &added, err))) return st;
        if (added) {
            x->stats->added++;
            json_t *n = json_object_get(x->per_member, re->cc);
            if (!n) x->stats->members++;
            json_object_set_new(x->per_member, re->cc, json_integer(n ? json_integer_value(n) + 1 : 1));
        } else {
            x->stats->duplicates++;
        }
    }
    return CP_OK;
}

cp_status cp_member_import_rir(cp_conn *c, const cp_actor *a, const char *buf, size_t len,
                               cp_rir_import_stats *stats, cp_err *err)
{
    memset(stats, 0, sizeof *stats);
    rir_ctx x = {.c = c, .stats = stats, .per_member = json_object()};
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (!st) st = cp_rir_parse(buf, len, on_rir_entry, &x, &stats->parse, err);
    if (!st) {
        char sha[CP_SHA256_HEX_LEN + 1];
        cp_sha256_hex(buf, len, sha);
        json_t *d = json_pack("{ss sI sI sI sI sO}", "file_sha256", sha, "records", (json_int_t)stats->parse.records,
                              "added", (json_int_t)stats->added, "duplicates", (json_int_t)stats->duplicates,
                              "no_member", (json_int_t)stats->no_member, "added_by_country", x.per_member);
        st = cp_audit_append(c, a->label, "constituency.import_rir", "members:*", d, err);
        json_decref(d);
    }
    json_decref(x.per_member);
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    return st;
}

/* --- invariants ------------------------------------------------------------ */

static cp_status count_rows(cp_conn *c, const char *sql, int64_t *n, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) *n = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_members_check(cp_conn *c, int64_t *problems, char *problem, size_t cap, cp_err *err)
{
    static const struct {
        const char *sql, *what;
    } CHECKS[] = {
        {"SELECT COUNT(*) FROM members WHERE is_alliance = 1", NULL},
        {"SELECT COUNT(*) FROM members WHERE kind = 'member_state' AND (country IS NULL OR country3 IS NULL)",
         "member states without a country"},
        {"SELECT COUNT(*) FROM members WHERE kind <> 'member_state' AND country IS NOT NULL",
         "members other than states with a country"},
        {"SELECT COUNT(*) FROM members WHERE status NOT IN ('active', 'suspended', 'withdrawn')",
         "members with an unknown status"},
        {"SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id WHERE (u.roles & 1) <> 0 AND m.is_alliance = 0",
         "secretariat users outside the alliance organisation"},
        {"SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id WHERE (u.roles & 8) <> 0 AND m.is_alliance = 0",
         "auditors outside the alliance organisation"},
        {"SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id WHERE (u.roles & 2) <> 0 AND m.kind <> 'member_state'",
         "delegates of members that are not states"},
        {"SELECT COUNT(*) FROM api_keys k JOIN users u ON u.id = k.user_id WHERE (k.roles & ~u.roles) <> 0 AND k.revoked_at IS NULL",
         NULL /* allowed: roles taken from a user shrink keys at use; reported for information only */},
    };
    *problems = 0;
    problem[0] = 0;
    for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++) {
        int64_t n = 0;
        cp_status st = count_rows(c, CHECKS[i].sql, &n, err);
        if (st) return st;
        bool bad = i == 0 ? n != 1 : (CHECKS[i].what && n > 0);
        if (!bad) continue;
        if (!*problems) {
            if (i == 0) snprintf(problem, cap, "expected exactly one alliance organisation, found %lld", (long long)n);
            else snprintf(problem, cap, "%lld %s", (long long)n, CHECKS[i].what);
        }
        (*problems)++;
    }
    return CP_OK;
}
