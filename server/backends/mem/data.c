// SPDX-License-Identifier: MIT
/*
 * The mem backend's file data: read, write, fallocate, and the fsync that
 * has nothing to do in RAM. Data moves between the pool blocks and the
 * request's window pages with one memcpy per block; the inode lock is
 * held for reading or writing meanwhile.
 */
#include <errno.h>
#include <fcntl.h>

#include "backends/mem/mem.h"

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
