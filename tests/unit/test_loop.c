// SPDX-License-Identifier: MIT
/*
 * The session loop and its stop signals, without the device: what wakes
 * the loop, what it returns, and which signal dispositions it takes over.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fk_session.h"

static int setup(void **state)
{
	static const struct vfsd_ops ops;
	struct fk_session *fx;

	fk_session_setup(state, &ops, NULL, 4);
	fx = *state;
	/* Stands in for /dev/vfsd: ABORT on it fails harmlessly. */
	fx->s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fx->s->mounted = false;
	return 0;
}

static void test_exit(void **state)
{
	struct fk_session *fx = *state;

	vfsd_session_exit(fx->s);
	assert_int_equal(vfsd_session_loop(fx->s), 0);
}

/* A queue thread that ended tells the loop why through the pipe. */
static void queue_ended(struct fk_session *fx, int err)
{
	fx->s->queues[0].exit_err = err;
	assert_int_equal(write(fx->s->wake[1], "q", 1), 1);
}

static void test_unmounted_by_kernel(void **state)
{
	struct fk_session *fx = *state;

	fx->s->mounted = true;
	fx->s->mountpoint = strdup("/nonexistent-vfsd-test");
	queue_ended(fx, -ENODEV);
	assert_int_equal(vfsd_session_loop(fx->s), 0);
	/* The kernel said it is gone: no umount2() of whatever is there now. */
	assert_false(fx->s->mounted);
}

static void test_queue_failed(void **state)
{
	struct fk_session *fx = *state;

	queue_ended(fx, -EPROTO);
	assert_int_equal(vfsd_session_loop(fx->s), -EPROTO);
	queue_ended(fx, -ENOTCONN);
	assert_int_equal(vfsd_session_loop(fx->s), -ENOTCONN);
}

static void *send_signal(void *arg)
{
	usleep(50000);
	kill(getpid(), *(int *)arg);
	return NULL;
}

static void loop_until(struct fk_session *fx, int sig)
{
	pthread_t t;
	struct sigaction now;

	assert_int_equal(pthread_create(&t, NULL, send_signal, &sig), 0);
	assert_int_equal(vfsd_session_loop(fx->s), 0);
	pthread_join(t, NULL);
	/* The disposition is restored once the loop returns. */
	sigaction(sig, NULL, &now);
	assert_true(now.sa_handler == SIG_DFL || now.sa_handler == SIG_IGN);
}

static void test_stop_signals(void **state)
{
	struct fk_session *fx = *state;
	struct sigaction ign = { .sa_handler = SIG_IGN }, now;

	/* Whatever we inherited (nohup, dpkg-buildpackage): the default. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	loop_until(fx, SIGTERM);
	loop_until(fx, SIGHUP);
	/* Background jobs of a shell start with SIGINT ignored. */
	sigaction(SIGINT, &ign, NULL);
	loop_until(fx, SIGINT);
	sigaction(SIGINT, NULL, &now);
	assert_true(now.sa_handler == SIG_IGN);
	signal(SIGINT, SIG_DFL);
}

static int app_signals;

static void app_handler(int sig)
{
	(void)sig;
	app_signals++;
}

static void test_respects_handlers(void **state)
{
	struct fk_session *fx = *state;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction app = { .sa_handler = app_handler };

	/* nohup: an ignored SIGHUP stays ignored. */
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGTERM, &app, NULL);
	assert_int_equal(vfsd_signals_install(fx->s->wake[1]), 0);
	kill(getpid(), SIGHUP);
	kill(getpid(), SIGTERM);
	vfsd_signals_restore(fx->s->wake[1]);
	assert_int_equal(app_signals, 1);
	{
		char c;

		assert_int_equal(read(fx->s->wake[0], &c, 1), -1);	/* no wakeup */
		assert_int_equal(errno, EAGAIN);
	}
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fk_session_teardown)

	const struct CMUnitTest tests[] = {
		T(test_exit), T(test_unmounted_by_kernel), T(test_queue_failed),
		T(test_stop_signals), T(test_respects_handlers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
