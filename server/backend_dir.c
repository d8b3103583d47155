// SPDX-License-Identifier: MIT
/*
 * The dir backend: serves an existing host directory tree, read-only for
 * now. Inodes are O_PATH fds (dir_inodes.c); files are opened for reading
 * through /proc/self/fd, so no path is ever re-resolved from the root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "backend_dir.h"

/* An open directory: the stream and where it stands. */
struct dir_handle {
	pthread_mutex_t lock;
	DIR *dp;
	off_t pos;		/* cookie the stream is at */
	bool pos_valid;
};

static int stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
}

static void proc_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/*
 * File handles are host fds plus one, so that fh 0, which the module sends
 * for page-cache reads without an open file, never means fd 0.
 */
static uint64_t fd_to_fh(int fd)
{
	return (uint64_t)fd + 1;
}

static int fh_to_fd(uint64_t fh)
{
	return (int)fh - 1;
}

/* The inode of a request, or NULL after replying ESTALE. */
static struct dir_inode *req_inode(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct dir_inode *in = dir_inode_get(&FS(req)->inodes, ino);

	if (!in)
		vfsd_reply_err(req, ESTALE);
	return in;
}

static void dir_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name)
{
	struct dir_fs *fs = FS(req);
	struct vfsd_entry_param e = {
		.attr_timeout = fs->timeout, .entry_timeout = fs->timeout,
	};
	struct dir_inode *p, *in;
	int fd, err;

	/* The kernel resolves dot names; ".." at the root would escape. */
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	p = req_inode(req, parent);
	if (!p)
		return;
	fd = openat(p->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	dir_inode_put(&fs->inodes, p);
	if (err == ENOENT) {
		vfsd_reply_entry(req, &e);	/* negative, cached */
		return;
	}
	if (!err && stat_fd(fd, &e.attr) < 0) {
		err = errno;
		close(fd);
	}
	if (err) {
		vfsd_reply_err(req, err);
		return;
	}
	in = dir_inode_lookup(&fs->inodes, fd, &e.attr);
	if (!in) {
		vfsd_reply_err(req, ENOMEM);
		return;
	}
	e.ino = in->nodeid;
	/* Not delivered: the kernel holds no reference to undo later. */
	if (vfsd_reply_entry(req, &e))
		dir_inode_forget(&fs->inodes, in->nodeid, 1);
	dir_inode_put(&fs->inodes, in);
}

static void dir_forget(void *userdata, vfsd_ino_t ino, uint64_t nlookup)
{
	struct dir_fs *fs = userdata;

	dir_inode_forget(&fs->inodes, ino, nlookup);
}

static void dir_getattr(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct dir_inode *in = req_inode(req, ino);
	struct stat st;

	(void)fi;
	if (!in)
		return;
	if (stat_fd(in->fd, &st) < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_attr(req, &st, FS(req)->timeout);
	dir_inode_put(&FS(req)->inodes, in);
}

static void dir_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct dir_inode *in = req_inode(req, ino);
	char buf[PATH_MAX];
	ssize_t n;

	if (!in)
		return;
	n = readlinkat(in->fd, "", buf, sizeof(buf));
	if (n < 0)
		vfsd_reply_err(req, errno);
	else if ((size_t)n >= sizeof(buf))
		vfsd_reply_err(req, ENAMETOOLONG);
	else {
		buf[n] = '\0';
		vfsd_reply_readlink(req, buf);
	}
	dir_inode_put(&FS(req)->inodes, in);
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

/* Open an inode for reading through its O_PATH fd; -errno on failure. */
static int open_inode(struct dir_fs *fs, vfsd_ino_t ino)
{
	struct dir_inode *in = dir_inode_get(&fs->inodes, ino);
	char path[64];
	int fd;

	if (!in)
		return -ESTALE;
	/* Never block the queue opening a FIFO: only files carry data. */
	if (in->type != S_IFREG) {
		dir_inode_put(&fs->inodes, in);
		return -EINVAL;
	}
	proc_path(path, sizeof(path), in->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	dir_inode_put(&fs->inodes, in);
	return fd < 0 ? -errno : fd;
}

/* Short only at end of file: the kernel takes a short read as EOF. */
static void dir_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf,
		     size_t size, off_t off, struct vfsd_file_info *fi)
{
	int fd = fi->fh ? fh_to_fd(fi->fh) : open_inode(FS(req), ino);
	size_t done = 0;
	int err = 0;

	if (fd < 0) {
		vfsd_reply_err(req, -fd);
		return;
	}
	while (done < size) {
		ssize_t n = pread(fd, (char *)buf + done, size - done,
				  off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		done += (size_t)n;
	}
	if (!fi->fh)
		close(fd);
	if (err && done == 0)
		vfsd_reply_err(req, err);
	else
		vfsd_reply_read(req, done);
}

static void dir_open(struct vfsd_req *req, vfsd_ino_t ino,
		     struct vfsd_file_info *fi)
{
	int fd;

	if (wants_write(fi->flags)) {
		vfsd_reply_err(req, EROFS);
		return;
	}
	fd = open_inode(FS(req), ino);
	if (fd < 0) {
		vfsd_reply_err(req, -fd);
		return;
	}
	fi->fh = fd_to_fh(fd);
	fi->keep_cache = FS(req)->keep_cache;
	if (vfsd_reply_open(req, fi))
		close(fd);
}

static void dir_release(void *userdata, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	(void)userdata;
	(void)ino;
	if (fi->fh)
		close(fh_to_fd(fi->fh));
}

static void dir_opendir(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct dir_inode *in = req_inode(req, ino);
	struct dir_handle *h;
	int fd, err = 0;

	if (!in)
		return;
	fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir_inode_put(&FS(req)->inodes, in);
	h = calloc(1, sizeof(*h));
	if (fd < 0 || !h)
		err = fd < 0 ? errno : ENOMEM;
	else if (!(h->dp = fdopendir(fd)))
		err = errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		free(h);
		vfsd_reply_err(req, err);
		return;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->pos_valid = true;	/* a fresh stream is at cookie 0 */
	/* Our own pointer comes back in fh; the kernel only echoes it. */
	fi->fh = (uint64_t)(uintptr_t)h;
	if (vfsd_reply_open(req, fi)) {
		closedir(h->dp);
		free(h);
	}
}

static void dir_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size,
			off_t off, struct vfsd_file_info *fi)
{
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
	struct dirent *de;
	int err = 0;
	size_t added = 0;

	(void)ino;
	(void)size;	/* vfsd_dirbuf_add() knows the limit */
	if (!h) {
		vfsd_reply_err(req, EBADF);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (!h->pos_valid || h->pos != off) {
		seekdir(h->dp, off);
		h->pos = off;
	}
	h->pos_valid = true;
	for (;;) {
		errno = 0;
		de = readdir(h->dp);
		if (!de) {
			err = errno;
			break;
		}
		if (!vfsd_dirbuf_add(req, de->d_name, de->d_ino,
				     DTTOIF(de->d_type), de->d_off)) {
			/* The stream passed an entry we did not send. */
			h->pos_valid = false;
			break;
		}
		h->pos = de->d_off;
		added++;
	}
	pthread_mutex_unlock(&h->lock);
	if (err && !added)
		vfsd_reply_err(req, err);
	else
		vfsd_reply_readdir(req);
}

static void dir_releasedir(void *userdata, vfsd_ino_t ino,
			   struct vfsd_file_info *fi)
{
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;

	(void)userdata;
	(void)ino;
	if (!h)
		return;
	closedir(h->dp);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static void dir_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct dir_inode *in = req_inode(req, ino);
	struct statvfs st;

	if (!in)
		return;
	if (fstatvfs(in->fd, &st) < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_statfs(req, &st);
	dir_inode_put(&FS(req)->inodes, in);
}

/* Through /proc/self/fd: xattr calls do not take O_PATH fds. */
static void dir_getxattr(struct vfsd_req *req, vfsd_ino_t ino,
			 const char *name, size_t size)
{
	struct dir_inode *in = req_inode(req, ino);
	char path[64], buf[4096];	/* a reply fits the inline slot */
	ssize_t n;

	if (!in)
		return;
	if (in->type != S_IFREG && in->type != S_IFDIR) {
		/* The magic link would follow a symlink to its target. */
		dir_inode_put(&FS(req)->inodes, in);
		vfsd_reply_err(req, ENODATA);
		return;
	}
	proc_path(path, sizeof(path), in->fd);
	n = getxattr(path, name, size ? buf : NULL,
		     size < sizeof(buf) ? size : sizeof(buf));
	dir_inode_put(&FS(req)->inodes, in);
	if (n < 0)
		vfsd_reply_err(req, errno);
	else if (size == 0)
		vfsd_reply_xattr(req, (size_t)n);
	else
		vfsd_reply_buf(req, buf, (size_t)n);
}

static void dir_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size)
{
	struct dir_inode *in = req_inode(req, ino);
	char path[64], buf[4096];
	ssize_t n = 0;

	if (!in)
		return;
	if (in->type == S_IFREG || in->type == S_IFDIR) {
		proc_path(path, sizeof(path), in->fd);
		n = listxattr(path, size ? buf : NULL,
			      size < sizeof(buf) ? size : sizeof(buf));
	}
	dir_inode_put(&FS(req)->inodes, in);
	if (n < 0)
		vfsd_reply_err(req, errno);
	else if (size == 0)
		vfsd_reply_xattr(req, (size_t)n);
	else
		vfsd_reply_buf(req, buf, (size_t)n);
}

/* SEEK_DATA and SEEK_HOLE need the host file's layout. */
static void dir_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off,
		      int whence, struct vfsd_file_info *fi)
{
	off_t res;

	(void)ino;
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	if (!fi->fh) {
		vfsd_reply_err(req, EBADF);
		return;
	}
	res = lseek(fh_to_fd(fi->fh), off, whence);
	if (res < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_lseek(req, res);
}

static void dir_flush(struct vfsd_req *req, vfsd_ino_t ino,
		      struct vfsd_file_info *fi)
{
	(void)ino;
	(void)fi;
	vfsd_reply_err(req, 0);	/* nothing buffered: read-only */
}

static void dir_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		      struct vfsd_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	vfsd_reply_err(req, 0);
}

static const struct vfsd_ops dir_ops = {
	.lookup = dir_lookup,
	.forget = dir_forget,
	.getattr = dir_getattr,
	.readlink = dir_readlink,
	.open = dir_open,
	.read = dir_read,
	.release = dir_release,
	.opendir = dir_opendir,
	.readdir = dir_readdir,
	.releasedir = dir_releasedir,
	.statfs = dir_statfs,
	.setattr = dir_setattr,
	.mknod = dir_mknod,
	.mkdir = dir_mkdir,
	.unlink = dir_unlink,
	.rmdir = dir_rmdir,
	.symlink = dir_symlink,
	.rename = dir_rename,
	.link = dir_link,
	.write = dir_write,
	.flush = dir_flush,
	.fsync = dir_fsync,
	.create = dir_create,
	.fallocate = dir_fallocate,
	.lseek = dir_lseek,
	.setxattr = dir_setxattr,
	.getxattr = dir_getxattr,
	.listxattr = dir_listxattr,
	.removexattr = dir_removexattr,
};

static int dir_create_fs(const struct backend_config *cfg, void **state)
{
	struct dir_fs *fs;
	struct stat st;
	int fd, err;

	if (!cfg->source) {
		vfsd_log(VFSD_LOG_ERR, "the dir backend needs --source=PATH");
		return -EINVAL;
	}
	fd = open(cfg->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = errno;
		vfsd_log(VFSD_LOG_ERR, "source %s: %s", cfg->source,
			 err == ENOTDIR ? "not a directory" : strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	/* Files are opened through their O_PATH fds' /proc links. */
	if (access("/proc/self/fd", X_OK) < 0) {
		vfsd_log(VFSD_LOG_ERR, "/proc is not mounted (the dir backend "
			 "opens files through /proc/self/fd)");
		close(fd);
		return -ENOENT;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs || dir_inodes_init(&fs->inodes, fd, &st)) {
		free(fs);
		close(fd);
		vfsd_log(VFSD_LOG_ERR, "out of memory");
		return -ENOMEM;
	}
	fs->timeout = cfg->timeout;
	fs->keep_cache = cfg->keep_cache;
	*state = fs;
	return 0;
}

static void dir_destroy_fs(void *state)
{
	struct dir_fs *fs = state;

	dir_inodes_fini(&fs->inodes);
	free(fs);
}

static mode_t dir_root_mode(void *state)
{
	struct dir_fs *fs = state;
	struct stat st;

	if (stat_fd(fs->inodes.root->fd, &st) < 0)
		return S_IFDIR | 0755;
	return st.st_mode;
}

const struct backend backend_dir = {
	.name = "dir",
	.summary = "serve a host directory tree (read-only)",
	.create = dir_create_fs,
	.destroy = dir_destroy_fs,
	.root_mode = dir_root_mode,
	.ops = &dir_ops,
};
