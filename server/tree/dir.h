/* SPDX-License-Identifier: MIT */
/*
 * A mem directory's entries: a hash of names for lookup, and an array in
 * insertion order for readdir. Every entry gets a sequence number when it
 * is added; that number is its readdir cookie, so a listing resumes at the
 * right place whatever was added or removed in between. Removal leaves a
 * hole that a later compaction squeezes out (the order, and so the
 * cookies, stay). Not thread-safe: the namespace lock serializes.
 */
#ifndef VFSD_SERVER_MEM_DIR_H
#define VFSD_SERVER_MEM_DIR_H

#include <stddef.h>
#include <stdint.h>

struct mem_inode;

struct mem_dirent {
	struct mem_dirent *hnext;
	struct mem_inode *inode;
	uint64_t seq;
	uint32_t hash;
	uint32_t store_slot;	/* where a mem_store keeps it (MEM_NO_SLOT) */
	uint16_t namelen;
	char name[];
};

struct mem_dir {
	struct mem_dirent **buckets;
	size_t nbuckets;
	struct mem_dirent **order;	/* by seq; NULL = removed */
	uint64_t *seqs;			/* seq of each slot, holes too */
	size_t len, cap;		/* slots used / allocated */
	size_t count;			/* live entries */
	uint64_t next_seq;
};

#define MEM_NO_SLOT	UINT32_MAX

/* Cookies below this are "." and ".."; entries start here. */
#define MEM_DIR_FIRST_SEQ	2

void mem_dir_init(struct mem_dir *d);
/* Frees the entries, not the inodes they name. */
void mem_dir_fini(struct mem_dir *d);
struct mem_dirent *mem_dir_find(const struct mem_dir *d, const char *name);
/* 0 or -ENOMEM. The name must not be there yet. */
int mem_dir_add(struct mem_dir *d, const char *name, struct mem_inode *in);
void mem_dir_remove(struct mem_dir *d, struct mem_dirent *de);
/* The slot of the first entry with seq >= cookie (may be a hole). */
size_t mem_dir_seek(const struct mem_dir *d, uint64_t cookie);

#endif /* VFSD_SERVER_MEM_DIR_H */
