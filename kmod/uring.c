// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: a request's page-cache pages as a buffer in the server's io_uring
 * (IORING_OP_URING_CMD on /dev/vfsd), so that its READ_FIXED and
 * WRITE_FIXED move file data between its source and the page cache with
 * no mapping, no pinning and no CPU copy.
 *
 * The rules of pinnable pages (VFSD_SETUP_PIN) hold: only page-cache pages
 * of a request in flight, READ pages as a destination only, WRITE pages
 * as a source only; a buffer still registered when its request completes
 * fails the request as a pin would (READ data dropped, WRITE EIO). The
 * buffer holds its own page references and a module reference, so the
 * ring may outlive the request, the connection and the module's file.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "vfsd_i.h"

#ifdef VFSD_HAVE_URING_BUF

struct vfsd_ubuf {
	struct kref kref;	/* one for io_uring, one for the request */
	bool released;		/* io_uring let go of the pages */
	unsigned int nr;
	struct bio_vec bvs[];
};

static void vfsd_ubuf_free(struct kref *kref)
{
	kvfree(container_of(kref, struct vfsd_ubuf, kref));
}

/* The request's reference. */
void vfsd_ubuf_put(struct vfsd_req *req)
{
	if (req->ubuf)
		kref_put(&req->ubuf->kref, vfsd_ubuf_free);
}

/* io_uring's release: unregistered, and the last I/O using it ended. */
static void vfsd_ubuf_release(void *priv)
{
	struct vfsd_ubuf *ub = priv;
	unsigned int i;

	for (i = 0; i < ub->nr; i++)
		put_page(ub->bvs[i].bv_page);
	/* Pairs with the acquire in vfsd_ubuf_held(). */
	smp_store_release(&ub->released, true);
	kref_put(&ub->kref, vfsd_ubuf_free);
	module_put(THIS_MODULE);
}

static int vfsd_ubuf_lock(struct vfsd_queue *q, unsigned int issue_flags)
{
	/* Inline submission must not sleep: io-wq retries it. */
	if (issue_flags & IO_URING_F_NONBLOCK)
		return mutex_trylock(&q->enter_lock) ? 0 : -EAGAIN;
	mutex_lock(&q->enter_lock);
	return 0;
}

/*
 * Give @ub the request's pages and a reference to them. Holds
 * q->enter_lock, so the request is in flight; io_uring is called after
 * it is dropped (its lock nests outside enter_lock on the inline path).
 * A request that completes before the registration ends sees it held.
 */
static int vfsd_ubuf_take(struct vfsd_req *req, struct vfsd_ubuf *ub)
{
	unsigned int i;

	/* Only page-cache pages: never an application's O_DIRECT pages. */
	if (!req->pages_pinnable)
		return -EINVAL;
	/* Pairs with the release in vfsd_ubuf_release(). */
	if (req->ubuf && !smp_load_acquire(&req->ubuf->released))
		return -EBUSY;
	ub->nr = req->nr_pages;
	for (i = 0; i < ub->nr; i++) {
		ub->bvs[i].bv_page = req->pages[i];
		ub->bvs[i].bv_offset = 0;
		ub->bvs[i].bv_len = PAGE_SIZE;
		get_page(req->pages[i]);
	}
	kref_init(&ub->kref);
	kref_get(&ub->kref);
	__module_get(THIS_MODULE);
	/* An earlier buffer of this request was released: done with it. */
	vfsd_ubuf_put(req);
	req->ubuf = ub;
	return 0;
}

static int vfsd_ubuf_register(struct vfsd_queue *q, u64 id,
			      unsigned int index, struct io_uring_cmd *cmd,
			      unsigned int issue_flags)
{
	struct vfsd_ubuf *ub;
	struct vfsd_req *req;
	u8 dir;
	int err;

	if (!q->conn->pinnable)
		return -EOPNOTSUPP;
	/* Pages only for the server that has them in its window. */
	if (!vfsd_window_claim(q))
		return -EPERM;
	ub = kvmalloc(struct_size(ub, bvs, VFSD_MAX_IO / PAGE_SIZE + 1),
		      GFP_KERNEL);
	if (!ub)
		return -ENOMEM;
	err = vfsd_ubuf_lock(q, issue_flags);
	if (err) {
		kvfree(ub);
		return err;
	}
	req = vfsd_req_in_window(q, id);
	err = req ? vfsd_ubuf_take(req, ub) : -EINVAL;
	dir = req && req->pages_readonly ? IO_BUF_SOURCE : IO_BUF_DEST;
	mutex_unlock(&q->enter_lock);
	if (err) {
		kvfree(ub);
		return err;
	}
	err = io_buffer_register_bvec(cmd, ub->bvs, ub->nr, vfsd_ubuf_release,
				      ub, dir, index, issue_flags);
	if (err)
		vfsd_ubuf_release(ub);	/* as if io_uring had let go */
	else
		atomic64_inc(&q->conn->bufs_registered);
	return err;
}

int vfsd_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	const struct vfsd_uring_buf *arg = io_uring_sqe_cmd(cmd->sqe,
							    struct vfsd_uring_buf);
	struct vfsd_conn *conn = cmd->file->private_data;
	/* The SQE may be in memory the server still writes: read once. */
	u64 id = READ_ONCE(arg->id);
	u16 queue = READ_ONCE(arg->queue);
	u16 index = READ_ONCE(arg->index);
	struct vfsd_queue *q;

	if (READ_ONCE(arg->flags))
		return -EINVAL;
	switch (cmd->cmd_op) {
	case VFSD_URING_CMD_REGISTER_BUF:
		q = vfsd_dev_queue(conn, queue);
		if (!q)
			return -EINVAL;
		return vfsd_ubuf_register(q, id, index, cmd, issue_flags);
	case VFSD_URING_CMD_UNREGISTER_BUF:
		/* Only ever the caller's own ring, and only kernel buffers. */
		return io_buffer_unregister(cmd, index, issue_flags);
	default:
		return -EINVAL;
	}
}

/*
 * Whether the server's io_uring still has the request's pages at its
 * completion. The last fixed I/O may let go a moment after its CQE, so
 * this waits as vfsd_page_held() does. Called where the end may sleep.
 */
bool vfsd_ubuf_held(struct vfsd_req *req)
{
	unsigned long end = jiffies + msecs_to_jiffies(VFSD_HELD_WAIT_MS);

	if (!req->ubuf)
		return false;
	/* Pairs with the release in vfsd_ubuf_release(). */
	while (!smp_load_acquire(&req->ubuf->released)) {
		if (time_after(jiffies, end))
			return true;
		usleep_range(200, 500);
	}
	return false;
}

#endif /* VFSD_HAVE_URING_BUF */
