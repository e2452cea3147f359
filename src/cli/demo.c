/*
 * demo.c — `cyberpact demo`: a fresh store holding an alliance that looks
 * real, its credentials written to DATA/demo-credentials.json (mode 0600),
 * then serve.
 *
 * The 146 member states of the founding declaration are drawn
 * deterministically from the ISO 3166-1 list (a seeded shuffle, so every run
 * and every machine gets the same alliance). Demo passwords are random and
 * written only to the credentials file.
 *
 * A demo store is marked (meta "demo" = 1); `cyberpact demo` replaces a demo
 * store but refuses to touch any other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/crypto.h"
#include "base/iso3166.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/serve.h"
#include "finance/demo_finance.h"
#include "governance/record.h"
#include "http/server.h"
#include "intel/collections.h"
#include "intel/demo_intel.h"
#include "governance/demo_governance.h"
#include "intel/warninglist.h"
#include "members/bootstrap.h"
#include "members/keys.h"
#include "members/members.h"
#include "members/users.h"
#include "store/meta.h"
#include "warning/demo_warning.h"

#define DEMO_STATES 146
#define DEMO_SEED 20130000u /* the declaration's year, for a fixed draw */


static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cmp_alpha2(const void *a, const void *b)
{
    return strcmp((*(const cp_country *const *)a)->alpha2, (*(const cp_country *const *)b)->alpha2);
}

/* The demo's member states, sorted by alpha-2 code. */
static size_t draw_states(const cp_country **out, size_t max)
{
    size_t n = cp_iso3166_count();
    const cp_country **all = malloc(n * sizeof *all);
    if (!all) return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const cp_country *c = cp_iso3166_at(i);
        if (strcmp(c->alpha2, "AQ") != 0) all[m++] = c; /* Antarctica is not a state */
    }
    uint64_t seed = DEMO_SEED;
    for (size_t i = m - 1; i > 0; i--) {
        size_t j = (size_t)(splitmix64(&seed) % (i + 1));
        const cp_country *t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    size_t k = m < max ? m : max;
    memcpy(out, all, k * sizeof *out);
    free(all);
    qsort(out, k, sizeof *out, cmp_alpha2);
    return k;
}

/* 96 random bits as 16 base64url characters. */
static void random_password(char out[24])
{
    unsigned char rnd[12];
    cp_random_bytes(rnd, sizeof rnd);
    cp_b64url_encode(rnd, sizeof rnd, out);
}

typedef struct {
    cp_conn *c;
    cp_actor a;
    json_t *creds;
    cp_err err;
} demo;

static const char *member(demo *d, const char *kind, const char *name, const char *country, const char *team,
                          const char *email, char *id_out)
{
    json_t *in = json_pack("{ss ss s{ss ss}}", "kind", kind, "name", name, "csirt", "team", team, "email", email);
    if (country) json_object_set_new(in, "country", json_string(country));
    json_t *out = NULL;
    cp_status st = cp_member_create(d->c, &d->a, in, &out, &d->err);
    json_decref(in);
    if (st) return NULL;
    snprintf(id_out, CP_UUID_LEN + 1, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    return id_out;
}

static cp_status user(demo *d, const char *member_id, const char *member_name, const char *name, json_t *roles)
{
    char password[24];
    random_password(password);
    json_t *in = json_pack("{ss ss sO ss}", "member_id", member_id, "name", name, "roles", roles, "password", password);
    json_t *u = NULL, *k = NULL;
    cp_status st = cp_user_create(d->c, &d->a, in, &u, &d->err);
    json_decref(in);
    if (!st) {
        in = json_pack("{ss ss}", "user_id", json_string_value(json_object_get(u, "id")), "label", "demo key");
        st = cp_key_create(d->c, &d->a, in, &k, &d->err);
        json_decref(in);
    }
    if (!st)
        json_array_append_new(d->creds, json_pack("{ss ss sO sO ss}", "user", name, "member", member_name, "roles",
                                                  roles, "key", json_object_get(k, "secret"), "password", password));
    json_decref(u);
    json_decref(k);
    json_decref(roles);
    return st;
}

static cp_status range(demo *d, const char *member_id, const char *type, const char *value)
{
    json_t *in = json_pack("{ss ss}", "type", type, "value", value), *out = NULL;
    cp_status st = cp_constituency_add(d->c, &d->a, member_id, in, &out, &d->err);
    json_decref(in);
    json_decref(out);
    return st;
}

static const struct {
    const char *kind, *name, *team, *email;
} OTHERS[] = {
    {"sector_member", "Sahel Telecom", "Sahel Telecom CSIRT", "csirt@saheltelecom.example"},
    {"sector_member", "Andes Energy Grid", "Andes Energy SOC", "soc@andesenergy.example"},
    {"sector_member", "Baltic Banking Group", "BBG CERT", "cert@bbg.example"},
    {"sector_member", "Pacific Cloud Services", "PCS Security", "security@pacificcloud.example"},
    {"sector_member", "Atlas Rail Systems", "Atlas Rail CSIRT", "csirt@atlasrail.example"},
    {"academia", "Ouagadougou Institute of Technology", "OIT Cyber Lab", "lab@oit.example"},
    {"academia", "University of the South Pacific Cyber Centre", "USP CC", "cc@usp.example"},
    {"international_org", "Regional CERT Coordination Centre", "RCCC", "duty@rccc.example"},
    {"civil_society", "Open Internet Society", "OIS Security", "security@ois.example"},
    {"observer", "Global Forum on Cyber Expertise", "GFCE", "contact@gfce.example"},
    {"observer", "Inter-Parliamentary Cyber Observatory", "IPCO", "contact@ipco.example"},
};

/* The collections every store has, a public one (only the alliance writes)
 * and a group of the first three member states. */
static cp_status collections(demo *d, const char *alliance_id, char (*states)[CP_UUID_LEN + 1])
{
    cp_status st = cp_collections_ensure(d->c, &d->a, NULL, &d->err);
    if (st) return st;
    json_t *out = NULL;
    json_t *in = json_pack("{ss ss ss ss ss sb sb s[{ss sb sb}]}", "title", "Public", "alias", "public", "description",
                           "Published by the alliance for anyone, without a key: TLP:CLEAR only.", "audience",
                           "public", "default_tlp", "TLP:CLEAR", "default_read", 1, "default_write", 0, "members",
                           "member_id", alliance_id, "read", 1, "write", 1);
    st = cp_collection_create(d->c, &d->a, "shared", in, &out, &d->err);
    json_decref(in);
    json_decref(out);
    if (st) return st;
    in = json_pack("{ss ss ss ss s[{ss sb sb} {ss sb sb} {ss sb sb}]}", "title", "CSIRT group", "alias",
                   "csirt-group", "description", "A closed group of three member states' CSIRTs.", "audience", "group",
                   "members", "member_id", states[0], "read", 1, "write", 1, "member_id", states[1], "read", 1,
                   "write", 1, "member_id", states[2], "read", 1, "write", 1);
    st = cp_collection_create(d->c, &d->a, "shared", in, &out, &d->err);
    json_decref(in);
    json_decref(out);
    return st;
}

static cp_status populate(demo *d, const char *alliance_id, const char *alliance_name)
{
    const cp_country *states[DEMO_STATES];
    size_t n = draw_states(states, DEMO_STATES);
    if (n != DEMO_STATES) return cp_fail(&d->err, CP_E_INTERNAL, "ISO 3166 list has too few countries");
    char ids[DEMO_STATES][CP_UUID_LEN + 1], other_ids[sizeof OTHERS / sizeof OTHERS[0]][CP_UUID_LEN + 1];
    for (size_t i = 0; i < n; i++) {
        char team[64], email[96], cc[3] = {(char)(states[i]->alpha2[0] | 32), (char)(states[i]->alpha2[1] | 32), 0};
        snprintf(team, sizeof team, "CERT-%s", states[i]->alpha3);
        snprintf(email, sizeof email, "incident@cert-%s.example", cc);
        if (!member(d, "member_state", states[i]->name, states[i]->alpha2, team, email, ids[i])) return CP_E_UNPROCESSABLE;
    }
    for (size_t i = 0; i < sizeof OTHERS / sizeof OTHERS[0]; i++)
        if (!member(d, OTHERS[i].kind, OTHERS[i].name, NULL, OTHERS[i].team, OTHERS[i].email, other_ids[i]))
            return CP_E_UNPROCESSABLE;
    cp_status st;
    if ((st = user(d, alliance_id, alliance_name, "auditor", json_pack("[s]", "auditor")))) return st;
    static const char *const V4[] = {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"};
    for (int i = 0; i < 3; i++) {
        char name[64], cc[3] = {(char)(states[i]->alpha2[0] | 32), (char)(states[i]->alpha2[1] | 32), 0};
        snprintf(name, sizeof name, "delegate-%s", cc);
        if ((st = user(d, ids[i], states[i]->name, name, json_pack("[s]", "delegate")))) return st;
        snprintf(name, sizeof name, "analyst-%s", cc);
        if ((st = user(d, ids[i], states[i]->name, name, json_pack("[s]", "analyst")))) return st;
        char v6[48], asn[16], dom[64];
        snprintf(v6, sizeof v6, "2001:db8:%x::/48", i + 1);
        snprintf(asn, sizeof asn, "AS%d", 64496 + i);
        snprintf(dom, sizeof dom, "cert-%s.example", cc);
        if ((st = range(d, ids[i], "cidr", V4[i])) || (st = range(d, ids[i], "cidr", v6)) ||
            (st = range(d, ids[i], "asn", asn)) || (st = range(d, ids[i], "domain", dom)))
            return st;
    }
    /* A sector member inside the first state's address space: the more specific range wins routing. */
    if ((st = range(d, other_ids[0], "cidr", "192.0.2.128/25")) || (st = range(d, other_ids[0], "domain", "saheltelecom.example")))
        return st;
    if ((st = collections(d, alliance_id, ids))) return st;
    int stored = 0;
    if ((st = cp_demo_intel(d->c, &d->a, &stored, &d->err))) return st;
    if ((st = cp_demo_finance(d->c, &d->a, &d->err))) return st;
    if ((st = cp_demo_governance(d->c, &d->a, ids, n, &d->err))) return st;
    if ((st = cp_demo_warning(d->c, &d->a, NULL, &d->err))) return st; /* early warning: alerts, a webhook */
    return user(d, other_ids[0], OTHERS[0].name, "analyst-sahel", json_pack("[s]", "analyst"));
}

static int write_credentials(const cp_config *cfg, json_t *creds, char *path, size_t cap)
{
    snprintf(path, cap, "%s/demo-credentials.json", cfg->data_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    fchmod(fd, 0600);
    char *text = json_dumps(creds, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    ssize_t w = text ? write(fd, text, strlen(text)) : -1;
    bool ok = text && w == (ssize_t)strlen(text) && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    free(text);
    close(fd);
    return ok ? 0 : -1;
}

/* Removes an earlier demo store in the data folder; refuses any other store. */
static int reset_store(const cp_config *cfg)
{
    char url[CP_PATH_MAX + 16];
    cp_config_database_url(cfg, url, sizeof url);
    if (strncmp(url, "sqlite:", 7) != 0) return 0; /* PostgreSQL: must be empty; bootstrap checks */
    const char *path = url + 7;
    if (access(path, F_OK) != 0) return 0;
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return -1;
    cp_err err = {{0}};
    char v[8] = "";
    cp_conn *c = cp_db_thread_conn(db, &err);
    bool is_demo = c && cp_meta_get(c, "demo", v, sizeof v, &err) == CP_OK && strcmp(v, "1") == 0;
    cp_db_close(db);
    if (!is_demo) {
        fprintf(stderr, "error: %s holds a store that is not a demo; use another --data folder\n", path);
        return -1;
    }
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[CP_PATH_MAX + 32];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            fprintf(stderr, "error: cannot remove %s: %s\n", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int build(cp_config *cfg, cp_db *db, char *cred_path, size_t cap)
{
    demo d = {.creds = json_array()};
    cp_actor_cli(&d.a);
    d.c = cp_db_thread_conn(db, &d.err);
    json_t *alliance = NULL, *admin = NULL;
    char secret[CP_KEY_SECRET_LEN + 1];
    int rc = CP_EXIT_FAIL;
    if (!d.c || cp_iso3166_load(NULL, &d.err)) goto out;
    if (cp_bootstrap(d.c, &d.a, "ITU-IMPACT Alliance (demo)", "secretariat", &alliance, &admin, secret, &d.err)) goto out;
    if (cp_record_setup(d.c, NULL, &d.err)) goto out; /* the governance record's signing key */
    char password[24];
    random_password(password);
    json_t *pw_in = json_pack("{ss}", "password", password), *pw_out = NULL;
    cp_status pw_st = cp_user_set_password(d.c, &d.a, json_string_value(json_object_get(admin, "id")), pw_in,
                                           &pw_out, &d.err);
    json_decref(pw_in);
    json_decref(pw_out);
    if (pw_st) goto out;
    json_array_append_new(d.creds, json_pack("{ss ss s[s] ss ss}", "user", "secretariat", "member",
                                             json_string_value(json_object_get(alliance, "name")), "roles",
                                             "secretariat", "key", secret, "password", password));
    cp_wipe(secret, sizeof secret);
    if (cp_conn_begin(d.c, CP_TX_WRITE, &d.err) || cp_meta_put(d.c, "demo", "1", &d.err) ||
        cp_audit_append(d.c, d.a.label, "store.mark_demo", "store", NULL, &d.err) || cp_conn_commit(d.c, &d.err)) {
        cp_conn_rollback(d.c);
        goto out;
    }
    if (populate(&d, json_string_value(json_object_get(alliance, "id")),
                 json_string_value(json_object_get(alliance, "name"))))
        goto out;
    if (write_credentials(cfg, d.creds, cred_path, cap)) {
        snprintf(d.err.msg, sizeof d.err.msg, "cannot write %.300s: %s", cred_path, strerror(errno));
        goto out;
    }
    rc = CP_EXIT_OK;
out:
    if (rc) fprintf(stderr, "error: demo data: %s\n", d.err.msg);
    json_decref(alliance);
    json_decref(admin);
    json_decref(d.creds);
    return rc;
}

static const char USAGE[] = "usage: cyberpact demo [--data DIR] [--listen ADDR:PORT] [--no-serve]\n"
             "Creates a fresh demo store in DIR (replacing an earlier demo), writes the demo users'\n"
             "credentials to DIR/demo-credentials.json (mode 0600), then serves." "\n";

int cp_cli_demo(int argc, char **argv, cp_config *cfg)
{
    static const char *const flags[] = {"+no-serve", NULL};
    static const cp_cli_action actions[] = {{"demo", 1u, 0, 0}};
    cp_cli_args o;
    int parsed = cp_cli_parse(argc, argv, flags, actions, 1, USAGE, &o);
    if (parsed >= 0) return parsed;
    cp_server_block_signals();
    cp_err wl_err = {{0}};
    if (cp_warninglists_load_global(cfg->warninglists, &wl_err)) return cp_cli_fail(wl_err.msg);
    if (cp_cli_make_data_dir(cfg, true) || reset_store(cfg)) return CP_EXIT_FAIL;
    cp_db *db = cp_cli_open_store(cfg, CP_OPEN_MIGRATE);
    if (!db) return CP_EXIT_STORE;
    char cred_path[CP_PATH_MAX + 32];
    int rc = build(cfg, db, cred_path, sizeof cred_path);
    if (rc == CP_EXIT_OK) {
        printf("demo alliance ready: %d member states and %zu other members\n", DEMO_STATES,
               sizeof OTHERS / sizeof OTHERS[0]);
        printf("demo credentials (API keys and passwords): %s\n", cred_path);
        fflush(stdout);
        if (!o.value[0]) rc = cp_cli_serve_store(cfg, db);
    }
    cp_db_close(db);
    cp_warninglists_free(cp_warninglists_set_global(NULL)); /* every request has finished */
    return rc;
}
