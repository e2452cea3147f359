/*
 * collections.c — TAXII collections: turning (collection, reader) into the
 * cp_collection_policy the sharing gate (tlp.h) decides on; creating and
 * changing collections; and the collections the alliance always has
 * (cp_collections_ensure). Who may administer a collection is decided by
 * cp_authz (http/authz.c); who may read or write its objects by
 * cp_intel_may_read / cp_intel_may_write. Nothing here decides either.
 */
#include "intel/collections.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "members/members.h"
#include "members/rows.h"

#define TITLE_MAX 200
#define DESCRIPTION_MAX 4000
#define ROWS_MAX 1000 /* members named when creating one collection */

/* One collection row with the reader's member's row (if any) beside it. */
#define COLUMNS                                                                                               \
    "c.id, c.num, c.alias, c.kind, c.title, c.owner_member_id, c.audience, c.default_tlp, c.default_read,"    \
    " c.default_write, m.can_read, m.can_write"
#define FROM_READER                                                                                           \
    " FROM intel_collections c LEFT JOIN intel_collection_members m"                                          \
    " ON m.collection_id = c.id AND m.member_id = CAST(? AS TEXT)"

/* The member the reader acts for; "" (matches no row) for anonymous and CLI. */
static const char *reader_member(const cp_actor *a)
{
    if (!a || (a->kind != CP_ACTOR_KEY && a->kind != CP_ACTOR_SESSION)) return "";
    return a->member_id;
}

static void from_row(cp_stmt *s, cp_collection *out)
{
    memset(out, 0, sizeof *out);
    const char *alias = cp_stmt_col_text(s, 2);
    snprintf(out->id, sizeof out->id, "%s", cp_stmt_col_text(s, 0));
    out->num = cp_stmt_col_int(s, 1);
    snprintf(out->alias, sizeof out->alias, "%s", alias ? alias : "");
    snprintf(out->kind, sizeof out->kind, "%s", cp_stmt_col_text(s, 3));
    snprintf(out->title, sizeof out->title, "%s", cp_stmt_col_text(s, 4));
    snprintf(out->owner_member_id, sizeof out->owner_member_id, "%s", cp_stmt_col_text(s, 5));
    cp_collection_policy *p = &out->policy;
    /* A stored audience this binary does not know is read as the narrowest. */
    if (cp_audience_parse(cp_stmt_col_text(s, 6), &p->audience, NULL) != CP_OK) p->audience = CP_AUD_GROUP;
    int64_t t = cp_stmt_col_int(s, 7);
    p->default_tlp = t > CP_TLP_NONE && t < CP_TLP_COUNT_ ? (cp_tlp)t : CP_TLP_NONE;
    bool row = !cp_stmt_col_is_null(s, 10);
    p->reader_in_group = row;
    if (row) {
        p->reader_can_read = cp_stmt_col_int(s, 10) != 0;
        p->reader_can_write = cp_stmt_col_int(s, 11) != 0;
    } else if (p->audience != CP_AUD_GROUP) {
        p->reader_can_read = cp_stmt_col_int(s, 8) != 0;
        p->reader_can_write = cp_stmt_col_int(s, 9) != 0;
    }
}

/* Steps s once: a row fills *out, no row is CP_E_NOT_FOUND with what. */
static cp_status one_row(cp_stmt *s, cp_collection *out, const char *what, cp_err *err)
{
    cp_step r = cp_stmt_step(s, err);
    cp_status st = CP_OK;
    if (r == CP_STEP_ROW) from_row(s, out);
    else st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no collection %s", what) : cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_collection_resolve(cp_conn *c, const char *ref, const cp_actor *reader, cp_collection *out, cp_err *err)
{
    size_t n = ref ? strlen(ref) : 0;
    if (n == 0 || n > CP_COLLECTION_ALIAS_MAX)
        return cp_fail(err, CP_E_NOT_FOUND, "no collection with id or alias '%.64s'", ref ? ref : "");
    char key[CP_COLLECTION_ALIAS_MAX + 1];
    memcpy(key, ref, n + 1);
    if (cp_uuid_valid(key))
        for (char *p = key; *p; p++) *p = (char)tolower((unsigned char)*p);
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " COLUMNS FROM_READER " WHERE c.id = ? OR c.alias = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, reader_member(reader));
    cp_stmt_bind_text(s, 2, key);
    cp_stmt_bind_text(s, 3, key);
    char what[CP_COLLECTION_ALIAS_MAX + 32];
    snprintf(what, sizeof what, "with id or alias '%s'", key);
    return one_row(s, out, what, err);
}

cp_status cp_collection_by_num(cp_conn *c, int64_t num, const cp_actor *reader, cp_collection *out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " COLUMNS FROM_READER " WHERE c.num = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, reader_member(reader));
    cp_stmt_bind_int(s, 2, num);
    char what[48];
    snprintf(what, sizeof what, "number %lld", (long long)num);
    return one_row(s, out, what, err);
}

bool cp_collection_visible(const cp_actor *reader, const cp_collection *col)
{
    if (reader->kind == CP_ACTOR_CLI || col->policy.audience == CP_AUD_PUBLIC) return true;
    if (reader->kind == CP_ACTOR_NONE) return false;
    if (reader->roles & (CP_ROLE_SECRETARIAT | CP_ROLE_AUDITOR)) return true;
    return col->policy.audience == CP_AUD_ALLIANCE || col->policy.reader_in_group;
}

cp_status cp_collection_open(cp_conn *c, const char *ref, const cp_actor *actor, cp_collection_purpose p,
                             cp_collection *out, cp_err *err)
{
    cp_status st = cp_collection_resolve(c, ref, actor, out, err);
    if (st == CP_E_NOT_FOUND) return cp_fail(err, CP_E_NOT_FOUND, "no collection '%.100s'", ref);
    if (st) return st;
    if (!cp_collection_visible(actor, out)) {
        if (actor->kind == CP_ACTOR_NONE)
            return cp_fail(err, CP_E_UNAUTHENTICATED, "credentials are required for collection '%.100s'", ref);
        return cp_fail(err, CP_E_NOT_FOUND, "no collection '%.100s'", ref);
    }
    if (p == CP_COLLECTION_READ) return cp_intel_may_read(actor, &out->policy, CP_TLP_CLEAR, err);
    if (p == CP_COLLECTION_WRITE) return cp_intel_may_write(actor, &out->policy, CP_TLP_CLEAR, NULL, err);
    return CP_OK;
}

cp_status cp_collection_each(cp_conn *c, const cp_actor *reader, cp_collection_fn fn, void *ctx, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT " COLUMNS FROM_READER " ORDER BY c.num", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, reader_member(reader));
    /* Rows are collected first, so fn may use the connection. */
    cp_collection *all = NULL;
    size_t n = 0, cap = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            cp_collection *grown = realloc(all, cap * sizeof *all);
            if (!grown) {
                free(all);
                cp_stmt_finalize(s);
                return cp_fail(err, CP_E_NOMEM, "out of memory listing collections");
            }
            all = grown;
        }
        from_row(s, &all[n]);
        if (cp_collection_visible(reader, &all[n])) n++;
    }
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    for (size_t i = 0; !st && i < n; i++)
        if (fn(&all[i], ctx)) break;
    free(all);
    return st;
}

/* --- the admin view --- */

cp_status cp_collection_json(cp_conn *c, const char *id, json_t **out, cp_err *err)
{
    *out = NULL;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT id, alias, kind, title, description, audience, default_tlp, default_read,"
                                   " default_write, owner_member_id, created_at, updated_at"
                                   " FROM intel_collections WHERE id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    json_t *v = NULL;
    if (r == CP_STEP_ROW) {
        int64_t t = cp_stmt_col_int(s, 6);
        cp_tlp tlp = t > CP_TLP_NONE && t < CP_TLP_COUNT_ ? (cp_tlp)t : CP_TLP_AMBER;
        v = json_pack("{ss so ss ss so ss ss sb sb ss so so}", "id", cp_stmt_col_text(s, 0), "alias",
                      cp_col_text_or_null(s, 1), "kind", cp_stmt_col_text(s, 2), "title", cp_stmt_col_text(s, 3),
                      "description", cp_col_text_or_null(s, 4), "audience", cp_stmt_col_text(s, 5), "default_tlp",
                      cp_tlp_name(tlp), "default_read", cp_stmt_col_int(s, 7) != 0, "default_write",
                      cp_stmt_col_int(s, 8) != 0, "owner_member_id", cp_stmt_col_text(s, 9), "created_at",
                      cp_time_json(cp_stmt_col_int(s, 10)), "updated_at", cp_time_json(cp_stmt_col_int(s, 11)));
    } else {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_NOT_FOUND, "no collection with id '%.40s'", id) : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    if (st) return st;
    if (!v) return cp_fail(err, CP_E_NOMEM, "out of memory rendering collection %s", id);
    st = cp_stmt_prepare(c,
                         "SELECT member_id, can_read, can_write FROM intel_collection_members"
                         " WHERE collection_id = ? ORDER BY member_id",
                         &s, err);
    if (st) {
        json_decref(v);
        return st;
    }
    cp_stmt_bind_text(s, 1, id);
    json_t *members = json_array();
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW)
        json_array_append_new(members, json_pack("{ss sb sb}", "member_id", cp_stmt_col_text(s, 0), "read",
                                                 cp_stmt_col_int(s, 1) != 0, "write", cp_stmt_col_int(s, 2) != 0));
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    /* "members" goes before the times, as documented. */
    json_t *created = json_incref(json_object_get(v, "created_at")), *updated = json_incref(json_object_get(v, "updated_at"));
    json_object_del(v, "created_at");
    json_object_del(v, "updated_at");
    json_object_set_new(v, "members", members);
    json_object_set_new(v, "created_at", created);
    json_object_set_new(v, "updated_at", updated);
    if (st) json_decref(v);
    else *out = v;
    return st;
}

typedef struct {
    cp_conn *c;
    json_t *items;
    cp_status st;
    cp_err *err;
} list_ctx;

static int list_one(const cp_collection *col, void *p)
{
    list_ctx *x = p;
    json_t *v;
    if ((x->st = cp_collection_json(x->c, col->id, &v, x->err))) return 1;
    json_array_append_new(x->items, v);
    return 0;
}

cp_status cp_collection_list_json(cp_conn *c, const cp_actor *reader, json_t **items, cp_err *err)
{
    list_ctx x = {c, json_array(), CP_OK, err};
    cp_status st = cp_collection_each(c, reader, list_one, &x, err);
    if (!st) st = x.st;
    if (st) {
        json_decref(x.items);
        *items = NULL;
        return st;
    }
    *items = x.items;
    return CP_OK;
}

/* --- writing --- */

/* Opens a write transaction unless the caller already holds one. */
static cp_status tx_open(cp_conn *c, bool *own, cp_err *err)
{
    *own = !cp_conn_in_tx(c);
    return *own ? cp_conn_begin(c, CP_TX_WRITE, err) : CP_OK;
}

/* Commits (or on st, rolls back) a transaction tx_open began; inside the
 * caller's transaction returns st and leaves the rest to the caller. */
static cp_status tx_close(cp_conn *c, bool own, cp_status st, cp_err *err)
{
    if (!own) return st;
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    return cp_conn_commit(c, err);
}

static cp_status member_exists(cp_conn *c, const char *id, bool *yes, cp_err *err)
{
    *yes = false;
    if (!cp_uuid_valid(id)) return CP_OK;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1 FROM members WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

/* The one rule every change keeps: a collection owned by a member other than
 * the alliance's own organisation leaves its owner the read and write rights
 * (its own row, or in a non-group collection the defaults). Runs inside the
 * writing transaction, after the change. */
static cp_status owner_keeps_rights(cp_conn *c, const char *id, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT c.owner_member_id, c.audience, c.default_read, c.default_write,"
                                   " m.can_read, m.can_write, o.is_alliance"
                                   " FROM intel_collections c JOIN members o ON o.id = c.owner_member_id"
                                   " LEFT JOIN intel_collection_members m"
                                   " ON m.collection_id = c.id AND m.member_id = c.owner_member_id WHERE c.id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW && cp_stmt_col_int(s, 6) == 0) {
        bool row = !cp_stmt_col_is_null(s, 4), group = strcmp(cp_stmt_col_text(s, 1), "group") == 0;
        bool rd = row ? cp_stmt_col_int(s, 4) != 0 : !group && cp_stmt_col_int(s, 2) != 0;
        bool wr = row ? cp_stmt_col_int(s, 5) != 0 : !group && cp_stmt_col_int(s, 3) != 0;
        if (!rd || !wr)
            st = cp_fail(err, CP_E_UNPROCESSABLE,
                         "the owning organisation %s must keep the read and write rights on its collection "
                         "(%s); give it both (members entry with read and write true%s)",
                         cp_stmt_col_text(s, 0), row ? "its row lacks one" : group ? "it is not in the group" : "the defaults lack one",
                         group ? "" : ", or default_read and default_write true");
    } else if (r != CP_STEP_ROW) {
        st = r == CP_STEP_DONE ? cp_fail(err, CP_E_INTERNAL, "collection %s or its owner vanished", id) : cp_stmt_status(s);
    }
    cp_stmt_finalize(s);
    return st;
}

typedef struct {
    char member_id[CP_UUID_LEN + 1];
    bool read, write;
} grant;

/* A validated collection to insert. */
typedef struct {
    const char *kind, *title, *description, *alias; /* description, alias: NULL for none */
    cp_audience audience;
    cp_tlp default_tlp;
    bool default_read, default_write;
    char owner[CP_UUID_LEN + 1];
    grant *rows;
    size_t n_rows;
} spec;

static cp_status insert_row(cp_conn *c, const char *id, const grant *g, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "INSERT INTO intel_collection_members (collection_id, member_id, can_read, can_write)"
                                   " VALUES (?, ?, ?, ?)",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, g->member_id);
    cp_stmt_bind_int(s, 3, g->read);
    cp_stmt_bind_int(s, 4, g->write);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

/* Inserts sp with its rows and the audit entry; inside a write transaction.
 * *out (may be NULL): the admin view. */
static cp_status insert_collection(cp_conn *c, const cp_actor *a, const spec *sp, json_t **out, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT COALESCE(MAX(num), 0) + 1 FROM intel_collections", &s, err);
    if (st) return st;
    int64_t num = 0;
    if (cp_stmt_step(s, err) == CP_STEP_ROW) num = cp_stmt_col_int(s, 0);
    else st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) return st;
    char id[CP_UUID_LEN + 1];
    cp_uuid4(id);
    int64_t now = cp_now_ms();
    st = cp_stmt_prepare(c,
                         "INSERT INTO intel_collections (id, num, alias, kind, title, description, audience,"
                         " default_tlp, default_read, default_write, owner_member_id, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_int(s, 2, num);
    cp_stmt_bind_text(s, 3, sp->alias);
    cp_stmt_bind_text(s, 4, sp->kind);
    cp_stmt_bind_text(s, 5, sp->title);
    cp_stmt_bind_text(s, 6, sp->description);
    cp_stmt_bind_text(s, 7, cp_audience_name(sp->audience));
    cp_stmt_bind_int(s, 8, sp->default_tlp);
    cp_stmt_bind_int(s, 9, sp->default_read);
    cp_stmt_bind_int(s, 10, sp->default_write);
    cp_stmt_bind_text(s, 11, sp->owner);
    cp_stmt_bind_int(s, 12, now);
    cp_stmt_bind_int(s, 13, now);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    if (st == CP_E_CONFLICT)
        return cp_fail(err, CP_E_CONFLICT, "a collection with alias '%s' already exists", sp->alias ? sp->alias : "");
    if (st) return st;
    for (size_t i = 0; i < sp->n_rows; i++)
        if ((st = insert_row(c, id, &sp->rows[i], err))) return st;
    if ((st = owner_keeps_rights(c, id, err))) return st;
    json_t *v;
    if ((st = cp_collection_json(c, id, &v, err))) return st;
    char target[64];
    snprintf(target, sizeof target, "collection:%s", id);
    st = cp_audit_append(c, a->label, "collection.create", target, v, err);
    if (st || !out) json_decref(v);
    else *out = v;
    return st;
}

/* 1..max bytes without control characters (where names the field). */
static cp_status check_text(const char *v, const char *where, size_t max, cp_err *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > max) return cp_fail(err, CP_E_UNPROCESSABLE, "%s must be 1 to %zu bytes, not %zu", where, max, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20) return cp_fail(err, CP_E_UNPROCESSABLE, "%s contains a control character (byte %zu)", where, i);
    return CP_OK;
}

static cp_status check_alias(const char *alias, const char *kind, cp_err *err)
{
    size_t n = strlen(alias);
    if (n == 0 || n > CP_COLLECTION_ALIAS_MAX)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.alias must be 1 to %d characters, not %zu", CP_COLLECTION_ALIAS_MAX, n);
    for (size_t i = 0; i < n; i++)
        if (!((alias[i] >= 'a' && alias[i] <= 'z') || (alias[i] >= '0' && alias[i] <= '9') || alias[i] == '-'))
            return cp_fail(err, CP_E_UNPROCESSABLE,
                           "body.alias '%.64s' may hold only a-z, 0-9 and '-' (character %zu is not one)", alias, i + 1);
    if (cp_uuid_valid(alias))
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.alias '%s' looks like a collection id (a UUID); choose another", alias);
    if (strncmp(alias, "alerts-", 7) == 0 && strcmp(kind, "alerts") != 0)
        return cp_fail(err, CP_E_UNPROCESSABLE, "body.alias '%.64s': aliases starting with 'alerts-' are reserved for members' alerts collections", alias);
    return CP_OK;
}

/* body.members → rows (owned by the caller, free()). */
static cp_status parse_rows(cp_conn *c, const json_t *arr, grant **rows, size_t *n_rows, cp_err *err)
{
    static const cp_jfield F[] = {
        {"member_id", CP_JT_STRING, true, 64},
        {"read", CP_JT_BOOL, false, 0},
        {"write", CP_JT_BOOL, false, 0},
    };
    *rows = NULL;
    *n_rows = 0;
    if (!arr) return CP_OK;
    if (!json_is_array(arr)) return cp_fail(err, CP_E_BAD_REQUEST, "body.members must be an array of objects");
    size_t n = json_array_size(arr);
    if (n > ROWS_MAX) return cp_fail(err, CP_E_BAD_REQUEST, "body.members has more than %d items", ROWS_MAX);
    grant *g = calloc(n ? n : 1, sizeof *g);
    if (!g) return cp_fail(err, CP_E_NOMEM, "out of memory reading body.members");
    cp_status st = CP_OK;
    for (size_t i = 0; i < n && !st; i++) {
        const json_t *it = json_array_get(arr, i);
        char where[48];
        snprintf(where, sizeof where, "body.members[%zu]", i);
        if ((st = cp_json_check(it, where, F, 3, err))) break;
        const char *mid = cp_json_str(it, "member_id");
        bool yes;
        if ((st = member_exists(c, mid, &yes, err))) break;
        if (!yes) {
            st = cp_fail(err, CP_E_UNPROCESSABLE, "%s.member_id '%.64s' is not a member", where, mid);
            break;
        }
        snprintf(g[i].member_id, sizeof g[i].member_id, "%s", mid);
        for (char *p = g[i].member_id; *p; p++) *p = (char)tolower((unsigned char)*p);
        for (size_t j = 0; j < i; j++)
            if (strcmp(g[j].member_id, g[i].member_id) == 0)
                st = cp_fail(err, CP_E_UNPROCESSABLE, "%s.member_id %s is named twice (also body.members[%zu])",
                             where, g[i].member_id, j);
        const json_t *rd = json_object_get(it, "read"), *wr = json_object_get(it, "write");
        g[i].read = rd ? json_is_true(rd) : true;
        g[i].write = wr ? json_is_true(wr) : false;
    }
    if (st) {
        free(g);
        return st;
    }
    *rows = g;
    *n_rows = n;
    return CP_OK;
}

/* A member-owned collection whose members do not name the owner gets the
 * owner's row with both rights (named with fewer, the owner rule refuses it). */
static cp_status add_owner_row(cp_conn *c, spec *sp, cp_err *err)
{
    char alliance[CP_UUID_LEN + 1] = "";
    cp_status st = cp_member_alliance_id(c, alliance, err);
    if (st && st != CP_E_NOT_FOUND) return st;
    if (strcmp(alliance, sp->owner) == 0) return CP_OK;
    for (size_t i = 0; i < sp->n_rows; i++)
        if (strcmp(sp->rows[i].member_id, sp->owner) == 0) return CP_OK;
    grant *grown = realloc(sp->rows, (sp->n_rows + 1) * sizeof *grown);
    if (!grown) return cp_fail(err, CP_E_NOMEM, "out of memory");
    sp->rows = grown;
    grant *g = &sp->rows[sp->n_rows++];
    snprintf(g->member_id, sizeof g->member_id, "%s", sp->owner);
    g->read = g->write = true;
    return CP_OK;
}

cp_status cp_collection_create(cp_conn *c, const cp_actor *a, const char *kind, const json_t *in, json_t **out,
                               cp_err *err)
{
    static const cp_jfield F[] = {
        {"title", CP_JT_STRING, true, 1024},       {"description", CP_JT_STRING_NULL, false, DESCRIPTION_MAX},
        {"alias", CP_JT_STRING, false, 1024},      {"audience", CP_JT_STRING, true, 64},
        {"default_tlp", CP_JT_STRING, false, 64},  {"default_read", CP_JT_BOOL, false, 0},
        {"default_write", CP_JT_BOOL, false, 0},   {"owner_member_id", CP_JT_STRING, false, 64},
        {"members", CP_JT_OBJECT, false, 0}, /* checked apart: an array of objects */
    };
    *out = NULL;
    if (!kind || (strcmp(kind, "shared") != 0 && strcmp(kind, "alerts") != 0))
        return cp_fail(err, CP_E_INTERNAL, "collection kind '%.16s' is not shared or alerts", kind ? kind : "");
    if (!json_is_object(in)) return cp_fail(err, CP_E_BAD_REQUEST, "body must be a JSON object");
    json_t *shape = json_copy((json_t *)in); /* shallow: only to leave members out of the table check */
    if (!shape) return cp_fail(err, CP_E_NOMEM, "out of memory");
    json_object_del(shape, "members");
    cp_status st = cp_json_check(shape, "body", F, sizeof F / sizeof F[0] - 1, err);
    json_decref(shape);
    if (st) return st;
    spec sp = {.kind = kind, .title = cp_json_str(in, "title"), .description = cp_json_str(in, "description"),
               .alias = cp_json_str(in, "alias"), .default_tlp = CP_TLP_AMBER};
    if ((st = check_text(sp.title, "body.title", TITLE_MAX, err))) return st;
    if (sp.alias && (st = check_alias(sp.alias, kind, err))) return st;
    if (cp_audience_parse(cp_json_str(in, "audience"), &sp.audience, err))
        return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.audience");
    const char *tlp = cp_json_str(in, "default_tlp");
    if (tlp && cp_tlp_parse(tlp, &sp.default_tlp, err)) return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.default_tlp");
    const json_t *dr = json_object_get(in, "default_read"), *dw = json_object_get(in, "default_write");
    sp.default_read = dr ? json_is_true(dr) : true;
    sp.default_write = dw ? json_is_true(dw) : sp.audience == CP_AUD_ALLIANCE;
    const char *owner = cp_json_str(in, "owner_member_id");
    if (owner) {
        bool yes;
        if ((st = member_exists(c, owner, &yes, err))) return st;
        if (!yes) return cp_fail(err, CP_E_UNPROCESSABLE, "body.owner_member_id '%.64s' is not a member", owner);
        snprintf(sp.owner, sizeof sp.owner, "%s", owner);
        for (char *p = sp.owner; *p; p++) *p = (char)tolower((unsigned char)*p);
    } else if (reader_member(a)[0]) {
        snprintf(sp.owner, sizeof sp.owner, "%s", a->member_id);
    } else if ((st = cp_member_alliance_id(c, sp.owner, err))) {
        return st;
    }
    if ((st = parse_rows(c, json_object_get(in, "members"), &sp.rows, &sp.n_rows, err))) return st;
    if ((st = add_owner_row(c, &sp, err))) {
        free(sp.rows);
        return st;
    }
    bool own;
    if (!(st = tx_open(c, &own, err))) st = tx_close(c, own, insert_collection(c, a, &sp, out, err), err);
    free(sp.rows);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

/* --- what the alliance always has --- */

static cp_status alias_exists(cp_conn *c, const char *alias, bool *yes, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT 1 FROM intel_collections WHERE alias = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, alias);
    cp_step r = cp_stmt_step(s, err);
    *yes = r == CP_STEP_ROW;
    st = r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    return st;
}

typedef struct {
    char id[CP_UUID_LEN + 1];
    char name[210];
} member_name;

/* Members without their alerts collection (at most cap, into *out). */
static cp_status members_missing_alerts(cp_conn *c, member_name **out, size_t *n, cp_err *err)
{
    *out = NULL;
    *n = 0;
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c,
                                   "SELECT m.id, m.name FROM members m WHERE NOT EXISTS"
                                   " (SELECT 1 FROM intel_collections c WHERE c.alias = 'alerts-' || m.id)"
                                   " ORDER BY m.created_at, m.id",
                                   &s, err);
    if (st) return st;
    size_t cap = 0;
    cp_step r;
    while ((r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            member_name *grown = realloc(*out, cap * sizeof **out);
            if (!grown) {
                st = cp_fail(err, CP_E_NOMEM, "out of memory listing members");
                break;
            }
            *out = grown;
        }
        snprintf((*out)[*n].id, sizeof (*out)[*n].id, "%s", cp_stmt_col_text(s, 0));
        snprintf((*out)[*n].name, sizeof (*out)[*n].name, "%s", cp_stmt_col_text(s, 1));
        (*n)++;
    }
    if (!st && r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    if (st) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

static cp_status ensure_in_tx(cp_conn *c, const cp_actor *a, const char *alliance, int *created, cp_err *err)
{
    bool yes;
    cp_status st = alias_exists(c, CP_COLLECTION_ALLIANCE_ALIAS, &yes, err);
    if (st) return st;
    if (!yes) {
        spec sp = {.kind = "shared", .title = "Alliance", .alias = CP_COLLECTION_ALLIANCE_ALIAS,
                   .description = "Shared with every member of the alliance; every member reads and writes.",
                   .audience = CP_AUD_ALLIANCE, .default_tlp = CP_TLP_AMBER, .default_read = true,
                   .default_write = true};
        snprintf(sp.owner, sizeof sp.owner, "%s", alliance);
        if ((st = insert_collection(c, a, &sp, NULL, err))) return st;
        (*created)++;
    }
    member_name *missing;
    size_t n;
    if ((st = members_missing_alerts(c, &missing, &n, err))) return st;
    for (size_t i = 0; i < n && !st; i++) {
        char alias[CP_COLLECTION_ALIAS_MAX + 1], title[sizeof missing[i].name + 16];
        snprintf(alias, sizeof alias, "alerts-%s", missing[i].id);
        snprintf(title, sizeof title, "Alerts for %s", missing[i].name);
        grant g = {.read = true, .write = false};
        snprintf(g.member_id, sizeof g.member_id, "%s", missing[i].id);
        spec sp = {.kind = "alerts", .title = title, .alias = alias,
                   .description = "Alerts the server raises for this member; the member reads them.",
                   .audience = CP_AUD_GROUP, .default_tlp = CP_TLP_AMBER, .rows = &g, .n_rows = 1};
        snprintf(sp.owner, sizeof sp.owner, "%s", alliance);
        if (!(st = insert_collection(c, a, &sp, NULL, err))) (*created)++;
    }
    free(missing);
    return st;
}

cp_status cp_collections_ensure(cp_conn *c, const cp_actor *a, int *created, cp_err *err)
{
    int made = 0;
    if (created) *created = 0;
    char alliance[CP_UUID_LEN + 1];
    cp_status st = cp_member_alliance_id(c, alliance, err);
    if (st == CP_E_NOT_FOUND) return CP_OK; /* before init: nothing can own them yet */
    if (st) return st;
    bool own;
    if ((st = tx_open(c, &own, err))) return st;
    st = tx_close(c, own, ensure_in_tx(c, a, alliance, &made, err), err);
    if (!st && created) *created = made;
    return st;
}

/* --- changes --- */

/* Resolves ref for a change and opens its transaction. */
static cp_status change_begin(cp_conn *c, const cp_actor *a, const char *ref, cp_collection *col, cp_err *err)
{
    cp_status st = cp_collection_resolve(c, ref, a, col, err);
    if (st) return st;
    return cp_conn_begin(c, CP_TX_WRITE, err);
}

/* Checks the owner rule, writes the audit entry, commits; *out the admin view. */
static cp_status change_end(cp_conn *c, const cp_actor *a, const char *action, const char *id, json_t *change,
                            json_t **out, cp_err *err)
{
    cp_status st = owner_keeps_rights(c, id, err);
    if (!st) st = cp_collection_json(c, id, out, err);
    if (!st) {
        char target[64];
        snprintf(target, sizeof target, "collection:%s", id);
        json_t *d = json_pack("{sO sO}", "change", change, "result", *out);
        st = cp_audit_append(c, a->label, action, target, d, err);
        json_decref(d);
    }
    if (!st) st = cp_conn_commit(c, err);
    else cp_conn_rollback(c);
    json_decref(change);
    if (st) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cp_status cp_collection_update(cp_conn *c, const cp_actor *a, const char *ref, const json_t *in, json_t **out,
                               cp_err *err)
{
    static const cp_jfield F[] = {
        {"title", CP_JT_STRING, false, 1024},     {"description", CP_JT_STRING_NULL, false, DESCRIPTION_MAX},
        {"audience", CP_JT_STRING, false, 64},    {"default_tlp", CP_JT_STRING, false, 64},
        {"default_read", CP_JT_BOOL, false, 0},   {"default_write", CP_JT_BOOL, false, 0},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, sizeof F / sizeof F[0], err);
    if (st) return st;
    if (json_object_size(in) == 0)
        return cp_fail(err, CP_E_BAD_REQUEST,
                       "body changes nothing; give at least one of title, description, audience, default_tlp, "
                       "default_read, default_write");
    const char *title = cp_json_str(in, "title");
    if (title && (st = check_text(title, "body.title", TITLE_MAX, err))) return st;
    cp_audience aud = CP_AUD_GROUP;
    const char *audience = cp_json_str(in, "audience");
    if (audience && cp_audience_parse(audience, &aud, err)) return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.audience");
    cp_tlp tlp = CP_TLP_AMBER;
    const char *tlp_s = cp_json_str(in, "default_tlp");
    if (tlp_s && cp_tlp_parse(tlp_s, &tlp, err)) return cp_fail_prefix(err, CP_E_UNPROCESSABLE, "body.default_tlp");
    const json_t *desc = json_object_get(in, "description"), *dr = json_object_get(in, "default_read"),
                 *dw = json_object_get(in, "default_write");
    cp_collection col;
    if ((st = change_begin(c, a, ref, &col, err))) return st;
    cp_stmt *s;
    st = cp_stmt_prepare(c,
                         "UPDATE intel_collections SET title = COALESCE(CAST(? AS TEXT), title),"
                         " description = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE description END,"
                         " audience = COALESCE(CAST(? AS TEXT), audience),"
                         " default_tlp = COALESCE(CAST(? AS BIGINT), default_tlp),"
                         " default_read = COALESCE(CAST(? AS BIGINT), default_read),"
                         " default_write = COALESCE(CAST(? AS BIGINT), default_write), updated_at = ? WHERE id = ?",
                         &s, err);
    if (!st) {
        cp_stmt_bind_text(s, 1, title);
        cp_stmt_bind_int(s, 2, desc ? 1 : 0);
        cp_stmt_bind_text(s, 3, json_string_value(desc));
        cp_stmt_bind_text(s, 4, audience ? cp_audience_name(aud) : NULL);
        if (tlp_s) cp_stmt_bind_int(s, 5, tlp);
        else cp_stmt_bind_null(s, 5);
        if (dr) cp_stmt_bind_int(s, 6, json_is_true(dr));
        else cp_stmt_bind_null(s, 6);
        if (dw) cp_stmt_bind_int(s, 7, json_is_true(dw));
        else cp_stmt_bind_null(s, 7);
        cp_stmt_bind_int(s, 8, cp_now_ms());
        cp_stmt_bind_text(s, 9, col.id);
        st = cp_stmt_run(s, err);
        cp_stmt_finalize(s);
    }
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    return change_end(c, a, "collection.update", col.id, json_deep_copy(in), out, err);
}

/* Deletes member_id's row of collection id; *gone: whether one existed. */
static cp_status delete_row(cp_conn *c, const char *id, const char *member_id, bool *gone, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "DELETE FROM intel_collection_members WHERE collection_id = ? AND member_id = ?",
                                   &s, err);
    if (st) return st;
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, member_id);
    st = cp_stmt_run(s, err);
    *gone = !st && cp_stmt_changes(s) > 0;
    cp_stmt_finalize(s);
    return st;
}

static cp_status touch(cp_conn *c, const char *id, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "UPDATE intel_collections SET updated_at = ? WHERE id = ?", &s, err);
    if (st) return st;
    cp_stmt_bind_int(s, 1, cp_now_ms());
    cp_stmt_bind_text(s, 2, id);
    st = cp_stmt_run(s, err);
    cp_stmt_finalize(s);
    return st;
}

/* The member named in a path: must exist (404), lower-cased into out. */
static cp_status path_member(cp_conn *c, const char *member_id, char out[CP_UUID_LEN + 1], cp_err *err)
{
    bool yes;
    cp_status st = member_exists(c, member_id, &yes, err);
    if (st) return st;
    if (!yes) return cp_fail(err, CP_E_NOT_FOUND, "no member with id '%.40s'", member_id ? member_id : "");
    snprintf(out, CP_UUID_LEN + 1, "%s", member_id);
    for (char *p = out; *p; p++) *p = (char)tolower((unsigned char)*p);
    return CP_OK;
}

cp_status cp_collection_member_set(cp_conn *c, const cp_actor *a, const char *ref, const char *member_id,
                                   const json_t *in, json_t **out, cp_err *err)
{
    static const cp_jfield F[] = {
        {"read", CP_JT_BOOL, true, 0},
        {"write", CP_JT_BOOL, true, 0},
    };
    *out = NULL;
    cp_status st = cp_json_check(in, "body", F, 2, err);
    if (st) return st;
    grant g = {.read = json_is_true(json_object_get(in, "read")), .write = json_is_true(json_object_get(in, "write"))};
    if ((st = path_member(c, member_id, g.member_id, err))) return st;
    cp_collection col;
    if ((st = change_begin(c, a, ref, &col, err))) return st;
    bool gone;
    if (!(st = delete_row(c, col.id, g.member_id, &gone, err)) && !(st = insert_row(c, col.id, &g, err)))
        st = touch(c, col.id, err);
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    return change_end(c, a, "collection.member.set", col.id,
                      json_pack("{ss sb sb}", "member_id", g.member_id, "read", g.read, "write", g.write), out, err);
}

cp_status cp_collection_member_remove(cp_conn *c, const cp_actor *a, const char *ref, const char *member_id,
                                      json_t **out, cp_err *err)
{
    *out = NULL;
    char mid[CP_UUID_LEN + 1];
    cp_status st = path_member(c, member_id, mid, err);
    if (st) return st;
    cp_collection col;
    if ((st = change_begin(c, a, ref, &col, err))) return st;
    bool gone = false;
    if (!(st = delete_row(c, col.id, mid, &gone, err)) && !gone)
        st = cp_fail(err, CP_E_NOT_FOUND, "member %s has no row in collection %s", mid, col.id);
    if (!st) st = touch(c, col.id, err);
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    return change_end(c, a, "collection.member.remove", col.id, json_pack("{ss}", "member_id", mid), out, err);
}
