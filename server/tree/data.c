// SPDX-License-Identifier: MIT
/* A mem file's contents; see tree/data.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tree/data.h"

struct free_ctx {
	struct mem_file *f;
	struct mem_pool *p;
};

static void free_block(void *ctx, uint32_t b)
{
	struct free_ctx *c = ctx;

	mem_pool_free(c->p, b);
	c->f->nblocks--;
}

static void drop_blocks(struct mem_file *f, struct mem_pool *p,
			uint64_t first, uint64_t last)
{
	struct free_ctx c = { f, p };

	mem_radix_remove(&f->map, first, last, free_block, &c);
}

/* The block for idx, allocated zeroed if absent; NULL with *err. */
static char *block_for_write(struct mem_file *f, struct mem_pool *p,
			     uint64_t idx, bool whole, int *err)
{
	uint32_t b = mem_radix_get(&f->map, idx);

	if (b != MEM_RADIX_NONE)
		return mem_pool_addr(p, b);
	b = mem_pool_alloc(p);
	if (b == MEM_POOL_NONE) {
		*err = -ENOSPC;
		return NULL;
	}
	if (mem_radix_set(&f->map, idx, b)) {
		mem_pool_free(p, b);
		*err = -ENOMEM;
		return NULL;
	}
	f->nblocks++;
	/* A block the write covers whole needs no zeroing. */
	if (!whole)
		memset(mem_pool_addr(p, b), 0, p->block_size);
	return mem_pool_addr(p, b);
}

size_t mem_file_read(const struct mem_file *f, struct mem_pool *p,
		     uint64_t size, void *buf, size_t len, uint64_t off)
{
	size_t bs = p->block_size, done = 0;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		uint64_t at = off + done;
		size_t in = (size_t)(at & (bs - 1));
		size_t n = bs - in < len - done ? bs - in : len - done;
		uint32_t b = mem_radix_get(&f->map, at / bs);

		if (b == MEM_RADIX_NONE)
			memset((char *)buf + done, 0, n);	/* a hole */
		else
			memcpy((char *)buf + done,
			       (char *)mem_pool_addr(p, b) + in, n);
		done += n;
	}
	return len;
}

/* Blocks [off, off+len) lacks: what writing it would allocate. */
static uint64_t missing_blocks(const struct mem_file *f, size_t bs,
			       uint64_t off, size_t len)
{
	uint64_t idx, n = 0;

	for (idx = off / bs; idx <= (off + len - 1) / bs; idx++)
		n += mem_radix_get(&f->map, idx) == MEM_RADIX_NONE;
	return n;
}

ssize_t mem_file_write(struct mem_file *f, struct mem_pool *p,
		       uint64_t *size, const void *buf, size_t len,
		       uint64_t off)
{
	size_t bs = p->block_size, done = 0;
	int err = 0;

	if (off > MEM_MAX_FILE_SIZE || len > MEM_MAX_FILE_SIZE - off)
		return -EFBIG;
	/*
	 * All or nothing when full: the module fails a short writeback as
	 * EIO, a clean ENOSPC tells the application what happened.
	 */
	if (len && missing_blocks(f, bs, off, len) > mem_pool_free_count(p))
		return -ENOSPC;
	while (done < len) {
		uint64_t at = off + done;
		size_t in = (size_t)(at & (bs - 1));
		size_t n = bs - in < len - done ? bs - in : len - done;
		char *blk = block_for_write(f, p, at / bs, n == bs, &err);

		if (!blk)
			break;
		memcpy(blk + in, (const char *)buf + done, n);
		done += n;
	}
	if (off + done > *size)
		*size = off + done;
	return done ? (ssize_t)done : err;
}

/* Zero [from, to) inside one present block (a partial block edge). */
static void zero_range(struct mem_file *f, struct mem_pool *p, uint64_t from,
		       uint64_t to)
{
	size_t bs = p->block_size;
	uint32_t b = mem_radix_get(&f->map, from / bs);

	if (b != MEM_RADIX_NONE && to > from)
		memset((char *)mem_pool_addr(p, b) + (from & (bs - 1)), 0,
		       (size_t)(to - from));
}

int mem_file_truncate(struct mem_file *f, struct mem_pool *p, uint64_t *size,
		      uint64_t newsize)
{
	uint64_t bs = p->block_size, keep;

	if (newsize > MEM_MAX_FILE_SIZE)
		return -EFBIG;
	if (newsize < *size) {
		keep = (newsize + bs - 1) / bs;	/* blocks still needed */
		drop_blocks(f, p, keep, UINT64_MAX);
		/* Keep the invariant: the tail past the size is zero. */
		if (newsize % bs)
			zero_range(f, p, newsize, (newsize / bs + 1) * bs);
	}
	*size = newsize;
	return 0;
}

int mem_file_allocate(struct mem_file *f, struct mem_pool *p, uint64_t *size,
		      uint64_t off, uint64_t len, int keep_size)
{
	uint64_t bs = p->block_size, idx, end;
	int err = 0;

	if (len == 0 || off > MEM_MAX_FILE_SIZE || len > MEM_MAX_FILE_SIZE - off)
		return len == 0 ? -EINVAL : -EFBIG;
	end = off + len;
	for (idx = off / bs; idx <= (end - 1) / bs; idx++)
		if (!block_for_write(f, p, idx, false, &err))
			return err;	/* what we got stays, as on ext4 */
	if (!keep_size && end > *size)
		*size = end;
	return 0;
}

void mem_file_punch(struct mem_file *f, struct mem_pool *p, uint64_t size,
		    uint64_t off, uint64_t len)
{
	uint64_t bs = p->block_size, end, first, last;

	(void)size;
	if (len == 0 || off >= MEM_MAX_FILE_SIZE)
		return;
	end = len > MEM_MAX_FILE_SIZE - off ? MEM_MAX_FILE_SIZE : off + len;
	first = (off + bs - 1) / bs;	/* whole blocks inside */
	last = end / bs;		/* exclusive */
	if (first < last)
		drop_blocks(f, p, first, last - 1);
	/* Partial edges: zero in place. */
	if (off / bs == (end - 1) / bs && (off % bs || end % bs)) {
		zero_range(f, p, off, end);
		return;
	}
	if (off % bs)
		zero_range(f, p, off, (off / bs + 1) * bs);
	if (end % bs)
		zero_range(f, p, end / bs * bs, end);
}

int64_t mem_file_seek(const struct mem_file *f, struct mem_pool *p,
		      uint64_t size, uint64_t off, int whence)
{
	uint64_t bs = p->block_size, idx;

	if (off >= size)
		return -ENXIO;
	if (whence == SEEK_DATA) {
		if (!mem_radix_next(&f->map, off / bs, &idx) ||
		    idx > (size - 1) / bs)
			return -ENXIO;
		return (int64_t)(idx * bs > off ? idx * bs : off);
	}
	/* SEEK_HOLE: the end of the file counts as a hole. */
	idx = mem_radix_next_hole(&f->map, off / bs);
	if (idx > (size - 1) / bs)
		return (int64_t)size;
	return (int64_t)(idx * bs > off ? idx * bs : off);
}

void mem_file_free(struct mem_file *f, struct mem_pool *p)
{
	drop_blocks(f, p, 0, UINT64_MAX);
}
