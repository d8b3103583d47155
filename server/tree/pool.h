/* SPDX-License-Identifier: MIT */
/*
 * A pool of fixed-size blocks carved from one big region: the storage of
 * the mem backend, and the shape of the DMA buffers a device backend
 * hands out (alloc a block, free it, find its address). Blocks are named
 * by 32-bit indices so file maps stay small and do not depend on where
 * the region is mapped. Thread-safe.
 */
#ifndef VFSD_SERVER_MEM_POOL_H
#define VFSD_SERVER_MEM_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_POOL_NONE	UINT32_MAX

struct mem_pool {
	char *base;
	size_t region_size;
	size_t block_size;	/* a power of two */
	uint32_t nblocks;
	pthread_mutex_t lock;
	uint32_t *free_stack;	/* indices of free blocks, top at nfree-1 */
	uint32_t nfree;
};

/*
 * bytes of storage in blocks of block_size (a power of two, at least
 * 512). Returns 0 or -EINVAL / -ENOMEM. Memory is committed lazily.
 */
int mem_pool_init(struct mem_pool *p, uint64_t bytes, size_t block_size);
void mem_pool_fini(struct mem_pool *p);

/* A free block (contents undefined), or MEM_POOL_NONE when full. */
uint32_t mem_pool_alloc(struct mem_pool *p);
void mem_pool_free(struct mem_pool *p, uint32_t block);
uint32_t mem_pool_free_count(struct mem_pool *p);

static inline void *mem_pool_addr(const struct mem_pool *p, uint32_t block)
{
	return p->base + (size_t)block * p->block_size;
}

#endif /* VFSD_SERVER_MEM_POOL_H */
