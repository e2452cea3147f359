/*
 * schema_finance.h — migration 5: contributions and sustainability (issue 6).
 *
 * The ledger proper is fin_entry + fin_leg (append-only: nothing here is ever
 * updated or deleted; a correction is a reversing entry). Everything else is
 * either reference data (profiles, classes, unit values, budget lines,
 * exemptions, repayment plans: each row written once) or an index the domain
 * maintains in the same transaction as the entries it derives from
 * (fin_balance, fin_daily, the paid/last_alloc/cancelled columns of
 * fin_assessment), which `cyberpact verify` recomputes from the entries.
 *
 * Money is BIGINT minor units of the row's currency (ISO 4217); units of the
 * contribution scale are BIGINT sixteenths; dates are BIGINT ms at 00:00 UTC.
 */
#ifndef CP_STORE_SCHEMA_FINANCE_H
#define CP_STORE_SCHEMA_FINANCE_H

#define M5_FINANCE \
    "CREATE TABLE fin_member_profile (" \
    "  member_id TEXT PRIMARY KEY REFERENCES members (id)," \
    "  ldc INTEGER NOT NULL DEFAULT 0,"      /* a least developed country (UN list) */ \
    "  region TEXT NOT NULL DEFAULT ''," \
    "  contributes_from BIGINT,"            /* NULL: from the day it joined */ \
    "  updated_at BIGINT NOT NULL);" \
 \
    "CREATE TABLE fin_member_class (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  units16 BIGINT NOT NULL,"             /* contributory units in sixteenths */ \
    "  effective BIGINT NOT NULL,"           /* date it takes effect */ \
    "  decision_ref TEXT," \
    "  actor TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL);" \
    "CREATE INDEX fin_member_class_m ON fin_member_class (member_id, effective);" \
 \
    "CREATE TABLE fin_unit_value (" \
    "  currency TEXT NOT NULL," \
    "  year BIGINT NOT NULL," \
    "  amount BIGINT NOT NULL,"              /* minor units per member-state unit */ \
    "  decision_ref TEXT NOT NULL," \
    "  actor TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  PRIMARY KEY (currency, year));" \
 \
    "CREATE TABLE fin_idem (" \
    "  key TEXT PRIMARY KEY," \
    "  op TEXT NOT NULL," \
    "  digest TEXT NOT NULL,"                /* SHA-256 of the operation and its payload */ \
    "  result TEXT,"                         /* the first result, JSON */ \
    "  created_at BIGINT NOT NULL);" \
 \
    "CREATE TABLE fin_ledger_head (" \
    "  currency TEXT PRIMARY KEY," \
    "  seq BIGINT NOT NULL," \
    "  hash TEXT NOT NULL);" \
 \
    "CREATE TABLE fin_account (" \
    "  currency TEXT NOT NULL," \
    "  code TEXT NOT NULL,"                  /* cash, revenue:contributions, receivable:<member>, ... */ \
    "  kind TEXT NOT NULL,"                  /* asset, liability, revenue, expense */ \
    "  member_id TEXT," \
    "  balance BIGINT NOT NULL DEFAULT 0,"   /* debits minus credits, maintained */ \
    "  debits BIGINT NOT NULL DEFAULT 0," \
    "  credits BIGINT NOT NULL DEFAULT 0," \
    "  PRIMARY KEY (currency, code));" \
 \
    "CREATE TABLE fin_entry (" \
    "  id TEXT PRIMARY KEY," \
    "  currency TEXT NOT NULL," \
    "  seq BIGINT NOT NULL,"                 /* 1, 2, 3 ... per currency */ \
    "  kind TEXT NOT NULL,"                  /* assessment, payment, credit_apply, spending, reversal */ \
    "  day BIGINT NOT NULL,"                 /* value date */ \
    "  member_id TEXT," \
    "  reverses TEXT UNIQUE,"                /* the entry this one reverses */ \
    "  memo TEXT NOT NULL," \
    "  actor TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  prev_hash TEXT NOT NULL," \
    "  hash TEXT NOT NULL," \
    "  UNIQUE (currency, seq));" \
    "CREATE INDEX fin_entry_member ON fin_entry (member_id, day);" \
 \
    "CREATE TABLE fin_leg (" \
    "  entry_id TEXT NOT NULL REFERENCES fin_entry (id)," \
    "  n INTEGER NOT NULL," \
    "  currency TEXT NOT NULL," \
    "  account TEXT NOT NULL," \
    "  amount BIGINT NOT NULL,"              /* debit > 0, credit < 0 */ \
    "  day BIGINT NOT NULL," \
    "  PRIMARY KEY (entry_id, n));" \
    "CREATE INDEX fin_leg_account ON fin_leg (currency, account, day);" \
 \
    "CREATE TABLE fin_daily (" \
    "  currency TEXT NOT NULL," \
    "  metric TEXT NOT NULL,"                /* cash, collected, spent, assessed */ \
    "  day BIGINT NOT NULL," \
    "  amount BIGINT NOT NULL," \
    "  PRIMARY KEY (currency, metric, day));" \
 \
    "CREATE TABLE fin_assessment (" \
    "  id TEXT PRIMARY KEY,"                 /* = its entry's id */ \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  currency TEXT NOT NULL," \
    "  year BIGINT NOT NULL," \
    "  units16 BIGINT NOT NULL," \
    "  unit_value BIGINT NOT NULL," \
    "  months INTEGER NOT NULL," \
    "  amount BIGINT NOT NULL," \
    "  due BIGINT NOT NULL," \
    "  paid BIGINT NOT NULL DEFAULT 0,"      /* allocations so far, maintained */ \
    "  last_alloc BIGINT NOT NULL DEFAULT 0," /* latest allocation date, maintained */ \
    "  cancelled INTEGER NOT NULL DEFAULT 0);" /* reversed while unpaid */ \
    "CREATE UNIQUE INDEX fin_assessment_one ON fin_assessment (member_id, currency, year) WHERE cancelled = 0;" \
    "CREATE INDEX fin_assessment_year ON fin_assessment (currency, year);" \
    "CREATE INDEX fin_assessment_due ON fin_assessment (currency, due);" \
 \
    "CREATE TABLE fin_payment (" \
    "  id TEXT PRIMARY KEY,"                 /* = its entry's id */ \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  currency TEXT NOT NULL," \
    "  amount BIGINT NOT NULL," \
    "  day BIGINT NOT NULL," \
    "  reference TEXT NOT NULL," \
    "  payer TEXT NOT NULL," \
    "  credit BIGINT NOT NULL);"             /* the part held as credit */ \
    "CREATE INDEX fin_payment_member ON fin_payment (member_id, day);" \
 \
    "CREATE TABLE fin_allocation (" \
    "  entry_id TEXT NOT NULL,"              /* payment, credit_apply or reversal */ \
    "  assessment_id TEXT NOT NULL REFERENCES fin_assessment (id)," \
    "  member_id TEXT NOT NULL," \
    "  amount BIGINT NOT NULL,"              /* negative when a payment is reversed */ \
    "  day BIGINT NOT NULL," \
    "  PRIMARY KEY (entry_id, assessment_id));" \
    "CREATE INDEX fin_allocation_a ON fin_allocation (assessment_id, day);" \
 \
    "CREATE TABLE fin_budget_line (" \
    "  id TEXT PRIMARY KEY," \
    "  currency TEXT NOT NULL," \
    "  year BIGINT NOT NULL," \
    "  code TEXT NOT NULL," \
    "  name TEXT NOT NULL," \
    "  amount BIGINT NOT NULL," \
    "  decision_ref TEXT NOT NULL," \
    "  created_at BIGINT NOT NULL," \
    "  UNIQUE (currency, year, code));" \
 \
    "CREATE TABLE fin_spending (" \
    "  id TEXT PRIMARY KEY,"                 /* = its entry's id */ \
    "  line_id TEXT NOT NULL REFERENCES fin_budget_line (id)," \
    "  amount BIGINT NOT NULL," \
    "  day BIGINT NOT NULL," \
    "  reference TEXT NOT NULL);" \
 \
    "CREATE TABLE fin_exemption (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  decision_ref TEXT NOT NULL," \
    "  start_day BIGINT NOT NULL," \
    "  end_day BIGINT NOT NULL," \
    "  created_at BIGINT NOT NULL);" \
    "CREATE INDEX fin_exemption_m ON fin_exemption (member_id);" \
 \
    "CREATE TABLE fin_plan (" \
    "  id TEXT PRIMARY KEY," \
    "  member_id TEXT NOT NULL REFERENCES members (id)," \
    "  currency TEXT NOT NULL," \
    "  decision_ref TEXT NOT NULL," \
    "  start_day BIGINT NOT NULL," \
    "  total BIGINT NOT NULL," \
    "  created_at BIGINT NOT NULL);" \
    "CREATE INDEX fin_plan_m ON fin_plan (member_id);" \
    "CREATE TABLE fin_plan_installment (" \
    "  plan_id TEXT NOT NULL REFERENCES fin_plan (id)," \
    "  due BIGINT NOT NULL," \
    "  amount BIGINT NOT NULL," \
    "  PRIMARY KEY (plan_id, due));"

#endif
