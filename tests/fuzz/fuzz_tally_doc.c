/*
 * fuzz_tally_doc.c — the tally's JSON description (governance/tally.h,
 * cp_tally_doc_parse) and the tally itself on whatever parses, and the
 * recheck over the parsed document read as a record entry.
 *
 * Properties checked (abort on violation), when the description parses and counts:
 *   - counts add up: yes+no+abstain+object == participating <= eligible <= members;
 *   - by_proxy <= participating; quorum_reached iff participating >= quorum_needed
 *     and eligible > 0;
 *   - the outcome follows from the numbers (postponed iff no quorum or abstentions
 *     over half; otherwise the rule's inequality in integers);
 *   - counting twice gives byte-identical JSON (determinism), and the input
 *     arrays are untouched;
 *   - one "ballots" item per member with ballots, counted ones adding up;
 * and a failure always carries a non-empty message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "governance/recheck.h"
#include "governance/tally.h"

static void check(const cp_tally_input *in, const cp_tally_result *r)
{
    int64_t y = r->count[CP_CHOICE_YES], n = r->count[CP_CHOICE_NO], a = r->count[CP_CHOICE_ABSTAIN],
            o = r->count[CP_CHOICE_OBJECT];
    if (y + n + a + o != r->participating || r->participating > r->eligible || r->eligible > r->members) abort();
    if (r->by_proxy > r->participating) abort();
    if (r->quorum_reached != (r->eligible > 0 && r->participating >= r->quorum_needed)) abort();
    bool postponed = !r->quorum_reached || a * 2 > r->participating;
    if (postponed != (r->outcome == CP_OUTCOME_POSTPONED)) abort();
    if (!postponed) {
        bool adopted = in->rule == CP_RULE_SIMPLE       ? y * 2 > y + n
                       : in->rule == CP_RULE_TWO_THIRDS ? y > 0 && y * 3 >= (y + n) * 2
                                                        : o == 0;
        if (adopted != (r->outcome == CP_OUTCOME_ADOPTED)) abort();
    }
    size_t i;
    json_t *b;
    int64_t counted = 0;
    json_array_foreach(r->ballots, i, b) counted += json_is_true(json_object_get(b, "counted"));
    if (counted != r->participating || (int64_t)json_array_size(r->ballots) != r->participating + r->not_counted) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    cp_err err = {{0}};
    if (cp_json_parse((const char *)data, size, CP_JSON_DEPTH_DEFAULT, &doc, &err)) return 0;
    cp_tally_doc *d = NULL;
    cp_status st = cp_tally_doc_parse(doc, &d, &err);
    if (st) {
        if (!err.msg[0]) abort();
    } else {
        const cp_tally_input *in = cp_tally_doc_input(d);
        cp_tally_result r1, r2;
        err.msg[0] = 0;
        st = cp_tally(in, &r1, &err);
        if (st) {
            if (!err.msg[0] || st != CP_E_UNPROCESSABLE) abort();
        } else {
            check(in, &r1);
            if (cp_tally(in, &r2, &err)) abort();
            json_t *j1 = cp_tally_result_json(in, &r1), *j2 = cp_tally_result_json(in, &r2);
            char *s1 = json_dumps(j1, JSON_SORT_KEYS | JSON_COMPACT), *s2 = json_dumps(j2, JSON_SORT_KEYS | JSON_COMPACT);
            if (!s1 || !s2 || strcmp(s1, s2) != 0) abort();
            free(s1);
            free(s2);
            json_decref(j1);
            json_decref(j2);
            cp_tally_result_free(&r1);
            cp_tally_result_free(&r2);
        }
        cp_tally_doc_free(d);
    }
    /* the same bytes as a one-entry record: the recheck never crashes and always reports */
    json_t *report = NULL;
    json_t *const entries[1] = {doc};
    if (cp_gov_recheck_results(entries, 1, &report, &err) != CP_OK || !report) abort();
    json_decref(report);
    json_decref(doc);
    return 0;
}
