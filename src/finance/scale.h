/*
 * scale.h — the contribution scale: the classes of contributory units members
 * choose from, and the rules of choosing (docs/finance.md, "The scale").
 *
 * The scale is data: a text file (data/finance/scale-default.txt is the
 * compiled-in default; `cyberpact finance scale load FILE` replaces it in the
 * store, audited). Format, one directive per line, '#' starts a comment:
 *   class UNITS [ldc]     e.g. "class 1½", "class 1/16 ldc"
 *   sector-unit FRACTION  e.g. "sector-unit 1/5"
 *   sector-minimum UNITS  e.g. "sector-minimum 1/2"
 * Classes are listed from the largest down, without duplicates; at least one;
 * at most CP_SCALE_CLASSES_MAX; the file at most CP_SCALE_TEXT_MAX bytes.
 */
#ifndef CP_FINANCE_SCALE_H
#define CP_FINANCE_SCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "store/db.h"

#define CP_SCALE_CLASSES_MAX 64
#define CP_SCALE_TEXT_MAX 16384

typedef struct {
    int64_t units16;
    bool ldc_only;
} cp_scale_class;

typedef struct {
    cp_scale_class cls[CP_SCALE_CLASSES_MAX]; /* largest first */
    int n;
    int64_t sector_num, sector_den; /* a sector member's unit = member-state unit × num/den */
    int64_t sector_min16;
} cp_scale;

extern const char cp_scale_default_text[];

/* Parses a scale file; CP_E_BAD_REQUEST names the line and the problem. */
cp_status cp_scale_parse(const char *text, size_t len, cp_scale *out, cp_err *err);
/* The scale in force: the one loaded into the store, else the default. */
cp_status cp_scale_current(cp_conn *c, cp_scale *out, cp_err *err);
/* Index of the class with these units, or -1. */
int cp_scale_find(const cp_scale *s, int64_t units16);

/* Which member kinds take a class at all: every kind but observers (and the
 * alliance itself). Member states are on the member-state scale; the others
 * ("sector members") on the sector scale. */
bool cp_scale_kind_contributes(const char *kind);
/* The lowest class a member at current may lower to without a decision:
 * the class nearest to 85 % of current (ties: the lower), and below 3 units
 * also the class just below current, whichever is lower. */
int64_t cp_scale_lowest_without_decision(const cp_scale *s, int64_t current16);
/* May a member of this kind (ldc: on the LDC list) move from current16 (0:
 * no class yet) to new16? with_decision: an adopted decision is cited. */
cp_status cp_scale_check_choice(const cp_scale *s, const char *kind, bool ldc, int64_t current16, int64_t new16,
                                bool with_decision, cp_err *err);

#endif
