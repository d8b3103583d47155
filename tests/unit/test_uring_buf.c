// SPDX-License-Identifier: MIT
/*
 * vfsd_req_prep_buf_register/unregister against the fake kernel: the
 * SQEs they fill (IORING_OP_URING_CMD on the connection's fd, the command
 * and struct vfsd_uring_buf in its 16 command bytes), and when they refuse
 * (-EOPNOTSUPP, SQE untouched): no VFSD_CAP_URING_BUF, an O_DIRECT
 * request, an opcode without pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/io_uring.h>

#include <cmocka.h>

#include "fk_ops.h"
#include "fk_session.h"

static struct {
	int reg, unreg;			/* what the calls returned */
	struct io_uring_sqe sqe[2];	/* register, unregister */
	uint64_t id;
} seen;

static void prep_both(struct vfsd_req *req)
{
	memset(seen.sqe, 0xa5, sizeof(seen.sqe));
	seen.reg = vfsd_req_prep_buf_register(req, &seen.sqe[0], 7);
	seen.unreg = vfsd_req_prep_buf_unregister(req, &seen.sqe[1], 7);
}

static void op_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		    size_t size, off_t off, struct vfsd_file_info *fi)
{
	(void)ino; (void)off; (void)fi; (void)buf;
	prep_both(req);
	vfsd_reply_read(req, size);
}

static void op_getattr(struct vfsd_req *req, vfsd_ino_t ino,
		       struct vfsd_file_info *fi)
{
	struct stat st = { .st_mode = S_IFREG | 0644, .st_ino = ino };

	(void)fi;
	prep_both(req);
	vfsd_reply_attr(req, &st, 1.0);
}

static const struct vfsd_ops ops = {
	.read = op_read,
	.getattr = op_getattr,
};

static int setup(void **state)
{
	struct fk_session *fx;
	int r = fk_session_setup(state, &ops, NULL, 8);

	if (r)
		return r;
	fx = *state;
	/* An fd for the SQEs to name; the commands never reach it. */
	fx->s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fx->s->setup.features = VFSD_FEATURES;
	fx->s->setup.flags = VFSD_SETUP_PIN;
	vfsd_conn_from_setup(fx->s);
	return 0;
}

static int32_t read_with(struct fk_session *fx, uint32_t flags)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, 2);

	sqe.fh = 1;
	sqe.len = 4096;
	sqe.arg = flags;
	return fk_call(&fx->k, &sqe, NULL, 0, NULL, 0);
}

static void assert_cmd(const struct io_uring_sqe *sqe, int fd, uint32_t op,
		       uint16_t index)
{
	struct vfsd_uring_buf b;

	assert_int_equal(sqe->opcode, IORING_OP_URING_CMD);
	assert_int_equal(sqe->fd, fd);
	assert_int_equal(sqe->cmd_op, op);
	assert_int_equal(sqe->flags, 0);
	assert_int_equal(sqe->__pad1, 0);	/* the kernel refuses others */
	memcpy(&b, &sqe->addr3, sizeof(b));
	assert_int_equal(b.queue, 0);
	assert_int_equal(b.index, index);
	assert_int_equal(b.flags, 0);
	assert_true(b.id != 0);
}

static void test_prep_fills_commands(void **state)
{
	struct fk_session *fx = *state;

	assert_true(fx->s->conn.caps & VFSD_CAP_URING_BUF);
	assert_int_equal(read_with(fx, O_RDONLY), 4096);
	assert_int_equal(seen.reg, 0);
	assert_int_equal(seen.unreg, 0);
	assert_cmd(&seen.sqe[0], fx->s->fd, VFSD_URING_CMD_REGISTER_BUF, 7);
	assert_cmd(&seen.sqe[1], fx->s->fd, VFSD_URING_CMD_UNREGISTER_BUF, 7);
}

static void assert_refused(void)
{
	uint8_t untouched[sizeof(seen.sqe)];

	memset(untouched, 0xa5, sizeof(untouched));
	assert_int_equal(seen.reg, -EOPNOTSUPP);
	assert_int_equal(seen.unreg, -EOPNOTSUPP);
	assert_memory_equal(seen.sqe, untouched, sizeof(untouched));
}

static void test_refused_without_cap(void **state)
{
	struct fk_session *fx = *state;

	/* A module before 7.3, or a session without pinnable pages. */
	fx->s->setup.flags = 0;
	vfsd_conn_from_setup(fx->s);
	assert_false(fx->s->conn.caps & VFSD_CAP_URING_BUF);
	assert_int_equal(read_with(fx, O_RDONLY), 4096);
	assert_refused();
	fx->s->setup.flags = VFSD_SETUP_PIN;
	fx->s->setup.features = VFSD_FEATURES & ~VFSD_FEAT_URING_BUF;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(read_with(fx, O_RDONLY), 4096);
	assert_refused();
}

static void test_refused_for_odirect_and_other_ops(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_attr a;

	/* O_DIRECT: the application's own pages, never a buffer. */
	assert_int_equal(read_with(fx, O_RDONLY | O_DIRECT), 4096);
	assert_refused();
	assert_int_equal(fko_getattr(&fx->k, 2, &a), 0);
	assert_refused();
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_prep_fills_commands), T(test_refused_without_cap),
		T(test_refused_for_odirect_and_other_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
