// SPDX-License-Identifier: GPL-2.0
/*
 * uringbuf: a raw-ABI server attacks the io_uring registered buffers of
 * the module (VFSD_URING_CMD_*_BUF, VFSD_FEAT_URING_BUF) while an
 * application reads and writes one 1 MiB file:
 *
 *   fixed-read     the honest path: register, READ_FIXED from a memfd,
 *                  unregister, reply; a READ buffer is no source (EFAULT)
 *   held-read      reply while a READ_FIXED from an empty pipe still owns
 *                  the buffer: the read fails, the late bytes never reach
 *                  the page cache
 *   write-source   WRITE pages are no destination (READ_FIXED: EFAULT);
 *                  WRITE_FIXED out of them gives the application's bytes
 *   held-write     reply to writeback with the buffer still registered:
 *                  fsync reports EIO
 *   child          a forked child (another mm) registers: EPERM
 *   bad-args       unknown id, flags, queue, slot, a request without
 *                  pages, twice the same request, an empty slot
 *   odirect        an O_DIRECT request's pages (the application's): EINVAL
 *   kill           kill -9 with a buffer registered and its I/O pending:
 *                  the read ends, and the module unloads afterwards
 *   outlive        a ring holding a buffer outlives the mount and the
 *                  /dev/vfsd file: rmmod is refused until the ring closes
 *
 * Without VFSD_FEAT_URING_BUF (kernels before 7.3) the only case is
 * "absent": the feature bit is off and the command is refused.
 * Exit 0: the safe behaviour was seen; 1: a finding (printed).
 * usage: uringbuf CASE MNT | uringbuf list
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rawsrv.h"

#define FILE_ID		2
#define FILE_SIZE	(1u << 20)
#define IO_SIZE		(64u << 10)
#define SLOTS		4
#define APP_LIMIT	60.0	/* seconds any application call may take */

struct shared {
	volatile int findings;
	volatile int stage;	/* outlive: 1 ring held, 2 rmmod tried */
	volatile int write_seen;
	volatile int ready;	/* 1 mounted, -1 the server could not, 77 */
	volatile int late_written;	/* held-read: the late bytes landed */
};

static struct shared *sh;
static const char *cname;
static struct rs_conn conn;
static struct io_uring ring;
static int src_fd = -1;		/* memfd: the file's contents, pat() */

static void __attribute__((format(printf, 1, 2))) finding(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FINDING %s: ", cname);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	__atomic_add_fetch(&sh->findings, 1, __ATOMIC_SEQ_CST);
}

static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 7 + 3);
}

static bool is(const char *name)
{
	return !strcmp(cname, name);
}

/* ---- io_uring --------------------------------------------------------- */

static void prep_cmd(struct io_uring_sqe *sqe, int fd, uint32_t op,
		     const struct vfsd_uring_buf *b)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	memcpy(&sqe->addr3, b, sizeof(*b));
}

static int wait_res(struct io_uring *r, uint64_t data)
{
	struct io_uring_cqe *cqe;
	int res;

	for (;;) {
		if (io_uring_wait_cqe(r, &cqe))
			return -EIO;
		res = cqe->res;
		if (cqe->user_data == data) {
			io_uring_cqe_seen(r, cqe);
			return res;
		}
		io_uring_cqe_seen(r, cqe);	/* a pending op's late CQE */
	}
}

/* One command, synchronously. */
static int buf_cmd_on(struct io_uring *r, uint32_t op, uint64_t id,
		      uint16_t queue, uint16_t index, uint32_t flags)
{
	struct vfsd_uring_buf b = { .id = id, .queue = queue, .index = index,
				    .flags = flags };
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	prep_cmd(sqe, conn.fd, op, &b);
	sqe->user_data = 100 + op;
	io_uring_submit(r);
	return wait_res(r, 100 + op);
}

static int reg(uint64_t id, uint16_t index)
{
	return buf_cmd_on(&ring, VFSD_URING_CMD_REGISTER_BUF, id, 0, index, 0);
}

static int unreg(uint16_t index)
{
	return buf_cmd_on(&ring, VFSD_URING_CMD_UNREGISTER_BUF, 0, 0, index, 0);
}

/* A fixed read (into the buffer) or write (out of it), synchronously. */
static int fixed_io(bool into, int fd, size_t len, uint64_t at,
		    uint16_t index)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe)
		return -EBUSY;
	if (into)
		io_uring_prep_read_fixed(sqe, fd, (void *)0, len, at, index);
	else
		io_uring_prep_write_fixed(sqe, fd, (void *)0, len, at, index);
	sqe->user_data = 7;
	io_uring_submit(&ring);
	return wait_res(&ring, 7);
}

/* ---- the server -------------------------------------------------------- */

static int make_source(void)
{
	uint8_t *p;

	src_fd = memfd_create("src", 0);
	if (src_fd < 0 || ftruncate(src_fd, FILE_SIZE))
		return -1;
	p = mmap(NULL, FILE_SIZE, PROT_WRITE, MAP_SHARED, src_fd, 0);
	if (p == MAP_FAILED)
		return -1;
	for (uint32_t i = 0; i < FILE_SIZE; i++)
		p[i] = pat(i);
	munmap(p, FILE_SIZE);
	return 0;
}


static void fill_attr(struct vfsd_attr *a, uint64_t id)
{
	memset(a, 0, sizeof(*a));
	a->ino = id;
	a->mode = id == VFSD_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = id == VFSD_ROOT_ID ? 2 : 1;
	a->size = id == VFSD_ROOT_ID ? 4096 : FILE_SIZE;
	a->blocks = a->size / 512;
	a->blksize = 4096;
	a->atime = a->mtime = a->ctime = 1700000000;
}

/* The honest answer to a READ: through the buffer, from the memfd. */
static int32_t read_fixed_honest(const struct vfsd_sqe *sqe, uint16_t slot)
{
	int r = reg(sqe->id, slot);

	if (r) {
		finding("register of a READ: %s", strerror(-r));
		return -EIO;
	}
	r = fixed_io(false, src_fd, RS_PAGE, 0, slot);
	if (r != -EFAULT)
		finding("a READ buffer served as a source (res %d)", r);
	r = fixed_io(true, src_fd, sqe->len, sqe->offset, slot);
	if (r != (int)sqe->len)
		finding("READ_FIXED into the pages: res %d", r);
	if (unreg(slot))
		finding("unregister failed");
	return r < 0 ? r : (int32_t)sqe->len;
}

/* held-read: the buffer stays busy in a pipe read past the reply. */
static int pipe_fds[2] = { -1, -1 };

static int32_t read_held(const struct vfsd_sqe *sqe)
{
	struct io_uring_sqe *s;
	int r = reg(sqe->id, 1);

	if (r) {
		finding("register: %s", strerror(-r));
		return -EIO;
	}
	s = io_uring_get_sqe(&ring);
	if (!s)
		return -EIO;
	io_uring_prep_read_fixed(s, pipe_fds[0], (void *)0, RS_PAGE, 0, 1);
	s->user_data = 9;
	io_uring_submit(&ring);
	if (is("kill")) {
		fflush(stdout);
		kill(getpid(), SIGKILL);
	}
	return (int32_t)sqe->len;	/* "done", with the pages still in use */
}

/*
 * After the reply: feed the pipe (the late write), then let go (outlive:
 * no /dev/vfsd file is left to send the command to; the ring's end does).
 */
static void held_release(bool unregister)
{
	static uint8_t junk[RS_PAGE];
	int r;

	memset(junk, 0xee, sizeof(junk));
	if (write(pipe_fds[1], junk, sizeof(junk)) != sizeof(junk))
		finding("pipe write");
	r = wait_res(&ring, 9);
	if (r != RS_PAGE)
		finding("the pending READ_FIXED ended with %d", r);
	__atomic_store_n(&sh->late_written, 1, __ATOMIC_SEQ_CST);
	if (unregister && unreg(1))
		finding("unregister after the late write failed");
}

static int32_t do_write(const struct vfsd_sqe *sqe)
{
	int out = memfd_create("wout", 0), r;
	uint8_t *got;

	if (out < 0 || ftruncate(out, sqe->len))
		return -EIO;
	r = reg(sqe->id, 2);
	if (r) {
		finding("register of a WRITE: %s", strerror(-r));
		close(out);
		return -EIO;
	}
	r = fixed_io(true, src_fd, RS_PAGE, 0, 2);
	if (r != -EFAULT)
		finding("WRITE pages served as a destination (res %d)", r);
	r = fixed_io(false, out, sqe->len, 0, 2);
	if (r != (int)sqe->len)
		finding("WRITE_FIXED out of the pages: res %d", r);
	got = mmap(NULL, sqe->len, PROT_READ, MAP_SHARED, out, 0);
	for (uint32_t i = 0; got != MAP_FAILED && i < sqe->len; i++) {
		uint8_t want = (uint8_t)~pat(sqe->offset + i);

		if (got[i] != want) {
			finding("WRITE byte %u is %#x, not the application's",
				i, got[i]);
			break;
		}
	}
	if (got != MAP_FAILED)
		munmap(got, sqe->len);
	close(out);
	sh->write_seen = 1;
	if (is("held-write"))
		return (int32_t)sqe->len;	/* still registered: caught */
	if (unreg(2))
		finding("unregister of the WRITE buffer failed");
	return (int32_t)sqe->len;
}

/* child: another address space asks for the pages. */
static void child_register(const struct vfsd_sqe *sqe)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct io_uring r;
		int res;

		if (io_uring_queue_init(4, &r, 0) ||
		    io_uring_register_buffers_sparse(&r, SLOTS))
			_exit(2);
		res = buf_cmd_on(&r, VFSD_URING_CMD_REGISTER_BUF, sqe->id, 0,
				 0, 0);
		_exit(res == -EPERM ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		finding("a forked child registered the pages (status %#x)", st);
}

static void expect(const char *what, int got, int want)
{
	if (got != want)
		finding("%s: %d (%s), expected %s", what, got,
			got < 0 ? strerror(-got) : "ok",
			want ? strerror(-want) : "0");
}

static void bad_args(const struct vfsd_sqe *sqe)
{
	uint32_t reg_op = VFSD_URING_CMD_REGISTER_BUF;

	expect("unknown id", reg(sqe->id + (1ull << 32), 0), -EINVAL);
	expect("flags", buf_cmd_on(&ring, reg_op, sqe->id, 0, 0, 1), -EINVAL);
	expect("queue 5", buf_cmd_on(&ring, reg_op, sqe->id, 5, 0, 0), -EINVAL);
	expect("slot past the table", reg(sqe->id, SLOTS + 10), -EINVAL);
	expect("unknown command", buf_cmd_on(&ring, 77, sqe->id, 0, 0, 0),
	       -EINVAL);
	expect("register", reg(sqe->id, 0), 0);
	expect("the same request again", reg(sqe->id, 1), -EBUSY);
	expect("the same slot again", reg(sqe->id, 0), -EBUSY);
	expect("unregister an empty slot", unreg(3), -EINVAL);
	expect("unregister", unreg(0), 0);
}

/*
 * The attacked READ is the first that covers offset 0 (what the
 * application's read waits for; readahead may post others first).
 */
static int32_t do_read(const struct vfsd_sqe *sqe, bool *first)
{
	static bool seen;

	*first = !seen && sqe->offset == 0;
	seen |= *first;

	if (sqe->arg & O_DIRECT) {
		unsigned int nr;
		uint8_t *p = rs_req_pages(&conn, 0, sqe, &nr);

		expect("register an O_DIRECT request", reg(sqe->id, 0), -EINVAL);
		p += sqe->win_off & (RS_PAGE - 1);
		for (uint32_t i = 0; i < sqe->len; i++)
			p[i] = pat(sqe->offset + i);
		return (int32_t)sqe->len;
	}
	if ((is("held-read") || is("kill") || is("outlive")) && *first)
		return read_held(sqe);
	if (is("child") && *first)
		child_register(sqe);
	if (is("bad-args") && *first)
		bad_args(sqe);
	return read_fixed_honest(sqe, 0);
}

static int32_t handle(const struct vfsd_sqe *sqe, void *io, bool *held)
{
	switch (sqe->opcode) {
	case VFSD_OP_LOOKUP: {
		struct vfsd_entry_out *e = io;

		if (strcmp(io, "f"))
			return -ENOENT;
		if (is("bad-args"))
			expect("register a LOOKUP", reg(sqe->id, 0), -EINVAL);
		memset(e, 0, sizeof(*e));
		e->nodeid = FILE_ID;
		e->entry_valid_ns = e->attr_valid_ns = 60ull * 1000000000;
		fill_attr(&e->attr, FILE_ID);
		return 0;
	}
	case VFSD_OP_GETATTR:
	case VFSD_OP_SETATTR: {
		struct vfsd_attr_out *a = io;

		memset(a, 0, sizeof(*a));
		a->attr_valid_ns = 60ull * 1000000000;
		fill_attr(&a->attr, sqe->nodeid);
		return 0;
	}
	case VFSD_OP_OPEN:
	case VFSD_OP_OPENDIR:
		memset(io, 0, sizeof(struct vfsd_open_out));
		((struct vfsd_open_out *)io)->fh = 1;
		return 0;
	case VFSD_OP_READ: {
		bool first;
		int32_t r = do_read(sqe, &first);

		*held = (is("held-read") || is("outlive")) && first;
		return r;
	}
	case VFSD_OP_WRITE:
		*held = is("held-write");
		return do_write(sqe);
	case VFSD_OP_FLUSH:
	case VFSD_OP_FSYNC:
		return 0;
	default:
		return -ENOSYS;
	}
}

/* The outlive case, after the mount is gone: keep only the ring. */
static void outlive(void)
{
	unsigned int i;

	for (i = 0; i < conn.s.nr_queues; i++) {
		munmap(conn.q[i].ring, conn.s.ring_size);
		munmap(conn.q[i].win, conn.s.window_size);
	}
	close(conn.fd);
	__atomic_store_n(&sh->stage, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->stage, __ATOMIC_SEQ_CST) != 2)
		usleep(10000);
	held_release(false);
	io_uring_queue_exit(&ring);
}

/*
 * The server's process sets up, maps and mounts: the window belongs to
 * the address space that maps it first.
 */
static int server_setup(const char *mnt)
{
	int r = rs_setup_flags(&conn, 1, 16, 8u << 20, VFSD_SETUP_PIN);

	if (r)
		return printf("setup: %s\n", strerror(-r)), -1;
	if (!(conn.s.features & VFSD_FEAT_URING_BUF))
		return printf("no VFSD_FEAT_URING_BUF on this kernel\n"), 77;
	if (rs_map(&conn) || make_source() || pipe(pipe_fds) ||
	    io_uring_queue_init(16, &ring, 0) ||
	    io_uring_register_buffers_sparse(&ring, SLOTS))
		return printf("setup of the server: %m\n"), -1;
	r = rs_mount(&conn, mnt, NULL);
	if (r)
		return printf("mount: %s\n", strerror(-r)), -1;
	return 0;
}

static int serve(const char *mnt)
{
	int r = server_setup(mnt);

	__atomic_store_n(&sh->ready, r ? r : 1, __ATOMIC_SEQ_CST);
	if (r)
		return 0;
	for (;;) {
		struct vfsd_sqe sqe;
		int n = rs_enter(&conn, 0, VFSD_ENTER_WAIT);

		if (n == -EINTR)
			continue;
		if (n < 0)
			break;
		while (rs_next(&conn, 0, &sqe)) {
			void *io = rs_slot(&conn, 0, sqe.tag);
			bool held = false;
			int32_t res;

			if (sqe.tag == VFSD_TAG_NONE)
				continue;
			res = handle(&sqe, io, &held);
			rs_post(&conn, 0, sqe.id, res);
			if (held) {
				/* Let the kernel consume the reply first. */
				rs_enter(&conn, 0, 0);
				if (is("held-read"))
					held_release(true);
				else if (is("held-write") && unreg(2))
					finding("unregister after the reply failed");
			}
		}
	}
	if (is("outlive"))
		outlive();
	return 0;
}

/* ---- the application ---------------------------------------------------- */

static int app_check(const uint8_t *p, size_t len, uint64_t off)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != pat(off + i)) {
			printf("app: byte %zu at %llu is %#x, expected %#x\n", i,
			       (unsigned long long)off, p[i], pat(off + i));
			return 1;
		}
	}
	return 0;
}

static int app(const char *mnt)
{
	static uint8_t buf[IO_SIZE] __attribute__((aligned(4096)));
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/f", mnt);
	if (is("odirect")) {
		fd = open(path, O_RDONLY | O_DIRECT);
		n = fd < 0 ? -1 : pread(fd, buf, IO_SIZE, 0);
		if (n != IO_SIZE)
			return printf("app: O_DIRECT read: %zd %m\n", n), 1;
		return app_check(buf, IO_SIZE, 0);
	}
	if (is("write-source") || is("held-write")) {
		int err;

		fd = open(path, O_RDWR);
		for (size_t i = 0; i < IO_SIZE; i++)
			buf[i] = (uint8_t)~pat(i);
		if (fd < 0 || pwrite(fd, buf, IO_SIZE, 0) != IO_SIZE)
			return printf("app: write: %m\n"), 1;
		err = fsync(fd) ? errno : 0;
		if (is("held-write") && err != EIO)
			return printf("app: fsync after a held WRITE: %s, not EIO\n",
				      strerror(err)), 1;
		if (is("write-source") && err)
			return printf("app: fsync: %s\n", strerror(err)), 1;
		return 0;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return printf("app: open: %m\n"), 1;
	n = pread(fd, buf, IO_SIZE, 0);
	if (is("held-read") || is("kill") || is("outlive")) {
		/*
		 * The held READ's data was dropped: the read fails, or the
		 * page cache's own retry (read_folio) got an honest reply.
		 */
		if (n > 0 && app_check(buf, (size_t)n, 0))
			return 1;
		if (is("kill") || is("outlive"))
			return 0;
		/* After the late bytes: none of them in the page cache. */
		for (int i = 0; i < 1000 && !sh->late_written; i++)
			usleep(10000);
		if (!sh->late_written)
			return printf("app: the late write never came\n"), 1;
		n = pread(fd, buf, IO_SIZE, 0);
	}
	if (n != IO_SIZE)
		return printf("app: read: %zd %m\n", n), 1;
	return app_check(buf, IO_SIZE, 0);
}

/* ---- main --------------------------------------------------------------- */

/* Without the feature: the bit is off and the command is refused. */
static int absent(void)
{
	int r;

	if (conn.s.features & VFSD_FEAT_URING_BUF) {
		printf("FINDING absent: the kernel offers registered buffers\n");
		return 1;
	}
	if (io_uring_queue_init(4, &ring, 0))
		return printf("io_uring_queue_init failed\n"), 1;
	r = buf_cmd_on(&ring, VFSD_URING_CMD_REGISTER_BUF, 1, 0, 0, 0);
	if (r != -EOPNOTSUPP) {
		printf("FINDING absent: the command gave %d, not EOPNOTSUPP\n", r);
		return 1;
	}
	printf("ok absent: no VFSD_FEAT_URING_BUF, URING_CMD refused\n");
	return 0;
}

static bool wait_child(pid_t pid, double secs, int *st)
{
	return rs_wait_deadline(pid, secs, st);
}

int main(int argc, char **argv)
{
	static const char *const cases[] = {
		"fixed-read", "held-read", "write-source", "held-write",
		"child", "bad-args", "odirect", "kill", "outlive", NULL,
	};
	pid_t srv, ap;
	int st, r;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (r = 0; cases[r]; r++)
			printf("%s\n", cases[r]);
		return 0;
	}
	if (argc != 3)
		return fprintf(stderr, "usage: uringbuf CASE MNT | list\n"), 2;
	cname = argv[1];
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (is("absent")) {
		r = rs_setup_flags(&conn, 1, 16, 8u << 20, VFSD_SETUP_PIN);
		if (r)
			return printf("setup: %s\n", strerror(-r)), 1;
		return absent();
	}
	/* Only the server holds the connection and the ring. */
	srv = fork();
	if (srv == 0)
		_exit(serve(argv[2]));
	for (r = 0; r < 3000 && !sh->ready; r++)
		usleep(10000);
	if (sh->ready != 1) {
		kill(srv, SIGKILL);
		waitpid(srv, &st, 0);
		return sh->ready == 77 ? 77 : 1;
	}
	ap = fork();
	if (ap == 0) {
		r = app(argv[2]);
		fflush(stdout);
		_exit(r);
	}
	if (!wait_child(ap, APP_LIMIT, &st)) {
		finding("the application did not finish in %.0f s", APP_LIMIT);
		kill(ap, SIGKILL);
		kill(srv, SIGKILL);
	} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		finding("the application failed (status %#x)", st);
	}
	if (umount2(argv[2], 0) && umount2(argv[2], MNT_DETACH))
		finding("umount: %m");
	if (is("outlive")) {
		for (r = 0; r < 2000 && !sh->stage; r++)
			usleep(10000);
		if (!sh->stage)
			finding("the server did not let go of the connection");
		/* The server's ring still holds a buffer: the module stays. */
		if (!syscall(SYS_delete_module, "vfsd", O_NONBLOCK)) {
			printf("FATAL outlive: vfsd unloaded under a live buffer\n");
			return 1;
		}
		__atomic_store_n(&sh->stage, 2, __ATOMIC_SEQ_CST);
	}
	if (!wait_child(srv, 30, &st)) {
		finding("the server did not end after umount");
		kill(srv, SIGKILL);
		waitpid(srv, &st, 0);
	} else if (!is("kill") && (!WIFEXITED(st) || WEXITSTATUS(st))) {
		finding("the server failed (status %#x)", st);
	}
	if (is("write-source") && !sh->write_seen)
		finding("no WRITE reached the server");
	if (sh->findings)
		return 1;
	printf("ok %s: the safe behaviour\n", cname);
	return 0;
}
