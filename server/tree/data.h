/* SPDX-License-Identifier: MIT */
/*
 * A mem file's contents: a sparse map from block index to pool block.
 * Absent blocks are holes and read as zeros. Invariant: the bytes of a
 * present block past the file size are zero, so growing a file never
 * exposes old data. The caller holds the file's inode lock and passes
 * the size, which these functions update.
 */
#ifndef VFSD_SERVER_MEM_DATA_H
#define VFSD_SERVER_MEM_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tree/pool.h"
#include "tree/radix.h"

struct mem_file {
	struct mem_radix map;
	uint64_t nblocks;	/* present blocks, for st_blocks */
};

/* Bytes read (short at end of file) into buf. */
size_t mem_file_read(const struct mem_file *f, struct mem_pool *p,
		     uint64_t size, void *buf, size_t len, uint64_t off);
/*
 * Bytes written, or -ENOSPC (the pool cannot hold the blocks it needs:
 * nothing written), -ENOMEM, -EFBIG. Short only if other files took the
 * space meanwhile. *size grows to cover what was written.
 */
ssize_t mem_file_write(struct mem_file *f, struct mem_pool *p,
		       uint64_t *size, const void *buf, size_t len,
		       uint64_t off);
/* Set the size, freeing blocks past it: 0 or -EFBIG. */
int mem_file_truncate(struct mem_file *f, struct mem_pool *p, uint64_t *size,
		      uint64_t newsize);
/* Back [off, off+len) with zeroed blocks; keep_size: do not grow. */
int mem_file_allocate(struct mem_file *f, struct mem_pool *p, uint64_t *size,
		      uint64_t off, uint64_t len, int keep_size);
/* Zero [off, off+len), freeing whole blocks (the size stays). */
void mem_file_punch(struct mem_file *f, struct mem_pool *p, uint64_t size,
		    uint64_t off, uint64_t len);
/* SEEK_DATA / SEEK_HOLE from off: the offset, or -ENXIO. */
int64_t mem_file_seek(const struct mem_file *f, struct mem_pool *p,
		      uint64_t size, uint64_t off, int whence);
void mem_file_free(struct mem_file *f, struct mem_pool *p);

/* The largest file size (the kernel's MAX_LFS_FILESIZE). */
#define MEM_MAX_FILE_SIZE	((uint64_t)INT64_MAX)

#endif /* VFSD_SERVER_MEM_DATA_H */
