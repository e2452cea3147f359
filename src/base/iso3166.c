#include "base/iso3166.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISO3166_MAX 300

static cp_country table[ISO3166_MAX];
static size_t count;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int loaded;            /* 0 not yet, 1 ok, -1 failed */
static char load_error[CP_ERR_MSG_MAX];

static int cmp(const void *a, const void *b)
{
    return strcmp(((const cp_country *)a)->alpha2, ((const cp_country *)b)->alpha2);
}

static bool copy_code(char *dst, size_t cap, const char *src, size_t want)
{
    if (!src || strlen(src) != want || want >= cap) return false;
    for (size_t i = 0; i < want; i++) {
        if (!isalnum((unsigned char)src[i])) return false;
        dst[i] = (char)toupper((unsigned char)src[i]);
    }
    dst[want] = 0;
    return true;
}

static cp_status load(const char *path, cp_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) return cp_fail(err, CP_E_IO, "cannot read ISO 3166 data %s: %s (line %d)", path, je.text, je.line);
    json_t *list = json_object_get(root, "3166-1");
    cp_status st = CP_OK;
    if (!json_is_array(list)) {
        st = cp_fail(err, CP_E_IO, "%s has no \"3166-1\" list", path);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(list) && count < ISO3166_MAX; i++) {
        json_t *e = json_array_get(list, i);
        cp_country c;
        memset(&c, 0, sizeof c);
        const char *num = json_string_value(json_object_get(e, "numeric"));
        const char *common = json_string_value(json_object_get(e, "common_name"));
        const char *name = common ? common : json_string_value(json_object_get(e, "name"));
        if (!copy_code(c.alpha2, sizeof c.alpha2, json_string_value(json_object_get(e, "alpha_2")), 2) ||
            !copy_code(c.alpha3, sizeof c.alpha3, json_string_value(json_object_get(e, "alpha_3")), 3) || !name) {
            st = cp_fail(err, CP_E_IO, "%s: entry %zu lacks alpha_2, alpha_3 or name", path, i);
            goto out;
        }
        if (num) snprintf(c.numeric, sizeof c.numeric, "%.3s", num);
        snprintf(c.name, sizeof c.name, "%s", name);
        table[count++] = c;
    }
    qsort(table, count, sizeof table[0], cmp);
out:
    json_decref(root);
    if (st) count = 0;
    return st;
}

cp_status cp_iso3166_load(const char *path, cp_err *err)
{
    pthread_mutex_lock(&mu);
    if (!loaded) {
        cp_err e = {{0}};
        loaded = load(path ? path : CP_ISO3166_DEFAULT_PATH, &e) == CP_OK ? 1 : -1;
        memcpy(load_error, e.msg, sizeof load_error);
    }
    int ok = loaded;
    pthread_mutex_unlock(&mu);
    if (ok > 0) return CP_OK;
    return cp_fail(err, CP_E_IO, "%s", load_error);
}

static const cp_country *find(const char *code, size_t len, size_t off)
{
    if (!code || strlen(code) != len) return NULL;
    char up[4];
    for (size_t i = 0; i < len; i++) up[i] = (char)toupper((unsigned char)code[i]);
    up[len] = 0;
    if (len == 2) {
        cp_country key;
        memset(&key, 0, sizeof key);
        memcpy(key.alpha2, up, 3);
        return bsearch(&key, table, count, sizeof table[0], cmp);
    }
    for (size_t i = 0; i < count; i++)
        if (strcmp((const char *)&table[i] + off, up) == 0) return &table[i];
    return NULL;
}

const cp_country *cp_iso3166_by_alpha2(const char *a2) { return find(a2, 2, offsetof(cp_country, alpha2)); }
const cp_country *cp_iso3166_by_alpha3(const char *a3) { return find(a3, 3, offsetof(cp_country, alpha3)); }
size_t cp_iso3166_count(void) { return loaded > 0 ? count : 0; }
const cp_country *cp_iso3166_at(size_t i) { return i < cp_iso3166_count() ? &table[i] : NULL; }
