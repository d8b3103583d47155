// SPDX-License-Identifier: MIT
/*
 * The xdma driver: Xilinx XDMA character devices. pwrite to h2c_N and
 * pread from c2h_N at file offset = card address run a scatter-gather
 * DMA from/to the (pinned) user buffer. A transfer is cut into chunks
 * issued through io_uring with several in flight; one that fails, comes
 * back short or outlives the timeout fails the whole transfer with EIO.
 * Regular files stand in for the two devices in tests. The card memory
 * is not mappable here: map() is NULL, metadata goes through transfer().
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_LIBURING
#include <liburing.h>
#endif

#include <vfsd/vfsd.h>

#include "fpga/driver.h"

#define CHUNK		(256u << 10)	/* per request in flight */
#define DEPTH		16

struct xdma_card {
	struct fpga_dev dev;
	int h2c, c2h;
	unsigned int timeout_ms;
	pthread_mutex_t lock;		/* one ring, one transfer at a time */
#ifdef HAVE_LIBURING
	struct io_uring ring;
	bool have_ring;
#endif
};

#define XC(d)	((struct xdma_card *)(d))

static void log_once(const struct fpga_dev *dev, const char *what, int err)
{
	static int logged;

	if (!__atomic_exchange_n(&logged, 1, __ATOMIC_RELAXED))
		vfsd_log(VFSD_LOG_ERR, "%s: %s: %s (further errors not logged)",
			 dev->desc, what, strerror(err));
}

/* Without a ring: one blocking pread/pwrite after the other. */
static int sync_rw(struct xdma_card *c, enum fpga_dir dir,
		   const struct fpga_seg *s)
{
	size_t done = 0;

	while (done < s->len) {
		ssize_t n = dir == FPGA_TO_CARD ?
			pwrite(c->h2c, (char *)s->buf + done, s->len - done,
			       (off_t)(s->card + done)) :
			pread(c->c2h, (char *)s->buf + done, s->len - done,
			      (off_t)(s->card + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_once(&c->dev, dir == FPGA_TO_CARD ? "h2c" : "c2h",
				 n < 0 ? errno : EIO);
			return -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

#ifdef HAVE_LIBURING
/* The chunks of segs, in order: cursor over (segment, offset). */
struct cursor {
	const struct fpga_seg *segs;
	unsigned int n, i;
	size_t off;
};

static bool next_chunk(struct cursor *cur, struct fpga_seg *out)
{
	while (cur->i < cur->n && cur->off >= cur->segs[cur->i].len) {
		cur->i++;
		cur->off = 0;
	}
	if (cur->i == cur->n)
		return false;
	out->buf = (char *)cur->segs[cur->i].buf + cur->off;
	out->card = cur->segs[cur->i].card + cur->off;
	out->len = cur->segs[cur->i].len - cur->off < CHUNK ?
		   cur->segs[cur->i].len - cur->off : CHUNK;
	cur->off += out->len;
	return true;
}

/* Cancel what is in flight and wait for it: its buffers are ours again. */
static void drain(struct xdma_card *c, unsigned int inflight)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	struct io_uring_cqe *cqe;

	if (sqe) {
		io_uring_prep_cancel(sqe, NULL, IORING_ASYNC_CANCEL_ANY);
		io_uring_sqe_set_data(sqe, NULL);
		io_uring_submit(&c->ring);
		inflight++;
	}
	while (inflight && io_uring_wait_cqe(&c->ring, &cqe) == 0) {
		io_uring_cqe_seen(&c->ring, cqe);
		inflight--;
	}
}

static int ring_rw(struct xdma_card *c, enum fpga_dir dir,
		   const struct fpga_seg *segs, unsigned int n)
{
	struct cursor cur = { segs, n, 0, 0 };
	struct __kernel_timespec ts = {
		.tv_sec = c->timeout_ms / 1000,
		.tv_nsec = (long long)(c->timeout_ms % 1000) * 1000000,
	};
	struct fpga_seg chunk;
	unsigned int inflight = 0;
	bool more = true;
	int err = 0;

	while (!err && (more || inflight)) {
		struct io_uring_cqe *cqe;
		int ret;

		while (more && inflight < DEPTH) {
			struct io_uring_sqe *sqe;

			if (!(more = next_chunk(&cur, &chunk)))
				break;
			/* The ring has room for twice DEPTH: never NULL. */
			sqe = io_uring_get_sqe(&c->ring);
			if (dir == FPGA_TO_CARD)
				io_uring_prep_write(sqe, c->h2c, chunk.buf,
						    (unsigned int)chunk.len,
						    chunk.card);
			else
				io_uring_prep_read(sqe, c->c2h, chunk.buf,
						   (unsigned int)chunk.len,
						   chunk.card);
			io_uring_sqe_set_data(sqe, (void *)(uintptr_t)chunk.len);
			inflight++;
		}
		ret = io_uring_submit_and_wait_timeout(&c->ring, &cqe, 1, &ts,
							NULL);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			log_once(&c->dev, ret == -ETIME ? "DMA timed out" :
				 "io_uring", ret == -ETIME ? ETIMEDOUT : -ret);
			err = -EIO;
			break;
		}
		while (inflight && io_uring_peek_cqe(&c->ring, &cqe) == 0) {
			size_t want = (uintptr_t)io_uring_cqe_get_data(cqe);

			if (cqe->res < 0 || (size_t)cqe->res != want) {
				log_once(&c->dev, dir == FPGA_TO_CARD ? "h2c" : "c2h",
					 cqe->res < 0 ? -cqe->res : EIO);
				err = -EIO;
			}
			io_uring_cqe_seen(&c->ring, cqe);
			inflight--;
		}
	}
	if (inflight)
		drain(c, inflight);
	return err;
}
#endif

static int xdma_transfer(struct fpga_dev *dev, enum fpga_dir dir,
			 const struct fpga_seg *segs, unsigned int n)
{
	struct xdma_card *c = XC(dev);
	unsigned int i;
	int err = 0;

	for (i = 0; i < n; i++)
		if (segs[i].card > dev->size || segs[i].len > dev->size - segs[i].card)
			return -EIO;
	pthread_mutex_lock(&c->lock);
#ifdef HAVE_LIBURING
	if (c->have_ring) {
		err = ring_rw(c, dir, segs, n);
		pthread_mutex_unlock(&c->lock);
		return err;
	}
#endif
	for (i = 0; i < n && !err; i++)
		err = sync_rw(c, dir, &segs[i]);
	pthread_mutex_unlock(&c->lock);
	return err;
}

static void *xdma_map(struct fpga_dev *dev, uint64_t off, size_t len)
{
	(void)dev;
	(void)off;
	(void)len;
	return NULL;
}

static int xdma_flush(struct fpga_dev *dev)
{
	/* The devices write through; a stand-in file needs its fsync. */
	if (fsync(XC(dev)->h2c) < 0 && errno != EINVAL && errno != EROFS)
		return -EIO;
	return 0;
}

static void xdma_close(struct fpga_dev *dev)
{
	struct xdma_card *c = XC(dev);

#ifdef HAVE_LIBURING
	if (c->have_ring)
		io_uring_queue_exit(&c->ring);
#endif
	close(c->h2c);
	close(c->c2h);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static const struct fpga_driver_ops xdma_driver = {
	.name = "xdma",
	.pins_buffers = true,
	.transfer = xdma_transfer,
	.map = xdma_map,
	.flush = xdma_flush,
	.close = xdma_close,
};

static int open_channel(const char *path, int flags, const char *which)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		vfsd_log(VFSD_LOG_ERR, "xdma %s channel %s: %s (load the xdma "
			 "driver, or give --%s=PATH)", which, path,
			 strerror(errno), which);
	return fd < 0 ? -errno : fd;
}

int fpga_drv_xdma_open(const struct fpga_config *cfg, uint64_t size,
		       struct fpga_dev **dev)
{
	const char *h2c = cfg->h2c ? cfg->h2c : "/dev/xdma0_h2c_0";
	const char *c2h = cfg->c2h ? cfg->c2h : "/dev/xdma0_c2h_0";
	struct xdma_card *c = calloc(1, sizeof(*c));
	struct stat st;

	if (!c)
		return -ENOMEM;
	c->h2c = open_channel(h2c, O_WRONLY, "h2c");
	c->c2h = c->h2c < 0 ? -1 : open_channel(c2h, O_RDONLY, "c2h");
	if (c->c2h < 0) {
		int err = c->h2c < 0 ? c->h2c : c->c2h;

		if (c->h2c >= 0)
			close(c->h2c);
		free(c);
		return err;
	}
	c->dev.ops = &xdma_driver;
	c->dev.size = size;
	/* A stand-in file knows its size; a device does not. */
	if (!c->dev.size && fstat(c->c2h, &st) == 0 && S_ISREG(st.st_mode))
		c->dev.size = (uint64_t)st.st_size;
	if (!c->dev.size) {
		vfsd_log(VFSD_LOG_ERR, "xdma: give the card memory size with "
			 "--size=BYTES");
		close(c->h2c);
		close(c->c2h);
		free(c);
		return -EINVAL;
	}
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms
					: FPGA_DEFAULT_TIMEOUT_MS;
	pthread_mutex_init(&c->lock, NULL);
#ifdef HAVE_LIBURING
	c->have_ring = io_uring_queue_init(DEPTH * 2, &c->ring, 0) == 0;
#endif
	snprintf(c->dev.desc, sizeof(c->dev.desc), "xdma card %s", h2c);
	*dev = &c->dev;
	return 0;
}
