/*
 * fuzz_stix.c — STIX 2.1 object validation (intel/stix.h) on arbitrary
 * bytes parsed as JSON.
 *
 * Properties checked (abort on violation):
 *   - no crash, whatever the input;
 *   - a failure is CP_E_UNPROCESSABLE and always carries a non-empty message;
 *   - a success implies id/type consistency: info.type equals the "type"
 *     property, info.id equals "id" and starts with "<type>--";
 *   - created/modified, when reported, are the text sent and modified_ms >=
 *     created_ms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "intel/stix.h"

static void check_success(const json_t *v, const cp_stix_info *info)
{
    const char *type = cp_json_str(v, "type"), *id = cp_json_str(v, "id");
    size_t tn = strlen(info->type);
    if (!type || !id || strcmp(type, info->type) != 0 || strcmp(id, info->id) != 0) abort();
    if (strncmp(info->id, info->type, tn) != 0 || strncmp(info->id + tn, "--", 2) != 0) abort();
    if (info->created[0] && info->modified[0] && info->modified_ms < info->created_ms) abort();
    const char *c = cp_json_str(v, "created");
    if (info->created[0] && (!c || strcmp(c, info->created) != 0)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp_err err = {{0}};
    json_t *v = NULL;
    if (cp_json_parse((const char *)data, size, CP_JSON_DEPTH_DEFAULT, &v, &err)) return 0;
    cp_stix_info info;
    err.msg[0] = 0;
    cp_status st = cp_stix_validate(v, &info, &err);
    if (st == CP_OK) check_success(v, &info);
    else if (st != CP_E_UNPROCESSABLE || !err.msg[0]) abort();
    json_decref(v);
    return 0;
}
