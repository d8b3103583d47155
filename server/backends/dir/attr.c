// SPDX-License-Identifier: MIT
/*
 * The dir backend's setattr: chmod, chown, truncate and utimens on the
 * host inode, through the open file when the kernel names one (so an
 * unlinked but open file can still be truncated).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/dir/dir.h"
#include "backends/dir/creds.h"

static int set_mode(struct dir_inode *in, struct dir_file *f, mode_t mode)
{
	char path[64];

	if (f)
		return fchmod(f->fd, mode & 07777);
	if (in->type == S_IFLNK)
		return errno = EOPNOTSUPP, -1;	/* Linux has no lchmod */
	dir_proc_path(path, sizeof(path), in->fd);
	return chmod(path, mode & 07777);
}

static int set_size(struct dir_inode *in, struct dir_file *f, off_t size)
{
	char path[64];

	if (f && f->flags != O_RDONLY)
		return ftruncate(f->fd, size);
	if (in->type == S_IFDIR)
		return errno = EISDIR, -1;
	if (in->type != S_IFREG)
		return errno = EINVAL, -1;
	dir_proc_path(path, sizeof(path), in->fd);
	return truncate(path, size);
}

static int set_times(struct dir_inode *in, struct dir_file *f,
		     const struct stat *attr, int to_set)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT },
	};
	char path[64];

	if (to_set & VFSD_SET_ATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (to_set & VFSD_SET_ATTR_ATIME)
		ts[0] = attr->st_atim;
	if (to_set & VFSD_SET_ATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (to_set & VFSD_SET_ATTR_MTIME)
		ts[1] = attr->st_mtim;
	if (f)
		return futimens(f->fd, ts);
	if (utimensat(in->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* Kernels without AT_EMPTY_PATH here: the magic link (not symlinks). */
	if (errno != EINVAL || in->type == S_IFLNK)
		return -1;
	dir_proc_path(path, sizeof(path), in->fd);
	return utimensat(AT_FDCWD, path, ts, 0);
}

static int apply(struct dir_inode *in, struct dir_file *f,
		 const struct stat *attr, int to_set)
{
	if ((to_set & VFSD_SET_ATTR_MODE) && set_mode(in, f, attr->st_mode))
		return errno;
	if ((to_set & (VFSD_SET_ATTR_UID | VFSD_SET_ATTR_GID)) &&
	    fchownat(in->fd, "",
		     to_set & VFSD_SET_ATTR_UID ? attr->st_uid : (uid_t)-1,
		     to_set & VFSD_SET_ATTR_GID ? attr->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return errno;
	if ((to_set & VFSD_SET_ATTR_SIZE) && set_size(in, f, attr->st_size))
		return errno;
	if ((to_set & (VFSD_SET_ATTR_ATIME | VFSD_SET_ATTR_MTIME |
		       VFSD_SET_ATTR_ATIME_NOW | VFSD_SET_ATTR_MTIME_NOW)) &&
	    set_times(in, f, attr, to_set))
		return errno;
	/* CTIME alone: the host sets it on every change above. */
	return 0;
}

void dir_setattr(struct vfsd_req *req, vfsd_ino_t ino,
		 const struct stat *attr, int to_set,
		 struct vfsd_file_info *fi)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *in = dir_req_inode(req, ino);
	struct dir_file *f;
	struct dir_creds c;
	struct stat st;
	int err;

	if (!in)
		return;
	f = fi ? dir_file_get(fi->fh) : NULL;
	if (fs->server_perms)
		dir_creds_enter(req, &c);
	err = apply(in, f, attr, to_set);
	if (fs->server_perms)
		dir_creds_leave(&c);
	if (!err && (f ? fstat(f->fd, &st) : dir_stat_fd(in->fd, &st)) < 0)
		err = errno;
	dir_file_put(f);
	dir_inode_put(&fs->inodes, in);
	if (err)
		vfsd_reply_err(req, err);
	else
		vfsd_reply_attr(req, &st, fs->attr_timeout);
}
