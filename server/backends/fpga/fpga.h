/* SPDX-License-Identifier: MIT */
/*
 * The fpga backend: a read-write filesystem whose file data lives in card
 * memory (fpga/layout.h), moved by the card's DMA engine straight to and
 * from the request's window pages. The namespace, attributes, permission
 * checks and xattrs are the mem backend's code running on the embedded
 * struct mem_fs; every change it makes reaches the card through the
 * mem_store_ops in backends/fpga/store.c. Its files: lifecycle and ops
 * table (backends/fpga/fpga.c), file data (backends/fpga/file.c), the store
 * hooks (backends/fpga/store.c), loading and checking a card
 * (backends/fpga/load.c).
 */
#ifndef VFSD_SERVER_BACKEND_FPGA_H
#define VFSD_SERVER_BACKEND_FPGA_H

#include "tree/tree.h"
#include "fpga/driver.h"
#include "fpga/layout.h"
#include "fpga/stream.h"

struct fpga_fs {
	struct mem_fs mem;	/* first: the mem backend's ops run on it */
	struct fpga_dev *dev;
	struct fpga_layout *L;
	bool closing;		/* inodes freed now stay on the card */
	uint32_t dma_pci_dev;	/* the DMA engine, for vfsd_req_dma_map() */
	bool dma_pci_dev_ok;
	/* Direct map: the session (set once mounted) and the card's BAR. */
	struct vfsd_session *session;
	uint32_t bar_pci_dev;
	bool bar_pci_dev_ok;
};

/* Per inode, in mem_inode.store_priv. */
struct fpga_inode {
	uint32_t slot;		/* in the inode table */
	uint32_t dmap_id;	/* its direct-map region, once registered */
	uint32_t flags;		/* FPGA_INO_* */
	struct fpga_stream data;	/* contents; a symlink's target */
	struct fpga_stream xattrs;	/* serialized, see ..._store.c */
	uint32_t xattr_size;
};

#define FFS(req)	((struct fpga_fs *)vfsd_req_userdata(req))

static inline struct fpga_inode *FI(const struct mem_inode *in)
{
	return in->store_priv;
}

/* The xattr that makes an empty file directly mappable: its size. */
#define FPGA_DIRECT_XATTR	"user.vfsd.direct"

/* backends/fpga/store.c */
extern const struct mem_store_ops fpga_store_ops;
void fpga_on_free(void *ctx, struct mem_inode *in);
/* Write in's record through (inode lock held). */
void fpga_sync_locked(struct fpga_fs *fs, struct mem_inode *in);
struct fpga_inode *fpga_inode_alloc(struct fpga_fs *fs, uint32_t slot);
/* Parse a serialized xattr blob into in (at load): 0 or -EUCLEAN. */
int fpga_xattrs_parse(struct mem_inode *in, const char *blob, size_t len);

/* backends/fpga/dma.c: window bus addresses for the DMA engine. */
struct fpga_dma_req {
	struct vfsd_req *req;
	const char *buf;	/* the request's window buffer */
	size_t len;
	uint64_t *addrs;	/* its pages' bus addresses, fetched once */
	unsigned int nr;
};
/* Around a transfer to/from req's buffer on this thread. */
void fpga_dma_begin(struct fpga_dma_req *d, struct vfsd_req *req,
		    const void *buf, size_t len);
void fpga_dma_end(struct fpga_dma_req *d);
/* fpga_dev.dma_addrs; ctx is the fpga_fs. */
int fpga_window_dma_addrs(void *ctx, const void *buf, size_t len,
			  uint64_t *addrs, unsigned int max);

/* backends/fpga/load.c: build the tree from the card, repairing. */
int fpga_load(struct fpga_fs *fs);

/* backends/fpga/file.c */
void fpga_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	       off_t off, struct vfsd_file_info *fi);
void fpga_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
		size_t size, off_t off, struct vfsd_file_info *fi);
void fpga_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		    off_t offset, off_t length, struct vfsd_file_info *fi);
void fpga_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		struct vfsd_file_info *fi);
void fpga_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		   const char *value, size_t size, int flags);

/*
 * Direct map: the card byte range holding a directly mapped file's
 * contents (one contiguous extent). 0, -ENOENT (no such inode), -EINVAL
 * (not directly mapped).
 */
int fpga_direct_range(struct fpga_fs *fs, vfsd_ino_t ino, uint64_t *card_off,
		      uint64_t *len);
/* open: a directly mapped file opens as its direct-map region. */
void fpga_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi);

#endif /* VFSD_SERVER_BACKEND_FPGA_H */
