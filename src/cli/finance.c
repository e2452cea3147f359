/*
 * finance.c — `cyberpact finance ...`: contributions, the ledger and the
 * reports for administrators on the machine (acting as "cli:<login>"). Each
 * write is idempotent under --key (a random key when none is given, printed
 * on stderr so a retry can reuse it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "finance/csv_import.h"
#include "finance/finance.h"
#include "finance/ledger.h"
#include "finance/money.h"
#include "finance/scale.h"

static const char USAGE[] =
    "usage: cyberpact finance ACTION ...   (amounts are decimal: 1250.00; dates YYYY-MM-DD)\n"
    "  scale                                  the contribution scale in force\n"
    "  scale-load FILE                        replace it with a scale file (data/finance/scale-default.txt)\n"
    "  profile MEMBER [--ldc true|false] [--region R] [--date CONTRIBUTES_FROM]\n"
    "  class MEMBER UNITS --date EFFECTIVE [--decision REF]   e.g. class ID 1½ --date 2026-01-01\n"
    "  unit-value --year Y --amount A --decision REF [--currency C]\n"
    "  assess --year Y [--date DUE] [--currency C]      every member with a class, in one transaction\n"
    "  pay --member M --amount A --date D --reference R [--payer P] [--assessment ID] [--currency C]\n"
    "  import-payments FILE.csv               a bank statement in one transaction (columns: member_id,amount,\n"
    "                                         date,reference[,payer][,currency][,assessment_id])\n"
    "  reverse ENTRY --reason R [--date D]\n"
    "  budget-line CODE NAME --year Y --amount A --decision REF [--currency C]\n"
    "  spend LINE_ID --amount A --date D --reference R\n"
    "  exempt --member M --decision REF --date FROM --until UNTIL\n"
    "  assessments [--year Y] [--member M] [--currency C]\n"
    "  arrears [--as-of D] [--currency C]\n"
    "  voting-rights [--as-of D] [--currency C]\n"
    "  report [--as-of D] [--currency C] [--csv]     the sustainability report\n"
    "  statement MEMBER [--date FROM] [--until TO] [--currency C] [--csv]\n"
    "  entry ID                               one ledger entry and its legs\n"
    "  verify                                 check the ledger (cyberpact verify does too)\n"
    "writes take --key K (idempotency key; a random one otherwise)\n";

enum { KEY, YEAR, AMOUNT, CURRENCY, DECISION, MEMBER, DATE, REFERENCE, PAYER, ASSESSMENT, REASON, AS_OF, UNTIL, CSV, LDC, REGION };
static const char *const FLAGS[] = {"key",       "year",       "amount", "currency", "decision", "member",
                                    "date",      "reference",  "payer",  "assessment", "reason", "as-of",
                                    "until",     "+csv",       "ldc",    "region",   NULL};
#define BIT(f) (1u << (f))
static const cp_cli_action ACTIONS[] = {
    {"scale", 0, 0, 0},
    {"scale-load", BIT(KEY), 0, 1},
    {"profile", BIT(KEY) | BIT(LDC) | BIT(REGION) | BIT(DATE), 0, 1},
    {"class", BIT(KEY) | BIT(DATE) | BIT(DECISION), BIT(DATE), 2},
    {"unit-value", BIT(KEY) | BIT(YEAR) | BIT(AMOUNT) | BIT(DECISION) | BIT(CURRENCY), BIT(YEAR) | BIT(AMOUNT) | BIT(DECISION), 0},
    {"assess", BIT(KEY) | BIT(YEAR) | BIT(DATE) | BIT(CURRENCY), BIT(YEAR), 0},
    {"pay", BIT(KEY) | BIT(MEMBER) | BIT(AMOUNT) | BIT(DATE) | BIT(REFERENCE) | BIT(PAYER) | BIT(ASSESSMENT) | BIT(CURRENCY),
     BIT(MEMBER) | BIT(AMOUNT) | BIT(DATE) | BIT(REFERENCE), 0},
    {"import-payments", BIT(KEY), 0, 1},
    {"reverse", BIT(KEY) | BIT(REASON) | BIT(DATE), BIT(REASON), 1},
    {"budget-line", BIT(KEY) | BIT(YEAR) | BIT(AMOUNT) | BIT(DECISION) | BIT(CURRENCY), BIT(YEAR) | BIT(AMOUNT) | BIT(DECISION), 2},
    {"spend", BIT(KEY) | BIT(AMOUNT) | BIT(DATE) | BIT(REFERENCE), BIT(AMOUNT) | BIT(DATE) | BIT(REFERENCE), 1},
    {"exempt", BIT(KEY) | BIT(MEMBER) | BIT(DECISION) | BIT(DATE) | BIT(UNTIL), BIT(MEMBER) | BIT(DECISION) | BIT(DATE) | BIT(UNTIL), 0},
    {"assessments", BIT(YEAR) | BIT(MEMBER) | BIT(CURRENCY), 0, 0},
    {"arrears", BIT(AS_OF) | BIT(CURRENCY), 0, 0},
    {"voting-rights", BIT(AS_OF) | BIT(CURRENCY), 0, 0},
    {"report", BIT(AS_OF) | BIT(CURRENCY) | BIT(CSV), 0, 0},
    {"statement", BIT(DATE) | BIT(UNTIL) | BIT(CURRENCY) | BIT(CSV), 0, 1},
    {"entry", 0, 0, 1},
    {"verify", 0, 0, 0},
};

static void put(json_t *in, const cp_cli_args *o, int flag, const char *key)
{
    if (o->value[flag]) json_object_set_new(in, key, json_string(o->value[flag]));
}

static cp_status year_of(const cp_cli_args *o, json_t *in, cp_err *err)
{
    char *end;
    long y = strtol(o->value[YEAR], &end, 10);
    if (!*o->value[YEAR] || *end || y < 1970 || y > 2999)
        return cp_fail(err, CP_E_BAD_REQUEST, "--year must be 1970..2999, not '%.16s'", o->value[YEAR]);
    json_object_set_new(in, "year", json_integer(y));
    return CP_OK;
}

static cp_status day_of(const char *flag, const char *v, int64_t *day, cp_err *err)
{
    if (!v) {
        *day = cp_fin_day(cp_now_ms());
        return CP_OK;
    }
    cp_status st = cp_fin_date_parse(v, day, err);
    return st ? cp_fail_prefix(err, st, flag) : CP_OK;
}

static cp_status currency_of(cp_conn *c, const cp_cli_args *o, char cur[4], cp_err *err)
{
    if (!o->value[CURRENCY]) return cp_finance_default_currency(c, cur, err);
    cp_status st = cp_fin_currency(o->value[CURRENCY], NULL, err);
    if (!st) snprintf(cur, 4, "%s", o->value[CURRENCY]);
    return st;
}

/* The whole file, NUL-terminated; what names it in the error when it is larger than max. */
static char *read_file_max(const char *path, size_t max, const char *what, size_t *len, cp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cp_fail(err, CP_E_IO, "cannot open %.300s", path);
        return NULL;
    }
    char *buf = malloc(max + 2);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    if (n > max) {
        free(buf);
        cp_fail(err, CP_E_TOO_LARGE, "%.300s is too large for %s (more than %zu bytes)", path, what, max);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static void print_csv(char *text, size_t len)
{
    if (text) fwrite(text, 1, len, stdout);
    free(text);
}

static cp_status run(cp_conn *c, const cp_actor *a, const char *action, const cp_cli_args *o, json_t **out, cp_err *err)
{
    char keybuf[40];
    cp_fin_idem idem = {o->value[KEY], false};
    if (!idem.key) {
        cp_uuid4(keybuf);
        idem.key = keybuf;
    }
    json_t *in = json_object();
    cp_status st = CP_OK;
    bool wrote = true;
    char cur[4];
    int64_t day, to;
    if (strcmp(action, "scale") == 0) {
        wrote = false;
        st = cp_finance_scale_json(c, out, err);
    } else if (strcmp(action, "scale-load") == 0) {
        size_t len;
        char *text = read_file_max(o->operands[0], CP_SCALE_TEXT_MAX, "a scale file", &len, err);
        if (!text) st = CP_E_IO;
        else {
            json_object_set_new(in, "text", json_string(text));
            free(text);
            st = json_object_get(in, "text") ? cp_finance_scale_load(c, a, in, &idem, out, err)
                                             : cp_fail(err, CP_E_BAD_REQUEST, "the scale file is not UTF-8");
        }
    } else if (strcmp(action, "profile") == 0) {
        if (o->value[LDC]) json_object_set_new(in, "ldc", json_boolean(strcmp(o->value[LDC], "true") == 0));
        put(in, o, REGION, "region");
        put(in, o, DATE, "contributes_from");
        st = cp_finance_profile_set(c, a, o->operands[0], in, &idem, out, err);
    } else if (strcmp(action, "class") == 0) {
        json_object_set_new(in, "units", json_string(o->operands[1]));
        put(in, o, DATE, "effective");
        put(in, o, DECISION, "decision_ref");
        st = cp_finance_class_set(c, a, o->operands[0], in, &idem, out, err);
    } else if (strcmp(action, "unit-value") == 0) {
        put(in, o, AMOUNT, "amount");
        put(in, o, DECISION, "decision_ref");
        put(in, o, CURRENCY, "currency");
        if (!(st = year_of(o, in, err))) st = cp_finance_unit_value_set_json(c, a, in, &idem, out, err);
    } else if (strcmp(action, "assess") == 0) {
        put(in, o, DATE, "due_date");
        put(in, o, CURRENCY, "currency");
        if (!(st = year_of(o, in, err))) st = cp_finance_assess_year(c, a, in, &idem, out, err);
    } else if (strcmp(action, "pay") == 0) {
        put(in, o, MEMBER, "member_id");
        put(in, o, AMOUNT, "amount");
        put(in, o, DATE, "date");
        put(in, o, REFERENCE, "reference");
        put(in, o, PAYER, "payer");
        put(in, o, ASSESSMENT, "assessment_id");
        put(in, o, CURRENCY, "currency");
        st = cp_finance_pay(c, a, in, &idem, out, err);
    } else if (strcmp(action, "import-payments") == 0) {
        size_t len = 0;
        char *text = read_file_max(o->operands[0], CP_FIN_CSV_MAX, "a payment import", &len, err);
        json_t *body = NULL;
        if (!text) st = CP_E_IO;
        else if (!(st = cp_fin_payments_csv(text, len, &body, err)))
            st = cp_finance_pay_import(c, a, body, &idem, out, err);
        free(text);
        json_decref(body);
    } else if (strcmp(action, "reverse") == 0) {
        put(in, o, REASON, "reason");
        put(in, o, DATE, "date");
        st = cp_finance_reverse(c, a, o->operands[0], in, &idem, out, err);
    } else if (strcmp(action, "budget-line") == 0) {
        json_object_set_new(in, "code", json_string(o->operands[0]));
        json_object_set_new(in, "name", json_string(o->operands[1]));
        put(in, o, AMOUNT, "amount");
        put(in, o, DECISION, "decision_ref");
        put(in, o, CURRENCY, "currency");
        if (!(st = year_of(o, in, err))) st = cp_finance_budget_line(c, a, in, &idem, out, err);
    } else if (strcmp(action, "spend") == 0) {
        json_object_set_new(in, "line_id", json_string(o->operands[0]));
        put(in, o, AMOUNT, "amount");
        put(in, o, DATE, "date");
        put(in, o, REFERENCE, "reference");
        st = cp_finance_spend(c, a, in, &idem, out, err);
    } else if (strcmp(action, "exempt") == 0) {
        put(in, o, MEMBER, "member_id");
        put(in, o, DECISION, "decision_ref");
        put(in, o, DATE, "from");
        put(in, o, UNTIL, "until");
        st = cp_finance_exemption(c, a, in, &idem, out, err);
    } else {
        wrote = false;
        if ((st = currency_of(c, o, cur, err))) goto done;
        if (strcmp(action, "assessments") == 0) {
            int year = o->value[YEAR] ? atoi(o->value[YEAR]) : 0;
            json_t *items = NULL;
            if (!(st = cp_finance_assessments(c, cur, year, o->value[MEMBER], &items, err))) *out = items;
        } else if (strcmp(action, "arrears") == 0) {
            if (!(st = day_of("--as-of", o->value[AS_OF], &day, err))) st = cp_finance_arrears(c, cur, day, out, err);
        } else if (strcmp(action, "voting-rights") == 0) {
            if (!(st = day_of("--as-of", o->value[AS_OF], &day, err))) st = cp_finance_voting_rights(c, cur, day, out, err);
        } else if (strcmp(action, "report") == 0) {
            if (!(st = day_of("--as-of", o->value[AS_OF], &day, err)) &&
                !(st = cp_finance_sustainability(c, cur, day, 90, out, err)) && o->value[CSV]) {
                size_t len = 0;
                char *csv = cp_finance_sustainability_csv(*out, &len);
                print_csv(csv, len);
                json_decref(*out);
                *out = NULL;
            }
        } else if (strcmp(action, "statement") == 0) {
            if (!(st = day_of("--until", o->value[UNTIL], &to, err)) &&
                !(st = o->value[DATE] ? day_of("--date", o->value[DATE], &day, err) : (day = cp_fin_year_start(cp_fin_year_of(to)), CP_OK)) &&
                !(st = cp_finance_statement(c, o->operands[0], cur, day, to, out, err)) && o->value[CSV]) {
                size_t len = 0;
                char *csv = cp_finance_statement_csv(*out, &len);
                print_csv(csv, len);
                json_decref(*out);
                *out = NULL;
            }
        } else if (strcmp(action, "entry") == 0) {
            st = cp_ledger_entry_json(c, o->operands[0], out, err);
        } else if (strcmp(action, "verify") == 0) {
            cp_ledger_report rep;
            if (!(st = cp_ledger_verify(c, &rep, err))) {
                if (rep.problems) st = cp_fail(err, CP_E_UNPROCESSABLE, "ledger BROKEN: %lld problem(s); first: %s",
                                               (long long)rep.problems, rep.problem);
                else
                    printf("ok: %lld ledger(s), %lld entries, %lld legs; debits = credits = %lld\n", (long long)rep.ledgers,
                           (long long)rep.entries, (long long)rep.legs, (long long)rep.debits);
            }
        }
    }
done:
    json_decref(in);
    if (!st && wrote && !o->value[KEY]) fprintf(stderr, "idempotency key: %s\n", idem.key);
    if (!st && idem.replayed) fprintf(stderr, "replayed: the first result under this key\n");
    return st;
}

int cp_cli_finance(int argc, char **argv, cp_db *db)
{
    return cp_cli_run(argc, argv, db, FLAGS, ACTIONS, sizeof ACTIONS / sizeof ACTIONS[0], USAGE, run);
}
