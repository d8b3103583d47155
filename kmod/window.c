// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: the data window, where the pages of one request are mapped into
 * the server's address space for the lifetime of that request.
 *
 * By default the window is a VM_PFNMAP mapping: pages are inserted as
 * special PTEs, so the server cannot pin them (GUP refuses PFNMAP). A
 * server that set VFSD_SETUP_PIN gets a VM_MIXEDMAP window instead, where
 * page-cache pages are ordinary PTEs its DMA drivers and O_DIRECT can pin
 * and everything else (application pages, bounce pages) stays special.
 * Nothing but this file puts PTEs there. A fault anywhere in the window is
 * a server bug and raises SIGBUS, and so does a store into a page handed
 * over read-only.
 *
 * The safety of the handover must not depend on what the server does with
 * its own address space. Every /dev/vfsd file of a connection has the
 * connection's own address_space as f_mapping (an anonymous inode on a
 * private pseudo filesystem, as DRM does), so every VMA ever made of the
 * window, in whatever mm, is on that mapping's rmap. Taking a request's
 * pages back is unmap_mapping_range() over its window offsets: it finds
 * each PTE through the rmap, not through an address remembered in one mm.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "vfsd_i.h"

#define VFSD_WINDOW_MAGIC	0x76667364	/* "vfsd" */

static int vfsd_winfs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VFSD_WINDOW_MAGIC) ? 0 : -ENOMEM;
}

/* Never registered: it only hands out one anonymous inode per connection. */
static struct file_system_type vfsd_winfs_type = {
	.name = "vfsd_window",
	.owner = THIS_MODULE,
	.init_fs_context = vfsd_winfs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* Mounted while any connection exists (as DRM's anonymous inodes). */
static struct vfsmount *vfsd_winfs_mnt;
static int vfsd_winfs_count;

/* The connection's own address_space, for the rmap of its windows. */
int vfsd_window_inode_alloc(struct vfsd_conn *conn)
{
	struct inode *inode;
	int err;

	err = simple_pin_fs(&vfsd_winfs_type, &vfsd_winfs_mnt,
			    &vfsd_winfs_count);
	if (err)
		return err;
	inode = alloc_anon_inode(vfsd_winfs_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		simple_release_fs(&vfsd_winfs_mnt, &vfsd_winfs_count);
		return PTR_ERR(inode);
	}
	conn->win_inode = inode;
	return 0;
}

void vfsd_window_inode_free(struct vfsd_conn *conn)
{
	if (!conn->win_inode)
		return;
	iput(conn->win_inode);
	conn->win_inode = NULL;
	simple_release_fs(&vfsd_winfs_mnt, &vfsd_winfs_count);
}

/* File offset of window page @page of queue @q. */
static loff_t vfsd_window_pos(struct vfsd_queue *q, unsigned long page)
{
	return (loff_t)VFSD_MMAP_WINDOW(q->index) +
	       ((loff_t)page << PAGE_SHIFT);
}

/* Remove every PTE, in every mm, that maps window pages [first, +nr). */
static void vfsd_window_zap(struct vfsd_queue *q, unsigned long first,
			    unsigned long nr)
{
	unmap_mapping_range(q->conn->win_inode->i_mapping,
			    vfsd_window_pos(q, first),
			    (loff_t)nr << PAGE_SHIFT, 1);
}

static vm_fault_t vfsd_window_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/*
 * A store into a page handed over read-only. Without this hook the fault
 * handler would simply make the PTE writable in a shared writable VMA.
 */
static vm_fault_t vfsd_window_pfn_mkwrite(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/* The same for an ordinary (pinnable) page, including a GUP for write. */
static vm_fault_t vfsd_window_page_mkwrite(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static void vfsd_window_close(struct vm_area_struct *vma)
{
	struct vfsd_queue *q = vma->vm_private_data;

	/*
	 * mmap_lock is held for write: no ENTER is using the window. Only
	 * the window itself ends the bookkeeping, not a temporary copy
	 * that a failed mremap() unmaps again.
	 */
	if (vma->vm_mm == q->win_mm && vma->vm_start == q->win_addr)
		WRITE_ONCE(q->win_addr, 0);
}

/* Splitting or moving the window would break the address bookkeeping. */
static int vfsd_window_may_split(struct vm_area_struct *vma,
				 unsigned long addr)
{
	return -EINVAL;
}

static int vfsd_window_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* Read-only pages must stay read-only, writable ones need no change. */
static int vfsd_window_mprotect(struct vm_area_struct *vma,
				unsigned long start, unsigned long end,
				unsigned long newflags)
{
	return -EACCES;
}

static const struct vm_operations_struct vfsd_window_vm_ops = {
	.fault = vfsd_window_fault,
	.pfn_mkwrite = vfsd_window_pfn_mkwrite,
	.page_mkwrite = vfsd_window_page_mkwrite,
	.close = vfsd_window_close,
	.may_split = vfsd_window_may_split,
	.mremap = vfsd_window_mremap,
	.mprotect = vfsd_window_mprotect,
};

/*
 * A queue belongs to one address space for the connection's life: the
 * first that maps its window or enters it. Returns whether it is ours.
 */
bool vfsd_window_claim(struct vfsd_queue *q)
{
	struct mm_struct *mm = current->mm;

	if (!mm)
		return false;
	if (!READ_ONCE(q->win_mm)) {
		mmgrab(mm);
		if (cmpxchg(&q->win_mm, NULL, mm))
			mmdrop(mm);
	}
	return READ_ONCE(q->win_mm) == mm;
}

int vfsd_window_mmap(struct vfsd_queue *q, struct vm_area_struct *vma)
{
	struct vfsd_conn *conn = q->conn;

	if (vma->vm_end - vma->vm_start != conn->window_size)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (q->win_addr)
		return -EBUSY;
	if (!vfsd_window_claim(q))
		return -EBUSY;
	/*
	 * GUP refuses VM_IO and VM_PFNMAP, so a pinnable window has neither.
	 * Without VM_IO, MADV_DOFORK can give a child a copy: it is on the
	 * same address_space, so every completion zaps it too.
	 */
	if (conn->pinnable)
		vfsd_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTCOPY |
				  VM_DONTEXPAND | VM_DONTDUMP);
	else
		vfsd_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY |
				  VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfsd_window_vm_ops;
	vma->vm_private_data = q;
	/* mmap_lock is held for write: no ENTER is mapping a slot now. */
	vfsd_slots_gone(q);
	WRITE_ONCE(q->win_addr, vma->vm_start);
	return 0;
}

/*
 * The window VMA of the calling server thread, or NULL if it has none.
 * Only the address space that mapped the window may run its queue.
 * Caller holds mmap_lock of current->mm.
 */
struct vm_area_struct *vfsd_window_vma(struct vfsd_queue *q)
{
	unsigned long addr = READ_ONCE(q->win_addr);
	struct vm_area_struct *vma;

	if (!addr || current->mm != q->win_mm)
		return NULL;
	vma = vma_lookup(current->mm, addr);
	if (!vma || vma->vm_ops != &vfsd_window_vm_ops ||
	    vma->vm_private_data != q || vma->vm_start != addr)
		return NULL;
	return vma;
}

/* One PTE: special unless the page is page cache of a pinnable window. */
static int vfsd_window_insert(struct vfsd_conn *conn,
			      struct vm_area_struct *vma, struct vfsd_req *req,
			      unsigned long addr, struct page *page,
			      pgprot_t prot)
{
	if (!conn->pinnable)
		return vmf_insert_pfn_prot(vma, addr, page_to_pfn(page),
					   prot) == VM_FAULT_NOPAGE ? 0 : -ENOMEM;
	if (req->pages_pinnable)
		return vfsd_insert_page_prot(vma, addr, page, prot);
	return vfsd_insert_special_prot(vma, addr, page_to_pfn(page),
					prot) == VM_FAULT_NOPAGE ? 0 : -ENOMEM;
}

/*
 * Map the request's pages at a free run of the window, or its read slot
 * (@tag's). Caller holds q->enter_lock and mmap_lock of the window's mm.
 * Returns -EAGAIN when the window is full (retry after completions free
 * space).
 */
int vfsd_window_map(struct vfsd_queue *q, struct vm_area_struct *vma,
		    struct vfsd_req *req, unsigned long tag)
{
	struct vfsd_conn *conn = q->conn;
	unsigned long start, addr;
	pgprot_t prot;
	unsigned int i;
	int err;

	err = vfsd_slot_map(q, vma, req, tag);
	if (err != -ENOENT)
		return err;
	/* Kept for a read slot, mapped itself after all: clear it now. */
	for (i = 0; req->clear_on_map && i < req->nr_pages; i++)
		clear_highpage(req->pages[i]);
	req->clear_on_map = false;

	start = bitmap_find_next_zero_area(q->win_map, conn->window_pages, 0,
					   req->nr_pages, 0);
	if (start >= conn->window_pages)
		return -EAGAIN;
	bitmap_set(q->win_map, start, req->nr_pages);
	req->win_first = start;

	/*
	 * vm_page_prot is write-protected (pfn_mkwrite asks for write
	 * notification): say explicitly which pages the server may write.
	 */
	prot = vm_get_page_prot(req->pages_readonly ?
				vma->vm_flags & ~VM_WRITE : vma->vm_flags);
	addr = vma->vm_start + (start << PAGE_SHIFT);
	for (i = 0; i < req->nr_pages; i++) {
		if (vfsd_window_insert(q->conn, vma, req,
				       addr + (i << PAGE_SHIFT),
				       req->pages[i], prot)) {
			vfsd_window_zap(q, start, req->nr_pages);
			bitmap_clear(q->win_map, start, req->nr_pages);
			return -ENOMEM;
		}
	}
	req->win_mapped = true;
	atomic64_add((u64)req->nr_pages << PAGE_SHIFT, &conn->bytes_mapped);
	return 0;
}

/*
 * Whether the server's I/O still holds @page after the reply took it out
 * of the window: any pin, or (@refs nonzero) more references than @refs.
 * Some filesystems let go of a finished read's pages a moment later
 * (netfs unpins from a work item), so they get VFSD_HELD_WAIT_MS first.
 * Called where the end of a request may sleep.
 */
bool vfsd_page_held(struct page *page, int refs)
{
	unsigned long end = jiffies + msecs_to_jiffies(VFSD_HELD_WAIT_MS);
	struct folio *folio = page_folio(page);

	for (;;) {
		if (!folio_maybe_dma_pinned(folio) &&
		    (!refs || folio_ref_count(folio) == refs))
			return false;
		if (time_after(jiffies, end))
			return true;
		usleep_range(200, 500);
	}
}

/*
 * The request with this id if it is in flight with pages in the window.
 * Caller holds q->enter_lock, which keeps it so.
 */
struct vfsd_req *vfsd_req_in_window(struct vfsd_queue *q, u64 id)
{
	u64 tag = id & 0xffff;
	struct vfsd_req *req = NULL;

	if (tag >= q->conn->depth)
		return NULL;
	spin_lock(&q->lock);
	if (q->inflight[tag] && q->inflight[tag]->sqe.id == id)
		req = q->inflight[tag];
	spin_unlock(&q->lock);
	if (req && (!req->win_mapped || !req->nr_pages))
		return NULL;
	return req;
}

/*
 * Take the request's pages away from the server: from every address
 * space, whoever completes the request. Caller holds q->enter_lock.
 */
void vfsd_window_unmap(struct vfsd_queue *q, struct vfsd_req *req)
{
	if (!req->win_mapped)
		return;
	vfsd_dma_unmap(req);
	req->win_mapped = false;
	/* A read slot stays: the server keeps it, the kernel copies it. */
	if (req->slot)
		return;
	vfsd_window_zap(q, req->win_first, req->nr_pages);
	bitmap_clear(q->win_map, req->win_first, req->nr_pages);
}

/* Abort: no page of any request stays reachable. Holds q->enter_lock. */
void vfsd_window_zap_all(struct vfsd_queue *q)
{
	if (q->conn->win_inode)
		vfsd_window_zap(q, 0, q->conn->window_pages);
	vfsd_slots_gone(q);
}
