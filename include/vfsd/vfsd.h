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
 *
 * Compatibility (docs/sdk.md): a server built against this header keeps
 * running on every later libvfsd with the same soname (libvfsd.so.0).
 * Additions raise VFSD_VERSION_MINOR and come in a new symbol version of
 * libvfsd.map; structs the server hands in carry their size
 * (vfsd_session_opts.size, vfsd_session_new()'s ops_size) and grow only
 * at the end, with 0 as the default of every new field; structs the
 * library hands out only grow into their reserved space. Anything else
 * bumps the soname.
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

/*
 * The version of this header; meson.build checks it against the project
 * version. vfsd_version() is the library's own, at run time: a server may
 * refuse to run on a library older than the header it was built with
 * (the dynamic linker already refuses one that lacks a symbol it uses).
 */
#define VFSD_VERSION_MAJOR	0
#define VFSD_VERSION_MINOR	3
#define VFSD_VERSION_MICRO	0
#define VFSD_MAKE_VERSION(major, minor, micro) \
	(((major) << 16) | ((minor) << 8) | (micro))
#define VFSD_VERSION_NUM \
	VFSD_MAKE_VERSION(VFSD_VERSION_MAJOR, VFSD_VERSION_MINOR, \
			  VFSD_VERSION_MICRO)
/* This header is at least major.minor.micro. */
#define VFSD_CHECK_VERSION(major, minor, micro) \
	(VFSD_VERSION_NUM >= VFSD_MAKE_VERSION(major, minor, micro))

/* VFSD_MAKE_VERSION() of the running library. */
unsigned int vfsd_version(void);

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
	uint64_t reserved[2];	/* zero: initialize the struct with = { ... } */
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
	unsigned int spare : 28;	/* zero: future flags */
	uint32_t dmap_id;
	uint32_t reserved[3];		/* zero */
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
 * What a server learns of its connection when init() runs (and from
 * vfsd_session_conn() after mount), so that it need not hard-code the
 * transport's limits. Library-owned and read-only; later versions only
 * turn reserved space into fields, so the size never changes.
 */
struct vfsd_conn_info {
	enum vfsd_transport transport;	/* VFSD or FUSE, never AUTO */
	/*
	 * vfsd_req_queue() is below this: size per-queue state by it.
	 * (fuse: the worker threads, each one request at a time.)
	 */
	unsigned int nr_queues;
	unsigned int depth;	/* requests in flight per queue (fuse: 1) */
	unsigned int max_read;	/* largest size a read op gets, bytes */
	unsigned int max_write;	/* largest size a write op gets */
	/*
	 * vfsd: VFSD_ABI_VERSION the module speaks and /sys/fs/vfsd/<conn_id>/.
	 * fuse: the FUSE protocol as major << 16 | minor, conn_id 0.
	 */
	unsigned int abi_version;
	unsigned int conn_id;
	uint32_t reserved0;
	/*
	 * VFSD_CAP_*: kernel_caps is what the kernel offers, caps what this
	 * session uses (the kernel has it and the library knows it). Every
	 * call that needs a cap fails with -EOPNOTSUPP without it.
	 */
	uint64_t kernel_caps;
	uint64_t caps;
	uint64_t reserved[10];
};

/* vfsd_conn_info.caps: the VFSD_FEAT_* bits of <linux/vfsd.h>. */
#define VFSD_CAP_INTERRUPT	(1ull << 0)	/* ops.interrupt is called */
#define VFSD_CAP_POLL		(1ull << 1)	/* poll_us is honoured */
#define VFSD_CAP_INVAL		(1ull << 2)	/* vfsd_notify_inval_*() */
#define VFSD_CAP_DMA_MAP	(1ull << 3)	/* vfsd_req_dma_map() */
#define VFSD_CAP_DIRECT_MAP	(1ull << 4)	/* vfsd_dmap_add(), fi.direct_map */
#define VFSD_CAP_MAX_BACKGROUND	(1ull << 5)	/* the max_background= option */
#define VFSD_CAP_PIN		(1ull << 6)	/* opts.pinnable took effect */
#define VFSD_CAP_URING_BUF	(1ull << 7)	/* vfsd_req_prep_buf_*() */
/* opts.read_slots took effect: one-page reads come in read slots. */
#define VFSD_CAP_READ_SLOTS	(1ull << 8)

/*
 * The operations. Each op that gets a struct vfsd_req answers it exactly
 * once with one of the replies listed for it, or vfsd_reply_err(), which
 * every op may use (positive errno). Ops without a req (forget, release,
 * releasedir) reply nothing. Ops left NULL answer ENOSYS, except:
 * open/opendir succeed with fh 0, statfs answers an empty filesystem,
 * forget/release/releasedir do nothing. ENOSYS (NULL or replied) from
 * flush, fsync, create or lseek also tells the kernel to stop asking:
 * flush and fsync then succeed, create falls back to mknod + open,
 * lseek to the generic one. From fallocate and the xattr ops the
 * application gets EOPNOTSUPP.
 *
 * Names are NUL-terminated copies (1..255 bytes, no '/') that stay valid
 * until the reply. Modes of new files already have the caller's umask
 * applied; vfsd_req_ctx() is the caller, who owns the new file.
 *
 * Lookup counts. Every successful reply that carries an entry with
 * ino != 0 (vfsd_reply_entry() to lookup, mknod, mkdir, symlink, link;
 * vfsd_reply_create()) adds one to that inode's lookup count, including
 * a reply the kernel then cannot use (its caller was killed): the kernel
 * forgets it again. forget(ino, n) drops n. The server must keep the
 * nodeid valid (never reuse it for another file, answer getattr etc. on
 * it) while the count is above zero, even after unlink; at zero it may
 * free it. The root (VFSD_ROOT_INO) is never looked up or forgotten. At
 * unmount the kernel need not forget what it still holds: destroy() is
 * the end of every count. Count the lookup before posting the reply: a
 * forget can run on another queue as soon as the kernel has it.
 *
 * Concurrency. Each queue has one thread; ops of one queue run one after
 * the other, ops of different queues at the same time, on any inode: two
 * lookups of one name, a read and a write or setattr of one file, a
 * forget of an inode another queue is just returning from lookup, a
 * rename racing a lookup. The server locks its own state. The kernel
 * serializes what POSIX needs (directory changes hold the directory's
 * lock, a truncate waits for I/O on the file); it does not serialize
 * reads against writes of the same range. A req may be kept and replied
 * to later, but only on its own queue's thread (from a later op or
 * batch_end): the replies of one queue are not locked. vfsd_notify_*()
 * may be called from any thread, inside an op too (vfsd transport; see
 * there for FUSE).
 */
struct vfsd_ops {
	/*
	 * Once, before the first request, on the thread that called
	 * vfsd_session_mount() (fuse: libfuse's INIT, on a worker). conn
	 * stays valid for the session (vfsd_session_conn()).
	 */
	void (*init)(void *userdata, const struct vfsd_conn_info *conn);
	/* Once, after the last request (vfsd_session_destroy()). */
	void (*destroy)(void *userdata);

	/*
	 * vfsd_reply_entry(): the child's nodeid and attributes (counts a
	 * lookup), or ino 0 for a negative entry the kernel caches for
	 * entry_timeout; ENOENT is the uncached "no such name".
	 */
	void (*lookup)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name);
	/* No reply. The kernel dropped nlookup references to ino. */
	void (*forget)(void *userdata, vfsd_ino_t ino, uint64_t nlookup);
	/*
	 * vfsd_reply_attr(). fi: the open file of an fstat() (fi->fh as
	 * open set it), NULL for a path stat.
	 */
	void (*getattr)(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	/* vfsd_reply_readlink(): the target, not NUL-terminated in the count. */
	void (*readlink)(struct vfsd_req *req, vfsd_ino_t ino);
	/*
	 * vfsd_reply_open(): fi->flags are open(2)'s flags (O_CREAT, O_EXCL,
	 * O_NOCTTY removed; with O_TRUNC the truncation itself comes as a
	 * setattr of the size). Set fi->fh to what later ops of this file should get, and
	 * keep_cache, direct_io, nonseekable, direct_map as wanted.
	 */
	void (*open)(struct vfsd_req *req, vfsd_ino_t ino,
		     struct vfsd_file_info *fi);
	/*
	 * buf points into the queue window: the page-cache pages themselves.
	 * Fill up to size bytes in place and vfsd_reply_read(req, n); n < size
	 * means end of file (the rest of the pages read as zeros). buf is
	 * only valid until the reply. size <= conn->max_read. (fuse: a
	 * buffer of the worker thread, copied to the kernel by the reply.)
	 * With fi->fh 0 and no open behind it (readahead of an mmap whose
	 * file was closed) the read still has to be served.
	 */
	void (*read)(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		     size_t size, off_t off, struct vfsd_file_info *fi);
	/*
	 * No reply. The last close of an open file: fi->fh is open's.
	 * Readahead the kernel sent before the close does not hold the
	 * file and may still run (or arrive) on another queue with this
	 * fh: serve such a read from the inode, as one with fh 0.
	 */
	void (*release)(void *userdata, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	/* vfsd_reply_open(), as open. */
	void (*opendir)(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi);
	/*
	 * Add entries from cookie off on with vfsd_dirbuf_add() (at most
	 * size bytes of records fit), then vfsd_reply_readdir(); none added
	 * means end of directory. The server lists "." and ".." itself.
	 */
	void (*readdir)(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
			off_t off, struct vfsd_file_info *fi);
	/* No reply. */
	void (*releasedir)(void *userdata, vfsd_ino_t ino,
			   struct vfsd_file_info *fi);
	/* vfsd_reply_statfs(). */
	void (*statfs)(struct vfsd_req *req, vfsd_ino_t ino);

	/*
	 * The write path. setattr: change the to_set attributes
	 * (VFSD_SET_ATTR_*) to attr's values, then vfsd_reply_attr() with
	 * all of them. fi is NULL unless the kernel passed the open file
	 * (ftruncate, futimens).
	 */
	void (*setattr)(struct vfsd_req *req, vfsd_ino_t ino,
			const struct stat *attr, int to_set,
			struct vfsd_file_info *fi);
	/*
	 * vfsd_reply_entry() (counts a lookup). Regular files too: without
	 * ops.create the module makes a new file with MKNOD (S_IFREG), then
	 * OPENs it, so a writable server needs mknod or create. EEXIST if
	 * the name exists.
	 */
	void (*mknod)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, mode_t mode, dev_t rdev);
	/* vfsd_reply_entry() (counts a lookup). */
	void (*mkdir)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name, mode_t mode);
	/*
	 * vfsd_reply_err(req, 0) on success. The inode lives on while its
	 * lookup count is not zero (open files, cached dentries).
	 */
	void (*unlink)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name);
	/* vfsd_reply_err(req, 0); ENOTEMPTY if not empty. */
	void (*rmdir)(struct vfsd_req *req, vfsd_ino_t parent,
		      const char *name);
	/* vfsd_reply_entry() (counts a lookup). */
	void (*symlink)(struct vfsd_req *req, const char *target,
			vfsd_ino_t parent, const char *name);
	/*
	 * vfsd_reply_err(req, 0). flags: RENAME_NOREPLACE (EEXIST if
	 * newname exists), RENAME_EXCHANGE (swap; ENOENT if it does not),
	 * else replace newname. Unsupported flags: EINVAL.
	 */
	void (*rename)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name, vfsd_ino_t newparent,
		       const char *newname, unsigned int flags);
	/* vfsd_reply_entry() of ino (counts a lookup). */
	void (*link)(struct vfsd_req *req, vfsd_ino_t ino,
		     vfsd_ino_t newparent, const char *newname);
	/*
	 * buf is in the window (read-only pages: a store is SIGBUS);
	 * vfsd_reply_write(req, n) with n <= size, normally size (a short
	 * write is an error to the application). size <= conn->max_write.
	 * Writeback writes arrive with the fh of any file open for writing,
	 * or fh 0 after the last close. (fuse: the request's data, valid
	 * until the reply.)
	 */
	void (*write)(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
		      size_t size, off_t off, struct vfsd_file_info *fi);
	/*
	 * vfsd_reply_err(req, 0 or errno): every close() of a file; the
	 * error is close()'s. Dirty pages were written back before.
	 */
	void (*flush)(struct vfsd_req *req, vfsd_ino_t ino,
		      struct vfsd_file_info *fi);
	/* vfsd_reply_err(req, 0 or errno); datasync: fdatasync(). */
	void (*fsync)(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		      struct vfsd_file_info *fi);
	/*
	 * An atomic open(O_CREAT) of a new file; vfsd_reply_create() (counts
	 * a lookup and opens: a release follows). The name may exist (the
	 * kernel need not look it up first): EEXIST.
	 */
	void (*create)(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name, mode_t mode,
		       struct vfsd_file_info *fi);
	/*
	 * vfsd_reply_err(req, 0). mode: 0, FALLOC_FL_KEEP_SIZE and/or
	 * FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE); others never come.
	 */
	void (*fallocate)(struct vfsd_req *req, vfsd_ino_t ino, int mode,
			  off_t offset, off_t length,
			  struct vfsd_file_info *fi);
	/*
	 * SEEK_DATA or SEEK_HOLE from off: vfsd_reply_lseek(), or ENXIO
	 * past the end. Other whences never come.
	 */
	void (*lseek)(struct vfsd_req *req, vfsd_ino_t ino, off_t off,
		      int whence, struct vfsd_file_info *fi);
	/*
	 * vfsd_reply_err(req, 0). flags: XATTR_CREATE (EEXIST if set),
	 * XATTR_REPLACE (ENODATA if not). value is size bytes.
	 */
	void (*setxattr)(struct vfsd_req *req, vfsd_ino_t ino,
			 const char *name, const char *value, size_t size,
			 int flags);
	/*
	 * size is the caller's buffer. size 0: vfsd_reply_xattr(req, needed);
	 * else vfsd_reply_buf() with at most size bytes (more: ERANGE).
	 * ENODATA: no such attribute.
	 */
	void (*getxattr)(struct vfsd_req *req, vfsd_ino_t ino,
			 const char *name, size_t size);
	/* Names, each NUL-terminated; size as for getxattr. */
	void (*listxattr)(struct vfsd_req *req, vfsd_ino_t ino, size_t size);
	/* vfsd_reply_err(req, 0); ENODATA if there is none. */
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
	 * vfsd_req_interrupted() still tells. (fuse, or a kernel without
	 * VFSD_CAP_INTERRUPT: not called.)
	 */
	void (*interrupt)(struct vfsd_req *req);
#ifdef VFSD_TEST_GROW_OPTS
	/* tests/sdk/upgrade.sh: an op added after a server was built. */
	void (*test_grown_op)(void *userdata);
#endif
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
 * A READ's or WRITE's pages as a buffer of the server's own io_uring
 * (VFSD_CAP_URING_BUF: Linux 7.3 and opts.pinnable), so READ_FIXED and
 * WRITE_FIXED move data between a source file or device and the page
 * cache with no mapping, no pin and no copy.
 *
 * vfsd_req_prep_buf_register fills @sqe (from io_uring_get_sqe()) with
 * the command that puts the request's pages at slot @index of the ring's
 * buffer table, which must be sparse and empty there
 * (io_uring_register_buffers_sparse()). The fixed I/O then addresses the
 * request's bytes by offset: buf = (void *)(uintptr_t)offset, buf_index =
 * index. READ pages are a destination only, WRITE pages a source only.
 * vfsd_req_prep_buf_unregister empties the slot; its completion must come
 * before the reply (link it after the I/O with IOSQE_IO_HARDLINK so that
 * it runs even when the I/O fails): a buffer still registered at the
 * reply fails the request like a pinned page. io_uring lets go of the
 * pages when the last I/O that used them is freed, which for I/O that
 * ran in io-wq happens in the submitting thread's task work: enter the
 * ring once more (io_uring_get_events()) after the unregister's CQE and
 * before the reply. Both return 0, or
 * -EOPNOTSUPP with @sqe untouched: the kernel, the transport or the
 * request (O_DIRECT: the application's own pages) offers no buffer; use
 * the data pointer the handler got. The register command itself fails
 * with -EINVAL for a request that has no page-cache pages and -EBUSY for
 * a used slot. Set the SQE's flags and user_data after the call.
 */
struct io_uring_sqe;
int vfsd_req_prep_buf_register(struct vfsd_req *req,
			       struct io_uring_sqe *sqe, unsigned int index);
int vfsd_req_prep_buf_unregister(struct vfsd_req *req,
				 struct io_uring_sqe *sqe, unsigned int index);

/*
 * A direct-map region: length bytes at offset of memory BAR bar of the
 * device, page aligned. Returns the region id (> 0) for
 * vfsd_file_info.dmap_id, or a negative errno. Call after mount.
 */
int vfsd_dmap_add(struct vfsd_session *s, uint32_t pci_dev, unsigned int bar,
		  uint64_t offset, uint64_t length);
int vfsd_dmap_remove(struct vfsd_session *s, uint32_t id);

/*
 * Cache invalidation (VFSD_CAP_INVAL; fuse: libfuse's notify calls). A
 * server whose files change behind the kernel's back tells it to drop
 * what it caches:
 *
 * vfsd_notify_inval_inode: the attributes of ino, and for a regular file
 * its cached data from byte off on, len bytes (len <= 0: to the end);
 * dirty data is not dropped. vfsd_notify_inval_entry: the name in the
 * directory parent (namelen bytes, no NUL needed) and parent's
 * attributes; the next access looks it up again.
 *
 * Both return 0, -ENOENT when the kernel holds nothing for that nodeid
 * (nothing to drop: not an error for most servers), -EINVAL for a bad
 * name or offset, -ENOTCONN before mount or after unmount, -EOPNOTSUPP
 * without the cap. Any thread may call them, inside an op too: over the
 * vfsd module they never wait for a request. (fuse: the kernel may wait
 * for the server there, so call them outside the ops of that inode or
 * directory, as libfuse asks.)
 */
int vfsd_notify_inval_inode(struct vfsd_session *s, vfsd_ino_t ino,
			    off_t off, off_t len);
int vfsd_notify_inval_entry(struct vfsd_session *s, vfsd_ino_t parent,
			    const char *name, size_t namelen);

/*
 * Session options. Start from VFSD_SESSION_OPTS_INIT, which sets size
 * and the defaults; the library reads only the size bytes the server
 * was built with (size 0 is refused) and gives fields past them their
 * default, so options added later (at the end, 0 their default) leave
 * older servers as they were.
 */
struct vfsd_session_opts {
	size_t size;		/* sizeof(struct vfsd_session_opts) */
	/*
	 * vfsd: 0 is one queue per online CPU, each queue's thread kept on
	 * its CPU (the kernel hands a request to the queue of the CPU it is
	 * made on); N: N queues, threads not pinned. fuse: worker
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
	 * the price of a busy CPU while requests keep coming). 0: never
	 * poll (as everywhere: vfsd-server --poll-us, the mount option
	 * poll_us=, VFSD_POLL_US in the environment, which overrides this).
	 * VFSD_POLL_DEFAULT (what VFSD_SESSION_OPTS_INIT sets):
	 * VFSD_DEFAULT_POLL_US, or 0 on a one-CPU machine. fuse: unused.
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
	 * window stays unpinnable (VFSD_CAP_PIN in the conn info says which).
	 */
	int pinnable;
	/*
	 * vfsd: one-page reads get a read slot (VFSD_CAP_READ_SLOTS): a
	 * zeroed page of the module's that stays mapped, copied into the
	 * page cache after the reply, instead of the page-cache page itself
	 * (mapped, then taken back from every CPU the server runs on).
	 * Ignored with pinnable. VFSD_READ_SLOTS=1 or 0 in the environment
	 * overrides it.
	 */
	int read_slots;
#ifdef VFSD_TEST_GROW_OPTS
	/* tests/sdk/upgrade.sh: an option added after a server was built. */
	uint64_t test_grown;
#endif
};

#define VFSD_POLL_DEFAULT	(-1)
#define VFSD_DEFAULT_POLL_US	1000
#ifndef VFSD_MAX_POLL_US
#define VFSD_MAX_POLL_US	10000	/* as in <linux/vfsd.h> */
#endif

#define VFSD_SESSION_OPTS_INIT { \
	.size = sizeof(struct vfsd_session_opts), \
	.poll_us = VFSD_POLL_DEFAULT, \
}

/*
 * ops_size is sizeof(struct vfsd_ops) as the caller compiled it, so a
 * server built against an older header keeps working (ops it does not
 * have are NULL), and one built against a newer header works as long as
 * it leaves the ops this library lacks NULL. opts may be NULL (all
 * defaults); it is copied. Returns NULL (after logging why) on failure.
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
 * The connection's facts, as init() got them; NULL before the transport
 * is set up (vfsd_session_mount()).
 */
const struct vfsd_conn_info *vfsd_session_conn(const struct vfsd_session *s);
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
