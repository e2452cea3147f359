/* rsit.c — the RSIT classes and types (rsit.h), as data. */
#include "warning/rsit.h"

#include <string.h>

static const char *const RSIT[] = {
    "abusive-content/spam",
    "abusive-content/harmful-speech",
    "abusive-content/violence",
    "malicious-code/infected-system",
    "malicious-code/c2-server",
    "malicious-code/malware-distribution",
    "malicious-code/malware-configuration",
    "information-gathering/scanner",
    "information-gathering/sniffing",
    "information-gathering/social-engineering",
    "intrusion-attempts/ids-alert",
    "intrusion-attempts/brute-force",
    "intrusion-attempts/exploit",
    "intrusions/privileged-account-compromise",
    "intrusions/unprivileged-account-compromise",
    "intrusions/application-compromise",
    "intrusions/system-compromise",
    "intrusions/burglary",
    "availability/dos",
    "availability/ddos",
    "availability/misconfiguration",
    "availability/sabotage",
    "availability/outage",
    "information-content-security/unauthorised-information-access",
    "information-content-security/unauthorised-information-modification",
    "information-content-security/data-loss",
    "information-content-security/data-leak",
    "fraud/unauthorised-use-of-resources",
    "fraud/copyright",
    "fraud/masquerade",
    "fraud/phishing",
    "vulnerable/weak-crypto",
    "vulnerable/ddos-amplifier",
    "vulnerable/potentially-unwanted-accessible",
    "vulnerable/information-disclosure",
    "vulnerable/vulnerable-system",
    "other/other",
    "other/undetermined",
    "test/test",
};
#define N_RSIT (sizeof RSIT / sizeof RSIT[0])

const char *cp_rsit_find(const char *s, size_t len)
{
    for (size_t i = 0; i < N_RSIT; i++)
        if (strlen(RSIT[i]) == len && memcmp(RSIT[i], s, len) == 0) return RSIT[i];
    return NULL;
}

size_t cp_rsit_count(void) { return N_RSIT; }

const char *cp_rsit_at(size_t i) { return i < N_RSIT ? RSIT[i] : NULL; }
