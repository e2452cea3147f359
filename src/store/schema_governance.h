/*
 * schema_governance.h — migration 4: governance (issue 5): bodies and seats,
 * proposals with their versions and comments, ballots (append-only: a change
 * is a new row, the last by seq counts), proxies, delegates' public keys, the
 * placeholder eligibility source's flags, and governance events (reminders).
 *
 *   gov_bodies         'general-assembly' exists from the start: its members are
 *                      all active member states (no seats); other bodies have seats.
 *   gov_seats          a member state's seat in a body for a term [term_start, term_end).
 *   gov_proposals      the current version; round counts re-openings; ballot_seq is
 *                      the last ballot's seq in the current round (incremented with
 *                      UPDATE ... RETURNING, which also serialises casting per proposal
 *                      on PostgreSQL). status: draft, open, adopted, rejected,
 *                      postponed, withdrawn. result: the tally's JSON of the last round.
 *   gov_proposal_versions  every version of a proposal (1 = as created; amendments add).
 *   gov_ballots        every ballot cast, with its receipt in the record.
 *   gov_proxies        proposal_id set: for that proposal; else for [from_at, until_at).
 *                      expires_at: when it stops being in force (the proposal's closing
 *                      time, or until_at).
 *   gov_keys           delegates' Ed25519 public keys (hex).
 *   gov_eligibility    the placeholder source: per member and date range, the state
 *                      decided by the secretariat (arrears, exemption, clear); the most
 *                      recently recorded row covering a date decides.
 *   gov_events         reminders sent before closing (the notification hook's log).
 */
#ifndef CP_STORE_SCHEMA_GOVERNANCE_H
#define CP_STORE_SCHEMA_GOVERNANCE_H

#define M4_GOVERNANCE \
    "CREATE TABLE gov_bodies (" \
    "  id TEXT PRIMARY KEY," \
    "  name TEXT NOT NULL UNIQUE," \
    "  kind TEXT NOT NULL,"              /* assembly, body */ \
    "  description TEXT," \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL);" \
    "INSERT INTO gov_bodies (id, name, kind, description, created_at, updated_at) VALUES (" \
    " 'general-assembly', 'General Assembly', 'assembly', 'all active member states', 0, 0);" \
 \
    "CREATE TABLE gov_seats (" \
    "  id TEXT PRIMARY KEY," \
    "  body_id TEXT NOT NULL REFERENCES gov_bodies (id)," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  term_start BIGINT NOT NULL," \
    "  term_end BIGINT,"                 /* NULL: open-ended */ \
    "  created_at BIGINT NOT NULL);" \
    "CREATE INDEX gov_seats_body ON gov_seats (body_id, member_id);" \
 \
    "CREATE TABLE gov_proposals (" \
    "  id TEXT PRIMARY KEY," \
    "  body_id TEXT NOT NULL REFERENCES gov_bodies (id)," \
    "  type TEXT NOT NULL," \
    "  title TEXT NOT NULL," \
    "  text TEXT NOT NULL," \
    "  links TEXT NOT NULL,"             /* JSON array of URLs */ \
    "  rule TEXT NOT NULL," \
    "  quorum_num BIGINT NOT NULL, quorum_den BIGINT NOT NULL, quorum_strict INTEGER NOT NULL," \
    "  public_ballots INTEGER NOT NULL," /* 1: ballots visible while open */ \
    "  opens_at BIGINT, closes_at BIGINT," \
    "  remind_before BIGINT NOT NULL,"   /* ms before closes_at; 0 = no reminder */ \
    "  reminded_round INTEGER NOT NULL DEFAULT 0," \
    "  status TEXT NOT NULL," \
    "  version INTEGER NOT NULL," \
    "  round INTEGER NOT NULL," \
    "  ballot_seq BIGINT NOT NULL," \
    "  result TEXT," \
    "  created_by TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  updated_at BIGINT NOT NULL," \
    "  opened_at BIGINT, closed_at BIGINT);" \
    "CREATE INDEX gov_proposals_status ON gov_proposals (status, closes_at);" \
    "CREATE INDEX gov_proposals_created ON gov_proposals (created_at, id);" \
 \
    "CREATE TABLE gov_proposal_versions (" \
    "  proposal_id TEXT NOT NULL REFERENCES gov_proposals (id)," \
    "  version INTEGER NOT NULL," \
    "  body TEXT NOT NULL,"              /* the proposal's fields as JSON */ \
    "  note TEXT," \
    "  created_by TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  PRIMARY KEY (proposal_id, version));" \
 \
    "CREATE TABLE gov_comments (" \
    "  id TEXT PRIMARY KEY," \
    "  proposal_id TEXT NOT NULL REFERENCES gov_proposals (id)," \
    "  member_id TEXT NOT NULL," \
    "  user_id TEXT," \
    "  text TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL);" \
    "CREATE INDEX gov_comments_proposal ON gov_comments (proposal_id, created_at);" \
 \
    "CREATE TABLE gov_ballots (" \
    "  id TEXT PRIMARY KEY," \
    "  proposal_id TEXT NOT NULL REFERENCES gov_proposals (id)," \
    "  round INTEGER NOT NULL," \
    "  seq BIGINT NOT NULL," \
    "  member_id TEXT NOT NULL,"         /* whose vote */ \
    "  cast_by TEXT NOT NULL,"           /* the member whose delegate cast it */ \
    "  proxy_id TEXT,"                   /* when cast by a proxy holder */ \
    "  user_id TEXT NOT NULL," \
    "  choice TEXT NOT NULL," \
    "  change INTEGER NOT NULL,"         /* 1 for the first ballot of cast_by for member, 2 ... */ \
    "  signature TEXT, key_id TEXT," \
    "  eligibility TEXT NOT NULL,"       /* why eligible at cast time (JSON) */ \
    "  record_index BIGINT NOT NULL, leaf_hash TEXT NOT NULL," \
    "  cast_at BIGINT NOT NULL," \
    "  UNIQUE (proposal_id, round, seq));" \
    "CREATE INDEX gov_ballots_member ON gov_ballots (proposal_id, round, member_id, seq);" \
 \
    "CREATE TABLE gov_proxies (" \
    "  id TEXT PRIMARY KEY," \
    "  giver TEXT NOT NULL REFERENCES members (id)," \
    "  holder TEXT NOT NULL REFERENCES members (id)," \
    "  proposal_id TEXT," \
    "  from_at BIGINT NOT NULL, until_at BIGINT," \
    "  expires_at BIGINT NOT NULL," \
    "  given_at BIGINT NOT NULL, given_by TEXT NOT NULL," \
    "  revoked_at BIGINT, revoked_by TEXT," \
    "  record_index BIGINT NOT NULL);" \
    "CREATE INDEX gov_proxies_holder ON gov_proxies (holder, expires_at);" \
    "CREATE INDEX gov_proxies_giver ON gov_proxies (giver, expires_at);" \
 \
    "CREATE TABLE gov_keys (" \
    "  id TEXT PRIMARY KEY," \
    "  user_id TEXT NOT NULL REFERENCES users (id)," \
    "  member_id TEXT NOT NULL," \
    "  public_key TEXT NOT NULL," \
    "  label TEXT," \
    "  created_at BIGINT NOT NULL," \
    "  revoked_at BIGINT);" \
    "CREATE INDEX gov_keys_user ON gov_keys (user_id);" \
 \
    "CREATE TABLE gov_eligibility (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  state TEXT NOT NULL,"             /* arrears, exemption, clear */ \
    "  from_at BIGINT NOT NULL, until_at BIGINT," \
    "  reason TEXT NOT NULL," \
    "  arrears BIGINT, threshold BIGINT, currency TEXT," \
    "  created_by TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  seq BIGINT NOT NULL);"            /* order of recording (the latest covering a date decides) */ \
    "CREATE INDEX gov_eligibility_member ON gov_eligibility (member_id, seq);" \
 \
    "CREATE TABLE gov_events (" \
    "  id TEXT PRIMARY KEY," \
    "  proposal_id TEXT NOT NULL," \
    "  kind TEXT NOT NULL,"              /* reminder */ \
    "  round INTEGER NOT NULL," \
    "  at BIGINT NOT NULL," \
    "  detail TEXT NOT NULL);" \
    "CREATE INDEX gov_events_proposal ON gov_events (proposal_id, at);"

/* Migration 7: a budget proposal carries the decision's figures (the budget
 * document, JSON) and, once adopted, what applying it did (JSON:
 * {"applied": bool, "by": handler, "result"|"error"}); governance/budget_effect.h. */
#define M7_GOVERNANCE_BUDGET \
    "ALTER TABLE gov_proposals ADD COLUMN budget TEXT;" \
    "ALTER TABLE gov_proposals ADD COLUMN budget_effect TEXT;"

#endif
