// SPDX-License-Identifier: MIT
/* Per-thread fsuid/fsgid switching; see backends/dir/creds.h. */
#include <sys/syscall.h>
#include <unistd.h>

#include "backends/dir/creds.h"

/*
 * Raw syscalls: glibc's setgroups() changes every thread, the syscall only
 * the caller. Root's own supplementary groups must not leak to callers:
 * drop them once per thread (a root fsuid does not need them).
 */
static __thread bool groups_dropped;

void dir_creds_enter(struct vfsd_req *req, struct dir_creds *c)
{
	const struct vfsd_ctx *ctx = vfsd_req_ctx(req);

	c->switched = false;
	if (geteuid() != 0 || (ctx->uid == 0 && ctx->gid == 0))
		return;
	if (!groups_dropped) {
		syscall(SYS_setgroups, 0, NULL);
		groups_dropped = true;
	}
	syscall(SYS_setfsgid, ctx->gid);
	syscall(SYS_setfsuid, ctx->uid);
	c->switched = true;
}

void dir_creds_leave(struct dir_creds *c)
{
	if (!c->switched)
		return;
	syscall(SYS_setfsuid, 0);
	syscall(SYS_setfsgid, 0);
	c->switched = false;
}
