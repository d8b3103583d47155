/* SPDX-License-Identifier: MIT */
/*
 * libvfsd internals: the session, its queues and requests. Not installed;
 * the unit tests include it to drive a queue without the device.
 */
#ifndef LIBVFSD_VFSD_I_H
#define LIBVFSD_VFSD_I_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/vfsd.h>
#include <vfsd/vfsd.h>

#define VFSD_API __attribute__((visibility("default")))

/* The kernel's limit on a symlink target (its READLINK reply buffer). */
#define VFSD_LINK_MAX		4095
#define VFSD_XATTR_NAME_MAX	255

struct vfsd_queue;
struct vfsd_req;
struct vfsd_fuse;
struct vfsd_fuse_worker;

/*
 * A transport other than the rings. reply.c checks and encodes every
 * reply the same way for all transports, into req->slot as the ABI's
 * structures, then hands it to post(); the ring path never looks here.
 */
struct vfsd_xport {
	/* result as a CQE's: -errno, or the count or 0 with the payload. */
	int (*post)(struct vfsd_req *req, int32_t result);
	/* One readdir entry, name already checked; 0 if it does not fit. */
	size_t (*dirent)(struct vfsd_req *req, const char *name,
			 vfsd_ino_t ino, mode_t mode, off_t next_off);
	/* Did the kernel interrupt the request? */
	bool (*interrupted)(struct vfsd_req *req);
};

struct vfsd_req {
	struct vfsd_queue *q;
	const struct vfsd_xport *xport;	/* NULL: the ring */
	struct vfsd_sqe sqe;	/* private copy, never re-read from the ring */
	struct vfsd_ctx ctx;
	char *in;		/* private copy of the inline payload + NUL */
	uint32_t in_len;
	struct vfsd_file_info fi; /* lives as long as the req, for async ops */
	char *slot;		/* the tag's inline slot: reply payload */
	uint32_t dir_used;	/* readdir bytes packed into the slot */
	uint32_t dir_max;
	bool in_flight;		/* posted by the kernel, not yet replied */
	bool interrupted;	/* VFSD_OP_INTERRUPT named it */
};

struct vfsd_queue {
	struct vfsd_session *s;
	unsigned int index;

	struct vfsd_ring_hdr *hdr;
	struct vfsd_sqe *sq;
	struct vfsd_cqe *cq;
	char *inline_base;
	char *window;
	uint32_t depth;
	uint32_t mask;
	/* Our own copies of the indices we write; the ring's are outputs. */
	uint32_t sq_head;
	uint32_t cq_tail;

	struct vfsd_req *reqs;	/* by tag */
	char *inbufs;		/* depth payload copies of inline_size + 1 */

	bool mapped;		/* ring and window came from mmap() */
	bool thread_started;
	pthread_t thread;
	int exit_err;		/* why the thread ended: -ENODEV, ... */
	struct vfsd_fuse_worker *fuse;	/* fuse: this thread's state */
};

struct vfsd_session {
	struct vfsd_ops ops;
	struct vfsd_session_opts opts;
	void *userdata;
	bool initialized;	/* ops.init ran */

	int fd;			/* /dev/vfsd, -1 until opened */
	/* ioctl(2) on fd, or the unit tests' fake kernel: ret or -errno. */
	int (*dev_ioctl)(int fd, unsigned long cmd, void *arg);
	struct vfsd_setup setup;
	struct vfsd_conn_info conn;	/* for init() and vfsd_session_conn() */
	bool conn_ready;
	struct vfsd_queue *queues;
	unsigned int nr_queues;

	char *mountpoint;
	bool mounted;		/* by us, and not known to be gone */
	int wake[2];		/* loop wakeups: queue exits, exit, signals */

	enum vfsd_transport transport;	/* AUTO until mount chose */
	unsigned int poll_us;	/* queue threads poll this long, 0: never */
	struct vfsd_fuse *fuse;	/* fuse: the libfuse session */
};

/* log.c */
#define vfsd_err(...)	vfsd_log(VFSD_LOG_ERR, __VA_ARGS__)
#define vfsd_dbg(s, ...) \
	do { if ((s)->opts.debug) vfsd_log(VFSD_LOG_DEBUG, __VA_ARGS__); } while (0)

/* layout.c: is the ring layout the kernel returned usable? */
int vfsd_setup_check(const struct vfsd_setup *setup);

/* session.c */
int vfsd_session_attach(struct vfsd_session *s, const struct vfsd_setup *setup,
			void *const rings[], void *const windows[]);
void vfsd_session_detach(struct vfsd_session *s);

/* device.c */
int vfsd_dev_ioctl(int fd, unsigned long cmd, void *arg);
int vfsd_device_open(void);
int vfsd_device_setup(struct vfsd_session *s);
int vfsd_device_map(struct vfsd_session *s);

/* conn.c: s->conn from the setup the kernel returned. */
uint64_t vfsd_kernel_features(const struct vfsd_setup *setup);
void vfsd_conn_from_setup(struct vfsd_session *s);

/* mount.c */
int vfsd_mount_data(char *buf, size_t size, int fd,
		    const struct vfsd_session_opts *o, uid_t uid, gid_t gid);
int vfsd_fuse_mount_data(char *buf, size_t size, int fd,
			 const struct vfsd_session_opts *o, uid_t uid,
			 gid_t gid);
void vfsd_mount_error(const char *mp, int err, bool fuse);
int vfsd_mount(struct vfsd_session *s, const char *mountpoint);
void vfsd_umount(struct vfsd_session *s);

/* queue.c */
int vfsd_queue_process(struct vfsd_queue *q);
int vfsd_queue_enter(struct vfsd_queue *q, unsigned int flags,
		     unsigned int poll_us);
int vfsd_queue_batch_end(struct vfsd_queue *q, bool wait);
int vfsd_queue_post(struct vfsd_queue *q, uint64_t id, int32_t result);
int vfsd_queues_start(struct vfsd_session *s);
void vfsd_queues_stop(struct vfsd_session *s);

/* dispatch.c */
void vfsd_dispatch(struct vfsd_queue *q, const struct vfsd_sqe *sqe);
const char *vfsd_opname(unsigned int opcode);

/* decode.c */
int vfsd_decode_str(const char *buf, size_t len, size_t max,
		    const char **str, size_t *used);
int vfsd_decode_name(const char *buf, size_t len, const char **name,
		     size_t *used);

/* reply.c */
int vfsd_req_fail(struct vfsd_req *req, int err);

/* convert.c */
uint64_t vfsd_timeout_ns(double seconds);
int vfsd_attr_from_stat(struct vfsd_attr *a, const struct stat *st);
void vfsd_statfs_from_statvfs(struct vfsd_statfs_out *o,
			      const struct statvfs *st);
unsigned int vfsd_open_flags(const struct vfsd_file_info *fi);

/* transport.c: VFSD or FUSE for asked and $VFSD_TRANSPORT; -EINVAL. */
int vfsd_transport_pick(enum vfsd_transport asked, const char *env,
			bool have_device, const char **why);
const char *vfsd_transport_name(enum vfsd_transport t);
int vfsd_session_choose(struct vfsd_session *s);

/* The FUSE transport, libvfsd/fuse/ (none.c without libfuse3) */
int vfsd_fuse_mount(struct vfsd_session *s, const char *mountpoint);
void vfsd_fuse_unmount(struct vfsd_session *s);
void vfsd_fuse_free(struct vfsd_session *s);
int vfsd_fuse_inval_inode(struct vfsd_session *s, vfsd_ino_t ino, off_t off,
			  off_t len);
int vfsd_fuse_inval_entry(struct vfsd_session *s, vfsd_ino_t parent,
			  const char *name, size_t namelen);

/* session.c: ops.destroy once, if ops.init ran. */
void vfsd_session_run_destroy(struct vfsd_session *s);

/* signals.c */
int vfsd_signals_install(int fd);
void vfsd_signals_restore(int fd);

#endif /* LIBVFSD_VFSD_I_H */
