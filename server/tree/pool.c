// SPDX-License-Identifier: MIT
/* The block pool; see tree/pool.h. A stack of free indices under a lock. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tree/pool.h"

int mem_pool_init(struct mem_pool *p, uint64_t bytes, size_t block_size)
{
	uint64_t n;
	uint32_t i;

	if (block_size < 512 || (block_size & (block_size - 1)))
		return -EINVAL;
	n = bytes / block_size;
	if (n == 0 || n >= MEM_POOL_NONE || n > SIZE_MAX / block_size)
		return -EINVAL;
	p->block_size = block_size;
	p->nblocks = (uint32_t)n;
	p->region_size = (size_t)n * block_size;
	/* NORESERVE: a big pool costs nothing until blocks are written. */
	p->base = mmap(NULL, p->region_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->base == MAP_FAILED)
		return -ENOMEM;
	p->free_stack = malloc((size_t)n * sizeof(*p->free_stack));
	if (!p->free_stack) {
		munmap(p->base, p->region_size);
		return -ENOMEM;
	}
	/* Lowest blocks on top: a young filesystem stays compact. */
	for (i = 0; i < p->nblocks; i++)
		p->free_stack[i] = p->nblocks - 1 - i;
	p->nfree = p->nblocks;
	pthread_mutex_init(&p->lock, NULL);
	return 0;
}

void mem_pool_fini(struct mem_pool *p)
{
	munmap(p->base, p->region_size);
	free(p->free_stack);
	pthread_mutex_destroy(&p->lock);
}

uint32_t mem_pool_alloc(struct mem_pool *p)
{
	uint32_t b = MEM_POOL_NONE;

	pthread_mutex_lock(&p->lock);
	if (p->nfree)
		b = p->free_stack[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return b;
}

void mem_pool_free(struct mem_pool *p, uint32_t block)
{
	pthread_mutex_lock(&p->lock);
	p->free_stack[p->nfree++] = block;
	pthread_mutex_unlock(&p->lock);
}

uint32_t mem_pool_free_count(struct mem_pool *p)
{
	uint32_t n;

	pthread_mutex_lock(&p->lock);
	n = p->nfree;
	pthread_mutex_unlock(&p->lock);
	return n;
}
