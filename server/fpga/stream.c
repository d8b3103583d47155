// SPDX-License-Identifier: MIT
/* An inode's byte stream on the card; see fpga/stream.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fpga/stream.h"

#define BS	((uint64_t)FPGA_BLOCK)

void fpga_stream_init(struct fpga_stream *s, struct fpga_layout *L,
		      uint32_t owner, uint32_t id)
{
	memset(s, 0, sizeof(*s));
	s->L = L;
	s->owner = owner;
	s->id = id;
	s->cpu = id != 0;
}

static uint64_t ext_end(const struct fpga_ext *e)
{
	return e->file_block + e->count;	/* exclusive */
}

static int rec_write(struct fpga_stream *s, const struct fpga_ext *e)
{
	struct fpga_dextent d = {
		.owner = s->owner + 1, .stream = s->id, .count = e->count,
		.file_block = e->file_block, .card_block = e->card_block,
	};

	return fpga_extent_put(s->L, e->rec, &d);
}

static int insert(struct fpga_stream *s, uint32_t at, const struct fpga_ext *e)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 4;
		struct fpga_ext *x = realloc(s->ext, cap * sizeof(*x));

		if (!x)
			return -ENOMEM;
		s->ext = x;
		s->cap = cap;
	}
	memmove(&s->ext[at + 1], &s->ext[at], (s->n - at) * sizeof(*e));
	s->ext[at] = *e;
	s->n++;
	return 0;
}

static void remove_at(struct fpga_stream *s, uint32_t at)
{
	memmove(&s->ext[at], &s->ext[at + 1], (s->n - at - 1) * sizeof(*s->ext));
	s->n--;
}

/* The first extent that ends after block fb (s->n if none). */
static uint32_t first_after(const struct fpga_stream *s, uint64_t fb)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (ext_end(&s->ext[mid]) <= fb)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int fpga_stream_add_loaded(struct fpga_stream *s, const struct fpga_dextent *d,
			   uint32_t rec)
{
	struct fpga_ext e = {
		.file_block = d->file_block, .card_block = d->card_block,
		.count = d->count, .rec = rec,
	};
	int err = insert(s, s->n, &e);

	if (!err)
		s->blocks += d->count;
	return err;
}

static int by_file_block(const void *a, const void *b)
{
	const struct fpga_ext *x = a, *y = b;

	return x->file_block < y->file_block ? -1 :
	       x->file_block > y->file_block;
}

int fpga_stream_loaded(struct fpga_stream *s)
{
	uint32_t i;

	if (s->n)
		qsort(s->ext, s->n, sizeof(*s->ext), by_file_block);
	for (i = 1; i < s->n; i++)
		if (ext_end(&s->ext[i - 1]) > s->ext[i].file_block)
			return -EUCLEAN;
	return 0;
}

/* Card byte offset of file byte pos inside extent e. */
static uint64_t card_off(const struct fpga_stream *s, const struct fpga_ext *e,
			 uint64_t pos)
{
	return fpga_block_off(s->L, e->card_block) + pos - e->file_block * BS;
}

static int move(struct fpga_stream *s, enum fpga_dir dir,
		struct fpga_seg *segs, unsigned int n)
{
	struct fpga_dev *dev = s->L->dev;
	unsigned int i;
	int err = 0;

	if (!n)
		return 0;
	if (!s->cpu) {
		uint64_t len = 0;

		for (i = 0; i < n; i++)
			len += segs[i].len;
		err = dev->ops->transfer(dev, dir, segs, n);
		fpga_stats_add(dev, dir, len, err);
		return err;
	}
	for (i = 0; i < n && !err; i++)
		err = dir == FPGA_TO_CARD ?
		      fpga_card_write(s->L, segs[i].buf, segs[i].card,
				      segs[i].len) :
		      fpga_card_read(s->L, segs[i].buf, segs[i].card,
				     segs[i].len);
	return err;
}

/*
 * The segments of [off, off+len) that extents back; holes are zeroed in
 * buf when zero_holes (reads). *segs is malloc'd.
 */
static int segments(const struct fpga_stream *s, char *buf, size_t len,
		    uint64_t off, bool zero_holes, struct fpga_seg **segs,
		    unsigned int *nsegs)
{
	uint64_t pos = off, end = off + len;
	uint32_t i = first_after(s, off / BS), max = s->n - i + 1;
	unsigned int n = 0;

	*segs = malloc(max * sizeof(**segs));
	if (!*segs)
		return -ENOMEM;
	while (pos < end) {
		const struct fpga_ext *e = i < s->n ? &s->ext[i] : NULL;
		uint64_t to;

		if (e && e->file_block * BS <= pos) {
			to = ext_end(e) * BS < end ? ext_end(e) * BS : end;
			(*segs)[n++] = (struct fpga_seg){
				buf + (pos - off), card_off(s, e, pos),
				(size_t)(to - pos) };
			i++;
		} else {
			to = e && e->file_block * BS < end ?
			     e->file_block * BS : end;
			if (zero_holes)
				memset(buf + (pos - off), 0, (size_t)(to - pos));
		}
		pos = to;
	}
	*nsegs = n;
	return 0;
}

int fpga_stream_read(struct fpga_stream *s, void *buf, size_t len,
		     uint64_t off)
{
	struct fpga_seg *segs;
	unsigned int n;
	int err;

	if (!len)
		return 0;
	err = segments(s, buf, len, off, true, &segs, &n);
	if (!err)
		err = move(s, FPGA_FROM_CARD, segs, n);
	free(segs);
	return err;
}

/* Zero file bytes [from, to) where blocks are present. */
static int zero_present(struct fpga_stream *s, uint64_t from, uint64_t to)
{
	uint32_t i;
	int err = 0;

	for (i = first_after(s, from / BS); i < s->n && !err; i++) {
		const struct fpga_ext *e = &s->ext[i];
		uint64_t a = e->file_block * BS, b = ext_end(e) * BS;

		if (a >= to)
			break;
		a = a > from ? a : from;
		b = b < to ? b : to;
		if (a < b)
			err = fpga_card_zero(s->L, card_off(s, e, a),
					     (size_t)(b - a));
	}
	return err;
}

/* Blocks and hole runs of [first, last] that have no extent. */
static void count_missing(const struct fpga_stream *s, uint64_t first,
			  uint64_t last, uint64_t *blocks, uint64_t *runs)
{
	uint64_t fb = first;
	uint32_t i = first_after(s, first);

	*blocks = *runs = 0;
	while (fb <= last) {
		if (i < s->n && s->ext[i].file_block <= fb) {
			fb = ext_end(&s->ext[i++]);
			continue;
		}
		uint64_t stop = i < s->n && s->ext[i].file_block <= last ?
				s->ext[i].file_block : last + 1;

		*blocks += stop - fb;
		*runs += 1;
		fb = stop;
	}
}

/*
 * Allocate blocks for the hole run [fb, stop), zeroing the new bytes
 * outside [keep_from, keep_to) (what the caller is about to write).
 */
static int fill_hole(struct fpga_stream *s, uint64_t fb, uint64_t stop,
		     uint64_t keep_from, uint64_t keep_to)
{
	while (fb < stop) {
		uint32_t at = first_after(s, fb);
		struct fpga_ext *prev = at ? &s->ext[at - 1] : NULL;
		uint64_t want = stop - fb, start, got, hint;
		int err = 0;

		if (want > UINT32_MAX / 2)
			want = UINT32_MAX / 2;
		hint = prev ? prev->card_block + prev->count : s->L->alloc_hint;
		got = fpga_blocks_alloc(s->L, hint, want, &start);
		if (!got)
			return -ENOSPC;
		if (prev && ext_end(prev) == fb &&
		    prev->card_block + prev->count == start &&
		    (uint64_t)prev->count + got <= UINT32_MAX) {
			prev->count += (uint32_t)got;
			err = rec_write(s, prev);
		} else {
			struct fpga_ext e = { fb, start, (uint32_t)got,
					      fpga_slot_alloc(s->L, FPGA_T_EXTENT) };

			if (e.rec == FPGA_NONE)
				err = -ENOSPC;
			else if ((err = insert(s, at, &e)))
				fpga_slot_free(s->L, FPGA_T_EXTENT, e.rec);
			else
				err = rec_write(s, &e);
			if (err == -ENOSPC || err == -ENOMEM) {
				fpga_blocks_free(s->L, start, got);
				return err;
			}
		}
		s->blocks += got;
		/* New blocks hold old data: zero what the write leaves. */
		{
			uint64_t a = fb * BS, b = (fb + got) * BS;

			if (!err && a < keep_from)
				err = fpga_card_zero(s->L, fpga_block_off(s->L, start),
						     (size_t)((keep_from < b ? keep_from : b) - a));
			if (!err && b > keep_to) {
				uint64_t z = keep_to > a ? keep_to : a;

				err = fpga_card_zero(s->L, fpga_block_off(s->L, start) +
						     (z - a), (size_t)(b - z));
			}
		}
		if (err)
			return err;
		fb += got;
	}
	return 0;
}

/* Make [first, last] present, zeroing all but [keep_from, keep_to). */
static int fill(struct fpga_stream *s, uint64_t first, uint64_t last,
		uint64_t keep_from, uint64_t keep_to)
{
	uint64_t blocks, runs, fb = first;
	int err = 0;

	count_missing(s, first, last, &blocks, &runs);
	/* All or nothing: ENOSPC before anything changes. */
	if (blocks > fpga_blocks_free_count(s->L) ||
	    runs > s->L->nfree_extents)
		return -ENOSPC;
	while (fb <= last && !err) {
		uint32_t i = first_after(s, fb);
		uint64_t stop;

		if (i < s->n && s->ext[i].file_block <= fb) {
			fb = ext_end(&s->ext[i]);
			continue;
		}
		stop = i < s->n && s->ext[i].file_block <= last ?
		       s->ext[i].file_block : last + 1;
		err = fill_hole(s, fb, stop, keep_from, keep_to);
		fb = stop;
	}
	return err;
}

int fpga_stream_write(struct fpga_stream *s, uint64_t *size, const void *buf,
		      size_t len, uint64_t off)
{
	struct fpga_seg *segs;
	unsigned int n;
	int err;

	if (!len)
		return 0;
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	err = fill(s, off / BS, (off + len - 1) / BS, off, off + len);
	if (err)
		return err;
	err = segments(s, (char *)buf, len, off, false, &segs, &n);
	if (!err)
		err = move(s, FPGA_TO_CARD, segs, n);
	free(segs);
	if (!err && off + len > *size)
		*size = off + len;
	return err;
}

/*
 * Drop file blocks [first, last]. A cut in the middle of an extent needs
 * a second record: -ENOSPC if none is left (the caller zeroes instead).
 */
static int drop(struct fpga_stream *s, uint64_t first, uint64_t last)
{
	uint32_t i = first_after(s, first);
	int err = 0;

	while (i < s->n && s->ext[i].file_block <= last) {
		struct fpga_ext *e = &s->ext[i];
		uint64_t es = e->file_block, ee = ext_end(e) - 1;

		if (es >= first && ee <= last) {
			fpga_blocks_free(s->L, e->card_block, e->count);
			fpga_slot_free(s->L, FPGA_T_EXTENT, e->rec);
			s->blocks -= e->count;
			remove_at(s, i);
			continue;
		}
		if (es < first && ee > last) {
			struct fpga_ext tail = {
				last + 1, e->card_block + (last + 1 - es),
				(uint32_t)(ee - last),
				fpga_slot_alloc(s->L, FPGA_T_EXTENT),
			};

			if (tail.rec == FPGA_NONE)
				return -ENOSPC;
			if (insert(s, i + 1, &tail)) {
				fpga_slot_free(s->L, FPGA_T_EXTENT, tail.rec);
				return -ENOMEM;
			}
			e = &s->ext[i];
			fpga_blocks_free(s->L, e->card_block + (first - es),
					 last - first + 1);
			s->blocks -= last - first + 1;
			e->count = (uint32_t)(first - es);
			err = rec_write(s, e);
			if (!err)
				err = rec_write(s, &s->ext[i + 1]);
			return err;
		}
		if (es < first) {
			fpga_blocks_free(s->L, e->card_block + (first - es),
					 ee - first + 1);
			s->blocks -= ee - first + 1;
			e->count = (uint32_t)(first - es);
		} else {
			uint64_t cut = last + 1 - es;

			fpga_blocks_free(s->L, e->card_block, cut);
			s->blocks -= cut;
			e->file_block += cut;
			e->card_block += cut;
			e->count -= (uint32_t)cut;
		}
		err = rec_write(s, e);
		if (err)
			return err;
		i++;
	}
	return 0;
}

int fpga_stream_truncate(struct fpga_stream *s, uint64_t *size,
			 uint64_t newsize)
{
	int err = 0;

	if (newsize > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (newsize < *size) {
		err = drop(s, (newsize + BS - 1) / BS, UINT64_MAX / BS);
		/* Keep the invariant: the tail past the size is zero. */
		if (!err && newsize % BS)
			err = zero_present(s, newsize, (newsize / BS + 1) * BS);
	}
	if (!err)
		*size = newsize;
	return err;
}

int fpga_stream_allocate(struct fpga_stream *s, uint64_t off, uint64_t len)
{
	if (!len)
		return -EINVAL;
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	return fill(s, off / BS, (off + len - 1) / BS, 0, 0);
}

int fpga_stream_punch(struct fpga_stream *s, uint64_t size, uint64_t off,
		      uint64_t len)
{
	uint64_t end, first, last;
	int err = 0;

	(void)size;
	if (!len || off >= (uint64_t)INT64_MAX)
		return 0;
	end = len > (uint64_t)INT64_MAX - off ? (uint64_t)INT64_MAX : off + len;
	first = (off + BS - 1) / BS;
	last = end / BS;		/* exclusive */
	if (first < last && drop(s, first, last - 1) == -ENOSPC)
		err = zero_present(s, first * BS, last * BS);
	if (!err && off % BS)
		err = zero_present(s, off, end < first * BS ? end : first * BS);
	if (!err && end % BS && end / BS * BS >= off)
		err = zero_present(s, end / BS * BS, end);
	return err;
}

int64_t fpga_stream_seek(const struct fpga_stream *s, uint64_t size,
			 uint64_t off, int whence)
{
	uint32_t i;
	uint64_t at;

	if (off >= size)
		return -ENXIO;
	i = first_after(s, off / BS);
	if (whence == SEEK_DATA) {
		if (i == s->n || s->ext[i].file_block * BS >= size)
			return -ENXIO;
		at = s->ext[i].file_block * BS;
		return (int64_t)(at > off ? at : off);
	}
	/* SEEK_HOLE: follow touching extents; the end of file is a hole. */
	if (i == s->n || s->ext[i].file_block * BS > off)
		return (int64_t)off;
	at = ext_end(&s->ext[i]);
	while (++i < s->n && s->ext[i].file_block == at)
		at = ext_end(&s->ext[i]);
	at *= BS;
	return (int64_t)(at < size ? at : size);
}

void fpga_stream_free(struct fpga_stream *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		fpga_blocks_free(s->L, s->ext[i].card_block, s->ext[i].count);
		fpga_slot_free(s->L, FPGA_T_EXTENT, s->ext[i].rec);
	}
	free(s->ext);
	s->ext = NULL;
	s->n = s->cap = 0;
	s->blocks = 0;
}

int fpga_stream_make_contig(struct fpga_stream *s, uint64_t count)
{
	struct fpga_ext e = { 0 };
	uint64_t start;
	int err;

	if (s->n || count == 0 || count > UINT32_MAX)
		return s->n ? -EBUSY : -EINVAL;
	e.rec = fpga_slot_alloc(s->L, FPGA_T_EXTENT);
	if (e.rec == FPGA_NONE)
		return -ENOSPC;
	err = fpga_blocks_alloc_contig(s->L, count, &start);
	if (err) {
		fpga_slot_free(s->L, FPGA_T_EXTENT, e.rec);
		return err;
	}
	e.card_block = start;
	e.count = (uint32_t)count;
	err = insert(s, 0, &e);
	if (err) {
		fpga_blocks_free(s->L, start, count);
		fpga_slot_free(s->L, FPGA_T_EXTENT, e.rec);
		return err;
	}
	if (!err)
		err = fpga_card_zero(s->L, fpga_block_off(s->L, start),
				     count * BS);
	if (!err)
		err = rec_write(s, &e);
	s->blocks = count;
	return err;
}
