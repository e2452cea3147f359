#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"

static cp_log_level min_level = CP_LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error", "off"};

void cp_log_set_level(cp_log_level lvl) { min_level = lvl; }
int cp_log_enabled(cp_log_level lvl) { return lvl >= min_level && lvl != CP_LOG_OFF; }

int cp_log_level_parse(const char *s)
{
    for (int i = 0; i <= CP_LOG_OFF; i++)
        if (strcmp(s, level_names[i]) == 0) return i;
    return -1;
}

void cp_log_obj(cp_log_level lvl, json_t *obj)
{
    if (!cp_log_enabled(lvl)) {
        json_decref(obj);
        return;
    }
    char ts[CP_RFC3339_MAX];
    cp_rfc3339_format(cp_now_ms(), ts);
    json_t *line = json_object();
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(level_names[lvl]));
    json_object_update(line, obj);
    json_decref(obj);
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(line);
    if (!text) return;
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps leaves room: replace NUL, write n+1 */
    ssize_t w = write(STDERR_FILENO, text, n + 1);
    (void)w;
    free(text);
}

void cp_log(cp_log_level lvl, const char *event, const char *fmt, ...)
{
    if (!cp_log_enabled(lvl)) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string(event));
    json_object_set_new(o, "msg", json_string(msg));
    cp_log_obj(lvl, o);
}
