/* SPDX-License-Identifier: MIT */
/*
 * --stats=FILE: the backend's counters (file bytes the CPU copied; the
 * fpga backend's bytes moved by DMA and by CPU) and the transport's
 * (vfsd_session_stats: bytes copied to move them over FUSE, its INIT
 * capabilities) as "name value" lines, written when the server gets
 * SIGUSR1 and when it exits. Each write replaces FILE whole (rename).
 */
#ifndef VFSD_SERVER_STATS_H
#define VFSD_SERVER_STATS_H

#include "backends/backend.h"

/*
 * Start answering SIGUSR1 (a thread of its own; call after any fork and
 * before the session starts its threads, which inherit the blocked mask).
 * Returns 0 or -errno; a backend without counters needs nothing.
 */
int server_stats_start(const struct backend *b, void *state, const char *path);
/* The mounted session whose transport counters follow (NULL: none). */
void server_stats_session(struct vfsd_session *s);
/* Write the file now: 0 or -errno. */
int server_stats_write(const struct backend *b, void *state, const char *path);

#endif /* VFSD_SERVER_STATS_H */
