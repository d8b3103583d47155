// SPDX-License-Identifier: MIT
/*
 * The fpga card's format: superblock, record tables, write-through of
 * records from the metadata shadow. See fpga/layout.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vfsd/vfsd.h>

#include "fpga/crc.h"
#include "fpga/layout.h"

#define MIN_RECORDS	64

static uint64_t align_up(uint64_t v)
{
	return (v + FPGA_BLOCK - 1) / FPGA_BLOCK * FPGA_BLOCK;
}

static uint32_t super_crc(const struct fpga_super *sb)
{
	return fpga_crc32c(0, sb, offsetof(struct fpga_super, crc));
}

/* crc of a record whose first 4 bytes are its crc. */
static uint32_t rec_crc(const void *rec, size_t size)
{
	return fpga_crc32c(0, (const char *)rec + 4, size - 4);
}

int fpga_card_read(struct fpga_layout *L, void *buf, uint64_t off,
		   size_t len)
{
	struct fpga_dev *dev = L->dev;
	void *p = dev->ops->map(dev, off, len);

	if (p) {
		memcpy(buf, p, len);
		return 0;
	}
	return fpga_transfer(dev, FPGA_FROM_CARD, buf, off, len);
}

int fpga_card_write(struct fpga_layout *L, const void *buf, uint64_t off,
		    size_t len)
{
	struct fpga_dev *dev = L->dev;
	void *p = dev->ops->map(dev, off, len);

	if (p) {
		memcpy(p, buf, len);
		return 0;
	}
	return fpga_transfer(dev, FPGA_TO_CARD, (void *)buf, off, len);
}

int fpga_card_zero(struct fpga_layout *L, uint64_t off, size_t len)
{
	static const char zeros[FPGA_BLOCK];
	int err = 0;

	while (len && !err) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		err = fpga_card_write(L, zeros, off, n);
		off += n;
		len -= n;
	}
	return err;
}

/* Card-independent sizes: a quarter of the blocks in inodes, etc. */
static int plan(struct fpga_super *sb, uint64_t card_size,
		const struct fpga_geometry *g)
{
	uint64_t blocks = card_size / FPGA_BLOCK, meta;
	uint64_t ni = g && g->inode_count ? g->inode_count : blocks / 8;

	if (ni < MIN_RECORDS)
		ni = MIN_RECORDS;
	if (ni > UINT32_MAX / 4)
		ni = UINT32_MAX / 4;
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, FPGA_MAGIC, 8);
	sb->version = FPGA_VERSION;
	sb->block_size = FPGA_BLOCK;
	sb->card_size = card_size;
	sb->inode_count = (uint32_t)ni;
	sb->dirent_count = g && g->dirent_count ? g->dirent_count : (uint32_t)ni;
	sb->extent_count = g && g->extent_count ? g->extent_count
						: (uint32_t)ni * 2;
	sb->inode_size = sizeof(struct fpga_dinode);
	sb->dirent_size = sizeof(struct fpga_ddirent);
	sb->extent_size = sizeof(struct fpga_dextent);
	sb->inode_off = FPGA_BLOCK;
	sb->dirent_off = align_up(sb->inode_off +
				  (uint64_t)sb->inode_count * sb->inode_size);
	sb->extent_off = align_up(sb->dirent_off +
				  (uint64_t)sb->dirent_count * sb->dirent_size);
	meta = align_up(sb->extent_off +
			(uint64_t)sb->extent_count * sb->extent_size);
	if (meta >= card_size || (card_size - meta) / FPGA_BLOCK < 16)
		return -ENOSPC;
	sb->data_off = meta;
	sb->data_blocks = (card_size - meta) / FPGA_BLOCK;
	sb->next_nodeid = VFSD_ROOT_INO + 1;
	sb->state = FPGA_STATE_CLEAN;
	return 0;
}

static int write_super(struct fpga_layout *L)
{
	char block[FPGA_BLOCK] = { 0 };

	L->sb.crc = super_crc(&L->sb);
	memcpy(block, &L->sb, sizeof(L->sb));
	return fpga_card_write(L, block, 0, sizeof(block));
}

int fpga_layout_format(struct fpga_dev *dev, const struct fpga_geometry *g,
		       uint32_t uid, uint32_t gid)
{
	struct fpga_layout L = { .dev = dev };
	struct fpga_dinode root = { 0 };
	struct timespec now;
	int err;

	err = plan(&L.sb, dev->size, g);
	if (err)
		return err;
	/* Superblock last: a half-formatted card does not look formatted. */
	err = fpga_card_zero(&L, 0, L.sb.data_off);
	clock_gettime(CLOCK_REALTIME, &now);
	root.nodeid = VFSD_ROOT_INO;
	root.mode = 040755;
	root.uid = uid;
	root.gid = gid;
	root.nlink = 2;
	root.atime = root.mtime = root.ctime = now.tv_sec;
	root.atime_ns = root.mtime_ns = root.ctime_ns = (uint32_t)now.tv_nsec;
	root.crc = rec_crc(&root, sizeof(root));
	if (!err)
		err = fpga_card_write(&L, &root, L.sb.inode_off, sizeof(root));
	if (!err)
		err = write_super(&L);
	if (!err && dev->ops->flush)
		err = dev->ops->flush(dev);
	return err;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return false;
	return true;
}

/* A table [off, off + count * size) inside the metadata area. */
static bool table_ok(uint64_t off, uint64_t count, uint64_t size,
		     uint64_t want_size, uint64_t end)
{
	return size == want_size && count >= 1 && off >= FPGA_BLOCK &&
	       off <= end && count <= (end - off) / size;
}

/* Everything read from the card is checked before it is trusted. */
static int check_super(const struct fpga_super *sb, uint64_t card_size)
{
	if (memcmp(sb->magic, FPGA_MAGIC, 8))
		return -ENODATA;
	if (sb->crc != super_crc(sb))
		return -EUCLEAN;
	if (sb->version != FPGA_VERSION || sb->block_size != FPGA_BLOCK)
		return -EPROTONOSUPPORT;
	if (sb->card_size > card_size || sb->data_off % FPGA_BLOCK ||
	    sb->data_off > sb->card_size || sb->data_blocks == 0 ||
	    sb->data_blocks > (sb->card_size - sb->data_off) / FPGA_BLOCK ||
	    sb->data_blocks >= FPGA_NONE)
		return -EUCLEAN;
	if (!table_ok(sb->inode_off, sb->inode_count, sb->inode_size,
		      sizeof(struct fpga_dinode), sb->data_off) ||
	    !table_ok(sb->dirent_off, sb->dirent_count, sb->dirent_size,
		      sizeof(struct fpga_ddirent), sb->data_off) ||
	    !table_ok(sb->extent_off, sb->extent_count, sb->extent_size,
		      sizeof(struct fpga_dextent), sb->data_off))
		return -EUCLEAN;
	/* The tables in fpga/layout.h's order, none overlapping the next. */
	if (sb->inode_off + (uint64_t)sb->inode_count * sb->inode_size >
	    sb->dirent_off ||
	    sb->dirent_off + (uint64_t)sb->dirent_count * sb->dirent_size >
	    sb->extent_off)
		return -EUCLEAN;
	if (sb->inode_count >= FPGA_NONE - 1 || sb->dirent_count >= FPGA_NONE ||
	    sb->extent_count >= FPGA_NONE || sb->next_nodeid <= VFSD_ROOT_INO)
		return -EUCLEAN;
	return 0;
}

static int read_super(struct fpga_dev *dev, struct fpga_super *sb,
		      bool *blank)
{
	struct fpga_layout tmp = { .dev = dev };
	char block[FPGA_BLOCK];
	int err;

	if (dev->size < FPGA_BLOCK)
		return -ENOSPC;
	err = fpga_card_read(&tmp, block, 0, sizeof(block));
	if (err)
		return err;
	*blank = all_zero(block, sizeof(block));
	memcpy(sb, block, sizeof(*sb));
	return 0;
}

static void layout_free(struct fpga_layout *L)
{
	free(L->meta);
	free(L->free_inodes);
	free(L->free_dirents);
	free(L->free_extents);
	free(L->bitmap);
	pthread_mutex_destroy(&L->lock);
	free(L);
}

static int layout_open(struct fpga_dev *dev, bool format, uint32_t uid,
		       uint32_t gid, struct fpga_layout **out)
{
	struct fpga_layout *L;
	struct fpga_super sb;
	bool blank;
	int err;

	err = read_super(dev, &sb, &blank);
	if (!err && blank && !format)
		err = -ENODATA;
	if (!err && blank) {
		vfsd_log(VFSD_LOG_INFO, "%s: empty card, formatting", dev->desc);
		err = fpga_layout_format(dev, NULL, uid, gid);
		if (!err)
			err = read_super(dev, &sb, &blank);
	}
	if (!err)
		err = check_super(&sb, dev->size);
	if (err)
		return err;
	L = calloc(1, sizeof(*L));
	if (!L)
		return -ENOMEM;
	pthread_mutex_init(&L->lock, NULL);
	L->dev = dev;
	L->sb = sb;
	L->was_clean = sb.state == FPGA_STATE_CLEAN;
	L->meta = malloc(sb.data_off);
	L->free_inodes = malloc(sizeof(uint32_t) * sb.inode_count);
	L->free_dirents = malloc(sizeof(uint32_t) * sb.dirent_count);
	L->free_extents = malloc(sizeof(uint32_t) * sb.extent_count);
	L->bitmap = calloc((sb.data_blocks + 63) / 64, sizeof(uint64_t));
	if (!L->meta || !L->free_inodes || !L->free_dirents ||
	    !L->free_extents || !L->bitmap) {
		layout_free(L);
		return -ENOMEM;
	}
	L->free_blocks = sb.data_blocks;
	err = fpga_card_read(L, L->meta, 0, sb.data_off);
	if (err) {
		layout_free(L);
		return err;
	}
	*out = L;
	return 0;
}

int fpga_layout_open(struct fpga_dev *dev, uint32_t uid, uint32_t gid,
		     struct fpga_layout **out)
{
	return layout_open(dev, true, uid, gid, out);
}

int fpga_layout_open_ro(struct fpga_dev *dev, struct fpga_layout **out)
{
	return layout_open(dev, false, 0, 0, out);
}

void fpga_layout_free(struct fpga_layout *L)
{
	layout_free(L);
}

int fpga_layout_mounted(struct fpga_layout *L)
{
	int err;

	pthread_mutex_lock(&L->lock);
	L->sb.generation++;
	L->sb.state = FPGA_STATE_MOUNTED;
	err = write_super(L);
	pthread_mutex_unlock(&L->lock);
	return err;
}

int fpga_layout_close(struct fpga_layout *L)
{
	struct fpga_dev *dev = L->dev;
	int err = 0;

	if (!L->write_err) {
		/* Clean only if every write-through made it. */
		L->sb.state = FPGA_STATE_CLEAN;
		err = write_super(L);
	}
	if (dev->ops->flush) {
		int ferr = dev->ops->flush(dev);

		err = err ? err : ferr;
	}
	layout_free(L);
	return err;
}

/* Where a table's records are: shadow pointer and card offset. */
static char *rec_at(struct fpga_layout *L, int table, uint32_t slot,
		    size_t *size, uint64_t *off)
{
	const struct fpga_super *sb = &L->sb;
	uint64_t base;
	uint32_t count;

	switch (table) {
	case FPGA_T_INODE:
		base = sb->inode_off, count = sb->inode_count;
		*size = sizeof(struct fpga_dinode);
		break;
	case FPGA_T_DIRENT:
		base = sb->dirent_off, count = sb->dirent_count;
		*size = sizeof(struct fpga_ddirent);
		break;
	default:
		base = sb->extent_off, count = sb->extent_count;
		*size = sizeof(struct fpga_dextent);
		break;
	}
	if (slot >= count)
		return NULL;
	*off = base + (uint64_t)slot * *size;
	return L->meta + *off;
}

static int rec_get(struct fpga_layout *L, int table, uint32_t slot,
		   void *rec)
{
	uint64_t off;
	size_t size;
	char *p = rec_at(L, table, slot, &size, &off);
	uint32_t crc;

	if (!p)
		return -ERANGE;
	pthread_mutex_lock(&L->lock);
	memcpy(rec, p, size);
	pthread_mutex_unlock(&L->lock);
	if (all_zero(rec, size))
		return -ENOENT;
	memcpy(&crc, rec, 4);
	return crc == rec_crc(rec, size) ? 0 : -EUCLEAN;
}

/* rec NULL: clear the slot. */
static int rec_put(struct fpga_layout *L, int table, uint32_t slot,
		   const void *rec)
{
	uint64_t off;
	size_t size;
	char *p = rec_at(L, table, slot, &size, &off);
	uint32_t crc;
	int err;

	if (!p)
		return -ERANGE;
	pthread_mutex_lock(&L->lock);
	if (rec) {
		memcpy(p, rec, size);
		crc = rec_crc(p, size);
		memcpy(p, &crc, 4);
	} else {
		memset(p, 0, size);
	}
	err = fpga_card_write(L, p, off, size);
	if (err && !L->write_err)
		L->write_err = err;
	pthread_mutex_unlock(&L->lock);
	return err;
}

int fpga_inode_get(struct fpga_layout *L, uint32_t slot,
		   struct fpga_dinode *d)
{
	int err = rec_get(L, FPGA_T_INODE, slot, d);

	return !err && !d->nodeid ? -EUCLEAN : err;
}

int fpga_inode_put(struct fpga_layout *L, uint32_t slot,
		   const struct fpga_dinode *d)
{
	return rec_put(L, FPGA_T_INODE, slot, d);
}

int fpga_dirent_get(struct fpga_layout *L, uint32_t slot,
		    struct fpga_ddirent *d)
{
	int err = rec_get(L, FPGA_T_DIRENT, slot, d);

	/* The name must be what namelen says: non-empty, no '/', no NUL. */
	if (!err && (d->namelen == 0 || d->namelen > FPGA_NAME_MAX ||
		     d->name[d->namelen] || strlen(d->name) != d->namelen ||
		     strchr(d->name, '/') || !strcmp(d->name, ".") ||
		     !strcmp(d->name, "..")))
		err = -EUCLEAN;
	return err;
}

int fpga_dirent_put(struct fpga_layout *L, uint32_t slot,
		    const struct fpga_ddirent *d)
{
	return rec_put(L, FPGA_T_DIRENT, slot, d);
}

int fpga_extent_get(struct fpga_layout *L, uint32_t slot,
		    struct fpga_dextent *d)
{
	int err = rec_get(L, FPGA_T_EXTENT, slot, d);

	if (!err && (d->owner == 0 || d->owner > L->sb.inode_count ||
		     d->stream > 1 || d->count == 0 ||
		     d->card_block >= L->sb.data_blocks ||
		     d->count > L->sb.data_blocks - d->card_block ||
		     d->file_block > UINT64_MAX / FPGA_BLOCK - d->count))
		err = -EUCLEAN;
	return err;
}

int fpga_extent_put(struct fpga_layout *L, uint32_t slot,
		    const struct fpga_dextent *d)
{
	return rec_put(L, FPGA_T_EXTENT, slot, d);
}

static uint32_t *free_list(struct fpga_layout *L, int table, uint32_t **n)
{
	switch (table) {
	case FPGA_T_INODE:
		*n = &L->nfree_inodes;
		return L->free_inodes;
	case FPGA_T_DIRENT:
		*n = &L->nfree_dirents;
		return L->free_dirents;
	}
	*n = &L->nfree_extents;
	return L->free_extents;
}

uint32_t fpga_slot_alloc(struct fpga_layout *L, int table)
{
	uint32_t *n, *list = free_list(L, table, &n), slot = FPGA_NONE;

	pthread_mutex_lock(&L->lock);
	if (*n)
		slot = list[--*n];
	pthread_mutex_unlock(&L->lock);
	return slot;
}

void fpga_slot_free(struct fpga_layout *L, int table, uint32_t slot)
{
	uint32_t *n, *list = free_list(L, table, &n);

	rec_put(L, table, slot, NULL);
	pthread_mutex_lock(&L->lock);
	list[(*n)++] = slot;
	pthread_mutex_unlock(&L->lock);
}

int fpga_slots_rebuild(struct fpga_layout *L)
{
	const uint32_t counts[] = {
		[FPGA_T_INODE] = L->sb.inode_count,
		[FPGA_T_DIRENT] = L->sb.dirent_count,
		[FPGA_T_EXTENT] = L->sb.extent_count,
	};
	int t;

	for (t = FPGA_T_INODE; t <= FPGA_T_EXTENT; t++) {
		uint32_t *n, *list = free_list(L, t, &n), slot;
		uint64_t off;
		size_t size;

		*n = 0;
		/* Highest first, so the lowest slots are handed out first. */
		for (slot = counts[t]; slot-- > 0;) {
			char *p = rec_at(L, t, slot, &size, &off);

			if (all_zero(p, size))
				list[(*n)++] = slot;
		}
	}
	return 0;
}
