#include "finance/demo_finance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "finance/finance.h"
#include "finance/internal.h"
#include "finance/money.h"

/* ITU regions by ISO 3166-1 alpha-2 (territories not listed: "other"). */
static const struct {
    const char *region, *codes;
} REGIONS[] = {
    {"Africa", "AO BF BI BJ BW CD CF CG CI CM CV ER ET GA GH GM GN GQ GW KE LR LS MG ML MU MW MZ NA NE NG RW SC SL SN SS ST SZ TD TG TZ UG ZA ZM ZW"},
    {"Arab States", "AE BH DJ DZ EG IQ JO KM KW LB LY MA MR OM PS QA SA SD SO SY TN YE"},
    {"Americas", "AG AR BB BO BR BS BZ CA CL CO CR CU DM DO EC GD GT GY HN HT JM KN LC MX NI PA PE PY SR SV TT US UY VC VE"},
    {"CIS", "AM AZ BY KG KZ MD RU TJ TM UZ"},
    {"Asia-Pacific", "AF AU BD BN BT CN FJ FM ID IN IR JP KH KI KP KR LA LK MH MM MN MV MY NP NR NZ PG PH PK PW SB SG TH TL TO TV VN VU WS"},
    {"Europe", "AD AL AT BA BE BG CH CY CZ DE DK EE ES FI FR GB GE GR HR HU IE IL IS IT LI LT LU LV MC ME MK MT NL NO PL PT RO RS SE SI SK SM TR UA VA"},
};
/* The UN list of least developed countries (2024). */
static const char LDC[] = "AO BF BI BJ CD CF DJ ER ET GM GN GW LR LS MG ML MR MW MZ NE RW SD SL SN SO SS TD TG TZ UG ZM "
                          "AF BD KH LA MM NP TL YE KI SB TV HT";

static bool listed(const char *list, const char *cc) { return cc[0] && strstr(list, cc) != NULL && strlen(cc) == 2; }

static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct {
    cp_conn *c;
    const cp_actor *a;
    cp_err *err;
    int n;
} demo;

static cp_status run(demo *d, const char *what, cp_status (*fn)(cp_conn *, const cp_actor *, const json_t *, cp_fin_idem *,
                                                                json_t **, cp_err *),
                     json_t *in, json_t **keep)
{
    char key[64];
    snprintf(key, sizeof key, "demo-%s-%d", what, ++d->n);
    cp_fin_idem idem = {key, false};
    json_t *out = NULL;
    cp_status st = fn(d->c, d->a, in, &idem, &out, d->err);
    json_decref(in);
    if (st) return cp_fail_prefix(d->err, st, what);
    if (keep) *keep = out;
    else json_decref(out);
    return CP_OK;
}

static cp_status member_setup(demo *d, const char *id, const char *kind, const char *cc, uint64_t *rng)
{
    char key[64];
    bool state = strcmp(kind, "member_state") == 0, ldc = state && listed(LDC, cc);
    const char *region = "other";
    for (size_t i = 0; state && i < sizeof REGIONS / sizeof REGIONS[0]; i++)
        if (listed(REGIONS[i].codes, cc)) region = REGIONS[i].region;
    if (!state) region = "sector members";
    json_t *in = json_pack("{sb ss ss}", "ldc", ldc, "region", region, "contributes_from", "2013-01-01"), *out = NULL;
    snprintf(key, sizeof key, "demo-profile-%s", id);
    cp_fin_idem idem = {key, false};
    cp_status st = cp_finance_profile_set(d->c, d->a, id, in, &idem, &out, d->err);
    json_decref(in);
    json_decref(out);
    if (st) return st;
    /* classes: mostly small, a few large contributors */
    static const char *const STATE[] = {"1/2", "1", "1", "1", "2", "2", "3", "3", "5", "5", "8", "10", "15", "25", "40"};
    static const char *const LDCC[] = {"1/16", "1/8", "1/8", "1/4"};
    static const char *const SECTOR[] = {"1/2", "1/2", "1", "2"};
    const char *units = ldc ? LDCC[mix(rng) % 4] : state ? STATE[mix(rng) % 15] : SECTOR[mix(rng) % 4];
    in = json_pack("{ss ss}", "units", units, "effective", "2013-01-01");
    snprintf(key, sizeof key, "demo-class-%s", id);
    idem.key = key;
    st = cp_finance_class_set(d->c, d->a, id, in, &idem, &out, d->err);
    json_decref(in);
    json_decref(out);
    return st;
}

/* Pays (part of) one assessment on a date no later than today. */
static cp_status pay(demo *d, const char *member, int64_t amount, int64_t day, int64_t today, const char *ref)
{
    if (amount <= 0 || day > today) return CP_OK;
    char date[16];
    cp_fin_date_format(day, date, sizeof date);
    return run(d, "payment", cp_finance_pay,
               json_pack("{ss sI ss ss}", "member_id", member, "amount_minor", (json_int_t)amount, "date", date, "reference",
                         ref),
               NULL);
}

static cp_status fin_demo_amount(cp_conn *c, const char *member, int year, int64_t *out, cp_err *err)
{
    return fin_scalar(c, "SELECT COALESCE(SUM(amount), 0) FROM fin_assessment WHERE member_id = ? AND year = ? AND cancelled = 0",
                      out, err, "si", member, (int64_t)year);
}

static cp_status fin_demo_line_amount(cp_conn *c, const char *line, int64_t *out, cp_err *err)
{
    return fin_scalar(c, "SELECT amount FROM fin_budget_line WHERE id = ?", out, err, "s", line);
}

cp_status cp_demo_finance(cp_conn *c, const cp_actor *a, cp_err *err)
{
    demo d = {c, a, err, 0};
    int64_t today = cp_fin_day(cp_now_ms());
    int y = cp_fin_year_of(today), y0 = y - 1;
    uint64_t rng = 20130000u;
    /* members */
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, "SELECT id, kind, COALESCE(country, '') FROM members WHERE is_alliance = 0"
                                      " AND kind <> 'observer' ORDER BY name", &s, err);
    if (st) return st;
    typedef struct {
        char id[CP_UUID_LEN + 1], kind[24], cc[4];
    } mem;
    mem *ms = calloc(512, sizeof *ms);
    size_t n = 0;
    cp_step r = CP_STEP_DONE;
    while (ms && n < 512 && (r = cp_stmt_step(s, err)) == CP_STEP_ROW) {
        snprintf(ms[n].id, sizeof ms[n].id, "%s", cp_stmt_col_text(s, 0));
        snprintf(ms[n].kind, sizeof ms[n].kind, "%s", cp_stmt_col_text(s, 1));
        snprintf(ms[n].cc, sizeof ms[n].cc, "%s", cp_stmt_col_text(s, 2));
        n++;
    }
    st = !ms ? cp_fail(err, CP_E_NOMEM, "out of memory") : r == CP_STEP_ERROR ? cp_stmt_status(s) : CP_OK;
    cp_stmt_finalize(s);
    for (size_t i = 0; i < n && !st; i++)
        st = member_setup(&d, ms[i].id, ms[i].kind, ms[i].cc, &rng);
    /* two financial years: unit values (the adopted budgets), assessments, budget lines */
    static const struct {
        const char *code, *name;
        int share; /* per cent of the assessed total */
    } LINES[] = {{"early-warning", "Early warning service", 30}, {"incident-coordination", "Incident coordination", 25},
                 {"threat-intelligence", "Threat-intelligence sharing", 20}, {"training", "Training and cyber drills", 10},
                 {"operations", "Secretariat operations", 15}};
    char lines[2][5][CP_UUID_LEN + 1];
    for (int k = 0; k < 2 && !st; k++) {
        int year = y0 + k;
        char decision[96], due[16];
        snprintf(decision, sizeof decision, "budget proposal %d adopted by the General Assembly (demo)", year);
        snprintf(due, sizeof due, "%d-03-31", year);
        json_t *res = NULL;
        if ((st = run(&d, "unit-value", cp_finance_unit_value_set_json,
                      json_pack("{si ss sI ss}", "year", year, "currency", "CHF", "amount_minor",
                                (json_int_t)(k ? 1300000 : 1250000), "decision_ref", decision),
                      NULL)) ||
            (st = run(&d, "assess", cp_finance_assess_year, json_pack("{si ss ss}", "year", year, "currency", "CHF", "due_date", due),
                      &res)))
            break;
        int64_t total = json_integer_value(json_object_get(res, "total_minor"));
        json_decref(res);
        for (int l = 0; l < 5 && !st; l++) {
            json_t *line = NULL;
            st = run(&d, "budget-line", cp_finance_budget_line,
                     json_pack("{si ss ss ss sI ss}", "year", year, "currency", "CHF", "code", LINES[l].code, "name",
                               LINES[l].name, "amount_minor", (json_int_t)(total / 100 * LINES[l].share), "decision_ref",
                               decision),
                     &line);
            if (!st) snprintf(lines[k][l], sizeof lines[k][l], "%s", json_string_value(json_object_get(line, "id")));
            json_decref(line);
        }
    }
    /* payments: most on time, some late, some partial, a few not at all, a couple too much */
    for (size_t i = 0; i < n && !st; i++) {
        int64_t amt[2] = {0, 0};
        for (int k = 0; k < 2 && !st; k++) {
            st = fin_demo_amount(c, ms[i].id, y0 + k, &amt[k], err);
        }
        if (st) break;
        uint64_t kind = mix(&rng) % 100;
        for (int k = 0; k < 2 && !st; k++) {
            int year = y0 + k;
            char ref[48];
            snprintf(ref, sizeof ref, "SWIFT %d-%04zu", year, i);
            int64_t on_time = cp_fin_date(year, 1 + (int)(mix(&rng) % 3), 1 + (int)(mix(&rng) % 27));
            int64_t late = cp_fin_date(year, 6 + (int)(mix(&rng) % 6), 1 + (int)(mix(&rng) % 27));
            if (kind < 70) st = pay(&d, ms[i].id, amt[k], on_time, today, ref);
            else if (kind < 85) st = pay(&d, ms[i].id, amt[k], late, today, ref);
            else if (kind < 92) st = pay(&d, ms[i].id, amt[k] * 3 / 4, late, today, ref);
            else if (kind < 94) st = pay(&d, ms[i].id, amt[k] + amt[k] / 10, on_time, today, ref); /* 10 % too much: credit */
            /* else: nothing paid — in arrears */
        }
    }
    /* a voluntary contribution from a foundation, early in the last year */
    if (!st) {
        char date[16];
        cp_fin_date_format(cp_fin_date(y0, 2, 14), date, sizeof date);
        st = run(&d, "voluntary", cp_finance_voluntary,
                 json_pack("{ss ss ss ss}", "amount", "250000.00", "date", date, "reference", "capacity-building grant",
                           "donor", "Global Cyber Capacity Foundation (demo)"),
                 NULL);
    }
    /* spending: every month of both years up to this one, each line an even share of its budget */
    for (int k = 0; k < 2 && !st; k++)
        for (int mo = 1; mo <= 12 && !st; mo++) {
            int64_t day = cp_fin_date(y0 + k, mo, 25);
            if (day > today) break;
            for (int l = 0; l < 5 && !st; l++) {
                int64_t budget = 0;
                if ((st = fin_demo_line_amount(c, lines[k][l], &budget, err))) break;
                int64_t spend = budget / 12 * (60 + (int64_t)(mix(&rng) % 20)) / 100; /* the services run under budget */
                char date[16], ref[64];
                cp_fin_date_format(day, date, sizeof date);
                snprintf(ref, sizeof ref, "invoices %.7s", date);
                if (spend > 0)
                    st = run(&d, "spending", cp_finance_spend,
                             json_pack("{ss sI ss ss}", "line_id", lines[k][l], "amount_minor", (json_int_t)spend, "date", date,
                                       "reference", ref),
                             NULL);
            }
        }
    free(ms);
    return st;
}
