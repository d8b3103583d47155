/* SPDX-License-Identifier: MIT */
/*
 * The mem backend: a whole filesystem in RAM. The namespace, attributes,
 * permission checks and xattrs are the tree's (tree/tree.h), file data
 * lives in the tree's block pool. Its files: the ops table and lifecycle
 * (backends/mem/mem.c) and file data (backends/mem/data.c).
 */
#ifndef VFSD_SERVER_BACKEND_MEM_H
#define VFSD_SERVER_BACKEND_MEM_H

#include "tree/tree.h"

#define MEM_DEFAULT_SIZE	(256ull << 20)
#define MEM_BLOCK_SIZE		4096

/* backends/mem/data.c */
void mem_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	      off_t off, struct vfsd_file_info *fi);
void mem_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi);
void mem_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
	       struct vfsd_file_info *fi);
void mem_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi);

#endif /* VFSD_SERVER_BACKEND_MEM_H */
