// SPDX-License-Identifier: MIT
/*
 * Asynchronous replies through ops.batch_end: ops queue their requests
 * without replying; batch_end, run after the batch on the queue's
 * thread, finishes them and reports how many are left, and the queue
 * keeps calling it (blocking only when nothing new came) until none are.
 * VFSD_OP_INTERRUPT reaches such a held request through ops.interrupt.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fk_session.h"

static struct vfsd_req *held[8];
static void *held_buf[8];
static int nheld, calls, last_wait;
static unsigned int last_queue;

static void op_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		    size_t size, off_t off, struct vfsd_file_info *fi)
{
	(void)ino, (void)size, (void)off, (void)fi;
	held_buf[nheld] = buf;
	held[nheld++] = req;	/* valid until we reply */
}

/* Finishes the oldest held request per call, like one CQE at a time. */
static int batch_end(void *userdata, unsigned int queue, int wait)
{
	int i;

	(void)userdata;
	calls++;
	last_wait = wait;
	last_queue = queue;
	if (!nheld)
		return 0;
	memset(held_buf[0], 'a' + calls, 100);
	assert_int_equal(vfsd_reply_read(held[0], 100), 0);
	for (i = 1; i < nheld; i++) {
		held[i - 1] = held[i];
		held_buf[i - 1] = held_buf[i];
	}
	return --nheld;
}

static int interrupts;

/* The application gave up: answer at once and forget the request. */
static void op_interrupt(struct vfsd_req *req)
{
	int i = 0;

	interrupts++;
	assert_true(vfsd_req_interrupted(req));
	while (i < nheld && held[i] != req)
		i++;
	assert_true(i < nheld);
	assert_int_equal(vfsd_reply_err(req, EINTR), 0);
	for (nheld--; i < nheld; i++) {
		held[i] = held[i + 1];
		held_buf[i] = held_buf[i + 1];
	}
}

static const struct vfsd_ops ops = {
	.read = op_read, .batch_end = batch_end, .interrupt = op_interrupt,
};

static int setup(void **state)
{
	nheld = calls = interrupts = 0;
	return fk_session_setup(state, &ops, NULL, 8);
}

static uint64_t post_reads(struct fk_session *fx, int n)
{
	struct fake_kernel *k = &fx->k;
	uint64_t id = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, 2);

		sqe.len = 4096;
		sqe.win_off = (uint32_t)i * 4096;
		id = fk_post(k, &sqe, NULL, 0, false);
	}
	return id;	/* the last one's */
}

static void post_interrupt(struct fk_session *fx, uint64_t id)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_INTERRUPT, 2);

	sqe.offset = id;
	sqe.arg = VFSD_OP_READ;
	fk_post(k, &sqe, NULL, 0, true);
	vfsd_queue_process(k->q);
}

static void test_interrupt_reaches_held_request(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_cqe cqe;
	uint64_t last;

	last = post_reads(fx, 2);
	assert_int_equal(vfsd_queue_process(k->q), 2);
	assert_int_equal(nheld, 2);
	assert_false(vfsd_req_interrupted(held[0]));
	assert_false(vfsd_req_interrupted(held[1]));

	post_interrupt(fx, last);
	assert_int_equal(interrupts, 1);
	assert_int_equal(nheld, 1);
	assert_false(vfsd_req_interrupted(held[0]));
	assert_true(fk_reap(k, &cqe, NULL));
	assert_int_equal(cqe.id, last);
	assert_int_equal(cqe.result, -EINTR);

	/* Stale (already answered) or unknown ids change nothing. */
	post_interrupt(fx, last);
	post_interrupt(fx, last ^ (1ull << 20));
	post_interrupt(fx, 0xffff);
	assert_int_equal(interrupts, 1);
	assert_int_equal(fk_pending(k), 0);

	/* The other request finishes as usual. */
	assert_int_equal(vfsd_queue_batch_end(k->q, true), 0);
	assert_true(fk_reap(k, &cqe, NULL));
	assert_int_equal(cqe.result, 100);
}

static void test_replies_after_the_batch(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_cqe cqe;
	uint16_t tag;
	char data[100];
	int i;

	post_reads(fx, 3);
	assert_int_equal(vfsd_queue_process(k->q), 3);
	assert_int_equal(nheld, 3);
	assert_int_equal(fk_pending(k), 0);	/* nothing replied yet */
	/* New requests came: no blocking; one finished, two left. */
	assert_int_equal(vfsd_queue_batch_end(k->q, false), 2);
	assert_int_equal(last_wait, 0);
	assert_int_equal(last_queue, 0);
	assert_int_equal(fk_pending(k), 1);
	assert_true(fk_reap(k, &cqe, &tag));
	assert_int_equal(cqe.result, 100);
	assert_int_equal(vfsd_queue_batch_end(k->q, true), 1);
	assert_int_equal(last_wait, 1);
	assert_int_equal(vfsd_queue_batch_end(k->q, true), 0);
	for (i = 0; i < 2; i++) {
		assert_true(fk_reap(k, &cqe, &tag));
		assert_int_equal(cqe.result, 100);
	}
	/* The data went into each request's own window pages. */
	fk_window_peek(k, 8192, data, sizeof(data));
	assert_int_equal(data[0], 'a' + 3);
	assert_int_equal(vfsd_queue_batch_end(k->q, true), 0);	/* idle */
}

static void test_fake_kernel_drains(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_cqe cqe;
	int n = 0;

	post_reads(fx, 5);
	assert_int_equal(fk_run(k), 5);
	while (fk_reap(k, &cqe, NULL)) {
		assert_int_equal(cqe.result, 100);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(calls, 5);	/* one per reply; the fifth leaves 0 */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)

	const struct CMUnitTest tests[] = {
		T(test_replies_after_the_batch), T(test_fake_kernel_drains),
		T(test_interrupt_reaches_held_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
