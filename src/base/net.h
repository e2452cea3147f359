/* net.h — placeholder declarations; the parsers branch brings the real header. */
#ifndef CP_BASE_NET_H
#define CP_BASE_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"
typedef struct { uint8_t family; uint8_t addr[16]; uint8_t prefix; } cp_cidr;
cp_status cp_cidr_parse(const char *s, size_t len, cp_cidr *out, cp_err *err);
void cp_cidr_format(const cp_cidr *c, char *buf, size_t cap);
void cp_cidr_range_hex(const cp_cidr *c, char lo[33], char hi[33]);
bool cp_cidr_contains(const cp_cidr *outer, const cp_cidr *inner);
cp_status cp_asn_parse(const char *s, size_t len, uint32_t *out, cp_err *err);
cp_status cp_domain_normalize(const char *s, size_t len, char *out, size_t cap, cp_err *err);
#endif
