// SPDX-License-Identifier: MIT
/*
 * A read-write passthrough to a host directory, its file data moved by
 * io_uring: the example of asynchronous replies.
 *
 * A READ or WRITE op does not do the I/O. It queues an io_uring read or
 * write straight between the host file and the request's window pages
 * (the page cache being filled or written back) and returns without
 * replying. After the batch, libvfsd calls ops.batch_end on the same
 * queue thread: it submits everything in one system call and replies to
 * each request as its completion arrives. The req stays valid until that
 * reply. One ring per queue, used only by that queue's thread: no locks.
 *
 * Kept short: everything runs as the server's user (vfsd-server's dir
 * backend creates files as the caller), the inode table is a linear list,
 * and there are no xattrs, links or fallocate. Usage:
 *   passthrough SOURCE MOUNTPOINT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <vfsd/vfsd.h>

/* Host inodes the kernel knows: nodeid = index, never reused. */
struct inode {
	int fd;			/* O_PATH */
	dev_t dev;
	ino_t ino;
	uint64_t nlookup;
};

static struct inode *inodes;
static size_t ninodes = 2;	/* 0 unused, 1 the root */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* One I/O in flight: the request it will answer. */
struct io {
	struct vfsd_req *req;
	int fd;
	bool own_fd;		/* opened for this request alone */
	bool write;
};

struct queue_ring {
	struct io_uring ring;
	bool ready;
	unsigned int inflight;
};

/* One per queue, sized by init() from what the connection has. */
static struct queue_ring *rings;
static unsigned int ring_entries;	/* a queue's requests in flight */

static void pt_init(void *userdata, const struct vfsd_conn_info *conn)
{
	(void)userdata;
	rings = calloc(conn->nr_queues, sizeof(*rings));
	ring_entries = conn->depth < 8 ? 8 : conn->depth;
}

static void pt_destroy(void *userdata)
{
	(void)userdata;
	free(rings);	/* after the last request (process exit closes the rings) */
}

static int fd_of(vfsd_ino_t ino)
{
	int fd = -1;

	pthread_mutex_lock(&lock);
	if (ino < ninodes && inodes[ino].nlookup)
		fd = inodes[ino].fd;
	pthread_mutex_unlock(&lock);
	return fd;
}

static void proc_path(char *buf, int fd)
{
	sprintf(buf, "/proc/self/fd/%d", fd);
}

/* Count a lookup of the host inode behind fd (taken over): its nodeid. */
static vfsd_ino_t remember(int fd, const struct stat *st)
{
	vfsd_ino_t i;

	pthread_mutex_lock(&lock);
	for (i = 2; i < ninodes; i++)
		if (inodes[i].nlookup && inodes[i].dev == st->st_dev &&
		    inodes[i].ino == st->st_ino)
			break;
	if (i < ninodes) {
		close(fd);	/* known already */
	} else {
		struct inode *n = realloc(inodes, (ninodes + 1) * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&lock);
			close(fd);
			return 0;
		}
		inodes = n;
		i = ninodes++;
		inodes[i] = (struct inode){ .fd = fd, .dev = st->st_dev, .ino = st->st_ino };
	}
	inodes[i].nlookup++;
	pthread_mutex_unlock(&lock);
	return i;
}

/* Reply the entry for name in the directory dirfd. */
static void reply_entry(struct vfsd_req *req, int dirfd, const char *name)
{
	struct vfsd_entry_param e = { .attr_timeout = 1, .entry_timeout = 1 };
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		vfsd_reply_entry(req, &e);	/* negative */
		return;
	}
	if (fd < 0 || fstatat(fd, "", &e.attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		vfsd_reply_err(req, errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	e.ino = remember(fd, &e.attr);
	if (!e.ino)
		vfsd_reply_err(req, ENOMEM);
	else
		vfsd_reply_entry(req, &e);
}

static void pt_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	reply_entry(req, fd_of(parent), name);
}

static void pt_forget(void *userdata, vfsd_ino_t ino, uint64_t nlookup)
{
	(void)userdata;
	pthread_mutex_lock(&lock);
	if (ino > 1 && ino < ninodes && inodes[ino].nlookup) {
		inodes[ino].nlookup -= nlookup < inodes[ino].nlookup ? nlookup
								: inodes[ino].nlookup;
		if (!inodes[ino].nlookup)
			close(inodes[ino].fd);
	}
	pthread_mutex_unlock(&lock);
}

static void reply_stat(struct vfsd_req *req, int fd)
{
	struct stat st;

	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_attr(req, &st, 1.0);
}

static void pt_getattr(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)fi;
	reply_stat(req, fd_of(ino));
}

static void pt_setattr(struct vfsd_req *req, vfsd_ino_t ino, const struct stat *attr,
		       int to_set, struct vfsd_file_info *fi)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
	int fd = fd_of(ino), res = 0;
	char path[64];

	(void)fi;
	proc_path(path, fd);
	if (to_set & VFSD_SET_ATTR_MODE)
		res = chmod(path, attr->st_mode & 07777);
	if (!res && (to_set & VFSD_SET_ATTR_SIZE))
		res = truncate(path, attr->st_size);
	if (to_set & VFSD_SET_ATTR_ATIME)
		ts[0] = attr->st_atim;
	if (to_set & VFSD_SET_ATTR_MTIME)
		ts[1] = attr->st_mtim;
	if (to_set & VFSD_SET_ATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	if (to_set & VFSD_SET_ATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	if (!res && (ts[0].tv_nsec != UTIME_OMIT || ts[1].tv_nsec != UTIME_OMIT))
		res = utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	if (res < 0)
		vfsd_reply_err(req, errno);
	else
		reply_stat(req, fd);
}

static void pt_readlink(struct vfsd_req *req, vfsd_ino_t ino)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(fd_of(ino), "", buf, sizeof(buf) - 1);

	if (n < 0) {
		vfsd_reply_err(req, errno);
		return;
	}
	buf[n] = '\0';
	vfsd_reply_readlink(req, buf);
}

static void pt_opendir(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	int fd = openat(fd_of(ino), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = fd < 0 ? NULL : fdopendir(fd);

	if (!dp) {
		vfsd_reply_err(req, errno);
		if (fd >= 0)
			close(fd);
		return;
	}
	fi->fh = (uintptr_t)dp;
	vfsd_reply_open(req, fi);
}

/* The host's d_off cookies go to the kernel and come back as off. */
static void pt_readdir(struct vfsd_req *req, vfsd_ino_t ino, size_t size, off_t off,
		       struct vfsd_file_info *fi)
{
	DIR *dp = (DIR *)(uintptr_t)fi->fh;
	struct dirent *de;

	(void)ino, (void)size;
	seekdir(dp, off);	/* one queue at a time uses a handle */
	while ((de = readdir(dp)))
		if (!vfsd_dirbuf_add(req, de->d_name, de->d_ino, DTTOIF(de->d_type), de->d_off))
			break;
	vfsd_reply_readdir(req);
}

static void pt_releasedir(void *userdata, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)userdata, (void)ino;
	closedir((DIR *)(uintptr_t)fi->fh);
}

/*
 * The kernel positions appends and does O_DIRECT with its own pages, so
 * the host fd gets neither. fh is fd + 1: fh 0 means "no open file".
 */
static int host_flags(int flags)
{
	return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT)) | O_CLOEXEC;
}

static void pt_open(struct vfsd_req *req, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	char path[64];
	int fd;

	proc_path(path, fd_of(ino));
	fd = open(path, host_flags(fi->flags));
	if (fd < 0) {
		vfsd_reply_err(req, errno);
		return;
	}
	fi->fh = (uint64_t)fd + 1;
	vfsd_reply_open(req, fi);
}

static void pt_create(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		      mode_t mode, struct vfsd_file_info *fi)
{
	int dirfd = fd_of(parent);
	int fd = openat(dirfd, name, host_flags(fi->flags) | O_CREAT | O_EXCL, mode);
	struct vfsd_entry_param e = { .attr_timeout = 1, .entry_timeout = 1 };
	int pfd;

	if (fd < 0) {
		vfsd_reply_err(req, errno);
		return;
	}
	pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat(fd, &e.attr) < 0 || !(e.ino = remember(pfd, &e.attr))) {
		vfsd_reply_err(req, EIO);
		close(fd);
		return;
	}
	fi->fh = (uint64_t)fd + 1;
	vfsd_reply_create(req, &e, fi);
}

static void pt_release(void *userdata, vfsd_ino_t ino, struct vfsd_file_info *fi)
{
	(void)userdata, (void)ino;
	close((int)fi->fh - 1);
}

/* Queue one I/O on this queue's ring; the reply comes in batch_end. */
static void queue_io(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size,
		     off_t off, struct vfsd_file_info *fi, bool write)
{
	struct queue_ring *q = rings ? &rings[vfsd_req_queue(req)] : NULL;
	struct io_uring_sqe *sqe = NULL;
	struct io *io = malloc(sizeof(*io));
	char path[64];

	if (q && !q->ready && io_uring_queue_init(ring_entries, &q->ring, 0) == 0)
		q->ready = true;	/* made on first use, by this thread */
	if (q && q->ready)
		sqe = io_uring_get_sqe(&q->ring);
	if (!io || !sqe) {
		vfsd_reply_err(req, io ? EAGAIN : ENOMEM);
		free(io);
		return;
	}
	*io = (struct io){ .req = req, .fd = (int)fi->fh - 1, .write = write };
	if (!fi->fh) {	/* the page cache, without an open file */
		proc_path(path, fd_of(ino));
		io->fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		io->own_fd = true;
	}
	/* The window is not pinnable: plain buffered I/O, no fixed buffers. */
	if (write)
		io_uring_prep_write(sqe, io->fd, buf, (unsigned int)size, (uint64_t)off);
	else
		io_uring_prep_read(sqe, io->fd, buf, (unsigned int)size, (uint64_t)off);
	io_uring_sqe_set_data(sqe, io);
	q->inflight++;
}

static void pt_read(struct vfsd_req *req, vfsd_ino_t ino, void *buf, size_t size, off_t off,
		    struct vfsd_file_info *fi)
{
	queue_io(req, ino, buf, size, off, fi, false);
}

static void pt_write(struct vfsd_req *req, vfsd_ino_t ino, const void *buf, size_t size,
		     off_t off, struct vfsd_file_info *fi)
{
	queue_io(req, ino, (void *)buf, size, off, fi, true);
}

/*
 * After each batch: submit, reply to what completed, report what is left.
 * wait: nothing new came in, so block until something completes. (A
 * short read here is end of file: buffered host reads of regular files
 * are only short there.)
 */
static int pt_batch_end(void *userdata, unsigned int queue, int wait)
{
	struct queue_ring *q = rings ? &rings[queue] : NULL;
	struct io_uring_cqe *cqe;

	(void)userdata;
	if (!q || !q->inflight)
		return 0;
	io_uring_submit_and_wait(&q->ring, wait ? 1 : 0);
	while (io_uring_peek_cqe(&q->ring, &cqe) == 0) {
		struct io *io = io_uring_cqe_get_data(cqe);

		if (cqe->res < 0)
			vfsd_reply_err(io->req, -cqe->res);
		else if (io->write)
			vfsd_reply_write(io->req, (size_t)cqe->res);
		else
			vfsd_reply_read(io->req, (size_t)cqe->res);
		if (io->own_fd)
			close(io->fd);
		free(io);
		io_uring_cqe_seen(&q->ring, cqe);
		q->inflight--;
	}
	return (int)q->inflight;
}

static void pt_fsync(struct vfsd_req *req, vfsd_ino_t ino, int datasync,
		     struct vfsd_file_info *fi)
{
	int fd = (int)fi->fh - 1, res;

	(void)ino;
	res = datasync ? fdatasync(fd) : fsync(fd);
	vfsd_reply_err(req, res < 0 ? errno : 0);
}

static void pt_mkdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name, mode_t mode)
{
	int dirfd = fd_of(parent);

	if (mkdirat(dirfd, name, mode) < 0)
		vfsd_reply_err(req, errno);
	else
		reply_entry(req, dirfd, name);
}

/* The module creates files with MKNOD, then OPENs them. */
static void pt_mknod(struct vfsd_req *req, vfsd_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	int dirfd = fd_of(parent);

	if (mknodat(dirfd, name, mode, rdev) < 0)
		vfsd_reply_err(req, errno);
	else
		reply_entry(req, dirfd, name);
}

static void pt_unlink(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	vfsd_reply_err(req, unlinkat(fd_of(parent), name, 0) < 0 ? errno : 0);
}

static void pt_rmdir(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	vfsd_reply_err(req, unlinkat(fd_of(parent), name, AT_REMOVEDIR) < 0 ? errno : 0);
}

static void pt_rename(struct vfsd_req *req, vfsd_ino_t parent, const char *name,
		      vfsd_ino_t newparent, const char *newname, unsigned int flags)
{
	int res = renameat2(fd_of(parent), name, fd_of(newparent), newname, flags);

	vfsd_reply_err(req, res < 0 ? errno : 0);
}

static void pt_statfs(struct vfsd_req *req, vfsd_ino_t ino)
{
	struct statvfs st;

	if (fstatvfs(fd_of(ino), &st) < 0)
		vfsd_reply_err(req, errno);
	else
		vfsd_reply_statfs(req, &st);
}

static const struct vfsd_ops ops = {
	.init = pt_init, .destroy = pt_destroy,
	.lookup = pt_lookup, .forget = pt_forget, .getattr = pt_getattr,
	.setattr = pt_setattr, .readlink = pt_readlink, .opendir = pt_opendir,
	.readdir = pt_readdir, .releasedir = pt_releasedir, .open = pt_open,
	.create = pt_create, .release = pt_release, .read = pt_read,
	.write = pt_write, .fsync = pt_fsync, .mknod = pt_mknod, .mkdir = pt_mkdir,
	.unlink = pt_unlink, .rmdir = pt_rmdir, .rename = pt_rename,
	.statfs = pt_statfs, .batch_end = pt_batch_end,
};

int main(int argc, char **argv)
{
	struct vfsd_session_opts opts = VFSD_SESSION_OPTS_INIT;
	struct vfsd_session *s;
	struct stat st;
	int err = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOURCE MOUNTPOINT\n", argv[0]);
		return 2;
	}
	inodes = calloc(2, sizeof(*inodes));
	inodes[VFSD_ROOT_INO].fd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (inodes[VFSD_ROOT_INO].fd < 0 || fstat(inodes[VFSD_ROOT_INO].fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	inodes[VFSD_ROOT_INO].nlookup = 1;	/* never forgotten */
	umask(0);	/* modes arrive with the caller's umask applied */
	opts.rootmode = st.st_mode;
	s = vfsd_session_new(&ops, sizeof(ops), &opts, NULL);
	if (s && vfsd_session_mount(s, argv[2]) == 0)
		err = vfsd_session_loop(s);
	vfsd_session_destroy(s);
	return err ? 1 : 0;
}
