/* SPDX-License-Identifier: MIT */
/* Where vfsd-server's log lines go: stderr, the startup pipe, or syslog. */
#ifndef VFSD_SERVER_LOG_H
#define VFSD_SERVER_LOG_H

void server_log_init(void);
void server_log_to_fd(int fd);
void server_log_to_syslog(void);

#endif /* VFSD_SERVER_LOG_H */
