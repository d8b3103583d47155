// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: O_DIRECT. The application's own pages are pinned and mapped into
 * the server's window; the server reads or writes them in place. No page
 * cache, no copy. Any alignment works: the window offset carries the
 * position inside the first page.
 */
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "vfsd_i.h"

/* An O_DIRECT read in flight for an asynchronous kiocb (io_uring, aio). */
struct vfsd_dio {
	struct work_struct work;
	struct kiocb *iocb;
	struct vfsd_req *req;
};

/*
 * Finish in a worker: dirtying the pages takes their locks, which a task
 * waiting for this very server may hold, so not from the server's ENTER.
 */
static void vfsd_dio_complete(struct work_struct *work)
{
	struct vfsd_dio *dio = container_of(work, struct vfsd_dio, work);
	struct vfsd_req *req = dio->req;
	struct kiocb *iocb = dio->iocb;
	long ret = req->result;
	unsigned int i;

	if (ret > 0) {
		for (i = 0; i < req->nr_pages; i++)
			set_page_dirty_lock(req->pages[i]);
		iocb->ki_pos += ret;
	}
	vfsd_req_put(req);
	kfree(dio);
	iocb->ki_complete(iocb, ret);
}

static void vfsd_dio_end(struct vfsd_req *req)
{
	struct vfsd_dio *dio = req->end_data;

	queue_work(system_unbound_wq, &dio->work);
}

static void vfsd_put_user_pages(struct page **pages, unsigned int nr)
{
	while (nr--)
		put_page(pages[nr]);
	kvfree(pages);
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
	struct inode *inode = file_inode(file);
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	struct vfsd_file *vf = file->private_data;
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
		vfsd_put_user_pages(pages, DIV_ROUND_UP(start + n, PAGE_SIZE));
		iov_iter_revert(iter, n);
		return -EAGAIN;
	}
	req = vfsd_req_alloc(conn, write ? VFSD_OP_WRITE : VFSD_OP_READ,
			     vfsd_nodeid(inode), 0, 0, GFP_KERNEL);
	if (IS_ERR(req)) {
		vfsd_put_user_pages(pages, DIV_ROUND_UP(start + n, PAGE_SIZE));
		iov_iter_revert(iter, n);
		return PTR_ERR(req);
	}
	/* The request owns the pages from here; its last put releases them. */
	req->put_pages = true;
	req->pages = pages;
	req->nr_pages = DIV_ROUND_UP(start + n, PAGE_SIZE);
	req->pages_readonly = write;
	req->data_off = start;
	req->sqe.offset = pos;
	req->sqe.len = n;
	req->sqe.fh = vf->fh;
	req->sqe.arg = vf->f_flags;
	if (dio) {
		/* The request's reference goes to the completion worker. */
		dio->req = req;
		req->end = vfsd_dio_end;
		req->end_data = dio;
		ret = vfsd_req_send_async(req);
		if (ret) {
			req->end = NULL;
			vfsd_req_put(req);
			iov_iter_revert(iter, n);
			return ret;
		}
		return -EIOCBQUEUED;
	}
	ret = vfsd_req_send_wait(req);
	/*
	 * Dirty what the server wrote into here, in our context: the page
	 * lock may be held by someone waiting for this very server.
	 */
	if (!write && ret > 0) {
		unsigned int i;

		for (i = 0; i < req->nr_pages; i++)
			set_page_dirty_lock(pages[i]);
	}
	vfsd_req_put(req);
	if (ret >= 0 && ret < n)
		iov_iter_revert(iter, n - ret);
	else if (ret < 0)
		iov_iter_revert(iter, n);
	return ret;
}

ssize_t vfsd_direct_io(struct kiocb *iocb, struct iov_iter *iter, bool write)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = inode->i_mapping;
	struct vfsd_conn *conn = VFSD_M(inode->i_sb)->conn;
	size_t count = iov_iter_count(iter);
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, n = 0;

	if (!count)
		return 0;
	/* Without blocking only an async read of clean, uncached pages. */
	if ((iocb->ki_flags & IOCB_NOWAIT) &&
	    (write || is_sync_kiocb(iocb) || count > conn->max_io ||
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
	if (!write && !is_sync_kiocb(iocb) && count <= conn->max_io) {
		struct vfsd_dio *dio = kmalloc(sizeof(*dio), GFP_KERNEL);
		size_t asked;

		if (!dio)
			return -ENOMEM;
		INIT_WORK(&dio->work, vfsd_dio_complete);
		dio->iocb = iocb;
		n = vfsd_direct_one(file, iter, pos, false, &asked, dio);
		if (n != -EIOCBQUEUED)
			kfree(dio);
		if (n != -EAGAIN)
			return n;
	}
	while (iov_iter_count(iter)) {
		size_t asked = 0;

		n = vfsd_direct_one(file, iter, pos, write, &asked, NULL);
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
