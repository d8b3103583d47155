// SPDX-License-Identifier: MIT
/*
 * The session loop: the queue threads do the work; this thread sleeps on
 * the wake pipe until a queue ends, a stop signal arrives or
 * vfsd_session_exit() is called, then unmounts cleanly.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "vfsd_i.h"

VFSD_API void vfsd_session_exit(struct vfsd_session *s)
{
	if (write(s->wake[1], "x", 1) < 0) {
		/* Pipe full: the loop is already awake. */
	}
}

static char wait_wakeup(struct vfsd_session *s)
{
	struct pollfd pfd = { .fd = s->wake[0], .events = POLLIN };
	char c;

	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return 'e';
		if (read(s->wake[0], &c, 1) == 1)
			return c;
		if (errno != EAGAIN && errno != EINTR)
			return 'e';
	}
}

/* Why the queues ended: 0 if the kernel unmounted us, else the error. */
static int queue_result(struct vfsd_session *s)
{
	int err = 0;
	unsigned int i;

	for (i = 0; i < s->nr_queues; i++) {
		int e = __atomic_load_n(&s->queues[i].exit_err, __ATOMIC_ACQUIRE);

		if (e == -ENODEV)
			return 0;
		if (e && !err)
			err = e;
	}
	return err;
}

VFSD_API int vfsd_session_loop(struct vfsd_session *s)
{
	int err;
	char why;

	if (s->fd < 0 && !s->fuse)
		return -ENOTCONN;
	err = vfsd_signals_install(s->wake[1]);
	if (err)
		return err;
	why = wait_wakeup(s);
	vfsd_signals_restore(s->wake[1]);

	err = 0;
	if (why == 'q') {
		err = queue_result(s);
		/* ENODEV: the kernel unmounted it; never umount a stranger. */
		if (!err)
			s->mounted = false;
	} else if (why == 'e') {
		err = -EIO;
	}
	vfsd_session_unmount(s);
	return err;
}
