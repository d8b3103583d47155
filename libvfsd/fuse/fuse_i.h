/* SPDX-License-Identifier: MIT */
/*
 * The FUSE transport: the same struct vfsd_ops served over /dev/fuse
 * through libfuse3's lowlevel API (docs/fuse-transport.md).
 *
 * N worker threads read the one /dev/fuse fd, as libfuse's own
 * multithreaded loop does by default. Each serves one request at a time:
 * it runs the op, then calls ops.batch_end until no request waits for its
 * backend's I/O, so a req an op kept (an asynchronous reply) is replied
 * to on the thread it came on, before the thread reads the next request.
 * That makes one struct vfsd_req and one data buffer per thread enough.
 *
 * FUSE over io_uring (VFSD_FUSE_URING=1, libfuse >= 3.18, uring.c):
 * libfuse's own threads serve the requests instead, its ring threads
 * (one per CPU) and its /dev/fuse loop (INIT, FORGET, and whatever comes
 * before the ring is up). Each takes a worker slot the first time it
 * calls an op, and finishes the request inside the op (end() in
 * ops.c), as the workers do after process_buf.
 */
#ifndef LIBVFSD_FUSE_I_H
#define LIBVFSD_FUSE_I_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "vfsd_i.h"

/*
 * libfuse 3.14 caps max_write at 256 pages; Linux (6.1 and later by
 * default) caps max_pages at 256 too: 1 MiB per READ or WRITE.
 */
#define VFSD_FUSE_MAX_IO	(1u << 20)
/* The largest xattr value or list Linux passes (XATTR_SIZE_MAX). */
#define VFSD_FUSE_SLOT		65536u

struct vfsd_fuse {
	struct fuse_session *se;
	int fd;			/* /dev/fuse; libfuse closes it */
	unsigned int nr_threads;
	bool writeback_cache;	/* the kernel agreed at INIT */
	bool splice;		/* splice asked for (VFSD_FUSE_SPLICE, default on) */
	/* At INIT: what libfuse offered, what we asked, what was granted. */
	unsigned int capable, requested, want;
	/*
	 * File bytes copied in the server's threads, for --stats:
	 * READ replies written to /dev/fuse (the kernel copies them from
	 * our buffer into the reader's pages, in our writev), WRITE data
	 * received (the kernel copied it into our buffer in read() of
	 * /dev/fuse, or, spliced, we copy it out of the pipe: _spliced).
	 */
	uint64_t copy_read, copy_write, copy_write_spliced;
	/* FUSE over io_uring: asked for, and requests served each way. */
	bool uring;
	uint64_t reqs_uring, reqs_dev;
	/* io_uring: libfuse's threads take worker slots (queues) from here. */
	unsigned int claimed;
	pthread_t loop_thread;
	bool loop_started;
};

struct vfsd_fuse_worker {
	struct vfsd_req req;	/* the one request this thread serves */
	fuse_req_t freq;	/* its libfuse request, until the reply */
	char *data;		/* READ data, WRITE copies, readdir entries */
	char *slot;		/* the reply payload reply.c encodes */
	struct fuse_buf fbuf;	/* what libfuse received, names point in */
	uint64_t seq;		/* request ids for the debug log */
	char *out;		/* READ data: data, or the io_uring payload */
	bool libfuse_thread;	/* io_uring: a thread of libfuse's own */
	int cancel_state;	/* io_uring: the thread's, restored by end() */
};

/* ops.c: the lowlevel ops table for the server's vfsd ops. */
void vfsd_fuse_ll_ops(const struct vfsd_ops *ops, struct fuse_lowlevel_ops *ll);
/* The worker serving the calling thread. */
struct vfsd_fuse_worker *vfsd_fuse_self(void);
void vfsd_fuse_set_self(struct vfsd_fuse_worker *w);

/* reply.c */
extern const struct vfsd_xport vfsd_fuse_xport;

/* tune.c: capabilities at INIT, readahead after the mount. */
void vfsd_fuse_tune_init(struct vfsd_fuse *fu, struct fuse_conn_info *conn);
void vfsd_fuse_tune_readahead(const char *mountpoint, unsigned int max_read);

/* worker.c */
int vfsd_fuse_workers_start(struct vfsd_session *s);
void vfsd_fuse_workers_stop(struct vfsd_session *s);
int vfsd_fuse_queues_alloc(struct vfsd_session *s, unsigned int n);
void vfsd_fuse_drain(struct vfsd_queue *q);

/*
 * uring.c (libfuse >= 3.18) or uring_none.c: FUSE over
 * io_uring through libfuse's own loop.
 */
bool vfsd_fuse_uring_wanted(void);	/* VFSD_FUSE_URING=1 */
int vfsd_fuse_uring_check(void);	/* 0, or why it cannot be had */
int vfsd_fuse_uring_add_args(struct fuse_args *args);
void vfsd_fuse_uring_tune(struct vfsd_fuse *fu, struct fuse_conn_info *conn);
int vfsd_fuse_uring_start(struct vfsd_session *s);
void vfsd_fuse_uring_stop(struct vfsd_session *s);
/* A worker for one of libfuse's threads; sets vfsd_fuse_self(). */
struct vfsd_fuse_worker *vfsd_fuse_claim(struct vfsd_session *s);
bool vfsd_fuse_req_uring(fuse_req_t f);
/* The ring entry's payload buffer if it holds size bytes, else NULL. */
char *vfsd_fuse_payload(fuse_req_t f, size_t size);

/* convert.c */
int vfsd_set_attr_from_fuse(int fuse_valid);
void vfsd_stat_from_attr(struct stat *st, const struct vfsd_attr *a);
double vfsd_timeout_sec(uint64_t ns);
void vfsd_statvfs_from_out(struct statvfs *st, const struct vfsd_statfs_out *o);
#endif /* LIBVFSD_FUSE_I_H */
