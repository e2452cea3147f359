/*
 * test_config.c — base/config.h: defaults, the config file, the environment
 * and flags, and their precedence (flags > environment > file > defaults);
 * which file is read (--config, CYBERPACT_CONFIG, DATA/cyberpact.conf); and
 * the error messages that name where a bad value came from.
 *
 * Every CYBERPACT_* variable is cleared first and the test runs in a fresh
 * temporary directory, so nothing from the caller's environment leaks in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "harness.h"

extern char **environ;

static char g_dir[] = "/tmp/cp-config-XXXXXX";
static char g_data[512];  /* a data folder with cyberpact.conf */
static char g_other[512]; /* a config file elsewhere */

static void clear_env(void)
{
    for (;;) {
        char name[256] = "";
        for (char **e = environ; *e; e++) {
            if (strncmp(*e, "CYBERPACT_", 10) == 0) {
                size_t n = strcspn(*e, "=");
                if (n < sizeof name) {
                    memcpy(name, *e, n);
                    name[n] = 0;
                }
                break;
            }
        }
        if (!name[0]) return;
        unsetenv(name);
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* Loads with argv = {"cyberpact", args..., NULL}. */
typedef struct {
    cp_config cfg;
    cp_status st;
    cp_err err;
    int rest[8];
    int n_rest;
    char *argv[16];
    int argc;
} loaded;

static loaded *load(loaded *l, ...)
{
    memset(l, 0, sizeof *l);
    l->argv[l->argc++] = "cyberpact";
    va_list ap;
    va_start(ap, l);
    const char *a;
    while ((a = va_arg(ap, const char *)) && l->argc < 15) l->argv[l->argc++] = (char *)a;
    va_end(ap);
    l->argv[l->argc] = NULL;
    cp_config_defaults(&l->cfg);
    l->st = cp_config_load(&l->cfg, l->argc, l->argv, l->rest, 8, &l->n_rest, &l->err);
    if (l->st) fprintf(stderr, "    (load: %s)\n", l->err.msg);
    return l;
}

static void fails(loaded *l, const char *part)
{
    CHECK_INT(l->st, CP_E_BAD_REQUEST);
    if (!strstr(l->err.msg, part)) fprintf(stderr, "  \"%s\" lacks \"%s\"\n", l->err.msg, part);
    CHECK(strstr(l->err.msg, part) != NULL);
}

static void test_defaults(void)
{
    clear_env();
    cp_config c;
    cp_config_defaults(&c);
    CHECK_STR(c.data_dir, "./cyberpact-data");
    CHECK_STR(c.database, "");
    CHECK_STR(c.listen, "127.0.0.1:8080");
    CHECK_STR(c.log_level, "info");
    CHECK_STR(c.config_file, "");
    CHECK_INT(c.threads, 0);
    CHECK_INT(c.max_body_bytes, 1048576);
    CHECK_INT(c.max_header_bytes, 32768);
    CHECK_INT(c.max_json_depth, 32);
    CHECK_INT(c.max_connections, 1024);
    CHECK_INT(c.max_connections_per_ip, 0);
    CHECK_INT(c.request_timeout_s, 30);
    CHECK_INT(c.auth_failures_per_minute, 20);
    CHECK_INT(c.session_ttl_s, 43200);
    CHECK_INT(c.page_limit_max, 1000);
    CHECK_INT(c.drain_timeout_s, 20);

    loaded l;
    load(&l, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK(memcmp(&l.cfg, &c, sizeof c) == 0); /* nothing set anywhere: the defaults */
    CHECK_INT(l.n_rest, 0);

    char url[CP_PATH_MAX + 32];
    cp_config_database_url(&c, url, sizeof url);
    CHECK_STR(url, "sqlite:./cyberpact-data/cyberpact.db");
    snprintf(c.database, sizeof c.database, "postgresql://u@h/db");
    cp_config_database_url(&c, url, sizeof url);
    CHECK_STR(url, "postgresql://u@h/db");
}

static void test_precedence(void)
{
    clear_env();
    char conf[600];
    snprintf(conf, sizeof conf, "%s/cyberpact.conf", g_data);
    write_text(conf, "threads = 2\nlisten = 10.0.0.1:1\nlog-level = warn\n");

    loaded l;
    /* file only */
    load(&l, "--data", g_data, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 2);
    CHECK_STR(l.cfg.listen, "10.0.0.1:1");
    CHECK_STR(l.cfg.log_level, "warn");
    CHECK_STR(l.cfg.data_dir, g_data);
    CHECK_STR(l.cfg.config_file, conf);
    CHECK_INT(l.cfg.max_body_bytes, 1048576); /* untouched: default */

    /* environment beats the file */
    setenv("CYBERPACT_THREADS", "3", 1);
    setenv("CYBERPACT_LOG_LEVEL", "error", 1);
    load(&l, "--data", g_data, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 3);
    CHECK_STR(l.cfg.log_level, "error");
    CHECK_STR(l.cfg.listen, "10.0.0.1:1"); /* still from the file */

    /* flags beat the environment, both spellings */
    load(&l, "--data", g_data, "--threads", "4", "--log-level=debug", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 4);
    CHECK_STR(l.cfg.log_level, "debug");
    load(&l, "--threads=5", "--data", g_data, NULL);
    CHECK_INT(l.cfg.threads, 5);

    /* the last flag wins */
    load(&l, "--data", g_data, "--threads", "4", "--threads", "6", NULL);
    CHECK_INT(l.cfg.threads, 6);

    /* an empty variable counts as unset */
    setenv("CYBERPACT_THREADS", "", 1);
    load(&l, "--data", g_data, NULL);
    CHECK_INT(l.cfg.threads, 2);

    /* data folder from the environment finds the same file */
    clear_env();
    setenv("CYBERPACT_DATA", g_data, 1);
    load(&l, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 2);
    CHECK_STR(l.cfg.data_dir, g_data);
    CHECK_STR(l.cfg.config_file, conf);
    /* ... and the --data flag beats CYBERPACT_DATA for choosing the file */
    char empty_dir[600];
    snprintf(empty_dir, sizeof empty_dir, "%s/empty", g_dir);
    mkdir(empty_dir, 0700);
    load(&l, "--data", empty_dir, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 0);
    CHECK_STR(l.cfg.data_dir, empty_dir);
    CHECK_STR(l.cfg.config_file, ""); /* no file there: none recorded */
    clear_env();
}

static void test_config_file_choice(void)
{
    clear_env();
    char conf[600];
    snprintf(conf, sizeof conf, "%s/cyberpact.conf", g_data);
    write_text(conf, "threads = 2\n");
    write_text(g_other, "# elsewhere\nthreads = 7\nmax-json-depth = 9\n");

    loaded l;
    /* --config replaces DATA/cyberpact.conf */
    load(&l, "--data", g_data, "--config", g_other, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 7);
    CHECK_INT(l.cfg.max_json_depth, 9);
    CHECK_STR(l.cfg.config_file, g_other);
    char eq[700];
    snprintf(eq, sizeof eq, "--config=%s", g_other);
    load(&l, eq, "--data", g_data, NULL);
    CHECK_INT(l.cfg.threads, 7);

    /* CYBERPACT_CONFIG likewise; the flag beats it */
    setenv("CYBERPACT_CONFIG", g_other, 1);
    load(&l, "--data", g_data, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 7);
    CHECK_STR(l.cfg.config_file, g_other);
    load(&l, "--config", conf, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 2);
    CHECK_STR(l.cfg.config_file, conf);
    clear_env();

    /* a named file must exist; the default one need not */
    load(&l, "--config", "/nonexistent/cp.conf", NULL);
    fails(&l, "cannot read config file /nonexistent/cp.conf");
    setenv("CYBERPACT_CONFIG", "/nonexistent/env.conf", 1);
    load(&l, NULL);
    fails(&l, "cannot read config file /nonexistent/env.conf");
    clear_env();
    load(&l, "--data", "/nonexistent/data", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_STR(l.cfg.config_file, "");

    /* a flag that needs a value and has none */
    load(&l, "--config", NULL);
    fails(&l, "flag --config needs a value");
}

static void file_fails(const char *text, const char *part)
{
    write_text(g_other, text);
    loaded l;
    load(&l, "--config", g_other, NULL);
    fails(&l, part);
}

static void test_file_format(void)
{
    clear_env();
    write_text(g_other,
               "# a comment\n"
               "\n"
               "   threads=8   \n"
               "listen = 0.0.0.0:9000 # trailing comment\n"
               "\t database \t=\tsqlite:/var/lib/cp.db\t\n"
               "max-body-bytes = 2048\n"
               "log-level = off\n"
               "tls-cert = /etc/cp/cert.pem\n"
               "tls-key = /etc/cp/key.pem\n"
               "max-connections-per-ip = 0\n"
               "session-ttl = 60\n"
               "drain-timeout = 0\n"
               "data = /srv/cp"); /* no final newline */
    loaded l;
    load(&l, "--config", g_other, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 8);
    CHECK_STR(l.cfg.listen, "0.0.0.0:9000");
    CHECK_STR(l.cfg.database, "sqlite:/var/lib/cp.db");
    CHECK_INT(l.cfg.max_body_bytes, 2048);
    CHECK_STR(l.cfg.log_level, "off");
    CHECK_STR(l.cfg.tls_cert, "/etc/cp/cert.pem");
    CHECK_STR(l.cfg.tls_key, "/etc/cp/key.pem");
    CHECK_INT(l.cfg.session_ttl_s, 60);
    CHECK_INT(l.cfg.drain_timeout_s, 0);
    CHECK_STR(l.cfg.data_dir, "/srv/cp");
    char url[CP_PATH_MAX + 32];
    cp_config_database_url(&l.cfg, url, sizeof url);
    CHECK_STR(url, "sqlite:/var/lib/cp.db");

    char where[700];
    snprintf(where, sizeof where, "%s:3: unknown setting 'nope'", g_other);
    file_fails("threads = 1\n# x\nnope = 1\n", where);
    snprintf(where, sizeof where, "%s:1: unknown setting 'config'", g_other);
    file_fails("config = /etc/other.conf\n", where); /* a config file cannot name another */
    file_fails("--threads = 1\n", "unknown setting '--threads'");
    file_fails("Threads = 1\n", "unknown setting 'Threads'");
    snprintf(where, sizeof where, "%s:2: expected 'name = value'", g_other);
    file_fails("threads = 1\nthreads 2\n", where);
    snprintf(where, sizeof where, "%s:1: threads must be an integer from 0 to 256, not 'many'", g_other);
    file_fails("threads = many\n", where);
    file_fails("threads = 257\n", "threads must be an integer from 0 to 256, not '257'");
    file_fails("threads = -1\n", "not '-1'");
    file_fails("threads = 1.5\n", "not '1.5'");
    file_fails("threads = 0x10\n", "not '0x10'");
    file_fails("threads =\n", "threads must be an integer");
    file_fails("max-body-bytes = 1023\n", "max-body-bytes must be an integer from 1024 to 1073741824");
    file_fails("max-body-bytes = 1073741825\n", "not '1073741825'");
    file_fails("session-ttl = 59\n", "session-ttl must be an integer from 60 to 2592000");
    file_fails("max-json-depth = 9223372036854775808\n", "max-json-depth must be an integer");
    file_fails("log-level = loud\n", "log-level must be debug, info, warn, error or off, not 'loud'");
    /* config.h: "a bad value is an error naming the file and line". The
     * log level is checked only after all sources are merged, so its
     * message names neither file and line, nor variable, nor flag. */
    snprintf(where, sizeof where, "%s:2: log-level", g_other);
    file_fails("threads = 1\nlog-level = loud\n", where);

    /* a string longer than its field */
    char big[400];
    memset(big, 0, sizeof big);
    strcpy(big, "listen = ");
    memset(big + 9, 'x', 128);
    strcat(big, "\n");
    file_fails(big, "value of listen is longer than 127 bytes");
    /* limits that just fit */
    memset(big, 0, sizeof big);
    strcpy(big, "listen = ");
    memset(big + 9, 'x', 127);
    strcat(big, "\nmax-body-bytes = 1073741824\nthreads = 256\n");
    write_text(g_other, big);
    load(&l, "--config", g_other, NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(strlen(l.cfg.listen), 127);
    CHECK_INT(l.cfg.max_body_bytes, 1073741824);

    /* an over-long line */
    char *huge = malloc(5000);
    strcpy(huge, "database = ");
    memset(huge + 11, 'y', 3000);
    strcpy(huge + 3011, "\n");
    file_fails(huge, "line longer than 2046 bytes");
    free(huge);
}

static void test_env_and_flag_errors(void)
{
    clear_env();
    loaded l;
    setenv("CYBERPACT_THREADS", "abc", 1);
    load(&l, NULL);
    fails(&l, "CYBERPACT_THREADS: threads must be an integer from 0 to 256, not 'abc'");
    clear_env();
    setenv("CYBERPACT_MAX_CONNECTIONS", "0", 1);
    load(&l, NULL);
    fails(&l, "CYBERPACT_MAX_CONNECTIONS: max-connections must be an integer from 1 to 100000");
    clear_env();
    setenv("CYBERPACT_LOG_LEVEL", "verbose", 1);
    load(&l, NULL);
    fails(&l, "log-level must be debug, info, warn, error or off, not 'verbose'");
    fails(&l, "CYBERPACT_LOG_LEVEL");
    clear_env();

    load(&l, "--threads", "x", NULL);
    fails(&l, "flag --threads: threads must be an integer from 0 to 256, not 'x'");
    load(&l, "--threads", NULL);
    fails(&l, "flag --threads needs a value");
    load(&l, "--page-limit-max=0", NULL);
    fails(&l, "flag --page-limit-max: page-limit-max must be an integer from 1 to 10000, not '0'");
    load(&l, "--threads=", NULL);
    fails(&l, "flag --threads: threads must be an integer");
    /* a flag value is taken as is, even when it looks like a flag */
    load(&l, "--threads", "--listen", NULL);
    fails(&l, "not '--listen'");
    load(&l, "--listen", "--threads", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_STR(l.cfg.listen, "--threads");
}

static void test_rest(void)
{
    clear_env();
    loaded l;
    load(&l, "serve", "--threads", "2", "--verbose", "-x", "--", "--data=/d", "--foo=bar", "x", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 2);
    CHECK_STR(l.cfg.data_dir, "/d");
    CHECK_INT(l.n_rest, 6);
    const char *want[] = {"serve", "--verbose", "-x", "--", "--foo=bar", "x"};
    for (int i = 0; i < l.n_rest && i < 6; i++) CHECK_STR(l.argv[l.rest[i]], want[i]);

    /* more unknown arguments than rest can hold */
    load(&l, "a", "b", "c", "d", "e", "f", "g", "h", "i", NULL);
    fails(&l, "too many arguments");
    load(&l, "a", "b", "c", "d", "e", "f", "g", "h", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.n_rest, 8);

    /* a prefix of a flag name is not that flag */
    load(&l, "--thread", "3", NULL);
    CHECK_INT(l.st, CP_OK);
    CHECK_INT(l.cfg.threads, 0);
    CHECK_INT(l.n_rest, 2);
    load(&l, "--threadsx=3", NULL);
    CHECK_INT(l.cfg.threads, 0);
    CHECK_INT(l.n_rest, 1);
}

static void test_help(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) return;
    cp_config_print_help(f);
    long n = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)n + 1);
    CHECK_INT(fread(text, 1, (size_t)n, f), n);
    fclose(f);
    const char *names[] = {"--data", "CYBERPACT_DATA", "--max-body-bytes", "CYBERPACT_MAX_BODY_BYTES",
                           "--auth-failures-per-minute", "--drain-timeout", "--config", "CYBERPACT_CONFIG",
                           "--intel-max-body-bytes", "--warninglists", "CYBERPACT_CORRELATION_MAX",
                           "--alert-window", "CYBERPACT_WEBHOOK_RETRY_BASE_MS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) CHECK(strstr(text, names[i]) != NULL);
    int lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    CHECK_INT(lines, 29); /* one per setting */
    free(text);
}

int main(void)
{
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(g_data, sizeof g_data, "%s/data", g_dir);
    snprintf(g_other, sizeof g_other, "%s/other.conf", g_dir);
    mkdir(g_data, 0700);
    if (chdir(g_dir) != 0) return 1; /* no ./cyberpact-data here */

    RUN(test_defaults);
    RUN(test_precedence);
    RUN(test_config_file_choice);
    RUN(test_file_format);
    RUN(test_env_and_flag_errors);
    RUN(test_rest);
    RUN(test_help);

    char p[600];
    snprintf(p, sizeof p, "%s/cyberpact.conf", g_data);
    unlink(p);
    unlink(g_other);
    rmdir(g_data);
    snprintf(p, sizeof p, "%s/empty", g_dir);
    rmdir(p);
    if (chdir("/") != 0) return 1;
    rmdir(g_dir);
    return harness_done();
}
