// SPDX-License-Identifier: MIT
/*
 * The connection's facts a server gets in init() and from
 * vfsd_session_conn(): the rings' sizes, and the features the kernel
 * offers (VFSD_FEAT_*, reported by VFSD_IOC_SETUP) cut down to those
 * this library knows and asked for.
 */
#include <string.h>

#include "vfsd_i.h"

#define SAME_BIT(a, b) _Static_assert((a) == (b), #a " matches the ABI")
SAME_BIT(VFSD_CAP_INTERRUPT, VFSD_FEAT_INTERRUPT);
SAME_BIT(VFSD_CAP_POLL, VFSD_FEAT_POLL);
SAME_BIT(VFSD_CAP_INVAL, VFSD_FEAT_INVAL);
SAME_BIT(VFSD_CAP_DMA_MAP, VFSD_FEAT_DMA_MAP);
SAME_BIT(VFSD_CAP_DIRECT_MAP, VFSD_FEAT_DMAP);
SAME_BIT(VFSD_CAP_MAX_BACKGROUND, VFSD_FEAT_MAX_BACKGROUND);
SAME_BIT(VFSD_CAP_PIN, VFSD_FEAT_PIN);
SAME_BIT(VFSD_CAP_URING_BUF, VFSD_FEAT_URING_BUF);
SAME_BIT(VFSD_CAP_READ_SLOTS, VFSD_FEAT_READ_SLOTS);

uint64_t vfsd_kernel_features(const struct vfsd_setup *st)
{
	if (st->features)
		return st->features;
	/* A module older than the field: what every such module had. */
	return VFSD_FEAT_LEGACY |
	       (st->flags & VFSD_SETUP_INTERRUPT ? VFSD_FEAT_INTERRUPT : 0);
}

void vfsd_conn_from_setup(struct vfsd_session *s)
{
	const struct vfsd_setup *st = &s->setup;
	struct vfsd_conn_info *c = &s->conn;

	memset(c, 0, sizeof(*c));
	c->transport = VFSD_TRANSPORT_VFSD;
	c->nr_queues = st->nr_queues;
	c->depth = st->depth;
	c->max_read = st->max_io;
	if (s->opts.max_read && s->opts.max_read < c->max_read)
		c->max_read = s->opts.max_read;
	c->max_write = st->max_io;
	c->abi_version = st->abi_version;
	c->conn_id = st->conn_id;
	c->kernel_caps = vfsd_kernel_features(st);
	/* Bits from a newer module mean nothing to us: never used. */
	c->caps = c->kernel_caps & VFSD_FEATURES;
	if (!(st->flags & VFSD_SETUP_INTERRUPT))
		c->caps &= ~(uint64_t)VFSD_CAP_INTERRUPT;
	if (!(st->flags & VFSD_SETUP_PIN))
		c->caps &= ~(uint64_t)(VFSD_CAP_PIN | VFSD_CAP_URING_BUF);
	if (!(st->flags & VFSD_SETUP_READ_SLOTS))
		c->caps &= ~(uint64_t)VFSD_CAP_READ_SLOTS;
	if (!(c->caps & VFSD_CAP_POLL))
		s->poll_us = 0;
	s->conn_ready = true;
}

VFSD_API const struct vfsd_conn_info *
vfsd_session_conn(const struct vfsd_session *s)
{
	return s->conn_ready ? &s->conn : NULL;
}
