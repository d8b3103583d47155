/* SPDX-License-Identifier: MIT */
/*
 * vfsd-server backends. A backend is a libvfsd ops table plus a lifecycle:
 * create() checks the configuration and builds the state every op gets as
 * userdata. Write-path ops (setattr, create, write, ...) belong in the same
 * ops table; a read-only backend answers them EROFS.
 */
#ifndef VFSD_SERVER_BACKEND_H
#define VFSD_SERVER_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <vfsd/vfsd.h>

struct fpga_config;

/* -o source_dio: the dir backend's data I/O on its source. */
enum source_dio {
	SOURCE_DIO_AUTO,	/* O_DIRECT if the source is on a block device */
	SOURCE_DIO_ON,
	SOURCE_DIO_OFF,
};

struct backend_config {
	const char *source;	/* what to serve, backend specific */
	double attr_timeout;	/* attribute cache, seconds */
	double entry_timeout;	/* name cache, seconds */
	bool keep_cache;	/* keep cached file pages across opens */
	bool server_permissions; /* the kernel does not check access: we do */
	uint64_t size;		/* bytes of storage (mem), 0: default */
	enum source_dio source_dio;	/* dir */
	bool no_source_fixed;	/* dir: -o source_fixed=off */
	const struct fpga_config *fpga;	/* fpga: cli/options_fpga.c */
};

struct backend {
	const char *name;
	const char *summary;
	/* Returns 0, or a negative errno after logging one line. */
	int (*create)(const struct backend_config *cfg, void **state);
	void (*destroy)(void *state);
	/* For the mount's rootmode= option. */
	mode_t (*root_mode)(void *state);
	const struct vfsd_ops *ops;
	/* Optional: the session is mounted (direct-map regions need it). */
	void (*mounted)(void *state, struct vfsd_session *s);
	/* Optional: counters as "name value" lines (--stats=FILE). */
	void (*stats)(void *state, FILE *out);
	/* Works only over the module (DMA into the pages it maps), not FUSE. */
	bool needs_module;
	/* Optional: its I/O pins window pages (session opts.pinnable). */
	bool (*pins_window)(void *state);
};

extern const struct backend backend_dir;
extern const struct backend backend_mem;
extern const struct backend backend_fpga;

const struct backend *backend_find(const char *name);
void backend_list(FILE *out);

#endif /* VFSD_SERVER_BACKEND_H */
