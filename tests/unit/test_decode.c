// SPDX-License-Identifier: MIT
/*
 * Request decoding: every opcode reaches its op with the arguments the
 * kernel encoded, and malformed requests never reach an op.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cmocka.h>

#include "fk_session.h"

/* What the last op saw. */
static struct {
	int calls;
	const char *op;
	vfsd_ino_t ino, parent, newparent;
	char name[NAME_MAX + 2], name2[PATH_MAX + 1];
	mode_t mode;
	dev_t rdev;
	off_t off, len;
	size_t size;
	int flags, datasync, whence, to_set;
	unsigned int rename_flags;
	struct stat st;
	bool has_fi;
	struct vfsd_file_info fi;
	struct vfsd_ctx ctx;
	void *buf;
	char data[64];
	uint64_t nlookup;
	void *userdata;
} got;

static struct vfsd_req *held;	/* an op that replies later */

#define RECORD(opname) do { got.calls++; got.op = opname; } while (0)
#define FI(p) do { got.has_fi = (p) != NULL; if (p) got.fi = *(p); } while (0)
#define NAME(dst, src) snprintf(dst, sizeof(dst), "%s", src)

/* Every op answers EXDEV: proof the request reached it. */
static void done(struct vfsd_req *req)
{
	got.ctx = *vfsd_req_ctx(req);
	got.userdata = vfsd_req_userdata(req);
	vfsd_reply_err(req, EXDEV);
}

static void op_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	struct vfsd_entry_param e = { .ino = 5, .attr = { .st_mode = S_IFREG } };

	RECORD("lookup");
	got.parent = parent;
	/* The reply overwrites the slot; the name we hold is a copy. */
	vfsd_reply_entry(req, &e);
	NAME(got.name, name);
}

static void op_forget(void *ud, vfsd_ino_t ino, uint64_t n)
{
	RECORD("forget"); got.userdata = ud; got.ino = ino; got.nlookup = n;
}

static void op_getattr(struct vfsd_req *req, vfsd_ino_t ino,
		       struct vfsd_file_info *fi)
{
	RECORD("getattr"); got.ino = ino; FI(fi);
	if (held == (void *)1) {
		held = req;	/* reply later */
		return;
	}
	done(req);
}

static void op_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		       const struct stat *st, int to_set,
		       struct vfsd_file_info *fi)
{
	RECORD("setattr"); got.ino = ino; got.st = *st; got.to_set = to_set;
	FI(fi); done(req);
}

static void op_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	RECORD("readlink"); got.ino = ino; done(req);
}

static void op_symlink(struct vfsd_req *req, const char *target,
		       vfsd_ino_t parent, const char *name)
{
	RECORD("symlink"); NAME(got.name2, target); got.parent = parent;
	NAME(got.name, name); done(req);
}

static void op_mknod(struct vfsd_req *req, vfsd_ino_t parent,
		     const char *name, mode_t mode, dev_t rdev)
{
	RECORD("mknod"); got.parent = parent; NAME(got.name, name);
	got.mode = mode; got.rdev = rdev; done(req);
}

static void op_mkdir(struct vfsd_req *req, vfsd_ino_t parent,
		     const char *name, mode_t mode)
{
	RECORD("mkdir"); got.parent = parent; NAME(got.name, name);
	got.mode = mode; done(req);
}

static void op_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	RECORD("unlink"); got.parent = parent; NAME(got.name, name); done(req);
}

static void op_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	RECORD("rmdir"); got.parent = parent; NAME(got.name, name); done(req);
}

static void op_rename(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, vfsd_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	RECORD("rename"); got.parent = parent; NAME(got.name, name);
	got.newparent = newparent; NAME(got.name2, newname);
	got.rename_flags = flags; done(req);
}

static void op_link(struct vfsd_req *req, vfsd_ino_t ino,
		    vfsd_ino_t newparent, const char *newname)
{
	RECORD("link"); got.ino = ino; got.newparent = newparent;
	NAME(got.name, newname); done(req);
}

static void op_open(struct vfsd_req *req, vfsd_ino_t ino,
		    struct vfsd_file_info *fi)
{
	RECORD("open"); got.ino = ino; FI(fi); done(req);
}

static void op_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		    size_t size, off_t off, struct vfsd_file_info *fi)
{
	RECORD("read"); got.ino = ino; got.buf = buf; got.size = size;
	got.off = off; FI(fi);
	memset(buf, 0xab, size);	/* must be writable, all of it */
	done(req);
}

static void op_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
		     size_t size, off_t off, struct vfsd_file_info *fi)
{
	RECORD("write"); got.ino = ino; got.buf = (void *)buf; got.size = size;
	got.off = off; FI(fi);
	memcpy(got.data, buf, size < sizeof(got.data) ? size : sizeof(got.data));
	done(req);
}

static void op_release(void *ud, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	RECORD("release"); got.userdata = ud; got.ino = ino; FI(fi);
}

static void op_opendir(struct vfsd_req *req, vfsd_ino_t ino,
		       struct vfsd_file_info *fi)
{
	RECORD("opendir"); got.ino = ino; FI(fi); done(req);
}

static void op_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
		       off_t off, struct vfsd_file_info *fi)
{
	RECORD("readdir"); got.ino = ino; got.size = size; got.off = off;
	FI(fi); done(req);
}

static void op_releasedir(void *ud, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	RECORD("releasedir"); got.userdata = ud; got.ino = ino; FI(fi);
}

static void op_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	RECORD("statfs"); got.ino = ino; done(req);
}

static void op_flush(struct vfsd_req *req, vfsd_ino_t ino,
		     struct vfsd_file_info *fi)
{
	RECORD("flush"); got.ino = ino; FI(fi); done(req);
}

static void op_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		     struct vfsd_file_info *fi)
{
	RECORD("fsync"); got.ino = ino; got.datasync = datasync; FI(fi);
	done(req);
}

static void op_create(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, mode_t mode, struct vfsd_file_info *fi)
{
	RECORD("create"); got.parent = parent; NAME(got.name, name);
	got.mode = mode; FI(fi); done(req);
}

static void op_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
			 off_t offset, off_t length, struct vfsd_file_info *fi)
{
	RECORD("fallocate"); got.ino = ino; got.mode = (mode_t)mode;
	got.off = offset; got.len = length; FI(fi); done(req);
}

static void op_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off,
		     int whence, struct vfsd_file_info *fi)
{
	RECORD("lseek"); got.ino = ino; got.off = off; got.whence = whence;
	FI(fi); done(req);
}

static void op_setxattr(struct vfsd_req *req, vfsd_ino_t ino,
			const char *name, const char *value, size_t size,
			int flags)
{
	RECORD("setxattr"); got.ino = ino; NAME(got.name, name);
	memcpy(got.data, value, size < sizeof(got.data) ? size : sizeof(got.data));
	got.size = size; got.flags = flags; done(req);
}

static void op_getxattr(struct vfsd_req *req, vfsd_ino_t ino,
			const char *name, size_t size)
{
	RECORD("getxattr"); got.ino = ino; NAME(got.name, name);
	got.size = size; done(req);
}

static void op_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size)
{
	RECORD("listxattr"); got.ino = ino; got.size = size; done(req);
}

static void op_removexattr(struct vfsd_req *req, vfsd_ino_t ino,
			   const char *name)
{
	RECORD("removexattr"); got.ino = ino; NAME(got.name, name); done(req);
}

static const struct vfsd_ops all_ops = {
	.lookup = op_lookup, .forget = op_forget, .getattr = op_getattr,
	.readlink = op_readlink, .open = op_open, .read = op_read,
	.release = op_release, .opendir = op_opendir, .readdir = op_readdir,
	.releasedir = op_releasedir, .statfs = op_statfs,
	.setattr = op_setattr, .mknod = op_mknod, .mkdir = op_mkdir,
	.unlink = op_unlink, .rmdir = op_rmdir, .symlink = op_symlink,
	.rename = op_rename, .link = op_link, .write = op_write,
	.flush = op_flush, .fsync = op_fsync, .create = op_create,
	.fallocate = op_fallocate, .lseek = op_lseek,
	.setxattr = op_setxattr, .getxattr = op_getxattr,
	.listxattr = op_listxattr, .removexattr = op_removexattr,
};

static int ud_marker;

static int setup_ops(void **state, const struct vfsd_ops *ops)
{
	memset(&got, 0, sizeof(got));
	held = NULL;
	fk_log_capture();
	return fk_session_setup(state, ops, &ud_marker, 8);
}

static int setup(void **state)
{
	return setup_ops(state, &all_ops);
}

static int setup_empty(void **state)
{
	static const struct vfsd_ops none;

	return setup_ops(state, &none);
}

static int teardown(void **state)
{
	vfsd_set_log_func(NULL);
	return fk_session_teardown(state);
}

/* The fixture's fake kernel. */
#define K(state) (&((struct fk_session *)*(state))->k)


/* One request through the fake kernel; the op must answer EXDEV. */
static void expect_op(void **state, struct vfsd_sqe *sqe, const void *payload,
		      uint32_t plen, const char *op)
{
	assert_int_equal(fk_call(K(state), sqe, payload, plen, NULL, 0), -EXDEV);
	assert_int_equal(got.calls, 1);
	assert_string_equal(got.op, op);
	assert_int_equal(got.ctx.uid, 1000);
	assert_int_equal(got.ctx.gid, 100);
	assert_int_equal(got.ctx.pid, 4242);
	assert_ptr_equal(got.userdata, &ud_marker);
}

/* The request is refused before any op runs. */
static void expect_refused(void **state, struct vfsd_sqe *sqe,
			   const void *payload, uint32_t plen, int err)
{
	assert_int_equal(fk_call(K(state), sqe, payload, plen, NULL, 0), -err);
	assert_int_equal(got.calls, 0);
}

static void test_lookup(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, 7);
	struct vfsd_entry_out out;

	assert_int_equal(fk_call(K(state), &sqe, "hello.txt", 10, &out,
				 sizeof(out)), 0);
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.parent, 7);
	assert_string_equal(got.name, "hello.txt");	/* intact after reply */
	assert_int_equal(out.nodeid, 5);
}

static void test_lookup_malformed(void **state)
{
	char longname[NAME_MAX + 2];
	struct vfsd_sqe sqe;

	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, "abc", 3, EINVAL);		/* no NUL */
	assert_non_null(strstr(fk_last_log, "malformed LOOKUP"));
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, "", 1, EINVAL);		/* empty */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, "a/b", 4, EINVAL);		/* a path */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, "ab\0cd", 6, EINVAL);	/* len mismatch */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, NULL, 0, EINVAL);		/* no payload */

	memset(longname, 'x', sizeof(longname));
	longname[NAME_MAX + 1] = '\0';				/* 256 bytes */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	expect_refused(state, &sqe, longname, NAME_MAX + 2, EINVAL);
	longname[NAME_MAX] = '\0';				/* 255: fine */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	assert_int_equal(fk_call(K(state), &sqe, longname, NAME_MAX + 1, NULL,
				 0), 0);
	assert_int_equal(strlen(got.name), NAME_MAX);

	/* Claims more payload than a slot holds. */
	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	sqe.len = VFSD_INLINE_SIZE + 1;
	expect_refused(state, &sqe, NULL, 0, EINVAL);
}

static void test_forget(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_FORGET, 77);

	sqe.offset = 3;
	fk_call_noreply(K(state), &sqe);
	assert_string_equal(got.op, "forget");
	assert_int_equal(got.ino, 77);
	assert_int_equal(got.nlookup, 3);
	assert_ptr_equal(got.userdata, &ud_marker);
}

static void test_getattr(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETATTR, 9);

	sqe.fh = 1234;
	expect_op(state, &sqe, NULL, 0, "getattr");
	assert_int_equal(got.ino, 9);
	assert_false(got.has_fi);	/* fh is only valid with the flag */

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_GETATTR, 9);
	sqe.fh = 1234;
	sqe.flags = VFSD_GETATTR_FH;
	expect_op(state, &sqe, NULL, 0, "getattr");
	assert_true(got.has_fi);
	assert_int_equal(got.fi.fh, 1234);
}

static void test_setattr(void **state)
{
	struct vfsd_setattr_in in = {
		.valid = VFSD_SETATTR_MODE | VFSD_SETATTR_SIZE |
			 VFSD_SETATTR_MTIME | VFSD_SETATTR_FH | (1u << 20),
		.mode = 0640, .uid = 5, .gid = 6, .size = 1ull << 33, .fh = 99,
		.atime = 10, .mtime = 20, .ctime = 30,
		.atime_nsec = 1, .mtime_nsec = 2, .ctime_nsec = 3,
	};
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SETATTR, 4);

	expect_op(state, &sqe, &in, sizeof(in), "setattr");
	assert_int_equal(got.ino, 4);
	/* Unknown bits are dropped, FH becomes fi. */
	assert_int_equal(got.to_set, VFSD_SET_ATTR_MODE | VFSD_SET_ATTR_SIZE |
			 VFSD_SET_ATTR_MTIME);
	assert_int_equal(got.st.st_mode, 0640);
	assert_int_equal(got.st.st_uid, 5);
	assert_int_equal(got.st.st_gid, 6);
	assert_true(got.st.st_size == (off_t)1 << 33);
	assert_int_equal(got.st.st_mtim.tv_sec, 20);
	assert_int_equal(got.st.st_mtim.tv_nsec, 2);
	assert_int_equal(got.st.st_atim.tv_nsec, 1);
	assert_int_equal(got.st.st_ctim.tv_sec, 30);
	assert_true(got.has_fi);
	assert_int_equal(got.fi.fh, 99);

	got.calls = 0;
	in.valid = VFSD_SETATTR_SIZE;
	sqe = fk_sqe(VFSD_OP_SETATTR, 4);
	expect_op(state, &sqe, &in, sizeof(in), "setattr");
	assert_false(got.has_fi);

	got.calls = 0;
	in.mtime_nsec = 1000000000;
	sqe = fk_sqe(VFSD_OP_SETATTR, 4);
	expect_refused(state, &sqe, &in, sizeof(in), EINVAL);
	sqe = fk_sqe(VFSD_OP_SETATTR, 4);
	expect_refused(state, &sqe, &in, sizeof(in) - 1, EINVAL);
}

static void test_readlink(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READLINK, 12);

	expect_op(state, &sqe, NULL, 0, "readlink");
	assert_int_equal(got.ino, 12);
}

static void test_symlink(void **state)
{
	static const char in[] = "link\0../some/target";
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SYMLINK, 3);

	expect_op(state, &sqe, in, sizeof(in), "symlink");
	assert_int_equal(got.parent, 3);
	assert_string_equal(got.name, "link");
	assert_string_equal(got.name2, "../some/target");

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_SYMLINK, 3);
	expect_refused(state, &sqe, "link\0", 6, EINVAL);	/* no target */
	sqe = fk_sqe(VFSD_OP_SYMLINK, 3);
	expect_refused(state, &sqe, "li/nk\0t", 8, EINVAL);
}

static void test_mknod_mkdir(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_MKNOD, 2);

	sqe.arg = S_IFCHR | 0600;
	sqe.offset = makedev(1, 3);
	expect_op(state, &sqe, "null", 5, "mknod");
	assert_int_equal(got.parent, 2);
	assert_string_equal(got.name, "null");
	assert_int_equal(got.mode, S_IFCHR | 0600);
	assert_true(got.rdev == makedev(1, 3));

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_MKDIR, 2);
	sqe.arg = 0755;
	expect_op(state, &sqe, "sub", 4, "mkdir");
	assert_string_equal(got.name, "sub");
	assert_int_equal(got.mode, 0755);
}

static void test_unlink_rmdir(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_UNLINK, 6);

	expect_op(state, &sqe, "file", 5, "unlink");
	assert_int_equal(got.parent, 6);
	assert_string_equal(got.name, "file");
	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_RMDIR, 6);
	expect_op(state, &sqe, "dir", 4, "rmdir");
	assert_string_equal(got.name, "dir");
}

static void test_rename(void **state)
{
	char in[sizeof(struct vfsd_rename_in) + 16];
	struct vfsd_rename_in r = { .newdir = 31, .flags = 1 };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_RENAME, 30);

	memcpy(in, &r, sizeof(r));
	memcpy(in + sizeof(r), "old\0new", 8);
	expect_op(state, &sqe, in, sizeof(r) + 8, "rename");
	assert_int_equal(got.parent, 30);
	assert_string_equal(got.name, "old");
	assert_int_equal(got.newparent, 31);
	assert_string_equal(got.name2, "new");
	assert_int_equal(got.rename_flags, 1);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_RENAME, 30);
	expect_refused(state, &sqe, in, sizeof(r) + 4, EINVAL);	/* one name */
}

static void test_link(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LINK, 8);

	sqe.fh = 44;	/* the existing inode */
	expect_op(state, &sqe, "alias", 6, "link");
	assert_int_equal(got.ino, 44);
	assert_int_equal(got.newparent, 8);
	assert_string_equal(got.name, "alias");
}

static void test_open_opendir(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_OPEN, 15);

	sqe.arg = O_RDWR | O_APPEND;
	sqe.fh = 1;	/* meaningless before the open */
	expect_op(state, &sqe, NULL, 0, "open");
	assert_int_equal(got.ino, 15);
	assert_true(got.has_fi);
	assert_int_equal(got.fi.flags, O_RDWR | O_APPEND);
	assert_int_equal(got.fi.fh, 0);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_OPENDIR, 16);
	sqe.arg = O_RDONLY | O_DIRECTORY;
	expect_op(state, &sqe, NULL, 0, "opendir");
	assert_int_equal(got.ino, 16);
	assert_int_equal(got.fi.flags, O_RDONLY | O_DIRECTORY);
}

static void test_read(void **state)
{
	struct fake_kernel *k = K(state);
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, 20);
	unsigned char back[8192];
	size_t i;

	sqe.fh = 555;
	sqe.offset = 1ull << 40;
	sqe.len = 8192;
	sqe.win_off = 4096;
	sqe.arg = O_RDWR | O_NOATIME;	/* the open flags */
	expect_op(state, &sqe, NULL, 0, "read");
	assert_int_equal(got.fi.flags, O_RDWR | O_NOATIME);
	assert_ptr_equal(got.buf, k->window + 4096);
	assert_int_equal(got.size, 8192);
	assert_true(got.off == (off_t)1 << 40);
	assert_int_equal(got.fi.fh, 555);
	fk_window_peek(k, 4096, back, sizeof(back));
	for (i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0xab);
}

static void test_read_outside_window(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READ, 20);

	/* The op would crash on the PROT_NONE page if it were called. */
	sqe.len = 8192;
	sqe.win_off = FK_WINDOW_SIZE - 4096;
	expect_refused(state, &sqe, NULL, 0, EINVAL);
	assert_non_null(strstr(fk_last_log, "outside the window"));
	sqe = fk_sqe(VFSD_OP_READ, 20);
	sqe.len = FK_WINDOW_SIZE / 2 + 4096;	/* over max_io */
	expect_refused(state, &sqe, NULL, 0, EINVAL);
	sqe = fk_sqe(VFSD_OP_READ, 20);
	sqe.win_off = 0xfffff000u;		/* no u32 overflow */
	sqe.len = 0x2000;
	expect_refused(state, &sqe, NULL, 0, EINVAL);
	sqe = fk_sqe(VFSD_OP_READ, 20);
	sqe.len = 4096;
	sqe.offset = (uint64_t)INT64_MAX + 1;	/* no negative off_t */
	expect_refused(state, &sqe, NULL, 0, EINVAL);
}

static void test_write(void **state)
{
	struct fake_kernel *k = K(state);
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_WRITE, 21);

	fk_window_poke(k, 0, "written by the app", 19);
	sqe.fh = 556;
	sqe.offset = 100;
	sqe.len = 19;
	sqe.win_off = 0;
	sqe.arg = O_WRONLY | O_APPEND;
	expect_op(state, &sqe, NULL, 0, "write");
	assert_int_equal(got.fi.flags, O_WRONLY | O_APPEND);
	assert_int_equal(got.size, 19);
	assert_int_equal(got.off, 100);
	assert_int_equal(got.fi.fh, 556);
	assert_string_equal(got.data, "written by the app");
}

static void test_statfs_release(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_STATFS, 1);

	expect_op(state, &sqe, NULL, 0, "statfs");
	assert_int_equal(got.ino, 1);

	sqe = fk_sqe(VFSD_OP_RELEASE, 22);
	sqe.fh = 557;
	sqe.arg = O_WRONLY | O_SYNC;
	fk_call_noreply(K(state), &sqe);
	assert_string_equal(got.op, "release");
	assert_int_equal(got.ino, 22);
	assert_int_equal(got.fi.fh, 557);
	assert_int_equal(got.fi.flags, O_WRONLY | O_SYNC);

	sqe = fk_sqe(VFSD_OP_RELEASEDIR, 23);
	sqe.fh = 558;
	fk_call_noreply(K(state), &sqe);
	assert_string_equal(got.op, "releasedir");
	assert_int_equal(got.ino, 23);
	assert_int_equal(got.fi.fh, 558);
	assert_ptr_equal(got.userdata, &ud_marker);
}

static void test_fsync_flush(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_FSYNC, 24);

	sqe.fh = 559;
	sqe.arg = 1;
	expect_op(state, &sqe, NULL, 0, "fsync");
	assert_int_equal(got.datasync, 1);
	assert_int_equal(got.fi.fh, 559);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_FLUSH, 24);
	sqe.fh = 560;
	expect_op(state, &sqe, NULL, 0, "flush");
	assert_int_equal(got.fi.fh, 560);
}

static void test_readdir(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READDIR, 25);

	sqe.fh = 561;
	sqe.offset = 42;
	sqe.len = 1000;
	expect_op(state, &sqe, NULL, 0, "readdir");
	assert_int_equal(got.size, 1000);
	assert_int_equal(got.off, 42);
	assert_int_equal(got.fi.fh, 561);

	/* The reply can never exceed the slot, whatever len says. */
	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_READDIR, 25);
	sqe.len = 1 << 20;
	expect_op(state, &sqe, NULL, 0, "readdir");
	assert_int_equal(got.size, VFSD_INLINE_SIZE);
}

static void test_create(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_CREATE, 26);

	sqe.arg = S_IFREG | 0644;
	sqe.flags = O_CREAT | O_EXCL | O_WRONLY;
	expect_op(state, &sqe, "new", 4, "create");
	assert_int_equal(got.parent, 26);
	assert_string_equal(got.name, "new");
	assert_int_equal(got.mode, S_IFREG | 0644);
	assert_int_equal(got.fi.flags, O_CREAT | O_EXCL | O_WRONLY);
}

static void test_fallocate_lseek(void **state)
{
	struct vfsd_fallocate_in in = { .offset = 4096, .length = 1 << 20,
					.mode = 3 };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_FALLOCATE, 27);

	sqe.fh = 562;
	expect_op(state, &sqe, &in, sizeof(in), "fallocate");
	assert_int_equal(got.off, 4096);
	assert_int_equal(got.len, 1 << 20);
	assert_int_equal(got.mode, 3);
	assert_int_equal(got.fi.fh, 562);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_LSEEK, 27);
	sqe.fh = 563;
	sqe.offset = 8192;
	sqe.arg = SEEK_HOLE;
	expect_op(state, &sqe, NULL, 0, "lseek");
	assert_int_equal(got.off, 8192);
	assert_int_equal(got.whence, SEEK_HOLE);
	assert_int_equal(got.fi.fh, 563);
}

static void test_xattrs(void **state)
{
	char in[64];
	struct vfsd_xattr_in x = { .size = 5, .namelen = 6 };
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_SETXATTR, 28);

	memcpy(in, &x, sizeof(x));
	memcpy(in + sizeof(x), "user.k\0value", 12);
	sqe.arg = XATTR_CREATE;		/* the flags travel in arg */
	expect_op(state, &sqe, in, sizeof(x) + 12, "setxattr");
	assert_string_equal(got.name, "user.k");
	assert_int_equal(got.size, 5);
	assert_memory_equal(got.data, "value", 5);
	assert_int_equal(got.flags, XATTR_CREATE);

	got.calls = 0;	/* value size disagrees with the payload */
	sqe = fk_sqe(VFSD_OP_SETXATTR, 28);
	expect_refused(state, &sqe, in, sizeof(x) + 11, EINVAL);
	x.size = 4;	/* namelen disagrees with the name */
	x.namelen = 5;
	memcpy(in, &x, sizeof(x));
	sqe = fk_sqe(VFSD_OP_SETXATTR, 28);
	expect_refused(state, &sqe, in, sizeof(x) + 11, EINVAL);

	/* GETXATTR: the payload is the name, arg the caller's buffer. */
	sqe = fk_sqe(VFSD_OP_GETXATTR, 28);
	sqe.arg = 300;
	expect_op(state, &sqe, "user.k", 7, "getxattr");
	assert_string_equal(got.name, "user.k");
	assert_int_equal(got.size, 300);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_LISTXATTR, 28);
	sqe.arg = 300;
	expect_op(state, &sqe, NULL, 0, "listxattr");
	assert_int_equal(got.size, 300);

	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_REMOVEXATTR, 28);
	expect_op(state, &sqe, "user.k", 7, "removexattr");
	assert_string_equal(got.name, "user.k");
}

static void test_getxattr_probe(void **state)
{
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETXATTR, 29);

	sqe.arg = 0;
	expect_op(state, &sqe, "security.x", 11, "getxattr");
	assert_string_equal(got.name, "security.x");
	assert_int_equal(got.size, 0);		/* a size probe */

	/* The name must be the whole payload, as for every other name. */
	got.calls = 0;
	sqe = fk_sqe(VFSD_OP_GETXATTR, 29);
	expect_refused(state, &sqe, "user.a\0junk", 11, EINVAL);
	sqe = fk_sqe(VFSD_OP_GETXATTR, 29);
	expect_refused(state, &sqe, NULL, 0, EINVAL);
}

static void test_unknown_opcodes(void **state)
{
	static const uint8_t bad[] = { 0, VFSD_OP_MAX, 200, 255 };
	size_t i;

	for (i = 0; i < sizeof(bad); i++) {
		struct vfsd_sqe sqe = fk_sqe(bad[i], 1);

		expect_refused(state, &sqe, NULL, 0, ENOSYS);
	}
}

static void test_bad_tags(void **state)
{
	struct fake_kernel *k = K(state);
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETATTR, 1);
	struct vfsd_cqe cqe;

	sqe.tag = 8;		/* depth is 8 */
	sqe.id = 0x10008;
	fk_post_raw(k, &sqe);
	assert_int_equal(fk_run(k), 1);
	assert_int_equal(fk_pending(k), 0);
	assert_int_equal(got.calls, 0);
	assert_non_null(strstr(fk_last_log, "tag 8"));

	/* A request that needs a reply, sent without a tag: dropped. */
	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	fk_post(k, &sqe, NULL, 0, true);
	assert_int_equal(fk_run(k), 1);
	assert_false(fk_reap_raw(k, &cqe));
	assert_int_equal(got.calls, 0);

	/* FORGET with a tag: served, then completed so the tag comes back. */
	sqe = fk_sqe(VFSD_OP_FORGET, 50);
	sqe.offset = 1;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), 0);
	assert_string_equal(got.op, "forget");
}

/* A req stays valid until replied: the op may answer after returning. */
static void test_async_reply(void **state)
{
	struct fake_kernel *k = K(state);
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_GETATTR, 60), sqe2, dup;
	struct vfsd_attr_out out;
	struct stat st = { .st_mode = S_IFREG | 0644, .st_ino = 60 };
	struct vfsd_cqe cqe;
	uint16_t tag;
	uint64_t id;

	held = (void *)1;
	id = fk_post(k, &sqe, NULL, 0, false);
	assert_int_equal(fk_run(k), 1);
	assert_int_equal(fk_pending(k), 0);	/* nothing replied yet */
	assert_true(held != NULL && held != (void *)1);

	/* Meanwhile another request on another tag completes. */
	sqe2 = fk_sqe(VFSD_OP_STATFS, 1);
	assert_int_equal(fk_call(k, &sqe2, NULL, 0, NULL, 0), -EXDEV);

	/* A kernel bug reusing the busy tag gets EIO, not the held req. */
	dup = fk_sqe(VFSD_OP_GETATTR, 61);
	dup.tag = sqe.tag;
	dup.id = 0xdead0000u | sqe.tag;
	fk_post_raw(k, &dup);
	assert_int_equal(fk_run(k), 1);
	assert_true(fk_reap_raw(k, &cqe));
	assert_true(cqe.id == dup.id);
	assert_int_equal(cqe.result, -EIO);

	assert_int_equal(vfsd_reply_attr(held, &st, 2.0), 0);
	assert_true(fk_reap(k, &cqe, &tag));
	assert_true(cqe.id == id);
	assert_int_equal(cqe.result, 0);
	memcpy(&out, fk_slot(k, tag), sizeof(out));
	assert_int_equal(out.attr.ino, 60);
	assert_int_equal(out.attr_valid_ns, 2000000000ull);
	/* And only once. */
	assert_int_equal(vfsd_reply_err(held, 0), -EALREADY);
	assert_int_equal(fk_pending(k), 0);
}

/* Unset ops: ENOSYS, or a sensible default for open/opendir/statfs. */
static void test_defaults(void **state)
{
	struct fake_kernel *k = K(state);
	struct vfsd_sqe sqe;
	struct vfsd_open_out o;
	struct vfsd_statfs_out sf;

	sqe = fk_sqe(VFSD_OP_LOOKUP, 1);
	assert_int_equal(fk_call(k, &sqe, "x", 2, NULL, 0), -ENOSYS);
	sqe = fk_sqe(VFSD_OP_READ, 1);
	sqe.len = 4096;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), -ENOSYS);
	sqe = fk_sqe(VFSD_OP_WRITE, 1);
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), -ENOSYS);
	sqe = fk_sqe(VFSD_OP_GETXATTR, 1);
	assert_int_equal(fk_call(k, &sqe, "user.a", 7, NULL, 0), -ENOSYS);

	sqe = fk_sqe(VFSD_OP_OPEN, 1);
	sqe.fh = 99;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, &o, sizeof(o)), 0);
	assert_int_equal(o.fh, 0);
	assert_int_equal(o.open_flags, 0);
	sqe = fk_sqe(VFSD_OP_OPENDIR, 1);
	assert_int_equal(fk_call(k, &sqe, NULL, 0, &o, sizeof(o)), 0);
	assert_int_equal(o.fh, 0);
	sqe = fk_sqe(VFSD_OP_STATFS, 1);
	assert_int_equal(fk_call(k, &sqe, NULL, 0, &sf, sizeof(sf)), 0);
	assert_int_equal(sf.namelen, NAME_MAX);
	assert_int_equal(sf.bsize, 512);
	assert_int_equal(sf.blocks, 0);

	sqe = fk_sqe(VFSD_OP_FORGET, 5);
	fk_call_noreply(k, &sqe);
	sqe = fk_sqe(VFSD_OP_RELEASE, 5);
	fk_call_noreply(k, &sqe);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_lookup), T(test_lookup_malformed), T(test_forget),
		T(test_getattr), T(test_setattr), T(test_readlink),
		T(test_symlink), T(test_mknod_mkdir), T(test_unlink_rmdir),
		T(test_rename), T(test_link), T(test_open_opendir),
		T(test_read), T(test_read_outside_window), T(test_write),
		T(test_statfs_release), T(test_fsync_flush), T(test_readdir),
		T(test_create), T(test_fallocate_lseek), T(test_xattrs),
		T(test_getxattr_probe), T(test_unknown_opcodes),
		T(test_bad_tags), T(test_async_reply),
		cmocka_unit_test_setup_teardown(test_defaults, setup_empty,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
