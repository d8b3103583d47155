// SPDX-License-Identifier: MIT
/*
 * A minimal read-write filesystem in memory: files, directories, rename,
 * truncate. It shows the write-path ops and the nodeid lifetime rules;
 * vfsd-server --backend=mem is the real thing (block pool, holes, xattrs,
 * scalable directories). One lock for everything; nodeids are slots in a
 * fixed table and never reused, so a nodeid the kernel still holds can
 * never name another file. Usage: memfs MOUNTPOINT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vfsd/vfsd.h>

#define MAX_NODES 4096

struct node {
	vfsd_ino_t parent;	/* 0: free slot, or unlinked */
	char name[NAME_MAX + 1];
	struct stat st;
	char *data;		/* file contents, st.st_size bytes */
	uint64_t nlookup;	/* the kernel's references */
};

static struct node nodes[MAX_NODES + 1];	/* [ino]; 1 is the root */
static vfsd_ino_t next_ino = 2;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct node *node(vfsd_ino_t ino)
{
	return ino >= 1 && ino < next_ino && nodes[ino].st.st_mode ? &nodes[ino] : NULL;
}

static vfsd_ino_t find(vfsd_ino_t parent, const char *name)
{
	for (vfsd_ino_t i = 2; i < next_ino; i++)
		if (nodes[i].parent == parent && !strcmp(nodes[i].name, name))
			return i;
	return 0;
}

/* Freed once no name and no kernel reference is left. */
static void maybe_free(struct node *n)
{
	if (n->st.st_nlink == 0 && n->nlookup == 0) {
		free(n->data);
		n->data = NULL;
		n->st.st_mode = 0;	/* the slot stays used: no reuse */
	}
}

/* Every entry reply hands the kernel a reference it will FORGET later. */
static void reply_entry(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct vfsd_entry_param e = { .ino = ino, .attr_timeout = 1, .entry_timeout = 1 };

	if (ino) {
		e.attr = nodes[ino].st;
		nodes[ino].nlookup++;
	}
	vfsd_reply_entry(req, &e);
}

static void memfs_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	pthread_mutex_lock(&lock);
	reply_entry(req, find(parent, name));	/* 0: negative entry */
	pthread_mutex_unlock(&lock);
}

static void memfs_forget(void *userdata, vfsd_ino_t ino, uint64_t nlookup)
{
	(void)userdata;
	pthread_mutex_lock(&lock);
	if (node(ino) && ino != VFSD_ROOT_INO) {
		nodes[ino].nlookup -= nlookup;
		maybe_free(&nodes[ino]);
	}
	pthread_mutex_unlock(&lock);
}

static void memfs_getattr(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)fi;
	pthread_mutex_lock(&lock);
	if (node(ino))
		vfsd_reply_attr(req, &nodes[ino].st, 1.0);
	else
		vfsd_reply_err(req, ESTALE);
	pthread_mutex_unlock(&lock);
}

/* Make a file or directory; create also opens it (fi != NULL). */
static void make(struct vfsd_req *req, vfsd_ino_t parent, const char *name, mode_t mode,
		 struct vfsd_file_info *fi)
{
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);
	struct node *n;

	pthread_mutex_lock(&lock);
	if (!node(parent) || find(parent, name) || next_ino > MAX_NODES) {
		vfsd_reply_err(req, !node(parent) ? ESTALE : find(parent, name) ? EEXIST : ENOSPC);
		goto out;
	}
	n = &nodes[next_ino];
	*n = (struct node){ .parent = parent };
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->st.st_ino = next_ino++;
	n->st.st_mode = mode;	/* the caller's umask is applied already */
	n->st.st_nlink = S_ISDIR(mode) ? 2 : 1;
	n->st.st_uid = ctx->uid;
	n->st.st_gid = ctx->gid;
	clock_gettime(CLOCK_REALTIME, &n->st.st_mtim);
	n->st.st_atim = n->st.st_ctim = n->st.st_mtim;
	if (S_ISDIR(mode))
		nodes[parent].st.st_nlink++;
	if (fi) {
		struct vfsd_entry_param e = { .ino = n->st.st_ino, .attr = n->st,
					      .attr_timeout = 1, .entry_timeout = 1 };

		n->nlookup++;
		vfsd_reply_create(req, &e, fi);
	} else {
		reply_entry(req, n->st.st_ino);
	}
out:
	pthread_mutex_unlock(&lock);
}

static void memfs_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
			 mode_t mode, struct vfsd_file_info *fi)
{
	make(req, parent, name, S_IFREG | (mode & 07777), fi);
}

/* The module creates files with MKNOD, then OPENs them. */
static void memfs_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	(void)rdev;	/* no device files here */
	if (S_ISREG(mode) || S_ISFIFO(mode))
		make(req, parent, name, mode, NULL);
	else
		vfsd_reply_err(req, EPERM);
}

static void memfs_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name, mode_t mode)
{
	make(req, parent, name, S_IFDIR | (mode & 07777), NULL);
}

static bool has_children(vfsd_ino_t dir)
{
	for (vfsd_ino_t i = 2; i < next_ino; i++)
		if (nodes[i].parent == dir && nodes[i].st.st_mode)
			return true;
	return false;
}

/* Drop the name; the node lives on while the kernel references it. */
static void unname(struct node *n)
{
	if (S_ISDIR(n->st.st_mode))
		nodes[n->parent].st.st_nlink--;
	n->parent = 0;
	n->st.st_nlink = 0;
	maybe_free(n);
}

static void remove_name(struct vfsd_req *req, vfsd_ino_t parent, const char *name, bool dir)
{
	vfsd_ino_t ino;
	int err = 0;

	pthread_mutex_lock(&lock);
	ino = find(parent, name);
	if (!ino)
		err = ENOENT;
	else if (dir != S_ISDIR(nodes[ino].st.st_mode))
		err = dir ? ENOTDIR : EISDIR;
	else if (dir && has_children(ino))
		err = ENOTEMPTY;
	else
		unname(&nodes[ino]);
	vfsd_reply_err(req, err);
	pthread_mutex_unlock(&lock);
}

static void memfs_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, false);
}

static void memfs_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	remove_name(req, parent, name, true);
}

/* Is ino dir itself or above it? Then dir cannot move under it. */
static bool above(vfsd_ino_t ino, vfsd_ino_t dir)
{
	for (; dir; dir = nodes[dir].parent)
		if (dir == ino)
			return true;
	return false;
}

/* No rename flags here (NOREPLACE, EXCHANGE): EINVAL tells the caller. */
static void memfs_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
			 vfsd_ino_t newparent, const char *newname, unsigned int flags)
{
	vfsd_ino_t ino, old;
	int err = 0;

	pthread_mutex_lock(&lock);
	ino = find(parent, name);
	old = find(newparent, newname);
	if (flags)
		err = EINVAL;
	else if (!ino || !node(newparent))
		err = ENOENT;
	else if (above(ino, newparent))
		err = EINVAL;	/* into its own subtree */
	else if (old && (S_ISDIR(nodes[old].st.st_mode) || S_ISDIR(nodes[ino].st.st_mode)))
		err = EXDEV;	/* keep the example short: no directory replacing */
	if (!err && old != ino) {
		if (old)
			unname(&nodes[old]);
		if (S_ISDIR(nodes[ino].st.st_mode)) {
			nodes[parent].st.st_nlink--;
			nodes[newparent].st.st_nlink++;
		}
		nodes[ino].parent = newparent;
		snprintf(nodes[ino].name, sizeof(nodes[ino].name), "%s", newname);
	}
	vfsd_reply_err(req, err);
	pthread_mutex_unlock(&lock);
}

/* The cookie of entry i is i + 1; slots 0/1 of the walk are "." and "..". */
static void memfs_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size, off_t off,
			  struct vfsd_file_info *fi)
{
	(void)size, (void)fi;
	pthread_mutex_lock(&lock);
	if (off == 0 && !vfsd_dirbuf_add(req, ".", ino, S_IFDIR, 1))
		goto out;
	if (off <= 1 && !vfsd_dirbuf_add(req, "..", nodes[ino].parent ? nodes[ino].parent : ino,
					 S_IFDIR, 2))
		goto out;
	for (vfsd_ino_t i = off < 2 ? 2 : (vfsd_ino_t)off; i < next_ino; i++)
		if (nodes[i].parent == ino && nodes[i].st.st_mode &&
		    !vfsd_dirbuf_add(req, nodes[i].name, i, nodes[i].st.st_mode, (off_t)i + 1))
			break;
out:
	vfsd_reply_readdir(req);
	pthread_mutex_unlock(&lock);
}

/* Grow or shrink the contents; new bytes are zero. */
static int resize(struct node *n, off_t size)
{
	char *p = realloc(n->data, size ? (size_t)size : 1);

	if (!p)
		return ENOSPC;
	if (size > n->st.st_size)
		memset(p + n->st.st_size, 0, (size_t)(size - n->st.st_size));
	n->data = p;
	n->st.st_size = size;
	n->st.st_blocks = (size + 511) / 512;
	return 0;
}

static void memfs_setattr(struct vfsd_req *req, vfsd_ino_t ino, const struct stat *attr,
			  int to_set, struct vfsd_file_info *fi)
{
	struct node *n;
	int err = 0;

	(void)fi;
	pthread_mutex_lock(&lock);
	n = node(ino);
	if (!n)
		err = ESTALE;
	else if (to_set & VFSD_SET_ATTR_SIZE)
		err = S_ISREG(n->st.st_mode) ? resize(n, attr->st_size) : EISDIR;
	if (!err && (to_set & VFSD_SET_ATTR_MODE))
		n->st.st_mode = (n->st.st_mode & S_IFMT) | (attr->st_mode & 07777);
	if (!err && (to_set & VFSD_SET_ATTR_UID))
		n->st.st_uid = attr->st_uid;
	if (!err && (to_set & VFSD_SET_ATTR_GID))
		n->st.st_gid = attr->st_gid;
	if (!err && (to_set & VFSD_SET_ATTR_MTIME))
		n->st.st_mtim = attr->st_mtim;
	if (!err && (to_set & VFSD_SET_ATTR_ATIME))
		n->st.st_atim = attr->st_atim;
	if (!err && (to_set & VFSD_SET_ATTR_MTIME_NOW))
		clock_gettime(CLOCK_REALTIME, &n->st.st_mtim);
	if (!err && (to_set & VFSD_SET_ATTR_ATIME_NOW))
		clock_gettime(CLOCK_REALTIME, &n->st.st_atim);
	if (err)
		vfsd_reply_err(req, err);
	else
		vfsd_reply_attr(req, &n->st, 1.0);
	pthread_mutex_unlock(&lock);
}

static void memfs_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)ino;
	fi->keep_cache = 1;	/* all changes come through this kernel */
	vfsd_reply_open(req, fi);
}

/* buf is the page cache itself; a short read means end of file. */
static void memfs_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
		       off_t off, struct vfsd_file_info *fi)
{
	struct node *n;
	size_t len = 0;

	(void)fi;
	pthread_mutex_lock(&lock);
	n = node(ino);
	if (n && off < n->st.st_size) {
		len = (size_t)(n->st.st_size - off) < size ? (size_t)(n->st.st_size - off) : size;
		memcpy(buf, n->data + off, len);
	}
	pthread_mutex_unlock(&lock);
	vfsd_reply_read(req, len);
}

/* buf holds the dirty pages, mapped read-only for this request. */
static void memfs_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf, size_t size,
			off_t off, struct vfsd_file_info *fi)
{
	struct node *n;
	int err = 0;

	(void)fi;
	pthread_mutex_lock(&lock);
	n = node(ino);
	if (!n)
		err = ESTALE;
	else if (off + (off_t)size > n->st.st_size)
		err = resize(n, off + (off_t)size);
	if (!err) {
		memcpy(n->data + off, buf, size);
		clock_gettime(CLOCK_REALTIME, &n->st.st_mtim);
		n->st.st_ctim = n->st.st_mtim;
		vfsd_reply_write(req, size);
	} else {
		vfsd_reply_err(req, err);
	}
	pthread_mutex_unlock(&lock);
}

static const struct vfsd_ops ops = {
	.lookup = memfs_lookup, .forget = memfs_forget, .getattr = memfs_getattr,
	.setattr = memfs_setattr, .create = memfs_create, .mknod = memfs_mknod,
	.mkdir = memfs_mkdir,
	.unlink = memfs_unlink, .rmdir = memfs_rmdir, .rename = memfs_rename,
	.readdir = memfs_readdir, .open = memfs_open, .read = memfs_read,
	.write = memfs_write,
};

int main(int argc, char **argv)
{
	struct vfsd_session *s;
	int err = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
		return 2;
	}
	nodes[VFSD_ROOT_INO].st = (struct stat){
		.st_ino = VFSD_ROOT_INO, .st_mode = S_IFDIR | 0755, .st_nlink = 2,
		.st_uid = getuid(), .st_gid = getgid(),
	};
	clock_gettime(CLOCK_REALTIME, &nodes[VFSD_ROOT_INO].st.st_mtim);
	nodes[VFSD_ROOT_INO].st.st_ctim = nodes[VFSD_ROOT_INO].st.st_mtim;
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	if (s && vfsd_session_mount(s, argv[1]) == 0)
		err = vfsd_session_loop(s);
	vfsd_session_destroy(s);
	return err ? 1 : 0;
}
