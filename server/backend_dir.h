/* SPDX-License-Identifier: MIT */
/* The dir backend's state, shared by its read and write halves. */
#ifndef VFSD_SERVER_BACKEND_DIR_H
#define VFSD_SERVER_BACKEND_DIR_H

#include <stdbool.h>

#include <vfsd/vfsd.h>

#include "backend.h"
#include "dir_inodes.h"

struct dir_fs {
	struct dir_inodes inodes;
	double timeout;
	bool keep_cache;
};

#define FS(req)	((struct dir_fs *)vfsd_req_userdata(req))

/* backend_dir_write.c: the write path (EROFS until it is implemented). */
void dir_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi);
void dir_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode, dev_t rdev);
void dir_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode);
void dir_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name);
void dir_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name);
void dir_symlink(struct vfsd_req *req, const char *target,
		 vfsd_ino_t parent, const char *name);
void dir_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		vfsd_ino_t newparent, const char *newname, unsigned int flags);
void dir_link(struct vfsd_req *req, vfsd_ino_t ino, vfsd_ino_t newparent,
	      const char *newname);
void dir_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi);
void dir_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi);
void dir_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi);
void dir_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags);
void dir_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name);

#endif /* VFSD_SERVER_BACKEND_DIR_H */
