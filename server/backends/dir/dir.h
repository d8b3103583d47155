/* SPDX-License-Identifier: MIT */
/*
 * The dir backend's state and the helpers its files share: the namespace
 * (backends/dir/dir.c, backends/dir/namespace.c), open files and their data
 * (backends/dir/file.c, backends/dir/io.c) and xattrs (backends/dir/xattr.c).
 */
#ifndef VFSD_SERVER_BACKEND_DIR_H
#define VFSD_SERVER_BACKEND_DIR_H

#include <stdbool.h>
#include <stdint.h>

#include <vfsd/vfsd.h>

#include "backends/backend.h"
#include "backends/copy_stats.h"
#include "backends/dir/files.h"
#include "backends/dir/inodes.h"

struct dir_fs {
	struct dir_inodes inodes;
	double attr_timeout;
	double entry_timeout;
	bool keep_cache;
	bool server_perms;	/* we check access: act as the caller */
	/*
	 * file bytes buffered pread/pwrite (io_uring or not) copied with
	 * the CPU, and those O_DIRECT moved by the disk (COPY_DEV_*)
	 */
	struct copy_stats copied;
	/* The source's read path pins its buffer: ask for pinnable pages. */
	bool source_pins;
	/* Data goes O_DIRECT where aligned (backends/dir/direct.h). */
	bool source_dio;
	/*
	 * ... through the pages as a registered io_uring buffer
	 * (VFSD_CAP_URING_BUF), one slot per request in flight on a queue.
	 */
	bool uring_bufs;
	bool no_fixed;		/* -o source_fixed=off */
	unsigned int buf_slots;
};

#define FS(req)	((struct dir_fs *)vfsd_req_userdata(req))

/* backends/dir/dir.c */
struct dir_inode *dir_req_inode(struct vfsd_req *req, vfsd_ino_t ino);
int dir_stat_fd(int fd, struct stat *st);
/* The type of the filesystem fd is on, as mountinfo names it; false: unknown. */
bool dir_source_fstype(int fd, char *type);
void dir_proc_path(char *buf, size_t size, int fd);
void dir_entry_init(struct dir_fs *fs, struct vfsd_entry_param *e);
/*
 * Enter the host inode behind fd (O_PATH, taken over) in the table and
 * fill e for it. Returns the inode with a ref and one lookup count, or
 * NULL with a positive errno in *err.
 */
struct dir_inode *dir_enter_inode(struct dir_fs *fs, int fd,
				  struct vfsd_entry_param *e, int *err);

/* backends/dir/namespace.c: namespace changes. */
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
void dir_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi);

/* backends/dir/file.c: open files, their data and attributes. */
/* The host open(2) flags for the kernel's open flags. */
int dir_host_open_flags(int flags);
/* Wrap an open host fd as fi->fh; -ENOMEM (fd closed) on failure. */
int dir_file_new(int fd, int host_flags, struct vfsd_file_info *fi);
void dir_open(struct vfsd_req *req, vfsd_ino_t ino,
	      struct vfsd_file_info *fi);
void dir_release(void *userdata, vfsd_ino_t ino, struct vfsd_file_info *fi);
void dir_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	      off_t off, struct vfsd_file_info *fi);
void dir_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi);
void dir_flush(struct vfsd_req *req, vfsd_ino_t ino,
	       struct vfsd_file_info *fi);
void dir_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
	       struct vfsd_file_info *fi);
void dir_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi);
void dir_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off, int whence,
	       struct vfsd_file_info *fi);
void dir_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi);

/* backends/dir/xattr.c */
void dir_getxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  size_t size);
void dir_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size);
void dir_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags);
void dir_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name);

#endif /* VFSD_SERVER_BACKEND_DIR_H */
