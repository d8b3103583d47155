/* SPDX-License-Identifier: MIT */
/* systemd's readiness protocol, without libsystemd. */
#ifndef VFSD_SERVER_SD_NOTIFY_H
#define VFSD_SERVER_SD_NOTIFY_H

/*
 * Send state ("READY=1", "STOPPING=1", ...) to $NOTIFY_SOCKET, a unix
 * datagram socket (a path, or @name for the abstract namespace). Returns
 * 1 if sent, 0 if there is no socket to tell, -1 on error.
 */
int sd_notify_send(const char *state);

#endif /* VFSD_SERVER_SD_NOTIFY_H */
