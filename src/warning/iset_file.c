/*
 * iset_file.c — the compiled indicator file: write a set, load one back.
 *
 * Layout (little-endian; docs/early-warning.md has the table):
 *   header, 64 bytes: magic "CPISET\r\n", u32 version (1), u32 header size
 *   (64), u64 body size, BLAKE2b-256 of the body (32 bytes), u64 zero;
 *   body: six u64 statistics, i64 built_at_ms, i64 next_change_ms, u32
 *   indicators, u32 keys; each indicator (u8 tlp, u8 terms, u16 id length,
 *   u16 program length, i64 collection, id bytes, program bytes); each key
 *   (u8 kind, u16 length, u32 postings, key bytes, postings as u32
 *   indicator + u8 term).
 * The loader trusts nothing: the checksum first, then every length against
 * what is left, every index against its table, every program run
 * symbolically, every key re-normalised; then the table is rebuilt with a
 * fresh seed (the file holds no hash table, so no hostile layout survives
 * loading).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "intel/tlp.h"
#include "warning/iset_internal.h"
#include "warning/normalise.h"

#define MAGIC "CPISET\r\n"
#define VERSION 1
#define HEADER 64
#define ID_MAX 256

/* ---- writing ---- */

typedef struct {
    FILE *f;
    crypto_generichash_state h;
    uint64_t len;
    bool failed;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->failed || n == 0) return;
    if (fwrite(p, 1, n, w->f) != n) w->failed = true;
    crypto_generichash_update(&w->h, p, n);
    w->len += n;
}

static void put_u8(writer *w, uint8_t v) { put(w, &v, 1); }
static void put_u16(writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(w, b, 2);
}
static void put_u32(writer *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 4);
}
static void put_u64(writer *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 8);
}

static void le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}

cp_status cp_iset_save(const cp_iset *s, const char *path, cp_err *err)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.partial", path) >= sizeof tmp)
        return cp_fail(err, CP_E_BAD_REQUEST, "the output path is too long");
    writer w = {0};
    w.f = fopen(tmp, "wb");
    if (!w.f) return cp_fail(err, CP_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    uint8_t header[HEADER] = {0};
    if (fwrite(header, 1, HEADER, w.f) != HEADER) w.failed = true;
    crypto_generichash_init(&w.h, NULL, 0, 32);
    put_u64(&w, s->stats.indicators);
    put_u64(&w, s->stats.skipped_multi_event);
    put_u64(&w, s->stats.skipped_other);
    put_u64(&w, s->stats.expired);
    put_u64(&w, s->stats.warninglisted);
    put_u64(&w, 0);
    put_u64(&w, (uint64_t)s->built_at_ms);
    put_u64(&w, (uint64_t)s->next_change_ms);
    put_u32(&w, s->n_inds);
    put_u32(&w, s->n_keys);
    for (uint32_t i = 0; i < s->n_inds; i++) {
        const cpi_ind *in = &s->inds[i];
        const char *id = s->ids + in->id_off;
        size_t idl = strlen(id);
        put_u8(&w, in->tlp);
        put_u8(&w, in->nterms);
        put_u16(&w, (uint16_t)idl);
        put_u16(&w, in->code_len);
        put_u64(&w, (uint64_t)in->collection);
        put(&w, id, idl);
        put(&w, s->code + in->code_off, in->code_len);
    }
    /* keys are stored in pool order, their postings in the same order */
    size_t off = 0;
    uint32_t post = 0;
    for (uint32_t k = 0; k < s->n_keys; k++) {
        const cpi_keyhdr *h = (const cpi_keyhdr *)(const void *)(s->keys + off);
        put_u8(&w, h->kind);
        put_u16(&w, h->len);
        put_u32(&w, h->npost);
        put(&w, h + 1, h->len);
        for (uint32_t j = 0; j < h->npost; j++, post++) {
            put_u32(&w, s->posts[post].ind);
            put_u8(&w, s->posts[post].term);
        }
        off += (sizeof *h + h->len + 3) & ~(size_t)3;
    }
    memcpy(header, MAGIC, 8);
    header[8] = VERSION;
    header[12] = HEADER;
    le64(header + 16, w.len);
    crypto_generichash_final(&w.h, header + 24, 32);
    if (fseek(w.f, 0, SEEK_SET) != 0 || fwrite(header, 1, HEADER, w.f) != HEADER) w.failed = true;
    if (fclose(w.f) != 0) w.failed = true;
    if (w.failed) {
        int e = errno;
        remove(tmp);
        return cp_fail(err, CP_E_IO, "cannot write %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return cp_fail(err, CP_E_IO, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    return CP_OK;
}

/* ---- reading ---- */

typedef struct {
    const uint8_t *p;
    size_t n, at;
    bool bad;
} rd;

static bool need(rd *r, size_t k)
{
    if (r->bad || r->n - r->at < k) {
        r->bad = true;
        return false;
    }
    return true;
}

static uint64_t get_le(rd *r, int bytes)
{
    if (!need(r, (size_t)bytes)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)r->p[r->at + (size_t)i] << (8 * i);
    r->at += (size_t)bytes;
    return v;
}

static const uint8_t *get_bytes(rd *r, size_t k)
{
    if (!need(r, k)) return NULL;
    const uint8_t *p = r->p + r->at;
    r->at += k;
    return p;
}

#define FAIL(...) (cp_fail(err, CP_E_UNPROCESSABLE, "compiled indicators: " __VA_ARGS__))

/* A program over nterms terms leaves exactly one value. */
static bool code_ok(const uint8_t *code, size_t len, int nterms)
{
    if (len % 2 || len > CPI_CODE_MAX) return false;
    if (len == 0) return nterms == 0;
    if (nterms < 1 || nterms > CPI_TERMS_MAX) return false;
    int sp = 0;
    for (size_t i = 0; i < len; i += 2) {
        uint8_t op = code[i], arg = code[i + 1];
        if (op == CPI_OP_TERM) {
            if (arg >= nterms) return false;
            sp++;
        } else if (op == CPI_OP_AND || op == CPI_OP_OR) {
            if (arg < 2 || arg > sp) return false;
            sp -= arg - 1;
        } else {
            return false;
        }
    }
    return sp == 1;
}

/* The key is in the canonical form the matcher looks up. */
static bool key_ok(int kind, const uint8_t *b, size_t len)
{
    char buf[CPI_KEY_MAX];
    if (kind == CPI_K_IP) {
        if (len != CPI_IP_KEY_LEN || b[16] > 128) return false;
        for (int i = 0; i < 16; i++) {
            int bits = b[16] - 8 * i;
            uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
            if (b[i] & ~m) return false; /* host bits */
        }
        return true;
    }
    if (len == 0 || len >= CPI_KEY_MAX) return false;
    const char *s = (const char *)b;
    size_t n = 0;
    switch (kind) {
    case CPI_K_DOMAIN:
    case CPI_K_DOMAIN_SUB: n = cp_norm_domain(s, len, buf); break;
    case CPI_K_URL: n = cp_norm_url(s, len, buf, NULL, NULL); break;
    case CPI_K_EMAIL: n = cp_norm_email(s, len, buf); break;
    case CPI_K_MD5:
    case CPI_K_SHA1:
    case CPI_K_SHA256:
    case CPI_K_SHA512:
        if (cp_norm_hash(s, len, buf) != kind) return false;
        n = len;
        break;
    default: return false;
    }
    return n == len && memcmp(buf, s, len) == 0;
}

cp_status cp_iset_load_mem(const void *data, size_t len, cp_iset **out, cp_err *err)
{
    *out = NULL;
    const uint8_t *p = data;
    if (len < HEADER || memcmp(p, MAGIC, 8) != 0) return FAIL("not a compiled indicator file (bad magic)");
    uint32_t version = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
    if (version != VERSION) return FAIL("version %u, this binary reads version %d", version, VERSION);
    rd h = {p, HEADER, 12, false};
    uint32_t hl = (uint32_t)get_le(&h, 4);
    uint64_t body_len = get_le(&h, 8);
    if (hl != HEADER) return FAIL("header size %u, expected %d", hl, HEADER);
    if (body_len != len - HEADER) return FAIL("body of %llu bytes announced, %zu present (truncated or padded file)",
                                              (unsigned long long)body_len, len - HEADER);
    uint8_t sum[32];
    crypto_generichash(sum, 32, p + HEADER, len - HEADER, NULL, 0);
    if (sodium_memcmp(sum, p + 24, 32) != 0) return FAIL("checksum mismatch (the file is damaged)");

    rd r = {p + HEADER, len - HEADER, 0, false};
    cp_iset_stats st = {0};
    st.indicators = get_le(&r, 8);
    st.skipped_multi_event = get_le(&r, 8);
    st.skipped_other = get_le(&r, 8);
    st.expired = get_le(&r, 8);
    st.warninglisted = get_le(&r, 8);
    get_le(&r, 8);
    int64_t built = (int64_t)get_le(&r, 8);
    int64_t next = (int64_t)get_le(&r, 8);
    uint32_t n_inds = (uint32_t)get_le(&r, 4);
    uint32_t n_keys = (uint32_t)get_le(&r, 4);
    if (r.bad) return FAIL("the body ends inside its header at byte %zu", HEADER + r.at);
    if (n_inds > CPI_INDICATORS_MAX || (uint64_t)n_inds * 14 > r.n - r.at)
        return FAIL("%u indicators cannot fit in the file", n_inds);
    if (st.indicators != n_inds) return FAIL("the statistics say %llu indicators, the table holds %u",
                                             (unsigned long long)st.indicators, n_inds);
    cp_iset_builder *b = cp_iset_builder_new();
    uint8_t *nterms = malloc(n_inds ? n_inds : 1);
    if (!b || !nterms) {
        cp_iset_builder_free(b);
        free(nterms);
        return cp_fail(err, CP_E_NOMEM, "out of memory");
    }
    cp_status rc = CP_OK;
    char id[ID_MAX + 1];
    for (uint32_t i = 0; i < n_inds && !rc; i++) {
        size_t at = HEADER + r.at;
        uint8_t tlp = (uint8_t)get_le(&r, 1);
        uint8_t nt = (uint8_t)get_le(&r, 1);
        uint16_t idl = (uint16_t)get_le(&r, 2);
        uint16_t cl = (uint16_t)get_le(&r, 2);
        int64_t coll = (int64_t)get_le(&r, 8);
        const uint8_t *idb = get_bytes(&r, idl);
        const uint8_t *code = get_bytes(&r, cl);
        if (r.bad) rc = FAIL("indicator %u at byte %zu runs past the end", i, at);
        else if (tlp > CP_TLP_RED) rc = FAIL("indicator %u at byte %zu: TLP %u out of range", i, at, tlp);
        else if (idl == 0 || idl > ID_MAX) rc = FAIL("indicator %u at byte %zu: id of %u bytes", i, at, idl);
        else if (!code_ok(code, cl, nt)) rc = FAIL("indicator %u at byte %zu: invalid program", i, at);
        if (rc) break;
        for (size_t k = 0; k < idl; k++)
            if (idb[k] <= 0x20 || idb[k] >= 0x7f) rc = FAIL("indicator %u at byte %zu: id is not printable ASCII", i, at);
        if (rc) break;
        memcpy(id, idb, idl);
        id[idl] = 0;
        uint32_t got;
        rc = cpi_builder_add_ind(b, id, tlp, coll, code, cl, nt, &got);
        if (rc) rc = cp_fail(err, rc, "compiled indicators: out of memory");
        nterms[i] = nt;
    }
    for (uint32_t k = 0; k < n_keys && !rc; k++) {
        size_t at = HEADER + r.at;
        int kind = (int)get_le(&r, 1);
        uint16_t kl = (uint16_t)get_le(&r, 2);
        uint32_t np = (uint32_t)get_le(&r, 4);
        const uint8_t *kb = get_bytes(&r, kl);
        if (r.bad) rc = FAIL("key %u at byte %zu runs past the end", k, at);
        else if (kind >= CPI_K__COUNT || !key_ok(kind, kb, kl)) rc = FAIL("key %u at byte %zu is not a canonical value", k, at);
        else if (np == 0 || (uint64_t)np * 5 > r.n - r.at) rc = FAIL("key %u at byte %zu: %u postings cannot fit", k, at, np);
        for (uint32_t j = 0; j < np && !rc; j++) {
            uint32_t ind = (uint32_t)get_le(&r, 4);
            uint8_t term = (uint8_t)get_le(&r, 1);
            if (r.bad || ind >= n_inds || (nterms[ind] ? term >= nterms[ind] : term != 0))
                rc = FAIL("key %u at byte %zu: posting %u names no indicator term", k, at, j);
            else if ((rc = cpi_builder_add_key(b, kind, kb, kl, ind, term, nterms[ind] != 0)))
                rc = cp_fail(err, rc, "compiled indicators: out of memory");
        }
    }
    if (!rc && r.at != r.n) rc = FAIL("%zu bytes of garbage after the last key", r.n - r.at);
    free(nterms);
    if (rc) {
        cp_iset_builder_free(b);
        return rc;
    }
    cpi_builder_set_meta(b, &st, next);
    cp_iset *s = cp_iset_builder_finish(b, err);
    if (!s) return CP_E_NOMEM;
    s->built_at_ms = built;
    *out = s;
    return CP_OK;
}

cp_status cp_iset_load(const char *path, cp_iset **out, cp_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return cp_fail(err, CP_E_IO, "cannot read %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return cp_fail(err, CP_E_IO, "%s is not a regular file", path);
    }
    if ((uint64_t)sb.st_size > CP_ISET_FILE_MAX) {
        fclose(f);
        return cp_fail(err, CP_E_UNPROCESSABLE, "compiled indicators: %s is larger than %zu bytes", path, CP_ISET_FILE_MAX);
    }
    size_t len = (size_t)sb.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(f);
        return cp_fail(err, CP_E_NOMEM, "out of memory reading %s", path);
    }
    size_t got = fread(buf, 1, len, f);
    fclose(f);
    if (got != len) {
        free(buf);
        return cp_fail(err, CP_E_IO, "cannot read %s", path);
    }
    cp_status rc = cp_iset_load_mem(buf, len, out, err);
    free(buf);
    if (rc == CP_E_UNPROCESSABLE) {
        cp_err e2 = *err;
        cp_fail(err, rc, "%s: %s", path, e2.msg);
    }
    return rc;
}
