/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rawsrv.h: raw-ABI plumbing shared by the hostile-server tools (hostile.c,
 * replyfuzz.c): open and set up a connection, map its queues, mount, pop
 * requests and post completions, probe window memory for SIGBUS, read a
 * connection's sysfs counters, and wait for an application with a deadline
 * (reporting a task stuck in D state).
 *
 * Everything is static: each tool includes it once.
 */
#ifndef VFSD_RAWSRV_H
#define VFSD_RAWSRV_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfsd.h>

#define RS_PAGE		4096u
#define RS_MAX_QUEUES	8

struct rs_queue {
	uint8_t *ring;
	uint8_t *win;
	struct vfsd_ring_hdr *hdr;
	struct vfsd_sqe *sq;
	struct vfsd_cqe *cq;
};

struct rs_conn {
	int fd;
	struct vfsd_setup s;
	struct rs_queue q[RS_MAX_QUEUES];
};

static inline double rs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Open /dev/vfsd and VFSD_IOC_SETUP with VFSD_SETUP_* flags. 0 or -errno. */
static int rs_setup_flags(struct rs_conn *c, unsigned int nq,
			  unsigned int depth, unsigned int window,
			  unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->fd = open("/dev/vfsd", O_RDWR | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	c->s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION,
				    .flags = flags, .nr_queues = nq,
				    .depth = depth, .window_size = window };
	if (ioctl(c->fd, VFSD_IOC_SETUP, &c->s) < 0)
		return -errno;
	return 0;
}

static inline int rs_setup(struct rs_conn *c, unsigned int nq,
			   unsigned int depth, unsigned int window)
{
	return rs_setup_flags(c, nq, depth, window, 0);
}

/* Map every queue's ring and window. Returns 0 or -errno. */
static int rs_map(struct rs_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->s.nr_queues && i < RS_MAX_QUEUES; i++) {
		struct rs_queue *q = &c->q[i];

		q->ring = mmap(NULL, c->s.ring_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, c->fd, VFSD_MMAP_RING(i));
		if (q->ring == MAP_FAILED)
			return -errno;
		q->win = mmap(NULL, c->s.window_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, c->fd, VFSD_MMAP_WINDOW(i));
		if (q->win == MAP_FAILED)
			return -errno;
		q->hdr = (void *)q->ring;
		q->sq = (void *)(q->ring + c->s.sqe_off);
		q->cq = (void *)(q->ring + c->s.cqe_off);
	}
	return 0;
}

static int rs_mount(struct rs_conn *c, const char *mnt, const char *extra)
{
	char opts[256];

	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=040755,user_id=0,group_id=0%s%s", c->fd,
		 extra ? "," : "", extra ? extra : "");
	return mount("rawsrv", mnt, "vfsd", 0, opts) ? -errno : 0;
}

static inline void *rs_slot(struct rs_conn *c, unsigned int q, uint16_t tag)
{
	return c->q[q].ring + c->s.inline_off + (size_t)tag * c->s.inline_size;
}

/* Pop one request of queue @q into @out; false if the SQ is empty. */
static bool rs_next(struct rs_conn *c, unsigned int q, struct vfsd_sqe *out)
{
	struct rs_queue *rq = &c->q[q];
	uint32_t head = rq->hdr->sq_head;
	uint32_t tail = __atomic_load_n(&rq->hdr->sq_tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*out = rq->sq[head & (c->s.depth - 1)];
	__atomic_store_n(&rq->hdr->sq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

static void rs_post(struct rs_conn *c, unsigned int q, uint64_t id,
		    int32_t result)
{
	struct rs_queue *rq = &c->q[q];
	uint32_t t = rq->hdr->cq_tail;

	rq->cq[t & (c->s.depth - 1)] =
		(struct vfsd_cqe){ .id = id, .result = result };
	__atomic_store_n(&rq->hdr->cq_tail, t + 1, __ATOMIC_RELEASE);
}

/* VFSD_IOC_ENTER. Returns what the ioctl returned, or -errno. */
static int rs_enter(struct rs_conn *c, unsigned int q, unsigned int flags)
{
	struct vfsd_enter e = { .queue = q, .flags = flags };
	int ret = ioctl(c->fd, VFSD_IOC_ENTER, &e);

	return ret < 0 ? -errno : ret;
}

/* The request's pages in the window: first page and page count. */
static inline uint8_t *rs_req_pages(struct rs_conn *c, unsigned int q,
				    const struct vfsd_sqe *sqe,
				    unsigned int *nr)
{
	uint32_t first = sqe->win_off & ~(RS_PAGE - 1);

	*nr = ((sqe->win_off - first) + sqe->len + RS_PAGE - 1) / RS_PAGE;
	return c->q[q].win + first;
}

/*
 * Probes: touch memory that may raise SIGBUS (or SIGSEGV) and report
 * whether the access went through. Per thread.
 */
static __thread sigjmp_buf rs_probe_jmp;
static __thread volatile sig_atomic_t rs_probing;
static volatile sig_atomic_t rs_probe_sig;

static inline void rs_probe_handler(int sig)
{
	if (rs_probing) {
		rs_probe_sig = sig;
		rs_probing = 0;
		siglongjmp(rs_probe_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void rs_probe_init(void)
{
	struct sigaction sa = { .sa_handler = rs_probe_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* Copy @len bytes from @src; returns 0 or the signal the access raised. */
static inline int rs_probe_copy(void *dst, const volatile uint8_t *src, size_t len)
{
	size_t i;

	rs_probe_sig = 0;
	if (sigsetjmp(rs_probe_jmp, 1))
		return rs_probe_sig;
	rs_probing = 1;
	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = src[i];
	rs_probing = 0;
	return 0;
}

/* Store @v at @p; returns 0 if the store went through, else the signal. */
static inline int rs_probe_store(volatile uint8_t *p, uint8_t v)
{
	rs_probe_sig = 0;
	if (sigsetjmp(rs_probe_jmp, 1))
		return rs_probe_sig;
	rs_probing = 1;
	*p = v;
	rs_probing = 0;
	return 0;
}

static inline int rs_probe_load(const volatile uint8_t *p)
{
	uint8_t v;

	return rs_probe_copy(&v, p, 1);
}

static inline long rs_counter(int conn, const char *name)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/vfsd/%d/%s", conn, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atol(buf);
}

static inline void rs_abort_conn(int conn)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/vfsd/%d/abort", conn);
	f = fopen(path, "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

/* The scheduler state letter of @pid ('D' = uninterruptible), or '?'. */
static char rs_task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Print @pid's kernel stack (and its threads' states) to stderr. */
static inline void rs_dump_task(pid_t pid)
{
	char path[64], line[256];
	FILE *f;

	fprintf(stderr, "  task %d state %c, kernel stack:\n", pid,
		rs_task_state(pid));
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "    %s", line);
	fclose(f);
}

/*
 * Wait for child @pid for up to @secs. Returns true with *status set if it
 * exited in time; false (child still running) otherwise.
 */
static bool rs_wait_deadline(pid_t pid, double secs, int *status)
{
	double end = rs_now() + secs;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true;
		if (rs_now() > end)
			return false;
		usleep(20000);
	}
}

/* The first PCI device of the machine as VFSD_PCI_DEV(), or -1. */
static inline long rs_some_pci_dev(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	unsigned int dom, bus, dev, fn;
	struct dirent *de;
	long ret = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "%x:%x:%x.%x", &dom, &bus, &dev,
			   &fn) == 4) {
			ret = VFSD_PCI_DEV(dom, bus, dev, fn);
			break;
		}
	}
	closedir(d);
	return ret;
}

#endif /* VFSD_RAWSRV_H */
