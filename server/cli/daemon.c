// SPDX-License-Identifier: MIT
/*
 * The startup pipe: the child writes its log lines into it while it sets
 * up, then a single NUL byte once mounted. The parent relays the lines to
 * its stderr; a trailing NUL means success.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "cli/daemon.h"

static void __attribute__((noreturn)) parent_wait(int fd, pid_t pid)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int status;

	while (len < sizeof(buf) &&
	       ((n = read(fd, buf + len, sizeof(buf) - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (len > 0 && buf[len - 1] == '\0') {
		fwrite(buf, 1, len - 1, stderr);
		exit(0);
	}
	fwrite(buf, 1, len, stderr);
	if (len == 0 && waitpid(pid, &status, 0) == pid) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "vfsd: server killed by signal %d "
				"during startup\n", WTERMSIG(status));
		else
			fprintf(stderr, "vfsd: server exited during startup\n");
	}
	exit(1);
}

int daemon_start(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		vfsd_log(VFSD_LOG_ERR, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		vfsd_log(VFSD_LOG_ERR, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		parent_wait(p[0], pid);
	}
	close(p[0]);
	setsid();	/* no controlling terminal: its hangup is not ours */
	return p[1];
}

void daemon_ready(int fd)
{
	int null = open("/dev/null", O_RDWR);

	if (write(fd, "", 1) < 0) {
		/* The parent is gone: nobody to tell. */
	}
	close(fd);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (chdir("/") < 0) {
		/* Harmless: the mount point path is absolute. */
	}
}
