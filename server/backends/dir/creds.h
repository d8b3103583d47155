/* SPDX-License-Identifier: MIT */
/*
 * Acting as the caller on the host. A root server switches its thread's
 * fsuid/fsgid (per thread on Linux, unlike setuid) to the request's, so
 * new files get the caller's owner and, with server_permissions, the host
 * checks the caller's access. A server that is not root cannot switch and
 * acts as itself.
 */
#ifndef VFSD_SERVER_DIR_CREDS_H
#define VFSD_SERVER_DIR_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

#include <vfsd/vfsd.h>

struct dir_creds {
	bool switched;
};

/* Become the request's caller (if we are root); undo with leave. */
void dir_creds_enter(struct vfsd_req *req, struct dir_creds *c);
void dir_creds_leave(struct dir_creds *c);

#endif /* VFSD_SERVER_DIR_CREDS_H */
