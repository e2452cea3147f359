/*
 * members.c — member organisations: create, read, list, update, status.
 * Constituencies and RIR import are in constituency.c.
 */
#include "members/members.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/iso3166.h"
#include "base/json.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "members/cursor.h"
#include "members/rows.h"

static const char *const KINDS[] = {"member_state", "sector_member", "academia",
                                    "international_org", "civil_society", "observer"};
static const char *const STATUSES[] = {"active", "suspended", "withdrawn"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

bool cp_member_kind_valid(const char *kind) { return in_list(kind, KINDS, 6); }

cp_member_hook cp_member_created_hook;

#define MEMBER_COLUMNS                                                                               \
    "id, kind, name, country, country3, status, status_since, joined_at, is_alliance, csirt_team,"   \
    " csirt_email, csirt_phone, csirt_pgp, created_at, updated_at"

/* The one rendering of a member (API shape in members.h). */
static void member_write(cp_jw *w, cp_stmt *s)
{
    cp_jw_obj(w);
    cp_jw_key(w, "id"), cp_jw_str(w, cp_stmt_col_text(s, 0));
    cp_jw_key(w, "kind"), cp_jw_str(w, cp_stmt_col_text(s, 1));
    cp_jw_key(w, "name"), cp_jw_str(w, cp_stmt_col_text(s, 2));
    cp_jw_key(w, "country"), cp_jw_str(w, cp_stmt_col_text(s, 3));
    cp_jw_key(w, "country3"), cp_jw_str(w, cp_stmt_col_text(s, 4));
    cp_jw_key(w, "status"), cp_jw_str(w, cp_stmt_col_text(s, 5));
    cp_jw_key(w, "status_since"), cp_jw_time(w, cp_stmt_col_int(s, 6));
    cp_jw_key(w, "joined_at"), cp_jw_time(w, cp_stmt_col_int(s, 7));
    cp_jw_key(w, "alliance"), cp_jw_bool(w, cp_stmt_col_int(s, 8) != 0);
    cp_jw_key(w, "csirt");
    cp_jw_obj(w);
    cp_jw_key(w, "team"), cp_jw_str(w, cp_stmt_col_text(s, 9));
    cp_jw_key(w, "email"), cp_jw_str(w, cp_stmt_col_text(s, 10));
    cp_jw_key(w, "phone"), cp_jw_str(w, cp_stmt_col_text(s, 11));
    cp_jw_key(w, "pgp_fingerprint"), cp_jw_str(w, cp_stmt_col_text(s, 12));
    cp_jw_end_obj(w);
    cp_jw_key(w, "created_at"), cp_jw_time(w, cp_stmt_col_int(s, 13));
    cp_jw_key(w, "updated_at"), cp_jw_time(w, cp_stmt_col_int(s, 14));
    cp_jw_end_obj(w);
}

static json_t *member_row(cp_stmt *s)
{
    cp_jw w;
    cp_jw_init(&w);
    member_write(&w, s);
    size_t len;
    char *text = cp_jw_finish(&w, &len);
    json_t *v = text ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    return v;
}

cp_status cp_member_get(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    if (!cp_uuid_valid(id)) return cp_fail(err, CP_E_NOT_FOUND, "no member with id '%.40s'", id);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " MEMBER_COLUMNS " FROM members WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) *out = member_row(s);
    else st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no member with id '%s'", id) : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_member_alliance_id(cp_conn *c, char *out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT id FROM members WHERE is_alliance = 1", &s, err);
    if (st) return st;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(out, CP_UUID_LEN + 1, "%s", cp_stmt_col_text(s, 0));
    else st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "the store has no alliance organisation; run cyberpact init") : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

/* Checks the csirt sub-object and e-mail/fingerprint formats. */
static cp_status check_csirt(const json_t *csirt, cp_err *err)
{
    static const cp_jfield F[] = {
        {"team", CP_JT_STRING_NULL, false, 200},
        {"email", CP_JT_STRING_NULL, false, 254},
        {"phone", CP_JT_STRING_NULL, false, 40},
        {"pgp_fingerprint", CP_JT_STRING_NULL, false, 60},
    };
    if (!csirt || json_is_null(csirt)) return CP_OK;
    cp_status st = cp_json_check(csirt, "body.csirt", F, 4, err);
    if (st) return st;
    const char *email = cp_json_str(csirt, "email");
    if (email) {
        if (!cp_email_plausible(email))
            return cp_fail(err, CP_E_UNPROCESSABLE, "body.csirt.email '%.80s' is not an e-mail address", email);
    }
    const char *fp = cp_json_str(csirt, "pgp_fingerprint");
    if (fp) {
        size_t hex = 0;
        for (const char *p = fp; *p; p++) {
            if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')) hex++;
            else if (*p != ' ') return cp_fail(err, CP_E_UNPROCESSABLE, "body.csirt.pgp_fingerprint must be hex digits (spaces allowed)");
        }
        if (hex != 40 && hex != 64)
            return cp_fail(err, CP_E_UNPROCESSABLE, "body.csirt.pgp_fingerprint must have 40 (v4) or 64 (v5) hex digits, not %zu", hex);
    }
    const char *phone = cp_json_str(csirt, "phone");
    if (phone && strspn(phone, "+0123456789 ()-./") != strlen(phone))
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.csirt.phone may hold digits, spaces and + ( ) - . / only");
    return CP_OK;
}

static cp_status check_name(const char *name, cp_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200) return cp_fail(err, CP_E_UNPROCESSABLE, "body.name must be 1 to 200 bytes");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20) return cp_fail(err, CP_E_UNPROCESSABLE, "body.name contains a control character");
    if (name[0] == ' ' || name[n - 1] == ' ') return cp_fail(err, CP_E_UNPROCESSABLE, "body.name has leading or trailing spaces");
    return CP_OK;
}

/* Resolves an alpha-2 code (any case) for a member state. */
static cp_status resolve_country(const char *kind, const char *country, const cp_country **out, cp_err *err)
{
    *out = NULL;
    bool state = strcmp(kind, "member_state") == 0;
    if (!country) {
        if (state) return cp_fail(err, CP_E_UNPROCESSABLE, "a member_state needs body.country (ISO 3166-1 alpha-2)");
        return CP_OK;
    }
    if (!state) return cp_fail(err, CP_E_UNPROCESSABLE, "only a member_state has a country; drop body.country for kind %s", kind);
    cp_status st = cp_iso3166_load(NULL, err);
    if (st) return st;
    const cp_country *ct = strlen(country) == 2 ? cp_iso3166_by_alpha2(country) : NULL;
    if (!ct) return cp_fail(err, CP_E_UNPROCESSABLE, "body.country '%.8s' is not an ISO 3166-1 alpha-2 code", country);
    *out = ct;
    return CP_OK;
}

static void bind_csirt(cp_stmt *s, int first, const json_t *csirt)
{
    cp_stmt_bind_text(s, first, cp_json_str(csirt, "team"));
    cp_stmt_bind_text(s, first + 1, cp_json_str(csirt, "email"));
    cp_stmt_bind_text(s, first + 2, cp_json_str(csirt, "phone"));
    cp_stmt_bind_text(s, first + 3, cp_json_str(csirt, "pgp_fingerprint"));
}

/* Appends to the member's status history (inside the caller's transaction). */
static cp_status record_status(cp_conn *c, const cp_actor *a, const char *id, const char *status, int64_t at,
                               const char *reason, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "INSERT INTO member_status_history (id, member_id, status, at, reason, actor)"
                                      " VALUES (?, ?, ?, ?, ?, ?)", &s, err);
    if (st) return st;
    char hid[CP_UUID_LEN + 1];
    cp_uuid4(hid);
    cp_stmt_bind_text(s, 1, hid);
    cp_stmt_bind_text(s, 2, id);
    cp_stmt_bind_text(s, 3, status);
    cp_stmt_bind_int(s, 4, at);
    cp_stmt_bind_text(s, 5, reason);
    cp_stmt_bind_text(s, 6, a->label);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

static cp_status insert_member(cp_conn *c, const cp_actor *a, const char *kind, const char *name,
                               const cp_country *ct, const json_t *csirt, int64_t joined, bool alliance,
                               json_t **out, cp_err *err)
{
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    int64_t now = cp_now_ms();
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, err);
    if (st) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "INSERT INTO members (id, kind, name, country, country3, status, status_since, joined_at,"
                         " is_alliance, csirt_team, csirt_email, csirt_phone, csirt_pgp, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s, err);
    if (st) goto fail;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, kind);
    cp_stmt_bind_text(s, 3, name);
    cp_stmt_bind_text(s, 4, ct ? ct->alpha2 : NULL);
    cp_stmt_bind_text(s, 5, ct ? ct->alpha3 : NULL);
    cp_stmt_bind_int(s, 6, now);
    cp_stmt_bind_int(s, 7, joined);
    cp_stmt_bind_int(s, 8, alliance ? 1 : 0);
    bind_csirt(s, 9, csirt);
    cp_stmt_bind_int(s, 13, now);
    cp_stmt_bind_int(s, 14, now);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st == CP_E_CONFLICT) {
        st = ct ? cp_fail(err, CP_E_CONFLICT, "a member named '%.100s' or a member state for %s already exists", name, ct->alpha2)
                : cp_fail(err, CP_E_CONFLICT, "a member named '%.100s' already exists", name);
    }
    if (st) goto fail;
    st = record_status(c, a, id, "active", joined, "admitted", err);
    if (st) goto fail;
    st = cp_member_get(c, id, out, err);
    if (st) goto fail;
    char target[64];
    snprintf(target, sizeof target, "member:%s", id);
    st = cp_audit_append(c, a->label, "member.create", target, *out, err);
    if (st) goto fail;
    if (cp_member_created_hook && (st = cp_member_created_hook(c, a, id, err))) goto fail;
    st = cp_conn_commit(c, err);
    if (st) goto fail_out;
    return CP_OK;
fail:
    cp_conn_rollback(c);
fail_out:
    json_decref(*out);
    *out = NULL;
    return st;
}

cp_status cp_member_create(cp_conn *c, const cp_actor *a, const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"kind", CP_JT_STRING, true, 32},   {"name", CP_JT_STRING, true, 200},
        {"country", CP_JT_STRING, false, 8}, {"csirt", CP_JT_OBJECT, false, 0},
        {"joined_at", CP_JT_STRING, false, 40},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    const char *kind = cp_json_str(in, "kind"), *name = cp_json_str(in, "name");
    if (!cp_member_kind_valid(kind))
        return cp_fail(err, CP_E_UNPROCESSABLE,
                       "body.kind '%.32s' is not one of member_state, sector_member, academia, international_org, "
                       "civil_society, observer", kind);
    if ((st = check_name(name, err))) return st;
    const cp_country *ct;
    if ((st = resolve_country(kind, cp_json_str(in, "country"), &ct, err))) return st;
    const json_t *csirt = json_object_get(in, "csirt");
    if ((st = check_csirt(csirt, err))) return st;
    int64_t joined = cp_now_ms();
    const char *j = cp_json_str(in, "joined_at");
    if (j && (st = cp_rfc3339_parse(j, &joined, err))) return cp_fail_prefix(err, CP_E_BAD_REQUEST, "body.joined_at");
    return insert_member(c, a, kind, name, ct, csirt, joined, false, out, err);
}

cp_status cp_member_create_alliance(cp_conn *c, const cp_actor *a, const char *name, json_t **out, cp_err *err)
{
    cp_status st = check_name(name, err);
    if (st) return st;
    return insert_member(c, a, "international_org", name, NULL, NULL, cp_now_ms(), true, out, err);
}

cp_status cp_member_list(cp_conn *c, const cp_member_filter *f, char **page, size_t *page_len, cp_err *err)
{
    *page = NULL;
    char after_name[256] = "", after_id[CP_UUID_LEN + 1] = "";
    if (f->next && cp_cursor_decode(f->next, after_name, sizeof after_name, after_id, sizeof after_id) != CP_OK)
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter next is not a cursor this server issued");
    if (f->kind && !cp_member_kind_valid(f->kind))
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter kind '%.32s' is not a member kind", f->kind);
    if (f->status && !in_list(f->status, STATUSES, 3))
        return cp_fail(err, CP_E_BAD_REQUEST, "query parameter status must be active, suspended or withdrawn");
    char country[8] = "";
    if (f->country) {
        if (strlen(f->country) != 2) return cp_fail(err, CP_E_BAD_REQUEST, "query parameter country must be an ISO 3166-1 alpha-2 code");
        country[0] = (char)toupper((unsigned char)f->country[0]);
        country[1] = (char)toupper((unsigned char)f->country[1]);
    }
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT " MEMBER_COLUMNS " FROM members"
                                   " WHERE (CAST(? AS TEXT) IS NULL OR kind = ?) AND (CAST(? AS TEXT) IS NULL OR status = ?)"
                                   " AND (CAST(? AS TEXT) IS NULL OR country = ?)"
                                   " AND (? = '' OR name > ? OR (name = ? AND id > ?))"
                                   " ORDER BY name, id LIMIT ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, f->kind);
    cp_stmt_bind_text(s, 2, f->kind);
    cp_stmt_bind_text(s, 3, f->status);
    cp_stmt_bind_text(s, 4, f->status);
    cp_stmt_bind_text(s, 5, f->country ? country : NULL);
    cp_stmt_bind_text(s, 6, f->country ? country : NULL);
    cp_stmt_bind_text(s, 7, after_name);
    cp_stmt_bind_text(s, 8, after_name);
    cp_stmt_bind_text(s, 9, after_name);
    cp_stmt_bind_text(s, 10, after_id);
    cp_stmt_bind_int(s, 11, f->limit + 1);
    cp_jw w;
    cp_jw_init(&w);
    cp_jw_obj(&w);
    cp_jw_key(&w, "items");
    cp_jw_arr(&w);
    cp_step r;
    int n = 0;
    char last_name[256] = "", last_id[CP_UUID_LEN + 1] = "";
    char *next = NULL;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n++ == f->limit) {
            next = cp_cursor_encode(last_name, last_id);
            break;
        }
        member_write(&w, s);
        snprintf(last_name, sizeof last_name, "%s", cp_stmt_col_text(s, 2));
        snprintf(last_id, sizeof last_id, "%s", cp_stmt_col_text(s, 0));
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    cp_jw_end_arr(&w);
    cp_jw_key(&w, "next");
    cp_jw_str(&w, next);
    cp_jw_end_obj(&w);
    free(next);
    if (st) {
        cp_jw_free(&w);
        return st;
    }
    *page = cp_jw_finish(&w, page_len);
    return *page ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}

/* Runs the write part of an update on a fetched member; audit included. */
static cp_status finish_write(cp_conn *c, const cp_actor *a, const char *action, const char *id,
                              const json_t *detail, json_t **out, cp_err *err)
{
    cp_status st = cp_member_get(c, id, out, err);
    if (st) return st;
    char target[64];
    snprintf(target, sizeof target, "member:%s", id);
    json_t *d = json_pack("{sO sO}", "change", detail, "result", *out);
    st = cp_audit_append(c, a->label, action, target, d, err);
    json_decref(d);
    return st;
}

cp_status cp_member_update(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, bool contact_only,
                           json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"name", CP_JT_STRING, false, 200},
        {"country", CP_JT_STRING, false, 8},
        {"csirt", CP_JT_OBJECT, false, 0},
    };
    *out = NULL;
    cp_status st = contact_only ? cp_json_check(in, "body", F + 2, 1, err) : cp_json_check(in, "body", F, 3, err);
    if (st) return st;
    json_t *cur;
    if ((st = cp_member_get(c, id, &cur, err))) return st;
    const char *name = cp_json_str(in, "name");
    if (name && (st = check_name(name, err))) goto out;
    const cp_country *ct = NULL;
    const char *country = cp_json_str(in, "country");
    if (country && (st = resolve_country(cp_json_str(cur, "kind"), country, &ct, err))) goto out;
    const json_t *csirt = json_object_get(in, "csirt");
    if ((st = check_csirt(csirt, err))) goto out;
    /* Merge: a csirt field absent from the input keeps its value; null clears it. */
    json_t *merged = json_deep_copy(json_object_get(cur, "csirt"));
    if (csirt) json_object_update(merged, (json_t *)csirt);
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) {
        json_decref(merged);
        goto out;
    }
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "UPDATE members SET name = COALESCE(?, name), country = COALESCE(?, country),"
                         " country3 = COALESCE(?, country3), csirt_team = ?, csirt_email = ?, csirt_phone = ?,"
                         " csirt_pgp = ?, updated_at = ? WHERE id = ?",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, name);
        cp_stmt_bind_text(s, 2, ct ? ct->alpha2 : NULL);
        cp_stmt_bind_text(s, 3, ct ? ct->alpha3 : NULL);
        bind_csirt(s, 4, merged);
        cp_stmt_bind_int(s, 8, cp_now_ms());
        cp_stmt_bind_text(s, 9, id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
        if (st == CP_E_CONFLICT) st = cp_fail(err, CP_E_CONFLICT, "another member already has that name or country");
    }
    json_decref(merged);
    if (!st) st = finish_write(c, a, contact_only ? "member.contact.update" : "member.update", id, in, out, err);
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
out:
    json_decref(cur);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_member_set_status(cp_conn *c, const cp_actor *a, const char *id, const json_t *in, json_t **out,
                               cp_err *err)
{
    static const cp_jfield F[] = {
        {"status", CP_JT_STRING, true, 16},
        {"reason", CP_JT_STRING, false, 1000},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    const char *status = cp_json_str(in, "status");
    if (!in_list(status, STATUSES, 3))
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.status must be active, suspended or withdrawn");
    json_t *cur;
    if ((st = cp_member_get(c, id, &cur, err))) return st;
    const char *was = cp_json_str(cur, "status");
    if (json_is_true(json_object_get(cur, "alliance")) && strcmp(status, "active") != 0) {
        json_decref(cur);
        return cp_fail(err, CP_E_UNPROCESSABLE, "the alliance's own organisation cannot be %s", status);
    }
    if (strcmp(was, "withdrawn") == 0 && strcmp(status, "withdrawn") != 0) {
        json_decref(cur);
        return cp_fail(err, CP_E_UNPROCESSABLE, "a withdrawn member cannot change status; admit it again as a new member");
    }
    if (strcmp(was, status) == 0) {
        json_decref(cur);
        return cp_fail(err, CP_E_CONFLICT, "the member is already %s", status);
    }
    json_decref(cur);
    int64_t now = cp_now_ms();
    if ((st = cp_conn_begin(c, CP_TX_WRITE, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c, "UPDATE members SET status = ?, status_since = ?, updated_at = ? WHERE id = ?", &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, status);
        cp_stmt_bind_int(s, 2, now);
        cp_stmt_bind_int(s, 3, now);
        cp_stmt_bind_text(s, 4, id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (!st) st = record_status(c, a, id, status, now, cp_json_str(in, "reason"), err);
    if (!st) st = finish_write(c, a, "member.status", id, in, out, err);
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_member_status_history(cp_conn *c, const char *id, json_t **items, cp_err *err)
{
    *items = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT status, at, reason, actor FROM member_status_history"
                                      " WHERE member_id = ? ORDER BY at, id", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    json_t *arr = json_array();
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        json_array_append_new(arr, json_pack("{ss so so ss}", "status", cp_stmt_col_text(s, 0), "at",
                                             cp_time_json(cp_stmt_col_int(s, 1)), "reason",
                                             cp_col_text_or_null(s, 2), "actor", cp_stmt_col_text(s, 3)));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    if (st) json_decref(arr);
    else *items = arr;
    return st;
}
