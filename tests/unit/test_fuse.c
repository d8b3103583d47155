// SPDX-License-Identifier: MIT
/*
 * The FUSE transport's pure parts: which transport a session picks, the
 * setattr bits, readdir entries packed by fuse_add_direntry(), the mount
 * options, attribute round trips, and replies reaching a non-ring
 * transport already checked and encoded by reply.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/fuse.h>	/* the records' layout */

#include "fake_kernel.h"
#include "fuse_i.h"

/* ---- transport choice ---------------------------------------------------- */

static void test_pick(void **state)
{
	const char *why;

	(void)state;
	/* Asked for: the environment and the device do not matter. */
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_FUSE, "vfsd", true,
					     &why), VFSD_TRANSPORT_FUSE);
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_VFSD, "fuse", false,
					     &why), VFSD_TRANSPORT_VFSD);
	/* AUTO: the environment first. */
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_AUTO, "fuse", true,
					     &why), VFSD_TRANSPORT_FUSE);
	assert_string_equal(why, "VFSD_TRANSPORT in the environment");
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_AUTO, "vfsd", false,
					     &why), VFSD_TRANSPORT_VFSD);
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_AUTO, "FUSE", true,
					     &why), -EINVAL);
	assert_string_equal(why, "VFSD_TRANSPORT is neither vfsd nor fuse");
	/* Then the device; an empty variable counts as unset. */
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_AUTO, "", true,
					     &why), VFSD_TRANSPORT_VFSD);
	assert_string_equal(why, "/dev/vfsd exists");
	assert_int_equal(vfsd_transport_pick(VFSD_TRANSPORT_AUTO, NULL, false,
					     &why), VFSD_TRANSPORT_FUSE);
	assert_string_equal(why, "/dev/vfsd not found");
	assert_int_equal(vfsd_transport_pick((enum vfsd_transport)7, NULL, true,
					     &why), -EINVAL);
}

static void test_session_transport(void **state)
{
	static const struct vfsd_ops ops;
	struct vfsd_session_opts o = { .size = sizeof(o),
				       .transport = VFSD_TRANSPORT_FUSE };
	struct vfsd_session *s;

	(void)state;
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	assert_string_equal(vfsd_session_transport(s), "auto");
	vfsd_session_destroy(s);
	s = vfsd_session_new(&ops, sizeof(ops), &o, NULL);
	assert_string_equal(vfsd_session_transport(s), "fuse");
	vfsd_session_destroy(s);

	fk_log_capture();
	o.transport = (enum vfsd_transport)3;
	assert_null(vfsd_session_new(&ops, sizeof(ops), &o, NULL));
	assert_string_equal(fk_last_log, "unknown transport 3");
	vfsd_set_log_func(NULL);
}

/* ---- setattr bits ------------------------------------------------------ */

static void test_setattr_bits(void **state)
{
	(void)state;
	assert_int_equal(vfsd_set_attr_from_fuse(FUSE_SET_ATTR_MODE |
						 FUSE_SET_ATTR_UID |
						 FUSE_SET_ATTR_GID |
						 FUSE_SET_ATTR_SIZE),
			 VFSD_SET_ATTR_MODE | VFSD_SET_ATTR_UID |
			 VFSD_SET_ATTR_GID | VFSD_SET_ATTR_SIZE);
	/* A given time: the *_TIME bits. */
	assert_int_equal(vfsd_set_attr_from_fuse(FUSE_SET_ATTR_ATIME |
						 FUSE_SET_ATTR_MTIME),
			 VFSD_SET_ATTR_ATIME | VFSD_SET_ATTR_MTIME);
	/* "Now": FUSE sets both bits, the module sends *_NOW alone. */
	assert_int_equal(vfsd_set_attr_from_fuse(FUSE_SET_ATTR_ATIME |
						 FUSE_SET_ATTR_ATIME_NOW |
						 FUSE_SET_ATTR_MTIME |
						 FUSE_SET_ATTR_MTIME_NOW),
			 VFSD_SET_ATTR_ATIME_NOW | VFSD_SET_ATTR_MTIME_NOW);
	assert_int_equal(vfsd_set_attr_from_fuse(FUSE_SET_ATTR_CTIME),
			 VFSD_SET_ATTR_CTIME);
	/* FUSE-only bits have no vfsd meaning: dropped. */
	assert_int_equal(vfsd_set_attr_from_fuse(FUSE_SET_ATTR_FORCE |
						 FUSE_SET_ATTR_KILL_SUID |
						 FUSE_SET_ATTR_KILL_SGID |
						 FUSE_SET_ATTR_FILE |
						 FUSE_SET_ATTR_KILL_PRIV |
						 FUSE_SET_ATTR_OPEN |
						 FUSE_SET_ATTR_TIMES_SET |
						 FUSE_SET_ATTR_TOUCH), 0);
}

/* ---- a request of a non-ring transport ---------------------------------- */

static struct vfsd_session *s;
static struct vfsd_queue q;
static struct vfsd_fuse_worker w;
static struct vfsd_req *req;
static int32_t posted[8];
static int nposted;

static int record_post(struct vfsd_req *r, int32_t result)
{
	(void)r;
	posted[nposted++] = result;
	return 0;
}

static const struct vfsd_xport record_xport = {
	.post = record_post, .dirent = NULL,
};

static int setup(void **state)
{
	static const struct vfsd_ops ops;

	(void)state;
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	s->setup.inline_size = VFSD_FUSE_SLOT;
	memset(&q, 0, sizeof(q));
	memset(&w, 0, sizeof(w));
	q.s = s;
	q.fuse = &w;
	w.data = calloc(1, VFSD_FUSE_MAX_IO);
	w.slot = calloc(1, VFSD_FUSE_SLOT + 1);
	req = &w.req;
	req->q = &q;
	req->slot = w.slot;
	nposted = 0;
	fk_log_capture();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(w.data);
	free(w.slot);
	vfsd_session_destroy(s);
	vfsd_set_log_func(NULL);
	return 0;
}

static void start(unsigned int opcode, const struct vfsd_xport *x)
{
	memset(&req->sqe, 0, sizeof(req->sqe));
	req->sqe.opcode = opcode;
	req->xport = x;
	req->in_flight = true;
}

/* fuse_add_direntry's records, inside dir_max, names checked first. */
static void test_dirbuf_fuse(void **state)
{
	const struct fuse_dirent *d;
	size_t rec, used;

	(void)state;
	start(VFSD_OP_READDIR, &vfsd_fuse_xport);
	req->dir_max = 100;
	req->dir_used = 0;
	rec = vfsd_dirbuf_add(req, "a", 5, S_IFDIR | 0755, 1);
	assert_int_equal(rec, 32);	/* 24-byte header, name, padding */
	d = (const struct fuse_dirent *)w.data;
	assert_int_equal(d->ino, 5);
	assert_int_equal(d->off, 1);
	assert_int_equal(d->namelen, 1);
	assert_int_equal(d->type, DT_DIR);
	assert_memory_equal(d->name, "a", 1);
	assert_int_equal(vfsd_dirbuf_add(req, "bb", 6, S_IFREG, 2), 32);
	used = req->dir_used;
	/* 36 bytes left: a 24-byte header and a 17-byte name do not fit. */
	assert_int_equal(vfsd_dirbuf_add(req, "ccccccccccccccccc", 7, S_IFREG,
					 3), 0);
	assert_int_equal(req->dir_used, used);
	/* The same name checks as the ring. */
	assert_int_equal(vfsd_dirbuf_add(req, "x/y", 8, S_IFREG, 4), 0);
	assert_int_equal(vfsd_dirbuf_add(req, "", 8, S_IFREG, 4), 0);
	/* Not a readdir: nothing packed. */
	start(VFSD_OP_LOOKUP, &vfsd_fuse_xport);
	assert_int_equal(vfsd_dirbuf_add(req, "d", 9, S_IFREG, 5), 0);
}

/* reply.c checks and encodes, then the transport posts. */
static void test_reply_routed(void **state)
{
	struct vfsd_entry_param e = { .ino = 7, .entry_timeout = 2,
				      .attr_timeout = 3 };
	const struct vfsd_entry_out *o = (const void *)w.slot;

	(void)state;
	e.attr.st_mode = S_IFREG | 0644;
	e.attr.st_nlink = 1;
	start(VFSD_OP_LOOKUP, &record_xport);
	assert_int_equal(vfsd_reply_entry(req, &e), 0);
	assert_int_equal(nposted, 1);
	assert_int_equal(posted[0], 0);
	assert_int_equal(o->nodeid, 7);
	assert_int_equal(o->entry_valid_ns, 2000000000ull);
	assert_false(req->in_flight);
	assert_int_equal(vfsd_reply_err(req, ENOENT), -EALREADY);

	/* Refused as on the ring: the transport gets EIO. */
	start(VFSD_OP_LOOKUP, &record_xport);
	e.ino = VFSD_ROOT_INO;
	assert_int_equal(vfsd_reply_entry(req, &e), -EINVAL);
	assert_int_equal(posted[1], -EIO);

	start(VFSD_OP_READ, &record_xport);
	req->sqe.len = 4096;
	assert_int_equal(vfsd_reply_read(req, 4097), -EINVAL);
	assert_int_equal(posted[2], -EIO);

	/* xattr values up to 64 KiB pass; a small buffer gets ERANGE. */
	start(VFSD_OP_GETXATTR, &record_xport);
	req->sqe.arg = 2;
	assert_int_equal(vfsd_reply_buf(req, "abc", 3), -ERANGE);
	assert_int_equal(posted[3], -ERANGE);
	start(VFSD_OP_GETXATTR, &record_xport);
	req->sqe.arg = 0;
	assert_int_equal(vfsd_reply_xattr(req, 65536), 0);
	assert_int_equal(posted[4], 65536);
	start(VFSD_OP_GETXATTR, &record_xport);
	assert_int_equal(vfsd_reply_xattr(req, 65537), 0);
	assert_int_equal(posted[5], -E2BIG);
}

/* ---- conversions ------------------------------------------------------- */

static void test_attr_round_trip(void **state)
{
	struct stat in, out;
	struct vfsd_attr a;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.st_ino = 42;
	in.st_size = 1 << 20;
	in.st_blocks = 2048;
	in.st_mode = S_IFREG | 04755;
	in.st_nlink = 3;
	in.st_uid = 1000;
	in.st_gid = 100;
	in.st_rdev = 0;
	in.st_blksize = 4096;
	in.st_atim.tv_sec = 1;
	in.st_atim.tv_nsec = 2;
	in.st_mtim.tv_sec = 3;
	in.st_mtim.tv_nsec = 4;
	in.st_ctim.tv_sec = 5;
	in.st_ctim.tv_nsec = 999999999;
	assert_int_equal(vfsd_attr_from_stat(&a, &in), 0);
	vfsd_stat_from_attr(&out, &a);
	assert_memory_equal(&in, &out, sizeof(in));
	assert_true(vfsd_timeout_sec(1500000000ull) == 1.5);
}

static void test_mount_data(void **state)
{
	struct vfsd_session_opts o = { .size = sizeof(o), .rootmode = S_IFDIR | 0755 };
	char buf[256];

	(void)state;
	/* The kernel checks permissions unless the server does. */
	assert_true(vfsd_fuse_mount_data(buf, sizeof(buf), 5, &o, 0, 0) > 0);
	assert_string_equal(buf, "fd=5,rootmode=40755,user_id=0,group_id=0,"
			    "default_permissions");
	o.server_permissions = 1;
	o.allow_other = 1;
	o.max_read = 65536;
	assert_true(vfsd_fuse_mount_data(buf, sizeof(buf), 5, &o, 1, 2) > 0);
	assert_string_equal(buf, "fd=5,rootmode=40755,user_id=1,group_id=2,"
			    "allow_other,max_read=65536");
	assert_int_equal(vfsd_fuse_mount_data(buf, 10, 5, &o, 1, 2),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_session_transport),
		cmocka_unit_test(test_setattr_bits),
		cmocka_unit_test_setup_teardown(test_dirbuf_fuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_routed, setup, teardown),
		cmocka_unit_test(test_attr_round_trip),
		cmocka_unit_test(test_mount_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
