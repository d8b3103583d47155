// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: connections (one per open of /dev/vfsd), their queues, abort, and
 * their state under /sys/fs/vfsd/<id>/.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/idr.h>
#include <linux/cpumask.h>
#include <linux/sched/mm.h>
#include <linux/bitmap.h>

#include "vfsd_i.h"

static DEFINE_IDA(vfsd_conn_ida);
static struct kset *vfsd_kset;

static void vfsd_conn_release(struct kobject *kobj)
{
	struct vfsd_conn *conn = container_of(kobj, struct vfsd_conn, kobj);
	unsigned int i;

	cancel_delayed_work_sync(&conn->timeout_work);
	for (i = 0; conn->queues && i < conn->nr_queues; i++) {
		struct vfsd_queue *q = &conn->queues[i];

		if (q->win_mm)
			mmdrop(q->win_mm);
		vfree(q->ring);
		kfree(q->inflight);
		bitmap_free(q->tag_map);
		bitmap_free(q->win_map);
		vfsd_slots_free(q);
	}
	kfree(conn->queues);
	vfsd_dmaps_destroy(conn);
	ida_free(&vfsd_conn_ida, conn->id);
	/* Last: the window filesystem holds a reference to this module. */
	vfsd_window_inode_free(conn);
	kfree(conn);
}

void vfsd_conn_get(struct vfsd_conn *conn)
{
	kobject_get(&conn->kobj);
}

void vfsd_conn_put(struct vfsd_conn *conn)
{
	kobject_put(&conn->kobj);
}

static struct vfsd_conn *kobj_to_conn(struct kobject *kobj)
{
	return container_of(kobj, struct vfsd_conn, kobj);
}

static ssize_t abort_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	bool val;
	int err = kstrtobool(buf, &val);

	if (err)
		return err;
	if (val)
		vfsd_conn_abort(kobj_to_conn(kobj), false);
	return count;
}

static ssize_t connected_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kobj_to_conn(kobj)->connected));
}

#define VFSD_SHOW(name, expr)						\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	struct vfsd_conn *conn = kobj_to_conn(kobj);			\
									\
	return sysfs_emit(buf, "%lld\n", (long long)(expr));		\
}									\
static struct kobj_attribute vfsd_attr_##name = __ATTR_RO(name)

VFSD_SHOW(waiting, atomic_read(&conn->waiting));
VFSD_SHOW(requests, atomic64_read(&conn->requests));
VFSD_SHOW(bytes_mapped, atomic64_read(&conn->bytes_mapped));
VFSD_SHOW(bytes_copied, atomic64_read(&conn->bytes_copied));
VFSD_SHOW(bytes_slot, atomic64_read(&conn->bytes_slot));
VFSD_SHOW(read_slots, conn->read_slots);
VFSD_SHOW(bytes_direct, atomic64_read(&conn->bytes_direct));
VFSD_SHOW(timeouts, atomic64_read(&conn->timeouts));
VFSD_SHOW(background, atomic_read(&conn->background));
VFSD_SHOW(max_background, READ_ONCE(conn->max_background));
VFSD_SHOW(bg_throttled, atomic64_read(&conn->bg_throttled));
VFSD_SHOW(interrupts, atomic64_read(&conn->op_count[VFSD_OP_INTERRUPT]));
VFSD_SHOW(pinnable, READ_ONCE(conn->pinnable));
VFSD_SHOW(pins_caught, atomic64_read(&conn->pins_caught));
VFSD_SHOW(bufs_registered, atomic64_read(&conn->bufs_registered));
VFSD_SHOW(protocol_errors, atomic64_read(&conn->protocol_errors));
VFSD_SHOW(queues, conn->nr_queues);
VFSD_SHOW(max_io, conn->max_io);

/* Requests sent, by opcode: "NAME COUNT" lines, for profiling. */
#define VFSD_OP_NAME(NAME, name, in, out, reply, fuse) \
	[VFSD_OP_##NAME] = #name,
static const char *const vfsd_op_names[VFSD_OP_MAX] = {
	VFSD_OPCODES(VFSD_OP_NAME)
};

#undef VFSD_OP_NAME

static ssize_t ops_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	struct vfsd_conn *conn = kobj_to_conn(kobj);
	int op, len = 0;

	for (op = 1; op < VFSD_OP_MAX; op++)
		len += sysfs_emit_at(buf, len, "%s %lld\n",
				     vfsd_op_names[op] ?: "?",
				     (long long)atomic64_read(&conn->op_count[op]));
	return len;
}

/* What others do on the mount is not everyone's to read. */
static struct kobj_attribute vfsd_attr_ops = __ATTR(ops, 0400, ops_show, NULL);
static struct kobj_attribute vfsd_attr_abort = __ATTR_WO(abort);
static struct kobj_attribute vfsd_attr_connected = __ATTR_RO(connected);

static struct attribute *vfsd_conn_attrs[] = {
	&vfsd_attr_abort.attr,
	&vfsd_attr_connected.attr,
	&vfsd_attr_waiting.attr,
	&vfsd_attr_requests.attr,
	&vfsd_attr_bytes_mapped.attr,
	&vfsd_attr_bytes_copied.attr,
	&vfsd_attr_bytes_slot.attr,
	&vfsd_attr_read_slots.attr,
	&vfsd_attr_bytes_direct.attr,
	&vfsd_attr_protocol_errors.attr,
	&vfsd_attr_timeouts.attr,
	&vfsd_attr_background.attr,
	&vfsd_attr_max_background.attr,
	&vfsd_attr_bg_throttled.attr,
	&vfsd_attr_interrupts.attr,
	&vfsd_attr_pinnable.attr,
	&vfsd_attr_pins_caught.attr,
	&vfsd_attr_bufs_registered.attr,
	&vfsd_attr_queues.attr,
	&vfsd_attr_max_io.attr,
	&vfsd_attr_ops.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vfsd_conn);

static const struct kobj_type vfsd_conn_ktype = {
	.release = vfsd_conn_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vfsd_conn_groups,
};

static bool vfsd_req_expired(struct vfsd_req *req, unsigned long timeout)
{
	return req && time_after(jiffies, req->queued_at + timeout);
}

/* Has any request of the queue waited longer than the timeout? */
static bool vfsd_queue_expired(struct vfsd_queue *q, unsigned long timeout)
{
	struct vfsd_req *oldest;
	bool expired;
	unsigned int i;

	spin_lock(&q->lock);
	/* The head of pending is the oldest (a retry goes back to the head). */
	oldest = list_first_entry_or_null(&q->pending, struct vfsd_req, list);
	expired = vfsd_req_expired(oldest, timeout);
	for (i = 0; !expired && i < q->conn->depth; i++)
		expired = vfsd_req_expired(q->inflight[i], timeout);
	spin_unlock(&q->lock);
	return expired;
}

static unsigned long vfsd_timeout_interval(struct vfsd_conn *conn)
{
	return max_t(unsigned long, conn->req_timeout / 4, HZ);
}

/* A hung server fails everything, as FUSE's request timeout does. */
static void vfsd_conn_check_timeout(struct work_struct *work)
{
	struct vfsd_conn *conn = container_of(to_delayed_work(work),
					      struct vfsd_conn, timeout_work);
	unsigned int i;

	if (!READ_ONCE(conn->connected))
		return;
	for (i = 0; i < conn->nr_queues; i++) {
		if (vfsd_queue_expired(&conn->queues[i], conn->req_timeout)) {
			atomic64_inc(&conn->timeouts);
			vfsd_warn(conn, "no reply within %lu s, aborting\n",
				  conn->req_timeout / HZ);
			vfsd_conn_abort(conn, false);
			return;
		}
	}
	schedule_delayed_work(&conn->timeout_work,
			      vfsd_timeout_interval(conn));
}

/* At mount: check for requests older than @secs (0: never). */
void vfsd_conn_start_timeout(struct vfsd_conn *conn, unsigned int secs)
{
	if (!secs)
		return;
	conn->req_timeout = (unsigned long)secs * HZ;
	schedule_delayed_work(&conn->timeout_work,
			      vfsd_timeout_interval(conn));
}

struct vfsd_conn *vfsd_conn_alloc(void)
{
	struct vfsd_conn *conn;
	int err;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	conn->id = ida_alloc(&vfsd_conn_ida, GFP_KERNEL);
	if (conn->id < 0) {
		err = conn->id;
		kfree(conn);
		return ERR_PTR(err);
	}
	spin_lock_init(&conn->lock);
	INIT_DELAYED_WORK(&conn->timeout_work, vfsd_conn_check_timeout);
	init_rwsem(&conn->killsb);
	xa_init_flags(&conn->dmaps, XA_FLAGS_ALLOC1);
	conn->connected = true;
	atomic_set(&conn->waiting, 0);
	err = vfsd_window_inode_alloc(conn);
	if (err) {
		ida_free(&vfsd_conn_ida, conn->id);
		kfree(conn);
		return ERR_PTR(err);
	}

	conn->kobj.kset = vfsd_kset;
	err = kobject_init_and_add(&conn->kobj, &vfsd_conn_ktype, NULL, "%d",
				   conn->id);
	if (err) {
		kobject_put(&conn->kobj);
		return ERR_PTR(err);
	}
	kobject_uevent(&conn->kobj, KOBJ_ADD);
	return conn;
}

static int vfsd_queue_init(struct vfsd_conn *conn, struct vfsd_queue *q,
			   unsigned int index, const struct vfsd_setup *s)
{
	q->conn = conn;
	q->index = index;
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->pending);
	init_waitqueue_head(&q->waitq);
	mutex_init(&q->enter_lock);

	q->inflight = kcalloc(conn->depth, sizeof(*q->inflight), GFP_KERNEL);
	q->tag_map = bitmap_zalloc(conn->depth, GFP_KERNEL);
	q->win_map = bitmap_zalloc(conn->window_pages, GFP_KERNEL);
	q->ring = vmalloc_user(conn->ring_size);
	if (!q->inflight || !q->tag_map || !q->win_map || !q->ring)
		return -ENOMEM;
	if (vfsd_slots_init(q))
		return -ENOMEM;

	q->hdr = q->ring;
	q->sqes = q->ring + s->sqe_off;
	q->cqes = q->ring + s->cqe_off;
	q->inline_base = q->ring + s->inline_off;
	q->hdr->depth = conn->depth;
	q->hdr->mask = conn->depth - 1;
	q->thread_cpu = -1;	/* no thread has entered yet */
	q->poll_cpu = -1;
	return 0;
}

/*
 * VFSD_IOC_SETUP: validate what the server asks for, fill in what it gets,
 * allocate the queues. Once per connection.
 */
int vfsd_conn_setup(struct vfsd_conn *conn, struct vfsd_setup *s)
{
	unsigned int i, depth, window, nr, slots;
	size_t off;
	int err;

	if (s->abi_version != VFSD_ABI_VERSION)
		return -EPROTO;
	if ((s->flags & ~VFSD_SETUP_FLAGS) || s->features ||
	    memchr_inv(s->reserved, 0, sizeof(s->reserved)))
		return -EINVAL;
	/* Pinnable READs get fresh pages of their own already. */
	if ((s->flags & VFSD_SETUP_PIN) && (s->flags & VFSD_SETUP_READ_SLOTS))
		return -EINVAL;

	nr = s->nr_queues ? s->nr_queues : num_online_cpus();
	if (nr > VFSD_MAX_QUEUES)
		return -EINVAL;
	depth = s->depth ? s->depth : VFSD_DEFAULT_DEPTH;
	if (!is_power_of_2(depth) || depth > VFSD_MAX_DEPTH)
		return -EINVAL;
	window = s->window_size ? s->window_size : VFSD_DEFAULT_WINDOW;
	if (window > VFSD_MAX_WINDOW || window < 2 * PAGE_SIZE ||
	    !PAGE_ALIGNED(window))
		return -EINVAL;
	/* Read slots asked for must exist: a window too small has none. */
	slots = s->flags & VFSD_SETUP_READ_SLOTS ?
		vfsd_read_slots_for(depth, window >> PAGE_SHIFT) : 0;
	if ((s->flags & VFSD_SETUP_READ_SLOTS) && !slots)
		return -EINVAL;

	spin_lock(&conn->lock);
	if (conn->setup_done) {
		spin_unlock(&conn->lock);
		return -EBUSY;
	}
	conn->setup_done = true;
	spin_unlock(&conn->lock);

	conn->nr_queues = nr;
	conn->depth = depth;
	conn->want_interrupt = s->flags & VFSD_SETUP_INTERRUPT;
	conn->pinnable = s->flags & VFSD_SETUP_PIN;
	/* Until the mount says otherwise: what the rings hold at once. */
	conn->max_background = nr * depth;
	conn->window_size = window;
	conn->window_pages = window >> PAGE_SHIFT;
	conn->read_slots = slots;
	/* Half the rest per request, so two large requests overlap. */
	conn->max_io = min_t(unsigned int, VFSD_MAX_IO,
			     (conn->window_pages - conn->read_slots) / 2 *
			     PAGE_SIZE);

	off = sizeof(struct vfsd_ring_hdr);
	s->sqe_off = off;
	off += depth * sizeof(struct vfsd_sqe);
	s->cqe_off = off;
	off += depth * sizeof(struct vfsd_cqe);
	off = PAGE_ALIGN(off);
	s->inline_off = off;
	s->inline_size = VFSD_INLINE_SIZE;
	off += (size_t)depth * VFSD_INLINE_SIZE;
	conn->ring_size = PAGE_ALIGN(off);

	conn->queues = kcalloc(nr, sizeof(*conn->queues), GFP_KERNEL);
	if (!conn->queues)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		err = vfsd_queue_init(conn, &conn->queues[i], i, s);
		if (err) {
			/* Release frees what was allocated. */
			conn->nr_queues = i + 1;
			conn->connected = false;
			return err;
		}
	}

	spin_lock(&conn->lock);
	if (conn->connected)
		/* Pairs with vfsd_dev_queue()'s acquire: queues are set up. */
		smp_store_release(&conn->ready, true);
	spin_unlock(&conn->lock);

	s->nr_queues = nr;
	s->depth = depth;
	s->window_size = window;
	s->max_io = conn->max_io;
	s->ring_size = conn->ring_size;
	s->conn_id = conn->id;
	s->features = VFSD_FEATURES;
#ifndef VFSD_HAVE_URING_BUF
	s->features &= ~VFSD_FEAT_URING_BUF;
#endif
	return 0;
}

/*
 * End the connection: every pending and in-flight request fails, the
 * server loses access to every page it was handed, and new requests fail
 * fast. Safe to call more than once and from any process context.
 */
void vfsd_conn_abort(struct vfsd_conn *conn, bool unmounted)
{
	unsigned int i;
	bool ready;

	spin_lock(&conn->lock);
	if (unmounted)
		conn->unmounted = true;
	if (!conn->connected) {
		spin_unlock(&conn->lock);
		return;
	}
	conn->connected = false;
	ready = conn->ready;
	spin_unlock(&conn->lock);

	for (i = 0; ready && i < conn->nr_queues; i++)
		vfsd_queue_drain(&conn->queues[i], -ENOTCONN);
}

/* Count and report a server reply that broke the protocol. */
void vfsd_protocol_error(struct vfsd_conn *conn)
{
	atomic64_inc(&conn->protocol_errors);
}

int vfsd_sysfs_init(void)
{
	vfsd_kset = kset_create_and_add("vfsd", NULL, fs_kobj);
	return vfsd_kset ? 0 : -ENOMEM;
}

void vfsd_sysfs_exit(void)
{
	kset_unregister(vfsd_kset);
}
