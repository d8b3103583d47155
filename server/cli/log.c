// SPDX-License-Identifier: MIT
/* vfsd-server's log sink, for its own messages and libvfsd's. */
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "cli/log.h"

static int log_fd = STDERR_FILENO;
static bool use_syslog;

static void server_log(enum vfsd_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (use_syslog) {
		vsyslog((int)level, fmt, ap);
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per line: lines from queue threads do not interleave. */
	dprintf(log_fd, "vfsd: %s\n", line);
}

void server_log_init(void)
{
	vfsd_set_log_func(server_log);
}

void server_log_to_fd(int fd)
{
	log_fd = fd;
}

void server_log_to_syslog(void)
{
	openlog("vfsd-server", LOG_PID, LOG_DAEMON);
	use_syslog = true;
}
