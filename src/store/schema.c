/*
 * schema.c — the migrations, in order. Never edit a migration that has been
 * released; add a new one. Conventions: ids are UUID text, times are BIGINT
 * ms since the epoch (UTC), flags are INTEGER 0/1, role sets are INTEGER
 * bitmasks (members/roles.h).
 */
#include "store/migrate.h"

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

const cp_migration cp_migrations[] = {
    {1, "foundation: members, constituency, users, keys, sessions, audit", M1_FOUNDATION, NULL, NULL},
};
const int cp_migrations_count = sizeof cp_migrations / sizeof cp_migrations[0];
