// SPDX-License-Identifier: GPL-2.0
/*
 * fsconform: data paths: fsync, fallocate, SEEK_DATA/SEEK_HOLE, shared
 * mmap, O_DIRECT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsconform.h"

/* ---- fsync, fdatasync --------------------------------------------------- */

void t_sync(int wd)
{
	static unsigned char buf[256 << 10];
	int d = group_dir(wd, "sync"), fd;

	if (d < 0)
		return;
	fill(buf, sizeof(buf), 11);
	fd = openat(d, "f", O_RDWR | O_CREAT, 0644);
	TRY("fsync.open", fd);
	TRY("fsync.write", pwrite_all(fd, buf, sizeof(buf), 0));
	expect_ok("fsync", fsync(fd));
	TRY("fsync.write", pwrite_all(fd, buf, 1000, 100000));
	expect_ok("fdatasync", fdatasync(fd));
	memcpy(buf + 100000, buf, 1000);
	check_content("fsync.content", d, "f", buf, sizeof(buf));
	expect_ok("fsync.readonly_fd", fsync(d));
	expect_ok("sync_file_range", sync_file_range(fd, 0, 0,
			SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			SYNC_FILE_RANGE_WAIT_AFTER));
	expect_ok("syncfs", syncfs(fd));
	close(fd);
	close(d);
}

/* ---- fallocate ---------------------------------------------------------- */

/* false when fallocate is unsupported and --no-fallocate allows that. */
static bool falloc_ok(const char *name, int rc)
{
	if (rc < 0 && errno == EOPNOTSUPP && opt.no_fallocate) {
		skipped(name, "EOPNOTSUPP accepted (--no-fallocate)");
		return false;
	}
	return expect_ok(name, rc);
}

void t_fallocate(int wd)
{
	static unsigned char buf[64 << 10], want[64 << 10];
	struct stat st;
	size_t at = 0;
	int d = group_dir(wd, "fallocate"), fd;

	if (d < 0)
		return;
	fd = openat(d, "f", O_RDWR | O_CREAT, 0644);
	TRY("fallocate.open", fd);
	if (falloc_ok("fallocate.mode0", fallocate(fd, 0, 0, 1 << 20))) {
		CHECK("fallocate.size", fstat(fd, &st) == 0 &&
		      st.st_size == 1 << 20, "size %lld", (long long)st.st_size);
		memset(buf, 0xff, sizeof(buf));
		CHECK("fallocate.zeros", pread_all(fd, buf, sizeof(buf), 512 << 10) ==
		      sizeof(buf) && all_zero(buf, sizeof(buf), &at),
		      "allocated range not zero at %zu", at);
		/* Inside the file, mode 0 must not touch data or size. */
		TRY("fallocate.write", pwrite(fd, "data", 4, 4096));
		if (falloc_ok("fallocate.inside", fallocate(fd, 0, 0, 8192)))
			CHECK("fallocate.inside_kept", pread(fd, buf, 4, 4096) == 4 &&
			      !memcmp(buf, "data", 4) && fstat(fd, &st) == 0 &&
			      st.st_size == 1 << 20, "data or size changed");
		if (falloc_ok("fallocate.keep_size",
			      fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20)))
			CHECK("fallocate.keep_size_size", fstat(fd, &st) == 0 &&
			      st.st_size == 1 << 20, "size %lld",
			      (long long)st.st_size);
	}

	/* Punch: aligned and unaligned ranges read back as zeros, the rest
	 * and the size stay. */
	fill(want, sizeof(want), 5);
	TRY("punch.setup", ftruncate(fd, 0));
	TRY("punch.setup", pwrite_all(fd, want, sizeof(want), 0));
	if (falloc_ok("punch.aligned", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, 4096, 8192))) {
		memset(want + 4096, 0, 8192);
		CHECK("punch.aligned_content", first_diff_fd(fd, want, sizeof(want)) < 0,
		      "differs at %ld", first_diff_fd(fd, want, sizeof(want)));
	}
	if (falloc_ok("punch.unaligned", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, 20000 + 1, 9000))) {
		memset(want + 20001, 0, 9000);
		CHECK("punch.unaligned_content", first_diff_fd(fd, want, sizeof(want)) < 0,
		      "differs at %ld", first_diff_fd(fd, want, sizeof(want)));
	}
	if (falloc_ok("punch.past_eof", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, 60000, 100000)))
		CHECK("punch.past_eof_content", fstat(fd, &st) == 0 &&
		      st.st_size == sizeof(want) &&
		      (memset(want + 60000, 0, sizeof(want) - 60000),
		       first_diff_fd(fd, want, sizeof(want)) < 0),
		      "size %lld or data wrong", (long long)st.st_size);
	expect_err("punch.without_keep_size",
		   fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	close(fd);
	close(d);
}

/* ---- SEEK_DATA / SEEK_HOLE ---------------------------------------------- */

void t_seek(int wd)
{
	const off_t data2 = 1 << 20, size = (1 << 20) + 4096;
	unsigned char page[PAGE];
	off_t r;
	int d = group_dir(wd, "seek"), fd;

	if (d < 0)
		return;
	/* data [0, 4096), hole (or zeros) up to 1 MiB, data [1 MiB, +4096) */
	fill(page, sizeof(page), 9);
	fd = openat(d, "f", O_RDWR | O_CREAT, 0644);
	TRY("seek.setup", fd);
	TRY("seek.setup", pwrite_all(fd, page, PAGE, 0));
	TRY("seek.setup", pwrite_all(fd, page, PAGE, data2));
	r = lseek(fd, 0, SEEK_DATA);
	CHECK("seek.data_at_0", r == 0, "SEEK_DATA(0) = %lld (%s)",
	      (long long)r, r < 0 ? strerror(errno) : "");
	r = lseek(fd, 0, SEEK_HOLE);
	CHECK("seek.hole_after_data", r >= PAGE && r <= size,
	      "SEEK_HOLE(0) = %lld", (long long)r);
	/* In the hole: the next data is no later than 1 MiB (the trivial
	 * answer is the offset itself). */
	r = lseek(fd, 8192, SEEK_DATA);
	CHECK("seek.data_in_hole", r >= 8192 && r <= data2,
	      "SEEK_DATA(8192) = %lld", (long long)r);
	r = lseek(fd, data2 + 100, SEEK_DATA);
	CHECK("seek.data_in_data", r == data2 + 100, "SEEK_DATA in data = %lld",
	      (long long)r);
	r = lseek(fd, data2 + 100, SEEK_HOLE);
	CHECK("seek.hole_at_eof", r == size, "SEEK_HOLE in the last data = %lld",
	      (long long)r);
	expect_err("seek.data_at_eof", lseek(fd, size, SEEK_DATA), ENXIO);
	expect_err("seek.hole_past_eof", lseek(fd, size + 1, SEEK_HOLE), ENXIO);
	close(fd);
	close(d);
}

/* ---- shared writable mmap ----------------------------------------------- */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_sig;

static void on_fault(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_env, 1);
}

/* Read (or write *val to) *p; returns 0 or the signal the access raised. */
static int probe(volatile unsigned char *p, bool write, unsigned char *val)
{
	struct sigaction sa = { .sa_handler = on_fault }, obus, osegv;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	probe_sig = 0;
	if (!sigsetjmp(probe_env, 1)) {
		if (write)
			*p = *val;
		else
			*val = *p;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return probe_sig;
}

void t_mmap(int wd)
{
	enum { SIZE = 3 * PAGE + 100, MAPLEN = 4 * PAGE };
	static unsigned char want[MAPLEN], nw[MAPLEN];
	unsigned char *m, v;
	size_t at = 0;
	int d = group_dir(wd, "mmap"), fd;

	if (d < 0)
		return;
	fill(want, SIZE, 31);
	TRY("mmap.setup", put_file(d, "f", want, SIZE, 0644));
	fd = openat(d, "f", O_RDWR);
	TRY("mmap.open", fd);
	m = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		failf("mmap.shared", "%s", strerror(errno));
		goto out;
	}
	ok("mmap.shared");
	CHECK("mmap.read", !memcmp(m, want, SIZE), "mapping differs from file");
	CHECK("mmap.tail_zero", all_zero(m + SIZE, PAGE - 100, &at),
	      "byte %zu past EOF in the last page is not zero", SIZE + at);
	fill(nw, MAPLEN, 32);
	memcpy(m + 100, nw, 3 * PAGE - 50);
	memcpy(want + 100, nw, 3 * PAGE - 50);
	/* One page cache: read(2) sees the store before any msync. */
	CHECK("mmap.coherent_read", first_diff_fd(fd, want, SIZE) < 0,
	      "read(2) differs at %ld", first_diff_fd(fd, want, SIZE));
	expect_ok("mmap.msync", msync(m, MAPLEN, MS_SYNC));
	TRY("mmap.pwrite", pwrite(fd, "PWRITE", 6, 2 * PAGE + 7));
	memcpy(want + 2 * PAGE + 7, "PWRITE", 6);
	CHECK("mmap.sees_pwrite", !memcmp(m + 2 * PAGE + 7, "PWRITE", 6),
	      "mapping does not show a later pwrite");
	memcpy(m + 5, "AFTER", 5);	/* dirty again; munmap must not lose it */
	memcpy(want + 5, "AFTER", 5);
	expect_ok("mmap.munmap", munmap(m, MAPLEN));
	close(fd);
	/* Reopen and read back after dropping this file's cached pages. */
	fd = openat(d, "f", O_RDWR);
	TRY("mmap.reopen", fd);
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	CHECK("mmap.after_munmap", first_diff_fd(fd, want, SIZE) < 0,
	      "file differs at %ld after munmap", first_diff_fd(fd, want, SIZE));
	CHECK("mmap.size_kept", size_of(d, "f") == SIZE, "size %lld",
	      (long long)size_of(d, "f"));

	/* MAP_PRIVATE stores stay private. */
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED) {
		m[0] ^= 0xff;
		CHECK("mmap.private", first_diff_fd(fd, want, SIZE) < 0,
		      "a MAP_PRIVATE store reached the file");
		munmap(m, PAGE);
	}

	/* Truncate under a mapping: pages past EOF raise SIGBUS, the partial
	 * last page reads zeros past EOF, extending brings zeros back. */
	fill(want, MAPLEN, 33);
	TRY("mmap.trunc_setup", pwrite_all(fd, want, MAPLEN, 0));
	m = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		failf("mmap.trunc", "%s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < MAPLEN; i += PAGE)
		v = ((volatile unsigned char *)m)[i];
	if (!expect_ok("mmap.trunc", ftruncate(fd, PAGE + 10)))
		goto unmap;
	CHECK("mmap.trunc_head", probe(m + PAGE + 5, false, &v) == 0 &&
	      v == want[PAGE + 5], "data before the new EOF");
	CHECK("mmap.trunc_tail_zero", probe(m + PAGE + 100, false, &v) == 0 &&
	      v == 0, "past EOF in the last page: signal %d value %u",
	      probe_sig, v);
	CHECK("mmap.trunc_sigbus_read", probe(m + 2 * PAGE, false, &v) == SIGBUS,
	      "reading a page past EOF gave signal %d", probe_sig);
	v = 1;
	CHECK("mmap.trunc_sigbus_write", probe(m + 3 * PAGE, true, &v) == SIGBUS,
	      "writing a page past EOF gave signal %d", probe_sig);
	if (expect_ok("mmap.extend", ftruncate(fd, MAPLEN))) {
		CHECK("mmap.extend_zero", probe(m + 2 * PAGE, false, &v) == 0 &&
		      v == 0 && probe(m + PAGE + 100, false, &v) == 0 && v == 0,
		      "extended region: signal %d value %u", probe_sig, v);
		CHECK("mmap.extend_write", probe(m + 3 * PAGE, true, &v) == 0 &&
		      msync(m, MAPLEN, MS_SYNC) == 0 &&
		      pread(fd, &v, 1, 3 * PAGE) == 1 && v == 0,
		      "store into the extended region: signal %d", probe_sig);
	}
unmap:
	munmap(m, MAPLEN);
out:
	close(fd);
	close(d);
}

/* ---- O_DIRECT ----------------------------------------------------------- */

/*
 * A misaligned direct write either works (the model follows it) or fails
 * with EINVAL; either way the file must then match the model.
 */
static void dio_misaligned_write(const char *name, int dfd, int bfd,
				 unsigned char *want, size_t *len,
				 unsigned char *src, size_t n, off_t off)
{
	char cname[80];
	ssize_t r;

	fill(src, n, (unsigned int)off + 40);
	r = pwrite(dfd, src, n, off);
	if (r < 0 && errno == EINVAL) {
		ok(name);
	} else if (r < 0) {
		failf(name, "%s, expected success or EINVAL", strerror(errno));
	} else {
		memcpy(want + off, src, (size_t)r);
		if ((size_t)off + (size_t)r > *len)
			*len = (size_t)off + (size_t)r;
		CHECK(name, (size_t)r == n, "short write %zd of %zu", r, n);
	}
	snprintf(cname, sizeof(cname), "%s_content", name);
	CHECK(cname, first_diff_fd(bfd, want, *len) < 0, "file differs at %ld",
	      first_diff_fd(bfd, want, *len));
}

static void dio_misaligned_read(const char *name, int dfd,
				const unsigned char *want, size_t len,
				unsigned char *dst, size_t n, off_t off)
{
	ssize_t r = pread(dfd, dst, n, off);
	size_t expect = (size_t)off >= len ? 0 :
		n < len - (size_t)off ? n : len - (size_t)off;

	if (r < 0 && errno == EINVAL)
		ok(name);
	else
		CHECK(name, r == (ssize_t)expect && !memcmp(dst, want + off, expect),
		      "returned %zd (%s), expected %zu bytes", r,
		      r < 0 ? strerror(errno) : "data checked", expect);
}

void t_odirect(int wd)
{
	enum { SZ = 64 << 10, CAP = 128 << 10 };
	static unsigned char want[CAP];
	unsigned char *buf = aligned_alloc(PAGE, CAP);
	size_t len = SZ;
	int d = group_dir(wd, "odirect"), dfd, bfd = -1, hfd, hdfd;

	if (d < 0 || !buf)
		goto out;
	dfd = openat(d, "f", O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (dfd < 0 && errno == EINVAL && opt.no_odirect) {
		skipped("odirect", "EINVAL accepted (--no-odirect)");
		goto out;
	}
	if (!expect_ok("odirect.open", dfd))
		goto out;
	bfd = openat(d, "f", O_RDWR);
	if (bfd < 0)
		goto out_d;

	fill(buf, SZ, 41);
	memcpy(want, buf, SZ);
	CHECK("odirect.write", pwrite(dfd, buf, SZ, 0) == SZ, "%s", strerror(errno));
	memset(buf, 0, SZ);
	CHECK("odirect.read", pread(dfd, buf, SZ, 0) == SZ &&
	      !memcmp(buf, want, SZ), "direct read differs");
	CHECK("odirect.buffered_read", first_diff_fd(bfd, want, len) < 0,
	      "buffered read differs at %ld", first_diff_fd(bfd, want, len));

	/* Dirty page cache is written before a direct read of the range. */
	fill(want + 16384, 8192, 42);
	if ((long)(pwrite_all(bfd, want + 16384, 8192, 16384)) < 0)
		goto setup_failed;
	CHECK("odirect.read_after_buffered_write", pread(dfd, buf, SZ, 0) == SZ &&
	      !memcmp(buf, want, SZ), "direct read misses a buffered write");
	/* A direct write invalidates cached pages the buffered fd holds. */
	fill(buf, 8192, 43);
	memcpy(want + 32768, buf, 8192);
	if ((long)(pwrite(dfd, buf, 8192, 32768)) < 0)
		goto setup_failed;
	CHECK("odirect.buffered_after_direct_write",
	      first_diff_fd(bfd, want, len) < 0, "stale page cache at %ld",
	      first_diff_fd(bfd, want, len));

	/* Extending, and reads across and past an unaligned EOF. */
	fill(buf, PAGE, 44);
	memcpy(want + SZ, buf, PAGE);
	len += PAGE;
	CHECK("odirect.extend", pwrite(dfd, buf, PAGE, SZ) == PAGE &&
	      size_of(d, "f") == (off_t)len, "size %lld",
	      (long long)size_of(d, "f"));
	if ((long)(pwrite(bfd, "tail", 4, (off_t)len)) < 0)
		goto setup_failed;
	memcpy(want + len, "tail", 4);
	len += 4;
	CHECK("odirect.read_across_eof", pread(dfd, buf, 2 * PAGE, SZ) == PAGE + 4 &&
	      !memcmp(buf, want + SZ, PAGE + 4), "short read at EOF wrong");
	CHECK("odirect.read_past_eof", pread(dfd, buf, PAGE, SZ + 2 * PAGE) == 0,
	      "read past EOF returned data");

	/* A buffered write past EOF may extend the file only in the cache; a
	 * direct read of the hole before it must still read zeros up to the
	 * new EOF, and a direct read across it must see the buffered byte. */
	hfd = openat(d, "hole", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (hfd < 0)
		goto setup_failed;
	if (pwrite(hfd, "x", 1, 256 << 10) < 0) {
		close(hfd);
		goto setup_failed;
	}
	hdfd = openat(d, "hole", O_RDONLY | O_DIRECT);
	if (hdfd >= 0) {
		size_t at = 0;
		ssize_t r;

		memset(buf, 0xff, 2 * PAGE);
		r = pread(hdfd, buf, 2 * PAGE, 64 << 10);
		if (r != 2 * PAGE)
			failf("odirect.read_hole_before_cached_eof",
			      "read returned %zd (%s), expected %d zero bytes", r,
			      r < 0 ? strerror(errno) : "short", 2 * PAGE);
		else
			CHECK("odirect.read_hole_before_cached_eof",
			      all_zero(buf, 2 * PAGE, &at), "byte %zu not zero", at);
		r = pread(hdfd, buf, 2 * PAGE, (256 << 10) - PAGE);
		CHECK("odirect.read_across_cached_eof", r == PAGE + 1 &&
		      all_zero(buf, PAGE, &at) && buf[PAGE] == 'x',
		      "read returned %zd (%s), expected %d bytes ending in 'x'",
		      r, r < 0 ? strerror(errno) : "data checked", PAGE + 1);
		close(hdfd);
	}
	close(hfd);

	/* Misaligned buffer, offset, length: work or EINVAL, never corrupt. */
	dio_misaligned_write("odirect.misaligned_buffer", dfd, bfd, want, &len,
			     buf + 1, PAGE, PAGE);
	dio_misaligned_write("odirect.misaligned_offset", dfd, bfd, want, &len,
			     buf, PAGE, 2 * PAGE + 1);
	dio_misaligned_write("odirect.misaligned_length", dfd, bfd, want, &len,
			     buf, 1000, 4 * PAGE);
	dio_misaligned_write("odirect.misaligned_extend", dfd, bfd, want, &len,
			     buf, 3000, (off_t)len + 5);
	dio_misaligned_read("odirect.misaligned_read_buffer", dfd, want, len,
			    buf + 1, PAGE, 0);
	dio_misaligned_read("odirect.misaligned_read_offset", dfd, want, len,
			    buf, PAGE, 7);
	dio_misaligned_read("odirect.misaligned_read_length", dfd, want, len,
			    buf, 777, PAGE);
	CHECK("odirect.final", pread(dfd, buf, CAP, 0) == (ssize_t)len &&
	      !memcmp(buf, want, len), "final direct read of %zu bytes", len);
	goto done;
setup_failed:
	failf("odirect.setup", "%s", strerror(errno));
done:
	close(bfd);
out_d:
	close(dfd);
out:
	free(buf);
	if (d >= 0)
		close(d);
}
