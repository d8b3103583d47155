/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vfsd: the ABI between the vfsd kernel module and its userspace server.
 *
 * One open of /dev/vfsd is one connection. The server:
 *
 *  1. VFSD_IOC_SETUP: negotiates the ABI version, the number of queues, the
 *     queue depth and the size of each queue's data window.
 *  2. mmap()s, for every queue q, the ring region at VFSD_MMAP_RING(q)
 *     (MAP_SHARED, length vfsd_setup.ring_size) and the data window at
 *     VFSD_MMAP_WINDOW(q) (MAP_SHARED, length vfsd_setup.window_size).
 *  3. mount("vfsd", dir, "vfsd", 0, "fd=N,rootmode=040755,...").
 *  4. Runs one thread per queue calling VFSD_IOC_ENTER in a loop.
 *
 * Ring region of a queue (offsets returned by VFSD_IOC_SETUP):
 *
 *   0          struct vfsd_ring_hdr
 *   sqe_off    struct vfsd_sqe[depth]      kernel -> server requests
 *   cqe_off    struct vfsd_cqe[depth]      server -> kernel completions
 *   inline_off depth slots of inline_size  per-tag payload buffers
 *
 * A request that expects a reply owns a tag (0 <= tag < depth) from the
 * moment it is posted until its completion is consumed. The tag's inline
 * slot carries the request's small payload (names, setattr arguments) in,
 * and the reply's small payload (entry, attributes, dirents, link target)
 * out. Requests that expect no reply (FORGET, RELEASE, INTERRUPT) carry
 * VFSD_TAG_NONE and the server must not complete them.
 *
 * Bulk file data never travels through the ring: for READ (and WRITE)
 * the kernel maps the page-cache pages of the request into the queue's
 * window at sqe.win_off for the lifetime of the request. The server reads
 * or writes them in place (or points a DMA engine at them). The mapping is
 * torn down before the kernel consumes the completion, in every address
 * space that maps the window; touching the window outside a live request
 * raises SIGBUS, and so does a store into pages handed over read-only
 * (WRITE). The window cannot be mprotect()ed (EACCES), split or moved
 * (EINVAL). READ pages arrive zeroed. The one exception is the read slots
 * (VFSD_SETUP_READ_SLOTS): single-page READs then come in a page of the
 * kernel's that stays mapped, and the kernel copies it into the page
 * cache. For O_DIRECT only the request's bytes are handed over: a partly covered first or last page is a bounce
 * page, and direct I/O the server imposes (VFSD_FOPEN_DIRECT_IO on a file
 * the application did not open O_DIRECT) maps bounce pages only.
 *
 * Index protocol (io_uring style, free-running u32 indices, masked by
 * depth - 1): the kernel writes SQEs and publishes them by a release store
 * to sq_tail; the server consumes them and release-stores sq_head. The
 * server writes CQEs and release-stores cq_tail; the kernel consumes them
 * in VFSD_IOC_ENTER and stores cq_head.
 *
 * Everything the server writes is untrusted: the kernel validates ids,
 * lengths, errno values, attributes and dirents, and fails the request
 * with EIO on any violation. The rules a reply must follow:
 *  - result < 0 is -errno with errno in 1..511 (kernel-internal codes such
 *    as ERESTARTSYS are refused);
 *  - result >= 0 is at most sqe.len for READ, READDIR, READLINK, and 0 for
 *    replies that are a fixed struct;
 *  - a LOOKUP never returns VFSD_ROOT_ID, and a nodeid keeps its file type;
 *  - attributes: a valid S_IFMT type, nsec < 1e9, size <= LLONG_MAX,
 *    rdev in new_encode_dev() format;
 *  - dirents: 1..255 byte names without '/' or NUL, each record inside
 *    the reply, off different from the cookie the READDIR started at and
 *    <= LLONG_MAX. The server lists "." and ".." itself.
 * fh 0 is reserved: a READ with fh 0 has no open file behind it.
 */
#ifndef _UAPI_LINUX_VFSD_H
#define _UAPI_LINUX_VFSD_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFSD_ABI_VERSION	1

/* The nodeid of the root directory. */
#define VFSD_ROOT_ID		1

/* Limits and defaults of VFSD_IOC_SETUP. */
#define VFSD_MAX_QUEUES		64
#define VFSD_MAX_DEPTH		1024
#define VFSD_DEFAULT_DEPTH	64
#define VFSD_DEFAULT_WINDOW	(8u << 20)
#define VFSD_MAX_WINDOW		(256u << 20)
#define VFSD_MAX_IO		(1u << 20)
#define VFSD_INLINE_SIZE	4096
/* The mount reads ahead this many max_read requests (read_ahead_kb). */
#define VFSD_RA_REQUESTS	4
#define VFSD_TAG_NONE		0xffff

/* mmap offsets of a queue's ring region and data window. */
#define VFSD_MMAP_RING(q)	((__u64)(q) << 40)
#define VFSD_MMAP_WINDOW(q)	(((__u64)(q) << 40) | (1ULL << 39))

/*
 * abi_version changes only with an incompatible change to this file;
 * what is added compatibly (new ioctls, opcodes, flags, modes) is
 * announced by a VFSD_FEAT_* bit in vfsd_setup.features instead, so a
 * library uses what both sides have and an older library, which passes
 * features as zero (it was reserved), keeps working on a newer module.
 */
struct vfsd_setup {
	__u32 abi_version;	/* in: VFSD_ABI_VERSION */
	__u32 flags;		/* in: VFSD_SETUP_* */
	__u32 nr_queues;	/* in: 0 = one per online CPU; out */
	__u32 depth;		/* in: power of two, 0 = default; out */
	__u32 window_size;	/* in: bytes per queue, 0 = default; out */
	__u32 max_io;		/* out: largest READ/WRITE in bytes */
	__u32 ring_size;	/* out: bytes to mmap at VFSD_MMAP_RING(q) */
	__u32 conn_id;		/* out: /sys/fs/vfsd/<conn_id>/ */
	__u32 sqe_off;		/* out: ring layout */
	__u32 cqe_off;
	__u32 inline_off;
	__u32 inline_size;
	__u64 features;		/* in: zero; out: VFSD_FEAT_* */
	__u64 reserved[3];	/* must be zero */
};

/*
 * vfsd_setup.features: what the module offers. A module older than the
 * field leaves it zero: it has VFSD_FEAT_LEGACY, and VFSD_FEAT_INTERRUPT
 * if it accepted VFSD_SETUP_INTERRUPT.
 */
#define VFSD_FEAT_INTERRUPT	(1ull << 0)	/* VFSD_SETUP_INTERRUPT */
#define VFSD_FEAT_POLL		(1ull << 1)	/* VFSD_ENTER_POLL */
#define VFSD_FEAT_INVAL		(1ull << 2)	/* VFSD_IOC_INVAL_INODE/ENTRY */
#define VFSD_FEAT_DMA_MAP	(1ull << 3)	/* VFSD_IOC_DMA_MAP */
#define VFSD_FEAT_DMAP		(1ull << 4)	/* VFSD_IOC_DMAP_*, VFSD_FOPEN_DIRECT_MAP */
#define VFSD_FEAT_MAX_BACKGROUND (1ull << 5)	/* mount option max_background= */
#define VFSD_FEAT_PIN		(1ull << 6)	/* VFSD_SETUP_PIN */
#define VFSD_FEAT_URING_BUF	(1ull << 7)	/* VFSD_URING_CMD_*_BUF */
#define VFSD_FEAT_READ_SLOTS	(1ull << 8)	/* VFSD_SETUP_READ_SLOTS */
/*
 * Every bit this header knows. A module offers them all but
 * VFSD_FEAT_URING_BUF, which needs a kernel with registered kernel
 * buffers in io_uring (Linux 7.3).
 */
#define VFSD_FEATURES		(VFSD_FEAT_LEGACY | VFSD_FEAT_INTERRUPT | \
				 VFSD_FEAT_MAX_BACKGROUND | VFSD_FEAT_PIN | \
				 VFSD_FEAT_URING_BUF | VFSD_FEAT_READ_SLOTS)
#define VFSD_FEAT_LEGACY	(VFSD_FEAT_POLL | VFSD_FEAT_INVAL | \
				 VFSD_FEAT_DMA_MAP | VFSD_FEAT_DMAP)

/*
 * The server wants VFSD_OP_INTERRUPT: when a task waiting for a request's
 * reply is killed, the kernel tells the server so it can stop early.
 * A kernel that predates it refuses the flag with EINVAL.
 */
#define VFSD_SETUP_INTERRUPT	(1u << 0)
/*
 * Page-cache pages in the window are ordinary pages that the server's own
 * I/O can pin (a DMA driver's get_user_pages(), O_DIRECT on a disk), so a
 * device moves file data straight into or out of the page cache. READ is
 * given fresh, unlocked pages that become the page cache on a successful
 * reply; writeback pages stay read-only. A page still held (pinned or
 * referenced) when its request completes fails the request: READ data is
 * dropped, WRITE returns EIO. Application pages (O_DIRECT) are never
 * pinnable. Without this flag no window page can be pinned.
 * A kernel that predates it refuses the flag with EINVAL.
 */
#define VFSD_SETUP_PIN		(1u << 1)
/*
 * Read slots: a READ of one page comes at a slot of the window that
 * belongs to its tag, not at the page-cache page itself. The slots are
 * the window's last min(depth, VFSD_READ_SLOTS_MAX, window pages / 8)
 * pages (tags beyond them are handed over as before); max_io is at most
 * half of the rest. The slot is a page of the kernel's, zeroed before
 * each READ and left mapped after it:
 * when the completion is consumed the kernel copies the reply's bytes into
 * the page cache (counted in bytes_copied), and what the server stores in
 * the slot later reaches nothing. A 4 KiB copy instead of mapping and
 * unmapping the page: taking a page back from an address space that runs
 * on other CPUs costs an interrupt to each of them (a TLB shootdown).
 * Larger READs and WRITEs are handed over as always. Not with
 * VFSD_SETUP_PIN, nor with a window of fewer than 8 pages (EINVAL); a
 * kernel that predates it refuses it with EINVAL.
 */
#define VFSD_SETUP_READ_SLOTS	(1u << 2)
#define VFSD_READ_SLOTS_MAX	64
#define VFSD_SETUP_FLAGS	(VFSD_SETUP_INTERRUPT | VFSD_SETUP_PIN | \
				 VFSD_SETUP_READ_SLOTS)

struct vfsd_enter {
	__u32 queue;		/* which queue this thread serves */
	__u32 flags;		/* VFSD_ENTER_* */
	__u32 poll_us;		/* VFSD_ENTER_POLL: how long, <= VFSD_MAX_POLL_US */
	__u32 reserved;		/* must be zero */
};

/* Sleep until at least one new request is posted (or the connection ends). */
#define VFSD_ENTER_WAIT		(1u << 0)
/*
 * Do not sleep: after this call the thread polls vfsd_ring_hdr.queued for
 * up to poll_us microseconds and enters again as soon as it changes (and
 * with VFSD_ENTER_WAIT once it gives up). Meanwhile the kernel steers
 * requests from other CPUs to this queue and lets their callers spin for
 * the reply rather than sleep: no context switch on either side.
 */
#define VFSD_ENTER_POLL		(1u << 1)
#define VFSD_MAX_POLL_US	10000

/* Server -> kernel notifications (cache invalidation). */
struct vfsd_notify_inval_inode {
	__u64 nodeid;
	__s64 offset;		/* first byte of cached data to drop */
	__s64 len;		/* bytes; <= 0 drops to the end */
};

struct vfsd_notify_inval_entry {
	__u64 parent;		/* nodeid of the directory */
	__u32 namelen;
	__u32 reserved;
	__u64 name;		/* user pointer to the name (not NUL-terminated) */
};

/*
 * Bus addresses of an in-flight request's window pages as seen by a PCI
 * device, so the server can point that device's DMA engine at them. Only
 * pages the request handed over are mapped, for as long as the request
 * is in flight (the mapping ends with its completion); CAP_SYS_RAWIO.
 */
struct vfsd_dma_map {
	__u64 id;		/* sqe.id of the request */
	__u32 queue;		/* the queue it came on */
	__u32 pci_dev;		/* PCI domain << 16 | bus << 8 | devfn */
	__u64 addrs;		/* user pointer: one __u64 per request page */
	__u32 nr;		/* in: room in addrs; out: the request's pages */
	__u32 flags;		/* 0 */
};

/*
 * A direct-map region: length bytes at offset of a PCI memory BAR (the
 * card memory), page aligned. Files opened with VFSD_FOPEN_DIRECT_MAP
 * name it by id. CAP_SYS_RAWIO. DMAP_REMOVE takes a region's id out of
 * use; files and mappings that have it keep it until they close.
 */
struct vfsd_dmap_add {
	__u32 pci_dev;		/* VFSD_PCI_DEV() */
	__u32 bar;		/* 0..5 */
	__u64 offset;
	__u64 length;
	__u32 id;		/* out: 1.. */
	__u32 flags;		/* 0 */
};

/*
 * io_uring commands (IORING_OP_URING_CMD on the /dev/vfsd fd, sqe->cmd_op
 * one of these, struct vfsd_uring_buf in sqe->cmd), with VFSD_FEAT_URING_BUF
 * and VFSD_SETUP_PIN. REGISTER_BUF puts the page-cache pages of an
 * in-flight READ or WRITE into the submitting ring's buffer table at
 * index (a sparse slot: io_uring_register_buffers_sparse()), so the
 * server's READ_FIXED/WRITE_FIXED (buffer address = byte offset in the
 * request, 0 .. pages * page size) move data between its source and the
 * page cache without mapping, pinning or copying: READ pages are the
 * destination only, WRITE pages the source only. UNREGISTER_BUF (id and
 * queue ignored) empties the slot; the pages are let go once the last
 * I/O using them ends. Unregister before the reply: a buffer still
 * registered when the request completes fails it like a pin (READ data
 * dropped, WRITE EIO). Errors: EINVAL (no such request in flight, not
 * page-cache pages: O_DIRECT requests never are, bad flags or index),
 * EBUSY (the request or the slot has a buffer), EPERM (not the queue's
 * address space), EOPNOTSUPP (no VFSD_SETUP_PIN).
 */
#define VFSD_URING_CMD_REGISTER_BUF	1
#define VFSD_URING_CMD_UNREGISTER_BUF	2

struct vfsd_uring_buf {
	__u64 id;		/* sqe.id of the request */
	__u16 queue;		/* the queue it came on */
	__u16 index;		/* slot in the ring's buffer table */
	__u32 flags;		/* 0 */
};

/* The PCI address the way lspci -D prints it, for vfsd_dma_map.pci_dev. */
#define VFSD_PCI_DEV(domain, bus, dev, fn) \
	(((__u32)(domain) << 16) | ((__u32)(bus) << 8) | ((dev) << 3) | (fn))

#define VFSD_IOC_MAGIC		0xE5
/*
 * SETUP: once per connection, before mmap and mount.
 * ENTER: consume the completions between cq_head and cq_tail, then post
 *        pending requests into the SQ; with VFSD_ENTER_WAIT sleep until at
 *        least one is posted. Returns the number of SQEs posted, or -1 with
 *        errno ENODEV (unmounted) / ENOTCONN (aborted) when the connection
 *        is over, EINTR on a signal, EPERM from any address space but the
 *        queue's own: the first to map its window or enter it (not a
 *        forked child, not another process holding the fd).
 * ABORT: end the connection; every waiting request fails with ENOTCONN.
 * DMA_MAP: addrs[i] = bus address of page i of the request's window
 *        range (window page win_off / page size + i); EINVAL if the
 *        request is not in flight on that queue or has no pages, ENODEV
 *        without that PCI device, ENOSPC if nr is too small (nr is set),
 *        EBUSY if already mapped for another device, EPERM without
 *        CAP_SYS_RAWIO or from another address space than the window's.
 * DMAP_ADD / DMAP_REMOVE: see struct vfsd_dmap_add; EINVAL for a BAR that
 *        is not prefetchable memory or a range outside it, EBUSY for a
 *        device a kernel driver is bound to, ENOENT for an unknown id.
 */
#define VFSD_IOC_SETUP		_IOWR(VFSD_IOC_MAGIC, 0, struct vfsd_setup)
#define VFSD_IOC_ENTER		_IOW(VFSD_IOC_MAGIC, 1, struct vfsd_enter)
#define VFSD_IOC_ABORT		_IO(VFSD_IOC_MAGIC, 2)
#define VFSD_IOC_INVAL_INODE	_IOW(VFSD_IOC_MAGIC, 3, struct vfsd_notify_inval_inode)
#define VFSD_IOC_INVAL_ENTRY	_IOW(VFSD_IOC_MAGIC, 4, struct vfsd_notify_inval_entry)
#define VFSD_IOC_DMA_MAP	_IOWR(VFSD_IOC_MAGIC, 5, struct vfsd_dma_map)
#define VFSD_IOC_DMAP_ADD	_IOWR(VFSD_IOC_MAGIC, 6, struct vfsd_dmap_add)
#define VFSD_IOC_DMAP_REMOVE	_IOW(VFSD_IOC_MAGIC, 7, __u32)

/* Indices live on their own cache lines: each has exactly one writer. */
struct vfsd_ring_hdr {
	__u32 sq_head;		/* server */
	__u32 pad0[15];
	__u32 sq_tail;		/* kernel */
	__u32 queued;		/* kernel: +1 per request queued for posting */
	__u32 pad1[14];
	__u32 cq_head;		/* kernel */
	__u32 pad2[15];
	__u32 cq_tail;		/* server */
	__u32 pad3[15];
	__u32 depth;		/* read-only copies of the setup values */
	__u32 mask;
	__u32 reserved[14];
};

/*
 * Payload and reply of each opcode. "in" goes to the tag's inline slot
 * (sqe.len = its length, names NUL-terminated), "out" comes back in it.
 * Modes of new files already have the caller's umask applied. sqe.uid,
 * sqe.gid own new files.
 *
 * LOOKUP	in: name; out: vfsd_entry_out
 * FORGET	no reply; offset = lookup count to drop
 * GETATTR	flags VFSD_GETATTR_FH: fh valid; out: vfsd_attr_out
 * SETATTR	in: vfsd_setattr_in; out: vfsd_attr_out
 * READLINK	len = max bytes; out: target, result = length
 * SYMLINK	in: name \0 target \0; out: vfsd_entry_out
 * MKNOD	in: name; arg = mode, offset = rdev (new_encode_dev);
 *		out: vfsd_entry_out
 * MKDIR	in: name; arg = mode; out: vfsd_entry_out
 * UNLINK	in: name
 * RMDIR	in: name
 * RENAME	in: vfsd_rename_in, name \0 newname \0
 * LINK		nodeid = new parent, fh = nodeid of the existing inode;
 *		in: newname; out: vfsd_entry_out
 * OPEN		arg = open flags; out: vfsd_open_out
 * READ		fh, offset, len, win_off; arg = open flags;
 *		result = bytes read (< len only at EOF)
 * WRITE	fh, offset, len, win_off (pages mapped read-only);
 *		arg = open flags; result = bytes written
 * STATFS	out: vfsd_statfs_out
 * RELEASE	no reply; fh, arg = open flags
 * FSYNC	fh; arg = 1 for datasync
 * SETXATTR	arg = XATTR_CREATE/REPLACE flags; in: vfsd_xattr_in,
 *		name \0 value
 * GETXATTR	in: name; arg = max value bytes (0: ask the size);
 *		out: value, result = its size
 * LISTXATTR	arg = max bytes (0: ask the size); out: names \0 ...,
 *		result = size
 * REMOVEXATTR	in: name
 * FLUSH	fh: on every close() of a file
 * OPENDIR	arg = open flags; out: vfsd_open_out
 * READDIR	fh, offset = cookie, len; out: vfsd_dirent[]
 * RELEASEDIR	no reply; fh
 * CREATE	in: name; arg = mode, flags = open flags; out: vfsd_create_out;
 *		EEXIST if the name exists (the kernel may not look it up
 *		first)
 * FALLOCATE	fh; in: vfsd_fallocate_in
 * LSEEK	fh, offset, arg = whence (SEEK_DATA/HOLE); out: vfsd_lseek_out
 * INTERRUPT	no reply; only with VFSD_SETUP_INTERRUPT. offset = sqe.id of
 *		a request on this queue whose caller was killed, arg = its
 *		opcode. The server may answer that request at once (any
 *		result: nobody reads it but the kernel, which releases what a
 *		successful reply hands out) or finish it as usual; it must
 *		still answer it. It may arrive after the reply (then it is
 *		stale: ignore it).
 *
 * VFSD_OPCODES(X) lists them in opcode order (LOOKUP is 1) as
 * X(NAME, name, in, out, reply, fuse): name is also libvfsd's vfsd_ops
 * field; what the inline slot carries in (NONE or PAYLOAD); what a
 * successful reply carries back (NONE, ENTRY, ATTR, OPEN, CREATE, READ,
 * WRITE, LINK, STATFS, LSEEK, XATTR, DIRENTS); whether the kernel waits
 * for a reply (REPLY, NOREPLY); and the libfuse lowlevel op that carries
 * it over FUSE (SAME: the field called name, BUF: name##_buf, NONE). The
 * enum, the module's names, the library's decode, dispatch and reply
 * tables and its FUSE op map are made from it: a new opcode is one line
 * at its end, and its handlers.
 */
#define VFSD_OPCODES(X)							\
	X(LOOKUP,       lookup,       PAYLOAD, ENTRY,   REPLY,   SAME)	\
	X(FORGET,       forget,       NONE,    NONE,    NOREPLY, SAME)	\
	X(GETATTR,      getattr,      NONE,    ATTR,    REPLY,   SAME)	\
	X(SETATTR,      setattr,      PAYLOAD, ATTR,    REPLY,   SAME)	\
	X(READLINK,     readlink,     NONE,    LINK,    REPLY,   SAME)	\
	X(SYMLINK,      symlink,      PAYLOAD, ENTRY,   REPLY,   SAME)	\
	X(MKNOD,        mknod,        PAYLOAD, ENTRY,   REPLY,   SAME)	\
	X(MKDIR,        mkdir,        PAYLOAD, ENTRY,   REPLY,   SAME)	\
	X(UNLINK,       unlink,       PAYLOAD, NONE,    REPLY,   SAME)	\
	X(RMDIR,        rmdir,        PAYLOAD, NONE,    REPLY,   SAME)	\
	X(RENAME,       rename,       PAYLOAD, NONE,    REPLY,   SAME)	\
	X(LINK,         link,         PAYLOAD, ENTRY,   REPLY,   SAME)	\
	X(OPEN,         open,         NONE,    OPEN,    REPLY,   SAME)	\
	X(READ,         read,         NONE,    READ,    REPLY,   SAME)	\
	X(WRITE,        write,        NONE,    WRITE,   REPLY,   BUF)	\
	X(STATFS,       statfs,       NONE,    STATFS,  REPLY,   SAME)	\
	X(RELEASE,      release,      NONE,    NONE,    NOREPLY, SAME)	\
	X(FSYNC,        fsync,        NONE,    NONE,    REPLY,   SAME)	\
	X(SETXATTR,     setxattr,     PAYLOAD, NONE,    REPLY,   SAME)	\
	X(GETXATTR,     getxattr,     PAYLOAD, XATTR,   REPLY,   SAME)	\
	X(LISTXATTR,    listxattr,    NONE,    XATTR,   REPLY,   SAME)	\
	X(REMOVEXATTR,  removexattr,  PAYLOAD, NONE,    REPLY,   SAME)	\
	X(FLUSH,        flush,        NONE,    NONE,    REPLY,   SAME)	\
	X(OPENDIR,      opendir,      NONE,    OPEN,    REPLY,   SAME)	\
	X(READDIR,      readdir,      NONE,    DIRENTS, REPLY,   SAME)	\
	X(RELEASEDIR,   releasedir,   NONE,    NONE,    NOREPLY, SAME)	\
	X(CREATE,       create,       PAYLOAD, CREATE,  REPLY,   SAME)	\
	X(FALLOCATE,    fallocate,    PAYLOAD, NONE,    REPLY,   SAME)	\
	X(LSEEK,        lseek,        NONE,    LSEEK,   REPLY,   SAME)	\
	X(INTERRUPT,    interrupt,    NONE,    NONE,    NOREPLY, NONE)

#define VFSD_OP_ENUM_(NAME, name, in, out, reply, fuse)	VFSD_OP_##NAME,
enum vfsd_opcode {
	VFSD_OP_UNUSED = 0,	/* opcode 0 is never sent */
	VFSD_OPCODES(VFSD_OP_ENUM_)
	VFSD_OP_MAX
};
#undef VFSD_OP_ENUM_

#define VFSD_GETATTR_FH		(1u << 0)

/* A request: 64 bytes, written by the kernel. */
struct vfsd_sqe {
	__u8  opcode;		/* enum vfsd_opcode */
	__u8  reserved0;
	__u16 tag;		/* inline slot, or VFSD_TAG_NONE */
	__u32 flags;		/* op-specific */
	__u64 id;		/* echo in vfsd_cqe.id */
	__u64 nodeid;		/* target inode */
	__u64 fh;		/* file handle from OPEN/OPENDIR/CREATE */
	__u64 offset;		/* file offset, readdir cookie, ... */
	__u32 len;		/* data bytes, or payload bytes in the slot */
	__u32 win_off;		/* READ/WRITE: byte offset in the window */
	__u32 uid;		/* caller's fsuid, fsgid and tgid */
	__u32 gid;
	__u32 pid;
	__u32 arg;		/* op-specific */
};

/* A completion: 16 bytes, written by the server. */
struct vfsd_cqe {
	__u64 id;		/* from the request */
	__s32 result;		/* >= 0 success (op-specific), < 0 -errno */
	__u32 flags;		/* 0 */
};

/* Attributes of an inode, as the server reports them. */
struct vfsd_attr {
	__u64 ino;
	__u64 size;
	__u64 blocks;		/* 512-byte units */
	__s64 atime;
	__s64 mtime;
	__s64 ctime;
	__u32 atime_nsec;
	__u32 mtime_nsec;
	__u32 ctime_nsec;
	__u32 mode;
	__u32 nlink;
	__u32 uid;
	__u32 gid;
	__u32 rdev;
	__u32 blksize;
	__u32 reserved[3];
};

struct vfsd_entry_out {
	__u64 nodeid;		/* 0: negative entry, cached for entry_valid */
	__u64 generation;
	__u64 entry_valid_ns;	/* how long the kernel may cache the name */
	__u64 attr_valid_ns;	/* and the attributes */
	struct vfsd_attr attr;
};

struct vfsd_attr_out {
	__u64 attr_valid_ns;
	__u64 reserved;
	struct vfsd_attr attr;
};

#define VFSD_FOPEN_KEEP_CACHE	(1u << 0)	/* keep cached pages at open */
#define VFSD_FOPEN_DIRECT_IO	(1u << 1)	/* bypass the page cache */
#define VFSD_FOPEN_NONSEEKABLE	(1u << 2)
/*
 * The file's contents are the direct-map region dmap_id (VFSD_IOC_DMAP_ADD)
 * from its first byte: mmap maps the region's device pages into the
 * application, read/write copy between them and the caller's buffer, no
 * page cache, no requests. A write cannot go past the size the file has
 * (ENOSPC): the server sizes the file, and its region, on truncate.
 */
#define VFSD_FOPEN_DIRECT_MAP	(1u << 3)

struct vfsd_open_out {
	__u64 fh;
	__u32 open_flags;	/* VFSD_FOPEN_* */
	__u32 dmap_id;		/* with VFSD_FOPEN_DIRECT_MAP, else 0 */
};

struct vfsd_create_out {
	struct vfsd_entry_out entry;
	struct vfsd_open_out open;
};

struct vfsd_statfs_out {
	__u64 blocks;
	__u64 bfree;
	__u64 bavail;
	__u64 files;
	__u64 ffree;
	__u32 bsize;
	__u32 namelen;
	__u32 frsize;
	__u32 reserved;
};

#define VFSD_SETATTR_MODE	(1u << 0)
#define VFSD_SETATTR_UID	(1u << 1)
#define VFSD_SETATTR_GID	(1u << 2)
#define VFSD_SETATTR_SIZE	(1u << 3)
#define VFSD_SETATTR_ATIME	(1u << 4)
#define VFSD_SETATTR_MTIME	(1u << 5)
#define VFSD_SETATTR_ATIME_NOW	(1u << 6)
#define VFSD_SETATTR_MTIME_NOW	(1u << 7)
#define VFSD_SETATTR_CTIME	(1u << 8)
#define VFSD_SETATTR_FH		(1u << 9)

struct vfsd_setattr_in {
	__u32 valid;		/* VFSD_SETATTR_* */
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u64 size;
	__u64 fh;
	__s64 atime;
	__s64 mtime;
	__s64 ctime;
	__u32 atime_nsec;
	__u32 mtime_nsec;
	__u32 ctime_nsec;
	__u32 reserved;
};

struct vfsd_rename_in {
	__u64 newdir;
	__u32 flags;		/* RENAME_NOREPLACE, RENAME_EXCHANGE */
	__u32 reserved;
};

struct vfsd_xattr_in {
	__u32 size;		/* value bytes after the name */
	__u32 namelen;		/* name bytes, without the NUL */
};

struct vfsd_fallocate_in {
	__u64 offset;
	__u64 length;
	__u32 mode;
	__u32 reserved;
};

struct vfsd_lseek_out {
	__u64 offset;
};

/*
 * READDIR reply: records packed in the inline slot, each 8-byte aligned
 * (VFSD_DIRENT_SIZE). off is the cookie of the *next* entry; the next
 * READDIR starts there. result = bytes used; 0 means end of directory.
 */
struct vfsd_dirent {
	__u64 ino;
	__u64 off;
	__u16 namelen;
	__u8  type;		/* DT_* */
	__u8  reserved[5];
	char  name[];
};

#define VFSD_DIRENT_ALIGN(x)	(((x) + 7) & ~(__u64)7)
#define VFSD_DIRENT_SIZE(namelen) \
	VFSD_DIRENT_ALIGN(sizeof(struct vfsd_dirent) + (namelen))

#endif /* _UAPI_LINUX_VFSD_H */
