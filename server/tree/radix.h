/* SPDX-License-Identifier: MIT */
/*
 * A sparse map from 64-bit indices to 32-bit values: a file's block index
 * to its pool block. A radix tree of 64-way nodes whose height grows with
 * the largest index, so a small file costs one 256-byte leaf and a huge
 * sparse file only the paths to its blocks. Not thread-safe: the owner
 * (the file's inode lock) serializes.
 */
#ifndef VFSD_SERVER_MEM_RADIX_H
#define VFSD_SERVER_MEM_RADIX_H

#include <stdbool.h>
#include <stdint.h>

#define MEM_RADIX_NONE	UINT32_MAX

struct mem_radix {
	void *root;
	unsigned int height;	/* 0: empty; covers indices < 64^height */
};

uint32_t mem_radix_get(const struct mem_radix *r, uint64_t idx);
/* Store val (not MEM_RADIX_NONE) at idx: 0 or -ENOMEM. */
int mem_radix_set(struct mem_radix *r, uint64_t idx, uint32_t val);
/* Drop the entries in [first, last], handing each value to fn. */
void mem_radix_remove(struct mem_radix *r, uint64_t first, uint64_t last,
		      void (*fn)(void *ctx, uint32_t val), void *ctx);
/* The first index >= idx with an entry (false: none). */
bool mem_radix_next(const struct mem_radix *r, uint64_t idx, uint64_t *found);
/* The first index >= idx without an entry. */
uint64_t mem_radix_next_hole(const struct mem_radix *r, uint64_t idx);

#endif /* VFSD_SERVER_MEM_RADIX_H */
