// SPDX-License-Identifier: MIT
/*
 * vfsd-server: parse the command line, set up the backend, go to the
 * background (unless -f), mount, serve until unmounted or signalled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vfsd/vfsd.h>

#include "backends/backend.h"
#include "cli/daemon.h"
#include "cli/log.h"
#include "cli/options.h"
#include "cli/sd_notify.h"
#include "cli/stats.h"

static int check_mountpoint(const char *mp)
{
	struct stat st;

	if (stat(mp, &st) < 0) {
		vfsd_log(VFSD_LOG_ERR, "mount point %s: %s", mp, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		vfsd_log(VFSD_LOG_ERR, "mount point %s is not a directory", mp);
		return -1;
	}
	return 0;
}

/*
 * A backend that needs the module must not end up on FUSE, where it would
 * mount a filesystem whose reads fail: refuse at start, in one line.
 */
static int check_transport(const struct backend *b, struct server_opts *o)
{
	const char *env = getenv("VFSD_TRANSPORT");
	const char *why = NULL;

	if (!b->needs_module)
		return 0;
	if (o->session.transport == VFSD_TRANSPORT_FUSE)
		why = "not over FUSE (--transport=fuse)";
	else if (o->session.transport == VFSD_TRANSPORT_AUTO && env &&
		 !strcmp(env, "fuse"))
		why = "not over FUSE (VFSD_TRANSPORT=fuse)";
	else if (access("/dev/vfsd", F_OK) < 0)
		why = "and there is no /dev/vfsd (modprobe vfsd)";
	if (why) {
		vfsd_log(VFSD_LOG_ERR, "the %s backend runs only over the vfsd module, %s",
			 b->name, why);
		return -1;
	}
	o->session.transport = VFSD_TRANSPORT_VFSD;
	return 0;
}

/* The dir backend holds an O_PATH fd per inode the kernel knows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Type=notify services: the mount is live (run with -f there). */
static void tell_systemd_ready(void)
{
	char state[64];

	snprintf(state, sizeof(state), "READY=1\nMAINPID=%ld", (long)getpid());
	if (sd_notify_send(state) < 0)
		vfsd_log(VFSD_LOG_WARNING, "NOTIFY_SOCKET: cannot tell systemd: %s",
			 strerror(errno));
}

static int serve(const struct backend *b, struct server_opts *o, void *state)
{
	struct vfsd_session *s;
	int fd = -1, err;

	o->session.rootmode = b->root_mode(state);
	o->session.pinnable = b->pins_window && b->pins_window(state);
	if (!o->foreground) {
		fd = daemon_start();
		if (fd < 0)
			return -1;
		server_log_to_fd(fd);
	}
	if (o->stats_file && server_stats_start(b, state, o->stats_file) < 0)
		return -1;
	s = vfsd_session_new(b->ops, sizeof(*b->ops), &o->session, state);
	if (!s)
		return -1;
	err = vfsd_session_mount(s, o->mountpoint);
	if (!err && b->mounted)
		b->mounted(state, s);
	if (err) {
		vfsd_session_destroy(s);
		return -1;
	}
	if (fd >= 0) {
		daemon_ready(fd);
		server_log_to_syslog();
	}
	tell_systemd_ready();
	server_stats_session(s);
	err = vfsd_session_loop(s);
	sd_notify_send("STOPPING=1");
	server_stats_session(NULL);	/* keeps its last transport counters */
	vfsd_session_destroy(s);
	if (o->stats_file)
		server_stats_write(b, state, o->stats_file);
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	const struct backend *b;
	struct server_opts o;
	void *state = NULL;
	int err;

	if (server_parse_args(argc, argv, &o) < 0)
		return 1;
	if (o.help) {
		server_usage(stdout, argv[0]);
		return 0;
	}
	if (o.version) {
		printf("vfsd-server %s\n", VFSD_VERSION);
		return 0;
	}
	server_log_init();
	b = backend_find(o.backend);
	if (!b) {
		vfsd_log(VFSD_LOG_ERR, "unknown backend '%s' (see --help)",
			 o.backend);
		return 1;
	}
	if (check_mountpoint(o.mountpoint) < 0 || check_transport(b, &o) < 0)
		return 1;
	raise_fd_limit();
	if (b->create(&o.cfg, &state) < 0)
		return 1;
	err = serve(b, &o, state);
	b->destroy(state);
	return err ? 1 : 0;
}
