#include "intel/sightings.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timeutil.h"
#include "intel/objects.h"
#include "intel/tlp.h"

typedef struct {
    bool found;
    int tlp;
} probe;

static int seen_row(const cp_intel_row *row, void *ctx)
{
    probe *p = ctx;
    p->found = true;
    p->tlp = row->tlp;
    return 1;
}

/* The indicator's last version as the actor may read it; 404 otherwise. */
static cp_status readable_indicator(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *id,
                                    int *tlp, cp_err *err)
{
    if (strncmp(id, "indicator--", 11) != 0 || strlen(id) != 11 + CP_UUID_LEN)
        return cp_fail(err, CP_E_BAD_REQUEST, "indicator_id must be an indicator id (indicator--<UUID>), not '%.80s'", id);
    cp_intel_filter f;
    memset(&f, 0, sizeof f);
    f.ids[0] = id;
    f.n_ids = 1;
    f.limit = 1;
    probe p = {0};
    bool more;
    cp_status st = cp_intel_query(c, col, a, &f, seen_row, &p, &more, err);
    if (st) return st;
    if (!p.found) return cp_fail(err, CP_E_NOT_FOUND, "no indicator %s in this collection", id);
    *tlp = p.tlp;
    return CP_OK;
}

cp_status cp_intel_sighting_counts(cp_conn *c, const cp_actor *a, const cp_collection *col, const char *indicator_id,
                                   json_t **out, cp_err *err)
{
    int tlp = 0;
    cp_status st = readable_indicator(c, a, col, indicator_id, &tlp, err);
    if (st) return st;
    cp_stmt *s;
    if ((st = cp_stmt_prepare(c,
                              "SELECT seen, false_positive, last_seen FROM intel_sightings WHERE cnum = ? AND indicator_id = ?",
                              &s, err)))
        return st;
    cp_stmt_bind_int(s, 1, col->num);
    cp_stmt_bind_text(s, 2, indicator_id);
    *out = json_pack("{ss sI sI so}", "indicator_id", indicator_id, "seen", (json_int_t)0, "false_positive",
                     (json_int_t)0, "last_seen", json_null());
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) {
        char ts[CP_RFC3339_MAX];
        cp_rfc3339_format(cp_stmt_col_int(s, 2), ts);
        json_object_set_new(*out, "seen", json_integer(cp_stmt_col_int(s, 0)));
        json_object_set_new(*out, "false_positive", json_integer(cp_stmt_col_int(s, 1)));
        json_object_set_new(*out, "last_seen", json_string(ts));
    } else if (r == CP_STEP_ERROR) {
        st = cp_stmt_status(s);
        json_decref(*out);
        *out = NULL;
    }
    cp_stmt_finalize(s);
    return st;
}

static const cp_jfield FIELDS[] = {
    {"indicator_id", CP_JT_STRING, true, 128},   {"count", CP_JT_INT, false, 0},
    {"false_positive", CP_JT_BOOL, false, 0},    {"first_seen", CP_JT_STRING, false, 40},
    {"last_seen", CP_JT_STRING, false, 40},      {"note", CP_JT_STRING, false, 4096},
};

static cp_status check_ts(const char *name, const char *v, int64_t *us, cp_err *err)
{
    if (cp_taxii_ts_parse(v, us, err)) return cp_fail(err, CP_E_BAD_REQUEST, "%s: %s", name, err->msg);
    return CP_OK;
}

cp_status cp_intel_sighting_report(cp_conn *c, const cp_actor *a, const cp_collection *col, const json_t *in,
                                   json_t **out, cp_err *err)
{
    *out = NULL;
    cp_status st = cp_json_check(in, "body", FIELDS, sizeof FIELDS / sizeof FIELDS[0], err);
    if (st) return st;
    if (!a->member_id[0]) return cp_fail(err, CP_E_FORBIDDEN, "a sighting is reported by a member's user");
    const char *ind = cp_json_str(in, "indicator_id");
    json_t *cnt = json_object_get(in, "count");
    json_int_t count = cnt ? json_integer_value(cnt) : 1;
    if (count < 1 || count > 1000000)
        return cp_fail(err, CP_E_BAD_REQUEST, "count must be from 1 to 1000000, not %lld", (long long)count);
    const char *first = cp_json_str(in, "first_seen"), *last = cp_json_str(in, "last_seen");
    int64_t f_us = 0, l_us = 0;
    if (first && (st = check_ts("first_seen", first, &f_us, err))) return st;
    if (last && (st = check_ts("last_seen", last, &l_us, err))) return st;
    if (first && last && l_us < f_us) return cp_fail(err, CP_E_BAD_REQUEST, "last_seen is before first_seen");
    int tlp = 0;
    if ((st = readable_indicator(c, a, col, ind, &tlp, err))) return st;

    char uuid[CP_UUID_LEN + 1], id[64], me[64], now[CP_RFC3339_MAX];
    cp_uuid4(uuid);
    snprintf(id, sizeof id, "sighting--%s", uuid);
    snprintf(me, sizeof me, "identity--%s", a->member_id);
    cp_rfc3339_format(cp_now_ms(), now);
    json_t *s = json_pack("{ss ss ss ss ss ss ss sI s[s]}", "type", "sighting", "spec_version", "2.1", "id", id,
                          "created", now, "modified", now, "created_by_ref", me, "sighting_of_ref", ind, "count", count,
                          "where_sighted_refs", me);
    if (first) json_object_set_new(s, "first_seen", json_string(first));
    if (last) json_object_set_new(s, "last_seen", json_string(last));
    const char *note = cp_json_str(in, "note");
    if (note && *note) json_object_set_new(s, "description", json_string(note));
    if (json_is_true(json_object_get(in, "false_positive")))
        json_object_set_new(s, "x_cyberpact_false_positive", json_true());
    if (cp_tlp_marking_id((cp_tlp)tlp))
        json_object_set_new(s, "object_marking_refs", json_pack("[s]", cp_tlp_marking_id((cp_tlp)tlp)));

    /* Readers of the indicator may report on it: the write right is lent
     * for this one object (see sightings.h); everything else — roles,
     * membership, the TLP the collection accepts — is checked by ingest. */
    cp_collection as_reader = *col;
    as_reader.policy.reader_can_write = true;
    cp_intel_item item = {s, NULL, 0};
    cp_ingest_result res;
    cp_ingest_result_init(&res);
    st = cp_intel_ingest(c, a, &as_reader, &item, 1, NULL, &res, err);
    if (!st && res.failure) {
        json_t *f = json_array_get(res.failures, 0);
        st = cp_fail(err, CP_E_UNPROCESSABLE, "%s", json_string_value(json_object_get(f, "message")));
    }
    cp_ingest_result_free(&res);
    json_t *counts = NULL;
    if (!st) st = cp_intel_sighting_counts(c, a, col, ind, &counts, err);
    if (st) {
        json_decref(s);
        return st;
    }
    *out = json_pack("{so so}", "sighting", s, "counts", counts);
    return CP_OK;
}
