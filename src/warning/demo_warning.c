/* demo_warning.c — the demo's events, alerts and webhook (demo_warning.h). */
#include "warning/demo_warning.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "warning/alerts.h"
#include "warning/events.h"
#include "warning/iset.h"
#include "warning/webhook.h"

static cp_status one_text(cp_conn *c, const char *sql, char *out, size_t cap, cp_err *err)
{
    cp_stmt *s;
    cp_status st = cp_stmt_prepare(c, sql, &s, err);
    if (st) return st;
    out[0] = 0;
    cp_step r = cp_stmt_step(s, err);
    if (r == CP_STEP_ROW) snprintf(out, cap, "%s", cp_stmt_col_text(s, 0));
    else if (r == CP_STEP_ERROR) st = cp_stmt_status(s);
    cp_stmt_finalize(s);
    return st;
}

cp_status cp_demo_warning(cp_conn *c, const cp_actor *a, int *alerts, cp_err *err)
{
    if (alerts) *alerts = 0;
    char domain[256], member1[64];
    cp_status st = one_text(c, "SELECT value FROM constituency WHERE kind = 'domain' AND value LIKE 'cert-%' ORDER BY value",
                            domain, sizeof domain, err);
    if (!st) st = one_text(c, "SELECT member_id FROM constituency WHERE kind = 'cidr' AND value = '198.51.100.0/24'",
                           member1, sizeof member1, err);
    if (st) return st;
    /* the indicators the demo holds, compiled now (serve's service rebuilds them) */
    cp_iset *set = NULL;
    if ((st = cp_iset_build_from_store(c, cp_now_ms(), &set, err))) return st;
    cp_iset_install(set);

    int64_t now = cp_now_ms();
    char t1[CP_RFC3339_MAX], t2[CP_RFC3339_MAX], t3[CP_RFC3339_MAX], body[4096];
    cp_rfc3339_format(now - 25 * 60000, t1);
    cp_rfc3339_format(now - 12 * 60000, t2);
    cp_rfc3339_format(now - 3 * 60000, t3);
    snprintf(body, sizeof body,
             "{\"events\": ["
             /* a host of the first state talks to the demo's botnet C2 (the third state hosts it) */
             "{\"time\": \"%s\", \"src_ip\": \"192.0.2.10\", \"src_port\": 49822, \"dst_ip\": \"203.0.113.45\","
             " \"dst_port\": 443, \"proto\": \"tcp\", \"classification\": \"malicious-code/infected-system\","
             " \"source\": \"demo-netflow-1\"},"
             "{\"time\": \"%s\", \"src_ip\": \"192.0.2.10\", \"src_port\": 49901, \"dst_ip\": \"203.0.113.45\","
             " \"dst_port\": 443, \"proto\": \"tcp\", \"classification\": \"malicious-code/infected-system\","
             " \"source\": \"demo-netflow-1\"},"
             /* the known scanner (second state's range) probes the sector member's range */
             "{\"time\": \"%s\", \"src_ip\": \"198.51.100.23\", \"dst_ip\": \"192.0.2.200\", \"dst_port\": 22,"
             " \"proto\": \"tcp\", \"classification\": \"information-gathering/scanner\", \"source\": \"demo-honeypot-2\","
             " \"affected\": \"any\"},"
             /* matches nothing, still news for the member that hosts it */
             "{\"time\": \"%s\", \"dst_ip\": \"203.0.113.80\", \"dst_port\": 3389, \"proto\": \"tcp\","
             " \"classification\": \"vulnerable/vulnerable-system\", \"source\": \"demo-scanner\","
             " \"description\": \"RDP exposed to the Internet without NLA\", \"tlp\": \"TLP:AMBER+STRICT\"},"
             /* a phishing page under a member's domain */
             "{\"time\": \"%s\", \"url\": \"https://login.%s/account/verify\", \"classification\": \"fraud/phishing\","
             " \"source\": \"demo-phishing-feed\", \"tlp\": \"TLP:GREEN\"}"
             "]}",
             t1, t2, t2, t3, t3, domain);
    cp_event_batch b;
    json_t *errors = NULL;
    if ((st = cp_events_parse(body, strlen(body), 100, 16, now, &b, &errors, err))) {
        json_decref(errors);
        return st;
    }
    cp_events_options o = {.window_ms = 3600 * 1000, .stix_refresh_ms = 60000};
    cp_events_result res;
    st = cp_events_process(c, a, &b, &o, now, &res, err);
    cp_event_batch_free(&b);
    if (st) return st;
    cp_alerts_folded f;
    if ((st = cp_alerts_fold_pending(c, 0, o.stix_refresh_ms, &f, err))) return st; /* the alerts now */
    if (alerts) *alerts = (int)f.created;
    int written;
    if ((st = cp_alerts_stix_flush(c, cp_now_ms(), 1000, &written, err))) return st; /* their STIX now */
    /* an example webhook: the second state's SOC (example.org names resolve nowhere, so its
     * deliveries fail and are retried: the failures are visible in the API) */
    if (member1[0]) {
        json_t *in = json_pack("{ss}", "url", "https://soc.example.org/cyberpact/alerts"), *out = NULL;
        st = cp_webhook_set(c, a, member1, in, &out, err);
        json_decref(in);
        json_decref(out);
    }
    return st;
}
