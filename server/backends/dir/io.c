// SPDX-License-Identifier: MIT
/* Host file I/O for the dir backend; see backends/dir/io.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBURING
#include <liburing.h>
#endif

#include "backends/dir/dir.h"
#include "backends/dir/direct.h"
#include "backends/dir/io.h"

struct dir_io_op {
	struct vfsd_req *req;
	struct dir_file *f;
	char *buf;
	size_t size;
	size_t done;
	size_t direct_end;	/* [0, direct_end) through f->direct_fd */
	size_t dev_done;	/* of done, moved by the disk (O_DIRECT) */
	off_t off;
	bool write;
	/* io_uring: the pages as registered buffer `slot` (O_DIRECT pieces) */
	bool fixed;
	int slot;		/* -1: none held */
	unsigned int due;	/* CQEs the current piece still owes */
	int res;		/* the piece's I/O result */
	bool reg_failed;	/* the register command was refused */
};

/* The next piece goes O_DIRECT while in the aligned head. */
static bool in_direct(const struct dir_io_op *op)
{
	return op->done < op->direct_end;
}

static int piece_fd(const struct dir_io_op *op)
{
	return in_direct(op) ? op->f->direct_fd : op->f->fd;
}

static size_t piece_len(const struct dir_io_op *op)
{
	return (in_direct(op) ? op->direct_end : op->size) - op->done;
}

/* n bytes of the current piece are done. */
static void advance(struct dir_io_op *op, size_t n)
{
	if (in_direct(op)) {
		op->dev_done += n;
		/* Short at end of file: the rest (none) goes buffered. */
		if (n < op->direct_end - op->done)
			op->direct_end = op->done + n;
	}
	op->done += n;
}

/*
 * An O_DIRECT piece failed: pages nothing may pin (an application's own
 * pages of an O_DIRECT request: EFAULT), an alignment the file did not
 * announce (EINVAL), a device error. The rest goes buffered, which
 * answers with the error if it is real.
 */
static void leave_direct(struct dir_io_op *op)
{
	op->direct_end = op->done;
}

static void finish(struct dir_io_op *op, int err)
{
	struct copy_stats *stats = &FS(op->req)->copied;

	/* The host kernel copied the buffered bytes, the disk the rest. */
	copy_stats_add(stats, op->write ? COPY_WRITE : COPY_READ,
		       op->done - op->dev_done);
	copy_stats_add(stats, op->write ? COPY_DEV_WRITE : COPY_DEV_READ,
		       op->dev_done);
	/*
	 * Bytes read before an error still count. A write that stopped
	 * short reports the error (ENOSPC, EDQUOT): the module takes any
	 * short writeback as EIO, which would hide why.
	 */
	if (err && (op->done == 0 || op->write))
		vfsd_reply_err(op->req, err);
	else if (op->write)
		vfsd_reply_write(op->req, op->done);
	else
		vfsd_reply_read(op->req, op->done);
	dir_file_put(op->f);
	free(op);
}

/*
 * The source's I/O pins its buffer (9p, NFS and FUSE direct I/O) and the
 * window's pages are not pinnable (EFAULT): move the rest through a
 * buffer of ours, one more CPU copy, counted. Returns 0 or an errno.
 */
static int bounce_rest(struct dir_io_op *op)
{
	size_t left = op->size - op->done, got = 0;
	char *tmp = malloc(left);
	int err = 0;

	if (!tmp)
		return ENOMEM;
	if (op->write)
		memcpy(tmp, op->buf + op->done, left);
	while (got < left) {
		off_t at = op->off + (off_t)(op->done + got);
		ssize_t n = op->write ? pwrite(op->f->fd, tmp + got, left - got, at)
				      : pread(op->f->fd, tmp + got, left - got, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : op->write ? EIO : 0;
			break;
		}
		got += (size_t)n;
	}
	if (!op->write)
		memcpy(op->buf + op->done, tmp, got);
	op->done += got;
	copy_stats_add(&FS(op->req)->copied, COPY_BOUNCE, got);
	free(tmp);
	return err;
}

/* The synchronous path: loop until done, end of file or an error. */
static void run_sync(struct dir_io_op *op)
{
	int err = 0;

	while (op->done < op->size) {
		size_t left = piece_len(op);
		off_t at = op->off + (off_t)op->done;
		int fd = piece_fd(op);
		ssize_t n = op->write ? pwrite(fd, op->buf + op->done, left, at)
				      : pread(fd, op->buf + op->done, left, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && in_direct(op)) {
			leave_direct(op);
			continue;
		}
		if (n < 0 && errno == EFAULT) {
			err = bounce_rest(op);
			break;
		}
		if (n < 0)
			err = errno;
		else if (n == 0 && op->write)
			err = EIO;	/* no progress: never spin */
		if (n <= 0)
			break;
		advance(op, (size_t)n);
	}
	finish(op, err);
}

#ifdef HAVE_LIBURING

#define RING_ENTRIES	256

/* user_data: the op, and in its low bits which of a piece's SQEs. */
enum { CQE_IO, CQE_REG, CQE_UNREG, CQE_KIND_MASK = 3 };

struct dir_io {
	struct io_uring ring;
	unsigned int inflight;	/* ops queued or submitted, not finished */
	bool complained;
	bool fixed_done;	/* a piece through a buffer ended this round */
	/* Free slots of the sparse buffer table (fs->uring_bufs). */
	int *free_slots;
	unsigned int nr_free;
	bool slots_tried;
};

static __thread struct dir_io *tls_io;
static __thread bool tls_no_uring;	/* init failed: stay synchronous */
static pthread_key_t io_key;
static pthread_once_t io_once = PTHREAD_ONCE_INIT;

static void io_free(void *p)
{
	struct dir_io *io = p;

	io_uring_queue_exit(&io->ring);
	free(io->free_slots);
	free(io);
}

static void make_key(void)
{
	pthread_key_create(&io_key, io_free);
}

/* This thread's ring, made on first use; NULL: use the sync path. */
static struct dir_io *thread_io(void)
{
	struct dir_io *io;

	if (tls_io || tls_no_uring)
		return tls_io;
	pthread_once(&io_once, make_key);
	io = calloc(1, sizeof(*io));
	if (!io || io_uring_queue_init(RING_ENTRIES, &io->ring, 0) < 0) {
		free(io);
		tls_no_uring = true;
		return NULL;
	}
	pthread_setspecific(io_key, io);	/* freed when the thread ends */
	tls_io = io;
	return io;
}

/*
 * The ring's sparse buffer table, one slot per request the queue can
 * have in flight; made once. False: no registered buffers here.
 */
static bool slots_ready(struct dir_io *io, const struct dir_fs *fs)
{
	unsigned int i;

	if (io->slots_tried)
		return io->free_slots != NULL;
	io->slots_tried = true;
	io->free_slots = calloc(fs->buf_slots, sizeof(*io->free_slots));
	if (!io->free_slots)
		return false;
	if (io_uring_register_buffers_sparse(&io->ring, fs->buf_slots) < 0) {
		vfsd_log(VFSD_LOG_WARNING, "io_uring: no sparse buffer table: "
			 "O_DIRECT goes through the window");
		free(io->free_slots);
		io->free_slots = NULL;
		return false;
	}
	for (i = 0; i < fs->buf_slots; i++)
		io->free_slots[io->nr_free++] = (int)(fs->buf_slots - 1 - i);
	return true;
}

/* After the prep helper, which may clear the SQE. */
static void set_data(struct io_uring_sqe *sqe, struct dir_io_op *op, int kind)
{
	io_uring_sqe_set_data64(sqe, (uintptr_t)op | (unsigned int)kind);
}

/*
 * An O_DIRECT piece through the request's pages as a registered buffer:
 * register, the fixed I/O, unregister. The unregister is hard-linked so
 * that it runs whatever the I/O did, and the op waits for all three
 * CQEs: the reply must find the buffer gone. False: no room, or no slot.
 */
static bool prep_fixed(struct dir_io *io, struct dir_io_op *op,
		       unsigned int left, __u64 at)
{
	struct io_uring_sqe *reg, *rw, *unreg;
	void *addr = (void *)(uintptr_t)op->done;	/* offset in the request */
	int slot;

	if (io->nr_free == 0)
		return false;
	if (io_uring_sq_space_left(&io->ring) < 3)
		io_uring_submit(&io->ring);
	if (io_uring_sq_space_left(&io->ring) < 3)
		return false;
	slot = io->free_slots[--io->nr_free];
	/* request_has_buf() said yes: these do not fail. */
	reg = io_uring_get_sqe(&io->ring);
	vfsd_req_prep_buf_register(op->req, reg, (unsigned int)slot);
	set_data(reg, op, CQE_REG);
	reg->flags |= IOSQE_IO_LINK;
	rw = io_uring_get_sqe(&io->ring);
	if (op->write)
		io_uring_prep_write_fixed(rw, op->f->direct_fd, addr, left, at, slot);
	else
		io_uring_prep_read_fixed(rw, op->f->direct_fd, addr, left, at, slot);
	set_data(rw, op, CQE_IO);
	rw->flags |= IOSQE_IO_HARDLINK;
	unreg = io_uring_get_sqe(&io->ring);
	vfsd_req_prep_buf_unregister(op->req, unreg, (unsigned int)slot);
	set_data(unreg, op, CQE_UNREG);
	op->slot = slot;
	op->due = 3;
	return true;
}

/* Queue (the rest of) op; false if the ring has no room at all. */
static bool prep(struct dir_io *io, struct dir_io_op *op)
{
	unsigned int left = (unsigned int)piece_len(op);
	__u64 at = (__u64)op->off + op->done;
	struct io_uring_sqe *sqe;
	int fd = piece_fd(op);

	if (in_direct(op) && op->fixed && !op->reg_failed &&
	    slots_ready(io, FS(op->req)) && prep_fixed(io, op, left, at))
		return true;
	sqe = io_uring_get_sqe(&io->ring);
	if (!sqe) {
		io_uring_submit(&io->ring);	/* make room */
		sqe = io_uring_get_sqe(&io->ring);
		if (!sqe)
			return false;
	}
	if (op->write)
		io_uring_prep_write(sqe, fd, op->buf + op->done, left, at);
	else
		io_uring_prep_read(sqe, fd, op->buf + op->done, left, at);
	set_data(sqe, op, CQE_IO);
	op->due = 1;
	return true;
}

static void start(struct dir_io_op *op)
{
	struct dir_io *io = thread_io();

	if (!io || !prep(io, op)) {
		run_sync(op);
		return;
	}
	io->inflight++;
}

/* One piece's I/O is done: done, or go again for the rest. */
static void complete(struct dir_io *io, struct dir_io_op *op, int res)
{
	bool stop = false;
	int err = 0;

	if (res > 0 && op->slot >= 0)
		copy_stats_add(&FS(op->req)->copied, COPY_DEV_FIXED,
			       (uint64_t)res);
	if (op->slot >= 0) {
		io->free_slots[io->nr_free++] = op->slot;
		op->slot = -1;
		io->fixed_done = true;
	}
	if (res == -ECANCELED && op->reg_failed)
		;	/* the buffer was refused: again through the window */
	else if (res > 0)
		advance(op, (size_t)res);
	else if (res < 0 && res != -EINTR && res != -EAGAIN && in_direct(op))
		leave_direct(op);
	else if (res == -EFAULT)	/* the source pins: see bounce_rest() */
		stop = true, err = bounce_rest(op);
	else if (res == 0)		/* read: end of file; write: stuck */
		stop = true, err = op->write ? EIO : 0;
	else if (res != -EINTR && res != -EAGAIN)
		stop = true, err = -res;
	if (stop || op->done == op->size) {
		io->inflight--;
		finish(op, err);
	} else if (!prep(io, op)) {	/* short: ask for the rest */
		io->inflight--;
		finish(op, EIO);
	}
}

/*
 * One CQE. A piece through a registered buffer ends with its third:
 * only then is the buffer surely gone, and the slot free again. An
 * unregister that failed leaves the slot taken (never reused).
 */
static void on_cqe(struct dir_io *io, uint64_t data, int res)
{
	struct dir_io_op *op = (void *)(uintptr_t)(data & ~(uint64_t)CQE_KIND_MASK);

	switch (data & CQE_KIND_MASK) {
	case CQE_REG:
		op->reg_failed = res < 0;
		break;
	case CQE_UNREG:
		if (res < 0 && !op->reg_failed) {
			if (!io->complained)
				vfsd_log(VFSD_LOG_ERR, "io_uring: unregister "
					 "buffer %d: %s", op->slot, strerror(-res));
			io->complained = true;
			op->slot = -1;	/* still taken */
		}
		break;
	default:
		op->res = res;
	}
	if (--op->due == 0)
		complete(io, op, op->res);
}

int dir_io_batch_end(void *userdata, unsigned int queue, int wait)
{
	struct dir_io *io = tls_io;
	struct io_uring_cqe *cqe;
	int ret;

	(void)userdata;
	(void)queue;
	if (!io || io->inflight == 0)
		return 0;
	ret = io_uring_submit_and_wait(&io->ring, wait ? 1 : 0);
	/* Once: the queue retries, a flood of lines would not help. */
	if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN &&
	    !io->complained) {
		vfsd_log(VFSD_LOG_ERR, "io_uring submit: %s", strerror(-ret));
		io->complained = true;
	}
	while (io_uring_peek_cqe(&io->ring, &cqe) == 0) {
		uint64_t data = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&io->ring, cqe);
		on_cqe(io, data, res);
	}
	/* Retries queued by complete() go out now, not next batch. */
	if (io->inflight)
		io_uring_submit(&io->ring);
	/*
	 * A fixed read that ran in io-wq is freed by this thread's task work,
	 * and only that lets go of its buffer: run it now, before the reply
	 * reaches the kernel (which fails a request whose buffer is still
	 * held, and waits in our own ENTER, where task work cannot run).
	 */
	if (io->fixed_done) {
		io->fixed_done = false;
		io_uring_get_events(&io->ring);
	}
	return (int)io->inflight;
}

int dir_io_uses_uring(void)
{
	return thread_io() != NULL;
}

#else /* !HAVE_LIBURING */

static void start(struct dir_io_op *op)
{
	run_sync(op);
}

int dir_io_batch_end(void *userdata, unsigned int queue, int wait)
{
	(void)userdata;
	(void)queue;
	(void)wait;
	return 0;
}

int dir_io_uses_uring(void)
{
	return 0;
}

#endif

/* Whether the kernel offers this request's pages to io_uring. */
static bool request_has_buf(struct vfsd_req *req)
{
#ifdef HAVE_LIBURING
	struct io_uring_sqe probe;

	return vfsd_req_prep_buf_register(req, &probe, 0) == 0;
#else
	(void)req;
	return false;
#endif
}

static void queue_op(struct vfsd_req *req, struct dir_file *f, char *buf,
		     size_t size, off_t off, bool write)
{
	struct dir_io_op *op = malloc(sizeof(*op));

	if (!op) {
		dir_file_put(f);
		vfsd_reply_err(req, ENOMEM);
		return;
	}
	*op = (struct dir_io_op){ .req = req, .f = f, .buf = buf,
				  .size = size, .off = off, .write = write,
				  .slot = -1 };
	op->fixed = FS(req)->uring_bufs && request_has_buf(req);
	if (FS(req)->source_dio)
		op->direct_end = dir_direct_span(f, buf, size, off);
	if (size == 0) {
		finish(op, 0);
		return;
	}
	start(op);
}

void dir_io_read(struct vfsd_req *req, struct dir_file *f, void *buf,
		 size_t size, off_t off)
{
	queue_op(req, f, buf, size, off, false);
}

void dir_io_write(struct vfsd_req *req, struct dir_file *f, const void *buf,
		  size_t size, off_t off)
{
	/* The pages are read-only: the op only ever reads through buf. */
	queue_op(req, f, (char *)buf, size, off, true);
}
