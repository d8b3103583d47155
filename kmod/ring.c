// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: the server side of a queue. VFSD_IOC_ENTER consumes completions
 * the server wrote to the CQ and posts pending requests into the SQ,
 * mapping their pages into the window. Everything read from the ring is
 * copied once and validated before use.
 */
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/xattr.h>

#include "vfsd_i.h"

static void *vfsd_slot(struct vfsd_queue *q, u16 tag)
{
	return q->inline_base + (size_t)tag * VFSD_INLINE_SIZE;
}

bool vfsd_queue_has_work(struct vfsd_queue *q)
{
	return !list_empty_careful(&q->pending);
}

/* Claim the in-flight request a completion names, or NULL. */
static struct vfsd_req *vfsd_claim(struct vfsd_queue *q, u64 id)
{
	u64 tag = id & 0xffff;
	struct vfsd_req *req;

	if (tag >= q->conn->depth)
		return NULL;
	spin_lock(&q->lock);
	req = q->inflight[tag];
	if (req && req->sqe.id == id)
		q->inflight[tag] = NULL;
	else
		req = NULL;
	spin_unlock(&q->lock);
	return req;
}

/* Validate a completion's result against what the request asked for. */
static int vfsd_check_result(struct vfsd_req *req, s32 result)
{
	if (result < 0)
		return vfsd_errno_valid(result) ? result : -EIO;
	/* An xattr size probe answers a size, with no data. */
	if (req->result_is_size)
		return result <= XATTR_SIZE_MAX ? result : -EIO;

	switch (req->sqe.opcode) {
	case VFSD_OP_READ:
	case VFSD_OP_WRITE:
		return result <= req->sqe.len ? result : -EIO;
	}
	if (req->out_exact)
		return result == 0 ? 0 : -EIO;
	return result <= req->out_size ? result : -EIO;
}

/*
 * Claim, unmap and check one completion; the request goes on @done to be
 * finished once ENTER has dropped its locks (an end callback may sleep).
 */
static void vfsd_complete_one(struct vfsd_queue *q, const struct vfsd_cqe *cqe,
			      struct list_head *done)
{
	struct vfsd_conn *conn = q->conn;
	struct vfsd_req *req;
	int result;

	req = vfsd_claim(q, cqe->id);
	if (!req) {
		vfsd_protocol_error(conn);
		vfsd_warn(conn, "completion for unknown request %llx\n",
			  cqe->id);
		return;
	}
	vfsd_window_unmap(q, req);
	clear_bit(req->tag, q->tag_map);

	result = vfsd_check_result(req, cqe->result);
	if (result == -EIO && cqe->result != -EIO) {
		vfsd_protocol_error(conn);
		vfsd_warn(conn, "bad result %d for opcode %u\n",
			  cqe->result, req->sqe.opcode);
	}
	/* Before the tag (and its slot) can be posted again. */
	vfsd_slot_take(q, req, result);
	if (result >= 0 && req->out_size && !req->result_is_size) {
		size_t n = req->out_exact ? req->out_size : result;

		/* Copy once; the server may keep scribbling on the slot. */
		memcpy(req->buf, vfsd_slot(q, req->tag), n);
	}
	req->result = result;
	list_add_tail(&req->list, done);
}

/* Finish requests collected by ENTER, with no lock held. */
static void vfsd_finish_list(struct list_head *done)
{
	struct vfsd_req *req, *next;

	list_for_each_entry_safe(req, next, done, list) {
		list_del_init(&req->list);
		vfsd_req_finish(req, req->result);
		vfsd_req_put(req);	/* the queue's reference */
	}
}

/* Returns false if the ring indices are corrupt. */
static bool vfsd_consume_cq(struct vfsd_queue *q, struct list_head *done)
{
	/* Pairs with the server's release store: CQEs before the tail. */
	u32 tail = smp_load_acquire(&q->hdr->cq_tail);
	u32 head = q->cq_head;
	u32 mask = q->conn->depth - 1;

	if (tail - head > q->conn->depth)
		return false;
	while (head != tail) {
		struct vfsd_cqe cqe;

		memcpy(&cqe, &q->cqes[head & mask], sizeof(cqe));
		head++;
		vfsd_complete_one(q, &cqe, done);
	}
	q->cq_head = head;
	/* Tell the server which slots it may reuse. */
	smp_store_release(&q->hdr->cq_head, head);
	return true;
}

/* Fill one SQE. Returns -EAGAIN when out of tags, SQ space or window. */
static int vfsd_post_one(struct vfsd_queue *q, struct vm_area_struct *vma,
			 struct vfsd_req *req)
{
	struct vfsd_conn *conn = q->conn;
	/* Pairs with the server's release store after reading SQEs. */
	u32 sq_head = smp_load_acquire(&q->hdr->sq_head);
	bool noreply = test_bit(VFSD_REQ_NOREPLY, &req->flags);
	unsigned long tag = VFSD_TAG_NONE;
	int err;

	/* A lying sq_head only makes the ring look full to the kernel. */
	if (q->sq_tail - sq_head >= conn->depth)
		return -EAGAIN;
	if (!noreply) {
		tag = find_first_zero_bit(q->tag_map, conn->depth);
		if (tag >= conn->depth)
			return -EAGAIN;
	}
	if (req->nr_pages) {
		if (!vma) {
			vfsd_warn(conn, "no data window mapped on queue %u\n",
				  q->index);
			return -EFAULT;
		}
		err = vfsd_window_map(q, vma, req, tag);
		if (err)
			return err;
		req->sqe.win_off = (req->win_first << PAGE_SHIFT) +
				   req->data_off;
	}

	req->tag = tag;
	req->sqe.tag = tag;
	req->sqe.id = (++q->seq << 16) | tag;
	if (!noreply) {
		set_bit(tag, q->tag_map);
		if (req->in_len)
			memcpy(vfsd_slot(q, tag), req->buf, req->in_len);
	}
	q->sqes[q->sq_tail & (conn->depth - 1)] = req->sqe;
	q->sq_tail++;
	return 0;
}

/* Move pending requests into the SQ. Returns how many were posted. */
static int vfsd_post_pending(struct vfsd_queue *q, struct vm_area_struct *vma,
			     struct list_head *done)
{
	struct vfsd_req *req;
	int posted = 0, err;

	for (;;) {
		spin_lock(&q->lock);
		req = list_first_entry_or_null(&q->pending, struct vfsd_req,
					       list);
		if (req) {
			list_del_init(&req->list);
			clear_bit(VFSD_REQ_PENDING, &req->flags);
		}
		spin_unlock(&q->lock);
		if (!req)
			break;

		err = vfsd_post_one(q, vma, req);
		if (err == -EAGAIN) {
			spin_lock(&q->lock);
			list_add(&req->list, &q->pending);
			set_bit(VFSD_REQ_PENDING, &req->flags);
			spin_unlock(&q->lock);
			break;
		}
		if (err) {
			req->result = err == -EFAULT ? -EIO : err;
			list_add_tail(&req->list, done);
			continue;
		}
		posted++;
		if (test_bit(VFSD_REQ_NOREPLY, &req->flags)) {
			req->result = 0;
			list_add_tail(&req->list, done);
			continue;
		}
		spin_lock(&q->lock);
		set_bit(VFSD_REQ_SENT, &req->flags);
		q->inflight[req->tag] = req;
		spin_unlock(&q->lock);
	}
	if (posted)
		/* SQEs and inline payloads are visible before the new tail. */
		smp_store_release(&q->hdr->sq_tail, q->sq_tail);
	return posted;
}

/* One pass of ENTER under enter_lock. Returns posted count or -errno. */
static int vfsd_enter_once(struct vfsd_queue *q)
{
	struct vfsd_conn *conn = q->conn;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned int nofs;
	bool corrupt = false;
	int posted = 0;
	LIST_HEAD(done);

	mutex_lock(&q->enter_lock);
	if (!READ_ONCE(conn->connected)) {
		mutex_unlock(&q->enter_lock);
		return READ_ONCE(conn->unmounted) ? -ENODEV : -ENOTCONN;
	}
	/* Reclaim must not recurse into this filesystem while we map. */
	nofs = memalloc_nofs_save();
	mmap_read_lock(mm);
	vma = vfsd_window_vma(q);
	if (!vfsd_consume_cq(q, &done))
		corrupt = true;
	else
		posted = vfsd_post_pending(q, vma, &done);
	mmap_read_unlock(mm);
	memalloc_nofs_restore(nofs);
	mutex_unlock(&q->enter_lock);
	vfsd_finish_list(&done);

	if (corrupt) {
		vfsd_protocol_error(conn);
		vfsd_warn(conn, "completion ring indices corrupted, aborting\n");
		vfsd_conn_abort(conn, false);
		return -ENOTCONN;
	}
	return posted;
}

int vfsd_queue_enter(struct vfsd_queue *q, u32 flags, u32 poll_us)
{
	struct vfsd_conn *conn = q->conn;
	int ret;

	/*
	 * Only the queue's own address space (the first to map its window
	 * or enter it) runs the queue: not a forked child, not another
	 * process holding the fd.
	 */
	if (!vfsd_window_claim(q))
		return -EPERM;
	WRITE_ONCE(q->thread_cpu, raw_smp_processor_id());
	/* Announce (or end) polling before posting what callers queued. */
	if (flags & VFSD_ENTER_POLL) {
		WRITE_ONCE(q->poll_ns, (u64)poll_us * NSEC_PER_USEC);
		WRITE_ONCE(q->poll_cpu, raw_smp_processor_id());
		WRITE_ONCE(q->polling, true);
	} else {
		WRITE_ONCE(q->polling, false);
	}
	for (;;) {
		ret = vfsd_enter_once(q);
		if (ret != 0 || !(flags & VFSD_ENTER_WAIT))
			return ret;
		ret = wait_event_interruptible(q->waitq,
					       vfsd_queue_has_work(q) ||
					       !READ_ONCE(conn->connected));
		if (ret)
			return -EINTR;
	}
}

/*
 * Fail every request of the queue. The connection is already marked
 * disconnected, so nothing new gets queued.
 */
void vfsd_queue_drain(struct vfsd_queue *q, int error)
{
	struct vfsd_req *req;
	LIST_HEAD(dead);
	unsigned int i;

	mutex_lock(&q->enter_lock);
	WRITE_ONCE(q->polling, false);
	vfsd_window_zap_all(q);

	spin_lock(&q->lock);
	list_for_each_entry(req, &q->pending, list)
		clear_bit(VFSD_REQ_PENDING, &req->flags);
	list_splice_init(&q->pending, &dead);
	for (i = 0; i < q->conn->depth; i++) {
		req = q->inflight[i];
		if (req) {
			q->inflight[i] = NULL;
			list_add_tail(&req->list, &dead);
		}
	}
	spin_unlock(&q->lock);

	list_for_each_entry(req, &dead, list) {
		/* The PTEs are gone; release the window bookkeeping. */
		vfsd_window_unmap(q, req);
		if (!test_bit(VFSD_REQ_NOREPLY, &req->flags) &&
		    req->tag != VFSD_TAG_NONE &&
		    test_bit(VFSD_REQ_SENT, &req->flags))
			clear_bit(req->tag, q->tag_map);
		req->result = error;
	}
	mutex_unlock(&q->enter_lock);
	vfsd_finish_list(&dead);
	wake_up_all(&q->waitq);
}
