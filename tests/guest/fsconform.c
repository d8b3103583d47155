// SPDX-License-Identifier: GPL-2.0
/*
 * fsconform: POSIX (and Linux VFS) conformance checks for a writable
 * filesystem, run in a scratch directory under DIR. Filesystem-agnostic:
 * every expectation is what a local filesystem (ext4, tmpfs) does.
 *
 * usage: fsconform [options] DIR
 *   --no-rename-flags  accept EINVAL for RENAME_NOREPLACE/RENAME_EXCHANGE
 *   --no-xattr         accept EOPNOTSUPP for user.* xattrs
 *   --no-fallocate     accept EOPNOTSUPP for fallocate
 *   --no-odirect       accept EINVAL when opening with O_DIRECT
 *   --no-search-check  do not expect EACCES for a name the kernel has
 *                      cached under a directory without search permission
 *                      (access left to the server: it is not asked)
 *   --xdev DIR2        check EXDEV for rename/link from DIR to DIR2 (another fs)
 *   --keep             leave the scratch directory behind
 *   --only GROUP       run one group of checks (see groups[] below)
 *
 * Prints `ok NAME` or `FAIL NAME: detail` per check, then a summary.
 * Exit status: 0 when nothing failed, 1 on any failure, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsconform.h"

struct fsconform_opts opt;
int n_ok, n_fail, n_skip;
static char work_path[4096];	/* the scratch directory */

/* ---- reporting ---------------------------------------------------------- */

void ok(const char *name)
{
	printf("ok %s\n", name);
	n_ok++;
}

void skipped(const char *name, const char *why)
{
	printf("ok %s # SKIP %s\n", name, why);
	n_skip++;
}

__attribute__((format(printf, 2, 3)))
bool failf(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	n_fail++;
	return false;
}

const char *ename(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "E?";
}


/* The call returned rc; it must have failed with errno err. */
bool expect_err(const char *name, long rc, int err)
{
	if (rc >= 0)
		return failf(name, "succeeded, expected %s", ename(err));
	if (errno != err)
		return failf(name, "got %s, expected %s", ename(errno), ename(err));
	ok(name);
	return true;
}

/* The call returned rc; it must have succeeded. */
bool expect_ok(const char *name, long rc)
{
	if (rc < 0)
		return failf(name, "%s", strerror(errno));
	ok(name);
	return true;
}
/* ---- helpers ------------------------------------------------------------ */

void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

ssize_t pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)done;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t pread_all(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Create (truncate) name under dfd with the given contents. */
int put_file(int dfd, const char *name, const void *buf, size_t len,
		    mode_t mode)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	if (pwrite_all(fd, buf, len, 0) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Compare the file's contents with want[0..len): returns -1 when equal,
 * else the first differing offset (a short file differs at its size).
 */
long first_diff_fd(int fd, const unsigned char *want, size_t len)
{
	unsigned char *got = malloc(len + 1);
	ssize_t n;
	long at = -1;

	if (!got)
		return 0;
	n = pread_all(fd, got, len + 1, 0);
	if (n < 0) {
		at = 0;
	} else {
		for (size_t i = 0; i < (size_t)n && i < len; i++)
			if (got[i] != want[i]) {
				at = (long)i;
				break;
			}
		if (at < 0 && (size_t)n != len)
			at = (long)((size_t)n < len ? (size_t)n : len);
	}
	free(got);
	return at;
}

long first_diff(int dfd, const char *name, const unsigned char *want,
		       size_t len)
{
	int fd = openat(dfd, name, O_RDONLY);
	long at;

	if (fd < 0)
		return 0;
	at = first_diff_fd(fd, want, len);
	close(fd);
	return at;
}

/* Check that name holds exactly want[0..len). */
bool check_content(const char *name, int dfd, const char *file,
			  const void *want, size_t len)
{
	long at = first_diff(dfd, file, want, len);

	return CHECK(name, at < 0, "%s differs at offset %ld", file, at);
}

bool all_zero(const unsigned char *p, size_t len, size_t *at)
{
	for (size_t i = 0; i < len; i++)
		if (p[i]) {
			*at = i;
			return false;
		}
	return true;
}

off_t size_of(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return st.st_size;
}

bool exists(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* rel under the scratch directory, as an absolute path (static buffer). */
const char *path_in(const char *rel)
{
	static char p[8192];

	snprintf(p, sizeof(p), "%s/%s", work_path, rel);
	return p;
}

/* A fresh subdirectory of the scratch dir for one group, opened. */
int group_dir(int wd, const char *name)
{
	if (mkdirat(wd, name, 0755) < 0) {
		failf(name, "mkdir of the group directory: %s", strerror(errno));
		return -1;
	}
	return openat(wd, name, O_RDONLY | O_DIRECTORY);
}
/* Does the directory list name? */
bool dir_has(int d, const char *name)
{
	int fd = openat(d, ".", O_RDONLY | O_DIRECTORY);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	bool found = false;

	if (!dir)
		return false;
	while (!found && (e = readdir(dir)))
		found = !strcmp(e->d_name, name);
	closedir(dir);
	return found;
}
/* ---- main --------------------------------------------------------------- */

static const struct check_group {
	const char *name;
	void (*run)(int wd);
} groups[] = {
	{ "create", t_create },		{ "readdir", t_readdir },
	{ "mknod", t_mknod },		{ "dirs", t_dirs },
	{ "unlink", t_unlink },		{ "rename", t_rename },
	{ "link", t_link },		{ "symlink", t_symlink },
	{ "setattr", t_setattr },	{ "statfs", t_statfs },
	{ "xattr", t_xattr },		{ "sync", t_sync },
	{ "fallocate", t_fallocate },	{ "seek", t_seek },
	{ "errors", t_errors },		{ "eacces", t_eacces },
	{ "exdev", t_exdev },		{ "mmap", t_mmap },
	{ "odirect", t_odirect },
};

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st; (void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void usage(void)
{
	fprintf(stderr, "usage: fsconform [--no-rename-flags] [--no-xattr] "
		"[--no-fallocate] [--no-odirect] [--no-search-check] [--xdev DIR2] [--keep] "
		"[--only GROUP] DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-rename-flags", no_argument, NULL, 'R' },
		{ "no-xattr", no_argument, NULL, 'X' },
		{ "no-fallocate", no_argument, NULL, 'F' },
		{ "no-odirect", no_argument, NULL, 'D' },
		{ "no-search-check", no_argument, NULL, 'S' },
		{ "xdev", required_argument, NULL, 'x' },
		{ "keep", no_argument, NULL, 'k' },
		{ "only", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	bool found = false;
	int c, wd;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'R': opt.no_rename_flags = true; break;
		case 'X': opt.no_xattr = true; break;
		case 'F': opt.no_fallocate = true; break;
		case 'D': opt.no_odirect = true; break;
		case 'S': opt.no_search_check = true; break;
		case 'x': opt.xdev = optarg; break;
		case 'k': opt.keep = true; break;
		case 'o': opt.only = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	snprintf(work_path, sizeof(work_path), "%s/fsconform.%d", argv[optind],
		 (int)getpid());
	if (mkdir(work_path, 0755) < 0 ||
	    (wd = open(work_path, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "fsconform: %s: %s\n", work_path, strerror(errno));
		return 1;
	}
	printf("fsconform: checking in %s\n", work_path);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (opt.only && strcmp(opt.only, groups[i].name))
			continue;
		found = true;
		groups[i].run(wd);
	}
	if (!found)
		failf("only", "no group named '%s'", opt.only);
	close(wd);
	if (!opt.keep && nftw(work_path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		failf("cleanup", "removing %s: %s", work_path, strerror(errno));
	printf("fsconform: %d ok, %d failed, %d skipped\n", n_ok, n_fail, n_skip);
	return n_fail ? 1 : 0;
}
