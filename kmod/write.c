// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: buffered writes into the page cache, and writeback: runs of
 * contiguous dirty folios are mapped read-only into the server's window as
 * one WRITE of up to max_io bytes, and the server consumes them in place.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>
#include <linux/mm.h>

#include "vfsd_i.h"

/* A file handle the server can write through, or 0 (none open). */
u64 vfsd_write_fh(struct inode *inode)
{
	struct vfsd_inode *vi = VFSD_I(inode);
	struct vfsd_file *vf;
	u64 fh = 0;

	spin_lock(&inode->i_lock);
	vf = list_first_entry_or_null(&vi->write_files, struct vfsd_file,
				      write_entry);
	if (vf)
		fh = vf->fh;
	spin_unlock(&inode->i_lock);
	return fh;
}

/* Read one locked folio synchronously; returns with it locked. */
static int vfsd_read_folio_sync(struct file *file, struct folio *folio)
{
	struct page **pages = kmalloc(sizeof(*pages), GFP_NOFS);

	if (!pages)
		return -ENOMEM;
	folio_get(folio);
	pages[0] = &folio->page;
	vfsd_send_read(folio->mapping->host, file, pages, 1, folio_pos(folio),
		       false);
	folio_lock(folio);
	return folio_test_uptodate(folio) ? 0 : -EIO;
}

static int vfsd_do_write_begin(struct file *file,
			       struct address_space *mapping, loff_t pos,
			       unsigned int len, struct folio **foliop)
{
	struct inode *inode = mapping->host;
	size_t off = offset_in_page(pos);
	struct folio *folio;
	int err;

retry:
	folio = vfsd_grab_folio(mapping, pos >> PAGE_SHIFT);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	*foliop = folio;
	if (folio_test_uptodate(folio) || (off == 0 && len == PAGE_SIZE))
		return 0;
	/* Nothing on the server past EOF: zero what the write leaves. */
	if (folio_pos(folio) >= i_size_read(inode)) {
		folio_zero_segments(folio, 0, off, off + len, PAGE_SIZE);
		return 0;
	}
	err = vfsd_read_folio_sync(file, folio);
	if (folio->mapping != mapping) {
		/* Truncated while we read it. */
		folio_unlock(folio);
		folio_put(folio);
		goto retry;
	}
	if (err) {
		folio_unlock(folio);
		folio_put(folio);
	}
	return err;
}

static int vfsd_do_write_end(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len, unsigned int copied,
			     struct folio *folio)
{
	struct inode *inode = mapping->host;

	if (!folio_test_uptodate(folio)) {
		/* A short copy into a folio we did not read: redo it. */
		if (copied < len) {
			copied = 0;
			goto out;
		}
		folio_mark_uptodate(folio);
	}
	if (pos + copied > i_size_read(inode))
		i_size_write(inode, pos + copied);
	folio_mark_dirty(folio);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

VFSD_DEFINE_WRITE_BEGIN(vfsd_write_begin, vfsd_do_write_begin)
VFSD_DEFINE_WRITE_END(vfsd_write_end, vfsd_do_write_end)

/* A batch of contiguous folios under writeback, not yet sent. */
struct vfsd_wb {
	struct inode *inode;
	struct page **pages;
	unsigned int nr;
	unsigned int max;
	loff_t pos;
	u64 fh;
};

/*
 * A pinnable WRITE replied while the server's I/O still pins a page: the
 * server claims data is stored that its device may still be reading.
 */
static bool vfsd_wb_still_pinned(struct vfsd_req *req)
{
	struct vfsd_conn *conn = req->q->conn;
	unsigned int i;

	if (vfsd_ubuf_held(req)) {
		atomic64_inc(&conn->pins_caught);
		vfsd_warn(conn, "WRITE pages still in the server's io_uring after its reply: EIO\n");
		return true;
	}
	for (i = 0; i < req->nr_pages; i++) {
		if (vfsd_page_held(req->pages[i], 0)) {
			atomic64_inc(&conn->pins_caught);
			vfsd_warn(conn, "WRITE page still pinned after its reply: EIO\n");
			return true;
		}
	}
	return false;
}

/*
 * Folios under writeback pin the inode (eviction waits for them), so the
 * inode is touched only before the last folio_end_writeback().
 */
static void vfsd_write_end_io(struct vfsd_req *req)
{
	struct inode *inode = req->end_data;
	int err = req->result;
	unsigned int i;

	if (err >= 0 && err != req->sqe.len)
		err = -EIO;	/* writeback cannot be partial */
	if (err >= 0 && req->pages_pinnable && vfsd_wb_still_pinned(req))
		err = -EIO;	/* the device may not have read it all yet */
	if (err < 0)
		mapping_set_error(inode->i_mapping, err);
	/* mtime and blocks changed on the server. */
	vfsd_expire_attr(inode);
	for (i = 0; i < req->nr_pages; i++) {
		struct folio *folio = page_folio(req->pages[i]);

		folio_end_writeback(folio);
		folio_put(folio);
	}
}

static void vfsd_wb_fail(struct inode *inode, struct page **pages,
			 unsigned int nr, int err)
{
	mapping_set_error(inode->i_mapping, err);
	while (nr--) {
		end_page_writeback(pages[nr]);
		put_page(pages[nr]);
	}
	kfree(pages);
}

static void vfsd_wb_send(struct vfsd_wb *wb)
{
	struct inode *inode = wb->inode;
	loff_t size = i_size_read(inode);
	struct page **pages = wb->pages;
	unsigned int nr = wb->nr;
	struct vfsd_req *req;
	loff_t len;
	int err;

	wb->pages = NULL;
	wb->nr = 0;
	len = min_t(loff_t, (loff_t)nr << PAGE_SHIFT, size - wb->pos);
	if (len <= 0) {
		/* Truncated away meanwhile: nothing left to write. */
		vfsd_wb_fail(inode, pages, nr, 0);
		return;
	}
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_WRITE,
			     vfsd_nodeid(inode), 0, 0, GFP_NOFS);
	if (IS_ERR(req)) {
		vfsd_wb_fail(inode, pages, nr, PTR_ERR(req));
		return;
	}
	req->pages = pages;
	req->nr_pages = nr;
	req->pages_readonly = true;
	req->pages_pinnable = req->q->conn->pinnable;
	req->sqe.offset = wb->pos;
	req->sqe.len = len;
	req->sqe.fh = wb->fh;
	req->end = vfsd_write_end_io;
	req->end_data = inode;
	vfsd_req_steer_away(req);
	err = vfsd_req_send_async(req);
	if (err) {
		req->pages = NULL;
		req->end = NULL;
		vfsd_req_put(req);
		vfsd_wb_fail(inode, pages, nr, err);
		return;
	}
	vfsd_req_put(req);
}

static int vfsd_writepage_one(struct folio *folio,
			      struct writeback_control *wbc, void *data)
{
	struct vfsd_wb *wb = data;
	loff_t pos = folio_pos(folio);

	if (wb->nr && (pos != wb->pos + ((loff_t)wb->nr << PAGE_SHIFT) ||
		       wb->nr == wb->max))
		vfsd_wb_send(wb);
	if (!wb->pages) {
		wb->pages = kmalloc_array(wb->max, sizeof(*wb->pages),
					  GFP_NOFS);
		if (!wb->pages) {
			folio_redirty_for_writepage(wbc, folio);
			folio_unlock(folio);
			return -ENOMEM;
		}
		wb->pos = pos;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);
	folio_get(folio);
	wb->pages[wb->nr++] = &folio->page;
	return 0;
}

int vfsd_writepages(struct address_space *mapping,
		    struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct vfsd_wb wb = {
		.inode = inode,
		.max = VFSD_M(inode->i_sb)->conn->max_io >> PAGE_SHIFT,
		.fh = vfsd_write_fh(inode),
	};
	int err;

	err = vfsd_write_cache_pages(mapping, wbc, vfsd_writepage_one, &wb);
	if (wb.nr)
		vfsd_wb_send(&wb);
	kfree(wb.pages);
	return err;
}

/* A shared mapping is about to dirty a folio: wait out its writeback. */
static vm_fault_t vfsd_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct inode *inode = file_inode(vmf->vma->vm_file);

	file_update_time(vmf->vma->vm_file);
	folio_lock(folio);
	if (folio->mapping != inode->i_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE;
	}
	folio_wait_stable(folio);
	return VM_FAULT_LOCKED;
}

const struct vm_operations_struct vfsd_file_vm_ops = {
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = vfsd_page_mkwrite,
};

const struct address_space_operations vfsd_aops = {
	.read_folio = vfsd_read_folio,
	.readahead = vfsd_readahead,
	.writepages = vfsd_writepages,
	.dirty_folio = filemap_dirty_folio,
	.write_begin = vfsd_write_begin,
	.write_end = vfsd_write_end,
	.migrate_folio = filemap_migrate_folio,
	/* O_DIRECT goes through vfsd_direct_io(); this only allows open. */
	.direct_IO = noop_direct_IO,
};

/* Wait for writeback in [start, end] to end; a fatal signal ends the wait. */
static int vfsd_wait_writeback_killable(struct address_space *mapping,
					loff_t start, loff_t end)
{
	pgoff_t index = start >> PAGE_SHIFT, last = end >> PAGE_SHIFT;
	struct folio_batch fbatch;
	unsigned int i, nr;
	int err = 0;

	folio_batch_init(&fbatch);
	while (!err && (nr = filemap_get_folios_tag(mapping, &index, last,
						    PAGECACHE_TAG_WRITEBACK,
						    &fbatch))) {
		for (i = 0; !err && i < nr; i++)
			err = folio_wait_writeback_killable(fbatch.folios[i]);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return err;
}

/*
 * filemap_write_and_wait_range() for flush, fsync and release, whose
 * waits a fatal signal ends, so a task a hung server owes a WRITE reply
 * can still be killed. An exiting task (its SIGKILL already dequeued, no
 * one to get the result) only starts writeback. Returns 0 or -errno; the
 * caller reports writeback errors as its call does.
 */
int vfsd_write_and_wait(struct address_space *mapping, loff_t start,
			loff_t end)
{
	int err;

	if (current->flags & PF_EXITING) {
		vfsd_flush_range(mapping, start, end);
		return 0;
	}
	/* WB_SYNC_ALL would wait unkillably for writeback already running. */
	err = vfsd_wait_writeback_killable(mapping, start, end);
	if (!err)
		err = filemap_fdatawrite_range(mapping, start, end);
	if (!err)
		err = vfsd_wait_writeback_killable(mapping, start, end);
	return err;
}
