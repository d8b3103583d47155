// SPDX-License-Identifier: MIT
/*
 * The dir backend against the fake kernel, on a real temporary tree:
 * nodeids for host inodes (hard links share one), negative entries,
 * readdir with cookies across many rounds and seeks, reads into the
 * window, forget freeing inodes. The write path: test_backend_dir_write.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/dir/dir.h"
#include "backends/dir/io.h"
#include "fk_session.h"


#define BIG_SIZE	20000
#define NFILES		300

static unsigned char big[BIG_SIZE];

static struct dir_inodes *inodes(struct fk_session *fx)
{
	return &((struct dir_fs *)fx->fs)->inodes;
}

static void path_of(struct fk_session *fx, char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", fx->tmp, rel);
}

static void write_file(struct fk_session *fx, const char *rel, const void *data,
		       size_t n)
{
	char p[PATH_MAX];
	int fd;

	path_of(fx, p, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static int setup_with(void **state, enum source_dio dio)
{
	struct backend_config cfg = { .attr_timeout = 1.0,
				      .entry_timeout = 1.0,
				      .source_dio = dio };
	struct fk_session *fx = fk_session_new(state);
	char p[PATH_MAX], q[PATH_MAX], name[32];
	size_t i;

	cfg.source = fk_session_mkdtemp(fx);
	for (i = 0; i < BIG_SIZE; i++)
		big[i] = (unsigned char)(i ^ (i >> 8));
	write_file(fx, "big", big, BIG_SIZE);
	write_file(fx, "empty", "", 0);
	path_of(fx, p, "big");
	path_of(fx, q, "hard");
	assert_int_equal(link(p, q), 0);
	path_of(fx, q, "sym");
	assert_int_equal(symlink("big", q), 0);
	path_of(fx, p, "sub");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(fx, p, "sub/deeper");
	assert_int_equal(mkdir(p, 0700), 0);
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "sub/file-%03zu", i);
		write_file(fx, name, name, strlen(name));
	}
	assert_int_equal(fk_session_start(fx, &backend_dir, &cfg), 0);
	return 0;
}

/* Buffered I/O on the source: every byte a CPU copy (counted exactly). */
static int setup(void **state)
{
	return setup_with(state, SOURCE_DIO_OFF);
}

static int setup_direct(void **state)
{
	return setup_with(state, SOURCE_DIO_ON);
}

static int32_t lookup(struct fk_session *fx, vfsd_ino_t parent, const char *name,
		      struct vfsd_entry_out *e)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_LOOKUP, parent);

	memset(e, 0, sizeof(*e));
	return fk_call(k, &sqe, name, strlen(name) + 1, e, sizeof(*e));
}

static int32_t simple(struct fk_session *fx, uint8_t op, vfsd_ino_t ino,
		      uint64_t fh, void *out, size_t outsz)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(op, ino);

	sqe.fh = fh;
	return fk_call(k, &sqe, NULL, 0, out, outsz);
}

static uint64_t open_(struct fk_session *fx, uint8_t op, vfsd_ino_t ino,
		      int flags, int32_t *res)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(op, ino);
	struct vfsd_open_out o = { 0 };

	sqe.arg = flags;
	*res = fk_call(k, &sqe, NULL, 0, &o, sizeof(o));
	return o.fh;
}

static void noreply(struct fk_session *fx, uint8_t op, vfsd_ino_t ino,
		    uint64_t fh, uint64_t off)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(op, ino);

	sqe.fh = fh;
	sqe.offset = off;
	fk_call_noreply(k, &sqe);
}

static void test_lookup(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out e, e2;
	struct stat st;
	char p[PATH_MAX];
	size_t before = dir_inodes_count(inodes(fx));

	assert_int_equal(before, 1);		/* the root */
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "big", &e), 0);
	assert_true(e.nodeid > VFSD_ROOT_INO);
	path_of(fx, p, "big");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(e.attr.ino, st.st_ino);
	assert_int_equal(e.attr.size, BIG_SIZE);
	assert_int_equal(e.attr.mode, st.st_mode);
	assert_int_equal(e.attr.nlink, 2);
	assert_int_equal(e.attr.mtime, st.st_mtim.tv_sec);
	assert_int_equal(e.attr.mtime_nsec, st.st_mtim.tv_nsec);
	assert_int_equal(e.entry_valid_ns, 1000000000ull);
	assert_int_equal(e.attr_valid_ns, 1000000000ull);

	/* A hard link is the same inode: the same nodeid. */
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "hard", &e2), 0);
	assert_int_equal(e2.nodeid, e.nodeid);
	assert_int_equal(dir_inodes_count(inodes(fx)), 2);

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "sym", &e2), 0);
	assert_int_equal(e2.attr.mode & S_IFMT, S_IFLNK);	/* not followed */
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "sub", &e2), 0);
	assert_int_equal(e2.attr.mode, S_IFDIR | 0755);
	assert_int_equal(lookup(fx, e2.nodeid, "deeper", &e2), 0);
	assert_int_equal(e2.attr.mode, S_IFDIR | 0700);

	/* Missing names are negative entries the kernel may cache. */
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "missing", &e2), 0);
	assert_int_equal(e2.nodeid, 0);
	assert_int_equal(e2.entry_valid_ns, 1000000000ull);
	/* fx->tmp, big (= hard), sym, sub, deeper; nothing for "missing" */
	assert_int_equal(dir_inodes_count(inodes(fx)), 5);

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "..", &e2), -EINVAL);
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, ".", &e2), -EINVAL);
	assert_int_equal(lookup(fx, 12345, "big", &e2), -ESTALE);
	assert_int_equal(lookup(fx, e.nodeid, "x", &e2), -ENOTDIR);
}

static void test_getattr_readlink_statfs(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_attr_out a;
	struct vfsd_entry_out e;
	struct vfsd_statfs_out sf;
	struct statvfs sv;
	struct stat st;
	char target[64];

	assert_int_equal(simple(fx, VFSD_OP_GETATTR, VFSD_ROOT_INO, 0, &a,
				sizeof(a)), 0);
	assert_int_equal(stat(fx->tmp, &st), 0);
	assert_int_equal(a.attr.ino, st.st_ino);
	assert_int_equal(a.attr.mode, st.st_mode);
	assert_int_equal(a.attr.nlink, st.st_nlink);
	assert_int_equal(a.attr_valid_ns, 1000000000ull);
	assert_int_equal(backend_dir.root_mode(fx->fs), st.st_mode);

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "sym", &e), 0);
	assert_int_equal(simple(fx, VFSD_OP_READLINK, e.nodeid, 0, target,
				sizeof(target)), 3);
	assert_memory_equal(target, "big", 3);
	assert_int_equal(simple(fx, VFSD_OP_READLINK, VFSD_ROOT_INO, 0, NULL, 0),
			 -ENOENT);	/* readlinkat on a directory */
	assert_int_equal(simple(fx, VFSD_OP_GETATTR, 999, 0, NULL, 0), -ESTALE);

	assert_int_equal(simple(fx, VFSD_OP_STATFS, VFSD_ROOT_INO, 0, &sf,
				sizeof(sf)), 0);
	assert_int_equal(statvfs(fx->tmp, &sv), 0);
	assert_int_equal(sf.bsize, sv.f_bsize);
	assert_int_equal(sf.frsize, sv.f_frsize);
	assert_int_equal(sf.blocks, sv.f_blocks);
	assert_int_equal(sf.files, sv.f_files);
	assert_int_equal(sf.namelen, sv.f_namemax);
}

/* One READDIR round: appends names, returns the bytes used. */
static int32_t readdir_round(struct fk_session *fx, vfsd_ino_t ino, uint64_t fh,
			     uint64_t *cookie, uint32_t len,
			     char names[][NAME_MAX + 1], unsigned char *types,
			     int *n)
{
	struct fake_kernel *k = &fx->k;
	struct vfsd_sqe sqe = fk_sqe(VFSD_OP_READDIR, ino);
	unsigned char buf[VFSD_INLINE_SIZE];
	int32_t used, at = 0;

	sqe.fh = fh;
	sqe.offset = *cookie;
	sqe.len = len;
	used = fk_call(k, &sqe, NULL, 0, buf, sizeof(buf));
	assert_true(used >= 0 && used <= (int32_t)len);
	while (at < used) {
		struct vfsd_dirent d;

		memcpy(&d, buf + at, sizeof(d));
		assert_true(d.namelen > 0 && d.namelen <= NAME_MAX);
		assert_true(at + VFSD_DIRENT_SIZE(d.namelen) <= (size_t)used);
		memcpy(names[*n], buf + at + sizeof(d), d.namelen);
		names[*n][d.namelen] = '\0';
		types[(*n)++] = d.type;
		*cookie = d.off;
		at += VFSD_DIRENT_SIZE(d.namelen);
	}
	return used;
}

static int find_name(char names[][NAME_MAX + 1], int n, const char *name)
{
	int i, found = -1;

	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], name)) {
			assert_int_equal(found, -1);	/* exactly once */
			found = i;
		}
	}
	return found;
}

static char names[NFILES + 16][NAME_MAX + 1];
static unsigned char types[NFILES + 16];

static void test_readdir_root(void **state)
{
	struct fk_session *fx = *state;
	int32_t res;
	uint64_t fh = open_(fx, VFSD_OP_OPENDIR, VFSD_ROOT_INO, O_RDONLY, &res);
	uint64_t cookie = 0;
	int n = 0;

	assert_int_equal(res, 0);
	while (readdir_round(fx, VFSD_ROOT_INO, fh, &cookie, 4096, names, types,
			     &n) > 0)
		;
	/* The host's entries, dot entries included, as FUSE servers do. */
	assert_int_equal(n, 7);
	assert_int_equal(types[find_name(names, n, ".")], DT_DIR);
	assert_int_equal(types[find_name(names, n, "..")], DT_DIR);
	assert_int_equal(types[find_name(names, n, "big")], DT_REG);
	assert_int_equal(types[find_name(names, n, "hard")], DT_REG);
	assert_int_equal(types[find_name(names, n, "empty")], DT_REG);
	assert_int_equal(types[find_name(names, n, "sym")], DT_LNK);
	assert_int_equal(types[find_name(names, n, "sub")], DT_DIR);
	noreply(fx, VFSD_OP_RELEASEDIR, VFSD_ROOT_INO, fh, 0);
}

static void test_readdir_many_rounds(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out e;
	int32_t res;
	uint64_t fh, cookie = 0, c1;
	int n = 0, rounds = 0, i, n1;
	char name[32];

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "sub", &e), 0);
	fh = open_(fx, VFSD_OP_OPENDIR, e.nodeid, O_RDONLY, &res);
	assert_int_equal(res, 0);
	while (readdir_round(fx, e.nodeid, fh, &cookie, 512, names, types, &n) > 0)
		rounds++;
	assert_int_equal(n, NFILES + 3);
	assert_true(rounds >= (NFILES + 3) / 16);
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "file-%03d", i);
		assert_true(find_name(names, n, name) >= 0);
	}
	assert_int_equal(types[find_name(names, n, "deeper")], DT_DIR);

	/* Back to the start: the stream is rewound, same first round. */
	cookie = 0;
	n1 = 0;
	readdir_round(fx, e.nodeid, fh, &cookie, 512, names, types, &n1);
	assert_true(n1 > 0);
	c1 = cookie;
	/* Continue from c1 twice: the second needs a seek back. */
	n = 0;
	readdir_round(fx, e.nodeid, fh, &cookie, 256, names, types, &n);
	assert_true(n > 0);
	strcpy(name, names[0]);
	cookie = c1;
	n = 0;
	readdir_round(fx, e.nodeid, fh, &cookie, 256, names, types, &n);
	assert_string_equal(names[0], name);
	noreply(fx, VFSD_OP_RELEASEDIR, e.nodeid, fh, 0);
}

static void test_read(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out e;
	struct vfsd_sqe sqe;
	unsigned char back[16384];
	int32_t res;
	uint64_t fh;
	int fds;

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "big", &e), 0);
	dir_io_uses_uring();	/* the thread's ring has its fd already */
	fds = fk_open_fds();
	fh = open_(fx, VFSD_OP_OPEN, e.nodeid, O_RDONLY, &res);
	assert_int_equal(res, 0);
	assert_true(fh != 0);
	assert_int_equal(fk_open_fds(), fds + 1);	/* one host fd */

	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.fh = fh;
	sqe.len = 8192;
	sqe.win_off = 4096;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), 8192);
	fk_window_peek(k, 4096, back, 8192);
	assert_memory_equal(back, big, 8192);

	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.fh = fh;
	sqe.offset = 8192;
	sqe.len = 16384;
	sqe.win_off = 16384;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), BIG_SIZE - 8192);
	fk_window_peek(k, 16384, back, BIG_SIZE - 8192);
	assert_memory_equal(back, big + 8192, BIG_SIZE - 8192);

	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.fh = fh;
	sqe.offset = BIG_SIZE;
	sqe.len = 4096;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), 0);

	/* SEEK_DATA goes to the host file; SEEK_SET is the kernel's job. */
	sqe = fk_sqe(VFSD_OP_LSEEK, e.nodeid);
	sqe.fh = fh;
	sqe.arg = SEEK_DATA;
	sqe.offset = 100;
	{
		struct vfsd_lseek_out lo;

		assert_int_equal(fk_call(k, &sqe, NULL, 0, &lo, sizeof(lo)), 0);
		assert_int_equal(lo.offset, 100);
	}
	sqe = fk_sqe(VFSD_OP_LSEEK, e.nodeid);
	sqe.fh = fh;
	sqe.arg = SEEK_SET;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), -EINVAL);

	assert_int_equal(simple(fx, VFSD_OP_FLUSH, e.nodeid, fh, NULL, 0), 0);
	assert_int_equal(simple(fx, VFSD_OP_FSYNC, e.nodeid, fh, NULL, 0), 0);
	noreply(fx, VFSD_OP_RELEASE, e.nodeid, fh, 0);
	assert_int_equal(fk_open_fds(), fds);	/* closed */

	/* fh 0: a page-cache read without an open file (never stdin). */
	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.offset = 4096;
	sqe.len = 4096;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), 4096);
	fk_window_peek(k, 0, back, 4096);
	assert_memory_equal(back, big + 4096, 4096);
	/* Directories are not opened as files. */
	open_(fx, VFSD_OP_OPEN, VFSD_ROOT_INO, O_RDONLY, &res);
	assert_int_equal(res, -EINVAL);
	/* --stats: every byte read went through pread (a CPU copy). */
	assert_int_equal(copy_stats_get(&((struct dir_fs *)fx->fs)->copied,
					COPY_READ), BIG_SIZE + 4096);
	assert_int_equal(copy_stats_get(&((struct dir_fs *)fx->fs)->copied,
					COPY_WRITE), 0);
}

static void test_forget(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out e;

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "empty", &e), 0);
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "empty", &e), 0);
	assert_int_equal(dir_inodes_count(inodes(fx)), 2);
	noreply(fx, VFSD_OP_FORGET, e.nodeid, 0, 1);
	assert_int_equal(simple(fx, VFSD_OP_GETATTR, e.nodeid, 0, NULL, 0), 0);
	noreply(fx, VFSD_OP_FORGET, e.nodeid, 0, 1);
	assert_int_equal(dir_inodes_count(inodes(fx)), 1);
	assert_int_equal(simple(fx, VFSD_OP_GETATTR, e.nodeid, 0, NULL, 0),
			 -ESTALE);
	/* Looked up again, it gets a fresh nodeid: never reused. */
	{
		uint64_t old = e.nodeid;

		assert_int_equal(lookup(fx, VFSD_ROOT_INO, "empty", &e), 0);
		assert_true(e.nodeid > old);
	}
	/* Forgetting more than known, or the fx->tmp, is harmless. */
	noreply(fx, VFSD_OP_FORGET, e.nodeid, 0, 100);
	noreply(fx, VFSD_OP_FORGET, VFSD_ROOT_INO, 0, 100);
	noreply(fx, VFSD_OP_FORGET, 424242, 0, 1);
	assert_int_equal(dir_inodes_count(inodes(fx)), 1);
	assert_int_equal(simple(fx, VFSD_OP_GETATTR, VFSD_ROOT_INO, 0, NULL, 0), 0);
}

/* Many inodes: the table grows past its first buckets. */
static void test_many_inodes(void **state)
{
	struct fk_session *fx = *state;
	struct vfsd_entry_out e, sub;
	char name[32];
	uint64_t ids[NFILES];
	int i;

	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "sub", &sub), 0);
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "file-%03d", i);
		assert_int_equal(lookup(fx, sub.nodeid, name, &e), 0);
		ids[i] = e.nodeid;
	}
	assert_int_equal(dir_inodes_count(inodes(fx)), NFILES + 2);
	for (i = 0; i < NFILES; i++) {
		struct vfsd_attr_out a;

		assert_int_equal(simple(fx, VFSD_OP_GETATTR, ids[i], 0, &a,
					sizeof(a)), 0);
		assert_int_equal(a.attr.size, 12);	/* "sub/file-NNN" */
	}
	for (i = 0; i < NFILES; i++)
		noreply(fx, VFSD_OP_FORGET, ids[i], 0, 1);
	assert_int_equal(dir_inodes_count(inodes(fx)), 2);
}

static void test_xattr(void **state)
{
	struct fk_session *fx = *state;
	struct fake_kernel *k = &fx->k;
	struct vfsd_entry_out e;
	struct vfsd_sqe sqe;
	char p[PATH_MAX], buf[256];
	int32_t n;

	path_of(fx, p, "big");
	if (setxattr(p, "user.vfsd", "value!", 6, 0) < 0)
		skip();		/* the host filesystem has no user xattrs */
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "big", &e), 0);

	sqe = fk_sqe(VFSD_OP_GETXATTR, e.nodeid);	/* size probe */
	assert_int_equal(fk_call(k, &sqe, "user.vfsd", 10, NULL, 0), 6);
	sqe = fk_sqe(VFSD_OP_GETXATTR, e.nodeid);
	sqe.arg = 5;					/* too small */
	assert_int_equal(fk_call(k, &sqe, "user.vfsd", 10, NULL, 0), -ERANGE);
	sqe = fk_sqe(VFSD_OP_GETXATTR, e.nodeid);
	sqe.arg = sizeof(buf);
	n = fk_call(k, &sqe, "user.vfsd", 10, buf, sizeof(buf));
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "value!", 6);

	sqe = fk_sqe(VFSD_OP_GETXATTR, e.nodeid);
	sqe.arg = sizeof(buf);
	assert_int_equal(fk_call(k, &sqe, "user.none", 10, NULL, 0), -ENODATA);

	sqe = fk_sqe(VFSD_OP_LISTXATTR, e.nodeid);
	sqe.arg = sizeof(buf);
	n = fk_call(k, &sqe, NULL, 0, buf, sizeof(buf));
	assert_true(n >= 10);
	assert_non_null(memmem(buf, n, "user.vfsd", 10));
}

/*
 * -o source_dio=on: the aligned head of a READ goes O_DIRECT into the
 * window, where the source takes O_DIRECT (STATX_DIOALIGN); the bytes
 * are the same and the counters say who moved them.
 */
static void test_read_direct(void **state)
{
	struct fk_session *fx = *state;
	struct dir_fs *fs = fx->fs;
	struct fake_kernel *k = &fx->k;
	unsigned char back[BIG_SIZE];
	struct vfsd_entry_out e;
	struct vfsd_sqe sqe;
	char path[PATH_MAX];
	struct statx stx;
	bool dio;
	int32_t res;
	uint64_t fh;
	int fds;

	path_of(fx, path, "big");
	dio = statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &stx) == 0 &&
	      (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align &&
	      stx.stx_dio_offset_align <= 4096;
	assert_true(fs->source_dio);
	assert_int_equal(lookup(fx, VFSD_ROOT_INO, "big", &e), 0);
	dir_io_uses_uring();
	fds = fk_open_fds();
	fh = open_(fx, VFSD_OP_OPEN, e.nodeid, O_RDONLY, &res);
	assert_int_equal(res, 0);

	/* The whole file in one page-aligned READ: short at end of file. */
	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.fh = fh;
	sqe.len = 20480;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), BIG_SIZE);
	fk_window_peek(k, 0, back, BIG_SIZE);
	assert_memory_equal(back, big, BIG_SIZE);
	assert_int_equal(copy_stats_get(&fs->copied, COPY_DEV_READ) +
			 copy_stats_get(&fs->copied, COPY_READ), BIG_SIZE);
	if (dio)	/* all of it by the device, none by the CPU */
		assert_int_equal(copy_stats_get(&fs->copied, COPY_DEV_READ),
				 BIG_SIZE);
	else
		assert_int_equal(copy_stats_get(&fs->copied, COPY_READ),
				 BIG_SIZE);

	/* An unaligned offset: all buffered. */
	sqe = fk_sqe(VFSD_OP_READ, e.nodeid);
	sqe.fh = fh;
	sqe.offset = 100;
	sqe.len = 4096;
	assert_int_equal(fk_call(k, &sqe, NULL, 0, NULL, 0), 4096);
	fk_window_peek(k, 0, back, 4096);
	assert_memory_equal(back, big + 100, 4096);
	assert_int_equal(copy_stats_get(&fs->copied, COPY_DEV_READ) +
			 copy_stats_get(&fs->copied, COPY_READ),
			 BIG_SIZE + 4096);
	if (dio)
		assert_int_equal(copy_stats_get(&fs->copied, COPY_READ), 4096);

	/* RELEASE closes the O_DIRECT twin with the file. */
	noreply(fx, VFSD_OP_RELEASE, e.nodeid, fh, 0);
	assert_int_equal(fk_open_fds(), fds);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)
	const struct CMUnitTest tests[] = {
		T(test_lookup), T(test_getattr_readlink_statfs),
		T(test_readdir_root), T(test_readdir_many_rounds),
		T(test_read), T(test_forget),
		T(test_many_inodes), T(test_xattr),
		cmocka_unit_test_setup_teardown(test_read_direct, setup_direct,
						fk_session_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
