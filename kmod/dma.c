// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: bus addresses of a request's pages for a PCI device the server
 * drives, so that the device's DMA engine, not the CPU, moves the data.
 * A mapping lives exactly as long as the pages are in the server's
 * window: it ends when the request completes or the connection aborts.
 *
 * Without an IOMMU a device can reach any page, so this is for servers
 * trusted with raw I/O (CAP_SYS_RAWIO), like any userspace DMA driver;
 * the server must not complete a request while its DMA is in flight.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "vfsd_i.h"

/* WRITE pages are the device's source, the others its destination. */
static enum dma_data_direction vfsd_dma_dir(struct vfsd_req *req)
{
	return req->pages_readonly ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

static void vfsd_dma_unmap_pages(struct vfsd_req *req, struct device *dev,
				 dma_addr_t *addrs, unsigned int nr)
{
	while (nr--)
		dma_unmap_page(dev, addrs[nr], PAGE_SIZE, vfsd_dma_dir(req));
}

/* Called with q->enter_lock held, when the pages leave the window. */
void vfsd_dma_unmap(struct vfsd_req *req)
{
	if (!req->dma_dev)
		return;
	vfsd_dma_unmap_pages(req, &req->dma_dev->dev, req->dma_addrs,
			     req->nr_pages);
	kvfree(req->dma_addrs);
	req->dma_addrs = NULL;
	pci_dev_put(req->dma_dev);
	req->dma_dev = NULL;
}

static int vfsd_dma_map_pages(struct vfsd_req *req, struct pci_dev *pdev)
{
	dma_addr_t *addrs;
	unsigned int i;

	addrs = kvmalloc_array(req->nr_pages, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	for (i = 0; i < req->nr_pages; i++) {
		/* A read slot is what the server fills, not the cache page. */
		addrs[i] = dma_map_page(&pdev->dev,
					req->slot ? req->slot : req->pages[i], 0,
					PAGE_SIZE, vfsd_dma_dir(req));
		if (dma_mapping_error(&pdev->dev, addrs[i])) {
			vfsd_dma_unmap_pages(req, &pdev->dev, addrs, i);
			kvfree(addrs);
			return -EIO;
		}
	}
	req->dma_addrs = addrs;
	req->dma_dev = pci_dev_get(pdev);
	return 0;
}

/*
 * Fill @out with the request's bus addresses (mapping them at the first
 * call). Returns the number of pages or a negative errno. The addresses
 * are copied to the caller only after enter_lock is dropped: a fault on
 * the user buffer takes mmap_lock, which nests outside enter_lock.
 */
static int vfsd_dma_lookup(struct vfsd_queue *q, u64 id, struct pci_dev *pdev,
			   u64 *out, unsigned int room)
{
	struct vfsd_req *req;
	unsigned int i;
	int ret;

	mutex_lock(&q->enter_lock);
	req = vfsd_req_in_window(q, id);
	ret = -EINVAL;
	if (!req)
		goto out;
	ret = req->nr_pages;
	if (room < req->nr_pages)
		goto out;
	if (req->dma_dev && req->dma_dev != pdev) {
		ret = -EBUSY;
		goto out;
	}
	if (!req->dma_dev) {
		ret = vfsd_dma_map_pages(req, pdev);
		if (ret)
			goto out;
	}
	for (i = 0; i < req->nr_pages; i++)
		out[i] = req->dma_addrs[i];
	ret = req->nr_pages;
out:
	mutex_unlock(&q->enter_lock);
	return ret;
}

long vfsd_ioc_dma_map(struct vfsd_queue *q, struct vfsd_dma_map *m,
		      void __user *argp)
{
	unsigned int room = min_t(u32, m->nr, VFSD_MAX_IO / PAGE_SIZE + 1);
	struct pci_dev *pdev;
	u64 *out;
	int ret;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	/* Bus addresses only for the server that holds the pages mapped. */
	if (!vfsd_window_claim(q))
		return -EPERM;
	if (m->flags)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(m->pci_dev >> 16,
					   (m->pci_dev >> 8) & 0xff,
					   m->pci_dev & 0xff);
	if (!pdev)
		return -ENODEV;
	out = kvmalloc_array(max(room, 1u), sizeof(*out), GFP_KERNEL);
	if (!out) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	ret = vfsd_dma_lookup(q, m->id, pdev, out, room);
	pci_dev_put(pdev);
	if (ret < 0)
		goto out;
	if (ret > m->nr) {
		/* Too little room: say how much is needed. */
		m->nr = ret;
		ret = copy_to_user(argp, m, sizeof(*m)) ? -EFAULT : -ENOSPC;
		goto out;
	}
	m->nr = ret;
	if (copy_to_user(u64_to_user_ptr(m->addrs), out,
			 (size_t)ret * sizeof(*out)) ||
	    copy_to_user(argp, m, sizeof(*m)))
		ret = -EFAULT;
	else
		ret = 0;
out:
	kvfree(out);
	return ret;
}
