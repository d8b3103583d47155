/* SPDX-License-Identifier: MIT */
/*
 * Going to the background without lying about success: the parent exits 0
 * only once the child reports the mount live, else prints the child's
 * error and exits 1.
 */
#ifndef VFSD_SERVER_DAEMON_H
#define VFSD_SERVER_DAEMON_H

/* Returns in the child only: the fd to log startup errors to, or -1. */
int daemon_start(void);
/* The mount is live: release the parent and detach from the terminal. */
void daemon_ready(int fd);

#endif /* VFSD_SERVER_DAEMON_H */
