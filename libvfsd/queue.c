// SPDX-License-Identifier: MIT
/*
 * A queue: one thread calling VFSD_IOC_ENTER in a loop. ENTER hands the
 * kernel our completions and waits for requests; vfsd_queue_process() then
 * runs every posted request. The two steps are separate so the unit tests
 * can play the kernel and drive vfsd_queue_process() directly.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ring.h"
#include "vfsd_i.h"

/* Post one completion: write the CQE, then publish it. */
int vfsd_queue_post(struct vfsd_queue *q, uint64_t id, int32_t result)
{
	uint32_t head = ring_load_acquire(&q->hdr->cq_head);
	struct vfsd_cqe *cqe;

	/*
	 * Cannot happen with a correct kernel: a tag is owned until its
	 * completion is consumed, so at most depth completions are pending.
	 */
	if (ring_full(head, q->cq_tail, q->depth)) {
		vfsd_err("queue %u: completion ring full, reply %#llx lost",
			 q->index, (unsigned long long)id);
		return -EOVERFLOW;
	}
	cqe = &q->cq[ring_slot(q->cq_tail, q->mask)];
	cqe->id = id;
	cqe->result = result;
	cqe->flags = 0;
	q->cq_tail++;
	ring_store_release(&q->hdr->cq_tail, q->cq_tail);
	return 0;
}

/*
 * Run every request between our sq_head and the kernel's sq_tail, each
 * from a private copy of its SQE. Returns how many, or -EPROTO if the
 * indices are corrupt.
 */
int vfsd_queue_process(struct vfsd_queue *q)
{
	uint32_t tail = ring_load_acquire(&q->hdr->sq_tail);
	uint32_t head = q->sq_head;
	int n = 0;

	if (!ring_count_valid(head, tail, q->depth)) {
		vfsd_err("queue %u: submission ring corrupt (head %u, tail %u)",
			 q->index, head, tail);
		return -EPROTO;
	}
	while (head != tail) {
		struct vfsd_sqe sqe;

		memcpy(&sqe, &q->sq[ring_slot(head, q->mask)], sizeof(sqe));
		head++;
		vfsd_dispatch(q, &sqe);
		n++;
	}
	q->sq_head = head;
	/* The SQ slots are free again once we no longer read them. */
	ring_store_release(&q->hdr->sq_head, head);
	return n;
}

/*
 * Hand over completions and take new requests. flags: VFSD_ENTER_WAIT
 * sleeps until requests come; VFSD_ENTER_POLL says we poll afterwards.
 */
int vfsd_queue_enter(struct vfsd_queue *q, unsigned int flags,
		     unsigned int poll_us)
{
	struct vfsd_enter e = {
		.queue = q->index, .flags = flags,
		.poll_us = (flags & VFSD_ENTER_POLL) ? poll_us : 0,
	};
	int n = ioctl(q->s->fd, VFSD_IOC_ENTER, &e);

	return n < 0 ? -errno : n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Spin until the kernel queues a request after 'seen' (true) or until
 * the deadline (false). The clock is read only now and then: it may be
 * a system call where the clocksource has no vDSO.
 */
static bool poll_for_work(struct vfsd_queue *q, uint32_t seen,
			  uint64_t deadline)
{
	unsigned int spins = 0;

	while (ring_load_acquire(&q->hdr->queued) == seen) {
		if (++spins % 64 == 0) {
			if (now_ns() >= deadline)
				return false;
			/* Whoever else wants this CPU goes first. */
			sched_yield();
		}
		cpu_relax();
	}
	return true;
}

/*
 * Let an asynchronous backend submit and reap the batch's I/O. Returns how
 * many requests still wait for it (then the thread must not sleep in
 * ENTER: their replies would wait for an unrelated request).
 */
int vfsd_queue_batch_end(struct vfsd_queue *q, bool wait)
{
	struct vfsd_session *s = q->s;
	int n;

	if (!s->ops.batch_end)
		return 0;
	n = s->ops.batch_end(s->userdata, q->index, wait);
	return n > 0 ? n : 0;
}

/*
 * ENTER, run what it posted, repeat. With polling on, a thread that just
 * did work enters again at once (handing over the replies) and then spins
 * on the ring's 'queued' counter for poll_us before it sleeps in ENTER.
 */
static void *queue_thread(void *arg)
{
	struct vfsd_queue *q = arg;
	unsigned int poll_us = q->s->poll_us, flags = VFSD_ENTER_WAIT;
	uint64_t last_work = 0;
	int err, busy = 0;

	for (;;) {
		uint32_t seen = ring_load_acquire(&q->hdr->queued);
		uint32_t replied = q->cq_tail;

		err = vfsd_queue_enter(q, flags, poll_us);
		if (err == -EINTR)
			continue;
		if (err < 0)
			break;
		err = vfsd_queue_process(q);
		if (err < 0)
			break;
		/* Nothing new: block on the backend's I/O instead. */
		busy = vfsd_queue_batch_end(q, err == 0);
		if (busy) {
			flags = 0;	/* replies pending: never sleep */
		} else if (!poll_us) {
			flags = VFSD_ENTER_WAIT;
		} else if (err > 0 || q->cq_tail != replied) {
			/* Hand the replies (also the backend's) over first. */
			last_work = now_ns();
			flags = VFSD_ENTER_POLL;
		} else {
			flags = poll_for_work(q, seen, last_work + poll_us * 1000ull) ?
				VFSD_ENTER_POLL : VFSD_ENTER_WAIT;
		}
	}
	/* The backend's I/O must not outlive the requests it fills. */
	while (busy > 0)
		busy = vfsd_queue_batch_end(q, true);
	/* ENODEV: unmounted; ENOTCONN: aborted. Both end the session. */
	if (err != -ENODEV && err != -ENOTCONN)
		vfsd_err("queue %u: %s", q->index, strerror(-err));
	__atomic_store_n(&q->exit_err, err, __ATOMIC_RELEASE);
	if (write(q->s->wake[1], "q", 1) < 0) {
		/* Full pipe: the loop is awake anyway. */
	}
	return NULL;
}

/*
 * The kernel gives a request to the queue of the CPU it was made on
 * (cpu % nr_queues). Running that queue's thread on those CPUs keeps the
 * handover local: the application and the server thread wake each other
 * without an IPI, and two applications on two CPUs do not take turns on
 * one thread. The CPUs the process may not use are left out; a queue with
 * none left runs anywhere, and so does one whose pinning fails: a hint.
 */
static void pin_queue_thread(struct vfsd_session *s, struct vfsd_queue *q)
{
	cpu_set_t allowed, mine;
	int cpu;

	/* Only one queue per CPU (nr_queues 0): N queues run anywhere. */
	if (s->opts.nr_queues || sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	CPU_ZERO(&mine);
	for (cpu = q->index; cpu < CPU_SETSIZE; cpu += s->nr_queues)
		if (CPU_ISSET(cpu, &allowed))
			CPU_SET(cpu, &mine);
	if (CPU_COUNT(&mine))
		pthread_setaffinity_np(q->thread, sizeof(mine), &mine);
}

int vfsd_queues_start(struct vfsd_session *s)
{
	char name[16];		/* the kernel's TASK_COMM_LEN */
	sigset_t all, old;
	unsigned int i;
	int err = 0;

	/* Signals go to the loop's thread, never interrupt ENTER. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < s->nr_queues; i++) {
		struct vfsd_queue *q = &s->queues[i];

		err = -pthread_create(&q->thread, NULL, queue_thread, q);
		if (err) {
			vfsd_err("cannot start queue thread: %s", strerror(-err));
			break;
		}
		q->thread_started = true;
		/* top -H and /proc/PID/task show which thread is which queue. */
		snprintf(name, sizeof(name), "vfsd-q%u", q->index);
		pthread_setname_np(q->thread, name);
		pin_queue_thread(s, q);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* End the connection so every ENTER returns, then join the threads. */
void vfsd_queues_stop(struct vfsd_session *s)
{
	unsigned int i;

	if (s->fd >= 0)
		ioctl(s->fd, VFSD_IOC_ABORT);
	for (i = 0; i < s->nr_queues; i++) {
		struct vfsd_queue *q = &s->queues[i];

		if (q->thread_started) {
			pthread_join(q->thread, NULL);
			q->thread_started = false;
		}
	}
}
