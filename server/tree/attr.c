// SPDX-License-Identifier: MIT
/* The mem backend's setattr and extended attributes. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tree/tree.h"

/* Replies travel in the inline slot: no value can be larger. */
#define XATTR_REPLY_MAX	4096

int mem_set_size(struct mem_fs *fs, struct mem_inode *in, uint64_t size)
{
	if (S_ISDIR(in->mode))
		return EISDIR;
	if (!S_ISREG(in->mode))
		return EINVAL;
	if (fs->store)
		return -fs->store->set_size(fs, in, size);
	return -mem_file_truncate(&in->file, &fs->pool, &in->size, size);
}

static struct timespec pick_time(int to_set, int now_bit, int set_bit,
				 const struct timespec *given,
				 const struct timespec *now,
				 const struct timespec *old)
{
	if (to_set & now_bit)
		return *now;
	if (to_set & set_bit)
		return *given;
	return *old;
}

/* Apply to_set with the inode locked for writing. */
static int apply(struct mem_fs *fs, struct mem_inode *in,
		 const struct stat *attr, int to_set)
{
	struct timespec now;
	int err;

	mem_now(&now);
	if (to_set & VFSD_SET_ATTR_SIZE) {
		err = mem_set_size(fs, in, (uint64_t)attr->st_size);
		if (err)
			return err;
		/* truncate(2) updates both unless told otherwise below. */
		in->mtime = now;
	}
	if (to_set & VFSD_SET_ATTR_MODE)
		in->mode = (in->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & VFSD_SET_ATTR_UID)
		in->uid = attr->st_uid;
	if (to_set & VFSD_SET_ATTR_GID)
		in->gid = attr->st_gid;
	in->atime = pick_time(to_set, VFSD_SET_ATTR_ATIME_NOW,
			      VFSD_SET_ATTR_ATIME, &attr->st_atim, &now,
			      &in->atime);
	in->mtime = pick_time(to_set, VFSD_SET_ATTR_MTIME_NOW,
			      VFSD_SET_ATTR_MTIME, &attr->st_mtim, &now,
			      &in->mtime);
	in->ctime = to_set & VFSD_SET_ATTR_CTIME ? attr->st_ctim : now;
	return 0;
}

void mem_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in = mem_req_inode(req, ino);
	int err;

	(void)fi;	/* one inode whichever handle asks */
	if (!in)
		return;
	err = mem_may_setattr(req, in, attr, to_set);
	if (!err) {
		pthread_rwlock_wrlock(&in->lock);
		err = apply(fs, in, attr, to_set);
		pthread_rwlock_unlock(&in->lock);
		if (!err)
			mem_store_inode(fs, in);
	}
	if (err)
		vfsd_reply_err(req, err);
	else
		mem_reply_attr(req, in);
	mem_inode_put(&fs->inodes, in);
}

/* ctime, and the store's copy (inode lock held): 0 or a positive errno. */
static int xattrs_changed(struct mem_fs *fs, struct mem_inode *in)
{
	mem_now(&in->ctime);
	return fs->store ? -fs->store->xattrs_sync(fs, in) : 0;
}

/* user.* follows the file's modes; the kernel guards the others. */
static int xattr_may(struct vfsd_req *req, struct mem_inode *in,
		     const char *name, int mask)
{
	return strncmp(name, "user.", 5) ? 0 : mem_may(req, in, mask);
}

static void reply_sized(struct vfsd_req *req, ssize_t n, size_t size,
			const char *buf)
{
	if (n < 0)
		vfsd_reply_err(req, (int)-n);
	else if (size == 0)
		vfsd_reply_xattr(req, (size_t)n);
	else
		vfsd_reply_buf(req, buf, (size_t)n);
}

void mem_getxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  size_t size)
{
	struct mem_inode *in = mem_req_inode(req, ino);
	char buf[XATTR_REPLY_MAX];
	ssize_t n;
	int err;

	if (!in)
		return;
	err = xattr_may(req, in, name, R_OK);
	pthread_rwlock_rdlock(&in->lock);
	n = err ? -err : mem_xattr_get(&in->xattrs, name, buf,
				       size < sizeof(buf) ? size : sizeof(buf));
	/* Larger than the caller's buffer, or than any reply. */
	if (n == -ERANGE && size > sizeof(buf))
		n = -E2BIG;
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&MFS(req)->inodes, in);
	reply_sized(req, n, size, buf);
}

void mem_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size)
{
	struct mem_inode *in = mem_req_inode(req, ino);
	char buf[XATTR_REPLY_MAX];
	ssize_t n;

	if (!in)
		return;
	pthread_rwlock_rdlock(&in->lock);
	n = mem_xattr_list(&in->xattrs, buf,
			   size < sizeof(buf) ? size : sizeof(buf));
	if (n == -ERANGE && size > sizeof(buf))
		n = -E2BIG;
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&MFS(req)->inodes, in);
	reply_sized(req, n, size, buf);
}

void mem_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags)
{
	struct mem_inode *in = mem_req_inode(req, ino);
	int err;

	if (!in)
		return;
	err = xattr_may(req, in, name, W_OK);
	if (!err) {
		pthread_rwlock_wrlock(&in->lock);
		err = -mem_xattr_set(&in->xattrs, name, value, size, flags);
		err = err ? err : xattrs_changed(MFS(req), in);
		pthread_rwlock_unlock(&in->lock);
	}
	mem_inode_put(&MFS(req)->inodes, in);
	vfsd_reply_err(req, err);
}

void mem_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name)
{
	struct mem_inode *in = mem_req_inode(req, ino);
	int err;

	if (!in)
		return;
	err = xattr_may(req, in, name, W_OK);
	if (!err) {
		pthread_rwlock_wrlock(&in->lock);
		err = -mem_xattr_remove(&in->xattrs, name);
		err = err ? err : xattrs_changed(MFS(req), in);
		pthread_rwlock_unlock(&in->lock);
	}
	mem_inode_put(&MFS(req)->inodes, in);
	vfsd_reply_err(req, err);
}
