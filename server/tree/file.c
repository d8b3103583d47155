// SPDX-License-Identifier: MIT
/*
 * The mem backend's file data: open, read, write, fallocate, lseek, and
 * the syncs that have nothing to do in RAM. Data moves between the pool
 * blocks and the request's window pages with one memcpy per block; the
 * inode lock is held for reading or writing meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "tree/tree.h"

struct mem_inode *mem_file_inode(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct mem_inode *in = mem_req_inode(req, ino);

	if (in && !S_ISREG(in->mode)) {
		vfsd_reply_err(req, S_ISDIR(in->mode) ? EISDIR : EINVAL);
		mem_inode_put(&MFS(req)->inodes, in);
		return NULL;
	}
	return in;
}

static int acc_mask(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return R_OK;
	case O_WRONLY:
		return W_OK;
	}
	return R_OK | W_OK;
}

void mem_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in = mem_file_inode(req, ino);
	int err;

	if (!in)
		return;
	err = mem_may(req, in, acc_mask(fi->flags) |
		      (fi->flags & O_TRUNC ? W_OK : 0));
	if (!err && (fi->flags & O_TRUNC)) {
		pthread_rwlock_wrlock(&in->lock);
		err = mem_set_size(fs, in, 0);
		mem_now(&in->mtime);
		in->ctime = in->mtime;
		pthread_rwlock_unlock(&in->lock);
		mem_store_inode(fs, in);
	}
	mem_inode_put(&fs->inodes, in);
	if (err) {
		vfsd_reply_err(req, err);
		return;
	}
	fi->fh = ino;
	fi->keep_cache = 1;	/* every change comes through the kernel */
	vfsd_reply_open(req, fi);
}

void mem_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	      off_t off, struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in = mem_file_inode(req, ino);
	size_t n;

	(void)fi;
	if (!in)
		return;
	pthread_rwlock_rdlock(&in->lock);
	n = mem_file_read(&in->file, &fs->pool, in->size, buf, size,
			  (uint64_t)off);
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->inodes, in);
	copy_stats_add(&fs->copied, COPY_READ, n);	/* memcpy (holes: memset) */
	vfsd_reply_read(req, n);
}

void mem_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in = mem_file_inode(req, ino);
	ssize_t n;

	(void)fi;
	if (!in)
		return;
	pthread_rwlock_wrlock(&in->lock);
	n = mem_file_write(&in->file, &fs->pool, &in->size, buf, size,
			   (uint64_t)off);
	if (n >= 0 && (size_t)n < size)
		n = -ENOSPC;	/* lost a race for the last blocks */
	if (n > 0) {
		copy_stats_add(&fs->copied, COPY_WRITE, (uint64_t)n);
		mem_now(&in->mtime);
		in->ctime = in->mtime;
	}
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->inodes, in);
	if (n < 0)
		vfsd_reply_err(req, (int)-n);
	else
		vfsd_reply_write(req, (size_t)n);
}

/* Nothing is buffered between the kernel and RAM. */
void mem_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
	       struct vfsd_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	vfsd_reply_err(req, 0);
}

struct mem_inode *mem_fallocate_inode(struct vfsd_req *req, vfsd_ino_t ino,
				      int mode, off_t offset, off_t length)
{
	if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE &&
	    mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		vfsd_reply_err(req, EOPNOTSUPP);
		return NULL;
	}
	if (length <= 0 || offset < 0) {
		vfsd_reply_err(req, EINVAL);
		return NULL;
	}
	return mem_file_inode(req, ino);
}

void mem_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in;
	int err = 0;

	(void)fi;
	in = mem_fallocate_inode(req, ino, mode, offset, length);
	if (!in)
		return;
	pthread_rwlock_wrlock(&in->lock);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		mem_file_punch(&in->file, &fs->pool, in->size,
			       (uint64_t)offset, (uint64_t)length);
	else
		err = -mem_file_allocate(&in->file, &fs->pool, &in->size,
					 (uint64_t)offset, (uint64_t)length,
					 mode & FALLOC_FL_KEEP_SIZE);
	mem_now(&in->ctime);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		in->mtime = in->ctime;
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->inodes, in);
	vfsd_reply_err(req, err);
}

void mem_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off, int whence,
	       struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in;
	int64_t res;

	(void)fi;
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	in = mem_file_inode(req, ino);
	if (!in)
		return;
	pthread_rwlock_rdlock(&in->lock);
	res = fs->store ? fs->store->seek(fs, in, (uint64_t)off, whence) :
	      mem_file_seek(&in->file, &fs->pool, in->size, (uint64_t)off,
			    whence);
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->inodes, in);
	if (res < 0)
		vfsd_reply_err(req, (int)-res);
	else
		vfsd_reply_lseek(req, (off_t)res);
}
