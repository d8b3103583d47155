/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfsd: internal definitions shared by the module's files.
 */
#ifndef _VFSD_I_H
#define _VFSD_I_H

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/refcount.h>
#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/vfsd.h>

#include "compat.h"

#define VFSD_NAME_MAX		255
/* Largest max_background= a mount may ask for. */
#define VFSD_MAX_BACKGROUND	(VFSD_MAX_QUEUES * VFSD_MAX_DEPTH)

struct vfsd_conn;
struct vfsd_req;

/* One queue: a ring region shared with the server plus a data window. */
struct vfsd_queue {
	struct vfsd_conn *conn;
	unsigned int index;

	spinlock_t lock;		/* pending, inflight[], req states */
	struct list_head pending;	/* requests not yet posted */
	struct vfsd_req **inflight;	/* by tag, posted and awaiting reply */
	wait_queue_head_t waitq;	/* server threads waiting for work */

	/* Serialises ENTER and abort: the window and the tags. */
	struct mutex enter_lock;
	unsigned long *tag_map;
	unsigned long *win_map;		/* one bit per window page */
	/* Read slots by tag (VFSD_SETUP_READ_SLOTS), allocated on first use. */
	struct page **slots;
	unsigned long *slots_mapped;	/* PTE in the current window VMA */
	u32 cq_head;			/* kernel's own copy, never re-read */
	u32 sq_tail;
	u64 seq;			/* request id generator */
	u32 queued;			/* hdr->queued, under lock */

	/* The server thread polls (VFSD_ENTER_POLL) on poll_cpu. */
	bool polling;
	int poll_cpu;
	u64 poll_ns;
	int thread_cpu;			/* where the thread last entered */

	void *ring;			/* vmalloc_user(), mmapped by server */
	struct vfsd_ring_hdr *hdr;
	struct vfsd_sqe *sqes;
	struct vfsd_cqe *cqes;
	u8 *inline_base;

	/*
	 * The server's window mapping; win_addr is 0 while unmapped. Only
	 * win_mm may run the queue (ENTER, DMA_MAP).
	 */
	unsigned long win_addr;
	struct mm_struct *win_mm;	/* mmgrab()ed by vfsd_window_claim() */
};

struct vfsd_conn {
	struct kobject kobj;		/* /sys/fs/vfsd/<id>, and the refcount */
	int id;

	spinlock_t lock;		/* the state flags below, queue setup */
	bool setup_done;		/* SETUP claimed */
	bool ready;			/* queues usable (acquire/release) */
	bool connected;
	bool unmounted;			/* aborted because of umount */
	bool mounted;

	unsigned int nr_queues;
	unsigned int depth;
	unsigned int window_size;
	unsigned int window_pages;
	unsigned int max_io;
	unsigned int ring_size;
	struct vfsd_queue *queues;
	/* f_mapping of the connection's files: the rmap of its windows. */
	struct inode *win_inode;

	atomic_t waiting;
	/*
	 * Requests nobody waits for that hold pages (readahead, async
	 * O_DIRECT): at most max_background; over it readahead is skipped
	 * and O_DIRECT waits in its caller. bg_throttled counts both.
	 */
	atomic_t background;
	unsigned int max_background;
	atomic64_t bg_throttled;
	atomic64_t requests;
	atomic64_t bytes_mapped;
	atomic64_t bytes_copied;
	atomic64_t bytes_slot;		/* of those, out of read slots */
	atomic64_t bytes_direct;	/* read/write of direct-map files */
	atomic64_t protocol_errors;
	atomic64_t op_count[VFSD_OP_MAX];

	/*
	 * A request unanswered for req_timeout jiffies (0: never) ends the
	 * connection, so no application waits forever on a hung server.
	 */
	unsigned long req_timeout;
	struct delayed_work timeout_work;
	atomic64_t timeouts;

	/* The mounted superblock, for notifications from the server. */
	struct rw_semaphore killsb;
	struct super_block *sb;

	/* The server asked for VFSD_OP_INTERRUPT (VFSD_SETUP_INTERRUPT). */
	bool want_interrupt;
	/*
	 * VFSD_SETUP_PIN: page-cache pages go into the window as ordinary
	 * pages the server may pin; pins_caught counts requests that failed
	 * because a page was still held at completion.
	 */
	bool pinnable;
	atomic64_t pins_caught;
	/* VFSD_SETUP_READ_SLOTS: this many per queue, at the window's end. */
	unsigned int read_slots;
	/* Page sets registered in the server's io_uring (uring.c). */
	atomic64_t bufs_registered;

	/* Optional operations the server answered ENOSYS to. */
	bool no_create;

	struct xarray dmaps;	/* direct-map regions by id */
	bool no_flush;
	bool no_fsync;
	bool no_lseek;
};

/* Request flags. */
enum {
	VFSD_REQ_PENDING,	/* on q->pending (changes under q->lock) */
	VFSD_REQ_NOREPLY,	/* posted without a tag, done when posted */
	VFSD_REQ_SENT,		/* posted to the server */
	VFSD_REQ_FINISHED,	/* result is final */
	/*
	 * Set by the reply and by a waiter killed while the request was
	 * with the server: whoever comes second deals with the reply.
	 */
	VFSD_REQ_ABANDONED,
	VFSD_REQ_BACKGROUND,	/* holds one of conn->max_background */
};

struct vfsd_req {
	struct list_head list;
	refcount_t ref;
	struct vfsd_queue *q;
	unsigned long flags;
	struct vfsd_sqe sqe;
	unsigned long queued_at;	/* jiffies, for the request timeout */
	u16 tag;
	int result;		/* -errno, or >= 0 validated against out_size */

	/* Inline payload: in_len bytes in, then up to out_size bytes back. */
	void *buf;
	u32 in_len;
	u32 out_size;
	bool out_exact;		/* reply must be result 0 with out_size bytes */

	/* Pages handed over through the window. */
	struct page **pages;
	unsigned int nr_pages;
	bool pages_readonly;	/* server may only read them (WRITE) */
	bool pages_pinnable;	/* page-cache pages: ordinary PTEs */
	/*
	 * Pinnable READ: pages[] are fresh pages the server fills; these
	 * are the locked page-cache folios they replace on success.
	 */
	struct page **cache_pages;
	bool read_replace;	/* pages[] replace them, else are copied */
	u32 data_off;		/* data starts this far into the first page */
	bool put_pages;		/* page refs (and kvmalloc array) are ours */
	bool result_is_size;	/* xattr size probe: result is not data */
	u32 win_first;		/* first window page, valid while mapped */
	bool win_mapped;
	bool slot_ok;		/* one cache page: may go through a read slot */
	bool clear_on_map;	/* zero pages[] if they are mapped themselves */
	struct page *slot;	/* the read slot the server sees instead */
	/* Bus addresses of the pages for a device (VFSD_IOC_DMA_MAP). */
	struct pci_dev *dma_dev;
	dma_addr_t *dma_addrs;
	/* The pages as a buffer in the server's io_uring (uring.c). */
	struct vfsd_ubuf *ubuf;

	/* Async completion (readahead); else the waiter is woken. */
	void (*end)(struct vfsd_req *req);
	void *end_data;
	wait_queue_head_t waitq;
};

/* Per superblock. */
struct vfsd_mount {
	struct vfsd_conn *conn;
	kuid_t user_id;
	kgid_t group_id;
	umode_t rootmode;
	bool allow_other;
	bool default_permissions;
	unsigned int max_read;
	unsigned int request_timeout;	/* seconds, 0 = none */
};

struct vfsd_inode {
	struct inode inode;
	u64 nodeid;
	u64 nlookup;		/* under inode->i_lock */
	u64 attr_expires;	/* jiffies64 */
	unsigned long state;	/* VFSD_I_* bits */
	struct list_head write_files;	/* writable vfsd_files, i_lock */
};

/* The server reused the nodeid for another kind of file: I/O fails. */
#define VFSD_I_BAD	0
/*
 * Our own request changed the directory's size, times or link count on
 * the server: stat asks again, permission checks (mode and owner did not
 * change) keep using the cached attributes until they expire.
 */
#define VFSD_I_STALE	1

static inline bool vfsd_is_bad(struct inode *inode)
{
	return test_bit(VFSD_I_BAD, &container_of(inode, struct vfsd_inode,
						   inode)->state);
}

struct vfsd_file {
	u64 fh;
	u32 open_flags;		/* VFSD_FOPEN_* from the server */
	u32 f_flags;		/* the open(2) flags */
	u64 nodeid;
	struct list_head write_entry;	/* in vfsd_inode.write_files */
	u32 dmap_id;		/* VFSD_FOPEN_DIRECT_MAP: the region */
	struct vfsd_dmap *dmap;	/* its reference, once opened */
};

static inline struct vfsd_inode *VFSD_I(struct inode *inode)
{
	return container_of(inode, struct vfsd_inode, inode);
}

static inline struct vfsd_mount *VFSD_M(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline u64 vfsd_nodeid(struct inode *inode)
{
	return VFSD_I(inode)->nodeid;
}

#define vfsd_warn(conn, fmt, ...)					\
	pr_warn_ratelimited("vfsd %d: " fmt, (conn)->id, ##__VA_ARGS__)

/* A reply broke the protocol: count it, say so (rate-limited). */
#define vfsd_bad_reply(conn, fmt, ...)					\
	do {								\
		vfsd_protocol_error(conn);				\
		vfsd_warn(conn, fmt, ##__VA_ARGS__);			\
	} while (0)

/* conn.c */
struct vfsd_conn *vfsd_conn_alloc(void);
int vfsd_conn_setup(struct vfsd_conn *conn, struct vfsd_setup *setup);
void vfsd_conn_get(struct vfsd_conn *conn);
void vfsd_conn_put(struct vfsd_conn *conn);
void vfsd_conn_abort(struct vfsd_conn *conn, bool unmounted);
void vfsd_conn_start_timeout(struct vfsd_conn *conn, unsigned int secs);
void vfsd_protocol_error(struct vfsd_conn *conn);
int vfsd_sysfs_init(void);
void vfsd_sysfs_exit(void);

/* dev.c */
extern const struct file_operations vfsd_dev_fops;
/* fdinfo.c */
void vfsd_dev_show_fdinfo(struct seq_file *m, struct file *file);
int vfsd_dev_init(void);
void vfsd_dev_exit(void);
struct vfsd_queue *vfsd_dev_queue(struct vfsd_conn *conn, unsigned long q);

/* ring.c: posting requests and consuming completions */
int vfsd_queue_enter(struct vfsd_queue *q, u32 flags, u32 poll_us);
void vfsd_queue_drain(struct vfsd_queue *q, int error);
bool vfsd_queue_has_work(struct vfsd_queue *q);

/* window.c: page handover into the server's address space */
int vfsd_window_inode_alloc(struct vfsd_conn *conn);
void vfsd_window_inode_free(struct vfsd_conn *conn);
bool vfsd_window_claim(struct vfsd_queue *q);
/* How long a page may stay held after its reply (a late unpin). */
#define VFSD_HELD_WAIT_MS	50
bool vfsd_page_held(struct page *page, int refs);
struct vfsd_req *vfsd_req_in_window(struct vfsd_queue *q, u64 id);
int vfsd_window_mmap(struct vfsd_queue *q, struct vm_area_struct *vma);
struct vm_area_struct *vfsd_window_vma(struct vfsd_queue *q);
int vfsd_window_map(struct vfsd_queue *q, struct vm_area_struct *vma,
		    struct vfsd_req *req, unsigned long tag);
void vfsd_window_unmap(struct vfsd_queue *q, struct vfsd_req *req);
void vfsd_window_zap_all(struct vfsd_queue *q);

/* slot.c: single-page READs through a page that stays mapped */
unsigned int vfsd_read_slots_for(unsigned int depth, unsigned int window_pages);
int vfsd_slots_init(struct vfsd_queue *q);
void vfsd_slots_free(struct vfsd_queue *q);
void vfsd_slots_gone(struct vfsd_queue *q);
int vfsd_slot_map(struct vfsd_queue *q, struct vm_area_struct *vma,
		  struct vfsd_req *req, unsigned long tag);
void vfsd_slot_take(struct vfsd_queue *q, struct vfsd_req *req, int result);

/* req.c: request lifecycle on the application side */
struct vfsd_req *vfsd_req_alloc(struct vfsd_conn *conn, u8 opcode,
				u64 nodeid, u32 in_len, u32 out_size,
				gfp_t gfp);
void vfsd_req_put(struct vfsd_req *req);
bool vfsd_bg_get(struct vfsd_conn *conn);
void vfsd_bg_put(struct vfsd_conn *conn);
void vfsd_req_set_background(struct vfsd_req *req);
int vfsd_req_send_wait(struct vfsd_req *req);
int vfsd_req_send_async(struct vfsd_req *req);
bool vfsd_req_spin(struct vfsd_req *req);
void vfsd_req_steer_away(struct vfsd_req *req);
void vfsd_req_send_noreply(struct vfsd_req *req);
void vfsd_send_noreply_op(struct vfsd_conn *conn, u8 opcode, u64 nodeid,
			  u64 fh, u64 count, gfp_t gfp);
void vfsd_req_finish(struct vfsd_req *req, int result);
int vfsd_errno_valid(int result);

/* inode.c */
extern struct kmem_cache *vfsd_inode_cachep;
struct inode *vfsd_iget(struct super_block *sb, u64 nodeid,
			const struct vfsd_attr *attr, u64 attr_valid_ns);
int vfsd_attr_check(const struct vfsd_attr *attr);
void vfsd_make_bad(struct inode *inode);
void vfsd_update_attr(struct inode *inode, const struct vfsd_attr *attr,
		      u64 attr_valid_ns);
int vfsd_refresh_attr(struct inode *inode, bool force);
bool vfsd_size_is_local(struct inode *inode);
static inline void vfsd_expire_attr(struct inode *inode)
{
	if (inode)
		WRITE_ONCE(container_of(inode, struct vfsd_inode,
					inode)->attr_expires, 0);
}

static inline bool vfsd_attr_expired(struct inode *inode)
{
	return time_after_eq64(get_jiffies_64(),
			       READ_ONCE(VFSD_I(inode)->attr_expires));
}

static inline void vfsd_dir_changed(struct inode *dir)
{
	set_bit(VFSD_I_STALE, &VFSD_I(dir)->state);
}

void vfsd_send_forget(struct super_block *sb, u64 nodeid, u64 nlookup);
u64 vfsd_timeout_jiffies(u64 ns);
bool vfsd_allow_current(struct vfsd_mount *fm);
int vfsd_permission(vfsd_idmap_t *idmap, struct inode *inode, int mask);
int vfsd_getattr(vfsd_idmap_t *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags);
int vfsd_setattr(vfsd_idmap_t *idmap, struct dentry *dentry,
		 struct iattr *attr);
extern const struct inode_operations vfsd_file_iops;
extern const struct inode_operations vfsd_symlink_iops;
extern const struct inode_operations vfsd_special_iops;

/* dir.c */
struct dentry *vfsd_lookup(struct inode *dir, struct dentry *dentry,
			   unsigned int flags);
extern const struct inode_operations vfsd_dir_iops;
extern const struct file_operations vfsd_dir_fops;
extern const struct dentry_operations vfsd_dentry_ops;

int vfsd_open_common(struct inode *inode, struct file *file, bool isdir);
int vfsd_file_opened(struct inode *inode, struct file *file);
int vfsd_file_release(struct inode *inode, struct file *file);
void vfsd_send_release(struct inode *inode, struct file *file, u8 opcode);

/* file.c */
extern const struct file_operations vfsd_file_fops;
extern const struct address_space_operations vfsd_aops;
void vfsd_send_read(struct inode *inode, struct file *file,
		    struct page **pages, unsigned int nr, loff_t pos,
		    bool background);
int vfsd_read_folio(struct file *file, struct folio *folio);
void vfsd_readahead(struct readahead_control *rac);

/* write.c: buffered writes, writeback, shared mmap */
extern const struct vm_operations_struct vfsd_file_vm_ops;
int vfsd_writepages(struct address_space *mapping,
		    struct writeback_control *wbc);
u64 vfsd_write_fh(struct inode *inode);
int vfsd_write_and_wait(struct address_space *mapping, loff_t start,
			loff_t end);

/* direct.c: O_DIRECT through pinned user pages */
ssize_t vfsd_direct_io(struct kiocb *iocb, struct iov_iter *iter, bool write);

/* notify.c: cache invalidation requested by the server */
int vfsd_notify_inval_inode(struct vfsd_conn *conn, void __user *argp);

/* dmap.c */
struct vfsd_dmap;
struct vfsd_dmap *vfsd_dmap_get(struct vfsd_conn *conn, u32 id);
void vfsd_dmap_put(struct vfsd_dmap *d);
long vfsd_ioc_dmap_add(struct vfsd_conn *conn, void __user *argp);
long vfsd_ioc_dmap_remove(struct vfsd_conn *conn, void __user *argp);
void vfsd_dmaps_destroy(struct vfsd_conn *conn);
int vfsd_dmap_open(struct inode *inode, struct file *file, u32 id);

/* uring.c: request pages as io_uring buffers (VFSD_FEAT_URING_BUF) */
#ifdef VFSD_HAVE_URING_BUF
int vfsd_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
bool vfsd_ubuf_held(struct vfsd_req *req);
void vfsd_ubuf_put(struct vfsd_req *req);
#else
static inline bool vfsd_ubuf_held(struct vfsd_req *req) { return false; }
static inline void vfsd_ubuf_put(struct vfsd_req *req) { }
#endif

/* dma.c */
void vfsd_dma_unmap(struct vfsd_req *req);
long vfsd_ioc_dma_map(struct vfsd_queue *q, struct vfsd_dma_map *m,
		      void __user *argp);
int vfsd_notify_inval_entry(struct vfsd_conn *conn, void __user *argp);

/* xattr.c */
extern const struct xattr_handler *vfsd_xattr_handlers[];
ssize_t vfsd_listxattr(struct dentry *dentry, char *list, size_t size);

/* super.c */
int vfsd_fs_init(void);
void vfsd_fs_exit(void);

#endif /* _VFSD_I_H */
