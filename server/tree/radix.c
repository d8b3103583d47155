// SPDX-License-Identifier: MIT
/* The sparse block map; see tree/radix.h. */
#include <errno.h>
#include <stdlib.h>

#include "tree/radix.h"

#define BITS	6
#define SLOTS	(1u << BITS)
#define MASK	(SLOTS - 1)
#define MAX_HEIGHT 11	/* 66 bits: every 64-bit index */

/* Interior nodes hold children; leaves (level 0) hold the values. */
struct node {
	unsigned int count;	/* non-empty slots */
	union {
		struct node *child[SLOTS];
		uint32_t val[SLOTS];
	};
};

static unsigned int shift_of(unsigned int level)
{
	return level * BITS;
}

/* Indices a subtree of this level spans, saturated at 2^64. */
static uint64_t span(unsigned int level)
{
	unsigned int s = shift_of(level + 1);

	return s >= 64 ? UINT64_MAX : (uint64_t)1 << s;
}

static bool fits(const struct mem_radix *r, uint64_t idx)
{
	return r->height && (r->height >= MAX_HEIGHT ||
			     idx < span(r->height - 1));
}

static struct node *new_node(bool leaf)
{
	struct node *n = calloc(1, sizeof(*n));
	unsigned int i;

	if (n && leaf)
		for (i = 0; i < SLOTS; i++)
			n->val[i] = MEM_RADIX_NONE;
	return n;
}

uint32_t mem_radix_get(const struct mem_radix *r, uint64_t idx)
{
	const struct node *n = r->root;
	unsigned int level;

	if (!fits(r, idx))
		return MEM_RADIX_NONE;
	for (level = r->height - 1; level > 0 && n; level--)
		n = n->child[(idx >> shift_of(level)) & MASK];
	return n ? n->val[idx & MASK] : MEM_RADIX_NONE;
}

int mem_radix_set(struct mem_radix *r, uint64_t idx, uint32_t val)
{
	struct node *n;
	unsigned int level;

	while (!fits(r, idx)) {
		/* Grow at the top: the old tree becomes child 0. */
		n = new_node(r->height == 0);
		if (!n)
			return -ENOMEM;
		if (r->root) {
			n->child[0] = r->root;
			n->count = 1;
		}
		r->root = n;
		r->height++;
	}
	n = r->root;
	for (level = r->height - 1; level > 0; level--) {
		struct node **c = &n->child[(idx >> shift_of(level)) & MASK];

		if (!*c) {
			*c = new_node(level == 1);
			if (!*c)
				return -ENOMEM;
			n->count++;
		}
		n = *c;
	}
	if (n->val[idx & MASK] == MEM_RADIX_NONE)
		n->count++;
	n->val[idx & MASK] = val;
	return 0;
}

/* The first slot of a node at base that can hold idx or later ones. */
static uint64_t first_slot(uint64_t base, uint64_t step, uint64_t idx)
{
	return idx > base ? (idx - base) / step : 0;
}

struct range {
	uint64_t first, last;
	void (*fn)(void *ctx, uint32_t val);
	void *ctx;
};

/* Remove [first, last] below n (covering base...); true if n emptied. */
static bool remove_in(struct node *n, unsigned int level, uint64_t base,
		      const struct range *rg)
{
	uint64_t step = level ? span(level - 1) : 1;
	uint64_t i = first_slot(base, step, rg->first);

	for (; i < SLOTS; i++) {
		uint64_t lo = base + i * step;

		if (lo > rg->last || (i && lo == 0))
			break;	/* past the range (or wrapped) */
		if (level == 0) {
			if (n->val[i] != MEM_RADIX_NONE) {
				rg->fn(rg->ctx, n->val[i]);
				n->val[i] = MEM_RADIX_NONE;
				n->count--;
			}
		} else if (n->child[i] &&
			   remove_in(n->child[i], level - 1, lo, rg)) {
			free(n->child[i]);
			n->child[i] = NULL;
			n->count--;
		}
	}
	return n->count == 0;
}

void mem_radix_remove(struct mem_radix *r, uint64_t first, uint64_t last,
		      void (*fn)(void *ctx, uint32_t val), void *ctx)
{
	struct range rg = { first, last, fn, ctx };

	if (!r->root || first > last)
		return;
	if (remove_in(r->root, r->height - 1, 0, &rg)) {
		free(r->root);
		r->root = NULL;
		r->height = 0;
	}
}

/* First present (want_hole false) or absent index >= idx below n. */
static bool find_in(const struct node *n, unsigned int level, uint64_t base,
		    uint64_t idx, bool want_hole, uint64_t *found)
{
	uint64_t step = level ? span(level - 1) : 1;
	uint64_t i = first_slot(base, step, idx);

	for (; i < SLOTS; i++) {
		uint64_t lo = base + i * step, from = idx > lo ? idx : lo;
		bool present = level ? n->child[i] != NULL
				     : n->val[i] != MEM_RADIX_NONE;

		if (i && lo == 0)
			break;	/* wrapped past 2^64 */
		if (!present && want_hole) {
			*found = from;
			return true;
		}
		if (present && (level == 0 ? !want_hole :
				find_in(n->child[i], level - 1, lo, from,
					want_hole, found))) {
			if (level == 0)
				*found = from;
			return true;
		}
	}
	return false;
}

bool mem_radix_next(const struct mem_radix *r, uint64_t idx, uint64_t *found)
{
	if (!fits(r, idx))
		return false;
	return find_in(r->root, r->height - 1, 0, idx, false, found);
}

uint64_t mem_radix_next_hole(const struct mem_radix *r, uint64_t idx)
{
	uint64_t found;

	if (!fits(r, idx))
		return idx;
	if (find_in(r->root, r->height - 1, 0, idx, true, &found))
		return found;
	return span(r->height - 1);	/* everything the tree spans is set */
}
