// SPDX-License-Identifier: MIT
/*
 * Reply encoding (struct stat and friends to the ABI's structures) and
 * the validation that keeps a buggy server's replies from reaching the
 * kernel: wrong kind for the opcode, errno range, lengths, double replies.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "fk_session.h"

/* Each test scripts what the op replies; ret is the helper's result. */
static void (*script)(struct vfsd_req *req);
static int ret, ret2;

static void any(struct vfsd_req *req) { script(req); }
static void op_lookup(struct vfsd_req *r, vfsd_ino_t p, const char *n) { (void)p; (void)n; any(r); }
static void op_getattr(struct vfsd_req *r, vfsd_ino_t i, struct vfsd_file_info *f) { (void)i; (void)f; any(r); }
static void op_readlink(struct vfsd_req *r, vfsd_ino_t i) { (void)i; any(r); }
static void op_open(struct vfsd_req *r, vfsd_ino_t i, struct vfsd_file_info *f) { (void)i; (void)f; any(r); }
static void op_read(struct vfsd_req *r, vfsd_ino_t i, void *b, size_t s, off_t o, struct vfsd_file_info *f) { (void)i; (void)b; (void)s; (void)o; (void)f; any(r); }
static void op_write(struct vfsd_req *r, vfsd_ino_t i, const void *b, size_t s, off_t o, struct vfsd_file_info *f) { (void)i; (void)b; (void)s; (void)o; (void)f; any(r); }
static void op_statfs(struct vfsd_req *r, vfsd_ino_t i) { (void)i; any(r); }
static void op_mkdir(struct vfsd_req *r, vfsd_ino_t p, const char *n, mode_t m) { (void)p; (void)n; (void)m; any(r); }
static void op_unlink(struct vfsd_req *r, vfsd_ino_t p, const char *n) { (void)p; (void)n; any(r); }
static void op_create(struct vfsd_req *r, vfsd_ino_t p, const char *n, mode_t m, struct vfsd_file_info *f) { (void)p; (void)n; (void)m; (void)f; any(r); }
static void op_lseek(struct vfsd_req *r, vfsd_ino_t i, off_t o, int w, struct vfsd_file_info *f) { (void)i; (void)o; (void)w; (void)f; any(r); }
static void op_getxattr(struct vfsd_req *r, vfsd_ino_t i, const char *n, size_t s) { (void)i; (void)n; (void)s; any(r); }

static const struct vfsd_ops ops = {
	.lookup = op_lookup, .getattr = op_getattr, .readlink = op_readlink,
	.open = op_open, .read = op_read, .write = op_write,
	.statfs = op_statfs, .mkdir = op_mkdir, .unlink = op_unlink,
	.create = op_create, .lseek = op_lseek, .getxattr = op_getxattr,
};

static unsigned char out[VFSD_INLINE_SIZE];

static int setup(void **state)
{
	fk_log_capture();
	ret = ret2 = 12345;
	return fk_session_setup(state, &ops, NULL, 4);
}

static int teardown(void **state)
{
	vfsd_set_log_func(NULL);
	return fk_session_teardown(state);
}


/* Run one request of opcode through the script; returns the CQE result. */
static int32_t run(struct fk_session *fx, uint8_t opcode, uint32_t len)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(opcode, 2);

	memset(out, 0, sizeof(out));
	if (opcode == VFSD_OP_LOOKUP || opcode == VFSD_OP_MKDIR ||
	    opcode == VFSD_OP_UNLINK || opcode == VFSD_OP_CREATE)
		return fk_call(k, &sqe, "name", 5, out, sizeof(out));
	if (opcode == VFSD_OP_GETXATTR) {
		sqe.arg = len;	/* the caller's buffer; 0 asks the size */
		return fk_call(k, &sqe, "user.a", 7, out, sizeof(out));
	}
	sqe.len = len;
	return fk_call(k, &sqe, NULL, 0, out, sizeof(out));
}

static struct stat sample_stat(void)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_ino = 99;
	st.st_mode = S_IFREG | 04755;
	st.st_nlink = 3;
	st.st_uid = 1001;
	st.st_gid = 1002;
	st.st_rdev = makedev(8, 1);
	st.st_size = 0x123456789ll;
	st.st_blksize = 4096;
	st.st_blocks = 24;
	st.st_atim.tv_sec = -5;		/* before 1970 is legal */
	st.st_atim.tv_nsec = 1;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 999999999;
	st.st_ctim.tv_sec = 3;
	st.st_ctim.tv_nsec = 0;
	return st;
}

static void check_attr(const struct vfsd_attr *a)
{
	static const uint32_t zero[3];

	assert_int_equal(a->ino, 99);
	assert_int_equal(a->mode, S_IFREG | 04755);
	assert_int_equal(a->nlink, 3);
	assert_int_equal(a->uid, 1001);
	assert_int_equal(a->gid, 1002);
	assert_int_equal(a->rdev, (8 << 8) | 1);	/* new_encode_dev */
	assert_true(a->size == 0x123456789ull);
	assert_int_equal(a->blksize, 4096);
	assert_int_equal(a->blocks, 24);
	assert_true(a->atime == -5);
	assert_int_equal(a->atime_nsec, 1);
	assert_int_equal(a->mtime, 1700000000);
	assert_int_equal(a->mtime_nsec, 999999999);
	assert_int_equal(a->ctime, 3);
	assert_int_equal(a->ctime_nsec, 0);
	assert_memory_equal(a->reserved, zero, sizeof(zero));
}

static void s_entry(struct vfsd_req *req)
{
	struct vfsd_entry_param e = {
		.ino = 42, .generation = 7, .attr = sample_stat(),
		.attr_timeout = 1.5, .entry_timeout = 0.25,
	};

	ret = vfsd_reply_entry(req, &e);
}

static void s_root_entry(struct vfsd_req *req)
{
	struct vfsd_entry_param e = { .ino = VFSD_ROOT_INO,
				      .attr = { .st_mode = S_IFDIR | 0755 } };

	ret = vfsd_reply_entry(req, &e);
}

static void test_entry(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out *o = (void *)out;

	script = s_entry;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(o->nodeid, 42);
	assert_int_equal(o->generation, 7);
	assert_int_equal(o->entry_valid_ns, 250000000);
	assert_int_equal(o->attr_valid_ns, 1500000000);
	check_attr(&o->attr);
	/* mkdir takes the same reply. */
	assert_int_equal(run(fx, VFSD_OP_MKDIR, 0), 0);
	assert_int_equal(o->nodeid, 42);
	/* The root has no other name: the module refuses such an entry. */
	script = s_root_entry;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(fk_last_log, "root's nodeid"));
}

static void s_negative(struct vfsd_req *req)
{
	struct vfsd_entry_param e = { .ino = 0, .attr = sample_stat(),
				      .entry_timeout = 2 };

	ret = vfsd_reply_entry(req, &e);
}

static void test_negative_entry(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out *o = (void *)out;
	static const struct vfsd_attr zero;

	script = s_negative;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), 0);
	assert_int_equal(o->nodeid, 0);
	assert_int_equal(o->entry_valid_ns, 2000000000ull);
	assert_memory_equal(&o->attr, &zero, sizeof(zero));
	/* Only a lookup may answer "no such name" that way. */
	assert_int_equal(run(fx, VFSD_OP_MKDIR, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(fk_last_log, "negative entry"));
}

static void s_bad_attr(struct vfsd_req *req)
{
	struct vfsd_entry_param e = { .ino = 3, .attr = sample_stat() };

	e.attr.st_mode = 0644;		/* no file type */
	ret = vfsd_reply_entry(req, &e);
	(void)ret2;
}

static void s_bad_nsec(struct vfsd_req *req)
{
	struct stat st = sample_stat();

	st.st_mtim.tv_nsec = 1000000000;
	ret = vfsd_reply_attr(req, &st, 1);
}

static void test_invalid_attributes(void **state)
{
	struct fk_session *fx = *state;

	script = s_bad_attr;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(fk_last_log, "invalid attributes"));
	script = s_bad_nsec;
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
}

static void s_attr(struct vfsd_req *req)
{
	struct stat st = sample_stat();

	ret = vfsd_reply_attr(req, &st, 3.0);
}

static void test_attr(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_attr_out *o = (void *)out;

	script = s_attr;
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(o->attr_valid_ns, 3000000000ull);
	assert_int_equal(o->reserved, 0);
	check_attr(&o->attr);
}

static void s_open(struct vfsd_req *req)
{
	struct vfsd_file_info fi = { .fh = 0xfeedfacecafeull, .keep_cache = 1,
				     .direct_io = 1, .nonseekable = 1,
				     .dmap_id = 9 };

	ret = vfsd_reply_open(req, &fi);
}

static void s_create(struct vfsd_req *req)
{
	struct vfsd_entry_param e = { .ino = 43, .attr = sample_stat(),
				      .attr_timeout = 1 };
	struct vfsd_file_info fi = { .fh = 17, .direct_map = 1, .dmap_id = 7 };

	ret = vfsd_reply_create(req, &e, &fi);
}

static void test_open_create(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_open_out *o = (void *)out;
	struct vfsd_create_out *c = (void *)out;

	script = s_open;
	assert_int_equal(run(fx, VFSD_OP_OPEN, 0), 0);
	assert_true(o->fh == 0xfeedfacecafeull);
	assert_int_equal(o->open_flags, VFSD_FOPEN_KEEP_CACHE |
			 VFSD_FOPEN_DIRECT_IO | VFSD_FOPEN_NONSEEKABLE);
	/* No direct map asked: the region id stays 0 whatever fi says. */
	assert_int_equal(o->dmap_id, 0);

	script = s_create;
	assert_int_equal(run(fx, VFSD_OP_CREATE, 0), 0);
	assert_int_equal(c->entry.nodeid, 43);
	assert_int_equal(c->entry.attr_valid_ns, 1000000000);
	check_attr(&c->entry.attr);
	assert_int_equal(c->open.fh, 17);
	assert_int_equal(c->open.open_flags, VFSD_FOPEN_DIRECT_MAP);
	assert_int_equal(c->open.dmap_id, 7);
	/* Open's reply does not answer create. */
	script = s_open;
	assert_int_equal(run(fx, VFSD_OP_CREATE, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
}

static size_t nbytes;

static void s_read(struct vfsd_req *req)
{
	ret = vfsd_reply_read(req, nbytes);
}

static void s_write(struct vfsd_req *req)
{
	ret = vfsd_reply_write(req, nbytes);
}

static void test_read_write_counts(void **state)
{
	struct fk_session *fx = *state;

	script = s_read;
	nbytes = 4096;
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), 4096);
	nbytes = 100;		/* short: end of file */
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), 100);
	nbytes = 0;
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), 0);
	nbytes = 4097;		/* more than asked for */
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(fk_last_log, "more bytes than requested"));

	script = s_write;
	nbytes = 19;
	assert_int_equal(run(fx, VFSD_OP_WRITE, 19), 19);
	nbytes = 20;
	assert_int_equal(run(fx, VFSD_OP_WRITE, 19), -EIO);
	/* A read reply does not answer a write. */
	script = s_read;
	nbytes = 1;
	assert_int_equal(run(fx, VFSD_OP_WRITE, 19), -EIO);
}

static const char *target;

static void s_readlink(struct vfsd_req *req)
{
	ret = vfsd_reply_readlink(req, target);
}

static void test_readlink(void **state)
{
	struct fk_session *fx = *state;
	static char longest[VFSD_LINK_MAX + 2];

	script = s_readlink;
	target = "../dir/target";
	assert_int_equal(run(fx, VFSD_OP_READLINK, 0), 13);
	assert_memory_equal(out, "../dir/target", 13);
	assert_int_equal(out[13], 0x5a);	/* no NUL written: stale byte */

	memset(longest, 'a', VFSD_LINK_MAX);
	target = longest;
	assert_int_equal(run(fx, VFSD_OP_READLINK, 0), VFSD_LINK_MAX);
	longest[VFSD_LINK_MAX] = 'a';		/* PATH_MAX bytes: too long */
	assert_int_equal(run(fx, VFSD_OP_READLINK, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	target = "";
	assert_int_equal(run(fx, VFSD_OP_READLINK, 0), -EIO);
}

static void s_statfs(struct vfsd_req *req)
{
	struct statvfs st;

	memset(&st, 0, sizeof(st));
	st.f_bsize = 4096;
	st.f_frsize = 1024;
	st.f_blocks = 1000000;
	st.f_bfree = 500000;
	st.f_bavail = 400000;
	st.f_files = 65536;
	st.f_ffree = 1234;
	st.f_namemax = 255;
	ret = vfsd_reply_statfs(req, &st);
}

static void test_statfs(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_statfs_out *o = (void *)out;

	script = s_statfs;
	assert_int_equal(run(fx, VFSD_OP_STATFS, 0), 0);
	assert_int_equal(o->bsize, 4096);
	assert_int_equal(o->frsize, 1024);
	assert_int_equal(o->blocks, 1000000);
	assert_int_equal(o->bfree, 500000);
	assert_int_equal(o->bavail, 400000);
	assert_int_equal(o->files, 65536);
	assert_int_equal(o->ffree, 1234);
	assert_int_equal(o->namelen, 255);
	assert_int_equal(o->reserved, 0);
}

static off_t seek_to;

static void s_lseek(struct vfsd_req *req)
{
	ret = vfsd_reply_lseek(req, seek_to);
}

static void test_lseek(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_lseek_out *o = (void *)out;

	script = s_lseek;
	seek_to = (off_t)1 << 42;
	assert_int_equal(run(fx, VFSD_OP_LSEEK, 0), 0);
	assert_true(o->offset == 1ull << 42);
	seek_to = -1;
	assert_int_equal(run(fx, VFSD_OP_LSEEK, 0), -EIO);
}

static size_t xsize;

static void s_xattr_size(struct vfsd_req *req)
{
	ret = vfsd_reply_xattr(req, xsize);
}

static void s_xattr_buf(struct vfsd_req *req)
{
	static const char value[200] = "the value";

	ret = vfsd_reply_buf(req, value, xsize);
}

static void test_xattr_replies(void **state)
{
	struct fk_session *fx = *state;

	script = s_xattr_size;
	xsize = 10;
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 0), 10);	/* size probe */
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 100), -EIO);	/* not a probe */
	xsize = VFSD_INLINE_SIZE + 1;
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 0), -E2BIG);

	script = s_xattr_buf;
	xsize = 9;
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 100), 9);
	assert_memory_equal(out, "the value", 9);
	xsize = 100;		/* exactly the caller's buffer */
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 100), 100);
	xsize = 101;		/* bigger than the caller's buffer */
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 100), -ERANGE);
	assert_int_equal(ret, -ERANGE);
	/* The value sent to a size probe: its size, no bytes. */
	xsize = 9;
	memset(out, 0, sizeof(out));
	assert_int_equal(run(fx, VFSD_OP_GETXATTR, 0), 9);
	assert_int_equal(ret, 0);
}

static int err_in;

static void s_err(struct vfsd_req *req)
{
	ret = vfsd_reply_err(req, err_in);
}

static void test_errno_range(void **state)
{
	struct fk_session *fx = *state;

	script = s_err;
	err_in = ENOENT;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), -ENOENT);
	assert_int_equal(ret, 0);
	err_in = 511;
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -511);
	err_in = 512;		/* ERESTARTSYS and up: kernel internal */
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(fk_last_log, "errno out of range"));
	err_in = -ENOENT;	/* the classic sign mistake */
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -EIO);
	assert_int_equal(ret, -EINVAL);

	/* 0 is success only where success carries no payload. */
	err_in = 0;
	assert_int_equal(run(fx, VFSD_OP_UNLINK, 0), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), 0);	/* EOF */
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), -EIO);
	assert_non_null(strstr(fk_last_log, "needs a payload"));
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -EIO);
	assert_int_equal(run(fx, VFSD_OP_OPEN, 0), -EIO);
	assert_int_equal(run(fx, VFSD_OP_STATFS, 0), -EIO);
}

static void s_twice(struct vfsd_req *req)
{
	ret = vfsd_reply_err(req, ENOENT);
	ret2 = vfsd_reply_err(req, EIO);
}

static void test_double_reply(void **state)
{
	struct fk_session *fx = *state;

	script = s_twice;
	/* fk_call asserts exactly one completion. */
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -ENOENT);
	assert_int_equal(ret, 0);
	assert_int_equal(ret2, -EALREADY);
}

static void s_wrong(struct vfsd_req *req)
{
	struct stat st = sample_stat();

	ret = vfsd_reply_attr(req, &st, 1);	/* for a lookup */
	ret2 = vfsd_reply_attr(req, &st, 1);	/* already failed */
}

static void test_wrong_kind(void **state)
{
	struct fk_session *fx = *state;

	script = s_wrong;
	assert_int_equal(run(fx, VFSD_OP_LOOKUP, 0), -EIO);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(ret2, -EALREADY);
	assert_non_null(strstr(fk_last_log, "wrong reply type"));
	script = s_open;
	assert_int_equal(run(fx, VFSD_OP_READ, 4096), -EIO);
	script = s_statfs;
	assert_int_equal(run(fx, VFSD_OP_GETATTR, 0), -EIO);
}

static void test_timeouts(void **state)
{
	(void)state;
	assert_true(vfsd_timeout_ns(0) == 0);
	assert_true(vfsd_timeout_ns(-1) == 0);
	assert_true(vfsd_timeout_ns(NAN) == 0);
	assert_true(vfsd_timeout_ns(1e-9) == 1);
	assert_true(vfsd_timeout_ns(1.5) == 1500000000ull);
	assert_true(vfsd_timeout_ns(86400.0 * 365) == 31536000000000000ull);
	assert_true(vfsd_timeout_ns(1e30) == UINT64_MAX);
	assert_true(vfsd_timeout_ns(INFINITY) == UINT64_MAX);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_entry), T(test_negative_entry),
		T(test_invalid_attributes), T(test_attr), T(test_open_create),
		T(test_read_write_counts), T(test_readlink), T(test_statfs),
		T(test_lseek), T(test_xattr_replies), T(test_errno_range),
		T(test_double_reply), T(test_wrong_kind), T(test_timeouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
