/*
 * log.h — structured logging: one JSON object per line on standard error
 * (or the file given to cp_log_open). Each line is written with one write(2)
 * call, so lines from concurrent threads never interleave.
 *
 *   {"ts":"2026-11-28T13:11:31.123Z","level":"info","event":"listening","msg":"..."}
 */
#ifndef CP_BASE_LOG_H
#define CP_BASE_LOG_H

#include <jansson.h>

typedef enum { CP_LOG_DEBUG, CP_LOG_INFO, CP_LOG_WARN, CP_LOG_ERROR, CP_LOG_OFF } cp_log_level;

/* Minimum level written (default INFO). */
void cp_log_set_level(cp_log_level lvl);
/* Parses "debug", "info", "warn", "error", "off"; returns -1 when unknown. */
int cp_log_level_parse(const char *s);
/* Logs a formatted message under an event name. */
void cp_log(cp_log_level lvl, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Logs a prepared object (steals the reference), adding "ts" and "level". */
void cp_log_obj(cp_log_level lvl, json_t *obj);
int cp_log_enabled(cp_log_level lvl);

#endif
