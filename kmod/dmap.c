// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: direct map. A server registers a range of a PCI memory BAR (card
 * memory) as a region; a file it opens with VFSD_FOPEN_DIRECT_MAP is that
 * region. mmap maps the device pages straight into the application (like
 * DAX), read and write copy between them and the caller's buffer. There is
 * no page cache and no request on the data path.
 *
 * Regions are refcounted: the connection's table, every open file and
 * every mapping hold a reference, so a region outlives its removal for as
 * long as anyone still uses it.
 */
#include <linux/capability.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "vfsd_i.h"

struct vfsd_dmap {
	struct kref ref;
	struct pci_dev *pdev;
	phys_addr_t phys;
	u64 len;
	void *va;		/* memremap()ed write-combining */
};

static void vfsd_dmap_release(struct kref *ref)
{
	struct vfsd_dmap *d = container_of(ref, struct vfsd_dmap, ref);

	memunmap(d->va);
	pci_dev_put(d->pdev);
	kfree(d);
}

void vfsd_dmap_put(struct vfsd_dmap *d)
{
	if (d)
		kref_put(&d->ref, vfsd_dmap_release);
}

/* A reference to region @id of @conn, or NULL. */
struct vfsd_dmap *vfsd_dmap_get(struct vfsd_conn *conn, u32 id)
{
	struct vfsd_dmap *d;

	xa_lock(&conn->dmaps);
	d = xa_load(&conn->dmaps, id);
	if (d)
		kref_get(&d->ref);
	xa_unlock(&conn->dmaps);
	return d;
}

static int vfsd_dmap_check(struct pci_dev *pdev, const struct vfsd_dmap_add *a)
{
	if (a->flags || a->bar >= PCI_STD_NUM_BARS || !a->length ||
	    !PAGE_ALIGNED(a->offset) || !PAGE_ALIGNED(a->length))
		return -EINVAL;
	/*
	 * Only memory, never registers: the region is mapped write-combined
	 * and read speculatively, which only a prefetchable BAR tolerates.
	 */
	if ((pci_resource_flags(pdev, a->bar) &
	     (IORESOURCE_MEM | IORESOURCE_PREFETCH)) !=
	    (IORESOURCE_MEM | IORESOURCE_PREFETCH))
		return -EINVAL;
	/* A device a kernel driver owns is that driver's, not the server's. */
	if (pdev->dev.driver)
		return -EBUSY;
	if (a->offset >= pci_resource_len(pdev, a->bar) ||
	    a->length > pci_resource_len(pdev, a->bar) - a->offset)
		return -EINVAL;
	return 0;
}

long vfsd_ioc_dmap_add(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_dmap_add a;
	struct pci_dev *pdev;
	struct vfsd_dmap *d;
	u32 id;
	int err;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	pdev = pci_get_domain_bus_and_slot(a.pci_dev >> 16,
					   (a.pci_dev >> 8) & 0xff,
					   a.pci_dev & 0xff);
	if (!pdev)
		return -ENODEV;
	err = vfsd_dmap_check(pdev, &a);
	if (err)
		goto out_put;
	err = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto out_put;
	kref_init(&d->ref);
	d->pdev = pdev;
	d->phys = pci_resource_start(pdev, a.bar) + a.offset;
	d->len = a.length;
	d->va = memremap(d->phys, d->len, MEMREMAP_WC);
	if (!d->va) {
		kfree(d);
		goto out_put;
	}
	err = xa_alloc(&conn->dmaps, &id, d, xa_limit_31b, GFP_KERNEL);
	if (err) {
		vfsd_dmap_put(d);
		return err;
	}
	a.id = id;
	if (copy_to_user(argp, &a, sizeof(a))) {
		vfsd_dmap_put(xa_erase(&conn->dmaps, id));
		return -EFAULT;
	}
	return 0;
out_put:
	pci_dev_put(pdev);
	return err;
}

long vfsd_ioc_dmap_remove(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_dmap *d;
	u32 id;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (get_user(id, (u32 __user *)argp))
		return -EFAULT;
	d = xa_erase(&conn->dmaps, id);
	if (!d)
		return -ENOENT;
	vfsd_dmap_put(d);
	return 0;
}

void vfsd_dmaps_destroy(struct vfsd_conn *conn)
{
	struct vfsd_dmap *d;
	unsigned long id;

	xa_for_each(&conn->dmaps, id, d)
		vfsd_dmap_put(xa_erase(&conn->dmaps, id));
	xa_destroy(&conn->dmaps);
}

static struct vfsd_dmap *vfsd_file_dmap(struct file *file)
{
	return ((struct vfsd_file *)file->private_data)->dmap;
}

/* The bytes of [pos, pos + count) that lie in both the file and region. */
static size_t vfsd_dmap_span(struct vfsd_dmap *d, struct inode *inode,
			     loff_t pos, size_t count)
{
	u64 end = min_t(u64, i_size_read(inode), d->len);

	if (pos < 0 || (u64)pos >= end)
		return 0;
	return min_t(u64, count, end - pos);
}

static ssize_t vfsd_dmap_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct vfsd_dmap *d = vfsd_file_dmap(iocb->ki_filp);
	size_t n = vfsd_dmap_span(d, inode, iocb->ki_pos, iov_iter_count(to));
	size_t done;

	if (!n)
		return 0;
	done = copy_to_iter(d->va + iocb->ki_pos, n, to);
	if (!done)
		return -EFAULT;
	atomic64_add(done, &VFSD_M(inode->i_sb)->conn->bytes_direct);
	iocb->ki_pos += done;
	return done;
}

static ssize_t vfsd_dmap_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct vfsd_dmap *d = vfsd_file_dmap(iocb->ki_filp);
	ssize_t ret;
	size_t n;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	n = vfsd_dmap_span(d, inode, iocb->ki_pos, ret);
	ret = -ENOSPC;	/* the region is as large as the file */
	if (!n)
		goto out;
	ret = file_update_time(iocb->ki_filp);
	if (ret)
		goto out;
	ret = copy_from_iter(d->va + iocb->ki_pos, n, from);
	/* Drain the write-combining buffers: the card has the data now. */
	wmb();
	if (!ret) {
		ret = -EFAULT;
		goto out;
	}
	atomic64_add(ret, &VFSD_M(inode->i_sb)->conn->bytes_direct);
	iocb->ki_pos += ret;
out:
	inode_unlock(inode);
	return ret;
}

static void vfsd_dmap_vm_open(struct vm_area_struct *vma)
{
	struct vfsd_dmap *d = vma->vm_private_data;

	kref_get(&d->ref);
}

static void vfsd_dmap_vm_close(struct vm_area_struct *vma)
{
	vfsd_dmap_put(vma->vm_private_data);
}

static const struct vm_operations_struct vfsd_dmap_vm_ops = {
	.open = vfsd_dmap_vm_open,
	.close = vfsd_dmap_vm_close,
};

static int vfsd_dmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vfsd_dmap *d = vfsd_file_dmap(file);
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	int err;

	if (off >= d->len || len > d->len - off)
		return -ENXIO;
	/* A private writable mapping would copy device pages on write. */
	if (!(vma->vm_flags & VM_SHARED)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vfsd_vm_flags_clear(vma, VM_MAYWRITE);
	}
	file_accessed(file);
	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	err = io_remap_pfn_range(vma, vma->vm_start,
				 (d->phys + off) >> PAGE_SHIFT, len,
				 vma->vm_page_prot);
	if (err)
		return err;
	vma->vm_ops = &vfsd_dmap_vm_ops;
	vma->vm_private_data = d;
	vfsd_dmap_vm_open(vma);
	return 0;
}

static int vfsd_dmap_fsync(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	/* Stores went straight to the card; make sure they left the CPU. */
	wmb();
	return 0;
}

static const struct file_operations vfsd_dmap_fops = {
	.llseek = generic_file_llseek,
	.read_iter = vfsd_dmap_read_iter,
	.write_iter = vfsd_dmap_write_iter,
	.mmap = vfsd_dmap_mmap,
	.fsync = vfsd_dmap_fsync,
	.release = vfsd_file_release,
};

/*
 * The server opened the file as direct-mapped region @id: switch the file
 * to the region's operations. Cached pages of earlier opens go first.
 */
int vfsd_dmap_open(struct inode *inode, struct file *file, u32 id)
{
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	struct vfsd_file *vf = file->private_data;
	int err;

	vf->dmap = vfsd_dmap_get(conn, id);
	if (!vf->dmap) {
		vfsd_bad_reply(conn, "open names unknown direct-map region %u\n",
			       id);
		return -EIO;
	}
	err = filemap_write_and_wait(inode->i_mapping);
	if (!err)
		err = invalidate_inode_pages2(inode->i_mapping);
	if (err)
		return err;
	replace_fops(file, &vfsd_dmap_fops);
	return 0;
}
