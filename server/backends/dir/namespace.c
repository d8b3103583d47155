// SPDX-License-Identifier: MIT
/*
 * The dir backend's namespace changes: create, mknod, mkdir, symlink,
 * link, unlink, rmdir, rename. New objects are made as the caller
 * (backends/dir/creds.h) so the host gives them the caller's owner and, in a
 * setgid directory, the directory's group.
 *
 * With default_permissions the kernel already checked access with all of
 * the caller's groups, while the host only knows fsuid/fsgid: if the host
 * refuses (EACCES), we make the object as ourselves and chown it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/dir/dir.h"
#include "backends/dir/creds.h"

enum make_kind { MAKE_CREATE, MAKE_NODE, MAKE_DIR, MAKE_SYMLINK };

struct make {
	enum make_kind kind;
	const char *name;
	mode_t mode;
	dev_t rdev;
	const char *target;	/* symlink */
	int flags;		/* create: host open flags */
	int fd;			/* create: the open file */
};

static int make_once(int dirfd, struct make *m)
{
	int res;

	switch (m->kind) {
	case MAKE_CREATE:
		m->fd = openat(dirfd, m->name, m->flags | O_CREAT | O_EXCL |
			       O_NOFOLLOW, m->mode & 07777);
		res = m->fd;
		break;
	case MAKE_NODE:
		res = mknodat(dirfd, m->name, m->mode, m->rdev);
		break;
	case MAKE_DIR:
		res = mkdirat(dirfd, m->name, m->mode & 07777);
		break;
	default:
		res = symlinkat(m->target, dirfd, m->name);
	}
	return res < 0 ? errno : 0;
}

/* The O_PATH fd of what make_once() made; -errno on failure. */
static int made_path(int dirfd, struct make *m)
{
	char path[64];
	int fd;

	if (m->kind == MAKE_CREATE) {
		/* From the open file itself: the name may have moved on. */
		dir_proc_path(path, sizeof(path), m->fd);
		fd = open(path, O_PATH | O_CLOEXEC);
	} else {
		fd = openat(dirfd, m->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

/* Made as ourselves: hand it to the caller as the host would have. */
static void give_to_caller(struct vfsd_req *req, int dirfd, int pathfd)
{
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);
	struct stat dir;
	gid_t gid = ctx->gid;

	if (dir_stat_fd(dirfd, &dir) == 0 && (dir.st_mode & S_ISGID))
		gid = dir.st_gid;
	if (fchownat(pathfd, "", ctx->uid, gid,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		vfsd_log(VFSD_LOG_WARNING, "chown of a new file: %m");
}

/* Make m in parent and reply its entry (or, for create, entry + open). */
static void make_and_reply(struct vfsd_req *req, vfsd_ino_t parent,
			   struct make *m, struct vfsd_file_info *fi)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *p = dir_req_inode(req, parent), *in;
	struct vfsd_entry_param e;
	struct dir_creds c;
	bool switched;
	int err, pathfd;

	if (!p)
		return;
	m->fd = -1;
	dir_creds_enter(req, &c);
	switched = c.switched;
	err = make_once(p->fd, m);
	dir_creds_leave(&c);
	if (err == EACCES && switched && !fs->server_perms) {
		err = make_once(p->fd, m);
		if (!err && (pathfd = made_path(p->fd, m)) >= 0) {
			give_to_caller(req, p->fd, pathfd);
			close(pathfd);
		}
	}
	pathfd = err ? -err : made_path(p->fd, m);
	dir_inode_put(&fs->inodes, p);
	if (pathfd < 0) {
		if (m->fd >= 0)
			close(m->fd);
		vfsd_reply_err(req, -pathfd);
		return;
	}
	dir_entry_init(fs, &e);
	in = dir_enter_inode(fs, pathfd, &e, &err);
	if (!in) {
		if (m->fd >= 0)
			close(m->fd);
		vfsd_reply_err(req, err);
		return;
	}
	if (m->kind == MAKE_CREATE) {
		if (dir_file_new(m->fd, m->flags, fi) < 0) {
			dir_inode_forget(&fs->inodes, in->nodeid, 1);
			vfsd_reply_err(req, ENOMEM);
		} else {
			fi->keep_cache = fs->keep_cache;
			if (vfsd_reply_create(req, &e, fi)) {
				dir_release(fs, in->nodeid, fi);
				dir_inode_forget(&fs->inodes, in->nodeid, 1);
			}
		}
	} else if (vfsd_reply_entry(req, &e)) {
		dir_inode_forget(&fs->inodes, in->nodeid, 1);
	}
	dir_inode_put(&fs->inodes, in);
}

void dir_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		mode_t mode, struct vfsd_file_info *fi)
{
	struct make m = { .kind = MAKE_CREATE, .name = name, .mode = mode };

	m.flags = dir_host_open_flags(fi->flags) & ~O_TRUNC;
	/* As open: the page cache may read through a writer's handle. */
	if ((m.flags & O_ACCMODE) == O_WRONLY)
		m.flags = (m.flags & ~O_ACCMODE) | O_RDWR;
	make_and_reply(req, parent, &m, fi);
}

void dir_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode, dev_t rdev)
{
	struct make m = { .kind = MAKE_NODE, .name = name, .mode = mode,
			  .rdev = rdev };

	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		m.rdev = 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		/* Live on the host, unlike on our nodev mount: root only. */
		if (vfsd_req_ctx(req)->uid != 0) {
			vfsd_reply_err(req, EPERM);
			return;
		}
		break;
	default:
		vfsd_reply_err(req, EINVAL);
		return;
	}
	make_and_reply(req, parent, &m, NULL);
}

void dir_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
	       mode_t mode)
{
	struct make m = { .kind = MAKE_DIR, .name = name, .mode = mode };

	make_and_reply(req, parent, &m, NULL);
}

void dir_symlink(struct vfsd_req *req, const char *target,
		 vfsd_ino_t parent, const char *name)
{
	struct make m = { .kind = MAKE_SYMLINK, .name = name,
			  .target = target };

	make_and_reply(req, parent, &m, NULL);
}

void dir_link(struct vfsd_req *req, vfsd_ino_t ino, vfsd_ino_t newparent,
	      const char *newname)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *in = dir_req_inode(req, ino), *p, *got;
	struct vfsd_entry_param e;
	struct dir_creds c;
	char path[64];
	int err = 0, fd;

	if (!in)
		return;
	p = dir_req_inode(req, newparent);
	if (!p) {
		dir_inode_put(&fs->inodes, in);
		return;
	}
	/* linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; this does not. */
	dir_proc_path(path, sizeof(path), in->fd);
	if (fs->server_perms)
		dir_creds_enter(req, &c);
	if (linkat(AT_FDCWD, path, p->fd, newname, AT_SYMLINK_FOLLOW) < 0)
		err = errno;
	if (fs->server_perms)
		dir_creds_leave(&c);
	dir_inode_put(&fs->inodes, in);
	fd = err ? -1 : openat(p->fd, newname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (!err && fd < 0)
		err = errno;
	dir_inode_put(&fs->inodes, p);
	if (err) {
		vfsd_reply_err(req, err);
		return;
	}
	dir_entry_init(fs, &e);
	got = dir_enter_inode(fs, fd, &e, &err);
	if (!got) {
		vfsd_reply_err(req, err);
		return;
	}
	if (vfsd_reply_entry(req, &e))
		dir_inode_forget(&fs->inodes, got->nodeid, 1);
	dir_inode_put(&fs->inodes, got);
}

static void remove_name(struct vfsd_req *req, vfsd_ino_t parent,
			const char *name, int flags)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *p = dir_req_inode(req, parent);
	struct dir_creds c;
	int res;

	if (!p)
		return;
	if (fs->server_perms)
		dir_creds_enter(req, &c);
	res = unlinkat(p->fd, name, flags);
	if (fs->server_perms)
		dir_creds_leave(&c);
	dir_inode_put(&fs->inodes, p);
	vfsd_reply_err(req, res < 0 ? errno : 0);
}

void dir_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, 0);
}

void dir_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, AT_REMOVEDIR);
}

void dir_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		vfsd_ino_t newparent, const char *newname, unsigned int flags)
{
	struct dir_fs *fs = FS(req);
	struct dir_inode *p, *np;
	struct dir_creds c;
	int res;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		vfsd_reply_err(req, EINVAL);
		return;
	}
	p = dir_req_inode(req, parent);
	if (!p)
		return;
	np = dir_req_inode(req, newparent);
	if (!np) {
		dir_inode_put(&fs->inodes, p);
		return;
	}
	if (fs->server_perms)
		dir_creds_enter(req, &c);
	res = renameat2(p->fd, name, np->fd, newname, flags);
	if (fs->server_perms)
		dir_creds_leave(&c);
	dir_inode_put(&fs->inodes, p);
	dir_inode_put(&fs->inodes, np);
	vfsd_reply_err(req, res < 0 ? errno : 0);
}
