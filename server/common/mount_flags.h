/* SPDX-License-Identifier: MIT */
/* The generic mount options (ro, noexec, noatime, ...) as mount(2) flags. */
#ifndef VFSD_SERVER_MOUNT_FLAGS_H
#define VFSD_SERVER_MOUNT_FLAGS_H

#include <stdbool.h>

/*
 * If name is a generic mount option, apply it to *flags and return true.
 * nosuid/suid and nodev/dev are accepted but change nothing: a vfsd
 * mount is always nosuid,nodev (as FUSE).
 */
bool mount_flag_apply(const char *name, unsigned long *flags);

#endif /* VFSD_SERVER_MOUNT_FLAGS_H */
