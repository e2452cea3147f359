/*
 * record_verify.c — `cyberpact record verify`: fetch or read a copy of the
 * governance record and check it with governance/record_verify.h, without
 * trusting the server that serves it:
 *   --server URL   over HTTP (libcurl): the public key, the tree head, every
 *                  entry page by page, and a proof from the server for each
 *                  receipt and for the previous head
 *   --file EXPORT  an export (cyberpact record export), offline
 *   neither        this store, directly
 * then every result is recomputed from the logged ballots when the governance
 * part has installed its recheck (governance/recheck.h). Every difference is
 * printed; the exit status is 1 when there is any.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "cli/record_cli.h"
#include "governance/recheck.h"
#include "governance/record_verify.h"

#define BODY_MAX (64u * 1024 * 1024) /* bytes of one HTTP response */
#define LINE_MAX_BYTES (4u * 1024 * 1024)
#define RECEIPTS_MAX 64

/* ---- a small HTTP GET client over libcurl ---- */

typedef struct {
    CURL *h;
    char base[1024];
    struct curl_slist *hdrs;
    char *buf;
    size_t len, cap;
    bool too_big;
} client;

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    client *cl = ud;
    size_t add = sz * n;
    if (cl->len + add + 1 > BODY_MAX) {
        cl->too_big = true;
        return 0;
    }
    if (cl->len + add + 1 > cl->cap) {
        size_t cap = cl->cap ? cl->cap : 65536;
        while (cap < cl->len + add + 1) cap *= 2;
        char *b = realloc(cl->buf, cap);
        if (!b) return 0;
        cl->buf = b;
        cl->cap = cap;
    }
    memcpy(cl->buf + cl->len, p, add);
    cl->len += add;
    cl->buf[cl->len] = 0;
    return add;
}

static cp_status client_open(client *cl, const char *url, const char *key, const char *cacert, cp_err *err)
{
    memset(cl, 0, sizeof *cl);
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cp_fail(err, CP_E_BAD_REQUEST, "--server must be an http:// or https:// URL");
    snprintf(cl->base, sizeof cl->base, "%s", url);
    size_t n = strlen(cl->base);
    while (n > 0 && cl->base[n - 1] == '/') cl->base[--n] = 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(cl->h = curl_easy_init()))
        return cp_fail(err, CP_E_INTERNAL, "cannot start libcurl");
    cl->hdrs = curl_slist_append(NULL, "Accept: application/json");
    if (key && key[0]) {
        char auth[600];
        snprintf(auth, sizeof auth, "Authorization: Bearer %.500s", key);
        cl->hdrs = curl_slist_append(cl->hdrs, auth);
    }
    curl_easy_setopt(cl->h, CURLOPT_HTTPHEADER, cl->hdrs);
    curl_easy_setopt(cl->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(cl->h, CURLOPT_WRITEDATA, cl);
    curl_easy_setopt(cl->h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(cl->h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(cl->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(cl->h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(cl->h, CURLOPT_USERAGENT, "cyberpact-record-verify");
    if (cacert) curl_easy_setopt(cl->h, CURLOPT_CAINFO, cacert);
    return CP_OK;
}

static void client_close(client *cl)
{
    if (cl->h) curl_easy_cleanup(cl->h);
    curl_slist_free_all(cl->hdrs);
    free(cl->buf);
    memset(cl, 0, sizeof *cl);
}

/* GET base+path; a 200 with a JSON object in *out, anything else an error naming the path. */
static cp_status get_json(client *cl, const char *path, json_t **out, cp_err *err)
{
    *out = NULL;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", cl->base, path);
    cl->len = 0;
    cl->too_big = false;
    if (cl->buf) cl->buf[0] = 0;
    curl_easy_setopt(cl->h, CURLOPT_URL, url);
    CURLcode rc = curl_easy_perform(cl->h);
    if (rc != CURLE_OK) {
        if (cl->too_big) return cp_fail(err, CP_E_IO, "GET %s: the response exceeds %u bytes", path, BODY_MAX);
        return cp_fail(err, CP_E_IO, "GET %s: %s", path, curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(cl->h, CURLINFO_RESPONSE_CODE, &status);
    json_t *j = cl->len ? json_loadb(cl->buf, cl->len, 0, NULL) : NULL;
    if (status != 200) {
        const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        cp_status st = cp_fail(err, CP_E_IO, "GET %s: HTTP %ld%s%.300s", path, status, msg ? ": " : "", msg ? msg : "");
        json_decref(j);
        return st;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return cp_fail(err, CP_E_IO, "GET %s: the response is not a JSON object", path);
    }
    *out = j;
    return CP_OK;
}

/* GETs a proof and parses it from the bytes served. CP_OK with *ok false and why filled when
 * the server answered but the proof does not parse; an error when there was no answer. */
static cp_status get_proof(client *cl, const char *path, cp_record_proof *p, bool *ok, char *why, size_t cap,
                           cp_err *err)
{
    json_t *j = NULL;
    cp_status st = get_json(cl, path, &j, err);
    if (st) return st;
    json_decref(j);
    *ok = cp_record_proof_parse(cl->buf, cl->len, p, why, cap);
    return CP_OK;
}

/* ---- what is checked besides the log itself ---- */

typedef struct {
    const char *file;
    cp_record_receipt r;
    bool seen;      /* its index was among the entries */
    bool matched;   /* ... with the same leaf hash */
} receipt;

typedef struct {
    const cp_record_verify_opts *o;
    cp_record_check k;
    cp_record_head head;
    char pub[CP_RECORD_HEX];
    receipt rc[RECEIPTS_MAX];
    int n_rc;
    bool has_prev;
    cp_record_head prev;
} run;

static json_t *load_json_file(const char *path, char *why, size_t cap)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j) snprintf(why, cap, "%s: %s (line %d)", path, e.text, e.line);
    return j;
}

static int load_inputs(run *u)
{
    const cp_record_verify_opts *o = u->o;
    char why[400];
    if (o->n_receipts > RECEIPTS_MAX) {
        fprintf(stderr, "error: at most %d receipts at a time\n", RECEIPTS_MAX);
        return CP_EXIT_USAGE;
    }
    for (int i = 0; i < o->n_receipts; i++) {
        json_t *j = load_json_file(o->receipts[i], why, sizeof why);
        bool ok = j && cp_record_receipt_parse(j, &u->rc[i].r, why, sizeof why);
        json_decref(j);
        if (!ok) {
            fprintf(stderr, "error: receipt %s: %s\n", o->receipts[i], why);
            return CP_EXIT_FAIL;
        }
        u->rc[i].file = o->receipts[i];
        u->n_rc++;
    }
    if (o->previous_head) {
        json_t *j = load_json_file(o->previous_head, why, sizeof why);
        /* a head saved by --save-head, or the whole tree-head response */
        json_t *h = j && json_object_get(j, "tree_head") ? json_object_get(j, "tree_head") : j;
        bool ok = h && cp_record_head_parse(h, &u->prev, why, sizeof why);
        json_decref(j);
        if (!ok) {
            fprintf(stderr, "error: previous head %s: %s\n", o->previous_head, why);
            return CP_EXIT_FAIL;
        }
        u->has_prev = true;
    }
    if (o->public_key) {
        uint8_t pk[CP_MERKLE_HASH];
        if (!cp_merkle_unhex(o->public_key, pk)) {
            fprintf(stderr, "error: --public-key must be 64 hex digits\n");
            return CP_EXIT_USAGE;
        }
    }
    return -1;
}

/* The key to check signatures with: the pinned one when given (and the served one must equal it). */
static void choose_key(run *u, const char *served, const char *from)
{
    if (u->o->public_key) {
        uint8_t pk[CP_MERKLE_HASH];
        cp_merkle_unhex(u->o->public_key, pk);
        cp_merkle_hex(pk, u->pub);
        printf("public key: %s (given with --public-key)\n", u->pub);
        if (served && strcmp(served, u->pub) != 0)
            cp_record_check_problem(&u->k, "%s publishes a different public key (%.16s...) than the one given", from,
                                    served);
    } else {
        snprintf(u->pub, sizeof u->pub, "%s", served ? served : "");
        printf("public key: %s (from %s: compare it with the key the alliance publishes)\n", u->pub, from);
    }
}

/* After the head is known: the previous head's signature and size. */
static void prepare_prev(run *u)
{
    if (!u->has_prev) return;
    if (!cp_record_head_verify(&u->prev, u->pub))
        cp_record_check_problem(&u->k, "the previous head (size %" PRId64 ") is not signed by this public key",
                                u->prev.tree_size);
    if (u->prev.tree_size > u->head.tree_size)
        cp_record_check_problem(&u->k,
                                "the log shrank: a head of size %" PRId64 " was seen before, the current one has %" PRId64,
                                u->prev.tree_size, u->head.tree_size);
    else
        cp_record_check_want_root(&u->k, u->prev.tree_size);
}

static void receipts_at(run *u, int64_t idx, const char *leaf)
{
    for (int i = 0; i < u->n_rc; i++)
        if (u->rc[i].r.index == idx) {
            u->rc[i].seen = true;
            u->rc[i].matched = leaf && strcmp(leaf, u->rc[i].r.leaf_hash) == 0;
        }
}

static void item(run *u, const json_t *it)
{
    int64_t before = u->k.next;
    cp_record_check_item(&u->k, it);
    if (u->k.next == before) return;
    receipts_at(u, (int64_t)json_integer_value(json_object_get(it, "index")),
                json_string_value(json_object_get(it, "leaf_hash")));
}

static int raw_item(void *ctx, int64_t index, const char *leaf_hash, const char *entry, size_t len)
{
    run *u = ctx;
    int64_t before = u->k.next;
    cp_record_check_add(&u->k, index, leaf_hash, entry, len);
    if (u->k.next != before) receipts_at(u, index, leaf_hash);
    return 0;
}

/* ---- the three sources ---- */

static cp_status from_server(run *u, client *cl, cp_err *err)
{
    json_t *j = NULL;
    cp_status st = get_json(cl, "/api/v1/record/public-key", &j, err);
    if (st) return st;
    char served[CP_RECORD_HEX] = "";
    const char *pk = json_string_value(json_object_get(j, "public_key"));
    snprintf(served, sizeof served, "%s", pk ? pk : "");
    json_decref(j);
    choose_key(u, served, "the server");
    if ((st = get_json(cl, "/api/v1/record/tree-head", &j, err))) return st;
    char why[200];
    bool ok = cp_record_head_parse(j, &u->head, why, sizeof why);
    json_decref(j);
    if (!ok) return cp_fail(err, CP_E_IO, "the server's tree head: %s", why);
    prepare_prev(u);
    for (int64_t start = 0; start < u->head.tree_size;) {
        char path[160];
        int64_t end = start + CP_RECORD_PAGE_MAX - 1;
        if (end > u->head.tree_size - 1) end = u->head.tree_size - 1;
        snprintf(path, sizeof path, "/api/v1/record/entries?start=%" PRId64 "&end=%" PRId64, start, end);
        if ((st = get_json(cl, path, &j, err))) return st;
        json_t *items = json_object_get(j, "entries");
        size_t n = json_array_size(items);
        if (n == 0) {
            json_decref(j);
            cp_record_check_problem(&u->k, "the server serves no entry from %" PRId64 " on", start);
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) item(u, it);
        int64_t last = (int64_t)json_integer_value(json_object_get(json_array_get(items, n - 1), "index"));
        json_decref(j);
        start = last >= start ? last + 1 : start + (int64_t)n; /* a page that skips ahead is a gap already reported */
    }
    return CP_OK;
}

/* Proofs from the server, checked against the head it signed. */
static void server_proofs(run *u, client *cl)
{
    uint8_t root[CP_MERKLE_HASH];
    if (!cp_merkle_unhex(u->head.root_hash, root)) return;
    for (int i = 0; i < u->n_rc; i++) {
        receipt *r = &u->rc[i];
        if (r->r.index >= u->head.tree_size) continue; /* reported below */
        char path[200], why[300];
        cp_err err = {{0}};
        snprintf(path, sizeof path, "/api/v1/record/proof/inclusion?leaf=%" PRId64 "&size=%" PRId64, r->r.index,
                 u->head.tree_size);
        cp_record_proof p;
        bool ok = false;
        if (get_proof(cl, path, &p, &ok, why, sizeof why, &err)) {
            cp_record_check_problem(&u->k, "receipt %s: no inclusion proof: %s", r->file, err.msg);
            continue;
        }
        uint8_t leaf[CP_MERKLE_HASH];
        const char *reason = why;
        cp_merkle_unhex(r->r.leaf_hash, leaf);
        if (ok && !cp_merkle_verify_inclusion((uint64_t)r->r.index, (uint64_t)u->head.tree_size, leaf,
                                              (const uint8_t(*)[CP_MERKLE_HASH])p.path, p.len, root, &reason))
            ok = false;
        if (ok) printf("receipt %s: entry %" PRId64 " is in the log (inclusion proof of %zu hashes verified)\n", r->file,
                       r->r.index, p.len);
        else
            cp_record_check_problem(&u->k, "receipt %s: the inclusion proof for entry %" PRId64 " fails: %s", r->file,
                                    r->r.index, reason);
    }
    if (u->has_prev && u->prev.tree_size > 0 && u->prev.tree_size <= u->head.tree_size) {
        char path[200], why[300];
        cp_err err = {{0}};
        snprintf(path, sizeof path, "/api/v1/record/proof/consistency?first=%" PRId64 "&second=%" PRId64,
                 u->prev.tree_size, u->head.tree_size);
        cp_record_proof p;
        bool ok = false;
        if (get_proof(cl, path, &p, &ok, why, sizeof why, &err)) {
            cp_record_check_problem(&u->k, "no consistency proof from the previous head: %s", err.msg);
            return;
        }
        uint8_t r1[CP_MERKLE_HASH];
        const char *reason = why;
        cp_merkle_unhex(u->prev.root_hash, r1);
        if (ok && !cp_merkle_verify_consistency((uint64_t)u->prev.tree_size, (uint64_t)u->head.tree_size, r1, root,
                                                (const uint8_t(*)[CP_MERKLE_HASH])p.path, p.len, &reason))
            ok = false;
        if (ok) printf("previous head: consistency proof from size %" PRId64 " to %" PRId64 " verified\n",
                       u->prev.tree_size, u->head.tree_size);
        else
            cp_record_check_problem(&u->k, "the consistency proof from the previous head (size %" PRId64 ") fails: %s",
                                    u->prev.tree_size, reason);
    }
}

static cp_status from_file(run *u, cp_err *err)
{
    FILE *f = fopen(u->o->file, "r");
    if (!f) return cp_fail(err, CP_E_IO, "cannot open %s", u->o->file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0;
    cp_status st = CP_OK;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)n > LINE_MAX_BYTES) {
            cp_record_check_problem(&u->k, "%s line %" PRId64 " is longer than %u bytes", u->o->file, lineno,
                                    LINE_MAX_BYTES);
            continue;
        }
        json_error_t e;
        json_t *j = json_loadb(line, (size_t)n, 0, &e);
        if (!j) {
            if (lineno == 1) {
                st = cp_fail(err, CP_E_IO, "%s is not a record export: %s", u->o->file, e.text);
                break;
            }
            cp_record_check_problem(&u->k, "%s line %" PRId64 " is not JSON: %s", u->o->file, lineno, e.text);
            continue;
        }
        if (lineno == 1) {
            char why[200];
            json_t *h = json_object_get(j, "tree_head");
            if (json_integer_value(json_object_get(j, "cyberpact_record_export")) != 1 ||
                !cp_record_head_parse(h, &u->head, why, sizeof why)) {
                st = cp_fail(err, CP_E_IO, "%s does not start with a record export header", u->o->file);
                json_decref(j);
                break;
            }
            const char *pk = json_string_value(json_object_get(j, "public_key"));
            choose_key(u, pk, "the export file");
            prepare_prev(u);
        } else {
            item(u, j);
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    if (!st && lineno == 0) st = cp_fail(err, CP_E_IO, "%s is empty", u->o->file);
    return st;
}

static cp_status from_store(run *u, cp_conn *c, cp_err *err)
{
    char pk[CP_RECORD_HEX];
    cp_status st = cp_conn_begin(c, CP_TX_READ, err);
    if (!st) st = cp_record_public_key(c, pk, err);
    if (!st) st = cp_record_head_get(c, &u->head, err);
    if (st) {
        cp_conn_rollback(c);
        return st;
    }
    choose_key(u, pk, "this store");
    prepare_prev(u);
    /* every entry as stored, sealed or not: whoever runs this holds the store */
    if (u->head.tree_size > 0) st = cp_record_scan(c, 0, u->head.tree_size - 1, raw_item, u, err);
    cp_conn_rollback(c);
    return st;
}

/* The stored subtree hashes the server builds proofs from, recomputed. */
static void store_nodes(run *u, cp_conn *c)
{
    cp_err err = {{0}};
    char problem[300];
    int64_t checked = 0;
    cp_status st = cp_conn_begin(c, CP_TX_READ, &err);
    if (!st) st = cp_record_check_nodes(c, u->head.tree_size, &checked, problem, sizeof problem, &err);
    cp_conn_rollback(c);
    if (st == CP_E_TOO_LARGE) printf("subtree hashes: not checked (%s)\n", err.msg);
    else if (st) cp_record_check_problem(&u->k, "subtree hashes: %s", err.msg);
    else if (problem[0]) cp_record_check_problem(&u->k, "%s", problem);
    else printf("subtree hashes: %" PRId64 " stored ones match the leaves, and so does the head's frontier\n", checked);
}

/* ---- the report ---- */

static void recheck(run *u)
{
    if (!cp_gov_recheck_hook) {
        printf("results: not rechecked (governance recheck not built)\n");
        return;
    }
    size_t n = json_array_size(u->k.entries);
    json_t **arr = calloc(n ? n : 1, sizeof *arr);
    if (!arr) {
        cp_record_check_problem(&u->k, "results: out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(u->k.entries, i);
        arr[i] = json_is_null(e) ? NULL : e;
    }
    json_t *report = NULL;
    cp_err err = {{0}};
    cp_status st = cp_gov_recheck_hook(arr, n, &report, &err);
    free(arr);
    if (st) {
        cp_record_check_problem(&u->k, "results: the recheck could not run: %s", err.msg);
        return;
    }
    json_t *diffs = json_object_get(report, "differences");
    printf("results: %" JSON_INTEGER_FORMAT " recomputed from the logged ballots, %zu skipped, %zu different\n",
           json_integer_value(json_object_get(report, "checked")), json_array_size(json_object_get(report, "skipped")),
           json_array_size(diffs));
    size_t i;
    json_t *d;
    json_array_foreach(diffs, i, d)
    {
        char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        cp_record_check_problem(&u->k, "result differs: %.150s", text ? text : "?");
        free(text);
    }
    json_t *skipped = json_object_get(report, "skipped");
    json_array_foreach(skipped, i, d)
    {
        char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        printf("  skipped: %s\n", text ? text : "?");
        free(text);
    }
    json_decref(report);
}

static void check_receipts_and_prev(run *u)
{
    for (int i = 0; i < u->n_rc; i++) {
        receipt *r = &u->rc[i];
        if (r->r.index >= u->head.tree_size)
            cp_record_check_problem(&u->k, "receipt %s: entry %" PRId64 " is beyond the tree (size %" PRId64 ")",
                                    r->file, r->r.index, u->head.tree_size);
        else if (!r->seen)
            cp_record_check_problem(&u->k, "receipt %s: entry %" PRId64 " was not served", r->file, r->r.index);
        else if (!r->matched)
            cp_record_check_problem(&u->k, "receipt %s: entry %" PRId64 " has a different leaf hash in the log", r->file,
                                    r->r.index);
        else
            printf("receipt %s: entry %" PRId64 " with leaf hash %.16s... is in the log\n", r->file, r->r.index,
                   r->r.leaf_hash);
    }
    if (u->has_prev && u->prev.tree_size <= u->k.next && u->prev.tree_size <= u->head.tree_size) {
        if (strcmp(u->k.want_root, u->prev.root_hash) != 0)
            cp_record_check_problem(&u->k,
                                    "the head of size %" PRId64 " seen before (root %.16s...) is not a prefix of this log"
                                    " (root of its first %" PRId64 " entries: %.16s...): history was rewritten",
                                    u->prev.tree_size, u->prev.root_hash, u->prev.tree_size, u->k.want_root);
        else
            printf("previous head: the first %" PRId64 " entries still have the root it signed\n", u->prev.tree_size);
    }
}

static void save_head(run *u)
{
    if (!u->o->save_head) return;
    if (u->k.problems) {
        printf("head not saved to %s: the verification failed\n", u->o->save_head);
        return;
    }
    json_t *h = cp_record_head_json(&u->head);
    if (json_dump_file(h, u->o->save_head, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
        cp_record_check_problem(&u->k, "cannot write %s", u->o->save_head);
    else
        printf("head saved to %s (give it as --previous-head next time)\n", u->o->save_head);
    json_decref(h);
}

int cp_cli_record_verify(const cp_record_verify_opts *o, cp_conn *c)
{
    static run u; /* large (frontier, receipts): not on the stack */
    memset(&u, 0, sizeof u);
    u.o = o;
    /* parsed entries are kept (in memory: ~0.7 KB each) only for the results recheck */
    cp_record_check_init(&u.k, cp_gov_recheck_hook != NULL);
    int rc = load_inputs(&u);
    if (rc >= 0) {
        cp_record_check_free(&u.k);
        return rc;
    }
    cp_err err = {{0}};
    cp_status st;
    client cl = {0};
    if (o->server) {
        printf("source: %s\n", o->server);
        const char *key = o->key ? o->key : getenv("CYBERPACT_API_KEY");
        st = client_open(&cl, o->server, key, o->cacert, &err);
        if (!st) st = from_server(&u, &cl, &err);
    } else if (o->file) {
        printf("source: %s\n", o->file);
        st = from_file(&u, &err);
    } else {
        printf("source: this store\n");
        st = from_store(&u, c, &err);
    }
    if (st) {
        client_close(&cl);
        cp_record_check_free(&u.k);
        return cp_cli_fail(err.msg);
    }
    cp_record_check_head(&u.k, &u.head, u.pub);
    char when[CP_RFC3339_MAX];
    cp_rfc3339_format(u.head.timestamp, when);
    printf("tree head: size %" PRId64 ", root %s, time %s\n", u.head.tree_size, u.head.root_hash, when);
    printf("entries: %" PRId64 " read (%" PRId64 " revealed and rehashed, %" PRId64 " sealed: leaf hash only)\n", u.k.next,
           u.k.revealed, u.k.withheld);
    if (o->server) server_proofs(&u, &cl);
    if (!o->server && !o->file) store_nodes(&u, c);
    client_close(&cl);
    check_receipts_and_prev(&u);
    recheck(&u);
    save_head(&u);
    if (u.k.problems) {
        printf("FAILED: %" PRId64 " problem(s)\n", u.k.problems);
        for (int64_t i = 0; i < u.k.problems && i < CP_RECORD_PROBLEMS_KEPT; i++) printf("  - %s\n", u.k.problem[i]);
        if (u.k.problems > CP_RECORD_PROBLEMS_KEPT)
            printf("  ... and %" PRId64 " more\n", u.k.problems - CP_RECORD_PROBLEMS_KEPT);
        rc = CP_EXIT_FAIL;
    } else {
        printf("ok: every leaf hash matches its entry, the root matches the signed head, the signature verifies\n");
        rc = CP_EXIT_OK;
    }
    cp_record_check_free(&u.k);
    return rc;
}
