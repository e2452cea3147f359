/*
 * budget_effect.c — the adopted budget handed to the installed handler, inside
 * savepoints of the caller's transaction (budget_effect.h).
 */
#include "governance/budget_effect.h"

#include <stdatomic.h>
#include <string.h>

static _Atomic(const cp_gov_budget_handler *) g_handler;

void cp_gov_budget_install(const cp_gov_budget_handler *h)
{
    atomic_store(&g_handler, h);
}

/* Runs the handler between SAVEPOINT and RELEASE; rolls back to the savepoint
 * on failure, or always when keep is false. The handler's status is in *hst
 * (with its message in herr); the return value is a store error only. */
static cp_status run(cp_conn *c, const cp_gov_budget_handler *h, const char *id, const json_t *doc, bool keep,
                     json_t **out, cp_status *hst, cp_err *herr, cp_err *err)
{
    cp_status st = cp_conn_exec(c, "SAVEPOINT gov_budget", err);
    if (st) return st;
    *hst = h->apply(c, id, doc, out, herr);
    if (*hst || !keep) st = cp_conn_exec(c, "ROLLBACK TO SAVEPOINT gov_budget", err);
    if (!st) st = cp_conn_exec(c, "RELEASE SAVEPOINT gov_budget", err);
    return st;
}

cp_status cp_gov_budget_try(cp_conn *c, const char *proposal_id, const json_t *doc, cp_err *err)
{
    const cp_gov_budget_handler *h = atomic_load(&g_handler);
    if (!h || !doc) return CP_OK;
    json_t *out = NULL;
    cp_status hst = CP_OK;
    cp_err herr = {{0}};
    cp_status st = run(c, h, proposal_id, doc, false, &out, &hst, &herr, err);
    json_decref(out);
    if (st) return st;
    if (hst) /* the handler names fields from "budget" (budget_effect.h); the API's are under "body." */
        return strncmp(herr.msg, "budget", 6) == 0 ? cp_fail(err, hst, "body.%s", herr.msg)
                                                   : cp_fail(err, hst, "body.budget: %s", herr.msg);
    return CP_OK;
}

cp_status cp_gov_budget_apply(cp_conn *c, const char *proposal_id, const json_t *doc, json_t **effect, cp_err *err)
{
    *effect = NULL;
    const cp_gov_budget_handler *h = atomic_load(&g_handler);
    if (!h) {
        *effect = json_pack("{sb ss}", "applied", false, "error", "no handler installed: the budget was not applied");
        return *effect ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    json_t *out = NULL;
    cp_status hst = CP_OK;
    cp_err herr = {{0}};
    cp_status st = run(c, h, proposal_id, doc, true, &out, &hst, &herr, err);
    if (st) {
        json_decref(out);
        return st;
    }
    if (hst) {
        json_decref(out);
        *effect = json_pack("{sb ss ss}", "applied", false, "by", h->name, "error", herr.msg);
    } else
        *effect = json_pack("{sb ss so}", "applied", true, "by", h->name, "result", out ? out : json_object());
    return *effect ? CP_OK : cp_fail(err, CP_E_NOMEM, "out of memory");
}
