// SPDX-License-Identifier: MIT
/* The dir backend's inode table: two chained hash indexes over one set. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "backends/dir/inodes.h"

#define INITIAL_BUCKETS 256

static size_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t key_bucket(const struct dir_inodes *t, dev_t dev, ino_t ino)
{
	return mix((uint64_t)ino ^ mix((uint64_t)dev)) & (t->nbuckets - 1);
}

static size_t id_bucket(const struct dir_inodes *t, uint64_t nodeid)
{
	return mix(nodeid) & (t->nbuckets - 1);
}

static void link_in(struct dir_inodes *t, struct dir_inode *in)
{
	size_t k = key_bucket(t, in->dev, in->ino), i = id_bucket(t, in->nodeid);

	in->next_key = t->by_key[k];
	t->by_key[k] = in;
	in->next_id = t->by_id[i];
	t->by_id[i] = in;
}

/* Double the buckets once the chains average more than one inode. */
static void grow(struct dir_inodes *t)
{
	struct dir_inode **key = t->by_key, **id = t->by_id, *in, *next;
	size_t i, old = t->nbuckets;

	t->by_key = calloc(old * 2, sizeof(*t->by_key));
	t->by_id = calloc(old * 2, sizeof(*t->by_id));
	if (!t->by_key || !t->by_id) {
		/* Keep the old, slower table. */
		free(t->by_key);
		free(t->by_id);
		t->by_key = key;
		t->by_id = id;
		return;
	}
	t->nbuckets = old * 2;
	for (i = 0; i < old; i++) {
		for (in = key[i]; in; in = next) {
			next = in->next_key;
			link_in(t, in);
		}
	}
	free(key);
	free(id);
}

static struct dir_inode *find_key(struct dir_inodes *t, dev_t dev, ino_t ino)
{
	struct dir_inode *in = t->by_key[key_bucket(t, dev, ino)];

	while (in && (in->dev != dev || in->ino != ino))
		in = in->next_key;
	return in;
}

static struct dir_inode *find_id(struct dir_inodes *t, uint64_t nodeid)
{
	struct dir_inode *in = t->by_id[id_bucket(t, nodeid)];

	while (in && in->nodeid != nodeid)
		in = in->next_id;
	return in;
}

/* Unlink and free; the caller holds the lock. */
static void drop(struct dir_inodes *t, struct dir_inode *in)
{
	struct dir_inode **p;

	for (p = &t->by_key[key_bucket(t, in->dev, in->ino)]; *p != in;
	     p = &(*p)->next_key)
		;
	*p = in->next_key;
	for (p = &t->by_id[id_bucket(t, in->nodeid)]; *p != in;
	     p = &(*p)->next_id)
		;
	*p = in->next_id;
	t->count--;
	close(in->fd);
	free(in);
}

static struct dir_inode *new_inode(struct dir_inodes *t, uint64_t nodeid,
				   int fd, const struct stat *st)
{
	struct dir_inode *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->nodeid = nodeid;
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	in->fd = fd;
	in->type = st->st_mode & S_IFMT;
	in->nlookup = 1;
	if (t->count >= t->nbuckets)
		grow(t);
	link_in(t, in);
	t->count++;
	return in;
}

int dir_inodes_init(struct dir_inodes *t, int root_fd, const struct stat *st)
{
	t->nbuckets = INITIAL_BUCKETS;
	t->count = 0;
	t->by_key = calloc(t->nbuckets, sizeof(*t->by_key));
	t->by_id = calloc(t->nbuckets, sizeof(*t->by_id));
	t->next_nodeid = VFSD_ROOT_INO + 1;
	if (t->by_key && t->by_id)
		t->root = new_inode(t, VFSD_ROOT_INO, root_fd, st);
	if (!t->by_key || !t->by_id || !t->root) {
		free(t->by_key);
		free(t->by_id);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void dir_inodes_fini(struct dir_inodes *t)
{
	size_t i;

	for (i = 0; i < t->nbuckets; i++)
		while (t->by_key[i])
			drop(t, t->by_key[i]);
	free(t->by_key);
	free(t->by_id);
	pthread_mutex_destroy(&t->lock);
}

struct dir_inode *dir_inode_get(struct dir_inodes *t, uint64_t nodeid)
{
	struct dir_inode *in;

	pthread_mutex_lock(&t->lock);
	in = find_id(t, nodeid);
	if (in)
		in->refs++;
	pthread_mutex_unlock(&t->lock);
	return in;
}

void dir_inode_put(struct dir_inodes *t, struct dir_inode *in)
{
	pthread_mutex_lock(&t->lock);
	if (--in->refs == 0 && in->nlookup == 0)
		drop(t, in);
	pthread_mutex_unlock(&t->lock);
}

struct dir_inode *dir_inode_lookup(struct dir_inodes *t, int fd,
				   const struct stat *st)
{
	struct dir_inode *in;

	pthread_mutex_lock(&t->lock);
	in = find_key(t, st->st_dev, st->st_ino);
	if (in) {
		in->nlookup++;
		in->refs++;
		pthread_mutex_unlock(&t->lock);
		close(fd);	/* we already hold one for this inode */
		return in;
	}
	in = new_inode(t, t->next_nodeid, fd, st);
	if (in) {
		t->next_nodeid++;
		in->refs = 1;
	}
	pthread_mutex_unlock(&t->lock);
	if (!in)
		close(fd);
	return in;
}

void dir_inode_forget(struct dir_inodes *t, uint64_t nodeid, uint64_t n)
{
	struct dir_inode *in;

	pthread_mutex_lock(&t->lock);
	in = find_id(t, nodeid);
	if (in && in != t->root) {
		/* More than we handed out would be a kernel bug: clamp. */
		in->nlookup -= n < in->nlookup ? n : in->nlookup;
		if (in->nlookup == 0 && in->refs == 0)
			drop(t, in);
	}
	pthread_mutex_unlock(&t->lock);
}

size_t dir_inodes_count(struct dir_inodes *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}
