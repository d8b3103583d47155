// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: directories: lookup and dentry revalidation, readdir.
 */
#include <linux/slab.h>
#include <linux/namei.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>

#include "vfsd_i.h"

static int vfsd_send_lookup(struct inode *dir, const struct qstr *name,
			    struct vfsd_entry_out *out)
{
	struct vfsd_req *req;
	int err;

	if (name->len > VFSD_NAME_MAX)
		return -ENAMETOOLONG;
	req = vfsd_req_alloc(VFSD_M(dir->i_sb)->conn, VFSD_OP_LOOKUP,
			     vfsd_nodeid(dir), name->len + 1, sizeof(*out),
			     GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	memcpy(req->buf, name->name, name->len);
	((char *)req->buf)[name->len] = '\0';
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (!err) {
		memcpy(out, req->buf, sizeof(*out));
		if (out->nodeid && (out->nodeid == VFSD_ROOT_ID ||
				    vfsd_attr_check(&out->attr))) {
			vfsd_bad_reply(req->q->conn, "bad lookup reply\n");
			/* It counted a lookup we are not going to use. */
			if (out->nodeid != VFSD_ROOT_ID)
				vfsd_send_forget(dir->i_sb, out->nodeid, 1);
			err = -EIO;
		}
	}
	vfsd_req_put(req);
	return err;
}

static void vfsd_set_entry_timeout(struct dentry *dentry, u64 ns)
{
	dentry->d_time = (unsigned long)vfsd_timeout_jiffies(ns);
}

struct dentry *vfsd_lookup(struct inode *dir, struct dentry *dentry,
			   unsigned int flags)
{
	struct vfsd_entry_out out;
	struct inode *inode = NULL;
	struct dentry *alias;
	u64 entry_ns = 0;
	int err;

	if (!vfsd_allow_current(VFSD_M(dir->i_sb)))
		return ERR_PTR(-EACCES);
	if (vfsd_is_bad(dir))
		return ERR_PTR(-EIO);
	err = vfsd_send_lookup(dir, &dentry->d_name, &out);
	if (err && err != -ENOENT)
		return ERR_PTR(err);
	if (!err && out.nodeid) {
		inode = vfsd_iget(dir->i_sb, out.nodeid, &out.attr,
				  out.attr_valid_ns);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	if (!err)
		entry_ns = out.entry_valid_ns;

	alias = d_splice_alias(inode, dentry);
	if (IS_ERR(alias))
		return alias;
	vfsd_set_entry_timeout(alias ? alias : dentry, entry_ns);
	return alias;
}

/*
 * A cached name is trusted until its timeout; then it is looked up again
 * and kept only if the server still maps it to the same inode.
 */
static int vfsd_do_revalidate(struct inode *dir, const struct qstr *name,
			      struct dentry *dentry, unsigned int flags)
{
	struct vfsd_entry_out out;
	struct inode *inode;
	int err;

	if (time_before(jiffies, dentry->d_time))
		return 1;
	if (flags & LOOKUP_RCU)
		return -ECHILD;

	inode = d_inode(dentry);
	if (inode && is_bad_inode(inode))
		return 0;
	err = vfsd_send_lookup(dir, name, &out);
	if (err == -ENOENT)
		out.nodeid = 0;
	else if (err)
		return 0;

	if (!inode) {
		/* Negative: still valid if the name still does not exist. */
		if (out.nodeid) {
			vfsd_send_forget(dir->i_sb, out.nodeid, 1);
			return 0;
		}
		vfsd_set_entry_timeout(dentry, err ? 0 : out.entry_valid_ns);
		return 1;
	}
	if (out.nodeid != vfsd_nodeid(inode)) {
		if (out.nodeid)
			vfsd_send_forget(dir->i_sb, out.nodeid, 1);
		return 0;
	}
	if ((out.attr.mode & S_IFMT) != (inode->i_mode & S_IFMT)) {
		vfsd_send_forget(dir->i_sb, out.nodeid, 1);
		return 0;
	}
	spin_lock(&inode->i_lock);
	VFSD_I(inode)->nlookup++;
	spin_unlock(&inode->i_lock);
	vfsd_update_attr(inode, &out.attr, out.attr_valid_ns);
	vfsd_set_entry_timeout(dentry, out.entry_valid_ns);
	return 1;
}

VFSD_DEFINE_D_REVALIDATE(vfsd_d_revalidate, vfsd_do_revalidate)

const struct dentry_operations vfsd_dentry_ops = {
	.d_revalidate = vfsd_d_revalidate,
};

static int vfsd_send_open(struct inode *inode, struct file *file, u8 opcode)
{
	struct vfsd_open_out *out;
	struct vfsd_file *vf;
	struct vfsd_req *req;
	int err;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	if (vfsd_is_bad(inode))
		return -EIO;
	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	INIT_LIST_HEAD(&vf->write_entry);
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, opcode,
			     vfsd_nodeid(inode), 0, sizeof(*out), GFP_KERNEL);
	if (IS_ERR(req)) {
		kfree(vf);
		return PTR_ERR(req);
	}
	req->sqe.arg = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY);
	req->out_exact = true;
	err = vfsd_req_send_wait(req);
	if (!err) {
		out = req->buf;
		vf->fh = out->fh;
		vf->open_flags = out->open_flags;
		vf->dmap_id = out->dmap_id;
		vf->nodeid = vfsd_nodeid(inode);
		file->private_data = vf;
	} else {
		kfree(vf);
	}
	vfsd_req_put(req);
	return err;
}

/* Shared by files and directories: tell the server the handle is gone. */
void vfsd_send_release(struct inode *inode, struct file *file, u8 opcode)
{
	struct vfsd_file *vf = file->private_data;
	struct vfsd_req *req;

	if (!vf)
		return;
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, opcode, vf->nodeid,
			     0, 0, GFP_KERNEL | __GFP_NOFAIL);
	if (!IS_ERR(req)) {
		req->sqe.fh = vf->fh;
		vfsd_req_send_noreply(req);
	}
	vfsd_dmap_put(vf->dmap);
	kfree(vf);
}

int vfsd_open_common(struct inode *inode, struct file *file, bool isdir)
{
	return vfsd_send_open(inode, file,
			      isdir ? VFSD_OP_OPENDIR : VFSD_OP_OPEN);
}

static int vfsd_dir_open(struct inode *inode, struct file *file)
{
	return vfsd_open_common(inode, file, true);
}

static int vfsd_dir_release(struct inode *inode, struct file *file)
{
	vfsd_send_release(inode, file, VFSD_OP_RELEASEDIR);
	return 0;
}

/*
 * Emit the records of one READDIR reply. Returns 1 if the caller's buffer
 * filled up, 0 to continue, -EIO if the reply is malformed.
 */
static int vfsd_emit_dirents(struct dir_context *ctx, const u8 *buf,
			     size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const struct vfsd_dirent *de = (const void *)(buf + pos);
		size_t reclen;

		if (len - pos < sizeof(*de))
			return -EIO;
		reclen = VFSD_DIRENT_SIZE(de->namelen);
		if (!de->namelen || de->namelen > VFSD_NAME_MAX ||
		    reclen > len - pos || de->type > 15 ||
		    memchr(de->name, '/', de->namelen) ||
		    memchr(de->name, '\0', de->namelen) ||
		    de->off == (u64)ctx->pos || de->off > (u64)LLONG_MAX)
			return -EIO;
		if (!dir_emit(ctx, de->name, de->namelen, de->ino, de->type))
			return 1;
		ctx->pos = de->off;
		pos += reclen;
	}
	return 0;
}

static int vfsd_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *inode = file_inode(file);
	struct vfsd_file *vf = file->private_data;
	struct vfsd_req *req;
	int n, err = 0;

	while (!err) {
		if (fatal_signal_pending(current))
			return -EINTR;
		req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn,
				     VFSD_OP_READDIR, vfsd_nodeid(inode), 0,
				     VFSD_INLINE_SIZE, GFP_KERNEL);
		if (IS_ERR(req))
			return PTR_ERR(req);
		req->sqe.fh = vf->fh;
		req->sqe.offset = ctx->pos;
		req->sqe.len = VFSD_INLINE_SIZE;
		n = vfsd_req_send_wait(req);
		if (n <= 0) {
			err = n;
			vfsd_req_put(req);
			break;		/* end of directory, or an error */
		}
		err = vfsd_emit_dirents(ctx, req->buf, n);
		if (err < 0)
			vfsd_bad_reply(req->q->conn, "malformed readdir reply\n");
		vfsd_req_put(req);
	}
	return err < 0 ? err : 0;
}

const struct file_operations vfsd_dir_fops = {
	.llseek = generic_file_llseek,
	.read = generic_read_dir,
	.iterate_shared = vfsd_readdir,
	.open = vfsd_dir_open,
	.release = vfsd_dir_release,
	/* Directory changes are synchronous requests already. */
	.fsync = noop_fsync,
};
