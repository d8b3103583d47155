/* SPDX-License-Identifier: MIT */
/*
 * A byte stream of an inode on the card (file contents, a symlink's
 * target, serialized xattrs): a sorted list of extents, each a run of
 * file blocks on a run of card blocks, mirrored one to one by records of
 * the card's extent table (written through at every change). Absent
 * blocks are holes and read as zeros. Invariant, as in tree/data.h: the
 * bytes of a present block past the stream's size are zero on the card.
 * Not thread-safe: the owner's inode lock serializes.
 */
#ifndef VFSD_SERVER_FPGA_STREAM_H
#define VFSD_SERVER_FPGA_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fpga/layout.h"

struct fpga_ext {
	uint64_t file_block;
	uint64_t card_block;
	uint32_t count;
	uint32_t rec;		/* its extent table slot */
};

struct fpga_stream {
	struct fpga_layout *L;
	uint32_t owner;		/* inode slot */
	uint32_t id;		/* 0 data, 1 xattrs */
	bool cpu;		/* copy by CPU (metadata) rather than DMA */
	struct fpga_ext *ext;
	uint32_t n, cap;
	uint64_t blocks;	/* present blocks */
};

void fpga_stream_init(struct fpga_stream *s, struct fpga_layout *L,
		      uint32_t owner, uint32_t id);
/* At load: take an extent the card's table holds (sorted after). */
int fpga_stream_add_loaded(struct fpga_stream *s, const struct fpga_dextent *d,
			   uint32_t rec);
/* At load: sort; -EUCLEAN if extents overlap in the file. */
int fpga_stream_loaded(struct fpga_stream *s);

/* len bytes at off, which the caller clamped to the size: 0 or -EIO. */
int fpga_stream_read(struct fpga_stream *s, void *buf, size_t len,
		     uint64_t off);
/*
 * All or nothing: -ENOSPC (no blocks or extent records: nothing
 * written), -EIO (the engine failed), else 0; *size grows to cover it.
 */
int fpga_stream_write(struct fpga_stream *s, uint64_t *size, const void *buf,
		      size_t len, uint64_t off);
/* Set the size, freeing blocks past it: 0 or -EIO. */
int fpga_stream_truncate(struct fpga_stream *s, uint64_t *size,
			 uint64_t newsize);
/* Back [off, off+len) with zeroed blocks: 0, -ENOSPC, -EIO. */
int fpga_stream_allocate(struct fpga_stream *s, uint64_t off, uint64_t len);
/* Zero [off, off+len) within size, freeing whole blocks. */
int fpga_stream_punch(struct fpga_stream *s, uint64_t size, uint64_t off,
		      uint64_t len);
/* SEEK_DATA / SEEK_HOLE from off: the offset, or -ENXIO. */
int64_t fpga_stream_seek(const struct fpga_stream *s, uint64_t size,
			 uint64_t off, int whence);
/* Free every block and record (the inode is gone). */
void fpga_stream_free(struct fpga_stream *s);
/* One contiguous extent from block 0 holding count blocks, or -ENOSPC. */
int fpga_stream_make_contig(struct fpga_stream *s, uint64_t count);

#endif /* VFSD_SERVER_FPGA_STREAM_H */
