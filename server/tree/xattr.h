/* SPDX-License-Identifier: MIT */
/*
 * A mem inode's extended attributes: a short list of name/value pairs.
 * Not thread-safe: the inode lock serializes. system.* names (ACLs) are
 * refused: nothing here would enforce them.
 */
#ifndef VFSD_SERVER_MEM_XATTR_H
#define VFSD_SERVER_MEM_XATTR_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes of names and values one inode may hold. */
#define MEM_XATTR_MAX_TOTAL	(64u << 10)

struct mem_xattr;

struct mem_xattrs {
	struct mem_xattr *head;
	size_t total;		/* name + value bytes */
};

/* The value size; copies it when size > 0 (-ERANGE if it does not fit). */
ssize_t mem_xattr_get(const struct mem_xattrs *xs, const char *name,
		      void *buf, size_t size);
/* The names, each NUL-terminated; as get for size. */
ssize_t mem_xattr_list(const struct mem_xattrs *xs, char *buf, size_t size);
/* flags: XATTR_CREATE / XATTR_REPLACE. 0 or -errno. */
int mem_xattr_set(struct mem_xattrs *xs, const char *name, const void *value,
		  size_t size, int flags);
int mem_xattr_remove(struct mem_xattrs *xs, const char *name);
void mem_xattr_fini(struct mem_xattrs *xs);

#endif /* VFSD_SERVER_MEM_XATTR_H */
