/* SPDX-License-Identifier: MIT */
/*
 * The dir backend's inode table: host inodes, keyed by (st_dev, st_ino),
 * that the kernel knows by nodeid. Each holds an O_PATH fd, which also
 * pins the host inode so its number cannot be reused while we use it.
 *
 * nlookup counts the kernel's references (entry replies minus FORGETs);
 * refs counts ops using the inode right now. An inode is freed when both
 * reach zero, so a FORGET racing an op on another queue is harmless.
 */
#ifndef VFSD_SERVER_DIR_INODES_H
#define VFSD_SERVER_DIR_INODES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct dir_inode {
	uint64_t nodeid;
	dev_t dev;
	ino_t ino;
	int fd;			/* O_PATH */
	mode_t type;		/* S_IFMT bits */
	uint64_t nlookup;
	unsigned int refs;
	struct dir_inode *next_key;
	struct dir_inode *next_id;
};

struct dir_inodes {
	pthread_mutex_t lock;
	struct dir_inode **by_key;
	struct dir_inode **by_id;
	size_t nbuckets;
	size_t count;
	uint64_t next_nodeid;
	struct dir_inode *root;
};

/* root_fd (O_PATH) becomes nodeid 1, never forgotten. */
int dir_inodes_init(struct dir_inodes *t, int root_fd, const struct stat *st);
void dir_inodes_fini(struct dir_inodes *t);

/* The inode with this nodeid, with a ref taken; NULL if unknown. */
struct dir_inode *dir_inode_get(struct dir_inodes *t, uint64_t nodeid);
void dir_inode_put(struct dir_inodes *t, struct dir_inode *in);

/*
 * Count one kernel lookup of the host inode fd (O_PATH) refers to; st is
 * its stat. Takes over fd. Returns the inode with a ref, or NULL (ENOMEM).
 */
struct dir_inode *dir_inode_lookup(struct dir_inodes *t, int fd,
				   const struct stat *st);
/* The kernel dropped n references. */
void dir_inode_forget(struct dir_inodes *t, uint64_t nodeid, uint64_t n);

size_t dir_inodes_count(struct dir_inodes *t);

#endif /* VFSD_SERVER_DIR_INODES_H */
