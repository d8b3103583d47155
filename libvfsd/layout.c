// SPDX-License-Identifier: MIT
/*
 * Check the ring layout VFSD_IOC_SETUP returned before trusting it with
 * pointer arithmetic: a kernel/library mismatch must fail loudly here, not
 * as memory corruption later.
 */
#include <errno.h>
#include <limits.h>

#include "ring.h"
#include "vfsd_i.h"

_Static_assert(sizeof(struct vfsd_sqe) == 64, "SQE is 64 bytes");
_Static_assert(sizeof(struct vfsd_cqe) == 16, "CQE is 16 bytes");

/* [off, off + len) lies inside the ring and after the header. */
static int region_ok(uint64_t off, uint64_t len, uint64_t ring_size)
{
	return off >= sizeof(struct vfsd_ring_hdr) && off % 8 == 0 &&
	       off + len <= ring_size;
}

static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int vfsd_setup_check(const struct vfsd_setup *st)
{
	uint64_t sq_len = (uint64_t)st->depth * sizeof(struct vfsd_sqe);
	uint64_t cq_len = (uint64_t)st->depth * sizeof(struct vfsd_cqe);
	uint64_t in_len = (uint64_t)st->depth * st->inline_size;
	const char *why = NULL;

	if (st->nr_queues == 0 || st->nr_queues > VFSD_MAX_QUEUES)
		why = "queue count";
	else if (!ring_is_pow2(st->depth) || st->depth > VFSD_MAX_DEPTH)
		why = "depth";
	else if (st->inline_size % 8 ||
		 st->inline_size < sizeof(struct vfsd_create_out) ||
		 st->inline_size < VFSD_DIRENT_SIZE(NAME_MAX))
		why = "inline slot size";
	else if (!region_ok(st->sqe_off, sq_len, st->ring_size) ||
		 !region_ok(st->cqe_off, cq_len, st->ring_size) ||
		 !region_ok(st->inline_off, in_len, st->ring_size) ||
		 overlap(st->sqe_off, sq_len, st->cqe_off, cq_len) ||
		 overlap(st->sqe_off, sq_len, st->inline_off, in_len) ||
		 overlap(st->cqe_off, cq_len, st->inline_off, in_len))
		why = "ring layout";
	else if (st->window_size == 0 || st->max_io == 0 ||
		 st->max_io > st->window_size)
		why = "window size";
	if (why) {
		vfsd_err("kernel returned an unusable %s (ABI mismatch?)", why);
		return -EPROTO;
	}
	return 0;
}
