/* SPDX-License-Identifier: MIT */
/*
 * libvfsd: write a vfsd filesystem server.
 *
 * The API is nodeid based, modeled on libfuse's lowlevel API: the kernel
 * names inodes by 64-bit nodeids the server handed out in entry replies
 * (1 is the root), and every request that expects an answer gets exactly
 * one reply through one of the vfsd_reply_*() helpers.
 *
 * Requests arrive on one thread per queue; the ops of different queues run
 * concurrently. A reply is posted to the kernel the moment it is made. A
 * struct vfsd_req stays valid until it is replied to, so an op may keep it
 * and reply later from the same queue's thread (asynchronous backends);
 * after the reply the req must not be touched again.
 *
 * The same server runs over FUSE (struct vfsd_session_opts.transport,
 * docs/fuse-transport.md): there a "queue" is a worker thread serving one
 * request at a time, which it finishes (through ops.batch_end) before
 * taking the next.
 */
#ifndef VFSD_VFSD_H
#define VFSD_VFSD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vfsd_session;
struct vfsd_req;

typedef uint64_t vfsd_ino_t;

#define VFSD_ROOT_INO	((vfsd_ino_t)1)

struct vfsd_entry_param {
	vfsd_ino_t ino;		/* 0: negative entry, cached entry_timeout */
	uint64_t generation;
	struct stat attr;
	double attr_timeout;	/* seconds */
	double entry_timeout;
};

struct vfsd_file_info {
	uint64_t fh;		/* set by open/opendir/create, echoed later */
	int flags;		/* open(2) flags (also on read/write/release) */
	unsigned int keep_cache : 1;
	unsigned int direct_io : 1;
	unsigned int nonseekable : 1;
	/*
	 * open/create of a regular file: its contents are the direct-map
	 * region dmap_id (vfsd_dmap_add()); applications mmap the device
	 * pages and read/write them without requests. Ignored over FUSE,
	 * where read and write keep coming as requests.
	 */
	unsigned int direct_map : 1;
	uint32_t dmap_id;
};

/* The credentials of the process that caused the request. */
struct vfsd_ctx {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/* to_set bits of setattr. */
#define VFSD_SET_ATTR_MODE	(1 << 0)
#define VFSD_SET_ATTR_UID	(1 << 1)
#define VFSD_SET_ATTR_GID	(1 << 2)
#define VFSD_SET_ATTR_SIZE	(1 << 3)
#define VFSD_SET_ATTR_ATIME	(1 << 4)
#define VFSD_SET_ATTR_MTIME	(1 << 5)
#define VFSD_SET_ATTR_ATIME_NOW	(1 << 6)
#define VFSD_SET_ATTR_MTIME_NOW	(1 << 7)
#define VFSD_SET_ATTR_CTIME	(1 << 8)

/*
 * Ops left NULL answer ENOSYS, except: open/opendir succeed with fh 0,
 * statfs answers an empty filesystem, forget/release/releasedir do nothing.
 * Names are NUL-terminated copies that stay valid until the reply.
 */
struct vfsd_ops {
	void (*init)(void *userdata);
	void (*destroy)(void *userdata);

	void (*lookup)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name);
	/* No reply. The kernel dropped nlookup references to ino. */
	void (*forget)(void *userdata, vfsd_ino_t ino, uint64_t nlookup);
	/* fi: the open file of an fstat(), NULL for a path lookup. */
	void (*getattr)(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	void (*readlink)(struct vfsd_req *req, vfsd_ino_t ino);
	void (*open)(struct vfsd_req *req, vfsd_ino_t ino,
		     struct vfsd_file_info *fi);
	/*
	 * buf points into the queue window: the page-cache pages themselves.
	 * Fill up to size bytes in place and vfsd_reply_read(req, n); n < size
	 * means end of file. buf is only valid until the reply. (fuse: a
	 * buffer of the worker thread, copied to the kernel by the reply.)
	 */
	void (*read)(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		     size_t size, off_t off, struct vfsd_file_info *fi);
	/* No reply. */
	void (*release)(void *userdata, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	void (*opendir)(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	/* Add entries with vfsd_dirbuf_add(), then vfsd_reply_readdir(). */
	void (*readdir)(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
			off_t off, struct vfsd_file_info *fi);
	/* No reply. */
	void (*releasedir)(void *userdata, vfsd_ino_t ino,
			   struct vfsd_file_info *fi);
	void (*statfs)(struct vfsd_req *req, vfsd_ino_t ino);

	/* The write path. fi of setattr is NULL unless the kernel passed fh. */
	void (*setattr)(struct vfsd_req *req, vfsd_ino_t ino,
			const struct stat *attr, int to_set,
			struct vfsd_file_info *fi);
	/*
	 * Regular files too: the module makes a new file with MKNOD
	 * (S_IFREG), then OPENs it, so a writable server needs this op.
	 */
	void (*mknod)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, mode_t mode, dev_t rdev);
	void (*mkdir)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, mode_t mode);
	void (*unlink)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name);
	void (*rmdir)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name);
	void (*symlink)(struct vfsd_req *req, const char *target,
			vfsd_ino_t parent, const char *name);
	void (*rename)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name, vfsd_ino_t newparent,
		       const char *newname, unsigned int flags);
	void (*link)(struct vfsd_req *req, vfsd_ino_t ino,
		     vfsd_ino_t newparent, const char *newname);
	/*
	 * buf is in the window (read-only pages); vfsd_reply_write().
	 * (fuse: the request's data, valid until the reply.)
	 */
	void (*write)(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
		      size_t size, off_t off, struct vfsd_file_info *fi);
	void (*flush)(struct vfsd_req *req, vfsd_ino_t ino,
		      struct vfsd_file_info *fi);
	void (*fsync)(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		      struct vfsd_file_info *fi);
	/*
	 * An atomic open(O_CREAT) of a new file; vfsd_reply_create(). The
	 * name may exist (the kernel need not look it up first): EEXIST.
	 */
	void (*create)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name, mode_t mode,
		       struct vfsd_file_info *fi);
	void (*fallocate)(struct vfsd_req *req, vfsd_ino_t ino, int mode,
			  off_t offset, off_t length,
			  struct vfsd_file_info *fi);
	/* vfsd_reply_lseek(). */
	void (*lseek)(struct vfsd_req *req, vfsd_ino_t ino, off_t off,
		      int whence, struct vfsd_file_info *fi);
	void (*setxattr)(struct vfsd_req *req, vfsd_ino_t ino,
			 const char *name, const char *value, size_t size,
			 int flags);
	/*
	 * size is the caller's buffer. size 0: vfsd_reply_xattr(req, needed);
	 * else vfsd_reply_buf() with at most size bytes (more: ERANGE).
	 */
	void (*getxattr)(struct vfsd_req *req, vfsd_ino_t ino,
			 const char *name, size_t size);
	/* Names, each NUL-terminated; size as for getxattr. */
	void (*listxattr)(struct vfsd_req *req, vfsd_ino_t ino, size_t size);
	void (*removexattr)(struct vfsd_req *req, vfsd_ino_t ino,
			    const char *name);

	/*
	 * Asynchronous backends (io_uring, a DMA engine): called on a queue's
	 * thread after each batch of requests it ran. Submit the I/O the batch
	 * queued, reply to what has completed, and return how many requests
	 * still wait for their I/O. While that is > 0 the queue does not sleep
	 * in the kernel: it posts the replies, picks up new requests and calls
	 * this again, with wait set when no new request came (then block until
	 * at least one I/O completes). NULL: every op replies before returning.
	 */
	int (*batch_end)(void *userdata, unsigned int queue, int wait);

	/*
	 * The application waiting for req was killed. req is still in
	 * flight and still gets exactly one reply; replying now (for example
	 * vfsd_reply_err(req, EINTR)) lets a slow op give up early. Runs on
	 * req's queue thread, so only an op that kept req to reply later
	 * (an asynchronous backend) sees this. NULL: nothing is called, and
	 * vfsd_req_interrupted() still tells. (fuse: not called.)
	 */
	void (*interrupt)(struct vfsd_req *req);
};

/*
 * Replies. Each returns 0 once the reply is posted, or a negative errno
 * if the reply does not fit the request (wrong kind for the opcode, too
 * long, out of range); the request is then failed with EIO so no
 * application hangs, and the req is gone either way. -EALREADY: the req
 * was already replied to (nothing posted).
 */

/*
 * 1 if the application waiting for req was killed (a reply is still
 * due), else 0. A long op may check it now and then and stop early.
 */
int vfsd_req_interrupted(struct vfsd_req *req);

/* err > 0: an errno (1..511); 0: success without payload. */
int vfsd_reply_err(struct vfsd_req *req, int err);
/* lookup, mknod, mkdir, symlink, link. */
int vfsd_reply_entry(struct vfsd_req *req, const struct vfsd_entry_param *e);
/* getattr, setattr. */
int vfsd_reply_attr(struct vfsd_req *req, const struct stat *attr,
		    double attr_timeout);
/* open, opendir. */
int vfsd_reply_open(struct vfsd_req *req, const struct vfsd_file_info *fi);
int vfsd_reply_create(struct vfsd_req *req, const struct vfsd_entry_param *e,
		      const struct vfsd_file_info *fi);
/* read: bytes placed in the window buffer (<= size). */
int vfsd_reply_read(struct vfsd_req *req, size_t bytes);
int vfsd_reply_write(struct vfsd_req *req, size_t bytes);
/* target: non-empty, at most PATH_MAX - 1 bytes. */
int vfsd_reply_readlink(struct vfsd_req *req, const char *target);
int vfsd_reply_statfs(struct vfsd_req *req, const struct statvfs *st);
int vfsd_reply_lseek(struct vfsd_req *req, off_t off);
/* getxattr/listxattr with size 0: how many bytes the value needs. */
int vfsd_reply_xattr(struct vfsd_req *req, size_t size);
/*
 * getxattr/listxattr: the value itself, at most the requested size bytes
 * (else the request fails with ERANGE); to a size probe, its size.
 */
int vfsd_reply_buf(struct vfsd_req *req, const void *buf, size_t size);

/*
 * readdir: append one entry to the reply (the tag's inline slot). mode is
 * st_mode or just its S_IFMT bits (0: unknown type). next_off is the
 * cookie of the entry after this one; the kernel passes it back as off of
 * the next readdir. Returns the record size, or 0 if the entry does not
 * fit (stop and reply) or the name is invalid (empty, '/', > NAME_MAX).
 */
size_t vfsd_dirbuf_add(struct vfsd_req *req, const char *name,
		       vfsd_ino_t ino, mode_t mode, off_t next_off);
/* Posts the entries added so far; none means end of directory. */
int vfsd_reply_readdir(struct vfsd_req *req);

const struct vfsd_ctx *vfsd_req_ctx(const struct vfsd_req *req);
/* The queue (0..nr_queues-1) a request came on: index per-queue state. */
unsigned int vfsd_req_queue(const struct vfsd_req *req);
void *vfsd_req_userdata(const struct vfsd_req *req);

/*
 * How requests reach the server. VFSD: the vfsd module's rings
 * (/dev/vfsd). FUSE: /dev/fuse through libfuse3's lowlevel API, for hosts
 * without the module and as the benchmark's baseline (docs/fuse-transport.md).
 * AUTO: the environment variable VFSD_TRANSPORT=vfsd|fuse if set, else
 * vfsd when /dev/vfsd exists, else fuse. The choice is logged.
 */
enum vfsd_transport {
	VFSD_TRANSPORT_AUTO,
	VFSD_TRANSPORT_VFSD,
	VFSD_TRANSPORT_FUSE,
};

/*
 * Devices the server drives (vfsd transport only; CAP_SYS_RAWIO). A PCI
 * device is named as domain << 16 | bus << 8 | devfn (VFSD_PCI_DEV() of
 * <linux/vfsd.h>); vfsd_pci_dev_parse() reads "0000:00:05.0".
 *
 * vfsd_req_dma_map: the bus addresses, for that device, of the pages in
 * the window range of a READ or WRITE: addrs[i] is the page holding
 * window byte (buf rounded down to a page) + i * page size. *nr: room in,
 * pages out. The mapping ends with the reply: never reply while the
 * device still moves data. -EOPNOTSUPP over FUSE.
 */
int vfsd_pci_dev_parse(const char *bdf, uint32_t *pci_dev);
int vfsd_req_dma_map(struct vfsd_req *req, uint32_t pci_dev,
		     uint64_t *addrs, unsigned int *nr);
/*
 * A direct-map region: length bytes at offset of memory BAR bar of the
 * device, page aligned. Returns the region id (> 0) for
 * vfsd_file_info.dmap_id, or a negative errno. Call after mount.
 */
int vfsd_dmap_add(struct vfsd_session *s, uint32_t pci_dev, unsigned int bar,
		  uint64_t offset, uint64_t length);
int vfsd_dmap_remove(struct vfsd_session *s, uint32_t id);

struct vfsd_session_opts {
	/*
	 * vfsd: 0 is one queue per online CPU (threads not pinned). fuse: worker
	 * threads, all reading the one /dev/fuse fd, each serving one request
	 * at a time; 0 is one per online CPU (not pinned).
	 */
	unsigned int nr_queues;
	unsigned int depth;	/* requests in flight per queue, 0: default */
	unsigned int window_size; /* bytes per queue, 0: default */
	unsigned int max_read;	/* mount option, 0: kernel default */
	mode_t rootmode;	/* 0: S_IFDIR | 0755 */
	int allow_other;	/* let users other than the mounter in */
	int default_permissions; /* kernel checks access from the attributes */
	int server_permissions;	/* the server checks access; the kernel not */
	int debug;		/* log every request */
	enum vfsd_transport transport;	/* 0: AUTO */
	/*
	 * vfsd: after its last request a queue thread polls for the next one
	 * this many microseconds before it sleeps, and callers on other CPUs
	 * spin for replies meanwhile (no context switch on either side, at
	 * the price of a busy CPU while requests keep coming). 0: the
	 * default (VFSD_DEFAULT_POLL_US; never on a one-CPU machine), -1:
	 * never poll. The environment's VFSD_POLL_US overrides it.
	 */
	int poll_us;
	/*
	 * vfsd transport: the mount's source and subtype as /proc/mounts
	 * shows them ("/srv/data /mnt/data vfsd.dir"); NULL: "vfsd" and
	 * none. Kept by pointer: they must live as long as the session.
	 */
	const char *fsname;
	const char *subtype;
	/*
	 * More mount(2) flags: MS_RDONLY, MS_NOEXEC, MS_NOATIME, MS_SYNCHRONOUS,
	 * ... (MS_NOSUID and MS_NODEV are always set).
	 */
	unsigned long mount_flags;
	/*
	 * vfsd: hand page-cache pages over so that the server's own I/O can
	 * pin them (VFSD_SETUP_PIN): a DMA driver that takes a user pointer
	 * (XDMA's character devices) or O_DIRECT on a disk moves file data
	 * straight into and out of the page cache. READ then gets fresh
	 * pages that replace the cache folios (a page allocation per READ
	 * page); a page still pinned when the reply is taken fails the
	 * request. A module without it is told once in the log, and the
	 * window stays unpinnable (vfsd_session_pinnable() says which).
	 */
	int pinnable;
};

#define VFSD_DEFAULT_POLL_US	1000
#ifndef VFSD_MAX_POLL_US
#define VFSD_MAX_POLL_US	10000	/* as in <linux/vfsd.h> */
#endif

/*
 * ops_size is sizeof(struct vfsd_ops) as the caller compiled it, so a
 * server built against an older header keeps working. opts may be NULL.
 * Returns NULL (after logging why) on failure.
 */
struct vfsd_session *vfsd_session_new(const struct vfsd_ops *ops,
				      size_t ops_size,
				      const struct vfsd_session_opts *opts,
				      void *userdata);
/*
 * Open /dev/vfsd, negotiate the rings, map them, start the queue threads
 * and mount. Returns 0 or a negative errno after logging one line.
 */
int vfsd_session_mount(struct vfsd_session *s, const char *mountpoint);
/*
 * Block until the filesystem is unmounted, SIGINT/SIGTERM/SIGHUP arrives
 * (then unmount cleanly), vfsd_session_exit() is called, or the connection
 * is aborted. Returns 0, or a negative errno if the connection failed.
 */
int vfsd_session_loop(struct vfsd_session *s);
/* Make vfsd_session_loop() return; async-signal-safe. */
void vfsd_session_exit(struct vfsd_session *s);
/* Unmount (lazily if busy), end the connection and stop the threads. */
void vfsd_session_unmount(struct vfsd_session *s);
void vfsd_session_destroy(struct vfsd_session *s);
/*
 * "vfsd" or "fuse" once vfsd_session_mount() chose, before that "auto"
 * (or the transport the options asked for).
 */
const char *vfsd_session_transport(const struct vfsd_session *s);
/*
 * Nonzero once mounted over the module with pinnable pages (opts.pinnable
 * and a module that has them): the window's page-cache pages may be pinned
 * by the server's DMA drivers and O_DIRECT.
 */
int vfsd_session_pinnable(const struct vfsd_session *s);
/*
 * The transport's counters as "name value" lines (vfsd-server --stats):
 * file bytes copied in the server's threads to move them over the
 * transport (0 over the module's window), and over FUSE the capabilities
 * INIT offered, asked and granted. Safe from any thread while mounted.
 */
void vfsd_session_stats(struct vfsd_session *s, FILE *out);

enum vfsd_log_level {
	VFSD_LOG_ERR = 3,
	VFSD_LOG_WARNING = 4,
	VFSD_LOG_INFO = 6,
	VFSD_LOG_DEBUG = 7,
};

/* One message per call, without a trailing newline. */
typedef void (*vfsd_log_func_t)(enum vfsd_log_level level, const char *fmt,
				va_list ap);
/* NULL restores the default: "vfsd: <message>" on stderr. */
void vfsd_set_log_func(vfsd_log_func_t func);
void vfsd_log(enum vfsd_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif /* VFSD_VFSD_H */
