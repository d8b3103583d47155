// SPDX-License-Identifier: MIT
/*
 * What the library accepts from VFSD_IOC_SETUP, the mount options it
 * builds, session options, and the one-line device errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_kernel.h"

/* The layout kmod/conn.c computes for depth 64. */
static struct vfsd_setup kernel_setup(void)
{
	struct vfsd_setup st;
	uint32_t off = sizeof(struct vfsd_ring_hdr);

	memset(&st, 0, sizeof(st));
	st.nr_queues = 2;
	st.depth = 64;
	st.window_size = 8u << 20;
	st.max_io = 1u << 20;
	st.inline_size = VFSD_INLINE_SIZE;
	st.sqe_off = off;
	off += 64 * sizeof(struct vfsd_sqe);
	st.cqe_off = off;
	off += 64 * sizeof(struct vfsd_cqe);
	st.inline_off = (off + 4095) & ~4095u;
	st.ring_size = st.inline_off + 64 * VFSD_INLINE_SIZE;
	return st;
}

static void test_kernel_layout_ok(void **state)
{
	struct vfsd_setup st = kernel_setup();

	(void)state;
	assert_int_equal(sizeof(struct vfsd_ring_hdr), 320);
	assert_int_equal(vfsd_setup_check(&st), 0);
}

static void expect_rejected(struct vfsd_setup st, const char *why)
{
	fk_log_capture();
	assert_int_equal(vfsd_setup_check(&st), -EPROTO);
	assert_non_null(strstr(fk_last_log, why));
	vfsd_set_log_func(NULL);
}

static void test_bad_layouts(void **state)
{
	struct vfsd_setup st;

	(void)state;
	st = kernel_setup(); st.nr_queues = 0;
	expect_rejected(st, "queue count");
	st = kernel_setup(); st.nr_queues = VFSD_MAX_QUEUES + 1;
	expect_rejected(st, "queue count");
	st = kernel_setup(); st.depth = 48;
	expect_rejected(st, "depth");
	st = kernel_setup(); st.depth = 2048;
	expect_rejected(st, "depth");
	st = kernel_setup(); st.inline_size = 128;
	expect_rejected(st, "inline");
	st = kernel_setup(); st.inline_size = 4092;
	expect_rejected(st, "inline");
	st = kernel_setup(); st.ring_size -= 1;		/* last slot cut */
	expect_rejected(st, "layout");
	st = kernel_setup(); st.sqe_off = 64;		/* inside the header */
	expect_rejected(st, "layout");
	st = kernel_setup(); st.cqe_off -= 16;		/* overlaps the SQ */
	expect_rejected(st, "layout");
	st = kernel_setup(); st.inline_off = st.cqe_off;
	expect_rejected(st, "layout");
	st = kernel_setup(); st.cqe_off += 4;		/* misaligned */
	expect_rejected(st, "layout");
	st = kernel_setup(); st.inline_off = 0xfffff000u;	/* no overflow */
	expect_rejected(st, "layout");
	st = kernel_setup(); st.max_io = st.window_size + 1;
	expect_rejected(st, "window");
	st = kernel_setup(); st.window_size = 0;
	expect_rejected(st, "window");
}

static void test_attach_checks_header(void **state)
{
	static const struct vfsd_ops ops;
	struct vfsd_session *s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	struct vfsd_setup st = kernel_setup();
	char *ring = calloc(1, st.ring_size);
	void *rings[2] = { ring, ring }, *wins[2] = { NULL, NULL };
	struct vfsd_ring_hdr *hdr = (struct vfsd_ring_hdr *)ring;

	(void)state;
	fk_log_capture();
	hdr->depth = 64;
	hdr->mask = 31;		/* disagrees with depth */
	assert_int_equal(vfsd_session_attach(s, &st, rings, wins), -EPROTO);
	assert_null(s->queues);
	hdr->mask = 63;
	hdr->sq_head = 7;	/* indices are taken over from the header */
	hdr->cq_tail = 9;
	assert_int_equal(vfsd_session_attach(s, &st, rings, wins), 0);
	assert_int_equal(s->nr_queues, 2);
	assert_int_equal(s->queues[1].index, 1);
	assert_int_equal(s->queues[0].sq_head, 7);
	assert_int_equal(s->queues[0].cq_tail, 9);
	assert_ptr_equal(s->queues[0].sq, ring + st.sqe_off);
	assert_ptr_equal(s->queues[0].cq, ring + st.cqe_off);
	assert_ptr_equal(s->queues[0].inline_base, ring + st.inline_off);
	vfsd_session_destroy(s);
	free(ring);
	vfsd_set_log_func(NULL);
}

static void test_mount_data(void **state)
{
	struct vfsd_session_opts o = { .size = sizeof(o), .rootmode = S_IFDIR | 0755 };
	char buf[256];
	int n;

	(void)state;
	n = vfsd_mount_data(buf, sizeof(buf), 3, &o, 1000, 100);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "fd=3,rootmode=40755,user_id=1000,group_id=100");
	o.allow_other = 1;
	o.default_permissions = 1;
	o.max_read = 131072;
	vfsd_mount_data(buf, sizeof(buf), 17, &o, 0, 0);
	assert_string_equal(buf, "fd=17,rootmode=40755,user_id=0,group_id=0,"
			    "allow_other,default_permissions,max_read=131072");
	assert_int_equal(vfsd_mount_data(buf, 20, 3, &o, 0, 0), -ENAMETOOLONG);
	/* server_permissions replaces default_permissions. */
	o.server_permissions = 1;
	vfsd_mount_data(buf, sizeof(buf), 17, &o, 0, 0);
	assert_string_equal(buf, "fd=17,rootmode=40755,user_id=0,group_id=0,"
			    "allow_other,server_permissions,max_read=131072");
}

static void test_session_opts(void **state)
{
	struct { struct vfsd_ops ops; void *newer; } big;
	struct vfsd_session_opts o;
	struct vfsd_session *s;

	(void)state;
	fk_log_capture();
	memset(&big, 0, sizeof(big));
	/* A server built with a newer header: fine while it uses no new op. */
	s = vfsd_session_new(&big.ops, sizeof(big), NULL, NULL);
	assert_non_null(s);
	assert_int_equal(s->opts.rootmode, S_IFDIR | 0755);
	vfsd_session_destroy(s);
	big.newer = &big;
	assert_null(vfsd_session_new(&big.ops, sizeof(big), NULL, NULL));
	assert_non_null(strstr(fk_last_log, "newer libvfsd"));

	/* An older, shorter ops table: the missing ops read as unset. */
	big.ops.statfs = (void *)1;
	s = vfsd_session_new(&big.ops, offsetof(struct vfsd_ops, statfs), NULL,
			     NULL);
	assert_non_null(s);
	assert_null(s->ops.statfs);
	vfsd_session_destroy(s);

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.rootmode = 0700;
	s = vfsd_session_new(&big.ops, sizeof(big.ops), &o, NULL);
	assert_int_equal(s->opts.rootmode, S_IFDIR | 0700);
	vfsd_session_destroy(s);
	o.rootmode = S_IFREG | 0644;
	assert_null(vfsd_session_new(&big.ops, sizeof(big.ops), &o, NULL));
	o.rootmode = 0;
	o.depth = 100;
	assert_null(vfsd_session_new(&big.ops, sizeof(big.ops), &o, NULL));
	assert_non_null(strstr(fk_last_log, "power of two"));
	o.depth = 0;
	o.nr_queues = VFSD_MAX_QUEUES + 1;
	assert_null(vfsd_session_new(&big.ops, sizeof(big.ops), &o, NULL));
	vfsd_set_log_func(NULL);
}

/*
 * opts.size: a server built against an older header passes fewer bytes
 * (the rest must read as defaults, not as what lies after its struct),
 * a newer one more (fine while they are zero), and 0 is a server that
 * did not start from VFSD_SESSION_OPTS_INIT.
 */
static void test_session_opts_size(void **state)
{
	static const struct vfsd_ops ops;
	struct {
		struct vfsd_session_opts o;
		uint64_t newer[2];
	} big;
	struct vfsd_session_opts init = VFSD_SESSION_OPTS_INIT;
	struct vfsd_session *s;

	(void)state;
	fk_log_capture();
	assert_int_equal(init.size, sizeof(init));
	assert_int_equal(init.poll_us, VFSD_POLL_DEFAULT);

	memset(&big, 0, sizeof(big));
	assert_null(vfsd_session_new(&ops, sizeof(ops), &big.o, NULL));
	assert_non_null(strstr(fk_last_log, "VFSD_SESSION_OPTS_INIT"));
	big.o.size = 1u << 20;
	assert_null(vfsd_session_new(&ops, sizeof(ops), &big.o, NULL));

	/* Older: mount_flags is past its size, garbage there is not read. */
	memset(&big, 0xff, sizeof(big));
	big.o.size = offsetof(struct vfsd_session_opts, fsname);
	big.o.nr_queues = 2;
	big.o.depth = big.o.window_size = big.o.max_read = 0;
	big.o.rootmode = 0;
	big.o.transport = VFSD_TRANSPORT_FUSE;
	big.o.poll_us = 0;
	s = vfsd_session_new(&ops, sizeof(ops), &big.o, NULL);
	assert_non_null(s);
	assert_int_equal(s->opts.size, sizeof(s->opts));
	assert_int_equal(s->opts.nr_queues, 2);
	assert_int_equal(s->opts.transport, VFSD_TRANSPORT_FUSE);
	assert_null(s->opts.fsname);
	assert_int_equal(s->opts.mount_flags, 0);
	vfsd_session_destroy(s);

	/* Newer: fine while what we do not know is left unset. */
	memset(&big, 0, sizeof(big));
	big.o = init;
	big.o.size = sizeof(big);
	s = vfsd_session_new(&ops, sizeof(ops), &big.o, NULL);
	assert_non_null(s);
	vfsd_session_destroy(s);
	big.newer[1] = 1;
	assert_null(vfsd_session_new(&ops, sizeof(ops), &big.o, NULL));
	assert_non_null(strstr(fk_last_log, "newer libvfsd"));
	vfsd_set_log_func(NULL);
}

/* poll_us: 0 is never, as in VFSD_POLL_US and vfsd-server --poll-us. */
static void test_poll_us(void **state)
{
	static const struct vfsd_ops ops;
	struct vfsd_session_opts o = VFSD_SESSION_OPTS_INIT;
	unsigned int dflt = sysconf(_SC_NPROCESSORS_ONLN) < 2 ? 0 :
			    VFSD_DEFAULT_POLL_US;
	struct vfsd_session *s;

	(void)state;
	unsetenv("VFSD_POLL_US");
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	assert_int_equal(s->poll_us, dflt);
	vfsd_session_destroy(s);
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	assert_int_equal(s->poll_us, dflt);
	vfsd_session_destroy(s);
	o.poll_us = 0;
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	assert_int_equal(s->poll_us, 0);
	vfsd_session_destroy(s);
	o.poll_us = 50;
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	assert_int_equal(s->poll_us, 50);
	vfsd_session_destroy(s);
	setenv("VFSD_POLL_US", "0", 1);
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	assert_int_equal(s->poll_us, 0);
	vfsd_session_destroy(s);
	unsetenv("VFSD_POLL_US");
	fk_log_capture();
	o.poll_us = -2;
	assert_null(vfsd_session_new(&ops, sizeof(ops), &o, NULL));
	o.poll_us = VFSD_MAX_POLL_US + 1;
	assert_null(vfsd_session_new(&ops, sizeof(ops), &o, NULL));
	vfsd_set_log_func(NULL);
}

/* On the build host there is no module: the error must say so. */
static void test_missing_device(void **state)
{
	static const struct vfsd_ops ops;
	struct vfsd_session *s;

	(void)state;
	if (access("/dev/vfsd", F_OK) == 0)
		skip();
	fk_log_capture();
	assert_int_equal(vfsd_device_open(), -ENOENT);
	assert_string_equal(fk_last_log, "/dev/vfsd not found: is the vfsd "
			    "module loaded? (modprobe vfsd)");
	assert_int_equal(fk_log_count, 1);

	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	assert_int_equal(vfsd_session_mount(s, "/tmp"), -ENOENT);
	assert_int_equal(s->fd, -1);
	assert_int_equal(s->nr_queues, 0);
	assert_int_equal(vfsd_session_loop(s), -ENOTCONN);
	vfsd_session_destroy(s);
	vfsd_set_log_func(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_layout_ok),
		cmocka_unit_test(test_bad_layouts),
		cmocka_unit_test(test_attach_checks_header),
		cmocka_unit_test(test_mount_data),
		cmocka_unit_test(test_session_opts),
		cmocka_unit_test(test_session_opts_size),
		cmocka_unit_test(test_poll_us),
		cmocka_unit_test(test_missing_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
