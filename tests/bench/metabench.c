// SPDX-License-Identifier: GPL-2.0
/*
 * metabench: metadata operations per second on one filesystem.
 *
 *   metabench -d DIR [-n FILES] [-j THREADS] [-s BYTES] [-D] [-c FILE]
 *
 * Each of THREADS threads owns DIR/t<i>/ and, phase by phase (all threads
 * start a phase together), creates FILES files in it (open O_CREAT|O_EXCL,
 * BYTES of data, close), stats every one, then unlinks every one. With -D
 * the kernel's dentry and inode caches are dropped before the stat and the
 * unlink phases, so a network or user-space filesystem must look every name
 * up again (tmpfs cannot drop them: they are its storage).
 *
 * Prints one JSON object: per phase the operations, wall seconds, the
 * system-wide busy CPU jiffies (user+nice+system+irq+softirq+steal from
 * /proc/stat, so server threads count), the context switches (ctxt in
 * /proc/stat), latency percentiles and, with -c, how much the number in
 * FILE grew (e.g. a vfsd connection's requests counter in sysfs).
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

enum { CREATE, STAT, UNLINK, NPHASES };
static const char *const phase_name[NPHASES] = { "create", "stat", "unlink" };

static const char *dir;
static int nfiles = 1000, nthreads = 1, drop;
static size_t fsize;
static pthread_barrier_t start_bar, end_bar;

struct worker {
	pthread_t tid;
	int idx;
	uint64_t *lat[NPHASES];	/* ns per operation */
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
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

static void *run(void *arg)
{
	struct worker *w = arg;
	char path[4096], *buf = NULL;
	int phase, i;

	if (fsize) {
		buf = malloc(fsize);
		if (!buf)
			abort();
		memset(buf, 0x5a, fsize);
	}
	for (phase = 0; phase < NPHASES; phase++) {
		pthread_barrier_wait(&start_bar);
		for (i = 0; i < nfiles && !w->err; i++) {
			uint64_t t0;

			snprintf(path, sizeof(path), "%s/t%d/f%06d", dir, w->idx, i);
			t0 = now_ns();
			if (do_op(phase, path, buf)) {
				fprintf(stderr, "metabench: %s %s: %s\n",
					phase_name[phase], path, strerror(errno));
				w->err = 1;
			}
			w->lat[phase][i] = now_ns() - t0;
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

int main(int argc, char **argv)
{
	struct sample a[NPHASES], b[NPHASES];
	double secs[NPHASES];
	struct worker *w;
	uint64_t *all;
	int opt, i, p, err = 0;
	size_t n;

	while ((opt = getopt(argc, argv, "d:n:j:s:Dc:")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'n': nfiles = atoi(optarg); break;
		case 'j': nthreads = atoi(optarg); break;
		case 's': fsize = strtoul(optarg, NULL, 0); break;
		case 'D': drop = 1; break;
		case 'c': counter_file = optarg; break;
		default:
			fprintf(stderr, "usage: metabench -d DIR [-n FILES] [-j THREADS] [-s BYTES] [-D] [-c FILE]\n");
			return 2;
		}
	}
	if (!dir || nfiles < 1 || nthreads < 1) {
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
		for (p = 0; p < NPHASES; p++)
			w[i].lat[p] = calloc(nfiles, sizeof(uint64_t));
	}
	pthread_barrier_init(&start_bar, NULL, nthreads + 1);
	pthread_barrier_init(&end_bar, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].tid, NULL, run, &w[i]);
	for (p = 0; p < NPHASES; p++) {
		uint64_t t0;

		if (drop && p > 0)
			drop_caches();
		sample(&a[p]);
		t0 = now_ns();
		pthread_barrier_wait(&start_bar);
		pthread_barrier_wait(&end_bar);
		secs[p] = (now_ns() - t0) / 1e9;
		sample(&b[p]);
	}
	for (i = 0; i < nthreads; i++) {
		char path[4096];

		pthread_join(w[i].tid, NULL);
		err |= w[i].err;
		snprintf(path, sizeof(path), "%s/t%d", dir, i);
		rmdir(path);
	}

	n = (size_t)nfiles * nthreads;
	all = malloc(n * sizeof(*all));
	printf("{\"threads\": %d, \"files\": %d, \"bytes\": %zu, \"drop\": %d, \"clk_tck\": %ld, \"phases\": [",
	       nthreads, nfiles, fsize, drop, sysconf(_SC_CLK_TCK));
	for (p = 0; p < NPHASES; p++) {
		for (i = 0; i < nthreads; i++)
			memcpy(all + (size_t)i * nfiles, w[i].lat[p], nfiles * sizeof(*all));
		qsort(all, n, sizeof(*all), cmp_u64);
		printf("%s\n {\"name\": \"%s\", \"ops\": %zu, \"seconds\": %.6f, \"busy_jiffies\": %llu, "
		       "\"ctxt\": %llu, \"counter\": %llu, \"p50_ns\": %llu, \"p99_ns\": %llu}",
		       p ? "," : "", phase_name[p], n, secs[p], b[p].busy - a[p].busy,
		       b[p].ctxt - a[p].ctxt, b[p].counter - a[p].counter,
		       (unsigned long long)all[n / 2],
		       (unsigned long long)all[(size_t)(n * 0.99)]);
	}
	printf("\n]}\n");
	return err;
}
