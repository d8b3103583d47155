// SPDX-License-Identifier: GPL-2.0
/*
 * fsconform: attributes: chmod, chown, truncate, timestamps, statfs,
 * xattrs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fsconform.h"

/* ---- setattr ------------------------------------------------------------ */

static bool ts_near_now(struct timespec t, struct timespec lo,
			struct timespec hi)
{
	/* The kernel stamps with a coarse clock: allow a second either way. */
	return t.tv_sec >= lo.tv_sec - 1 && t.tv_sec <= hi.tv_sec + 1;
}

/* t as stored by a fs whose granularity may be coarser than 1 ns. */
static bool ts_match(struct timespec got, struct timespec want)
{
	return got.tv_sec == want.tv_sec && got.tv_nsec <= want.tv_nsec;
}

void t_setattr(int wd)
{
	static unsigned char buf[3 * PAGE];
	struct stat st, st0;
	struct timespec before, after, ts[2];
	size_t at = 0;
	int d = group_dir(wd, "setattr"), fd;

	if (d < 0)
		return;
	TRY("setattr.setup", put_file(d, "f", "x", 1, 0644));
	if (expect_ok("chmod", fchmodat(d, "f", 0751, 0)))
		CHECK("chmod.mode", fstatat(d, "f", &st, 0) == 0 &&
		      (st.st_mode & 07777) == 0751, "mode %o", st.st_mode);
	fd = openat(d, "f", O_RDWR);
	TRY("setattr.open", fd);
	if (expect_ok("fchmod", fchmod(fd, 0600)))
		CHECK("fchmod.mode", fstat(fd, &st) == 0 &&
		      (st.st_mode & 07777) == 0600, "mode %o", st.st_mode);

	if (geteuid() == 0) {
		if (expect_ok("chown", fchownat(d, "f", 1234, 5678, 0)))
			CHECK("chown.ids", fstat(fd, &st) == 0 && st.st_uid == 1234 &&
			      st.st_gid == 5678, "uid %u gid %u", st.st_uid, st.st_gid);
		if (expect_ok("chown.keep", fchown(fd, (uid_t)-1, (gid_t)-1)))
			CHECK("chown.keep_ids", fstat(fd, &st) == 0 &&
			      st.st_uid == 1234 && st.st_gid == 5678,
			      "uid %u gid %u", st.st_uid, st.st_gid);
		/* chown of an executable drops set-user-ID. */
		TRY("chown.suid_setup", fchmod(fd, 04755));
		if (expect_ok("chown.suid", fchown(fd, 4321, (gid_t)-1)))
			CHECK("chown.kills_suid", fstat(fd, &st) == 0 &&
			      !(st.st_mode & S_ISUID), "mode %o", st.st_mode);
		TRY("chown.restore", fchown(fd, 0, 0));
		TRY("chown.restore", fchmod(fd, 0644));
	} else {
		skipped("chown", "not root");
	}

	/* Truncate: shrink keeps the head, extend reads zeros, including the
	 * tail of a partial page that held data before the shrink. */
	memset(buf, 0xaa, sizeof(buf));
	TRY("truncate.setup", pwrite_all(fd, buf, sizeof(buf), 0));
	if (expect_ok("truncate.shrink", ftruncate(fd, 100))) {
		CHECK("truncate.shrink_size", fstat(fd, &st) == 0 &&
		      st.st_size == 100, "size %lld", (long long)st.st_size);
		CHECK("truncate.shrink_read", pread(fd, buf, PAGE, 0) == 100 &&
		      buf[0] == 0xaa && buf[99] == 0xaa, "head lost");
	}
	/* The path-based call, so both setattr entry points are covered. */
	if (expect_ok("truncate.extend",
		      truncate(path_in("setattr/f"), sizeof(buf)))) {
		memset(buf, 0xff, sizeof(buf));
		CHECK("truncate.extend_size", fstat(fd, &st) == 0 &&
		      st.st_size == sizeof(buf), "size %lld", (long long)st.st_size);
		CHECK("truncate.extend_zeros",
		      pread_all(fd, buf, sizeof(buf), 0) == sizeof(buf) &&
		      buf[99] == 0xaa && all_zero(buf + 100, sizeof(buf) - 100, &at),
		      "byte %zu of the extension is not zero", at + 100);
	}

	/* Timestamps. */
	ts[0] = (struct timespec){ 1000000000, 123456789 };
	ts[1] = (struct timespec){ 1200000000, 987654321 };
	if (expect_ok("utimensat", utimensat(d, "f", ts, 0)))
		CHECK("utimensat.values", fstat(fd, &st) == 0 &&
		      ts_match(st.st_atim, ts[0]) && ts_match(st.st_mtim, ts[1]),
		      "atime %lld.%09ld mtime %lld.%09ld",
		      (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
		      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	clock_gettime(CLOCK_REALTIME, &before);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	if (expect_ok("utimensat.now_omit", utimensat(d, "f", ts, 0))) {
		clock_gettime(CLOCK_REALTIME, &after);
		CHECK("utimensat.omit", fstat(fd, &st) == 0 &&
		      st.st_atim.tv_sec == 1000000000,
		      "UTIME_OMIT changed atime to %lld",
		      (long long)st.st_atim.tv_sec);
		CHECK("utimensat.now", ts_near_now(st.st_mtim, before, after),
		      "UTIME_NOW gave mtime %lld, now %lld",
		      (long long)st.st_mtim.tv_sec, (long long)after.tv_sec);
	}
	CHECK("futimens.null", futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 &&
	      ts_near_now(st.st_atim, before, after) &&
	      ts_near_now(st.st_mtim, before, after), "times(NULL) not now");

	/* Data changes stamp mtime and ctime; chmod stamps ctime. */
	ts[0] = ts[1] = (struct timespec){ 1000000000, 0 };
	TRY("times.setup", futimens(fd, ts));
	TRY("times.setup", fstat(fd, &st0));
	TRY("times.write", pwrite(fd, "w", 1, 5));
	clock_gettime(CLOCK_REALTIME, &after);
	CHECK("times.write_mtime", fstat(fd, &st) == 0 &&
	      ts_near_now(st.st_mtim, before, after) &&
	      ts_near_now(st.st_ctim, before, after),
	      "mtime %lld ctime %lld after a write, now %lld",
	      (long long)st.st_mtim.tv_sec, (long long)st.st_ctim.tv_sec,
	      (long long)after.tv_sec);
	TRY("times.setup", futimens(fd, ts));
	TRY("times.truncate", ftruncate(fd, 10));
	CHECK("times.truncate_mtime", fstat(fd, &st) == 0 &&
	      ts_near_now(st.st_mtim, before, after),
	      "mtime %lld after truncate", (long long)st.st_mtim.tv_sec);
	close(fd);
	close(d);
}

/* ---- statfs ------------------------------------------------------------- */

void t_statfs(int wd)
{
	struct statvfs v;
	struct statfs s;

	if (!expect_ok("statvfs", fstatvfs(wd, &v)))
		return;
	CHECK("statvfs.sane", v.f_bsize > 0 && v.f_frsize > 0 &&
	      v.f_blocks > 0 && v.f_bfree <= v.f_blocks &&
	      v.f_bavail <= v.f_bfree && v.f_ffree <= v.f_files &&
	      v.f_favail <= v.f_ffree,
	      "bsize %lu frsize %lu blocks %llu bfree %llu bavail %llu "
	      "files %llu ffree %llu favail %llu", v.f_bsize, v.f_frsize,
	      (unsigned long long)v.f_blocks, (unsigned long long)v.f_bfree,
	      (unsigned long long)v.f_bavail, (unsigned long long)v.f_files,
	      (unsigned long long)v.f_ffree, (unsigned long long)v.f_favail);
	CHECK("statvfs.namemax", v.f_namemax >= 255, "f_namemax %lu",
	      v.f_namemax);
	if (expect_ok("statfs", fstatfs(wd, &s)))
		CHECK("statfs.matches", (unsigned long)s.f_bsize == v.f_bsize &&
		      (unsigned long long)s.f_blocks == v.f_blocks,
		      "statfs and statvfs disagree");
}

/* ---- xattr -------------------------------------------------------------- */

/* Does the NUL-separated list hold name? */
static bool in_list(const char *list, ssize_t len, const char *name)
{
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return true;
	return false;
}

void t_xattr(int wd)
{
	char val[1100], list[4096];
	ssize_t n;
	int d = group_dir(wd, "xattr"), fd, rc;
	const char *f;

	if (d < 0)
		return;
	TRY("xattr.setup", put_file(d, "f", "x", 1, 0644));
	f = path_in("xattr/f");
	rc = setxattr(f, "user.test", "value", 5, 0);
	if (rc < 0 && errno == EOPNOTSUPP && opt.no_xattr) {
		skipped("xattr", "EOPNOTSUPP accepted (--no-xattr)");
		close(d);
		return;
	}
	if (!expect_ok("xattr.set", rc))
		goto out;
	n = getxattr(f, "user.test", val, sizeof(val));
	CHECK("xattr.get", n == 5 && !memcmp(val, "value", 5), "got %zd", n);
	n = getxattr(f, "user.test", NULL, 0);
	CHECK("xattr.get_size", n == 5, "size probe gave %zd", n);
	expect_err("xattr.get_erange", getxattr(f, "user.test", val, 2), ERANGE);
	expect_err("xattr.get_missing", getxattr(f, "user.nope", val, 10),
		   ENODATA);
	TRY("xattr.setup", setxattr(f, "user.second", "", 0, 0));
	n = getxattr(f, "user.second", val, sizeof(val));
	CHECK("xattr.empty_value", n == 0, "got %zd", n);
	n = listxattr(f, list, sizeof(list));
	CHECK("xattr.list", n > 0 && in_list(list, n, "user.test") &&
	      in_list(list, n, "user.second"), "list of %zd bytes", n);
	n = listxattr(f, NULL, 0);
	CHECK("xattr.list_size", n > 0 && n == listxattr(f, list, sizeof(list)),
	      "size probe %zd", n);
	expect_err("xattr.list_erange", listxattr(f, list, 1), ERANGE);

	expect_err("xattr.create_exists",
		   setxattr(f, "user.test", "v2", 2, XATTR_CREATE), EEXIST);
	expect_err("xattr.replace_missing",
		   setxattr(f, "user.new", "v2", 2, XATTR_REPLACE), ENODATA);
	if (expect_ok("xattr.replace",
		      setxattr(f, "user.test", "longer value", 12, XATTR_REPLACE))) {
		n = getxattr(f, "user.test", val, sizeof(val));
		CHECK("xattr.replaced", n == 12 && !memcmp(val, "longer value", 12),
		      "got %zd", n);
	}
	if (expect_ok("xattr.create", setxattr(f, "user.new", "N", 1,
					       XATTR_CREATE)))
		CHECK("xattr.created", getxattr(f, "user.new", val, 10) == 1,
		      "not readable");

	/* A 1 KiB value through the fd calls. */
	fill((unsigned char *)val, 1024, 3);
	fd = openat(d, "f", O_RDONLY);
	TRY("xattr.open", fd);
	if (expect_ok("xattr.fset_large", fsetxattr(fd, "user.large", val,
						    1024, 0))) {
		char got[1100];

		n = fgetxattr(fd, "user.large", got, sizeof(got));
		CHECK("xattr.fget_large", n == 1024 && !memcmp(got, val, 1024),
		      "got %zd", n);
	}
	if (expect_ok("xattr.remove", fremovexattr(fd, "user.test"))) {
		expect_err("xattr.removed", fgetxattr(fd, "user.test", val, 10),
			   ENODATA);
		n = flistxattr(fd, list, sizeof(list));
		CHECK("xattr.removed_list", n >= 0 && !in_list(list, n, "user.test"),
		      "still listed");
	}
	expect_err("xattr.remove_missing", fremovexattr(fd, "user.test"), ENODATA);
	close(fd);

	/* On a directory, and not following symlinks with the l* calls. */
	CHECK("xattr.dir", setxattr(path_in("xattr"), "user.d", "D", 1, 0) == 0 &&
	      getxattr(path_in("xattr"), "user.d", val, 10) == 1,
	      "%s", strerror(errno));
	TRY("xattr.setup", symlinkat("f", d, "l"));
	CHECK("xattr.follow", getxattr(path_in("xattr/l"), "user.new", val, 10) == 1,
	      "getxattr through a symlink: %s", strerror(errno));
	expect_err("xattr.nofollow",
		   lgetxattr(path_in("xattr/l"), "user.new", val, 10), ENODATA);
out:
	close(d);
}
