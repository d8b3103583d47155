// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: the data window, where the pages of one request are mapped into
 * the server's address space for the lifetime of that request.
 *
 * The window is a VM_PFNMAP mapping: pages are inserted as special PTEs,
 * so the server cannot pin them (GUP refuses PFNMAP), and nothing but this
 * file puts PTEs there. Every request's range is zapped before the request
 * completes, so the server never keeps access to a page it no longer owns.
 * A fault anywhere in the window is a server bug and raises SIGBUS.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/bitmap.h>

#include "vfsd_i.h"

static vm_fault_t vfsd_window_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static void vfsd_window_close(struct vm_area_struct *vma)
{
	struct vfsd_queue *q = vma->vm_private_data;

	/* mmap_lock is held for write: no ENTER is using the window. */
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

static const struct vm_operations_struct vfsd_window_vm_ops = {
	.fault = vfsd_window_fault,
	.close = vfsd_window_close,
	.may_split = vfsd_window_may_split,
	.mremap = vfsd_window_mremap,
};

int vfsd_window_mmap(struct vfsd_queue *q, struct vm_area_struct *vma)
{
	struct vfsd_conn *conn = q->conn;

	if (vma->vm_end - vma->vm_start != conn->window_size)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (q->win_addr)
		return -EBUSY;
	/* The window belongs to one address space for the connection's life. */
	if (q->win_mm && q->win_mm != current->mm)
		return -EBUSY;
	if (!q->win_mm) {
		mmgrab(current->mm);
		q->win_mm = current->mm;
	}
	vfsd_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY |
			  VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfsd_window_vm_ops;
	vma->vm_private_data = q;
	WRITE_ONCE(q->win_addr, vma->vm_start);
	return 0;
}

/* The window VMA in @mm, or NULL. Caller holds mmap_lock of @mm. */
struct vm_area_struct *vfsd_window_vma(struct vfsd_queue *q,
				       struct mm_struct *mm)
{
	unsigned long addr = READ_ONCE(q->win_addr);
	struct vm_area_struct *vma;

	if (!addr || !mm || mm != q->win_mm)
		return NULL;
	vma = vma_lookup(mm, addr);
	if (!vma || vma->vm_ops != &vfsd_window_vm_ops ||
	    vma->vm_private_data != q || vma->vm_start != addr)
		return NULL;
	return vma;
}

/*
 * Map the request's pages at a free run of the window. Caller holds
 * q->enter_lock and mmap_lock of the window's mm. Returns -EAGAIN when the
 * window is full (retry after completions free space).
 */
int vfsd_window_map(struct vfsd_queue *q, struct vm_area_struct *vma,
		    struct vfsd_req *req)
{
	struct vfsd_conn *conn = q->conn;
	unsigned long start, addr;
	pgprot_t prot = vma->vm_page_prot;
	unsigned int i;

	start = bitmap_find_next_zero_area(q->win_map, conn->window_pages, 0,
					   req->nr_pages, 0);
	if (start >= conn->window_pages)
		return -EAGAIN;
	bitmap_set(q->win_map, start, req->nr_pages);
	req->win_first = start;

	if (req->pages_readonly)
		prot = vm_get_page_prot(vma->vm_flags & ~VM_WRITE);

	addr = vma->vm_start + (start << PAGE_SHIFT);
	for (i = 0; i < req->nr_pages; i++) {
		vm_fault_t ret;

		ret = vmf_insert_pfn_prot(vma, addr + (i << PAGE_SHIFT),
					  page_to_pfn(req->pages[i]), prot);
		if (ret != VM_FAULT_NOPAGE) {
			if (i)
				zap_vma_ptes(vma, addr, i << PAGE_SHIFT);
			bitmap_clear(q->win_map, start, req->nr_pages);
			return -ENOMEM;
		}
	}
	req->win_mapped = true;
	atomic64_add((u64)req->nr_pages << PAGE_SHIFT, &conn->bytes_mapped);
	return 0;
}

/* Take the request's pages away from the server. Same locking as map. */
void vfsd_window_unmap(struct vfsd_queue *q, struct vm_area_struct *vma,
		       struct vfsd_req *req)
{
	if (!req->win_mapped)
		return;
	vfsd_dma_unmap(req);
	if (vma)
		zap_vma_ptes(vma, vma->vm_start +
			     ((unsigned long)req->win_first << PAGE_SHIFT),
			     (unsigned long)req->nr_pages << PAGE_SHIFT);
	/*
	 * Without a VMA the window is gone from the server's address space
	 * already (munmap or exit removed every PTE in it).
	 */
	bitmap_clear(q->win_map, req->win_first, req->nr_pages);
	req->win_mapped = false;
}

/*
 * Abort from any context: zap the whole window in the server's mm so no
 * request's pages stay reachable. Caller holds q->enter_lock.
 */
void vfsd_window_zap_all(struct vfsd_queue *q)
{
	struct mm_struct *mm = q->win_mm;
	struct vm_area_struct *vma;

	if (!mm || !mmget_not_zero(mm))
		return;
	mmap_read_lock(mm);
	vma = vfsd_window_vma(q, mm);
	if (vma)
		zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
	mmap_read_unlock(mm);
	mmput(mm);
}
