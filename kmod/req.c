// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: requests on the application side: allocate, queue to the current
 * CPU's queue, wait (killable) or complete asynchronously.
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/smp.h>
#include <linux/sched/clock.h>
#include <linux/sched/stat.h>

#include "vfsd_i.h"

static bool vfsd_polled_elsewhere(struct vfsd_queue *q, int cpu)
{
	return READ_ONCE(q->polling) && READ_ONCE(q->poll_cpu) != cpu;
}

/*
 * The current CPU's queue, unless a server thread polls on another CPU:
 * then that queue, whose thread picks the request up without a wakeup.
 * A hint only: migrating after this costs speed, not safety.
 */
static struct vfsd_queue *vfsd_pick_queue(struct vfsd_conn *conn)
{
	int cpu = raw_smp_processor_id();
	unsigned int home = cpu % conn->nr_queues, i;

	for (i = 0; i < conn->nr_queues; i++) {
		struct vfsd_queue *q =
			&conn->queues[(home + i) % conn->nr_queues];

		if (vfsd_polled_elsewhere(q, cpu))
			return q;
	}
	return &conn->queues[home];
}

/*
 * For a request its caller does not wait for (readahead, writeback):
 * unless a thread polls elsewhere already, give it to a queue whose
 * thread runs on another CPU, so the server works while the caller goes
 * on, rather than after it. Call before sending.
 */
void vfsd_req_steer_away(struct vfsd_req *req)
{
	struct vfsd_conn *conn = req->q->conn;
	int cpu = raw_smp_processor_id();
	unsigned int i;

	if (vfsd_polled_elsewhere(req->q, cpu))
		return;
	for (i = 1; i < conn->nr_queues; i++) {
		struct vfsd_queue *q = &conn->queues[(req->q->index + i) %
						     conn->nr_queues];

		if (READ_ONCE(q->thread_cpu) != cpu) {
			req->q = q;
			return;
		}
	}
}

/*
 * While the queue's server thread polls on another CPU, the reply comes
 * within its poll window: spin for it instead of paying two context
 * switches. Gives up when another task wants this CPU, when the thread
 * stops polling or after the window. Returns true if the request finished.
 */
bool vfsd_req_spin(struct vfsd_req *req)
{
	struct vfsd_queue *q = req->q;
	u64 end;

	if (!vfsd_polled_elsewhere(q, raw_smp_processor_id()))
		return false;
	end = local_clock() + READ_ONCE(q->poll_ns);
	while (!test_bit(VFSD_REQ_FINISHED, &req->flags)) {
		if (need_resched() || !single_task_running() ||
		    !READ_ONCE(q->polling) || local_clock() > end)
			return false;
		cpu_relax();
	}
	return true;
}

struct vfsd_req *vfsd_req_alloc(struct vfsd_conn *conn, u8 opcode,
				u64 nodeid, u32 in_len, u32 out_size,
				gfp_t gfp)
{
	u32 bufsize = max(in_len, out_size);
	struct vfsd_req *req;

	if (WARN_ON_ONCE(bufsize > VFSD_INLINE_SIZE))
		return ERR_PTR(-EINVAL);
	if (!READ_ONCE(conn->connected))
		return ERR_PTR(-ENOTCONN);
	req = kzalloc(sizeof(*req) + bufsize, gfp);
	if (!req)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&req->list);
	refcount_set(&req->ref, 1);
	init_waitqueue_head(&req->waitq);
	req->q = vfsd_pick_queue(conn);
	req->buf = bufsize ? (void *)(req + 1) : NULL;
	req->in_len = in_len;
	req->out_size = out_size;
	req->tag = VFSD_TAG_NONE;
	req->sqe.opcode = opcode;
	req->sqe.nodeid = nodeid;
	req->sqe.len = in_len;
	req->sqe.uid = from_kuid_munged(&init_user_ns, current_fsuid());
	req->sqe.gid = from_kgid_munged(&init_user_ns, current_fsgid());
	req->sqe.pid = task_tgid_vnr(current);
	vfsd_conn_get(conn);
	return req;
}

/*
 * A background slot (see vfsd_conn.background), taken before the request
 * exists so nothing is pinned or locked over the limit.
 */
bool vfsd_bg_get(struct vfsd_conn *conn)
{
	if (atomic_inc_return(&conn->background) <=
	    READ_ONCE(conn->max_background))
		return true;
	atomic_dec(&conn->background);
	atomic64_inc(&conn->bg_throttled);
	return false;
}

void vfsd_bg_put(struct vfsd_conn *conn)
{
	atomic_dec(&conn->background);
}

/* The request holds a slot its caller took; it goes with the reply. */
void vfsd_req_set_background(struct vfsd_req *req)
{
	set_bit(VFSD_REQ_BACKGROUND, &req->flags);
}

static void vfsd_req_bg_release(struct vfsd_req *req)
{
	if (test_and_clear_bit(VFSD_REQ_BACKGROUND, &req->flags))
		vfsd_bg_put(req->q->conn);
}

void vfsd_req_put(struct vfsd_req *req)
{
	struct vfsd_conn *conn;

	if (!refcount_dec_and_test(&req->ref))
		return;
	conn = req->q->conn;
	vfsd_req_bg_release(req);	/* never sent */
	vfsd_ubuf_put(req);
	if (req->put_pages) {
		unsigned int i;

		for (i = 0; i < req->nr_pages; i++)
			put_page(req->pages[i]);
		kvfree(req->pages);
	} else {
		kfree(req->pages);
	}
	kfree(req);
	vfsd_conn_put(conn);
}

/* Kernel-internal codes (ERESTARTSYS and friends) never come from a server. */
int vfsd_errno_valid(int result)
{
	return result < 0 && result > -512;
}

/* FORGET (count = lookups) or RELEASE/RELEASEDIR (fh) of a nodeid. */
void vfsd_send_noreply_op(struct vfsd_conn *conn, u8 opcode, u64 nodeid,
			  u64 fh, u64 count, gfp_t gfp)
{
	struct vfsd_req *req;

	if (!nodeid || nodeid == VFSD_ROOT_ID)
		return;
	req = vfsd_req_alloc(conn, opcode, nodeid, 0, 0, gfp | __GFP_NOFAIL);
	if (IS_ERR(req))
		return;		/* the server is gone and forgets anyway */
	req->sqe.fh = fh;
	req->sqe.offset = count;
	vfsd_req_send_noreply(req);
}

/*
 * A successful reply nobody is waiting for any more (the caller was
 * killed): give back what it handed out, as if the caller had used it and
 * let go at once, so the server's lookup counts and open files stay right.
 */
static void vfsd_req_drop_reply(struct vfsd_req *req)
{
	struct vfsd_conn *conn = req->q->conn;
	const struct vfsd_entry_out *entry = req->buf;
	const struct vfsd_create_out *create = req->buf;
	const struct vfsd_open_out *open = req->buf;

	if (req->result < 0)
		return;
	switch (req->sqe.opcode) {
	case VFSD_OP_LOOKUP:
	case VFSD_OP_MKNOD:
	case VFSD_OP_MKDIR:
	case VFSD_OP_SYMLINK:
	case VFSD_OP_LINK:
		vfsd_send_noreply_op(conn, VFSD_OP_FORGET, entry->nodeid, 0, 1,
				     GFP_KERNEL);
		break;
	case VFSD_OP_CREATE:
		vfsd_send_noreply_op(conn, VFSD_OP_RELEASE,
				     create->entry.nodeid, create->open.fh, 0,
				     GFP_KERNEL);
		vfsd_send_noreply_op(conn, VFSD_OP_FORGET,
				     create->entry.nodeid, 0, 1, GFP_KERNEL);
		break;
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		vfsd_send_noreply_op(conn, req->sqe.opcode == VFSD_OP_OPEN ?
				     VFSD_OP_RELEASE : VFSD_OP_RELEASEDIR,
				     req->sqe.nodeid, open->fh, 0, GFP_KERNEL);
		break;
	}
}

/* Set the final result and wake the waiter or run the async end. */
void vfsd_req_finish(struct vfsd_req *req, int result)
{
	req->result = result;
	vfsd_req_bg_release(req);
	if (req->end)
		req->end(req);
	atomic_dec(&req->q->conn->waiting);
	/* Pairs with test_bit in the waiter after wakeup. */
	smp_mb__before_atomic();
	set_bit(VFSD_REQ_FINISHED, &req->flags);
	wake_up(&req->waitq);
	if (!req->end && test_and_set_bit(VFSD_REQ_ABANDONED, &req->flags))
		vfsd_req_drop_reply(req);
}

static int vfsd_queue_req(struct vfsd_req *req)
{
	struct vfsd_queue *q = req->q;
	struct vfsd_conn *conn = q->conn;

	spin_lock(&q->lock);
	if (!READ_ONCE(conn->connected)) {
		spin_unlock(&q->lock);
		return -ENOTCONN;
	}
	refcount_inc(&req->ref);	/* the queue's reference */
	req->queued_at = jiffies;
	atomic_inc(&conn->waiting);
	atomic64_inc(&conn->requests);
	atomic64_inc(&conn->op_count[req->sqe.opcode]);
	list_add_tail(&req->list, &q->pending);
	set_bit(VFSD_REQ_PENDING, &req->flags);
	/* A polling server sees this without a wakeup. */
	smp_store_release(&q->hdr->queued, ++q->queued);
	spin_unlock(&q->lock);
	wake_up(&q->waitq);
	return 0;
}

/*
 * The caller of a request the server has was killed: tell the server, on
 * the queue the request came on, so it can answer early.
 */
static void vfsd_send_interrupt(struct vfsd_req *req)
{
	struct vfsd_req *intr;

	intr = vfsd_req_alloc(req->q->conn, VFSD_OP_INTERRUPT,
			      req->sqe.nodeid, 0, 0, GFP_KERNEL);
	if (IS_ERR(intr))
		return;
	intr->q = req->q;
	intr->sqe.offset = req->sqe.id;
	intr->sqe.arg = req->sqe.opcode;
	vfsd_req_send_noreply(intr);
}

/*
 * Send and wait for the reply. Only a fatal signal ends the wait early; the
 * request then stays with the queue, which frees it when the server answers
 * or the connection ends. Returns the validated result.
 */
int vfsd_req_send_wait(struct vfsd_req *req)
{
	struct vfsd_queue *q = req->q;
	int err;

	err = vfsd_queue_req(req);
	if (err)
		return err;
	vfsd_req_spin(req);
	err = wait_event_killable(req->waitq,
				  test_bit(VFSD_REQ_FINISHED, &req->flags));
	if (!err) {
		/* Pairs with smp_mb__before_atomic() in vfsd_req_finish(). */
		smp_rmb();
		return req->result;
	}

	/*
	 * Killed. If the request never reached the server, take it back;
	 * else the queue keeps its reference and frees it on completion.
	 */
	spin_lock(&q->lock);
	if (!test_bit(VFSD_REQ_PENDING, &req->flags)) {
		/* Its sqe.id is final once SENT is set (under q->lock). */
		bool sent = test_bit(VFSD_REQ_SENT, &req->flags);

		spin_unlock(&q->lock);
		/* The reply is in already: use it, nothing is left behind. */
		if (test_and_set_bit(VFSD_REQ_ABANDONED, &req->flags))
			return READ_ONCE(req->result);
		if (sent && READ_ONCE(q->conn->want_interrupt))
			vfsd_send_interrupt(req);
		return -EINTR;
	}
	list_del_init(&req->list);
	clear_bit(VFSD_REQ_PENDING, &req->flags);
	spin_unlock(&q->lock);
	atomic_dec(&q->conn->waiting);
	set_bit(VFSD_REQ_FINISHED, &req->flags);
	vfsd_req_put(req);	/* the queue's reference */
	return -EINTR;
}

/* Send; req->end runs on completion, from the server's ENTER or abort. */
int vfsd_req_send_async(struct vfsd_req *req)
{
	return vfsd_queue_req(req);
}

/* Fire and forget (FORGET, RELEASE): errors only mean the server is gone. */
void vfsd_req_send_noreply(struct vfsd_req *req)
{
	set_bit(VFSD_REQ_NOREPLY, &req->flags);
	vfsd_queue_req(req);
	vfsd_req_put(req);
}
