/* SPDX-License-Identifier: MIT */
/* vfsd-server's command line. */
#ifndef VFSD_SERVER_OPTIONS_H
#define VFSD_SERVER_OPTIONS_H

#include <stdbool.h>

#include <vfsd/vfsd.h>

#include "backends/backend.h"

struct server_opts {
	const char *backend;
	const char *mountpoint;
	bool foreground;
	bool help;
	bool version;
	const char *stats_file;	/* --stats=FILE, or NULL */
	struct backend_config cfg;
	struct vfsd_session_opts session;
};

/*
 * Parse argv into o (defaults first). Returns 0, or -1 after printing one
 * line to stderr. Leaves argv order alone.
 */
int server_parse_args(int argc, char **argv, struct server_opts *o);
void server_usage(FILE *out, const char *prog);

#endif /* VFSD_SERVER_OPTIONS_H */
