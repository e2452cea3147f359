/*
 * pg.c — the PostgreSQL backend, over libpq.
 *
 * Connections
 *   Opened with PQconnectdbParams from the URL in db->target, with defaults
 *   the URL may override: connect_timeout=10, client_encoding=UTF8,
 *   fallback_application_name=cyberpact. Each session then runs
 *   `SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET
 *   plan_cache_mode = force_custom_plan`: statements stay prepared (parsed
 *   once) but are planned with their parameters, because a generic plan for
 *   a lookup with an IN list of ids, chosen while a table is young and has
 *   no statistics, scans the whole collection (100 ms instead of 1 ms per
 *   envelope lookup, measured). Error messages
 *   never contain the password: it is scrubbed out of libpq's text.
 *
 *   When a connection has broken (PQstatus CONNECTION_BAD), the next prepare
 *   or exec outside a transaction calls PQreset once. Inside a transaction it
 *   does not: the transaction is lost anyway, so every call fails with
 *   CP_E_UNAVAILABLE until the caller rolls back. A reset bumps the
 *   connection's generation; statements prepared before it then fail instead
 *   of running a name the new session does not know.
 *
 * Statements
 *   SQL arrives with `?` placeholders, rewritten to $1, $2 ... outside string
 *   literals, quoted identifiers, dollar quotes and comments. The rewritten
 *   SQL is prepared once per connection under a generated name ("cp_<n>",
 *   never reused) and cached, keyed by the SQL's content (a hash, then the text), so SQL
 *   built in a buffer is cached too. Parameters travel as text; the server infers their types.
 *
 *   The first step runs the statement and fetches the whole result (a
 *   PGresult); later steps walk its rows. Because the result is complete
 *   on the client, one cached prepared statement may back several cp_stmts at
 *   once (nested use of the same SQL): the server keeps no per-execution
 *   state. When the cache is full, statements are not prepared on the server
 *   but sent with PQexecParams at their first step (so their SQL errors show
 *   at step, not at prepare).
 *
 * Errors
 *   SQLSTATE 23505 (unique_violation) is CP_E_CONFLICT; a lost connection
 *   (CONNECTION_BAD, class 08, 57P01-57P03) is CP_E_UNAVAILABLE; anything else
 *   is CP_E_STORE. Messages carry the server's primary message and SQLSTATE,
 *   not its DETAIL (which for constraint violations repeats the row's values).
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

#define PG_STMT_CACHE_MAX 256
#define PG_CONNECT_TIMEOUT_S "10"
/* OID of the boolean type (catalog/pg_type_d.h is a server header). */
#define PG_BOOLOID 16

typedef struct {
    uint64_t hash;   /* cp_sql_hash of the SQL: a cheap first check */
    char *sql;       /* copy of the caller's SQL: the key */
    char name[24];   /* server-side prepared statement */
    int nparams;
} pg_cached;

typedef struct {
    struct cp_conn base;
    PGconn *pg;
    unsigned gen;       /* bumped on every reset */
    unsigned next_name; /* statement name counter; never reset */
    pg_cached cache[PG_STMT_CACHE_MAX];
    int cache_n;
} pg_conn;

typedef struct {
    struct cp_stmt base;
    char name[24];       /* prepared statement, "" when not prepared */
    char *sql;           /* rewritten SQL when not prepared (owned) */
    unsigned gen;        /* connection generation at prepare time */
    int nparams;
    char **params;       /* nparams values; NULL is SQL NULL */
    const char *bind_error; /* static message of a misuse of bind */
    PGresult *res;       /* result once executed */
    bool failed;         /* the execution failed; further steps fail too */
    int row, nrows;      /* current row (-1 before the first) and count */
    int64_t changes;
} pg_stmt;

/* ---- SQL rewriting: `?` to $n ------------------------------------------ */

static bool is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* p is at an opening quote; returns the position after the closing one. A
 * doubled quote inside is read as closing and reopening, which copies the
 * same text. With backslash escapes (E'...'), \x never closes. */
static const char *skip_quoted(const char *p, char quote, bool backslash)
{
    for (p++; *p; p++) {
        if (backslash && *p == '\\' && p[1]) p++;
        else if (*p == quote) return p + 1;
    }
    return p;
}

/* p is at "/" "*"; PostgreSQL block comments nest. */
static const char *skip_block_comment(const char *p)
{
    int depth = 0;
    while (*p) {
        if (p[0] == '/' && p[1] == '*') depth++, p += 2;
        else if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0) return p;
        } else p++;
    }
    return p;
}

/* p is at '$'. If a dollar quote ($$ or $tag$) opens here, returns the
 * position after its closing tag; otherwise NULL. */
static const char *skip_dollar_quoted(const char *p)
{
    const char *t = p + 1;
    if (!(*t == '$' || *t == '_' || (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
          (unsigned char)*t >= 0x80))
        return NULL;
    while (*t != '$') {
        if (!*t || !is_ident_char(*t)) return NULL;
        t++;
    }
    size_t taglen = (size_t)(t - p) + 1; /* "$tag$" */
    const char *q = t + 1;
    while (*q && !(*q == '$' && strncmp(q, p, taglen) == 0)) q++;
    return *q ? q + taglen : q;
}

/* Returns the end of a literal, identifier or comment starting at p, or NULL
 * when p starts ordinary SQL. sql is the start of the text (for lookbehind). */
static const char *skip_opaque(const char *sql, const char *p)
{
    char prev = p > sql ? p[-1] : ' ';
    switch (*p) {
    case '\'': {
        /* E'...' (not part of a longer identifier) has backslash escapes. */
        bool esc = (prev == 'E' || prev == 'e') && (p - 1 == sql || !is_ident_char(p[-2]));
        return skip_quoted(p, '\'', esc);
    }
    case '"': return skip_quoted(p, '"', false);
    case '-':
        if (p[1] != '-') return NULL;
        p += strcspn(p, "\n");
        return p;
    case '/': return p[1] == '*' ? skip_block_comment(p) : NULL;
    case '$': return is_ident_char(prev) ? NULL : skip_dollar_quoted(p);
    default: return NULL;
    }
}

/* Rewrites `?` placeholders to $1, $2 ...; *nparams gets their count. Returns
 * malloc'd text, or NULL when out of memory. */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
    size_t len = strlen(sql), marks = 0;
    for (const char *q = sql; (q = strchr(q, '?')); q++) marks++;
    /* Each `?` grows to at most "$" and 10 digits. */
    char *out = malloc(len + marks * 10 + 1), *o = out;
    if (!out) return NULL;
    int n = 0;
    const char *p = sql;
    while (*p) {
        const char *end = skip_opaque(sql, p);
        if (end) {
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
            p = end;
        } else if (*p == '?') {
            o += sprintf(o, "$%d", ++n);
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *nparams = n;
    return out;
}

/* ---- errors -------------------------------------------------------------- */

/* Copies msg into out, replacing every occurrence of a non-empty secret with
 * "***" and dropping trailing newlines. */
static void copy_scrubbed(char *out, size_t cap, const char *msg, const char *const *secrets, int nsecrets)
{
    size_t o = 0;
    while (*msg && o + 1 < cap) {
        bool hit = false;
        for (int i = 0; i < nsecrets && !hit; i++) {
            size_t sl = secrets[i] ? strlen(secrets[i]) : 0;
            if (sl && strncmp(msg, secrets[i], sl) == 0) {
                for (const char *r = "***"; *r && o + 1 < cap; r++) out[o++] = *r;
                msg += sl;
                hit = true;
            }
        }
        if (!hit) out[o++] = *msg++;
    }
    while (o > 0 && (out[o - 1] == '\n' || out[o - 1] == ' ')) o--;
    out[o] = '\0';
}

/* Copies the raw text after `key` in url up to one of the stop characters. */
static void raw_after(const char *url, const char *key, const char *stops, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = strstr(url, key);
    if (!p) return;
    p += strlen(key);
    snprintf(out, cap, "%.*s", (int)strcspn(p, stops), p);
}

/* A failed connection attempt: CP_E_UNAVAILABLE with libpq's message, from
 * which the password (as written in the URL and as decoded) is removed. */
static cp_status connect_error(cp_db *db, PGconn *pg, cp_err *err)
{
    char userinfo_pw[256] = "", query_pw[256] = "", decoded_pw[256] = "";
    const char *scheme = strstr(db->target, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    if (at) {
        const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
        if (colon) snprintf(userinfo_pw, sizeof userinfo_pw, "%.*s", (int)(at - colon - 1), colon + 1);
    }
    raw_after(db->target, "password=", "&", query_pw, sizeof query_pw);
    PQconninfoOption *opts = PQconninfoParse(db->target, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val)
            snprintf(decoded_pw, sizeof decoded_pw, "%s", o->val);
    }
    PQconninfoFree(opts);
    const char *secrets[] = {userinfo_pw, query_pw, decoded_pw};
    char msg[CP_ERR_MSG_MAX];
    copy_scrubbed(msg, sizeof msg, pg ? PQerrorMessage(pg) : "out of memory", secrets, 3);
    return cp_fail(err, CP_E_UNAVAILABLE, "cannot connect to %s: %s", cp_db_describe(db), msg);
}

static cp_status classify(PGconn *pg, const char *sqlstate)
{
    if (PQstatus(pg) == CONNECTION_BAD) return CP_E_UNAVAILABLE;
    if (!sqlstate) return CP_E_STORE;
    if (strcmp(sqlstate, "23505") == 0) return CP_E_CONFLICT;
    if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0)
        return CP_E_UNAVAILABLE;
    return CP_E_STORE;
}

/* Turns a result into a status: CP_OK for success, otherwise the classified
 * failure with the server's (or libpq's) message in err. r may be NULL. */
static cp_status result_status(PGconn *pg, const PGresult *r, cp_err *err, const char *what)
{
    ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK || rs == PGRES_EMPTY_QUERY) return CP_OK;
    const char *sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[CP_ERR_MSG_MAX];
    if (primary) {
        snprintf(msg, sizeof msg, "%s", primary);
    } else if (r && *PQresultErrorMessage(r)) {
        copy_scrubbed(msg, sizeof msg, PQresultErrorMessage(r), NULL, 0);
    } else if (rs != PGRES_FATAL_ERROR) {
        snprintf(msg, sizeof msg, "unexpected result %s", PQresStatus(rs));
    } else {
        copy_scrubbed(msg, sizeof msg, PQerrorMessage(pg), NULL, 0);
    }
    cp_status st = classify(pg, sqlstate);
    if (!r && st == CP_E_STORE && PQstatus(pg) == CONNECTION_OK) st = CP_E_NOMEM;
    return cp_fail(err, st, "postgresql %s: %s%s%s%s", what, msg, sqlstate ? " (SQLSTATE " : "",
                   sqlstate ? sqlstate : "", sqlstate ? ")" : "");
}

/* ---- connections ------------------------------------------------------- */

/* Server notices (client_min_messages=warning lets only warnings through) go
 * to stderr, except "there is no transaction in progress": db.c rolls back
 * after a failed COMMIT, when the server has already ended the transaction. */
static void notice_receiver(void *arg, const PGresult *r)
{
    (void)arg;
    const char *sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (sqlstate && strcmp(sqlstate, "25P01") == 0) return;
    const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    fprintf(stderr, "cyberpact: postgresql %s: %s\n", sev ? sev : "NOTICE", msg ? msg : "");
}

/* Per-session settings, after connect and after every reset. */
static cp_status session_setup(pg_conn *c, cp_err *err)
{
    PQsetNoticeReceiver(c->pg, notice_receiver, NULL);
    PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                                "SET plan_cache_mode = force_custom_plan");
    cp_status st = result_status(c->pg, r, err, "session setup");
    PQclear(r);
    return st;
}

static void cache_clear(pg_conn *c)
{
    for (int i = 0; i < c->cache_n; i++) free(c->cache[i].sql);
    c->cache_n = 0;
}

/* Makes sure the session is usable, resetting a broken one once when no
 * transaction is open (its prepared statements went with it). */
static cp_status ensure_connected(pg_conn *c, cp_err *err)
{
    if (PQstatus(c->pg) == CONNECTION_OK) return CP_OK;
    if (c->base.in_tx)
        return cp_fail(err, CP_E_UNAVAILABLE,
                       "postgresql: connection lost inside a transaction (roll back and retry)");
    cache_clear(c);
    c->gen++;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) return connect_error(c->base.db, c->pg, err);
    return session_setup(c, err);
}

static cp_status pg_connect(cp_db *db, cp_conn **out, cp_err *err)
{
    /* Defaults come before dbname, so that the URL (expanded in its place)
     * overrides them. */
    const char *keys[] = {"connect_timeout", "client_encoding", "fallback_application_name", "dbname", NULL};
    const char *vals[] = {PG_CONNECT_TIMEOUT_S, "UTF8", "cyberpact", db->target, NULL};
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) return cp_fail(err, CP_E_NOMEM, "out of memory");
    c->base.db = db;
    c->pg = PQconnectdbParams(keys, vals, 1);
    cp_status st;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        st = connect_error(db, c->pg, err);
        goto fail;
    }
    st = session_setup(c, err);
    if (st) goto fail;
    *out = &c->base;
    return CP_OK;
fail:
    PQfinish(c->pg);
    free(c);
    return st;
}

static void pg_close(cp_conn *conn)
{
    pg_conn *c = (pg_conn *)conn;
    cache_clear(c);
    PQfinish(c->pg);
    free(c);
}

static cp_status pg_exec(cp_conn *conn, const char *sql, cp_err *err)
{
    pg_conn *c = (pg_conn *)conn;
    cp_status st = ensure_connected(c, err);
    if (st) return st;
    PGresult *r = PQexec(c->pg, sql);
    st = result_status(c->pg, r, err, "exec");
    PQclear(r);
    return st;
}

static cp_status pg_backup(cp_db *db, const char *path, cp_err *err)
{
    return cp_fail(err, CP_E_UNPROCESSABLE,
                   "online backup of PostgreSQL is done with pg_dump (see docs/operations.md)");
}

/* ---- statements -------------------------------------------------------- */

static pg_cached *cache_find(pg_conn *c, const char *sql)
{
    uint64_t hash = cp_sql_hash(sql);
    for (int i = 0; i < c->cache_n; i++) {
        if (c->cache[i].hash == hash && strcmp(c->cache[i].sql, sql) == 0) return &c->cache[i];
    }
    return NULL;
}

/* Prepares rewritten SQL on the server under a new name and caches it. */
static cp_status cache_add(pg_conn *c, const char *sql, const char *rewritten, int nparams,
                           pg_cached **out, cp_err *err)
{
    pg_cached *slot = &c->cache[c->cache_n];
    snprintf(slot->name, sizeof slot->name, "cp_%u", c->next_name++);
    slot->sql = strdup(sql);
    if (!slot->sql) return cp_fail(err, CP_E_NOMEM, "out of memory");
    PGresult *r = PQprepare(c->pg, slot->name, rewritten, nparams, NULL);
    cp_status st = result_status(c->pg, r, err, "prepare");
    PQclear(r);
    if (st) {
        free(slot->sql);
        return st;
    }
    slot->hash = cp_sql_hash(sql);
    slot->nparams = nparams;
    c->cache_n++;
    *out = slot;
    return CP_OK;
}

static cp_status pg_prepare(cp_conn *conn, const char *sql, cp_stmt **out, cp_err *err)
{
    pg_conn *c = (pg_conn *)conn;
    cp_status st = ensure_connected(c, err);
    if (st) return st;
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s) return cp_fail(err, CP_E_NOMEM, "out of memory");
    s->gen = c->gen;
    s->row = -1;
    pg_cached *slot = cache_find(c, sql);
    if (!slot) {
        char *rewritten = rewrite_placeholders(sql, &s->nparams);
        if (!rewritten) {
            st = cp_fail(err, CP_E_NOMEM, "out of memory");
            goto fail;
        }
        if (c->cache_n < PG_STMT_CACHE_MAX) {
            st = cache_add(c, sql, rewritten, s->nparams, &slot, err);
            free(rewritten);
            if (st) goto fail;
        } else {
            s->sql = rewritten; /* sent with PQexecParams at the first step */
        }
    }
    if (slot) {
        snprintf(s->name, sizeof s->name, "%s", slot->name);
        s->nparams = slot->nparams;
    }
    s->params = calloc(s->nparams > 0 ? (size_t)s->nparams : 1, sizeof *s->params);
    if (!s->params) {
        st = cp_fail(err, CP_E_NOMEM, "out of memory");
        goto fail;
    }
    *out = &s->base;
    return CP_OK;
fail:
    free(s->sql);
    free(s);
    return st;
}

/* Stores value (already malloc'd, or NULL for SQL NULL) as parameter idx. */
static void set_param(pg_stmt *s, int idx, char *value, bool oom)
{
    if (idx < 1 || idx > s->nparams) {
        s->bind_error = "bind: parameter index out of range";
    } else if (oom) {
        s->bind_error = "bind: out of memory";
    } else {
        free(s->params[idx - 1]);
        s->params[idx - 1] = value;
        return;
    }
    free(value);
}

static void pg_bind_text(cp_stmt *stmt, int idx, const char *text, size_t len)
{
    pg_stmt *s = (pg_stmt *)stmt;
    if (!text) {
        set_param(s, idx, NULL, false);
        return;
    }
    if (memchr(text, '\0', len)) {
        s->bind_error = "bind: text contains a NUL byte (PostgreSQL text cannot hold one)";
        return;
    }
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    set_param(s, idx, copy, !copy);
}

static void pg_bind_int(cp_stmt *stmt, int idx, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    char *copy = strdup(buf);
    set_param((pg_stmt *)stmt, idx, copy, !copy);
}

/* Runs the statement and keeps its whole result. */
static bool execute(pg_stmt *s, cp_err *err)
{
    pg_conn *c = (pg_conn *)s->base.conn;
    if (s->bind_error) {
        s->base.status = cp_fail(err, CP_E_INTERNAL, "postgresql %s", s->bind_error);
        return false;
    }
    if (s->gen != c->gen) {
        s->base.status = cp_fail(err, CP_E_UNAVAILABLE,
                                 "postgresql: the connection was re-established after this statement was prepared");
        return false;
    }
    const char *const *values = (const char *const *)s->params;
    if (s->name[0])
        s->res = PQexecPrepared(c->pg, s->name, s->nparams, values, NULL, NULL, 0);
    else
        s->res = PQexecParams(c->pg, s->sql, s->nparams, NULL, values, NULL, NULL, 0);
    s->base.status = result_status(c->pg, s->res, err, "step");
    if (s->base.status) return false;
    s->nrows = PQresultStatus(s->res) == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
    s->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
    return true;
}

static cp_step pg_step(cp_stmt *stmt, cp_err *err)
{
    pg_stmt *s = (pg_stmt *)stmt;
    if (s->failed) {
        cp_fail(err, s->base.status, "postgresql step: statement already failed");
        return CP_STEP_ERROR;
    }
    if (!s->res && !execute(s, err)) {
        s->failed = true;
        return CP_STEP_ERROR;
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        return CP_STEP_ROW;
    }
    s->row = s->nrows;
    return CP_STEP_DONE;
}

static bool on_row(pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static const char *pg_col_text(cp_stmt *stmt, int col)
{
    pg_stmt *s = (pg_stmt *)stmt;
    if (!on_row(s, col) || PQgetisnull(s->res, s->row, col)) return NULL;
    return PQgetvalue(s->res, s->row, col);
}

/* Integers parse as such; booleans ("t"/"f", from EXISTS or comparisons)
 * read as 1/0 as they do in SQLite; NULL and other text read as 0. */
static int64_t pg_col_int(cp_stmt *stmt, int col)
{
    pg_stmt *s = (pg_stmt *)stmt;
    const char *t = pg_col_text(stmt, col);
    if (!t) return 0;
    if (PQftype(s->res, col) == PG_BOOLOID) return t[0] == 't';
    return strtoll(t, NULL, 10);
}

static bool pg_col_is_null(cp_stmt *stmt, int col)
{
    pg_stmt *s = (pg_stmt *)stmt;
    return !on_row(s, col) || PQgetisnull(s->res, s->row, col);
}

/* Known once the statement has run (the first step). */
static int pg_col_count(cp_stmt *stmt)
{
    pg_stmt *s = (pg_stmt *)stmt;
    return s->res ? PQnfields(s->res) : 0;
}

static int64_t pg_changes(cp_stmt *stmt) { return ((pg_stmt *)stmt)->changes; }

static void pg_finalize(cp_stmt *stmt)
{
    pg_stmt *s = (pg_stmt *)stmt;
    PQclear(s->res);
    for (int i = 0; i < s->nparams; i++) free(s->params[i]);
    free(s->params);
    free(s->sql);
    free(s);
}

const cp_db_backend cp_pg_backend = {
    .dialect = CP_DIALECT_PG,
    .name = "postgresql",
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_is_null = pg_col_is_null,
    .col_count = pg_col_count,
    .changes = pg_changes,
    .finalize = pg_finalize,
    .backup = pg_backup,
    .begin_write_sql = "BEGIN",
    .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
};
