/*
 * tally.h — the count of a vote: a PURE function of
 *   (rule, quorum, the eligibility snapshot of the body, ballots, proxies)
 * with no store, no clock and no global state. The server, the CLI
 * (`cyberpact governance tally FILE`), the record check (recheck.c) and the
 * tests all call it, so a result can be recomputed by anyone from the record.
 *
 * The rules (docs/governance.md says them in plain words, with examples):
 *
 *   Who counts.  The snapshot lists the body's member states at closing, each
 *     eligible or not (with the reason). Only eligible members count, in the
 *     quorum's denominator and as voters. A ballot of a member that is not in
 *     the snapshot, or no longer eligible at closing, is listed as not counted.
 *
 *   Which ballot.  Per member, ballots are taken in seq order and the last one
 *     counts. A ballot the member cast itself always wins over one its proxy
 *     holder cast for it (voting oneself cancels the proxy). A ballot cast by a
 *     holder (cast_by != member) counts only if a proxy from the member to that
 *     holder was in force when it was cast (given_at <= at < revoked_at) and the
 *     holder is itself eligible at closing.
 *
 *   Quorum.  participating = counted ballots, abstentions included. With the
 *     quorum fraction num/den:  strict   → reached iff participating*den > eligible*num
 *                               at least → reached iff participating*den >= eligible*num
 *     The default is "more than half" (1/2, strict). With no eligible member,
 *     quorum is never reached.
 *
 *   Outcome, in this order:
 *     1. quorum not reached                         → postponed
 *     2. abstentions*2 > participating              → postponed
 *     3. simple majority:  yes*2 > yes+no           → adopted, else rejected (a tie is rejected)
 *        two-thirds:       yes*3 >= (yes+no)*2 and yes > 0 → adopted, else rejected
 *        consensus:        object == 0              → adopted, else rejected
 *   Under consensus the choices are yes, abstain, object ("no" is refused);
 *   under the other rules yes, no, abstain ("object" is refused). A refused
 *   choice in the input is an error (CP_E_UNPROCESSABLE), never silently
 *   ignored. All arithmetic is in 64-bit integers; no floating point.
 */
#ifndef CP_GOVERNANCE_TALLY_H
#define CP_GOVERNANCE_TALLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef enum { CP_RULE_SIMPLE, CP_RULE_TWO_THIRDS, CP_RULE_CONSENSUS, CP_RULE_COUNT_ } cp_rule;
typedef enum { CP_CHOICE_YES, CP_CHOICE_NO, CP_CHOICE_ABSTAIN, CP_CHOICE_OBJECT, CP_CHOICE_COUNT_ } cp_choice;
typedef enum { CP_OUTCOME_ADOPTED, CP_OUTCOME_REJECTED, CP_OUTCOME_POSTPONED } cp_outcome;

/* Names on the wire: "simple", "two_thirds", "consensus"; "yes", "no",
 * "abstain", "object"; "adopted", "rejected", "postponed". Parsers return -1
 * for an unknown name. */
const char *cp_rule_name(cp_rule r);
int cp_rule_parse(const char *s);
const char *cp_choice_name(cp_choice c);
int cp_choice_parse(const char *s);
const char *cp_outcome_name(cp_outcome o);
/* Whether choice c may be cast under rule r. */
bool cp_choice_allowed(cp_rule r, cp_choice c);

typedef struct {
    int64_t num, den; /* 0 <= num <= den, den >= 1 */
    bool strict;      /* "more than" (true) or "at least" (false) */
} cp_quorum;
#define CP_QUORUM_DEFAULT ((cp_quorum){1, 2, true})

typedef struct {
    const char *member;  /* the member state's id */
    bool eligible;       /* at closing */
    const char *reason;  /* why not (or what keeps the right); may be NULL */
} cp_tally_voter;

typedef struct {
    const char *member;  /* whose vote this is */
    const char *cast_by; /* the member whose delegate cast it: member itself, or its proxy holder */
    cp_choice choice;
    int64_t seq;         /* order of casting within the proposal (strictly increasing) */
    int64_t at;          /* when cast, ms since the epoch */
} cp_tally_ballot;

typedef struct {
    const char *giver;
    const char *holder;
    int64_t given_at;    /* ms */
    int64_t revoked_at;  /* ms; 0 = never revoked */
} cp_tally_proxy;

typedef struct {
    cp_rule rule;
    cp_quorum quorum;
    const cp_tally_voter *voters;
    size_t n_voters;
    const cp_tally_ballot *ballots;
    size_t n_ballots;
    const cp_tally_proxy *proxies;
    size_t n_proxies;
} cp_tally_input;

typedef struct {
    int64_t members;        /* voters in the snapshot */
    int64_t eligible;       /* of which eligible */
    int64_t count[CP_CHOICE_COUNT_];
    int64_t participating;  /* counted ballots, abstentions included */
    int64_t by_proxy;       /* of which cast by a proxy holder */
    int64_t not_counted;    /* members with ballots that did not count */
    int64_t quorum_needed;  /* smallest participating that reaches quorum (eligible+1 if none) */
    bool quorum_reached;
    int64_t majority_needed; /* yes needed (simple, two-thirds) given yes+no; max objections (consensus: 0) */
    cp_outcome outcome;
    json_t *reasons;        /* array of plain-words strings (owned) */
    json_t *ballots;        /* array of {member, choice, cast_by, seq, counted, why} per member with ballots, sorted by member (owned) */
} cp_tally_result;

/* Counts. Fails (CP_E_UNPROCESSABLE, naming the item) on input that no
 * correct caller produces: an empty member id, a duplicated voter, a quorum
 * out of range, a choice the rule refuses, two ballots with the same seq.
 * On success out owns reasons and ballots: release with cp_tally_result_free. */
cp_status cp_tally(const cp_tally_input *in, cp_tally_result *out, cp_err *err);
void cp_tally_result_free(cp_tally_result *r);

/* The result as JSON (the form stored, logged in the record and served):
 * {"rule", "quorum": {"num","den","strict"}, "members", "eligible",
 *  "counts": {"yes","no","abstain","object"}, "participating", "by_proxy",
 *  "not_counted", "quorum_needed", "quorum_reached", "majority_needed",
 *  "outcome", "reasons": [...], "ballots": [...]}. New reference. */
json_t *cp_tally_result_json(const cp_tally_input *in, const cp_tally_result *r);

/* --- the JSON description of a tally (CLI input, and what recheck builds) ---
 * {"rule": "simple"|"two_thirds"|"consensus",
 *  "quorum": {"num": 1, "den": 2, "strict": true},           (optional; default)
 *  "voters":  [{"member": "A", "eligible": true, "reason": "..."}, ...],
 *  "ballots": [{"member": "A", "choice": "yes", "seq": 1, "at": 0, "cast_by": "A"}, ...],
 *  "proxies": [{"giver": "A", "holder": "B", "given_at": 0, "revoked_at": 0}, ...]}
 * "cast_by" defaults to "member", "at" to 0, "reason" to none, "revoked_at" to 0.
 * Bounds: at most CP_TALLY_MAX_ITEMS voters, ballots and proxies each; ids at most
 * 128 bytes. */
#define CP_TALLY_MAX_ITEMS 100000
typedef struct cp_tally_doc cp_tally_doc; /* owns the arrays the input points into */
cp_status cp_tally_doc_parse(const json_t *doc, cp_tally_doc **out, cp_err *err);
const cp_tally_input *cp_tally_doc_input(const cp_tally_doc *d);
void cp_tally_doc_free(cp_tally_doc *d);

#endif
