// SPDX-License-Identifier: MIT
/*
 * The dir backend's extended attributes, on the host inode. The xattr
 * calls do not take O_PATH fds, so they go through the fd's
 * /proc/self/fd magic link. Following a magic link lands on the inode the
 * fd names and stops there: for a symlink's O_PATH fd that is the symlink
 * itself, never its target (the l* calls would act on the magic link).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/xattr.h>

#include "backends/dir/dir.h"
#include "backends/dir/creds.h"

/* Replies fit the inline slot; larger values are refused with E2BIG. */
#define XATTR_BUF	4096

struct xattr_ctx {
	struct dir_inode *in;
	struct dir_creds c;
	char path[64];
	bool creds;
};

static struct dir_inode *begin(struct vfsd_req *req, vfsd_ino_t ino,
			       struct xattr_ctx *x)
{
	x->in = dir_req_inode(req, ino);
	if (!x->in)
		return NULL;
	dir_proc_path(x->path, sizeof(x->path), x->in->fd);
	x->creds = FS(req)->server_perms;
	if (x->creds)
		dir_creds_enter(req, &x->c);
	return x->in;
}

static void end(struct vfsd_req *req, struct xattr_ctx *x)
{
	if (x->creds)
		dir_creds_leave(&x->c);
	dir_inode_put(&FS(req)->inodes, x->in);
}

/* n bytes (or -1 and errno) of a get/list that asked for size. */
static void reply_sized(struct vfsd_req *req, ssize_t n, size_t size,
			const char *buf)
{
	if (n < 0)
		vfsd_reply_err(req, errno == ERANGE && size >= XATTR_BUF ?
				    E2BIG : errno);
	else if (size == 0)
		vfsd_reply_xattr(req, (size_t)n);
	else
		vfsd_reply_buf(req, buf, (size_t)n);
}

void dir_getxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  size_t size)
{
	struct xattr_ctx x;
	char buf[XATTR_BUF];
	size_t max = size < sizeof(buf) ? size : sizeof(buf);
	ssize_t n;

	if (!begin(req, ino, &x))
		return;
	n = getxattr(x.path, name, size ? buf : NULL, max);
	end(req, &x);
	reply_sized(req, n, size, buf);
}

void dir_listxattr(struct vfsd_req *req, vfsd_ino_t ino, size_t size)
{
	struct xattr_ctx x;
	char buf[XATTR_BUF];
	size_t max = size < sizeof(buf) ? size : sizeof(buf);
	ssize_t n;

	if (!begin(req, ino, &x))
		return;
	n = listxattr(x.path, size ? buf : NULL, max);
	end(req, &x);
	reply_sized(req, n, size, buf);
}

void dir_setxattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name,
		  const char *value, size_t size, int flags)
{
	struct xattr_ctx x;
	int res;

	if (!begin(req, ino, &x))
		return;
	res = setxattr(x.path, name, value, size, flags);
	end(req, &x);
	vfsd_reply_err(req, res < 0 ? errno : 0);
}

void dir_removexattr(struct vfsd_req *req, vfsd_ino_t ino, const char *name)
{
	struct xattr_ctx x;
	int res;

	if (!begin(req, ino, &x))
		return;
	res = removexattr(x.path, name);
	end(req, &x);
	vfsd_reply_err(req, res < 0 ? errno : 0);
}
