// SPDX-License-Identifier: GPL-2.0
/*
 * apicheck: misuse of /dev/vfsd and of the vfsd mount options gets a clear
 * error, never a crash or a half-set-up connection.
 *
 * usage: apicheck MOUNTPOINT      Exit 0 when every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/vfsd.h>

static int failures;

static void expect(const char *what, int ret, int err)
{
	int got = ret < 0 ? errno : 0;

	if (got == err) {
		printf("ok %s: %s\n", what, err ? strerror(err) : "success");
		return;
	}
	printf("FAIL %s: got %s, expected %s\n", what,
	       got ? strerror(got) : "success", err ? strerror(err) : "success");
	failures++;
}

static int setup(int fd, struct vfsd_setup *s, unsigned int depth)
{
	*s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION,
				  .nr_queues = 1, .depth = depth };
	return ioctl(fd, VFSD_IOC_SETUP, s);
}

static int try_mount(const char *mnt, const char *fmt, int fd)
{
	char opts[256];

	snprintf(opts, sizeof(opts), fmt, fd);
	return mount("apicheck", mnt, "vfsd", 0, opts);
}

/* Every feature the header knows; registered buffers only from 7.3. */
static unsigned long long all_features(void)
{
	unsigned long long want = VFSD_FEATURES;
	struct utsname u;
	int major = 0, minor = 0;

	if (!uname(&u))
		sscanf(u.release, "%d.%d", &major, &minor);
	if (major < 7 || (major == 7 && minor < 3))
		want &= ~VFSD_FEAT_URING_BUF;
	return want;
}

static void check_ioctls(void)
{
	struct vfsd_setup s, again;
	struct vfsd_enter e = { 0 };
	void *p, *w;
	int fd = open("/dev/vfsd", O_RDWR);

	expect("open /dev/vfsd", fd, 0);
	expect("unknown ioctl", ioctl(fd, _IO(VFSD_IOC_MAGIC, 99)), ENOTTY);
	expect("ENTER before SETUP", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	expect("mmap before SETUP",
	       mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0,
	       EINVAL);

	s = (struct vfsd_setup){ .abi_version = 999 };
	expect("SETUP with a future ABI", ioctl(fd, VFSD_IOC_SETUP, &s), EPROTO);
	expect("SETUP depth 3", setup(fd, &s, 3), EINVAL);
	expect("SETUP depth 4096", setup(fd, &s, 4096), EINVAL);
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION, .reserved[2] = 1 };
	expect("SETUP with reserved bits", ioctl(fd, VFSD_IOC_SETUP, &s), EINVAL);
	/* features is out only: an older library passes it as zero. */
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION, .features = 1 };
	expect("SETUP with features in", ioctl(fd, VFSD_IOC_SETUP, &s), EINVAL);
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION, .nr_queues = 1000 };
	expect("SETUP 1000 queues", ioctl(fd, VFSD_IOC_SETUP, &s), EINVAL);
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION, .window_size = 12345 };
	expect("SETUP unaligned window", ioctl(fd, VFSD_IOC_SETUP, &s), EINVAL);
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION,
				 .flags = VFSD_SETUP_PIN | VFSD_SETUP_READ_SLOTS };
	expect("SETUP pinnable with read slots", ioctl(fd, VFSD_IOC_SETUP, &s),
	       EINVAL);
	s = (struct vfsd_setup){ .abi_version = VFSD_ABI_VERSION,
				 .flags = VFSD_SETUP_READ_SLOTS,
				 .window_size = 4 * 4096 };
	expect("SETUP read slots in a 4-page window",
	       ioctl(fd, VFSD_IOC_SETUP, &s), EINVAL);
	expect("SETUP bad pointer", ioctl(fd, VFSD_IOC_SETUP, (void *)8), EFAULT);
	expect("SETUP", setup(fd, &s, 16), 0);
	expect("SETUP reports every feature",
	       s.features == all_features() ? 0 : (errno = EPROTO, -1), 0);
	expect("SETUP twice", setup(fd, &again, 16), EBUSY);

	e.queue = 1;
	expect("ENTER on a queue that does not exist", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .flags = 0x80 };
	expect("ENTER with unknown flags", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .flags = VFSD_ENTER_POLL };
	expect("ENTER POLL for 0 us", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e.poll_us = VFSD_MAX_POLL_US + 1;
	expect("ENTER POLL too long", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .flags = VFSD_ENTER_POLL | VFSD_ENTER_WAIT, .poll_us = 10 };
	expect("ENTER POLL and WAIT", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .poll_us = 10 };
	expect("ENTER poll_us without POLL", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .reserved = 1 };
	expect("ENTER with reserved bits", ioctl(fd, VFSD_IOC_ENTER, &e), EINVAL);
	e = (struct vfsd_enter){ .flags = VFSD_ENTER_POLL, .poll_us = 10 };
	expect("ENTER POLL", ioctl(fd, VFSD_IOC_ENTER, &e), 0);
	e = (struct vfsd_enter){ 0 };
	expect("ENTER without waiting", ioctl(fd, VFSD_IOC_ENTER, &e), 0);

	p = mmap(NULL, s.ring_size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 VFSD_MMAP_RING(0));
	expect("mmap ring too large", p == MAP_FAILED ? -1 : 0, EINVAL);
	p = mmap(NULL, s.ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 VFSD_MMAP_RING(0));
	expect("mmap ring private", p == MAP_FAILED ? -1 : 0, EINVAL);
	p = mmap(NULL, s.ring_size, PROT_READ, MAP_SHARED, fd, VFSD_MMAP_RING(1));
	expect("mmap ring of a missing queue", p == MAP_FAILED ? -1 : 0, EINVAL);
	p = mmap(NULL, s.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 VFSD_MMAP_RING(0) + 4096);
	expect("mmap at an unknown offset", p == MAP_FAILED ? -1 : 0, EINVAL);
	w = mmap(NULL, s.window_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 VFSD_MMAP_WINDOW(0));
	expect("mmap window", w == MAP_FAILED ? -1 : 0, 0);
	p = mmap(NULL, s.window_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 VFSD_MMAP_WINDOW(0));
	expect("mmap window twice", p == MAP_FAILED ? -1 : 0, EBUSY);
	expect("split the window", munmap(w, 4096), EINVAL);
	expect("unmap the window", munmap(w, s.window_size), 0);
	expect("ABORT", ioctl(fd, VFSD_IOC_ABORT), 0);
	expect("ENTER after ABORT", ioctl(fd, VFSD_IOC_ENTER, &e), ENOTCONN);
	close(fd);
}

static void check_mount_options(const char *mnt)
{
	struct vfsd_setup s;
	int nul = open("/dev/null", O_RDONLY);
	int fresh = open("/dev/vfsd", O_RDWR);
	int fd = open("/dev/vfsd", O_RDWR);

	expect("mount without fd=", try_mount(mnt, "rootmode=040755", 0), EINVAL);
	expect("mount fd of /dev/null", try_mount(mnt, "fd=%d", nul), EINVAL);
	expect("mount fd that is not open", try_mount(mnt, "fd=%d", 1000), EINVAL);
	expect("mount before SETUP", try_mount(mnt, "fd=%d", fresh), EINVAL);
	expect("SETUP", setup(fd, &s, 16), 0);
	expect("mount rootmode of a file",
	       try_mount(mnt, "fd=%d,rootmode=0100644", fd), EINVAL);
	expect("mount max_read=100", try_mount(mnt, "fd=%d,max_read=100", fd), EINVAL);
	expect("mount unknown option", try_mount(mnt, "fd=%d,bogus", fd), EINVAL);
	expect("mount user_id=-1", try_mount(mnt, "fd=%d,user_id=4294967295", fd), EINVAL);
	expect("mount", try_mount(mnt, "fd=%d", fd), 0);
	expect("mount the same connection twice", try_mount(mnt, "fd=%d", fd), EINVAL);
	expect("remount with options",
	       mount("apicheck", mnt, "vfsd", MS_REMOUNT, "max_read=4096"), 0);
	expect("umount", umount2(mnt, 0), 0);
	close(fd);
	close(fresh);
	close(nul);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: apicheck MOUNTPOINT\n");
		return 2;
	}
	check_ioctls();
	check_mount_options(argv[1]);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
