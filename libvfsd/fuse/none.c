// SPDX-License-Identifier: MIT
/* Built without libfuse3: the FUSE transport only says so. */
#include <errno.h>
#include <stdio.h>

#include "vfsd_i.h"

int vfsd_fuse_mount(struct vfsd_session *s, const char *mountpoint)
{
	(void)s;
	(void)mountpoint;
	(void)s->fuse;
	vfsd_err("transport fuse: libvfsd was built without libfuse3 "
		 "(install libfuse3-dev and rebuild)");
	return -EOPNOTSUPP;
}

void vfsd_fuse_unmount(struct vfsd_session *s)
{
	(void)s;
}

VFSD_API void vfsd_session_stats(struct vfsd_session *s, FILE *out)
{
	(void)s;
	fprintf(out, "transport vfsd\nxport_copy_read 0\nxport_copy_write 0\n");
}

void vfsd_fuse_free(struct vfsd_session *s)
{
	(void)s;
}

int vfsd_fuse_inval_inode(struct vfsd_session *s, vfsd_ino_t ino, off_t off,
			  off_t len)
{
	(void)s, (void)ino, (void)off, (void)len;
	return -ENOTCONN;
}

int vfsd_fuse_inval_entry(struct vfsd_session *s, vfsd_ino_t parent,
			  const char *name, size_t namelen)
{
	(void)s, (void)parent, (void)name, (void)namelen;
	return -ENOTCONN;
}
