/* SPDX-License-Identifier: MIT */
/*
 * The tree engine: a whole filesystem namespace in RAM, file data in a
 * block pool (tree/pool.h), run as vfsd request handlers on a struct
 * mem_fs. The mem backend (backends/mem/) uses it as it is; the fpga
 * backend (backends/fpga/) embeds a mem_fs and writes every change through
 * to the card with mem_store_ops. Its names keep the mem_ prefix of the
 * backend it came from. Its files: the namespace reads and the shared
 * replies (tree/lookup.c), namespace changes (tree/namespace.c), open and
 * lseek (tree/file.c), setattr and xattrs (tree/attr.c), access checks
 * for server_permissions (tree/perm.c); under them inodes (tree/inode.h),
 * directories (tree/dir.h), block maps (tree/data.h, tree/radix.h), the
 * pool and xattr lists (tree/xattr.h).
 */
#ifndef VFSD_SERVER_TREE_H
#define VFSD_SERVER_TREE_H

#include <pthread.h>
#include <stdbool.h>

#include <vfsd/vfsd.h>

#include "backends/backend.h"
#include "tree/inode.h"
#include "backends/copy_stats.h"
#include "tree/pool.h"

struct mem_fs;

/*
 * Where a mem filesystem's changes also go: the fpga backend keeps its
 * metadata on a card (backends/fpga/store.c). NULL for plain RAM. Called
 * with the namespace lock held for writing where names change, and with
 * no inode lock held unless said. Failing adds undo their change.
 */
struct mem_store_ops {
	/* A new inode, before it gets its first name: 0 or -errno. */
	int (*inode_new)(struct mem_fs *fs, struct mem_inode *in);
	/* Its attributes (nlink, times, modes, size) changed. */
	void (*inode_sync)(struct mem_fs *fs, struct mem_inode *in);
	/* A name added to dir; reuse: a name being moved, whose place to take. */
	int (*dirent_add)(struct mem_fs *fs, struct mem_inode *dir,
			  struct mem_dirent *de, struct mem_dirent *reuse);
	/* de now names another inode. */
	void (*dirent_sync)(struct mem_fs *fs, struct mem_inode *dir,
			    struct mem_dirent *de);
	/* de is about to go. */
	void (*dirent_remove)(struct mem_fs *fs, struct mem_dirent *de);
	/* A regular file's new size (inode lock held for writing). */
	int (*set_size)(struct mem_fs *fs, struct mem_inode *in, uint64_t size);
	/* SEEK_DATA/SEEK_HOLE in a file (inode lock held): offset or -errno. */
	int64_t (*seek)(struct mem_fs *fs, struct mem_inode *in, uint64_t off,
			int whence);
	/* The xattrs changed (inode lock held for writing): 0 or -errno. */
	int (*xattrs_sync)(struct mem_fs *fs, struct mem_inode *in);
};

struct mem_fs {
	struct mem_pool pool;
	struct mem_inodes inodes;
	pthread_rwlock_t ns_lock;	/* every directory's contents */
	double attr_timeout;
	double entry_timeout;
	bool server_perms;
	const struct mem_store_ops *store;	/* NULL: RAM only */
	struct copy_stats copied;	/* file bytes memcpy'd by read/write */
};

#define MFS(req)	((struct mem_fs *)vfsd_req_userdata(req))

/* tree/lookup.c */
/* The inode of a request with a ref, or NULL after replying ESTALE. */
struct mem_inode *mem_req_inode(struct vfsd_req *req, vfsd_ino_t ino);
/* Reply an entry for in, counting the kernel's new reference. */
void mem_reply_entry(struct vfsd_req *req, struct mem_inode *in);
/* Reply the attributes of in (takes its lock). */
void mem_reply_attr(struct vfsd_req *req, struct mem_inode *in);

/* The namespace reads, shared with the fpga backend's ops table. */
void mem_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name);
void mem_forget(void *userdata, vfsd_ino_t ino, uint64_t nlookup);
void mem_getattr(struct vfsd_req *req, vfsd_ino_t ino,
		 struct vfsd_file_info *fi);
void mem_readlink(struct vfsd_req *req, vfsd_ino_t ino);
void mem_opendir(struct vfsd_req *req, vfsd_ino_t ino,
		 struct vfsd_file_info *fi);
void mem_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
		 off_t off, struct vfsd_file_info *fi);

/* Tell the store, if any, that in's attributes changed. */
void mem_store_inode(struct mem_fs *fs, struct mem_inode *in);

/* tree/namespace.c */
void mem_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi);
void mem_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode, dev_t rdev);
void mem_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode);
void mem_symlink(struct vfsd_req *req, const char *target, vfsd_ino_t parent,
		 const char *name);
void mem_link(struct vfsd_req *req, vfsd_ino_t ino, vfsd_ino_t newparent,
	      const char *newname);
void mem_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name);
void mem_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name);
void mem_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		vfsd_ino_t newparent, const char *newname, unsigned int flags);

/* tree/file.c */
/* A regular file of the request, with a ref; NULL after replying. */
struct mem_inode *mem_file_inode(struct vfsd_req *req, vfsd_ino_t ino);
/* Same, after checking fallocate's arguments (modes we support). */
struct mem_inode *mem_fallocate_inode(struct vfsd_req *req, vfsd_ino_t ino,
				      int mode, off_t offset, off_t length);
void mem_open(struct vfsd_req *req, vfsd_ino_t ino,
	      struct vfsd_file_info *fi);
void mem_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off, int whence,
	       struct vfsd_file_info *fi);

/* tree/attr.c */
/* Set a file's size (inode lock held for writing): 0 or a positive errno. */
int mem_set_size(struct mem_fs *fs, struct mem_inode *in, uint64_t size);
void mem_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi);
void mem_getxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  size_t size);
void mem_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size);
void mem_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags);
void mem_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name);

/*
 * tree/perm.c: with server_permissions the kernel checks nothing, so we
 * do, from the caller's uid/gid (supplementary groups are not known).
 * Each returns 0 or a positive errno; all are 0 without server_perms.
 * They take the inode locks themselves: call them before locking.
 */
int mem_may(struct vfsd_req *req, struct mem_inode *in, int mask);
/* Remove or rename victim out of dir (write + search, sticky bit). */
int mem_may_delete(struct vfsd_req *req, struct mem_inode *dir,
		   struct mem_inode *victim);
/* The setattr rules: chmod/utimes by the owner, chown by root, ... */
int mem_may_setattr(struct vfsd_req *req, struct mem_inode *in,
		    const struct stat *attr, int to_set);

#endif /* VFSD_SERVER_TREE_H */
