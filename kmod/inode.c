// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: inodes, keyed by the server's nodeid; attributes and their cache.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/pagemap.h>
#include <linux/cred.h>
#include <linux/namei.h>

#include "vfsd_i.h"

/* Cap server timeouts so jiffies arithmetic cannot overflow. */
#define VFSD_MAX_TIMEOUT_NS	(365ULL * 24 * 3600 * NSEC_PER_SEC)

u64 vfsd_timeout_jiffies(u64 ns)
{
	return get_jiffies_64() +
		nsecs_to_jiffies64(min_t(u64, ns, VFSD_MAX_TIMEOUT_NS));
}

/* Reject attributes no local filesystem could have. */
int vfsd_attr_check(const struct vfsd_attr *a)
{
	switch (a->mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK:
	case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -EIO;
	}
	if (a->mode & ~(S_IFMT | 07777))
		return -EIO;
	if (a->size > MAX_LFS_FILESIZE)
		return -EIO;
	if (a->atime_nsec >= NSEC_PER_SEC || a->mtime_nsec >= NSEC_PER_SEC ||
	    a->ctime_nsec >= NSEC_PER_SEC)
		return -EIO;
	if (!uid_valid(make_kuid(&init_user_ns, a->uid)) ||
	    !gid_valid(make_kgid(&init_user_ns, a->gid)))
		return -EIO;
	return 0;
}

static void vfsd_init_ops(struct inode *inode, umode_t mode, u32 rdev)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &vfsd_file_iops;
		inode->i_fop = &vfsd_file_fops;
		inode->i_mapping->a_ops = &vfsd_aops;
		break;
	case S_IFDIR:
		inode->i_op = &vfsd_dir_iops;
		inode->i_fop = &vfsd_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &vfsd_symlink_iops;
		inode_nohighmem(inode);
		break;
	default:
		inode->i_op = &vfsd_special_iops;
		init_special_inode(inode, mode, new_decode_dev(rdev));
		break;
	}
}

/*
 * While this kernel holds unwritten data or has the file open for writing,
 * its size is newer than the server's: writeback has not told it yet.
 */
bool vfsd_size_is_local(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	if (!S_ISREG(inode->i_mode))
		return false;
	return mapping_tagged(mapping, PAGECACHE_TAG_DIRTY) ||
	       mapping_tagged(mapping, PAGECACHE_TAG_WRITEBACK) ||
	       !list_empty_careful(&VFSD_I(inode)->write_files);
}

/* The inode's times as the server reported them in @a. */
static void vfsd_set_server_times(struct inode *inode,
				  const struct vfsd_attr *a)
{
	struct timespec64 at = { a->atime, a->atime_nsec };
	struct timespec64 mt = { a->mtime, a->mtime_nsec };
	struct timespec64 ct = { a->ctime, a->ctime_nsec };

	vfsd_inode_set_times(inode, at, mt, ct);
}

/* Apply checked attributes. The file type never changes. */
void vfsd_update_attr(struct inode *inode, const struct vfsd_attr *a,
		      u64 attr_valid_ns)
{
	bool local_size = vfsd_size_is_local(inode);
	struct vfsd_inode *vi = VFSD_I(inode);

	spin_lock(&inode->i_lock);
	/*
	 * The server may have made the file setuid or given it file
	 * capabilities behind our back: the next write checks again.
	 */
	inode->i_flags &= ~S_NOSEC;
	inode->i_ino = a->ino;
	inode->i_mode = (inode->i_mode & S_IFMT) | (a->mode & 07777);
	inode->i_uid = make_kuid(&init_user_ns, a->uid);
	inode->i_gid = make_kgid(&init_user_ns, a->gid);
	set_nlink(inode, a->nlink);
	if (!local_size)
		vfsd_set_server_times(inode, a);
	if (!local_size)
		inode->i_blocks = a->blocks;
	if (a->blksize && is_power_of_2(a->blksize) && a->blksize <= SZ_1M)
		inode->i_blkbits = ilog2(a->blksize);
	else
		inode->i_blkbits = PAGE_SHIFT;
	if (!local_size)
		i_size_write(inode, a->size);
	vi->attr_expires = vfsd_timeout_jiffies(attr_valid_ns);
	clear_bit(VFSD_I_STALE, &vi->state);
	spin_unlock(&inode->i_lock);
}

static int vfsd_inode_test(struct inode *inode, void *data)
{
	return VFSD_I(inode)->nodeid == *(u64 *)data;
}

static int vfsd_inode_set(struct inode *inode, void *data)
{
	VFSD_I(inode)->nodeid = *(u64 *)data;
	return 0;
}

/*
 * Find or create the inode for a nodeid the server returned from a lookup,
 * and count the lookup (dropped again by FORGET on eviction).
 */
/* Cut an inode loose from its nodeid; further I/O on it fails. */
void vfsd_make_bad(struct inode *inode)
{
	remove_inode_hash(inode);
	set_bit(VFSD_I_BAD, &VFSD_I(inode)->state);
}

/*
 * Find or create the inode for a nodeid the server returned from a lookup,
 * and count the lookup (dropped again by FORGET on eviction).
 */
struct inode *vfsd_iget(struct super_block *sb, u64 nodeid,
			const struct vfsd_attr *attr, u64 attr_valid_ns)
{
	struct inode *inode;
	umode_t type = attr->mode & S_IFMT;

retry:
	inode = iget5_locked(sb, (unsigned long)nodeid, vfsd_inode_test,
			     vfsd_inode_set, &nodeid);
	if (!inode)
		return ERR_PTR(-ENOMEM);

	if (vfsd_inode_is_new(inode)) {
		inode->i_mode = type;
		/* The kernel keeps c/mtime of local writes until writeback. */
		inode->i_flags |= S_NOATIME;
		vfsd_init_ops(inode, type, attr->rdev);
		vfsd_update_attr(inode, attr, attr_valid_ns);
		unlock_new_inode(inode);
	} else if ((inode->i_mode & S_IFMT) != type) {
		/* The nodeid now names another kind of file (as FUSE does). */
		vfsd_make_bad(inode);
		iput(inode);
		goto retry;
	} else {
		vfsd_update_attr(inode, attr, attr_valid_ns);
	}
	spin_lock(&inode->i_lock);
	VFSD_I(inode)->nlookup++;
	spin_unlock(&inode->i_lock);
	return inode;
}

void vfsd_send_forget(struct super_block *sb, u64 nodeid, u64 nlookup)
{
	if (nlookup)
		vfsd_send_noreply_op(VFSD_M(sb)->conn, VFSD_OP_FORGET, nodeid,
				     0, nlookup, GFP_NOFS);
}

/* Fetch attributes from the server if they expired (or if @force). */
int vfsd_refresh_attr(struct inode *inode, bool force)
{
	struct vfsd_inode *vi = VFSD_I(inode);
	struct vfsd_attr_out *out;
	struct vfsd_req *req;
	struct timespec64 old_mtime;
	loff_t old_size;
	int err;

	if (vfsd_is_bad(inode))
		return -EIO;
	if (!force && !vfsd_attr_expired(inode))
		return 0;

	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_GETATTR,
			     vi->nodeid, 0, sizeof(*out), GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (err)
		goto out;
	out = req->buf;
	err = vfsd_attr_check(&out->attr);
	if (err) {
		vfsd_bad_reply(req->q->conn, "bad attributes for nodeid %llu\n",
			       vi->nodeid);
		goto out;
	}
	if ((out->attr.mode & S_IFMT) != (inode->i_mode & S_IFMT)) {
		vfsd_bad_reply(req->q->conn, "nodeid %llu changed type\n",
			       vi->nodeid);
		vfsd_make_bad(inode);
		err = -EIO;
		goto out;
	}
	old_size = i_size_read(inode);
	old_mtime = vfsd_inode_get_mtime(inode);
	vfsd_update_attr(inode, &out->attr, out->attr_valid_ns);

	/* Changed behind our back: cached data is stale. */
	if (S_ISREG(inode->i_mode) && !vfsd_size_is_local(inode) &&
	    (old_size != out->attr.size ||
	     old_mtime.tv_sec != out->attr.mtime ||
	     old_mtime.tv_nsec != out->attr.mtime_nsec)) {
		if (out->attr.size < old_size)
			truncate_pagecache(inode, out->attr.size);
		invalidate_inode_pages2(inode->i_mapping);
	}
out:
	vfsd_req_put(req);
	return err;
}

/* Without allow_other only the mounter's credentials get in (as FUSE). */
bool vfsd_allow_current(struct vfsd_mount *fm)
{
	const struct cred *cred = current_cred();

	if (fm->allow_other)
		return true;
	return uid_eq(cred->euid, fm->user_id) &&
	       uid_eq(cred->suid, fm->user_id) &&
	       uid_eq(cred->uid, fm->user_id) &&
	       gid_eq(cred->egid, fm->group_id) &&
	       gid_eq(cred->sgid, fm->group_id) &&
	       gid_eq(cred->gid, fm->group_id);
}

int vfsd_permission(vfsd_idmap_t *idmap, struct inode *inode,
		    int mask)
{
	struct vfsd_mount *fm = VFSD_M(inode->i_sb);
	int err;

	if (!vfsd_allow_current(fm))
		return -EACCES;
	if (vfsd_is_bad(inode))
		return -EIO;
	/* A dead server answers nothing, cached or not. */
	if (!READ_ONCE(fm->conn->connected))
		return -ENOTCONN;
	if (!fm->default_permissions)
		return 0;
	if (vfsd_attr_expired(inode)) {
		if (mask & MAY_NOT_BLOCK)
			return -ECHILD;
		err = vfsd_refresh_attr(inode, false);
		if (err)
			return err;
	}
	return generic_permission(idmap, inode, mask);
}

int vfsd_getattr(vfsd_idmap_t *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	bool force = (flags & AT_STATX_SYNC_TYPE) == AT_STATX_FORCE_SYNC ||
		     test_bit(VFSD_I_STALE, &VFSD_I(inode)->state);
	int err;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	if (!READ_ONCE(VFSD_M(inode->i_sb)->conn->connected))
		return -ENOTCONN;
	if ((flags & AT_STATX_SYNC_TYPE) != AT_STATX_DONT_SYNC) {
		err = vfsd_refresh_attr(inode, force);
		if (err)
			return err;
	}
	vfsd_fillattr(idmap, request_mask, inode, stat);
	stat->blocks = inode->i_blocks;
	stat->blksize = 1 << inode->i_blkbits;
	return 0;
}

static void vfsd_fill_setattr(struct vfsd_setattr_in *in,
			      const struct iattr *attr)
{
	unsigned int v = attr->ia_valid;

	if (v & ATTR_MODE) {
		in->valid |= VFSD_SETATTR_MODE;
		in->mode = attr->ia_mode & 07777;
	}
	if (v & ATTR_UID) {
		in->valid |= VFSD_SETATTR_UID;
		in->uid = from_kuid(&init_user_ns, attr->ia_uid);
	}
	if (v & ATTR_GID) {
		in->valid |= VFSD_SETATTR_GID;
		in->gid = from_kgid(&init_user_ns, attr->ia_gid);
	}
	if (v & ATTR_SIZE) {
		in->valid |= VFSD_SETATTR_SIZE;
		in->size = attr->ia_size;
	}
	if (v & ATTR_ATIME) {
		in->valid |= (v & ATTR_ATIME_SET) ? VFSD_SETATTR_ATIME :
			VFSD_SETATTR_ATIME_NOW;
		in->atime = attr->ia_atime.tv_sec;
		in->atime_nsec = attr->ia_atime.tv_nsec;
	}
	if (v & ATTR_MTIME) {
		in->valid |= (v & ATTR_MTIME_SET) ? VFSD_SETATTR_MTIME :
			VFSD_SETATTR_MTIME_NOW;
		in->mtime = attr->ia_mtime.tv_sec;
		in->mtime_nsec = attr->ia_mtime.tv_nsec;
	}
	if ((v & ATTR_FILE) && attr->ia_file &&
	    attr->ia_file->private_data) {
		struct vfsd_file *vf = attr->ia_file->private_data;

		in->valid |= VFSD_SETATTR_FH;
		in->fh = vf->fh;
	}
}

int vfsd_setattr(vfsd_idmap_t *idmap, struct dentry *dentry,
		 struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct vfsd_setattr_in in = {};
	struct vfsd_attr_out *out;
	struct vfsd_req *req;
	bool trunc = (attr->ia_valid & ATTR_SIZE) && S_ISREG(inode->i_mode);
	int err;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	if (vfsd_is_bad(inode))
		return -EIO;
	if (VFSD_M(inode->i_sb)->default_permissions) {
		err = setattr_prepare(idmap, dentry, attr);
		if (err)
			return err;
	}
	vfsd_fill_setattr(&in, attr);
	if (!in.valid)
		return 0;
	/* Old data must not reach the server after the new size does. */
	if (trunc) {
		err = filemap_write_and_wait(inode->i_mapping);
		if (err)
			return err;
	}
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_SETATTR,
			     vfsd_nodeid(inode), sizeof(in), sizeof(*out),
			     GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	memcpy(req->buf, &in, sizeof(in));
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (err)
		goto out;
	out = req->buf;
	if (vfsd_attr_check(&out->attr) ||
	    (out->attr.mode & S_IFMT) != (inode->i_mode & S_IFMT)) {
		vfsd_bad_reply(req->q->conn, "bad attributes after setattr\n");
		err = -EIO;
		goto out;
	}
	if (trunc) {
		i_size_write(inode, in.size);
		truncate_pagecache(inode, in.size);
	}
	vfsd_update_attr(inode, &out->attr, out->attr_valid_ns);
	/* Times we just set are the server's, even while we hold writes. */
	if (in.valid & (VFSD_SETATTR_ATIME | VFSD_SETATTR_ATIME_NOW |
			VFSD_SETATTR_MTIME | VFSD_SETATTR_MTIME_NOW))
		vfsd_set_server_times(inode, &out->attr);
out:
	vfsd_req_put(req);
	return err;
}

static const char *vfsd_get_link(struct dentry *dentry, struct inode *inode,
				 struct delayed_call *done)
{
	struct vfsd_req *req;
	char *link;
	int len;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_READLINK,
			     vfsd_nodeid(inode), 0, PATH_MAX - 1, GFP_KERNEL);
	if (IS_ERR(req))
		return ERR_CAST(req);
	req->sqe.len = PATH_MAX - 1;
	len = vfsd_req_send_wait(req);
	if (len >= 0 && (len == 0 || memchr(req->buf, 0, len))) {
		vfsd_bad_reply(req->q->conn, "bad symlink target\n");
		len = -EIO;
	}
	if (len < 0) {
		vfsd_req_put(req);
		return ERR_PTR(len);
	}
	link = kmemdup_nul(req->buf, len, GFP_KERNEL);
	vfsd_req_put(req);
	if (!link)
		return ERR_PTR(-ENOMEM);
	set_delayed_call(done, kfree_link, link);
	return link;
}

const struct inode_operations vfsd_file_iops = {
	.permission = vfsd_permission,
	.getattr = vfsd_getattr,
	.setattr = vfsd_setattr,
	.listxattr = vfsd_listxattr,
};

const struct inode_operations vfsd_symlink_iops = {
	.get_link = vfsd_get_link,
	.getattr = vfsd_getattr,
	.setattr = vfsd_setattr,
	.listxattr = vfsd_listxattr,
};

const struct inode_operations vfsd_special_iops = {
	.permission = vfsd_permission,
	.getattr = vfsd_getattr,
	.setattr = vfsd_setattr,
	.listxattr = vfsd_listxattr,
};
