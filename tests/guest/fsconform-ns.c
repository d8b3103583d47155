// SPDX-License-Identifier: GPL-2.0
/*
 * fsconform: the namespace: create, readdir, mknod, mkdir/rmdir, unlink,
 * rename, link, symlink, error cases, permissions, EXDEV.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsconform.h"

/* ---- create, open flags, plain I/O -------------------------------------- */

void t_create(int wd)
{
	unsigned char buf[64];
	struct stat st;
	int d = group_dir(wd, "create"), fd;

	if (d < 0)
		return;
	fd = openat(d, "f", O_WRONLY | O_CREAT | O_EXCL, 0666);
	TRY("create.excl_new", fd);
	ok("create.excl_new");
	TRY("create.write", write(fd, "hello", 5));
	TRY("create.fstat", fstat(fd, &st));
	CHECK("create.attrs", S_ISREG(st.st_mode) && st.st_size == 5 &&
	      (st.st_mode & 07777) == 0644 && st.st_uid == geteuid(),
	      "mode %o size %lld uid %u (umask 022 applied to 0666?)",
	      st.st_mode, (long long)st.st_size, st.st_uid);
	close(fd);

	expect_err("create.excl_exists",
		   openat(d, "f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	fd = openat(d, "f", O_RDWR | O_CREAT, 0600);
	TRY("create.creat_exists", fd);
	CHECK("create.creat_exists_keeps",
	      pread(fd, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5),
	      "O_CREAT on an existing file changed it");
	close(fd);
	CHECK("create.creat_exists_mode",
	      fstatat(d, "f", &st, 0) == 0 && (st.st_mode & 07777) == 0644,
	      "mode changed by O_CREAT of an existing file: %o", st.st_mode);

	fd = openat(d, "f", O_RDWR | O_TRUNC);
	TRY("create.trunc", fd);
	CHECK("create.trunc", fstat(fd, &st) == 0 && st.st_size == 0 &&
	      read(fd, buf, sizeof(buf)) == 0,
	      "size %lld after O_TRUNC", (long long)st.st_size);
	close(fd);

	/* O_APPEND: every write goes to the end, wherever the offset was. */
	TRY("append.setup", put_file(d, "a", "abc", 3, 0644));
	fd = openat(d, "a", O_WRONLY | O_APPEND);
	TRY("append.open", fd);
	lseek(fd, 0, SEEK_SET);
	TRY("append.write", write(fd, "def", 3));
	CHECK("append.offset", lseek(fd, 0, SEEK_CUR) == 6,
	      "offset %lld after an append write",
	      (long long)lseek(fd, 0, SEEK_CUR));
	/* Linux appends even with pwrite when O_APPEND is set. */
	TRY("append.pwrite", pwrite(fd, "gh", 2, 1));
	close(fd);
	check_content("append.content", d, "a", "abcdefgh", 8);

	/* Writing past EOF leaves a hole that reads as zeros. */
	{
		static unsigned char big[1 << 20];
		size_t at = 0;
		off_t hole = (1 << 20) + 3;

		fd = openat(d, "sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
		TRY("rw.sparse", fd);
		TRY("rw.sparse", pwrite(fd, "xyz", 3, hole));
		CHECK("rw.sparse_size", fstat(fd, &st) == 0 &&
		      st.st_size == hole + 3, "size %lld, want %lld",
		      (long long)st.st_size, (long long)hole + 3);
		memset(big, 0xff, sizeof(big));
		CHECK("rw.sparse_zeros",
		      pread_all(fd, big, sizeof(big), 0) == sizeof(big) &&
		      all_zero(big, sizeof(big), &at), "hole not zero at %zu", at);
		CHECK("rw.read_at_eof", pread(fd, buf, 10, hole + 3) == 0,
		      "read at EOF returned data");
		CHECK("rw.short_read", pread(fd, buf, 10, hole + 1) == 2 &&
		      !memcmp(buf, "yz", 2), "short read at EOF");
		close(fd);

		/* One large write, read back. */
		fill(big, sizeof(big), 7);
		TRY("rw.big", put_file(d, "big", big, sizeof(big), 0644));
		check_content("rw.big", d, "big", big, sizeof(big));
	}
	close(d);
}

/* ---- readdir ------------------------------------------------------------ */

/* Count "fNNN" entries, check "." and ".." and d_ino against stat. */
static int scan_dir(int d, bool *seen, int n, const char *name)
{
	int fd = openat(d, ".", O_RDONLY | O_DIRECTORY);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	int count = 0, dots = 0;

	if (!dir) {
		failf(name, "opendir: %s", strerror(errno));
		return -1;
	}
	memset(seen, 0, (size_t)n * sizeof(*seen));
	while ((e = readdir(dir))) {
		struct stat st;
		int i;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		if (sscanf(e->d_name, "f%d", &i) != 1 || i < 0 || i >= n ||
		    seen[i]) {
			failf(name, "unexpected or repeated entry '%s'", e->d_name);
			closedir(dir);
			return -1;
		}
		seen[i] = true;
		count++;
		if (fstatat(d, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_ino != e->d_ino ||
		    (e->d_type != DT_UNKNOWN && e->d_type != DT_REG)) {
			failf(name, "%s: d_ino %llu d_type %d vs stat ino %llu",
			      e->d_name, (unsigned long long)e->d_ino,
			      e->d_type, (unsigned long long)st.st_ino);
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	if (dots != 2) {
		failf(name, "%d of '.' and '..'", dots);
		return -1;
	}
	return count;
}

void t_readdir(int wd)
{
	enum { N = 300 };
	bool seen[N];
	char nm[16];
	int d = group_dir(wd, "readdir"), c;

	if (d < 0)
		return;
	for (int i = 0; i < N; i++) {
		snprintf(nm, sizeof(nm), "f%d", i);
		TRY("readdir.setup", put_file(d, nm, nm, strlen(nm), 0644));
	}
	c = scan_dir(d, seen, N, "readdir.all");
	if (c >= 0)
		CHECK("readdir.all", c == N, "%d of %d entries", c, N);
	for (int i = 0; i < N; i += 2) {
		snprintf(nm, sizeof(nm), "f%d", i);
		TRY("readdir.unlink", unlinkat(d, nm, 0));
	}
	c = scan_dir(d, seen, N, "readdir.after_unlink");
	if (c >= 0) {
		bool right = c == N / 2;

		for (int i = 0; i < N; i++)
			right = right && seen[i] == (i % 2 == 1);
		CHECK("readdir.after_unlink", right,
		      "%d entries after removing half of %d", c, N);
	}
	close(d);
}

/* ---- mknod, mkdir, rmdir, unlink ---------------------------------------- */

void t_mknod(int wd)
{
	struct stat st;
	char c = 0;
	int d = group_dir(wd, "mknod"), fd;

	if (d < 0)
		return;
	if (expect_ok("mknod.reg", mknodat(d, "r", S_IFREG | 0640, 0)))
		CHECK("mknod.reg_attrs", fstatat(d, "r", &st, 0) == 0 &&
		      S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 &&
		      st.st_size == 0, "mode %o size %lld", st.st_mode,
		      (long long)st.st_size);
	if (expect_ok("mknod.fifo", mknodat(d, "p", S_IFIFO | 0600, 0))) {
		CHECK("mknod.fifo_attrs", fstatat(d, "p", &st, 0) == 0 &&
		      S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
		/* The pipe lives in the kernel; the fs only holds the inode. */
		fd = openat(d, "p", O_RDWR | O_NONBLOCK);
		CHECK("mknod.fifo_io", fd >= 0 && write(fd, "x", 1) == 1 &&
		      read(fd, &c, 1) == 1 && c == 'x', "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	expect_err("mknod.exists", mknodat(d, "r", S_IFREG | 0600, 0), EEXIST);
	if (geteuid() == 0) {
		if (expect_ok("mknod.chr", mknodat(d, "c", S_IFCHR | 0600,
						   makedev(1, 3))))
			CHECK("mknod.chr_rdev", fstatat(d, "c", &st, 0) == 0 &&
			      S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
			      "mode %o rdev %u:%u", st.st_mode,
			      major(st.st_rdev), minor(st.st_rdev));
	} else {
		skipped("mknod.chr", "not root");
	}
	close(d);
}

void t_dirs(int wd)
{
	struct stat st0, st;
	int d = group_dir(wd, "dirs");

	if (d < 0)
		return;
	TRY("mkdir.stat_parent", fstat(d, &st0));
	if (expect_ok("mkdir", mkdirat(d, "sub", 0750)))
		CHECK("mkdir.attrs", fstatat(d, "sub", &st, 0) == 0 &&
		      S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750,
		      "mode %o", st.st_mode);
	/* Traditional link counts: parent gains one ("..") unless the fs
	 * does not count directory links at all (nlink 1, like btrfs). */
	TRY("mkdir.stat_parent", fstat(d, &st));
	CHECK("mkdir.parent_nlink", st0.st_nlink == 1 ?
	      st.st_nlink == 1 : st.st_nlink == st0.st_nlink + 1,
	      "parent nlink %lu -> %lu", (unsigned long)st0.st_nlink,
	      (unsigned long)st.st_nlink);
	expect_err("mkdir.exists", mkdirat(d, "sub", 0755), EEXIST);
	TRY("rmdir.setup", put_file(d, "sub/file", "x", 1, 0644));
	expect_err("rmdir.notempty", unlinkat(d, "sub", AT_REMOVEDIR), ENOTEMPTY);
	TRY("rmdir.setup", unlinkat(d, "sub/file", 0));
	if (expect_ok("rmdir", unlinkat(d, "sub", AT_REMOVEDIR)))
		CHECK("rmdir.gone", !exists(d, "sub"), "still there");
	TRY("rmdir.stat_parent", fstat(d, &st));
	CHECK("rmdir.parent_nlink", st.st_nlink == st0.st_nlink,
	      "parent nlink %lu, was %lu", (unsigned long)st.st_nlink,
	      (unsigned long)st0.st_nlink);
	expect_err("rmdir.missing", unlinkat(d, "sub", AT_REMOVEDIR), ENOENT);
	close(d);
}

void t_unlink(int wd)
{
	unsigned char buf[16];
	struct stat st;
	int d = group_dir(wd, "unlink"), fd;

	if (d < 0)
		return;
	TRY("unlink.setup", put_file(d, "f", "keep me", 7, 0644));
	fd = openat(d, "f", O_RDWR);
	TRY("unlink.open", fd);
	if (expect_ok("unlink", unlinkat(d, "f", 0)))
		CHECK("unlink.gone", !exists(d, "f") && errno == ENOENT,
		      "stat after unlink: %s", strerror(errno));
	/* An open file outlives its name: data stays, nlink drops to 0. */
	CHECK("unlink.open_fd_reads", pread(fd, buf, sizeof(buf), 0) == 7 &&
	      !memcmp(buf, "keep me", 7), "unlinked file lost its data");
	CHECK("unlink.open_fd_writes", pwrite(fd, "KEEP", 4, 0) == 4 &&
	      pread(fd, buf, 7, 0) == 7 && !memcmp(buf, "KEEP me", 7),
	      "write to an unlinked open file");
	CHECK("unlink.nlink0", fstat(fd, &st) == 0 && st.st_nlink == 0,
	      "nlink %lu after unlink", (unsigned long)st.st_nlink);
	CHECK("unlink.fsync", fsync(fd) == 0, "%s", strerror(errno));
	close(fd);
	expect_err("unlink.missing", unlinkat(d, "f", 0), ENOENT);
	close(d);
}

/* ---- rename ------------------------------------------------------------- */

/* renameat2 with the flag; false when the flag is unsupported and allowed. */
static bool rename_flag_ok(const char *name, int rc, int want_errno)
{
	if (rc < 0 && errno == EINVAL && opt.no_rename_flags) {
		skipped(name, "EINVAL accepted (--no-rename-flags)");
		return false;
	}
	if (want_errno)
		return expect_err(name, rc, want_errno);
	return expect_ok(name, rc);
}

void t_rename(int wd)
{
	struct stat st, st2;
	unsigned char buf[16];
	int d = group_dir(wd, "rename"), fd;
	ino_t ino;

	if (d < 0)
		return;
	TRY("rename.setup", put_file(d, "a", "AAA", 3, 0644));
	TRY("rename.setup", fstatat(d, "a", &st, 0));
	ino = st.st_ino;
	if (expect_ok("rename.plain", renameat(d, "a", d, "b")))
		CHECK("rename.plain_result", !exists(d, "a") &&
		      fstatat(d, "b", &st, 0) == 0 && st.st_ino == ino,
		      "old name still there or inode changed");
	check_content("rename.plain_content", d, "b", "AAA", 3);

	/* Over an existing file: the target is replaced atomically, the old
	 * target lives on through an open fd with nlink 0. */
	TRY("rename.setup", put_file(d, "c", "CCCC", 4, 0644));
	fd = openat(d, "c", O_RDONLY);
	TRY("rename.setup", fd);
	if (expect_ok("rename.over_file", renameat(d, "b", d, "c"))) {
		CHECK("rename.over_file_result", !exists(d, "b") &&
		      fstatat(d, "c", &st, 0) == 0 && st.st_ino == ino,
		      "target not replaced");
		check_content("rename.over_file_content", d, "c", "AAA", 3);
		CHECK("rename.over_file_old", fstat(fd, &st) == 0 &&
		      st.st_nlink == 0 && pread(fd, buf, 8, 0) == 4 &&
		      !memcmp(buf, "CCCC", 4),
		      "replaced file: nlink %lu or data lost",
		      (unsigned long)st.st_nlink);
	}
	close(fd);
	CHECK("rename.self", renameat(d, "c", d, "c") == 0 && exists(d, "c"),
	      "rename onto itself: %s", strerror(errno));

	/* Directories: over an empty dir works, over a non-empty one not. */
	TRY("rename.setup", mkdirat(d, "d1", 0755));
	TRY("rename.setup", put_file(d, "d1/inner", "in", 2, 0644));
	TRY("rename.setup", mkdirat(d, "d2", 0755));
	TRY("rename.setup", mkdirat(d, "d3", 0755));
	TRY("rename.setup", put_file(d, "d3/x", "x", 1, 0644));
	expect_err("rename.dir_over_nonempty", renameat(d, "d1", d, "d3"),
		   ENOTEMPTY);
	if (expect_ok("rename.dir_over_empty", renameat(d, "d1", d, "d2")))
		CHECK("rename.dir_over_empty_result", !exists(d, "d1") &&
		      exists(d, "d2/inner"), "contents did not move");
	expect_err("rename.file_over_dir", renameat(d, "c", d, "d2"), EISDIR);
	expect_err("rename.dir_over_file", renameat(d, "d2", d, "c"), ENOTDIR);
	expect_err("rename.into_self", renameat(d, "d2", d, "d2/sub"), EINVAL);
	expect_err("rename.missing", renameat(d, "nope", d, "x"), ENOENT);

	/* Across directories; a moved directory's ".." follows it. */
	if (expect_ok("rename.cross_dir", renameat(d, "d2", d, "d3/d2")))
		CHECK("rename.dotdot", fstatat(d, "d3", &st, 0) == 0 &&
		      fstatat(d, "d3/d2/..", &st2, 0) == 0 &&
		      st.st_ino == st2.st_ino, "'..' of the moved dir is stale");
	CHECK("rename.cross_dir_file", renameat(d, "c", d, "d3/d2/c") == 0 &&
	      first_diff(d, "d3/d2/c", (const unsigned char *)"AAA", 3) < 0,
	      "file moved across directories: %s", strerror(errno));

	/* RENAME_NOREPLACE */
	TRY("rename.setup", put_file(d, "n1", "N1", 2, 0644));
	TRY("rename.setup", put_file(d, "n2", "N2", 2, 0644));
	if (rename_flag_ok("rename.noreplace_exists",
			   renameat2(d, "n1", d, "n2", RENAME_NOREPLACE), EEXIST)) {
		check_content("rename.noreplace_kept", d, "n2", "N2", 2);
		if (rename_flag_ok("rename.noreplace_new",
				   renameat2(d, "n1", d, "n3", RENAME_NOREPLACE), 0))
			CHECK("rename.noreplace_new_result", !exists(d, "n1") &&
			      exists(d, "n3"), "not moved");
	}

	/* RENAME_EXCHANGE: both names stay, contents swap; works between a
	 * file and a directory too. */
	TRY("rename.setup", put_file(d, "x1", "X1", 2, 0644));
	TRY("rename.setup", put_file(d, "x2", "X2", 2, 0644));
	if (rename_flag_ok("rename.exchange",
			   renameat2(d, "x1", d, "x2", RENAME_EXCHANGE), 0)) {
		check_content("rename.exchange_a", d, "x1", "X2", 2);
		check_content("rename.exchange_b", d, "x2", "X1", 2);
		if (expect_ok("rename.exchange_dir",
			      renameat2(d, "x1", d, "d3", RENAME_EXCHANGE)))
			CHECK("rename.exchange_dir_result",
			      fstatat(d, "x1", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
			      exists(d, "x1/x") && fstatat(d, "d3", &st, 0) == 0 &&
			      S_ISREG(st.st_mode), "dir/file exchange");
		expect_err("rename.exchange_missing",
			   renameat2(d, "x2", d, "nope", RENAME_EXCHANGE), ENOENT);
	}
	close(d);
}

/* ---- link, symlink ------------------------------------------------------ */

void t_link(int wd)
{
	struct stat a, b;
	int d = group_dir(wd, "link");

	if (d < 0)
		return;
	TRY("link.setup", put_file(d, "a", "shared", 6, 0644));
	if (!expect_ok("link", linkat(d, "a", d, "b", 0)))
		goto out;
	CHECK("link.nlink2", fstatat(d, "a", &a, 0) == 0 &&
	      fstatat(d, "b", &b, 0) == 0 && a.st_ino == b.st_ino &&
	      a.st_nlink == 2 && b.st_nlink == 2,
	      "ino %llu/%llu nlink %lu/%lu", (unsigned long long)a.st_ino,
	      (unsigned long long)b.st_ino, (unsigned long)a.st_nlink,
	      (unsigned long)b.st_nlink);
	TRY("link.setup", mkdirat(d, "sub", 0755));
	if (expect_ok("link.other_dir", linkat(d, "a", d, "sub/c", 0)))
		CHECK("link.nlink3", fstatat(d, "a", &a, 0) == 0 &&
		      a.st_nlink == 3, "nlink %lu", (unsigned long)a.st_nlink);
	/* A write through one name shows through the others. */
	{
		int fd = openat(d, "sub/c", O_WRONLY);

		CHECK("link.shared_data", fd >= 0 && pwrite(fd, "S", 1, 0) == 1 &&
		      first_diff(d, "b", (const unsigned char *)"Shared", 6) < 0,
		      "data not shared between links");
		if (fd >= 0)
			close(fd);
	}
	expect_err("link.exists", linkat(d, "a", d, "b", 0), EEXIST);
	expect_err("link.dir", linkat(d, "sub", d, "sublink", 0), EPERM);
	expect_err("link.missing", linkat(d, "nope", d, "x", 0), ENOENT);
	TRY("link.unlink", unlinkat(d, "a", 0));
	TRY("link.unlink", unlinkat(d, "sub/c", 0));
	CHECK("link.nlink_after_unlink", fstatat(d, "b", &b, 0) == 0 &&
	      b.st_nlink == 1, "nlink %lu", (unsigned long)b.st_nlink);
	check_content("link.survivor", d, "b", "Shared", 6);
out:
	close(d);
}

void t_symlink(int wd)
{
	char target[1001], got[1200];
	struct stat st;
	ssize_t n;
	int d = group_dir(wd, "symlink");

	if (d < 0)
		return;
	TRY("symlink.setup", put_file(d, "file", "data", 4, 0644));
	if (expect_ok("symlink", symlinkat("file", d, "l"))) {
		n = readlinkat(d, "l", got, sizeof(got));
		CHECK("symlink.readlink", n == 4 && !memcmp(got, "file", 4),
		      "readlink gave %zd bytes", n);
		CHECK("symlink.lstat", fstatat(d, "l", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISLNK(st.st_mode) && st.st_size == 4,
		      "mode %o size %lld", st.st_mode, (long long)st.st_size);
		check_content("symlink.follow", d, "l", "data", 4);
		n = readlinkat(d, "l", got, 2);
		CHECK("symlink.readlink_short", n == 2 && !memcmp(got, "fi", 2),
		      "readlink into 2 bytes gave %zd", n);
	}
	memset(target, 't', sizeof(target) - 1);
	target[sizeof(target) - 1] = 0;
	for (size_t i = 100; i < sizeof(target) - 1; i += 100)
		target[i] = '/';
	if (expect_ok("symlink.long", symlinkat(target, d, "long"))) {
		n = readlinkat(d, "long", got, sizeof(got));
		CHECK("symlink.long_readlink", n == (ssize_t)strlen(target) &&
		      !memcmp(got, target, (size_t)n), "got %zd bytes", n);
	}
	TRY("symlink.setup", symlinkat("/nonexistent/x", d, "dangling"));
	expect_err("symlink.dangling", fstatat(d, "dangling", &st, 0), ENOENT);
	expect_err("symlink.exists", symlinkat("x", d, "file"), EEXIST);
	expect_err("symlink.readlink_file", readlinkat(d, "file", got, 10), EINVAL);
	TRY("symlink.setup", symlinkat("loop2", d, "loop1"));
	TRY("symlink.setup", symlinkat("loop1", d, "loop2"));
	expect_err("symlink.eloop", openat(d, "loop1", O_RDONLY), ELOOP);
	expect_err("symlink.nofollow", openat(d, "l", O_RDONLY | O_NOFOLLOW), ELOOP);
	close(d);
}

/* ---- error cases -------------------------------------------------------- */

void t_errors(int wd)
{
	struct stat st;
	char name[300];
	int d = group_dir(wd, "errors"), fd;

	if (d < 0)
		return;
	TRY("errors.setup", put_file(d, "file", "x", 1, 0644));
	TRY("errors.setup", mkdirat(d, "dir", 0755));

	expect_err("enoent.open", openat(d, "missing", O_RDONLY), ENOENT);
	expect_err("enoent.stat", fstatat(d, "missing", &st, 0), ENOENT);
	expect_err("enoent.unlink", unlinkat(d, "missing", 0), ENOENT);
	expect_err("enoent.create_in_missing",
		   openat(d, "missing/f", O_CREAT | O_WRONLY, 0644), ENOENT);
	expect_err("enoent.chmod", fchmodat(d, "missing", 0644, 0), ENOENT);

	expect_err("eexist.mkdir_over_file", mkdirat(d, "file", 0755), EEXIST);
	expect_err("eexist.excl_dir",
		   openat(d, "dir", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);

	expect_err("eisdir.open_write", openat(d, "dir", O_WRONLY), EISDIR);
	expect_err("eisdir.open_rdwr", openat(d, "dir", O_RDWR), EISDIR);
	expect_err("eisdir.unlink_dir", unlinkat(d, "dir", 0), EISDIR);
	fd = openat(d, "dir", O_RDONLY);
	if (fd >= 0) {
		char c;

		expect_err("eisdir.read_dir", read(fd, &c, 1), EISDIR);
		close(fd);
	}

	expect_err("enotdir.through_file", fstatat(d, "file/x", &st, 0), ENOTDIR);
	expect_err("enotdir.create_through_file",
		   openat(d, "file/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	expect_err("enotdir.rmdir_file", unlinkat(d, "file", AT_REMOVEDIR), ENOTDIR);
	expect_err("enotdir.o_directory", openat(d, "file", O_RDONLY | O_DIRECTORY),
		   ENOTDIR);

	memset(name, 'n', sizeof(name));
	name[256] = 0;
	expect_err("enametoolong.create",
		   openat(d, name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	expect_err("enametoolong.mkdir", mkdirat(d, name, 0755), ENAMETOOLONG);
	expect_err("enametoolong.stat", fstatat(d, name, &st, 0), ENAMETOOLONG);
	expect_err("enametoolong.rename", renameat(d, "file", d, name),
		   ENAMETOOLONG);
	name[255] = 0;
	fd = openat(d, name, O_CREAT | O_WRONLY, 0644);
	if (expect_ok("name255.create", fd)) {
		close(fd);
		CHECK("name255.stat", fstatat(d, name, &st, 0) == 0, "%s",
		      strerror(errno));
		char other[256];

		memcpy(other, name, sizeof(other));
		other[0] = 'm';
		if (expect_ok("name255.rename", renameat(d, name, d, other))) {
			CHECK("name255.listed", dir_has(d, other), "not in readdir");
			expect_ok("name255.unlink", unlinkat(d, other, 0));
		}
		CHECK("name255.symlink", symlinkat("file", d, name) == 0 &&
		      unlinkat(d, name, 0) == 0, "%s", strerror(errno));
	}
	close(d);
}

/* ---- permissions as an unprivileged user -------------------------------- */

/* Runs in a child that dropped to nobody; d was opened by root, so only
 * the components below it are checked against the child's credentials. */
static void eacces_checks(int d)
{
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	struct stat st;
	int fd;

	fd = openat(d, "ro", O_RDONLY);
	if (!CHECK("eacces.read_allowed", fd >= 0, "%s opening a 0644 file "
		   "for reading as uid 65534 (mount without allow_other?)",
		   strerror(errno)))
		return;
	close(fd);
	expect_err("eacces.write_0644", openat(d, "ro", O_WRONLY), EACCES);
	expect_err("eacces.read_0600", openat(d, "secret", O_RDONLY), EACCES);
	expect_err("eacces.create_in_0755",
		   openat(d, "closed/new", O_CREAT | O_WRONLY, 0644), EACCES);
	expect_err("eacces.mkdir_in_0755", mkdirat(d, "closed/nd", 0755), EACCES);
	expect_err("eacces.unlink_in_0755", unlinkat(d, "closed/f", 0), EACCES);
	expect_err("eacces.rename_in_0755",
		   renameat(d, "closed/f", d, "closed/g"), EACCES);
	if (opt.no_search_check)
		skipped("eacces.search_0700", "cached names are not re-checked "
			"(--no-search-check)");
	else
		expect_err("eacces.search_0700",
			   fstatat(d, "private/f", &st, 0), EACCES);
	expect_err("eperm.chmod_not_owner", fchmodat(d, "ro", 0666, 0), EPERM);
	expect_err("eperm.utimes_not_owner", utimensat(d, "ro", ts, 0), EPERM);
	expect_err("eperm.sticky_unlink", unlinkat(d, "sticky/rootfile", 0), EPERM);
	/* A file created by the user belongs to the user. */
	fd = openat(d, "open/mine", O_CREAT | O_WRONLY, 0644);
	if (expect_ok("eacces.create_in_0777", fd)) {
		CHECK("eacces.owner", fstat(fd, &st) == 0 && st.st_uid == 65534 &&
		      st.st_gid == 65534, "new file owned by %u:%u",
		      st.st_uid, st.st_gid);
		close(fd);
	}
	/* POSIX: the creator's open succeeds whatever mode the file gets. */
	fd = openat(d, "open/readonly-new", O_CREAT | O_EXCL | O_WRONLY, 0444);
	if (expect_ok("eacces.create_0444_for_writing", fd)) {
		CHECK("eacces.write_new_0444", write(fd, "x", 1) == 1,
		      "write to a just-created 0444 file: %s", strerror(errno));
		close(fd);
	}
}

void t_eacces(int wd)
{
	int counts[3], d, p[2], status;
	pid_t pid;

	if (geteuid() != 0) {
		skipped("eacces", "not root");
		return;
	}
	d = group_dir(wd, "eacces");
	if (d < 0)
		return;
	TRY("eacces.setup", put_file(d, "ro", "x", 1, 0644));
	TRY("eacces.setup", put_file(d, "secret", "s", 1, 0600));
	TRY("eacces.setup", mkdirat(d, "closed", 0755));
	TRY("eacces.setup", put_file(d, "closed/f", "f", 1, 0644));
	TRY("eacces.setup", mkdirat(d, "private", 0700));
	TRY("eacces.setup", put_file(d, "private/f", "f", 1, 0644));
	TRY("eacces.setup", mkdirat(d, "open", 0777));
	TRY("eacces.setup", fchmodat(d, "open", 0777, 0));
	TRY("eacces.setup", mkdirat(d, "sticky", 0777));
	TRY("eacces.setup", fchmodat(d, "sticky", 01777, 0));
	TRY("eacces.setup", put_file(d, "sticky/rootfile", "r", 1, 0666));
	TRY("eacces.pipe", pipe(p));
	fflush(stdout);
	pid = fork();
	TRY("eacces.fork", pid);
	if (pid == 0) {
		close(p[0]);
		n_ok = n_fail = n_skip = 0;
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			failf("eacces.setuid", "%s", strerror(errno));
		else
			eacces_checks(d);
		counts[0] = n_ok, counts[1] = n_fail, counts[2] = n_skip;
		fflush(stdout);
		_exit(write(p[1], counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], counts, sizeof(counts)) == sizeof(counts)) {
		n_ok += counts[0], n_fail += counts[1], n_skip += counts[2];
	} else {
		failf("eacces.child", "no result from the child");
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failf("eacces.child", "child status %#x", status);
	close(d);
}

/* ---- EXDEV -------------------------------------------------------------- */

void t_exdev(int wd)
{
	struct stat a, b;
	char other[64];
	int d, x;

	if (!opt.xdev) {
		skipped("exdev", "no --xdev DIR");
		return;
	}
	x = open(opt.xdev, O_RDONLY | O_DIRECTORY);
	TRY("exdev.open", x);
	d = group_dir(wd, "exdev");
	if (d < 0)
		goto out;
	if (fstat(d, &a) == 0 && fstat(x, &b) == 0 && a.st_dev == b.st_dev) {
		failf("exdev", "%s is on the same filesystem", opt.xdev);
		goto out;
	}
	snprintf(other, sizeof(other), "fsconform-xdev.%d", (int)getpid());
	TRY("exdev.setup", put_file(d, "f", "x", 1, 0644));
	if (!expect_err("exdev.rename", renameat(d, "f", x, other), EXDEV))
		unlinkat(x, other, 0);
	if (!expect_err("exdev.link", linkat(d, "f", x, other, 0), EXDEV))
		unlinkat(x, other, 0);
	CHECK("exdev.source_kept", exists(d, "f"), "source vanished");
	close(d);
out:
	close(x);
}
