// SPDX-License-Identifier: MIT
/*
 * The tree's namespace reads: lookup, forget, getattr, readlink, opendir,
 * readdir, and the entry and attribute replies the other handlers share.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tree/tree.h"

struct mem_inode *mem_req_inode(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct mem_inode *in = mem_inode_get(&MFS(req)->inodes, ino);

	if (!in)
		vfsd_reply_err(req, ESTALE);
	return in;
}

void mem_store_inode(struct mem_fs *fs, struct mem_inode *in)
{
	if (fs->store)
		fs->store->inode_sync(fs, in);
}

void mem_reply_entry(struct vfsd_req *req, struct mem_inode *in)
{
	struct mem_fs *fs = MFS(req);
	struct vfsd_entry_param e = {
		.ino = in->nodeid,
		.attr_timeout = fs->attr_timeout,
		.entry_timeout = fs->entry_timeout,
	};

	pthread_rwlock_rdlock(&in->lock);
	mem_inode_stat(in, &fs->pool, &e.attr);
	pthread_rwlock_unlock(&in->lock);
	/* Counted first: a FORGET may race in right after the reply. */
	mem_inode_lookup(&fs->inodes, in);
	if (vfsd_reply_entry(req, &e))
		mem_inode_forget(&fs->inodes, in->nodeid, 1);
}

void mem_reply_attr(struct vfsd_req *req, struct mem_inode *in)
{
	struct mem_fs *fs = MFS(req);
	struct stat st;

	pthread_rwlock_rdlock(&in->lock);
	mem_inode_stat(in, &fs->pool, &st);
	pthread_rwlock_unlock(&in->lock);
	vfsd_reply_attr(req, &st, fs->attr_timeout);
}

void mem_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *p = mem_req_inode(req, parent), *in = NULL;
	struct mem_dirent *de;
	int err = 0;

	if (!p)
		return;
	if (!S_ISDIR(p->mode))
		err = ENOTDIR;
	else
		err = mem_may(req, p, X_OK);
	if (!err) {
		pthread_rwlock_rdlock(&fs->ns_lock);
		de = mem_dir_find(&p->dir, name);
		if (de) {
			in = de->inode;
			mem_inode_ref(&fs->inodes, in);
		}
		pthread_rwlock_unlock(&fs->ns_lock);
	}
	mem_inode_put(&fs->inodes, p);
	if (err) {
		vfsd_reply_err(req, err);
	} else if (!in) {
		struct vfsd_entry_param neg = {
			.entry_timeout = fs->entry_timeout,
		};

		vfsd_reply_entry(req, &neg);	/* cached as absent */
	} else {
		mem_reply_entry(req, in);
		mem_inode_put(&fs->inodes, in);
	}
}

void mem_forget(void *userdata, vfsd_ino_t ino, uint64_t nlookup)
{
	struct mem_fs *fs = userdata;

	mem_inode_forget(&fs->inodes, ino, nlookup);
}

void mem_getattr(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct mem_inode *in = mem_req_inode(req, ino);

	(void)fi;	/* the inode is the same through any handle */
	if (!in)
		return;
	mem_reply_attr(req, in);
	mem_inode_put(&MFS(req)->inodes, in);
}

void mem_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct mem_inode *in = mem_req_inode(req, ino);

	if (!in)
		return;
	/* A symlink's target never changes: no lock needed. */
	if (S_ISLNK(in->mode))
		vfsd_reply_readlink(req, in->target);
	else
		vfsd_reply_err(req, EINVAL);
	mem_inode_put(&MFS(req)->inodes, in);
}

void mem_opendir(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct mem_inode *in = mem_req_inode(req, ino);
	int err;

	if (!in)
		return;
	err = S_ISDIR(in->mode) ? mem_may(req, in, R_OK) : ENOTDIR;
	mem_inode_put(&MFS(req)->inodes, in);
	if (err) {
		vfsd_reply_err(req, err);
		return;
	}
	fi->fh = ino;	/* readdir works from the cookie alone */
	vfsd_reply_open(req, fi);
}

/* Cookies: 0 ".", 1 "..", then each entry's sequence number. */
void mem_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
			off_t off, struct vfsd_file_info *fi)
{
	struct mem_fs *fs = MFS(req);
	struct mem_inode *in = mem_req_inode(req, ino);
	const struct mem_dir *d;
	size_t i;

	(void)size;	/* vfsd_dirbuf_add() knows the limit */
	(void)fi;
	if (!in)
		return;
	if (!S_ISDIR(in->mode)) {
		mem_inode_put(&fs->inodes, in);
		vfsd_reply_err(req, ENOTDIR);
		return;
	}
	pthread_rwlock_rdlock(&fs->ns_lock);
	d = &in->dir;
	if (off == 0 && !vfsd_dirbuf_add(req, ".", in->nodeid, S_IFDIR, 1))
		goto out;
	if (off <= 1 && !vfsd_dirbuf_add(req, "..", in->parent ?
					 in->parent->nodeid : in->nodeid,
					 S_IFDIR, MEM_DIR_FIRST_SEQ))
		goto out;
	for (i = mem_dir_seek(d, (uint64_t)off); i < d->len; i++) {
		const struct mem_dirent *de = d->order[i];

		if (de && !vfsd_dirbuf_add(req, de->name, de->inode->nodeid,
					   de->inode->mode, de->seq + 1))
			break;
	}
out:
	pthread_rwlock_unlock(&fs->ns_lock);
	mem_inode_put(&fs->inodes, in);
	vfsd_reply_readdir(req);
}
