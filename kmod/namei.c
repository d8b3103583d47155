// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: namespace changes: create, mknod, mkdir, symlink, link, unlink,
 * rmdir, rename. The server does the change; the kernel updates its
 * dentries and marks the attributes it can no longer trust as expired.
 */
#include <linux/slab.h>
#include <linux/namei.h>
#include <linux/fs.h>

#include "vfsd_i.h"

/* Build a request whose inline payload is name \0 [extra]. */
static struct vfsd_req *vfsd_name_req(struct inode *dir, u8 opcode,
				      const struct qstr *name,
				      const void *pre, u32 prelen,
				      const void *extra, u32 extralen,
				      u32 out_size)
{
	u32 len = prelen + name->len + 1 + extralen;
	struct vfsd_req *req;
	u8 *p;

	if (name->len > VFSD_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	if (len > VFSD_INLINE_SIZE)
		return ERR_PTR(-ENAMETOOLONG);
	req = vfsd_req_alloc(VFSD_M(dir->i_sb)->conn, opcode, vfsd_nodeid(dir),
			     len, out_size, GFP_KERNEL);
	if (IS_ERR(req))
		return req;
	p = req->buf;
	memcpy(p, pre, prelen);
	p += prelen;
	memcpy(p, name->name, name->len);
	p[name->len] = '\0';
	p += name->len + 1;
	memcpy(p, extra, extralen);
	return req;
}

/*
 * Check the entry a server returned for a name it just made and
 * instantiate the dentry with its inode.
 */
/*
 * Give DENTRY the new entry's inode. If the dcache had the inode under
 * another name, that alias takes DENTRY's place: with ALIASP it is
 * returned there (a reference, NULL if DENTRY itself was used), else
 * dropped.
 */
static int vfsd_instantiate(struct inode *dir, struct dentry *dentry,
			    struct vfsd_req *req,
			    const struct vfsd_entry_out *out, umode_t type,
			    struct dentry **aliasp)
{
	struct dentry *alias;
	struct inode *inode;

	if (!out->nodeid || out->nodeid == VFSD_ROOT_ID ||
	    vfsd_attr_check(&out->attr) || (out->attr.mode & S_IFMT) != type) {
		vfsd_bad_reply(req->q->conn, "bad entry for a new name\n");
		if (out->nodeid && out->nodeid != VFSD_ROOT_ID)
			vfsd_send_forget(dir->i_sb, out->nodeid, 1);
		return -EIO;
	}
	inode = vfsd_iget(dir->i_sb, out->nodeid, &out->attr,
			  out->attr_valid_ns);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	vfsd_dir_changed(dir);
	/*
	 * The server may name a directory the dcache already has (the
	 * parent, an ancestor, a sibling): d_splice_alias() refuses loops
	 * (ELOOP) and moves any other alias, so no directory ever has two
	 * names and no rename or rmdir locks one inode twice.
	 */
	d_drop(dentry);
	alias = d_splice_alias(inode, dentry);
	if (IS_ERR(alias)) {
		vfsd_bad_reply(req->q->conn, "new name aliases a directory\n");
		return PTR_ERR(alias) == -ELOOP ? -EIO : PTR_ERR(alias);
	}
	(alias ?: dentry)->d_time =
		(unsigned long)vfsd_timeout_jiffies(out->entry_valid_ns);
	if (aliasp)
		*aliasp = alias;
	else
		dput(alias);
	return 0;
}

/* Send a request that creates a name and returns its entry. */
static int vfsd_create_entry(struct inode *dir, struct dentry *dentry,
			     struct vfsd_req *req, umode_t type,
			     struct dentry **aliasp)
{
	int err;

	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (!err)
		err = vfsd_instantiate(dir, dentry, req, req->buf, type,
				       aliasp);
	vfsd_req_put(req);
	return err;
}

static int vfsd_mknod_common(struct inode *dir, struct dentry *dentry,
			     umode_t mode, dev_t rdev)
{
	struct vfsd_req *req;

	req = vfsd_name_req(dir, VFSD_OP_MKNOD, &dentry->d_name, NULL, 0,
			    NULL, 0, sizeof(struct vfsd_entry_out));
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->sqe.arg = mode & ~current_umask();
	req->sqe.offset = new_encode_dev(rdev);
	return vfsd_create_entry(dir, dentry, req, mode & S_IFMT, NULL);
}

static int vfsd_do_create(struct inode *dir, struct dentry *dentry,
			  umode_t mode)
{
	return vfsd_mknod_common(dir, dentry, S_IFREG | (mode & 07777), 0);
}

VFSD_DEFINE_CREATE(vfsd_create, vfsd_do_create)

/*
 * open(O_CREAT) of a name that does not exist: one CREATE makes the file
 * and opens it, so a server checking permissions itself sees the open
 * together with the mode it creates the file with.
 */
static int vfsd_create_open(struct inode *dir, struct dentry *dentry,
			    struct file *file, unsigned int flags,
			    umode_t mode)
{
	struct vfsd_conn *conn = VFSD_M(dir->i_sb)->conn;
	struct vfsd_create_out *out;
	struct vfsd_file *vf;
	struct vfsd_req *req;
	int err;

	if (!vfsd_allow_current(VFSD_M(dir->i_sb)))
		return -EACCES;
	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	INIT_LIST_HEAD(&vf->write_entry);
	req = vfsd_name_req(dir, VFSD_OP_CREATE, &dentry->d_name, NULL, 0,
			    NULL, 0, sizeof(*out));
	if (IS_ERR(req)) {
		kfree(vf);
		return PTR_ERR(req);
	}
	req->sqe.arg = S_IFREG | (mode & 07777 & ~current_umask());
	req->sqe.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (err) {
		if (err == -ENOSYS)
			WRITE_ONCE(conn->no_create, true);
		goto out_free;
	}
	out = req->buf;
	vf->fh = out->open.fh;
	vf->open_flags = out->open.open_flags;
	vf->dmap_id = out->open.dmap_id;
	vf->nodeid = out->entry.nodeid;
	err = vfsd_instantiate(dir, dentry, req, &out->entry, S_IFREG, NULL);
	if (err) {
		/* The handle the server opened is ours to close. */
		file->private_data = vf;
		vfsd_send_release(dir, file, VFSD_OP_RELEASE);
		file->private_data = NULL;
		vf = NULL;
		goto out_free;
	}
	file->f_mode |= FMODE_CREATED;
	err = finish_open(file, dentry, generic_file_open);
	file->private_data = vf;
	if (!err)
		err = vfsd_file_opened(d_inode(dentry), file);
	if (err) {
		vfsd_send_release(d_inode(dentry), file, VFSD_OP_RELEASE);
		file->private_data = NULL;
	}
	vf = NULL;
out_free:
	kfree(vf);
	vfsd_req_put(req);
	return err;
}

static int vfsd_atomic_open(struct inode *dir, struct dentry *dentry,
			    struct file *file, unsigned int flags,
			    umode_t mode)
{
	struct vfsd_conn *conn = VFSD_M(dir->i_sb)->conn;
	struct dentry *res = NULL;
	int err;

	/*
	 * O_CREAT|O_EXCL on a name not in the cache: the server's CREATE
	 * answers EEXIST itself, so skip the LOOKUP round trip.
	 */
	if (d_in_lookup(dentry) && (flags & (O_CREAT | O_EXCL)) ==
	    (O_CREAT | O_EXCL) && !READ_ONCE(conn->no_create)) {
		err = vfsd_create_open(dir, dentry, file, flags, mode);
		if (err != -ENOSYS)
			return err;
	}
	if (d_in_lookup(dentry)) {
		res = vfsd_lookup(dir, dentry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			dentry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(dentry))
		return finish_no_open(file, res);

	if (!READ_ONCE(conn->no_create)) {
		err = vfsd_create_open(dir, dentry, file, flags, mode);
		if (err != -ENOSYS)
			goto out;
	}
	/* A server without CREATE: MKNOD, then the VFS opens the file. */
	err = vfsd_mknod_common(dir, dentry, S_IFREG | (mode & 07777), 0);
	if (!err) {
		file->f_mode |= FMODE_CREATED;
		return finish_no_open(file, res);
	}
out:
	dput(res);
	return err;
}

static int vfsd_mknod(vfsd_idmap_t *idmap, struct inode *dir,
		      struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return vfsd_mknod_common(dir, dentry, mode, rdev);
}

/* Returns the dentry used: NULL for DENTRY, or the alias in its place. */
static struct dentry *vfsd_do_mkdir(struct inode *dir, struct dentry *dentry,
				    umode_t mode)
{
	struct dentry *alias = NULL;
	struct vfsd_req *req;
	int err;

	req = vfsd_name_req(dir, VFSD_OP_MKDIR, &dentry->d_name, NULL, 0,
			    NULL, 0, sizeof(struct vfsd_entry_out));
	if (IS_ERR(req))
		return ERR_CAST(req);
	req->sqe.arg = (mode & 07777) & ~current_umask();
	err = vfsd_create_entry(dir, dentry, req, S_IFDIR, &alias);
	return err ? ERR_PTR(err) : alias;
}

VFSD_DEFINE_MKDIR(vfsd_mkdir, vfsd_do_mkdir)

static int vfsd_symlink(vfsd_idmap_t *idmap, struct inode *dir,
			struct dentry *dentry, const char *target)
{
	u32 tlen = strlen(target) + 1;
	struct vfsd_req *req;

	req = vfsd_name_req(dir, VFSD_OP_SYMLINK, &dentry->d_name, NULL, 0,
			    target, tlen, sizeof(struct vfsd_entry_out));
	if (IS_ERR(req))
		return PTR_ERR(req);
	return vfsd_create_entry(dir, dentry, req, S_IFLNK, NULL);
}

static int vfsd_link(struct dentry *old, struct inode *dir,
		     struct dentry *dentry)
{
	struct inode *inode = d_inode(old);
	struct vfsd_req *req;
	int err;

	req = vfsd_name_req(dir, VFSD_OP_LINK, &dentry->d_name, NULL, 0,
			    NULL, 0, sizeof(struct vfsd_entry_out));
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->sqe.fh = vfsd_nodeid(inode);
	err = vfsd_create_entry(dir, dentry, req, inode->i_mode & S_IFMT,
				NULL);
	vfsd_expire_attr(inode);
	return err;
}

/* unlink and rmdir: the name is gone; the inode lost a link. */
static int vfsd_remove(struct inode *dir, struct dentry *dentry, u8 opcode)
{
	struct inode *inode = d_inode(dentry);
	struct vfsd_req *req;
	int err;

	req = vfsd_name_req(dir, opcode, &dentry->d_name, NULL, 0, NULL, 0, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = vfsd_req_send_wait(req);
	vfsd_req_put(req);
	if (err)
		return err;
	spin_lock(&inode->i_lock);
	if (opcode == VFSD_OP_RMDIR || inode->i_nlink <= 1)
		clear_nlink(inode);
	else
		drop_nlink(inode);
	spin_unlock(&inode->i_lock);
	vfsd_expire_attr(inode);
	vfsd_dir_changed(dir);
	return 0;
}

static int vfsd_unlink(struct inode *dir, struct dentry *dentry)
{
	return vfsd_remove(dir, dentry, VFSD_OP_UNLINK);
}

static int vfsd_rmdir(struct inode *dir, struct dentry *dentry)
{
	return vfsd_remove(dir, dentry, VFSD_OP_RMDIR);
}

static int vfsd_rename(vfsd_idmap_t *idmap, struct inode *olddir,
		       struct dentry *old, struct inode *newdir,
		       struct dentry *new, unsigned int flags)
{
	struct vfsd_rename_in in = {
		.newdir = vfsd_nodeid(newdir),
		.flags = flags,
	};
	struct inode *target = d_inode(new);
	struct vfsd_req *req;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (new->d_name.len > VFSD_NAME_MAX)
		return -ENAMETOOLONG;
	req = vfsd_name_req(olddir, VFSD_OP_RENAME, &old->d_name, &in,
			    sizeof(in), new->d_name.name, new->d_name.len + 1,
			    0);	/* dentry names are NUL-terminated */
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = vfsd_req_send_wait(req);
	vfsd_req_put(req);
	if (err)
		return err;

	vfsd_expire_attr(d_inode(old));
	vfsd_dir_changed(olddir);
	vfsd_dir_changed(newdir);
	if (target && !(flags & RENAME_EXCHANGE)) {
		spin_lock(&target->i_lock);
		if (S_ISDIR(target->i_mode) || target->i_nlink <= 1)
			clear_nlink(target);
		else
			drop_nlink(target);
		spin_unlock(&target->i_lock);
	}
	vfsd_expire_attr(target);
	return 0;
}

const struct inode_operations vfsd_dir_iops = {
	.lookup = vfsd_lookup,
	.permission = vfsd_permission,
	.getattr = vfsd_getattr,
	.setattr = vfsd_setattr,
	.listxattr = vfsd_listxattr,
	.create = vfsd_create,
	.atomic_open = vfsd_atomic_open,
	.mknod = vfsd_mknod,
	.mkdir = vfsd_mkdir,
	.symlink = vfsd_symlink,
	.link = vfsd_link,
	.unlink = vfsd_unlink,
	.rmdir = vfsd_rmdir,
	.rename = vfsd_rename,
};
