// SPDX-License-Identifier: MIT
/* /dev/vfsd: open it, negotiate the rings (VFSD_IOC_SETUP), map them. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfsd_i.h"

#define DEVICE	"/dev/vfsd"
#define READ_SLOTS_ENV	"VFSD_READ_SLOTS"

int vfsd_dev_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int vfsd_device_open(void)
{
	int fd = open(DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		vfsd_err(DEVICE " not found: is the vfsd module loaded? "
			 "(modprobe vfsd)");
		return -ENOENT;
	case ENODEV:
	case ENXIO:
		vfsd_err(DEVICE " has no driver: is the vfsd module loaded? "
			 "(modprobe vfsd)");
		return -ENODEV;
	case EACCES:
	case EPERM:
		vfsd_err(DEVICE ": permission denied");
		return -EACCES;
	}
	fd = -errno;
	vfsd_err(DEVICE ": %s", strerror(-fd));
	return fd;
}

/*
 * Read slots if the server asked (VFSD_READ_SLOTS=1 or 0 in the
 * environment says otherwise), never with pinnable pages: those READs get
 * pages of their own.
 */
static bool read_slots_wanted(const struct vfsd_session *s)
{
	const char *env = getenv(READ_SLOTS_ENV);
	bool want = s->opts.read_slots;

	if (env && (!strcmp(env, "0") || !strcmp(env, "1")))
		want = env[0] == '1';
	return want && !s->opts.pinnable;
}

int vfsd_device_setup(struct vfsd_session *s)
{
	struct vfsd_setup st;
	int ret;

	memset(&st, 0, sizeof(st));
	st.abi_version = VFSD_ABI_VERSION;
	st.nr_queues = s->opts.nr_queues;
	st.depth = s->opts.depth;
	st.window_size = s->opts.window_size;
	st.flags = VFSD_SETUP_INTERRUPT |
		   (s->opts.pinnable ? VFSD_SETUP_PIN : 0) |
		   (read_slots_wanted(s) ? VFSD_SETUP_READ_SLOTS : 0);
	ret = ioctl(s->fd, VFSD_IOC_SETUP, &st);
	/* A module older than a flag refuses it: go on without. */
	if (ret < 0 && errno == EINVAL && (st.flags & VFSD_SETUP_READ_SLOTS)) {
		st.flags &= ~VFSD_SETUP_READ_SLOTS;
		ret = ioctl(s->fd, VFSD_IOC_SETUP, &st);
	}
	if (ret < 0 && errno == EINVAL && (st.flags & VFSD_SETUP_PIN)) {
		vfsd_log(VFSD_LOG_WARNING, "the vfsd module cannot hand over "
			 "pinnable pages: DMA into the window will fail");
		st.flags &= ~VFSD_SETUP_PIN;
		ret = ioctl(s->fd, VFSD_IOC_SETUP, &st);
	}
	if (ret < 0 && errno == EINVAL) {
		st.flags = 0;
		ret = ioctl(s->fd, VFSD_IOC_SETUP, &st);
	}
	if (ret < 0) {
		int err = errno;

		if (err == EPROTO)
			vfsd_err("the vfsd module speaks another ABI version "
				 "than libvfsd (%d)", VFSD_ABI_VERSION);
		else if (err == EINVAL)
			vfsd_err("setup refused: queues %u, depth %u, window "
				 "%u bytes (window must be page aligned)",
				 st.nr_queues, st.depth, st.window_size);
		else
			vfsd_err("setup: %s", strerror(err));
		return -err;
	}
	s->setup = st;
	return vfsd_setup_check(&st);
}

/* Map every queue's ring and window, then lay the queues over them. */
int vfsd_device_map(struct vfsd_session *s)
{
	const struct vfsd_setup *st = &s->setup;
	void *rings[VFSD_MAX_QUEUES] = { 0 }, *wins[VFSD_MAX_QUEUES] = { 0 };
	unsigned int i;
	int err = 0;

	for (i = 0; i < st->nr_queues && !err; i++) {
		rings[i] = mmap(NULL, st->ring_size, PROT_READ | PROT_WRITE,
				MAP_SHARED, s->fd, VFSD_MMAP_RING(i));
		/* Never touched outside a live request: that is SIGBUS. */
		wins[i] = mmap(NULL, st->window_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, s->fd, VFSD_MMAP_WINDOW(i));
		if (rings[i] == MAP_FAILED || wins[i] == MAP_FAILED) {
			err = -errno;
			vfsd_err("mmap of queue %u: %s", i, strerror(errno));
		}
	}
	if (!err) {
		err = vfsd_session_attach(s, st, rings, wins);
		if (!err) {
			for (i = 0; i < s->nr_queues; i++)
				s->queues[i].mapped = true;
			return 0;
		}
	}
	for (i = 0; i < st->nr_queues; i++) {
		if (rings[i] && rings[i] != MAP_FAILED)
			munmap(rings[i], st->ring_size);
		if (wins[i] && wins[i] != MAP_FAILED)
			munmap(wins[i], st->window_size);
	}
	return err;
}
