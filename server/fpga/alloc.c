// SPDX-License-Identifier: MIT
/*
 * The data region's allocator: a bitmap of blocks in use, kept in RAM
 * only and rebuilt at every mount from the extent table. First fit from
 * a moving hint keeps a file that grows in steps contiguous.
 */
#include <errno.h>

#include "fpga/layout.h"

static bool used(const struct fpga_layout *L, uint64_t b)
{
	return L->bitmap[b / 64] & (1ull << (b % 64));
}

static void set_range(struct fpga_layout *L, uint64_t start, uint64_t n,
		      bool on)
{
	for (; n; n--, start++) {
		if (on)
			L->bitmap[start / 64] |= 1ull << (start % 64);
		else
			L->bitmap[start / 64] &= ~(1ull << (start % 64));
	}
}

/* The free run starting at b, at most max long. */
static uint64_t run_at(const struct fpga_layout *L, uint64_t b, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && b + n < L->sb.data_blocks && !used(L, b + n))
		n++;
	return n;
}

/* The next free block at or after b, or data_blocks. */
static uint64_t next_free(const struct fpga_layout *L, uint64_t b)
{
	while (b < L->sb.data_blocks) {
		if (b % 64 == 0 && L->bitmap[b / 64] == UINT64_MAX) {
			b += 64;
			continue;
		}
		if (!used(L, b))
			return b;
		b++;
	}
	return L->sb.data_blocks;
}

/*
 * First free run of want blocks in [from, to), or the longest shorter
 * one seen (in *best / *best_n): true if a whole one was found at *best.
 */
static bool scan(const struct fpga_layout *L, uint64_t from, uint64_t to,
		 uint64_t want, uint64_t *best, uint64_t *best_n)
{
	uint64_t b, n = 0;

	for (b = next_free(L, from); b < to; b = next_free(L, b + n)) {
		n = run_at(L, b, want);
		if (n > *best_n) {
			*best = b;
			*best_n = n;
		}
		if (n == want)
			return true;
	}
	return false;
}

uint64_t fpga_blocks_alloc(struct fpga_layout *L, uint64_t hint,
			   uint64_t want, uint64_t *start)
{
	uint64_t b = 0, n = 0, total = L->sb.data_blocks, from;

	if (!want)
		return 0;
	pthread_mutex_lock(&L->lock);
	if (!L->free_blocks)
		goto out;
	/* Right after the caller's last extent: no new extent needed. */
	if (hint < total && (n = run_at(L, hint, want))) {
		b = hint;
	} else {
		/* From the moving hint to the end, then from the start. */
		from = L->alloc_hint % total;
		if (!scan(L, from, total, want, &b, &n))
			scan(L, 0, from, want, &b, &n);
	}
	if (n) {
		set_range(L, b, n, true);
		L->free_blocks -= n;
		L->alloc_hint = b + n;
		*start = b;
	}
out:
	pthread_mutex_unlock(&L->lock);
	return n;
}

int fpga_blocks_alloc_contig(struct fpga_layout *L, uint64_t count,
			     uint64_t *start)
{
	uint64_t b, n = 0;
	int err = -ENOSPC;

	if (!count)
		return -EINVAL;
	pthread_mutex_lock(&L->lock);
	for (b = next_free(L, 0); count <= L->free_blocks &&
	     b < L->sb.data_blocks; b = next_free(L, b + n)) {
		n = run_at(L, b, count);
		if (n == count) {
			set_range(L, b, n, true);
			L->free_blocks -= n;
			*start = b;
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&L->lock);
	return err;
}

void fpga_blocks_free(struct fpga_layout *L, uint64_t start, uint64_t count)
{
	pthread_mutex_lock(&L->lock);
	set_range(L, start, count, false);
	L->free_blocks += count;
	pthread_mutex_unlock(&L->lock);
}

int fpga_blocks_claim(struct fpga_layout *L, uint64_t start, uint64_t count)
{
	uint64_t i;
	int err = 0;

	pthread_mutex_lock(&L->lock);
	for (i = 0; i < count && !err; i++)
		if (used(L, start + i))
			err = -EEXIST;
	if (!err) {
		set_range(L, start, count, true);
		L->free_blocks -= count;
	}
	pthread_mutex_unlock(&L->lock);
	return err;
}

uint64_t fpga_blocks_free_count(struct fpga_layout *L)
{
	uint64_t n;

	pthread_mutex_lock(&L->lock);
	n = L->free_blocks;
	pthread_mutex_unlock(&L->lock);
	return n;
}
