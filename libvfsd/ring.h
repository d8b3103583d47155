/* SPDX-License-Identifier: MIT */
/*
 * Ring index arithmetic. Indices are free-running u32 counters masked by
 * depth - 1 (a power of two), so unsigned subtraction gives the number of
 * entries between them across the 2^32 wrap.
 */
#ifndef LIBVFSD_RING_H
#define LIBVFSD_RING_H

#include <stdbool.h>
#include <stdint.h>

/* Pairs with the other side's release store of the index. */
static inline uint32_t ring_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Publishes the entries written before it. */
static inline void ring_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline bool ring_is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* Entries between head (consumer) and tail (producer). */
static inline uint32_t ring_count(uint32_t head, uint32_t tail)
{
	return tail - head;
}

/* A producer that claims more than depth entries is corrupt. */
static inline bool ring_count_valid(uint32_t head, uint32_t tail,
				    uint32_t depth)
{
	return ring_count(head, tail) <= depth;
}

static inline bool ring_full(uint32_t head, uint32_t tail, uint32_t depth)
{
	return ring_count(head, tail) >= depth;
}

static inline uint32_t ring_slot(uint32_t index, uint32_t mask)
{
	return index & mask;
}

#endif /* LIBVFSD_RING_H */
