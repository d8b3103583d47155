// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: read slots (VFSD_SETUP_READ_SLOTS). A READ of one page is served
 * in a page of the queue's own, one per tag, that stays mapped at the end
 * of the window; the kernel copies the reply's bytes into the page cache
 * when it consumes the completion.
 *
 * Why: handing the page-cache page itself over means taking it back at
 * completion, and unmapping a page from an address space whose threads run
 * on other CPUs costs each of those CPUs an interrupt (TLB shootdown),
 * which may cost more than copying 4 KiB (under TCG the two measured the
 * same: tests/bench/README.md, "Read slots"). The slot never leaves the
 * server, so nothing has to be taken back: what the server stores there
 * after the copy reaches no file, and the slot is zeroed before every READ
 * so a server never sees more than it wrote itself.
 *
 * Slot pages are the queue's until the connection is freed, which is after
 * the last window VMA is gone (every VMA holds the /dev/vfsd file): the
 * special PTEs that map them never outlive them.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/bitmap.h>
#include <linux/slab.h>

#include "vfsd_i.h"

/* Slots per queue for a window of @window_pages and @depth tags. */
unsigned int vfsd_read_slots_for(unsigned int depth, unsigned int window_pages)
{
	return min3(depth, (unsigned int)VFSD_READ_SLOTS_MAX, window_pages / 8);
}

/* The slots' window pages are never handed out for anything else. */
int vfsd_slots_init(struct vfsd_queue *q)
{
	struct vfsd_conn *conn = q->conn;

	if (!conn->read_slots)
		return 0;
	q->slots = kcalloc(conn->read_slots, sizeof(*q->slots), GFP_KERNEL);
	q->slots_mapped = bitmap_zalloc(conn->read_slots, GFP_KERNEL);
	if (!q->slots || !q->slots_mapped)
		return -ENOMEM;
	bitmap_set(q->win_map, conn->window_pages - conn->read_slots,
		   conn->read_slots);
	return 0;
}

void vfsd_slots_free(struct vfsd_queue *q)
{
	unsigned int i;

	for (i = 0; q->slots && i < q->conn->read_slots; i++)
		if (q->slots[i])
			put_page(q->slots[i]);
	kfree(q->slots);
	q->slots = NULL;
	bitmap_free(q->slots_mapped);
	q->slots_mapped = NULL;
}

/*
 * No slot PTE exists any more (a new window VMA, or all zapped). Caller
 * holds mmap_lock for write or q->enter_lock: vfsd_slot_map() holds both.
 */
void vfsd_slots_gone(struct vfsd_queue *q)
{
	if (q->slots_mapped)
		bitmap_zero(q->slots_mapped, q->conn->read_slots);
}

/*
 * Map the slot of @tag for @req, zeroed, writable. Returns 0, -ENOENT when
 * the request does not go through a slot (hand its pages over instead),
 * or -ENOMEM. Caller holds q->enter_lock and mmap_lock of the window's mm.
 */
int vfsd_slot_map(struct vfsd_queue *q, struct vm_area_struct *vma,
		  struct vfsd_req *req, unsigned long tag)
{
	struct vfsd_conn *conn = q->conn;
	unsigned long index;
	struct page *page;
	vm_fault_t ret;

	if (!req->slot_ok || tag >= conn->read_slots)
		return -ENOENT;
	page = q->slots[tag];
	if (!page) {
		/* The server's to keep: charged to its memory cgroup. */
		page = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!page)
			return -ENOENT;	/* the page itself, then */
		q->slots[tag] = page;
	}
	/* The last READ's bytes are the server's; still, READs arrive zeroed. */
	clear_highpage(page);

	index = conn->window_pages - conn->read_slots + tag;
	/* Mapped once per window VMA, writable (vm_page_prot is not). */
	if (!test_bit(tag, q->slots_mapped)) {
		ret = vmf_insert_pfn_prot(vma,
					  vma->vm_start + (index << PAGE_SHIFT),
					  page_to_pfn(page),
					  vm_get_page_prot(vma->vm_flags));
		if (ret != VM_FAULT_NOPAGE)
			return -ENOMEM;
		set_bit(tag, q->slots_mapped);
	}
	req->slot = page;
	req->win_first = index;
	req->win_mapped = true;
	return 0;
}

/*
 * The completion of a READ in a slot is being consumed: copy what the
 * reply says it wrote into the page-cache page (the rest is zeroed by the
 * READ's end). Copied here, under q->enter_lock, because once the tag is
 * free the next READ may take the slot. Caller validated @result.
 */
void vfsd_slot_take(struct vfsd_queue *q, struct vfsd_req *req, int result)
{
	size_t n = min_t(size_t, result > 0 ? result : 0, PAGE_SIZE);

	if (!req->slot)
		return;
	if (n) {
		/* copy_page() for the common full page: rep movsq, not movsb. */
		if (n == PAGE_SIZE)
			copy_highpage(req->pages[0], req->slot);
		else
			memcpy_page(req->pages[0], 0, req->slot, 0, n);
		flush_dcache_page(req->pages[0]);
		atomic64_add(n, &q->conn->bytes_copied);
		atomic64_add(n, &q->conn->bytes_slot);
	}
	req->slot = NULL;
}
