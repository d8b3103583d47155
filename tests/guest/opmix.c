// SPDX-License-Identifier: GPL-2.0
/*
 * opmix: random operations on one file, checked against an in-memory model
 * of its contents after every step (fsx-style). Filesystem-agnostic.
 *
 * usage: opmix [options] DIR
 *   -n OPS    operations to run (default 100000)
 *   -s SEED   random seed (default from the clock); printed at the start
 *   -S SIZE   largest file size, suffix k/m allowed (default 8m)
 *   -r N      every N ops close and reopen the file, dropping the page cache
 *             (/proc/sys/vm/drop_caches when writable, else fadvise) so
 *             data goes through the filesystem, not just the cache
 *   -c N      compare the whole file every N ops (default 2000); each op
 *             checks the range it touched, the size and a random sample
 *   -d        also do O_DIRECT reads and writes through a second fd
 *   -k        keep the file (DIR/opmix.PID) at the end
 *
 * Ops: read, write (unaligned, past EOF), truncate (shrink/extend), mmap
 * read and write (MAP_SHARED, inside the file), msync, fsync/fdatasync,
 * punch hole, fallocate (mode 0 and KEEP_SIZE), zero range; the fallocate
 * family turns itself off on EOPNOTSUPP. On a mismatch it prints the op
 * number, the op, the offset, the bytes and the last ops, and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define HISTORY 32

enum op {
	OP_READ, OP_WRITE, OP_TRUNC, OP_MREAD, OP_MWRITE, OP_MSYNC, OP_FSYNC,
	OP_PUNCH, OP_FALLOC, OP_ZERO, OP_DREAD, OP_DWRITE, OP_REOPEN, NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"read", "write", "truncate", "mmap-read", "mmap-write", "msync",
	"fsync", "punch", "fallocate", "zero-range", "dio-read", "dio-write",
	"reopen",
};

/* Relative frequency of each op; 0 turns it off. */
static unsigned int weight[NR_OPS] = {
	[OP_READ] = 15, [OP_WRITE] = 25, [OP_TRUNC] = 5, [OP_MREAD] = 10,
	[OP_MWRITE] = 15, [OP_MSYNC] = 4, [OP_FSYNC] = 3, [OP_PUNCH] = 6,
	[OP_FALLOC] = 3, [OP_ZERO] = 3,
};

struct step {
	unsigned long n;
	enum op op;
	uint64_t off, len, arg;
};

static struct {
	unsigned long ops, reopen_every, full_every;
	uint64_t seed;
	size_t max;
	bool direct, keep;
} cfg = { .ops = 100000, .full_every = 2000, .max = 8 << 20 };

static char path[4096];
static int fd = -1, dfd = -1;
static unsigned char *map, *model, *buf, *dbuf;
static size_t maplen, fsize;
static struct step hist[HISTORY], *cur;	/* cur: NULL outside an op */
static unsigned long last_n;		/* the last op started */
static unsigned long count[NR_OPS];

/* ---- random numbers ----------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and the seed alone reproduces a run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* Lengths: mostly small and unaligned, some pages, a few large. */
static size_t rand_len(void)
{
	uint64_t r = below(100), len;

	if (r < 45)
		len = 1 + below(PAGE);
	else if (r < 60)
		len = PAGE * (1 + below(4));
	else if (r < 90)
		len = 1 + below(64 << 10);
	else
		len = 1 + below(512 << 10);
	return len < cfg.max ? len : cfg.max;
}

/* An offset below limit: uniform, page-aligned, or near the current EOF. */
static size_t rand_off(size_t limit)
{
	size_t off;

	switch (below(4)) {
	case 0:
		off = below(limit) & ~(PAGE - 1);
		break;
	case 1:
		off = fsize + below(2 * PAGE);
		off = off > PAGE ? off - PAGE : 0;
		break;
	default:
		off = below(limit);
	}
	return off < limit ? off : (limit ? limit - 1 : 0);
}

static void rand_fill(unsigned char *p, size_t len)
{
	uint64_t v;

	for (; len >= 8; p += 8, len -= 8) {
		v = rnd();
		memcpy(p, &v, 8);
	}
	v = rnd();
	memcpy(p, &v, len);
}

/* ---- reporting ---------------------------------------------------------- */

/* What arg means, per op (nothing when unused). */
static const char *const arg_name[NR_OPS] = {
	[OP_TRUNC] = "size", [OP_MSYNC] = "ms_sync", [OP_FSYNC] = "datasync",
	[OP_FALLOC] = "keep_size", [OP_ZERO] = "keep_size",
	[OP_REOPEN] = "fsynced",
};

static void print_step(const struct step *s)
{
	fprintf(stderr, "  #%lu %s off=%" PRIu64 " len=%" PRIu64, s->n,
		op_name[s->op], s->off, s->len);
	if (arg_name[s->op])
		fprintf(stderr, " %s=%" PRIu64, arg_name[s->op], s->arg);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;

	if (cur)
		fprintf(stderr, "opmix: FAIL at op #%lu (%s, seed %" PRIu64 "): ",
			cur->n, op_name[cur->op], cfg.seed);
	else
		fprintf(stderr, "opmix: FAIL after op #%lu (seed %" PRIu64 "): ",
			last_n, cfg.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nopmix: file size %zu (model), last ops:\n", fsize);
	for (unsigned long i = last_n >= HISTORY ? last_n - HISTORY + 1 : 1;
	     i <= last_n; i++)
		print_step(&hist[i % HISTORY]);
	fprintf(stderr, "opmix: file kept at %s\n", path);
	exit(1);
}

static void dump(const char *what, const unsigned char *p, size_t n)
{
	fprintf(stderr, "  %-8s", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

/* got[0..len) should equal the model at off; die describing the mismatch. */
static void compare(const char *how, const unsigned char *got, size_t off,
		    size_t len)
{
	const unsigned char *want = model + off;
	size_t first, last, bad = 0;

	if (!memcmp(got, want, len))
		return;
	for (first = 0; got[first] == want[first]; first++)
		;
	for (last = len - 1; got[last] == want[last]; last--)
		;
	for (size_t i = first; i <= last; i++)
		bad += got[i] != want[i];
	fprintf(stderr, "opmix: %s mismatch at file offset %zu: %zu bad bytes "
		"in [%zu, %zu]\n", how, off + first, bad, off + first, off + last);
	dump("expected", want + first, len - first < 16 ? len - first : 16);
	dump("got", got + first, len - first < 16 ? len - first : 16);
	die("%s: data mismatch at offset %zu", how, off + first);
}

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	char msg[200];
	long off = (long)((unsigned char *)si->si_addr - map);
	int n;

	(void)ctx;
	n = snprintf(msg, sizeof(msg), "opmix: signal %d at mapping offset %ld "
		     "(model size %zu) in op #%lu (%s), seed %" PRIu64 "\n", sig,
		     off, fsize, cur ? cur->n : 0, cur ? op_name[cur->op] : "-",
		     cfg.seed);
	if (write(2, msg, (size_t)n) < 0)
		_exit(1);
	_exit(1);
}

/* ---- the file ----------------------------------------------------------- */

static void read_range(int rfd, unsigned char *dst, size_t off, size_t len,
		       const char *how)
{
	size_t done = 0, want = off >= fsize ? 0 :
		(len < fsize - off ? len : fsize - off);

	while (done < len) {
		ssize_t n = pread(rfd, dst + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: pread(%zu, %zu): %s", how, off + done, len - done,
			    strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (done != want)
		die("%s: read %zu bytes at %zu, expected %zu (EOF at %zu)", how,
		    done, off, want, fsize);
}

/* Read back [off, off+len) through read(2) and compare with the model. */
static void verify(size_t off, size_t len, const char *how)
{
	if (off >= fsize)
		return;
	if (len > fsize - off)
		len = fsize - off;
	read_range(fd, buf, off, len, how);
	compare(how, buf, off, len);
}

static void check_size(const char *how)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat: %s", strerror(errno));
	if ((size_t)st.st_size != fsize)
		die("%s: size %lld, expected %zu", how, (long long)st.st_size, fsize);
}

static void full_compare(const char *how)
{
	check_size(how);
	for (size_t off = 0; off < fsize; off += cfg.max)
		verify(off, cfg.max, how);
}

static void open_file(int flags)
{
	fd = open(path, O_RDWR | flags, 0644);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (cfg.direct) {
		dfd = open(path, O_RDWR | O_DIRECT);
		if (dfd < 0) {
			fprintf(stderr, "opmix: O_DIRECT: %s; dio ops off\n",
				strerror(errno));
			cfg.direct = false;
			weight[OP_DREAD] = weight[OP_DWRITE] = 0;
		}
	}
}

static void close_file(void)
{
	munmap(map, maplen);
	close(fd);
	if (dfd >= 0)
		close(dfd);
	dfd = -1;
}

/* Evict the file's pages, so the next reads come from the filesystem. */
static void drop_caches(void)
{
	int dc = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (dc >= 0) {
		if (write(dc, "3", 1) != 1)
			fprintf(stderr, "opmix: drop_caches: %s\n", strerror(errno));
		close(dc);
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* ---- ops ---------------------------------------------------------------- */

static void set_size(size_t n)
{
	if (n < fsize)
		memset(model + n, 0, fsize - n);
	fsize = n;
}

static void op_read(struct step *s)
{
	s->off = rand_off(fsize + 2 * PAGE);
	s->len = rand_len();
	read_range(fd, buf, s->off, s->len, "read");
	if (s->off < fsize)
		compare("read", buf, s->off,
			s->len < fsize - s->off ? s->len : fsize - s->off);
}

static void op_write(struct step *s)
{
	ssize_t n;

	s->off = rand_off(cfg.max);
	s->len = rand_len();
	if (s->off + s->len > cfg.max)
		s->len = cfg.max - s->off;
	rand_fill(model + s->off, s->len);
	n = pwrite(fd, model + s->off, s->len, (off_t)s->off);
	if (n != (ssize_t)s->len)
		die("pwrite(%" PRIu64 ", %" PRIu64 ") = %zd: %s", s->off, s->len,
		    n, n < 0 ? strerror(errno) : "short");
	if (s->off + s->len > fsize)
		fsize = s->off + s->len;
	verify(s->off, s->len, "write read-back");
}

static void op_trunc(struct step *s)
{
	s->arg = below(2) ? below(fsize + 1) : fsize + below(cfg.max - fsize + 1);
	if (ftruncate(fd, (off_t)s->arg) < 0)
		die("ftruncate(%" PRIu64 "): %s", s->arg, strerror(errno));
	set_size(s->arg);
	/* The last page holds the new EOF: check it, zeros after data. */
	s->off = fsize > PAGE ? (fsize - 1) & ~(PAGE - 1) : 0;
	verify(s->off, 2 * PAGE, "truncate read-back");
}

static void op_mread(struct step *s)
{
	size_t tail = fsize % PAGE;

	if (!fsize)
		return;
	s->off = below(fsize);
	s->len = rand_len();
	if (s->len > fsize - s->off)
		s->len = fsize - s->off;
	compare("mmap read", map + s->off, s->off, s->len);
	/* Past EOF in the last page a mapping reads zeros. */
	if (tail && below(4) == 0) {
		for (size_t i = fsize; i < fsize - tail + PAGE; i++)
			if (map[i])
				die("mmap read: byte %zu past EOF (%zu) is %#x", i,
				    fsize, map[i]);
	}
}

static void op_mwrite(struct step *s)
{
	if (!fsize)
		return;
	s->off = below(fsize);
	s->len = rand_len();
	if (s->len > fsize - s->off)
		s->len = fsize - s->off;
	rand_fill(model + s->off, s->len);
	memcpy(map + s->off, model + s->off, s->len);
	verify(s->off, s->len, "mmap write read-back");
}

static void op_msync(struct step *s)
{
	size_t pages = (fsize + PAGE - 1) / PAGE;

	s->off = below(pages + 1) * PAGE;
	s->len = (below(pages + 1) + 1) * PAGE;
	if (s->off + s->len > maplen)
		s->len = maplen - s->off;
	s->arg = below(2);
	if (s->len && msync(map + s->off, s->len, s->arg ? MS_SYNC : MS_ASYNC) < 0)
		die("msync: %s", strerror(errno));
}

static void op_fsync(struct step *s)
{
	s->arg = below(2);
	if ((s->arg ? fdatasync(fd) : fsync(fd)) < 0)
		die("%s: %s", s->arg ? "fdatasync" : "fsync", strerror(errno));
}

/* fallocate, turning the op off for good when the fs lacks the mode. */
static bool falloc(struct step *s, int mode)
{
	if (!fallocate(fd, mode, (off_t)s->off, (off_t)s->len))
		return true;
	if (errno == EOPNOTSUPP) {
		fprintf(stderr, "opmix: %s: EOPNOTSUPP, turned off\n",
			op_name[s->op]);
		weight[s->op] = 0;
		return false;
	}
	die("fallocate(mode %#x, %" PRIu64 ", %" PRIu64 "): %s", mode, s->off,
	    s->len, strerror(errno));
}

static void op_punch(struct step *s)
{
	s->off = rand_off(fsize + 1);
	s->len = rand_len();
	if (falloc(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) && s->off < fsize) {
		memset(model + s->off, 0,
		       s->len < fsize - s->off ? s->len : fsize - s->off);
		verify(s->off, s->len, "punch read-back");
	}
}

static void op_zero(struct step *s)
{
	s->off = rand_off(cfg.max);
	s->len = rand_len();
	if (s->off + s->len > cfg.max)
		s->len = cfg.max - s->off;
	s->arg = below(2);	/* KEEP_SIZE or not */
	if (!falloc(s, FALLOC_FL_ZERO_RANGE | (s->arg ? FALLOC_FL_KEEP_SIZE : 0)))
		return;
	if (s->off < fsize)
		memset(model + s->off, 0,
		       s->len < fsize - s->off ? s->len : fsize - s->off);
	if (!s->arg && s->off + s->len > fsize)
		fsize = s->off + s->len;
	verify(s->off, s->len, "zero-range read-back");
}

static void op_falloc(struct step *s)
{
	s->off = rand_off(cfg.max);
	s->len = rand_len();
	if (s->off + s->len > cfg.max)
		s->len = cfg.max - s->off;
	s->arg = below(2);
	if (falloc(s, s->arg ? FALLOC_FL_KEEP_SIZE : 0) && !s->arg &&
	    s->off + s->len > fsize)
		fsize = s->off + s->len;
	verify(s->off, s->len, "fallocate read-back");
}

/* O_DIRECT: page-aligned offsets, lengths and buffer. */
static void dio_range(struct step *s, size_t limit)
{
	size_t pages = limit / PAGE;

	s->off = below(pages ? pages : 1) * PAGE;
	s->len = (1 + below(64)) * PAGE;
	if (s->off + s->len > cfg.max)
		s->len = (cfg.max - s->off) & ~(PAGE - 1);
}

static void op_dread(struct step *s)
{
	dio_range(s, fsize + PAGE);
	read_range(dfd, dbuf, s->off, s->len, "dio read");
	if (s->off < fsize)
		compare("dio read", dbuf, s->off,
			s->len < fsize - s->off ? s->len : fsize - s->off);
}

static void op_dwrite(struct step *s)
{
	ssize_t n;

	dio_range(s, cfg.max);
	if (!s->len)
		return;
	rand_fill(dbuf, s->len);
	n = pwrite(dfd, dbuf, s->len, (off_t)s->off);
	if (n != (ssize_t)s->len)
		die("O_DIRECT pwrite(%" PRIu64 ", %" PRIu64 ") = %zd: %s", s->off,
		    s->len, n, n < 0 ? strerror(errno) : "short");
	memcpy(model + s->off, dbuf, s->len);
	if (s->off + s->len > fsize)
		fsize = s->off + s->len;
	verify(s->off, s->len, "dio write read-back");
}

/* Close (after fsync, or with dirty pages half of the time), drop the
 * cache, reopen, and compare everything: the data now comes back from
 * the filesystem rather than from pages this process dirtied. */
static void op_reopen(struct step *s)
{
	s->arg = below(2);
	if (s->arg && fsync(fd) < 0)
		die("fsync: %s", strerror(errno));
	close_file();
	open_file(0);
	drop_caches();
	full_compare("after reopen");
}

static void (*const run_op[NR_OPS])(struct step *) = {
	op_read, op_write, op_trunc, op_mread, op_mwrite, op_msync, op_fsync,
	op_punch, op_falloc, op_zero, op_dread, op_dwrite, op_reopen,
};

static enum op pick(void)
{
	unsigned int total = 0, r;
	int i;

	for (i = 0; i < NR_OPS; i++)
		total += weight[i];
	r = (unsigned int)below(total);
	for (i = 0; r >= weight[i]; i++)
		r -= weight[i];
	return (enum op)i;
}

/* ---- main --------------------------------------------------------------- */

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v < PAGE || v > (1ULL << 30)) {
		fprintf(stderr, "opmix: bad size '%s' (4k..1g)\n", s);
		exit(2);
	}
	return (size_t)v;
}

static void usage(void)
{
	fprintf(stderr, "usage: opmix [-n OPS] [-s SEED] [-S SIZE] [-r N] "
		"[-c N] [-d] [-k] DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	bool seeded = false;
	int c;

	while ((c = getopt(argc, argv, "n:s:S:r:c:dk")) != -1) {
		switch (c) {
		case 'n': cfg.ops = strtoul(optarg, NULL, 0); break;
		case 's': cfg.seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'S': cfg.max = parse_size(optarg); break;
		case 'r': cfg.reopen_every = strtoul(optarg, NULL, 0); break;
		case 'c': cfg.full_every = strtoul(optarg, NULL, 0); break;
		case 'd': cfg.direct = true; break;
		case 'k': cfg.keep = true; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		cfg.seed = (uint64_t)ts.tv_sec * 1000000007ULL ^
			   (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
	}
	rng = cfg.seed * 0x9e3779b97f4a7c15ULL + 1;	/* never 0 */
	if (cfg.direct)
		weight[OP_DREAD] = weight[OP_DWRITE] = 8;

	snprintf(path, sizeof(path), "%s/opmix.%d", argv[optind], (int)getpid());
	maplen = (cfg.max + PAGE - 1) & ~(PAGE - 1);
	model = calloc(1, maplen + 2 * PAGE);
	buf = malloc(cfg.max + PAGE);
	dbuf = aligned_alloc(PAGE, cfg.max);
	if (!model || !buf || !dbuf) {
		fprintf(stderr, "opmix: out of memory\n");
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("opmix: seed=%" PRIu64 " ops=%lu max=%zu reopen=%lu file=%s\n",
	       cfg.seed, cfg.ops, cfg.max, cfg.reopen_every, path);
	open_file(O_CREAT | O_EXCL);

	for (unsigned long n = 1; n <= cfg.ops; n++) {
		last_n = n;
		cur = &hist[n % HISTORY];
		*cur = (struct step){ .n = n, .op = pick() };
		if (cfg.reopen_every && n % cfg.reopen_every == 0)
			cur->op = OP_REOPEN;
		run_op[cur->op](cur);
		count[cur->op]++;
		check_size("size");
		/* A random sample of a page anywhere in the file. */
		if (fsize)
			verify(below(fsize), PAGE, "sample");
		if (cfg.full_every && n % cfg.full_every == 0)
			full_compare("periodic full compare");
		if (n % (cfg.ops / 10 ? cfg.ops / 10 : 1) == 0)
			printf("opmix: %lu ops, size %zu\n", n, fsize);
	}
	cur = NULL;
	full_compare("final full compare");
	/* And once more from the filesystem, not the page cache. */
	if (fsync(fd) < 0)
		die("final fsync: %s", strerror(errno));
	close_file();
	open_file(0);
	drop_caches();
	full_compare("final compare after reopen");
	close_file();
	if (!cfg.keep)
		unlink(path);

	printf("opmix: ok, %lu ops, final size %zu:", cfg.ops, fsize);
	for (int i = 0; i < NR_OPS; i++)
		if (count[i])
			printf(" %s=%lu", op_name[i], count[i]);
	printf("\n");
	return 0;
}
