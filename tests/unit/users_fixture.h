/*
 * users_fixture.h — a fresh SQLite store for the users, keys and sessions
 * tests: migrated, with the alliance's own organisation, a member state and
 * a sector member, and the helpers those tests share. Include once per test
 * program, after harness.h.
 *
 * Member states are inserted with plain SQL for now (cp_member_create needs
 * the ISO 3166 table of the parsers branch); they carry no audit entry,
 * which the chain does not mind.
 */
#ifndef CP_TEST_USERS_FIXTURE_H
#define CP_TEST_USERS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/timeutil.h"
#include "members/actor.h"
#include "members/auth.h"
#include "members/keys.h"
#include "members/members.h"
#include "members/users.h"
#include "store/db.h"
#include "store/migrate.h"

typedef struct {
    char path[64];
    cp_db *db;
    cp_conn *c;
    cp_actor cli;
    char alliance[CP_UUID_LEN + 1];
    char state[CP_UUID_LEN + 1];  /* kind member_state */
    char sector[CP_UUID_LEN + 1]; /* kind sector_member */
    cp_err err;
} fixture;

static inline void fx_member(fixture *f, const char *kind, const char *name, const char *country, char *id)
{
    cp_uuid4(id);
    cp_stmt *s;
    int64_t now = cp_now_ms();
    if (cp_stmt_prepare(f->c,
                        "INSERT INTO members (id, kind, name, country, status, status_since, joined_at,"
                        " is_alliance, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, 0, ?, ?)",
                        &s, &f->err)) {
        fprintf(stderr, "fixture: %s\n", f->err.msg);
        exit(1);
    }
    cp_stmt_bind_text(s, 1, id);
    cp_stmt_bind_text(s, 2, kind);
    cp_stmt_bind_text(s, 3, name);
    cp_stmt_bind_text(s, 4, country);
    for (int i = 5; i <= 8; i++)
        cp_stmt_bind_int(s, i, now);
    if (cp_stmt_run(s, &f->err)) {
        fprintf(stderr, "fixture: %s\n", f->err.msg);
        exit(1);
    }
    cp_stmt_finalize(s);
}

static inline void fx_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/cp-unit-XXXXXX");
    int fd = mkstemp(f->path);
    char url[80];
    snprintf(url, sizeof url, "sqlite:%s", f->path);
    json_t *m = NULL;
    if (fd < 0 || cp_crypto_init(&f->err) || cp_db_open(url, &f->db, &f->err) ||
        !(f->c = cp_db_thread_conn(f->db, &f->err)) || cp_migrate(f->c, NULL, &f->err)) {
        fprintf(stderr, "fixture: %s\n", f->err.msg);
        exit(1);
    }
    close(fd);
    cp_actor_cli(&f->cli);
    if (cp_member_create_alliance(f->c, &f->cli, "Alliance Secretariat", &m, &f->err)) {
        fprintf(stderr, "fixture: %s\n", f->err.msg);
        exit(1);
    }
    snprintf(f->alliance, sizeof f->alliance, "%s", json_string_value(json_object_get(m, "id")));
    json_decref(m);
    fx_member(f, "member_state", "Republic of Atlantis", "AT", f->state);
    fx_member(f, "sector_member", "Atlantis Grid Operators", NULL, f->sector);
}

/* Checks the audit chain, then removes the store. */
static inline void fx_close(fixture *f)
{
    cp_audit_report rep;
    CHECK(cp_audit_verify(f->c, &rep, &f->err) == CP_OK);
    CHECK_INT(rep.first_bad_seq, 0);
    CHECK(rep.entries > 0);
    cp_db_close(f->db);
    char p[96];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
}

/* A new user (as the CLI administrator); roles as "a,b"; password may be
 * NULL. Returns the user (owned); a failure ends the test program. */
static inline json_t *fx_user(fixture *f, const char *member, const char *name, const char *roles, const char *password)
{
    json_t *in = json_pack("{ss ss so}", "member_id", member, "name", name, "roles", cp_roles_split(roles)), *out;
    if (password) json_object_set_new(in, "password", json_string(password));
    cp_status st = cp_user_create(f->c, &f->cli, in, &out, &f->err);
    json_decref(in);
    if (st) {
        fprintf(stderr, "fixture: user %s: %s\n", name, f->err.msg);
        exit(1);
    }
    return out;
}

static inline const char *fx_id(const json_t *v)
{
    return json_string_value(json_object_get(v, "id"));
}

/* A new key for user_id (roles "a,b" or NULL for the default) made by a;
 * its secret into secret (CP_KEY_SECRET_LEN + 1). Returns the status. */
static inline cp_status fx_key(fixture *f, const cp_actor *a, const char *user_id, const char *roles, char *secret,
                               json_t **key)
{
    json_t *in = json_pack("{ss}", "user_id", user_id), *out;
    if (roles) json_object_set_new(in, "roles", cp_roles_split(roles));
    cp_status st = cp_key_create(f->c, a, in, &out, &f->err);
    json_decref(in);
    if (st) return st;
    if (secret) snprintf(secret, CP_KEY_SECRET_LEN + 1, "%s", json_string_value(json_object_get(out, "secret")));
    if (key)
        *key = out;
    else
        json_decref(out);
    return CP_OK;
}

/* Number of rows that a one-parameter COUNT query finds. */
static inline long long fx_count(fixture *f, const char *sql, const char *param)
{
    cp_stmt *s;
    if (cp_stmt_prepare(f->c, sql, &s, &f->err)) return -1;
    if (param) cp_stmt_bind_text(s, 1, param);
    long long n = cp_stmt_step(s, &f->err) == CP_STEP_ROW ? (long long)cp_stmt_col_int(s, 0) : -1;
    cp_stmt_finalize(s);
    return n;
}

/* Does any audit entry's detail contain needle? */
static inline bool fx_audit_mentions(fixture *f, const char *needle)
{
    char like[256];
    snprintf(like, sizeof like, "%%%s%%", needle);
    return fx_count(f, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?", like) != 0;
}

/* A role set as a bitmask from a rendered "roles" array. */
static inline unsigned fx_roles(const json_t *v)
{
    unsigned m = 0;
    cp_err e;
    if (cp_roles_from_json(json_object_get(v, "roles"), "roles", &m, &e)) return 0;
    return m;
}

#endif
