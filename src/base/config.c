#include "base/config.h"

#include "base/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { OPT_STR, OPT_INT } opt_type;

typedef struct {
    const char *name; /* flag without "--", file key */
    const char *env;
    opt_type type;
    size_t offset;
    size_t size;      /* for strings */
    int64_t min, max; /* for integers */
    const char *help;
} opt;

#define S(field, name, env, help) \
    {name, env, OPT_STR, offsetof(cp_config, field), sizeof(((cp_config *)0)->field), 0, 0, help}
#define I(field, name, env, lo, hi, help) \
    {name, env, OPT_INT, offsetof(cp_config, field), 0, lo, hi, help}

static const opt CP_CONFIG_OPTIONS[] = {
    S(data_dir, "data", "CYBERPACT_DATA", "data folder (database, credentials) [./cyberpact-data]"),
    S(database, "database", "CYBERPACT_DATABASE", "store URL: postgresql://... or sqlite:PATH [sqlite:DATA/cyberpact.db]"),
    S(listen, "listen", "CYBERPACT_LISTEN", "address and port to serve on [127.0.0.1:8080]"),
    S(config_file, "config", "CYBERPACT_CONFIG", "config file [DATA/cyberpact.conf if present]"),
    S(log_level, "log-level", "CYBERPACT_LOG_LEVEL", "debug, info, warn, error or off [info]"),
    S(tls_cert, "tls-cert", "CYBERPACT_TLS_CERT", "PEM certificate chain; serve HTTPS when set with --tls-key"),
    S(tls_key, "tls-key", "CYBERPACT_TLS_KEY", "PEM private key for --tls-cert"),
    I(threads, "threads", "CYBERPACT_THREADS", 0, 256, "worker threads, 0 = one per core [0]"),
    I(max_body_bytes, "max-body-bytes", "CYBERPACT_MAX_BODY_BYTES", 1024, 1LL << 30, "largest request body [1048576]"),
    I(max_header_bytes, "max-header-bytes", "CYBERPACT_MAX_HEADER_BYTES", 4096, 1 << 20, "memory for request line and headers per connection [32768]"),
    I(max_json_depth, "max-json-depth", "CYBERPACT_MAX_JSON_DEPTH", 2, 1000, "deepest JSON nesting accepted [32]"),
    I(max_connections, "max-connections", "CYBERPACT_MAX_CONNECTIONS", 1, 100000, "concurrent connections [1024]"),
    I(max_connections_per_ip, "max-connections-per-ip", "CYBERPACT_MAX_CONNECTIONS_PER_IP", 0, 100000, "concurrent connections from one address, 0 = no limit [0]"),
    I(request_timeout_s, "request-timeout", "CYBERPACT_REQUEST_TIMEOUT", 1, 3600, "seconds a connection may stay idle or slow [30]"),
    I(auth_failures_per_minute, "auth-failures-per-minute", "CYBERPACT_AUTH_FAILURES_PER_MINUTE", 1, 100000, "failed logins/keys per address per minute before 429 [20]"),
    I(session_ttl_s, "session-ttl", "CYBERPACT_SESSION_TTL", 60, 30 * 86400, "web session lifetime in seconds [43200]"),
    I(page_limit_max, "page-limit-max", "CYBERPACT_PAGE_LIMIT_MAX", 1, 10000, "largest 'limit' of a list request [1000]"),
    I(drain_timeout_s, "drain-timeout", "CYBERPACT_DRAIN_TIMEOUT", 0, 3600, "seconds to finish in-flight requests on SIGTERM [20]"),
    I(intel_max_body_bytes, "intel-max-body-bytes", "CYBERPACT_INTEL_MAX_BODY_BYTES", 1024, 1LL << 30, "largest TAXII envelope / intel import body: the API root's max_content_length [33554432]"),
    I(taxii_page_default, "taxii-page-default", "CYBERPACT_TAXII_PAGE_DEFAULT", 1, 10000, "TAXII objects per page when the client names no limit (capped by page-limit-max) [100]"),
    I(taxii_status_hours, "taxii-status-hours", "CYBERPACT_TAXII_STATUS_HOURS", 24, 24 * 366, "hours a TAXII status resource is kept [168]"),
    I(correlation_max, "correlation-max", "CYBERPACT_CORRELATION_MAX", 2, 1000000, "objects sharing one value beyond which search and correlation report it as over-correlating instead of expanding it [500]"),
    S(warninglists, "warninglists", "CYBERPACT_WARNINGLISTS", "MISP warninglist JSON file or folder; values on a list are flagged on ingest [none]"),
    I(alert_window_s, "alert-window", "CYBERPACT_ALERT_WINDOW", 1, 30 * 86400, "seconds of the aggregation window: events of one member, indicator (or classification) and address within one window make one alert with a count [3600]"),
    I(alert_stix_refresh_s, "alert-stix-refresh", "CYBERPACT_ALERT_STIX_REFRESH", 0, 86400, "least seconds between two STIX versions of a growing alert in the member's alerts collection [300]"),
    I(events_max_batch, "events-max-batch", "CYBERPACT_EVENTS_MAX_BATCH", 1, 100000, "events in one POST /api/v1/events [10000]"),
    I(webhook_max_attempts, "webhook-max-attempts", "CYBERPACT_WEBHOOK_MAX_ATTEMPTS", 1, 100, "attempts to deliver one webhook before it is failed [12]"),
    I(webhook_retry_base_ms, "webhook-retry-base-ms", "CYBERPACT_WEBHOOK_RETRY_BASE_MS", 10, 3600000, "first webhook retry after this many ms, doubling each time, capped at one hour [2000]"),
    I(webhook_timeout_s, "webhook-timeout", "CYBERPACT_WEBHOOK_TIMEOUT", 1, 300, "seconds one webhook POST may take [10]"),
};
#define N_OPTS (sizeof CP_CONFIG_OPTIONS / sizeof CP_CONFIG_OPTIONS[0])

void cp_config_defaults(cp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./cyberpact-data");
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1:8080");
    snprintf(cfg->log_level, sizeof cfg->log_level, "info");
    cfg->max_body_bytes = 1 << 20;
    cfg->max_header_bytes = 32 * 1024;
    cfg->max_json_depth = 32;
    cfg->max_connections = 1024;
    cfg->request_timeout_s = 30;
    cfg->auth_failures_per_minute = 20;
    cfg->session_ttl_s = 12 * 3600;
    cfg->page_limit_max = 1000;
    cfg->drain_timeout_s = 20;
    cfg->intel_max_body_bytes = 32 << 20;
    cfg->taxii_page_default = 100;
    cfg->taxii_status_hours = 168;
    cfg->correlation_max = 500;
    cfg->alert_window_s = 3600;
    cfg->alert_stix_refresh_s = 300;
    cfg->events_max_batch = 10000;
    cfg->webhook_max_attempts = 12;
    cfg->webhook_retry_base_ms = 2000;
    cfg->webhook_timeout_s = 10;
}

static const opt *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strlen(CP_CONFIG_OPTIONS[i].name) == len && strncmp(CP_CONFIG_OPTIONS[i].name, name, len) == 0)
            return &CP_CONFIG_OPTIONS[i];
    return NULL;
}

static cp_status set_opt(cp_config *cfg, const opt *o, const char *value, const char *origin, cp_err *err)
{
    char *field = (char *)cfg + o->offset;
    if (o->type == OPT_STR) {
        if (strlen(value) >= o->size)
            return cp_fail(err, CP_E_BAD_REQUEST, "%s: value of %s is longer than %zu bytes", origin, o->name,
                           o->size - 1);
        if (o->offset == offsetof(cp_config, log_level) && cp_log_level_parse(value) < 0)
            return cp_fail(err, CP_E_BAD_REQUEST, "%s: log-level must be debug, info, warn, error or off, not '%.40s'",
                           origin, value);
        memcpy(field, value, strlen(value) + 1);
        return CP_OK;
    }
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < o->min || v > o->max)
        return cp_fail(err, CP_E_BAD_REQUEST, "%s: %s must be an integer from %lld to %lld, not '%.40s'", origin,
                       o->name, (long long)o->min, (long long)o->max, value);
    memcpy(field, &(int64_t){v}, sizeof(int64_t));
    return CP_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static cp_status load_file(cp_config *cfg, const char *path, bool must_exist, cp_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!must_exist && errno == ENOENT) return CP_OK;
        return cp_fail(err, CP_E_BAD_REQUEST, "cannot read config file %s: %s", path, strerror(errno));
    }
    char line[2048], origin[CP_PATH_MAX + 32];
    int lineno = 0;
    cp_status st = CP_OK;
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        snprintf(origin, sizeof origin, "%s:%d", path, lineno);
        if (!strchr(line, '\n') && !feof(f)) {
            st = cp_fail(err, CP_E_BAD_REQUEST, "%s: line longer than %zu bytes", origin, sizeof line - 2);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            st = cp_fail(err, CP_E_BAD_REQUEST, "%s: expected 'name = value'", origin);
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        const opt *o = find_opt(key, strlen(key));
        if (!o || o->offset == offsetof(cp_config, config_file)) {
            st = cp_fail(err, CP_E_BAD_REQUEST, "%s: unknown setting '%.64s'", origin, key);
            break;
        }
        st = set_opt(cfg, o, val, origin, err);
    }
    fclose(f);
    return st;
}

/* Finds the value of --config / --data given on the command line, if any. */
static const char *flag_value(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || strncmp(a + 2, name, n)) continue;
        if (a[2 + n] == '=') return a + 3 + n;
        if (a[2 + n] == 0 && i + 1 < argc) return argv[i + 1];
    }
    return NULL;
}

cp_status cp_config_load(cp_config *cfg, int argc, char **argv, int *rest, int rest_cap, int *n_rest,
                         cp_err *err)
{
    cp_status st;
    /* 1. the config file: its path and the data dir it defaults to come from
     *    flags or the environment, so look those up first. */
    const char *path = flag_value(argc, argv, "config");
    if (!path) path = getenv("CYBERPACT_CONFIG");
    if (path && *path) {
        st = load_file(cfg, path, true, err);
        if (st) return st;
        snprintf(cfg->config_file, sizeof cfg->config_file, "%s", path);
    } else {
        const char *data = flag_value(argc, argv, "data");
        if (!data) data = getenv("CYBERPACT_DATA");
        char def[CP_PATH_MAX + 32];
        snprintf(def, sizeof def, "%s/cyberpact.conf", data && *data ? data : cfg->data_dir);
        st = load_file(cfg, def, false, err);
        if (st) return st;
        if (access(def, R_OK) == 0 && strlen(def) < sizeof cfg->config_file) memcpy(cfg->config_file, def, strlen(def) + 1);
    }
    /* 2. the environment */
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *v = getenv(CP_CONFIG_OPTIONS[i].env);
        if (v && *v) {
            st = set_opt(cfg, &CP_CONFIG_OPTIONS[i], v, CP_CONFIG_OPTIONS[i].env, err);
            if (st) return st;
        }
    }
    /* 3. flags */
    *n_rest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const opt *o = NULL;
        const char *val = NULL;
        if (strncmp(a, "--", 2) == 0 && a[2]) {
            const char *eq = strchr(a + 2, '=');
            o = find_opt(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (o) {
                if (eq) {
                    val = eq + 1;
                } else if (i + 1 < argc) {
                    val = argv[++i];
                } else {
                    return cp_fail(err, CP_E_BAD_REQUEST, "flag --%s needs a value", o->name);
                }
            }
        }
        if (!o) {
            if (*n_rest >= rest_cap) return cp_fail(err, CP_E_BAD_REQUEST, "too many arguments");
            rest[(*n_rest)++] = i;
            continue;
        }
        char origin[80];
        snprintf(origin, sizeof origin, "flag --%s", o->name);
        st = set_opt(cfg, o, val, origin, err);
        if (st) return st;
    }
    return CP_OK;
}

void cp_config_database_url(const cp_config *cfg, char *out, size_t cap)
{
    if (cfg->database[0])
        snprintf(out, cap, "%s", cfg->database);
    else
        snprintf(out, cap, "sqlite:%s/cyberpact.db", cfg->data_dir);
}

void cp_config_print_help(FILE *f)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        const opt *o = &CP_CONFIG_OPTIONS[i];
        fprintf(f, "  --%-26s %-36s %s\n", o->name, o->env, o->help);
    }
}
