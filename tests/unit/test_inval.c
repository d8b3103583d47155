// SPDX-License-Identifier: MIT
/*
 * Cache invalidation (vfsd_notify_inval_inode/entry) and the connection
 * facts (struct vfsd_conn_info, caps from vfsd_setup.features) against
 * the fake kernel. Its ioctl side is here: it records what the library
 * asked of VFSD_IOC_INVAL_INODE/ENTRY, name bytes included, and answers
 * as the module would.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fk_session.h"

static struct {
	int calls;
	unsigned long cmd;
	struct vfsd_notify_inval_inode inode;
	struct vfsd_notify_inval_entry entry;
	char name[NAME_MAX + 1];
	int result;		/* what the "module" answers: 0 or -errno */
} io;

static int fake_ioctl(int fd, unsigned long cmd, void *arg)
{
	(void)fd;
	io.calls++;
	io.cmd = cmd;
	if (cmd == VFSD_IOC_INVAL_INODE) {
		memcpy(&io.inode, arg, sizeof(io.inode));
	} else if (cmd == VFSD_IOC_INVAL_ENTRY) {
		memcpy(&io.entry, arg, sizeof(io.entry));
		assert_true(io.entry.namelen <= NAME_MAX);
		memcpy(io.name, (const void *)(uintptr_t)io.entry.name,
		       io.entry.namelen);
		io.name[io.entry.namelen] = '\0';
	}
	return io.result;
}

static int op_inval_ret = 12345;

/* A lookup that finds the name moved: it drops the old one first. The
 * session's userdata is the fixture. */
static void op_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name)
{
	struct fk_session *fx = vfsd_req_userdata(req);

	(void)name;
	op_inval_ret = vfsd_notify_inval_entry(fx->s, parent, "old", 3);
	vfsd_reply_err(req, ENOENT);
}

static const struct vfsd_ops ops = { .lookup = op_lookup };

static int setup(void **state)
{
	struct fk_session *fx = fk_session_new(state);

	memset(&io, 0, sizeof(io));
	fk_session_open(fx, &ops, fx, 8);
	/* Stands in for /dev/vfsd: the ioctls go to fake_ioctl. */
	fx->s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fx->s->dev_ioctl = fake_ioctl;
	fx->s->mounted = false;
	return 0;
}


static void test_inval_inode(void **state)
{
	struct fk_session *fx = *state;

	assert_int_equal(vfsd_notify_inval_inode(fx->s, 7, 4096, 8192), 0);
	assert_int_equal(io.calls, 1);
	assert_int_equal(io.cmd, VFSD_IOC_INVAL_INODE);
	assert_int_equal(io.inode.nodeid, 7);
	assert_int_equal(io.inode.offset, 4096);
	assert_int_equal(io.inode.len, 8192);
	/* len <= 0: to the end of the file. */
	assert_int_equal(vfsd_notify_inval_inode(fx->s, 7, 0, 0), 0);
	assert_int_equal(io.inode.len, 0);
	/* A negative offset never reaches the kernel. */
	assert_int_equal(vfsd_notify_inval_inode(fx->s, 7, -1, 0), -EINVAL);
	assert_int_equal(io.calls, 2);
	/* The module's answers come back as they are. */
	io.result = -ENOENT;
	assert_int_equal(vfsd_notify_inval_inode(fx->s, 99, 0, 0), -ENOENT);
	io.result = -ENODEV;
	assert_int_equal(vfsd_notify_inval_inode(fx->s, 7, 0, 0), -ENOTCONN);
}

static void test_inval_entry(void **state)
{
	struct fk_session *fx = *state;
	char longname[NAME_MAX + 2];

	/* namelen bytes of a longer string: no NUL needed. */
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, "file.txt-and-more",
						 8), 0);
	assert_int_equal(io.cmd, VFSD_IOC_INVAL_ENTRY);
	assert_int_equal(io.entry.parent, 1);
	assert_int_equal(io.entry.namelen, 8);
	assert_int_equal(io.entry.reserved, 0);
	assert_string_equal(io.name, "file.txt");

	/* What the module would refuse is refused before the ioctl. */
	memset(longname, 'a', sizeof(longname));
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, "", 0), -EINVAL);
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, "a/b", 3), -EINVAL);
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, "a\0b", 3), -EINVAL);
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, longname,
						 NAME_MAX + 1), -EINVAL);
	assert_int_equal(io.calls, 1);
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, longname, NAME_MAX),
			 0);
	assert_int_equal(io.calls, 2);
}

/* Inside an op, on the queue thread: the call does not wait for it. */
static void test_inval_from_op(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, 5);

	assert_int_equal(fk_call(k, &sqe, "new", 4, NULL, 0), -ENOENT);
	assert_int_equal(op_inval_ret, 0);
	assert_int_equal(io.entry.parent, 5);
	assert_string_equal(io.name, "old");
}

/* Not before the connection is set up, not without the module's cap. */
static void test_inval_needs_conn_and_cap(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_session *fresh;

	fresh = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	assert_null(vfsd_session_conn(fresh));
	assert_int_equal(vfsd_notify_inval_inode(fresh, 2, 0, 0), -ENOTCONN);
	assert_int_equal(vfsd_notify_inval_entry(fresh, 1, "x", 1), -ENOTCONN);
	vfsd_session_destroy(fresh);

	fx->s->setup.features = VFSD_FEAT_POLL;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(vfsd_notify_inval_inode(fx->s, 2, 0, 0), -EOPNOTSUPP);
	assert_int_equal(vfsd_notify_inval_entry(fx->s, 1, "x", 1),
			 -EOPNOTSUPP);
	assert_int_equal(io.calls, 0);
}

/* What the kernel offers, what the session uses, and the ring facts. */
static void test_conn_info(void **state)
{
	struct fk_session *fx = *state;
	const struct vfsd_conn_info *c = vfsd_session_conn(fx->s);

	assert_non_null(c);
	assert_int_equal(c->transport, VFSD_TRANSPORT_VFSD);
	assert_int_equal(c->nr_queues, 1);
	assert_int_equal(c->depth, 8);
	assert_int_equal(c->max_read, FK_WINDOW_SIZE / 2);
	assert_int_equal(c->max_write, FK_WINDOW_SIZE / 2);
	assert_int_equal(c->abi_version, VFSD_ABI_VERSION);
	/* The fake kernel predates features: the legacy set, no interrupt. */
	assert_int_equal(c->kernel_caps, VFSD_FEAT_LEGACY);
	assert_int_equal(c->caps, VFSD_CAP_POLL | VFSD_CAP_INVAL |
				  VFSD_CAP_DMA_MAP | VFSD_CAP_DIRECT_MAP);

	/* A newer module: bits we do not know are reported, never used. */
	fx->s->setup.features = VFSD_FEATURES | (1ull << 40);
	fx->s->setup.flags = VFSD_SETUP_INTERRUPT | VFSD_SETUP_PIN;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(c->kernel_caps, VFSD_FEATURES | (1ull << 40));
	assert_int_equal(c->caps, VFSD_FEATURES & ~VFSD_CAP_READ_SLOTS);
	/* Pinnable pages and buffers of them only if the library asked. */
	fx->s->setup.flags = VFSD_SETUP_INTERRUPT;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(c->caps, VFSD_FEATURES &
			 ~(VFSD_CAP_PIN | VFSD_CAP_URING_BUF |
			   VFSD_CAP_READ_SLOTS));
	/* Read slots, likewise (the kernel refuses them with PIN). */
	fx->s->setup.flags = VFSD_SETUP_INTERRUPT | VFSD_SETUP_READ_SLOTS;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(c->caps, VFSD_FEATURES &
			 ~(VFSD_CAP_PIN | VFSD_CAP_URING_BUF));
	/* INTERRUPT only if the library asked for it at setup. */
	fx->s->setup.flags = 0;
	vfsd_conn_from_setup(fx->s);
	assert_false(c->caps & VFSD_CAP_INTERRUPT);
	/* Without POLL the queue threads do not poll whatever poll_us says. */
	fx->s->poll_us = 100;
	fx->s->setup.features = VFSD_FEAT_INVAL;
	vfsd_conn_from_setup(fx->s);
	assert_int_equal(fx->s->poll_us, 0);
	/* A module that reports features: taken as they are, no legacy guess. */
	assert_int_equal(vfsd_kernel_features(&fx->s->setup), VFSD_FEAT_INVAL);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_inval_inode), T(test_inval_entry), T(test_inval_from_op),
		T(test_inval_needs_conn_and_cap), T(test_conn_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
