// SPDX-License-Identifier: MIT
/*
 * The mem backend's namespace changes. Each runs under the namespace lock
 * held for writing, then the inode locks of what it changes (in that
 * order, see tree/inode.h). New objects belong to the caller; in a setgid
 * directory they take its group (and new directories the setgid bit).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "tree/tree.h"

/* mtime and ctime of a changed directory, or ctime of a changed inode. */
static void touch(struct mem_fs *fs, struct mem_inode *in, bool mtime)
{
	struct timespec now;

	mem_now(&now);
	pthread_rwlock_wrlock(&in->lock);
	in->ctime = now;
	if (mtime)
		in->mtime = now;
	pthread_rwlock_unlock(&in->lock);
	mem_store_inode(fs, in);
}

static void add_links(struct mem_fs *fs, struct mem_inode *in, int delta)
{
	pthread_rwlock_wrlock(&in->lock);
	mem_inode_set_nlink(&fs->inodes, in, (uint32_t)((int)in->nlink + delta));
	mem_now(&in->ctime);
	pthread_rwlock_unlock(&in->lock);
	mem_store_inode(fs, in);
}

/*
 * Name in in dir, and tell the store (reuse: the entry a rename moves):
 * 0 or a positive errno, nothing changed then.
 */
static int add_name(struct mem_fs *fs, struct mem_inode *dir,
		    const char *name, struct mem_inode *in,
		    struct mem_dirent *reuse)
{
	struct mem_dirent *de;
	int err = -mem_dir_add(&dir->dir, name, in);

	if (err || !fs->store)
		return err;
	de = mem_dir_find(&dir->dir, name);
	err = -fs->store->dirent_add(fs, dir, de, reuse);
	if (err)
		mem_dir_remove(&dir->dir, de);
	return err;
}

static void remove_entry(struct mem_fs *fs, struct mem_inode *dir,
			 struct mem_dirent *de)
{
	if (fs->store)
		fs->store->dirent_remove(fs, de);
	mem_dir_remove(&dir->dir, de);
}

/* de of dir names another inode now. */
static void retarget(struct mem_fs *fs, struct mem_inode *dir,
		     struct mem_dirent *de, struct mem_inode *in)
{
	de->inode = in;
	if (fs->store)
		fs->store->dirent_sync(fs, dir, de);
}

/* The parent of a change, checked: a directory we may write into. */
static struct mem_inode *write_dir(struct vfsd_req *req, vfsd_ino_t ino,
				   int *err)
{
	struct mem_inode *d = mem_inode_get(&MFS(req)->inodes, ino);

	*err = 0;
	if (!d)
		*err = ESTALE;
	else if (!S_ISDIR(d->mode))
		*err = ENOTDIR;
	else if (d->nlink == 0)
		*err = ENOENT;	/* removed while the kernel held it */
	else
		*err = mem_may(req, d, W_OK | X_OK);
	if (*err && d) {
		mem_inode_put(&MFS(req)->inodes, d);
		d = NULL;
	}
	return d;
}

/*
 * Make a new inode named name in parent and reply its entry, or with fi,
 * a create reply. mode carries the type; target is for symlinks.
 */
static void make(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev, const char *target,
		 struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);
	struct mem_inode *p, *in = NULL;
	gid_t gid = ctx->gid;
	int err;

	p = write_dir(req, parent, &err);
	if (!p) {
		vfsd_reply_err(req, err);
		return;
	}
	pthread_rwlock_wrlock(&fs->ns_lock);
	if (p->nlink == 0) {
		err = ENOENT;
	} else if (mem_dir_find(&p->dir, name)) {
		err = EEXIST;
	} else {
		if (p->mode & S_ISGID) {
			gid = p->gid;
			if (S_ISDIR(mode))
				mode |= S_ISGID;
		}
		in = mem_inode_new(&fs->inodes, mode, ctx->uid, gid, rdev,
				   target, &err);
		err = -err;
		if (in && fs->store)
			err = -fs->store->inode_new(fs, in);
	}
	if (in && !err && (err = add_name(fs, p, name, in, NULL)) == 0) {
		if (S_ISDIR(mode)) {
			in->parent = p;
			mem_inode_set_nlink(&fs->inodes, in, 2);
			add_links(fs, p, 1);	/* the new ".." */
		} else {
			mem_inode_set_nlink(&fs->inodes, in, 1);
		}
		mem_store_inode(fs, in);
		touch(fs, p, true);
	}
	pthread_rwlock_unlock(&fs->ns_lock);
	mem_inode_put(&fs->inodes, p);
	if (err) {
		if (in)
			mem_inode_put(&fs->inodes, in);	/* never linked */
		vfsd_reply_err(req, err);
		return;
	}
	if (fi) {
		struct vfsd_entry_param e = {
			.ino = in->nodeid, .attr_timeout = fs->attr_timeout,
			.entry_timeout = fs->entry_timeout,
		};

		pthread_rwlock_rdlock(&in->lock);
		mem_inode_stat(in, &fs->pool, &e.attr);
		pthread_rwlock_unlock(&in->lock);
		fi->fh = in->nodeid;
		fi->keep_cache = 1;	/* all changes come through the kernel */
		mem_inode_lookup(&fs->inodes, in);
		if (vfsd_reply_create(req, &e, fi))
			mem_inode_forget(&fs->inodes, in->nodeid, 1);
	} else {
		mem_reply_entry(req, in);
	}
	mem_inode_put(&fs->inodes, in);
}

void mem_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi)
{
	make(req, parent, name, S_IFREG | (mode & 07777), 0, NULL, fi);
}

void mem_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode, dev_t rdev)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		/* Devices are inert here: the mount is nodev. */
		make(req, parent, name, mode, rdev, NULL, NULL);
		return;
	}
	vfsd_reply_err(req, EINVAL);
}

void mem_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode)
{
	make(req, parent, name, S_IFDIR | (mode & 07777), 0, NULL, NULL);
}

void mem_symlink(struct vfsd_req *req, const char *target, vfsd_ino_t parent,
		 const char *name)
{
	make(req, parent, name, S_IFLNK | 0777, 0, target, NULL);
}

void mem_link(struct vfsd_req *req, vfsd_ino_t ino, vfsd_ino_t newparent,
	      const char *newname)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in, *p;
	int err = 0;

	p = write_dir(req, newparent, &err);
	if (!p) {
		vfsd_reply_err(req, err);
		return;
	}
	in = mem_inode_get(&fs->inodes, ino);
	pthread_rwlock_wrlock(&fs->ns_lock);
	if (!in)
		err = ESTALE;
	else if (S_ISDIR(in->mode))
		err = EPERM;
	else if (in->nlink == 0)
		err = ENOENT;	/* no resurrecting an unlinked file */
	else if (p->nlink == 0)
		err = ENOENT;
	else if (mem_dir_find(&p->dir, newname))
		err = EEXIST;
	else
		err = add_name(fs, p, newname, in, NULL);
	if (!err) {
		add_links(fs, in, 1);
		touch(fs, p, true);
	}
	pthread_rwlock_unlock(&fs->ns_lock);
	mem_inode_put(&fs->inodes, p);
	if (err)
		vfsd_reply_err(req, err);
	else
		mem_reply_entry(req, in);
	if (in)
		mem_inode_put(&fs->inodes, in);
}

/* Drop one name of victim (a directory loses all of its links). */
static void unlink_inode(struct mem_fs *fs, struct mem_inode *dir,
			 struct mem_inode *victim)
{
	if (S_ISDIR(victim->mode)) {
		add_links(fs, victim, -(int)victim->nlink);
		add_links(fs, dir, -1);		/* its ".." */
	} else {
		add_links(fs, victim, -1);
	}
}

static void remove_name(struct vfsd_req *req, vfsd_ino_t parent,
			const char *name, bool dir)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *p, *victim = NULL;
	struct mem_dirent *de;
	int err;

	p = write_dir(req, parent, &err);
	if (!p) {
		vfsd_reply_err(req, err);
		return;
	}
	pthread_rwlock_wrlock(&fs->ns_lock);
	de = mem_dir_find(&p->dir, name);
	if (!de)
		err = ENOENT;
	else if (dir && !S_ISDIR(de->inode->mode))
		err = ENOTDIR;
	else if (!dir && S_ISDIR(de->inode->mode))
		err = EISDIR;
	else if (dir && de->inode->dir.count)
		err = ENOTEMPTY;
	else
		err = mem_may_delete(req, p, de->inode);
	if (!err) {
		victim = de->inode;
		mem_inode_ref(&fs->inodes, victim);	/* freed by our put */
		remove_entry(fs, p, de);
		unlink_inode(fs, p, victim);
		touch(fs, p, true);
	}
	pthread_rwlock_unlock(&fs->ns_lock);
	mem_inode_put(&fs->inodes, p);
	if (victim)
		mem_inode_put(&fs->inodes, victim);
	vfsd_reply_err(req, err);
}

void mem_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, false);
}

void mem_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, true);
}

/* Is dir inside the tree of ancestor (or ancestor itself)? */
static bool inside(const struct mem_inode *dir, const struct mem_inode *ancestor)
{
	for (; dir; dir = dir->parent)
		if (dir == ancestor)
			return true;
	return false;
}

/* A directory moved from one parent to another. */
static void reparent(struct mem_fs *fs, struct mem_inode *in,
		     struct mem_inode *from, struct mem_inode *to)
{
	if (!S_ISDIR(in->mode) || from == to)
		return;
	in->parent = to;
	add_links(fs, from, -1);
	add_links(fs, to, 1);
}

static int exchange(struct mem_fs *fs, struct mem_inode *p,
		    struct mem_dirent *a, struct mem_inode *np,
		    struct mem_dirent *b)
{
	struct mem_inode *ia = a->inode, *ib = b->inode;

	if ((S_ISDIR(ia->mode) && inside(np, ia)) ||
	    (S_ISDIR(ib->mode) && inside(p, ib)))
		return EINVAL;
	retarget(fs, p, a, ib);
	retarget(fs, np, b, ia);
	reparent(fs, ia, p, np);
	reparent(fs, ib, np, p);
	touch(fs, ia, false);
	touch(fs, ib, false);
	return 0;
}

/* Checks of a plain rename of src over dst (which may be NULL). */
static int replace_ok(struct mem_inode *src, struct mem_inode *dst,
		      struct mem_inode *np)
{
	if (S_ISDIR(src->mode) && inside(np, src))
		return EINVAL;	/* into its own subtree */
	if (!dst)
		return 0;
	if (S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
		return ENOTDIR;
	if (!S_ISDIR(src->mode) && S_ISDIR(dst->mode))
		return EISDIR;
	if (S_ISDIR(dst->mode) && dst->dir.count)
		return ENOTEMPTY;
	return 0;
}

static int do_rename(struct vfsd_req *req, struct mem_inode *p,
		     const char *name, struct mem_inode *np,
		     const char *newname, unsigned int flags,
		     struct mem_inode **victim)
{
	struct mem_fs *fs = MFS(req);
	struct mem_dirent *a = mem_dir_find(&p->dir, name);
	struct mem_dirent *b = mem_dir_find(&np->dir, newname);
	struct mem_inode *src;
	int err;

	if (!a || p->nlink == 0 || np->nlink == 0)
		return ENOENT;
	src = a->inode;
	if ((err = mem_may_delete(req, p, src)) ||
	    (b && (err = mem_may_delete(req, np, b->inode))))
		return err;
	if (flags & RENAME_EXCHANGE)
		return b ? exchange(fs, p, a, np, b) : ENOENT;
	if (b && (flags & RENAME_NOREPLACE))
		return EEXIST;
	if (b && b->inode == src)
		return 0;	/* two names of one inode: nothing to do */
	err = replace_ok(src, b ? b->inode : NULL, np);
	if (err)
		return err;
	if (b) {
		/* Reuse the target's entry: nothing to allocate, no failure. */
		*victim = b->inode;
		mem_inode_ref(&fs->inodes, *victim);
		retarget(fs, np, b, src);
		unlink_inode(fs, np, *victim);
	} else if ((err = add_name(fs, np, newname, src, a))) {
		return err;
	}
	remove_entry(fs, p, a);
	reparent(fs, src, p, np);
	touch(fs, src, false);
	return 0;
}

void mem_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		vfsd_ino_t newparent, const char *newname, unsigned int flags)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *p, *np, *victim = NULL;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
	    (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE)) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	p = write_dir(req, parent, &err);
	np = p ? write_dir(req, newparent, &err) : NULL;
	if (!np) {
		if (p)
			mem_inode_put(&fs->inodes, p);
		vfsd_reply_err(req, err);
		return;
	}
	pthread_rwlock_wrlock(&fs->ns_lock);
	err = do_rename(req, p, name, np, newname, flags, &victim);
	if (!err) {
		touch(fs, p, true);
		if (np != p)
			touch(fs, np, true);
	}
	pthread_rwlock_unlock(&fs->ns_lock);
	mem_inode_put(&fs->inodes, p);
	mem_inode_put(&fs->inodes, np);
	if (victim)
		mem_inode_put(&fs->inodes, victim);
	vfsd_reply_err(req, err);
}
