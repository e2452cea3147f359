/*
 * record.c — `cyberpact record`: the governance record from the command line.
 *
 *   record tree-head                 the current signed tree head and the public key (store)
 *   record export FILE [--all]       the whole log as JSON lines with its signed head (store);
 *                                    sealed entries withheld unless --all; FILE "-" is stdout
 *   record note TEXT [--proposal ID] appends a statement of the secretariat (type "note")
 *   record verify ...                checks a copy of the record (cli/record_verify.c)
 *
 * Export format (one JSON object per line):
 *   {"cyberpact_record_export": 1, "public_key": "<hex>", "tree_head": {...}}
 *   {"index": 0, "leaf_hash": "<hex>", "entry": "<canonical text>" | null[, "sealed_until": "..."]}
 *   ... one line per entry, index order, exactly tree_head.tree_size lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/record_cli.h"
#include "governance/record.h"
#include "members/actor.h"

static const char USAGE[] =
    "usage: cyberpact record tree-head\n"
    "       cyberpact record export FILE [--all]\n"
    "       cyberpact record note TEXT [--proposal ID]\n"
    "       cyberpact record verify [--server URL [--key API_KEY] [--cacert FILE] | --file EXPORT]\n"
    "                               [--public-key HEX]\n"
    "                               [--receipt FILE]... [--previous-head FILE] [--save-head FILE]\n"
    "The governance record: an append-only Merkle log (RFC 9162) with Ed25519-signed tree heads.\n"
    "tree-head prints the current head and the public key; export writes the log as JSON lines\n"
    "(sealed entries withheld unless --all); note appends a statement of the secretariat;\n"
    "verify checks a copy (a server, an export file, or this store when neither is given):\n"
    "every leaf hash against its entry, the root, the head's signature, the inclusion of each\n"
    "receipt ({\"index\", \"leaf_hash\"}) and the consistency of a head saved earlier. Exit 1\n"
    "on any difference. The API key may also come from the environment (CYBERPACT_API_KEY);\n"
    "--cacert trusts the CA certificates in FILE (PEM) for an https:// server.\n";

#define NOTE_MAX 10000

enum { F_ALL, F_PROPOSAL, F_SERVER, F_KEY, F_FILE, F_PUBKEY, F_RECEIPT, F_PREVIOUS, F_SAVE, F_CACERT };
static const char *const FLAGS[] = {"+all", "proposal", "server", "key", "file", "public-key", "*receipt",
                                    "previous-head", "save-head", "cacert", NULL};
#define B(f) (1u << (f))
static const cp_cli_action ACTIONS[] = {
    {"tree-head", 0, 0, 0},
    {"export", B(F_ALL), 0, 1},
    {"note", B(F_PROPOSAL), 0, 1},
    {"verify", B(F_SERVER) | B(F_KEY) | B(F_FILE) | B(F_PUBKEY) | B(F_RECEIPT) | B(F_PREVIOUS) | B(F_SAVE) | B(F_CACERT),
     0, 0},
};

static int tree_head(cp_conn *c)
{
    cp_err err = {{0}};
    cp_record_head h;
    char pub[CP_RECORD_HEX];
    if (cp_record_head_get(c, &h, &err) || cp_record_public_key(c, pub, &err)) return cp_cli_fail(err.msg);
    json_t *out = json_pack("{so ss}", "tree_head", cp_record_head_json(&h), "public_key", pub);
    cp_cli_print_json(out);
    return CP_EXIT_OK;
}

static cp_status export_to(cp_conn *c, FILE *f, bool all, int64_t *written, cp_err *err)
{
    cp_record_head h;
    char pub[CP_RECORD_HEX];
    cp_status st = cp_record_head_get(c, &h, err);
    if (!st) st = cp_record_public_key(c, pub, err);
    if (st) return st;
    json_t *head = json_pack("{si ss so}", "cyberpact_record_export", 1, "public_key", pub, "tree_head",
                             cp_record_head_json(&h));
    int bad = json_dumpf(head, f, JSON_COMPACT) != 0 || fputc('\n', f) == EOF;
    json_decref(head);
    if (bad) return cp_fail(err, CP_E_IO, "cannot write the export");
    cp_record_reader rd = {.member_id = NULL, .auditor = all};
    *written = 0;
    for (int64_t start = 0; start < h.tree_size;) {
        json_t *items = NULL;
        int64_t end = start + CP_RECORD_PAGE_MAX - 1;
        if (end > h.tree_size - 1) end = h.tree_size - 1;
        if ((st = cp_record_entries(c, &rd, start, end, &items, err))) return st;
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            if (json_dumpf(item, f, JSON_COMPACT) != 0 || fputc('\n', f) == EOF) {
                json_decref(items);
                return cp_fail(err, CP_E_IO, "cannot write the export");
            }
        }
        size_t n = json_array_size(items);
        json_decref(items);
        if (n == 0) return cp_fail(err, CP_E_STORE, "entry %" PRId64 " is missing from the store", start);
        start += (int64_t)n;
        *written += (int64_t)n;
    }
    return CP_OK;
}

static int export_file(cp_conn *c, const char *path, bool all)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "error: cannot create %s\n", path);
        return CP_EXIT_FAIL;
    }
    cp_err err = {{0}};
    int64_t n = 0;
    /* one read transaction: the head and the entries it covers, as of one moment */
    cp_status st = cp_conn_begin(c, CP_TX_READ, &err);
    if (!st) st = export_to(c, f, all, &n, &err);
    cp_conn_rollback(c);
    if (!to_stdout && fclose(f) != 0 && !st) st = cp_fail(&err, CP_E_IO, "cannot write %s", path);
    if (st) return cp_cli_fail(err.msg);
    if (!to_stdout) fprintf(stderr, "exported %" PRId64 " entries%s to %s\n", n, all ? " (sealed ones included)" : "", path);
    return CP_EXIT_OK;
}

static int note(cp_conn *c, const char *text, const char *proposal)
{
    if (!text[0] || strlen(text) > NOTE_MAX) {
        fprintf(stderr, "error: a note has 1 to %d bytes\n", NOTE_MAX);
        return CP_EXIT_USAGE;
    }
    cp_actor a;
    cp_actor_cli(&a);
    cp_err err = {{0}};
    json_t *entry = json_pack("{ss ss ss}", "type", "note", "text", text, "by", a.label);
    if (!entry) return cp_cli_fail("a note must be UTF-8 text");
    if (proposal) json_object_set_new(entry, "proposal", json_string(proposal));
    cp_record_receipt r;
    cp_status st = cp_conn_begin(c, CP_TX_WRITE, &err);
    if (!st) st = cp_record_append(c, entry, &r, &err);
    if (!st) {
        char target[48];
        snprintf(target, sizeof target, "record:%" PRId64, r.index);
        st = cp_audit_append(c, a.label, "record.note", target, entry, &err);
    }
    if (!st) st = cp_conn_commit(c, &err);
    if (st) cp_conn_rollback(c);
    json_decref(entry);
    if (st) return cp_cli_fail(err.msg);
    cp_cli_print_json(json_pack("{sI ss}", "index", (json_int_t)r.index, "leaf_hash", r.leaf_hash));
    return CP_EXIT_OK;
}

int cp_cli_record(int argc, char **argv, cp_config *cfg)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CP_EXIT_USAGE;
    }
    cp_cli_args o;
    int parsed = cp_cli_parse(argc - 1, argv + 1, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, &o);
    if (parsed >= 0) return parsed;
    const char *action = argv[1];
    cp_record_verify_opts v = {o.value[F_SERVER], o.value[F_KEY], o.value[F_FILE], o.value[F_PUBKEY],
                               o.value[F_PREVIOUS], o.value[F_SAVE], o.repeated, o.n_repeated, o.value[F_CACERT]};
    if (strcmp(action, "verify") == 0 && (v.server || v.file)) {
        if (v.server && v.file) {
            fprintf(stderr, "error: give --server or --file, not both\n\n%s", USAGE);
            return CP_EXIT_USAGE;
        }
        if ((v.key || v.cacert) && !v.server) {
            fprintf(stderr, "error: --key and --cacert go with --server\n\n%s", USAGE);
            return CP_EXIT_USAGE;
        }
        return cp_cli_record_verify(&v, NULL);
    }
    cp_db *db = cp_cli_open_store(cfg, strcmp(action, "note") == 0 ? CP_OPEN_MIGRATE : CP_OPEN_EXISTING);
    if (!db) return CP_EXIT_STORE;
    cp_err err = {{0}};
    cp_conn *c = cp_db_thread_conn(db, &err);
    int rc;
    if (!c) rc = cp_cli_fail(err.msg);
    else if (strcmp(action, "tree-head") == 0) rc = tree_head(c);
    else if (strcmp(action, "export") == 0) rc = export_file(c, o.operands[0], o.value[F_ALL] != NULL);
    else if (strcmp(action, "note") == 0) rc = note(c, o.operands[0], o.value[F_PROPOSAL]);
    else if (v.key || v.cacert) rc = (fprintf(stderr, "error: --key and --cacert go with --server\n"), CP_EXIT_USAGE);
    else rc = cp_cli_record_verify(&v, c);
    cp_db_close(db);
    return rc;
}
