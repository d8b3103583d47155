// SPDX-License-Identifier: GPL-2.0
/*
 * metabench: metadata operations per second on one filesystem.
 *
 *   metabench -d DIR [-t SECONDS] [-n FILES] [-j THREADS] [-s BYTES] [-D]
 *             [-c FILE]
 *
 * Each of THREADS threads owns DIR/t<i>/. Three phases, all threads
 * starting each pass together:
 *   create  open O_CREAT|O_EXCL (BYTES of data), close: with -t, files
 *           f000000, f000001, ... until SECONDS have passed (at least FILES
 *           each); without, FILES files;
 *   stat    stat every file the thread created, in passes;
 *   unlink  unlink every one, in passes; between two passes the files are
 *           created again (not timed).
 * A stat or unlink pass is repeated until the timed passes add up to
 * SECONDS (0: one pass). With -D the kernel's dentry and inode caches are
 * dropped before every stat and unlink pass (not timed), so a network or
 * user-space filesystem must look every name up again (tmpfs cannot drop
 * them: they are its storage).
 *
 * Prints one JSON object: per phase the operations, passes, timed wall
 * seconds, the system-wide busy CPU jiffies over the timed passes
 * (user+nice+system+irq+softirq+steal from /proc/stat, so server threads
 * count; at least SECONDS x CPUs x CLK_TCK ticks of wall time, so a CPU
 * per op from them is not a count of a handful of ticks), the context
 * switches (ctxt in /proc/stat), latency percentiles and, with -c, how
 * much the number in FILE grew (e.g. a vfsd connection's requests counter).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { CREATE, STAT, UNLINK, NPHASES, RECREATE = NPHASES, QUIT };
static const char *const phase_name[NPHASES] = { "create", "stat", "unlink" };

static const char *dir;
static int nfiles = 1000, nthreads = 1, drop;
static double min_secs;
static size_t fsize;
static pthread_barrier_t start_bar, end_bar;
static int cmd;			/* what the next pass does */
static volatile int stop;	/* timed create: time is up */

struct lat {
	uint64_t *v;
	size_t n, cap;
};

struct worker {
	pthread_t tid;
	int idx;
	size_t files;		/* created in the create phase */
	struct lat lat[NPHASES];	/* ns per operation */
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void lat_add(struct lat *l, uint64_t ns)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = ns;
}

static const char *counter_file;

struct sample {
	unsigned long long busy, ctxt, counter;
};

static void sample(struct sample *s)
{
	unsigned long long v[10] = { 0 };
	char line[512];
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
		perror("metabench: /proc/stat");
		exit(1);
	}
	/* user nice system [idle iowait] irq softirq steal */
	s->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	s->ctxt = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ctxt %llu", &s->ctxt) == 1)
			break;
	fclose(f);
	s->counter = 0;
	if (counter_file) {
		f = fopen(counter_file, "r");
		if (!f || fscanf(f, "%llu", &s->counter) != 1) {
			fprintf(stderr, "metabench: cannot read %s\n", counter_file);
			exit(1);
		}
		fclose(f);
	}
}

static void drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0 || write(fd, "2\n", 2) != 2)
		fprintf(stderr, "metabench: cannot drop caches: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

static int do_op(int phase, const char *path, const char *buf)
{
	struct stat st;
	int fd;

	switch (phase) {
	case CREATE:
	case RECREATE:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return -1;
		if (fsize && write(fd, buf, fsize) != (ssize_t)fsize) {
			close(fd);
			return -1;
		}
		return close(fd);
	case STAT:
		return stat(path, &st);
	default:
		return unlink(path);
	}
}

static void one(struct worker *w, int op, size_t i, const char *buf)
{
	char path[4096];
	uint64_t t0;

	snprintf(path, sizeof(path), "%s/t%d/f%06zu", dir, w->idx, i);
	t0 = now_ns();
	if (do_op(op, path, buf)) {
		fprintf(stderr, "metabench: %s %s: %s\n",
			op == RECREATE ? "re-create" : phase_name[op], path,
			strerror(errno));
		w->err = 1;
	}
	if (op < NPHASES)
		lat_add(&w->lat[op], now_ns() - t0);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char *buf = NULL;
	size_t i;
	int op;

	if (fsize) {
		buf = malloc(fsize);
		if (!buf)
			abort();
		memset(buf, 0x5a, fsize);
	}
	for (;;) {
		pthread_barrier_wait(&start_bar);
		op = cmd;
		if (op == QUIT)
			break;
		if (op == CREATE) {
			/* At least nfiles; with -t, on until the time is up. */
			for (i = 0; !w->err && (i < (size_t)nfiles ||
				     (min_secs > 0 && !stop)); i++)
				one(w, op, i, buf);
			w->files = i;
		} else {
			for (i = 0; i < w->files && !w->err; i++)
				one(w, op, i, buf);
		}
		pthread_barrier_wait(&end_bar);
	}
	free(buf);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One pass of op by every thread; its wall time, CPU etc. into acc. */
static double pass(int op, struct sample *acc)
{
	struct sample a, b;
	uint64_t t0;
	double secs;

	cmd = op;
	stop = 0;
	sample(&a);
	t0 = now_ns();
	pthread_barrier_wait(&start_bar);
	if (op == CREATE && min_secs > 0) {
		struct timespec ts = { (time_t)min_secs,
				       (long)((min_secs - (time_t)min_secs) * 1e9) };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		stop = 1;
	}
	pthread_barrier_wait(&end_bar);
	secs = (now_ns() - t0) / 1e9;
	sample(&b);
	acc->busy += b.busy - a.busy;
	acc->ctxt += b.ctxt - a.ctxt;
	acc->counter += b.counter - a.counter;
	return secs;
}

static int any_err(struct worker *w)
{
	int i;

	for (i = 0; i < nthreads; i++)
		if (w[i].err)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sample acc[NPHASES] = { { 0 } };
	double secs[NPHASES] = { 0 };
	int passes[NPHASES] = { 0 };
	struct worker *w;
	uint64_t *all;
	int opt, i, p, err = 0;
	size_t n;

	while ((opt = getopt(argc, argv, "d:n:j:s:t:Dc:")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'n': nfiles = atoi(optarg); break;
		case 'j': nthreads = atoi(optarg); break;
		case 's': fsize = strtoul(optarg, NULL, 0); break;
		case 't': min_secs = strtod(optarg, NULL); break;
		case 'D': drop = 1; break;
		case 'c': counter_file = optarg; break;
		default:
			fprintf(stderr, "usage: metabench -d DIR [-t SECONDS] [-n FILES] [-j THREADS] [-s BYTES] [-D] [-c FILE]\n");
			return 2;
		}
	}
	if (!dir || nfiles < 1 || nthreads < 1 || min_secs < 0) {
		fprintf(stderr, "metabench: -d DIR is required; -n and -j must be positive\n");
		return 2;
	}
	w = calloc(nthreads, sizeof(*w));
	for (i = 0; i < nthreads; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/t%d", dir, i);
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "metabench: mkdir %s: %s\n", path, strerror(errno));
			return 1;
		}
		w[i].idx = i;
	}
	pthread_barrier_init(&start_bar, NULL, nthreads + 1);
	pthread_barrier_init(&end_bar, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].tid, NULL, run, &w[i]);

	secs[CREATE] = pass(CREATE, &acc[CREATE]);
	passes[CREATE] = 1;
	for (p = STAT; p <= UNLINK && !any_err(w); p++) {
		do {
			if (p == UNLINK && passes[p]) {
				struct sample junk = { 0 };

				pass(RECREATE, &junk);
				if (any_err(w))
					break;
			}
			if (drop)
				drop_caches();
			secs[p] += pass(p, &acc[p]);
			passes[p]++;
		} while (secs[p] < min_secs && !any_err(w));
	}
	cmd = QUIT;
	pthread_barrier_wait(&start_bar);
	for (i = 0; i < nthreads; i++) {
		char path[4096];

		pthread_join(w[i].tid, NULL);
		err |= w[i].err;
		snprintf(path, sizeof(path), "%s/t%d", dir, i);
		rmdir(path);
	}

	printf("{\"threads\": %d, \"min_seconds\": %.1f, \"bytes\": %zu, \"drop\": %d, \"clk_tck\": %ld, \"cpus\": %ld, \"phases\": [",
	       nthreads, min_secs, fsize, drop, sysconf(_SC_CLK_TCK),
	       sysconf(_SC_NPROCESSORS_ONLN));
	for (p = 0; p < NPHASES; p++) {
		n = 0;
		for (i = 0; i < nthreads; i++)
			n += w[i].lat[p].n;
		all = malloc((n ? n : 1) * sizeof(*all));
		n = 0;
		for (i = 0; i < nthreads; i++) {
			memcpy(all + n, w[i].lat[p].v, w[i].lat[p].n * sizeof(*all));
			n += w[i].lat[p].n;
		}
		qsort(all, n, sizeof(*all), cmp_u64);
		printf("%s\n {\"name\": \"%s\", \"ops\": %zu, \"passes\": %d, \"seconds\": %.6f, "
		       "\"busy_jiffies\": %llu, \"ctxt\": %llu, \"counter\": %llu, "
		       "\"p50_ns\": %llu, \"p99_ns\": %llu}",
		       p ? "," : "", phase_name[p], n, passes[p], secs[p],
		       acc[p].busy, acc[p].ctxt, acc[p].counter,
		       n ? (unsigned long long)all[n / 2] : 0ULL,
		       n ? (unsigned long long)all[(size_t)(n * 0.99)] : 0ULL);
		free(all);
	}
	printf("\n]}\n");
	return err;
}
