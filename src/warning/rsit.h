/*
 * rsit.h — the Reference Security Incident Taxonomy (RSIT, e-CSIRT.net /
 * TF-CSIRT, github.com/enisaeu/Reference-Security-Incident-Taxonomy-Task-Force):
 * the "class/type" pairs an event's classification may take. The table is
 * data in rsit.c; nothing else knows the names.
 */
#ifndef CP_WARNING_RSIT_H
#define CP_WARNING_RSIT_H

#include <stddef.h>

#define CP_RSIT_DEFAULT "other/undetermined"

/* The table's own copy of "class/type" when s (len bytes) is one, else NULL
 * (compared exactly: the taxonomy's names are lower case). */
const char *cp_rsit_find(const char *s, size_t len);
/* Number of entries and entry i (for documentation and tests). */
size_t cp_rsit_count(void);
const char *cp_rsit_at(size_t i);

#endif
