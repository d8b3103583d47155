// SPDX-License-Identifier: MIT
/*
 * The tree's file handlers that do not move data: open (with O_TRUNC),
 * lseek (SEEK_DATA/SEEK_HOLE, through the store if there is one), and the
 * checks that pick a regular file for the data handlers of each backend
 * (backends/mem/data.c, backends/fpga/file.c).
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
