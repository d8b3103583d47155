// SPDX-License-Identifier: MIT
/*
 * The dir backend's write path against the fake kernel, on a temporary
 * host tree: creation as the caller, data through io_uring into the host
 * file, namespace changes, setattr, fallocate and SEEK_HOLE, xattrs, and
 * server_permissions. Each effect is checked on the host itself.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/dir/dir.h"
#include "backends/dir/io.h"
#include "fk_ops.h"
#include "fk_session.h"

static void path_of(struct fk_session *fx, char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", fx->tmp, rel);
}

static int setup_with(void **state, bool server_perms)
{
	struct backend_config cfg = { .attr_timeout = 1, .entry_timeout = 1,
				      .server_permissions = server_perms };
	struct fk_session *fx = fk_session_new(state);

	cfg.source = fk_session_mkdtemp(fx);
	assert_int_equal(chmod(cfg.source, 0755), 0);
	assert_int_equal(fk_session_start(fx, &backend_dir, &cfg), 0);
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_perms(void **state)
{
	return setup_with(state, true);
}

static struct stat host_stat(struct fk_session *fx, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(fx, p, rel);
	assert_int_equal(lstat(p, &st), 0);
	return st;
}

static bool host_exists(struct fk_session *fx, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(fx, p, rel);
	return lstat(p, &st) == 0;
}

static void host_read(struct fk_session *fx, const char *rel, void *buf,
		      size_t n, off_t off)
{
	char p[PATH_MAX];
	int fd;

	path_of(fx, p, rel);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, n, off), (ssize_t)n);
	close(fd);
}

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)((i * 13 + seed) >> 2);
}

static void test_create_write_read(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[20000], back[sizeof(buf)];
	struct vfsd_create_out c;
	struct vfsd_attr_out ao;
	struct vfsd_sqe sqe;
	struct stat st;
	uint64_t ino, fh;

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "new", S_IFREG | 0640,
				    O_CREAT | O_EXCL | O_WRONLY, &c), 0);
	ino = c.entry.nodeid;
	fh = c.open.fh;
	st = host_stat(fx, "new");
	assert_int_equal(st.st_mode, S_IFREG | 0640);	/* no umask of ours */
	assert_int_equal(c.entry.attr.ino, st.st_ino);
	if (geteuid() == 0) {
		/* Made as the caller (uid 1000, gid 100 in fk_sqe). */
		assert_int_equal(st.st_uid, 1000);
		assert_int_equal(st.st_gid, 100);
	}
	fill(buf, sizeof(buf), 5);
	/* Through the window, in max_io pieces, plus a sparse tail. */
	assert_int_equal(fko_write(k, ino, fh, buf, 16384, 0), 16384);
	assert_int_equal(fko_write(k, ino, fh, buf + 16384,
				   sizeof(buf) - 16384, 16384),
			 sizeof(buf) - 16384);
	assert_int_equal(fko_write(k, ino, fh, "tail", 4, 100000), 4);
	assert_true(dir_io_uses_uring() || getenv("VFSD_NO_URING_OK"));
	host_read(fx, "new", back, sizeof(buf), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	host_read(fx, "new", back, 4, 100000);
	assert_memory_equal(back, "tail", 4);
	assert_int_equal(host_stat(fx, "new").st_size, 100004);

	/* A write-only open still serves the page cache's reads. */
	memset(back, 0, sizeof(back));
	assert_int_equal(fko_read(k, ino, fh, back, 16384, 0), 16384);
	assert_memory_equal(back, buf, 16384);
	/* fh 0: writeback without an open file. */
	assert_int_equal(fko_write(k, ino, 0, "HEAD", 4, 0), 4);
	host_read(fx, "new", back, 4, 0);
	assert_memory_equal(back, "HEAD", 4);

	/* fstat(): GETATTR through the open file. */
	sqe = fk_sqe(VFSD_OP_GETATTR, ino);
	sqe.flags = VFSD_GETATTR_FH;
	sqe.fh = fh;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, &ao, sizeof(ao)), 0);
	assert_int_equal(ao.attr.size, 100004);

	assert_int_equal(fko_simple(k, VFSD_OP_FLUSH, ino, fh, NULL, 0), 0);
	assert_int_equal(fko_simple(k, VFSD_OP_FSYNC, ino, fh, NULL, 0), 0);
	assert_int_equal(fko_simple(k, VFSD_OP_FSYNC, VFSD_ROOT_INO, 0, NULL,
				    0), 0);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "new", S_IFREG | 0640,
				    O_CREAT | O_EXCL | O_WRONLY, &c), -EEXIST);
}

static void test_open_flags(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	int32_t res;
	uint64_t fh, ino;
	char buf[8];

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	ino = c.entry.nodeid;
	assert_int_equal(fko_write(k, ino, c.open.fh, "0123456789", 10, 0), 10);
	fko_noreply(k, VFSD_OP_RELEASE, ino, c.open.fh, 0);
	/*
	 * O_APPEND is the kernel's business: the host fd must honour the
	 * offsets it sends (pwrite on an O_APPEND fd would append).
	 */
	fh = fko_open(k, VFSD_OP_OPEN, ino, O_WRONLY | O_APPEND, &res);
	assert_int_equal(res, 0);
	assert_int_equal(fko_write(k, ino, fh, "ab", 2, 2), 2);
	host_read(fx, "f", buf, 4, 0);
	assert_memory_equal(buf, "01ab", 4);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
	/* A writeback that picked the handle before its RELEASE: the stale
	 * fh names nothing now, and the data still reaches the inode. */
	assert_int_equal(fko_write(k, ino, fh, "CD", 2, 4), 2);
	host_read(fx, "f", buf, 6, 0);
	assert_memory_equal(buf, "01abCD", 6);
	/* O_TRUNC empties it. */
	fh = fko_open(k, VFSD_OP_OPEN, ino, O_WRONLY | O_TRUNC, &res);
	assert_int_equal(res, 0);
	assert_int_equal(host_stat(fx, "f").st_size, 0);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
}

static void test_namespace(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out d, e, l;
	char target[64];

	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d", 0750, &d), 0);
	assert_int_equal(host_stat(fx, "d").st_mode, S_IFDIR | 0750);
	assert_int_equal(d.attr.ino, host_stat(fx, "d").st_ino);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d", 0750, &e), -EEXIST);
	assert_int_equal(fko_mknod(k, d.nodeid, "fifo", S_IFIFO | 0600, 0, &e),
			 0);
	assert_true(S_ISFIFO(host_stat(fx, "d/fifo").st_mode));
	assert_int_equal(fko_mknod(k, d.nodeid, "reg", S_IFREG | 0600, 0, &e),
			 0);
	assert_true(S_ISREG(host_stat(fx, "d/reg").st_mode));
	assert_int_equal(fko_symlink(k, VFSD_ROOT_INO, "sl", "d/reg", &l), 0);
	assert_true(S_ISLNK(host_stat(fx, "sl").st_mode));
	assert_int_equal(fko_simple(k, VFSD_OP_READLINK, l.nodeid, 0, target,
				    sizeof(target)), 5);
	assert_memory_equal(target, "d/reg", 5);

	/* Hard links: same inode, same nodeid; symlinks too (not followed). */
	assert_int_equal(fko_link(k, e.nodeid, VFSD_ROOT_INO, "hard", &l), 0);
	assert_int_equal(l.nodeid, e.nodeid);
	assert_int_equal(l.attr.nlink, 2);
	assert_int_equal(host_stat(fx, "hard").st_ino, host_stat(fx, "d/reg").st_ino);
	assert_int_equal(fko_lookup(k, VFSD_ROOT_INO, "sl", &e), 0);
	assert_int_equal(fko_link(k, e.nodeid, VFSD_ROOT_INO, "sl2", &l), 0);
	assert_true(S_ISLNK(host_stat(fx, "sl2").st_mode));

	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO, "d"),
			 -ENOTEMPTY);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "d"),
			 -EISDIR);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, d.nodeid, "fifo"), 0);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, d.nodeid, "reg"), 0);
	assert_false(host_exists(fx, "d/reg"));
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO, "d"), 0);
	assert_false(host_exists(fx, "d"));
	assert_int_equal(fko_mkdir(k, d.nodeid, "x", 0755, &e), -ENOENT);
	/* Devices are live on the host: only for root callers. */
	assert_int_equal(fko_mknod(k, VFSD_ROOT_INO, "null", S_IFCHR | 0666,
				   (1 << 8) | 3, &e), -EPERM);
}

static void test_rename(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_entry_out d;
	char buf[2];

	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d", 0755, &d), 0);
	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "a", S_IFREG | 0644,
				    O_CREAT | O_WRONLY, &c), 0);
	assert_int_equal(fko_write(k, c.entry.nodeid, c.open.fh, "A", 1, 0), 1);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);
	assert_int_equal(fko_create(k, d.nodeid, "b", S_IFREG | 0644,
				    O_CREAT | O_WRONLY, &c), 0);
	assert_int_equal(fko_write(k, c.entry.nodeid, c.open.fh, "B", 1, 0), 1);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);

	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "a", d.nodeid, "b",
				    RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "a", d.nodeid, "b",
				    RENAME_EXCHANGE), 0);
	host_read(fx, "a", buf, 1, 0);
	assert_int_equal(buf[0], 'B');
	host_read(fx, "d/b", buf, 1, 0);
	assert_int_equal(buf[0], 'A');
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "a", d.nodeid, "b", 0),
			 0);
	assert_false(host_exists(fx, "a"));
	host_read(fx, "d/b", buf, 1, 0);
	assert_int_equal(buf[0], 'B');
	assert_int_equal(fko_rename(k, VFSD_ROOT_INO, "d", d.nodeid, "x", 0),
			 -EINVAL);	/* into itself */
	assert_int_equal(fko_rename(k, d.nodeid, "b", d.nodeid, "c",
				    RENAME_WHITEOUT), -EINVAL);
}

static void test_setattr(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_entry_out l;
	struct vfsd_setattr_in sa = { 0 };
	struct vfsd_attr a;
	struct stat st;
	uint64_t ino;

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	ino = c.entry.nodeid;
	assert_int_equal(fko_write(k, ino, c.open.fh, "abcdefgh", 8, 0), 8);

	sa.valid = VFSD_SETATTR_MODE;
	sa.mode = 04711;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 04711);
	assert_int_equal(host_stat(fx, "f").st_mode, S_IFREG | 04711);

	/* Truncate through the handle and without one. */
	sa.valid = VFSD_SETATTR_SIZE | VFSD_SETATTR_FH;
	sa.size = 3;
	sa.fh = c.open.fh;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	assert_int_equal(a.size, 3);
	assert_int_equal(fko_truncate(k, ino, 10000), 0);
	assert_int_equal(host_stat(fx, "f").st_size, 10000);

	sa.valid = VFSD_SETATTR_ATIME | VFSD_SETATTR_MTIME;
	sa.atime = 1000;
	sa.atime_nsec = 5;
	sa.mtime = 2000;
	sa.mtime_nsec = 6;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	st = host_stat(fx, "f");
	assert_int_equal(st.st_atim.tv_sec, 1000);
	assert_int_equal(st.st_atim.tv_nsec, 5);
	assert_int_equal(st.st_mtim.tv_sec, 2000);
	assert_int_equal(a.mtime_nsec, 6);
	sa.valid = VFSD_SETATTR_MTIME | VFSD_SETATTR_MTIME_NOW;
	assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
	assert_true(host_stat(fx, "f").st_mtim.tv_sec > 2000);
	assert_int_equal(host_stat(fx, "f").st_atim.tv_sec, 1000);	/* kept */

	if (geteuid() == 0) {
		sa.valid = VFSD_SETATTR_UID | VFSD_SETATTR_GID;
		sa.uid = 4321;
		sa.gid = 8765;
		assert_int_equal(fko_setattr(k, ino, &sa, &a), 0);
		assert_int_equal(host_stat(fx, "f").st_uid, 4321);
		assert_int_equal(host_stat(fx, "f").st_gid, 8765);
	}
	fko_noreply(k, VFSD_OP_RELEASE, ino, c.open.fh, 0);

	/* Symlinks: times of the link itself, no chmod. */
	assert_int_equal(fko_symlink(k, VFSD_ROOT_INO, "sl", "f", &l), 0);
	sa.valid = VFSD_SETATTR_MTIME;
	sa.mtime = 3000;
	assert_int_equal(fko_setattr(k, l.nodeid, &sa, &a), 0);
	assert_int_equal(host_stat(fx, "sl").st_mtim.tv_sec, 3000);
	assert_true(host_stat(fx, "f").st_mtim.tv_sec != 3000);
	sa.valid = VFSD_SETATTR_MODE;
	assert_int_equal(fko_setattr(k, l.nodeid, &sa, &a), -EOPNOTSUPP);
	assert_int_equal(fko_truncate(k, VFSD_ROOT_INO, 0), -EISDIR);
}

static void test_fallocate_seek(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	static char buf[16384];
	struct vfsd_create_out c;
	uint64_t ino, fh;
	int64_t hole;

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	ino = c.entry.nodeid;
	fh = c.open.fh;
	assert_int_equal(fko_fallocate(k, ino, fh, 0, 0, 1 << 20), 0);
	assert_int_equal(host_stat(fx, "f").st_size, 1 << 20);
	assert_int_equal(fko_fallocate(k, ino, fh, FALLOC_FL_KEEP_SIZE,
				       1 << 20, 1 << 20), 0);
	assert_int_equal(host_stat(fx, "f").st_size, 1 << 20);
	memset(buf, 'd', sizeof(buf));
	assert_int_equal(fko_write(k, ino, fh, buf, sizeof(buf), 0),
			 sizeof(buf));
	if (fko_fallocate(k, ino, fh, FALLOC_FL_PUNCH_HOLE |
			  FALLOC_FL_KEEP_SIZE, 4096, 8192) == -EOPNOTSUPP)
		skip();		/* the host filesystem cannot punch */
	hole = fko_lseek(k, ino, fh, 0, SEEK_HOLE);
	/* Filesystems may report holes coarsely, never past the punch. */
	assert_true(hole == 4096 || hole == (1 << 20));
	if (hole == 4096)
		assert_int_equal(fko_lseek(k, ino, fh, 4096, SEEK_DATA), 12288);
	host_read(fx, "f", buf, 4096, 4096);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[4095], 0);
	assert_int_equal(fko_fallocate(k, ino, fh, FALLOC_FL_ZERO_RANGE, 0,
				       4096), -EOPNOTSUPP);
	fko_noreply(k, VFSD_OP_RELEASE, ino, fh, 0);
}

static void test_unlinked_open_file(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_attr_out ao;
	struct vfsd_sqe sqe;
	char buf[4];

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "tmp", S_IFREG | 0600,
				    O_CREAT | O_RDWR, &c), 0);
	assert_int_equal(fko_write(k, c.entry.nodeid, c.open.fh, "live", 4, 0),
			 4);
	assert_int_equal(fko_unlink(k, VFSD_OP_UNLINK, VFSD_ROOT_INO, "tmp"), 0);
	assert_false(host_exists(fx, "tmp"));
	assert_int_equal(fko_read(k, c.entry.nodeid, c.open.fh, buf, 4, 0), 4);
	assert_memory_equal(buf, "live", 4);
	sqe = fk_sqe(VFSD_OP_GETATTR, c.entry.nodeid);
	sqe.flags = VFSD_GETATTR_FH;
	sqe.fh = c.open.fh;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, &ao, sizeof(ao)), 0);
	assert_int_equal(ao.attr.nlink, 0);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);
}

static void test_xattr(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_entry_out l;
	char buf[256], p[PATH_MAX];
	int32_t n;

	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_RDWR, &c), 0);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);
	n = fko_setxattr(k, c.entry.nodeid, "user.k", "val", 3, XATTR_CREATE);
	if (n == -EOPNOTSUPP)
		skip();
	assert_int_equal(n, 0);
	path_of(fx, p, "f");
	assert_int_equal(getxattr(p, "user.k", buf, sizeof(buf)), 3);
	assert_int_equal(fko_setxattr(k, c.entry.nodeid, "user.k", "x", 1,
				      XATTR_CREATE), -EEXIST);
	assert_int_equal(fko_getxattr(k, c.entry.nodeid, "user.k", NULL, 0), 3);
	assert_int_equal(fko_getxattr(k, c.entry.nodeid, "user.k", buf, 2),
			 -ERANGE);
	assert_int_equal(fko_getxattr(k, c.entry.nodeid, "user.k", buf,
				      sizeof(buf)), 3);
	n = fko_listxattr(k, c.entry.nodeid, buf, sizeof(buf));
	assert_true(n >= 7);
	assert_non_null(memmem(buf, (size_t)n, "user.k", 7));
	assert_int_equal(fko_removexattr(k, c.entry.nodeid, "user.k"), 0);
	assert_int_equal(fko_removexattr(k, c.entry.nodeid, "user.k"),
			 -ENODATA);
	assert_int_equal(getxattr(p, "user.k", buf, sizeof(buf)), -1);

	/* On a symlink: the link's own xattrs, never its target's. */
	if (geteuid() != 0)
		return;
	assert_int_equal(fko_symlink(k, VFSD_ROOT_INO, "sl", "f", &l), 0);
	assert_int_equal(fko_setxattr(k, l.nodeid, "trusted.t", "1", 1, 0), 0);
	path_of(fx, p, "sl");
	assert_int_equal(lgetxattr(p, "trusted.t", buf, sizeof(buf)), 1);
	path_of(fx, p, "f");
	assert_int_equal(getxattr(p, "trusted.t", buf, sizeof(buf)), -1);
	assert_int_equal(fko_getxattr(k, l.nodeid, "trusted.t", buf,
				      sizeof(buf)), 1);
}

/* Callers are uid 1000 gid 100; the root dir belongs to root, 0755. */
static void test_server_permissions(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;
	struct vfsd_entry_out d, e;
	struct vfsd_sqe sqe;
	int32_t res;

	if (geteuid() != 0)
		skip();		/* acting as the caller needs root */
	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_WRONLY, &c), -EACCES);
	assert_int_equal(fko_mkdir(k, VFSD_ROOT_INO, "d", 0755, &d), -EACCES);
	sqe = fk_sqe(VFSD_OP_MKDIR, VFSD_ROOT_INO);
	sqe.uid = sqe.gid = 0;
	sqe.arg = 0700;
	assert_int_equal(fk_call(k, &sqe, "private", 8, &d, sizeof(d)), 0);
	assert_int_equal(fko_lookup(k, d.nodeid, "x", &e), -EACCES);
	assert_int_equal(fko_unlink(k, VFSD_OP_RMDIR, VFSD_ROOT_INO,
				    "private"), -EACCES);

	/* open(O_CREAT|O_WRONLY, 0444) arrives as one CREATE that opens
	 * the new file for writing; later opens follow the mode. */
	sqe = fk_sqe(VFSD_OP_MKDIR, VFSD_ROOT_INO);
	sqe.uid = sqe.gid = 0;
	sqe.arg = 01777;
	assert_int_equal(fk_call(k, &sqe, "tmp", 4, &d, sizeof(d)), 0);
	assert_int_equal(fko_create(k, d.nodeid, "ro", S_IFREG | 0444,
				    O_WRONLY, &c), 0);
	assert_int_equal(host_stat(fx, "tmp/ro").st_uid, 1000);
	assert_int_equal(fko_write(k, c.entry.nodeid, c.open.fh, "ro", 2, 0),
			 2);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);
	fko_open(k, VFSD_OP_OPEN, c.entry.nodeid, O_WRONLY, &res);
	assert_int_equal(res, -EACCES);
	/* mknod(2) then open(2) is two calls: the open follows the mode. */
	assert_int_equal(fko_mknod(k, d.nodeid, "ro2", S_IFREG | 0444, 0, &e),
			 0);
	fko_open(k, VFSD_OP_OPEN, e.nodeid, O_WRONLY, &res);
	assert_int_equal(res, -EACCES);
}

/*
 * default_permissions: the kernel decided; a host refusal for want of
 * supplementary groups must not undo that. The file is made anyway and
 * still belongs to the caller.
 */
static void test_kernel_checked_create(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_create_out c;

	if (geteuid() != 0)
		skip();
	assert_int_equal(fko_create(k, VFSD_ROOT_INO, "f", S_IFREG | 0644,
				    O_CREAT | O_WRONLY, &c), 0);
	assert_int_equal(host_stat(fx, "f").st_uid, 1000);
	assert_int_equal(host_stat(fx, "f").st_gid, 100);
	fko_noreply(k, VFSD_OP_RELEASE, c.entry.nodeid, c.open.fh, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_write_read), T(test_open_flags),
		T(test_namespace), T(test_rename), T(test_setattr),
		T(test_fallocate_seek), T(test_unlinked_open_file),
		T(test_xattr), T(test_kernel_checked_create),
		cmocka_unit_test_setup_teardown(test_server_permissions,
						setup_perms, fk_session_teardown),

	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
