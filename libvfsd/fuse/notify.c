// SPDX-License-Identifier: MIT
/* Cache invalidation over FUSE: libfuse's notify calls (see notify.c). */
#include <errno.h>

#include "fuse_i.h"

/* ENOSYS: a kernel without the notification; as over the module. */
static int notify_result(int ret)
{
	return ret == -ENOSYS ? -EOPNOTSUPP : ret;
}

int vfsd_fuse_inval_inode(struct vfsd_session *s, vfsd_ino_t ino, off_t off,
			  off_t len)
{
	if (!s->fuse || !s->fuse->se)
		return -ENOTCONN;
	return notify_result(fuse_lowlevel_notify_inval_inode(s->fuse->se,
							       ino, off, len));
}

int vfsd_fuse_inval_entry(struct vfsd_session *s, vfsd_ino_t parent,
			  const char *name, size_t namelen)
{
	if (!s->fuse || !s->fuse->se)
		return -ENOTCONN;
	return notify_result(fuse_lowlevel_notify_inval_entry(s->fuse->se,
							       parent, name,
							       namelen));
}
