#include "intel/export.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "intel/objects.h"

#define EXPORT_PAGE 1000

typedef struct {
    cp_export_write_fn write;
    void *ctx;
    int64_t count, last_seq;
    bool failed;
} export_ctx;

static int one(const cp_intel_row *row, void *p)
{
    export_ctx *x = p;
    if ((x->count > 0 && x->write(",\n", 2, x->ctx)) || x->write(row->body, strlen(row->body), x->ctx)) {
        x->failed = true;
        return 1;
    }
    x->count++;
    x->last_seq = row->seq;
    return 0;
}

cp_status cp_intel_export(cp_conn *c, const cp_actor *reader, const cp_collection *col, bool all_versions,
                          cp_export_write_fn write, void *ctx, int64_t *count, cp_err *err)
{
    char uuid[CP_UUID_LEN + 1], head[96];
    cp_uuid4(uuid);
    int n = snprintf(head, sizeof head, "{\"type\": \"bundle\", \"id\": \"bundle--%s\", \"objects\": [\n", uuid);
    export_ctx x = {.write = write, .ctx = ctx};
    *count = 0;
    if (write(head, (size_t)n, ctx)) return cp_fail(err, CP_E_IO, "could not write the bundle");
    cp_intel_filter f;
    memset(&f, 0, sizeof f);
    f.v_all = all_versions;
    f.limit = EXPORT_PAGE;
    for (;;) {
        bool more = false;
        int64_t before = x.count;
        cp_status st = cp_intel_query(c, col, reader, &f, one, &x, &more, err);
        if (st) return st;
        if (x.failed) return cp_fail(err, CP_E_IO, "could not write the bundle");
        if (!more || x.count == before) break;
        f.after_seq = x.last_seq;
    }
    if (write("\n]}\n", 4, ctx)) return cp_fail(err, CP_E_IO, "could not write the bundle");
    *count = x.count;
    return CP_OK;
}
