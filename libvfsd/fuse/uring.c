// SPDX-License-Identifier: MIT
/*
 * FUSE over io_uring (Linux >= 6.14 with fuse's enable_uring=1, libfuse
 * >= 3.18): VFSD_FUSE_URING=1 passes libfuse "-o io_uring" and runs
 * libfuse's own multithreaded loop instead of our /dev/fuse workers.
 * At INIT libfuse starts one ring thread per CPU, pinned to it, each with
 * its own io_uring of fuse ring entries; once the kernel has every
 * queue, requests arrive as io_uring completions and replies go back as
 * the next FUSE_IO_URING_CMD_COMMIT_AND_FETCH: no read() or write() of
 * /dev/fuse per request. INIT, FORGET and INTERRUPT still come over
 * /dev/fuse, served by the loop's threads.
 *
 * Those threads are libfuse's, so each takes a worker slot (queue) the
 * first time it calls one of our ops. The ring's threads (one per
 * possible CPU) and the loop's (at most nr_threads; libfuse's default
 * keeps idle ones) are bounded, and the slots are allocated for both up
 * front.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "fuse_i.h"

bool vfsd_fuse_uring_wanted(void)
{
	const char *v = getenv("VFSD_FUSE_URING");

	return v && !strcmp(v, "1");
}

int vfsd_fuse_uring_check(void)
{
	return 0;
}

int vfsd_fuse_uring_add_args(struct fuse_args *args)
{
	return fuse_opt_add_arg(args, "-o") || fuse_opt_add_arg(args, "io_uring") ?
		-ENOMEM : 0;
}

/*
 * Asked for: the kernel offers it only with enable_uring=1 (else it shows
 * as refused in --stats). Not asked for: off, even if libfuse's
 * FUSE_URING_ENABLE is set, as our own workers cannot serve its threads.
 */
void vfsd_fuse_uring_tune(struct vfsd_fuse *fu, struct fuse_conn_info *conn)
{
	if (fu->uring) {
		fu->requested |= FUSE_CAP_OVER_IO_URING;
		conn->want |= conn->capable & FUSE_CAP_OVER_IO_URING;
		if (!(conn->capable & FUSE_CAP_OVER_IO_URING))
			vfsd_log(VFSD_LOG_WARNING, "fuse: the kernel offers no "
				 "io_uring (echo 1 > /sys/module/fuse/parameters/"
				 "enable_uring; Linux >= 6.14): /dev/fuse only");
	} else {
		conn->want &= ~FUSE_CAP_OVER_IO_URING;
	}
}

struct vfsd_fuse_worker *vfsd_fuse_claim(struct vfsd_session *s)
{
	unsigned int i = __atomic_fetch_add(&s->fuse->claimed, 1, __ATOMIC_RELAXED);
	struct vfsd_fuse_worker *w;

	if (i >= s->nr_queues) {
		/* The bound above is broken: a bug, not a load condition. */
		vfsd_err("fuse io_uring: more than %u libfuse threads", s->nr_queues);
		abort();
	}
	w = s->queues[i].fuse;
	w->libfuse_thread = true;
	vfsd_fuse_set_self(w);
	return w;
}

bool vfsd_fuse_req_uring(fuse_req_t f)
{
	return fuse_req_is_uring(f);
}

char *vfsd_fuse_payload(fuse_req_t f, size_t size)
{
	char *payload;
	size_t room;

	if (!fuse_req_is_uring(f) ||
	    fuse_req_get_payload(f, &payload, &room, NULL) != 0 || room < size)
		return NULL;
	return payload;
}

static void *loop_thread(void *arg)
{
	struct vfsd_session *s = arg;
	struct vfsd_fuse *fu = s->fuse;
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	int err = -ENOMEM;

	if (cfg) {
		fuse_loop_cfg_set_clone_fd(cfg, 0);
		/* Idle threads stay (libfuse's default): slots are not reused. */
		fuse_loop_cfg_set_max_threads(cfg, fu->nr_threads);
		err = fuse_session_loop_mt(fu->se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	/* 0: the connection ended (unmounted) or vfsd_fuse_uring_stop(). */
	if (err)
		vfsd_err("fuse io_uring loop: %s", strerror(err < 0 ? -err : err));
	__atomic_store_n(&s->queues[0].exit_err, err ? -EIO : -ENODEV,
			 __ATOMIC_RELEASE);
	if (write(s->wake[1], "q", 1) < 0) {
		/* Full pipe: the loop is awake anyway. */
	}
	return NULL;
}

int vfsd_fuse_uring_start(struct vfsd_session *s)
{
	struct vfsd_fuse *fu = s->fuse;
	unsigned int n = fu->nr_threads + (unsigned int)get_nprocs_conf();
	sigset_t all, old;
	int err;

	if (n > VFSD_MAX_QUEUES)
		n = VFSD_MAX_QUEUES;
	err = vfsd_fuse_queues_alloc(s, n);
	if (err)
		return err;
	/* Signals go to the session loop's thread, not libfuse's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&fu->loop_thread, NULL, loop_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		vfsd_err("cannot start the fuse loop: %s", strerror(-err));
		return err;
	}
	fu->loop_started = true;
	vfsd_log(VFSD_LOG_INFO, "fuse: io_uring asked; libfuse's loop, up to "
		 "%u /dev/fuse threads and one ring thread per CPU",
		 fu->nr_threads);
	return 0;
}

/*
 * fuse_session_exit() wakes the loop, which cancels its /dev/fuse
 * threads and stops the ring threads (an eventfd each) before it returns.
 */
void vfsd_fuse_uring_stop(struct vfsd_session *s)
{
	struct vfsd_fuse *fu = s->fuse;

	if (!fu->loop_started)
		return;
	fuse_session_exit(fu->se);
	pthread_join(fu->loop_thread, NULL);
	fu->loop_started = false;
}
