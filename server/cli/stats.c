// SPDX-License-Identifier: MIT
/* --stats=FILE: see cli/stats.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vfsd/vfsd.h>

#include "cli/stats.h"

struct stats_target {
	const struct backend *b;
	void *state;
	const char *path;
	sigset_t set;
};

static struct stats_target target;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfsd_session *session;	/* under write_lock */
static char *session_last;	/* its last counters, once it is gone */

void server_stats_session(struct vfsd_session *s)
{
	size_t len;
	FILE *f;

	pthread_mutex_lock(&write_lock);
	if (session && !s) {
		free(session_last);
		session_last = NULL;
		f = open_memstream(&session_last, &len);
		if (f) {
			vfsd_session_stats(session, f);
			fclose(f);
		}
	}
	session = s;
	pthread_mutex_unlock(&write_lock);
}

int server_stats_write(const struct backend *b, void *state, const char *path)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	if (!b->stats)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&write_lock);
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
	} else {
		b->stats(state, f);
		if (session)
			vfsd_session_stats(session, f);
		else if (session_last)
			fputs(session_last, f);
		if (fclose(f) != 0)
			err = -errno;
		else if (rename(tmp, path) < 0)
			err = -errno;
	}
	pthread_mutex_unlock(&write_lock);
	if (err)
		vfsd_log(VFSD_LOG_ERR, "stats file %s: %s", path, strerror(-err));
	return err;
}

static void *answer_sigusr1(void *arg)
{
	struct stats_target *t = arg;
	int sig;

	while (sigwait(&t->set, &sig) == 0)
		server_stats_write(t->b, t->state, t->path);
	return NULL;
}

int server_stats_start(const struct backend *b, void *state, const char *path)
{
	pthread_t thread;
	int err;

	if (!b->stats)
		return 0;
	target = (struct stats_target){ .b = b, .state = state, .path = path };
	sigemptyset(&target.set);
	sigaddset(&target.set, SIGUSR1);
	err = pthread_sigmask(SIG_BLOCK, &target.set, NULL);
	if (err)
		return -err;
	err = pthread_create(&thread, NULL, answer_sigusr1, &target);
	if (err)
		return -err;
	pthread_detach(thread);
	return 0;
}
