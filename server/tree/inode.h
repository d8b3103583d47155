/* SPDX-License-Identifier: MIT */
/*
 * The mem backend's inodes and the table the kernel's nodeids index.
 *
 * Three counts keep an inode alive: nlink (names in directories), nlookup
 * (the kernel's references: entry replies minus FORGETs) and refs (ops
 * using it right now). It is freed, data and all, when all three are 0:
 * an unlinked file lives on while the kernel still has it open.
 *
 * Locks, taken in this order: the filesystem's namespace lock (directory
 * contents, nlink, parent), an inode's own rwlock (attributes, data,
 * xattrs), the table lock (the counts and the hash).
 */
#ifndef VFSD_SERVER_MEM_INODE_H
#define VFSD_SERVER_MEM_INODE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "tree/data.h"
#include "tree/dir.h"
#include "tree/pool.h"
#include "tree/xattr.h"

struct mem_inode {
	uint64_t nodeid;	/* also st_ino; never reused */
	pthread_rwlock_t lock;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	dev_t rdev;
	uint32_t nlink;
	uint64_t size;
	struct timespec atime, mtime, ctime;
	struct mem_xattrs xattrs;
	union {
		struct mem_file file;	/* S_IFREG */
		struct mem_dir dir;	/* S_IFDIR */
		char *target;		/* S_IFLNK */
	};
	struct mem_inode *parent;	/* S_IFDIR: for ".." and renames */
	void *store_priv;	/* a mem_store's per-inode state */

	/* Under the table lock. */
	uint64_t nlookup;
	unsigned int refs;
	struct mem_inode *hnext;
};

struct mem_inodes {
	pthread_mutex_t lock;
	struct mem_inode **buckets;
	size_t nbuckets;
	size_t count;
	uint64_t max;		/* inode limit (statfs files) */
	uint64_t next_nodeid;
	struct mem_pool *pool;	/* where freed files return their blocks */
	/* A mem_store's cleanup when an inode is freed (table lock held). */
	void (*on_free)(void *ctx, struct mem_inode *in);
	void *on_free_ctx;
};

int mem_inodes_init(struct mem_inodes *t, struct mem_pool *pool,
		    uint64_t max);
void mem_inodes_fini(struct mem_inodes *t);
size_t mem_inodes_count(struct mem_inodes *t);

/*
 * A new inode with one ref, no links and the current time; directories
 * and symlinks (target copied) get their contents ready. NULL with *err
 * -ENOSPC (inode limit) or -ENOMEM.
 */
struct mem_inode *mem_inode_new(struct mem_inodes *t, mode_t mode, uid_t uid,
				gid_t gid, dev_t rdev, const char *target,
				int *err);
/* The inode with this nodeid, with a ref; NULL if unknown. */
struct mem_inode *mem_inode_get(struct mem_inodes *t, uint64_t nodeid);
/* Another ref on an inode reachable from what we hold (a dirent). */
void mem_inode_ref(struct mem_inodes *t, struct mem_inode *in);
void mem_inode_put(struct mem_inodes *t, struct mem_inode *in);
/* The kernel got an entry for in / dropped n of them. */
void mem_inode_lookup(struct mem_inodes *t, struct mem_inode *in);
void mem_inode_forget(struct mem_inodes *t, uint64_t nodeid, uint64_t n);
/* Change nlink (namespace and inode locks held). */
void mem_inode_set_nlink(struct mem_inodes *t, struct mem_inode *in,
			 uint32_t nlink);

/* Attributes for a reply (inode lock held, shared is enough). */
void mem_inode_stat(const struct mem_inode *in, const struct mem_pool *p,
		    struct stat *st);
void mem_now(struct timespec *ts);

#endif /* VFSD_SERVER_MEM_INODE_H */
