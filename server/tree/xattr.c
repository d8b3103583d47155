// SPDX-License-Identifier: MIT
/* A mem inode's extended attributes; see tree/xattr.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "tree/xattr.h"

struct mem_xattr {
	struct mem_xattr *next;
	size_t size;
	char *value;
	char name[];
};

static struct mem_xattr **find(struct mem_xattrs *xs, const char *name)
{
	struct mem_xattr **p = &xs->head;

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return p;
}

ssize_t mem_xattr_get(const struct mem_xattrs *xs, const char *name,
		      void *buf, size_t size)
{
	struct mem_xattr *x = *find((struct mem_xattrs *)xs, name);

	if (!x)
		return -ENODATA;
	if (size == 0)
		return (ssize_t)x->size;
	if (x->size > size)
		return -ERANGE;
	memcpy(buf, x->value, x->size);
	return (ssize_t)x->size;
}

ssize_t mem_xattr_list(const struct mem_xattrs *xs, char *buf, size_t size)
{
	const struct mem_xattr *x;
	size_t need = 0, n;

	for (x = xs->head; x; x = x->next)
		need += strlen(x->name) + 1;
	if (size == 0)
		return (ssize_t)need;
	if (need > size)
		return -ERANGE;
	for (x = xs->head; x; x = x->next) {
		n = strlen(x->name) + 1;
		memcpy(buf, x->name, n);
		buf += n;
	}
	return (ssize_t)need;
}

int mem_xattr_set(struct mem_xattrs *xs, const char *name, const void *value,
		  size_t size, int flags)
{
	struct mem_xattr **p = find(xs, name), *x;
	size_t namelen = strlen(name), old = 0;
	char *v;

	if (!strncmp(name, "system.", 7))
		return -EOPNOTSUPP;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (*p && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!*p && (flags & XATTR_REPLACE))
		return -ENODATA;
	if (*p)
		old = namelen + (*p)->size;
	if (xs->total - old + namelen + size > MEM_XATTR_MAX_TOTAL)
		return -ENOSPC;
	v = malloc(size ? size : 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, value, size);
	if (*p) {
		x = *p;
		free(x->value);
	} else {
		x = malloc(sizeof(*x) + namelen + 1);
		if (!x) {
			free(v);
			return -ENOMEM;
		}
		memcpy(x->name, name, namelen + 1);
		x->next = NULL;
		*p = x;	/* appended: listing keeps creation order */
	}
	x->value = v;
	x->size = size;
	xs->total = xs->total - old + namelen + size;
	return 0;
}

int mem_xattr_remove(struct mem_xattrs *xs, const char *name)
{
	struct mem_xattr **p = find(xs, name), *x = *p;

	if (!x)
		return -ENODATA;
	*p = x->next;
	xs->total -= strlen(x->name) + x->size;
	free(x->value);
	free(x);
	return 0;
}

void mem_xattr_fini(struct mem_xattrs *xs)
{
	while (xs->head)
		mem_xattr_remove(xs, xs->head->name);
}
