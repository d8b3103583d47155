// SPDX-License-Identifier: MIT
/*
 * Mount and unmount over FUSE. We open /dev/fuse and call mount(2)
 * ourselves (we run as root: no fusermount3), with the same option
 * mapping and the same unmount as the module's mounts, and hand libfuse
 * the fd as "/dev/fd/N", so libfuse only speaks the protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fuse_i.h"

static int open_fuse(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fd = -errno;
		vfsd_err("/dev/fuse: %s%s", strerror(-fd),
			 fd == -ENOENT ? " (modprobe fuse)" : "");
	}
	return fd;
}

/* The libfuse session over our fd, with the server's ops mapped. */
static int new_session(struct vfsd_session *s, struct vfsd_fuse *fu)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_lowlevel_ops ll;
	char dev[32];

	vfsd_fuse_ll_ops(&s->ops, &ll);
	if (fuse_opt_add_arg(&args, "vfsd") ||
	    (fu->uring && vfsd_fuse_uring_add_args(&args))) {
		fuse_opt_free_args(&args);
		return -ENOMEM;
	}
	fu->se = fuse_session_new(&args, &ll, sizeof(ll), s);
	fuse_opt_free_args(&args);
	if (!fu->se) {
		vfsd_err("fuse_session_new failed");
		return -ENOMEM;
	}
	snprintf(dev, sizeof(dev), "/dev/fd/%d", fu->fd);
	if (fuse_session_mount(fu->se, dev) != 0) {
		vfsd_err("libfuse refused %s", dev);
		return -EINVAL;
	}
	return 0;
}

static unsigned int thread_count(const struct vfsd_session_opts *o)
{
	long n = o->nr_queues;

	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > VFSD_MAX_QUEUES ? VFSD_MAX_QUEUES : (unsigned int)n;
}

static int fuse_mount_fs(struct vfsd_session *s, struct vfsd_fuse *fu,
			 const char *mp)
{
	char data[256];

	if (vfsd_fuse_mount_data(data, sizeof(data), fu->fd, &s->opts,
				 getuid(), getgid()) < 0)
		return -ENAMETOOLONG;
	/* nosuid, nodev: the server must not grant privileges. */
	if (mount("vfsd", mp, "fuse.vfsd", MS_NOSUID | MS_NODEV, data) < 0) {
		int err = errno;

		vfsd_mount_error(mp, err, true);
		return -err;
	}
	s->mountpoint = strdup(mp);
	s->mounted = true;
	return s->mountpoint ? 0 : -ENOMEM;
}

int vfsd_fuse_mount(struct vfsd_session *s, const char *mountpoint)
{
	struct vfsd_fuse *fu;
	char *mp;
	int err;

	/* Absolute, so a daemon that changed directory can still unmount. */
	mp = realpath(mountpoint, NULL);
	if (!mp) {
		err = errno;
		vfsd_mount_error(mountpoint, err, true);
		return -err;
	}
	fu = calloc(1, sizeof(*fu));
	if (!fu) {
		free(mp);
		return -ENOMEM;
	}
	s->fuse = fu;
	fu->nr_threads = thread_count(&s->opts);
	/* What reply.c lets a reply carry: an xattr value at most. */
	s->setup.inline_size = VFSD_FUSE_SLOT;
	fu->uring = vfsd_fuse_uring_wanted();
	err = fu->uring ? vfsd_fuse_uring_check() : 0;
	fu->fd = err ? err : open_fuse();
	err = fu->fd < 0 ? fu->fd : new_session(s, fu);
	if (!err)
		err = fuse_mount_fs(s, fu, mp);
	/* The fd reads requests only once mounted: threads after. */
	if (!err)
		err = vfsd_fuse_workers_start(s);
	free(mp);
	if (err) {
		vfsd_fuse_unmount(s);
		vfsd_fuse_free(s);
		vfsd_session_detach(s);
		return err;
	}
	vfsd_log(VFSD_LOG_INFO, "fuse: %u threads on %s%s", fu->nr_threads,
		 s->mountpoint, fu->uring ? " (io_uring asked)" : "");
	vfsd_fuse_tune_readahead(s->mountpoint, s->opts.max_read);
	return 0;
}

/*
 * Unmount (lazily if busy), stop the threads, and end the connection:
 * closing the last /dev/fuse fd (in fuse_session_destroy) fails whatever
 * a lazily detached mount still asks.
 */
void vfsd_fuse_unmount(struct vfsd_session *s)
{
	struct vfsd_fuse *fu = s->fuse;

	if (!fu)
		return;
	vfsd_umount(s);
	vfsd_fuse_workers_stop(s);
	if (fu->se) {
		fuse_session_destroy(fu->se);	/* closes fu->fd */
		fu->se = NULL;
	} else if (fu->fd >= 0) {
		close(fu->fd);
	}
	fu->fd = -1;
}
