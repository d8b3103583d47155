// SPDX-License-Identifier: MIT
/*
 * mount -t vfsd (no backend): a server's own mount with fd=N, done by
 * mount(8) through us because we are /sbin/mount.vfsd. Pass it to
 * mount(2) as mount(8) would have: generic options become flags, the
 * rest is the filesystem's data; the kernel logs why it refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/mount_flags.h"
#include "tools/mount_raw.h"

static bool dropped(const char *opt)
{
	static const char *const names[] = {
		"defaults", "auto", "noauto", "nofail", "_netdev", "user",
		"nouser", "users", "owner", "group",
	};
	size_t i;

	if (!strncmp(opt, "x-", 2) || !strncmp(opt, "comment=", 8))
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(opt, names[i]))
			return true;
	return false;
}

int mount_raw(const char *spec, const char *mountpoint, const char *opts,
	      bool fake)
{
	char *copy = strdup(opts), *data = calloc(1, strlen(opts) + 1);
	char *save = NULL, *opt;
	unsigned long flags = 0;
	int ret = 32;

	if (!copy || !data)
		goto out;
	for (opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (dropped(opt))
			continue;
		if (!strcmp(opt, "nosuid"))
			flags |= MS_NOSUID;
		else if (!strcmp(opt, "nodev"))
			flags |= MS_NODEV;
		else if (!strcmp(opt, "suid") || !strcmp(opt, "dev"))
			continue;
		else if (!mount_flag_apply(opt, &flags))
			strcat(strcat(data, *data ? "," : ""), opt);
	}
	if (fake) {
		ret = 0;
		goto out;
	}
	if (mount(spec, mountpoint, "vfsd", flags, data) == 0) {
		ret = 0;
		goto out;
	}
	fprintf(stderr, "mount.vfsd: mount %s: %s (see dmesg; to start a server use -t vfsd.mem, vfsd.dir or vfsd.fpga)\n",
		mountpoint, strerror(errno));
out:
	free(copy);
	free(data);
	return ret;
}
