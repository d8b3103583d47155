// SPDX-License-Identifier: MIT
/*
 * The dir backend: serves an existing host directory tree. Inodes are
 * O_PATH fds (backends/dir/inodes.c), so no path is ever re-resolved from
 * the root; files are opened through /proc/self/fd. This file holds the
 * namespace reads and the ops table; namespace changes live in
 * backends/dir/namespace.c, open files in backends/dir/file.c, xattrs in
 * backends/dir/xattr.c.
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
#include <unistd.h>

#include "backends/dir/dir.h"
#include "backends/dir/creds.h"
#include "backends/dir/direct.h"
#include "backends/dir/io.h"

/* An open directory: the stream and where it stands. */
struct dir_handle {
	pthread_mutex_t lock;
	DIR *dp;
	off_t pos;		/* cookie the stream is at */
	bool pos_valid;
};

int dir_stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
}

void dir_proc_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The inode of a request, or NULL after replying ESTALE. */
struct dir_inode *dir_req_inode(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct dir_inode *in = dir_inode_get(&FS(req)->inodes, ino);

	if (!in)
		vfsd_reply_err(req, ESTALE);
	return in;
}

void dir_entry_init(struct dir_fs *fs, struct vfsd_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->attr_timeout = fs->attr_timeout;
	e->entry_timeout = fs->entry_timeout;
}

struct dir_inode *dir_enter_inode(struct dir_fs *fs, int fd,
				  struct vfsd_entry_param *e, int *err)
{
	struct dir_inode *in;

	if (dir_stat_fd(fd, &e->attr) < 0) {
		*err = errno;
		close(fd);
		return NULL;
	}
	in = dir_inode_lookup(&fs->inodes, fd, &e->attr);
	if (!in) {
		*err = ENOMEM;
		return NULL;
	}
	e->ino = in->nodeid;
	return in;
}

static void dir_lookup(struct vfsd_req *req, vfsd_ino_t parent,
		       const char *name)
{
	struct dir_fs *fs = FS(req);
	struct vfsd_entry_param e;
	struct dir_inode *p, *in;
	struct dir_creds c;
	int fd, err;

	dir_entry_init(fs, &e);
	/* The kernel resolves dot names; ".." at the root would escape. */
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	p = dir_req_inode(req, parent);
	if (!p)
		return;
	if (fs->server_perms)
		dir_creds_enter(req, &c);	/* search permission */
	fd = openat(p->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (fs->server_perms)
		dir_creds_leave(&c);
	dir_inode_put(&fs->inodes, p);
	if (err == ENOENT) {
		vfsd_reply_entry(req, &e);	/* negative, cached */
		return;
	}
	in = err ? NULL : dir_enter_inode(fs, fd, &e, &err);
	if (!in) {
		vfsd_reply_err(req, err);
		return;
	}
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
	struct dir_file *f = fi ? dir_file_get(fi->fh) : NULL;
	struct dir_inode *in;
	struct stat st;
	int res;

	/* fstat() of an open file: its fd answers even once unlinked. */
	if (f) {
		res = fstat(f->fd, &st);
		dir_file_put(f);
	} else {
		in = dir_req_inode(req, ino);
		if (!in)
			return;
		res = dir_stat_fd(in->fd, &st);
		dir_inode_put(&FS(req)->inodes, in);
	}
	if (res < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_attr(req, &st, FS(req)->attr_timeout);
}

static void dir_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct dir_inode *in = dir_req_inode(req, ino);
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

static void dir_opendir(struct vfsd_req *req, vfsd_ino_t ino,
			struct vfsd_file_info *fi)
{
	struct dir_inode *in = dir_req_inode(req, ino);
	struct dir_handle *h;
	struct dir_creds c;
	int fd, err = 0;

	if (!in)
		return;
	if (FS(req)->server_perms)
		dir_creds_enter(req, &c);	/* read permission */
	fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (FS(req)->server_perms)
		dir_creds_leave(&c);
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
	struct dir_inode *in = dir_req_inode(req, ino);
	struct statvfs st;

	if (!in)
		return;
	if (fstatvfs(in->fd, &st) < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_statfs(req, &st);
	dir_inode_put(&FS(req)->inodes, in);
}

/*
 * O_DIRECT into the window needs pinnable pages: where the module refused
 * them (VFSD_CAP_PIN unset) every O_DIRECT piece would fail with EFAULT,
 * one wasted call per request before the buffered retry. Over FUSE the
 * buffers are the server's own memory. Runs before any request.
 */
static void dir_init(void *userdata, const struct vfsd_conn_info *conn)
{
	struct dir_fs *fs = userdata;

	if (fs->source_dio && conn->transport == VFSD_TRANSPORT_VFSD &&
	    !(conn->caps & VFSD_CAP_PIN)) {
		vfsd_log(VFSD_LOG_WARNING, "the module gave no pinnable pages: "
			 "source_dio off, file data goes buffered");
		fs->source_dio = false;
	}
	fs->uring_bufs = fs->source_dio && !fs->no_fixed &&
			 (conn->caps & VFSD_CAP_URING_BUF);
	fs->buf_slots = conn->depth;
}

static const struct vfsd_ops dir_ops = {
	.init = dir_init,
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
	.batch_end = dir_io_batch_end,
};

/* The type of the filesystem fd is on, as mountinfo names it ("9p"). */
bool dir_source_fstype(int fd, char *type)
{
	struct statx stx;
	char line[4096];
	bool found = false;
	FILE *f;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long id;
		char *sep = strstr(line, " - ");

		if (sep && sscanf(line, "%llu", &id) == 1 &&
		    id == stx.stx_mnt_id)
			found = sscanf(sep + 3, "%63s", type) == 1;
	}
	fclose(f);
	return found;
}

/*
 * Network and FUSE filesystems pin the buffer of a read or write (direct
 * I/O into it, or zero-copy receive) instead of copying: into the window
 * that works only with pinnable pages. Others copy in the host kernel.
 * By mount type: 9p and others report the server's f_type in statfs.
 */
static bool source_pins_buffers(int fd)
{
	static const char *const pinning[] = {
		"9p", "nfs", "nfs4", "cifs", "smb3", "ceph", "fuse", "fuseblk",
	};
	char type[64];
	size_t i;

	if (!dir_source_fstype(fd, type))
		return false;
	if (!strncmp(type, "fuse.", 5))
		return true;
	for (i = 0; i < sizeof(pinning) / sizeof(pinning[0]); i++)
		if (!strcmp(type, pinning[i]))
			return true;
	return false;
}

/* Pinnable pages: for a source that pins, and for O_DIRECT into them. */
static bool dir_pins_window(void *state)
{
	struct dir_fs *fs = state;

	return fs->source_pins || fs->source_dio;
}

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
	fs->attr_timeout = cfg->attr_timeout;
	fs->entry_timeout = cfg->entry_timeout;
	fs->keep_cache = cfg->keep_cache;
	fs->server_perms = cfg->server_permissions;
	fs->source_pins = source_pins_buffers(fd);
	fs->source_dio = dir_direct_wanted(cfg->source_dio, fd);
	fs->no_fixed = cfg->no_source_fixed;
	/* Modes arrive with the caller's umask applied: add none of ours. */
	umask(0);
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

	if (dir_stat_fd(fs->inodes.root->fd, &st) < 0)
		return S_IFDIR | 0755;
	return st.st_mode;
}

/* --stats: file bytes the host kernel copied, and those the disk moved. */
static void dir_stats(void *state, FILE *out)
{
	struct dir_fs *fs = state;

	copy_stats_print(&fs->copied, out);
	copy_stats_print_dev(&fs->copied, out);
	fprintf(out, "source_dio %d\nsource_uring_bufs %d\n", fs->source_dio,
		fs->uring_bufs);
}

const struct backend backend_dir = {
	.name = "dir",
	.summary = "serve a host directory tree (--source=DIR)",
	.create = dir_create_fs,
	.destroy = dir_destroy_fs,
	.root_mode = dir_root_mode,
	.ops = &dir_ops,
	.stats = dir_stats,
	.pins_window = dir_pins_window,
};
