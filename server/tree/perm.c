// SPDX-License-Identifier: MIT
/*
 * Access checks of the mem backend for server_permissions: the classic
 * owner/group/other mode bits against the caller's uid and gid, root
 * passing everything but execution of non-executables. With the default
 * (default_permissions) the kernel has checked already and these pass.
 */
#include <errno.h>
#include <unistd.h>

#include "tree/tree.h"

static bool checking(struct vfsd_req *req)
{
	return MFS(req)->server_perms;
}

/* mask of R_OK, W_OK, X_OK against in's modes; inode lock held. */
static int may_locked(const struct vfsd_ctx *ctx, const struct mem_inode *in,
		      int mask)
{
	mode_t bits;

	if (ctx->uid == 0) {
		if ((mask & X_OK) && !S_ISDIR(in->mode) && !(in->mode & 0111))
			return EACCES;
		return 0;
	}
	if (ctx->uid == in->uid)
		bits = in->mode >> 6;
	else if (ctx->gid == in->gid)
		bits = in->mode >> 3;
	else
		bits = in->mode;
	return ((int)bits & mask) == mask ? 0 : EACCES;
}

int mem_may(struct vfsd_req *req, struct mem_inode *in, int mask)
{
	int err;

	if (!checking(req))
		return 0;
	pthread_rwlock_rdlock(&in->lock);
	err = may_locked(vfsd_req_ctx(req), in, mask);
	pthread_rwlock_unlock(&in->lock);
	return err;
}

int mem_may_delete(struct vfsd_req *req, struct mem_inode *dir,
		   struct mem_inode *victim)
{
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);
	bool sticky;
	uid_t owner;

	if (!checking(req))
		return 0;
	/* Write and search on dir were checked when it was picked. */
	pthread_rwlock_rdlock(&dir->lock);
	sticky = dir->mode & S_ISVTX;
	owner = dir->uid;
	pthread_rwlock_unlock(&dir->lock);
	if (!sticky || ctx->uid == 0 || ctx->uid == owner)
		return 0;
	pthread_rwlock_rdlock(&victim->lock);
	owner = victim->uid;
	pthread_rwlock_unlock(&victim->lock);
	return ctx->uid == owner ? 0 : EPERM;
}

int mem_may_setattr(struct vfsd_req *req, struct mem_inode *in,
		    const struct stat *attr, int to_set)
{
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);
	bool owner;
	int err = 0;

	if (!checking(req) || ctx->uid == 0)
		return 0;
	pthread_rwlock_rdlock(&in->lock);
	owner = ctx->uid == in->uid;
	if ((to_set & (VFSD_SET_ATTR_MODE | VFSD_SET_ATTR_ATIME |
		       VFSD_SET_ATTR_MTIME | VFSD_SET_ATTR_CTIME)) && !owner)
		err = EPERM;
	/* chown is root's; an owner may only move to their own group. */
	if ((to_set & VFSD_SET_ATTR_UID) && attr->st_uid != in->uid)
		err = EPERM;
	if ((to_set & VFSD_SET_ATTR_GID) && attr->st_gid != in->gid &&
	    (!owner || attr->st_gid != ctx->gid))
		err = EPERM;
	/* Times set to now: the owner, or anyone who may write. */
	if (!err && (to_set & (VFSD_SET_ATTR_ATIME_NOW |
			       VFSD_SET_ATTR_MTIME_NOW)) && !owner)
		err = may_locked(ctx, in, W_OK);
	if (!err && (to_set & VFSD_SET_ATTR_SIZE))
		err = may_locked(ctx, in, W_OK);
	pthread_rwlock_unlock(&in->lock);
	return err;
}
