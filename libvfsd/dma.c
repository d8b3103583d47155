/* SPDX-License-Identifier: MIT */
/*
 * Devices the server drives: bus addresses of a request's pages for a DMA
 * engine (VFSD_IOC_DMA_MAP) and direct-map regions of card memory
 * (VFSD_IOC_DMAP_ADD/REMOVE). Only the ring transport has them.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "vfsd_i.h"

VFSD_API int vfsd_pci_dev_parse(const char *bdf, uint32_t *pci_dev)
{
	unsigned int domain, bus, dev, fn;
	char end;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &end) != 4 ||
	    domain > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	*pci_dev = VFSD_PCI_DEV(domain, bus, dev, fn);
	return 0;
}

VFSD_API int vfsd_req_dma_map(struct vfsd_req *req, uint32_t pci_dev,
			      uint64_t *addrs, unsigned int *nr)
{
	struct vfsd_dma_map m = {
		.id = req->sqe.id,
		.queue = req->q ? req->q->index : 0,
		.pci_dev = pci_dev,
		.addrs = (uintptr_t)addrs,
		.nr = *nr,
	};

	if (req->xport || !req->q || req->q->s->fd < 0 ||
	    !(req->q->s->conn.caps & VFSD_CAP_DMA_MAP))
		return -EOPNOTSUPP;
	if (ioctl(req->q->s->fd, VFSD_IOC_DMA_MAP, &m)) {
		int err = errno;

		if (err == ENOSPC)
			*nr = m.nr;
		return -err;
	}
	*nr = m.nr;
	return 0;
}

VFSD_API int vfsd_dmap_add(struct vfsd_session *s, uint32_t pci_dev,
			   unsigned int bar, uint64_t offset, uint64_t length)
{
	struct vfsd_dmap_add a = {
		.pci_dev = pci_dev, .bar = bar,
		.offset = offset, .length = length,
	};

	if (s->fd < 0 || !(s->conn.caps & VFSD_CAP_DIRECT_MAP))
		return -EOPNOTSUPP;
	if (ioctl(s->fd, VFSD_IOC_DMAP_ADD, &a))
		return -errno;
	return (int)a.id;
}

VFSD_API int vfsd_dmap_remove(struct vfsd_session *s, uint32_t id)
{
	if (s->fd < 0 || !(s->conn.caps & VFSD_CAP_DIRECT_MAP))
		return -EOPNOTSUPP;
	return ioctl(s->fd, VFSD_IOC_DMAP_REMOVE, &id) ? -errno : 0;
}
