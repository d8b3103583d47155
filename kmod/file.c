// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: regular files. Reads fill page-cache folios that the server writes
 * in place through its window; no bounce buffer, no copy in the module.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/swap.h>
#include <linux/writeback.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/highmem.h>
#include <linux/falloc.h>
#include <linux/log2.h>

#include "vfsd_i.h"

static bool vfsd_file_writable(struct file *file)
{
	return file->f_mode & FMODE_WRITE;
}

static int vfsd_file_open(struct inode *inode, struct file *file)
{
	int err;

	err = generic_file_open(inode, file);
	if (err)
		return err;
	/* O_APPEND and SEEK_END need the server's current size. */
	err = vfsd_refresh_attr(inode, false);
	if (err)
		return err;
	err = vfsd_open_common(inode, file, false);
	if (err)
		return err;
	err = vfsd_file_opened(inode, file);
	if (err) {
		vfsd_send_release(inode, file, VFSD_OP_RELEASE);
		file->private_data = NULL;
	}
	return err;
}

/* Set up a file the server has just opened (OPEN or CREATE). */
int vfsd_file_opened(struct inode *inode, struct file *file)
{
	struct vfsd_file *vf = file->private_data;

	if (vf->open_flags & VFSD_FOPEN_DIRECT_MAP) {
		int err = vfsd_dmap_open(inode, file, vf->dmap_id);

		if (err)
			return err;
	}

	vf->f_flags = file->f_flags;
	if (!(vf->open_flags & VFSD_FOPEN_DIRECT_MAP)) {
		/* read_iter/write_iter honour IOCB_NOWAIT (io_uring). */
		file->f_mode |= FMODE_NOWAIT;
		vfsd_set_buf_rasync(file);
	}
	if (!(vf->open_flags & VFSD_FOPEN_KEEP_CACHE) &&
	    !vfsd_size_is_local(inode))
		invalidate_inode_pages2(inode->i_mapping);
	if (vf->open_flags & VFSD_FOPEN_NONSEEKABLE)
		nonseekable_open(inode, file);
	if (vfsd_file_writable(file)) {
		spin_lock(&inode->i_lock);
		list_add(&vf->write_entry, &VFSD_I(inode)->write_files);
		spin_unlock(&inode->i_lock);
	}
	return 0;
}

int vfsd_file_release(struct inode *inode, struct file *file)
{
	struct vfsd_file *vf = file->private_data;

	if (vf && vfsd_file_writable(file)) {
		/* Push what this handle dirtied while the server knows it. */
		vfsd_write_and_wait(inode->i_mapping, 0, LLONG_MAX);
		spin_lock(&inode->i_lock);
		list_del_init(&vf->write_entry);
		spin_unlock(&inode->i_lock);
	}
	vfsd_send_release(inode, file, VFSD_OP_RELEASE);
	return 0;
}

/* A request with no payload on an open file; ENOSYS disables the op. */
static int vfsd_file_simple(struct file *file, u8 opcode, u32 arg,
			    bool *unsupported)
{
	struct inode *inode = file_inode(file);
	struct vfsd_file *vf = file->private_data;
	struct vfsd_req *req;
	int err;

	if (READ_ONCE(*unsupported))
		return 0;
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, opcode,
			     vfsd_nodeid(inode), 0, 0, GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->sqe.fh = vf->fh;
	req->sqe.arg = arg;
	err = vfsd_req_send_wait(req);
	vfsd_req_put(req);
	if (err == -ENOSYS) {
		WRITE_ONCE(*unsupported, true);
		err = 0;
	}
	return err;
}

/* Every close(): write back and report errors of earlier writeback. */
static int vfsd_file_flush(struct file *file, fl_owner_t id)
{
	struct inode *inode = file_inode(file);
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	int err = 0, err2;

	if (vfsd_file_writable(file)) {
		err = vfsd_write_and_wait(inode->i_mapping, 0, LLONG_MAX);
		if (!err)
			err = filemap_check_errors(inode->i_mapping);
	}
	/* An exiting task gets no result: do not wait for the server. */
	if (!READ_ONCE(conn->connected) || (current->flags & PF_EXITING))
		return err;
	err2 = vfsd_file_simple(file, VFSD_OP_FLUSH, 0, &conn->no_flush);
	return err ? err : err2;
}

static int vfsd_file_fsync(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	struct inode *inode = file_inode(file);
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	int err;

	err = vfsd_write_and_wait(inode->i_mapping, start, end);
	if (!err)
		err = file_check_and_advance_wb_err(file);
	if (err)
		return err;
	return vfsd_file_simple(file, VFSD_OP_FSYNC, datasync ? 1 : 0,
				&conn->no_fsync);
}

/*
 * Pinnable READ, page @i: the server filled a fresh page. Unless its I/O
 * still holds it (a pin, or a driver's get_user_pages(): the device may
 * still write it), it becomes file data: readahead's folio is replaced by
 * it in the page cache; a caller waiting on its own folio (read_folio,
 * write_begin) needs that folio uptodate, so the bytes are copied into it
 * (counted in bytes_copied). Returns the folio to finish, with a
 * reference for the caller, or NULL with nothing done (data dropped).
 */
static struct folio *vfsd_read_adopt(struct vfsd_req *req, unsigned int i)
{
	struct folio *cache = page_folio(req->cache_pages[i]);
	struct folio *fresh = page_folio(req->pages[i]);

	if (vfsd_page_held(req->pages[i], 1))
		return NULL;
	if (!req->read_replace) {
		copy_highpage(&cache->page, &fresh->page);
		atomic64_add(PAGE_SIZE, &req->q->conn->bytes_copied);
		folio_put(fresh);
		return cache;
	}
	/* Dirty from the server's stores; it was never page cache yet. */
	folio_clear_dirty(fresh);
	__folio_set_locked(fresh);
	/*
	 * Readahead marks one folio to start the next window when a reader
	 * reaches it: without the mark every window after the first would
	 * be a small synchronous one.
	 */
	if (folio_test_readahead(cache))
		folio_set_readahead(fresh);
	vfsd_replace_cache_folio(cache, fresh);
	folio_add_lru(fresh);
	/* Out of the cache and never uptodate: nobody reads it. */
	folio_unlock(cache);
	folio_put(cache);
	return fresh;
}

/* Completion of a READ: the folios are the request's pages, in order. */
static void vfsd_read_end(struct vfsd_req *req)
{
	size_t done = req->result > 0 ? req->result : 0;
	bool dropped = false, held;
	unsigned int i;

	/* Still in the server's io_uring: it may write them yet. */
	held = req->result >= 0 && vfsd_ubuf_held(req);

	for (i = 0; i < req->nr_pages; i++) {
		struct folio *folio = page_folio(req->pages[i]);
		size_t start = (size_t)i << PAGE_SHIFT;
		bool ok = req->result >= 0;

		if (req->cache_pages) {
			folio = ok && !held ? vfsd_read_adopt(req, i) : NULL;
			if (!folio) {
				dropped |= ok;
				ok = false;
				put_page(req->pages[i]);
				folio = page_folio(req->cache_pages[i]);
			}
		}
		if (ok) {
			/* Short read: the rest is past EOF, zero it. */
			if (done < start + PAGE_SIZE)
				folio_zero_segment(folio,
						   done > start ? done - start : 0,
						   PAGE_SIZE);
			folio_mark_uptodate(folio);
		}
		folio_unlock(folio);
		folio_put(folio);
	}
	if (dropped) {
		atomic64_inc(&req->q->conn->pins_caught);
		vfsd_warn(req->q->conn,
			  "READ pages still held by the server after its reply: data dropped\n");
	}
}

/*
 * Pinnable READ: fresh zeroed pages for the server to fill, so that its
 * devices may pin them (the locked cache folios cannot be: a driver's
 * set_page_dirty_lock() would wait for this very READ). Returns one array,
 * fresh pages then the cache folios, or NULL to hand the folios over as
 * unpinnable special PTEs instead.
 */
static struct page **vfsd_read_stage(struct inode *inode, struct page **pages,
				     unsigned int nr)
{
	gfp_t gfp = (mapping_gfp_mask(inode->i_mapping) & ~__GFP_FS) |
		    __GFP_ZERO | __GFP_NOWARN;
	struct page **staged;
	unsigned int i;

	staged = kmalloc_array(2 * nr, sizeof(*staged), GFP_NOFS);
	if (!staged)
		return NULL;
	for (i = 0; i < nr; i++) {
		staged[i] = alloc_page(gfp);
		if (!staged[i])
			goto fail;
		staged[nr + i] = pages[i];
	}
	return staged;
fail:
	while (i--)
		put_page(staged[i]);
	kfree(staged);
	return NULL;
}

/* Reads up to this many pages are waited for by spinning, if at all. */
#define VFSD_SPIN_READ_PAGES	16

/*
 * Send one READ for @nr locked folios at @pos. On failure to send, the
 * folios are unlocked (not uptodate) so readers see the error.
 */
void vfsd_send_read(struct inode *inode, struct file *file,
		    struct page **pages, unsigned int nr, loff_t pos,
		    bool background)
{
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	struct vfsd_file *vf = file ? file->private_data : NULL;
	struct page **staged = NULL;
	struct vfsd_req *req;
	unsigned int i;
	int err;

	req = vfsd_req_alloc(conn, VFSD_OP_READ, vfsd_nodeid(inode), 0, 0,
			     GFP_NOFS);
	if (IS_ERR(req)) {
		if (background)
			vfsd_bg_put(conn);
		err = PTR_ERR(req);
		goto fail;
	}
	if (background)
		vfsd_req_set_background(req);
	staged = conn->pinnable ? vfsd_read_stage(inode, pages, nr) : NULL;
	if (staged) {
		kfree(pages);
		pages = staged + nr;	/* the cache folios, for failure */
		req->pages = staged;
		req->cache_pages = staged + nr;
		req->pages_pinnable = true;
		/*
		 * Readahead's folios are only the page cache's: replaced by
		 * the server's. Other callers wait on their own folio.
		 */
		req->read_replace = background;
	} else {
		/*
		 * The server sees these pages before it fills them: never
		 * what their last owner left there (free when allocation
		 * zeroes anyway). A page that may go through a read slot is
		 * cleared only if it is mapped itself after all.
		 */
		req->slot_ok = nr == 1 && conn->read_slots;
		if (!want_init_on_alloc(mapping_gfp_mask(inode->i_mapping))) {
			if (req->slot_ok)
				req->clear_on_map = true;
			else
				for (i = 0; i < nr; i++)
					clear_highpage(pages[i]);
		}
		req->pages = pages;
	}
	req->nr_pages = nr;
	req->sqe.offset = pos;
	req->sqe.len = nr << PAGE_SHIFT;
	req->sqe.fh = vf ? vf->fh : 0;
	req->sqe.arg = vf ? vf->f_flags : 0;
	req->end = vfsd_read_end;
	if (nr > VFSD_SPIN_READ_PAGES)
		vfsd_req_steer_away(req);
	err = vfsd_req_send_async(req);
	if (err) {
		req->pages = NULL;	/* the failure path below owns them */
		vfsd_req_put(req);
		if (staged)
			for (i = 0; i < nr; i++)
				put_page(staged[i]);
		goto fail;
	}
	/*
	 * A small read is what the caller waits for next (random reads,
	 * faults): spin for it while a server thread polls elsewhere.
	 */
	if (nr <= VFSD_SPIN_READ_PAGES)
		vfsd_req_spin(req);
	vfsd_req_put(req);	/* the queue holds its own reference */
	return;
fail:
	while (nr--) {
		unlock_page(pages[nr]);
		put_page(pages[nr]);
	}
	kfree(staged ? staged : pages);
}

int vfsd_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct page **pages;

	pages = kmalloc(sizeof(*pages), GFP_NOFS);
	if (!pages) {
		folio_unlock(folio);
		return -ENOMEM;
	}
	folio_get(folio);
	pages[0] = &folio->page;
	vfsd_send_read(inode, file, pages, 1, folio_pos(folio), false);
	return 0;
}

/*
 * Readahead: contiguous folios in requests of up to max_read bytes. Note
 * readahead_count() still includes the folio readahead_folio() returned.
 */
void vfsd_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	unsigned int max_pages = VFSD_M(inode->i_sb)->max_read >> PAGE_SHIFT;
	struct folio *folio = readahead_folio(rac);

	while (folio) {
		unsigned int nr = min_t(unsigned int, readahead_count(rac),
					max_pages);
		loff_t pos = folio_pos(folio);
		struct page **pages;
		unsigned int i = 0;

		/*
		 * Readahead is optional: over the background limit the folios
		 * stay uncached and a reader asks for its own page.
		 */
		if (!vfsd_bg_get(conn)) {
			folio_unlock(folio);	/* read_pages() unlocks the rest */
			return;
		}
		pages = kmalloc_array(nr, sizeof(*pages), GFP_NOFS);
		if (!pages) {
			vfsd_bg_put(conn);
			folio_unlock(folio);
			return;
		}
		do {
			folio_get(folio);
			pages[i++] = &folio->page;
			folio = readahead_folio(rac);
		} while (folio && i < nr);
		vfsd_send_read(inode, rac->file, pages, i, pos, true);
	}
}

static bool vfsd_direct(struct kiocb *iocb)
{
	struct vfsd_file *vf = iocb->ki_filp->private_data;

	return (iocb->ki_flags & IOCB_DIRECT) ||
	       (vf->open_flags & VFSD_FOPEN_DIRECT_IO);
}

static ssize_t vfsd_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	int err;

	/* Size may have changed on the server: refresh expired attributes. */
	if ((iocb->ki_flags & IOCB_NOWAIT) && vfsd_attr_expired(inode))
		return -EAGAIN;
	err = vfsd_refresh_attr(inode, false);
	if (err)
		return err;
	if (vfsd_direct(iocb))
		return vfsd_direct_io(iocb, to, false);
	return generic_file_read_iter(iocb, to);
}

/*
 * Write-behind: when a buffered write completes a max_io-aligned chunk,
 * start its writeback now (without waiting), so the server consumes it on
 * another CPU while the writer fills the next one, instead of everything
 * at fsync or when the flusher wakes.
 */
static void vfsd_write_behind(struct inode *inode, loff_t start, loff_t end)
{
	loff_t chunk = rounddown_pow_of_two(VFSD_M(inode->i_sb)->conn->max_io);
	loff_t first = round_down(start, chunk);
	loff_t last = round_down(end, chunk) - 1;

	if (last < first)
		return;
	vfsd_flush_range(inode->i_mapping, first, last);
}

static ssize_t vfsd_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	/* Every write may wait for the inode lock or the server. */
	if (iocb->ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	inode_lock(inode);
	if (vfsd_direct(iocb)) {
		ret = generic_write_checks(iocb, from);
		if (ret > 0)
			ret = file_remove_privs(iocb->ki_filp);
		if (!ret)
			ret = vfsd_direct_io(iocb, from, true);
	} else {
		ret = generic_write_checks(iocb, from);
		if (ret > 0)
			ret = __generic_file_write_iter(iocb, from);
	}
	inode_unlock(inode);
	if (ret > 0 && !vfsd_direct(iocb))
		vfsd_write_behind(inode, iocb->ki_pos - ret, iocb->ki_pos);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

/*
 * No request here: mmap_lock is held, and a server that maps its own
 * mount would wait for itself. open() fetched the size already.
 */
static int vfsd_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &vfsd_file_vm_ops;
	return 0;
}

static loff_t vfsd_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	struct vfsd_file *vf = file->private_data;
	struct vfsd_lseek_out *out;
	struct vfsd_req *req;
	loff_t ret;

	if (whence == SEEK_END) {
		ret = vfsd_refresh_attr(inode, false);
		if (ret)
			return ret;
	}
	if ((whence != SEEK_DATA && whence != SEEK_HOLE) ||
	    READ_ONCE(conn->no_lseek))
		return generic_file_llseek(file, offset, whence);

	/* The server knows the holes only of data it has. */
	ret = filemap_write_and_wait(inode->i_mapping);
	if (ret)
		return ret;
	req = vfsd_req_alloc(conn, VFSD_OP_LSEEK, vfsd_nodeid(inode), 0,
			     sizeof(*out), GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->sqe.fh = vf->fh;
	req->sqe.offset = offset;
	req->sqe.arg = whence;
	req->out_exact = true;
	ret = vfsd_req_send_wait(req);
	if (!ret) {
		out = req->buf;
		ret = vfs_setpos(file, out->offset, inode->i_sb->s_maxbytes);
	}
	vfsd_req_put(req);
	if (ret == -ENOSYS) {
		WRITE_ONCE(conn->no_lseek, true);
		return generic_file_llseek(file, offset, whence);
	}
	return ret;
}

static long vfsd_file_fallocate(struct file *file, int mode, loff_t offset,
				loff_t length)
{
	struct inode *inode = file_inode(file);
	struct vfsd_file *vf = file->private_data;
	struct vfsd_fallocate_in in = {
		.offset = offset, .length = length, .mode = mode,
	};
	struct vfsd_req *req;
	long err;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	inode_lock(inode);
	/* Dirty data in a punched range must not land after the punch. */
	err = filemap_write_and_wait_range(inode->i_mapping, offset,
					   offset + length - 1);
	if (err)
		goto out;
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_FALLOCATE,
			     vfsd_nodeid(inode), sizeof(in), 0, GFP_KERNEL);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out;
	}
	memcpy(req->buf, &in, sizeof(in));
	req->sqe.fh = vf->fh;
	err = vfsd_req_send_wait(req);
	vfsd_req_put(req);
	if (err == -ENOSYS)
		err = -EOPNOTSUPP;
	if (err)
		goto out;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		truncate_pagecache_range(inode, offset, offset + length - 1);
	if (!(mode & FALLOC_FL_KEEP_SIZE) &&
	    offset + length > i_size_read(inode))
		i_size_write(inode, offset + length);
	vfsd_expire_attr(inode);
out:
	inode_unlock(inode);
	return err;
}

const struct file_operations vfsd_file_fops = {
	VFSD_FOP_FLAGS
	.llseek = vfsd_file_llseek,
	.read_iter = vfsd_file_read_iter,
	.write_iter = vfsd_file_write_iter,
	.mmap = vfsd_file_mmap,
	.open = vfsd_file_open,
	.flush = vfsd_file_flush,
	.release = vfsd_file_release,
	.fsync = vfsd_file_fsync,
	.fallocate = vfsd_file_fallocate,
	.splice_read = vfsd_splice_read,
	.splice_write = iter_file_splice_write,
};
