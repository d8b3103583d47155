// SPDX-License-Identifier: MIT
/*
 * SIGINT, SIGTERM and SIGHUP wake the session loop through its pipe, so
 * the loop, not a signal handler, unmounts. A handler the application set
 * itself is left alone. An ignored SIGINT or SIGTERM is taken over anyway:
 * shells start background jobs with SIGINT ignored, and a server that
 * cannot be stopped cleanly leaves a dead mount behind. An ignored SIGHUP
 * (nohup) stays ignored.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "vfsd_i.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIG_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

static volatile sig_atomic_t wake_fd = -1;
static struct sigaction saved[NSIG_STOP];
static bool installed[NSIG_STOP];

/* May the loop take over a signal with this disposition? */
static bool may_take(int sig, const struct sigaction *old)
{
	if (old->sa_flags & SA_SIGINFO)
		return false;		/* the application's handler */
	if (old->sa_handler == SIG_DFL)
		return true;
	return old->sa_handler == SIG_IGN && sig != SIGHUP;
}

static void on_signal(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (wake_fd >= 0 && write(wake_fd, "s", 1) < 0) {
		/* Pipe full: the loop is already awake. */
	}
	errno = saved_errno;
}

int vfsd_signals_install(int fd)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;

	if (wake_fd == fd)
		return 0;	/* since the mount already */
	wake_fd = fd;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_STOP; i++) {
		if (sigaction(stop_signals[i], NULL, &saved[i]) < 0)
			return -errno;
		if (!may_take(stop_signals[i], &saved[i]))
			continue;
		if (sigaction(stop_signals[i], &sa, NULL) < 0)
			return -errno;
		installed[i] = true;
	}
	return 0;
}

/* Give the signals back, if the session with wake pipe @fd has them. */
void vfsd_signals_restore(int fd)
{
	size_t i;

	if (wake_fd != fd)
		return;
	for (i = 0; i < NSIG_STOP; i++) {
		if (installed[i])
			sigaction(stop_signals[i], &saved[i], NULL);
		installed[i] = false;
	}
	wake_fd = -1;
}
