/* SPDX-License-Identifier: MIT */
/* Byte counts on command lines: "512M", "1G", "4096". */
#ifndef VFSD_SERVER_PARSE_SIZE_H
#define VFSD_SERVER_PARSE_SIZE_H

#include <stdint.h>

/* Bytes with binary K/M/G/T suffixes, > 0. Returns 0, or -1. */
int parse_size(const char *s, uint64_t *out);

#endif /* VFSD_SERVER_PARSE_SIZE_H */
