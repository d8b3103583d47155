/* SPDX-License-Identifier: MIT */
/*
 * mount.vfsd's translation: a mount(8) request (type vfsd.BACKEND, a
 * source, -o options) into a vfsd-server command line.
 */
#ifndef VFSD_SERVER_MOUNT_ARGS_H
#define VFSD_SERVER_MOUNT_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#define MOUNT_ARGS_MAX 64

struct mount_args {
	char *argv[MOUNT_ARGS_MAX + 1];	/* NULL-terminated; argv[0] unset */
	int argc;
	char *server_opts;	/* the -o list for vfsd-server */
	size_t server_opts_len;
};

/*
 * type: "vfsd.mem", "vfsd.dir", "vfsd.fpga" (or just the backend name).
 * sloppy: ignore unknown options (mount -s) instead of failing.
 * Returns 0, or -1 after one line to err.
 */
int mount_args_build(struct mount_args *a, const char *type, const char *spec,
		     const char *opts, const char *mountpoint, bool sloppy,
		     FILE *err);
void mount_args_free(struct mount_args *a);

#endif /* VFSD_SERVER_MOUNT_ARGS_H */
