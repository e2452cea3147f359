/*
 * schema.c — the migrations, in order. Never edit a migration that has been
 * released; add a new one. Conventions: ids are UUID text, times are BIGINT
 * ms since the epoch (UTC), flags are INTEGER 0/1, role sets are INTEGER
 * bitmasks (members/roles.h).
 */
#include "store/migrate.h"
#include "store/schema_finance.h"
#include "store/schema_governance.h"
#include "store/schema_journal.h"
#include "store/schema_record.h"
#include "store/schema_warning.h"

#define M1_FOUNDATION \
    "CREATE TABLE meta (" \
    "  key TEXT PRIMARY KEY," \
    "  value TEXT NOT NULL);" \
 \
    "CREATE TABLE members (" \
    "  id TEXT PRIMARY KEY," \
    "  kind TEXT NOT NULL," \
    "  name TEXT NOT NULL UNIQUE," \
    "  country TEXT,"               /* ISO 3166-1 alpha-2, member states */ \
    "  country3 TEXT,"              /* alpha-3 */ \
    "  status TEXT NOT NULL,"       /* active, suspended, withdrawn */ \
    "  status_since BIGINT NOT NULL," \
    "  joined_at BIGINT NOT NULL," \
    "  is_alliance INTEGER NOT NULL DEFAULT 0," \
    "  csirt_team TEXT, csirt_email TEXT, csirt_phone TEXT, csirt_pgp TEXT," \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL);" \
    "CREATE UNIQUE INDEX members_state_country ON members (country) WHERE kind = 'member_state';" \
    "CREATE UNIQUE INDEX members_one_alliance ON members (is_alliance) WHERE is_alliance = 1;" \
 \
    "CREATE TABLE member_status_history (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  status TEXT NOT NULL," \
    "  at BIGINT NOT NULL," \
    "  reason TEXT," \
    "  actor TEXT NOT NULL);" \
    "CREATE INDEX member_status_history_member ON member_status_history (member_id, at);" \
 \
    "CREATE TABLE constituency (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  kind TEXT NOT NULL,"         /* cidr, asn, domain */ \
    "  value TEXT NOT NULL,"        /* canonical text */ \
    "  ip_lo TEXT, ip_hi TEXT,"     /* cidr: 32 hex chars, IPv4 mapped into ::ffff:0:0/96 */ \
    "  prefix INTEGER,"             /* cidr: prefix length in the 128-bit space */ \
    "  asn BIGINT," \
    "  source TEXT NOT NULL,"       /* manual, rir */ \
    "  created_at BIGINT NOT NULL," \
    "  UNIQUE (member_id, kind, value));" \
    "CREATE INDEX constituency_ip ON constituency (ip_lo) WHERE kind = 'cidr';" \
    "CREATE INDEX constituency_value ON constituency (kind, value);" \
 \
    "CREATE TABLE users (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  name TEXT NOT NULL UNIQUE," \
    "  email TEXT," \
    "  roles INTEGER NOT NULL," \
    "  password_hash TEXT," \
    "  status TEXT NOT NULL,"       /* active, disabled */ \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL);" \
    "CREATE INDEX users_member ON users (member_id, name);" \
 \
    "CREATE TABLE api_keys (" \
    "  id TEXT PRIMARY KEY," \
    "  user_id TEXT NOT NULL REFERENCES users (id)," \
    "  roles INTEGER NOT NULL," \
    "  secret_hash TEXT NOT NULL,"  /* SHA-256 hex of the whole secret */ \
    "  label TEXT," \
    "  created_at BIGINT NOT NULL," \
    "  created_by TEXT NOT NULL," \
    "  expires_at BIGINT," \
    "  revoked_at BIGINT);" \
    "CREATE INDEX api_keys_user ON api_keys (user_id);" \
 \
    "CREATE TABLE sessions (" \
    "  id_hash TEXT PRIMARY KEY,"   /* SHA-256 hex of the cookie value */ \
    "  user_id TEXT NOT NULL REFERENCES users (id)," \
    "  csrf_token TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  expires_at BIGINT NOT NULL," \
    "  ended_at BIGINT);" \
 \
    "CREATE TABLE audit_log (" \
    "  seq BIGINT PRIMARY KEY," \
    "  at BIGINT NOT NULL," \
    "  actor TEXT NOT NULL," \
    "  action TEXT NOT NULL," \
    "  target TEXT NOT NULL," \
    "  detail TEXT NOT NULL,"       /* canonical JSON of the change */ \
    "  digest TEXT NOT NULL,"       /* SHA-256 hex of detail */ \
    "  prev_hash TEXT NOT NULL," \
    "  hash TEXT NOT NULL);" \
    "CREATE TABLE audit_head (" \
    "  id INTEGER PRIMARY KEY," \
    "  seq BIGINT NOT NULL," \
    "  hash TEXT NOT NULL);" \
    "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" \
    "0000000000000000000000000000000000000000000000000000000000000000');"

/* Migration 2: threat-intelligence sharing (issue 3). Collections have a
 * small integer number (num) that the object rows carry instead of the UUID.
 * intel_objects.seq is the date the version was added, in microseconds since
 * the epoch, strictly increasing across the store (assigned under the intel
 * write lock), so it is both the TAXII date_added and the paging key. */
#define M2_INTEL \
    "CREATE TABLE intel_collections (" \
    "  id TEXT PRIMARY KEY,"          /* UUID: the TAXII collection id */ \
    "  num BIGINT NOT NULL UNIQUE," \
    "  alias TEXT UNIQUE,"            /* 'alliance', 'alerts-<member id>', or chosen */ \
    "  kind TEXT NOT NULL,"           /* shared, alerts */ \
    "  title TEXT NOT NULL," \
    "  description TEXT," \
    "  audience TEXT NOT NULL,"       /* public, alliance, group */ \
    "  default_tlp INTEGER NOT NULL," /* cp_tlp for unmarked objects */ \
    "  default_read INTEGER NOT NULL,"  /* rights of members without a row below */ \
    "  default_write INTEGER NOT NULL," \
    "  owner_member_id TEXT NOT NULL REFERENCES members (id)," \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL);" \
    "CREATE TABLE intel_collection_members (" \
    "  collection_id TEXT NOT NULL REFERENCES intel_collections (id)," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  can_read INTEGER NOT NULL," \
    "  can_write INTEGER NOT NULL," \
    "  PRIMARY KEY (collection_id, member_id));" \
 \
    /* Versions are found by a 64-bit hash of the id (then the id compared): \
     * an index on the id text itself grows 3x larger and, ids being random, \
     * every insert lands on a random page of it. One version per (id, \
     * version_us) is kept by ingest under the intel write lock. */ \
    "CREATE INDEX intel_objects_id ON intel_objects (id_hash, cnum, version_us);" \
    "CREATE INDEX intel_objects_last ON intel_objects (cnum, seq) WHERE is_last = 1;" \
    "CREATE INDEX intel_objects_type ON intel_objects (cnum, type, seq);" \
 \
    "CREATE TABLE intel_observables (" \
    "  seq BIGINT NOT NULL,"          /* the object version (intel_objects.seq) */ \
    "  cnum BIGINT NOT NULL," \
    "  kind TEXT NOT NULL,"           /* ip, domain, url, md5, sha1, sha256, sha512, email */ \
    "  value TEXT NOT NULL,"          /* canonical text */ \
    "  vhash BIGINT NOT NULL,"        /* cp_obs_value_hash(kind, value): what the lookups use */ \
    "  subdomains INTEGER NOT NULL DEFAULT 0," /* domain: any subdomain of value, not value itself */ \
    "  ip_lo TEXT, ip_hi TEXT,"       /* ip: 32 hex chars, IPv4 mapped into ::ffff:0:0/96 */ \
    "  warninglist TEXT);"            /* name of the first warninglist that holds the value */ \
    /* by a 64-bit hash of (kind, value), then the text compared: values are \
     * random (hashes, domains), and an 8-byte key keeps the index small */ \
    "CREATE INDEX intel_observables_value ON intel_observables (vhash);" \
    "CREATE INDEX intel_observables_ip ON intel_observables (ip_lo) WHERE ip_lo IS NOT NULL;" \
    "CREATE INDEX intel_observables_seq ON intel_observables (seq);" \
 \
    "CREATE TABLE intel_sightings (" \
    "  cnum BIGINT NOT NULL," \
    "  indicator_id TEXT NOT NULL,"   /* the sighting_of_ref */ \
    "  seen BIGINT NOT NULL," \
    "  false_positive BIGINT NOT NULL," \
    "  last_seen BIGINT NOT NULL,"    /* ms */ \
    "  PRIMARY KEY (cnum, indicator_id));" \
 \
    "CREATE TABLE taxii_status (" \
    "  id TEXT PRIMARY KEY," \
    "  cnum BIGINT NOT NULL," \
    "  member_id TEXT,"               /* the writer's organisation */ \
    "  actor TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL,"   /* ms */ \
    "  request_timestamp TEXT NOT NULL," \
    "  total BIGINT NOT NULL, success BIGINT NOT NULL, failure BIGINT NOT NULL, pending BIGINT NOT NULL," \
    "  detail TEXT NOT NULL);"        /* {"successes": [...], "failures": [...]} */ \
    "CREATE INDEX taxii_status_created ON taxii_status (created_at);"

/* The object table differs only in its key: in SQLite an INTEGER PRIMARY KEY
 * is the rowid (the table is stored in seq order, no second b-tree). */
#define M2_OBJECTS_COLUMNS \
    "  cnum BIGINT NOT NULL,"         /* intel_collections.num */ \
    "  stix_id TEXT NOT NULL," \
    "  id_hash BIGINT NOT NULL,"      /* cp_intel_id_hash(stix_id) */ \
    "  type TEXT NOT NULL," \
    "  version TEXT NOT NULL,"        /* modified, else created, else '' (exactly as sent) */ \
    "  version_us BIGINT NOT NULL,"   /* version in microseconds; 0 when none */ \
    "  spec_version TEXT NOT NULL," \
    "  tlp INTEGER NOT NULL,"         /* effective TLP recorded on ingest (cp_tlp) */ \
    "  is_last INTEGER NOT NULL,"     /* the latest version of stix_id in the collection */ \
    "  is_first INTEGER NOT NULL," \
    "  revoked INTEGER NOT NULL," \
    "  warninglist TEXT,"             /* a warninglist holds one of its observables */ \
    "  member_id TEXT,"               /* who added it */ \
    "  body TEXT NOT NULL);"          /* the object's JSON text exactly as received */
#define M2_OBJECTS_SQLITE "CREATE TABLE intel_objects (seq INTEGER PRIMARY KEY," M2_OBJECTS_COLUMNS
#define M2_OBJECTS_PG "CREATE TABLE intel_objects (seq BIGINT PRIMARY KEY," M2_OBJECTS_COLUMNS

const cp_migration cp_migrations[] = {
    {1, "foundation: members, constituency, users, keys, sessions, audit", M1_FOUNDATION, NULL, NULL},
    {2, "intel: collections, objects, observables, sightings, TAXII status", M2_INTEL, M2_OBJECTS_SQLITE, M2_OBJECTS_PG},
    {3, "record: the governance record (Merkle log entries, subtree hashes, signed head)", M3_RECORD, M3_RECORD_SQLITE, M3_RECORD_PG},
    {4, "governance: bodies, seats, proposals, versions, comments, ballots, proxies, keys, eligibility flags, events", M4_GOVERNANCE, NULL, NULL},
    {5, "finance: scale classes, ledger, assessments, payments, budget, voting-rights decisions", M5_FINANCE, NULL, NULL},
    {6, "early warning: alerts, webhooks, webhook deliveries", M6_WARNING, NULL, NULL},
    {7, "governance: a budget proposal's figures and the effect of its adoption", M7_GOVERNANCE_BUDGET, NULL, NULL},
    {8, "early warning: the alert journal (batches durable before they are folded into alerts)", M8_ALERT_JOURNAL, NULL, NULL},
};
const int cp_migrations_count = sizeof cp_migrations / sizeof cp_migrations[0];
