// SPDX-License-Identifier: MIT
/* The mem backend's inode table; see tree/inode.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vfsd/vfsd.h>

#include "tree/inode.h"

#define INITIAL_BUCKETS	1024

static size_t bucket(const struct mem_inodes *t, uint64_t nodeid)
{
	nodeid ^= nodeid >> 33;
	nodeid *= 0xff51afd7ed558ccdULL;
	nodeid ^= nodeid >> 33;
	return (size_t)nodeid & (t->nbuckets - 1);
}

int mem_inodes_init(struct mem_inodes *t, struct mem_pool *pool,
		    uint64_t max)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = INITIAL_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->max = max;
	t->pool = pool;
	t->next_nodeid = VFSD_ROOT_INO;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static void destroy(struct mem_inodes *t, struct mem_inode *in)
{
	if (t->on_free)
		t->on_free(t->on_free_ctx, in);
	switch (in->mode & S_IFMT) {
	case S_IFREG:
		mem_file_free(&in->file, t->pool);
		break;
	case S_IFDIR:
		mem_dir_fini(&in->dir);
		break;
	case S_IFLNK:
		free(in->target);
		break;
	}
	mem_xattr_fini(&in->xattrs);
	pthread_rwlock_destroy(&in->lock);
	free(in);
}

void mem_inodes_fini(struct mem_inodes *t)
{
	size_t i;

	for (i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct mem_inode *in = t->buckets[i];

			t->buckets[i] = in->hnext;
			destroy(t, in);
		}
	}
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
}

size_t mem_inodes_count(struct mem_inodes *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static void grow(struct mem_inodes *t)
{
	size_t nb = t->nbuckets * 2, i, old = t->nbuckets;
	struct mem_inode **b = calloc(nb, sizeof(*b)), **ob = t->buckets;

	if (!b)
		return;		/* longer chains, still correct */
	t->buckets = b;
	t->nbuckets = nb;
	for (i = 0; i < old; i++) {
		while (ob[i]) {
			struct mem_inode *in = ob[i];

			ob[i] = in->hnext;
			in->hnext = b[bucket(t, in->nodeid)];
			b[bucket(t, in->nodeid)] = in;
		}
	}
	free(ob);
}

void mem_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

struct mem_inode *mem_inode_new(struct mem_inodes *t, mode_t mode, uid_t uid,
				gid_t gid, dev_t rdev, const char *target,
				int *err)
{
	struct mem_inode *in = calloc(1, sizeof(*in));

	if (!in || (S_ISLNK(mode) && !(in->target = strdup(target)))) {
		free(in);
		*err = -ENOMEM;
		return NULL;
	}
	in->mode = mode;
	in->uid = uid;
	in->gid = gid;
	in->rdev = S_ISCHR(mode) || S_ISBLK(mode) ? rdev : 0;
	if (S_ISLNK(mode))
		in->size = strlen(target);
	if (S_ISDIR(mode))
		mem_dir_init(&in->dir);
	mem_now(&in->mtime);
	in->atime = in->ctime = in->mtime;
	pthread_rwlock_init(&in->lock, NULL);
	in->refs = 1;

	pthread_mutex_lock(&t->lock);
	if (t->count >= t->max) {
		pthread_mutex_unlock(&t->lock);
		destroy(t, in);
		*err = -ENOSPC;
		return NULL;
	}
	in->nodeid = t->next_nodeid++;
	if (t->count >= t->nbuckets)
		grow(t);
	in->hnext = t->buckets[bucket(t, in->nodeid)];
	t->buckets[bucket(t, in->nodeid)] = in;
	t->count++;
	pthread_mutex_unlock(&t->lock);
	return in;
}

/* Unhash and free if nothing holds it; table lock held. */
static void maybe_free(struct mem_inodes *t, struct mem_inode *in)
{
	struct mem_inode **p;

	if (in->refs || in->nlookup || in->nlink)
		return;
	for (p = &t->buckets[bucket(t, in->nodeid)]; *p != in; p = &(*p)->hnext)
		;
	*p = in->hnext;
	t->count--;
	destroy(t, in);
}

struct mem_inode *mem_inode_get(struct mem_inodes *t, uint64_t nodeid)
{
	struct mem_inode *in;

	pthread_mutex_lock(&t->lock);
	for (in = t->buckets[bucket(t, nodeid)]; in && in->nodeid != nodeid;
	     in = in->hnext)
		;
	if (in)
		in->refs++;
	pthread_mutex_unlock(&t->lock);
	return in;
}

void mem_inode_ref(struct mem_inodes *t, struct mem_inode *in)
{
	pthread_mutex_lock(&t->lock);
	in->refs++;
	pthread_mutex_unlock(&t->lock);
}

void mem_inode_put(struct mem_inodes *t, struct mem_inode *in)
{
	pthread_mutex_lock(&t->lock);
	in->refs--;
	maybe_free(t, in);
	pthread_mutex_unlock(&t->lock);
}

void mem_inode_lookup(struct mem_inodes *t, struct mem_inode *in)
{
	pthread_mutex_lock(&t->lock);
	in->nlookup++;
	pthread_mutex_unlock(&t->lock);
}

void mem_inode_forget(struct mem_inodes *t, uint64_t nodeid, uint64_t n)
{
	struct mem_inode *in;

	pthread_mutex_lock(&t->lock);
	for (in = t->buckets[bucket(t, nodeid)]; in && in->nodeid != nodeid;
	     in = in->hnext)
		;
	/* More than we handed out would be a kernel bug: clamp. */
	if (in && nodeid != VFSD_ROOT_INO) {
		in->nlookup -= n < in->nlookup ? n : in->nlookup;
		maybe_free(t, in);
	}
	pthread_mutex_unlock(&t->lock);
}

void mem_inode_set_nlink(struct mem_inodes *t, struct mem_inode *in,
			 uint32_t nlink)
{
	/* Freed by the caller's final put, never under its feet. */
	pthread_mutex_lock(&t->lock);
	in->nlink = nlink;
	pthread_mutex_unlock(&t->lock);
}

void mem_inode_stat(const struct mem_inode *in, const struct mem_pool *p,
		    struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = in->nodeid;
	st->st_mode = in->mode;
	st->st_nlink = in->nlink;
	st->st_uid = in->uid;
	st->st_gid = in->gid;
	st->st_rdev = in->rdev;
	st->st_size = (off_t)in->size;
	st->st_blksize = (blksize_t)p->block_size;
	if (S_ISREG(in->mode))
		st->st_blocks = (blkcnt_t)(in->file.nblocks *
					   (p->block_size / 512));
	st->st_atim = in->atime;
	st->st_mtim = in->mtime;
	st->st_ctim = in->ctime;
}
