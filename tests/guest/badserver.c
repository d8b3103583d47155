// SPDX-License-Identifier: GPL-2.0
/*
 * badserver: a deliberately broken vfsd server speaking the raw ABI, to
 * prove the kernel validates every reply. It serves a root directory with
 * one 8 KiB file "f" and breaks one kind of reply per case; a child process
 * plays the application and the case checks the error it sees.
 *
 * usage: badserver CASE MOUNTPOINT   (CASE "list" prints the cases)
 * Exit 0 when the kernel behaved as expected.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfsd.h>

#define FILE_ID 2
#define FILE_SIZE 8192

struct srv {
	int fd;
	struct vfsd_setup s;
	uint8_t *ring;
	uint8_t *win;
	struct vfsd_ring_hdr *hdr;
	const char *mnt;
	const char *mode;
	int conn_id;
};

static void die(const char *what)
{
	fprintf(stderr, "badserver: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void fill_attr(struct vfsd_attr *a, uint64_t id)
{
	memset(a, 0, sizeof(*a));
	a->ino = id;
	a->nlink = 1;
	if (id == VFSD_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0644;
		a->size = FILE_SIZE;
	}
}

static bool is(const struct srv *s, const char *m)
{
	return strcmp(s->mode, m) == 0;
}

/* The cases run over read slots (VFSD_SETUP_READ_SLOTS). */
static bool slot_case(const char *mode)
{
	return strncmp(mode, "slot-", 5) == 0;
}

/* slot-scribble: the slot page a thread keeps storing into, or NULL. */
static uint8_t *volatile scribble_at;

static void *scribbler(void *arg)
{
	(void)arg;
	for (;;) {
		uint8_t *p = scribble_at;

		if (p)
			memset(p, 'z', 4096);
	}
	return NULL;
}

/* A READ of one page over read slots: the slot must come zeroed. */
static bool slot_dirty(const struct srv *s, const struct vfsd_sqe *sqe)
{
	const uint8_t *p = s->win + sqe->win_off;
	uint32_t i;

	if (!slot_case(s->mode) || is(s, "slot-scribble"))
		return false;
	for (i = 0; i < sqe->len; i++)
		if (p[i])
			return true;
	return false;
}


static void *slot(struct srv *s, uint16_t tag)
{
	return s->ring + s->s.inline_off + (size_t)tag * s->s.inline_size;
}

static void post(struct srv *s, uint64_t id, int32_t result)
{
	struct vfsd_cqe *cq = (void *)(s->ring + s->s.cqe_off);
	uint32_t t = s->hdr->cq_tail;

	cq[t & (s->s.depth - 1)] = (struct vfsd_cqe){ .id = id, .result = result };
	__atomic_store_n(&s->hdr->cq_tail, t + 1, __ATOMIC_RELEASE);
}

/* Read slots: reply, consume, then misuse the slot or the window. */
static bool slot_read(struct srv *s, const struct vfsd_sqe *sqe)
{
	uint8_t *p = s->win + sqe->win_off;

	if (is(s, "slot-after-reply")) {
		memset(p, 'x', sqe->len);
		post(s, sqe->id, sqe->len);
		ioctl(s->fd, VFSD_IOC_ENTER, &(struct vfsd_enter){});
		memset(p, 'y', sqe->len);	/* must reach nothing */
		return true;
	}
	if (is(s, "slot-remap")) {
		memset(p, 'x', sqe->len);
		post(s, sqe->id, sqe->len);
		ioctl(s->fd, VFSD_IOC_ENTER, &(struct vfsd_enter){});
		/* A new window VMA: the next READ's slot must be mapped anew. */
		if (munmap(s->win, s->s.window_size))
			die("munmap of the window");
		s->win = mmap(NULL, s->s.window_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, s->fd, VFSD_MMAP_WINDOW(0));
		if (s->win == MAP_FAILED)
			die("mmap of the window again");
		return true;
	}
	if (is(s, "slot-scribble"))
		scribble_at = p;
	return false;
}

/* Answer one request, correctly or broken according to the case. */
static void handle(struct srv *s, const struct vfsd_sqe *sqe)
{
	void *out = sqe->tag == VFSD_TAG_NONE ? NULL : slot(s, sqe->tag);
	int32_t res = 0;

	switch (sqe->opcode) {
	case VFSD_OP_FORGET:
	case VFSD_OP_RELEASE:
	case VFSD_OP_RELEASEDIR:
		return;
	case VFSD_OP_LOOKUP: {
		struct vfsd_entry_out *e = out;

		if (strcmp(out, "f")) {
			res = -ENOENT;
			break;
		}
		memset(e, 0, sizeof(*e));
		e->nodeid = is(s, "lookup-root") ? VFSD_ROOT_ID : FILE_ID;
		fill_attr(&e->attr, FILE_ID);
		if (is(s, "bad-mode"))
			e->attr.mode = 0170644;
		if (is(s, "bad-nsec"))
			e->attr.mtime_nsec = 1000000000;
		break;
	}
	case VFSD_OP_GETATTR: {
		struct vfsd_attr_out *a = out;

		memset(a, 0, sizeof(*a));
		fill_attr(&a->attr, sqe->nodeid);
		if (is(s, "type-change") && sqe->nodeid == FILE_ID)
			a->attr.mode = S_IFDIR | 0755;
		if (is(s, "huge-size") && sqe->nodeid == FILE_ID)
			a->attr.size = UINT64_MAX;
		break;
	}
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		memset(out, 0, sizeof(struct vfsd_open_out));
		break;
	case VFSD_OP_READ:
		if (is(s, "window-after-reply")) {
			/* Reply first, then touch the pages we gave back. */
			post(s, sqe->id, sqe->len);
			ioctl(s->fd, VFSD_IOC_ENTER, &(struct vfsd_enter){});
			s->win[sqe->win_off] = 1;	/* must SIGBUS */
			return;
		}
		if (slot_read(s, sqe))
			return;
		/* Data the application would not expect: it fails the case. */
		if (slot_dirty(s, sqe))
			memset(s->win + sqe->win_off, 'E', sqe->len);
		else if (!is(s, "slot-zeroed") || sqe->offset == 0)
			memset(s->win + sqe->win_off, 'x', sqe->len);
		res = sqe->len;
		if (is(s, "read-too-long"))
			res = sqe->len + 1;
		if (is(s, "slot-short"))
			res = 100;
		break;
	case VFSD_OP_READDIR: {
		struct vfsd_dirent *d = out;

		if (sqe->offset) {
			res = 0;
			break;
		}
		memset(d, 0, 32);
		d->ino = FILE_ID;
		d->off = 1;
		d->namelen = 1;
		d->type = DT_REG;
		d->name[0] = is(s, "dirent-slash") ? '/' : 'f';
		res = VFSD_DIRENT_SIZE(1);
		if (is(s, "dirent-overflow"))
			d->namelen = 4000;
		if (is(s, "dirent-loop"))
			d->off = 0;
		break;
	}
	case VFSD_OP_STATFS:
		memset(out, 0, sizeof(struct vfsd_statfs_out));
		break;
	default:
		res = -ENOSYS;
	}
	if (is(s, "bad-errno"))
		res = -512;	/* ERESTARTSYS must never leak */
	if (is(s, "unknown-id"))
		post(s, sqe->id ^ 0x50000, 0);
	if (is(s, "hang") || (is(s, "hang-read") && sqe->opcode == VFSD_OP_READ))
		return;
	post(s, sqe->id, res);
}

static int serve(struct srv *s)
{
	struct vfsd_sqe *sq = (void *)(s->ring + s->s.sqe_off);
	struct vfsd_enter e = { .queue = 0, .flags = VFSD_ENTER_WAIT };

	for (;;) {
		if (is(s, "corrupt-cq") && s->hdr->sq_tail > 2)
			s->hdr->cq_tail += 1000;
		if (ioctl(s->fd, VFSD_IOC_ENTER, &e) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		uint32_t tail = __atomic_load_n(&s->hdr->sq_tail, __ATOMIC_ACQUIRE);

		while (s->hdr->sq_head != tail) {
			struct vfsd_sqe sqe = sq[s->hdr->sq_head & (s->s.depth - 1)];

			__atomic_store_n(&s->hdr->sq_head, s->hdr->sq_head + 1,
					 __ATOMIC_RELEASE);
			handle(s, &sqe);
		}
	}
}

static void setup(struct srv *s)
{
	char opts[128];

	s->fd = open("/dev/vfsd", O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		die("open /dev/vfsd");
	s->s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION,
				    .nr_queues = 1, .depth = 16 };
	if (slot_case(s->mode))
		s->s.flags = VFSD_SETUP_READ_SLOTS;
	if (ioctl(s->fd, VFSD_IOC_SETUP, &s->s) < 0)
		die("VFSD_IOC_SETUP");
	s->ring = mmap(NULL, s->s.ring_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, s->fd, VFSD_MMAP_RING(0));
	s->win = mmap(NULL, s->s.window_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, s->fd, VFSD_MMAP_WINDOW(0));
	if (s->ring == MAP_FAILED || s->win == MAP_FAILED)
		die("mmap");
	s->hdr = (void *)s->ring;
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=040755,user_id=0,group_id=0",
		 s->fd);
	if (mount("badserver", s->mnt, "vfsd", 0, opts) < 0)
		die("mount");
}

/*
 * Read page @page of the file alone (no readahead: one-page READs; from
 * the server unless @cached) and check every byte: 'x' for the first @xs
 * bytes, then zeros; with @scribbled, any of 'x', 'z' or zero. Returns
 * 0, the errno, or EBADMSG.
 */
static int read_page(int fd, int page, int xs, bool scribbled, bool cached)
{
	unsigned char buf[4096];
	int i;

	if (!cached && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return EIO;
	if (pread(fd, buf, sizeof(buf), (off_t)page * sizeof(buf)) !=
	    (ssize_t)sizeof(buf))
		return errno ? errno : EMSGSIZE;
	for (i = 0; i < (int)sizeof(buf); i++) {
		if (scribbled ? buf[i] != 'x' && buf[i] != 'z' && buf[i] :
		    buf[i] != (i < xs ? 'x' : 0)) {
			fprintf(stderr, "badserver: byte %d of page %d is 0x%02x\n",
				i, page, buf[i]);
			return EBADMSG;
		}
	}
	return 0;
}

/* The application's single-page reads in the read-slot cases. */
static int app_slots(int fd, const char *op)
{
	int err, i;

	if (posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM))
		return EIO;
	if (!strcmp(op, "page1"))
		return read_page(fd, 1, 4096, false, false);
	if (!strcmp(op, "page-late")) {
		/* The cached page again, after the server's late stores. */
		err = read_page(fd, 1, 4096, false, false);
		usleep(200000);
		return err ? err : read_page(fd, 1, 4096, false, true);
	}
	if (!strcmp(op, "page-short"))
		return read_page(fd, 1, 100, false, false);
	if (!strcmp(op, "page-zero")) {
		err = read_page(fd, 0, 4096, false, false);
		return err ? err : read_page(fd, 1, 0, false, false);
	}
	if (!strcmp(op, "page-two")) {
		err = read_page(fd, 0, 4096, false, false);
		return err ? err : read_page(fd, 1, 4096, false, false);
	}
	for (i = 0, err = 0; !err && i < 400; i++)	/* page-many */
		err = read_page(fd, i & 1, 4096, true, false);
	return err;
}

/* The application side: returns 0 or the errno its operation saw. */
static int app(const char *mnt, const char *op)
{
	char path[512], buf[FILE_SIZE];
	struct stat st;
	int fd, n;

	snprintf(path, sizeof(path), "%s/f", mnt);
	if (!strncmp(op, "page", 4)) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno;
		n = app_slots(fd, op);
		close(fd);
		return n;
	}
	if (!strcmp(op, "stat"))
		return stat(path, &st) ? errno : 0;
	if (!strcmp(op, "read")) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		return n < 0 ? errno : (n == FILE_SIZE ? 0 : EMSGSIZE);
	}
	if (!strcmp(op, "readdir")) {
		DIR *d = opendir(mnt);
		struct dirent *de;

		if (!d)
			return errno;
		errno = 0;
		while ((de = readdir(d)))
			;
		n = errno;
		closedir(d);
		return n;
	}
	return EINVAL;
}

struct bad_case {
	const char *name;
	const char *op;
	int expect;		/* errno the application must see */
	int alt;		/* or this one (page cache turns errors to EIO) */
};

static const struct bad_case cases[] = {
	{ "good-stat", "stat", 0, 0 },
	{ "good-read", "read", 0, 0 },
	{ "good-readdir", "readdir", 0, 0 },
	{ "lookup-root", "stat", EIO, 0 },
	{ "bad-mode", "stat", EIO, 0 },
	{ "bad-nsec", "stat", EIO, 0 },
	{ "type-change", "stat", EIO, 0 },
	{ "huge-size", "stat", EIO, 0 },
	{ "bad-errno", "stat", EIO, 0 },
	{ "read-too-long", "read", EIO, 0 },
	{ "dirent-slash", "readdir", EIO, 0 },
	{ "dirent-overflow", "readdir", EIO, 0 },
	{ "dirent-loop", "readdir", EIO, 0 },
	{ "unknown-id", "stat", 0, 0 },
	{ "corrupt-cq", "read", ENOTCONN, EIO },
	{ "hang", "stat", ENOTCONN, 0 },		/* sysfs abort frees it */
	{ "hang-read", "read", ENOTCONN, EIO },
	{ "window-after-reply", "read", 0, 0 },	/* server gets SIGBUS */
	/* Read slots: the cache gets the reply's bytes, nothing else. */
	{ "slot-good", "page1", 0, 0 },
	{ "slot-after-reply", "page-late", 0, 0 },	/* no SIGBUS either */
	{ "slot-short", "page-short", 0, 0 },
	{ "slot-zeroed", "page-zero", 0, 0 },
	{ "slot-remap", "page-two", 0, 0 },
	{ "slot-scribble", "page-many", 0, 0 },
	{ NULL, NULL, 0, 0 },
};

static long read_counter(int id, const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/vfsd/%d/%s", id, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atol(buf);
}

static void write_abort(int id)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/fs/vfsd/%d/abort", id);
	f = fopen(path, "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

/* Server process: set up, mount, report the connection id, serve. */
static pid_t start_server(struct srv *s)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(pipefd[0]);
		setup(s);
		if (write(pipefd[1], &s->s.conn_id, sizeof(int)) != sizeof(int))
			_exit(2);
		close(pipefd[1]);
		if (is(s, "slot-scribble")) {
			pthread_t t;

			if (pthread_create(&t, NULL, scribbler, NULL))
				_exit(2);
		}
		_exit(serve(s));
	}
	close(pipefd[1]);
	if (read(pipefd[0], &s->conn_id, sizeof(int)) != sizeof(int)) {
		fprintf(stderr, "badserver: server failed to mount\n");
		exit(2);
	}
	close(pipefd[0]);
	return pid;
}

/*
 * Read slots copy each READ's reply into the page cache (bytes_copied)
 * and never hand a page-cache page over (bytes_mapped stays 0).
 */
static bool slot_counters_ok(const struct srv *s, const char *name)
{
	long copied = read_counter(s->conn_id, "bytes_copied");
	long mapped = read_counter(s->conn_id, "bytes_mapped");
	long want = strcmp(name, "slot-short") ? 4096 : 100;

	if (copied < want || mapped != 0) {
		fprintf(stderr, "FAIL %s: bytes_copied %ld (want >= %ld), bytes_mapped %ld (want 0)\n",
			name, copied, want, mapped);
		return false;
	}
	return true;
}

static pid_t server_pid, app_pid;
static const char *mountpoint;

/* However a case ends, leave no server, application or mount behind. */
static void cleanup(void)
{
	if (app_pid > 0)
		kill(app_pid, SIGKILL);
	if (server_pid > 0)
		kill(server_pid, SIGKILL);
	if (mountpoint)
		umount2(mountpoint, MNT_DETACH);
}

/* Poll a counter until it reaches @min, for up to 20 s. */
static bool wait_counter(int id, const char *name, long min)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (read_counter(id, name) >= min)
			return true;
		usleep(100000);
	}
	return false;
}

int main(int argc, char **argv)
{
	const struct bad_case *c;
	struct srv s = { 0 };
	pid_t server, child;
	int status, got;
	bool is_scribble;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (c = cases; c->name; c++)
			printf("%s\n", c->name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: badserver CASE|list MOUNTPOINT\n");
		return 2;
	}
	for (c = cases; c->name && strcmp(c->name, argv[1]); c++)
		;
	if (!c->name) {
		fprintf(stderr, "badserver: unknown case %s\n", argv[1]);
		return 2;
	}
	s.mnt = argv[2];
	s.mode = c->name;
	server = start_server(&s);
	server_pid = server;
	mountpoint = s.mnt;
	atexit(cleanup);

	child = fork();
	if (child == 0)
		_exit(app(s.mnt, c->op));
	app_pid = child;
	if (!strncmp(c->name, "hang", 4)) {
		if (!wait_counter(s.conn_id, "waiting", 1)) {
			fprintf(stderr, "FAIL %s: nothing waiting\n", c->name);
			return 1;
		}
		write_abort(s.conn_id);
	}
	waitpid(child, &status, 0);
	app_pid = 0;
	got = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (got != c->expect && (!c->alt || got != c->alt)) {
		fprintf(stderr, "FAIL %s: application saw %s, expected %s\n",
			c->name, got < 0 ? "a signal" : strerror(got),
			strerror(c->expect));
		return 1;
	}
	if (strncmp(c->name, "good", 4) && c->expect != ENOTCONN &&
	    strcmp(c->name, "window-after-reply") && !slot_case(c->name) &&
	    read_counter(s.conn_id, "protocol_errors") < 1) {
		fprintf(stderr, "FAIL %s: protocol_errors not counted (%ld, conn %d)\n",
			c->name, read_counter(s.conn_id, "protocol_errors"),
			s.conn_id);
		return 1;
	}
	if (slot_case(c->name) && !slot_counters_ok(&s, c->name))
		return 1;
	if (umount2(s.mnt, 0) < 0) {
		fprintf(stderr, "FAIL %s: umount: %s\n", c->name, strerror(errno));
		return 1;
	}
	mountpoint = NULL;
	waitpid(server, &status, 0);
	server_pid = 0;
	is_scribble = !strcmp(c->name, "slot-scribble");
	if (!strcmp(c->name, "window-after-reply")) {
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGBUS) {
			fprintf(stderr, "FAIL %s: server not killed by SIGBUS\n",
				c->name);
			return 1;
		}
	} else if (is_scribble && WIFSIGNALED(status) &&
		   WTERMSIG(status) == SIGBUS) {
		/* The umount's abort took the slots back under the scribbler. */
	} else if (!WIFEXITED(status) || (WEXITSTATUS(status) != ENODEV &&
					  WEXITSTATUS(status) != ENOTCONN)) {
		fprintf(stderr, "FAIL %s: server loop ended oddly (%d)\n",
			c->name, status);
		return 1;
	}
	printf("ok %s: application saw %s\n", c->name,
	       got ? strerror(got) : "success");
	return 0;
}
