// SPDX-License-Identifier: MIT
/*
 * The fpga backend's file data: read, write, fallocate, lseek, fsync,
 * and the xattr that makes a file directly mappable. Data moves between
 * the request's window pages and card memory by the driver's transfer()
 * (DMA on a card), under the inode lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/fpga/fpga.h"

void fpga_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	       off_t off, struct vfsd_file_info *fi)
{
	struct mem_inode *in = mem_file_inode(req, ino);
	struct fpga_dma_req dma;
	size_t n = 0;
	int err = 0;

	(void)fi;
	if (!in)
		return;
	fpga_dma_begin(&dma, req, buf, size);
	pthread_rwlock_rdlock(&in->lock);
	if ((uint64_t)off < in->size) {
		n = in->size - (uint64_t)off < size ?
		    (size_t)(in->size - (uint64_t)off) : size;
		err = fpga_stream_read(&FI(in)->data, buf, n, (uint64_t)off);
	}
	pthread_rwlock_unlock(&in->lock);
	fpga_dma_end(&dma);
	mem_inode_put(&MFS(req)->inodes, in);
	if (err)
		vfsd_reply_err(req, -err);
	else
		vfsd_reply_read(req, n);
}

void fpga_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
		size_t size, off_t off, struct vfsd_file_info *fi)
{
	struct fpga_fs *fs = FFS(req);
	struct mem_inode *in = mem_file_inode(req, ino);
	struct fpga_dma_req dma;
	struct fpga_inode *f;
	int err;

	(void)fi;
	if (!in)
		return;
	fpga_dma_begin(&dma, req, buf, size);
	pthread_rwlock_wrlock(&in->lock);
	f = FI(in);
	/* A directly mapped file is its one extent: it cannot grow. */
	if ((f->flags & FPGA_INO_DIRECT) &&
	    (uint64_t)off + size > f->data.blocks * FPGA_BLOCK)
		err = -ENOSPC;
	else
		err = fpga_stream_write(&f->data, &in->size, buf, size,
					(uint64_t)off);
	if (!err) {
		mem_now(&in->mtime);
		in->ctime = in->mtime;
	}
	fpga_sync_locked(fs, in);
	pthread_rwlock_unlock(&in->lock);
	fpga_dma_end(&dma);
	mem_inode_put(&fs->mem.inodes, in);
	if (err)
		vfsd_reply_err(req, -err);
	else
		vfsd_reply_write(req, size);
}

void fpga_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		    off_t offset, off_t length, struct vfsd_file_info *fi)
{
	struct fpga_fs *fs = FFS(req);
	struct mem_inode *in;
	struct fpga_inode *f;
	uint64_t off = (uint64_t)offset, len = (uint64_t)length;
	int err = 0;

	(void)fi;
	in = mem_fallocate_inode(req, ino, mode, offset, length);
	if (!in)
		return;
	pthread_rwlock_wrlock(&in->lock);
	f = FI(in);
	if (f->flags & FPGA_INO_DIRECT) {
		/* Its extent is all it has: only zeroing within it. */
		if (off + len > f->data.blocks * FPGA_BLOCK)
			err = mode & FALLOC_FL_PUNCH_HOLE ? 0 : -ENOSPC;
		else if (mode & FALLOC_FL_PUNCH_HOLE)
			err = fpga_card_zero(fs->L, fpga_block_off(fs->L,
					     f->data.ext[0].card_block) + off, len);
	} else if (mode & FALLOC_FL_PUNCH_HOLE) {
		err = fpga_stream_punch(&f->data, in->size, off, len);
	} else {
		err = fpga_stream_allocate(&f->data, off, len);
	}
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && off + len > in->size)
		in->size = off + len;
	mem_now(&in->ctime);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		in->mtime = in->ctime;
	fpga_sync_locked(fs, in);
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->mem.inodes, in);
	vfsd_reply_err(req, -err);
}

/* Data and metadata went through at each request: flush the card. */
void fpga_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		struct vfsd_file_info *fi)
{
	struct fpga_dev *dev = FFS(req)->dev;
	int err = dev->ops->flush ? dev->ops->flush(dev) : 0;

	(void)ino;
	(void)datasync;
	(void)fi;
	vfsd_reply_err(req, err ? EIO : 0);
}

/* "user.vfsd.direct" = a size: make an empty file one contiguous extent. */
static int make_direct(struct fpga_fs *fs, struct mem_inode *in,
		       const char *value, size_t size)
{
	struct fpga_inode *f = FI(in);
	char num[32];
	char *end;
	unsigned long long bytes;
	int err;

	if (size == 0 || size >= sizeof(num))
		return -EINVAL;
	memcpy(num, value, size);
	num[size] = '\0';
	bytes = strtoull(num, &end, 0);
	if (*end || bytes == 0 || bytes > (uint64_t)UINT32_MAX * FPGA_BLOCK)
		return -EINVAL;
	if (f->flags & FPGA_INO_DIRECT)
		return -EEXIST;
	if (f->data.n || in->size)
		return -EBUSY;	/* only an empty file, so nothing moves */
	err = fpga_stream_make_contig(&f->data,
				      (bytes + FPGA_BLOCK - 1) / FPGA_BLOCK);
	if (err)
		return err;
	f->flags |= FPGA_INO_DIRECT;
	in->size = bytes;
	mem_now(&in->ctime);
	in->mtime = in->ctime;
	fpga_sync_locked(fs, in);
	return 0;
}

void fpga_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		   const char *value, size_t size, int flags)
{
	struct mem_inode *in;
	int err;

	if (strcmp(name, FPGA_DIRECT_XATTR)) {
		mem_setxattr(req, ino, name, value, size, flags);
		return;
	}
	in = mem_file_inode(req, ino);
	if (!in)
		return;
	err = mem_may(req, in, W_OK);
	if (!err) {
		pthread_rwlock_wrlock(&in->lock);
		err = -make_direct(FFS(req), in, value, size);
		pthread_rwlock_unlock(&in->lock);
	}
	mem_inode_put(&MFS(req)->inodes, in);
	vfsd_reply_err(req, err);
}

int fpga_direct_range(struct fpga_fs *fs, vfsd_ino_t ino, uint64_t *card_off,
		      uint64_t *len)
{
	struct mem_inode *in = mem_inode_get(&fs->mem.inodes, ino);
	int err = 0;

	if (!in)
		return -ENOENT;
	pthread_rwlock_rdlock(&in->lock);
	if (!FI(in) || !(FI(in)->flags & FPGA_INO_DIRECT) || FI(in)->data.n != 1) {
		err = -EINVAL;
	} else {
		*card_off = fpga_block_off(fs->L, FI(in)->data.ext[0].card_block);
		*len = (uint64_t)FI(in)->data.ext[0].count * FPGA_BLOCK;
	}
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->mem.inodes, in);
	return err;
}

/*
 * The direct-map region of a directly mapped file, registered with the
 * module at its first open; 0 when it has none or cannot have one (no
 * card BAR, FUSE, not mounted yet).
 */
static uint32_t direct_region(struct fpga_fs *fs, vfsd_ino_t ino)
{
	struct vfsd_session *s = __atomic_load_n(&fs->session, __ATOMIC_ACQUIRE);
	struct mem_inode *in;
	uint64_t off, len;
	uint32_t id = 0;
	int ret;

	if (!s || !fs->bar_pci_dev_ok || fpga_direct_range(fs, ino, &off, &len))
		return 0;
	in = mem_inode_get(&fs->mem.inodes, ino);
	if (!in)
		return 0;
	pthread_rwlock_wrlock(&in->lock);
	if (FI(in) && !FI(in)->dmap_id) {
		ret = vfsd_dmap_add(s, fs->bar_pci_dev, fs->dev->bar, off, len);
		if (ret > 0)
			FI(in)->dmap_id = ret;
		else
			vfsd_log(VFSD_LOG_WARNING, "direct map of inode %llu: "
				 "%s; it stays a plain file",
				 (unsigned long long)ino, strerror(-ret));
	}
	if (FI(in))
		id = FI(in)->dmap_id;
	pthread_rwlock_unlock(&in->lock);
	mem_inode_put(&fs->mem.inodes, in);
	return id;
}

void fpga_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	uint32_t id = direct_region(FFS(req), ino);

	if (id) {
		fi->direct_map = 1;
		fi->dmap_id = id;
	}
	mem_open(req, ino, fi);
}
