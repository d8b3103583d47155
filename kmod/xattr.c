// SPDX-License-Identifier: GPL-2.0
/*
 * vfsd: extended attributes, every namespace forwarded to the server.
 * Names and values travel in the request's inline slot, so a value is at
 * most VFSD_INLINE_SIZE bytes minus the name.
 */
#include <linux/slab.h>
#include <linux/xattr.h>

#include "vfsd_i.h"

static int vfsd_xattr_get(const struct xattr_handler *handler,
			  struct dentry *dentry, struct inode *inode,
			  const char *name, void *value, size_t size)
{
	size_t namelen = strlen(name);
	u32 cap = min_t(size_t, size, VFSD_INLINE_SIZE);
	struct vfsd_req *req;
	int ret;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	if (namelen > XATTR_NAME_MAX)
		return -ERANGE;
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_GETXATTR,
			     vfsd_nodeid(inode), namelen + 1, cap, GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	memcpy(req->buf, name, namelen + 1);
	req->sqe.arg = cap;
	req->result_is_size = !size;
	ret = vfsd_req_send_wait(req);
	if (ret > 0 && size)
		memcpy(value, req->buf, ret);
	vfsd_req_put(req);
	if (ret == -ENOSYS)
		ret = -EOPNOTSUPP;
	return ret;
}

static int vfsd_xattr_set(VFSD_XATTR_SET_ARGS(handler, idmap),
			  struct dentry *dentry, struct inode *inode,
			  const char *name, const void *value, size_t size,
			  int flags)
{
	struct vfsd_xattr_in in = { .size = size, .namelen = strlen(name) };
	u32 len = sizeof(in) + in.namelen + 1 + size;
	struct vfsd_req *req;
	int ret;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	if (in.namelen > XATTR_NAME_MAX)
		return -ERANGE;
	if (!value) {
		req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn,
				     VFSD_OP_REMOVEXATTR, vfsd_nodeid(inode),
				     in.namelen + 1, 0, GFP_KERNEL);
		if (IS_ERR(req))
			return PTR_ERR(req);
		memcpy(req->buf, name, in.namelen + 1);
	} else {
		if (len > VFSD_INLINE_SIZE)
			return -E2BIG;
		req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn,
				     VFSD_OP_SETXATTR, vfsd_nodeid(inode), len,
				     0, GFP_KERNEL);
		if (IS_ERR(req))
			return PTR_ERR(req);
		memcpy(req->buf, &in, sizeof(in));
		memcpy(req->buf + sizeof(in), name, in.namelen + 1);
		memcpy(req->buf + sizeof(in) + in.namelen + 1, value, size);
		req->sqe.arg = flags;
	}
	ret = vfsd_req_send_wait(req);
	vfsd_req_put(req);
	if (ret == -ENOSYS)
		ret = -EOPNOTSUPP;
	if (!ret)
		vfsd_expire_attr(inode);	/* ctime moved */
	return ret;
}

ssize_t vfsd_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct inode *inode = d_inode(dentry);
	u32 cap = min_t(size_t, size, VFSD_INLINE_SIZE);
	struct vfsd_req *req;
	ssize_t ret;

	if (!vfsd_allow_current(VFSD_M(inode->i_sb)))
		return -EACCES;
	req = vfsd_req_alloc(VFSD_M(inode->i_sb)->conn, VFSD_OP_LISTXATTR,
			     vfsd_nodeid(inode), 0, cap, GFP_KERNEL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->sqe.arg = cap;
	req->result_is_size = !size;
	ret = vfsd_req_send_wait(req);
	if (ret > 0 && size) {
		/* A list of NUL-terminated names. */
		if (((char *)req->buf)[ret - 1] != '\0') {
			vfsd_bad_reply(req->q->conn, "bad xattr list\n");
			ret = -EIO;
		} else {
			memcpy(list, req->buf, ret);
		}
	}
	vfsd_req_put(req);
	if (ret == -ENOSYS)
		ret = -EOPNOTSUPP;
	return ret;
}

static const struct xattr_handler vfsd_xattr_handler = {
	.prefix = "",
	.get = vfsd_xattr_get,
	.set = vfsd_xattr_set,
};

const struct xattr_handler *vfsd_xattr_handlers[] = {
	&vfsd_xattr_handler,
	NULL,
};
