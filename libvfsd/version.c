// SPDX-License-Identifier: MIT
/*
 * The library's version at run time (the header's is VFSD_VERSION_NUM),
 * and the struct sizes the compatibility promise (docs/sdk.md) freezes:
 * a change here breaks servers already built, so it fails the build.
 */
#include <stddef.h>

#include "vfsd_i.h"

/* Filled in by servers and read by us: they only use reserved space. */
_Static_assert(sizeof(struct vfsd_file_info) == 32, "vfsd_file_info size");
_Static_assert(sizeof(struct vfsd_entry_param) == 48 + sizeof(struct stat),
	       "vfsd_entry_param size");
/* Ours, read by servers: the same. */
_Static_assert(sizeof(struct vfsd_conn_info) == 128, "vfsd_conn_info size");
#ifndef VFSD_TEST_GROW_OPTS
/* 0.1's options end with pinnable; new ones go after it. */
_Static_assert(sizeof(struct vfsd_session_opts) == 88 &&
	       offsetof(struct vfsd_session_opts, mount_flags) == 72 &&
	       offsetof(struct vfsd_session_opts, pinnable) == 80,
	       "vfsd_session_opts of 0.1");
#endif

VFSD_API unsigned int vfsd_version(void)
{
	return VFSD_VERSION_NUM;
}
