/*
 * config.h — configuration of the server and the CLI.
 *
 * Every setting has one name, used three ways:
 *   flag       --max-body-bytes 1048576
 *   variable   CYBERPACT_MAX_BODY_BYTES=1048576
 *   file line  max-body-bytes = 1048576
 * Precedence, highest first: flags, environment, the config file, defaults.
 * The config file is the one named by --config or CYBERPACT_CONFIG, else
 * DATA/cyberpact.conf when it exists. Its format: one "name = value" per
 * line, '#' starts a comment, blank lines ignored; an unknown name or a bad
 * value is an error naming the file and line.
 *
 * The table in config.c (CP_CONFIG_OPTIONS) is the single list of settings;
 * `cyberpact --help` prints it, and docs/operations.md lists it. A value
 * cannot contain '#' in the file (it starts a comment): give such a value by
 * flag or environment variable.
 */
#ifndef CP_BASE_CONFIG_H
#define CP_BASE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "base/status.h"

#define CP_PATH_MAX 1024

typedef struct {
    char data_dir[CP_PATH_MAX];
    char database[CP_PATH_MAX];   /* empty = sqlite:DATA/cyberpact.db */
    char listen[128];             /* ADDR:PORT */
    char config_file[CP_PATH_MAX];
    char log_level[16];
    char tls_cert[CP_PATH_MAX];
    char tls_key[CP_PATH_MAX];
    int64_t threads;              /* 0 = number of cores */
    int64_t max_body_bytes;
    int64_t max_header_bytes;
    int64_t max_json_depth;
    int64_t max_connections;
    int64_t max_connections_per_ip;
    int64_t request_timeout_s;
    int64_t auth_failures_per_minute;
    int64_t session_ttl_s;
    int64_t page_limit_max;
    int64_t drain_timeout_s;
    /* threat intelligence (issue 3) */
    int64_t intel_max_body_bytes; /* TAXII POST and intel import bodies: the advertised max_content_length */
    int64_t taxii_page_default;   /* objects per page when a TAXII request names no limit */
    int64_t taxii_status_hours;   /* how long TAXII status resources are kept (>= 24) */
    int64_t correlation_max;      /* objects sharing one value beyond which it is "over-correlating" */
    char warninglists[CP_PATH_MAX]; /* MISP warninglist file or folder; empty = none */
    /* early warning, server side (issue 4) */
    int64_t alert_window_s;         /* events of one member, key and address within a window make one alert */
    int64_t alert_stix_refresh_s;   /* least time between two STIX versions of an alert's sighting */
    int64_t events_max_batch;       /* events in one POST /api/v1/events */
    int64_t webhook_max_attempts;
    int64_t webhook_retry_base_ms;  /* first retry after this, doubling */
    int64_t webhook_timeout_s;
} cp_config;

void cp_config_defaults(cp_config *cfg);

/* Applies the config file, then the environment, then flags from argv.
 * Flags this module does not know are left for the caller: their indexes are
 * written to rest[] (capacity rest_cap), their count to *n_rest. A flag that
 * takes a value consumes the next argument ("--data DIR") or its own
 * "--data=DIR" suffix. */
cp_status cp_config_load(cp_config *cfg, int argc, char **argv, int *rest, int rest_cap, int *n_rest,
                         cp_err *err);

/* The database URL in effect (explicit, or the SQLite file in the data dir). */
void cp_config_database_url(const cp_config *cfg, char *out, size_t cap);

/* Prints one line per setting: flag, variable, default, meaning. */
void cp_config_print_help(FILE *f);

#endif
