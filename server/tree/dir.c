// SPDX-License-Identifier: MIT
/* A mem directory's entries; see tree/dir.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tree/dir.h"

#define MIN_BUCKETS	8

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void mem_dir_init(struct mem_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->next_seq = MEM_DIR_FIRST_SEQ;
}

void mem_dir_fini(struct mem_dir *d)
{
	size_t i;

	for (i = 0; i < d->len; i++)
		free(d->order[i]);
	free(d->order);
	free(d->seqs);
	free(d->buckets);
	mem_dir_init(d);
}

struct mem_dirent *mem_dir_find(const struct mem_dir *d, const char *name)
{
	size_t n = strlen(name);
	uint32_t h = hash_name(name, n);
	struct mem_dirent *de;

	if (!d->nbuckets)
		return NULL;
	for (de = d->buckets[h & (d->nbuckets - 1)]; de; de = de->hnext)
		if (de->hash == h && de->namelen == n &&
		    !memcmp(de->name, name, n))
			return de;
	return NULL;
}

/* Twice the buckets once the chains average one entry. */
static int grow_buckets(struct mem_dir *d)
{
	size_t nb = d->nbuckets ? d->nbuckets * 2 : MIN_BUCKETS, i;
	struct mem_dirent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < d->len; i++) {
		struct mem_dirent *de = d->order[i];

		if (de) {
			de->hnext = b[de->hash & (nb - 1)];
			b[de->hash & (nb - 1)] = de;
		}
	}
	free(d->buckets);
	d->buckets = b;
	d->nbuckets = nb;
	return 0;
}

/* Squeeze out the holes; the order (and so the cookies) stays. */
static void compact(struct mem_dir *d)
{
	size_t i, j = 0;

	for (i = 0; i < d->len; i++) {
		if (d->order[i]) {
			d->order[j] = d->order[i];
			d->seqs[j++] = d->seqs[i];
		}
	}
	d->len = j;
}

static int make_room(struct mem_dir *d)
{
	size_t cap;
	void *o, *s;

	if (d->len < d->cap)
		return 0;
	if (d->count < d->len / 2 + 1 && d->len > 0) {
		compact(d);
		if (d->len < d->cap)
			return 0;
	}
	cap = d->cap ? d->cap * 2 : 16;
	o = realloc(d->order, cap * sizeof(*d->order));
	if (!o)
		return -ENOMEM;
	d->order = o;
	s = realloc(d->seqs, cap * sizeof(*d->seqs));
	if (!s)
		return -ENOMEM;
	d->seqs = s;
	d->cap = cap;
	return 0;
}

int mem_dir_add(struct mem_dir *d, const char *name, struct mem_inode *in)
{
	size_t n = strlen(name);
	struct mem_dirent *de;

	if ((d->count >= d->nbuckets && grow_buckets(d)) || make_room(d))
		return -ENOMEM;
	de = malloc(sizeof(*de) + n + 1);
	if (!de)
		return -ENOMEM;
	memcpy(de->name, name, n + 1);
	de->namelen = (uint16_t)n;
	de->hash = hash_name(name, n);
	de->inode = in;
	de->store_slot = MEM_NO_SLOT;
	de->seq = d->next_seq++;
	de->hnext = d->buckets[de->hash & (d->nbuckets - 1)];
	d->buckets[de->hash & (d->nbuckets - 1)] = de;
	d->order[d->len] = de;
	d->seqs[d->len++] = de->seq;
	d->count++;
	return 0;
}

void mem_dir_remove(struct mem_dir *d, struct mem_dirent *de)
{
	struct mem_dirent **p = &d->buckets[de->hash & (d->nbuckets - 1)];
	size_t i = mem_dir_seek(d, de->seq);

	while (*p != de)
		p = &(*p)->hnext;
	*p = de->hnext;
	d->order[i] = NULL;	/* a hole; its seq stays for the search */
	d->count--;
	free(de);
}

size_t mem_dir_seek(const struct mem_dir *d, uint64_t cookie)
{
	size_t lo = 0, hi = d->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->seqs[mid] < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
