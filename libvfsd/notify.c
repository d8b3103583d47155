// SPDX-License-Identifier: MIT
/*
 * Cache invalidation: the server tells the kernel to drop attributes,
 * data or a name it caches (VFSD_IOC_INVAL_INODE/ENTRY; over FUSE
 * libfuse's notify calls). The module never waits for a request here,
 * so these are safe inside an op.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "vfsd_i.h"

static int notify(struct vfsd_session *s, unsigned long cmd, void *arg)
{
	int ret;

	if (s->fd < 0 || !s->conn_ready)
		return -ENOTCONN;
	if (!(s->conn.caps & VFSD_CAP_INVAL))
		return -EOPNOTSUPP;
	ret = s->dev_ioctl(s->fd, cmd, arg);
	/* The module says ENODEV/ENOTCONN when the connection is over. */
	return ret == -ENODEV ? -ENOTCONN : ret < 0 ? ret : 0;
}

VFSD_API int vfsd_notify_inval_inode(struct vfsd_session *s, vfsd_ino_t ino,
				     off_t off, off_t len)
{
	struct vfsd_notify_inval_inode n = {
		.nodeid = ino, .offset = off, .len = len,
	};

	if (off < 0)
		return -EINVAL;
	if (s->transport == VFSD_TRANSPORT_FUSE)
		return vfsd_fuse_inval_inode(s, ino, off, len);
	return notify(s, VFSD_IOC_INVAL_INODE, &n);
}

VFSD_API int vfsd_notify_inval_entry(struct vfsd_session *s, vfsd_ino_t parent,
				     const char *name, size_t namelen)
{
	struct vfsd_notify_inval_entry n = {
		.parent = parent, .namelen = namelen, .name = (uintptr_t)name,
	};

	/* What the kernel would refuse, refused the same way here. */
	if (!namelen || namelen > NAME_MAX || memchr(name, '/', namelen) ||
	    memchr(name, '\0', namelen))
		return -EINVAL;
	if (s->transport == VFSD_TRANSPORT_FUSE)
		return vfsd_fuse_inval_entry(s, parent, name, namelen);
	return notify(s, VFSD_IOC_INVAL_ENTRY, &n);
}
