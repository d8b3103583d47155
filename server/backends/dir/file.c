// SPDX-License-Identifier: MIT
/*
 * The dir backend's open files: open/release, data (through backends/dir/io.c),
 * flush, fsync, fallocate and lseek. Handles: backends/dir/files.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/dir/dir.h"
#include "backends/dir/creds.h"
#include "backends/dir/io.h"

int dir_file_new(int fd, int host_flags, struct vfsd_file_info *fi)
{
	struct dir_file *f = dir_file_wrap(fd, host_flags);

	fi->fh = f ? dir_file_publish(f) : 0;
	return fi->fh ? 0 : -ENOMEM;
}

int dir_host_open_flags(int flags)
{
	/*
	 * The kernel places appends itself and does O_DIRECT with its own
	 * pages; the host fd gets neither (backends/dir/io.h). O_NOFOLLOW would stop
	 * at the /proc magic link we open through.
	 */
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT |
		   O_NOFOLLOW | O_NOATIME | O_NONBLOCK | O_ASYNC | O_PATH);
	return flags | O_CLOEXEC;
}

/* Open the file behind an O_PATH fd; -errno on failure. */
static int reopen(int path_fd, int flags)
{
	char path[64];
	int fd;

	dir_proc_path(path, sizeof(path), path_fd);
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

/* A file of inode ino opened just for one request; -errno on failure. */
static int open_inode(struct dir_fs *fs, vfsd_ino_t ino, int flags,
		      struct dir_file **out)
{
	struct dir_inode *in = dir_inode_get(&fs->inodes, ino);
	int fd;

	if (!in)
		return -ESTALE;
	/* Never block the queue opening a FIFO: only files carry data. */
	if (in->type != S_IFREG) {
		dir_inode_put(&fs->inodes, in);
		return -EINVAL;
	}
	fd = reopen(in->fd, flags | O_CLOEXEC | O_NOCTTY);
	dir_inode_put(&fs->inodes, in);
	if (fd < 0)
		return fd;
	*out = dir_file_wrap(fd, flags);
	return *out ? 0 : -ENOMEM;
}

void dir_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *in = dir_req_inode(req, ino);
	int flags = dir_host_open_flags(fi->flags), fd;
	bool upgraded = false;
	struct dir_creds c;

	if (!in)
		return;
	if (in->type != S_IFREG) {
		dir_inode_put(&fs->inodes, in);
		vfsd_reply_err(req, EINVAL);
		return;
	}
	/* The page cache reads through writers' handles too: try RDWR. */
	if ((flags & O_ACCMODE) == O_WRONLY) {
		flags = (flags & ~O_ACCMODE) | O_RDWR;
		upgraded = true;
	}
	if (fs->server_perms)
		dir_creds_enter(req, &c);
	fd = reopen(in->fd, flags);
	if (fd == -EACCES && upgraded)
		fd = reopen(in->fd, (flags & ~O_ACCMODE) | O_WRONLY);
	if (fs->server_perms)
		dir_creds_leave(&c);
	dir_inode_put(&fs->inodes, in);
	if (fd < 0) {
		vfsd_reply_err(req, -fd);
		return;
	}
	if (dir_file_new(fd, fcntl(fd, F_GETFL), fi) < 0) {
		vfsd_reply_err(req, ENOMEM);
		return;
	}
	fi->keep_cache = fs->keep_cache;
	if (vfsd_reply_open(req, fi))
		dir_release(fs, ino, fi);
}

void dir_release(void *userdata, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)userdata;
	(void)ino;
	dir_file_unpublish(fi->fh);	/* closes unless I/O still uses it */
}

/*
 * The file to do I/O through: the request's own handle if it allows the
 * access, else (page cache without an open file, or a handle opened the
 * other way) a one-off open. NULL after replying the error.
 */
static struct dir_file *io_file(struct vfsd_req *req, vfsd_ino_t ino,
				struct vfsd_file_info *fi, int acc)
{
	struct dir_file *f = dir_file_get(fi->fh);
	int err;

	if (f && (f->flags == O_RDWR || f->flags == acc))
		return f;
	dir_file_put(f);
	err = open_inode(FS(req), ino, acc, &f);
	if (err) {
		vfsd_reply_err(req, -err);
		return NULL;
	}
	return f;
}

void dir_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
	      off_t off, struct vfsd_file_info *fi)
{
	struct dir_file *f = io_file(req, ino, fi, O_RDONLY);

	if (f)
		dir_io_read(req, f, buf, size, off);
}

void dir_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf,
	       size_t size, off_t off, struct vfsd_file_info *fi)
{
	struct dir_file *f = io_file(req, ino, fi, O_WRONLY);

	if (f)
		dir_io_write(req, f, buf, size, off);
}

/* close() of one of the app's fds: what closing a dup does on the host. */
void dir_flush(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	struct dir_file *f = dir_file_get(fi->fh);
	int res = 0;

	(void)ino;
	if (f) {
		res = close(dup(f->fd));
		dir_file_put(f);
	}
	vfsd_reply_err(req, res < 0 ? errno : 0);
}

void dir_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
	       struct vfsd_file_info *fi)
{
	struct dir_inode *in = dir_req_inode(req, ino);
	struct dir_file *f = NULL;
	int fd = -EINVAL, res;

	if (!in)
		return;
	/* Directories and handle-less syncs open an fd just for the sync. */
	if (in->type == S_IFREG) {
		f = dir_file_get(fi->fh);
		fd = f ? f->fd : reopen(in->fd, O_RDONLY | O_CLOEXEC);
	} else if (in->type == S_IFDIR) {
		fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	dir_inode_put(&FS(req)->inodes, in);
	if (fd < 0) {
		vfsd_reply_err(req, -fd);
		return;
	}
	res = datasync ? fdatasync(fd) : fsync(fd);
	vfsd_reply_err(req, res < 0 ? errno : 0);
	if (f)
		dir_file_put(f);
	else
		close(fd);
}

void dir_fallocate(struct vfsd_req *req, vfsd_ino_t ino, int mode,
		   off_t offset, off_t length, struct vfsd_file_info *fi)
{
	struct dir_file *f;
	int res;

	if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE &&
	    mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
		vfsd_reply_err(req, EOPNOTSUPP);
		return;
	}
	f = io_file(req, ino, fi, O_WRONLY);
	if (!f)
		return;
	res = fallocate(f->fd, mode, offset, length);
	vfsd_reply_err(req, res < 0 ? errno : 0);
	dir_file_put(f);
}

/* SEEK_DATA and SEEK_HOLE need the host file's layout. */
void dir_lseek(struct vfsd_req *req, vfsd_ino_t ino, off_t off, int whence,
	       struct vfsd_file_info *fi)
{
	struct dir_file *f;
	off_t res;

	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	f = dir_file_get(fi->fh);
	if (!f && open_inode(FS(req), ino, O_RDONLY, &f) < 0) {
		vfsd_reply_err(req, EBADF);
		return;
	}
	res = lseek(f->fd, off, whence);
	if (res < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_lseek(req, res);
	dir_file_put(f);
}
