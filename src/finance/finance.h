/*
 * finance.h — contributions and sustainability: the operations the HTTP API,
 * the CLI, the demo and the tests share (the rules in plain words are in
 * docs/finance.md; the ledger itself in ledger.h, the scale in scale.h).
 *
 * Shapes follow members/members.h: input JSON is borrowed and checked
 * (unknown field or wrong type: CP_E_BAD_REQUEST naming it; a rule broken by
 * well-formed input: CP_E_UNPROCESSABLE; a missing member or entry:
 * CP_E_NOT_FOUND); *out is owned by the caller.
 *
 * Money on the wire: "amount" is a decimal string in the currency's major
 * unit ("1234.50") or "amount_minor" an integer in minor units — exactly one
 * of them on input; outputs carry both. Dates are "YYYY-MM-DD" (UTC days).
 *
 * Every write takes an idempotency key (1..128 printable ASCII bytes) and
 * runs in one write transaction with its audit entry: the first result is
 * stored under the key; the same key with the same operation and payload
 * returns that result again (idem->replayed set) without writing anything;
 * the same key with anything else is CP_E_CONFLICT.
 */
#ifndef CP_FINANCE_FINANCE_H
#define CP_FINANCE_FINANCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "members/actor.h"
#include "store/db.h"

#define CP_FIN_IDEM_KEY_MAX 128

typedef struct {
    const char *key; /* the client's idempotency key */
    bool replayed;   /* out: the stored first result was returned */
} cp_fin_idem;

/* Checks an idempotency key's form. */
cp_status cp_fin_idem_key_check(const char *key, cp_err *err);

/* The write skeleton every operation uses (idem.c): begin, claim the key,
 * fn, store the result, commit; rollback on any failure. Called while c is
 * already inside a write transaction, it runs within it and neither commits
 * nor rolls back: the caller does (so governance can set a unit value in the
 * same transaction that adopts the budget). Every finance write below works
 * either way. */
typedef cp_status (*cp_fin_apply)(cp_conn *c, const cp_actor *a, const char *arg, const json_t *in, json_t **out,
                                  cp_err *err);
cp_status cp_fin_write(cp_conn *c, const cp_actor *a, const char *op, const char *arg, const json_t *in,
                       cp_fin_idem *idem, cp_fin_apply fn, json_t **out, cp_err *err);

/* Many operations of one kind in ONE transaction (all or nothing): item i
 * runs under the key "<idem->key>/<i>", so a replayed batch returns the
 * first results and a batch that failed half-way can be sent again. */
cp_status cp_fin_write_many(cp_conn *c, const cp_actor *a, const char *op, const json_t *items, cp_fin_idem *idem,
                            cp_fin_apply fn, json_t **out, cp_err *err);

/* ---- reference data (members' financial profile, classes, unit values) ---- */

/* in {"ldc": bool, "region": "..."}: the member's financial profile. */
cp_status cp_finance_profile_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in,
                                 cp_fin_idem *idem, json_t **out, cp_err *err);
/* in {"units": "1½" | "1/16" | "3", "effective": "YYYY-MM-DD",
 *     "decision_ref": "..." (optional)}: the member's class from that date,
 * checked against the scale (scale.h): the class must exist and be open to
 * the member; lowering beyond the permitted step needs a decision_ref. */
cp_status cp_finance_class_set(cp_conn *c, const cp_actor *a, const char *member_id, const json_t *in,
                               cp_fin_idem *idem, json_t **out, cp_err *err);
/* {"member_id", "profile": {...}, "classes": [...]} */
cp_status cp_finance_member_json(cp_conn *c, const char *member_id, json_t **out, cp_err *err);

/* Replaces the scale in force with the text of a scale file (scale.h);
 * in {"text": "..."}. Existing classes stay as recorded. */
cp_status cp_finance_scale_load(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                cp_err *err);
/* The scale in force as JSON {"classes": [{"units", "units16", "ldc_only"}],
 * "sector_unit", "sector_minimum"}. */
cp_status cp_finance_scale_json(cp_conn *c, json_t **out, cp_err *err);

/* The value of one contributory unit (member-state scale) for a financial
 * year, in minor units of currency, with the reference of the decision that
 * set it: an adopted budget proposal's id (governance will call this when a
 * budget proposal is adopted) or a secretariat decision's text. Once set for
 * a year and currency it cannot change (CP_E_CONFLICT). May run inside the
 * caller's write transaction (see cp_fin_write). */
cp_status cp_finance_set_unit_value(cp_conn *c, const cp_actor *a, int year, const char *currency,
                                    int64_t amount_minor, const char *decision_ref, cp_fin_idem *idem, json_t **out,
                                    cp_err *err);
/* The same from JSON {"year", "currency", "amount"|"amount_minor", "decision_ref"}. */
cp_status cp_finance_unit_value_set_json(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem,
                                         json_t **out, cp_err *err);
cp_status cp_finance_unit_values(cp_conn *c, json_t **items, cp_err *err);

/* ---- assessments, payments, reversals ---- */

/* in {"year", "currency" (default CHF), "due_date" (default YYYY-03-31)}:
 * assesses every member with a class (not yet assessed for that year and
 * currency) in ONE transaction; any failure leaves nothing. */
cp_status cp_finance_assess_year(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                 cp_err *err);
/* Assessments of a year (member_id NULL: every member), as of today. */
cp_status cp_finance_assessments(cp_conn *c, const char *currency, int year, const char *member_id, json_t **items,
                                 cp_err *err);
/* in {"member_id", "currency", "amount"|"amount_minor", "date", "reference",
 *     "payer", "assessment_id" (optional)}. */
cp_status cp_finance_pay(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                         cp_err *err);
/* A voluntary contribution (outside the scale): in {"amount"|"amount_minor",
 * "currency", "date", "reference", "donor", "member_id" (optional: a member's
 * gift)}. Cash in, revenue:voluntary; not allocated to assessments. */
cp_status cp_finance_voluntary(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                               cp_err *err);
/* A bank statement's payments at once: in {"payments": [payment, ...]}
 * (1..CP_FIN_IMPORT_MAX items, each as for cp_finance_pay), one transaction;
 * *out {"items": [result, ...]}. */
#define CP_FIN_IMPORT_MAX 10000
cp_status cp_finance_pay_import(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                cp_err *err);
/* Reverses entry_id (a payment, a spending, or an assessment nothing was
 * paid on); in {"reason", "date" (optional, default today)}. */
cp_status cp_finance_reverse(cp_conn *c, const cp_actor *a, const char *entry_id, const json_t *in, cp_fin_idem *idem,
                             json_t **out, cp_err *err);

/* ---- budget ---- */

/* in {"year", "currency", "code", "name", "amount"|"amount_minor", "decision_ref"} */
cp_status cp_finance_budget_line(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                                 cp_err *err);
/* in {"line_id", "amount"|"amount_minor", "date", "reference"} */
cp_status cp_finance_spend(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                           cp_err *err);
cp_status cp_finance_budget_lines(cp_conn *c, const char *currency, int year, json_t **items, cp_err *err);
/* An adopted budget, as governance hands it over when a budget proposal is
 * adopted: budget {"year", "currency", "unit_value": "13000.00" (or
 * "unit_value_minor"), "lines": [{"code", "name", "amount" | "amount_minor"}]}
 * (lines optional, at most 100). Sets the unit value and creates the lines,
 * each with decision_ref (the proposal's id), in one transaction, or inside the
 * caller's when one is open. *out {"unit_value": {...}, "lines": [...]}. */
cp_status cp_finance_adopt_budget(cp_conn *c, const cp_actor *a, const json_t *budget, const char *decision_ref,
                                  cp_fin_idem *idem, json_t **out, cp_err *err);

/* ---- voting rights ---- */

/* in {"member_id", "decision_ref", "from", "until"} */
cp_status cp_finance_exemption(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                               cp_err *err);
/* in {"member_id", "currency", "decision_ref", "start", "installments": [{"due", "amount"|"amount_minor"}]} */
cp_status cp_finance_plan(cp_conn *c, const cp_actor *a, const json_t *in, cp_fin_idem *idem, json_t **out,
                          cp_err *err);

typedef struct {
    bool has_right;
    char reason[200];
    int64_t arrears;        /* overdue and unpaid on that day */
    int64_t counted;        /* arrears counted (a respected plan's balance left out) */
    int64_t threshold;      /* contributions due for the two preceding financial years */
    int64_t min_payment;    /* smallest payment that restores the vote (0 when it has it) */
    bool exempt, plan_respected;
    char currency[4];
} cp_fin_right;

/* The rule for one member on one day (any member kind; governance asks only
 * for member states). Currency: the one of the latest unit value (CHF when
 * none). */
cp_status cp_finance_vote_right(cp_conn *c, const char *member_id, int64_t day, cp_fin_right *out, cp_err *err);
/* The same for n members at once (one pass of the set queries over every
 * member): out[i] for ids[i]; CP_E_NOT_FOUND naming the first unknown id. */
cp_status cp_finance_vote_rights(cp_conn *c, const char *const *ids, size_t n, int64_t day, cp_fin_right *out,
                                 cp_err *err);
/* Arrears of every member as of day with aging buckets. */
cp_status cp_finance_arrears(cp_conn *c, const char *currency, int64_t day, json_t **out, cp_err *err);
/* Every member state's right on day, those without a vote first. */
cp_status cp_finance_voting_rights(cp_conn *c, const char *currency, int64_t day, json_t **out, cp_err *err);

/* ---- reports ---- */

/* The sustainability report as of day (see docs/api.md "Finance"). */
cp_status cp_finance_sustainability(cp_conn *c, const char *currency, int64_t day, int risk_days, json_t **out,
                                    cp_err *err);
/* The public aggregate: assessed, collected, runway, members without a vote. */
cp_status cp_finance_transparency(cp_conn *c, const char *currency, int64_t day, json_t **out, cp_err *err);
/* A member's statement between two days (inclusive). */
cp_status cp_finance_statement(cp_conn *c, const char *member_id, const char *currency, int64_t from, int64_t to,
                               json_t **out, cp_err *err);
/* The currency reports default to: that of the latest unit value, else CHF. out >= 4 bytes. */
cp_status cp_finance_default_currency(cp_conn *c, char *out, cp_err *err);

/* Renderings (render.c): malloc'd text, *len set. */
char *cp_finance_sustainability_csv(const json_t *report, size_t *len);
char *cp_finance_statement_csv(const json_t *statement, size_t *len);
/* which: "collection", "arrears", "runway"; NULL when unknown. */
char *cp_finance_chart_svg(const char *which, const json_t *report, size_t *len);

#endif
