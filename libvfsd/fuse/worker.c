// SPDX-License-Identifier: MIT
/*
 * FUSE worker threads: receive a request, let libfuse decode it into our
 * lowlevel op, then run the backend's batch_end until the request is
 * answered (see fuse_i.h). The threads end when the connection does
 * (ENODEV: unmounted) or, for a busy mount detached lazily, when
 * vfsd_fuse_workers_stop() cancels them while they wait for a request:
 * the only place cancellation is enabled, as in libfuse's own loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_i.h"

/* Until the request has its reply: an async op's I/O must finish first. */
void vfsd_fuse_drain(struct vfsd_queue *q)
{
	struct vfsd_req *req = &q->fuse->req;
	int busy = vfsd_queue_batch_end(q, false);

	while (busy > 0)
		busy = vfsd_queue_batch_end(q, true);
	if (req->in_flight) {
		/* A server bug; the kernel must not wait forever. */
		vfsd_err("%s got no reply: failed with EIO",
			 vfsd_opname(req->sqe.opcode));
		vfsd_req_fail(req, EIO);
	}
}

static void *worker_thread(void *arg)
{
	struct vfsd_queue *q = arg;
	struct vfsd_fuse_worker *w = q->fuse;
	struct fuse_session *se = q->s->fuse->se;
	int n = 0;

	vfsd_fuse_set_self(w);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	while (!fuse_session_exited(se)) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		n = fuse_session_receive_buf(se, &w->fbuf);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		/* ENOENT: a request interrupted before we read it. */
		if (n == -EINTR || n == -EAGAIN || n == -ENOENT)
			continue;
		if (n <= 0)
			break;
		fuse_session_process_buf(se, &w->fbuf);
		vfsd_fuse_drain(q);
	}
	/* 0: libfuse saw ENODEV (unmounted) and ended the session. */
	if (n < 0 && n != -ENODEV)
		vfsd_err("fuse thread %u: %s", q->index, strerror(-n));
	__atomic_store_n(&q->exit_err, n < 0 ? n : -ENODEV, __ATOMIC_RELEASE);
	if (write(q->s->wake[1], "q", 1) < 0) {
		/* Full pipe: the loop is awake anyway. */
	}
	return NULL;
}

static int worker_init(struct vfsd_session *s, struct vfsd_queue *q,
		       unsigned int index)
{
	struct vfsd_fuse_worker *w = calloc(1, sizeof(*w));

	q->s = s;
	q->index = index;
	q->fuse = w;
	if (!w)
		return -ENOMEM;
	w->req.q = q;
	w->req.xport = &vfsd_fuse_xport;
	w->data = malloc(VFSD_FUSE_MAX_IO);
	w->out = w->data;
	w->slot = malloc(VFSD_FUSE_SLOT + 1);	/* + a readlink's NUL */
	w->req.slot = w->slot;
	return w->data && w->slot ? 0 : -ENOMEM;
}

/* N queues, each with its worker state (req, buffers). */
int vfsd_fuse_queues_alloc(struct vfsd_session *s, unsigned int n)
{
	unsigned int i;
	int err = 0;

	s->queues = calloc(n, sizeof(*s->queues));
	if (!s->queues)
		return -ENOMEM;
	s->nr_queues = n;
	for (i = 0; i < n && !err; i++)
		err = worker_init(s, &s->queues[i], i);
	if (err)
		vfsd_err("fuse threads: out of memory");
	return err;
}

int vfsd_fuse_workers_start(struct vfsd_session *s)
{
	unsigned int i, n = s->fuse->nr_threads;
	sigset_t all, old;
	int err;

	if (s->fuse->uring)
		return vfsd_fuse_uring_start(s);
	err = vfsd_fuse_queues_alloc(s, n);
	if (err)
		return err;
	/* Signals go to the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < n; i++) {
		struct vfsd_queue *q = &s->queues[i];

		err = -pthread_create(&q->thread, NULL, worker_thread, q);
		if (err) {
			vfsd_err("cannot start fuse thread: %s", strerror(-err));
			break;
		}
		q->thread_started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

void vfsd_fuse_workers_stop(struct vfsd_session *s)
{
	unsigned int i;

	if (s->fuse->uring) {
		vfsd_fuse_uring_stop(s);
		return;
	}
	for (i = 0; i < s->nr_queues; i++)
		if (s->queues[i].thread_started)
			pthread_cancel(s->queues[i].thread);
	for (i = 0; i < s->nr_queues; i++) {
		struct vfsd_queue *q = &s->queues[i];

		if (q->thread_started) {
			pthread_join(q->thread, NULL);
			q->thread_started = false;
		}
	}
}

void vfsd_fuse_free(struct vfsd_session *s)
{
	unsigned int i;

	if (s->transport != VFSD_TRANSPORT_FUSE)
		return;
	for (i = 0; i < s->nr_queues; i++) {
		struct vfsd_fuse_worker *w = s->queues[i].fuse;

		if (!w)
			continue;
		free(w->data);
		free(w->slot);
		free(w->fbuf.mem);
		free(w);
		s->queues[i].fuse = NULL;
	}
	free(s->fuse);
	s->fuse = NULL;
}
