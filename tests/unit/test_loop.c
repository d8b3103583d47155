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

#include "fake_kernel.h"

static struct vfsd_session *s;
static struct fake_kernel k;

static int setup(void **state)
{
	static const struct vfsd_ops ops;

	(void)state;
	s = vfsd_session_new(&ops, sizeof(ops), NULL, NULL);
	fk_init(&k, s, 4, 0, FK_LAYOUT_KERNEL);
	/* Stands in for /dev/vfsd: ABORT on it fails harmlessly. */
	s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	s->mounted = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fk_fini(&k);
	vfsd_session_destroy(s);
	return 0;
}

static void test_exit(void **state)
{
	(void)state;
	vfsd_session_exit(s);
	assert_int_equal(vfsd_session_loop(s), 0);
}

/* A queue thread that ended tells the loop why through the pipe. */
static void queue_ended(int err)
{
	s->queues[0].exit_err = err;
	assert_int_equal(write(s->wake[1], "q", 1), 1);
}

static void test_unmounted_by_kernel(void **state)
{
	(void)state;
	s->mounted = true;
	s->mountpoint = strdup("/nonexistent-vfsd-test");
	queue_ended(-ENODEV);
	assert_int_equal(vfsd_session_loop(s), 0);
	/* The kernel said it is gone: no umount2() of whatever is there now. */
	assert_false(s->mounted);
}

static void test_queue_failed(void **state)
{
	(void)state;
	queue_ended(-EPROTO);
	assert_int_equal(vfsd_session_loop(s), -EPROTO);
	queue_ended(-ENOTCONN);
	assert_int_equal(vfsd_session_loop(s), -ENOTCONN);
}

static void *send_signal(void *arg)
{
	usleep(50000);
	kill(getpid(), *(int *)arg);
	return NULL;
}

static void loop_until(int sig)
{
	pthread_t t;
	struct sigaction now;

	assert_int_equal(pthread_create(&t, NULL, send_signal, &sig), 0);
	assert_int_equal(vfsd_session_loop(s), 0);
	pthread_join(t, NULL);
	/* The disposition is restored once the loop returns. */
	sigaction(sig, NULL, &now);
	assert_true(now.sa_handler == SIG_DFL || now.sa_handler == SIG_IGN);
}

static void test_stop_signals(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, now;

	(void)state;
	/* Whatever we inherited (nohup, dpkg-buildpackage): the default. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	loop_until(SIGTERM);
	loop_until(SIGHUP);
	/* Background jobs of a shell start with SIGINT ignored. */
	sigaction(SIGINT, &ign, NULL);
	loop_until(SIGINT);
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
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction app = { .sa_handler = app_handler };

	(void)state;
	/* nohup: an ignored SIGHUP stays ignored. */
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGTERM, &app, NULL);
	assert_int_equal(vfsd_signals_install(s->wake[1]), 0);
	kill(getpid(), SIGHUP);
	kill(getpid(), SIGTERM);
	vfsd_signals_restore(s->wake[1]);
	assert_int_equal(app_signals, 1);
	{
		char c;

		assert_int_equal(read(s->wake[0], &c, 1), -1);	/* no wakeup */
		assert_int_equal(errno, EAGAIN);
	}
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exit), T(test_unmounted_by_kernel), T(test_queue_failed),
		T(test_stop_signals), T(test_respects_handlers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
#undef T
}
