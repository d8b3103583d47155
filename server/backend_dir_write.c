// SPDX-License-Identifier: MIT
/*
 * The dir backend's write path. The source is served read-only for now;
 * every operation that would change it answers EROFS. This file is where
 * create, write and the namespace changes go.
 */
#include <errno.h>

#include "backend_dir.h"

static void erofs(struct vfsd_req *req)
{
	vfsd_reply_err(req, EROFS);
}

void dir_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi)
{
	(void)ino; (void)attr; (void)to_set; (void)fi;
	erofs(req);
}

void dir_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode, dev_t rdev)
{
	(void)parent; (void)name; (void)mode; (void)rdev;
	erofs(req);
}

void dir_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode)
{
	(void)parent; (void)name; (void)mode;
	erofs(req);
}

void dir_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	(void)parent; (void)name;
	erofs(req);
}

void dir_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	(void)parent; (void)name;
	erofs(req);
}

void dir_symlink(struct vfsd_req *req, const char *target,
		 vfsd_ino_t parent, const char *name)
{
	(void)target; (void)parent; (void)name;
	erofs(req);
}

void dir_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		vfsd_ino_t newparent, const char *newname, unsigned int flags)
{
	(void)parent; (void)name; (void)newparent; (void)newname; (void)flags;
	erofs(req);
}

void dir_link(struct vfsd_req *req, vfsd_ino_t ino, vfsd_ino_t newparent,
	      const char *newname)
{
	(void)ino; (void)newparent; (void)newname;
	erofs(req);
}

void dir_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi)
{
	(void)ino; (void)buf; (void)size; (void)off; (void)fi;
	erofs(req);
}

void dir_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi)
{
	(void)parent; (void)name; (void)mode; (void)fi;
	erofs(req);
}

void dir_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi)
{
	(void)ino; (void)mode; (void)offset; (void)length; (void)fi;
	erofs(req);
}

void dir_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags)
{
	(void)ino; (void)name; (void)value; (void)size; (void)flags;
	erofs(req);
}

void dir_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name)
{
	(void)ino; (void)name;
	erofs(req);
}
