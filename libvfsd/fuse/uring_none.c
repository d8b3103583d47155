// SPDX-License-Identifier: MIT
/*
 * Built against a libfuse without FUSE over io_uring (< 3.18, e.g. Debian
 * 12's 3.14): VFSD_FUSE_URING=1 fails the mount and says how to get it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_i.h"

bool vfsd_fuse_uring_wanted(void)
{
	const char *v = getenv("VFSD_FUSE_URING");

	return v && !strcmp(v, "1");
}

int vfsd_fuse_uring_check(void)
{
	vfsd_err("VFSD_FUSE_URING=1: libvfsd was built against libfuse %d.%d, "
		 "which has no io_uring (3.18 or later: tests/vm/fetch-libfuse.sh, "
		 "docs/fuse-transport.md)", FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION);
	return -EOPNOTSUPP;
}

int vfsd_fuse_uring_add_args(struct fuse_args *args)
{
	(void)args;
	return -EOPNOTSUPP;
}

void vfsd_fuse_uring_tune(struct vfsd_fuse *fu, struct fuse_conn_info *conn)
{
	(void)fu;
	(void)conn;
}

int vfsd_fuse_uring_start(struct vfsd_session *s)
{
	(void)s;
	return -EOPNOTSUPP;
}

void vfsd_fuse_uring_stop(struct vfsd_session *s)
{
	(void)s;
}

struct vfsd_fuse_worker *vfsd_fuse_claim(struct vfsd_session *s)
{
	(void)s;
	abort();	/* only libfuse's io_uring threads come without a worker */
}

bool vfsd_fuse_req_uring(fuse_req_t f)
{
	(void)f;
	return false;
}

char *vfsd_fuse_payload(fuse_req_t f, size_t size)
{
	(void)f;
	(void)size;
	return NULL;
}
