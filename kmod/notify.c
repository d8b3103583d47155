// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: notifications from the server: drop cached data or a cached name
 * that changed on the server's side. Called from a server thread; never
 * takes a directory lock, since an application holding one may be waiting
 * for this very server.
 */
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/pagemap.h>
#include <linux/uaccess.h>

#include "vfsd_i.h"

static int vfsd_test_nodeid(struct inode *inode, void *data)
{
	return VFSD_I(inode)->nodeid == *(u64 *)data;
}

/* Look the nodeid up with the superblock pinned against umount. */
static struct inode *vfsd_notify_ilookup(struct vfsd_conn *conn, u64 nodeid)
{
	if (!conn->sb)
		return ERR_PTR(-ENOTCONN);
	return ilookup5(conn->sb, (unsigned long)nodeid, vfsd_test_nodeid,
			&nodeid) ?: ERR_PTR(-ENOENT);
}

int vfsd_notify_inval_inode(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_notify_inval_inode n;
	struct inode *inode;
	pgoff_t first, last = -1;

	if (copy_from_user(&n, argp, sizeof(n)))
		return -EFAULT;
	if (n.offset < 0)
		return -EINVAL;
	down_read(&conn->killsb);
	inode = vfsd_notify_ilookup(conn, n.nodeid);
	if (IS_ERR(inode)) {
		up_read(&conn->killsb);
		return PTR_ERR(inode);
	}
	vfsd_expire_attr(inode);
	if (S_ISREG(inode->i_mode)) {
		first = n.offset >> PAGE_SHIFT;
		if (n.len > 0)
			last = (n.offset + n.len - 1) >> PAGE_SHIFT;
		/*
		 * Without waiting for a page lock: the lock may be held by one
		 * of this server's own READs in flight, whose pages get fresh
		 * data anyway. Unmap first, so mapped clean pages go too.
		 */
		unmap_mapping_range(inode->i_mapping, (loff_t)first << PAGE_SHIFT,
				    n.len > 0 ? (loff_t)(last - first + 1) << PAGE_SHIFT : 0,
				    0);
		invalidate_mapping_pages(inode->i_mapping, first, last);
	}
	iput(inode);
	up_read(&conn->killsb);
	return 0;
}

int vfsd_notify_inval_entry(struct vfsd_conn *conn, void __user *argp)
{
	struct vfsd_notify_inval_entry n;
	char name[VFSD_NAME_MAX + 1];
	struct dentry *dir, *entry;
	struct inode *parent;
	struct qstr q;

	if (copy_from_user(&n, argp, sizeof(n)))
		return -EFAULT;
	if (!n.namelen || n.namelen > VFSD_NAME_MAX || n.reserved)
		return -EINVAL;
	if (copy_from_user(name, u64_to_user_ptr(n.name), n.namelen))
		return -EFAULT;
	name[n.namelen] = '\0';
	if (strlen(name) != n.namelen || strchr(name, '/'))
		return -EINVAL;

	down_read(&conn->killsb);
	parent = vfsd_notify_ilookup(conn, n.parent);
	if (IS_ERR(parent)) {
		up_read(&conn->killsb);
		return PTR_ERR(parent);
	}
	vfsd_expire_attr(parent);
	dir = d_find_alias(parent);
	if (dir) {
		q = (struct qstr)QSTR_INIT(name, n.namelen);
		entry = vfsd_lookup_cached(dir, &q);
		if (!IS_ERR_OR_NULL(entry)) {
			vfsd_expire_attr(d_inode(entry));
			d_invalidate(entry);
			dput(entry);
		}
		dput(dir);
	}
	iput(parent);
	up_read(&conn->killsb);
	return 0;
}
