/*
 * pattern.h — the STIX 2.1 patterning language (STIX 2.1 section 9): a
 * recursive-descent parser with its own lexer, a read-only AST for the
 * early-warning matcher, and a canonical printer.
 *
 * THE GRAMMAR (precedence from loosest to tightest; binary operators are
 * left-associative; keywords are upper case and case-sensitive):
 *
 *   pattern      := obs-fby EOF
 *   obs-fby      := obs-or  ( FOLLOWEDBY obs-or  )*
 *   obs-or       := obs-and ( OR  obs-and )*
 *   obs-and      := obs     ( AND obs )*
 *   obs          := ( '[' cmp-or ']' | '(' obs-fby ')' ) qualifier*
 *   qualifier    := WITHIN number SECONDS       number > 0 (integer or float)
 *                 | REPEATS integer TIMES       integer > 0
 *                 | START timestamp STOP timestamp    STOP later than START
 *   cmp-or       := cmp-and ( OR cmp-and )*
 *   cmp-and      := test    ( AND test )*
 *   test         := path [NOT] ('=' | '==' | '!=' | '<>') primitive
 *                 | path [NOT] ('<' | '<=' | '>' | '>=')   orderable
 *                 | path [NOT] IN set
 *                 | path [NOT] (LIKE | MATCHES | ISSUBSET | ISSUPERSET) string
 *                 | [NOT] EXISTS path
 *                 | '(' cmp-or ')'
 *   path         := type ':' step1 step*
 *   type         := identifier, hyphens allowed ("x-usb-device")
 *   step1        := name | string          ("hashes", 'SHA-256')
 *   step         := '.' (name | string) | '[' (integer | '*') ']'
 *   name         := [A-Za-z_][A-Za-z0-9_]*  (no hyphen: quote 'x-foo')
 *   set          := '(' [primitive (',' primitive)*] ')'
 *   primitive    := orderable | true | false
 *   orderable    := integer | float | string | timestamp | binary | hex
 *
 * Literals: integers [+-]?(0|[1-9][0-9]*) fitting int64; floats
 * [+-]?[0-9]*'.'[0-9]+; strings '...' where the only escapes are \' and \\;
 * timestamps t'YYYY-MM-DDTHH:MM:SS[.frac]Z' (a real calendar date, second
 * 60 allowed for leap seconds); binary b'...' (base64, padded, non-empty);
 * hex h'...' (an even number of hex digits). White space (space, tab, CR,
 * LF, VT, FF and the UTF-8 encoded Unicode spaces the ANTLR grammar lists,
 * such as U+00A0 and U+3000) and comments (slash-star ... star-slash, and
 * // to end of line) separate tokens. String contents are bytes: anything
 * but NUL passes through undecoded (UTF-8 validity is the JSON layer's job).
 *
 * Rejected, with CP_E_UNPROCESSABLE and a message
 * "pattern: at column N: expected X but found Y" (or "pattern: at column N:
 * <what is wrong>"; N is the 1-based byte offset into the text):
 * anything outside the grammar, a NUL byte, a keyword used as a name, and
 * the limits below. No input can overflow the stack: recursion only
 * follows '(' and '[' and is cut at CP_PATTERN_MAX_DEPTH.
 *
 * THE AST. A pattern is a tree of cp_pat_obs nodes: a LEAF is one bracketed
 * observation expression '[ ... ]'; AND / OR / FOLLOWEDBY nodes have two or
 * more children (a chain "A AND B AND C" is one node with three children;
 * explicit parentheses that group the same operator nest a node). Any node
 * can carry qualifiers (in source order). A LEAF holds the tree of its
 * comparison expression (cp_pat_cmp: TEST, AND, OR) and, for walking, the
 * array of its TEST terms in source order. Each term (cp_pat_term) is one
 * comparison: object type, property path (steps and canonical text),
 * operator, the NOT flag and the literal.
 *
 * OWNERSHIP. Everything a cp_pattern points to (nodes, strings, arrays)
 * lives in one arena owned by the cp_pattern and is released by one
 * cp_pattern_free. Pointers into the AST are valid until then. The AST is
 * read-only for callers.
 */
#ifndef CP_INTEL_PATTERN_H
#define CP_INTEL_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define CP_PATTERN_MAX_LEN (64 * 1024)  /* bytes of pattern text */
#define CP_PATTERN_MAX_DEPTH 64         /* nested '(' and '[' */
#define CP_PATTERN_MAX_COMPARISONS 4096 /* comparison terms in a pattern */
#define CP_PATTERN_MAX_SET 4096         /* values in one set literal */
#define CP_PATTERN_MAX_STEPS 64         /* steps in one object path */

typedef enum {
    CP_PAT_LIT_NONE,      /* no literal: the EXISTS operator */
    CP_PAT_LIT_STRING,    /* text: the decoded value (escapes resolved) */
    CP_PAT_LIT_INT,       /* i; text: decimal digits */
    CP_PAT_LIT_FLOAT,     /* f; text: canonical digits ("0.5", "-7.0") */
    CP_PAT_LIT_BOOL,      /* b; text: "true" or "false" */
    CP_PAT_LIT_TIMESTAMP, /* text: "2020-01-01T00:00:00Z" (without t'') */
    CP_PAT_LIT_BINARY,    /* text: the base64 as written; bytes: decoded */
    CP_PAT_LIT_HEX,       /* text: lower-case hex digits; bytes: decoded */
    CP_PAT_LIT_SET        /* items/nitems (never nested; may be empty) */
} cp_pat_lit_kind;

typedef struct cp_pat_literal {
    cp_pat_lit_kind kind;
    const char *text; /* NUL-terminated, never contains NUL; NULL for NONE/SET */
    size_t text_len;
    int64_t i;
    double f;
    bool b;
    const unsigned char *bytes; /* BINARY and HEX */
    size_t nbytes;
    const struct cp_pat_literal *items; /* SET */
    size_t nitems;
} cp_pat_literal;

typedef enum {
    CP_PAT_OP_EQ, CP_PAT_OP_NEQ, CP_PAT_OP_GT, CP_PAT_OP_LT, CP_PAT_OP_GE, CP_PAT_OP_LE,
    CP_PAT_OP_IN, CP_PAT_OP_LIKE, CP_PAT_OP_MATCHES, CP_PAT_OP_ISSUBSET,
    CP_PAT_OP_ISSUPERSET, CP_PAT_OP_EXISTS
} cp_pat_op;

/* The operator as written canonically: "=", "!=", ">", ..., "EXISTS". */
const char *cp_pat_op_text(cp_pat_op op);

typedef enum {
    CP_PAT_STEP_KEY,   /* key: a property name (first step is always a key) */
    CP_PAT_STEP_INDEX, /* index: a list index, possibly negative */
    CP_PAT_STEP_ANY    /* [*]: any element of a list */
} cp_pat_step_kind;

typedef struct {
    cp_pat_step_kind kind;
    const char *key; /* KEY: the name, unquoted */
    int64_t index;   /* INDEX */
} cp_pat_step;

typedef struct cp_pat_term {
    const char *object_type;  /* "file", "x-usb-device" */
    const cp_pat_step *steps; /* the property path, nsteps >= 1 */
    size_t nsteps;
    const char *path_text; /* canonical path without the type: "hashes.'SHA-256'",
                              "sections[*].entropy" */
    cp_pat_op op;
    bool negated;          /* written with NOT ("a:b NOT = 1", "NOT EXISTS a:b") */
    cp_pat_literal value;  /* kind NONE for EXISTS */
    size_t column;         /* 1-based column of the object path */
} cp_pat_term;

typedef enum { CP_PAT_CMP_TEST, CP_PAT_CMP_AND, CP_PAT_CMP_OR } cp_pat_cmp_kind;

typedef struct cp_pat_cmp {
    cp_pat_cmp_kind kind;
    cp_pat_term *term;        /* TEST */
    struct cp_pat_cmp *first; /* AND/OR: first of >= 2 children */
    struct cp_pat_cmp *next;  /* the next sibling */
} cp_pat_cmp;

typedef enum { CP_PAT_QUAL_WITHIN, CP_PAT_QUAL_REPEATS, CP_PAT_QUAL_START_STOP } cp_pat_qual_kind;

typedef struct cp_pat_qual {
    cp_pat_qual_kind kind;
    double seconds;           /* WITHIN, > 0 */
    const char *seconds_text; /* WITHIN, canonical digits */
    int64_t times;            /* REPEATS, > 0 */
    const char *start, *stop; /* START/STOP timestamps (without t'') */
    struct cp_pat_qual *next;
} cp_pat_qual;

typedef enum { CP_PAT_OBS_LEAF, CP_PAT_OBS_AND, CP_PAT_OBS_OR, CP_PAT_OBS_FOLLOWEDBY } cp_pat_obs_kind;

typedef struct cp_pat_obs {
    cp_pat_obs_kind kind;
    cp_pat_cmp *cmp;                /* LEAF: the comparison expression */
    cp_pat_term **terms;            /* LEAF: its comparison terms, in source order */
    size_t nterms;
    struct cp_pat_obs *first;       /* AND/OR/FOLLOWEDBY: first of >= 2 children */
    struct cp_pat_obs *next;        /* the next sibling */
    cp_pat_qual *quals;             /* qualifiers applying to this node, or NULL */
} cp_pat_obs;

typedef struct cp_pattern cp_pattern;

/* Parses len bytes of text (no NUL needed). On success *out owns the AST;
 * on failure *out is NULL and err says what and where (CP_E_UNPROCESSABLE,
 * or CP_E_NOMEM). */
cp_status cp_pattern_parse(const char *text, size_t len, cp_pattern **out, cp_err *err);
void cp_pattern_free(cp_pattern *p); /* NULL is fine */

/* Parse and discard: the STIX validator calls this for indicator.pattern. */
cp_status cp_stix_pattern_check(const char *text, size_t len, cp_err *err);

/* The root of the observation tree. */
const cp_pat_obs *cp_pattern_root(const cp_pattern *p);
/* The bracketed observation expressions (LEAF nodes), in source order. */
size_t cp_pattern_observations(const cp_pattern *p);
const cp_pat_obs *cp_pattern_observation(const cp_pattern *p, size_t i); /* NULL if out of range */
/* Total comparison terms over all observations. */
size_t cp_pattern_comparisons(const cp_pattern *p);

/* True when the pattern can be decided on one event: no FOLLOWEDBY, no AND
 * between observation expressions, no WITHIN and no REPEATS anywhere (OR
 * of observations and START/STOP windows are allowed: the matcher checks a
 * START/STOP window against the event time). */
bool cp_pattern_single_observation(const cp_pattern *p);

/* Writes the canonical text (single spaces around operators and keywords,
 * no comments, "=" for "==", "!=" for "<>", names unquoted where they can
 * be, minimal parentheses, integers without '+', lower-case hex) into buf
 * (NUL-terminated, truncated to cap) and returns the full length, like
 * snprintf. Parsing the canonical text gives the same AST, so formatting it
 * again gives the same text. */
size_t cp_pattern_format(const cp_pattern *p, char *buf, size_t cap);

#endif
