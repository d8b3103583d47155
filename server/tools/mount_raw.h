/* SPDX-License-Identifier: MIT */
/* mount -t vfsd (no backend): straight to mount(2). */
#ifndef VFSD_SERVER_MOUNT_RAW_H
#define VFSD_SERVER_MOUNT_RAW_H

#include <stdbool.h>

/* Returns mount(8)'s exit code: 0, or 32 after one line to stderr. */
int mount_raw(const char *spec, const char *mountpoint, const char *opts,
	      bool fake);

#endif /* VFSD_SERVER_MOUNT_RAW_H */
