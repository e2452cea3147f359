/*
 * pattern.c — the STIX 2.1 patterning parser (see pattern.h for the grammar
 * and the AST). Layout:
 *   1. the arena every node and string comes from;
 *   2. the lexer: one token of lookahead, literal values decoded as lexed;
 *   3. the parser: one function per grammar rule, depth-bounded;
 *   4. the walk that lists each observation's terms;
 *   5. the canonical printer.
 */
#include "intel/pattern.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. arena ---------------------------------------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} chunk;

typedef struct {
    chunk *head;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < size) {
        size_t cap = a->head ? a->head->cap * 2 : 4096;
        if (cap > 256 * 1024) cap = 256 * 1024;
        if (cap < size) cap = size;
        chunk *c = malloc(sizeof(chunk) + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += size;
    memset(p, 0, size);
    return p;
}

static void arena_release(arena *a)
{
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

struct cp_pattern {
    arena mem; /* owns everything below, including this struct */
    cp_pat_obs *root;
    cp_pat_obs **obs; /* LEAF nodes in source order */
    size_t nobs, ncmp;
};

/* ---- 2. lexer ---------------------------------------------------------- */

typedef enum {
    T_EOF, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA, T_STAR,
    T_EQ, T_NEQ, T_LT, T_LE, T_GT, T_GE,
    T_IDENT, T_STRING, T_INT, T_FLOAT, T_BOOL, T_TIMESTAMP, T_BINARY, T_HEX,
    T_AND, T_OR, T_NOT, T_FOLLOWEDBY, T_LIKE, T_MATCHES, T_ISSUBSET, T_ISSUPERSET,
    T_EXISTS, T_LAST, T_IN, T_START, T_STOP, T_SECONDS, T_WITHIN, T_REPEATS, T_TIMES
} tok_kind;

static const struct {
    const char *word;
    tok_kind kind;
} keywords[] = {
    {"AND", T_AND}, {"OR", T_OR}, {"NOT", T_NOT}, {"FOLLOWEDBY", T_FOLLOWEDBY},
    {"LIKE", T_LIKE}, {"MATCHES", T_MATCHES}, {"ISSUBSET", T_ISSUBSET},
    {"ISSUPERSET", T_ISSUPERSET}, {"EXISTS", T_EXISTS}, {"LAST", T_LAST}, {"IN", T_IN},
    {"START", T_START}, {"STOP", T_STOP}, {"SECONDS", T_SECONDS}, {"WITHIN", T_WITHIN},
    {"REPEATS", T_REPEATS}, {"TIMES", T_TIMES}, {"true", T_BOOL}, {"false", T_BOOL},
};

typedef struct {
    tok_kind kind;
    size_t pos, len;     /* the lexeme in the source */
    bool hyphen;         /* T_IDENT containing '-' */
    cp_pat_literal lit;  /* literal tokens: the decoded value */
} token;

typedef struct {
    const char *s;
    size_t n, pos; /* lexer cursor */
    token tok;     /* the current token */
    arena *mem;
    cp_err *err;
    int depth;
    size_t ncmp;
} parser;

static cp_status fail_at(parser *ps, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static cp_status fail_at(parser *ps, size_t pos, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return cp_fail(ps->err, CP_E_UNPROCESSABLE, "pattern: at column %zu: %s", pos + 1, what);
}

static cp_status nomem(parser *ps)
{
    return cp_fail(ps->err, CP_E_NOMEM, "pattern: out of memory");
}

/* A short, printable rendering of the current token for messages. */
static const char *describe(const parser *ps, char *buf, size_t cap)
{
    const token *t = &ps->tok;
    if (t->kind == T_EOF) return "end of pattern";
    const char *kind = "";
    switch (t->kind) {
    case T_IDENT: kind = "identifier "; break;
    case T_STRING: kind = "string "; break;
    case T_INT: kind = "integer "; break;
    case T_FLOAT: kind = "float "; break;
    case T_BOOL: kind = "boolean "; break;
    case T_TIMESTAMP: kind = "timestamp "; break;
    case T_BINARY: kind = "binary "; break;
    case T_HEX: kind = "hex "; break;
    default: if (t->kind >= T_AND) kind = "keyword "; break;
    }
    char lex[48];
    size_t k = 0;
    for (size_t i = 0; i < t->len && k < 40; i++) {
        char c = ps->s[t->pos + i];
        lex[k++] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    lex[k] = 0;
    bool quoted = t->kind == T_STRING || t->kind == T_TIMESTAMP || t->kind == T_BINARY ||
                  t->kind == T_HEX; /* the lexeme has its own quotes */
    snprintf(buf, cap, "%s%s%s%s%s", kind, quoted ? "" : "'", lex, t->len > 40 ? "..." : "",
             quoted ? "" : "'");
    return buf;
}

static cp_status fail_expected(parser *ps, const char *expected)
{
    char found[80];
    return fail_at(ps, ps->tok.pos, "expected %s but found %s", expected,
                   describe(ps, found, sizeof found));
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static int hex_val(char c)
{
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) memcpy(d, s, n);
    return d;
}

/* The UTF-8 length of the non-ASCII white space the grammar skips (U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000)
 * at s[0..n), or 0. */
static size_t unicode_space(const unsigned char *s, size_t n)
{
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0)) return 2;
    if (n < 3) return 0;
    if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) return 3;
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) return 3;
    if (s[0] != 0xe2) return 0;
    if (s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) return 3;
    if (s[1] == 0x81 && s[2] == 0x9f) return 3;
    return 0;
}

/* Skips white space and comments. */
static cp_status skip_blank(parser *ps)
{
    const char *s = ps->s;
    while (ps->pos < ps->n) {
        char c = s[ps->pos];
        size_t u;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            ps->pos++;
        } else if ((u = unicode_space((const unsigned char *)s + ps->pos, ps->n - ps->pos))) {
            ps->pos += u;
        } else if (c == '/' && ps->pos + 1 < ps->n && s[ps->pos + 1] == '/') {
            while (ps->pos < ps->n && s[ps->pos] != '\n') ps->pos++;
        } else if (c == '/' && ps->pos + 1 < ps->n && s[ps->pos + 1] == '*') {
            size_t start = ps->pos;
            ps->pos += 2;
            while (ps->pos + 1 < ps->n && !(s[ps->pos] == '*' && s[ps->pos + 1] == '/')) ps->pos++;
            if (ps->pos + 1 >= ps->n) return fail_at(ps, start, "unterminated comment");
            ps->pos += 2;
        } else {
            break;
        }
    }
    return CP_OK;
}

/* '...' with the escapes \' and \\ only; ps->pos is at the opening quote.
 * A first pass finds the end and checks the escapes, a second decodes. */
static cp_status lex_string(parser *ps, token *t)
{
    size_t i = ps->pos + 1, k = 0;
    for (;; i++, k++) {
        if (i >= ps->n) return fail_at(ps, t->pos, "unterminated string literal");
        char c = ps->s[i];
        if (c == '\'') break;
        if (c == '\\') {
            char e = i + 1 < ps->n ? ps->s[i + 1] : 0;
            if (e != '\'' && e != '\\')
                return fail_at(ps, i, "invalid escape in string literal (only \\' and \\\\ are allowed)");
            i++;
        }
    }
    char *out = arena_alloc(ps->mem, k + 1);
    if (!out) return nomem(ps);
    size_t j = 0;
    for (size_t r = ps->pos + 1; r < i; r++) {
        if (ps->s[r] == '\\') r++;
        out[j++] = ps->s[r];
    }
    ps->pos = i + 1;
    t->kind = T_STRING;
    t->lit.kind = CP_PAT_LIT_STRING;
    t->lit.text = out;
    t->lit.text_len = k;
    return CP_OK;
}

/* The body of a prefixed literal t'...', b'...', h'...': up to the next
 * quote (no escapes). */
static cp_status lex_quoted_body(parser *ps, token *t, const char *what, size_t *b, size_t *e)
{
    size_t i = ps->pos + 2;
    const char *q = memchr(ps->s + i, '\'', ps->n - i);
    if (!q) return fail_at(ps, t->pos, "unterminated %s literal", what);
    *b = i;
    *e = (size_t)(q - ps->s);
    ps->pos = *e + 1;
    return CP_OK;
}

static int two_digits(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

static bool valid_timestamp(const char *p, size_t n)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (n < 20 || p[n - 1] != 'Z') return false;
    for (size_t i = 0; i < 19; i++) {
        if (shape[i] == 'd' ? !is_digit(p[i]) : p[i] != shape[i]) return false;
    }
    if (n > 20) { /* ".digits" before the Z */
        if (p[19] != '.' || n < 22) return false;
        for (size_t i = 20; i < n - 1; i++)
            if (!is_digit(p[i])) return false;
    }
    int year = two_digits(p) * 100 + two_digits(p + 2);
    int mon = two_digits(p + 5), day = two_digits(p + 8);
    int hh = two_digits(p + 11), mm = two_digits(p + 14), ss = two_digits(p + 17);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1]) return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap) return false;
    return hh <= 23 && mm <= 59 && ss <= 60;
}

static cp_status lex_timestamp(parser *ps, token *t)
{
    size_t b = 0, e = 0;
    cp_status st = lex_quoted_body(ps, t, "timestamp", &b, &e);
    if (st) return st;
    if (!valid_timestamp(ps->s + b, e - b))
        return fail_at(ps, b, "invalid timestamp (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z, a real date and time)");
    t->kind = T_TIMESTAMP;
    t->lit.kind = CP_PAT_LIT_TIMESTAMP;
    t->lit.text = arena_strndup(ps->mem, ps->s + b, e - b);
    t->lit.text_len = e - b;
    return t->lit.text ? CP_OK : nomem(ps);
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (is_digit(c)) return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static cp_status lex_binary(parser *ps, token *t)
{
    size_t b = 0, e = 0;
    cp_status st = lex_quoted_body(ps, t, "binary", &b, &e);
    if (st) return st;
    const char *p = ps->s + b;
    size_t n = e - b;
    if (n == 0 || n % 4 != 0)
        return fail_at(ps, b, "invalid base64 in binary literal (needs a non-empty multiple of 4 characters)");
    size_t pad = p[n - 1] == '=' ? (p[n - 2] == '=' ? 2 : 1) : 0;
    unsigned char *out = arena_alloc(ps->mem, n / 4 * 3);
    if (!out) return nomem(ps);
    size_t k = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n - pad; i++) {
        int v = b64_val(p[i]);
        if (v < 0) return fail_at(ps, b + i, "invalid base64 character in binary literal");
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            out[k++] = (unsigned char)(acc >> 16);
            out[k++] = (unsigned char)(acc >> 8);
            out[k++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (pad == 1) { out[k++] = (unsigned char)(acc >> 10); out[k++] = (unsigned char)(acc >> 2); }
    if (pad == 2) out[k++] = (unsigned char)(acc >> 4);
    t->kind = T_BINARY;
    t->lit.kind = CP_PAT_LIT_BINARY;
    t->lit.text = arena_strndup(ps->mem, p, n);
    t->lit.text_len = n;
    t->lit.bytes = out;
    t->lit.nbytes = k;
    return t->lit.text ? CP_OK : nomem(ps);
}

static cp_status lex_hex(parser *ps, token *t)
{
    size_t b = 0, e = 0;
    cp_status st = lex_quoted_body(ps, t, "hex", &b, &e);
    if (st) return st;
    size_t n = e - b;
    if (n % 2) return fail_at(ps, b, "hex literal needs an even number of hex digits");
    char *text = arena_alloc(ps->mem, n + 1);
    unsigned char *out = arena_alloc(ps->mem, n / 2 + 1);
    if (!text || !out) return nomem(ps);
    for (size_t i = 0; i < n; i++) {
        int v = hex_val(ps->s[b + i]);
        if (v < 0) return fail_at(ps, b + i, "invalid hex digit in hex literal");
        text[i] = "0123456789abcdef"[v];
        if (i % 2) out[i / 2] = (unsigned char)(out[i / 2] << 4 | v);
        else out[i / 2] = (unsigned char)v;
    }
    t->kind = T_HEX;
    t->lit = (cp_pat_literal){.kind = CP_PAT_LIT_HEX, .text = text, .text_len = n,
                              .bytes = out, .nbytes = n / 2};
    return CP_OK;
}

/* [+-]?(0|[1-9][0-9]*) or [+-]?[0-9]*.[0-9]+ */
static cp_status lex_number(parser *ps, token *t)
{
    const char *s = ps->s;
    size_t i = ps->pos;
    bool neg = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') i++;
    size_t ib = i;
    while (i < ps->n && is_digit(s[i])) i++;
    size_t ie = i;
    if (i + 1 < ps->n && s[i] == '.' && is_digit(s[i + 1])) {
        size_t fb = ++i;
        while (i < ps->n && is_digit(s[i])) i++;
        while (ib + 1 < ie && s[ib] == '0') ib++; /* canonical: no leading zeros */
        size_t n = (neg ? 1 : 0) + (ie > ib ? ie - ib : 1) + 1 + (i - fb);
        char *text = arena_alloc(ps->mem, n + 1);
        if (!text) return nomem(ps);
        snprintf(text, n + 1, "%s%.*s.%.*s", neg ? "-" : "", ie > ib ? (int)(ie - ib) : 1,
                 ie > ib ? s + ib : "0", (int)(i - fb), s + fb);
        t->kind = T_FLOAT;
        t->lit = (cp_pat_literal){.kind = CP_PAT_LIT_FLOAT, .text = text, .text_len = n,
                                  .f = strtod(text, NULL)};
        ps->pos = i;
        return CP_OK;
    }
    if (ie == ib) return fail_at(ps, t->pos, "unexpected character '%c'", s[t->pos]);
    if (s[ib] == '0' && ie - ib > 1) return fail_at(ps, t->pos, "integer with a leading zero");
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t k = ib; k < ie; k++) {
        uint64_t d = (uint64_t)(s[k] - '0');
        if (v > (lim - d) / 10) return fail_at(ps, t->pos, "integer out of the 64-bit range");
        v = v * 10 + d;
    }
    int64_t val = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    char digits[24];
    int dn = snprintf(digits, sizeof digits, "%lld", (long long)val);
    t->kind = T_INT;
    t->lit = (cp_pat_literal){.kind = CP_PAT_LIT_INT, .i = val, .f = (double)val,
                              .text = arena_strndup(ps->mem, digits, (size_t)dn),
                              .text_len = (size_t)dn};
    ps->pos = ie;
    return t->lit.text ? CP_OK : nomem(ps);
}

static void lex_word(parser *ps, token *t)
{
    size_t i = ps->pos;
    while (i < ps->n && (is_alpha(ps->s[i]) || is_digit(ps->s[i]) || ps->s[i] == '-')) {
        if (ps->s[i] == '-') t->hyphen = true;
        i++;
    }
    ps->pos = i;
    t->len = i - t->pos;
    t->kind = T_IDENT;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        if (strlen(keywords[k].word) == t->len && !memcmp(keywords[k].word, ps->s + t->pos, t->len)) {
            t->kind = keywords[k].kind;
            break;
        }
    }
    if (t->kind == T_BOOL) {
        t->lit.kind = CP_PAT_LIT_BOOL;
        t->lit.b = ps->s[t->pos] == 't';
        t->lit.text = t->lit.b ? "true" : "false";
        t->lit.text_len = t->len;
    }
}

/* One or two characters of punctuation; T_EOF when c is none of them. */
static tok_kind lex_punct(const char *s, size_t n, size_t i, size_t *len)
{
    char c = s[i], d = i + 1 < n ? s[i + 1] : 0;
    *len = 1;
    switch (c) {
    case '[': return T_LBRACK;
    case ']': return T_RBRACK;
    case '(': return T_LPAREN;
    case ')': return T_RPAREN;
    case ':': return T_COLON;
    case ',': return T_COMMA;
    case '*': return T_STAR;
    case '.': return is_digit(d) ? T_EOF : T_DOT;
    case '=': *len = d == '=' ? 2 : 1; return T_EQ;
    case '!': *len = 2; return d == '=' ? T_NEQ : T_EOF;
    case '<': *len = (d == '=' || d == '>') ? 2 : 1; return d == '=' ? T_LE : d == '>' ? T_NEQ : T_LT;
    case '>': *len = d == '=' ? 2 : 1; return d == '=' ? T_GE : T_GT;
    default: return T_EOF;
    }
}

/* Moves to the next token. */
static cp_status advance(parser *ps)
{
    cp_status st = skip_blank(ps);
    if (st) return st;
    token *t = &ps->tok;
    memset(t, 0, sizeof *t);
    t->pos = ps->pos;
    if (ps->pos >= ps->n) return CP_OK; /* T_EOF */
    const char *s = ps->s;
    char c = s[ps->pos], d = ps->pos + 1 < ps->n ? s[ps->pos + 1] : 0;
    size_t len;
    tok_kind k = lex_punct(s, ps->n, ps->pos, &len);
    if (k != T_EOF) {
        t->kind = k;
        ps->pos += len;
    } else if (c == '\'') {
        st = lex_string(ps, t);
    } else if (d == '\'' && (c == 't' || c == 'b' || c == 'h')) {
        st = c == 't' ? lex_timestamp(ps, t) : c == 'b' ? lex_binary(ps, t) : lex_hex(ps, t);
    } else if (is_alpha(c)) {
        lex_word(ps, t);
    } else if (is_digit(c) || c == '+' || c == '-' || c == '.') {
        st = lex_number(ps, t);
    } else if (c >= 0x21 && c < 0x7f) {
        return fail_at(ps, ps->pos, "unexpected character '%c'", c);
    } else {
        return fail_at(ps, ps->pos, "unexpected byte 0x%02x", (unsigned char)c);
    }
    t->len = ps->pos - t->pos;
    return st;
}

static cp_status expect(parser *ps, tok_kind k, const char *what)
{
    if (ps->tok.kind != k) return fail_expected(ps, what);
    return advance(ps);
}

/* ---- 3. parser: comparison expressions ---------------------------------- */

static cp_status enter(parser *ps)
{
    if (++ps->depth > CP_PATTERN_MAX_DEPTH)
        return fail_at(ps, ps->tok.pos, "nesting deeper than %d levels", CP_PATTERN_MAX_DEPTH);
    return CP_OK;
}

/* A name (no hyphen) or a quoted string: one key step of a path. */
static cp_status parse_key(parser *ps, cp_pat_step *step)
{
    token *t = &ps->tok;
    if (t->kind == T_STRING) {
        step->key = t->lit.text;
    } else if (t->kind == T_IDENT && !t->hyphen) {
        step->key = arena_strndup(ps->mem, ps->s + t->pos, t->len);
        if (!step->key) return nomem(ps);
    } else {
        return fail_expected(ps, "a property name (letters, digits and '_'; quote other names)");
    }
    step->kind = CP_PAT_STEP_KEY;
    return advance(ps);
}

static cp_status parse_index(parser *ps, cp_pat_step *step)
{
    cp_status st = advance(ps); /* '[' */
    if (st) return st;
    if (ps->tok.kind == T_STAR) {
        step->kind = CP_PAT_STEP_ANY;
    } else if (ps->tok.kind == T_INT) {
        step->kind = CP_PAT_STEP_INDEX;
        step->index = ps->tok.lit.i;
    } else {
        return fail_expected(ps, "a list index (an integer or '*')");
    }
    if ((st = advance(ps))) return st;
    return expect(ps, T_RBRACK, "']' after the list index");
}

/* Bare when the key is a name and not a keyword, else quoted. */
static bool key_is_bare(const char *k)
{
    if (!is_alpha(k[0])) return false;
    for (const char *p = k + 1; *p; p++)
        if (!is_alpha(*p) && !is_digit(*p)) return false;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (!strcmp(k, keywords[i].word)) return false;
    return true;
}

typedef struct {
    char *buf;
    size_t cap, len;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, b->len++)
        if (b->len + 1 < b->cap) b->buf[b->len] = s[i];
    if (b->cap) b->buf[b->len < b->cap ? b->len : b->cap - 1] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_quoted(sbuf *b, const char *s, size_t n)
{
    sb_puts(b, "'");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') sb_puts(b, "\\");
        sb_putn(b, s + i, 1);
    }
    sb_puts(b, "'");
}

static void sb_path(sbuf *b, const cp_pat_step *steps, size_t n)
{
    char num[32];
    for (size_t i = 0; i < n; i++) {
        const cp_pat_step *s = &steps[i];
        if (s->kind == CP_PAT_STEP_KEY) {
            if (i) sb_puts(b, ".");
            if (key_is_bare(s->key)) sb_puts(b, s->key);
            else sb_quoted(b, s->key, strlen(s->key));
        } else if (s->kind == CP_PAT_STEP_ANY) {
            sb_puts(b, "[*]");
        } else {
            snprintf(num, sizeof num, "[%lld]", (long long)s->index);
            sb_puts(b, num);
        }
    }
}

/* type ':' step1 step* */
static cp_status parse_path(parser *ps, cp_pat_term *term)
{
    token *t = &ps->tok;
    term->column = t->pos + 1;
    if (t->kind != T_IDENT) return fail_expected(ps, "an object type");
    char *type = arena_strndup(ps->mem, ps->s + t->pos, t->len);
    if (!type) return nomem(ps);
    term->object_type = type;
    cp_status st = advance(ps);
    if (st || (st = expect(ps, T_COLON, "':' after the object type"))) return st;
    cp_pat_step steps[CP_PATTERN_MAX_STEPS];
    size_t n = 0;
    if ((st = parse_key(ps, &steps[n++]))) return st;
    while (t->kind == T_DOT || t->kind == T_LBRACK) {
        if (n == CP_PATTERN_MAX_STEPS)
            return fail_at(ps, t->pos, "object path longer than %d steps", CP_PATTERN_MAX_STEPS);
        memset(&steps[n], 0, sizeof steps[n]);
        if (t->kind == T_DOT) {
            if ((st = advance(ps))) return st;
            st = parse_key(ps, &steps[n]);
        } else {
            st = parse_index(ps, &steps[n]);
        }
        if (st) return st;
        n++;
    }
    cp_pat_step *arr = arena_alloc(ps->mem, n * sizeof *arr);
    if (!arr) return nomem(ps);
    memcpy(arr, steps, n * sizeof *arr);
    term->steps = arr;
    term->nsteps = n;
    sbuf probe = {0};
    sb_path(&probe, arr, n);
    char *text = arena_alloc(ps->mem, probe.len + 1);
    if (!text) return nomem(ps);
    sbuf out = {text, probe.len + 1, 0};
    sb_path(&out, arr, n);
    term->path_text = text;
    return CP_OK;
}

static bool is_literal(tok_kind k)
{
    return k == T_STRING || k == T_INT || k == T_FLOAT || k == T_BOOL || k == T_TIMESTAMP ||
           k == T_BINARY || k == T_HEX;
}

/* '(' [primitive (',' primitive)*] ')' */
static cp_status parse_set(parser *ps, cp_pat_literal *out)
{
    cp_status st = expect(ps, T_LPAREN, "'(' opening the set after IN");
    if (st) return st;
    size_t cap = 8, n = 0;
    cp_pat_literal *items = arena_alloc(ps->mem, cap * sizeof *items);
    if (!items) return nomem(ps);
    while (ps->tok.kind != T_RPAREN || n > 0) {
        if (n > 0 && (st = expect(ps, T_COMMA, "',' or ')' in the set"))) return st;
        if (!is_literal(ps->tok.kind)) return fail_expected(ps, "a literal value in the set");
        if (n == CP_PATTERN_MAX_SET)
            return fail_at(ps, ps->tok.pos, "set with more than %d values", CP_PATTERN_MAX_SET);
        if (n == cap) { /* grow: the old array stays in the arena until free */
            cp_pat_literal *bigger = arena_alloc(ps->mem, 2 * cap * sizeof *items);
            if (!bigger) return nomem(ps);
            memcpy(bigger, items, n * sizeof *items);
            items = bigger;
            cap *= 2;
        }
        items[n++] = ps->tok.lit;
        if ((st = advance(ps))) return st;
        if (ps->tok.kind == T_RPAREN) break;
    }
    *out = (cp_pat_literal){.kind = CP_PAT_LIT_SET, .items = items, .nitems = n};
    return advance(ps); /* ')' */
}

/* The operator token and the literal it takes. */
static cp_status parse_operator(parser *ps, cp_pat_term *term)
{
    static const struct {
        tok_kind tok;
        cp_pat_op op;
    } ops[] = {
        {T_EQ, CP_PAT_OP_EQ}, {T_NEQ, CP_PAT_OP_NEQ}, {T_GT, CP_PAT_OP_GT}, {T_LT, CP_PAT_OP_LT},
        {T_GE, CP_PAT_OP_GE}, {T_LE, CP_PAT_OP_LE}, {T_IN, CP_PAT_OP_IN},
        {T_LIKE, CP_PAT_OP_LIKE}, {T_MATCHES, CP_PAT_OP_MATCHES},
        {T_ISSUBSET, CP_PAT_OP_ISSUBSET}, {T_ISSUPERSET, CP_PAT_OP_ISSUPERSET},
    };
    size_t i = 0;
    while (i < sizeof ops / sizeof ops[0] && ops[i].tok != ps->tok.kind) i++;
    if (i == sizeof ops / sizeof ops[0])
        return fail_expected(ps, term->negated ? "a comparison operator after NOT"
                                               : "a comparison operator (=, !=, <, >, IN, LIKE, ...)");
    term->op = ops[i].op;
    cp_status st = advance(ps);
    if (st) return st;
    if (term->op == CP_PAT_OP_IN) return parse_set(ps, &term->value);
    tok_kind k = ps->tok.kind;
    char what[64];
    snprintf(what, sizeof what, "a string literal after %s", cp_pat_op_text(term->op));
    if (term->op >= CP_PAT_OP_LIKE) {
        if (k != T_STRING) return fail_expected(ps, what);
    } else if (term->op >= CP_PAT_OP_GT) {
        snprintf(what, sizeof what, "an orderable literal after %s", cp_pat_op_text(term->op));
        if (!is_literal(k) || k == T_BOOL) return fail_expected(ps, what);
    } else if (!is_literal(k)) {
        snprintf(what, sizeof what, "a literal value after %s", cp_pat_op_text(term->op));
        return fail_expected(ps, what);
    }
    term->value = ps->tok.lit;
    return advance(ps);
}

static cp_status parse_cmp_or(parser *ps, cp_pat_cmp **out);

/* One comparison: path [NOT] op literal | [NOT] EXISTS path | ( cmp-or ) */
static cp_status parse_test(parser *ps, cp_pat_cmp **out)
{
    cp_status st;
    if (ps->tok.kind == T_LPAREN) {
        if ((st = enter(ps)) || (st = advance(ps)) || (st = parse_cmp_or(ps, out))) return st;
        ps->depth--;
        return expect(ps, T_RPAREN, "')' closing the comparison group (or AND/OR)");
    }
    cp_pat_cmp *node = arena_alloc(ps->mem, sizeof *node);
    cp_pat_term *term = arena_alloc(ps->mem, sizeof *term);
    if (!node || !term) return nomem(ps);
    node->kind = CP_PAT_CMP_TEST;
    node->term = term;
    if (++ps->ncmp > CP_PATTERN_MAX_COMPARISONS)
        return fail_at(ps, ps->tok.pos, "more than %d comparisons", CP_PATTERN_MAX_COMPARISONS);
    if (ps->tok.kind == T_NOT || ps->tok.kind == T_EXISTS) {
        term->negated = ps->tok.kind == T_NOT;
        if (term->negated && (st = advance(ps))) return st;
        if ((st = expect(ps, T_EXISTS, "EXISTS after NOT"))) return st;
        term->op = CP_PAT_OP_EXISTS;
        if ((st = parse_path(ps, term))) return st;
    } else if (ps->tok.kind == T_IDENT) {
        if ((st = parse_path(ps, term))) return st;
        if (ps->tok.kind == T_NOT) {
            term->negated = true;
            if ((st = advance(ps))) return st;
        }
        if ((st = parse_operator(ps, term))) return st;
    } else {
        return fail_expected(ps, "an object path, EXISTS or '('");
    }
    *out = node;
    return CP_OK;
}

/* level 0: OR of level 1; level 1: AND of tests. Chains become one node. */
static cp_status parse_cmp_level(parser *ps, int level, cp_pat_cmp **out)
{
    tok_kind op = level == 0 ? T_OR : T_AND;
    cp_pat_cmp *first;
    cp_status st = level == 0 ? parse_cmp_level(ps, 1, &first) : parse_test(ps, &first);
    if (st) return st;
    if (ps->tok.kind != op) {
        *out = first;
        return CP_OK;
    }
    cp_pat_cmp *node = arena_alloc(ps->mem, sizeof *node);
    if (!node) return nomem(ps);
    node->kind = level == 0 ? CP_PAT_CMP_OR : CP_PAT_CMP_AND;
    node->first = first;
    cp_pat_cmp *last = first;
    while (ps->tok.kind == op) {
        if ((st = advance(ps))) return st;
        st = level == 0 ? parse_cmp_level(ps, 1, &last->next) : parse_test(ps, &last->next);
        if (st) return st;
        last = last->next;
    }
    *out = node;
    return CP_OK;
}

static cp_status parse_cmp_or(parser *ps, cp_pat_cmp **out) { return parse_cmp_level(ps, 0, out); }

/* ---- 3b. parser: observation expressions -------------------------------- */

static cp_status parse_within(parser *ps, cp_pat_qual *q)
{
    token *t = &ps->tok;
    if ((t->kind != T_INT && t->kind != T_FLOAT) || !(t->lit.f > 0))
        return fail_expected(ps, "a positive number of seconds after WITHIN");
    q->kind = CP_PAT_QUAL_WITHIN;
    q->seconds = t->lit.f;
    q->seconds_text = t->lit.text;
    cp_status st = advance(ps);
    return st ? st : expect(ps, T_SECONDS, "SECONDS after the WITHIN number");
}

static cp_status parse_repeats(parser *ps, cp_pat_qual *q)
{
    if (ps->tok.kind != T_INT || ps->tok.lit.i <= 0)
        return fail_expected(ps, "a positive integer after REPEATS");
    q->kind = CP_PAT_QUAL_REPEATS;
    q->times = ps->tok.lit.i;
    cp_status st = advance(ps);
    return st ? st : expect(ps, T_TIMES, "TIMES after the REPEATS count");
}

/* Compares two valid timestamps as instants (the fraction may differ in length). */
static int ts_cmp(const char *a, const char *b)
{
    int c = memcmp(a, b, 19);
    if (c) return c;
    a += 19, b += 19; /* ".digits" or "Z" */
    if (*a == '.') a++;
    if (*b == '.') b++;
    while (*a != 'Z' || *b != 'Z') {
        char da = *a == 'Z' ? '0' : *a++, db = *b == 'Z' ? '0' : *b++;
        if (da != db) return da < db ? -1 : 1;
    }
    return 0;
}

static cp_status parse_start_stop(parser *ps, cp_pat_qual *q)
{
    q->kind = CP_PAT_QUAL_START_STOP;
    if (ps->tok.kind != T_TIMESTAMP) return fail_expected(ps, "a timestamp t'...' after START");
    q->start = ps->tok.lit.text;
    cp_status st = advance(ps);
    if (st || (st = expect(ps, T_STOP, "STOP after the START timestamp"))) return st;
    if (ps->tok.kind != T_TIMESTAMP) return fail_expected(ps, "a timestamp t'...' after STOP");
    q->stop = ps->tok.lit.text;
    if (ts_cmp(q->start, q->stop) >= 0)
        return fail_at(ps, ps->tok.pos, "the STOP timestamp must be later than START");
    return advance(ps);
}

/* qualifier* after an observation expression, appended to node->quals. */
static cp_status parse_qualifiers(parser *ps, cp_pat_obs *node)
{
    cp_pat_qual **tail = &node->quals;
    while (*tail) tail = &(*tail)->next;
    for (;;) {
        tok_kind k = ps->tok.kind;
        if (k != T_WITHIN && k != T_REPEATS && k != T_START) return CP_OK;
        cp_pat_qual *q = arena_alloc(ps->mem, sizeof *q);
        if (!q) return nomem(ps);
        cp_status st = advance(ps);
        if (st) return st;
        st = k == T_WITHIN ? parse_within(ps, q) : k == T_REPEATS ? parse_repeats(ps, q)
                                                                  : parse_start_stop(ps, q);
        if (st) return st;
        *tail = q;
        tail = &q->next;
    }
}

static cp_status parse_obs_level(parser *ps, int level, cp_pat_obs **out);

/* The terms of a comparison tree, in source order, into arr (NULL: count). */
static size_t collect_terms(cp_pat_cmp *c, cp_pat_term **arr, size_t n)
{
    if (c->kind == CP_PAT_CMP_TEST) {
        if (arr) arr[n] = c->term;
        return n + 1;
    }
    for (cp_pat_cmp *k = c->first; k; k = k->next) n = collect_terms(k, arr, n);
    return n;
}

/* '[' cmp-or ']' | '(' obs-fby ')', then qualifiers */
static cp_status parse_obs_primary(parser *ps, cp_pat_obs **out)
{
    cp_status st;
    if (ps->tok.kind == T_LBRACK) {
        cp_pat_obs *leaf = arena_alloc(ps->mem, sizeof *leaf);
        if (!leaf) return nomem(ps);
        leaf->kind = CP_PAT_OBS_LEAF;
        if ((st = enter(ps)) || (st = advance(ps)) || (st = parse_cmp_or(ps, &leaf->cmp))) return st;
        if ((st = expect(ps, T_RBRACK, "']' closing the observation (or AND/OR)"))) return st;
        ps->depth--;
        leaf->nterms = collect_terms(leaf->cmp, NULL, 0);
        leaf->terms = arena_alloc(ps->mem, leaf->nterms * sizeof *leaf->terms);
        if (!leaf->terms) return nomem(ps);
        collect_terms(leaf->cmp, leaf->terms, 0);
        *out = leaf;
    } else if (ps->tok.kind == T_LPAREN) {
        if ((st = enter(ps)) || (st = advance(ps)) || (st = parse_obs_level(ps, 0, out))) return st;
        if ((st = expect(ps, T_RPAREN, "')' closing the group (or AND/OR/FOLLOWEDBY)"))) return st;
        ps->depth--;
    } else {
        return fail_expected(ps, "'[' or '(' starting an observation expression");
    }
    return parse_qualifiers(ps, *out);
}

/* level 0: FOLLOWEDBY of level 1; 1: OR of level 2; 2: AND of primaries. */
static cp_status parse_obs_level(parser *ps, int level, cp_pat_obs **out)
{
    static const tok_kind ops[] = {T_FOLLOWEDBY, T_OR, T_AND};
    static const cp_pat_obs_kind kinds[] = {CP_PAT_OBS_FOLLOWEDBY, CP_PAT_OBS_OR, CP_PAT_OBS_AND};
    cp_pat_obs *first = NULL;
    cp_status st = level == 2 ? parse_obs_primary(ps, &first) : parse_obs_level(ps, level + 1, &first);
    if (st) return st;
    if (ps->tok.kind != ops[level]) {
        *out = first;
        return CP_OK;
    }
    cp_pat_obs *node = arena_alloc(ps->mem, sizeof *node);
    if (!node) return nomem(ps);
    node->kind = kinds[level];
    node->first = first;
    cp_pat_obs *last = first;
    while (ps->tok.kind == ops[level]) {
        if ((st = advance(ps))) return st;
        st = level == 2 ? parse_obs_primary(ps, &last->next)
                        : parse_obs_level(ps, level + 1, &last->next);
        if (st) return st;
        last = last->next;
    }
    *out = node;
    return CP_OK;
}

/* ---- 4. the observation list -------------------------------------------- */

static size_t collect_obs(cp_pat_obs *o, cp_pat_obs **arr, size_t n)
{
    if (o->kind == CP_PAT_OBS_LEAF) {
        if (arr) arr[n] = o;
        return n + 1;
    }
    for (cp_pat_obs *k = o->first; k; k = k->next) n = collect_obs(k, arr, n);
    return n;
}

static cp_status parse_all(parser *ps, cp_pattern *p)
{
    if (ps->n > CP_PATTERN_MAX_LEN)
        return cp_fail(ps->err, CP_E_UNPROCESSABLE, "pattern: %zu bytes, more than the limit of %d",
                       ps->n, CP_PATTERN_MAX_LEN);
    const char *nul = memchr(ps->s, 0, ps->n);
    if (nul) return fail_at(ps, (size_t)(nul - ps->s), "NUL byte in the pattern");
    cp_status st = advance(ps);
    if (st || (st = parse_obs_level(ps, 0, &p->root))) return st;
    if (ps->tok.kind != T_EOF) return fail_expected(ps, "AND, OR, FOLLOWEDBY, a qualifier or the end");
    p->nobs = collect_obs(p->root, NULL, 0);
    p->obs = arena_alloc(&p->mem, p->nobs * sizeof *p->obs);
    if (!p->obs) return nomem(ps);
    collect_obs(p->root, p->obs, 0);
    p->ncmp = ps->ncmp;
    return CP_OK;
}

cp_status cp_pattern_parse(const char *text, size_t len, cp_pattern **out, cp_err *err)
{
    *out = NULL;
    arena mem = {0};
    cp_pattern *p = arena_alloc(&mem, sizeof *p);
    if (!p) return cp_fail(err, CP_E_NOMEM, "pattern: out of memory");
    p->mem = mem;
    parser ps = {.s = text ? text : "", .n = text ? len : 0, .mem = &p->mem, .err = err};
    cp_status st = parse_all(&ps, p);
    if (st) {
        cp_pattern_free(p);
        return st;
    }
    *out = p;
    return CP_OK;
}

void cp_pattern_free(cp_pattern *p)
{
    if (!p) return;
    arena mem = p->mem; /* p itself lives in the arena */
    arena_release(&mem);
}

cp_status cp_stix_pattern_check(const char *text, size_t len, cp_err *err)
{
    cp_pattern *p = NULL;
    cp_status st = cp_pattern_parse(text, len, &p, err);
    cp_pattern_free(p);
    return st;
}

const cp_pat_obs *cp_pattern_root(const cp_pattern *p) { return p->root; }
size_t cp_pattern_observations(const cp_pattern *p) { return p->nobs; }
size_t cp_pattern_comparisons(const cp_pattern *p) { return p->ncmp; }

const cp_pat_obs *cp_pattern_observation(const cp_pattern *p, size_t i)
{
    return i < p->nobs ? p->obs[i] : NULL;
}

static bool single_obs(const cp_pat_obs *o)
{
    for (const cp_pat_qual *q = o->quals; q; q = q->next)
        if (q->kind != CP_PAT_QUAL_START_STOP) return false;
    if (o->kind == CP_PAT_OBS_LEAF) return true;
    if (o->kind != CP_PAT_OBS_OR) return false;
    for (const cp_pat_obs *k = o->first; k; k = k->next)
        if (!single_obs(k)) return false;
    return true;
}

bool cp_pattern_single_observation(const cp_pattern *p) { return single_obs(p->root); }

const char *cp_pat_op_text(cp_pat_op op)
{
    static const char *const names[] = {"=", "!=", ">", "<", ">=", "<=", "IN", "LIKE",
                                        "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};
    return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

/* ---- 5. canonical printer ----------------------------------------------- */

static void fmt_literal(sbuf *b, const cp_pat_literal *l)
{
    switch (l->kind) {
    case CP_PAT_LIT_STRING: sb_quoted(b, l->text, l->text_len); break;
    case CP_PAT_LIT_TIMESTAMP: sb_puts(b, "t'"); sb_puts(b, l->text); sb_puts(b, "'"); break;
    case CP_PAT_LIT_BINARY: sb_puts(b, "b'"); sb_puts(b, l->text); sb_puts(b, "'"); break;
    case CP_PAT_LIT_HEX: sb_puts(b, "h'"); sb_puts(b, l->text); sb_puts(b, "'"); break;
    case CP_PAT_LIT_SET:
        sb_puts(b, "(");
        for (size_t i = 0; i < l->nitems; i++) {
            if (i) sb_puts(b, ", ");
            fmt_literal(b, &l->items[i]);
        }
        sb_puts(b, ")");
        break;
    case CP_PAT_LIT_NONE: break;
    default: sb_puts(b, l->text); break; /* INT, FLOAT, BOOL */
    }
}

static void fmt_term(sbuf *b, const cp_pat_term *t)
{
    if (t->op == CP_PAT_OP_EXISTS) sb_puts(b, t->negated ? "NOT EXISTS " : "EXISTS ");
    sb_puts(b, t->object_type);
    sb_puts(b, ":");
    sb_puts(b, t->path_text);
    if (t->op == CP_PAT_OP_EXISTS) return;
    sb_puts(b, t->negated ? " NOT " : " ");
    sb_puts(b, cp_pat_op_text(t->op));
    sb_puts(b, " ");
    fmt_literal(b, &t->value);
}

/* Children of a node print in parentheses when they are a compound node of
 * the same or looser precedence (OR < AND): only parentheses make those. */
static void fmt_cmp(sbuf *b, const cp_pat_cmp *c)
{
    if (c->kind == CP_PAT_CMP_TEST) {
        fmt_term(b, c->term);
        return;
    }
    for (const cp_pat_cmp *k = c->first; k; k = k->next) {
        if (k != c->first) sb_puts(b, c->kind == CP_PAT_CMP_AND ? " AND " : " OR ");
        bool paren = k->kind != CP_PAT_CMP_TEST && (k->kind == CP_PAT_CMP_OR || c->kind == CP_PAT_CMP_AND);
        if (paren) sb_puts(b, "(");
        fmt_cmp(b, k);
        if (paren) sb_puts(b, ")");
    }
}

static int obs_prec(cp_pat_obs_kind k)
{
    return k == CP_PAT_OBS_FOLLOWEDBY ? 1 : k == CP_PAT_OBS_OR ? 2 : k == CP_PAT_OBS_AND ? 3 : 4;
}

static void fmt_quals(sbuf *b, const cp_pat_qual *q)
{
    char num[32];
    for (; q; q = q->next) {
        if (q->kind == CP_PAT_QUAL_WITHIN) {
            sb_puts(b, " WITHIN ");
            sb_puts(b, q->seconds_text);
            sb_puts(b, " SECONDS");
        } else if (q->kind == CP_PAT_QUAL_REPEATS) {
            snprintf(num, sizeof num, " REPEATS %lld TIMES", (long long)q->times);
            sb_puts(b, num);
        } else {
            sb_puts(b, " START t'");
            sb_puts(b, q->start);
            sb_puts(b, "' STOP t'");
            sb_puts(b, q->stop);
            sb_puts(b, "'");
        }
    }
}

/* A compound node with qualifiers prints itself in parentheses (the
 * qualifiers apply to the group); one without is parenthesised by its
 * parent when its operator binds as loosely or more loosely. */
static void fmt_obs(sbuf *b, const cp_pat_obs *o)
{
    if (o->kind == CP_PAT_OBS_LEAF) {
        sb_puts(b, "[");
        fmt_cmp(b, o->cmp);
        sb_puts(b, "]");
        fmt_quals(b, o->quals);
        return;
    }
    static const char *const ops[] = {"", " AND ", " OR ", " FOLLOWEDBY "};
    if (o->quals) sb_puts(b, "(");
    for (const cp_pat_obs *k = o->first; k; k = k->next) {
        if (k != o->first) sb_puts(b, ops[o->kind]);
        bool paren = k->kind != CP_PAT_OBS_LEAF && !k->quals && obs_prec(k->kind) <= obs_prec(o->kind);
        if (paren) sb_puts(b, "(");
        fmt_obs(b, k);
        if (paren) sb_puts(b, ")");
    }
    if (o->quals) {
        sb_puts(b, ")");
        fmt_quals(b, o->quals);
    }
}

size_t cp_pattern_format(const cp_pattern *p, char *buf, size_t cap)
{
    sbuf b = {buf, cap, 0};
    if (cap) buf[0] = 0;
    fmt_obs(&b, p->root);
    return b.len;
}
