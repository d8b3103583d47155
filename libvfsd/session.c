// SPDX-License-Identifier: MIT
/*
 * The session: the server's ops and options, and the queues once the
 * connection is set up. vfsd_session_attach() lays the queues over ring
 * and window memory; mount() gets that memory from mmap(), the unit tests
 * from malloc().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"
#include "vfsd_i.h"

#define POLL_ENV	"VFSD_POLL_US"
/* Far more than the options will ever grow to. */
#define OPTS_SIZE_MAX	4096

static int check_opts(const struct vfsd_session_opts *o)
{
	if (o->transport > VFSD_TRANSPORT_FUSE) {
		vfsd_err("unknown transport %d", (int)o->transport);
		return -EINVAL;
	}
	if (o->nr_queues > VFSD_MAX_QUEUES) {
		vfsd_err("at most %u queues", VFSD_MAX_QUEUES);
		return -EINVAL;
	}
	if (o->depth && (!ring_is_pow2(o->depth) || o->depth > VFSD_MAX_DEPTH)) {
		vfsd_err("queue depth must be a power of two up to %u",
			 VFSD_MAX_DEPTH);
		return -EINVAL;
	}
	if (o->window_size > VFSD_MAX_WINDOW) {
		vfsd_err("window size is at most %u bytes", VFSD_MAX_WINDOW);
		return -EINVAL;
	}
	if ((o->rootmode & S_IFMT) != S_IFDIR) {
		vfsd_err("the root must be a directory");
		return -EINVAL;
	}
	if (o->poll_us < VFSD_POLL_DEFAULT || o->poll_us > VFSD_MAX_POLL_US) {
		vfsd_err("poll time is 0 (never) to %u microseconds, or "
			 "VFSD_POLL_DEFAULT", VFSD_MAX_POLL_US);
		return -EINVAL;
	}
#ifdef VFSD_TEST_GROW_OPTS
	/* Checked like any real option: garbage here must fail. */
	vfsd_log(VFSD_LOG_INFO, "test: grown option reads %llu",
		 (unsigned long long)o->test_grown);
	if (o->test_grown) {
		vfsd_err("test_grown must be 0");
		return -EINVAL;
	}
#endif
	return 0;
}

/*
 * Copy the caller's options: the size bytes it was built with. Options
 * it does not know keep their default (0); options we do not know must
 * be 0 (unset), or the server needs a newer library.
 */
static int copy_opts(struct vfsd_session_opts *dst,
		     const struct vfsd_session_opts *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->size = sizeof(*dst);
	if (!src) {
		dst->poll_us = VFSD_POLL_DEFAULT;
		return 0;
	}
	/* 0 or garbage: the server did not start from the initializer. */
	if (src->size < sizeof(src->size) || src->size > OPTS_SIZE_MAX) {
		vfsd_err("session options with size %zu: start from "
			 "VFSD_SESSION_OPTS_INIT", src->size);
		return -EINVAL;
	}
	for (i = sizeof(*dst); i < src->size; i++) {
		if (((const char *)src)[i]) {
			vfsd_err("the server's options need a newer libvfsd");
			return -EINVAL;
		}
	}
	memcpy(dst, src, src->size < sizeof(*dst) ? src->size : sizeof(*dst));
	dst->size = sizeof(*dst);
	return 0;
}

/*
 * opts.poll_us, unless VFSD_POLL_US in the environment says otherwise;
 * 0 is never in both. The kernel's VFSD_FEAT_POLL is checked at setup.
 */
static int poll_setting(struct vfsd_session *s)
{
	const char *env = getenv(POLL_ENV);
	long us = s->opts.poll_us;
	char *end;

	if (env && *env) {
		errno = 0;
		us = strtol(env, &end, 10);
		if (errno || *end || us < 0 || us > VFSD_MAX_POLL_US) {
			vfsd_err(POLL_ENV "=%s: want 0 (never) to %u microseconds",
				 env, VFSD_MAX_POLL_US);
			return -EINVAL;
		}
		s->poll_us = us;
		return 0;
	}
	if (us != VFSD_POLL_DEFAULT) {
		s->poll_us = us;
		return 0;
	}
	s->poll_us = VFSD_DEFAULT_POLL_US;
	/* With one CPU, a polling thread only keeps the caller off it. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		s->poll_us = 0;
	return 0;
}

VFSD_API struct vfsd_session *vfsd_session_new(const struct vfsd_ops *ops,
					       size_t ops_size,
					       const struct vfsd_session_opts *opts,
					       void *userdata)
{
	struct vfsd_session *s;
	size_t i;

	/* A newer server may set ops this library does not know. */
	for (i = sizeof(struct vfsd_ops); i < ops_size; i++) {
		if (((const char *)ops)[i]) {
			vfsd_err("the server needs a newer libvfsd");
			return NULL;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		vfsd_err("out of memory");
		return NULL;
	}
	memcpy(&s->ops, ops, ops_size < sizeof(s->ops) ? ops_size : sizeof(s->ops));
#ifdef VFSD_TEST_GROW_OPTS
	vfsd_log(VFSD_LOG_INFO, "test: grown op is %s",
		 s->ops.test_grown_op ? "set" : "NULL");
#endif
	if (copy_opts(&s->opts, opts)) {
		free(s);
		return NULL;
	}
	if (!(s->opts.rootmode & S_IFMT))
		s->opts.rootmode |= S_IFDIR;
	if (!(s->opts.rootmode & 07777))
		s->opts.rootmode |= 0755;
	s->userdata = userdata;
	s->fd = -1;
	s->dev_ioctl = vfsd_dev_ioctl;
	s->wake[0] = s->wake[1] = -1;
	if (check_opts(&s->opts) || poll_setting(s)) {
		free(s);
		return NULL;
	}
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		vfsd_err("pipe: %s", strerror(errno));
		free(s);
		return NULL;
	}
	return s;
}

static int queue_init(struct vfsd_session *s, struct vfsd_queue *q,
		      unsigned int index, char *ring, char *window)
{
	const struct vfsd_setup *st = &s->setup;

	q->s = s;
	q->index = index;
	q->hdr = (struct vfsd_ring_hdr *)ring;
	q->sq = (struct vfsd_sqe *)(ring + st->sqe_off);
	q->cq = (struct vfsd_cqe *)(ring + st->cqe_off);
	q->inline_base = ring + st->inline_off;
	q->window = window;
	/* Our own copies: the header is shared memory we only cross-check. */
	q->depth = st->depth;
	q->mask = st->depth - 1;
	if (q->hdr->depth != q->depth || q->hdr->mask != q->mask) {
		vfsd_err("queue %u: ring header disagrees with setup", index);
		return -EPROTO;
	}
	/* We are the only writers of these two. */
	q->sq_head = q->hdr->sq_head;
	q->cq_tail = q->hdr->cq_tail;
	q->reqs = calloc(q->depth, sizeof(*q->reqs));
	q->inbufs = malloc((size_t)q->depth * (st->inline_size + 1));
	if (!q->reqs || !q->inbufs)
		return -ENOMEM;
	return 0;
}

int vfsd_session_attach(struct vfsd_session *s, const struct vfsd_setup *setup,
			void *const rings[], void *const windows[])
{
	unsigned int i;
	int err;

	err = vfsd_setup_check(setup);
	if (err)
		return err;
	s->setup = *setup;
	vfsd_conn_from_setup(s);
	s->queues = calloc(setup->nr_queues, sizeof(*s->queues));
	if (!s->queues)
		return -ENOMEM;
	s->nr_queues = setup->nr_queues;
	for (i = 0; i < s->nr_queues; i++) {
		err = queue_init(s, &s->queues[i], i, rings[i], windows[i]);
		if (err) {
			vfsd_session_detach(s);
			return err;
		}
	}
	return 0;
}

void vfsd_session_detach(struct vfsd_session *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_queues; i++) {
		struct vfsd_queue *q = &s->queues[i];

		if (q->mapped) {
			munmap(q->hdr, s->setup.ring_size);
			munmap(q->window, s->setup.window_size);
		}
		free(q->reqs);
		free(q->inbufs);
	}
	free(s->queues);
	s->queues = NULL;
	s->nr_queues = 0;
}

static int session_mount_transport(struct vfsd_session *s,
				   const char *mountpoint)
{
	int err;

	if (s->transport == VFSD_TRANSPORT_FUSE)
		return vfsd_fuse_mount(s, mountpoint);
	err = vfsd_device_open();
	if (err < 0)
		return err;
	s->fd = err;
	err = vfsd_device_setup(s);
	if (!err)
		err = vfsd_device_map(s);
	if (err)
		goto fail;
	if (!s->initialized && s->ops.init)
		s->ops.init(s->userdata, &s->conn);
	s->initialized = true;
	/* Threads first: the kernel may need answers to finish the mount. */
	err = vfsd_queues_start(s);
	if (!err)
		err = vfsd_mount(s, mountpoint);
	if (!err)
		return 0;
	vfsd_queues_stop(s);
fail:
	vfsd_session_detach(s);
	close(s->fd);
	s->fd = -1;
	return err;
}

VFSD_API int vfsd_session_mount(struct vfsd_session *s, const char *mountpoint)
{
	int err;

	if (s->fd >= 0 || s->fuse)
		return -EBUSY;
	err = vfsd_session_choose(s);
	if (err)
		return err;
	/*
	 * Stop signals wake the loop from before the mount can be seen: one
	 * that comes before vfsd_session_loop() runs still unmounts cleanly
	 * instead of killing the server (or being lost if it was ignored).
	 */
	err = vfsd_signals_install(s->wake[1]);
	if (err)
		return err;
	err = session_mount_transport(s, mountpoint);
	if (err)
		vfsd_signals_restore(s->wake[1]);
	return err;
}

VFSD_API void vfsd_session_unmount(struct vfsd_session *s)
{
	if (s->transport == VFSD_TRANSPORT_FUSE) {
		vfsd_fuse_unmount(s);
		return;
	}
	vfsd_umount(s);
	vfsd_queues_stop(s);
}

void vfsd_session_run_destroy(struct vfsd_session *s)
{
	if (s->initialized && s->ops.destroy)
		s->ops.destroy(s->userdata);
	s->initialized = false;
}

VFSD_API void vfsd_session_destroy(struct vfsd_session *s)
{
	if (!s)
		return;
	vfsd_session_unmount(s);
	vfsd_signals_restore(s->wake[1]);
	vfsd_session_run_destroy(s);
	vfsd_fuse_free(s);
	vfsd_session_detach(s);
	if (s->fd >= 0)
		close(s->fd);
	close(s->wake[0]);
	close(s->wake[1]);
	free(s->mountpoint);
	free(s);
}
