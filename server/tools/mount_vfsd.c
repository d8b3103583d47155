// SPDX-License-Identifier: MIT
/*
 * mount.vfsd: the helper mount(8) runs for the types vfsd.mem, vfsd.dir and
 * vfsd.fpga (from the command line, /etc/fstab or a systemd mount unit):
 *
 *   mount.vfsd SOURCE MOUNTPOINT [-sfnv] [-o OPTIONS] [-t vfsd.BACKEND]
 *
 * It starts vfsd-server, which returns once the mount is live and serves
 * it until it is unmounted. See mount.vfsd(8). Type plain vfsd (a server's
 * own fd=N mount) goes straight to mount(2).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/mount_args.h"
#include "tools/mount_raw.h"

#ifndef VFSD_SBINDIR
#define VFSD_SBINDIR "/usr/sbin"
#endif

static void usage(FILE *out)
{
	fputs("usage: mount.vfsd SOURCE MOUNTPOINT [-sfnv] [-o OPTIONS] [-t vfsd.BACKEND]\n"
	      "  BACKEND: mem (SOURCE is a name, e.g. none), dir (SOURCE is the\n"
	      "  directory to serve), fpga (SOURCE: cardN for XDMA device N, a PCI\n"
	      "  address or card file, or none). Normally run by mount(8):\n"
	      "    mount -t vfsd.mem none /mnt/x -o size=512M\n"
	      "  Without -t (type plain vfsd: a server's own fd=N mount) the\n"
	      "  options go to mount(2). See mount.vfsd(8).\n", out);
}

/* vfsd-server next to this program (a build tree), else the installed one. */
static void server_path(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, size, "%s/vfsd-server", dirname(self));
		if (access(buf, X_OK) == 0)
			return;
	}
	snprintf(buf, size, "%s/vfsd-server", VFSD_SBINDIR);
}

int main(int argc, char **argv)
{
	const char *type = NULL, *opts = "", *pos[2] = { NULL, NULL };
	bool sloppy = false, fake = false, verbose = false;
	struct mount_args a;
	char server[PATH_MAX];
	const char *base = strrchr(argv[0], '/');
	int i, npos = 0;

	/*
	 * mount(8) passes -t only for a subtype (vfsd.mem): without it the
	 * type is our name's, plain vfsd (or vfsd.mem for mount.vfsd.mem).
	 */
	base = base ? base + 1 : argv[0];
	type = !strncmp(base, "mount.vfsd.", 11) ? base + 6 : "vfsd";
	/* mount(8) puts the options after the two positional arguments. */
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((!strcmp(arg, "-o") || !strcmp(arg, "-t") ||
		     !strcmp(arg, "-N")) && i + 1 < argc) {
			if (arg[1] == 'o')
				opts = argv[++i];
			else if (arg[1] == 't')
				type = argv[++i];
			else {
				fprintf(stderr, "mount.vfsd: -N (another mount namespace) is not supported\n");
				return 32;
			}
			continue;
		}
		if (arg[0] == '-' && arg[1] && strspn(arg + 1, "sfnvrw") == strlen(arg + 1)) {
			sloppy |= strchr(arg, 's') != NULL;
			fake |= strchr(arg, 'f') != NULL;
			verbose |= strchr(arg, 'v') != NULL;
			continue;
		}
		if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "mount.vfsd: unknown option '%s'\n", arg);
			usage(stderr);
			return 1;
		}
		if (npos == 2) {
			fprintf(stderr, "mount.vfsd: unexpected argument '%s'\n", arg);
			return 1;
		}
		pos[npos++] = arg;
	}
	if (npos != 2) {
		usage(stderr);
		return 1;
	}
	/* mount -t vfsd -o fd=N: a server mounting its own connection. */
	if (!strcmp(type, "vfsd"))
		return mount_raw(pos[0], pos[1], opts, fake);
	/* mount(8)'s exit codes: 1 usage, 32 mount failure. */
	if (mount_args_build(&a, type, pos[0], opts, pos[1], sloppy, stderr) < 0)
		return 32;
	server_path(server, sizeof(server));
	a.argv[0] = server;
	if (verbose || fake) {
		for (i = 0; i < a.argc; i++)
			fprintf(stderr, "%s%s", i ? " " : "mount.vfsd: ", a.argv[i]);
		fputc('\n', stderr);
	}
	if (fake)
		return 0;
	execv(server, a.argv);
	fprintf(stderr, "mount.vfsd: cannot run %s: %s\n", server, strerror(errno));
	return 32;
}
