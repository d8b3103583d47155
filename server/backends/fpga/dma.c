// SPDX-License-Identifier: MIT
/*
 * Bus addresses of the window pages a READ or WRITE handed over, for the
 * card's DMA engine (the qemu driver's edu): the module tells them
 * (vfsd_req_dma_map(), VFSD_IOC_DMA_MAP) for the request in flight. The
 * driver asks through fpga_dev.dma_addrs with a pointer into the request's
 * buffer; the request is the one this thread is serving (set around the
 * transfer by fpga_dma_begin/end), its addresses fetched once.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends/fpga/fpga.h"

static __thread struct fpga_dma_req *current;

void fpga_dma_begin(struct fpga_dma_req *d, struct vfsd_req *req,
		    const void *buf, size_t len)
{
	*d = (struct fpga_dma_req){ .req = req, .buf = buf, .len = len };
	current = d;
}

void fpga_dma_end(struct fpga_dma_req *d)
{
	free(d->addrs);
	d->addrs = NULL;
	current = NULL;
}

/* The whole request's page addresses, once. */
static int fetch(struct fpga_fs *fs, struct fpga_dma_req *d, size_t page)
{
	unsigned int nr = (unsigned int)((((uintptr_t)d->buf & (page - 1)) +
					  d->len + page - 1) / page);
	int err, tries;

	for (tries = 0; tries < 2; tries++) {
		free(d->addrs);
		d->addrs = malloc(sizeof(*d->addrs) * (nr ? nr : 1));
		if (!d->addrs)
			return -ENOMEM;
		d->nr = nr;
		err = vfsd_req_dma_map(d->req, fs->dma_pci_dev, d->addrs, &d->nr);
		if (err != -ENOSPC)
			break;
		nr = d->nr;	/* the module said how many */
	}
	return err;
}

int fpga_window_dma_addrs(void *ctx, const void *buf, size_t len,
			  uint64_t *addrs, unsigned int max)
{
	struct fpga_fs *fs = ctx;
	struct fpga_dma_req *d = current;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t b = (uintptr_t)buf, base = d ? (uintptr_t)d->buf : 0;
	unsigned int first, n, i;
	int err;

	if (!d || !fs->dma_pci_dev_ok)
		return -EOPNOTSUPP;	/* not a request's window pages */
	if (b < base || len > d->len || b - base > d->len - len)
		return -EINVAL;
	if (!d->addrs && (err = fetch(fs, d, page)))
		return err;
	first = (unsigned int)(((b & ~(page - 1)) - (base & ~(page - 1))) / page);
	n = (unsigned int)(((b & (page - 1)) + len + page - 1) / page);
	for (i = 0; i < n && i < max; i++) {
		if (first + i >= d->nr)
			return -EINVAL;
		addrs[i] = d->addrs[first + i];
	}
	if (i)
		addrs[0] += b & (page - 1);	/* the driver's convention */
	return (int)i;
}
