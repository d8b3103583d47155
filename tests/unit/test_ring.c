// SPDX-License-Identifier: MIT
/* Ring index arithmetic, and the queue step across the 2^32 wrap. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fake_kernel.h"
#include "ring.h"

static void test_count_wraps(void **state)
{
	(void)state;
	assert_int_equal(ring_count(5, 5), 0);
	assert_int_equal(ring_count(5, 9), 4);
	assert_int_equal(ring_count(0xfffffffeu, 2), 4);
	assert_int_equal(ring_count(0xffffffffu, 0), 1);
	assert_true(ring_count_valid(0xfffffffcu, 4, 8));
	assert_false(ring_count_valid(0xfffffffcu, 5, 8));
	/* A tail behind the head looks like ~4 billion entries: corrupt. */
	assert_false(ring_count_valid(10, 9, 8));
	assert_true(ring_full(0xfffffffcu, 4, 8));
	assert_false(ring_full(0xfffffffcu, 3, 8));
	assert_true(ring_full(10, 9, 8));
}

static void test_slot_mask(void **state)
{
	(void)state;
	assert_int_equal(ring_slot(0, 7), 0);
	assert_int_equal(ring_slot(9, 7), 1);
	assert_int_equal(ring_slot(0xffffffffu, 7), 7);
	/* The slot sequence is continuous across the wrap. */
	assert_int_equal(ring_slot(0xffffffffu + 1u, 7), 0);
	assert_int_equal(ring_slot(0xfffffffeu, 1023), 1022);
}

static void test_pow2(void **state)
{
	(void)state;
	assert_false(ring_is_pow2(0));
	assert_true(ring_is_pow2(1));
	assert_true(ring_is_pow2(1024));
	assert_false(ring_is_pow2(3));
	assert_false(ring_is_pow2(1000));
	assert_true(ring_is_pow2(0x80000000u));
}

/* getattr answers with ino = nodeid, so every CQE can be matched. */
static void op_getattr(struct vfsd_req *req, vfsd_ino_t ino,
		       struct vfsd_file_info *fi)
{
	struct stat st = { .st_mode = S_IFREG | 0600, .st_ino = ino };

	(void)fi;
	vfsd_reply_attr(req, &st, 0);
}

static const struct vfsd_ops ops = { .getattr = op_getattr };

static void run_rounds(uint32_t start, uint32_t depth, unsigned int rounds)
{
	struct vfsd_session *s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	struct fake_kernel k;
	unsigned int r, i;

	assert_non_null(s);
	fk_init(&k, s, depth, start, FK_LAYOUT_KERNEL);
	for (r = 0; r < rounds; r++) {
		uint64_t ids[VFSD_MAX_DEPTH];

		/* Fill the whole ring: every tag and SQ slot in use. */
		for (i = 0; i < depth; i++) {
			struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETATTR, 100 + i);

			ids[i] = fk_post(&k, &sqe, NULL, 0, false);
		}
		assert_int_equal(fk_run(&k), depth);
		assert_int_equal(k.hdr->sq_head, k.sq_tail);
		assert_int_equal(fk_pending(&k), depth);
		for (i = 0; i < depth; i++) {
			struct vfsd_cqe cqe;
			uint16_t tag;
			struct vfsd_attr_out out;

			assert_true(fk_reap(&k, &cqe, &tag));
			assert_true(cqe.id == ids[i]);	/* in order */
			assert_int_equal(cqe.result, 0);
			memcpy(&out, fk_slot(&k, tag), sizeof(out));
			assert_int_equal(out.attr.ino, 100 + i);
		}
		assert_int_equal(fk_pending(&k), 0);
	}
	assert_int_equal(k.sq_tail, start + depth * rounds);
	assert_int_equal(k.hdr->cq_tail, start + depth * rounds);
	fk_fini(&k);
	vfsd_session_destroy(s);
}

static void test_process_across_wrap(void **state)
{
	(void)state;
	run_rounds(0xfffffffau, 8, 4);		/* wraps in the first round */
	run_rounds(0xffffffffu - 1024, 1024, 3);
	run_rounds(0, 1, 5);			/* depth 1: mask 0 */
}

static void test_corrupt_tail(void **state)
{
	struct vfsd_session *s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	struct fake_kernel k;

	(void)state;
	fk_log_capture();
	fk_init(&k, s, 8, 0xfffffffcu, FK_LAYOUT_KERNEL);
	/* The kernel claims 9 requests in an 8-entry ring. */
	k.hdr->sq_tail = 0xfffffffcu + 9;
	assert_int_equal(fk_run(&k), -EPROTO);
	assert_int_equal(k.hdr->sq_head, 0xfffffffcu);
	assert_int_equal(fk_pending(&k), 0);
	assert_non_null(strstr(fk_last_log, "corrupt"));
	/* Or a tail behind the head. */
	k.hdr->sq_tail = 0xfffffffcu - 1;
	assert_int_equal(fk_run(&k), -EPROTO);
	assert_int_equal(fk_pending(&k), 0);
	fk_fini(&k);
	vfsd_session_destroy(s);
	vfsd_set_log_func(NULL);
}

static void test_cq_full(void **state)
{
	struct vfsd_session *s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	struct fake_kernel k;
	unsigned int i;

	(void)state;
	fk_log_capture();
	fk_init(&k, s, 4, 0xfffffffeu, FK_LAYOUT_KERNEL);
	for (i = 0; i < 4; i++) {
		struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETATTR, 1);

		fk_post(&k, &sqe, NULL, 0, false);
	}
	assert_int_equal(fk_run(&k), 4);
	/* The kernel consumed nothing: a fifth completion must not land. */
	assert_int_equal(vfsd_queue_post(k.q, 12345, 0), -EOVERFLOW);
	assert_int_equal(fk_pending(&k), 4);
	assert_non_null(strstr(fk_last_log, "full"));
	fk_fini(&k);
	vfsd_session_destroy(s);
	vfsd_set_log_func(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_wraps),
		cmocka_unit_test(test_slot_mask),
		cmocka_unit_test(test_pow2),
		cmocka_unit_test(test_process_across_wrap),
		cmocka_unit_test(test_corrupt_tail),
		cmocka_unit_test(test_cq_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
