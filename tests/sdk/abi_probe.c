// SPDX-License-Identifier: MIT
/*
 * A server's view of libvfsd's ABI, built against one installed library
 * and run against another (tests/sdk/upgrade.sh). It sets options the
 * way a server does, from VFSD_SESSION_OPTS_INIT, with its own data
 * right after them (which a library that read past opts.size would take
 * for options it has and the server does not), creates a session and
 * checks what the library made of the options. Needs no kernel: the
 * session is never mounted. Prints the library's log lines to stdout.
 *
 * PROBE_SET_GROWN=1 (built with -DVFSD_TEST_GROW_OPTS): also set the
 * option only the grown header has, which an older library must refuse.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/vfsd.h>
#include <vfsd/vfsd.h>

static void log_stdout(enum vfsd_log_level level, const char *fmt, va_list ap)
{
	printf("probe: log %d: ", (int)level);
	vprintf(fmt, ap);
	putchar('\n');
}

static void probe_lookup(struct vfsd_req *req, vfsd_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	vfsd_reply_err(req, ENOENT);
}

static const struct vfsd_ops ops = { .lookup = probe_lookup };

int main(void)
{
	struct {
		struct vfsd_session_opts o;
		uint64_t after[4];	/* the server's own data */
	} w = { .o = VFSD_SESSION_OPTS_INIT };
	struct vfsd_session *s;
	unsigned int v = vfsd_version();
	const char *t;

	memset(w.after, 0xa5, sizeof(w.after));
	vfsd_set_log_func(log_stdout);
	printf("probe: header %d.%d.%d (opts %zu bytes, ops %zu), library %u.%u.%u\n",
	       VFSD_VERSION_MAJOR, VFSD_VERSION_MINOR, VFSD_VERSION_MICRO,
	       sizeof(w.o), sizeof(ops), v >> 16, (v >> 8) & 0xff, v & 0xff);
	if (v >> 16 != VFSD_VERSION_MAJOR) {
		printf("probe: library major %u, built for %d\n", v >> 16,
		       VFSD_VERSION_MAJOR);
		return 1;
	}
	w.o.nr_queues = 3;
	w.o.transport = VFSD_TRANSPORT_FUSE;
	w.o.poll_us = 0;
	w.o.mount_flags = MS_RDONLY;	/* the last field of 0.1 */
#ifdef VFSD_TEST_GROW_OPTS
	if (getenv("PROBE_SET_GROWN"))
		w.o.test_grown = 1;
#endif
	s = vfsd_session_new(&ops, sizeof(ops), &w.o, NULL);
	if (!s) {
		printf("probe: vfsd_session_new failed\n");
		return 1;
	}
	/* The transport sits after size: the library read our layout. */
	t = vfsd_session_transport(s);
	printf("probe: transport %s, conn %s, pci 00:05.0 is %#x\n", t,
	       vfsd_session_conn(s) ? "set" : "not yet",
	       (unsigned int)VFSD_PCI_DEV(0, 0, 5, 0));
	vfsd_session_destroy(s);
	if (strcmp(t, "fuse") != 0) {
		printf("probe: options misread\n");
		return 1;
	}
	printf("probe: ok\n");
	return 0;
}
