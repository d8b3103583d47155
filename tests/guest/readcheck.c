// SPDX-License-Identifier: GPL-2.0
/*
 * readcheck: compare a file on the mount with its source, byte for byte,
 * through different read paths.
 *
 * usage: readcheck MODE SOURCE MOUNTED [SEED]
 *   odd     pread at pseudo-random odd offsets and sizes
 *   seq     read(2) front to back in 128 KiB chunks (readahead path)
 *   mmap    mmap the whole file and compare, touching pages in random order
 *   readers 4 processes reading different regions concurrently
 * Exit 0 when every byte matched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "readcheck: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static int compare(int src, int dst, off_t off, size_t len, char *a, char *b)
{
	ssize_t na = pread(src, a, len, off);
	ssize_t nb = pread(dst, b, len, off);

	if (na < 0 || nb < 0) {
		fprintf(stderr, "readcheck: pread at %lld+%zu: %s\n",
			(long long)off, len, strerror(errno));
		return -1;
	}
	if (na != nb || memcmp(a, b, na)) {
		fprintf(stderr, "readcheck: mismatch at %lld+%zu (%zd vs %zd bytes)\n",
			(long long)off, len, na, nb);
		return -1;
	}
	return 0;
}

static int check_odd(int src, int dst, off_t size, int rounds)
{
	char *a = malloc(1 << 20), *b = malloc(1 << 20);
	int i;

	for (i = 0; i < rounds; i++) {
		off_t off = size ? next_rand() % (size + 4096) : next_rand() % 64;
		size_t len = 1 + next_rand() % ((i & 7) ? 9000 : (1 << 20));

		if (compare(src, dst, off | 1, len | 1, a, b))
			return 1;
	}
	return 0;
}

static int check_range(int src, int dst, off_t from, off_t to)
{
	size_t chunk = 128 << 10;
	char *a = malloc(chunk), *b = malloc(chunk);
	off_t off;

	for (off = from; off < to; off += chunk)
		if (compare(src, dst, off, chunk, a, b))
			return 1;
	return 0;
}

static int check_mmap(int src, int dst, off_t size)
{
	char *a, *b;
	size_t pages = (size + 4095) / 4096, i;

	if (!size)
		return 0;
	a = mmap(NULL, size, PROT_READ, MAP_SHARED, src, 0);
	b = mmap(NULL, size, PROT_READ, MAP_SHARED, dst, 0);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		fprintf(stderr, "readcheck: mmap: %s\n", strerror(errno));
		return 1;
	}
	/* Random page order defeats fault-around doing all the work. */
	for (i = 0; i < pages; i++) {
		size_t p = next_rand() % pages;
		size_t len = (p == pages - 1) ? size - p * 4096 : 4096;

		if (memcmp(a + p * 4096, b + p * 4096, len)) {
			fprintf(stderr, "readcheck: mmap mismatch in page %zu\n", p);
			return 1;
		}
	}
	if (memcmp(a, b, size)) {
		fprintf(stderr, "readcheck: mmap mismatch\n");
		return 1;
	}
	return 0;
}

static int check_readers(int src, int dst, off_t size)
{
	int i, status, bad = 0;

	for (i = 0; i < 4; i++) {
		if (fork() == 0) {
			off_t part = size / 4;
			off_t to = i == 3 ? size : part * (i + 1);

			_exit(check_range(src, dst, part * i, to));
		}
	}
	for (i = 0; i < 4; i++) {
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct stat sa, sb;
	int src, dst, ret;

	if (argc < 4) {
		fprintf(stderr, "usage: readcheck odd|seq|mmap|readers SOURCE MOUNTED [SEED]\n");
		return 2;
	}
	rng = argc > 4 ? strtoull(argv[4], NULL, 0) : 0x9e3779b97f4a7c15ULL;
	if (!rng)
		rng = 1;
	src = open_or_die(argv[2]);
	dst = open_or_die(argv[3]);
	if (fstat(src, &sa) || fstat(dst, &sb) || sa.st_size != sb.st_size) {
		fprintf(stderr, "readcheck: sizes differ: %lld vs %lld\n",
			(long long)sa.st_size, (long long)sb.st_size);
		return 1;
	}
	if (!strcmp(argv[1], "odd"))
		ret = check_odd(src, dst, sa.st_size, 300);
	else if (!strcmp(argv[1], "seq"))
		ret = check_range(src, dst, 0, sa.st_size + 1);
	else if (!strcmp(argv[1], "mmap"))
		ret = check_mmap(src, dst, sa.st_size);
	else if (!strcmp(argv[1], "readers"))
		ret = check_readers(src, dst, sa.st_size);
	else
		return 2;
	return ret;
}
