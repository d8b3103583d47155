// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: direct I/O. For O_DIRECT the application's own pages are pinned
 * and mapped into the server's window; the server reads or writes them in
 * place. Only the bytes of the request are handed over: a first or last
 * page the request covers only in part goes through a zeroed bounce page
 * of ours (copied, and counted in bytes_copied), so the server never sees
 * or changes the application's neighbouring memory. When the server
 * chose direct I/O (VFSD_FOPEN_DIRECT_IO) for a caller that did not ask
 * for O_DIRECT, no application page is mapped at all: the data goes
 * through bounce pages, like FUSE's copy.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "vfsd_i.h"

/* A partial first or last page of an O_DIRECT request. */
struct vfsd_bounce {
	struct page *user;	/* the application's page (our reference) */
	unsigned int index;	/* where its bounce page is in req->pages */
	unsigned int off;	/* the request's bytes in the page */
	unsigned int len;
	size_t req_off;		/* ... are these bytes of the request */
};

/* One O_DIRECT request: its bounce pages, and the kiocb if async. */
struct vfsd_dio {
	struct work_struct work;
	struct kiocb *iocb;
	struct vfsd_req *req;
	struct vfsd_bounce bounce[2];
	unsigned int nr_bounce;
	bool bg_slot;		/* a background slot for the request */
};

static bool vfsd_is_bounce(struct vfsd_dio *dio, unsigned int index)
{
	unsigned int i;

	for (i = 0; i < dio->nr_bounce; i++)
		if (dio->bounce[i].index == index)
			return true;
	return false;
}

/* Put bounce page @i in place of the application's page. */
static int vfsd_bounce_one(struct vfsd_dio *dio, unsigned int index,
			   unsigned int off, unsigned int len, size_t req_off,
			   bool write)
{
	struct vfsd_req *req = dio->req;
	struct vfsd_bounce *b = &dio->bounce[dio->nr_bounce];
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	b->user = req->pages[index];
	b->index = index;
	b->off = off;
	b->len = len;
	b->req_off = req_off;
	if (write) {
		memcpy_page(page, off, b->user, off, len);
		atomic64_add(len, &req->q->conn->bytes_copied);
	}
	req->pages[index] = page;
	dio->nr_bounce++;
	return 0;
}

/* Bounce the partial first and last pages of a request of @n bytes. */
static int vfsd_bounce_partial(struct vfsd_dio *dio, size_t n, bool write)
{
	struct vfsd_req *req = dio->req;
	unsigned int first = req->data_off, last = req->nr_pages - 1;
	unsigned int tail = (first + n) & ~PAGE_MASK;
	int err;

	if (first || (!last && tail)) {
		err = vfsd_bounce_one(dio, 0, first,
				      last ? PAGE_SIZE - first : n, 0, write);
		if (err)
			return err;
	}
	if (last && tail)
		return vfsd_bounce_one(dio, last, 0, tail, n - tail, write);
	return 0;
}

/*
 * The request is over (@done bytes moved): copy what the server read into
 * the bounce pages out to the application, dirty the application's pages
 * it wrote, and drop our references to the bounced application pages.
 */
static void vfsd_bounce_finish(struct vfsd_dio *dio, long done, bool write)
{
	struct vfsd_req *req = dio->req;
	unsigned int i;

	if (!write && done > 0)
		for (i = 0; i < req->nr_pages; i++)
			if (!vfsd_is_bounce(dio, i))
				set_page_dirty_lock(req->pages[i]);
	for (i = 0; i < dio->nr_bounce; i++) {
		struct vfsd_bounce *b = &dio->bounce[i];
		long n = min_t(long, b->len, done - (long)b->req_off);

		if (!write && n > 0) {
			memcpy_page(b->user, b->off, req->pages[b->index],
				    b->off, n);
			atomic64_add(n, &req->q->conn->bytes_copied);
			set_page_dirty_lock(b->user);
		}
		put_page(b->user);
	}
	dio->nr_bounce = 0;
}

/*
 * Finish in a worker: dirtying the pages takes their locks, which a task
 * waiting for this very server may hold, so not from the server's ENTER.
 */
static void vfsd_dio_complete(struct work_struct *work)
{
	struct vfsd_dio *dio = container_of(work, struct vfsd_dio, work);
	struct kiocb *iocb = dio->iocb;
	long ret = dio->req->result;

	vfsd_bounce_finish(dio, ret, false);
	if (ret > 0)
		iocb->ki_pos += ret;
	vfsd_req_put(dio->req);
	kfree(dio);
	iocb->ki_complete(iocb, ret);
}

static void vfsd_dio_end(struct vfsd_req *req)
{
	struct vfsd_dio *dio = req->end_data;

	queue_work(vfsd_unbound_wq, &dio->work);
}

static void vfsd_put_user_pages(struct page **pages, unsigned int nr)
{
	while (nr--)
		put_page(pages[nr]);
	kvfree(pages);
}

static struct vfsd_req *vfsd_direct_req(struct file *file, loff_t pos,
					size_t n, bool write)
{
	struct inode *inode = file_inode(file);
	struct vfsd_file *vf = file->private_data;
	struct vfsd_req *req;

	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn,
			     write ? VFSD_OP_WRITE : VFSD_OP_READ,
			     vfsd_nodeid(inode), 0, 0, GFP_KERNEL);
	if (IS_ERR(req))
		return req;
	req->pages_readonly = write;
	req->sqe.offset = pos;
	req->sqe.len = n;
	req->sqe.fh = vf->fh;
	req->sqe.arg = vf->f_flags;
	return req;
}

/*
 * One request for one contiguous user range; returns bytes moved and sets
 * *asked to the bytes requested. With @dio, the whole of @iter in one
 * request completed later (-EIOCBQUEUED), or -EAGAIN if it takes more.
 */
static ssize_t vfsd_direct_one(struct file *file, struct iov_iter *iter,
			       loff_t pos, bool write, size_t *asked,
			       struct vfsd_dio *dio)
{
	struct vfsd_conn *conn = VFSD_M(file_inode(file)->i_sb)->conn;
	struct vfsd_dio sync_dio = { .nr_bounce = 0 };
	struct page **pages = NULL;
	struct vfsd_req *req;
	size_t start;
	ssize_t n, ret;

	n = iov_iter_get_pages_alloc2(iter, &pages, conn->max_io, &start);
	if (n <= 0)
		return n ? n : -EFAULT;
	*asked = n;
	if (dio && iov_iter_count(iter)) {
		/* Not one request: the caller goes the synchronous way. */
		ret = -EAGAIN;
		goto out_pages;
	}
	req = vfsd_direct_req(file, pos, n, write);
	if (IS_ERR(req)) {
		ret = PTR_ERR(req);
		goto out_pages;
	}
	/* The request owns the pages from here; its last put releases them. */
	req->put_pages = true;
	req->pages = pages;
	req->nr_pages = DIV_ROUND_UP(start + n, PAGE_SIZE);
	req->data_off = start;
	if (!dio)
		dio = &sync_dio;
	dio->req = req;
	ret = vfsd_bounce_partial(dio, n, write);
	if (ret)
		goto out_req;
	if (dio != &sync_dio) {
		if (dio->bg_slot) {
			vfsd_req_set_background(req);
			dio->bg_slot = false;
		}
		/* The request's reference goes to the completion worker. */
		req->end = vfsd_dio_end;
		req->end_data = dio;
		ret = vfsd_req_send_async(req);
		if (!ret)
			return -EIOCBQUEUED;
		req->end = NULL;
		goto out_req;
	}
	ret = vfsd_req_send_wait(req);
	/*
	 * Dirty what the server wrote into here, in our context: the page
	 * lock may be held by someone waiting for this very server.
	 */
	vfsd_bounce_finish(dio, ret, write);
	vfsd_req_put(req);
	if (ret >= 0 && ret < n)
		iov_iter_revert(iter, n - ret);
	else if (ret < 0)
		iov_iter_revert(iter, n);
	return ret;

out_req:
	vfsd_bounce_finish(dio, 0, write);
	vfsd_req_put(req);
	iov_iter_revert(iter, n);
	return ret;
out_pages:
	vfsd_put_user_pages(pages, DIV_ROUND_UP(start + n, PAGE_SIZE));
	iov_iter_revert(iter, n);
	return ret;
}

/*
 * Direct I/O the server chose, not the caller: the caller's memory is
 * never mapped. Up to max_io bytes through zeroed pages of our own,
 * copied (and counted) like FUSE's direct_io.
 */
static ssize_t vfsd_direct_copy_one(struct file *file, struct iov_iter *iter,
				    loff_t pos, bool write, size_t *asked)
{
	struct vfsd_conn *conn = VFSD_M(file_inode(file)->i_sb)->conn;
	size_t n = min_t(size_t, iov_iter_count(iter), conn->max_io);
	unsigned int i, nr = DIV_ROUND_UP(n, PAGE_SIZE);
	size_t consumed = 0;
	struct vfsd_req *req;
	ssize_t ret;

	*asked = n;
	req = vfsd_direct_req(file, pos, n, write);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->put_pages = true;
	req->pages = kvcalloc(nr, sizeof(*req->pages), GFP_KERNEL);
	ret = -ENOMEM;
	if (!req->pages)
		goto out;
	for (i = 0; i < nr; i++) {
		size_t len = min_t(size_t, n - ((size_t)i << PAGE_SHIFT),
				   PAGE_SIZE);

		req->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		ret = -ENOMEM;
		if (!req->pages[i])
			goto out;
		req->nr_pages = i + 1;
		if (!write)
			continue;
		consumed += copy_page_from_iter(req->pages[i], 0, len, iter);
		ret = -EFAULT;
		if (consumed != ((size_t)i << PAGE_SHIFT) + len)
			goto out;
	}
	atomic64_add(consumed, &conn->bytes_copied);
	ret = vfsd_req_send_wait(req);
	for (i = 0; !write && ret > 0 && i < nr; i++) {
		size_t off = (size_t)i << PAGE_SHIFT, copied;
		size_t len = min_t(size_t, ret - off, PAGE_SIZE);

		if (off >= ret)
			break;
		copied = copy_page_to_iter(req->pages[i], 0, len, iter);
		atomic64_add(copied, &conn->bytes_copied);
		if (copied != len) {
			ret = off + copied ? off + copied : -EFAULT;
			break;
		}
	}
out:
	/* A write consumed all it copied; give back what was not written. */
	if (write)
		iov_iter_revert(iter, consumed - (ret > 0 ? ret : 0));
	vfsd_req_put(req);
	return ret;
}

/*
 * An async read as one request completed later: -EIOCBQUEUED, or -EAGAIN
 * when it takes more than one request or the background limit is reached
 * (the caller then goes the synchronous way, its wait bounding what it
 * pins).
 */
static ssize_t vfsd_direct_async(struct kiocb *iocb, struct iov_iter *iter)
{
	struct vfsd_conn *conn = VFSD_M(file_inode(iocb->ki_filp)->i_sb)->conn;
	struct vfsd_dio *dio;
	size_t asked;
	ssize_t n;

	if (!vfsd_bg_get(conn))
		return -EAGAIN;
	dio = kzalloc(sizeof(*dio), GFP_KERNEL);
	if (!dio) {
		vfsd_bg_put(conn);
		return -ENOMEM;
	}
	INIT_WORK(&dio->work, vfsd_dio_complete);
	dio->iocb = iocb;
	dio->bg_slot = true;
	n = vfsd_direct_one(iocb->ki_filp, iter, iocb->ki_pos, false, &asked,
			    dio);
	if (n == -EIOCBQUEUED)
		return n;
	if (dio->bg_slot)
		vfsd_bg_put(conn);
	kfree(dio);
	return n;
}

ssize_t vfsd_direct_io(struct kiocb *iocb, struct iov_iter *iter, bool write)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = inode->i_mapping;
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	size_t count = iov_iter_count(iter);
	/* Direct I/O the server asked for, not the caller: copy. */
	bool copy = !(iocb->ki_flags & IOCB_DIRECT);
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, n = 0;

	if (!count)
		return 0;
	/* Without blocking only an async read of clean, uncached pages. */
	if ((iocb->ki_flags & IOCB_NOWAIT) &&
	    (write || copy || is_sync_kiocb(iocb) || count > conn->max_io ||
	     vfsd_size_is_local(inode) ||
	     filemap_range_has_page(mapping, pos, pos + count - 1)))
		return -EAGAIN;
	/*
	 * Cached dirty data must reach the server before we go around it;
	 * all of it if the server does not know the file's size yet.
	 */
	if (vfsd_size_is_local(inode))
		n = filemap_write_and_wait(mapping);
	else
		n = filemap_write_and_wait_range(mapping, pos, pos + count - 1);
	if (n)
		return n;
	if (!write && !copy && !is_sync_kiocb(iocb) && count <= conn->max_io) {
		n = vfsd_direct_async(iocb, iter);
		/* NOWAIT: the caller retries from a context that may block. */
		if (n != -EAGAIN || (iocb->ki_flags & IOCB_NOWAIT))
			return n;
	}
	while (iov_iter_count(iter)) {
		size_t asked = 0;

		if (copy)
			n = vfsd_direct_copy_one(file, iter, pos, write, &asked);
		else
			n = vfsd_direct_one(file, iter, pos, write, &asked,
					    NULL);
		if (n <= 0)
			break;
		done += n;
		pos += n;
		if (n < asked)
			break;	/* short: EOF for reads */
	}
	if (write && done) {
		if (pos > i_size_read(inode))
			i_size_write(inode, pos);
		invalidate_inode_pages2_range(mapping,
					      iocb->ki_pos >> PAGE_SHIFT,
					      (pos - 1) >> PAGE_SHIFT);
		vfsd_expire_attr(inode);
	}
	iocb->ki_pos = pos;
	return done ? done : n;
}
