/* SPDX-License-Identifier: MIT */
/*
 * The fpga card's on-card format. Little-endian, block size 4 KiB:
 *
 *   block 0          superblock (struct fpga_super, crc32c)
 *   inode table      inode_count  x 128-byte records (struct fpga_dinode)
 *   dirent table     dirent_count x 288-byte records (struct fpga_ddirent)
 *   extent table     extent_count x  32-byte records (struct fpga_dextent)
 *   data region      data_blocks  x 4 KiB, handed to files in extents
 *
 * Every record carries its own crc32c, and a record slot is free when it
 * is all zeros. Metadata is written through to the card at each change
 * (the whole record, from an in-RAM shadow of the metadata region); free
 * space is not stored: mount rebuilds the allocator from the extent table
 * (fsck-lite, fpga_load.c). The superblock's state says whether the last
 * server unmounted cleanly; generation counts mounts.
 *
 * A file's contents are its stream-0 extents; a symlink's target is its
 * stream 0 too; its xattrs, serialized, are stream 1. An inode flagged
 * FPGA_INO_DIRECT has one contiguous data extent that can be mapped
 * straight into applications (fpga_layout_direct_range()).
 */
#ifndef VFSD_SERVER_FPGA_LAYOUT_H
#define VFSD_SERVER_FPGA_LAYOUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fpga/driver.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the on-card format is little-endian; add byte swapping"
#endif

#define FPGA_MAGIC		"VFSDCARD"
#define FPGA_VERSION		1
#define FPGA_BLOCK		4096u
#define FPGA_NONE		UINT32_MAX

#define FPGA_STATE_CLEAN	1
#define FPGA_STATE_MOUNTED	2	/* a server has it, or died with it */

struct fpga_super {
	char magic[8];
	uint32_t version;
	uint32_t block_size;
	uint64_t card_size;
	uint64_t inode_off;
	uint32_t inode_count, inode_size;
	uint64_t dirent_off;
	uint32_t dirent_count, dirent_size;
	uint64_t extent_off;
	uint32_t extent_count, extent_size;
	uint64_t data_off;		/* block aligned */
	uint64_t data_blocks;
	uint64_t generation;		/* mounts so far */
	uint64_t next_nodeid;		/* nodeids are never reused */
	uint32_t state;
	uint32_t crc;			/* of everything above */
};

#define FPGA_INO_DIRECT		(1u << 0)	/* one contiguous extent */

struct fpga_dinode {
	uint32_t crc;			/* of the record, crc as 0 */
	uint32_t flags;
	uint64_t nodeid;		/* 0: free slot */
	uint32_t mode, uid, gid, nlink;
	uint64_t rdev;
	uint64_t size;			/* bytes of stream 0 */
	int64_t atime, mtime, ctime;
	uint32_t atime_ns, mtime_ns, ctime_ns;
	uint32_t xattr_size;		/* bytes of stream 1 */
	uint8_t pad[128 - 88];
};

#define FPGA_NAME_MAX		255

struct fpga_ddirent {
	uint32_t crc;
	uint16_t namelen;		/* 0: free slot */
	uint16_t pad;
	uint64_t parent;		/* nodeids */
	uint64_t child;
	char name[FPGA_NAME_MAX + 1];
	uint8_t pad2[288 - 280];
};

struct fpga_dextent {
	uint32_t crc;
	uint32_t owner;			/* inode slot + 1; 0: free slot */
	uint32_t stream;		/* 0 data, 1 xattrs */
	uint32_t count;			/* blocks */
	uint64_t file_block;		/* first block in the stream */
	uint64_t card_block;		/* first block in the data region */
};

_Static_assert(sizeof(struct fpga_super) <= FPGA_BLOCK, "superblock");
_Static_assert(sizeof(struct fpga_dinode) == 128, "inode record");
_Static_assert(sizeof(struct fpga_ddirent) == 288, "dirent record");
_Static_assert(sizeof(struct fpga_dextent) == 32, "extent record");

/* A mounted card: the shadow of its metadata and the data allocator. */
struct fpga_layout {
	struct fpga_dev *dev;
	struct fpga_super sb;
	char *meta;			/* shadow of card [0, sb.data_off) */
	pthread_mutex_t lock;		/* shadow, free lists, allocator */
	/* Free record slots, as stacks (lowest on top). */
	uint32_t *free_inodes, nfree_inodes;
	uint32_t *free_dirents, nfree_dirents;
	uint32_t *free_extents, nfree_extents;
	uint64_t *bitmap;		/* data blocks in use */
	uint64_t free_blocks;
	uint64_t alloc_hint;		/* where the next search starts */
	bool was_clean;			/* state at mount */
	int write_err;			/* first failed write-through */
};

/* Sizes a new card gets; zeros: derived from the card size. */
struct fpga_geometry {
	uint32_t inode_count, dirent_count, extent_count;
};

/*
 * Write an empty filesystem: superblock, cleared tables, the root
 * directory (nodeid 1, slot 0) owned by uid/gid. 0 or -errno (-ENOSPC:
 * the card is too small).
 */
int fpga_layout_format(struct fpga_dev *dev, const struct fpga_geometry *g,
		       uint32_t uid, uint32_t gid);
/*
 * Read and check the superblock and load the metadata shadow. A card
 * whose first block is all zeros is formatted first. -ENODATA: it holds
 * something else (the caller says --format); -EUCLEAN: the superblock is
 * damaged; -EIO: the card could not be read. The allocator starts empty:
 * fpga_load.c marks the extents it accepts, then calls ..._mounted().
 */
int fpga_layout_open(struct fpga_dev *dev, uint32_t uid, uint32_t gid,
		     struct fpga_layout **out);
/* Same, for looking only: no formatting; free with fpga_layout_free(). */
int fpga_layout_open_ro(struct fpga_dev *dev, struct fpga_layout **out);
void fpga_layout_free(struct fpga_layout *L);
/* Mark the card in use (state, generation) once loading went well. */
int fpga_layout_mounted(struct fpga_layout *L);
/* Mark it clean, flush and free (the device stays open). */
int fpga_layout_close(struct fpga_layout *L);

/* Records: read and check (0, -ENOENT free, -EUCLEAN bad), write through. */
int fpga_inode_get(struct fpga_layout *L, uint32_t slot,
		   struct fpga_dinode *d);
int fpga_inode_put(struct fpga_layout *L, uint32_t slot,
		   const struct fpga_dinode *d);
int fpga_dirent_get(struct fpga_layout *L, uint32_t slot,
		    struct fpga_ddirent *d);
int fpga_dirent_put(struct fpga_layout *L, uint32_t slot,
		    const struct fpga_ddirent *d);
int fpga_extent_get(struct fpga_layout *L, uint32_t slot,
		    struct fpga_dextent *d);
int fpga_extent_put(struct fpga_layout *L, uint32_t slot,
		    const struct fpga_dextent *d);

/* Record slots: FPGA_NONE when the table is full. Freeing clears it. */
uint32_t fpga_slot_alloc(struct fpga_layout *L, int table);
void fpga_slot_free(struct fpga_layout *L, int table, uint32_t slot);
/* Rebuild the free lists from which records are in use (at load). */
int fpga_slots_rebuild(struct fpga_layout *L);
enum { FPGA_T_INODE, FPGA_T_DIRENT, FPGA_T_EXTENT };

/* Data blocks (fpga/alloc.c). */
/*
 * Up to want free blocks in one run, starting at hint if that block is
 * free: the count (*start set), or 0 when the card is full.
 */
uint64_t fpga_blocks_alloc(struct fpga_layout *L, uint64_t hint,
			   uint64_t want, uint64_t *start);
/* Exactly count contiguous blocks (direct map): 0 or -ENOSPC. */
int fpga_blocks_alloc_contig(struct fpga_layout *L, uint64_t count,
			     uint64_t *start);
void fpga_blocks_free(struct fpga_layout *L, uint64_t start, uint64_t count);
/* At load: claim blocks an extent names; -EEXIST if any is taken. */
int fpga_blocks_claim(struct fpga_layout *L, uint64_t start, uint64_t count);
uint64_t fpga_blocks_free_count(struct fpga_layout *L);

/* Card byte offset of a data block. */
static inline uint64_t fpga_block_off(const struct fpga_layout *L,
				      uint64_t block)
{
	return L->sb.data_off + block * FPGA_BLOCK;
}

/*
 * CPU copies to and from the card (metadata-sized things: symlink
 * targets, xattr blobs, zero fill): through map() where the driver has
 * it, else through transfer(). 0 or -EIO.
 */
int fpga_card_read(struct fpga_layout *L, void *buf, uint64_t off,
		   size_t len);
int fpga_card_write(struct fpga_layout *L, const void *buf, uint64_t off,
		    size_t len);
int fpga_card_zero(struct fpga_layout *L, uint64_t off, size_t len);

#endif /* VFSD_SERVER_FPGA_LAYOUT_H */
